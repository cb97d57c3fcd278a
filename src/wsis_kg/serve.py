"""`wsis-kg serve`: a read-only SPARQL 1.1 Protocol endpoint and linked-data server over a release.

What it guards against, and how (SECURITY.md lists each promise with the tests that hold it):
- a query is read by a real SPARQL parser (`sparqlcheck`) before it runs: updates, SERVICE anywhere, a
  BASE that is not http(s), a dataset clause naming anything but this store's graphs, and text the
  grammar refuses are answered 403 or 400; a linear pre-scan bounds length, nesting and brackets first,
  so that no parser's stack is ever the limit;
- every query is parsed and evaluated in a worker process that cannot open a network connection (a
  seccomp filter, `sandbox`), opens the release's on-disk store read-only (an older release without one:
  loads its own copy of the N-Quads) and serialises into a buffer; the answer is sent only when complete,
  and a query that outlives its timeout has its process killed and gets a 503, never a truncated 200;
- a complete 200 answer is kept (bounded in bytes) and given again for the same query, Accept and
  dataset: the release cannot change under the server, and only answers that passed every check are kept;
- a dead worker is replaced with back-off; while none is ready a query gets 503 with Retry-After; a query
  waits only briefly for a free worker, and one client may hold only a few queries at a time;
- a connection gets a thread only once its request begins, and is closed if none arrives within a few
  seconds; a request must then arrive whole within a few seconds however slowly it trickles in;
  connections and threads are both capped, the excess answered 503 at once, so idle or slow sockets
  cannot pile up threads;
- it binds to 127.0.0.1 unless told otherwise and sends `Access-Control-Allow-Origin: *` without ever
  allowing credentials.

The default graph is the union of the named graphs unless the query (FROM, FROM NAMED) or the protocol
(default-graph-uri, named-graph-uri) names a dataset; then it is exactly the dataset named, the
protocol's winning over the query's.

IRIs are dereferenceable as in the W3C "Best Practice Recipes for Publishing RDF Vocabularies": a GET
on a thing (/id/action-line/C5, /ontology) answers 303 See Other to its HTML page (/page/...) or its
data (/data/....ttl, .jsonld, .nt) by the Accept header.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import queue
import select
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import parse_qs, quote, urlsplit

import pyoxigraph as ox

from .errors import EnvironmentProblem, InputError, WsisKgError
from .namespaces import BASE, G_ONTOLOGY, ONTOLOGY_IRI, PREFIXES
from .sparqlcheck import Analysis, QueryRefused, check, check_graph_names, on_deep_stack, prescan

log = logging.getLogger("wsis_kg.serve")

RESULT_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
RESULT_OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                 "text/tab-separated-values", "application/json", "application/xml", "text/xml"]
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
}
GRAPH_OFFERS = ["text/turtle", "application/n-triples", "application/x-turtle", "text/plain"]
DATA_EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json"}
FILE_TYPES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".nq": "application/n-quads",
              ".trig": "application/trig", ".jsonld": "application/ld+json", ".owl": "application/rdf+xml",
              ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain",
              ".sha256": "text/plain", ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
              ".svg": "image/svg+xml", ".csv": "text/csv"}
UTF8 = "; charset=utf-8"


@dataclass(frozen=True)
class Limits:
    """What one request may cost. The defaults suit a laptop and the competency queries."""

    timeout: float = 10.0  # seconds of parsing and evaluation
    max_query_chars: int = 100_000
    max_depth: int = 32  # nesting of { ( [, counted on every character
    max_brackets: int = 2_000  # { ( [ in all: bounds the depth any parser can reach
    max_result_bytes: int = 64 * 1024 * 1024
    workers: int = 2
    queue_wait: float = 2.0  # seconds a query waits for a free worker before a 503
    per_client: int = 0  # queries one client address may have running at once; 0: workers - 1 (at least 1)
    request_timeout: float = 5.0  # seconds for a request (line, headers, body) to arrive
    max_connections: int = 512  # open connections, waiting or served (a file descriptor each); more get 503
    max_threads: int = 32  # connections served at once (a thread each); a request past that gets 503
    respawn_backoff: tuple[float, float] = (0.5, 30.0)  # first and longest wait between worker restarts
    sealed_workers: bool = True  # refuse to serve if workers cannot be cut off from the network
    answer_cache_bytes: int = 64 * 1024 * 1024  # complete 200 answers kept for the same request; 0: none

    @property
    def client_queries(self) -> int:
        return self.per_client if self.per_client > 0 else max(1, self.workers - 1)


class Refused(Exception):
    """A request answered with an error status; the message is the response body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# ---------------------------------------------------------------- checking a query before evaluation


def check_query(text: str, limits: Limits, graphs: Collection[str] = ()) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE), or Refused: the whole check a worker makes
    before evaluating (see sparqlcheck.check)."""
    try:
        return check(text, graphs, max_chars=limits.max_query_chars, max_depth=limits.max_depth,
                     max_brackets=limits.max_brackets, prefixes=PREFIXES).form
    except QueryRefused as exc:
        raise Refused(exc.status, exc.message) from exc


# ---------------------------------------------------------------- content negotiation


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges by preference: highest q first, then the more specific."""
    if not header:
        return [("*/*", 1.0)]
    out = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((media, q, -media.count("*"), -i))
    out.sort(key=lambda x: (x[1], x[2], x[3]), reverse=True)
    return [(m, q) for m, q, _, _ in out]


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (the first offer on a tie), or None if none is acceptable. Each offer
    takes the q of the most specific range that matches it, as RFC 9110 says."""
    ranges = dict(reversed(parse_accept(header)))  # on a repeated range the first one wins
    best: tuple[float, int, str] | None = None
    for i, offer in enumerate(offers):
        kind = offer.split("/")[0]
        q = next((ranges[m] for m in (offer, f"{kind}/*", "*/*") if m in ranges), 0.0)
        if q > 0 and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, offer)
    return best[2] if best else None


def prefers_html(header: str | None) -> bool:
    """A browser: text/html ranks above every RDF type it accepts."""
    choice = negotiate(header, ["text/turtle", "application/ld+json", "application/n-triples", "text/html",
                                "application/xhtml+xml"])
    return choice in ("text/html", "application/xhtml+xml")


# ---------------------------------------------------------------- worker processes


class _TooLarge(Exception):
    pass


class _Buffer:
    """A bytes buffer that refuses to grow past a limit (a result is never sent half-written)."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


