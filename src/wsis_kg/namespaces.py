"""The IRIs every stage agrees on: one persistent base, named graphs, prefixes."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/wsis-kg/"
WSIS = Namespace(BASE + "ontology#")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
IBIS = Namespace("https://vocab.methodandstructure.com/ibis#")
VANN = Namespace("http://purl.org/vocab/vann/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SDG = Namespace("http://metadata.un.org/sdg/")

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


# Prefixes bound on every graph we write, so that all outputs read alike.
PREFIXES: dict[str, str] = {
    "wsis": str(WSIS),
    "id": str(ID),
    "doc": str(ID) + "document/",
    "al": str(ID) + "action-line/",
    "sdg": str(SDG),
    "inst": str(ID) + "instrument/",
    "gdco": str(ID) + "instrument/global-digital-compact/objective/",
    "body": str(ID) + "body/",
    "fmt": str(ID) + "format/",
    "init": str(ID) + "initiative/",
    "group": str(ID) + "stakeholder-group/",
    "issue": str(ID) + "issue/",
    "theme": str(ID) + "theme/",
    "tech": str(ID) + "technology/",
    "fund": str(ID) + "funding-mechanism/",
    "barrier": str(ID) + "barrier-kind/",
    "voice": str(ID) + "voice/",
    "support": str(ID) + "support-level/",
    "modality": str(ID) + "modality/",
    "act": str(ID) + "citation-act/",
    "cmp": str(ID) + "comparator/",
    "unit": str(ID) + "unit/",
    "scheme": str(ID) + "scheme/",
    "genre": str(ID) + "genre/",
    "mstatus": str(ID) + "mention-status/",
    "shapes": BASE + "shapes#",
    "oa": str(OA),
    "org": str(ORG),
    "ibis": str(IBIS),
    "vann": str(VANN),
    "void": str(VOID),
    "dcat": str(DCAT),
    "sh": str(SH),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}

__all__ = [
    "BASE", "DCAT", "DCTERMS", "FOAF", "GRAPH", "G_ONTOLOGY", "G_PROVENANCE", "G_REFERENCE", "IBIS", "ID",
    "OA", "ONTOLOGY_IRI", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SDG", "SH", "SKOS", "VANN",
    "VOID", "WSIS", "XSD", "claims_graph_iri", "document_iri", "mentions_graph_iri",
    "structure_graph_iri", "uptake_graph_iri",
]
