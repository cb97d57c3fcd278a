"""Taking a new document in: text extraction, structure, entity mentions and draft claims for a curator."""
