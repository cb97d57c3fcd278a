"""Data is code: every curated file canonical, every passage claimed, every quote where it says it is."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph

from wsis_kg.build import BuildResult
from wsis_kg.namespaces import OA, RDF, RDFS, WSIS
from wsis_kg.project import Project
from wsis_kg.rdfio import canonical_turtle, parse_turtle

ROOT = Path(__file__).resolve().parents[1]
FILES = Project(ROOT).data_files()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_file_is_canonical(path: Path) -> None:
    expected = canonical_turtle(parse_turtle(path))
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.relative_to(ROOT)} is not in canonical form: run `wsis-kg fmt {path.relative_to(ROOT)}`"
    )


def test_every_passage_has_a_claim(built: BuildResult) -> None:
    for d in built.assembly.documents:
        grounded = {a.passage for a in d.anchors}
        passages = set(d.structure_graph.subjects(RDF.type, WSIS.Paragraph)) | set(
            d.structure_graph.subjects(RDF.type, WSIS.ListItem))
        missing = sorted(str(p) for p in passages - grounded)
        assert not missing, f"{d.doc_id}: passages without a claim: {missing}"


def test_quotes_cover_the_body_text(built: BuildResult) -> None:
    """At least 90 % of the characters of the passages lie inside some claim's quote."""
    for d in built.assembly.documents:
        covered = [False] * len(d.source.text)
        for a in d.anchors:
            covered[a.start:a.end] = [True] * (a.end - a.start)
        total = hit = 0
        for p in d.structure.passages():
            span = [i for i in range(p.start, p.end) if not d.source.text[i].isspace()]
            total += len(span)
            hit += sum(covered[i] for i in span)
        assert hit / total >= 0.9, f"{d.doc_id}: {hit / total:.1%} of passage text quoted"


def test_position_selectors_slice_the_source_file(release: Path) -> None:
    g = Graph().parse(release / "wsis-kg.ttl")
    texts: dict[str, str] = {}
    targets = [t for t in g.subjects(RDF.type, OA.SpecificResource) if g.value(None, WSIS.hasTextTarget, t)]
    assert len(targets) > 150
    for t in targets:
        doc = g.value(t, OA.hasSource)
        name = str(g.value(doc, WSIS.sourceFile))
        if name not in texts:
            texts[name] = (ROOT / "sources" / name).read_text(encoding="utf-8")
        source = texts[name]
        sels = list(g.objects(t, OA.hasSelector))
        exact = next(str(g.value(s, OA.exact)) for s in sels if g.value(s, OA.exact) is not None)
        pos = next(s for s in sels if g.value(s, OA.start) is not None)
        start, end = int(g.value(pos, OA.start)), int(g.value(pos, OA.end))
        assert source[start:end] == exact
        claim = g.value(None, WSIS.hasTextTarget, t)
        if claim is None:  # a mention's target: its span is all there is to check
            continue
        quote = str(g.value(claim, WSIS.quote))
        # page furniture and footnotes that cut the passage lie inside the span but not in the quote
        chars = list(exact)
        for passage in g.objects(claim, WSIS.groundedIn):
            for cut in g.objects(passage, WSIS.interruptedBy):
                cs, ce = int(g.value(cut, WSIS.startOffset)), int(g.value(cut, WSIS.endOffset))
                if start <= cs and ce <= end:
                    chars[cs - start:ce - start] = [" "] * (ce - cs)
        assert " ".join(quote.split()) == " ".join("".join(chars).split())


def test_claims_have_unique_labels_and_a_kind(built: BuildResult) -> None:
    kinds = {WSIS.Achievement, WSIS.Challenge, WSIS.Barrier, WSIS.Decision, WSIS.Priority, WSIS.Recommendation,
             WSIS.Position, WSIS.Observation, WSIS.Figure}
    for d in built.assembly.documents:
        g = d.claims_graph
        claims = set(g.subjects(WSIS.quote, None))
        labels = Counter(str(g.value(c, RDFS.label)) for c in claims)
        assert [lbl for lbl, n in labels.items() if n > 1] == []
        for c in claims:
            assert set(g.objects(c, RDF.type)) & kinds, c


@pytest.mark.parametrize("prop", ["skos:broader", "wsis:subgroupOf", "wsis:componentOf"])
def test_reference_hierarchies_are_at_most_three_levels_deep(built: BuildResult, prop: str) -> None:
    """cq09, cq14 and cq18 follow these hierarchies three levels down, spelled out so that they answer
    alike on Oxigraph and Virtuoso; a deeper hierarchy would make them miss items silently."""
    from wsis_kg.namespaces import SKOS

    p = {"skos:broader": SKOS.broader, "wsis:subgroupOf": WSIS.subgroupOf, "wsis:componentOf": WSIS.componentOf}[prop]
    g = built.assembly.reference

    def depth(node: object, seen: frozenset[object] = frozenset()) -> int:
        parents = [o for o in g.objects(node, p) if o not in seen]  # type: ignore[arg-type]
        return 0 if not parents else 1 + max(depth(o, seen | {node}) for o in parents)

    deepest = max((depth(s), str(s)) for s in set(g.subjects(p, None)))
    assert deepest[0] <= 3, f"{deepest[1]} is {deepest[0]} levels down {prop}; extend cq09, cq14 and cq18"
