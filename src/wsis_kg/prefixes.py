"""The project's base IRI and prefixes as plain strings, with no RDF library behind them: the commands
that only run a query (`wsis-kg query`) start without loading rdflib. `namespaces` builds its rdflib
namespaces from these."""

from __future__ import annotations

BASE = "https://w3id.org/wsis-kg/"
ID = BASE + "id/"

# Prefixes bound on every graph we write, so that all outputs read alike.
PREFIXES: dict[str, str] = {
    "wsis": BASE + "ontology#",
    "id": BASE + "id/",
    "doc": ID + "document/",
    "al": ID + "action-line/",
    "sdg": "http://metadata.un.org/sdg/",
    "inst": ID + "instrument/",
    "gdco": ID + "instrument/global-digital-compact/objective/",
    "body": ID + "body/",
    "fmt": ID + "format/",
    "init": ID + "initiative/",
    "group": ID + "stakeholder-group/",
    "issue": ID + "issue/",
    "theme": ID + "theme/",
    "tech": ID + "technology/",
    "fund": ID + "funding-mechanism/",
    "barrier": ID + "barrier-kind/",
    "voice": ID + "voice/",
    "support": ID + "support-level/",
    "modality": ID + "modality/",
    "act": ID + "citation-act/",
    "cmp": ID + "comparator/",
    "unit": ID + "unit/",
    "scheme": ID + "scheme/",
    "genre": ID + "genre/",
    "mstatus": ID + "mention-status/",
    "shapes": BASE + "shapes#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "ibis": "https://vocab.methodandstructure.com/ibis#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

__all__ = ["BASE", "ID", "PREFIXES"]
