"""The structure of documents laid out in paragraphs (resolutions, reports): parts with exact offsets,
page furniture and footnotes kept apart, and its RDF.

A part's span runs from its first to its last character; furniture and footnotes that a page break put
inside it are recorded as its gaps and left out of its text, so that no paragraph carries a page counter.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from rdflib import Graph, Literal, URIRef

from ..namespaces import DCTERMS, RDF, RDFS, WSIS, XSD
from .extracted import FOOTNOTE_RULE

PartKind = TypingLiteral["title-block", "title", "chapeau", "preambular", "heading", "operative", "sub-paragraph",
                         "paragraph"]
Span = tuple[int, int]

_CLASS = {
    "title-block": WSIS.TitleBlock, "title": WSIS.Section, "chapeau": WSIS.Chapeau,
    "preambular": WSIS.PreambularParagraph, "heading": WSIS.Section, "operative": WSIS.OperativeParagraph,
    "sub-paragraph": WSIS.SubParagraph, "paragraph": WSIS.Paragraph,
}
PASSAGE_KINDS = ("chapeau", "preambular", "operative", "sub-paragraph", "paragraph")


@dataclass
class Part:
    kind: PartKind
    start: int
    end: int
    number: str = ""  # as printed: "12" for an operative paragraph, "a" for a sub-paragraph, "1" for a footnote
    children: list[Part] = field(default_factory=list)
    gaps: list[Span] = field(default_factory=list)
    iri: str = ""
    order: int = 0
    slug: str = ""  # headings: from their words, for readable IRIs
    mark: int = -1  # footnotes: where their mark stands in the text, -1 if not found

    def text(self, source: str) -> str:
        """The part's text without the furniture and footnotes inside it."""
        pieces, pos = [], self.start
        for s, e in self.gaps:
            pieces.append(source[pos:s])
            pos = e
        pieces.append(source[pos:self.end])
        if len(pieces) == 1:
            return pieces[0]
        return "\n".join(p.strip() for p in pieces if p.strip())


@dataclass
class Line:
    start: int
    end: int
    text: str
    page: int


@dataclass
class Page:
    number: int
    start: int
    end: int


