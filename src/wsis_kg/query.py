"""Competency queries: listed from queries/*.rq, run locally on the release or on a remote endpoint."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError
from .prefixes import PREFIXES

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
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the query as "
                         "UTF-8") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the query file: {exc.strerror or exc}") from exc
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
    """The release's dataset (all named graphs): its on-disk store opened read-only, or for a release
    without one its N-Quads loaded into memory."""
    from .store import load_release

    return load_release(release)


Row = dict[str, str | None]


def _term(t: object) -> str | None:
    if t is None:
        return None
    if isinstance(t, ox.NamedNode | ox.Literal | ox.BlankNode):
        return t.value
    return str(t)


def check_syntax(query: str) -> None:
    """Refuse a malformed query with the line and column where the parser stopped (rdflib's SPARQL 1.1
    grammar), before it reaches an engine or an endpoint."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(query)
    except ParseException as exc:
        lines = query.splitlines() or [""]
        where = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
        caret = " " * (exc.col - 1) + "^"
        raise InputError(
            f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}\n  {where}\n  {caret}"
        ) from exc


@functools.lru_cache(maxsize=512)
def projected_variables(query: str) -> tuple[str, ...] | None:
    """The variables a SELECT projects (for SELECT *, every one in scope) or an ASK tests, as the SPARQL
    algebra gives them with the project's prefixes predeclared; None when rdflib cannot read the query
    (the engine then has the last word)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(query), initNs=PREFIXES).algebra
    except Exception:  # rdflib raises many kinds; the query's own run reports the real problem
        return None
    return tuple(str(v) for v in (algebra.get("PV") or []))


def check_bindings(query: str, bindings: dict[str, str]) -> None:
    """A bound variable must be one the query returns (or, for ASK, tests): binding any other would
    silently change nothing. Local runs and --endpoint runs refuse it alike."""
    if not bindings:
        return
    variables = projected_variables(query)
    if variables is None:
        return
    unknown = [k for k in bindings if k.lstrip("?$") not in variables]
    if unknown:
        known = ", ".join(f"?{v}" for v in variables) or "no variable"
        raise InputError(
            f"--bind {', '.join(unknown)}: the query does not return "
            f"{' or '.join('?' + k.lstrip('?$') for k in unknown)}; it returns {known}"
        )


@functools.lru_cache(maxsize=512)
def union_default(query: str) -> bool:
    """Whether the default graph is the union of the named graphs: yes unless the query names its own
    dataset (FROM, FROM NAMED), which the engine then reads as written. Found by parsing; a text the
    parser refuses gets the union, and the engine reports what is wrong with it. Remembered per query
    text: a page or a test suite runs the same queries again and again, and the parse costs more than
    the query. A text without the word FROM and without a backslash (SPARQL's \\u escapes could spell it)
    cannot name a dataset, and is not parsed at all: the parser's import alone would cost a command-line
    run several times what the query does."""
    if "from" not in query.lower() and "\\" not in query:
        return True
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
        ox.Variable(k.lstrip("?$")): to_term(v) for k, v in (bindings or {}).items()
    }
    try:
        result = store.query(query, prefixes=PREFIXES, substitutions=subs,
                             use_default_graph_as_union=union_default(query))
    except SyntaxError as exc:
        check_syntax(query)  # where rdflib's grammar stops, with line and column, when it does
        raise InputError(f"SPARQL syntax error: {exc}") from exc
    except RuntimeError as exc:  # pyoxigraph: a substituted variable the query does not project
        if subs and "projection" in str(exc):
            check_bindings(query, bindings or {})
            raise InputError(f"--bind: {exc}") from exc
        raise
    except OSError as exc:  # the on-disk store failed to read
        raise InputError(f"the release's store could not be read: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return ["ask"], [{"ask": "true" if bool(result) else "false"}]
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [{v: _term(sol[v]) for v in variables} for sol in result]
        return variables, rows
    raise InputError("only SELECT and ASK queries give a table; use CONSTRUCT through the endpoint")


_PREFIXED = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*)?:([^\s<>\"{}|^`\\]*)$")


def known_prefixes() -> str:
    return ", ".join(f"{p}:" for p in sorted(PREFIXES))


def to_term(value: str) -> ox.NamedNode | ox.Literal:
    """A user value as an RDF term: <iri>, an http(s) IRI or a prefixed name of the project's prefixes
    (inst:tunis-agenda) becomes an IRI (checked), a whole number an xsd:integer, a value in double
    quotes the string inside them, anything else a string literal. Shared by local and remote runs."""
    v = value.strip()
    if len(v) >= 2 and v.startswith('"') and v.endswith('"'):
        return ox.Literal(v[1:-1])
    iri = v[1:-1] if v.startswith("<") and v.endswith(">") else v if re.match(r"^https?://\S+$", v) else None
    m = _PREFIXED.match(v) if iri is None else None
    if m and not m.group(2).startswith("//"):
        prefix = m.group(1) or ""
        if prefix not in PREFIXES:
            raise InputError(
                f"{value!r}: unknown prefix {prefix + ':'!r}; the known prefixes are {known_prefixes()} "
                "(write a full IRI in <...>, or a string in double quotes)"
            )
        iri = PREFIXES[prefix] + m.group(2)
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


DEFAULT_WIDTH = 60


def format_rows(variables: list[str], rows: list[Row], fmt: str, width: int = DEFAULT_WIDTH) -> str:
    """Rows as JSON, CSV or a text table. The table cuts a value longer than `width` characters (0: never)
    and marks the cut with "…", and says so under the table: nothing is dropped without a sign."""
    if fmt == "json":
        return json.dumps({"head": {"vars": variables}, "rows": rows}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(variables)
        for r in rows:
            writer.writerow(["" if r[v] is None else r[v] for v in variables])
        return buf.getvalue()
    cells = [[_compact(r[v]) for v in variables] for r in rows]
    limit = width if width > 0 else None
    widths = [max([len(v)] + [len(c[i]) for c in cells]) for i, v in enumerate(variables)]
    if limit is not None:
        widths = [min(max(limit, len(v)), w) for v, w in zip(variables, widths, strict=True)]
    cut = 0
    out = [" | ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    for c in cells:
        shown = []
        for x, w in zip(c, widths, strict=True):
            if len(x) > w:
                x = x[: w - 1] + "…"
                cut += 1
            shown.append(x.ljust(w))
        out.append(" | ".join(shown))
    if cut:
        out.append(f"({cut} value{'s' if cut != 1 else ''} cut at {width} characters, marked …; "
                   "--width 0 or --format csv shows every value whole)")
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _compact(value: str | None) -> str:
    if value is None:
        return ""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return " ".join(value.split())
