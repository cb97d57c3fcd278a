"""The query page of `wsis-kg serve` (/query): competency queries as examples, results as an HTML table
whose IRIs lead to their pages, the same results as CSV, and the endpoint's refusals shown as messages."""

from __future__ import annotations

import csv
import html
import io
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from playwright.sync_api import Browser

from test_docs import axe_violations, browser, watch  # noqa: F401  (the browser fixture)
from wsis_kg.query import list_queries
from wsis_kg.serve import Limits, WsisServer, make_server

WSIS = "https://w3id.org/wsis-kg/ontology#"
COUNT_AL = "SELECT ?al ?label WHERE { ?al a wsis:ActionLine ; rdfs:label ?label } ORDER BY ?al"


@pytest.fixture(scope="module")
def server(release: Path) -> Iterator[WsisServer]:
    srv = make_server(release, port=0, limits=Limits(workers=1, timeout=20), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def get(srv: WsisServer, path: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(srv.base_url + path, timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode("utf-8")


def test_the_form_offers_every_competency_query(server: WsisServer, project_root: Path) -> None:
    status, ctype, page = get(server, "query")
    assert status == 200 and ctype.startswith("text/html")
    names = [q.name for q in list_queries(project_root / "queries")]
    assert len(names) >= 20 and all(f'<option value="{n}"' in page for n in names)
    status, _, page = get(server, "query?example=cq23")
    text = next(q.text for q in list_queries(project_root / "queries") if q.name.startswith("cq23"))
    textarea = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.S)
    assert status == 200 and textarea and html.unescape(textarea.group(1)) == text


def test_results_are_a_table_with_linked_iris_and_a_csv(server: WsisServer, store: ox.Store) -> None:
    expected = [(r["al"].value, r["label"].value) for r in store.query(
        f"SELECT ?al ?label WHERE {{ ?al a <{WSIS}ActionLine> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
        " ORDER BY ?al", use_default_graph_as_union=True)]
    status, _, page = get(server, "query?" + urlencode({"query": COUNT_AL}))
    assert status == 200
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", page, re.S)
    assert len(rows) == len(expected) > 10
    for (cell_al, cell_label), (al, label) in zip(rows, expected, strict=True):
        href = re.search(r'href="([^"]+)"', cell_al)
        assert href and href.group(1) == "/page/id/action-line/" + al.rsplit("/", 1)[-1] + ".html"
        assert html.unescape(cell_label).startswith(label)
    assert get(server, href.group(1).lstrip("/"))[0] == 200  # the link leads to the page
    link = re.search(r'<a href="(/query\?[^"]+format=csv)">Download as CSV</a>', page)
    assert link
    status, ctype, body = get(server, html.unescape(link.group(1)).lstrip("/"))
    assert status == 200 and ctype.startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(body)))
    assert [(r["al"], r["label"]) for r in table] == expected


def test_construct_results_are_a_triple_table(server: WsisServer) -> None:
    q = "CONSTRUCT { ?al rdfs:label ?l } WHERE { ?al a wsis:ActionLine ; rdfs:label ?l } LIMIT 3"
    status, _, page = get(server, "query?" + urlencode({"query": q}))
    assert status == 200 and "<th scope=\"col\">subject</th>" in page and page.count("<tr><td>") == 3


@pytest.mark.parametrize(("query", "status", "says"), [
    ("SELECT ?x WHERE { ?x ?y }", 400, "malformed query"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "read-only"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403, "SERVICE"),
    ("SELECT ?x WHERE { ?x a <script>alert(1)</script> }", 400, "malformed"),
])
def test_refusals_and_errors_are_shown_on_the_page(server: WsisServer, query: str, status: int, says: str) -> None:
    code, ctype, page = get(server, "query?" + urlencode({"query": query}))
    assert code == status and ctype.startswith("text/html")
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    assert error and says in html.unescape(error.group(1))
    assert "<script>" not in page  # the query and the message are escaped
    textarea = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea and html.unescape(textarea.group(1)) == query  # kept for the next try


def test_a_person_runs_a_competency_query_and_follows_a_result(browser: Browser, server: WsisServer) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems = watch(page)
    page.goto(server.base_url + "page/index.html")
    page.locator("header nav a[href='/query']").click()
    page.wait_for_load_state()
    page.select_option("#example", value=page.locator("#example option[value^='cq23']").get_attribute("value"))
    page.locator("form.examples button").click()
    page.wait_for_load_state()
    assert "CQ23" in page.locator("p.question").inner_text()
    page.locator("#query-form button:not([name])").click()
    page.wait_for_load_state()
    assert page.locator("table.results tbody tr").count() > 10
    with page.expect_download() as download:
        page.locator("#query-form button[name='format']").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][0] == "actionLine" and len(rows) > 10
    assert axe_violations(page) == []
    page.locator("table.results tbody a[href^='/page/id/action-line/']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("C")
    # a navigation that turns into a download is reported as an aborted request: the download itself is checked above
    assert [p for p in problems if not (p.startswith("failed: ") and "format=csv" in p)] == []
    page.close()
