"""The whole pipeline, step by step with timings: documents, validate, reason, infer, release.

Each document is built on its own (segmented, anchored, validated against the shapes with the reference
data, its entailments drawn) as a task of a process pool, or of a Dask cluster when one is named, and
its result kept in a cache under the digest of everything it depends on (parts.py). A rebuild after
editing one document therefore redoes that document only; the release is assembled from the parts, and
loaded into an on-disk store that `query` and `serve` open read-only.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from . import __version__
from .assemble import (
    Assembly,
    Uptake,
    assemble,
    check_orphans,
    load_ontology,
    load_reference,
    load_uptake,
    provenance_of,
)
from .describe import Publication, Stats
from .errors import EnvironmentProblem, ValidationFailed
from .infer import (
    G_REFERENCE_INFERRED,
    Vocabulary,
    document_sources,
    entailments,
    infer_assembly,
    inferred_graph_iri,
    record_provenance,
)
from .namespaces import G_ONTOLOGY, G_PROVENANCE, G_REFERENCE, GRAPH, claims_graph_iri, structure_graph_iri
from .parts import (
    CANONICAL_LINES,
    DamagedPart,
    DocumentInputs,
    PartSummary,
    cache_key,
    compute_part,
    document_inputs,
    explain,
    file_digest,
    load_cached,
    part_block,
    part_graph,
    previous_inputs,
    prune,
    read_fragment,
    read_summary,
    reasoner_input_path,
    record_reasoning,
    release_figures,
    remember_inputs,
    save_cached,
    shared_inputs,
    shared_key,
)
from .parts import (
    shared_block as cached_shared_block,
)
from .project import Project
from .rdfio import Progress, parse_turtle
from .reason import HermitSession, ReasonerResult, check_results, find_java
from .release import (
    BLOCK_DUMPS,
    CANONICAL,
    NQUADS,
    Block,
    finish_release,
    graph_quads,
    jsonld_context,
    jsonld_frame_size,
    link_split_files,
    split_sizes,
    staged_release,
    write_context,
    write_release_blocks,
    write_split_block,
)
from .sources import load_sources
from .store import nquads_files, update_store, write_store
from .validate import ScopeResult, ValidationReport, Validator, merge_scopes, scope_results, uptake_scope_name

CACHE_DIR = ".wsis-kg-cache"


@dataclass
class BuildOptions:
    """How to run a build; the defaults are what `wsis-kg build` does."""

    reason: bool = True
    publication: Publication | None = None
    cache: bool = True  # False: build every part afresh, in a folder of its own, and leave the cache alone
    cache_dir: Path | None = None  # default: .wsis-kg-cache/ in the project folder
    jobs: int | None = None  # worker processes; default: one per core
    scheduler: str | None = None  # a Dask scheduler's address (tcp://host:port) instead of the pool
    explain: bool = False  # say why each document is rebuilt
    dumps: str = "auto"  # "whole": one file a format; "split": one a document; "auto": split beyond SPLIT_AT quads


@dataclass
class BuildResult:
    project: Project
    validation: ValidationReport
    reasoning: list[ReasonerResult]
    release_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    graphs: dict[str, int] = field(default_factory=dict)  # named graph -> triples, as in the manifest
    built: list[str] = field(default_factory=list)  # documents whose part was computed by this build
    cached: list[str] = field(default_factory=list)  # documents whose part came from the cache

    @cached_property
    def assembly(self) -> Assembly:
        """The build's input as rdflib graphs, for callers that inspect it (made on demand: a corpus
        build never holds every document in memory at once)."""
        assembly = assemble(self.project)
        infer_assembly(assembly)
        return assembly


@contextmanager
def step(name: str, timings: dict[str, float], progress: Progress) -> Iterator[None]:
    """Announce a step, and say how long it took when it is over: a long build is never silent."""
    t0 = time.perf_counter()
    progress(f"{name} ...")
    yield
    timings[name] = time.perf_counter() - t0
    progress(f"  {name.split(' (')[0]}: {timings[name]:.1f} s")


def reasoner_report(results: list[ReasonerResult]) -> str:
    lines = []
    for r in results:
        state = "consistent" if r.consistent else "INCONSISTENT"
        unsat = f", unsatisfiable: {', '.join(r.unsatisfiable)}" if r.unsatisfiable else ", no unsatisfiable class"
        lines.append(f"HermiT: {r.scope} ({r.triples} triples): {state}{unsat if r.consistent else ''}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- running the parts


def _pool(jobs: int) -> ProcessPoolExecutor:
    """Workers forked from a server that has imported the pipeline once (not from this process, whose
    threads and open files a plain fork would copy)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["wsis_kg.parts"])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)


