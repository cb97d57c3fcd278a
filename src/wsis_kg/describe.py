"""VoID and DCAT description of a release (dist/void.ttl): what is in it, where to get it, how to query it.

Computed from the quads themselves and the files on disk, so the counts, sizes and checksums cannot drift
from the release they describe. Download and endpoint URLs sit under one base URL: by default where
`wsis-kg serve` listens (http://127.0.0.1:8000/), else the address the release is published at
(`wsis-kg build --base-url`); the server describes itself with its own address.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef

from . import __version__
from .assemble import DATASET_IRI
from .errors import InputError
from .namespaces import (
    BASE,
    DCAT,
    DCTERMS,
    FOAF,
    GRAPH,
    ID,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SDG,
    VOID,
    WSIS,
    XSD,
)
from .rdfio import bind_prefixes

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
SDG_DATASET = URIRef(str(SDG))
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
DEFAULT_PUBLISHER = "WSIS knowledge graph project"


@dataclass(frozen=True)
class Publication:
    """Where and by whom a release is published: the base URL of its downloads and endpoint, the DCAT
    publisher and the contact point (an e-mail address or a URL; the base URL when none is given)."""

    base_url: str = DEFAULT_BASE_URL
    publisher: str = DEFAULT_PUBLISHER
    contact: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise InputError(f"base URL {self.base_url!r}: give an absolute http(s) URL without query or fragment, "
                             "e.g. https://example.org/wsis-kg/")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/") + "/")
        if self.contact is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+|https?://\S+", self.contact):
            raise InputError(f"contact {self.contact!r}: give an e-mail address or an http(s) URL")

    def contact_iri(self) -> URIRef:
        contact = self.contact or self.base_url
        return URIRef(("mailto:" + contact) if "@" in contact and "://" not in contact else contact)

# file -> (media type, W3C format IRI or None, title)
DUMP_FILES: dict[str, tuple[str, URIRef | None, str]] = {
    "wsis-kg.nq": ("application/n-quads", FORMATS["N-Quads"], "N-Quads, all named graphs"),
    "wsis-kg.trig": ("application/trig", FORMATS["TriG"], "TriG, all named graphs"),
    "wsis-kg.jsonld": ("application/ld+json", FORMATS["JSON-LD"], "JSON-LD (compacted), all named graphs"),
    "wsis-kg.ttl": ("text/turtle", FORMATS["Turtle"], "Turtle, union of the named graphs"),
    "wsis-kg.nt": ("application/n-triples", FORMATS["N-Triples"], "N-Triples, union of the named graphs"),
    "wsis-kg.canonical.nq": ("application/n-quads", FORMATS["N-Quads"],
                             "N-Quads canonicalised with RDFC-1.0 (for checksums and diffs)"),
    "context.jsonld": ("application/ld+json", None, "JSON-LD context of the ontology's terms"),
    "ontology/wsis.owl": ("application/rdf+xml", FORMATS["RDF_XML"], "The ontology in RDF/XML (for Protégé)"),
    "ontology/wsis.ttl": ("text/turtle", FORMATS["Turtle"], "The ontology in Turtle"),
    "ontology/shapes.ttl": ("text/turtle", FORMATS["Turtle"], "SHACL shapes"),
    "ontology/catalog-v001.xml": ("application/xml", None, "XML catalog for Protégé (offline imports)"),
}


def _slug(iri: str) -> str:
    """A readable, stable IRI segment for a class or property: prefix-local, else a digest."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_\-]+", iri[len(ns):]):
            return f"{prefix}-{iri[len(ns):]}"
    return "iri-" + hashlib.sha1(iri.encode()).hexdigest()[:12]


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _stats(node: URIRef, g: Graph, triples: set[tuple[Any, Any, Any]]) -> None:
    g.add((node, VOID.triples, _int(len(triples))))
    g.add((node, VOID.distinctSubjects, _int(len({s for s, _, _ in triples}))))
    g.add((node, VOID.properties, _int(len({p for _, p, _ in triples}))))
    g.add((node, VOID.distinctObjects, _int(len({o for _, _, o in triples}))))


