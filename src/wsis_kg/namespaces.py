"""The IRIs every stage agrees on: one persistent base, named graphs, prefixes."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from .prefixes import BASE, PREFIXES

WSIS = Namespace(PREFIXES["wsis"])
ONTOLOGY_IRI = URIRef(BASE + "ontology")
ID = Namespace(PREFIXES["id"])
GRAPH = Namespace(BASE + "graph/")
OA = Namespace(PREFIXES["oa"])
ORG = Namespace(PREFIXES["org"])
IBIS = Namespace(PREFIXES["ibis"])
VANN = Namespace(PREFIXES["vann"])
VOID = Namespace(PREFIXES["void"])
DCAT = Namespace(PREFIXES["dcat"])
SH = Namespace(PREFIXES["sh"])
SDG = Namespace(PREFIXES["sdg"])

G_ONTOLOGY = GRAPH["ontology"]
G_REFERENCE = GRAPH["reference"]
G_PROVENANCE = GRAPH["provenance"]


def document_iri(doc_id: str) -> URIRef:
    return ID[f"document/{doc_id}"]


def structure_graph_iri(doc_id: str) -> URIRef:
    return GRAPH[f"document/{doc_id}/structure"]


def claims_graph_iri(doc_id: str) -> URIRef:
    return GRAPH[f"document/{doc_id}/claims"]


def mentions_graph_iri(doc_id: str) -> URIRef:
    return GRAPH[f"document/{doc_id}/mentions"]


def uptake_graph_iri(source_id: str, target_id: str) -> URIRef:
    """The named graph of the curated uptake links from one document to a later one."""
    return GRAPH[f"uptake/{source_id}--{target_id}"]


__all__ = [
    "BASE", "DCAT", "DCTERMS", "FOAF", "GRAPH", "G_ONTOLOGY", "G_PROVENANCE", "G_REFERENCE", "IBIS", "ID",
    "OA", "ONTOLOGY_IRI", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SDG", "SH", "SKOS", "VANN",
    "VOID", "WSIS", "XSD", "claims_graph_iri", "document_iri", "mentions_graph_iri",
    "structure_graph_iri", "uptake_graph_iri",
]