def _dask_client(address: str) -> object:
    try:
        from distributed import Client
    except ImportError as exc:
        raise EnvironmentProblem("--scheduler needs Dask distributed: pip install 'wsis-kg[dask]'") from exc
    try:
        return Client(address, timeout=10)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise EnvironmentProblem(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


def compute_parts(project: Project, todo: list[DocumentInputs], cache_dir: Path, options: BuildOptions,
                  done: Callable[[PartSummary], None]) -> None:
    """Build the parts of `todo`, calling `done` with each as it is ready; the first failure stops the
    build (parts already written stay in the cache: they are correct)."""
    root, cache = str(project.root), str(cache_dir)
    if options.scheduler:
        from distributed import as_completed

        client = _dask_client(options.scheduler)
        try:
            futures = client.map(compute_part, [root] * len(todo), todo, [cache] * len(todo),  # type: ignore[attr-defined]
                                 pure=False)
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                done(future.result())
        finally:
            client.close()  # type: ignore[attr-defined]
        return
    jobs = options.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(todo) <= 1:
        for doc in todo:
            done(compute_part(root, doc, cache))
        return
    with _pool(min(jobs, len(todo))) as pool:
        pending: set[Future[PartSummary]] = {pool.submit(compute_part, root, doc, cache) for doc in todo}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)  # each part as soon as it is ready
            for f in finished:
                failure = f.exception()
                if failure is not None:
                    for p in pending:
                        p.cancel()
                    raise failure
                done(f.result())


# ---------------------------------------------------------------- the build


def _inputs(project: Project) -> tuple[str, list[DocumentInputs]]:
    """The key of the shared inputs, and each document's inputs."""
    project.check()
    shared = shared_inputs(project)
    sources = load_sources(project.sources)
    check_orphans(project, {s.doc_id for s in sources})
    return shared_key(shared), [document_inputs(project, s, shared) for s in sources]


def _verdict(cache_dir: Path, kind: str, key: str) -> ReasonerResult | None:
    found = load_cached(cache_dir, kind, key)
    return ReasonerResult(**found["verdict"]) if found and "verdict" in found else None


def _passed(result: ReasonerResult) -> bool:
    return not result.error and result.consistent and not result.unsatisfiable


