"""Generic reports and submissions: headings and paragraphs, numbered or not, with furniture and footnotes
kept apart as in resolutions.

A paragraph ends at a blank line, or, where PDF extraction kept no blank lines, at a short line that closes
a sentence (the last line of a paragraph rarely fills the measure). A heading is a short line or two without
final punctuation after a finished paragraph.
"""

from __future__ import annotations

import re

from ..segment import slugify
from .layout import Layout, Line, Part, finish, locate_marks, read_lines, terminated

_NUMBERED = re.compile(r"^(\d{1,3})\.\s+\S")
_HEADING_MAX_CHARS = 120


def _measure(lines: list[Line]) -> int:
    """The usual length of a full line: the 80th percentile of line lengths."""
    lengths = sorted(len(ln.text) for ln in lines)
    return lengths[int(len(lengths) * 0.8)] if lengths else 0


def _is_heading(lines: list[Line], i: int) -> bool:
    text = lines[i].text
    nxt = lines[i + 1].text if i + 1 < len(lines) else ""
    return (
        len(text) <= _HEADING_MAX_CHARS and text[:1].isupper() and not terminated(text, allow_comma=True)
        and not _NUMBERED.match(text) and bool(nxt) and (nxt[:1].isupper() or _NUMBERED.match(nxt) is not None)
    )


def segment_report(source: str, page_starts: list[int] | None = None) -> Layout:
    lines, footnotes, furniture, pages = read_lines(source, page_starts)
    measure = _measure(lines)
    parts: list[Part] = []
    current: Part | None = None
    prev: Line | None = None
    for i, line in enumerate(lines):
        text = line.text
        blank_before = prev is not None and "\n\n" in source[prev.end:line.start].replace("\f", "")
        page_break = prev is not None and "\f" in source[prev.end:line.start]
        ended = prev is None or (terminated(prev.text) and (blank_before or page_break
                                                            or len(prev.text) < 0.85 * measure))
        if prev is not None and blank_before and not page_break and not terminated(prev.text):
            ended = not text[:1].islower()
        m = _NUMBERED.match(text)
        starts_new = ended or current is None or current.kind == "heading"
        if starts_new and _is_heading(lines, i):
            current = Part("heading", line.start, line.end)
            current.slug = slugify(text)
            parts.append(current)
        elif starts_new and m:
            current = Part("paragraph", line.start + len(m.group(0)) - 1, line.end, number=m.group(1))
            parts.append(current)
        elif starts_new or current is None:
            current = Part("paragraph", line.start, line.end)
            parts.append(current)
        else:
            current.end = line.end
        prev = line
    finish(parts, footnotes, furniture)
    locate_marks(source, parts, footnotes, pages)
    return Layout("report", parts, footnotes, furniture, pages)
