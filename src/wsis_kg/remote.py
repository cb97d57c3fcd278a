"""Run a competency query on a remote SPARQL endpoint through SPARQLWrapper.

User values never enter the query as text: each is made an RDF term (validated as an IRI or a literal,
the same way as for a local run) and added as a VALUES block written in the term's N-Triples form, at
the top of the query's outer WHERE group, so that it binds the variable the way a local substitution
does. The project's prefixes are declared ahead of the query (the local run predeclares them too).
Query-string parameters of the endpoint URL (for example `default-graph-uri=...`, which a store whose
default graph holds system triples needs) are passed on as protocol parameters.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .errors import EnvironmentProblem, InputError, not_http
from .namespaces import PREFIXES
from .query import Row, to_term
from .sparqlscan import is_varname, prologue, tokens, where_brace


def check_endpoint(url: str) -> tuple[str, list[tuple[str, str]]]:
    """The endpoint URL without its query string, and the parameters that query string carries."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"endpoint {url!r} is not an http(s) URL (for example http://127.0.0.1:8000/sparql)")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise InputError(f"endpoint {url!r}: {exc}") from exc
    params = parse_qsl(parts.query, keep_blank_values=True)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", "")), params


def values_block(bindings: dict[str, str]) -> str:
    """`VALUES (?a ?b) { (<iri> "literal") }` from user values, each escaped as an N-Triples term."""
    if not bindings:
        return ""
    names = []
    terms = []
    for name, value in bindings.items():
        var = name.lstrip("?$")
        if not is_varname(var):
            raise InputError(f"--bind {name!r}: not a SPARQL variable name")
        term = to_term(value)
        names.append(f"?{var}")
        terms.append(str(term))  # the N-Triples form: <iri>, "literal"@lang, "5"^^<datatype>
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind_query(query: str, bindings: dict[str, str]) -> str:
    """The query with the project's prefixes declared and the bindings as a VALUES block."""
    declared = prologue(list(tokens(query))).prefixes
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p not in declared)
    block = values_block(bindings)
    if block:
        at = where_brace(query)
        query = f"{query[:at]}\n  {block}\n{query[at:]}" if at is not None else f"{query}\n{block}\n"
    return head + query


def _value(cell: dict[str, Any] | None) -> str | None:
    return None if cell is None else str(cell.get("value"))


def run_remote(endpoint: str, query: str, bindings: dict[str, str], timeout: float
               ) -> tuple[list[str], list[Row]]:
    """Run a SELECT or ASK on `endpoint`; the same row shape as query.run_local."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    url, params = check_endpoint(endpoint)
    text = bind_query(query, bindings)
    form = prologue(list(tokens(query))).form
    if form not in ("SELECT", "ASK"):
        raise InputError("only SELECT and ASK queries give a table; use CONSTRUCT through the endpoint")
    client = SPARQLWrapper(url)
    client.setMethod(POST)
    client.setOnlyConneg(True)
    client.setReturnFormat(JSON)
    client.setTimeout(max(1, round(timeout)))
    for key, value in params:
        if key == "default-graph-uri":
            client.addDefaultGraph(value)
        elif key == "named-graph-uri":
            client.addNamedGraph(value)
        else:
            client.addParameter(key, value)
    client.setQuery(text)
    # SPARQLWrapper guesses the form with a regex that its comment stripping leaves exposed to every
    # other comment line: "# ... additional themes" reads as ADD, and the query goes out as an update.
    client.queryType = form
    try:
        response = client.query()
        raw = response.response.read()
    except SPARQLWrapperException as exc:
        detail = exc.args[0] if exc.args else str(exc)
        raise InputError(f"{endpoint} refused the query: {str(detail).strip()[:500]}") from exc
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", errors="replace").strip()
        raise EnvironmentProblem(f"{endpoint} answered {exc.code} {exc.reason}: {body[:500]}") from exc
    except (urllib.error.URLError, ConnectionError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise EnvironmentProblem(f"{endpoint} did not answer within {timeout:g} s") from exc
        raise EnvironmentProblem(not_http(endpoint, reason)) from exc
    except TimeoutError as exc:
        raise EnvironmentProblem(f"{endpoint} did not answer within {timeout:g} s") from exc
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise EnvironmentProblem(f"{endpoint} did not answer with SPARQL JSON results: {raw[:200]!r}") from exc
    if "boolean" in data:
        return ["ask"], [{"ask": "true" if data["boolean"] else "false"}]
    try:
        variables = [str(v) for v in data["head"].get("vars", [])]
        rows = [{v: _value(b.get(v)) for v in variables} for b in data["results"]["bindings"]]
    except (KeyError, TypeError, AttributeError) as exc:
        raise EnvironmentProblem(f"{endpoint} answered JSON that is not SPARQL results") from exc
    return variables, rows


__all__ = ["bind_query", "check_endpoint", "run_remote", "values_block"]
