"""Citations in UN texts: resolution symbols and numbered paragraphs of instruments.

UN resolutions cite each other in a few fixed forms: "resolution 70/125", "its resolution 79/277 of
27 March 2025", "A/RES/79/1", "resolutions 57/238 and 59/220", "paragraph 69 of the Tunis Agenda",
"paragraphs 34 to 82 of …". The patterns run on the folded text (see `textnorm`), so a citation wrapped
over a page break is still one citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = rf"(?: of (?:\d{{1,2}} (?:{MONTHS}) \d{{4}}|(?:{MONTHS}) \d{{4}}|\d{{4}}))?"
_SYMBOL = r"(?:(?:A|E)/RES/)?\d{2,4}/\d{1,4}"
_SYMBOL_RE = re.compile(r"(?:(?P<organ>A|E)/RES/)?(?P<session>\d{2,4})/(?P<number>\d{1,4})")

# "resolution(s) S1[, S2][ and S3] [of DATE]": each symbol is a citation of its own
_DATED = rf"{_SYMBOL}(?![\w/]){_DATE}"
RESOLUTIONS_RE = re.compile(
    rf"\b(?:[Rr]esolutions?|[Dd]ecisions?) (?P<list>{_DATED}(?:(?:, | and |, and ){_DATED})*)"
)
# A full symbol standing alone: "A/RES/79/1", "E/RES/2006/46"
FULL_SYMBOL_RE = re.compile(rf"(?<![\w/])(?:A|E)/RES/\d{{2,4}}/\d{{1,4}}(?![\w/]){_DATE}")
# "paragraph 69 of", "paragraphs 34 to 82 of", "paragraphs 34-82 of the", "paragraph 12 (b) of its"
PARAGRAPHS_RE = re.compile(
    r"\b[Pp]aragraphs? (?P<first>\d{1,3})(?: ?\([a-z]{1,4}\))?"
    r"(?: ?(?:to|through|-|–|—) ?(?P<last>\d{1,3})(?: ?\([a-z]{1,4}\))?)?"
    r",? of (?:the |its |that |General Assembly |the General Assembly )?"
)


@dataclass(frozen=True)
class SymbolRef:
    """A resolution symbol found in folded text: [start, end) covers the citation as written, with
    "resolution" and the date where they belong to it."""

    start: int
    end: int
    symbol: str  # canonical: A/RES/70/125, E/RES/2006/46


def canonical_symbol(written: str) -> str | None:
    """"70/125" → "A/RES/70/125" (General Assembly sessions are numbered), "2006/46" → "E/RES/2006/46"
    (Economic and Social Council resolutions are numbered by year); a full symbol stays as it is."""
    m = _SYMBOL_RE.fullmatch(written)
    if m is None:
        return None
    session = m.group("session")
    organ = m.group("organ") or ("E" if len(session) == 4 else "A")
    if organ == "A" and len(session) > 3:
        return None
    return f"{organ}/RES/{int(session)}/{int(m.group('number'))}"


def find_symbols(folded: str) -> list[SymbolRef]:
    """Every resolution symbol cited in the folded, case-kept text."""
    out: list[SymbolRef] = []
    covered: set[int] = set()
    for m in RESOLUTIONS_RE.finditer(folded):
        base = m.start("list")
        items = list(re.finditer(_DATED, m.group("list")))
        for k, s in enumerate(items):
            canon = canonical_symbol(_SYMBOL_RE.match(s.group(0)).group(0))  # type: ignore[union-attr]
            if canon is None:
                continue
            start = m.start() if k == 0 else base + s.start()
            out.append(SymbolRef(start, base + s.end(), canon))  # each symbol with its own date
            covered.add(base + s.start())
    for m in FULL_SYMBOL_RE.finditer(folded):
        if m.start() in covered:
            continue
        sym = _SYMBOL_RE.match(folded, m.start())
        canon = canonical_symbol(sym.group(0)) if sym else None
        if canon is not None:
            out.append(SymbolRef(m.start(), m.end(), canon))
    return sorted(out, key=lambda r: r.start)


@dataclass(frozen=True)
class ParagraphRef:
    """"paragraph(s) N [to M] of " in folded text; `end` is where the cited instrument's name begins."""

    start: int
    end: int
    first: int
    last: int


def find_paragraph_refs(folded: str) -> list[ParagraphRef]:
    out = []
    for m in PARAGRAPHS_RE.finditer(folded):
        first = int(m.group("first"))
        last = int(m.group("last")) if m.group("last") else first
        if last < first:
            continue
        out.append(ParagraphRef(m.start(), m.end(), first, last))
    return out


__all__ = ["ParagraphRef", "SymbolRef", "canonical_symbol", "find_paragraph_refs", "find_symbols"]
