"""`wsis-kg serve`: the SPARQL 1.1 Protocol endpoint, its refusals and limits, its timeout, linked-data
dereferencing and CORS, against a server started on a free loopback port."""

from __future__ import annotations

import csv
import http.client
import io
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from wsis_kg.cli import main
from wsis_kg.serve import Limits, WsisServer, check_query, make_server, negotiate

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 2.0
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(release: Path) -> Iterator[WsisServer]:
    srv = make_server(release, port=0, limits=Limits(timeout=TIMEOUT, workers=2), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


Response = tuple[int, dict[str, str], bytes]


def fetch(server: WsisServer, method: str, path: str, body: bytes | None = None,
          headers: dict[str, str] | None = None, timeout: float = 30, source: str | None = None) -> Response:
    """One request on a new connection; `source` is the client's loopback address (127.0.0.2 and so on
    stand for other clients)."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def get_query(server: WsisServer, query: str, accept: str = "application/sparql-results+json",
              source: str | None = None, **params: str) -> Response:
    return fetch(server, "GET", "/sparql?" + urlencode({"query": query, **params}), headers={"Accept": accept},
                 source=source)


COUNT_RECS = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a wsis:Recommendation }"


def local_count(store: ox.Store) -> int:
    result = store.query(COUNT_RECS, use_default_graph_as_union=True,
                         prefixes={"wsis": "https://w3id.org/wsis-kg/ontology#"})
    return int(next(iter(result))["n"].value)


# ---------------------------------------------------------------- protocol


def test_binds_to_loopback_by_default(server: WsisServer) -> None:
    assert server.server_address[0] == "127.0.0.1"
    assert server.base_url.startswith("http://127.0.0.1:")


def test_get_and_post_answer_in_json_xml_csv_and_tsv(server: WsisServer, store: ox.Store) -> None:
    n = local_count(store)
    status, headers, body = get_query(server, COUNT_RECS)
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(n)

    status, headers, body = fetch(server, "POST", "/sparql", urlencode({"query": COUNT_RECS}).encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded",
                                   "Accept": "application/sparql-results+xml"})
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert ET.fromstring(body).find(".//r:binding[@name='n']/r:literal", ns).text == str(n)  # type: ignore[union-attr]

    status, headers, body = fetch(server, "POST", "/sparql", COUNT_RECS.encode(),
                                  {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(body.decode()))) == [["n"], [str(n)]]

    status, headers, body = get_query(server, COUNT_RECS, accept="text/tab-separated-values")
    assert status == 200 and headers["content-type"].startswith("text/tab-separated-values")
    assert body.decode().split() == ["?n", str(n)]  # TSV writes an xsd:integer as a Turtle number

    status, _, body = get_query(server, "ASK { al:C5 a wsis:ActionLine }")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_construct_and_describe_in_turtle_and_ntriples(server: WsisServer) -> None:
    for query in ("CONSTRUCT WHERE { al:C5 ?p ?o }", "DESCRIBE al:C5"):
        status, headers, body = get_query(server, query, accept="text/turtle")
        assert status == 200 and headers["content-type"].startswith("text/turtle")
        turtle = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        status, headers, body = get_query(server, query, accept="application/n-triples")
        assert status == 200 and headers["content-type"].startswith("application/n-triples")
        nt = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        assert set(turtle) == set(nt) and len(nt) > 3
        assert all(t.subject.value == "https://w3id.org/wsis-kg/id/action-line/C5" for t in nt)


def test_named_graph_protocol_parameters(server: WsisServer) -> None:
    reference = "https://w3id.org/wsis-kg/graph/reference"
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = int(json.loads(get_query(server, q)[2])["results"]["bindings"][0]["n"]["value"])
    part = int(json.loads(get_query(server, q, **{"default-graph-uri": reference})[2])
               ["results"]["bindings"][0]["n"]["value"])
    assert 0 < part < whole


def test_malformed_query_is_400(server: WsisServer) -> None:
    status, _, body = get_query(server, "SELECT ?x WHERE { ?x ?y }")
    assert status == 400 and b"malformed" in body
    status, _, _ = fetch(server, "GET", "/sparql?query=1&query=2")
    assert status == 400


def test_wrong_media_type_is_415_and_unacceptable_result_type_406(server: WsisServer) -> None:
    status, _, _ = fetch(server, "POST", "/sparql", COUNT_RECS.encode(), {"Content-Type": "text/plain"})
    assert status == 415
    status, _, _ = get_query(server, COUNT_RECS, accept="image/png")
    assert status == 406


@pytest.mark.parametrize("method,path,body,ctype", [
    ("POST", "/sparql", b"INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }", "application/sparql-update"),
    ("POST", "/sparql", urlencode({"update": "CLEAR ALL"}).encode(), "application/x-www-form-urlencoded"),
    ("GET", "/sparql?" + urlencode({"query": "DELETE WHERE { ?s ?p ?o }"}), None, None),
    ("GET", "/sparql?" + urlencode({"query": "LOAD <file:///etc/passwd>"}), None, None),
])
def test_updates_are_forbidden(server: WsisServer, store: ox.Store, method: str, path: str, body: bytes | None,
                               ctype: str | None) -> None:
    before = local_count(store)
    status, _, text = fetch(server, method, path, body, {"Content-Type": ctype} if ctype else {})
    assert status == 403, text
    assert b"read-only" in text
    assert json.loads(get_query(server, COUNT_RECS)[2])["results"]["bindings"][0]["n"]["value"] == str(before)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(server: WsisServer, method: str) -> None:
    status, headers, _ = fetch(server, method, "/sparql", b"x", {"Content-Type": "text/turtle"})
    assert status == 405 and "POST" in headers["allow"]


@pytest.mark.parametrize("query,params", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", {}),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", {}),
    ("PREFIX f: <file:///etc/> SELECT * FROM NAMED f:passwd WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    ("BASE <file:///etc/> SELECT * WHERE { ?s ?p ?o }", {}),
    ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": "file:///etc/passwd"}),
    ("SELECT * WHERE { ?s ?p ?o }", {"named-graph-uri": "file:///etc/hosts"}),
])
def test_service_and_file_graphs_are_refused(server: WsisServer, query: str, params: dict[str, str]) -> None:
    status, _, body = get_query(server, query, **params)
    assert status == 403, body


def test_refusals_do_not_trip_on_words_in_strings_and_names(server: WsisServer) -> None:
    query = 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(?l != "SERVICE LOAD INSERT FROM <file:///x>") } LIMIT 1'
    status, _, body = get_query(server, query)
    assert status == 200, body


def test_size_and_nesting_limits_are_checked_before_evaluation(server: WsisServer) -> None:
    t0 = time.perf_counter()
    status, _, body = get_query(server, "SELECT * WHERE { " + "{ " * 60 + "?s ?p ?o" + " }" * 60 + " }")
    assert status == 400 and b"nested" in body
    huge = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200_000
    status, _, body = fetch(server, "POST", "/sparql", huge.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 413
    assert time.perf_counter() - t0 < 1.0
    assert check_query("SELECT * WHERE { ?s ?p ?o }", Limits()) == "SELECT"


def test_timeout_answers_503_and_never_a_partial_200(server: WsisServer) -> None:
    t0 = time.perf_counter()
    status, headers, body = get_query(server, SLOW, accept="text/csv")
    elapsed = time.perf_counter() - t0
    assert status == 503, body
    assert headers["content-type"].startswith("text/plain") and b"timed out" in body
    assert TIMEOUT <= elapsed < TIMEOUT + 3
    # the killed worker is replaced: the endpoint keeps answering
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, _, _ = get_query(server, COUNT_RECS)
        if status == 200:
            break
    assert status == 200


def test_a_slow_query_does_not_block_other_requests(server: WsisServer) -> None:
    assert fetch(server, "GET", "/page/index.html")[0] == 200  # rendered once, then kept
    deadline = time.monotonic() + 30
    while server.app.pool.idle.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # a worker killed by an earlier timeout may still be starting again
    slow: list[int] = []
    thread = threading.Thread(target=lambda: slow.append(get_query(server, SLOW, source="127.0.0.2")[0]))
    thread.start()
    time.sleep(0.3)
    for request in (lambda: get_query(server, COUNT_RECS), lambda: fetch(server, "GET", "/page/index.html")):
        t0 = time.perf_counter()
        assert request()[0] == 200
        assert time.perf_counter() - t0 < 1.0  # well inside the slow query's TIMEOUT
    # the same client may not take the last worker: told at once, with a time to come back
    t0 = time.perf_counter()
    status, headers, _ = get_query(server, COUNT_RECS, source="127.0.0.2")
    assert status == 429 and int(headers["retry-after"]) > 0
    assert time.perf_counter() - t0 < 1.0
    assert not slow  # the slow one is still running
    thread.join(TIMEOUT + 5)
    assert slow == [503]


def test_negotiation_prefers_the_most_specific_range() -> None:
    assert negotiate("text/*;q=0.5, text/turtle;q=0", ["text/turtle", "text/csv"]) == "text/csv"
    assert negotiate(None, ["text/turtle", "application/n-triples"]) == "text/turtle"
    assert negotiate("application/n-triples, */*;q=0.1", ["text/turtle", "application/n-triples"]) == \
        "application/n-triples"
    assert negotiate("image/png", ["text/turtle"]) is None


# ---------------------------------------------------------------- linked data


def test_an_entity_iri_redirects_browsers_to_its_page(server: WsisServer) -> None:
    status, headers, _ = fetch(server, "GET", "/id/action-line/C5", headers={"Accept": BROWSER})
    assert status == 303
    location = headers["location"]
    assert urlsplit(location).path == "/page/id/action-line/C5.html"
    status, headers, body = fetch(server, "GET", location, headers={"Accept": BROWSER})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"Building confidence and security" in body and b"Claims that link to it" in body


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_an_entity_iri_redirects_rdf_clients_to_its_data(server: WsisServer, accept: str,
                                                         fmt: ox.RdfFormat) -> None:
    status, headers, _ = fetch(server, "GET", "/id/action-line/C5", headers={"Accept": accept})
    assert status == 303 and headers["vary"] == "Accept"
    status, headers, body = fetch(server, "GET", headers["location"], headers={"Accept": accept})
    assert status == 200 and headers["content-type"].startswith(accept)
    triples = list(ox.parse(body, format=fmt))
    c5 = ox.NamedNode("https://w3id.org/wsis-kg/id/action-line/C5")
    assert any(t.subject == c5 for t in triples)  # what it says
    assert any(t.object == c5 for t in triples)  # and what links to it


def test_the_ontology_iri_dereferences(server: WsisServer) -> None:
    status, headers, _ = fetch(server, "GET", "/ontology", headers={"Accept": BROWSER})
    assert status == 303 and headers["location"] == "/page/ontology.html"
    status, _, body = fetch(server, "GET", "/page/ontology.html")
    assert status == 200 and b"WSIS knowledge graph ontology" in body
    status, headers, _ = fetch(server, "GET", "/ontology", headers={"Accept": "text/turtle"})
    status, _, body = fetch(server, "GET", headers["location"])
    triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    assert ox.Triple(ox.NamedNode("https://w3id.org/wsis-kg/ontology"),
                     ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")) in triples
    status, headers, _ = fetch(server, "GET", "/ontology", headers={"Accept": "application/rdf+xml"})
    status, headers, body = fetch(server, "GET", headers["location"])
    assert status == 200 and headers["content-type"] == "application/rdf+xml" and b"<rdf:RDF" in body


def test_unknown_iris_and_paths_are_404(server: WsisServer) -> None:
    assert fetch(server, "GET", "/id/action-line/C99", headers={"Accept": "text/turtle"})[0] == 404
    assert fetch(server, "GET", "/dist/../../etc/passwd")[0] == 404
    assert fetch(server, "GET", "/nothing")[0] == 404


def test_void_names_this_servers_endpoint(server: WsisServer) -> None:
    status, _, body = fetch(server, "GET", "/.well-known/void")
    assert status == 200
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    endpoint = ox.NamedNode(server.base_url + "sparql")
    assert any(t.predicate.value == "http://rdfs.org/ns/void#sparqlEndpoint" and t.object == endpoint
               for t in triples)
    dumps = [t.object.value for t in triples if t.predicate.value == "http://rdfs.org/ns/void#dataDump"]
    assert dumps and all(fetch(server, "GET", urlsplit(u).path)[0] == 200 for u in dumps)
    # the release's own VoID, under this server's address: the same statements, the same figures
    built = list(ox.parse(path=server.app.release / "void.ttl", format=ox.RdfFormat.TURTLE))
    assert len(built) == len(triples)
    assert sorted(str(t.object) for t in triples if isinstance(t.object, ox.Literal)) == \
        sorted(str(t.object) for t in built if isinstance(t.object, ox.Literal))
    built_for = json.loads((server.app.release / "reports" / "manifest.json").read_text())["base_url"]
    assert built_for != server.base_url  # a port of its own: every IRI of the built one is moved
    assert not any(isinstance(term, ox.NamedNode) and term.value.startswith(built_for)
                   for t in triples for term in (t.subject, t.object))


def test_cors_allows_any_origin_without_credentials(server: WsisServer) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    for response in (get_query(server, COUNT_RECS), fetch(server, "GET", "/id/action-line/C5", headers=origin),
                     fetch(server, "GET", "/sparql?query=nonsense", headers=origin)):
        assert response[1]["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response[1]
    status, headers, _ = fetch(server, "OPTIONS", "/sparql", headers={
        **origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "Accept"})
    assert status == 204 and headers["access-control-allow-origin"] == "*"
    assert "GET" in headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in headers


def test_serve_without_a_release_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--dist", str(tmp_path / "missing"), "serve", "--port", "0"])
    assert result.exit_code == 2
    assert "wsis-kg build" in result.output and "Traceback" not in result.output


def test_a_port_in_use_is_a_clear_error(release: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["--dist", str(release), "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "Traceback" not in result.output


def test_a_result_over_the_size_limit_is_an_error_not_a_cut(release: Path) -> None:
    srv = make_server(release, port=0, limits=Limits(workers=1, max_result_bytes=20_000), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        for query, accept in (("SELECT * WHERE { ?s ?p ?o }", "text/csv"),
                              ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")):
            status, headers, body = get_query(srv, query, accept=accept)
            assert status == 500 and b"larger than 20000 bytes" in body
            assert headers["content-type"].startswith("text/plain")
        assert get_query(srv, COUNT_RECS)[0] == 200
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_repeated_query_is_answered_again_from_the_kept_answer(server: WsisServer) -> None:
    """The release cannot change under the server: the same query, Accept and dataset get the same bytes,
    without a worker; a refusal is never kept, so it is checked again each time."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s wsis:quote ?q } # kept"
    first = get_query(server, query)
    answers = server.app.pool.answers
    key = next(k for k in answers.answers if "# kept" in k)
    assert first[0] == 200 and answers.get(key) == (200, first[1]["content-type"], first[2])
    assert get_query(server, query)[2] == first[2]
    assert get_query(server, query, accept="text/csv")[2] != first[2]  # another Accept: another answer
    refused = "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o } # kept"
    assert get_query(server, refused)[0] == 403
    assert not [k for k in answers.answers if "passwd" in k]


def test_the_same_query_sent_at_once_is_evaluated_once(server: WsisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients asking the same thing together wait for one evaluation instead of taking every worker."""
    pool = server.app.pool
    asked: list[str] = []
    ask = pool._ask

    def slow_ask(worker: Any, job: dict[str, Any], timeout: float) -> tuple[int, str, bytes]:
        asked.append(job["query"])
        time.sleep(0.5)
        return ask(worker, job, timeout)

    monkeypatch.setattr(pool, "_ask", slow_ask)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?l } # at once"
    answers: list[Response] = []
    clients = [threading.Thread(target=lambda i=i: answers.append(get_query(server, query, source=f"127.0.0.{i}")))
               for i in range(2, 6)]
    for c in clients:
        c.start()
    for c in clients:
        c.join(30)
    assert [a[0] for a in answers] == [200] * 4 and len({a[2] for a in answers}) == 1
    assert asked == [query]
