"""UN resolutions and outcome documents: title block, chapeau, preambular paragraphs, headings, numbered
operative paragraphs with sub-paragraphs (a), (b) ..., footnotes and page furniture.

PDF extraction loses the space between paragraphs, so paragraphs are found from what UN editing rules make
reliable: operative paragraphs are numbered in sequence, sub-paragraphs lettered in sequence after a lead-in
that ends with a colon or a semicolon, a preambular paragraph opens with a participle or adjective in italics
("Recalling", "Deeply concerned") after one that ended with a comma, and a heading is a short run of lines
without final punctuation between a finished paragraph and the next numbered one.
"""

from __future__ import annotations

import re

from ..segment import slugify
from .layout import Layout, Line, Part, finish, locate_marks, read_lines, terminated

_NUMBERED = re.compile(r"^(\d{1,3})\.\s+\S")
_LETTERED = re.compile(r"^\(([a-z]{1,2})\)\s+\S")
_CHAPEAU = re.compile(r"^(?:The (?:General Assembly|[A-Z][a-z]+ (?:and [A-Z][a-z]+ )?(?:Council|Conference|Commission))"
                      r"\b|We, the\b)")
_ADJECTIVES = ("mindful", "convinced", "concerned", "aware", "conscious", "determined", "guided", "alarmed",
               "encouraged", "cognizant", "desirous", "committed", "in mind", "note")
_PREAMBULAR = re.compile(
    r"^(?:(?:Also|Further|Deeply|Gravely|Seriously|Fully|Strongly|Firmly|Bearing|Taking|Having|Noting)\s+"
    rf"(?:[a-z]+ing|{'|'.join(_ADJECTIVES)})\b"
    rf"|(?:[A-Z][a-z]+ing|{'|'.join(a.capitalize() for a in _ADJECTIVES)})\b)")
_HEADING_MAX_LINES = 3
_HEADING_MAX_CHARS = 250


def _letter_after(letter: str) -> str:
    if not letter:
        return "a"
    if letter[-1] == "z":
        return "aa"
    if len(letter) == 2 and letter[0] == letter[1]:
        return chr(ord(letter[0]) + 1) * 2
    return chr(ord(letter[-1]) + 1)


def _heading_run(lines: list[Line], i: int, next_number: int) -> int:
    """How many lines from i form a heading (0 if they do not): up to three lines without final punctuation,
    the first capitalised, followed by the next numbered paragraph or a chapeau."""
    length = 0
    for k in range(i, min(i + _HEADING_MAX_LINES, len(lines))):
        line = lines[k].text
        length += len(line)
        if terminated(line, allow_comma=True) or length > _HEADING_MAX_CHARS or (k == i and not line[:1].isupper()):
            return 0
        if k + 1 < len(lines) and _opens_block(lines[k + 1].text, next_number):
            return k - i + 1
    return 0


def _opens_block(text: str, next_number: int) -> bool:
    m = _NUMBERED.match(text)
    return bool(m and int(m.group(1)) == next_number) or bool(_CHAPEAU.match(text))


def _lead_in_done(text: str) -> bool:
    return terminated(text, allow_comma=True) or text.endswith((" and", " or"))


def segment_resolution(source: str, page_starts: list[int] | None = None) -> Layout:
    """Parts of a resolution in reading order; furniture and footnotes apart. Every content line lands in
    some part, so no text is lost."""
    lines, footnotes, furniture, pages = read_lines(source, page_starts)
    parts: list[Part] = []
    zone = "title"
    current: Part | None = None
    next_number = 1
    prev_text = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        m = _NUMBERED.match(text)
        lm = _LETTERED.match(text)
        operative = parts[-1] if parts and parts[-1].kind == "operative" else None
        if m and int(m.group(1)) == next_number:
            current = Part("operative", line.start + len(m.group(0)) - 1, line.end, number=m.group(1))
            parts.append(current)
            next_number += 1
            zone = "operative"
        elif (operative is not None and lm is not None and _lead_in_done(prev_text)
              and lm.group(1) == _letter_after(operative.children[-1].number if operative.children else "")):
            current = Part("sub-paragraph", line.start + len(lm.group(0)) - 1, line.end, number=lm.group(1))
            operative.children.append(current)
            operative.end = line.end
        elif zone != "title" and terminated(prev_text, allow_comma=True) and (
                run := _heading_run(lines, i, next_number)):
            last = lines[i + run - 1]
            heading = Part("title" if zone == "opening" else "heading", line.start, last.end)
            heading.slug = slugify(" ".join(lines[k].text for k in range(i, i + run)))
            parts.append(heading)
            current = None
            prev_text = "."
            i += run
            continue
        elif zone in ("title", "opening", "preamble") and _CHAPEAU.match(text):
            current = Part("chapeau", line.start, line.end)
            parts.append(current)
            zone = "opening"
        elif zone in ("opening", "preamble") and _PREAMBULAR.match(text) and terminated(prev_text, allow_comma=True):
            current = Part("preambular", line.start, line.end)
            parts.append(current)
            zone = "preamble"
        elif current is not None:
            current.end = line.end
            if current.kind == "sub-paragraph" and operative is not None:
                operative.end = line.end
        else:
            # a title block, or text no rule places (a stray line after a heading): a part of its own, never lost
            current = Part("title-block" if zone == "title" else "paragraph", line.start, line.end)
            parts.append(current)
        prev_text = text
        i += 1
    finish(parts, footnotes, furniture)
    locate_marks(source, parts, footnotes, pages)
    return Layout("resolution", parts, footnotes, furniture, pages)
