"""The endpoint under attack: every spelling of SERVICE, FROM, BASE, LOAD, escapes, comments and nesting
tried against it, those that once got through and those that always held, each with the status it must
get; for SERVICE a loopback canary that must never be contacted. Grouped by what they attack."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from test_serve import fetch, get_query
from wsis_kg.namespaces import PREFIXES
from wsis_kg.query import run_local
from wsis_kg.sandbox import network_blocked
from wsis_kg.serve import Limits, WorkerPool, WsisServer, make_server
from wsis_kg.sparqlcheck import QueryRefused, analyse, bracket_counts

REFERENCE = "https://w3id.org/wsis-kg/graph/reference"
ONTOLOGY = "https://w3id.org/wsis-kg/graph/ontology"


class Canary:
    """A loopback listener that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.hits: list[tuple[str, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        while not self.stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.hits.append(addr)
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    c = Canary()
    yield c
    c.close()


@pytest.fixture(scope="module")
def server(release: Path) -> Iterator[WsisServer]:
    srv = make_server(release, port=0, limits=Limits(timeout=5, workers=2), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def manifest_graphs(release: Path) -> dict[str, int]:
    graphs: dict[str, int] = json.loads((release / "reports" / "manifest.json").read_text())["graphs"]
    return graphs


# ---------------------------------------------------------------- 1. SERVICE: server-side request forgery

SERVICE_SPELLINGS = [
    # the two that got through the lexer
    "SELECT * WHERE { ?c a wsis:Recommendation .SERVICE <{url}> { ?x ?y ?z } }",
    "SELECT * WHERE { FILTER(1<2)SERVICE#>\n<{url}> { ?x ?y ?z } }",
    # the plain ones, which held
    "SELECT * WHERE { SERVICE <{url}> { ?x ?y ?z } }",
    "SELECT * WHERE { SERVICE SILENT <{url}> { ?x ?y ?z } }",
    # case, comments, layout
    "select * where { service <{url}> { ?x ?y ?z } }",
    "SELECT * WHERE { SeRvIcE <{url}> { ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p ?o . # a comment\nSERVICE <{url}> { ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p ?o .\tSERVICE\n\n<{url}>\t{ ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = \"#\")SERVICE <{url}> { ?x ?y ?z } }",
    # prefixed names, predeclared or declared, and a variable target
    "PREFIX c: <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICE c:sparql { ?x ?y ?z } }",
    "SELECT * WHERE { VALUES ?e { <{url}> } SERVICE ?e { ?x ?y ?z } }",
    # nested where a scan of the outer group would not look
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> { ?x ?y ?z } } } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?x ?y ?z } } }",
    "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}> { ?x ?y ?z } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?x ?y ?z } } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}> { ?x ?y ?z } } }",
    "SELECT * WHERE { GRAPH ?g { SERVICE <{url}> { ?x ?y ?z } } }",
    "SELECT * WHERE { VALUES ?v { 1 } SERVICE <{url}> { ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { SERVICE <{url}> { ?x ?y ?z } } }",
    "SELECT * WHERE { ?s ?p ?o BIND(EXISTS { SERVICE <{url}> { ?x ?y ?z } } AS ?b) }",
    "SELECT (EXISTS { SERVICE <{url}> { ?x ?y ?z } } AS ?e) WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY (EXISTS { SERVICE <{url}> { ?x ?y ?z } })",
    "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s HAVING (EXISTS { SERVICE <{url}> { ?x ?y ?z } })",
    "SELECT * WHERE { { ?s ?p ?o } UNION { OPTIONAL { { SELECT * WHERE { SERVICE <{url}> { ?x ?y ?z } } } } } }",
    "SELECT * WHERE { SERVICE ?svc { ?x ?y ?z } VALUES ?svc { <{url}> } }",
    "SELECT * { SERVICE <{url}> { } }",
    "ASK { SERVICE <{url}> { ?x ?y ?z } }",
    "CONSTRUCT { ?x ?y ?z } WHERE { SERVICE <{url}> { ?x ?y ?z } }",
    "DESCRIBE ?x WHERE { SERVICE <{url}> { ?x ?y ?z } }",
    # escapes: a \\u escape stands for its character before the query is read
    "SELECT * WHERE { ?s ?p ?o . \\u0053ERVICE <{url}> { ?x ?y ?z } }",
    "SELECT * WHERE { SERVICE <http\\u003A//127.0.0.1:{port}/sparql> { ?x ?y ?z } }",
]


