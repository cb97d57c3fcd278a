"""`wsis-kg publish`: the release goes into real triple stores through the SPARQL 1.1 Graph Store
Protocol, graph by graph, replacing on re-publish; afterwards the competency queries answer on the
store as they do locally.

Oxigraph is started here (the `oxigraph` command of the PyPI package) on a free loopback port.
Virtuoso is started by .ci/setup-publishing.sh, which exports WSIS_KG_VIRTUOSO_URL; without it the
Virtuoso tests are skipped, saying so."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from test_remote import BINDINGS  # the bindings the competency tests use
from wsis_kg.cli import main
from wsis_kg.errors import EnvironmentProblem, InputError
from wsis_kg.publish import GraphStore, format_report, publish, release_graphs
from wsis_kg.query import Row, list_queries, run_local
from wsis_kg.remote import run_remote

ROOT = Path(__file__).resolve().parents[1]
QUERIES = list_queries(ROOT / "queries")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the store exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = free_port()
    process = subprocess.Popen(
        [exe, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def local_counts(release: Path) -> dict[str, int]:
    return {g: len(t) for g, t in release_graphs(release).items()}


# ---------------------------------------------------------------- Oxigraph


def test_publish_to_oxigraph_replaces_and_reports_counts(release: Path, oxigraph_url: str) -> None:
    store = GraphStore(oxigraph_url + "/store")
    counts = local_counts(release)
    first = publish(release, store)
    assert {r.graph: r.before for r in first} == dict.fromkeys(counts)
    assert {r.graph: r.after for r in first} == counts

    # a stale triple in a published graph is gone after the next publish: PUT replaces, never adds
    reference = "https://w3id.org/wsis-kg/graph/reference"
    stale = b'<https://w3id.org/wsis-kg/id/stale> <http://www.w3.org/2000/01/rdf-schema#label> "stale" .\n'
    store.request("POST", reference, stale, {"Content-Type": "application/n-triples"})
    assert store.count(reference) == counts[reference] + 1
    second = publish(release, store)
    assert {r.graph: r.before for r in second} == {g: n + (g == reference) for g, n in counts.items()}
    assert {r.graph: r.after for r in second} == counts
    assert "total" in format_report(second)


@pytest.fixture(scope="module")
def oxigraph_published(release: Path, oxigraph_url: str) -> str:
    publish(release, GraphStore(oxigraph_url + "/store"))
    return oxigraph_url


@pytest.mark.parametrize("name", [q.name for q in QUERIES])
def test_competency_queries_answer_on_oxigraph_as_locally(store: ox.Store, oxigraph_published: str,
                                                          name: str) -> None:
    query = next(q for q in QUERIES if q.name == name)
    for bindings in [{}, *BINDINGS.get(name, [])]:
        remote = run_remote(oxigraph_published + "/query", query.text, bindings, 30)
        assert normalise(remote) == normalise(run_local(store, query.text, bindings)), bindings


def test_publish_command_prints_counts_before_and_after(release: Path, oxigraph_url: str) -> None:
    result = CliRunner().invoke(main, ["--dist", str(release), "publish", "--store", oxigraph_url + "/store"])
    assert result.exit_code == 0, result.output
    total = next(line for line in result.stdout.splitlines() if line.startswith("total")).split()
    assert total[2] == total[3] == str(sum(local_counts(release).values()))
    refused = CliRunner().invoke(main, ["--dist", str(release), "publish", "--store", "http://127.0.0.1:9/store"])
    assert refused.exit_code == 2 and "cannot reach" in refused.output and "Traceback" not in refused.output


def test_publish_errors_are_clear(release: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an http"):
        GraphStore("file:///tmp/store")
    with pytest.raises(EnvironmentProblem, match="cannot reach"):
        publish(release, GraphStore(f"http://127.0.0.1:{free_port()}/store", timeout=5))
    with pytest.raises(InputError, match="wsis-kg build"):
        publish(tmp_path, GraphStore("http://127.0.0.1:9/store"))


# ---------------------------------------------------------------- Virtuoso

VIRTUOSO = os.environ.get("WSIS_KG_VIRTUOSO_URL", "").rstrip("/")
needs_virtuoso = pytest.mark.skipif(not VIRTUOSO, reason="WSIS_KG_VIRTUOSO_URL is not set: Virtuoso is not "
                                    "running (start it with `. .ci/setup-publishing.sh`)")

def virtuoso_store() -> GraphStore:
    return GraphStore(VIRTUOSO + "/sparql-graph-crud-auth", os.environ.get("WSIS_KG_VIRTUOSO_USER", "dba"),
                      os.environ.get("WSIS_KG_VIRTUOSO_PASSWORD", "dba"))


def virtuoso_endpoint(release: Path) -> str:
    """Virtuoso's default graph holds its own system graphs: name ours as the default graph."""
    return VIRTUOSO + "/sparql?" + urlencode([("default-graph-uri", g) for g in local_counts(release)])


