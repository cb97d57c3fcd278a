"""`wsis-kg ingest`: extract, detect the genre, read the structure, propose mentions and draft claims, and
write the source text, its metadata and the drafts, all or nothing.

Every file is first written beside its target under a temporary name and checked (the drafts must anchor in
the new text, the metadata must load as a source); only then are the files moved into place.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ..anchor import anchor_claims
from ..assemble import load_reference
from ..errors import InputError
from ..namespaces import DCTERMS, RDF, RDFS, WSIS, XSD, document_iri
from ..project import Project
from ..rdfio import bind_prefixes, canonical_turtle, parse_turtle
from ..segment import DocumentStructure
from ..sources import Source
from .detect import Proposal, find_instrument, propose, publisher_from_reference
from .drafts import draft_claims
from .extracted import Extracted, ExtractionError
from .from_docx import extract_docx
from .from_html import extract_html
from .from_pdf import extract_pdf
from .from_text import extract_text
from .genres import GENRES, genre_iri, segment_as
from .layout import Layout
from .link import Linker, check_mentions, find_candidates, keep_reviewed, mentions_graph

EXTRACTORS: dict[str, Callable[[Path, bytes], Extracted]] = {
    ".pdf": extract_pdf, ".docx": extract_docx, ".html": extract_html, ".htm": extract_html, ".txt": extract_text,
}
DOC_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,120}$")
DRAFTS_FILE = "drafts.ttl"


@dataclass
class Overrides:
    title: str = ""
    date: str = ""
    publisher: str = ""
    symbol: str = ""
    genre: str = ""
    instrument: str = ""
    language: str = "en"


@dataclass
class IngestResult:
    doc_id: str
    proposal: Proposal
    structure: DocumentStructure
    instrument: URIRef | None
    written: list[Path] = field(default_factory=list)
    drafts: int = 0
    mentions: int = 0
    candidates: int = 0


def extract(path: Path) -> Extracted:
    suffix = path.suffix.lower()
    if suffix not in EXTRACTORS:
        raise InputError(f"{path}: cannot ingest a {suffix or 'suffix-less'} file; give a .pdf, .docx, .html, .htm "
                         "or .txt file")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a folder; give a file") from exc
    if not data.strip():
        raise ExtractionError(f"{path}: the file is empty; nothing written")
    return EXTRACTORS[suffix](path, data)


def _targets(project: Project, doc_id: str) -> tuple[Path, Path, Path]:
    return (project.sources / f"{doc_id}.txt", project.sources / f"{doc_id}.ttl",
            project.documents_dir / doc_id / DRAFTS_FILE)


def _check_date(value: str, what: str) -> str:
    try:
        return Date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InputError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD") from exc


def _instrument(reference: Graph, value: str) -> URIRef:
    iri = URIRef(value if "://" in value else f"https://w3id.org/wsis-kg/id/instrument/{value}")
    if (iri, RDFS.label, None) not in reference:
        raise InputError(f"--instrument {value}: no instrument <{iri}> in the reference data (graph/reference/)")
    return iri


def metadata_graph(doc_id: str, meta: Proposal, language: str, text_bytes: bytes, original: Path | None,
                   extracted: Extracted, instrument: URIRef | None) -> Graph:
    doc = document_iri(doc_id)
    g = Graph()
    label = f"{meta.title} ({meta.symbol})" if meta.symbol and meta.symbol not in meta.title else meta.title
    g.add((doc, RDF.type, WSIS.SourceDocument))
    g.add((doc, RDFS.label, Literal(label, lang="en")))
    g.add((doc, DCTERMS.title, Literal(meta.title, lang="en")))
    g.add((doc, DCTERMS.date, Literal(meta.date, datatype=XSD.date)))
    g.add((doc, DCTERMS.format, Literal("text/plain; charset=utf-8")))
    g.add((doc, DCTERMS.language, Literal(language)))
    g.add((doc, DCTERMS.publisher, Literal(meta.publisher, lang="en")))
    g.add((doc, WSIS.sha256, Literal(hashlib.sha256(text_bytes).hexdigest())))
    g.add((doc, WSIS.sourceFile, Literal(f"{doc_id}.txt")))
    g.add((doc, WSIS.genre, genre_iri(meta.genre)))
    if meta.symbol:
        g.add((doc, WSIS.unSymbol, Literal(meta.symbol)))
    if instrument is not None:
        g.add((doc, WSIS.textOf, instrument))
    text_len = len(text_bytes.decode("utf-8"))
    starts = extracted.page_starts
    if len(starts) > 1:
        for n, start in enumerate(starts, 1):
            end = starts[n] if n < len(starts) else text_len
            page = URIRef(f"{doc}/page/{n}")
            g.add((page, RDF.type, WSIS.Page))
            g.add((page, RDFS.label, Literal(f"Page {n} of {doc_id}", lang="en")))
            g.add((page, WSIS.pageNumber, Literal(n, datatype=XSD.positiveInteger)))
            g.add((page, WSIS.order, Literal(n, datatype=XSD.positiveInteger)))
            g.add((page, WSIS.startOffset, Literal(start, datatype=XSD.nonNegativeInteger)))
            g.add((page, WSIS.endOffset, Literal(max(end, start + 1), datatype=XSD.nonNegativeInteger)))
            g.add((page, WSIS.inDocument, doc))
            g.add((page, DCTERMS.isPartOf, doc))
    if original is not None and extracted.converted:
        data = original.read_bytes()
        orig = URIRef(f"{doc}/original")
        g.add((doc, WSIS.convertedFrom, orig))
        g.add((orig, RDF.type, WSIS.OriginalFile))
        g.add((orig, RDFS.label, Literal(f"Original file of {doc_id}: {original.name}", lang="en")))
        g.add((orig, WSIS.sourceFile, Literal(original.name)))
        g.add((orig, DCTERMS.format, Literal(extracted.media_type)))
        g.add((orig, WSIS.sha256, Literal(hashlib.sha256(data).hexdigest())))
        g.add((doc, RDFS.comment, Literal(
            f"Text extracted from {original.name} ({extracted.media_type}) by wsis-kg ingest; pages are separated "
            "by form feeds; offsets are counted in this file, in Unicode code points.", lang="en")))
    else:
        g.add((doc, RDFS.comment, Literal(
            "Plain text stored as received; offsets are counted in this file, in Unicode code points.", lang="en")))
    return bind_prefixes(g)


def _write_all(files: list[tuple[Path, bytes]]) -> None:
    """Every file to a temporary name beside its target first, then all moved into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            staged.append((tmp, target))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def ingest(project: Project, path: Path, doc_id: str, overrides: Overrides | None = None, force: bool = False,
           progress: Callable[[str], None] = lambda _: None) -> IngestResult:
    overrides = overrides or Overrides()
    project.check()
    if not DOC_ID.match(doc_id):
        raise InputError(f"--id {doc_id!r}: use lower-case letters, digits, '.', '_' and '-' (it becomes a file name "
                         "and part of IRIs)")
    text_path, meta_path, drafts_path = _targets(project, doc_id)
    existing = [p for p in (text_path, meta_path, drafts_path) if p.exists()]
    if existing and not force:
        raise InputError(f"document {doc_id} exists already ({', '.join(str(p) for p in existing)}); choose another "
                         "--id, or give --force to replace its source text, metadata and drafts (curated claims in "
                         f"{drafts_path.parent} are kept)")
    if overrides.genre and overrides.genre not in GENRES:
        raise InputError(f"--genre {overrides.genre}: use one of {', '.join(GENRES)}")
    progress(f"extract {path}")
    extracted = extract(path)
    text = extracted.text
    meta = propose(text, extracted.properties, overrides.genre or None)
    meta.symbol = overrides.symbol or meta.symbol
    meta.title = overrides.title or meta.title or path.stem
    meta.publisher = overrides.publisher or meta.publisher
    meta.date = _check_date(overrides.date, "--date") if overrides.date else meta.date
    if not meta.date:
        raise InputError(f"{path}: no date found in the document or its file properties; give --date YYYY-MM-DD")
    reference = load_reference(project)
    meta.publisher = meta.publisher or publisher_from_reference(reference, text)
    if not meta.publisher:
        raise InputError(f"{path}: no publisher found in the document, its file properties or the reference data's "
                         "bodies; give --publisher")
    instrument = (_instrument(reference, overrides.instrument) if overrides.instrument
                  else find_instrument(reference, meta.symbol, meta.title, meta.date) if meta.genre == "resolution"
                  else None)
    progress(f"structure as {meta.genre}" + (f", the text of <{instrument}>" if instrument is not None else ""))
    structure = segment_as(meta.genre, text, str(instrument) if instrument is not None else "",
                           extracted.page_starts)
    if not structure.passages():
        raise ExtractionError(f"{path}: no paragraph found in the text; nothing written")
    text_bytes = text.encode("utf-8")
    doc = document_iri(doc_id)
    metadata = metadata_graph(doc_id, meta, overrides.language, text_bytes, path, extracted, instrument)
    drafts = draft_claims(doc_id, doc, meta.symbol or doc_id, text, structure, reference)
    # the drafts must anchor in the new text before anything is written
    anchor_claims(drafts, doc, text, structure)
    result = IngestResult(doc_id, meta, structure, instrument, drafts=len(set(drafts.subjects(RDF.type,
                                                                                               WSIS.DraftClaim))))
    files = [(text_path, text_bytes if extracted.converted else path.read_bytes()),
             (meta_path, canonical_turtle(metadata).encode("utf-8")),
             (drafts_path, canonical_turtle(bind_prefixes(drafts)).encode("utf-8"))]
    files += _mention_files(project, doc_id, doc, text, reference, result)
    _write_all(files)
    result.written = [p for p, _ in files]
    return result


