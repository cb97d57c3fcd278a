"""What a SPARQL query may do on the endpoint, decided from a real parse.

A hand-written lexer that guesses what the engine will read can be made to disagree with it (`.SERVICE`
read as one word, `<2)SERVICE#>` read as an IRI), so the endpoint parses every query with rdflib's SPARQL
1.1 grammar and walks the parse tree: SERVICE anywhere (subqueries, OPTIONAL, UNION, EXISTS included),
a dataset clause naming anything but this store's graphs, a BASE that is not http(s), an update form, a
text the grammar does not accept are all refused. The engine then gets the dataset this parse found, so
what was checked is what runs.

Parsing needs a bounded input: a cheap pre-scan first bounds the nesting and the number of brackets on
the raw text *and* on its `\\u` escapes expanded (a bracket inside a string or IRI counts too, so a query
that nests strings full of brackets is refused although it is harmless), and the parse runs on a thread
with a large stack and a raised recursion limit, turning any remaining exhaustion into a refusal.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from .errors import WsisKgError

QUERY_FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE",
               "AskQuery": "ASK"}
OPENERS = frozenset("{([")
CLOSERS = frozenset("})]")
_PARSE_STACK = 64 * 1024 * 1024  # four times what the worst query within the limits was measured to need
_PARSE_RECURSION = 200_000

T = TypeVar("T")


class QueryRefused(WsisKgError):
    """A query the endpoint does not run; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Analysis:
    """What the parse shows. `default_graphs`/`named_graphs` are None when the query has no dataset
    clause of that kind, else the IRIs it names (FROM and FROM NAMED)."""

    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    base: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    services: tuple[str, ...]  # the target of every SERVICE, as written

    @property
    def has_dataset(self) -> bool:
        return self.default_graphs is not None or self.named_graphs is not None


# ---------------------------------------------------------------- before parsing


def _expand_escapes(text: str) -> str:
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        return expandUnicodeEscapes(text)
    except (ValueError, OverflowError) as exc:
        raise QueryRefused(400, f"malformed query: bad \\u escape ({exc})") from exc


def bracket_counts(text: str) -> tuple[int, int]:
    """Deepest nesting of { ( [ and their number, counted on every character (strings, IRIs and comments
    included: nothing is skipped, so nothing can be hidden)."""
    depth = deepest = opened = 0
    for c in text:
        if c in OPENERS:
            opened += 1
            depth += 1
            deepest = max(deepest, depth)
        elif c in CLOSERS:
            depth = max(0, depth - 1)
    return deepest, opened


def prescan(text: str, max_chars: int, max_depth: int, max_brackets: int) -> None:
    """Refuse, in linear time and before any parser runs, a query too long, nested too deep or holding
    too many brackets (which bounds the depth any parser can reach, whatever it takes for a string)."""
    if len(text) > max_chars:
        raise QueryRefused(413, f"query of {len(text)} characters; this endpoint accepts at most {max_chars}")
    for variant in (text, _expand_escapes(text)):
        depth, opened = bracket_counts(variant)
        if depth > max_depth:
            raise QueryRefused(400, f"query nested {depth} levels deep (counting every {{ ( [, also in strings); "
                                    f"this endpoint accepts at most {max_depth}")
        if opened > max_brackets:
            raise QueryRefused(400, f"query holds {opened} brackets {{ ( [; this endpoint accepts at most "
                                    f"{max_brackets}")


# ---------------------------------------------------------------- parsing


def on_deep_stack(fn: Callable[[], T]) -> T:
    """Run `fn` on a fresh thread with a large stack and a raised recursion limit: rdflib's grammar
    recurses once per triple of a group and some forty times per parenthesis."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _PARSE_RECURSION))
    old_size = threading.stack_size(_PARSE_STACK)
    try:
        thread = threading.Thread(target=run, name="sparql-parse")
        thread.start()
    finally:
        threading.stack_size(old_size)
    thread.join()
    sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _nodes(tree: object) -> Iterator[Any]:
    """Every CompValue of a parse tree, without recursion (a long group nests deeply)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def _field(node: Any, key: str) -> Any:
    """A field of a parse node, or None (rdflib's CompValue.get answers a missing key with the key)."""
    return node[key] if key in node else None  # noqa: SIM401 - .get is the thing avoided


def _syntax_message(exc: Exception) -> str:
    line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    where = f" at line {line}, column {col}" if line is not None else ""
    return f"malformed query{where}: {getattr(exc, 'msg', exc)}"


