"""`wsis-kg serve`: a read-only SPARQL 1.1 Protocol endpoint and linked-data server over a release.

What it guards against, and how:
- updates, SERVICE, LOAD and `FROM <file:...>` are refused from the query text before any parser sees
  it, and so are queries that are too long or nested too deep (a parser's stack is finite);
- every query runs in a worker process holding its own copy of the store and is serialised there into a
  buffer; the answer is sent only when complete, and a query that outlives its timeout has its process
  killed and gets a 503, never a truncated 200;
- requests are served by threads, so a slow query does not hold up pages, data or other queries;
- it binds to 127.0.0.1 unless told otherwise and sends `Access-Control-Allow-Origin: *` without ever
  allowing credentials.

IRIs are dereferenceable as in the W3C "Best Practice Recipes for Publishing RDF Vocabularies": a GET
on a thing (/id/action-line/C5, /ontology) answers 303 See Other to its HTML page (/page/...) or its
data (/data/....ttl, .jsonld, .nt) by the Accept header.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import parse_qs, quote, urlsplit

import pyoxigraph as ox

from .errors import EnvironmentProblem, InputError, WsisKgError
from .namespaces import BASE, G_ONTOLOGY, ONTOLOGY_IRI, PREFIXES
from .sparqlscan import QUERY_FORMS, UPDATE_FORMS, dataset_iris, max_depth, prologue, tokens

RESULT_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
}
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

    timeout: float = 10.0  # seconds of evaluation, and of waiting for a free worker
    max_query_chars: int = 100_000
    max_depth: int = 32  # nesting of { ( [
    max_result_bytes: int = 64 * 1024 * 1024
    workers: int = 2


class Refused(Exception):
    """A request answered with an error status; the message is the response body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# ---------------------------------------------------------------- checking a query before evaluation


def _allowed_iri(iri: str) -> bool:
    return iri.lower().startswith(("http://", "https://", "urn:"))


def check_query(text: str, limits: Limits) -> str:
    """Return the query form (SELECT, ASK, CONSTRUCT, DESCRIBE) or raise Refused, without parsing."""
    if len(text) > limits.max_query_chars:
        raise Refused(413, f"query of {len(text)} characters; this endpoint accepts at most {limits.max_query_chars}")
    toks = list(tokens(text))
    depth = max_depth(toks)
    if depth > limits.max_depth:
        raise Refused(400, f"query nested {depth} levels deep; this endpoint accepts at most {limits.max_depth}")
    pro = prologue(toks)
    if pro.form in UPDATE_FORMS:
        raise Refused(403, f"{pro.form}: this endpoint is read-only; SPARQL Update is not accepted")
    if pro.base is not None and not _allowed_iri(pro.base):
        raise Refused(403, f"BASE <{pro.base}> refused: only http(s) and urn IRIs are accepted")
    for t in toks:
        if t.keyword == "SERVICE":
            raise Refused(403, "SERVICE refused: this endpoint does not run federated queries")
        if t.keyword == "LOAD":
            raise Refused(403, "LOAD refused: this endpoint is read-only")
    for iri in dataset_iris(toks, pro):
        if not _allowed_iri(iri):
            raise Refused(403, f"FROM <{iri}> refused: a dataset clause may only name graphs of this store")
    if pro.form not in QUERY_FORMS:
        raise Refused(400, "malformed query: expected SELECT, CONSTRUCT, DESCRIBE or ASK after the prologue")
    return pro.form


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