class Reasoning:
    """HermiT, in one JVM, on a thread of its own: the ontology, the ontology with the reference data,
    then each document's part as the pool finishes it (so that reasoning overlaps the documents' work),
    and at the end each uptake graph. A verdict is kept with what it judged, so unchanged inputs are not
    reasoned again; after a scope fails no other is reasoned, and the report ends with it, so that a
    clash is shown on the smallest input."""

    def __init__(self, ontology: Graph, reference: Graph, shared: str, cache_dir: Path, progress: Progress) -> None:
        self.ontology, self.reference, self.shared = ontology, reference, shared
        self.cache_dir, self.progress = cache_dir, progress
        self.session: HermitSession | None = None
        self.base: list[ReasonerResult] = []
        self.documents: dict[str, ReasonerResult] = {}
        self.failure: BaseException | None = None
        self.base_triples = len(ontology + reference)  # a scope's size as reported: the base and its own
        self.queue: queue.Queue[PartSummary | None] = queue.Queue()
        self.stopping = threading.Event()  # the build failed elsewhere: what is queued is not reasoned
        self.thread = threading.Thread(target=self._work, name="hermit", daemon=True)
        self.thread.start()

    def _session(self) -> HermitSession:
        if self.session is None:
            self.session = HermitSession(find_java(), self.ontology + self.reference, self.progress)
        return self.session

    def _judge(self, kind: str, key: str, scope: str, run: Callable[[HermitSession], ReasonerResult]) -> ReasonerResult:
        """The verdict kept under `key`, or HermiT's, kept when it passes (a failure is reasoned again)."""
        result = _verdict(self.cache_dir, kind, key)
        if result is None:
            self.progress(f"  HermiT on {scope} ...")
            result = run(self._session())
            if _passed(result):
                save_cached(self.cache_dir, kind, key, {"verdict": asdict(result)})
        return result

    def _work(self) -> None:
        try:
            self.base.append(self._judge("reasoner", self.shared, "ontology",
                                         lambda s: s.check("ontology", self.ontology, with_base=False)))
            if _passed(self.base[-1]):
                self.base.append(self._judge("reasoner-reference", self.shared, "ontology + reference",
                                             lambda s: s.check("ontology + reference", Graph())))
            ok = _passed(self.base[-1])
            while (part := self.queue.get()) is not None:
                if not ok or self.stopping.is_set():
                    continue
                if part.reasoner is not None:
                    result = ReasonerResult(**part.reasoner)
                else:
                    scope = f"ontology + reference + {part.doc_id}"
                    size = self.base_triples + sum(n for iri, n in part.graphs.items() if not iri.endswith("/inferred"))
                    self.progress(f"  HermiT on {scope} ({size} triples) ...")
                    result = self._session().check_file(scope, reasoner_input_path(self.cache_dir, part), size)
                    if _passed(result):
                        part.reasoner = asdict(result)
                        record_reasoning(self.cache_dir, part)
                self.documents[part.doc_id] = result
                ok = _passed(result)
        except BaseException as exc:  # reported by finish(), in the build's thread
            self.failure = exc

    def feed(self, part: PartSummary) -> None:
        self.queue.put(part)

    def finish(self, order: list[PartSummary], uptake: list[tuple[Uptake, str]]) -> list[ReasonerResult]:
        """Wait for the documents' verdicts, reason over the uptake graphs; every verdict, in order."""
        self.queue.put(None)
        self.thread.join()
        if self.failure is not None:
            raise self.failure
        results = list(self.base)
        if not all(_passed(r) for r in results):
            return results
        for part in order:
            results.append(self.documents[part.doc_id])
            if not _passed(results[-1]):
                return results
        for u, key in uptake:
            scope = f"ontology + reference + uptake {u.source_id} -> {u.target_id}"
            results.append(self._judge("reasoner-uptake", key, scope,
                                       lambda s, scope=scope, g=u.graph: s.check(scope, g)))  # type: ignore[misc]
            if not _passed(results[-1]):
                break
        return results

    def close(self) -> None:
        if self.thread.is_alive():
            self.stopping.set()
            self.queue.put(None)
            self.thread.join()
        if self.session is not None:
            self.session.close()
            self.session = None


SPLIT_AT = 2_000_000  # quads beyond which an "auto" release's dumps are split by document
UPDATE_SHARE = 0.1  # beyond this share of the quads changed, the store is loaded afresh, not updated