def spelled(template: str, canary: Canary) -> str:
    return template.replace("{url}", canary.url).replace("{port}", str(canary.port))


@pytest.mark.parametrize("template", SERVICE_SPELLINGS)
def test_service_is_refused_and_nothing_is_contacted(server: WsisServer, canary: Canary, template: str) -> None:
    query = spelled(template, canary)
    before = len(canary.hits)
    status, _, body = get_query(server, query, accept="*/*")
    assert status in (400, 403), (status, body)
    if status == 403:
        assert b"SERVICE" in body
    time.sleep(0.05)
    assert len(canary.hits) == before, "the endpoint contacted the canary"


def test_the_lexer_bypasses_are_403_service(server: WsisServer, canary: Canary) -> None:
    for template in SERVICE_SPELLINGS[:2]:
        status, _, body = get_query(server, spelled(template, canary))
        assert status == 403 and b"SERVICE" in body, body


def test_every_query_worker_runs_under_the_network_filter(release: Path) -> None:
    """Defence in depth: whatever the check lets through runs in processes the kernel keeps off the
    network (seccomp filter mode, no new privileges)."""
    pool = WorkerPool(release / "wsis-kg.nq", Limits(workers=2, timeout=5))
    try:
        assert len(pool.all) == 2
        for worker in pool.all:
            tasks = list(Path(f"/proc/{worker.process.pid}/task").iterdir())
            assert tasks
            for task in tasks:  # every thread of the worker
                status = (task / "status").read_text()
                assert "\nSeccomp:\t2\n" in status and "\nNoNewPrivs:\t1\n" in status
    finally:
        pool.close()


def test_the_engine_under_the_filter_cannot_reach_the_canary(canary: Canary) -> None:
    """Below every check: the engine itself, handed a SERVICE query in a sealed process, is refused by
    the kernel, and the canary hears nothing."""
    import subprocess
    import sys

    before = len(canary.hits)
    query = "SELECT * WHERE { SERVICE <" + canary.url + "> { ?x ?y ?z } }"
    code = ("import sys, pyoxigraph as ox; from wsis_kg.sandbox import forbid_network\n"
            "assert forbid_network() is None\n"
            "try:\n list(ox.Store().query(sys.argv[1]))\nexcept OSError as e: print('refused:', e)")
    out = subprocess.run([sys.executable, "-c", code, query], capture_output=True, text=True, timeout=30)
    assert "refused" in out.stdout and "Permission denied" in out.stdout, out.stdout + out.stderr
    time.sleep(0.05)
    assert len(canary.hits) == before


