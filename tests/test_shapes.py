"""Each SHACL shape has a fixture that must fail it: a SPARQL Update in tests/fixtures/shapes/ named after
the shape, applied to the valid tiny document. The unmodified document must conform."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from conftest import FIXTURES, make_project
from wsis_kg.assemble import Assembly, assemble
from wsis_kg.namespaces import PREFIXES, SH
from wsis_kg.rdfio import parse_turtle
from wsis_kg.validate import validate_graph

SHAPES_NS = "https://w3id.org/wsis-kg/shapes#"
MUTATIONS = sorted((FIXTURES / "shapes").glob("*.ru"))


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assembly, Graph]:
    project = make_project(tmp_path_factory.mktemp("shapes") / "p")
    return assemble(project), parse_turtle(project.shapes)


def _data(assembly: Assembly) -> Graph:
    g = Graph()
    (doc,) = assembly.documents
    for part in (assembly.reference, doc.structure_graph, doc.claims_graph, doc.mentions_graph):
        for t in part:
            g.add(t)
    return g


def _failed_shapes(results: Graph, shapes: Graph) -> set[str]:
    """Names of the node shapes that failed: a property shape counts for the node shape holding it."""
    names = set()
    for src in results.objects(None, SH.sourceShape):
        owner = shapes.value(None, SH.property, src) if not isinstance(src, URIRef) else src
        if isinstance(owner, URIRef) and str(owner).startswith(SHAPES_NS):
            names.add(str(owner)[len(SHAPES_NS):])
    return names


def test_valid_document_conforms(mini: tuple[Assembly, Graph]) -> None:
    assembly, shapes = mini
    conforms, _, violations = validate_graph("mini", _data(assembly), shapes, assembly.ontology)
    assert conforms, [v.render() for v in violations]


def test_every_shape_has_a_failing_fixture() -> None:
    shapes = Graph().parse(Path(__file__).resolve().parents[1] / "ontology" / "shapes.ttl")
    declared = {str(s)[len(SHAPES_NS):] for s in shapes.subjects(None, SH.NodeShape)
                if str(s).startswith(SHAPES_NS)}
    # OwnVoiceShape and ReportedViewShape are the branches of ClaimShape's sh:xone, tested through it
    covered = {p.stem.split("-")[0] for p in MUTATIONS} | {"OwnVoiceShape", "ReportedViewShape"}
    assert declared - covered == set()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[p.stem for p in MUTATIONS])
def test_fixture_fails_its_shape(mini: tuple[Assembly, Graph], mutation: Path) -> None:
    assembly, shapes = mini
    data = _data(assembly)
    before = set(data)
    data.update(mutation.read_text(), initNs=PREFIXES)
    assert set(data) != before, f"{mutation.name} changed nothing: the fixture no longer matches the data"
    conforms, results, violations = validate_graph("mini", data, shapes, assembly.ontology)
    assert not conforms
    expected = mutation.stem.split("-")[0]
    assert expected in _failed_shapes(results, shapes), [v.render() for v in violations]
    assert all(v.message for v in violations)
