"""The ontology: OWL 2 DL that HermiT finds consistent, a second parser reads, and QC checks pass."""

from __future__ import annotations

from pathlib import Path

import pyhornedowl
import pyoxigraph as ox
import pytest
from rdflib import Graph

from wsis_kg.build import BuildResult
from wsis_kg.namespaces import ONTOLOGY_IRI, OWL, RDF, WSIS
from wsis_kg.query import read_query, run_local

ROOT = Path(__file__).resolve().parents[1]
QC = sorted((ROOT / "queries" / "qc").glob("*-violation.rq"))


def test_hermit_consistent_alone_with_reference_and_with_each_document(built: BuildResult) -> None:
    scopes = [r.scope for r in built.reasoning]
    assert scopes[0] == "ontology" and scopes[1] == "ontology + reference"
    assert len(scopes) == 2 + len(built.assembly.documents) + len(built.assembly.uptake)
    for r in built.reasoning:
        assert r.consistent, r.scope
        assert r.unsatisfiable == [], r.scope


def test_owlready2_loads_the_release_ontology(release: Path) -> None:
    from owlready2 import World

    world = World()
    onto = world.get_ontology((release / "ontology" / "wsis.owl").as_uri()).load()
    names = {c.name for c in onto.classes()}
    assert {"Claim", "Recommendation", "Position", "ActionLine", "ParagraphRange", "CuratorLink"} <= names
    world.close()


def test_py_horned_owl_reads_the_rdfxml_release(release: Path) -> None:
    onto = pyhornedowl.open_ontology_from_file(str(release / "ontology" / "wsis.owl"))
    declared = {str(c) for c in onto.get_classes()}
    g = Graph().parse(release / "ontology" / "wsis.ttl")
    expected = {str(c) for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(str(WSIS))}
    assert expected and expected <= declared


def test_ontology_header(release: Path) -> None:
    g = Graph().parse(release / "ontology" / "wsis.ttl")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert str(g.value(ONTOLOGY_IRI, OWL.versionIRI)).startswith(str(ONTOLOGY_IRI) + "/")
    catalog = (release / "ontology" / "catalog-v001.xml").read_text()
    assert 'uri="wsis.owl"' in catalog and str(ONTOLOGY_IRI) in catalog


@pytest.mark.parametrize("path", QC, ids=[p.stem for p in QC])
def test_qc_query_returns_no_rows(store: ox.Store, path: Path) -> None:
    _, rows = run_local(store, read_query(path).text)
    assert rows == [], f"{path.name}: {rows[:10]}"


def test_qc_queries_catch_what_they_are_for(tmp_path: Path) -> None:
    """Each QC query finds the fault it exists for, in a tiny dataset made to have it."""
    data = """
    @prefix wsis: <https://w3id.org/wsis-kg/ontology#> .
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <https://w3id.org/wsis-kg/graph/ontology> {
      <https://w3id.org/wsis-kg/ontology> a owl:Ontology .
      wsis:A a owl:Class ; rdfs:label "A"@en .
      wsis:B a owl:Class ; rdfs:label "A"@en .
    }
    <https://w3id.org/wsis-kg/graph/reference> { <https://example.org/x> a wsis:Undeclared ; wsis:typo 1 . }
    """
    store = ox.Store()
    store.load(data.encode(), ox.RdfFormat.TRIG)
    found = {p.stem: run_local(store, read_query(p).text)[1] for p in QC}
    assert found["missing-label-violation"]
    assert found["missing-definition-violation"]
    assert found["duplicate-label-violation"]
    kinds = {r["kind"] for r in found["undeclared-term-violation"]}
    assert kinds == {"class", "property"}
    assert {r["missing"] for r in found["ontology-metadata-violation"]} >= {"dcterms:title", "owl:versionIRI"}


def test_source_catalog_maps_the_ontology_and_its_version_to_local_files() -> None:
    import xml.etree.ElementTree as ET

    folder = ROOT / "ontology"
    ns = {"c": "urn:oasis:names:tc:entity:xmlns:xml:catalog"}
    entries = {u.get("name"): u.get("uri") for u in ET.parse(folder / "catalog-v001.xml").iterfind(".//c:uri", ns)}
    g = Graph().parse(folder / "wsis.ttl")
    assert entries[str(ONTOLOGY_IRI)] == "wsis.ttl"
    assert entries[str(g.value(ONTOLOGY_IRI, OWL.versionIRI))] == "wsis.ttl"
    for uri in entries.values():
        assert uri is not None and (folder / uri).exists()
