"""Reading and writing RDF files with errors that name the file, line and column, and canonical Turtle."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.compare import to_canonical_graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import InputError
from .namespaces import PREFIXES


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def _position(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file; a syntax error names the file, line and column and says what is wrong."""
    graph = graph if graph is not None else Graph()
    try:
        data = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        graph.parse(data=data, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        line, column = _position(data, exc._i)
        why = exc._why
        hint = ""
        if "not bound" in why:
            hint = " (declare it with @prefix at the top of the file)"
        raise InputError(f"{path}:{line}:{column}: Turtle syntax error: {why}{hint}") from exc
    except Exception as exc:  # rdflib raises plain exceptions for bad IRIs and literals
        raise InputError(f"{path}: cannot parse as Turtle: {exc}") from exc
    return graph


def parse_turtle_files(paths: Iterable[Path], graph: Graph | None = None) -> Graph:
    graph = graph if graph is not None else Graph()
    for path in paths:
        parse_turtle(path, graph)
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
    # Turtle's own `@prefix` (the OWL API, and so Protégé, refuses the SPARQL-style `PREFIX`)
    lines = []
    for line in text.splitlines():
        m = _SPARQL_PREFIX.fullmatch(line)
        if m:
            if not any(u.startswith(m.group(2)) for u in used):
                continue
            line = f"@prefix {m.group(1)}: <{m.group(2)}> ."
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
