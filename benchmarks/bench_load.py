"""`wsis-kg serve` under load, beside `oxigraph serve-read-only` on the same on-disk store, in one run.

Run:  python benchmarks/bench_load.py --dist DIR [--clients 16] [--page-seconds 5] [--query-seconds 60]

For each server, started as a command of its own on a free loopback port: the time until it answers a
query; the memory of its whole process tree (RSS, and PSS, which shares the pages processes have in
common fairly), sampled all along, the largest figure kept; entity lookups per second over kept-alive
connections (wsis-kg: the HTML page of an entity; Oxigraph has no pages, so `DESCRIBE <entity>`); and
every competency query, sent by `--clients` concurrent clients, each from its own loopback address
(127.0.0.2, 127.0.0.3, ...: wsis-kg limits the queries one address may run at once), with the median
latency per query and every answer that was not 2xx. Both servers get the same query texts, the
project's prefixes declared in them, and the union of the named graphs as default graph. Traffic goes
to loopback only, and every phase stops at its time limit. This is a benchmark, not a test: it prints
figures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pyoxigraph as ox  # noqa: E402

from wsis_kg.prefixes import BASE, PREFIXES  # noqa: E402
from wsis_kg.query import list_queries  # noqa: E402
from wsis_kg.store import STORE_DIR  # noqa: E402

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
JSON = "application/sparql-results+json"


# ---------------------------------------------------------------- a minimal HTTP/1.1 client


class Connection:
    """One kept-alive connection from a given loopback address; cheap enough per request that the load
    generator does not measure itself."""

    def __init__(self, port: int, source: str = HOST) -> None:
        self.port, self.source = port, source
        self.sock: socket.socket | None = None

    def _open(self) -> socket.socket:
        sock = socket.create_connection((HOST, self.port), timeout=60, source_address=(self.source, 0))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def get(self, target: str, accept: str) -> tuple[int, dict[str, str], bytes]:
        request = f"GET {target} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nAccept: {accept}\r\n\r\n".encode()
        for attempt in (0, 1):  # a server may close a kept-alive connection: open a new one once
            if self.sock is None:
                self.sock = self._open()
            try:
                self.sock.sendall(request)
                return self._response()
            except (ConnectionError, OSError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _response(self) -> tuple[int, dict[str, str], bytes]:
        assert self.sock is not None
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(body) < length:
                chunk = self.sock.recv(max(65536, length - len(body)))
                if not chunk:
                    raise ConnectionError("closed")
                body += chunk
        elif headers.get("transfer-encoding") == "chunked":
            body = self._chunked(body)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def _chunked(self, data: bytes) -> bytes:
        assert self.sock is not None
        out = b""
        while True:
            while b"\r\n" not in data:
                data += self.sock.recv(65536)
            size_line, _, data = data.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(data) < size + 2:
                data += self.sock.recv(65536)
            out, data = out + data[:size], data[size + 2:]
            if size == 0:
                return out

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


# ---------------------------------------------------------------- the servers


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    sparql: str  # path of the query endpoint
    process: subprocess.Popen[bytes] | None = None
    startup: float = 0.0
    rss: int = 0
    pss: int = 0
    stop_sampling: threading.Event = field(default_factory=threading.Event)
    log: IO[bytes] = field(default_factory=tempfile.TemporaryFile)

    def query_target(self, text: str) -> str:
        return f"{self.sparql}?{urlencode({'query': text})}"

    def start(self, limit: float) -> None:
        t0 = time.perf_counter()
        # its log goes to a file: a pipe nobody reads would fill and stop the server mid-run
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=self.log)
        threading.Thread(target=self._sample, daemon=True).start()
        conn = Connection(self.port)
        while time.perf_counter() - t0 < limit:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"{self.name} stopped: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                status, _, _ = conn.get(self.query_target("ASK {}"), JSON)
                if status == 200:
                    self.startup = time.perf_counter() - t0
                    conn.close()
                    return
            except OSError:
                conn.close()
            time.sleep(0.05)
        raise SystemExit(f"{self.name} did not answer within {limit:.0f} s")

    def _sample(self) -> None:
        while not self.stop_sampling.wait(0.25):
            if self.process is None or self.process.poll() is not None:
                return
            rss, pss = tree_memory(self.process.pid)
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)

    def stop(self) -> None:
        self.stop_sampling.set()
        if self.process is not None:
            self.process.terminate()  # wsis-kg stops its workers on SIGTERM
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def tree_memory(pid: int) -> tuple[int, int]:
    """RSS and PSS in bytes of a process and all its descendants."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry))
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- load


