"""What every extractor returns: the text to store, where its pages start, and what the file was.

Pages are separated in the stored text by a blank line, and where each begins is recorded in the source's
metadata (a wsis:Page per page), so that a quote can be cited with its page. A form feed would say the same
in the text itself, but it is a control character that XML 1.0 (RDF/XML, the reasoner's input) forbids in
the literals that carry passages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import InputError

FOOTNOTE_RULE = "__________________"  # the rule above footnotes, as UN PDFs print it


class ExtractionError(InputError):
    """A file that cannot be turned into text; nothing is written."""


@dataclass(frozen=True)
class Extracted:
    text: str
    media_type: str
    converted: bool = True  # False when the file's bytes are stored as they are
    page_starts: list[int] = field(default_factory=lambda: [0])
    properties: dict[str, str] = field(default_factory=dict)  # title, author, date from the file's metadata


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRAILING = re.compile(r"[ \t]+\n")


def tidy(text: str) -> str:
    """LF line ends, no trailing blanks, no control characters other than tab and LF.

    Nothing printed is removed: only line-end spaces and characters that no font draws."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _TRAILING.sub("\n", text)
    return text.strip("\n ") + "\n"


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """The pages' tidied texts, a blank line apart, and the offset where each begins."""
    starts, pos, out = [], 0, []
    for page in pages:
        body = tidy(page).strip("\n ")
        starts.append(pos)
        out.append(body)
        pos += len(body) + 2
    return "\n\n".join(out) + "\n", starts


def form_feed_pages(text: str) -> list[int]:
    """Offsets where each page begins in a text whose pages a form feed separates (pdftotext's output)."""
    return [0] + [m.end() for m in re.finditer(r"\f\n?", text)]


def check_not_empty(text: str, path: str) -> None:
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise ExtractionError(f"{path}: the document is empty (no letters or digits in its text); nothing written")
