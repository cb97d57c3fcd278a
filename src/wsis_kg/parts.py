"""The per-document stage of the build: one document's graphs, its SHACL results and its entailments,
computed on their own, written to a content-addressed cache, and read back by the release.

A document's results depend only on its own files (source text, metadata, claims, mentions) and on the
shared inputs (ontology, shapes, reference data, and this package's code). A part is stored under the
SHA-256 of all of them, so a part found in the cache is the part the build would compute, and any change
to a shared input changes every key. Parts are written to a temporary folder and renamed into place, and
each records the size and digest of its files: sizes are checked when the cache is consulted, digests as
the release reads the files, so a half-written or damaged part is built again, never shipped.

The work is independent per document, so it runs on a process pool (or a Dask cluster); the tasks take
and return only paths, strings and small summaries, so that nothing large crosses process boundaries.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from . import __version__
from .assemble import DocumentBuild, build_document, load_ontology, load_reference
from .describe import Figures, Stats, Tally, TallyMismatch
from .errors import InputError
from .infer import Vocabulary, entailments, inferred_graph_iri
from .namespaces import WSIS, claims_graph_iri, mentions_graph_iri, structure_graph_iri
from .project import Project
from .rdfio import add_oxigraph, atomic_write_bytes, atomic_write_text, file_sha256, parse_turtle
from .reason import write_reasoner_triples
from .release import Block, graph_quads, jsonld_context, make_block
from .sources import Source, load_source
from .validate import ScopeResult, Validator, scope_results

PART_DATA = "wsis-kg.nq"  # the part's N-Quads: the fragment of the release's own N-Quads dump
VOID_STATS = "void.npz"  # the part's VoID statistics (describe.Stats), merged by the release
CANONICAL_LINES = "canonical.nq"  # the part's RDFC-1.0 lines, sorted (absent when it has blank nodes)
REASONER_INPUT = "reasoner.nt"
SUMMARY = "summary.json"
INPUTS = "inputs.json"  # the inputs of the part last built for a document, for --explain


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc


@cache
def code_digest() -> str:
    """The digest of this package's code: a new version of the pipeline may compute other parts."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".java", ".rq", ".json"} and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def shared_key(shared: dict[str, str]) -> str:
    return _key(shared)


def shared_inputs(project: Project) -> dict[str, str]:
    """What every part depends on: label -> digest."""
    inputs = {"code": code_digest(), "ontology": file_digest(project.ontology), "shapes": file_digest(project.shapes)}
    for path in project.reference_files():
        inputs[f"reference/{path.name}"] = file_digest(path)
    return inputs


def _key(inputs: dict[str, str]) -> str:
    return _sha256(json.dumps(inputs, sort_keys=True).encode())


@dataclass(frozen=True)
class DocumentInputs:
    """One document's inputs with their digests; `key` names its part in the cache."""

    doc_id: str
    meta_path: str
    inputs: dict[str, str]

    @property
    def key(self) -> str:
        return _key(self.inputs)


def document_inputs(project: Project, source: Source, shared: dict[str, str]) -> DocumentInputs:
    inputs = {f"shared:{k}": v for k, v in shared.items()}
    inputs[f"source/{source.meta_path.name}"] = file_digest(source.meta_path)
    # the text's digest as its metadata records it: load_source has just checked the bytes against it
    inputs[f"source/{source.path.name}"] = str(source.metadata.value(source.iri, WSIS.sha256))
    for path in project.claim_files(source.doc_id):
        inputs[f"claims/{path.name}"] = file_digest(path)
    mentions = project.mentions_file(source.doc_id)
    if mentions.exists():
        inputs[f"mentions/{mentions.name}"] = file_digest(mentions)
    return DocumentInputs(source.doc_id, str(source.meta_path), inputs)


def explain(previous: dict[str, str] | None, current: dict[str, str]) -> str:
    """Why a part is rebuilt: what changed since the part last built for this document."""
    if previous is None:
        return "never built"
    changed = sorted(k for k in current.keys() & previous.keys() if current[k] != previous[k])
    added = sorted(current.keys() - previous.keys())
    removed = sorted(previous.keys() - current.keys())
    words = [f"{k} changed" for k in changed] + [f"{k} added" for k in added] + [f"{k} removed" for k in removed]
    return ", ".join(words) if words else "inputs unchanged, but the cached part is missing or damaged"


# ---------------------------------------------------------------- the part itself


