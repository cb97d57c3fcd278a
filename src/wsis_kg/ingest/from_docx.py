"""Word (.docx) text with python-docx, read from the document's XML so that nothing Word stores as a special
element is lost: non-breaking hyphens (w:noBreakHyphen, kept as U+2011), soft hyphens, tabs, line breaks,
footnote reference marks (their number), tables (a row a line), and the footnotes themselves, which go after
a footnote rule at the end of the text (python-docx's `paragraph.text` drops all of these but tabs)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from .extracted import FOOTNOTE_RULE, Extracted, ExtractionError, check_not_empty, tidy

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"



def _runs_text(element: Any, notes: dict[str, int]) -> str:
    out: list[str] = []
    for el in element.iter():
        tag = el.tag
        if tag == f"{W}t":
            out.append(el.text or "")
        elif tag == f"{W}tab":
            out.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("\u2011")
        elif tag == f"{W}softHyphen":
            out.append("\u00ad")
        elif tag == f"{W}footnoteReference":
            note = el.get(f"{W}id", "")
            notes.setdefault(note, len(notes) + 1)
            out.append(str(notes[note]))
    return "".join(out)


def _blocks(body: Any, notes: dict[str, int]) -> Iterator[str]:
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            yield _runs_text(child, notes)
        elif child.tag == f"{W}tbl":
            for row in child.iter(f"{W}tr"):
                cells = [_runs_text(c, notes).strip() for c in row.iter(f"{W}tc")]
                yield "\t".join(cells)


def _footnotes(document: Any, notes: dict[str, int]) -> list[str]:
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/footnotes.xml":
            root = etree.fromstring(part.blob)
            texts = {}
            for fn in root.iter(f"{W}footnote"):
                fid = fn.get(f"{W}id", "")
                if fid in notes:
                    texts[notes[fid]] = " ".join(_runs_text(p, {}).strip() for p in fn.iter(f"{W}p")).strip()
            return [f"{n} {texts[n]}" for n in sorted(texts)]
    return []


def extract_docx(path: Path, data: bytes) -> Extracted:
    import io

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"{path}: not a readable Word (.docx) file ({exc}); open it in Word and save it again"
                              ) from exc
    notes: dict[str, int] = {}
    paragraphs = list(_blocks(document.element.body, notes))
    footnotes = _footnotes(document, notes)
    text = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    if footnotes:
        text += f"\n\n{FOOTNOTE_RULE}\n" + "\n".join(footnotes)
    text = tidy(text)
    check_not_empty(text, str(path))
    core = document.core_properties
    props = {k: v for k, v in (("title", core.title or ""), ("author", core.author or ""),
                               ("creationdate", core.created.date().isoformat() if core.created else "")) if v}
    return Extracted(text, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     properties=props)
