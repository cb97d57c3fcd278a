"""Time the endpoint's requests next to the raw cost of the same work in the libraries.

Run:  python benchmarks/bench_serve.py [--dist DIR] [--repeat N]

Prints, per competency query: the engine's own time (pyoxigraph in this process), the parse-based check
(rdflib's grammar, as the worker runs it the first time it sees a query; it
remembers the answer for the next time) and the whole request over HTTP on a kept-alive connection, the
first time (a worker evaluates it) and again (the server gives the answer it kept); then a trivial ASK
over a kept-alive connection and over a new connection per request, which shows the fixed cost of a
request (a delayed-ACK floor would show here as ~40 ms). The engine runs on the release's store, as
serve's workers do. This is a benchmark, not a
test: it prints figures.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wsis_kg.namespaces import PREFIXES  # noqa: E402
from wsis_kg.query import list_queries, load_store  # noqa: E402
from wsis_kg.serve import Limits, make_server  # noqa: E402
from wsis_kg.sparqlcheck import analyse_uncached  # noqa: E402


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path, help="a built release (default: build one into a temporary folder)")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    dist = args.dist
    if dist is None:
        from wsis_kg.build import run_build
        from wsis_kg.project import Project

        dist = Path(tempfile.mkdtemp()) / "dist"
        run_build(Project(ROOT, dist), reason=False)
    store = load_store(dist)
    srv = make_server(dist, port=0, limits=Limits(workers=2), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    host, port = str(srv.server_address[0]), int(srv.server_address[1])
    conn = http.client.HTTPConnection(host, port, timeout=30)  # opened anew before each series: the server
    accept = {"Accept": "application/sparql-results+json"}

    def over_http(query: str, keep: http.client.HTTPConnection | None = None) -> None:
        c = keep or http.client.HTTPConnection(host, port, timeout=30)
        c.request("GET", "/sparql?" + urlencode({"query": query}), headers=accept)
        resp = c.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"{resp.status} for {query[:60]}")
        if keep is None:
            c.close()

    try:
        print(f"{'query':32} {'engine ms':>10} {'check ms':>10} {'HTTP first':>10} {'HTTP again':>10}")
        for q in list_queries(ROOT / "queries"):
            engine = median_ms(lambda q=q: list(store.query(q.text, prefixes=PREFIXES, use_default_graph_as_union=True)
                                                ), args.repeat)
            check = median_ms(lambda q=q: analyse_uncached(q.text, PREFIXES), args.repeat)
            conn.close()  # closes an idle connection after its request timeout
            first = median_ms(lambda q=q: over_http(q.text, conn), 1)
            again = median_ms(lambda q=q: over_http(q.text, conn), args.repeat)
            print(f"{q.name:32} {engine:10.1f} {check:10.1f} {first:10.1f} {again:10.1f}")
        ask = "ASK { ?s ?p ?o }"
        raw = median_ms(lambda: bool(store.query(ask, use_default_graph_as_union=True)), args.repeat * 5)
        conn.close()
        kept = median_ms(lambda: over_http(ask, conn), args.repeat * 5)
        fresh = median_ms(lambda: over_http(ask), args.repeat * 5)
        print(f"\nASK: engine {raw:.2f} ms; HTTP kept-alive {kept:.2f} ms; HTTP new connection {fresh:.2f} ms")
    finally:
        conn.close()
        srv.shutdown()
        srv.server_close()
        thread.join(5)


if __name__ == "__main__":
    main()