def status_of(conn: Connection, target: str, accept: str) -> int:
    """The answer's status; 0 for a connection refused, reset or timed out (counted, not fatal)."""
    try:
        return conn.get(target, accept)[0]
    except OSError:
        conn.close()
        time.sleep(0.05)
        return 0


def _lookups(port: int, targets: list[str], accept: str, seconds: float, seed: int) -> tuple[int, Counter[int]]:
    conn, statuses = Connection(port), Counter[int]()
    order = targets[:]
    random.Random(seed).shuffle(order)
    deadline, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline:
        statuses[status_of(conn, order[n % len(order)], accept)] += 1
        n += 1
    conn.close()
    return n, statuses


def lookups_per_second(port: int, targets: list[str], accept: str, clients: int, seconds: float
                       ) -> tuple[float, Counter[int]]:
    with multiprocessing.Pool(clients) as pool:
        t0 = time.perf_counter()
        done = pool.starmap(_lookups, [(port, targets, accept, seconds, i) for i in range(clients)])
        elapsed = time.perf_counter() - t0
    statuses: Counter[int] = Counter()
    for _, s in done:
        statuses.update(s)
    return sum(n for n, _ in done) / elapsed, statuses


def _queries(port: int, targets: list[tuple[str, str]], seconds: float, rounds: int, client: int
             ) -> list[tuple[str, int, float]]:
    conn = Connection(port, source=f"127.0.0.{2 + client}")
    order = targets * rounds
    random.Random(client).shuffle(order)
    out, deadline = [], time.perf_counter() + seconds
    for name, target in order:
        if time.perf_counter() >= deadline:
            break
        t0 = time.perf_counter()
        status = status_of(conn, target, JSON)
        out.append((name, status, (time.perf_counter() - t0) * 1000))
    conn.close()
    return out


def concurrent_queries(server: Server, texts: dict[str, str], clients: int, seconds: float, rounds: int
                       ) -> dict[str, list[tuple[int, float]]]:
    targets = [(name, server.query_target(text)) for name, text in texts.items()]
    with multiprocessing.Pool(clients) as pool:
        done = pool.starmap(_queries, [(server.port, targets, seconds, rounds, i) for i in range(clients)])
    by_query: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for client in done:
        for name, status, ms in client:
            by_query[name].append((status, ms))
    return by_query


# ---------------------------------------------------------------- the run


def entities(store_path: Path, count: int) -> list[str]:
    store = ox.Store.read_only(str(store_path))
    found = store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s <{PREFIXES['rdfs']}label> ?l }} "
                        f"FILTER(STRSTARTS(STR(?s), \"{BASE}id/\")) }} LIMIT {count * 20}")
    assert isinstance(found, ox.QuerySolutions)
    iris = sorted(str(row["s"].value) for row in found)
    return random.Random(0).sample(iris, min(count, len(iris)))


def page_paths(port: int, iris: list[str]) -> list[str]:
    """The page a browser is sent to for each entity IRI (its 303)."""
    conn, paths = Connection(port), []
    for iri in iris:
        status, headers, _ = conn.get("/" + quote(iri[len(BASE):]), "text/html")
        if status == 303:
            paths.append(headers["location"])
    conn.close()
    return paths


