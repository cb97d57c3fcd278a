"""Random texts through the segmenter and the anchoring: any Unicode, control characters, every line
break Python knows, lone surrogates, huge lines, empty texts. Only the project's own errors may come out,
and what comes out must hold: spans inside the text, anchors that slice the source to the quote."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from wsis_kg.anchor import anchor_claims, nearest_text, selector_graph
from wsis_kg.errors import WsisKgError
from wsis_kg.namespaces import WSIS
from wsis_kg.segment import Structure, segment, structure_graph

DOC = URIRef("https://w3id.org/wsis-kg/id/document/fuzz")
CLAIM = URIRef("https://w3id.org/wsis-kg/id/claim/fuzz/c")

# what PDF-to-text tools and careless encoders write, besides ordinary text
ODD = ["\f", "\v", "\x00", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r", "\r\n", "\t", "\ud800",
       "\udfff", "\ufeff", "\u200b", "\u00a0", "\ufffe", "\uffff", "\U0010ffff", "- ", "1. ", "12. ", " "]
BREAKS = ["\n", "\n\n", "\r\n", "\r", "\f", "\n\f", "\v", "\x85", "\u2028", "\n \n"]

pieces = st.one_of(st.characters(), st.characters(min_codepoint=0, max_codepoint=0x7F), st.sampled_from(ODD))
words = st.lists(pieces, max_size=40).map("".join)
lines = st.one_of(
    words,
    st.builds(lambda n, w: f"{n}. {w}", st.integers(0, 10**6), words),
    st.builds(lambda w: f"- {w}", words),
    st.builds(lambda w: w.capitalize(), words),
)
texts = st.one_of(
    st.just(""),
    st.lists(pieces, max_size=300).map("".join),
    st.lists(st.tuples(lines, st.sampled_from(BREAKS)), max_size=30).map(lambda ps: "".join(a + b for a, b in ps)),
)
huge = st.builds(lambda w, n, sep: sep.join([w] * n), words.filter(bool), st.integers(1, 3000),
                 st.sampled_from(["", " ", "\n", "\f"]))

# FUZZ_EXAMPLES=5000 for a longer search than the one every test run makes
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def check_structure(text: str, structure: Structure) -> None:
    spans = [(p.start, p.end) for p in structure.passages()]
    spans += [(f.start, f.end) for f in structure.front_matter]
    for q in structure.questions:
        spans.append((q.span.start, q.span.end))
        spans += [(s.heading.start, s.heading.end) for s in q.sections]
    for start, end in spans:
        assert 0 <= start <= end <= len(text)
    for p in structure.passages():
        assert p.order >= 1


@FUZZ
@given(st.one_of(texts, huge))
@example("")
@example("\f")
@example("1. Q\n\n\x00\n\n- ")
@example("1. What?\n\nHeading\n\nText.\f\fMore text.\n")
def test_segment_takes_any_text(text: str) -> None:
    try:
        structure = segment(text)
    except WsisKgError:
        return
    check_structure(text, structure)
    g = structure_graph(str(DOC), "Fuzz", text, structure)
    for o in g.objects(None, WSIS.text):
        assert isinstance(o, Literal) and str(o) in text


@st.composite
def text_and_quote(draw: st.DrawFn) -> tuple[str, str]:
    text = draw(st.one_of(texts, huge))
    if text and draw(st.booleans()):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start, min(len(text), start + 200)))
        quote = text[start:end]
    else:
        quote = draw(words)
    return text, quote


@FUZZ
@given(text_and_quote(), st.booleans())
@example(("", ""), False)
@example(("a\fb", "a b"), False)
@example(("x\x00y x\x00y", "x\x00y"), False)
@example(("1. Q\n\nSome text here.\n", "text"), True)
def test_anchoring_takes_any_text_and_quote(case: tuple[str, str], grounded: bool) -> None:
    text, quote = case
    structure = segment(text)
    claims = Graph()
    claims.add((CLAIM, WSIS.quote, Literal(quote)))
    if grounded and structure.passages():
        claims.add((CLAIM, WSIS.groundedIn, URIRef(f"{DOC}/preamble/p1")))
    try:
        anchors = anchor_claims(claims, DOC, text, structure)
    except WsisKgError:
        return
    assert len(anchors) == 1
    a = anchors[0]
    assert 0 <= a.start < a.end <= len(text)
    # the exact slice is the quote, up to how whitespace was folded
    assert text[a.start:a.end].split() == quote.split()
    assert re.sub(r"\s+", " ", text[a.start:a.end]) == re.sub(r"\s+", " ", quote.strip())
    selector_graph(anchors, DOC, text)


@FUZZ
@given(st.one_of(texts, huge), words)
def test_nearest_text_takes_any_text(text: str, quote: str) -> None:
    found = nearest_text(text, quote)
    assert isinstance(found, str)


@FUZZ
@given(st.one_of(texts, huge))
@example("1. Q\n\nA text\x00 with\ud800 NUL and\f a surrogate.\n")
def test_any_source_text_reaches_the_release_unchanged(text: str) -> None:
    """Whatever bytes a source file holds (UTF-8, lone surrogates included), its passages reach N-Quads
    and come back exactly as the text the build reads, offsets included."""
    from pathlib import Path

    from wsis_kg.release import difference, graph_quads, parse_back, serialize
    from wsis_kg.sources import decode_text

    read = decode_text(text.encode("utf-8", errors="surrogatepass"), Path("fuzz.txt"))
    assert len(read) == len(text)
    assert not re.search("[\ud800-\udfff]", read)
    g = structure_graph(str(DOC), "Fuzz", read, segment(read))
    quads = graph_quads([(URIRef("https://w3id.org/wsis-kg/graph/fuzz"), g)])
    for name in ("wsis-kg.nq", "wsis-kg.trig", "wsis-kg.jsonld"):
        assert difference(quads, parse_back(serialize(quads, name), Path(name).suffix)) == "", name