def evaluate(store: ox.Store, job: Job, max_result_bytes: int) -> Answer:
    """Evaluate one query completely into a buffer; the result is either whole or an error."""
    kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    if job.get("default_graph"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graph"]]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    try:
        result = store.query(job["query"], **kwargs)
    except SyntaxError as exc:
        return 400, "text/plain" + UTF8, f"malformed query: {exc}".encode()
    buf = _Buffer(max_result_bytes)
    try:
        out = cast(IO[bytes], buf)
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            media = job["results_type"]
            result.serialize(out, format=getattr(ox.QueryResultsFormat, RESULT_TYPES[media]))
        else:
            media = job["graph_type"]
            fmt = getattr(ox.RdfFormat, GRAPH_TYPES[media])
            triples = []
            for t in result:  # bounded before serialising: a triple takes at least ~16 bytes written
                triples.append(t)
                if len(triples) * 16 > max_result_bytes:
                    raise _TooLarge()
            ox.serialize(triples, out, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)
    except _TooLarge:
        return 500, "text/plain" + UTF8, f"result larger than {max_result_bytes} bytes; add a LIMIT".encode()
    except Exception as exc:
        return 500, "text/plain" + UTF8, f"query evaluation failed: {exc}".encode()
    charset = UTF8 if media.startswith("text/") or "json" in media or "xml" in media else ""
    return 200, media + charset, buf.getvalue()


def worker_main(nquads: str, max_result_bytes: int) -> None:
    """A worker process: load the release once, then answer jobs (one JSON line each on stdin) with a
    JSON header line and the body on stdout, until stdin closes."""
    store = ox.Store()
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        status, media, body = evaluate(store, json.loads(line), max_result_bytes)
        out.write(json.dumps({"status": status, "type": media, "length": len(body)}).encode() + b"\n")
        out.write(body)
        out.flush()


_WORKER_CODE = "import sys; from wsis_kg.serve import worker_main; worker_main(sys.argv[1], int(sys.argv[2]))"


class _Worker:
    """One query process and its pipes. A subprocess rather than multiprocessing, so that starting one
    never re-imports the caller's main module and killing one is plain."""

    def __init__(self, nquads: str, max_result_bytes: int) -> None:
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, nquads, str(max_result_bytes)],
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
        self.process.wait(5)
        for pipe in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                pipe.close()


class WorkerPool:
    """Processes that evaluate queries; one that overruns its time is killed and replaced."""

    def __init__(self, nquads: Path, size: int, max_result_bytes: int) -> None:
        self.nquads = str(nquads)
        self.max_result_bytes = max_result_bytes
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.all: set[_Worker] = set()
        self.lock = threading.Lock()
        self.closed = False
        starting = [self._spawn() for _ in range(max(1, size))]
        for w in starting:
            self._await_ready(w)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.nquads, self.max_result_bytes)
        with self.lock:
            self.all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        try:
            if worker.wait_readable(60) and worker.stdout.readline() == b"ready\n":
                self.idle.put(worker)
                return
        except (OSError, ValueError):
            pass
        self._kill(worker)
        raise EnvironmentProblem(f"a query worker could not load {self.nquads}")

    def _kill(self, worker: _Worker) -> None:
        with self.lock:
            self.all.discard(worker)
        worker.kill()

    def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        if self.closed:
            return

        def start() -> None:
            with contextlib.suppress(WsisKgError):
                worker = self._spawn()
                if self.closed:  # closed while this one was starting
                    self._kill(worker)
                    return
                self._await_ready(worker)

        threading.Thread(target=start, daemon=True).start()

    def run(self, job: Job, timeout: float) -> Answer:
        """Evaluate a job on an idle worker; the answer is complete, or an error status."""
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty as exc:
            raise Refused(503, f"every query worker is busy; try again in {timeout:.0f} s",
                          {"Retry-After": str(max(1, int(timeout)))}) from exc
        try:
            worker.stdin.write(json.dumps(job).encode() + b"\n")
            worker.stdin.flush()
            if not worker.wait_readable(timeout):
                self._replace(worker)
                raise Refused(503, f"query timed out after {timeout:g} s and was cancelled; no partial result "
                                   "is sent (narrow the query or add a LIMIT)")
            header = json.loads(worker.stdout.readline())
            body = worker.stdout.read(int(header["length"]))
            if len(body) != int(header["length"]):
                raise OSError("short read")
        except (OSError, ValueError, KeyError) as exc:
            self._replace(worker)
            raise Refused(500, "the query worker died while evaluating the query") from exc
        self.idle.put(worker)
        return int(header["status"]), str(header["type"]), body

    def close(self) -> None:
        self.closed = True
        with self.lock:
            workers = list(self.all)
        for w in workers:
            self._kill(w)


# ---------------------------------------------------------------- the application


