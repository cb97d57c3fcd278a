"""Which segmenter a document gets: the genre its metadata records (wsis:genre), chosen at build time, so
that a document keeps its structure when the text is rebuilt. Metadata without a genre is a consultation
response, the genre of the first document."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef

from ..errors import InputError
from ..namespaces import ID, RDF, WSIS
from ..segment import DocumentStructure, segment
from ..sources import Source
from .layout import Layout
from .report import segment_report
from .resolution import segment_resolution


def _consultation(text: str, page_starts: list[int] | None = None) -> DocumentStructure:
    return segment(text)


GENRES: dict[str, Callable[[str, list[int] | None], DocumentStructure]] = {
    "consultation-response": _consultation,
    "resolution": segment_resolution,
    "report": segment_report,
}
GENRE_LABELS = {
    "consultation-response": "Consultation response",
    "resolution": "Resolution or outcome document",
    "report": "Report or submission",
}


def genre_iri(genre: str) -> URIRef:
    return ID[f"genre/{genre}"]


def genre_of(source: Source) -> str:
    value = source.metadata.value(source.iri, WSIS.genre)
    if value is None:
        return "consultation-response"
    genre = str(value).rsplit("/", 1)[-1]
    if genre not in GENRES:
        raise InputError(
            f"{source.path.with_suffix('.ttl')}: unknown wsis:genre <{value}>; use one of "
            + ", ".join(f"<{genre_iri(g)}>" for g in GENRES)
        )
    return genre


def segment_as(genre: str, text: str, instrument: str = "", page_starts: list[int] | None = None
               ) -> DocumentStructure:
    structure = GENRES[genre](text, page_starts)
    if isinstance(structure, Layout) and instrument:
        structure.paragraph_base = instrument
    return structure


def structure_of(source: Source) -> DocumentStructure:
    """The source's structure by the genre its metadata records; numbered paragraphs of a text of a known
    instrument (wsis:textOf) are that instrument's paragraphs."""
    instrument = source.metadata.value(source.iri, WSIS.textOf)
    return segment_as(genre_of(source), source.text, str(instrument) if instrument is not None else "",
                      page_starts(source.metadata, source.iri))


def page_starts(metadata: Graph, doc: URIRef) -> list[int]:
    """Where each page begins, from the wsis:Page nodes of the source's metadata."""
    starts = []
    for page in metadata.subjects(WSIS.inDocument, doc):
        if (page, RDF.type, WSIS.Page) in metadata:
            starts.append(int(str(metadata.value(page, WSIS.startOffset) or 0)))
    return sorted(starts) or [0]
