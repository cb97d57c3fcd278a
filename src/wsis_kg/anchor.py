"""Anchor curated quotes in their source: one unique position, Web Annotation selectors, the passage.

A curated quote may fold whitespace where the PDF extraction broke a line or a page; the selectors
always hold the byte-exact slice, so that `source[start:end] == exact` holds for every claim.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from .errors import AnchorError
from .namespaces import OA, RDF, RDFS, WSIS, XSD
from .segment import DocumentStructure

CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector


@dataclass(frozen=True)
class Anchor:
    claim: URIRef
    start: int
    end: int
    passage: URIRef


def _pattern(quote: str) -> re.Pattern[str]:
    words = quote.split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def _line(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1


def nearest_text(source: str, quote: str) -> str:
    """The window of the source most like the quote, to show a curator what the text really says."""
    folded = " ".join(quote.split())
    n = len(folded)
    if not n:
        return ""
    starts = [0] + [m.end() for m in re.finditer(r"\s+", source)]
    best, best_ratio = "", 0.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(folded)
    for s in starts:
        window = " ".join(source[s:s + n + 20].split())[:n]
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        r = matcher.ratio()
        if r > best_ratio:
            best, best_ratio = f"line {_line(source, s)}: \"{window}\"", r
    return best


class PassageIndex:
    """Which component holds a span: binary search over the starts of passages and headings (a
    heading can state a claim too: a priority printed as a section title)."""

    def __init__(self, doc_iri: str, structure: DocumentStructure) -> None:
        spans = structure.component_spans(doc_iri)
        spans.sort()
        self.spans = spans
        self.starts = [s for s, _, _ in spans]

    def containing(self, start: int, end: int) -> URIRef | None:
        i = bisect.bisect_right(self.starts, start) - 1
        if i >= 0:
            s, e, iri = self.spans[i]
            if s <= start and end <= e:
                return iri
        return None

    def span_of(self, iri: URIRef) -> tuple[int, int] | None:
        for s, e, p in self.spans:
            if p == iri:
                return s, e
        return None


def _describe(claims: Graph, claim: URIRef) -> str:
    label = claims.value(claim, RDFS.label)
    return f"<{claim}>" + (f' ("{label}")' if label else "")


def mask(source: str, spans: list[tuple[int, int]]) -> str:
    """The source with page furniture and footnotes blanked (same length, so offsets hold): a quote of a
    paragraph that a page break cut may then skip what the page put inside it."""
    if not spans:
        return source
    chars = list(source)
    for s, e in spans:
        chars[s:e] = " " * (e - s)
    return "".join(chars)


def anchor_claims(claims: Graph, doc_iri: URIRef, source: str, structure: DocumentStructure) -> list[Anchor]:
    """Find every claim's quote; raise one error listing every quote that is missing or ambiguous."""
    index = PassageIndex(str(doc_iri), structure)
    searched = mask(source, structure.excluded_spans())
    anchors: list[Anchor] = []
    problems: list[str] = []
    for claim in sorted(set(claims.subjects(WSIS.quote, None)), key=str):
        if not isinstance(claim, URIRef):
            problems.append(f"a blank node has a wsis:quote; claims need IRIs: {claims.value(claim, WSIS.quote)!r}")
            continue
        quotes = list(claims.objects(claim, WSIS.quote))
        if len(quotes) != 1:
            problems.append(f"{_describe(claims, claim)} has {len(quotes)} quotes; give exactly one")
            continue
        quote = str(quotes[0])
        if not quote.strip():
            problems.append(f"{_describe(claims, claim)} has an empty quote")
            continue
        matches = [(m.start(), m.end()) for m in _pattern(quote).finditer(searched)]
        hint = claims.value(claim, WSIS.groundedIn)
        if hint is not None:
            span = index.span_of(URIRef(str(hint)))
            matches = [m for m in matches if span and span[0] <= m[0] and m[1] <= span[1]]
        if not matches:
            where = f" inside the given passage <{hint}>" if hint is not None else ""
            problems.append(
                f"{_describe(claims, claim)}: quote not found in the source{where}.\n"
                f"    quote:   \"{' '.join(quote.split())}\"\n    nearest: {nearest_text(source, quote)}"
            )
            continue
        if len(matches) > 1:
            lines = ", ".join(str(_line(source, s)) for s, _ in matches)
            problems.append(
                f"{_describe(claims, claim)}: quote occurs {len(matches)} times (lines {lines}); lengthen it "
                "or say which with wsis:groundedIn <passage IRI>"
            )
            continue
        start, end = matches[0]
        passage = index.containing(start, end)
        if passage is None:
            problems.append(
                f"{_describe(claims, claim)}: quote at line {_line(source, start)} is not inside one passage "
                "(it crosses a heading or spans two passages); split the claim"
            )
            continue
        anchors.append(Anchor(claim, start, end, passage))
    if problems:
        raise AnchorError(f"{len(problems)} quote(s) cannot be anchored:\n  " + "\n  ".join(problems))
    return anchors


def add_text_target(g: Graph, owner: URIRef, doc_iri: URIRef, source: str, start: int, end: int, what: str) -> URIRef:
    """The Web Annotation target of `owner` in its source, added to `g`: a quote selector (exact, prefix,
    suffix) and a position selector (start inclusive, end exclusive, in code points). One shape for the
    quotes of claims and the mentions the linker proposes."""
    target = URIRef(f"{owner}/target")
    quote_sel = URIRef(f"{owner}/target/quote")
    pos_sel = URIRef(f"{owner}/target/position")
    g.add((target, RDF.type, OA.SpecificResource))
    g.add((target, RDFS.label, Literal(f"Text target of a {what}", lang="en")))
    g.add((target, OA.hasSource, doc_iri))
    g.add((target, OA.hasSelector, quote_sel))
    g.add((target, OA.hasSelector, pos_sel))
    g.add((quote_sel, RDF.type, OA.TextQuoteSelector))
    g.add((quote_sel, RDFS.label, Literal("Quote selector", lang="en")))
    g.add((quote_sel, OA.exact, Literal(source[start:end])))
    g.add((quote_sel, OA.prefix, Literal(source[max(0, start - CONTEXT):start])))
    g.add((quote_sel, OA.suffix, Literal(source[end:end + CONTEXT])))
    g.add((pos_sel, RDF.type, OA.TextPositionSelector))
    g.add((pos_sel, RDFS.label, Literal("Position selector", lang="en")))
    g.add((pos_sel, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    g.add((pos_sel, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    return target


def selector_graph(anchors: list[Anchor], doc_iri: URIRef, source: str) -> Graph:
    """Web Annotation targets for the anchors: quote selector (exact, prefix, suffix) and position."""
    g = Graph()
    for a in anchors:
        g.add((a.claim, WSIS.groundedIn, a.passage))
        g.add((a.claim, WSIS.hasTextTarget, add_text_target(g, a.claim, doc_iri, source, a.start, a.end, "claim")))
    return g
