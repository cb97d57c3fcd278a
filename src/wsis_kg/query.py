"""Competency queries: listed from queries/*.rq, run locally on the release or on a remote endpoint."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError
from .namespaces import PREFIXES

_HEADER = re.compile(r"^#\s?(.*)$")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    title: str
    text: str


def read_query(path: Path) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: query file not found") from exc
    header = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            break
        header.append(m.group(1).strip())
    title = " ".join(h for h in header if h) or path.stem
    return NamedQuery(path.stem, path, title, text)


def list_queries(folder: Path) -> list[NamedQuery]:
    return [read_query(p) for p in sorted(folder.glob("*.rq"))]


def resolve_query(folder: Path, name_or_path: str) -> NamedQuery:
    """A query by file path, by name (cq05-challenges), or by its prefix (cq05)."""
    p = Path(name_or_path)
    if p.suffix == ".rq" and p.exists():
        return read_query(p)
    candidates = [q for q in list_queries(folder) if q.name == name_or_path]
    candidates = candidates or [q for q in list_queries(folder) if q.name.startswith(name_or_path + "-")]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise InputError(f"no query named {name_or_path!r} in {folder} (see wsis-kg query --list)")
    raise InputError(f"{name_or_path!r} is ambiguous: {', '.join(q.name for q in candidates)}")


def load_store(release: Path) -> ox.Store:
    """An in-memory Oxigraph store of the release's N-Quads (all named graphs)."""
    nq = release / "wsis-kg.nq"
    if not nq.exists():
        raise InputError(f"{nq} not found: run `wsis-kg build` first")
    store = ox.Store()
    with open(nq, "rb") as fh:
        store.bulk_load(fh, ox.RdfFormat.N_QUADS)
    return store


Row = dict[str, str | None]


def _term(t: object) -> str | None:
    if t is None:
        return None
    if isinstance(t, ox.NamedNode | ox.Literal | ox.BlankNode):
        return t.value
    return str(t)


def union_default(query: str) -> bool:
    """Whether the default graph is the union of the named graphs: yes unless the query names its own
    dataset (FROM, FROM NAMED), which the engine then reads as written. Found by parsing; a text the
    parser refuses gets the union, and the engine reports what is wrong with it."""
    from .sparqlcheck import QueryRefused, analyse

    try:
        found = analyse(query, PREFIXES)
    except QueryRefused:
        return True
    return not found.has_dataset


def run_local(store: ox.Store, query: str, bindings: dict[str, str] | None = None) -> tuple[list[str], list[Row]]:
    """Run a SELECT or ASK over the release: the default graph is the union of the named graphs unless
    the query names a dataset. Bindings are substituted as RDF terms, never pasted into the query text."""
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): to_term(v) for k, v in (bindings or {}).items()
    }
    try:
        result = store.query(query, prefixes=PREFIXES, substitutions=subs,
                             use_default_graph_as_union=union_default(query))
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return ["ask"], [{"ask": "true" if bool(result) else "false"}]
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [{v: _term(sol[v]) for v in variables} for sol in result]
        return variables, rows
    raise InputError("only SELECT and ASK queries give a table; use CONSTRUCT through the endpoint")


def to_term(value: str) -> ox.NamedNode | ox.Literal:
    """A user value as an RDF term: <iri> or an http(s) IRI becomes an IRI (checked), a whole number an
    xsd:integer, anything else a string literal. Shared by local and remote runs."""
    v = value.strip()
    iri = v[1:-1] if v.startswith("<") and v.endswith(">") else v if re.match(r"^https?://\S+$", v) else None
    if iri is not None:
        if any(c in iri for c in '<>"{}|^`\\ '):
            raise InputError(f"invalid IRI {value!r}: it contains a character IRIs may not hold")
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            raise InputError(f"invalid IRI {value!r}: {exc}") from exc
    if re.fullmatch(r"-?\d+", v):
        return ox.Literal(v, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return ox.Literal(value)


def format_rows(variables: list[str], rows: list[Row], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"head": {"vars": variables}, "rows": rows}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(variables)
        for r in rows:
            w.writerow(["" if r[v] is None else r[v] for v in variables])
        return buf.getvalue()
    cells = [[_compact(r[v]) for v in variables] for r in rows]
    widths = [min(60, max([len(v)] + [len(c[i]) for c in cells])) for i, v in enumerate(variables)]
    out = [" | ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    for c in cells:
        out.append(" | ".join(x[:w].ljust(w) for x, w in zip(c, widths, strict=True)))
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _compact(value: str | None) -> str:
    if value is None:
        return ""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return " ".join(value.split())
