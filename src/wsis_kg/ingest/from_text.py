"""Plain text: UTF-8 with LF line ends is stored byte-identical; other line ends become LF, nothing else
changes. Form feeds, where a PDF-to-text tool left them, mark pages."""

from __future__ import annotations

from pathlib import Path

from .extracted import Extracted, ExtractionError, check_not_empty, form_feed_pages


def extract_text(path: Path, data: bytes) -> Extracted:
    if b"\x00" in data[:8192]:
        raise ExtractionError(
            f"{path}: this looks like a binary file (it contains NUL bytes), not text; give the original "
            "PDF, Word or HTML file, or a plain-text export"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExtractionError(
            f"{path}:{line}: not UTF-8 text ({exc.reason} at byte {exc.start}); convert it to UTF-8 first, "
            "for example with `iconv -f WINDOWS-1252 -t UTF-8`"
        ) from exc
    text = text.removeprefix("\ufeff")
    check_not_empty(text, str(path))
    if "\r" not in text and not data.startswith(b"\xef\xbb\xbf"):
        return Extracted(text, "text/plain", converted=False, page_starts=form_feed_pages(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Extracted(text, "text/plain", page_starts=form_feed_pages(text))