def report(server: Server, rate: float, statuses: Counter[int], results: dict[str, list[tuple[int, float]]],
           what: str) -> None:
    print(f"\n== {server.name}")
    print(f"startup {server.startup:.1f} s; memory of the process tree: RSS {server.rss / 2**20:.0f} MiB, "
          f"PSS {server.pss / 2**20:.0f} MiB (largest sampled)")
    print(f"{what}: {rate:.0f} requests/s ({dict(statuses)})")
    print(f"{'query':32} {'n':>4} {'median ms':>10} {'max ms':>10}  non-2xx")
    bad_total = 0
    medians = []
    for name in sorted(results):
        runs = results[name]
        ok = [ms for status, ms in runs if 200 <= status < 300]
        bad = Counter(status for status, _ in runs if not 200 <= status < 300)
        bad_total += sum(bad.values())
        median = statistics.median(ok) if ok else float("nan")
        medians.append(median)
        print(f"{name:32} {len(runs):4d} {median:10.1f} {max(ok, default=float('nan')):10.1f}  {dict(bad) or ''}")
    print(f"largest median {max(medians, default=float('nan')):.1f} ms; {bad_total} non-2xx answers")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path, default=ROOT / "dist", help="a release with a store/")
    ap.add_argument("--clients", type=int, default=16, help="concurrent query clients")
    ap.add_argument("--page-clients", type=int, default=4, help="concurrent entity-page clients")
    ap.add_argument("--page-seconds", type=float, default=5.0)
    ap.add_argument("--query-seconds", type=float, default=60.0, help="time limit of the query phase")
    ap.add_argument("--rounds", type=int, default=1, help="times each client sends every query")
    ap.add_argument("--workers", type=int, default=2, help="wsis-kg serve's query workers")
    ap.add_argument("--start-seconds", type=float, default=300.0)
    ap.add_argument("--only", choices=["wsis-kg", "oxigraph"])
    ap.add_argument("--src", type=Path, default=ROOT / "src",
                    help="the wsis_kg sources serve runs from (another checkout's, to compare versions)")
    args = ap.parse_args()
    release = args.dist.resolve()
    store = release / STORE_DIR
    if not store.is_dir():
        raise SystemExit(f"{release} has no {STORE_DIR}/: build it with `wsis-kg build`")
    declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    texts = {q.name: declared + q.text for q in list_queries(ROOT / "queries")}
    iris = entities(store, 200)
    env_path = os.pathsep.join(p for p in (str(args.src), os.environ.get("PYTHONPATH")) if p)
    os.environ["PYTHONPATH"] = env_path
    servers = []
    if args.only != "oxigraph":
        port = free_port()
        servers.append(Server("wsis-kg serve", [str(BIN / "wsis-kg"), "--project", str(ROOT), "--dist", str(release),
                                                "serve", "--port", str(port), "--workers", str(args.workers)],
                              port, "/sparql"))
    if args.only != "wsis-kg":
        port = free_port()
        servers.append(Server("oxigraph serve-read-only", [str(BIN / "oxigraph"), "serve-read-only", "--location",
                                                           str(store), "--bind", f"{HOST}:{port}",
                                                           "--union-default-graph"], port, "/query"))
        # no --timeout-s: with it, oxigraph 0.5.13 failed every request after about 16,000 and then aborted
        # ("failed to allocate an alternative stack") in this benchmark
    print(f"release {release}: {len(ox.Store.read_only(str(store)))} quads; {len(iris)} entities; "
          f"{len(texts)} competency queries, {args.clients} clients")
    for server in servers:
        server.start(args.start_seconds)
        try:
            if server.sparql == "/sparql":
                targets, accept, what = page_paths(server.port, iris), "text/html", "entity pages"
            else:
                targets = [server.query_target(f"DESCRIBE <{iri}>") for iri in iris]
                accept, what = "text/turtle", "DESCRIBE <entity>"
            rate, statuses = lookups_per_second(server.port, targets, accept, args.page_clients, args.page_seconds)
            results = concurrent_queries(server, texts, args.clients, args.query_seconds, args.rounds)
            time.sleep(0.5)  # one more memory sample after the load
            if server.process is not None and server.process.poll() is not None:
                server.log.seek(0)
                said = server.log.read().decode(errors="replace").strip().splitlines()[-3:]
                print(f"{server.name} exited during the run with status {server.process.returncode}: {said}")
        finally:
            server.stop()
        report(server, rate, statuses, results, what)


if __name__ == "__main__":
    main()