def test_the_sandbox_blocks_internet_sockets_but_not_unix_ones() -> None:
    import subprocess
    import sys

    code = ("import socket; from wsis_kg.sandbox import forbid_network, network_blocked\n"
            "print(network_blocked()); print(forbid_network()); print(network_blocked())\n"
            "a, b = socket.socketpair(); a.send(b'x'); print(b.recv(1))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.split("\n")[:4] == ["False", "None", "True", "b'x'"], out.stdout + out.stderr
    assert not network_blocked()  # only the process that asked is sealed


def test_the_sandbox_covers_threads_started_before_it() -> None:
    import subprocess
    import sys

    code = ("import threading; from wsis_kg.sandbox import forbid_network, network_blocked\n"
            "go, done, seen = threading.Event(), threading.Event(), []\n"
            "def early():\n go.wait(); seen.append(network_blocked()); done.set()\n"
            "threading.Thread(target=early).start()\n"
            "print(forbid_network()); go.set(); done.wait(10); print(seen)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.split("\n")[:2] == ["None", "[True]"], out.stdout + out.stderr


def test_canary_would_see_an_unsealed_engine(canary: Canary) -> None:
    """The canary is live: an engine outside the sandbox does contact it (so its silence above means
    something)."""
    before = len(canary.hits)
    with pytest.raises(OSError):
        list(ox.Store().query("SELECT * WHERE { SERVICE <" + canary.url + "> { ?x ?y ?z } }"))
    deadline = time.monotonic() + 2
    while len(canary.hits) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(canary.hits) > before


# ---------------------------------------------------------------- FROM, BASE, protocol graphs: file access

@pytest.mark.parametrize("query,params,status", [
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", {}, 403),
    ("SELECT * FROM <\\u0066ile:///etc/passwd> WHERE { ?s ?p ?o }", {}, 403),  # got through the lexer
    ("SELECT * FROM <\\U00000066ile:///etc/passwd> WHERE { ?s ?p ?o }", {}, 403),
    ("SELECT * FROM <FILE:///etc/passwd> WHERE { ?s ?p ?o }", {}, 403),
    ("select * from <file:///etc/passwd> where { ?s ?p ?o }", {}, 403),
    ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", {}, 403),
    ("PREFIX f: <file:///etc/> SELECT * FROM NAMED f:passwd WHERE { GRAPH ?g { ?s ?p ?o } }", {}, 403),
    ("PREFIX f: <file:///etc/> SELECT * FROM f:passwd WHERE { ?s ?p ?o }", {}, 403),
    ("SELECT * # comment\nFROM <file:///etc/passwd> WHERE { ?s ?p ?o }", {}, 403),
    ("SELECT * FROM <http://127.0.0.1:1/x> WHERE { ?s ?p ?o }", {}, 403),
    ("SELECT * FROM <https://w3id.org/wsis-kg/graph/nothing> WHERE { ?s ?p ?o }", {}, 403),
    ("SELECT * FROM <passwd> WHERE { ?s ?p ?o }", {}, 403),
    ("BASE <file:///etc/> SELECT * WHERE { ?s ?p ?o }", {}, 403),
    ("BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }", {}, 403),
    ("BASE <\\u0066ile:///etc/> SELECT * WHERE { ?s ?p ?o }", {}, 403),
    ("BASE <https://w3id.org/wsis-kg/graph/> SELECT * FROM <reference> WHERE { ?s ?p ?o }", {}, 403),
    ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": "file:///etc/passwd"}, 403),
    ("SELECT * WHERE { ?s ?p ?o }", {"named-graph-uri": "file:///etc/hosts"}, 403),
    ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": "https://w3id.org/wsis-kg/graph/nothing"}, 403),
    ("SELECT * FROM wsis:nothing WHERE { ?s ?p ?o }", {}, 403),
    ("SELECT * FROM undeclared:x WHERE { ?s ?p ?o }", {}, 400),
])
def test_datasets_outside_the_store_are_refused(server: WsisServer, query: str, params: dict[str, str],
                                                status: int) -> None:
    got, _, body = get_query(server, query, **params)
    assert got == status, body


# ---------------------------------------------------------------- updates, LOAD

@pytest.mark.parametrize("query", [
    "LOAD <file:///etc/passwd>",
    "LOAD <http://127.0.0.1:1/x> INTO GRAPH <http://a.example/g>",
    "load <file:///etc/passwd>",
    "PREFIX f: <file:///etc/> LOAD f:passwd",
    "# comment\nLOAD <file:///etc/passwd>",
    "\\u004cOAD <file:///etc/passwd>",
    "INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/wsis-kg/graph/reference>",
    "WITH <https://w3id.org/wsis-kg/graph/reference> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CREATE GRAPH <http://a.example/g>",
    "COPY DEFAULT TO <http://a.example/g>",
])
def test_updates_and_load_are_403(server: WsisServer, store: ox.Store, query: str) -> None:
    status, _, body = get_query(server, query)
    assert status == 403 and b"read-only" in body, body


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o } ; LOAD <file:///etc/passwd>",
    "SELECT * WHERE { ?s ?p ?o } LOAD <file:///etc/passwd>",
    "SELECT * WHERE { ?s ?p ?o",
    "",
    "SELECT * WHERE { ?s ?p ?o } }",
])
def test_malformed_and_smuggled_text_is_400(server: WsisServer, query: str) -> None:
    status, _, body = get_query(server, query)
    assert status == 400 and b"malformed" in body, body