class App:
    """Everything a request handler needs: the release, its store, its site, the worker pool."""

    def __init__(self, release: Path, limits: Limits, base_url: str) -> None:
        from .docs import release_site
        from .query import load_store
        from .release import jsonld_context

        self.release = release
        self.limits = limits
        self.base_url = base_url
        self.store = load_store(release)  # raises InputError when dist/ is missing
        self.quads = list(self.store)
        self.site = release_site(release, downloads_prefix="/dist/", served=True, quads=self.quads)
        from rdflib import Graph

        onto = Graph()
        onto_ttl = release / "ontology" / "wsis.ttl"
        if onto_ttl.is_file():
            onto.parse(onto_ttl, format="turtle")
        self.context = jsonld_context(onto)
        self.graph_names = sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
        self.pool = WorkerPool(release / "wsis-kg.nq", limits.workers, limits.max_result_bytes)
        self.page = lru_cache(maxsize=512)(self.site.render)

    def close(self) -> None:
        self.pool.close()

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
        from .describe import void_turtle

        return void_turtle(self.release, self.quads, self.base_url).encode("utf-8")

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
<p>Read-only SPARQL 1.1 Query; the default graph is the union of the named graphs; the project's prefixes
(wsis:, al:, sdg:, ...) are predeclared.</p>
<form method="post" action="/sparql"><textarea name="query" rows="12" cols="90">SELECT ?claim ?label WHERE {
  ?claim a wsis:Recommendation ; rdfs:label ?label .
} LIMIT 20</textarea><br><button type="submit">Run</button></form></main></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    server: WsisServer
    protocol_version = "HTTP/1.1"
    server_version = "wsis-kg"

    # -------------------------------------------------------- plumbing

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
        if "update" in params:
            raise Refused(403, "this endpoint is read-only; SPARQL Update is not accepted")
        queries = params.get("query", [])
        if len(queries) != 1:
            raise Refused(400, f"expected exactly one query, got {len(queries)}")
        query = queries[0]
        limits = self.app.limits
        form = check_query(query, limits)
        graphs = {}
        for name, key in (("default-graph-uri", "default_graph"), ("named-graph-uri", "named_graphs")):
            iris = params.get(name, [])
            bad = [i for i in iris if not _allowed_iri(i)]
            if bad:
                raise Refused(403, f"{name} <{bad[0]}> refused: only graphs of this store can be named")
            graphs[key] = iris
        accept = self.headers.get("Accept")
        if form in ("SELECT", "ASK"):
            offers = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                      "text/tab-separated-values", "application/json", "application/xml", "text/xml"]
            media = negotiate(accept, offers)
            job: Job = {"query": query, "results_type": media, **graphs}
        else:
            media = negotiate(accept, ["text/turtle", "application/n-triples", "application/x-turtle", "text/plain"])
            job = {"query": query, "graph_type": media, **graphs}
        if media is None:
            raise Refused(406, f"none of the accepted types ({accept}) can carry the result of a {form} query")
        status, ctype, body = self.app.pool.run(job, limits.timeout)
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

        root = self.app.release.resolve()
        target = (root / unquote(rel)).resolve()
        if not target.is_relative_to(root) or not target.is_file() or target.name.startswith("."):
            raise Refused(404, f"no file {rel} in the release")
        media = FILE_TYPES.get(target.suffix, "application/octet-stream")
        charset = UTF8 if media.startswith("text/") else ""
        self.send(200, target.read_bytes(), media + charset)


class WsisServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app_factory: Callable[[str], App], quiet: bool) -> None:
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

    def server_close(self) -> None:
        super().server_close()
        app = getattr(self, "app", None)
        if app is not None:
            app.close()


def make_server(release: Path, host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None,
                quiet: bool = False) -> WsisServer:
    """A server over a built release, bound but not yet serving (call serve_forever, then shutdown and
    server_close)."""
    limits = limits or Limits()
    nq = release / "wsis-kg.nq"
    if not nq.is_file():
        raise InputError(f"{nq} not found: run `wsis-kg build` first")
    try:
        return WsisServer((host, port), lambda base: App(release, limits, base), quiet)
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