def _previous_manifest(dist: Path) -> dict[str, Any]:
    """The manifest of the release now in `dist`, or an empty one."""
    try:
        found = json.loads((dist / "reports" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write_split(folder: Path, dist: Path, previous: dict[str, Any], cache_dir: Path, shared: Block,
                 ordered: list[PartSummary], context: dict[str, Any], progress: Progress) -> dict[str, str]:
    """The dumps split by document: the shared graphs' files written, each document's linked from the
    previous release when its part is the one that release was made of, else written from its part."""
    digests = write_split_block(folder, None, shared, context)
    before: dict[str, str] = previous.get("parts") or {}
    files: dict[str, str] = previous.get("files") or {}
    linked = 0
    frame = jsonld_frame_size(context)
    for s in ordered:
        found = None
        if before.get(s.doc_id) == s.key:
            fragments = {dump: s.files[dump][0] for dump in BLOCK_DUMPS}
            if CANONICAL_LINES in s.files:
                fragments[CANONICAL] = s.files[CANONICAL_LINES][0]
            sizes = split_sizes(s.doc_id, fragments, s.prefixes, frame)
            found = link_split_files(folder, dist, s.doc_id, files, sizes)
        if found is None:
            found = write_split_block(folder, s.doc_id, part_block(cache_dir, s), context)
        else:
            linked += 1
        digests.update(found)
    write_context(folder, context)
    progress(f"  dumps split by document: {len(ordered) - linked} written, {linked} taken from the previous release")
    return digests


def _store_from_previous(dist: Path, previous: dict[str, Any], folder: Path, cache_dir: Path, shared: Block,
                         ordered: list[PartSummary], counts: dict[str, int]) -> dict[str, object] | None:
    """The store updated from the previous release's, when there is one: the graphs of the documents
    whose part is unchanged are kept, the rest (the shared graphs, changed and new documents) loaded."""
    before = previous.get("parts")
    if not isinstance(before, dict):
        return None
    same = {s.doc_id for s in ordered if before.get(s.doc_id) == s.key}
    changed = [s for s in ordered if s.doc_id not in same]
    if sum(sum(s.graphs.values()) for s in changed) > UPDATE_SHARE * sum(counts.values()):
        return None  # transactions cost more than a bulk load beyond a few documents
    keep = {g for g in counts if any(g.startswith(f"{GRAPH}document/{doc}/") for doc in same)}
    load = itertools.chain([shared.fragments[NQUADS]], (read_fragment(cache_dir, s, NQUADS) for s in changed))
    return update_store(folder, dist, keep, load, counts)


def _cached_results(cache_dir: Path, kind: str, key: str,
                    compute: Callable[[], list[ScopeResult]]) -> list[ScopeResult]:
    """SHACL results of a scope that is not a document's, kept under the key of what it validated."""
    found = load_cached(cache_dir, kind, key)
    if found is not None:
        return [ScopeResult.from_json(d) for d in found["results"]]
    results = compute()
    save_cached(cache_dir, kind, key, {"results": [r.to_json() for r in results]})
    return results


def run_build(project: Project, progress: Progress = lambda _: None, reason: bool = True,
              publication: Publication | None = None, options: BuildOptions | None = None) -> BuildResult:
    """Build the release into project.dist; raise (leaving dist/ untouched) at the first failing step."""
    options = options or BuildOptions(reason=reason, publication=publication)
    timings: dict[str, float] = {}
    with step("inputs (sources, digests)", timings, progress):
        shared_id, docs = _inputs(project)
    fresh = None if options.cache else Path(tempfile.mkdtemp(prefix="wsis-kg-parts-"))
    cache_dir = fresh or options.cache_dir or project.root / CACHE_DIR
    try:
        try:
            return _build(project, shared_id, docs, cache_dir, options, timings, progress)
        except DamagedPart as damaged:  # the staged release is gone; build the part again, once
            progress(f"  {damaged}: building it again")
            shutil.rmtree(damaged.folder, ignore_errors=True)
            return _build(project, shared_id, docs, cache_dir, options, timings, progress)
    finally:
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)


def _build(project: Project, shared_id: str, docs: list[DocumentInputs], cache_dir: Path, options: BuildOptions,
           timings: dict[str, float], progress: Progress) -> BuildResult:
    with step("shared graphs (ontology, reference, uptake)", timings, progress):
        ontology = load_ontology(project)
        reference = load_reference(project)
        shapes = parse_turtle(project.shapes)
        uptake = load_uptake(project, {d.doc_id for d in docs})
    reasoning = Reasoning(ontology, reference, shared_id, cache_dir, progress) if options.reason else None
    try:
        return _build_with(project, shared_id, docs, cache_dir, options, timings, progress,
                           (ontology, reference, shapes, uptake), reasoning)
    finally:
        if reasoning is not None:
            reasoning.close()


def _build_with(project: Project, shared_id: str, docs: list[DocumentInputs], cache_dir: Path,
                options: BuildOptions, timings: dict[str, float], progress: Progress,
                inputs: tuple[Graph, Graph, Graph, list[Uptake]], reasoning: Reasoning | None) -> BuildResult:
    ontology, reference, shapes, uptake = inputs
    summaries: dict[str, PartSummary] = {}
    built: list[str] = []
    step_name = "documents (segment, anchor, validate, infer" + (", HermiT alongside)" if reasoning else ")")
    with step(step_name, timings, progress):
        todo = []
        for doc in docs:
            found = read_summary(cache_dir, doc)
            if found is not None:
                summaries[doc.doc_id] = found
                if reasoning is not None:
                    reasoning.feed(found)
                if options.explain:
                    progress(f"  {doc.doc_id}: from the cache")
            else:
                todo.append(doc)
                if options.explain:
                    why = explain(previous_inputs(cache_dir, doc.doc_id), doc.inputs)
                    progress(f"  {doc.doc_id}: built again: {why}")

        def done(s: PartSummary) -> None:
            summaries[s.doc_id] = s
            built.append(s.doc_id)
            if reasoning is not None:
                reasoning.feed(s)
            progress(f"  [{len(built)}/{len(todo)}] {s.doc_id}: {s.passages} passages, {s.claims} claims anchored")

        compute_parts(project, todo, cache_dir, options, done)
        for doc in docs:
            remember_inputs(cache_dir, doc)
    progress(f"  {len(docs)} document(s): {len(built)} built, {len(docs) - len(built)} from the cache")
    ordered = [summaries[d.doc_id] for d in docs]

    uptake_keys = [(u, cache_key(shared_id, file_digest(u.path) if u.path else str(u.graph_iri),
                                 summaries[u.source_id].key, summaries[u.target_id].key)) for u in uptake]
    with step("validate (SHACL)", timings, progress):
        validator = Validator(shapes, ontology, reference)
        scoped = [("reference", _cached_results(cache_dir, "shacl-reference", shared_id,
                                                lambda: scope_results("reference", [reference], validator)))]
        scoped += [(s.doc_id, s.results()) for s in ordered]
        for u, key in uptake_keys:
            name = uptake_scope_name(u.source_id, u.target_id)

            def compute(u: Uptake = u, name: str = name) -> list[ScopeResult]:
                joined = [part_graph(cache_dir, summaries[doc], [structure_graph_iri(doc), claims_graph_iri(doc)])
                          for doc in (u.source_id, u.target_id)]
                return scope_results(name, [reference, u.graph, *joined], validator)

            scoped.append((name, _cached_results(cache_dir, "shacl-uptake", key, compute)))
        validation = merge_scopes(scoped, shapes)
    progress(f"  {validation.summary().splitlines()[0]}")
    if not validation.conforms:
        raise ValidationFailed(validation.summary())

    base = ontology + reference
    results: list[ReasonerResult] = []
    if reasoning is not None:
        with step("reason (HermiT: what the documents' step left)", timings, progress):
            try:
                results = reasoning.finish(ordered, uptake_keys)
            finally:
                reasoning.close()  # the JVM's heap is not needed by the release, which needs the most
        for r in results:
            progress(f"  {reasoner_report([r]).strip()}")
        check_results(results)

    with step("infer (OWL 2 RL entailments of the reference data)", timings, progress):
        reference_inferred = entailments(Vocabulary.of(ontology), base)

    result = BuildResult(project, validation, results, project.dist, timings, built=built,
                         cached=[d.doc_id for d in docs if d.doc_id not in built])
    with step("release", timings, progress), staged_release(project.dist) as folder:
        provenance = provenance_of([(s.doc_id, URIRef(s.source_iri), any("/mentions" in g for g in s.graphs))
                                    for s in ordered])
        record_provenance(provenance, [(G_REFERENCE_INFERRED, [G_REFERENCE])] +
                          [(inferred_graph_iri(s.doc_id), document_sources(s.doc_id)) for s in ordered])
        shared: list[tuple[URIRef | None, Graph]] = [(G_ONTOLOGY, ontology), (G_REFERENCE, reference)]
        shared += [(u.graph_iri, u.graph) for u in uptake]
        shared += [(G_REFERENCE_INFERRED, reference_inferred), (G_PROVENANCE, provenance)]
        shared_quads = graph_quads(shared)
        context = jsonld_context(ontology)
        shared_block = cached_shared_block(cache_dir, shared_quads, context)
        shared_key = hashlib.sha256(shared_block.fragments[NQUADS]).hexdigest()
        stats, how = release_figures(cache_dir, Stats.of(shared_quads), shared_key, ordered, UPDATE_SHARE)
        progress(f"  statistics: {how}")
        counts = {str(iri): len(g) for iri, g in shared}
        for s in ordered:
            counts.update(s.graphs)
        result.graphs = counts
        reports = {
            "shacl-report.ttl": validation.graph.serialize(format="turtle"),
            "shacl-summary.txt": validation.summary(),
            "reasoner.txt": reasoner_report(results) if results else "reasoning skipped\n",
        }
        previous = _previous_manifest(project.dist)
        same_ontology = (project.dist, previous.get("files") or {}) if previous.get("shared") == shared_id else None
        split = options.dumps == "split" or (options.dumps == "auto" and sum(counts.values()) > SPLIT_AT)
        if split:
            digests = _write_split(folder, project.dist, previous, cache_dir, shared_block, ordered, context,
                                   progress)
            result.files = finish_release(folder, digests, ontology, shapes, reports,
                                          publication=options.publication, stats=stats, same_ontology=same_ontology)
        else:
            prefixes = {*shared_block.prefixes, *(p for s in ordered for p in s.prefixes)}
            blocks = itertools.chain([shared_block], (part_block(cache_dir, s) for s in ordered))
            result.files = write_release_blocks(folder, blocks, prefixes, ontology, shapes, reports,
                                                publication=options.publication, stats=stats,
                                                same_ontology=same_ontology, context=context)
        parts = {s.doc_id: s.key for s in ordered}
        # after the hashes: a store's bytes differ on every build
        store = _store_from_previous(project.dist, previous, folder, cache_dir, shared_block, ordered, counts)
        if store is not None:
            progress(f"  store: the previous release's, with the graphs of {len(built)} document(s) and the "
                     "shared graphs replaced")
        else:
            store = write_store(folder, nquads_files(folder))
            progress(f"  store: loaded from {'the split dumps' if split else NQUADS}")
        manifest = {"version": __version__, "graphs": counts, "files": result.files, "store": store,
                    "parts": parts, "dumps": "split" if split else "whole", "shared": shared_id,
                    "base_url": (options.publication or Publication()).base_url.rstrip("/") + "/"}
        (folder / "reports" / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    progress(f"  wrote {len(result.files) + 1} files to {project.dist}")
    prune(cache_dir, {d.doc_id: d.key for d in docs})  # after the release: its statistics read the old parts
    return result


__all__ = ["CACHE_DIR", "BuildOptions", "BuildResult", "reasoner_report", "run_build", "step"]