@pytest.mark.parametrize("template,params", [
    ("SELECT * FROM <{url}> WHERE { ?s ?p ?o }", {}),
    ("SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    ("SELECT * FROM <http\\u003A//127.0.0.1:{port}/sparql> WHERE { ?s ?p ?o }", {}),
    ("LOAD <{url}>", {}),
    ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": "{url}"}),
    ("SELECT * WHERE { ?s ?p ?o }", {"named-graph-uri": "{url}"}),
])
def test_dataset_and_load_spellings_never_reach_the_canary(server: WsisServer, canary: Canary, template: str,
                                                          params: dict[str, str]) -> None:
    before = len(canary.hits)
    status, _, body = get_query(server, spelled(template, canary),
                                **{k: spelled(v, canary) for k, v in params.items()})
    assert status == 403, body
    time.sleep(0.05)
    assert len(canary.hits) == before


def test_words_in_strings_iris_and_comments_are_not_refused(server: WsisServer) -> None:
    for query in [
        'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(?l != "SERVICE LOAD INSERT FROM <file:///x>") } LIMIT 1',
        "SELECT ?s WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/> LOAD <file:///etc/passwd>\nLIMIT 1",
        "SELECT ?s WHERE { ?s ?p <https://example.org/SERVICE/FROM> } LIMIT 1",
        "PREFIX service: <https://example.org/> SELECT ?s WHERE { ?s service:from ?o } LIMIT 1",
    ]:
        status, _, body = get_query(server, query)
        assert status == 200, (query, body)


# ---------------------------------------------------------------- 2. FROM and FROM NAMED are honoured

COUNT_ALL = "SELECT (COUNT(*) AS ?n) {dataset} WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) {dataset} WHERE { GRAPH ?g { ?s ?p ?o } }"


def local_n(store: ox.Store, query: str) -> int:
    return int(run_local(store, query)[1][0]["n"] or -1)


def test_from_is_honoured_locally(store: ox.Store, release: Path) -> None:
    graphs = manifest_graphs(release)
    total = sum(graphs.values())
    assert local_n(store, COUNT_ALL.replace("{dataset}", "")) == total
    assert local_n(store, COUNT_ALL.replace("{dataset}", f"FROM <{REFERENCE}>")) == graphs[REFERENCE]
    both = f"FROM <{REFERENCE}> FROM <{ONTOLOGY}>"
    assert local_n(store, COUNT_ALL.replace("{dataset}", both)) == graphs[REFERENCE] + graphs[ONTOLOGY]
    # a prefixed name, declared in the query
    declared = "PREFIX g: <https://w3id.org/wsis-kg/graph/> SELECT (COUNT(*) AS ?n) FROM g:reference WHERE { ?s ?p ?o }"
    assert local_n(store, declared) == graphs[REFERENCE]
    # a graph that does not exist is an empty default graph, not the union
    assert local_n(store, COUNT_ALL.replace("{dataset}", "FROM <https://w3id.org/wsis-kg/graph/nothing>")) == 0
    # FROM NAMED alone: an empty default graph, and only the named graph for GRAPH
    assert local_n(store, COUNT_ALL.replace("{dataset}", f"FROM NAMED <{REFERENCE}>")) == 0
    assert local_n(store, COUNT_NAMED.replace("{dataset}", f"FROM NAMED <{REFERENCE}>")) == graphs[REFERENCE]
    # FROM alone: no named graphs
    assert local_n(store, COUNT_NAMED.replace("{dataset}", f"FROM <{REFERENCE}>")) == 0
    # no dataset: every named graph for GRAPH
    assert local_n(store, COUNT_NAMED.replace("{dataset}", "")) == total


def test_from_is_honoured_by_the_query_cli(release: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from wsis_kg.cli import main

    graphs = manifest_graphs(release)
    rq = tmp_path / "count.rq"
    rq.write_text(COUNT_ALL.replace("{dataset}", f"FROM <{REFERENCE}>"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--dist", str(release), "query", str(rq), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["n", str(graphs[REFERENCE])]


def test_from_and_protocol_graphs_are_honoured_by_the_endpoint(server: WsisServer, release: Path) -> None:
    graphs = manifest_graphs(release)
    total = sum(graphs.values())

    def n(query: str, **params: str) -> int:
        status, _, body = get_query(server, query, **params)
        assert status == 200, body
        return count(body)

    assert n(COUNT_ALL.replace("{dataset}", "")) == total
    assert n(COUNT_ALL.replace("{dataset}", f"FROM <{REFERENCE}>")) == graphs[REFERENCE]
    assert n(COUNT_ALL.replace("{dataset}", f"FROM NAMED <{REFERENCE}>")) == 0
    assert n(COUNT_NAMED.replace("{dataset}", f"FROM NAMED <{REFERENCE}>")) == graphs[REFERENCE]
    assert n(COUNT_NAMED.replace("{dataset}", f"FROM <{REFERENCE}>")) == 0
    assert n(COUNT_NAMED.replace("{dataset}", "")) == total
    # the protocol's dataset, and it wins over the query's
    assert n(COUNT_ALL.replace("{dataset}", ""), **{"default-graph-uri": REFERENCE}) == graphs[REFERENCE]
    assert n(COUNT_ALL.replace("{dataset}", f"FROM <{REFERENCE}>"), **{"default-graph-uri": ONTOLOGY}) == \
        graphs[ONTOLOGY]
    assert n(COUNT_NAMED.replace("{dataset}", ""), **{"named-graph-uri": ONTOLOGY}) == graphs[ONTOLOGY]
    assert n(COUNT_ALL.replace("{dataset}", ""), **{"named-graph-uri": ONTOLOGY}) == 0


def test_analyse_reads_the_dataset_with_prefixes() -> None:
    found = analyse("SELECT * FROM wsis:x FROM NAMED <http://a.example/g> WHERE { ?s ?p ?o }", PREFIXES)
    assert found.default_graphs == (PREFIXES["wsis"] + "x",)
    assert found.named_graphs == ("http://a.example/g",)
    assert not analyse("SELECT * WHERE { ?s ?p ?o }").has_dataset
    with pytest.raises(QueryRefused) as refused:
        analyse("LOAD <file:///etc/passwd>")
    assert refused.value.status == 403


# ---------------------------------------------------------------- 3. nesting

def nested(depth: int, opener: str = "(", closer: str = ")") -> str:
    return "SELECT * WHERE { FILTER(" + opener * depth + "1" + closer * depth + ") }"


@pytest.mark.parametrize("query", [
    nested(60),
    nested(2_000),  # was answered 200 through the IRI trick
    nested(20_000),  # crashed a worker
    # the IRI trick: from `<2)` to `#>` a lexer saw one IRI, the engine saw 2,000 and 20,000 levels
    "SELECT * WHERE { FILTER(1<2)FILTER(" + "(" * 2_000 + "1" + ")" * 2_000 + ")#>\n}",
    "SELECT * WHERE { FILTER(1<2)FILTER(" + "(" * 20_000 + "1" + ")" * 20_000 + ")#>\n}",
    "SELECT * WHERE { ?s ?p <x:" + "(" * 2_000 + "> }",  # inside an IRI: counted all the same
    'SELECT * WHERE { FILTER("' + ")" * 100 + '" != "x") FILTER(' + "(" * 40 + "1" + ")" * 40 + ") }",
    "SELECT * WHERE { " + "{ " * 60 + "?s ?p ?o" + " }" * 60 + " }",
    "SELECT * WHERE { " + "[ <x:p> " * 60 + "]" * 60 + " }",
    "SELECT * WHERE { FILTER(" + "\\u0028" * 2_000 + "1" + "\\u0029" * 2_000 + ") }",
    "SELECT * WHERE { VALUES ?x { " + "(1) " * 2_500 + "} }",  # too many brackets, however shallow
])
def test_deep_nesting_is_400_before_evaluation(server: WsisServer, query: str) -> None:
    t0 = time.perf_counter()
    status, _, body = fetch(server, "POST", "/sparql", query.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 400 and (b"nested" in body or b"brackets" in body), body
    assert time.perf_counter() - t0 < 2.0
    assert get_query(server, "ASK { ?s ?p ?o }")[0] == 200  # no worker was harmed


def test_the_bracket_count_skips_nothing() -> None:
    assert bracket_counts('"((((" <x:(((> # (((\n { }') == (11, 11)
    assert bracket_counts("))) ((") == (2, 2)


def test_the_parser_itself_copes_with_long_groups() -> None:
    """rdflib's grammar recurses per triple: a long but flat query parses (on its deep stack)."""
    query = "SELECT * WHERE { " + " ".join(f"?s{i} <http://a.example/p> ?o{i} ." for i in range(1500)) + " }"
    assert analyse(query).form == "SELECT"


# ---------------------------------------------------------------- 6. the worker pool recovers and is shared

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "ASK { ?s ?p ?o }"


def running(release: Path, limits: Limits) -> tuple[WsisServer, threading.Thread]:
    srv = make_server(release, port=0, limits=limits, quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    return srv, thread


def stop(srv: WsisServer, thread: threading.Thread) -> None:
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def poll(srv: WsisServer, want: int, seconds: float) -> tuple[int, dict[str, str], bytes]:
    deadline = time.monotonic() + seconds
    while True:
        response = get_query(srv, FAST)
        if response[0] == want or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


@pytest.mark.parametrize("source", ["store", "wsis-kg.nq"])  # the on-disk store, or an older release's N-Quads
def test_the_pool_recovers_when_the_release_comes_back(release: Path, tmp_path: Path, source: str,
                                                        caplog: pytest.LogCaptureFixture,
                                                        capfd: pytest.CaptureFixture[str]) -> None:
    import shutil

    dist = tmp_path / "dist"
    shutil.copytree(release, dist, ignore=shutil.ignore_patterns("store") if source != "store" else None)
    nq, away = dist / source, dist / "elsewhere"
    # no kept answers: every probe must reach the pool
    srv, thread = running(dist, Limits(workers=1, timeout=1.0, respawn_backoff=(0.2, 1.0), answer_cache_bytes=0))
    try:
        assert get_query(srv, FAST)[0] == 200
        nq.rename(away)  # the release is being replaced
        assert get_query(srv, SLOW)[0] == 503  # timed out: its worker is killed, and cannot be replaced
        t0 = time.perf_counter()
        status, headers, body = get_query(srv, FAST)
        assert status == 503 and b"no query worker is ready" in body, body
        assert int(headers["retry-after"]) >= 1
        assert time.perf_counter() - t0 < 1.0  # said at once, not after a wait
        deadline = time.monotonic() + 5
        while "could not start" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "could not start" in caplog.text and "trying again in" in caplog.text  # logged, with why
        assert source in caplog.text and "No such file" in caplog.text
        away.rename(nq)  # the release is back
        status, _, body = poll(srv, 200, 10)
        assert status == 200, body
        assert "started again" in caplog.text
        assert "Traceback" not in capfd.readouterr().err  # a missing release is a message, not a crash
    finally:
        stop(srv, thread)


@pytest.fixture(scope="module")
def pooled(release: Path) -> Iterator[WsisServer]:
    """Two workers, a two-second query timeout, half a second of waiting for a worker, and no kept
    answers (every probe must reach the pool)."""
    srv, thread = running(release, Limits(workers=2, timeout=2.0, queue_wait=0.5, answer_cache_bytes=0))
    yield srv
    stop(srv, thread)


def full_pool(srv: WsisServer) -> None:
    """Wait until every worker is idle (one killed by an earlier timeout may still be starting)."""
    deadline = time.monotonic() + 30
    while srv.app.pool.idle.qsize() < srv.app.pool.size and time.monotonic() < deadline:
        time.sleep(0.1)


def hog(srv: WsisServer, client: str, statuses: list[int]) -> threading.Thread:
    thread = threading.Thread(target=lambda: statuses.append(get_query(srv, SLOW, source=client)[0]))
    thread.start()
    return thread


def test_one_clients_slow_queries_do_not_delay_another_clients_query(pooled: WsisServer) -> None:
    full_pool(pooled)
    statuses: list[int] = []
    hogs = [hog(pooled, "127.0.0.2", statuses) for _ in range(3)]
    time.sleep(0.5)
    t0 = time.perf_counter()
    status, _, body = get_query(pooled, FAST, source="127.0.0.3")
    assert status == 200, body
    assert time.perf_counter() - t0 < 1.0
    for h in hogs:
        h.join(10)
    assert sorted(statuses) == [429, 429, 503]  # one ran (and timed out); the others were turned back


def test_a_query_waits_only_briefly_for_a_free_worker(pooled: WsisServer) -> None:
    full_pool(pooled)
    statuses: list[int] = []
    hogs = [hog(pooled, client, statuses) for client in ("127.0.0.2", "127.0.0.4")]  # every worker taken
    time.sleep(0.5)
    t0 = time.perf_counter()
    status, headers, body = get_query(pooled, FAST, source="127.0.0.3")
    assert status == 503 and b"busy" in body and "retry-after" in headers
    assert time.perf_counter() - t0 < 1.5  # half a second of waiting, not the slow queries' two
    for h in hogs:
        h.join(10)
    assert statuses == [503, 503]


# ---------------------------------------------------------------- 7. connections

@pytest.fixture(scope="module")
def tight(release: Path) -> Iterator[WsisServer]:
    """A server with a one-second request deadline, room for 48 connections and 8 served at once."""
    srv, thread = running(release, Limits(workers=1, request_timeout=1.0, max_connections=48, max_threads=8))
    yield srv
    stop(srv, thread)


def closed_by_server(socks: list[socket.socket]) -> list[bytes]:
    """What each socket got before the server closed it: b"" (closed silently) or a 503 (turned away)."""
    seen = []
    for s in socks:
        s.settimeout(5)
        first = s.recv(4096)
        assert first == b"" or (first.startswith(b"HTTP/1.1 503") and s.recv(4096) == b""), first
        seen.append(first[:12])
    return seen


def test_half_open_connections_cost_no_thread_and_are_closed(tight: WsisServer) -> None:
    srv = tight
    host, port = str(srv.server_address[0]), int(srv.server_address[1])
    socks: list[socket.socket] = []
    try:
        base = threading.active_count()
        socks = [socket.create_connection((host, port)) for _ in range(40)]  # connect, send nothing
        time.sleep(0.3)
        assert threading.active_count() <= base + 1  # they wait in the lobby, not on threads
        t0 = time.perf_counter()
        assert fetch(srv, "GET", "/sparql?" + urlencode({"query": FAST}))[0] == 200  # served meanwhile
        assert time.perf_counter() - t0 < 1.0
        socks += [socket.create_connection((host, port)) for _ in range(20)]  # past the 48 allowed
        t0 = time.perf_counter()
        status, headers, _ = fetch(srv, "GET", "/sparql?" + urlencode({"query": FAST}))
        assert status == 503 and headers["retry-after"] and time.perf_counter() - t0 < 1.0
        # the silent ones are closed once the request deadline passes, and requests are served again
        seen = closed_by_server(socks)
        assert seen.count(b"") >= 40 and len(seen) == 60
        assert get_query(srv, FAST)[0] == 200
        assert threading.active_count() <= base + 2
    finally:
        for s in socks:
            s.close()


def test_requests_begun_and_never_finished_hold_few_threads(tight: WsisServer) -> None:
    srv = tight
    host, port = str(srv.server_address[0]), int(srv.server_address[1])
    socks: list[socket.socket] = []
    try:
        base = threading.active_count()
        for _ in range(12):
            s = socket.create_connection((host, port))
            s.sendall(b"GET /sparql HTTP/1.1\r\n")  # the request begins and never ends
            socks.append(s)
        time.sleep(0.5)
        assert threading.active_count() <= base + 8
        seen = closed_by_server(socks)  # 8 served until their deadline, the other 4 turned away
        assert seen.count(b"HTTP/1.1 503") == 4 and seen.count(b"") == 8
        assert get_query(srv, FAST)[0] == 200
    finally:
        for s in socks:
            s.close()


def test_a_request_trickled_in_misses_its_deadline(tight: WsisServer) -> None:
    srv = tight
    host, port = srv.server_address[:2]
    with socket.create_connection((str(host), int(port))) as s:
        s.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        closed = False
        while time.monotonic() - t0 < 4:
            try:
                s.sendall(b"X")  # a byte every 0.3 s: each read is quick, the request never ends
            except OSError:
                closed = True
                break
            s.settimeout(0.3)
            try:
                if s.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        assert closed and time.monotonic() - t0 < 2.5
    assert get_query(srv, FAST)[0] == 200


def test_accepted_sockets_send_without_delay(server: WsisServer) -> None:
    """TCP_NODELAY on every accepted socket: a response is not held back waiting for a delayed ACK."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
    try:
        for _ in range(3):  # keep-alive: one connection, several requests, each whole
            conn.request("GET", "/sparql?" + urlencode({"query": FAST}),
                         headers={"Accept": "application/sparql-results+json"})
            resp = conn.getresponse()
            assert resp.status == 200 and json.loads(resp.read())["boolean"] is True
        # the server's end of it now waits for the next request, under its deadline: look at its options
        local = conn.sock.getsockname()
        deadline = time.monotonic() + 5
        served: list[socket.socket] = []
        while not served and time.monotonic() < deadline:
            with server.deadline_lock:
                served = [c for c in server.deadlines if c.getpeername() == local]
            time.sleep(0.02)
        assert served and served[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        conn.close()