@dataclass
class PartSummary:
    """What the build needs to know of a part without reading its data."""

    doc_id: str
    source_iri: str
    key: str
    files: dict[str, list[Any]]  # file of the part -> [size, sha256]: each dump's fragment, the canonical lines
    prefixes: list[str]  # what the Turtle and TriG fragments need declared
    graphs: dict[str, int]  # graph IRI -> triples
    passages: int
    claims: int
    void: dict[str, Any] = field(default_factory=dict)  # describe.Stats, but its arrays (in VOID_STATS)
    violations: list[dict[str, Any]] = field(default_factory=list)  # Violation fields, "root", "triples"
    reasoner: dict[str, Any] | None = None  # a ReasonerResult's fields, once reasoned

    def results(self) -> list[ScopeResult]:
        return [ScopeResult.from_json(d) for d in self.violations]

    @property
    def data_sha256(self) -> str:
        return str(self.files[PART_DATA][1])


class Context:
    """What every part of one build shares, prepared once per process."""

    def __init__(self, root: str) -> None:
        self.project = Project(Path(root))
        self.ontology = load_ontology(self.project)
        self.reference = load_reference(self.project)
        self.shapes = parse_turtle(self.project.shapes)
        self.validator = Validator(self.shapes, self.ontology, self.reference)
        self.vocabulary = Vocabulary.of(self.ontology)
        self.base = self.ontology + self.reference
        self.reference_entailments = entailments(self.vocabulary, self.base)
        self.jsonld_context = jsonld_context(self.ontology)


@cache
def _context(root: str, shared_key: str) -> Context:
    """One context per project and state of the shared inputs, kept for the life of a pool's worker."""
    del shared_key  # part of the cache key: a changed shared input makes a new context
    return Context(root)


def document_graphs(d: DocumentBuild, inferred: Graph) -> list[tuple[URIRef, Graph]]:
    out = [(structure_graph_iri(d.doc_id), d.structure_graph), (claims_graph_iri(d.doc_id), d.claims_graph)]
    if len(d.mentions_graph):
        out.append((mentions_graph_iri(d.doc_id), d.mentions_graph))
    out.append((inferred_graph_iri(d.doc_id), inferred))
    return out


def compute_part(root: str, doc: DocumentInputs, cache_dir: str) -> PartSummary:
    """Build one document's part into the cache (a task of the pool: paths in, a small summary out)."""
    ctx = _context(root, _key({k: v for k, v in doc.inputs.items() if k.startswith("shared:")}))
    source = load_source(Path(doc.meta_path))
    d = build_document(ctx.project, source, ctx.reference)
    found = scope_results(d.doc_id, [ctx.reference, d.structure_graph, d.claims_graph, d.mentions_graph],
                          ctx.validator)
    inferred = entailments(ctx.vocabulary, [*ctx.base, *d.structure_graph, *d.claims_graph],
                           already=ctx.reference_entailments)
    graphs = document_graphs(d, inferred)
    quads = graph_quads(graphs)
    block = make_block(quads, ctx.jsonld_context)  # each dump's fragment, proven lossless
    texts = dict(block.fragments)
    if isinstance(block.canonical, bytes):
        texts[CANONICAL_LINES] = block.canonical
    stats_buffer = io.BytesIO()
    void = Stats.of(quads).save(stats_buffer)
    texts[VOID_STATS] = stats_buffer.getvalue()
    summary = PartSummary(
        doc_id=d.doc_id, source_iri=str(source.iri), key=doc.key,
        files={name: [len(data), _sha256(data)] for name, data in texts.items()}, prefixes=block.prefixes,
        graphs={str(iri): len(g) for iri, g in graphs}, passages=len(d.structure.passages()), claims=len(d.anchors),
        violations=[r.to_json() for r in found], void=void,
    )
    with _staging(Path(cache_dir), doc) as folder:
        for name, data in texts.items():
            (folder / name).write_bytes(data)
        asserted = {ox.NamedNode(str(iri)) for iri, _ in graphs[:-1]}  # all but the entailments
        write_reasoner_triples((q.triple for q in quads if q.graph_name in asserted), folder / REASONER_INPUT)
        (folder / SUMMARY).write_text(json.dumps(asdict(summary), sort_keys=True), encoding="utf-8")
    return summary


