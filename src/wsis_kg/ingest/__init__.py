"""Taking a new document in: text extraction, structure, entity mentions and draft claims for a curator.

Stages, one module each: extraction per format (`from_pdf`, `from_docx`, `from_html`, `from_text`),
genre detection and metadata (`detect`), structure per genre (`resolution`, `report`, and the consultation
segmenter of `segment`), entity mentions (`link`), draft claims (`drafts`), and the pipeline that writes
the files (`pipeline`).
"""
