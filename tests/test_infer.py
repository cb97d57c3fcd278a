"""Published entailments: a store without a reasoner answers `?c a wsis:Claim` with every claim, locally,
through `wsis-kg serve`, on Oxigraph and on Virtuoso; the entailments stay in graphs of their own, hold
nothing asserted and none of an RL engine's noise, agree with a second OWL 2 RL engine, and are
described in VoID."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from test_publish import (  # noqa: F401 - the stores and their fixtures
    needs_virtuoso,
    oxigraph_published,
    oxigraph_url,
    virtuoso_published,
)
from wsis_kg.build import BuildResult
from wsis_kg.infer import G_REFERENCE_INFERRED, Vocabulary, entailments, inferred_graph_iri
from wsis_kg.namespaces import OWL, RDF, RDFS, WSIS, XSD
from wsis_kg.query import run_local
from wsis_kg.remote import run_remote
from wsis_kg.serve import Limits, make_server

COUNT_CLAIMS = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a wsis:Claim }"
DOC = "imsb-reflections-2025-07-25"


def claims_asserted(built: BuildResult) -> int:
    """Claims counted from the curated data: every subject with a quote (each claim has exactly one)."""
    return sum(len(set(d.claims_graph.subjects(WSIS.quote, None))) for d in built.assembly.documents)


def count(answer: tuple[list[str], list[dict[str, str | None]]]) -> int:
    return int(answer[1][0]["n"] or 0)


@pytest.fixture(scope="module")
def endpoint(release: Path) -> Iterator[str]:
    srv = make_server(release, port=0, limits=Limits(timeout=5, workers=1), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.base_url + "sparql"
    srv.shutdown()
    srv.server_close()
    thread.join(5)


# ---------------------------------------------------------------- ?c a wsis:Claim everywhere


def test_every_claim_is_a_claim_locally(built: BuildResult, store: ox.Store) -> None:
    n = claims_asserted(built)
    assert n > 100
    assert count(run_local(store, COUNT_CLAIMS)) == n
    # and not because curators typed them so: the asserted graphs name no wsis:Claim
    assert not any((None, RDF.type, WSIS.Claim) in d.claims_graph for d in built.assembly.documents)


def test_every_claim_is_a_claim_through_the_endpoint(built: BuildResult, endpoint: str) -> None:
    assert count(run_remote(endpoint, COUNT_CLAIMS, {}, 30)) == claims_asserted(built)


def test_every_claim_is_a_claim_on_oxigraph(built: BuildResult, oxigraph_published: str) -> None:  # noqa: F811
    assert count(run_remote(oxigraph_published + "/query", COUNT_CLAIMS, {}, 30)) == claims_asserted(built)


@needs_virtuoso
def test_every_claim_is_a_claim_on_virtuoso(built: BuildResult, virtuoso_published: str) -> None:  # noqa: F811
    assert count(run_remote(virtuoso_published, COUNT_CLAIMS, {}, 60)) == claims_asserted(built)


# ---------------------------------------------------------------- what the entailment graphs hold


def test_entailments_have_graphs_of_their_own_per_document(built: BuildResult) -> None:
    graphs = dict(built.assembly.named_graphs())
    assert set(graphs) >= {G_REFERENCE_INFERRED, inferred_graph_iri(DOC)}
    inferred = graphs[inferred_graph_iri(DOC)]
    asserted = built.assembly.ontology + built.assembly.reference
    for d in built.assembly.documents:
        asserted += d.structure_graph + d.claims_graph
    assert len(inferred) > 1000
    assert not set(inferred) & set(asserted), "an entailment graph repeats asserted triples"
    assert not set(inferred) & set(graphs[G_REFERENCE_INFERRED]), "a document repeats the reference entailments"


def test_no_noise_in_the_entailments(built: BuildResult) -> None:
    vocabulary = Vocabulary.of(built.assembly.ontology)
    for iri, g in built.assembly.inferred:
        for s, p, o in g:
            assert s not in vocabulary.terms, f"<{iri}> holds a TBox triple about {s}"
            assert o not in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual), f"<{iri}>: {s} a {o}"
            assert not (p == OWL.sameAs and s == o), f"<{iri}> holds a reflexive sameAs"
            assert not (isinstance(o, Literal) and o.datatype == XSD.string)


def test_what_the_ontology_entails_is_there(built: BuildResult) -> None:
    graphs = dict(built.assembly.named_graphs())
    inferred = graphs[inferred_graph_iri(DOC)] + graphs[G_REFERENCE_INFERRED]
    (doc,) = [d for d in built.assembly.documents if d.doc_id == DOC]
    claims = doc.claims_graph
    recommendation = next(iter(claims.subjects(RDF.type, WSIS.Recommendation)))
    assert (recommendation, RDF.type, WSIS.Claim) in inferred  # up the class hierarchy
    s, o = next((s, o) for s, o in claims.subject_objects(WSIS.mentionsBody))
    assert (s, WSIS.mentions, o) in inferred  # super-property
    reference = built.assembly.reference
    part, whole = next(iter(reference.subject_objects(URIRef("http://purl.org/dc/terms/isPartOf"))))
    assert (whole, URIRef("http://purl.org/dc/terms/hasPart"), part) in inferred  # declared inverse


def test_a_second_rl_engine_agrees_on_the_reference_data(built: BuildResult) -> None:
    """owlrl (pure Python, slower) derives the same useful entailments from the ontology and the reference
    data as the engine the build uses."""
    vocabulary = Vocabulary.of(built.assembly.ontology)
    base = built.assembly.ontology + built.assembly.reference
    ours = entailments(vocabulary, base)
    closed = Graph()
    for t in base:
        closed.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    theirs = {(s, p, o) for s, p, o in closed if (s, p, o) not in base and isinstance(s, URIRef)
              and s not in vocabulary.terms and isinstance(o, URIRef | Literal)
              and ((p == RDF.type and o in vocabulary.classes) or (p in vocabulary.properties))}
    assert set(ours) == theirs


def test_void_describes_the_entailment_graphs(release: Path) -> None:
    void = Graph().parse(release / "void.ttl", format="turtle")
    sd_name = URIRef("http://www.w3.org/ns/sparql-service-description#name")
    described = {}
    for sub, name in void.subject_objects(sd_name):
        described[str(name)] = sub
    for iri in (G_REFERENCE_INFERRED, inferred_graph_iri(DOC)):
        sub = described[str(iri)]
        description = str(void.value(sub, URIRef("http://purl.org/dc/terms/description")))
        assert "Entailed, not asserted" in description
        sources = set(void.objects(sub, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
        assert URIRef("https://w3id.org/wsis-kg/graph/ontology") in sources and len(sources) >= 2
