"""Word (.docx) text with python-docx, read from the document's XML so that nothing Word stores as a special
element is lost: non-breaking hyphens (w:noBreakHyphen, kept as U+2011), soft hyphens, tabs, line breaks,
footnote reference marks (their number), automatic paragraph numbers ("12.", "(a)"), tables (a row a line),
and the footnotes themselves, which go after a footnote rule at the end of the text (python-docx's
`paragraph.text` drops all of these but tabs)."""

from __future__ import annotations

import io
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


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + digits, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


class Numbering:
    """Word's automatic numbering, which is not in the text: the label ("12.", "(a)") each numbered
    paragraph shows, computed from the numbering definitions as Word counts them; bullets become "- "."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        self.style_numbering: dict[str, tuple[str, int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for an in numbering.iter(f"{W}abstractNum"):
            lvls = {}
            for lvl in an.iter(f"{W}lvl"):
                fmt = lvl.find(f"{W}numFmt")
                text = lvl.find(f"{W}lvlText")
                start = lvl.find(f"{W}start")
                lvls[int(lvl.get(f"{W}ilvl", "0"))] = (
                    fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{W}val", "") if text is not None else "",
                    int(start.get(f"{W}val", "1")) if start is not None else 1)
            abstract[an.get(f"{W}abstractNumId")] = lvls
        for num in numbering.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is not None:
                for ilvl, spec in abstract.get(ref.get(f"{W}val"), {}).items():
                    self.levels[(num.get(f"{W}numId", ""), ilvl)] = spec
        styles = document.styles.element
        based: dict[str, str] = {}
        for style in styles.iter(f"{W}style"):
            sid = style.get(f"{W}styleId", "")
            parent = style.find(f"{W}basedOn")
            if parent is not None:
                based[sid] = parent.get(f"{W}val", "")
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                self.style_numbering[sid] = self._num_pr(num_pr)
        for sid in list(based):
            seen, cur = set(), sid
            while cur not in self.style_numbering and cur in based and cur not in seen:
                seen.add(cur)
                cur = based[cur]
            if cur in self.style_numbering:
                self.style_numbering.setdefault(sid, self.style_numbering[cur])

    @staticmethod
    def _num_pr(num_pr: Any) -> tuple[str, int]:
        num_id = num_pr.find(f"{W}numId")
        ilvl = num_pr.find(f"{W}ilvl")
        return (num_id.get(f"{W}val", "0") if num_id is not None else "0",
                int(ilvl.get(f"{W}val", "0")) if ilvl is not None else 0)

    def label(self, paragraph: Any) -> str:
        num_pr = paragraph.find(f"{W}pPr/{W}numPr")
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        if num_pr is not None:
            num_id, ilvl = self._num_pr(num_pr)
        elif style is not None and style.get(f"{W}val") in self.style_numbering:
            num_id, ilvl = self.style_numbering[style.get(f"{W}val")]
        else:
            return ""
        spec = self.levels.get((num_id, ilvl))
        if num_id == "0" or spec is None:
            return ""
        fmt, text, start = spec
        if fmt == "bullet":
            return "- "
        counts = self.counters.setdefault(num_id, [0] * 9)
        counts[ilvl] = (counts[ilvl] or start - 1) + 1
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = 0
        for level in range(9):
            lfmt, _, lstart = self.levels.get((num_id, level), ("decimal", "", 1))
            n = counts[level] or lstart
            shown = {"lowerLetter": _letters(n), "upperLetter": _letters(n).upper(), "lowerRoman": _roman(n),
                     "upperRoman": _roman(n).upper()}.get(lfmt, str(n))
            text = text.replace(f"%{level + 1}", shown)
        return f"{text} " if text else ""


def _blocks(body: Any, notes: dict[str, int], numbering: Numbering) -> Iterator[str]:
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            yield numbering.label(child) + _runs_text(child, notes)
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
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"{path}: not a readable Word (.docx) file ({exc}); open it in Word and save it again"
                              ) from exc
    notes: dict[str, int] = {}
    paragraphs = list(_blocks(document.element.body, notes, Numbering(document)))
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
