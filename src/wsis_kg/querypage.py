"""The query page of `wsis-kg serve` (/query): a form for SPARQL with the competency queries as examples,
results as an HTML table whose IRIs lead to their pages, and the same results as CSV.

A browser asking /sparql gets SPARQL results XML or JSON, which is for programs; this page is for people.
It runs the query exactly as /sparql does (the same checks, limits, worker processes and timeout), asks
the worker for SPARQL JSON and renders it here. It is a plain GET form: a query is a bookmarkable URL,
nothing runs in the browser, and no editor has to be fetched from the network. (A SPARQL editor such as
YASGUI, 1 MB of script and CSS, also fetches prefixes from the network by default.)
"""

from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape

from .docs import curie
from .namespaces import BASE, PREFIXES
from .project import find_project
from .query import NamedQuery, list_queries

if TYPE_CHECKING:
    from .serve import App, Handler

MAX_ROWS_SHOWN = 1000
DEFAULT_QUERY = """SELECT ?claim ?label ?quote WHERE {
  ?claim a wsis:Recommendation ; rdfs:label ?label ; wsis:quote ?quote .
}
LIMIT 20"""


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("wsis_kg", "templates"), autoescape=select_autoescape(default=True))


@lru_cache(maxsize=8)
def examples(release: Path) -> tuple[NamedQuery, ...]:
    """The competency queries of the project the release was built from (its queries/ folder beside dist/),
    else of the project around the current folder."""
    for folder in (release.resolve().parent / "queries", find_project().queries):
        if folder.is_dir() and any(folder.glob("*.rq")):
            return tuple(list_queries(folder))
    return ()


def _short(title: str) -> str:
    words = title.split(" ", 1)
    text = words[1] if len(words) > 1 and words[0][:2].upper() == "CQ" else title
    return text if len(text) <= 90 else text[:89] + "…"


def cell(app: App, term: dict[str, str] | None) -> dict[str, Any]:
    """A SPARQL JSON term as a table cell: an IRI of this dataset links to its page, others to themselves."""
    if term is None:
        return {"text": ""}
    value = term.get("value", "")
    if term.get("type") == "uri":
        page = app.site.paths.get(value)
        href = "/page/" + quote(page) if page else ("/" + quote(value[len(BASE):]) if value.startswith(BASE)
                                                    else value)
        return {"text": curie(value), "href": href, "iri": value}
    if term.get("type") == "bnode":
        return {"text": "_:" + value}
    meta = "@" + term["xml:lang"] if "xml:lang" in term else (
        curie(term["datatype"]) if "datatype" in term and not term["datatype"].endswith("#string") else "")
    return {"text": value, "meta": meta}


def run(app: App, query: str, fmt: str) -> tuple[int, str, bytes]:
    """Check and evaluate a query as /sparql does; SELECT and ASK as SPARQL JSON or CSV, CONSTRUCT and
    DESCRIBE as N-Triples."""
    from .serve import check_query

    form = check_query(query, app.limits)
    job: dict[str, Any] = {"query": query}
    if form in ("SELECT", "ASK"):
        job["results_type"] = "text/csv" if fmt == "csv" else "application/sparql-results+json"
    else:
        job["graph_type"] = "application/n-triples"
    job["accept"] = job.get("results_type") or job["graph_type"]  # for workers that negotiate themselves
    # the pool may also take how long a request waits for a free worker (Limits.queue_wait) where the
    # endpoint's limits define it
    pool_run: Any = app.pool.run
    wait = getattr(app.limits, "queue_wait", None)
    answer: tuple[int, str, bytes] = (pool_run(job, app.limits.timeout) if wait is None
                                      else pool_run(job, app.limits.timeout, wait))
    return answer


def table(app: App, ctype: str, body: bytes) -> dict[str, Any]:
    if ctype.startswith("application/sparql-results+json"):
        data = json.loads(body)
        if "boolean" in data:
            return {"variables": [], "rows": [], "summary": f"ASK: {'true' if data['boolean'] else 'false'}"}
        variables = data["head"]["vars"]
        bindings = data["results"]["bindings"]
        rows = [[cell(app, b.get(v)) for v in variables] for b in bindings[:MAX_ROWS_SHOWN]]
    else:
        variables = ["subject", "predicate", "object"]
        bindings = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        rows = [[cell(app, _json_term(t)) for t in (q.subject, q.predicate, q.object)] for q in
                bindings[:MAX_ROWS_SHOWN]]
    shown = f"; the first {MAX_ROWS_SHOWN} are shown, the CSV has all" if len(bindings) > MAX_ROWS_SHOWN else ""
    return {"variables": variables, "rows": rows, "summary": f"{len(bindings)} row(s){shown}"}


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    else:
        out["datatype"] = term.datatype.value
    return out


def triples_csv(body: bytes) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["subject", "predicate", "object"])
    for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
        w.writerow([t.subject.value, t.predicate.value, t.object.value])
    return out.getvalue().encode("utf-8")


def handle(handler: Handler, qs: str) -> None:
    """Answer GET /query: the form, the form with results, or the results as CSV."""
    from .serve import UTF8, Refused

    app = handler.app
    params = parse_qs(qs, keep_blank_values=True)
    found = examples(app.release)
    example = params.get("example", [""])[-1]
    chosen = next((e for e in found if e.name == example or e.name.startswith(example + "-")), None) \
        if example else None
    query = params.get("query", [""])[-1] or (chosen.text if chosen else "")
    fmt = params.get("format", ["html"])[-1]
    ctx: dict[str, Any] = {
        "examples": [{"name": e.name, "short": _short(e.title)} for e in found],
        "example": chosen.name if chosen else "", "example_title": chosen.title if chosen else "",
        "query": query or DEFAULT_QUERY, "prefixes": sorted(PREFIXES.items()), "result": None, "error": None,
    }
    status = 200
    if example and chosen is None:
        status, ctx["error_status"], ctx["error"] = 404, "404", f"no competency query named {example!r}"
    elif "query" in params and query.strip():
        try:
            code, ctype, body = run(app, query, fmt)
        except Refused as exc:
            code, ctype, body = exc.status, "text/plain", exc.message.encode()
        if code != 200:
            status, ctx["error_status"], ctx["error"] = code, str(code), body.decode("utf-8", errors="replace")
        else:
            try:
                if fmt == "csv":
                    data = body if ctype.startswith("text/csv") else triples_csv(body)
                    return handler.send(200, data, "text/csv" + UTF8, headers={
                        "Content-Disposition": 'attachment; filename="wsis-kg-results.csv"'})
                ctx["result"] = table(app, ctype, body)
                ctx["csv_href"] = "/query?" + urlencode({"query": query, "format": "csv"})
            except (ValueError, SyntaxError, KeyError) as exc:  # an answer in a form the page cannot read
                status, ctx["error_status"], ctx["error"] = 500, "500", f"unreadable {ctype} answer: {exc}"
    page = _env().get_template("query.html").render(**ctx)
    handler.send(status, page.encode("utf-8"), "text/html" + UTF8)


__all__ = ["DEFAULT_QUERY", "cell", "examples", "handle", "run", "table"]
