"""Each SHACL shape has a fixture that must fail it: a SPARQL Update in tests/fixtures/shapes/ named after
the shape, applied to the valid tiny document. The unmodified document must conform."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from conftest import FIXTURES, ROOT, make_project
from wsis_kg.assemble import Assembly, DocumentBuild, assemble
from wsis_kg.namespaces import PREFIXES, RDF, RDFS, SH
from wsis_kg.rdfio import parse_turtle
from wsis_kg.validate import (
    ValidationReport,
    Validator,
    Violation,
    findings,
    reference_validate,
    scope_parts,
    validate_assembly,
    validate_graph,
)

SHAPES_NS = "https://w3id.org/wsis-kg/shapes#"
MUTATIONS = sorted((FIXTURES / "shapes").glob("*.ru"))


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assembly, Graph]:
    project = make_project(tmp_path_factory.mktemp("shapes") / "p")
    return assemble(project), parse_turtle(project.shapes)


def _data(assembly: Assembly, doc: DocumentBuild | None = None) -> Graph:
    g = Graph()
    (doc,) = [doc] if doc is not None else assembly.documents
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


def _apply_as_a_curator_would(assembly: Assembly, mutation: Path, doc: DocumentBuild | None = None) -> None:
    """The mutation's effect on the union, carried back into the assembly's parts: removed triples leave
    the part that held them, added triples go to the document's claims (where a curator edits)."""
    union = _data(assembly, doc)
    before = set(union)
    union.update(mutation.read_text(), initNs=PREFIXES)
    after = set(union)
    (doc,) = [doc] if doc is not None else assembly.documents
    for part in (assembly.reference, doc.structure_graph, doc.claims_graph, doc.mentions_graph):
        for t in before - after:
            part.remove(t)
    for t in after - before:
        doc.claims_graph.add(t)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[p.stem for p in MUTATIONS])
def test_the_build_path_finds_what_the_whole_graph_shows(tmp_path: Path, mutation: Path) -> None:
    """validate_assembly (reference alone, then each document beside it) reports the same failed shapes
    and focus nodes as pySHACL on the union of the same data."""
    project = make_project(tmp_path / "p")
    assembly, shapes = assemble(project), parse_turtle(project.shapes)
    _apply_as_a_curator_would(assembly, mutation)
    _, union_results, _ = validate_graph("union", _data(assembly), shapes, assembly.ontology)
    report = validate_assembly(assembly, shapes)
    assert not report.conforms
    assert _failed_shapes(report.graph, shapes) == _failed_shapes(union_results, shapes)
    union_foci = {str(f) for f in union_results.objects(None, SH.focusNode)}
    assert {v.focus for v in report.violations} == union_foci