class _staging:
    """A temporary folder renamed to the part's folder on success. A damaged part in the way is moved
    aside first; an intact one (a concurrent build's twin of this part) is kept."""

    def __init__(self, cache_dir: Path, doc: DocumentInputs) -> None:
        self.cache_dir, self.doc = cache_dir, doc
        self.final = part_dir(cache_dir, doc.doc_id, doc.key)
        self.tmp = self.final.parent / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"

    def __enter__(self) -> Path:
        self.tmp.mkdir(parents=True)
        return self.tmp

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is None:
            if self.final.exists() and read_summary(self.cache_dir, self.doc) is None:
                trash = self.final.with_name(f".damaged-{os.getpid()}-{secrets.token_hex(4)}")
                self.final.rename(trash)
                shutil.rmtree(trash, ignore_errors=True)
            try:
                self.tmp.rename(self.final)
                return
            except OSError:
                if read_summary(self.cache_dir, self.doc) is None:
                    raise
        shutil.rmtree(self.tmp, ignore_errors=True)


def part_dir(cache_dir: Path, doc_id: str, key: str) -> Path:
    return cache_dir / "documents" / doc_id / key


def read_summary(cache_dir: Path, doc: DocumentInputs) -> PartSummary | None:
    """The cached part of a document, if present and whole (every file there, of its recorded size);
    None sends it to be built. The bytes are checked against their digests as the release reads them
    (read_fragment): a part damaged in place fails the build's first attempt, and is built again."""
    folder = part_dir(cache_dir, doc.doc_id, doc.key)
    try:
        summary = PartSummary(**json.loads((folder / SUMMARY).read_text(encoding="utf-8")))
        intact = summary.key == doc.key and (folder / REASONER_INPUT).exists() and all(
            (folder / name).stat().st_size == size for name, (size, _) in summary.files.items())
    except (OSError, ValueError, TypeError):
        return None
    return summary if intact else None


class DamagedPart(InputError):
    """A cached part's file no longer has the digest recorded when it was written."""

    def __init__(self, doc_id: str, folder: Path, name: str) -> None:
        super().__init__(f"the cached part of {doc_id} is damaged ({folder / name} changed since it was written)")
        self.doc_id, self.folder = doc_id, folder


def read_fragment(cache_dir: Path, summary: PartSummary, name: str) -> bytes:
    """One file of a part, checked against its recorded digest."""
    folder = part_dir(cache_dir, summary.doc_id, summary.key)
    try:
        data = (folder / name).read_bytes()
    except OSError:
        raise DamagedPart(summary.doc_id, folder, name) from None
    if _sha256(data) != summary.files[name][1]:
        raise DamagedPart(summary.doc_id, folder, name)
    return data


def record_reasoning(cache_dir: Path, summary: PartSummary) -> None:
    """Keep a document's HermiT verdict with its part, so an unchanged document is not reasoned again."""
    atomic_write_text(part_dir(cache_dir, summary.doc_id, summary.key) / SUMMARY,
                      json.dumps(asdict(summary), sort_keys=True))


def part_block(cache_dir: Path, summary: PartSummary) -> Block:
    """A part as a block of the release: its fragments, each checked against its digest as it is read."""
    from .release import BLOCK_DUMPS

    texts = {name: read_fragment(cache_dir, summary, name) for name in BLOCK_DUMPS}
    canonical = None
    if CANONICAL_LINES in summary.files:
        canonical = functools.partial(_checked_lines, cache_dir, summary, CANONICAL_LINES)
    return Block(texts, summary.prefixes, canonical)


def part_stats(cache_dir: Path, summary: PartSummary) -> Stats:
    """A part's VoID statistics, checked against their digest."""
    return Stats.load(io.BytesIO(read_fragment(cache_dir, summary, VOID_STATS)), summary.void)


def _checked_lines(cache_dir: Path, summary: PartSummary, name: str) -> Iterator[bytes]:
    """The lines of a part's file, its digest checked when the last is read."""
    folder = part_dir(cache_dir, summary.doc_id, summary.key)
    digest = hashlib.sha256()
    try:
        with (folder / name).open("rb") as fh:
            for line in fh:
                digest.update(line)
                yield line
    except OSError:
        raise DamagedPart(summary.doc_id, folder, name) from None
    if digest.hexdigest() != summary.files[name][1]:
        raise DamagedPart(summary.doc_id, folder, name)


def part_quads(cache_dir: Path, summary: PartSummary) -> Iterator[ox.Quad]:
    """The quads of a part, checked against the digest its summary records."""
    yield from ox.parse(read_fragment(cache_dir, summary, PART_DATA), format=ox.RdfFormat.N_QUADS)


