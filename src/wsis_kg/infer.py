"""Entailments published beside the asserted data, for stores and clients without a reasoner.

A store without a reasoner answers `?c a wsis:Claim` with nothing, because curators assert only the most
specific kind (`wsis:Recommendation`). The release therefore carries, in named graphs of their own, what
the ontology entails from the asserted triples: class membership up the hierarchy, values of
super-properties (`wsis:mentions`), inverse properties the ontology declares, and transitive closures
(`wsis:subgroupOf`, `skos:broaderTransitive`).

They are computed by an OWL 2 RL engine, `reasonable` (Rust): on the bundled document it takes about a
third of a second where owlrl takes seven, and HermiT through owlready2 adds no assertion at all (it
keeps only the most specific types); `benchmarks/bench_infer.py` measures the three. OWL 2 RL rules are
sound for OWL 2 DL, and the build runs them after HermiT has found the data consistent (a build with
--no-reason says in its reasoner report that nothing checked this). What an RL engine
also derives but nobody queries is dropped: TBox triples, `owl:Thing`, reflexive `owl:sameAs`, and
literals that differ from asserted ones only in an explicit `xsd:string`.

The reference data is reasoned over once (`graph/reference/inferred`), each document with the ontology
and the reference data (`graph/document/{doc}/inferred`, less what the reference graph already holds),
so the cost grows with the number of documents, not with its square.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .assemble import BUILD_IRI, Assembly
from .errors import EnvironmentProblem
from .namespaces import (
    G_ONTOLOGY,
    G_REFERENCE,
    GRAPH,
    OWL,
    PROV,
    RDF,
    RDFS,
    XSD,
    claims_graph_iri,
    structure_graph_iri,
)
from .rdfio import bind_prefixes

G_REFERENCE_INFERRED = GRAPH["reference/inferred"]

_TBOX_TYPES = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
               RDF.Property, OWL.Ontology, OWL.TransitiveProperty, OWL.SymmetricProperty,
               OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.Restriction, OWL.AllDisjointClasses}


def inferred_graph_iri(doc_id: str) -> URIRef:
    return GRAPH[f"document/{doc_id}/inferred"]


@dataclass(frozen=True)
class Vocabulary:
    """What the ontology declares: the classes and properties an entailment may use."""

    classes: frozenset[Node]
    properties: frozenset[Node]
    terms: frozenset[Node]

    @classmethod
    def of(cls, ontology: Graph) -> Vocabulary:
        classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)} - {OWL.Thing}
        properties = {p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
                      for p in ontology.subjects(RDF.type, kind) if isinstance(p, URIRef)}
        terms = {s for t in _TBOX_TYPES for s in ontology.subjects(RDF.type, t)}
        return cls(frozenset(classes), frozenset(properties), frozenset(terms))


def _plain(o: Node) -> Node:
    """xsd:string literals compared as the simple literals they are in RDF 1.1."""
    if isinstance(o, Literal) and o.datatype == XSD.string:
        return Literal(str(o))
    return o


Triples = Graph | list[tuple[Node, Node, Node]]


def closure(graph: Triples) -> list[tuple[Node, Node, Node]]:
    """Every triple the OWL 2 RL rules derive from `graph` (asserted ones included)."""
    try:
        import reasonable
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise EnvironmentProblem("the OWL 2 RL engine `reasonable` is not installed: pip install reasonable") from exc
    engine = reasonable.PyReasoner()
    engine.from_graph(graph)
    return list(engine.reason())


def entailments(vocabulary: Vocabulary, graph: Triples, already: Graph | None = None) -> Graph:
    """The useful entailments of `graph` (ontology and data: a graph, or a list of triples, which spares
    copying graphs into one) that it and `already` do not hold."""
    known = {(s, p, _plain(o)) for s, p, o in graph}
    if already is not None:
        known |= {(s, p, _plain(o)) for s, p, o in already}
    out = Graph()
    for s, p, o in closure(graph):
        o = _plain(o)
        if (s, p, o) in known or s in vocabulary.terms or not isinstance(s, URIRef) or \
                not isinstance(o, URIRef | Literal):
            continue
        if p == RDF.type:
            keep = o in vocabulary.classes
        elif p == OWL.sameAs:
            keep = s != o
        else:
            keep = p in vocabulary.properties
        if keep:
            out.add((s, p, o))
    return out


def infer_assembly(assembly: Assembly) -> list[tuple[URIRef, Graph]]:
    """The entailment graphs of an assembly (reference, then each document), recorded in it and in its
    provenance graph."""
    vocabulary = Vocabulary.of(assembly.ontology)
    base = assembly.ontology + assembly.reference
    reference = entailments(vocabulary, base)
    graphs: list[tuple[URIRef, Graph, list[URIRef]]] = [(G_REFERENCE_INFERRED, reference, [G_REFERENCE])]
    for d in assembly.documents:
        doc = entailments(vocabulary, base + d.structure_graph + d.claims_graph, already=reference)
        graphs.append((inferred_graph_iri(d.doc_id), doc, document_sources(d.doc_id)))
    record_provenance(assembly.provenance, [(iri, sources) for iri, _, sources in graphs])
    assembly.inferred = [(iri, bind_prefixes(g)) for iri, g, _ in graphs]
    return assembly.inferred


def document_sources(doc_id: str) -> list[URIRef]:
    """The graphs a document's entailments are drawn from (with the ontology and the reference data)."""
    return [structure_graph_iri(doc_id), claims_graph_iri(doc_id)]


def record_provenance(prov: Graph, graphs: list[tuple[URIRef, list[URIRef]]]) -> None:
    """Say in the provenance graph what each entailment graph was derived from."""
    for iri, sources in graphs:
        prov.add((iri, RDF.type, PROV.Entity))
        prov.add((iri, RDFS.label, Literal(f"Entailments of {', '.join(s.rsplit('graph/', 1)[-1] for s in sources)} "
                                           "under the ontology (OWL 2 RL)", lang="en")))
        prov.add((iri, PROV.wasGeneratedBy, BUILD_IRI))
        for source in [G_ONTOLOGY, *sources]:
            prov.add((iri, PROV.wasDerivedFrom, source))


__all__ = ["G_REFERENCE_INFERRED", "Vocabulary", "closure", "document_sources", "entailments", "infer_assembly",
           "inferred_graph_iri", "record_provenance"]
