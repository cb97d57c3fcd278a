"""`wsis-kg review DOC-ID`: what still waits for a curator in a document and what is done, read from the
document's files (no build needed)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from ..assemble import load_reference
from ..errors import InputError
from ..namespaces import PREFIXES, RDF, RDFS, WSIS
from ..project import Project
from ..rdfio import parse_turtle
from ..sources import load_source
from .genres import structure_of
from .link import CONFIRMED, PROPOSED, REJECTED, Linker, find_candidates
from .pipeline import furniture_spans

if TYPE_CHECKING:
    from .pipeline import IngestResult


def _short(iri: object) -> str:
    text = str(iri)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and prefix != "id":
            return f"{prefix}:{text[len(ns):]}"
    return f"<{text}>"


def describe_ingest(result: IngestResult) -> str:
    from .layout import Layout

    s = result.structure
    lines = [f"ingested {result.doc_id} as {result.proposal.genre}"
             + (f", the text of {_short(result.instrument)}" if result.instrument is not None else "")]
    lines.append(f"  title: {result.proposal.title}")
    lines.append(f"  date: {result.proposal.date}; publisher: {result.proposal.publisher}"
                 + (f"; symbol: {result.proposal.symbol}" if result.proposal.symbol else ""))
    if isinstance(s, Layout):
        kinds = Counter(p.kind for p in s.all_parts())
        lines.append("  structure: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
                     + f"; {len(s.footnotes)} footnotes, {len(s.furniture)} lines of page furniture, "
                     f"{len(s.pages)} pages")
    else:
        lines.append(f"  structure: {len(s.passages())} passages")
    lines.append(f"  {result.drafts} draft claims, {result.mentions} proposed mentions, "
                 f"{result.candidates} unknown names")
    lines += [f"  wrote {p}" for p in result.written]
    lines.append(f"next: wsis-kg review {result.doc_id}; then wsis-kg build")
    return "\n".join(lines)


def _natural(text: str) -> list[object]:
    """"paragraph 9" before "paragraph 10"."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _document_graph(project: Project, doc_id: str) -> Graph:
    g = Graph()
    for path in project.claim_files(doc_id):
        parse_turtle(path, g)
    return g


def review_document(project: Project, doc_id: str, limit: int | None = 20) -> str:
    meta = project.sources / f"{doc_id}.ttl"
    if not meta.exists():
        raise InputError(f"no document {doc_id}: {meta} not found (ingest it with `wsis-kg ingest PATH --id {doc_id}`)")
    source = load_source(meta)
    claims = _document_graph(project, doc_id)
    drafts = sorted({s for s in claims.subjects(RDF.type, WSIS.DraftClaim) if isinstance(s, URIRef)},
                    key=lambda d: _natural(str(claims.value(d, RDFS.label))))
    confirmed = sorted({s for s in claims.subjects(WSIS.quote, None) if isinstance(s, URIRef)} - set(drafts), key=str)
    out = [f"{doc_id}: {source.label}"]
    out.append(f"waiting for a curator: {len(drafts)} draft claim(s)")

    def cut(items: list[str]) -> list[str]:
        if limit is not None and len(items) > limit:
            return [*items[:limit], f"    ... and {len(items) - limit} more (--all lists them)"]
        return items

    rows = []
    for d in drafts:
        kind = claims.value(d, WSIS.proposedKind)
        modality = claims.value(d, WSIS.proposedModality)
        who = [_short(a) for a in claims.objects(d, WSIS.proposedAddressee)]
        who += [f'"{t}"' for t in claims.objects(d, WSIS.proposedAddresseeText)]
        detail = ", ".join(x for x in (
            f"kind {_short(kind)}" if kind is not None else "kind unknown",
            f"modality {_short(modality)}" if modality is not None else "",
            f"addressee {' and '.join(who)}" if who else "") if x)
        rows.append(f"  - {claims.value(d, RDFS.label)}: {detail}")
    out += cut(rows)
    waiting, done = _mentions_review(project, doc_id, source.text, cut)
    out += waiting
    out.append(f"confirmed: {len(confirmed)} curated claim(s)")
    kinds = Counter(_short(t) for c in confirmed for t in claims.objects(c, RDF.type))
    if kinds:
        out.append("  by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    out += done
    return "\n".join(out) + "\n"


def _mentions_review(project: Project, doc_id: str, text: str, cut: Callable[[list[str]], list[str]]
                     ) -> tuple[list[str], list[str]]:
    """Mentions by status (from the mentions file) and the names the reference data lacks (the linker run
    again on the text, so the report follows the reference data as it grows)."""
    path = project.mentions_file(doc_id)
    g = parse_turtle(path) if path.exists() else Graph()
    status = Counter(g.value(a, WSIS.mentionStatus) for a in g.subjects(RDF.type, WSIS.EntityMention))
    waiting = [f"waiting for a curator: {status[PROPOSED]} proposed mention(s) in {path.name}"]
    proposed = sorted((a for a in g.subjects(RDF.type, WSIS.EntityMention)
                       if g.value(a, WSIS.mentionStatus) == PROPOSED), key=lambda a: _natural(str(a)))
    waiting += cut([f"  - {g.value(a, RDFS.label)} (score {g.value(a, WSIS.score)})" for a in proposed])
    reference = load_reference(project)
    linker = Linker.from_graph(reference)
    skip = furniture_spans(structure_of(load_source(project.sources / f"{doc_id}.ttl")))
    candidates = find_candidates(text, linker.link(text, skip=skip), skip, linker.known_forms)
    waiting.append(f"waiting for a curator: {len(candidates)} unknown name(s), candidates for the reference data")
    waiting += cut([f"  - {c.name} ({c.kind}, {len(c.contexts)}x): {c.contexts[0]}" for c in candidates])
    done = [f"confirmed: {status[CONFIRMED]} mention(s); rejected: {status[REJECTED]}"]
    return waiting, done