def part_graph(cache_dir: Path, summary: PartSummary, graph_iris: Iterable[URIRef]) -> Graph:
    """Some of a part's graphs as one rdflib graph (for the scopes that join two documents)."""
    wanted = {ox.NamedNode(str(i)) for i in graph_iris}
    out = Graph()
    add_oxigraph(out, (q for q in part_quads(cache_dir, summary) if q.graph_name in wanted))
    return out


SHARED_BLOCK = "shared-block"  # the shared graphs' block of the last release, under the digest of its input


def shared_block(cache_dir: Path, quads: list[ox.Quad], context: dict[str, Any]) -> Block:
    """The block of the graphs every document shares (ontology, reference, provenance, uptake): the one
    kept from the last build when its quads, the JSON-LD context and the code are the same, else made
    (and checked) again and kept. Its provenance grows with the corpus: making it is the largest
    constant of a rebuild."""
    from .release import BLOCK_DUMPS, to_bytes

    key = _key({"quads": _sha256(to_bytes(quads, ox.RdfFormat.N_QUADS)), "code": code_digest(),
                "context": _sha256(json.dumps(context, sort_keys=True).encode("utf-8"))})
    root = cache_dir / SHARED_BLOCK
    folder = root / key
    try:
        saved = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
        texts = {name: (folder / name).read_bytes() for name in saved["files"]}
        if saved["key"] == key and all(_sha256(texts[n]) == d for n, d in saved["files"].items()):
            canonical = texts.pop(CANONICAL_LINES, None)
            return Block({n: texts[n] for n in BLOCK_DUMPS}, list(saved["prefixes"]), canonical)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    block = make_block(quads, context)
    texts = dict(block.fragments)
    if isinstance(block.canonical, bytes):
        texts[CANONICAL_LINES] = block.canonical
    tmp = root / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir(parents=True)
    for name, data in texts.items():
        (tmp / name).write_bytes(data)
    (tmp / SUMMARY).write_text(json.dumps({"key": key, "prefixes": block.prefixes,
                                           "files": {n: _sha256(d) for n, d in texts.items()}}), encoding="utf-8")
    for old in root.iterdir():  # one kept: builds follow one another
        if old != tmp and not old.name.startswith(".tmp-"):
            shutil.rmtree(old, ignore_errors=True)
    try:
        tmp.rename(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return block


TALLY = "tally"  # the distinct hashes of the last release's blocks, counted (describe.Tally)
SHARED_STATS = "tally-shared"  # that release's shared graphs' statistics, to take them out of it


def release_figures(cache_dir: Path, shared: Stats, shared_key: str, ordered: list[PartSummary],
                    update_share: float = 0.1) -> tuple[Figures, str]:
    """The figures VoID gives of the whole release, from the tally of the previous release's blocks with
    the changed blocks taken out and put in again, or, when many changed (or the tally is missing or
    does not match), from every block; the tally is kept for the next build. Also says which it did."""
    members = {"": shared_key, **{s.doc_id: s.key for s in ordered}}
    by_doc = {s.doc_id: s for s in ordered}
    tally = Tally.load(cache_dir / TALLY)
    how = "merged from every block"
    if tally is not None:
        stale = [m for m in tally.members if members.get(m) != tally.members[m]]
        fresh = [m for m in members if tally.members.get(m) != members[m]]
        if len(stale) + len(fresh) <= max(2, update_share * len(members)):
            try:
                for m in stale:
                    tally.take_out(m, _old_stats(cache_dir, m, tally.members[m]))
                for m in fresh:
                    tally.put_in(m, members[m], shared if m == "" else part_stats(cache_dir, by_doc[m]))
                how = f"updated: {len(fresh)} block(s) put in, {len(stale)} taken out"
            except (TallyMismatch, DamagedPart, OSError, ValueError, KeyError):
                tally = None
        else:
            tally = None
    if tally is None:
        figures = Figures.of({"": (shared_key, shared),
                              **{s.doc_id: (s.key, part_stats(cache_dir, s)) for s in ordered}})
    else:  # each graph's figures and the sources as the parts' summaries give them
        graphs = dict(shared.graphs)
        sources = set(shared.sources)
        for s in ordered:
            graphs.update({g: (int(f[0]), int(f[1]), int(f[2]), int(f[3])) for g, f in s.void["graphs"].items()})
            sources.update(s.void["sources"])
        figures = Figures(graphs, sorted(sources), tally)
    figures.tally.save(cache_dir / TALLY)
    buffer = io.BytesIO()
    rest = shared.save(buffer)
    atomic_write_text(cache_dir / f"{SHARED_STATS}.json", json.dumps({"key": shared_key, "rest": rest}))
    atomic_write_bytes(cache_dir / f"{SHARED_STATS}.npz", buffer.getvalue())
    return figures, how


def _old_stats(cache_dir: Path, member: str, key: str) -> Stats:
    """A block's statistics as the tally counted them: the shared graphs' as saved, a document's from
    its part (still in the cache: parts are pruned only after the release)."""
    if member == "":
        saved = json.loads((cache_dir / f"{SHARED_STATS}.json").read_text(encoding="utf-8"))
        if saved["key"] != key:
            raise KeyError(key)
        return Stats.load(io.BytesIO((cache_dir / f"{SHARED_STATS}.npz").read_bytes()), saved["rest"])
    summary = PartSummary(**json.loads((part_dir(cache_dir, member, key) / SUMMARY).read_text(encoding="utf-8")))
    return part_stats(cache_dir, summary)


def reasoner_input_path(cache_dir: Path, summary: PartSummary) -> Path:
    return part_dir(cache_dir, summary.doc_id, summary.key) / REASONER_INPUT


def remember_inputs(cache_dir: Path, doc: DocumentInputs) -> None:
    """Record the inputs of the part now current for a document (written only when they changed)."""
    if previous_inputs(cache_dir, doc.doc_id) != doc.inputs:
        atomic_write_text(cache_dir / "documents" / doc.doc_id / INPUTS, json.dumps(doc.inputs, sort_keys=True,
                                                                                   indent=1))


def previous_inputs(cache_dir: Path, doc_id: str) -> dict[str, str] | None:
    try:
        found: dict[str, str] = json.loads((cache_dir / "documents" / doc_id / INPUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found


def cache_key(*parts: str) -> str:
    """The key of a result that depends on other keys and digests (the shared inputs, an uptake file and
    the parts of the two documents it joins)."""
    return _sha256("\0".join(parts).encode())


def load_cached(cache_dir: Path, kind: str, key: str) -> dict[str, Any] | None:
    """A small result kept under `kind/key.json`, or None."""
    try:
        found: dict[str, Any] = json.loads((cache_dir / kind / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if found.get("key") == key else None


def save_cached(cache_dir: Path, kind: str, key: str, value: dict[str, Any]) -> None:
    folder = cache_dir / kind
    for old in folder.glob("*.json"):  # one current entry per kind is enough: builds follow one another
        if old.stem != key:
            old.unlink(missing_ok=True)
    atomic_write_text(folder / f"{key}.json", json.dumps({**value, "key": key}, sort_keys=True))


def prune(cache_dir: Path, current: dict[str, str]) -> None:
    """Drop parts no build will ask for again: other keys of current documents, and removed documents."""
    root = cache_dir / "documents"
    if not root.is_dir():
        return
    for doc_dir in root.iterdir():
        if not doc_dir.is_dir():
            continue
        key = current.get(doc_dir.name)
        for entry in doc_dir.iterdir():
            if entry.is_dir() and entry.name != key and not _being_written(entry):
                shutil.rmtree(entry, ignore_errors=True)
        if key is None and not any(_being_written(e) for e in doc_dir.iterdir()):
            shutil.rmtree(doc_dir, ignore_errors=True)


def _being_written(entry: Path) -> bool:
    """A part another build's live process is writing (.tmp-PID-...): not ours to remove."""
    from .release import _alive

    kind, _, rest = entry.name.partition("-")
    pid = rest.split("-", 1)[0]
    return kind == ".tmp" and pid.isdigit() and _alive(int(pid))


__all__ = [
    "Context",
    "DocumentInputs",
    "PartSummary",
    "cache_key",
    "code_digest",
    "compute_part",
    "document_inputs",
    "explain",
    "file_digest",
    "load_cached",
    "part_dir",
    "part_graph",
    "part_quads",
    "previous_inputs",
    "prune",
    "read_summary",
    "reasoner_input_path",
    "record_reasoning",
    "release_figures",
    "remember_inputs",
    "save_cached",
    "shared_block",
    "shared_inputs",
    "shared_key",
]