def normalise(answer: tuple[list[str], list[Row]], virtuoso: bool = False
              ) -> tuple[list[str], list[tuple[str | None, ...]]]:
    """Forgive what SPARQL leaves to the engine and nothing else: the order of rows with equal sort keys
    and the order of GROUP_CONCAT's members (whatever the separator, a cell is compared as the multiset
    of its words); on Virtuoso also "" for an empty GROUP_CONCAT and 1/0 for booleans."""

    def cell(v: str | None) -> str | None:
        if virtuoso:
            v = {"true": "1", "false": "0", None: ""}.get(v, v)  # type: ignore[arg-type]
        return None if v is None else " ".join(sorted(v.replace(";", " ").split()))

    variables, rows = answer
    return variables, sorted((tuple(cell(r[v]) for v in variables) for r in rows), key=repr)


@needs_virtuoso
def test_publish_to_virtuoso_replaces_and_reports_counts(release: Path) -> None:
    store = virtuoso_store()
    counts = local_counts(release)
    for graph in counts:
        store.delete(graph)
    first = publish(release, store)
    assert {r.graph: r.before for r in first} == dict.fromkeys(counts)
    assert {r.graph: r.after for r in first} == counts
    second = publish(release, store)
    assert {r.graph: (r.before, r.after) for r in second} == {g: (n, n) for g, n in counts.items()}


@needs_virtuoso
def test_virtuoso_refuses_a_wrong_password_clearly(release: Path) -> None:
    with pytest.raises(EnvironmentProblem, match=r"refused .* to user 'dba'"):
        publish(release, GraphStore(VIRTUOSO + "/sparql-graph-crud-auth", "dba", "not-the-password"))


@needs_virtuoso
def test_virtuoso_answers_more_than_10000_rows_untruncated(virtuoso_published: str, store: ox.Store) -> None:
    query = "SELECT ?s ?p ?o ?k WHERE { ?s ?p ?o VALUES ?k { 1 2 3 } }"
    local = run_local(store, query)
    assert len(local[1]) > 10000  # Virtuoso's default ResultSetMaxRows would cut this silently
    assert len(run_remote(virtuoso_published, query, {}, 60)[1]) == len(local[1])


@pytest.fixture(scope="module")
def virtuoso_published(release: Path) -> str:
    publish(release, virtuoso_store())
    return virtuoso_endpoint(release)


@needs_virtuoso
@pytest.mark.parametrize("name", [q.name for q in QUERIES])
def test_competency_queries_answer_on_virtuoso_as_locally(store: ox.Store, virtuoso_published: str, name: str) -> None:
    query = next(q for q in QUERIES if q.name == name)
    for bindings in [{}, *BINDINGS.get(name, [])]:
        remote = run_remote(virtuoso_published, query.text, bindings, 60)
        local = run_local(store, query.text, bindings)
        assert normalise(remote, virtuoso=True) == normalise(local, virtuoso=True), bindings
