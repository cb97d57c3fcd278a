"""Take a document in (PDF, Word, HTML or text) and turn it into a source with structure and draft claims.

Stages, one module each: extraction per format (`from_pdf`, `from_docx`, `from_html`, `from_text`),
genre detection and metadata (`detect`), structure per genre (`consultation`, `resolution`, `report`),
draft claims (`drafts`), and the pipeline that writes the files (`pipeline`).
"""
