"""Reading and writing RDF files with errors that name the file, line and column, and canonical Turtle."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from .errors import InputError
from .namespaces import PREFIXES

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def _position(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


NO_BASE = "urn:wsis-kg:no-base:"


class _NoInvalidUriWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "does not look like a valid URI" not in record.getMessage()


@contextmanager
def _quiet_iri_warnings() -> Iterator[None]:
    """rdflib only warns of an invalid IRI (on stderr, without a position); check_terms refuses it with
    file, line and column, so the warning would be noise ahead of the message that matters."""
    logger = logging.getLogger("rdflib.term")
    quiet_filter = _NoInvalidUriWarning()
    logger.addFilter(quiet_filter)
    try:
        yield
    finally:
        logger.removeFilter(quiet_filter)


_IRI_HINTS = {
    "No scheme found": "a relative IRI: curated Turtle has no base IRI, so write the full IRI "
                       "(<https://w3id.org/wsis-kg/id/...>) or a prefixed name (doc:..., wsis:...)",
    "Invalid IRI code point": "IRIs cannot hold spaces or any of <>\"{}|^`\\: percent-encode the character "
                              "(a space is %20) or use a literal",
}


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file; a syntax error names the file, line and column and says what is wrong.

    Oxigraph reads the file (strict, and some ten times faster than rdflib's parser); only a file it
    refuses is read again by rdflib, whose messages say more about Turtle syntax."""
    graph = graph if graph is not None else Graph()
    try:
        data = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        parser = ox.parse(data.encode("utf-8"), format=ox.RdfFormat.TURTLE)
        quads = list(parser)
    except SyntaxError:
        pass  # rdflib's reading below says what is wrong, and where
    else:
        add_oxigraph(graph, quads)
        for prefix, namespace in parser.prefixes.items():
            graph.bind(prefix, namespace, override=False)
        return graph
    try:
        # no base: a relative IRI would otherwise resolve to the curator's own file path
        with _quiet_iri_warnings():
            graph.parse(data=data, format="turtle", publicID=NO_BASE)
    except BadSyntax as exc:
        line, column = _position(data, exc._i)
        why = exc._why
        hint = ""
        if "not bound" in why:
            hint = " (declare it with @prefix at the top of the file)"
        raise InputError(f"{path}:{line}:{column}: Turtle syntax error: {why}{hint}") from exc
    except Exception as exc:  # rdflib raises plain exceptions for bad IRIs and literals
        check_terms(path, data)  # says where, if Oxigraph sees the problem too
        raise InputError(f"{path}: cannot parse as Turtle: {exc}") from exc
    check_terms(path, data)
    return graph


def add_oxigraph(graph: Graph, quads: Iterable[ox.Quad | ox.Triple]) -> None:
    """Add Oxigraph's triples to an rdflib graph; each blank node label of the input becomes a blank node
    of its own, as a parser makes them (labels are local to a file)."""
    bnodes: dict[str, BNode] = {}
    terms: dict[object, Node] = {}

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        if isinstance(t, ox.BlankNode):
            return bnodes.setdefault(t.value, BNode())
        found = terms.get(t)
        if found is None:
            if isinstance(t, ox.NamedNode):
                found = URIRef(t.value)
            elif isinstance(t, ox.Literal):
                if t.language:
                    found = Literal(t.value, lang=t.language)
                elif t.datatype.value == _XSD_STRING:
                    found = Literal(t.value)
                else:
                    found = Literal(t.value, datatype=URIRef(t.datatype.value))
            else:
                raise InputError(f"RDF-star triples are not supported: {t}")
            terms[t] = found
        return found

    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in quads)


def check_terms(path: Path, data: str) -> None:
    """Parse again with Oxigraph, which refuses what rdflib lets through with at most a warning (a
    relative IRI, an IRI with a space) and what the release writers would then choke on; name the file,
    line and column, and say what to write instead."""
    try:
        for _ in ox.parse(data.encode("utf-8"), format=ox.RdfFormat.TURTLE):
            pass
    except SyntaxError as exc:
        why = str(exc.msg).split(": ", 1)[-1]
        hint = next((f" ({h})" for key, h in _IRI_HINTS.items() if key in why), "")
        raise InputError(f"{path}:{exc.lineno}:{exc.offset}: Turtle error: {why}{hint}") from exc


Progress = Callable[[str], None]
LARGE = 1_000_000  # bytes: a file that takes rdflib seconds to read is announced before it is read


def quiet(_: str) -> None:
    """A progress callback that says nothing."""


def parse_turtle_files(paths: Iterable[Path], graph: Graph | None = None, progress: Progress = quiet) -> Graph:
    graph = graph if graph is not None else Graph()
    for path in paths:
        size = path.stat().st_size if path.exists() else 0
        if size >= LARGE:
            progress(f"  reading {path.name} ({size / 1e6:.1f} MB) ...")
        t0 = time.perf_counter()
        parse_turtle(path, graph)
        if size >= LARGE:
            progress(f"  read {path.name} in {time.perf_counter() - t0:.1f} s ({len(graph)} triples so far)")
    return bind_prefixes(graph)


_SPARQL_PREFIX = re.compile(r"PREFIX ([A-Za-z][\w.-]*|): <([^>]*)>")


def canonical_turtle(graph: Graph) -> str:
    """The one textual form of a graph that data files are kept in: prefixes bound, subjects sorted."""
    g = Graph()
    # blank nodes (SHACL property shapes, lists) get content-derived ids, so their order is stable
    for triple in to_canonical_graph(graph):
        g.add(triple)
    bind_prefixes(g)
    used = {str(t) for triple in g for t in triple}
    used |= {str(o.datatype) for o in g.objects() if isinstance(o, Literal) and o.datatype is not None}
    text = g.serialize(format="longturtle")
    # drop prefix lines that the file does not use, so that diffs stay small; declare the others with
    # Turtle's own `@prefix` (the OWL API, and so Protégé, refuses the SPARQL-style `PREFIX`). Split at LF
    # only: splitlines would also cut at a form feed or a vertical tab inside a literal.
    lines = []
    for line in text.split("\n"):
        m = _SPARQL_PREFIX.fullmatch(line)
        if m:
            if not any(u.startswith(m.group(2)) for u in used):
                continue
            line = f"@prefix {m.group(1)}: <{m.group(2)}> ."
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read in blocks: dumps of a large corpus are gigabytes."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """atomic_write_bytes of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))
