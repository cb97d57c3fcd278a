"""Assemble the dataset: ontology, reference data, and for each document its structure, its claims and
the entity mentions proposed for it (a named graph of their own: a machine's proposals are no claims).

Each document is read, segmented and anchored on its own, so the cost of adding a document does not
grow with the number already there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from . import __version__, rdfio
from .anchor import Anchor, anchor_claims, selector_graph
from .errors import InputError
from .ingest.genres import structure_of
from .ingest.link import check_mentions
from .namespaces import (
    G_ONTOLOGY,
    G_PROVENANCE,
    G_REFERENCE,
    ID,
    PROV,
    RDF,
    RDFS,
    WSIS,
    claims_graph_iri,
    mentions_graph_iri,
    structure_graph_iri,
    uptake_graph_iri,
)
from .project import Project
from .rdfio import bind_prefixes, parse_turtle, parse_turtle_files
from .segment import DocumentStructure
from .sources import Source, load_sources

DATASET_IRI = ID["dataset/wsis-kg"]
SOFTWARE_IRI = ID["software/wsis-kg"]
BUILD_IRI = ID["activity/build"]


@dataclass
class DocumentBuild:
    source: Source
    structure: DocumentStructure
    structure_graph: Graph
    claims_graph: Graph
    anchors: list[Anchor]
    mentions_graph: Graph = field(default_factory=Graph)  # proposed and reviewed entity mentions

    @property
    def doc_id(self) -> str:
        return self.source.doc_id


@dataclass
class Uptake:
    """Curated uptake links from one document to a later one (graph/uptake/{source}--{target}.ttl)."""

    source_id: str
    target_id: str
    graph: Graph
    path: Path | None = None  # the curated file, when read from one

    @property
    def graph_iri(self) -> URIRef:
        return uptake_graph_iri(self.source_id, self.target_id)


def load_uptake(project: Project, doc_ids: set[str]) -> list[Uptake]:
    out = []
    for path in project.uptake_files():
        source_id, sep, target_id = path.stem.partition("--")
        if not sep or not {source_id, target_id} <= doc_ids:
            raise InputError(f"{path}: name it SOURCE--TARGET.ttl after two documents of the project "
                             f"(documents: {', '.join(sorted(doc_ids))})")
        out.append(Uptake(source_id, target_id, bind_prefixes(parse_turtle(path)), path))
    return out


@dataclass
class Assembly:
    ontology: Graph
    reference: Graph
    documents: list[DocumentBuild]
    provenance: Graph
    uptake: list[Uptake] = field(default_factory=list)
    inferred: list[tuple[URIRef, Graph]] = field(default_factory=list)  # entailment graphs (infer.py)

    def named_graphs(self) -> list[tuple[URIRef, Graph]]:
        out = [(G_ONTOLOGY, self.ontology), (G_REFERENCE, self.reference)]
        for d in self.documents:
            out.append((structure_graph_iri(d.doc_id), d.structure_graph))
            out.append((claims_graph_iri(d.doc_id), d.claims_graph))
            if len(d.mentions_graph):
                out.append((mentions_graph_iri(d.doc_id), d.mentions_graph))
        out += [(u.graph_iri, u.graph) for u in self.uptake]
        out.extend(self.inferred)
        out.append((G_PROVENANCE, self.provenance))
        return out

    def dataset(self) -> Dataset:
        ds = Dataset()
        bind_prefixes(ds)
        for iri, g in self.named_graphs():
            target = ds.graph(iri)
            for t in g:
                target.add(t)
        return ds


def load_ontology(project: Project) -> Graph:
    return bind_prefixes(parse_turtle(project.ontology))


def load_reference(project: Project, progress: rdfio.Progress = rdfio.quiet) -> Graph:
    files = project.reference_files()
    if not files:
        raise InputError(f"{project.reference_dir}: no reference data (*.ttl) found")
    return parse_turtle_files(files, progress=progress)


def label_link_nodes(claims: Graph, reference: Graph) -> Graph:
    """Derived labels for topic links and citations, so curators state a link once, not its label too."""
    def name(node: Node | None) -> str:
        for g in (reference, claims):
            lbl = g.value(node, RDFS.label)
            if lbl is not None:
                return str(lbl)
        return str(node).rsplit("/", 1)[-1]

    out = Graph()
    for claim, link in claims.subject_objects(WSIS.hasTopicLink):
        if claims.value(link, RDFS.label) is None:
            kind = "Stated link" if (link, RDF.type, WSIS.StatedLink) in claims else "Curator link"
            target = claims.value(link, WSIS.linkTarget)
            out.add((link, RDFS.label, Literal(f"{kind}: {name(claim)} → {name(target)}", lang="en")))
    for claim, cit in claims.subject_objects(WSIS.hasCitation):
        if claims.value(cit, RDFS.label) is None:
            act = claims.value(cit, WSIS.citationAct)
            prov = claims.value(cit, WSIS.citedProvision)
            out.add((cit, RDFS.label, Literal(f"Citation ({name(act)}): {name(prov)} in {name(claim)}", lang="en")))
    return out


def build_document(project: Project, source: Source, reference: Graph) -> DocumentBuild:
    """Segment one source by its genre, read its curated claims and anchor every quote."""
    structure = structure_of(source)
    sgraph = structure.graph(str(source.iri), source.label, source.text)
    for t in source.metadata:
        sgraph.add(t)
    claims = Graph()
    for path in project.claim_files(source.doc_id):
        parse_turtle(path, claims)
    for claim, doc in claims.subject_objects(WSIS.statedIn):
        if doc != source.iri:
            raise InputError(
                f"{project.documents_dir / source.doc_id}: <{claim}> is stated in <{doc}>, but the files of "
                f"this folder encode <{source.iri}>; move the claim or correct wsis:statedIn"
            )
    anchors = anchor_claims(claims, source.iri, source.text, structure)
    for t in selector_graph(anchors, source.iri, source.text) + label_link_nodes(claims, reference):
        claims.add(t)
    mentions = Graph()
    mentions_path = project.mentions_file(source.doc_id)
    if mentions_path.exists():
        parse_turtle(mentions_path, mentions)
        check_mentions(mentions, source.iri, source.text, mentions_path)
    return DocumentBuild(source, structure, bind_prefixes(sgraph), bind_prefixes(claims), anchors,
                         bind_prefixes(mentions))


def provenance_graph(documents: list[DocumentBuild]) -> Graph:
    """Where the dataset comes from. Deterministic (no clock), so two builds of one input are equal."""
    return provenance_of([(d.doc_id, d.source.iri, bool(len(d.mentions_graph))) for d in documents])


def provenance_of(documents: list[tuple[str, URIRef, bool]]) -> Graph:
    """The provenance graph of documents given as (id, source IRI, whether it has a mentions graph)."""
    g = Graph()
    g.add((DATASET_IRI, RDF.type, PROV.Entity))
    g.add((DATASET_IRI, RDFS.label, Literal("WSIS knowledge graph", lang="en")))
    g.add((DATASET_IRI, PROV.wasGeneratedBy, BUILD_IRI))
    g.add((BUILD_IRI, RDF.type, PROV.Activity))
    g.add((BUILD_IRI, RDFS.label, Literal(f"Build of the WSIS knowledge graph by wsis-kg {__version__}", lang="en")))
    g.add((BUILD_IRI, PROV.wasAssociatedWith, SOFTWARE_IRI))
    g.add((SOFTWARE_IRI, RDF.type, PROV.Agent))
    g.add((SOFTWARE_IRI, RDFS.label, Literal(f"wsis-kg {__version__}", lang="en")))
    for doc_id, source_iri, has_mentions in documents:
        g.add((DATASET_IRI, PROV.wasDerivedFrom, source_iri))
        g.add((BUILD_IRI, PROV.used, source_iri))
        graphs = [structure_graph_iri(doc_id), claims_graph_iri(doc_id)]
        if has_mentions:
            graphs.append(mentions_graph_iri(doc_id))
        for graph_iri in graphs:
            g.add((graph_iri, RDF.type, PROV.Entity))
            g.add((graph_iri, RDFS.label, Literal(f"Named graph {graph_iri.rsplit('/', 1)[-1]} of {doc_id}",
                                                  lang="en")))
            g.add((graph_iri, PROV.wasDerivedFrom, source_iri))
            g.add((graph_iri, PROV.wasGeneratedBy, BUILD_IRI))
    return bind_prefixes(g)


def check_orphans(project: Project, doc_ids: set[str]) -> None:
    """Every claim folder belongs to a source: a folder without one is a renamed or forgotten document."""
    orphan = {p.name for p in project.documents_dir.glob("*") if p.is_dir()} - doc_ids
    if orphan:
        raise InputError(
            f"{project.documents_dir}: claim folder(s) {', '.join(sorted(orphan))} have no source in "
            f"{project.sources}; add the source text and its metadata, or rename the folder"
        )


def assemble(project: Project, only: list[str] | None = None, progress: rdfio.Progress = rdfio.quiet) -> Assembly:
    project.check()
    ontology = load_ontology(project)
    reference = load_reference(project, progress)
    sources = load_sources(project.sources)
    if only:
        unknown = set(only) - {s.doc_id for s in sources}
        if unknown:
            raise InputError(f"unknown document id(s): {', '.join(sorted(unknown))}")
        sources = [s for s in sources if s.doc_id in only]
    documents = []
    for i, s in enumerate(sources, 1):
        documents.append(build_document(project, s, reference))
        progress(f"  [{i}/{len(sources)}] {s.doc_id}: {len(documents[-1].structure.passages())} passages, "
                 f"{len(documents[-1].anchors)} claims anchored")
    if not only:
        check_orphans(project, {d.doc_id for d in documents})
    uptake = load_uptake(project, {d.doc_id for d in documents}) if not only else []
    return Assembly(ontology, reference, documents, provenance_graph(documents), uptake)


__all__ = ["Assembly", "DocumentBuild", "Uptake", "assemble", "build_document", "check_orphans", "load_ontology",
           "load_reference", "load_uptake", "provenance_graph", "provenance_of"]