@dataclass
class Layout:
    genre: str
    parts: list[Part]
    footnotes: list[Part]
    furniture: list[Part]
    pages: list[Page]
    paragraph_base: str = ""  # the instrument whose paragraphs the numbered paragraphs are, if any

    def all_parts(self) -> list[Part]:
        out = []
        for p in self.parts:
            out.append(p)
            out += p.children
        return out

    def passages(self) -> list[Part]:
        return [p for p in self.all_parts() if p.kind in PASSAGE_KINDS]

    def operative(self) -> list[Part]:
        return [p for p in self.parts if p.kind == "operative"]

    def headings(self) -> list[Part]:
        return [p for p in self.parts if p.kind == "heading"]

    def excluded_spans(self) -> list[Span]:
        return sorted((p.start, p.end) for p in self.footnotes + self.furniture)

    def assign_iris(self, doc_iri: str) -> None:
        """Readable IRIs: printed numbers where the text has them, headings by slug, otherwise the order."""
        base = self.paragraph_base or doc_iri
        seen: set[str] = set()

        def unique(iri: str) -> str:
            out, n = iri, 2
            while out in seen:
                out, n = f"{iri}-{n}", n + 1
            seen.add(out)
            return out

        section = ""
        counts: dict[str, int] = {}
        for p in self.parts:
            counts[p.kind] = counts.get(p.kind, 0) + 1
            p.order = counts[p.kind]
            if p.kind == "title-block":
                p.iri = unique(f"{doc_iri}/title-block")
            elif p.kind in ("heading", "title"):
                section = unique(f"{doc_iri}/section/{p.slug or p.order}")
                p.iri = section
            elif p.kind == "chapeau":
                p.iri = unique(f"{doc_iri}/chapeau/{p.order}")
            elif p.kind == "preambular":
                p.iri = unique(f"{doc_iri}/preamble/p{p.order}")
            elif p.kind == "operative":
                p.iri = unique(f"{base}/paragraph/{p.number}") if p.number else unique(f"{doc_iri}/p{p.order}")
            elif p.number:
                p.iri = unique(f"{doc_iri}/paragraph/{p.number}")
            else:
                p.iri = unique(f"{section or doc_iri}/p{p.order}")
            for k, c in enumerate(p.children, 1):
                c.order = k
                c.iri = unique(f"{p.iri}/{c.number or k}")
        for k, f in enumerate(self.footnotes, 1):
            f.order = k
            f.iri = unique(f"{doc_iri}/footnote/{f.number or k}")
        for k, f in enumerate(self.furniture, 1):
            f.order = k
            f.iri = f"{doc_iri}/furniture/{k}"

    def component_spans(self, doc_iri: str) -> list[tuple[int, int, URIRef]]:
        self.assign_iris(doc_iri)
        return [(p.start, p.end, URIRef(p.iri)) for p in self.all_parts() if p.kind != "title-block"]

    def graph(self, doc_iri: str, label: str, source: str) -> Graph:
        self.assign_iris(doc_iri)
        doc = URIRef(doc_iri)
        g = Graph()

        def node(iri: str, cls: URIRef, start: int, end: int, order: int, lbl: str, parent: URIRef, text: str
                 ) -> URIRef:
            n = URIRef(iri)
            g.add((n, RDF.type, cls))
            g.add((n, RDFS.label, Literal(lbl, lang="en")))
            g.add((n, WSIS.text, Literal(text)))
            g.add((n, WSIS.startOffset, Literal(start, datatype=XSD.nonNegativeInteger)))
            g.add((n, WSIS.endOffset, Literal(end, datatype=XSD.nonNegativeInteger)))
            g.add((n, WSIS.order, Literal(order, datatype=XSD.positiveInteger)))
            g.add((n, WSIS.inDocument, doc))
            g.add((n, DCTERMS.isPartOf, parent))
            g.add((parent, DCTERMS.hasPart, n))
            return n

        starts = [pg.start for pg in self.pages]

        def on_page(n: URIRef, start: int) -> None:
            g.add((n, WSIS.onPage, Literal(bisect.bisect_right(starts, start), datatype=XSD.positiveInteger)))

        section: URIRef | None = None
        names = {"title-block": "Title block", "chapeau": "Chapeau", "preambular": "Preambular paragraph",
                 "paragraph": "Paragraph"}
        for p in self.parts:
            text = p.text(source)
            if p.kind in ("heading", "title"):
                parent = doc
                lbl = " ".join(text.split())
            elif p.kind == "operative":
                parent = section or doc
                lbl = f"Paragraph {p.number} of {label}"
            else:
                parent = section if (section is not None and p.kind == "paragraph") else doc
                num = f" {p.number}" if p.number else f" {p.order}"
                lbl = f"{names.get(p.kind, 'Paragraph')}{num if p.kind != 'title-block' else ''} of {label}"
            n = node(p.iri, _CLASS[p.kind], p.start, p.end, p.order, lbl, parent, text)
            on_page(n, p.start)
            if p.kind in ("heading", "title"):
                section = n
            if p.number and p.kind in ("operative", "paragraph"):
                g.add((n, WSIS.paragraphNumber, Literal(int(p.number), datatype=XSD.positiveInteger)))
            if p.kind == "operative" and self.paragraph_base:
                g.add((n, RDF.type, WSIS.InstrumentParagraph))
                g.add((n, WSIS.ofInstrument, URIRef(self.paragraph_base)))
                g.add((n, WSIS.firstParagraph, Literal(int(p.number), datatype=XSD.positiveInteger)))
                g.add((n, WSIS.lastParagraph, Literal(int(p.number), datatype=XSD.positiveInteger)))
            for gap in p.gaps:
                for f in self.footnotes + self.furniture:
                    if (f.start, f.end) == gap:
                        g.add((n, WSIS.interruptedBy, URIRef(f.iri)))
            for c in p.children:
                cn = node(c.iri, WSIS.SubParagraph, c.start, c.end, c.order,
                          f"Sub-paragraph ({c.number}) of {lbl[0].lower()}{lbl[1:]}", n, c.text(source))
                g.add((cn, WSIS.marker, Literal(c.number)))
                on_page(cn, c.start)
        passages = sorted(self.passages(), key=lambda p: p.start)
        for f in self.footnotes:
            n = node(f.iri, WSIS.Footnote, f.start, f.end, f.order, f"Footnote {f.number} of {label}", doc,
                     f.text(source))
            g.add((n, WSIS.marker, Literal(f.number)))
            if f.mark >= 0:
                g.add((n, WSIS.markOffset, Literal(f.mark, datatype=XSD.nonNegativeInteger)))
                holder = [p for p in passages if p.start <= f.mark < p.end]
                if holder:
                    g.add((n, WSIS.noteTo, URIRef(holder[-1].iri)))
            on_page(n, f.start)
        for f in self.furniture:
            n = node(f.iri, WSIS.PageFurniture, f.start, f.end, f.order,
                     f"Page furniture {f.order} of {label}: {' '.join(source[f.start:f.end].split())}", doc,
                     source[f.start:f.end])
            on_page(n, f.start)
        return g


# ---- shared line-level analysis ---------------------------------------------------------------------------

_SYMBOL = r"(?:A|E|S|HRC|A/HRC|E/CN\.\d+|ECOSOC)/(?:RES/|DEC/)?(?:\d+/)?(?:L\.|CRP\.)?\d+(?:/(?:Rev|Add|Corr)\.\d+)*"
SYMBOL = re.compile(rf"\b{_SYMBOL}\b")
_FURNITURE_TOKEN = re.compile(
    rf"^(?:{_SYMBOL}|\d{{1,3}}/\d{{1,3}}|\d{{2}}-\d{{5}}|\(E\)|\d{{6}}|\*\d{{7}}\*|Page\s+\d+\s+of\s+\d+)$")
_FURNITURE_ANCHOR = re.compile(rf"^(?:{_SYMBOL}|\d{{1,3}}/\d{{1,3}}|\d{{2}}-\d{{5}}|\*\d{{7}}\*)$")
_RULE = re.compile(r"^_{5,}$")
_FOOTNOTE = re.compile(r"^(\d{1,3})(?:\s+\S|$)")


