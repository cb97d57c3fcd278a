"""`wsis-kg query NAME --endpoint URL`: every competency query gives the same answer through a SPARQL
endpoint (the one `wsis-kg serve` runs) as locally; user values are bound as RDF terms in a VALUES
block, never pasted into the query; a bad URL, a refused connection and a timeout are clear errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from wsis_kg.cli import main
from wsis_kg.errors import EnvironmentProblem, InputError
from wsis_kg.query import list_queries, run_local
from wsis_kg.remote import bind_query, run_remote, values_block
from wsis_kg.serve import Limits, WsisServer, make_server
from wsis_kg.sparqlscan import where_brace

ROOT = Path(__file__).resolve().parents[1]
QUERIES = list_queries(ROOT / "queries")


def _bindings_by_query() -> dict[str, list[dict[str, str]]]:
    """The bindings the competency tests use, so that the bound forms are compared too."""
    found: dict[str, list[dict[str, str]]] = {}

    def walk(x: object, acc: list[dict[str, str]]) -> None:
        if isinstance(x, dict):
            if isinstance(x.get("bind"), dict):
                acc.append({str(k): str(v) for k, v in x["bind"].items()})
            for v in x.values():
                walk(v, acc)
        elif isinstance(x, list):
            for v in x:
                walk(v, acc)

    for path in sorted((ROOT / "tests" / "cq").glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        acc: list[dict[str, str]] = []
        walk(spec, acc)
        if isinstance(spec, dict) and "query" in spec:
            found.setdefault(str(spec["query"]), []).extend(acc)
    return found


BINDINGS = _bindings_by_query()


@pytest.fixture(scope="module")
def endpoint(release: Path) -> Iterator[str]:
    srv = make_server(release, port=0, limits=Limits(timeout=5, workers=2), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.base_url + "sparql"
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def slow_endpoint(release: Path) -> Iterator[WsisServer]:
    srv = make_server(release, port=0, limits=Limits(timeout=4, workers=2), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_there_are_queries_to_compare() -> None:
    assert len(QUERIES) >= 1


@pytest.mark.parametrize("name", [q.name for q in QUERIES])
def test_query_gives_the_same_answer_through_the_endpoint(store: ox.Store, endpoint: str, name: str) -> None:
    query = next(q for q in QUERIES if q.name == name)
    for bindings in [{}, *BINDINGS.get(name, [])]:
        local = run_local(store, query.text, bindings)
        remote = run_remote(endpoint, query.text, bindings, timeout=30)
        assert remote == local, bindings


def test_bound_values_are_terms_not_query_text(endpoint: str, store: ox.Store) -> None:
    hostile = 'x" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER("'
    odd = 'line\nbreak "quoted" \\ back\tslash é 🙂'
    query = "SELECT ?v WHERE { }"
    for value in (hostile, odd, "<https://w3id.org/wsis-kg/id/action-line/C5>", "42"):
        variables, rows = run_remote(endpoint, query, {"v": value}, timeout=30)
        expected = value.strip("<>") if value.startswith("<") else value
        assert variables == ["v"] and rows == [{"v": expected}]
    block = values_block({"v": hostile})
    assert block == 'VALUES (?v) { ("x\\" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER(\\"") }'


def test_bad_bindings_are_input_errors() -> None:
    with pytest.raises(InputError, match="variable"):
        values_block({"not a var": "x"})
    with pytest.raises(InputError, match="IRI"):
        values_block({"v": "<http://a.example/has space>"})


def test_values_go_into_the_outer_where_group() -> None:
    assert where_brace("SELECT * WHERE { ?s ?p ?o }") == len("SELECT * WHERE {")
    q = 'PREFIX x: <http://a.example/x#> SELECT ?s # { not this\nWHERE { { SELECT ?s { ?s ?p "}" } } }'
    assert q[: where_brace(q)].endswith("WHERE {")
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert q[: where_brace(q)] == "CONSTRUCT { ?s ?p ?o } WHERE {"
    q = "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }"
    assert q[: where_brace(q)] == "CONSTRUCT { ?s ?p ?o } {"
    assert where_brace("CONSTRUCT WHERE { ?s ?p ?o }") is None
    assert bind_query("CONSTRUCT WHERE { ?s ?p ?o }", {"s": "1"}).rstrip().endswith('VALUES (?s) { ("1"^^'
                                                                                    '<http://www.w3.org/2001/'
                                                                                    'XMLSchema#integer>) }')


def test_a_comment_that_reads_like_an_update_does_not_turn_the_query_into_one(endpoint: str) -> None:
    """SPARQLWrapper strips every other comment line and then sees ADD in "additional": it would send the
    query as an update (and this endpoint would answer 403)."""
    query = "# first line\n# what additional themes should be added?\nSELECT ?x WHERE { BIND(1 AS ?x) }"
    assert run_remote(endpoint, query, {}, timeout=30) == (["x"], [{"x": "1"}])


def test_endpoint_errors_are_clear(slow_endpoint: WsisServer) -> None:
    with pytest.raises(InputError, match="not an http"):
        run_remote("ftp://example.org/sparql", "ASK {}", {}, timeout=5)
    with pytest.raises(InputError, match="not an http"):
        run_remote("localhost:8000/sparql", "ASK {}", {}, timeout=5)
    with pytest.raises(EnvironmentProblem, match="cannot reach"):
        run_remote("http://127.0.0.1:9/sparql", "ASK {}", {}, timeout=5)
    with pytest.raises(InputError, match="refused the query"):
        run_remote(slow_endpoint.base_url + "sparql", "SELECT ?x WHERE { ?x }", {}, timeout=5)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(EnvironmentProblem, match="did not answer within 1 s"):
        run_remote(slow_endpoint.base_url + "sparql", slow, {}, timeout=1)  # the server would allow 4 s


def test_cli_query_through_an_endpoint_prints_what_the_local_run_prints(release: Path, endpoint: str) -> None:
    runner = CliRunner()
    name = QUERIES[0].name
    local = runner.invoke(main, ["--dist", str(release), "query", name, "--format", "csv"])
    remote = runner.invoke(main, ["--dist", str(release), "query", name, "--format", "csv", "--endpoint", endpoint])
    assert local.exit_code == remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout and remote.stdout.count("\n") > 1
    refused = runner.invoke(main, ["query", name, "--endpoint", "http://127.0.0.1:9/sparql"])
    assert refused.exit_code == 2 and "cannot reach" in refused.output and "Traceback" not in refused.output