def _describe_entailments(g: Graph, sub: URIRef, graph_iri: str) -> None:
    """An entailment graph says what it holds and what it was derived from, so that nobody mistakes it
    for curated data (and a store with its own reasoner can leave it out)."""
    asserted = graph_iri[: -len("/inferred")]
    sources = [URIRef(asserted)] if not asserted.startswith(str(GRAPH) + "document/") else [
        URIRef(asserted + "/structure"), URIRef(asserted + "/claims")]
    g.add((sub, DCTERMS.description, Literal(
        "Entailed, not asserted: what the ontology's OWL 2 RL rules derive from the asserted graphs (class "
        "membership up the hierarchy, super-property values, inverse properties, transitive closures of "
        "wsis:subgroupOf and skos:broaderTransitive), for stores without a reasoner. Computed at build time "
        "by the `reasonable` engine after HermiT's consistency check (see reports/reasoner.txt).", lang="en")))
    for source in [URIRef(str(GRAPH) + "ontology"), *sources]:
        g.add((sub, PROV.wasDerivedFrom, source))


def void_graph(folder: Path, quads: Iterable[ox.Quad], base_url: str = DEFAULT_BASE_URL) -> Graph:
    """VoID + DCAT for the release in `folder` (whose dump files are sized and hashed)."""
    base_url = base_url.rstrip("/") + "/"
    quads = list(quads)
    g = Graph()
    bind_prefixes(g)
    g.bind("sd", SD)
    g.bind("spdx", SPDX)
    g.bind("formats", FORMATS)
    ds = DATASET_IRI
    union = {(q.subject, q.predicate, q.object) for q in quads}
    by_graph: dict[str, set[tuple[Any, Any, Any]]] = defaultdict(set)
    for q in quads:
        by_graph[str(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else ""].add(
            (q.subject, q.predicate, q.object))

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("WSIS knowledge graph", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Documents of the WSIS+20 review as linked data: an OWL ontology, reference data (WSIS Action Lines, "
        "SDGs, instruments, bodies, stakeholder groups) and the documents' claims, each grounded in an exact "
        "quote of its source.", lang="en")))
    g.add((ds, DCTERMS.license, CC_BY_4))
    g.add((ds, DCTERMS.rights, Literal("Data: CC BY 4.0. Code: MIT.", lang="en")))
    g.add((ds, DCAT.version, Literal(__version__)))
    g.add((ds, OWL.versionInfo, Literal(__version__)))
    g.add((ds, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/en")))
    for kw in ("WSIS", "WSIS+20", "Internet governance", "digital development", "SDG", "knowledge graph"):
        g.add((ds, DCAT.keyword, Literal(kw, lang="en")))
    # the base URL itself is the landing page: `serve` redirects it to its pages, and a static copy of
    # dist/site/ published there answers it with index.html
    g.add((ds, FOAF.homepage, URIRef(base_url)))
    g.add((ds, DCAT.landingPage, URIRef(base_url)))
    g.add((ds, VOID.uriSpace, Literal(str(ID))))
    g.add((ds, VOID.uriLookupEndpoint, URIRef(base_url + "id/")))
    g.add((ds, VOID.rootResource, URIRef(BASE + "ontology")))
    source_doc = ox.NamedNode(str(WSIS.SourceDocument))
    for doc in sorted({s.value for s, p, o in union if p.value == str(RDF.type) and o == source_doc
                       and isinstance(s, ox.NamedNode)}):
        g.add((ds, VOID.exampleResource, URIRef(doc)))
        g.add((ds, DCTERMS.source, URIRef(doc)))
    _stats(ds, g, union)
    g.add((ds, VOID.entities, _int(len({s for s, _, _ in union
                                         if isinstance(s, ox.NamedNode) and s.value.startswith(str(ID))}))))

    # vocabularies: namespaces of the properties and classes in use
    used = {p.value for _, p, _ in union} | {o.value for _, p, o in union if p.value == str(RDF.type)
                                             and isinstance(o, ox.NamedNode)}
    for _prefix, ns in sorted(PREFIXES.items()):
        if any(u.startswith(ns) for u in used) and not ns.startswith(str(ID)):
            g.add((ds, VOID.vocabulary, URIRef(ns)))

    # SPARQL endpoint, as VoID and as a DCAT data service
    endpoint = URIRef(base_url + "sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    service = ID["dataset/wsis-kg/service/sparql"]
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.title, Literal("SPARQL endpoint of `wsis-kg serve`", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, RDFS.comment, Literal(
        f"Started locally with `wsis-kg serve` (default {base_url}); read-only; the default graph is the "
        "union of the named graphs.", lang="en")))
    g.add((ds, DCAT.accessService, service))

    # dumps
    for name, (media, fmt, title) in DUMP_FILES.items():
        path = folder / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        url = URIRef(base_url + "dist/" + name)
        dist = ID[f"dataset/wsis-kg/distribution/{name.replace('/', '-')}"]
        if name.startswith("wsis-kg."):
            g.add((ds, VOID.dataDump, url))
        if fmt is not None and name.startswith("wsis-kg.") and name != "wsis-kg.canonical.nq":
            g.add((ds, VOID.feature, fmt))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        g.add((dist, DCTERMS.format, Literal(media)))
        if fmt is not None:
            g.add((dist, DCTERMS.conformsTo, fmt))
        g.add((dist, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, CC_BY_4))
        checksum = URIRef(f"{dist}/checksum")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary)))

    # one subset per named graph
    for graph_iri in sorted(k for k in by_graph if k):
        sub = ID[f"dataset/wsis-kg/graph/{graph_iri[len(str(GRAPH)):]}" if graph_iri.startswith(str(GRAPH))
                 else f"dataset/wsis-kg/graph-{_slug(graph_iri)}"]
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, SD.name, URIRef(graph_iri)))
        g.add((sub, DCTERMS.title, Literal(f"Named graph <{graph_iri}>", lang="en")))
        if graph_iri.endswith("/inferred"):
            _describe_entailments(g, sub, graph_iri)
        _stats(sub, g, by_graph[graph_iri])

    # class and property partitions of the whole dataset
    members: dict[str, set[object]] = defaultdict(set)
    for s, p, o in union:
        if p.value == str(RDF.type) and isinstance(o, ox.NamedNode):
            members[o.value].add(s)
    g.add((ds, VOID.classes, _int(len(members))))
    for cls in sorted(members):
        part = ID[f"dataset/wsis-kg/class/{_slug(cls)}"]
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, _int(len(members[cls]))))
    per_property = Counter(p.value for _, p, _ in union)
    for prop in sorted(per_property):
        part = ID[f"dataset/wsis-kg/property/{_slug(prop)}"]
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, _int(per_property[prop])))

    # link sets to the UN's SDG IRIs, one per linking predicate
    g.add((SDG_DATASET, RDF.type, VOID.Dataset))
    g.add((SDG_DATASET, DCTERMS.title, Literal("UN Sustainable Development Goals (metadata.un.org)", lang="en")))
    g.add((SDG_DATASET, VOID.uriSpace, Literal(str(SDG))))
    links = Counter(p.value for s, p, o in union if isinstance(o, ox.NamedNode) and o.value.startswith(str(SDG))
                    and not (isinstance(s, ox.NamedNode) and s.value.startswith(str(SDG))))
    for prop in sorted(links):
        ls = ID[f"dataset/wsis-kg/linkset/sdg/{_slug(prop)}"]
        g.add((ds, VOID.subset, ls))
        g.add((ls, RDF.type, VOID.Linkset))
        g.add((ls, VOID.subjectsTarget, ds))
        g.add((ls, VOID.objectsTarget, SDG_DATASET))
        g.add((ls, VOID.linkPredicate, URIRef(prop)))
        g.add((ls, VOID.triples, _int(links[prop])))
    return g


