"""A second, tiny document of the same genre builds beside the bundled one: nothing is hard-coded."""

from __future__ import annotations

from pathlib import Path

from conftest import make_project
from wsis_kg.build import BuildResult, run_build
from wsis_kg.namespaces import RDF, WSIS, claims_graph_iri, structure_graph_iri

MINI = "civil-society-notes-2025-06-30"
BUNDLED = "imsb-reflections-2025-07-25"


def test_two_documents_build_into_their_own_graphs(tmp_path: Path, built: BuildResult) -> None:
    project = make_project(tmp_path / "p", bundled=True, mini=True)
    result = run_build(project, reason=True)
    docs = {d.doc_id: d for d in result.assembly.documents}
    assert {MINI, BUNDLED} <= set(docs)  # beside every bundled document
    graphs = {str(iri) for iri, _ in result.assembly.named_graphs()}
    for doc in (MINI, BUNDLED):
        assert str(structure_graph_iri(doc)) in graphs and str(claims_graph_iri(doc)) in graphs

    mini = docs[MINI]
    s = mini.structure
    assert [q.number for q in s.questions] == [1, 2]
    assert [len(q.sections) for q in s.questions] == [1, 1]
    assert len(s.passages()) == 6 and sum(p.kind == "list-item" for p in s.passages()) == 2
    joined = [mini.source.text[p.start:p.end] for p in s.passages() if "\n\n" in mini.source.text[p.start:p.end]]
    assert len(joined) == 1 and joined[0].endswith("taxes on devices and services.")
    assert len(mini.anchors) == len(set(mini.claims_graph.subjects(WSIS.quote, None))) == 8

    # the bundled document's graphs do not depend on the other document
    alone = {d.doc_id: d for d in built.assembly.documents}[BUNDLED]
    assert set(docs[BUNDLED].claims_graph) == set(alone.claims_graph)
    assert set(docs[BUNDLED].structure_graph) == set(alone.structure_graph)
    # and no claim of one lands in the other's graph
    assert not set(mini.claims_graph.subjects(RDF.type, None)) & set(alone.claims_graph.subjects(RDF.type, None))
    assert (result.release_dir / "wsis-kg.trig").exists()