Job = dict[str, Any]
Answer = tuple[int, str, bytes]  # status, content type, body


def dataset_options(found: Analysis, protocol_default: list[str] | None, protocol_named: list[str] | None
                    ) -> dict[str, Any]:
    """The engine's dataset: the protocol's if it names one, else the query's, else the union of the named
    graphs. Given explicitly, so that the engine runs on exactly the dataset the check accepted."""
    if protocol_default is not None or protocol_named is not None:
        default, named = protocol_default or [], protocol_named or []
    elif found.has_dataset:
        default, named = list(found.default_graphs or ()), list(found.named_graphs or ())
    else:
        return {"use_default_graph_as_union": True}
    return {"default_graph": [ox.NamedNode(g) for g in default], "named_graphs": [ox.NamedNode(g) for g in named]}


def evaluate(store: ox.Store, job: Job, limits: Limits, graphs: Collection[str]) -> Answer:
    """Check one query against the parse and evaluate it completely into a buffer; the result is either
    whole or an error."""
    text = "text/plain" + UTF8
    try:
        found = check(job["query"], graphs, max_chars=limits.max_query_chars, max_depth=limits.max_depth,
                      max_brackets=limits.max_brackets, prefixes=PREFIXES)
        for param, key in (("default-graph-uri", "default_graph"), ("named-graph-uri", "named_graphs")):
            check_graph_names(param, job.get(key) or [], graphs)
    except QueryRefused as exc:
        return exc.status, text, (exc.message + "\n").encode()
    graph_form = found.form in ("CONSTRUCT", "DESCRIBE")
    media = negotiate(job.get("accept"), GRAPH_OFFERS if graph_form else RESULT_OFFERS)
    if media is None:
        return 406, text, f"none of the accepted types ({job.get('accept')}) can carry the result of a " \
                          f"{found.form} query\n".encode()
    kwargs = dataset_options(found, job.get("default_graph"), job.get("named_graphs"))
    try:
        result = store.query(job["query"], prefixes=PREFIXES, **kwargs)
    except SyntaxError as exc:
        return 400, text, f"malformed query: {exc}\n".encode()
    except OSError as exc:
        return 500, text, f"query evaluation failed: {exc}\n".encode()
    max_result_bytes = limits.max_result_bytes
    buf = _Buffer(max_result_bytes)
    try:
        out = cast(IO[bytes], buf)
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            result.serialize(out, format=getattr(ox.QueryResultsFormat, RESULT_TYPES[media]))
        else:
            fmt = getattr(ox.RdfFormat, GRAPH_TYPES[media])
            triples = []
            for t in result:  # bounded before serialising: a triple takes at least ~16 bytes written
                triples.append(t)
                if len(triples) * 16 > max_result_bytes:
                    raise _TooLarge()
            ox.serialize(triples, out, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)
    except _TooLarge:
        return 500, text, f"result larger than {max_result_bytes} bytes; add a LIMIT\n".encode()
    except Exception as exc:
        return 500, text, f"query evaluation failed: {exc}\n".encode()
    charset = UTF8 if media.startswith("text/") or "json" in media or "xml" in media else ""
    return 200, media + charset, buf.getvalue()


def _limits_from_json(text: str) -> Limits:
    raw = json.loads(text)
    raw["respawn_backoff"] = tuple(raw["respawn_backoff"])
    return Limits(**raw)


def open_source(source: str) -> ox.Store:
    """The dataset a worker answers from: the release's on-disk store, opened read-only (every worker
    shares its files and the page cache), or for a release without one its N-Quads loaded into memory."""
    if Path(source).is_dir():
        return ox.Store.read_only(source)
    store = ox.Store()
    store.bulk_load(path=source, format=ox.RdfFormat.N_QUADS)
    return store


def worker_main(source: str, limits_json: str) -> None:
    """A worker process: cut itself off from the network, open the release once, then answer jobs (one
    JSON line each on stdin) with a JSON header line and the body on stdout, until stdin closes. The
    store is opened under the filter: it allows every file and thread system call, and RocksDB's
    threads, started afterwards, inherit it."""
    from .sandbox import forbid_network

    why_open = forbid_network()  # first, before anything starts a thread
    limits = _limits_from_json(limits_json)
    out = sys.stdout.buffer
    try:
        store = open_source(source)
    except (OSError, RuntimeError, SyntaxError, ValueError) as exc:  # missing, damaged or being replaced
        out.write(json.dumps({"ready": False, "error": str(exc)}).encode() + b"\n")
        out.flush()
        return
    graphs = frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    evaluate(store, {"query": "ASK {}"}, limits, graphs)  # build the parser now, not on the first query
    out.write(json.dumps({"ready": True, "network": why_open}).encode() + b"\n")
    out.flush()
    for line in sys.stdin.buffer:
        job = json.loads(line)
        status, media, body = on_deep_stack(lambda job=job: evaluate(store, job, limits, graphs))  # type: ignore[misc]
        out.write(json.dumps({"status": status, "type": media, "length": len(body)}).encode() + b"\n")
        out.write(body)
        out.flush()


