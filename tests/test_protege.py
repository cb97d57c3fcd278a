"""The Protégé bundle in the release (dist/ontology/): RDF/XML and Turtle of the ontology and an XML
catalog with relative paths, loaded by owlready2 and py-horned-owl from the release folder with the
network cut off, so that nothing is fetched from the ontology's IRIs."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyhornedowl
import pytest
from rdflib import Graph

from wsis_kg.namespaces import ONTOLOGY_IRI, OWL, RDF, RDFS, WSIS

CATALOG_NS = {"c": "urn:oasis:names:tc:entity:xmlns:xml:catalog"}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Any attempt to open a network connection fails the test (and is recorded)."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access during an offline load")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield attempts
    assert attempts == []


@pytest.fixture(scope="module")
def ontology_ttl(release: Path) -> Graph:
    return Graph().parse(release / "ontology" / "wsis.ttl", format="turtle")


def wsis_classes(g: Graph) -> set[str]:
    return {str(c) for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(str(WSIS))}


def test_owlready2_loads_the_bundle_offline(release: Path, ontology_ttl: Graph, offline: list[object]) -> None:
    from owlready2 import World

    world = World()
    try:
        onto = world.get_ontology((release / "ontology" / "wsis.owl").as_uri()).load()
        assert onto.base_iri.rstrip("#/") == str(ONTOLOGY_IRI)
        loaded = {c.iri for c in onto.classes()}
        assert wsis_classes(ontology_ttl) <= loaded
        claim = world.search_one(iri=str(WSIS.Claim))
        assert claim is not None and "claim" in [str(x) for x in claim.label]
        assert world.search_one(iri=str(WSIS.Recommendation)) in claim.subclasses()
        assert onto.imported_ontologies == []
    finally:
        world.close()


def test_py_horned_owl_loads_the_bundle_offline(release: Path, ontology_ttl: Graph, offline: list[object]) -> None:
    onto = pyhornedowl.open_ontology_from_file(str(release / "ontology" / "wsis.owl"), "rdf")
    assert str(onto.get_iri()) == str(ONTOLOGY_IRI)
    assert str(onto.get_version_iri()) == str(ontology_ttl.value(ONTOLOGY_IRI, OWL.versionIRI))
    assert wsis_classes(ontology_ttl) <= {str(c) for c in onto.get_classes()}
    assert onto.get_annotation(str(WSIS.Claim), str(RDFS.label)) == "claim"
    assert str(WSIS.Recommendation) in {str(c) for c in onto.get_subclasses(str(WSIS.Claim))}


def test_catalog_maps_every_ontology_iri_to_a_file_of_the_bundle(release: Path, ontology_ttl: Graph) -> None:
    folder = release / "ontology"
    catalog = ET.parse(folder / "catalog-v001.xml").getroot()
    entries = {e.get("name"): e.get("uri") for e in catalog.iterfind(".//c:uri", CATALOG_NS)}
    version = str(ontology_ttl.value(ONTOLOGY_IRI, OWL.versionIRI))
    assert {str(ONTOLOGY_IRI), version} <= set(entries)
    for name, uri in entries.items():
        assert uri and not uri.startswith(("/", "http:", "https:", "file:")), f"{name}: {uri} is not relative"
        assert (folder / uri).is_file(), f"{name} -> {uri} is not in the bundle"
    for imported in ontology_ttl.objects(ONTOLOGY_IRI, OWL.imports):
        assert str(imported) in entries, f"owl:imports <{imported}> has no catalog entry"


def test_the_bundle_has_the_ontology_header_protege_shows(ontology_ttl: Graph) -> None:
    from rdflib.namespace import DCTERMS

    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator, OWL.versionInfo,
              OWL.versionIRI):
        assert ontology_ttl.value(ONTOLOGY_IRI, p) is not None, p