def test_a_fault_in_the_reference_data_is_reported_once(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", bundled=True)
    assembly, shapes = assemble(project), parse_turtle(project.shapes)
    assert len(assembly.documents) == len(list(project.sources.glob("*.ttl")))  # the bundled ones and the mini one
    some_body = next(s for s in assembly.reference.subjects() if "/id/body/" in str(s))
    for label in list(assembly.reference.objects(some_body, RDFS.label)):
        assembly.reference.remove((some_body, RDFS.label, label))
    report = validate_assembly(assembly, shapes)
    assert not report.conforms
    about = [v for v in report.violations if v.focus == str(some_body)]
    assert any(v.scope == "reference" and v.path == "rdfs:label" for v in about), [v.render() for v in about]
    # a document may add its own finding about the node (it points to something undescribed), but never
    # repeats one the reference scope made
    keys = [(v.focus, v.path, v.value, v.message) for v in about]
    assert len(keys) == len(set(keys)), [v.render() for v in about]
    assert len(set(report.graph.subjects(SH.focusNode, some_body))) == len(about)


def _scope(assembly: Assembly) -> list[Graph]:
    (doc,) = assembly.documents
    return [assembly.reference, doc.structure_graph, doc.claims_graph, doc.mentions_graph]


def _same(found: tuple[bool, Graph, list[Violation]], expected: tuple[bool, Graph, list[Violation]]) -> None:
    assert found[0] == expected[0]
    assert sorted(map(repr, found[2])) == sorted(map(repr, expected[2]))
    assert isomorphic(found[1], expected[1])


@pytest.mark.parametrize("mutation", [*MUTATIONS, None, "all"],
                         ids=[*(p.stem for p in MUTATIONS), "valid", "all-at-once"])
def test_every_path_gives_the_results_of_pyshacl_on_the_whole_scope(tmp_path: Path,
                                                                    mutation: Path | str | None) -> None:
    """The fast engine finds what pySHACL finds (so its silence can stand for pySHACL's), and every way the
    build validates a scope (Validator with the fast engine, with pySHACL alone, after pickling into another
    process, validate_graph) gives the Violations and report graph of pySHACL run on the whole scope with
    the ontology as ont_graph. TopicLinkShape is the sh:or on topic-link targets that focus nodes missed."""
    project = make_project(tmp_path / "p")
    assembly, shapes = assemble(project), parse_turtle(project.shapes)
    if isinstance(mutation, Path):
        _apply_as_a_curator_would(assembly, mutation)
    elif mutation == "all":
        for each in MUTATIONS:
            _apply_as_a_curator_would(assembly, each)
    parts = _scope(assembly)
    expected = reference_validate("mini", _data(assembly), shapes, assembly.ontology)
    assert expected[0] == (mutation is None)
    fast = Validator(shapes, assembly.ontology, assembly.reference)
    assert fast.fast
    assert fast.fast_findings(parts) == findings(expected[1])
    validators = [fast, Validator(shapes, assembly.ontology, assembly.reference, engine="pyshacl"),
                  pickle.loads(pickle.dumps(fast))]
    for validator in validators:
        _same(validator.validate("mini", parts), expected)
        _same(validator.validate("mini", _data(assembly)), expected)
    _same(validate_graph("mini", _data(assembly), shapes, assembly.ontology), expected)


def _expected_assembly_report(assembly: Assembly, shapes: Graph) -> ValidationReport:
    """validate_assembly's report made from pySHACL on each whole scope, with its rule for repeats."""
    report, seen = ValidationReport(), set()
    for scope, parts in scope_parts(assembly):
        data = Graph()
        for part in parts:
            for t in part:
                data.add(t)
        _, _, violations = reference_validate(scope, data, shapes, assembly.ontology)
        new = [v for v in violations if (v.focus, v.path, v.value, v.message, v.severity) not in seen]
        seen |= {(v.focus, v.path, v.value, v.message, v.severity) for v in new}
        report.conforms = report.conforms and not any(v.severity == "Violation" for v in new)
        report.violations += new
        report.scopes.append(scope)
    return report


def test_the_build_reports_what_pyshacl_reports_scope_by_scope(tmp_path: Path) -> None:
    """Bundled documents, their uptake and the mini document, with a fault in the reference data (reported
    once) and every fixture's fault in the mini document: validate_assembly's violations are those of
    pySHACL on each whole scope, and its report graph holds one result per violation."""
    project = make_project(tmp_path / "p", bundled=True)
    shutil.copytree(ROOT / "graph" / "uptake", project.root / "graph" / "uptake")
    assembly, shapes = assemble(project), parse_turtle(project.shapes)
    assert assembly.uptake
    mini = next(d for d in assembly.documents if d.doc_id.startswith("civil-society-notes"))
    for mutation in MUTATIONS:
        _apply_as_a_curator_would(assembly, mutation, mini)
    body = next(s for s in sorted(assembly.reference.subjects()) if "/id/body/" in str(s))
    assembly.reference.remove((body, RDFS.label, None))
    expected = _expected_assembly_report(assembly, shapes)
    report = validate_assembly(assembly, shapes)
    assert not report.conforms and report.scopes == expected.scopes
    assert sorted(map(repr, report.violations)) == sorted(map(repr, expected.violations))
    assert len(set(report.graph.subjects(RDF.type, SH.ValidationResult))) == len(report.violations)
    assert {str(f) for f in report.graph.objects(None, SH.focusNode)} == {v.focus for v in report.violations
                                                                          if v.focus != "(blank node)"}
