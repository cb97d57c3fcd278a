"""Anchoring quotes: unique positions, folded whitespace, clear errors naming the claim."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from wsis_kg.anchor import anchor_claims, nearest_text, selector_graph
from wsis_kg.errors import AnchorError
from wsis_kg.namespaces import OA, RDFS, WSIS
from wsis_kg.segment import segment

TEXT = """Title

1. First question?

Heading

Alpha beta gamma. Delta epsilon
zeta eta. Alpha beta again.

Second heading

Theta iota kappa.
"""
DOC = URIRef("https://example.org/doc")


def _claims(*quotes: str) -> Graph:
    g = Graph()
    for i, q in enumerate(quotes):
        c = URIRef(f"https://example.org/claim/{i}")
        g.add((c, WSIS.quote, Literal(q)))
        g.add((c, RDFS.label, Literal(f"claim {i}", lang="en")))
    return g


def test_exact_and_folded_quotes_anchor_to_exact_slices() -> None:
    claims = _claims("Delta epsilon zeta eta.", "Theta iota kappa.")
    anchors = anchor_claims(claims, DOC, TEXT, segment(TEXT))
    assert [TEXT[a.start:a.end] for a in anchors] == ["Delta epsilon\nzeta eta.", "Theta iota kappa."]
    assert str(anchors[0].passage).endswith("/q1/heading/p1")
    sel = selector_graph(anchors, DOC, TEXT)
    exacts = {str(o) for o in sel.objects(None, OA.exact)}
    assert exacts == {"Delta epsilon\nzeta eta.", "Theta iota kappa."}
    starts = sorted(int(o) for o in sel.objects(None, OA.start))
    assert starts == sorted(a.start for a in anchors)


def test_missing_quote_names_claim_and_nearest_text() -> None:
    claims = _claims("Delta epsilom zeta")
    with pytest.raises(AnchorError) as err:
        anchor_claims(claims, DOC, TEXT, segment(TEXT))
    msg = str(err.value)
    assert "https://example.org/claim/0" in msg and '"claim 0"' in msg
    assert "not found" in msg and "Delta epsilon zeta" in msg and "line 7" in msg


def test_ambiguous_quote_fails_unless_passage_given() -> None:
    claims = _claims("Alpha beta")
    with pytest.raises(AnchorError, match=r"occurs 2 times \(lines 7, 8\)"):
        anchor_claims(claims, DOC, TEXT, segment(TEXT))
    structure = segment(TEXT)
    passage = URIRef(f"{DOC}/q1/heading/p1")
    claims.add((URIRef("https://example.org/claim/0"), WSIS.groundedIn, passage))
    # both occurrences lie in the same passage: still ambiguous
    with pytest.raises(AnchorError, match="occurs 2 times"):
        anchor_claims(claims, DOC, TEXT, structure)
    claims2 = _claims("Alpha beta again")
    (a,) = anchor_claims(claims2, DOC, TEXT, structure)
    assert TEXT[a.start:a.end] == "Alpha beta again"


def test_quote_across_passages_is_refused() -> None:
    claims = _claims("Alpha beta again. Second heading")
    with pytest.raises(AnchorError, match="not inside one passage"):
        anchor_claims(claims, DOC, TEXT, segment(TEXT))


def test_nearest_text_finds_the_closest_window() -> None:
    assert "Theta iota kappa" in nearest_text(TEXT, "Theta iota kapa.")