def furniture_spans(structure: DocumentStructure) -> list[tuple[int, int]] | None:
    """Page furniture the linker may skip inside a name; None lets it find furniture lines itself."""
    return [(f.start, f.end) for f in structure.furniture] if isinstance(structure, Layout) else None


def _mention_files(project: Project, doc_id: str, doc: URIRef, text: str, reference: Graph,
                   result: IngestResult) -> list[tuple[Path, bytes]]:
    """Entity mentions proposed by the linker, merged with the decisions a curator already made in the
    document's mentions file, and checked against the new text before anything is written."""
    linker = Linker.from_graph(reference)
    skip = furniture_spans(result.structure)
    mentions = linker.link(text, skip=skip)
    labels = {str(s): str(o) for s, o in reference.subject_objects(RDFS.label)}
    path = project.mentions_file(doc_id)
    previous = parse_turtle(path) if path.exists() else Graph()
    merged = keep_reviewed(previous, mentions_graph(str(doc), doc_id, text, mentions, labels))
    check_mentions(merged, doc, text, path)
    result.mentions = len(mentions)
    result.candidates = len(find_candidates(text, mentions, skip, linker.known_forms))
    return [(path, canonical_turtle(bind_prefixes(merged)).encode("utf-8"))]


def as_source(project: Project, doc_id: str, metadata: Graph, text: str) -> Source:
    doc = document_iri(doc_id)
    return Source(iri=doc, doc_id=doc_id, label=str(metadata.value(doc, RDFS.label)),
                  path=project.sources / f"{doc_id}.txt", text=text, metadata=metadata)