_WORKER_CODE = "import sys; from wsis_kg.serve import worker_main; worker_main(sys.argv[1], sys.argv[2])"


class _Worker:
    """One query process and its pipes. A subprocess rather than multiprocessing, so that starting one
    never re-imports the caller's main module and killing one is plain."""

    def __init__(self, source: str, limits: Limits) -> None:
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, source, json.dumps(asdict(limits))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin
        self.stdout = self.process.stdout

    def wait_readable(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.stdout], [], [], max(0.0, timeout))
        return bool(ready)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        for pipe in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                pipe.close()


class AnswerCache:
    """Complete 200 answers by job (query text, Accept, dataset parameters), least recently used dropped
    first. The release cannot change under a running server, so the same job always gets the same
    bytes: a repeated query (a competency query, an example of the query page) skips the worker and
    the engine. Only answers a worker gave after every check are kept, so a refused query is refused
    again each time."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.answers: OrderedDict[str, Answer] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def key(job: Job) -> str:
        return json.dumps(job, sort_keys=True)

    def get(self, key: str) -> Answer | None:
        with self.lock:
            answer = self.answers.get(key)
            if answer is not None:
                self.answers.move_to_end(key)
            return answer

    def put(self, key: str, answer: Answer) -> None:
        cost = len(answer[2]) + len(key)
        if answer[0] != 200 or cost > self.limit // 8:  # one large answer does not flush all the others
            return
        with self.lock:
            if key in self.answers:
                return
            self.answers[key] = answer
            self.size += cost
            while self.size > self.limit:
                old_key, old = self.answers.popitem(last=False)
                self.size -= len(old[2]) + len(old_key)


class WorkerPool:
    """Processes that parse, check and evaluate queries. One that overruns its time or dies is killed and
    replaced by a supervisor that retries with growing back-off (and logs it) until the release loads
    again; while no worker is ready, queries are answered 503 with Retry-After."""

    def __init__(self, source: Path, limits: Limits) -> None:
        self.source = str(source)  # the release's store folder, or its N-Quads
        self.limits = limits
        self.size = max(1, limits.workers)
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.all: set[_Worker] = set()
        self.busy = 0
        self.cond = threading.Condition()
        self.closed = False
        self.retry_at = 0.0  # monotonic time of the next restart attempt while workers are missing
        self.answers = AnswerCache(limits.answer_cache_bytes)
        self.in_flight: dict[str, threading.Event] = {}  # jobs being evaluated, set when their answer is in
        starting = [self._spawn() for _ in range(self.size)]
        try:
            for w in starting:
                self._await_ready(w)
        except BaseException:
            self.close()
            raise
        self.supervisor = threading.Thread(target=self._supervise, name="query-worker-supervisor", daemon=True)
        self.supervisor.start()

    def _spawn(self) -> _Worker:
        try:
            worker = _Worker(self.source, self.limits)
        except OSError as exc:
            raise EnvironmentProblem(f"cannot start a query worker: {exc}") from exc
        with self.cond:
            self.all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        hello: dict[str, Any] = {}
        try:
            if worker.wait_readable(60):
                hello = json.loads(worker.stdout.readline() or b"{}")
        except (OSError, ValueError):
            pass
        if not hello.get("ready"):
            self._kill(worker)
            why = f": {hello['error']}" if hello.get("error") else ""
            raise EnvironmentProblem(f"a query worker could not open {self.source}{why}")
        if hello.get("network") and self.limits.sealed_workers:
            self._kill(worker)
            raise EnvironmentProblem(f"a query worker could not be cut off from the network ({hello['network']}); "
                                     "the endpoint does not run queries in a process that could reach it")
        with self.cond:
            if self.closed:
                closed = True
            else:
                closed = False
                self.idle.put(worker)
        if closed:
            self._kill(worker)

    def _kill(self, worker: _Worker) -> None:
        with self.cond:
            self.all.discard(worker)
            self.cond.notify_all()
        worker.kill()

    def _supervise(self) -> None:
        first, longest = self.limits.respawn_backoff
        delay = first
        failures = 0
        while True:
            with self.cond:
                while not self.closed and len(self.all) >= self.size:
                    self.cond.wait()
                if self.closed:
                    return
            try:
                self._await_ready(self._spawn())
            except WsisKgError as exc:
                failures += 1
                self.retry_at = time.monotonic() + delay
                log.warning("query worker could not start (%s); trying again in %.1f s", exc, delay)
                with self.cond:
                    self.cond.wait(delay)
                delay = min(delay * 2, longest)
                continue
            if failures:
                log.warning("query worker started again after %d failed attempt(s)", failures)
            failures, delay, self.retry_at = 0, first, 0.0

    def _retry_after(self) -> str:
        return str(max(1, math.ceil(self.retry_at - time.monotonic())))

    def run(self, job: Job, timeout: float, wait: float) -> Answer:
        """Evaluate a job on an idle worker, waiting at most `wait` seconds for one; the answer is complete,
        or an error status. A job the same as one being evaluated waits for that one's kept answer rather
        than taking a second worker for the same work (and evaluates itself if none is kept)."""
        if self.answers.limit <= 0:
            return self._run(job, timeout, wait)
        key = AnswerCache.key(job)
        cached = self.answers.get(key)
        if cached is not None:
            return cached
        with self.cond:
            running = self.in_flight.get(key)
            if running is None:
                self.in_flight[key] = threading.Event()
        if running is not None:
            running.wait(timeout + wait)
            return self.answers.get(key) or self._run(job, timeout, wait)
        try:
            answer = self._run(job, timeout, wait)
            self.answers.put(key, answer)
            return answer
        finally:
            with self.cond:
                self.in_flight.pop(key).set()

    def _run(self, job: Job, timeout: float, wait: float) -> Answer:
        deadline = time.monotonic() + wait
        while True:
            try:
                worker = self.idle.get(timeout=max(0.0, min(0.2, deadline - time.monotonic())))
                break
            except queue.Empty:
                with self.cond:
                    none_ready = self.busy == 0 and self.idle.empty()
                if none_ready:  # none busy either: every worker is being started again
                    after = self._retry_after()
                    raise Refused(503, f"no query worker is ready (they are being started again); try again in "
                                       f"{after} s", {"Retry-After": after}) from None
                if time.monotonic() >= deadline:
                    raise Refused(503, "every query worker is busy; try again in a few seconds",
                                  {"Retry-After": "2"}) from None
        with self.cond:
            self.busy += 1
        try:
            return self._ask(worker, job, timeout)
        finally:
            with self.cond:
                self.busy -= 1

    def _ask(self, worker: _Worker, job: Job, timeout: float) -> Answer:
        try:
            worker.stdin.write(json.dumps(job).encode() + b"\n")
            worker.stdin.flush()
            if not worker.wait_readable(timeout):
                self._kill(worker)
                raise Refused(503, f"query timed out after {timeout:g} s and was cancelled; no partial result "
                                   "is sent (narrow the query or add a LIMIT)")
            header = json.loads(worker.stdout.readline())
            body = worker.stdout.read(int(header["length"]))
            if len(body) != int(header["length"]):
                raise OSError("short read")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._kill(worker)
            raise Refused(500, "the query worker died while evaluating the query; try again") from exc
        with self.cond:
            if self.closed:
                closed = True
            else:
                closed = False
                self.idle.put(worker)
        if closed:
            self._kill(worker)
        return int(header["status"]), str(header["type"]), body

    def close(self) -> None:
        with self.cond:
            self.closed = True
            workers = list(self.all)
            self.cond.notify_all()
        for w in workers:
            self._kill(w)


# ---------------------------------------------------------------- the application


class App:
    """Everything a request handler needs: the release, its store, its site, the worker pool."""

    def __init__(self, release: Path, limits: Limits, base_url: str) -> None:
        from .docs import release_site
        from .release import jsonld_context
        from .store import NQUADS, STORE_DIR, load_release

        self.release = release
        self.limits = limits
        self.base_url = base_url
        self.store = load_release(release)  # raises InputError when dist/ is missing, StoreError if damaged
        self.site = release_site(release, downloads_prefix="/dist/", served=True, quads=self.store)
        from rdflib import Graph

        onto = Graph()
        onto_ttl = release / "ontology" / "wsis.ttl"
        if onto_ttl.is_file():
            onto.parse(onto_ttl, format="turtle")
        self.context = jsonld_context(onto)
        self.graph_names = sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
        on_disk = release / STORE_DIR
        self.pool = WorkerPool(on_disk if on_disk.is_dir() else release / NQUADS, limits)
        self._void: bytes | None = None
        self.page = lru_cache(maxsize=512)(self.site.render)
        self.clients: dict[str, int] = {}
        self.clients_lock = threading.Lock()

    def close(self) -> None:
        self.pool.close()

    @contextlib.contextmanager
    def client_slot(self, client: str) -> Iterator[None]:
        """Hold one of the few query slots a client address has, or answer 429: one client's slow queries
        must leave workers for everybody else."""
        allowed = self.limits.client_queries
        with self.clients_lock:
            held = self.clients.get(client, 0)
            if held >= allowed:
                raise Refused(429, f"{held} of your queries are still running; this endpoint runs at most {allowed} "
                                   "per client at once", {"Retry-After": "2"})
            self.clients[client] = held + 1
        try:
            yield
        finally:
            with self.clients_lock:
                left = self.clients[client] - 1
                if left:
                    self.clients[client] = left
                else:
                    del self.clients[client]

    # data about a thing

    def describe(self, iri: str) -> list[ox.Triple]:
        """The triples of a named graph (for a graph's or the ontology's IRI), else the triples that have
        the IRI as subject or object, with the blank nodes they reach."""
        node = ox.NamedNode(iri)
        if iri in (str(ONTOLOGY_IRI),) or iri.startswith(str(ONTOLOGY_IRI) + "/"):
            node_graph = ox.NamedNode(str(G_ONTOLOGY))
            return sorted({ox.Triple(q.subject, q.predicate, q.object)
                           for q in self.store.quads_for_pattern(None, None, None, node_graph)}, key=str)
        if iri in self.graph_names:
            return sorted({ox.Triple(q.subject, q.predicate, q.object)
                           for q in self.store.quads_for_pattern(None, None, None, node)}, key=str)
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(node, None, None)}
        triples |= {ox.Triple(q.subject, q.predicate, q.object)
                    for q in self.store.quads_for_pattern(None, None, node)}
        frontier = [t.object for t in triples if isinstance(t.object, ox.BlankNode)]
        seen: set[str] = set()
        while frontier:
            b = frontier.pop()
            if b.value in seen:
                continue
            seen.add(b.value)
            for q in self.store.quads_for_pattern(b, None, None):
                triples.add(ox.Triple(q.subject, q.predicate, q.object))
                if isinstance(q.object, ox.BlankNode):
                    frontier.append(q.object)
        return sorted(triples, key=str)

    def data(self, iri: str, media: str) -> bytes:
        triples = self.describe(iri)
        from .release import JsonLdWriter, to_bytes

        if media == "text/turtle":
            return to_bytes(triples, ox.RdfFormat.TURTLE, PREFIXES)
        if media == "application/n-triples":
            return to_bytes(triples, ox.RdfFormat.N_TRIPLES)

        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        return JsonLdWriter(self.context).dumps(quads)

    def known(self, iri: str) -> bool:
        node = ox.NamedNode(iri)
        if iri == str(ONTOLOGY_IRI) or iri.startswith(str(ONTOLOGY_IRI) + "/") or iri in self.graph_names:
            return True
        return any(True for _ in self.store.quads_for_pattern(node, None, None)) or any(
            True for _ in self.store.quads_for_pattern(None, None, node))

    def void(self) -> bytes:
        """The release's VoID with this server's address, made on the first request and kept: the
        release's void.ttl with the base URL it was built for replaced by this server's (a release
        without that record has its VoID made again from every quad)."""
        if self._void is None:
            self._void = self._served_void()
        return self._void

    def _served_void(self) -> bytes:
        from .describe import void_turtle
        from .release import turtle_bytes, union_triples

        try:
            built_for = json.loads((self.release / "reports" / "manifest.json").read_text(encoding="utf-8"))["base_url"]
            data = (self.release / "void.ttl").read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return void_turtle(self.release, self.store, self.base_url).encode("utf-8")
        if built_for == self.base_url:
            return data

        def moved(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
            if isinstance(term, ox.NamedNode) and term.value.startswith(built_for):
                return ox.NamedNode(self.base_url + term.value[len(built_for):])
            return term

        triples = [ox.Triple(moved(t.subject), t.predicate, moved(t.object))  # type: ignore[arg-type]
                   for t in ox.parse(data, format=ox.RdfFormat.TURTLE)]
        return turtle_bytes(union_triples(triples), PREFIXES)  # the writer the build wrote it with

    def service_description(self, endpoint: str) -> bytes:
        lines = [
            "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
            "@prefix formats: <http://www.w3.org/ns/formats/> .",
            "",
            f"<{endpoint}> a sd:Service ;",
            f"  sd:endpoint <{endpoint}> ;",
            "  sd:supportedLanguage sd:SPARQL11Query ;",
            "  sd:feature sd:UnionDefaultGraph ;",
            "  sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV,",
            "    formats:SPARQL_Results_TSV, formats:Turtle, formats:N-Triples ;",
            "  sd:defaultDataset [ a sd:Dataset ;",
            "    sd:defaultGraph [ a sd:Graph ] ;",
        ]
        lines += [f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ] ;" for g in self.graph_names]
        lines += ["  ] ."]
        return ("\n".join(lines) + "\n").encode("utf-8")


QUERY_FORM_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SPARQL endpoint · WSIS knowledge graph</title>
<link rel="stylesheet" href="/page/style.css"></head><body>
<header><nav><a href="/page/index.html">WSIS knowledge graph</a></nav></header>
<main><h1>SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 Query; the default graph is the union of the named graphs unless the query names
its dataset (FROM, FROM NAMED); the project's prefixes (wsis:, al:, sdg:, ...) are predeclared.</p>
<form method="post" action="/sparql"><textarea name="query" rows="12" cols="90">SELECT ?claim ?label WHERE {
  ?claim a wsis:Recommendation ; rdfs:label ?label .
} LIMIT 20</textarea><br><button type="submit">Run</button></form></main></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    server: WsisServer
    protocol_version = "HTTP/1.1"
    server_version = "wsis-kg"
    disable_nagle_algorithm = True  # TCP_NODELAY: a small response is not held back for a delayed ACK

    # -------------------------------------------------------- plumbing

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.limits.request_timeout)  # no single read or write waits longer

    def handle_one_request(self) -> None:
        """The request (line, headers and, for a POST, its body) must arrive before a deadline, however
        slowly it trickles in; the answer is not limited by it."""
        self.server.arm_deadline(self.connection)
        try:
            super().handle_one_request()
        finally:
            self.server.disarm_deadline(self.connection)

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if ok and self.command != "POST":
            self.server.disarm_deadline(self.connection)
        return ok

    @property
    def app(self) -> App:
        return self.server.app

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def send(self, status: int, body: bytes = b"", content_type: str = "text/plain" + UTF8,
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Vary", "Accept")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.send(status, (message.rstrip() + "\n").encode("utf-8"), headers=headers)

    def redirect(self, location: str) -> None:
        self.send(303, f"See Other: {location}\n".encode(), headers={"Location": location})

    def guarded(self, handler: Callable[[], None]) -> None:
        try:
            handler()
        except Refused as exc:
            self.error(exc.status, exc.message, exc.headers)
        except QueryRefused as exc:
            self.error(exc.status, exc.message)
        except WsisKgError as exc:
            self.error(500, str(exc))

    # -------------------------------------------------------- methods

    def do_GET(self) -> None:
        self.guarded(self.route_get)

    def do_HEAD(self) -> None:
        self.guarded(self.route_get)

    def do_POST(self) -> None:
        self.guarded(self.route_post)

    def do_OPTIONS(self) -> None:
        self.send(204, headers={
            "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Accept, Content-Type",
            "Access-Control-Max-Age": "86400",
            "Allow": "GET, HEAD, POST, OPTIONS",
        })

    def refuse_method(self) -> None:
        self.discard_body()
        path = urlsplit(self.path).path
        allow = "GET, HEAD, POST, OPTIONS" if path == "/sparql" else "GET, HEAD, OPTIONS"
        self.error(405, f"{self.command} is not allowed: this server is read-only", {"Allow": allow})

    do_PUT = do_DELETE = do_PATCH = refuse_method

    def discard_body(self) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit() and int(length) <= 16 * 1024 * 1024:
            self.rfile.read(int(length))
        elif length:
            self.close_connection = True

    # -------------------------------------------------------- routing

    def route_get(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/sparql":
            params = self.params(parts.query)
            if "query" not in params and "update" not in params:
                if prefers_html(self.headers.get("Accept")):
                    return self.send(200, QUERY_FORM_PAGE.encode(), "text/html" + UTF8)
                return self.send(200, self.app.service_description(self.endpoint()), "text/turtle" + UTF8)
            return self.sparql(params)
        if path in ("/", "/index.html"):
            return self.redirect("/page/index.html")
        if path == "/query":  # the query page for people: its own module
            from .querypage import handle

            return handle(self, parts.query)
        if path in ("/void.ttl", "/.well-known/void"):
            return self.send(200, self.app.void(), "text/turtle" + UTF8)
        if path == "/context.jsonld":
            return self.send(200, json.dumps(self.app.context, indent=1).encode(), "application/ld+json")
        if path.startswith("/page/"):
            return self.page(path[len("/page/"):])
        if path.startswith("/data/"):
            return self.data_document(path[len("/data/"):])
        if path.startswith("/dist/"):
            return self.release_file(path[len("/dist/"):])
        if path.startswith(("/id/", "/graph/")) or path == "/ontology" or path.startswith("/ontology/"):
            return self.thing(BASE + path[1:])
        self.error(404, f"nothing at {path}; see /page/index.html or /sparql")

    def route_post(self) -> None:
        path = urlsplit(self.path).path
        if path != "/sparql":
            self.discard_body()
            return self.error(405, f"POST is only accepted at /sparql, not {path}", {"Allow": "GET, HEAD, OPTIONS"})
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self.close_connection = True
            return self.error(411, "a POST needs a Content-Length")
        size = int(length)
        if size > self.app.limits.max_query_chars * 4 + 4096:
            self.close_connection = True
            return self.error(413, f"request body of {size} bytes is too large")
        body = self.rfile.read(size)
        if len(body) != size:
            self.close_connection = True
            return self.error(400, f"request body ended after {len(body)} of {size} bytes")
        self.server.disarm_deadline(self.connection)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = self.params(urlsplit(self.path).query)
        if ctype == "application/sparql-update":
            raise Refused(403, "this endpoint is read-only; SPARQL Update is not accepted")
        if ctype == "application/sparql-query":
            try:
                params["query"] = [*params.get("query", []), body.decode("utf-8")]
            except UnicodeDecodeError as exc:
                raise Refused(400, "the query is not UTF-8") from exc
        elif ctype == "application/x-www-form-urlencoded":
            for k, v in self.params(body.decode("utf-8", errors="replace")).items():
                params[k] = [*params.get(k, []), *v]
        else:
            raise Refused(415, f"unsupported media type {ctype or '(none)'}: send application/sparql-query or "
                               "application/x-www-form-urlencoded")
        self.sparql(params)

    @staticmethod
    def params(qs: str) -> dict[str, list[str]]:
        try:
            return parse_qs(qs, keep_blank_values=True, strict_parsing=False, errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            raise Refused(400, f"malformed parameters: {exc}") from exc

    def endpoint(self) -> str:
        return self.app.base_url + "sparql"

    # -------------------------------------------------------- SPARQL protocol

    def sparql(self, params: dict[str, list[str]]) -> None:
        """Bound the query cheaply here; parse, check and evaluate it in a worker (a parse can be slow)."""
        if "update" in params:
            raise Refused(403, "this endpoint is read-only; SPARQL Update is not accepted")
        queries = params.get("query", [])
        if len(queries) != 1:
            raise Refused(400, f"expected exactly one query, got {len(queries)}")
        query = queries[0]
        limits = self.app.limits
        prescan(query, limits.max_query_chars, limits.max_depth, limits.max_brackets)
        job: Job = {"query": query, "accept": self.headers.get("Accept")}
        for name, key in (("default-graph-uri", "default_graph"), ("named-graph-uri", "named_graphs")):
            if name in params:
                check_graph_names(name, params[name], self.app.graph_names)
                job[key] = params[name]
        with self.app.client_slot(str(self.client_address[0])):
            status, ctype, body = self.app.pool.run(job, limits.timeout, limits.queue_wait)
        self.send(status, body, ctype)

    # -------------------------------------------------------- linked data

    def thing(self, iri: str) -> None:
        if not self.app.known(iri):
            raise Refused(404, f"<{iri}> is not described in this release")
        accept = self.headers.get("Accept")
        rel = iri[len(BASE):]
        if prefers_html(accept):
            if rel == "ontology" or rel.startswith("ontology/"):
                return self.redirect("/page/ontology.html")
            page = self.app.site.paths.get(iri)
            if page is None:
                # a graph or a thing without a page of its own: its data is the best document
                return self.redirect("/data/" + quote(rel) + ".ttl")
            return self.redirect("/page/" + quote(page))
        media = negotiate(accept, ["text/turtle", "application/ld+json", "application/n-triples",
                                   "application/rdf+xml"])
        if media is None:
            raise Refused(406, "acceptable: text/html, text/turtle, application/ld+json, application/n-triples")
        if media == "application/rdf+xml":
            if rel == "ontology" or rel.startswith("ontology/"):
                return self.redirect("/dist/ontology/wsis.owl")
            raise Refused(406, "RDF/XML is offered for the ontology only; ask for text/turtle or application/ld+json")
        ext = {v: k for k, v in DATA_EXTENSIONS.items()}[media]
        self.redirect("/data/" + quote(rel) + "." + ext)

    def data_document(self, rest: str) -> None:
        from urllib.parse import unquote

        rest = unquote(rest)
        stem, _, ext = rest.rpartition(".")
        if ext not in DATA_EXTENSIONS or not stem:
            raise Refused(404, f"no data document /data/{rest}; end it in .ttl, .jsonld or .nt")
        iri = BASE + stem
        if not self.app.known(iri):
            raise Refused(404, f"<{iri}> is not described in this release")
        media = DATA_EXTENSIONS[ext]
        self.send(200, self.app.data(iri, media), media + (UTF8 if media != "application/ld+json" else ""),
                  headers={"Link": f'<{iri}>; rel="describes"'})

    def page(self, path: str) -> None:
        from urllib.parse import unquote

        text = self.app.page(unquote(path))
        if text is None:
            raise Refused(404, f"no page {path}")
        ctype = FILE_TYPES.get(Path(path).suffix, "text/html")  # the site's pages, scripts, charts and CSV
        self.send(200, text.encode("utf-8"), ctype + UTF8)

    def release_file(self, rel: str) -> None:
        from urllib.parse import unquote

        from .store import STORE_DIR

        root = self.app.release.resolve()
        target = (root / unquote(rel)).resolve()
        if not target.is_relative_to(root) or not target.is_file() or target.name.startswith(".") \
                or target.relative_to(root).parts[0] == STORE_DIR:  # the database's files are not downloads
            raise Refused(404, f"no file {rel} in the release")
        media = FILE_TYPES.get(target.suffix, "application/octet-stream")
        charset = UTF8 if media.startswith("text/") else ""
        self.send(200, target.read_bytes(), media + charset)


_BUSY_BODY = b"too many open connections to this server; try again soon\n"
BUSY_RESPONSE = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 2\r\n"
                 b"Access-Control-Allow-Origin: *\r\nConnection: close\r\n"
                 b"Content-Length: " + str(len(_BUSY_BODY)).encode() + b"\r\n\r\n" + _BUSY_BODY)


class WsisServer(ThreadingHTTPServer):
    """A new connection waits in a lobby (one selector, one thread) until its first bytes arrive, and only
    then gets a thread of its own; one that sends nothing within the request timeout is closed there. The
    connections and the threads are both capped (the rest get a 503 from a single turn-away thread), and a
    request that trickles in misses its deadline (a watchdog closes it), so that idle or slow sockets
    cannot pile up threads."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app_factory: Callable[[str], App], quiet: bool,
                 limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.connections = 0  # accepted and not yet closed: in the lobby or served
        self.threads = 0  # served
        self.count_lock = threading.Lock()
        self.lobby = selectors.DefaultSelector()
        self.lobby_lock = threading.Lock()
        self.wake_r, self.wake_w = socket.socketpair()
        for end in (self.wake_r, self.wake_w):
            end.setblocking(False)
        self.lobby.register(self.wake_r, selectors.EVENT_READ, None)
        self.deadlines: dict[socket.socket, float] = {}
        self.deadline_lock = threading.Lock()
        self.stopping = threading.Event()
        self.turned_away: queue.Queue[socket.socket] = queue.Queue(maxsize=256)
        super().__init__(address, Handler)
        raw_host, port = self.server_address[:2]
        host = raw_host.decode() if isinstance(raw_host, bytes) else str(raw_host)
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{port}/"
        self.quiet = quiet
        try:
            self.app = app_factory(self.base_url)
        except BaseException:
            self.server_close()
            raise
        for target, name in ((self._watch_deadlines, "request-deadlines"), (self._turn_away, "turn-away"),
                             (self._run_lobby, "lobby")):
            threading.Thread(target=target, name=name, daemon=True).start()

    # connections past the cap

    def process_request(self, request: Any, client_address: Any) -> None:
        """Called on accept: into the lobby, or a 503 when the server holds too many connections."""
        with self.count_lock:
            full = self.connections >= self.limits.max_connections
            if not full:
                self.connections += 1
        if full:
            self._refuse(request)
            return
        try:
            with self.lobby_lock:
                self.lobby.register(request, selectors.EVENT_READ,
                                    (client_address, time.monotonic() + self.limits.request_timeout))
            with contextlib.suppress(BlockingIOError):
                self.wake_w.send(b"!")
        except (OSError, ValueError):
            self._release()
            self.shutdown_request(request)

    def _run_lobby(self) -> None:
        """Hand each connection whose request has begun to a thread; close those that stay silent."""
        while not self.stopping.is_set():
            events = self.lobby.select(timeout=0.25)
            ready: list[tuple[socket.socket, Any]] = []
            with self.lobby_lock:
                for key, _ in events:
                    conn = cast(socket.socket, key.fileobj)
                    if conn is self.wake_r:
                        with contextlib.suppress(BlockingIOError, OSError):
                            conn.recv(4096)
                        continue
                    self.lobby.unregister(conn)
                    ready.append((conn, key.data[0]))
                now = time.monotonic()
                late = [cast(socket.socket, k.fileobj) for k in list(self.lobby.get_map().values())
                        if k.data is not None and k.data[1] < now]
                for conn in late:
                    self.lobby.unregister(conn)
            for conn in late:
                self._release()
                self.shutdown_request(conn)
            for conn, address in ready:
                self._dispatch(conn, address)
        with self.lobby_lock:
            left = [cast(socket.socket, k.fileobj) for k in list(self.lobby.get_map().values()) if k.data]
            self.lobby.close()
        for conn in left:
            self.shutdown_request(conn)
        for end in (self.wake_r, self.wake_w):
            end.close()

    def _dispatch(self, conn: socket.socket, address: Any) -> None:
        with self.count_lock:
            busy = self.threads >= self.limits.max_threads
            if busy:
                self.connections -= 1
            else:
                self.threads += 1
        if busy:
            self._refuse(conn)
            return
        try:
            super().process_request(conn, address)
        except Exception:  # no thread could be started for it
            self._finished()
            self.shutdown_request(conn)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._finished()

    def _finished(self) -> None:
        with self.count_lock:
            self.threads -= 1
            self.connections -= 1

    def _release(self) -> None:
        with self.count_lock:
            self.connections -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets or drops its connection is not the server's error; anything else is logged
        with its traceback, for whoever runs the server."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        log.error("error while answering %s", client_address[0] if client_address else "?", exc_info=True)

    def _refuse(self, conn: socket.socket) -> None:
        try:
            self.turned_away.put_nowait(conn)
        except queue.Full:
            self.shutdown_request(conn)

    def _turn_away(self) -> None:
        """Answer 503 to each connection over the cap, all from this one thread: wait (briefly) for what
        its client sends, reply, and close after a short linger, so that the reply is not lost to a reset."""
        sel = selectors.DefaultSelector()
        pending: dict[socket.socket, float] = {}  # waiting for the request, until the time given
        closing: dict[socket.socket, float] = {}  # answered, closed at the time given

        def drop(conn: socket.socket) -> None:
            pending.pop(conn, None)
            closing.pop(conn, None)
            with contextlib.suppress(KeyError, ValueError, OSError):
                sel.unregister(conn)
            conn.close()

        while not self.stopping.is_set():
            try:
                conn = self.turned_away.get(timeout=0.02 if pending or closing else 0.5)
                if len(pending) + len(closing) >= 256:
                    conn.close()
                else:
                    conn.setblocking(False)
                    pending[conn] = time.monotonic() + 1.0
                    sel.register(conn, selectors.EVENT_READ)
            except queue.Empty:
                pass
            except OSError:
                conn.close()
            for key, _ in sel.select(timeout=0) if pending or closing else []:
                conn = cast(socket.socket, key.fileobj)
                try:
                    data = conn.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if conn in pending and data:
                    del pending[conn]
                    try:
                        conn.sendall(BUSY_RESPONSE)
                        conn.shutdown(socket.SHUT_WR)
                        closing[conn] = time.monotonic() + 0.5
                    except OSError:
                        drop(conn)
                elif not data:
                    drop(conn)
            now = time.monotonic()
            for conn in [c for c, t in (*pending.items(), *closing.items()) if t < now]:
                drop(conn)
        for conn in [*pending, *closing]:
            drop(conn)
        sel.close()

    # the deadline for a request to arrive

    def arm_deadline(self, conn: socket.socket) -> None:
        with self.deadline_lock:
            self.deadlines[conn] = time.monotonic() + self.limits.request_timeout

    def disarm_deadline(self, conn: socket.socket) -> None:
        with self.deadline_lock:
            self.deadlines.pop(conn, None)

    def _watch_deadlines(self) -> None:
        while not self.stopping.wait(0.25):
            now = time.monotonic()
            with self.deadline_lock:
                late = [c for c, t in self.deadlines.items() if t < now]
                for c in late:
                    del self.deadlines[c]
            for c in late:  # wakes the handler's blocked read with end-of-file; it then closes
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)

    def server_close(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.wake_w.send(b"!")
        super().server_close()
        app = getattr(self, "app", None)
        if app is not None:
            app.close()


def make_server(release: Path, host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None,
                quiet: bool = False) -> WsisServer:
    """A server over a built release, bound but not yet serving (call serve_forever, then shutdown and
    server_close)."""
    from .store import NQUADS, STORE_DIR, nquads_files

    limits = limits or Limits()
    if not nquads_files(release) and not (release / STORE_DIR).is_dir():
        raise InputError(f"{release / NQUADS} not found: run `wsis-kg build` first")
    try:
        return WsisServer((host, port), lambda base: App(release, limits, base), quiet, limits)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(release: Path, host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None,
          echo: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> None:
    """Serve until interrupted."""
    t0 = time.perf_counter()
    server = make_server(release, host, port, limits)
    if threading.current_thread() is threading.main_thread():
        # a service manager's SIGTERM stops the server as Ctrl-C does: the query workers go with it
        signal.signal(signal.SIGTERM, _interrupt)
    echo(f"serving {release} at {server.base_url} (SPARQL: {server.base_url}sparql, pages: "
         f"{server.base_url}page/index.html) in {time.perf_counter() - t0:.1f} s; Ctrl-C stops")
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo(f"warning: listening on {host}, reachable from other machines")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


__all__ = ["App", "Handler", "Limits", "Refused", "WorkerPool", "WsisServer", "check_query", "evaluate",
           "make_server", "negotiate", "parse_accept", "prefers_html", "serve", "worker_main"]