def _parse(text: str) -> Any:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        return on_deep_stack(lambda: parseQuery(text))
    except RecursionError as exc:
        raise QueryRefused(400, "query nested too deeply to be read; simplify it") from exc
    except ParseBaseException as exc:
        query_error = exc
    except (ValueError, TypeError, AttributeError) as exc:  # rdflib's parse actions on odd input
        raise QueryRefused(400, f"malformed query: {exc}") from exc
    try:
        update = on_deep_stack(lambda: parseUpdate(text))
    except (ParseBaseException, RecursionError, ValueError, TypeError, AttributeError):
        update = None
    if update is not None and _field(update, "request"):
        kinds = sorted({str(r.name).upper() for r in update["request"]})
        raise QueryRefused(403, f"{', '.join(kinds)}: this endpoint is read-only; SPARQL Update is not accepted")
    raise QueryRefused(400, _syntax_message(query_error))


def _iri(term: Any, prefixes: Mapping[str, str], what: str) -> str:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(term, CompValue) and term.name == "pname":
        prefix, local = str(_field(term, "prefix") or ""), str(_field(term, "localname") or "")
        if prefix not in prefixes:
            raise QueryRefused(400, f"malformed query: prefix {prefix}: of {what} {prefix}:{local} is not declared")
        return prefixes[prefix] + local
    return str(term)


def analyse(text: str, prefixes: Mapping[str, str] | None = None) -> Analysis:
    """Parse a query and report its form, BASE, dataset clauses and SERVICE targets (prefixed names
    expanded with the query's PREFIX declarations over `prefixes`). Raises QueryRefused for updates
    (403) and text the grammar does not accept (400). Remembers the last few hundred answers: a parse
    costs tens of milliseconds, and pages and clients send the same queries again and again."""
    return _remembered(text, tuple(sorted((prefixes or {}).items())))


@lru_cache(maxsize=256)
def _remembered(text: str, prefixes: tuple[tuple[str, str], ...]) -> Analysis:
    return analyse_uncached(text, dict(prefixes))


def analyse_uncached(text: str, prefixes: Mapping[str, str] | None = None) -> Analysis:
    """`analyse` without the memory (for measuring the parse)."""
    tree = _parse(text)
    prologue, query = tree[0], tree[1]
    known = dict(prefixes or {})
    base: str | None = None
    for decl in prologue:
        if decl.name == "Base":
            base = str(decl["iri"])
        elif decl.name == "PrefixDecl":
            known[str(_field(decl, "prefix") or "")] = str(decl["iri"])
    form = QUERY_FORMS.get(query.name)
    if form is None:
        raise QueryRefused(400, "malformed query: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
    default: list[str] | None = None
    named: list[str] | None = None
    for clause in _field(query, "datasetClause") or []:
        if "named" in clause:
            named = [*(named or []), _iri(clause["named"], known, "FROM NAMED")]
        else:
            default = [*(default or []), _iri(clause["default"], known, "FROM")]
    services = []
    for node in _nodes(query):
        if node.name == "ServiceGraphPattern":
            term = _field(node, "term")
            services.append(_iri(term, known, "SERVICE") if term is not None else "?")
    return Analysis(form, base, None if default is None else tuple(default),
                    None if named is None else tuple(named), tuple(services))


def _web_iri(iri: str) -> bool:
    return iri.lower().startswith(("http://", "https://"))


def check(text: str, graphs: Collection[str], *, max_chars: int, max_depth: int, max_brackets: int,
          prefixes: Mapping[str, str] | None = None) -> Analysis:
    """Everything the endpoint refuses before evaluation, as QueryRefused with its status: too long
    (413), nested too deep or malformed (400), an update, SERVICE, a BASE that is not http(s), or a
    dataset clause naming anything but one of `graphs` (403)."""
    prescan(text, max_chars, max_depth, max_brackets)
    found = analyse(text, prefixes)
    if found.services:
        raise QueryRefused(403, f"SERVICE <{found.services[0]}> refused: this endpoint does not run federated "
                                "queries")
    if found.base is not None and not _web_iri(found.base):
        raise QueryRefused(403, f"BASE <{found.base}> refused: only an http(s) base IRI is accepted")
    for kind, iris in (("FROM", found.default_graphs), ("FROM NAMED", found.named_graphs)):
        for iri in iris or ():
            if iri not in graphs:
                raise QueryRefused(403, f"{kind} <{iri}> refused: a dataset clause may only name a graph of this "
                                        "store (write its full IRI; the graphs are listed at /sparql)")
    return found


def check_graph_names(param: str, iris: Collection[str], graphs: Collection[str]) -> None:
    """The protocol's default-graph-uri / named-graph-uri may only name graphs of this store."""
    for iri in iris:
        if iri not in graphs:
            raise QueryRefused(403, f"{param} <{iri}> refused: only graphs of this store can be named "
                                    "(they are listed at /sparql)")


__all__ = ["Analysis", "QueryRefused", "analyse", "analyse_uncached", "bracket_counts", "check", "check_graph_names",
           "on_deep_stack", "prescan"]
