"""One normal form for names in running text and in the reference data, with a map back to the stored text.

Names in UN documents reach us wrapped across lines and pages, hyphenated at line ends, with non-breaking
and soft hyphens, ligatures from PDF extraction and accents that other texts drop. Matching happens on
a folded copy; every folded character remembers the code point of the stored text it came from, so that
a match becomes exact offsets into the stored text again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

SOFT_HYPHEN = "\u00ad"
HYPHENS = frozenset("-\u2010\u2011")  # hyphen-minus, hyphen, non-breaking hyphen
_PUNCT = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2012": "-", "\ufb01": "fi", "\ufb02": "fl"}


@dataclass(frozen=True)
class Normalised:
    """`cased` keeps letter case (for acronyms and symbols), `lower` is the same text case-folded; both
    have the length of `offsets`, which holds for each character the index in the stored text."""

    cased: str
    lower: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The stored-text span (end exclusive) of the folded span [start, end)."""
        return self.offsets[start], self.offsets[end - 1] + 1


@lru_cache(maxsize=4096)
def _fold(c: str) -> tuple[str, str]:
    """(cased, lower) forms of one character: accents and compatibility forms dropped, one letter
    lower-cased to one letter (so that both forms keep the same length)."""
    if c in _PUNCT:
        base = _PUNCT[c]
    else:
        base = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch)) or c
    lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in base)
    return base, lower


def blank_spans(text: str, skip: Iterable[tuple[int, int]]) -> str:
    """The text with the skipped spans (page furniture) turned into spaces, keeping every offset.
    A newline stays a newline, so that a hyphen before a page break still reads as a line-end hyphen."""
    spans = sorted((max(0, s), min(len(text), e)) for s, e in skip if e > s)
    if not spans:
        return text
    parts: list[str] = []
    at = 0
    for s, e in spans:
        if s < at:
            s = at
        if s >= e:
            continue
        parts.append(text[at:s])
        parts.append("".join("\n" if ch == "\n" else " " for ch in text[s:e]))
        at = e
    parts.append(text[at:])
    return "".join(parts)


_FURNITURE_TOKEN = re.compile(
    r"\d{2}-\d{5}"  # job number "25-20327"
    r"|\([A-Z]\)"  # language of the job: "(E)"
    r"|\*\d{5,}\*"  # barcode
    r"|\d{1,3}(?:/\d{1,3})?"  # page counter "3/20" or page number
    r"|[Pp]age|of"
)
_SYMBOL_TOKEN = re.compile(r"[A-Z]{1,6}(?:/[A-Za-z0-9.()+-]+){2,}")
_LINE = re.compile(r"^[^\n]*$", re.MULTILINE)


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """Lines that look like page furniture of a UN document: job numbers, barcodes, page counters, and a
    document symbol that stands on such a line more than once (the running head), alone or beside a
    page counter. Used when the caller does not know the furniture from the structure of the document."""
    spans: list[tuple[int, int]] = []
    by_symbol: dict[str, list[tuple[int, int]]] = {}
    for m in _LINE.finditer(text):
        tokens = m.group(0).split()
        if not tokens or len(tokens) > 6:
            continue
        symbols = [t for t in tokens if _SYMBOL_TOKEN.fullmatch(t)]
        if len(symbols) > 1 or not all(_FURNITURE_TOKEN.fullmatch(t) or t in symbols for t in tokens):
            continue
        if symbols:
            by_symbol.setdefault(symbols[0], []).append((m.start(), m.end()))
        elif any(t not in ("Page", "page", "of") for t in tokens):
            spans.append((m.start(), m.end()))
    spans += [s for occurrences in by_symbol.values() if len(occurrences) > 1 for s in occurrences]
    return sorted(spans)


def normalise(text: str, skip: Iterable[tuple[int, int]] = ()) -> Normalised:
    """Fold `text`: any run of white space (line and page breaks, no-break spaces, skipped furniture) is
    one space, a soft hyphen disappears, a hyphen at a line end before a lower-case letter joins the two
    halves of the word, other hyphens become "-", ligatures are spelled out and accents are dropped."""
    src = blank_spans(text, skip)
    cased: list[str] = []
    lower: list[str] = []
    offsets: list[int] = []
    n = len(src)
    i = 0
    space_at = -1  # index of the first white-space character of a pending run, or -1
    while i < n:
        c = src[i]
        if c.isspace():
            if space_at < 0:
                space_at = i
            i += 1
            continue
        if c == SOFT_HYPHEN:
            i += 1
            j = i
            while j < n and src[j].isspace():
                j += 1
            if j > i and "\n" in src[i:j]:
                i = j  # a soft hyphen at a line end: the word goes on after the break
            continue
        if c in HYPHENS:
            j = i + 1
            while j < n and src[j].isspace():
                j += 1
            if (j < n and "\n" in src[i + 1:j] and src[j].islower() and cased and cased[-1].isalpha()
                    and space_at < 0):
                i = j  # "infor-\nmation": hyphenation at a line end
                continue
            c = "-"
        if space_at >= 0:
            if cased:
                cased.append(" ")
                lower.append(" ")
                offsets.append(space_at)
            space_at = -1
        if c.isascii():
            cased.append(c)
            lower.append(c.lower())
            offsets.append(i)
        else:
            fc, fl = _fold(c)
            for a, b in zip(fc, fl, strict=True):
                cased.append(a)
                lower.append(b)
                offsets.append(i)
        i += 1
    return Normalised("".join(cased), "".join(lower), tuple(offsets))


def fold_label(label: str) -> str:
    """A label in the cased normal form (what `normalise` makes of it in running text)."""
    return normalise(label).cased


__all__ = ["HYPHENS", "SOFT_HYPHEN", "Normalised", "blank_spans", "fold_label", "furniture_spans", "normalise"]
