"""Source texts and their metadata: found, read byte-exact, and checked against their recorded digest."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from .errors import InputError, SourceChanged
from .namespaces import RDF, RDFS, WSIS
from .rdfio import parse_turtle


@dataclass(frozen=True)
class Source:
    iri: URIRef
    doc_id: str
    label: str
    path: Path
    text: str
    metadata: Graph
    meta_path: Path  # the metadata file the source was read from


_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_text(data: bytes, path: Path) -> str:
    """The text of a source, one character per code point of the file. A lone surrogate (what a careless
    encoder writes for half a UTF-16 pair) is no Unicode character, and no RDF syntax can carry it: it is
    read as U+FFFD, one for one, so that offsets still count the file's code points. Control characters
    (form feeds at page breaks, NUL) are kept as they are."""
    try:
        text = data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return _SURROGATE.sub("\ufffd", text)


def load_source(meta_path: Path) -> Source:
    """Read one source's metadata file and its text; refuse a text whose SHA-256 differs."""
    graph = parse_turtle(meta_path)
    docs = list(graph.subjects(RDF.type, WSIS.SourceDocument))
    if len(docs) != 1 or not isinstance(docs[0], URIRef):
        raise InputError(f"{meta_path}: expected exactly one wsis:SourceDocument, found {len(docs)}")
    iri = docs[0]
    file_name = graph.value(iri, WSIS.sourceFile)
    digest = graph.value(iri, WSIS.sha256)
    if file_name is None or digest is None:
        raise InputError(f"{meta_path}: <{iri}> needs wsis:sourceFile and wsis:sha256")
    text_path = meta_path.parent / str(file_name)
    try:
        data = text_path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(
            f"{meta_path}: source file {text_path} not found (wsis:sourceFile names it; restore the file "
            "or correct the name)"
        ) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != str(digest):
        raise SourceChanged(
            f"{text_path}: the source text has changed (sha256 {actual}, metadata records {digest}). "
            "Offsets of every claim depend on these bytes: restore the original file, or, if the change is "
            f"intended, re-check every quote and update wsis:sha256 in {meta_path}."
        )
    text = decode_text(data, text_path)
    label = str(graph.value(iri, RDFS.label) or iri)
    doc_id = str(iri).rstrip("/").rsplit("/", 1)[-1]
    return Source(iri=iri, doc_id=doc_id, label=label, path=text_path, text=text, metadata=graph,
                  meta_path=meta_path)


def load_sources(sources_dir: Path) -> list[Source]:
    if not sources_dir.is_dir():
        raise InputError(f"{sources_dir}: sources folder not found")
    metas = sorted(sources_dir.glob("*.ttl"))
    if not metas:
        raise InputError(f"{sources_dir}: no source metadata (*.ttl) found")
    sources = [load_source(p) for p in metas]
    seen: dict[str, Path] = {}
    for s, p in zip(sources, metas, strict=True):
        if s.doc_id in seen:
            raise InputError(f"{p}: document id {s.doc_id} is also used by {seen[s.doc_id]}")
        seen[s.doc_id] = p
    return sources