def is_furniture(line: str) -> bool:
    """Running symbol, page counter ("2/20"), job number ("25-20327 (E) 161225"), barcode ("*2520327*"), alone
    or together on a line; a line with any other word is text."""
    tokens = [t for t in re.split(r"\s+", line.strip()) if t]
    if not tokens or len(tokens) > 6:
        return False
    joined = " ".join(tokens)
    if re.fullmatch(r"Page\s+\d+\s+of\s+\d+", joined):
        return True
    return all(_FURNITURE_TOKEN.match(t) for t in tokens) and any(_FURNITURE_ANCHOR.match(t) for t in tokens)


def make_pages(source: str, page_starts: list[int] | None) -> list[Page]:
    starts = sorted(set(page_starts or [0]) | {0})
    pages = []
    for i, s in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(source)
        pages.append(Page(i + 1, s, end))
    return pages


def read_lines(source: str, page_starts: list[int] | None = None
               ) -> tuple[list[Line], list[Part], list[Part], list[Page]]:
    """Content lines, with furniture and footnotes (what follows a footnote rule on its page) taken out."""
    pages = make_pages(source, page_starts)
    firsts = [p.start for p in pages]
    lines: list[Line] = []
    furniture: list[Part] = []
    footnotes: list[Part] = []
    pos = 0
    page = 1 if firsts else 0
    in_notes = notes_here = False
    expected_note = 1
    for raw in source.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        start = pos
        pos += len(raw)
        here = bisect.bisect_right(firsts, start)
        if here != page or "\f" in body:
            page = here
            in_notes = notes_here = False
            start += len(body) - len(body.lstrip("\f"))
            body = body.lstrip("\f")
        stripped = body.strip()
        if not stripped:
            continue
        s = start + len(body) - len(body.lstrip())
        e = s + len(stripped)
        if is_furniture(stripped):
            furniture.append(Part("paragraph", s, e))
            continue
        if _RULE.match(stripped) or stripped == FOOTNOTE_RULE:
            furniture.append(Part("paragraph", s, e))
            in_notes, notes_here = True, False
            continue
        if in_notes:
            m = _FOOTNOTE.match(stripped)
            if m and int(m.group(1)) >= expected_note:
                footnotes.append(Part("paragraph", s, e, number=m.group(1)))
                expected_note = int(m.group(1)) + 1
                notes_here = True
                continue
            if notes_here:
                footnotes[-1].end = e
                continue
            in_notes = False
        lines.append(Line(s, e, stripped, page))
    return lines, footnotes, furniture, pages


_TERMINAL = re.compile(r"(?:[.;:!?]|[.;:,]”|[.;:,]\"|[.;:,]\)?\s*\d{1,3})$")


def terminated(text: str, allow_comma: bool = False) -> bool:
    """Ends a sentence or clause, perhaps followed by a footnote mark ("Rights. 2")."""
    t = text.rstrip()
    return bool(_TERMINAL.search(t)) or (allow_comma and t.endswith(","))


def locate_marks(source: str, parts: list[Part], footnotes: list[Part], pages: list[Page]) -> None:
    """Find each footnote's mark: its number glued to the word or punctuation before it ("2025,1"), or after a
    space at a sentence's end ("Rights. 2"), in a passage of the same page, after the previous mark."""
    passages = sorted((p for p in parts for p in (p, *p.children) if p.kind in PASSAGE_KINDS),
                      key=lambda p: p.start)
    firsts = [pg.start for pg in pages]
    pos = 0
    for f in footnotes:
        page = pages[max(0, bisect.bisect_right(firsts, f.start) - 1)]
        lo = max(pos, page.start)
        glued = re.compile(rf"(?:(?<=[A-Za-z)”’\"',;:])|(?<=[A-Za-z]\.))({re.escape(f.number)})(?=[\s,.;:)]|$)")
        spaced = re.compile(rf"(?<=[A-Za-z)”’\"',;:.])\s({re.escape(f.number)})(?=\s|$)")
        for p in passages:
            if p.end <= lo or p.start >= f.start:
                continue
            start = max(lo, p.start)
            hits = [m.start(1) for rx in (glued, spaced) for m in rx.finditer(source, start, p.end)
                    if not any(a <= m.start(1) < b for a, b in p.gaps)]
            if hits:
                f.mark = min(hits)
                pos = f.mark + 1
                break


def finish(parts: list[Part], footnotes: list[Part], furniture: list[Part]) -> None:
    """Record as gaps the furniture and footnotes lying inside each part's span."""
    excluded = sorted((p.start, p.end) for p in footnotes + furniture)
    firsts = [s for s, _ in excluded]
    for p in parts:
        for target in (p, *p.children):
            i = bisect.bisect_left(firsts, target.start)
            target.gaps = []
            while i < len(excluded) and excluded[i][0] < target.end:
                if excluded[i][1] <= target.end:
                    target.gaps.append(excluded[i])
                i += 1