def describe_publication(g: Graph, publication: Publication) -> None:
    """The DCAT publisher and contact point of the dataset."""
    ds = DATASET_IRI
    publisher = ID["dataset/wsis-kg/publisher"]
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(publication.publisher, lang="en")))
    contact = ID["dataset/wsis-kg/contact-point"]
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(publication.publisher, lang="en")))
    contact_iri = publication.contact_iri()
    g.add((contact, VCARD.hasEmail if str(contact_iri).startswith("mailto:") else VCARD.hasURL, contact_iri))


def void_turtle(folder: Path, quads: Iterable[ox.Quad], base_url: str | None = None,
                publication: Publication | None = None) -> str:
    """void.ttl's text; `base_url`, when given, overrides the publication's (the server describes itself
    with its own address)."""
    publication = publication or Publication()
    g = void_graph(folder, quads, base_url or publication.base_url)
    g.bind("vcard", VCARD)
    describe_publication(g, publication)
    text = g.serialize(format="longturtle")
    return text if text.endswith("\n") else text + "\n"


def write_void(folder: Path, quads: Iterable[ox.Quad], base_url: str | None = None,
               publication: Publication | None = None) -> Path:
    path = folder / "void.ttl"
    path.write_text(void_turtle(folder, quads, base_url, publication), encoding="utf-8")
    return path


__all__ = ["DEFAULT_BASE_URL", "DEFAULT_PUBLISHER", "DUMP_FILES", "SD", "SPDX", "VCARD", "Publication",
           "describe_publication", "void_graph", "void_turtle", "write_void"]
