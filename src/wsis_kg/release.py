"""Write the release folder atomically, in every format, and prove each file lossless before it ships.

Everything goes to a temporary folder beside dist/, and dist/ (a symbolic link) is switched to it only
when every file is written and has been parsed back to the very dataset it was written from. A failed
or killed build leaves the previous release as it was.

Writers: pyoxigraph for N-Quads, TriG, Turtle and N-Triples (it escapes every character correctly);
our own for compacted JSON-LD and RDF/XML, because rdflib's JSON-LD serializer drops a blank node that
points to itself, and both rdflib's and pyoxigraph's RDF/XML writers emit invalid XML (or raise) for a
predicate whose IRI does not end in an XML name or a literal holding a character XML 1.0 forbids.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import heapq
import itertools
import json
import os
import re
import secrets
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from .assemble import Assembly
from .errors import WsisKgError
from .namespaces import ONTOLOGY_IRI, OWL, PREFIXES, RDF, RDFS, WSIS, XSD
from .rdfio import canonical_turtle, file_sha256
from .store import SPLIT_DIR, nquads_files

if TYPE_CHECKING:
    from .describe import Figures, Publication, Stats

TRIG = "wsis-kg.trig"
TURTLE = "wsis-kg.ttl"
NTRIPLES = "wsis-kg.nt"
NQUADS = "wsis-kg.nq"
JSONLD = "wsis-kg.jsonld"
CANONICAL = "wsis-kg.canonical.nq"
CONTEXT = "context.jsonld"
VOID_FILE = "void.ttl"
ONTOLOGY_DIR = "ontology"

RDF_TYPE = str(RDF.type)
XSD_STRING = str(XSD.string)

CATALOG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
    <group id="wsis-kg" prefer="public" xml:base="">
        <uri name="{ontology}" uri="wsis.owl"/>
        <uri name="{version}" uri="wsis.owl"/>
    </group>
</catalog>
"""

# Dump files of the release: name -> (media type, pyoxigraph format or None for our own writers).
DUMPS: dict[str, tuple[str, str]] = {
    NQUADS: ("application/n-quads", "N-Quads"),
    TRIG: ("application/trig", "TriG"),
    TURTLE: ("text/turtle", "Turtle"),
    NTRIPLES: ("application/n-triples", "N-Triples"),
    JSONLD: ("application/ld+json", "JSON-LD"),
    CANONICAL: ("application/n-quads", "N-Quads (RDFC-1.0 canonical)"),
    f"{ONTOLOGY_DIR}/wsis.owl": ("application/rdf+xml", "RDF/XML"),
    f"{ONTOLOGY_DIR}/wsis.ttl": ("text/turtle", "Turtle"),
}


class ExportError(WsisKgError):
    """A format cannot hold the data, or a written file does not parse back to the same dataset."""

    exit_code = 1


# ---------------------------------------------------------------- staging


@contextmanager
def staged_release(dist: Path) -> Iterator[Path]:
    """Yield a fresh folder beside `dist`; on success `dist` points to it, on any error it is removed.

    `dist` is a symbolic link to a complete release folder (`dist.<UTC time>-<pid>`), switched with one
    atomic rename of a new link over the old: at every instant, whatever kills the build, `dist` is the
    complete old release or the complete new one. Folders left by killed builds (and releases no longer
    linked) are removed by the next build. Folders are created under the user's umask."""
    parent = dist.parent
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dist)
    staging = _make_dir(parent, f".{dist.name}-new-{os.getpid()}-")
    try:
        yield staging
        seconds, nanoseconds = divmod(time.time_ns(), 10**9)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(seconds)) + f"{nanoseconds:09d}"
        final = parent / f"{dist.name}.{stamp}-{os.getpid()}"
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        switch_link(dist, final.name)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    remove_stale(dist)


def _make_dir(parent: Path, prefix: str) -> Path:
    """A new folder with a unique name, created with the user's umask (tempfile.mkdtemp forces 0700)."""
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"cannot create a folder named {prefix}* in {parent}")


def switch_link(dist: Path, target: str) -> None:
    """Point `dist` at `target` (a sibling's name) in one atomic step. A real folder standing in `dist`
    (a release written before releases were links, or by hand) is exchanged with the new link atomically
    where the system can (Linux renameat2), then removed."""
    link = dist.parent / f".{dist.name}-link-{os.getpid()}-{secrets.token_hex(4)}"
    os.symlink(target, link)
    try:
        if dist.is_symlink() or not dist.exists():
            os.replace(link, dist)
            return
        if _exchange(link, dist):
            shutil.rmtree(link)  # now the old folder
            return
        # no atomic exchange on this system: the old folder steps aside for an instant
        old = dist.parent / f".{dist.name}-old-{os.getpid()}-{secrets.token_hex(4)}"
        dist.rename(old)
        os.replace(link, dist)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if link.is_symlink():
            link.unlink()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (renameat2 with RENAME_EXCHANGE); False where the system cannot."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done != 0:
        errno = ctypes.get_errno()
        if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: not supported here
            return False
        raise OSError(errno, os.strerror(errno), str(b))
    return True


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process's earlier builds are over: only the one running now matters
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(dist: Path) -> list[Path]:
    """Remove what killed or finished builds left beside `dist`: staging folders and links of processes
    that no longer run, and release folders `dist` no longer points to: older ones, and newer ones whose
    build is gone (a running build may be about to link its own). Return what was removed."""
    parent = dist.parent
    if not parent.is_dir():
        return []
    current = os.readlink(dist) if dist.is_symlink() else ""
    name = re.escape(dist.name)
    temporary = re.compile(rf"\.{name}-(?:new|link|old)-(\d+)-")
    release = re.compile(rf"{name}\.(\d{{8}}T\d{{15}})-(\d+)$")
    now = release.match(current)
    removed = []
    for path in parent.iterdir():
        if path.name == current:
            continue
        if m := temporary.match(path.name):
            stale = not _alive(int(m.group(1)))
        elif m := release.match(path.name):
            stale = (now is not None and m.group(1) < now.group(1)) or not _alive(int(m.group(2)))
        else:
            continue
        if not stale:
            continue
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


# ---------------------------------------------------------------- rdflib -> pyoxigraph


class _TermMap:
    """Converts rdflib terms to pyoxigraph terms directly (no text round trip that could lose data);
    one pyoxigraph blank node per rdflib blank node."""

    def __init__(self) -> None:
        self.bnodes: dict[str, ox.BlankNode] = {}

    def __call__(self, t: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, BNode):
            return self.bnodes.setdefault(str(t), ox.BlankNode())
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            if t.datatype is not None:
                return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            return ox.Literal(str(t))
        raise TypeError(f"unsupported RDF term {t!r}")


def graph_quads(named: Iterable[tuple[URIRef | None, Graph]]) -> list[ox.Quad]:
    """The quads of (graph name, graph) pairs; None names the default graph."""
    conv = _TermMap()
    out: list[ox.Quad] = []
    for name, g in named:
        gname: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(str(name)) if name is not None else ox.DefaultGraph()
        for s, p, o in g:
            subject = conv(s)
            predicate = conv(p)
            if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                raise ExportError(f"not RDF: a literal subject or a non-IRI predicate in <{name}>: {s} {p} {o}")
            out.append(ox.Quad(subject, predicate, conv(o), gname))
    return sorted(out, key=_quad_key)


def dataset_quads(ds: Dataset) -> list[ox.Quad]:
    named: list[tuple[URIRef | None, Graph]] = []
    default = ds.default_graph.identifier
    for ctx in ds.graphs():
        ident = ctx.identifier
        named.append((None if ident == default else URIRef(str(ident)), ctx))
    return graph_quads(named)


def _quad_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


def union_triples(quads: Iterable[ox.Quad | ox.Triple]) -> list[ox.Triple]:
    """The distinct triples of some quads (or triples), sorted."""
    return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)


# ---------------------------------------------------------------- canonical form and comparison


def canonical_lines(quads: Iterable[ox.Quad | ox.Triple]) -> list[str]:
    """RDFC-1.0 canonical N-Quads lines, sorted: equal lists mean isomorphic datasets."""
    dataset = ox.Dataset(
        q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in quads
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = to_bytes(dataset, ox.RdfFormat.N_QUADS).decode("utf-8")
    return sorted(line + "\n" for line in text.split("\n") if line)


def canonical_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """The same bytes for the same dataset, whatever the blank node labels and the order of the input."""
    return "".join(canonical_lines(quads)).encode("utf-8")


def _has_bnode(q: ox.Quad | ox.Triple) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) or (
        isinstance(q, ox.Quad) and isinstance(q.graph_name, ox.BlankNode)
    )


def difference(expected: list[ox.Quad] | list[ox.Triple], actual: list[ox.Quad] | list[ox.Triple]) -> str:
    """Empty when the two datasets are isomorphic, else a short account of what differs."""
    if not any(_has_bnode(q) for q in expected) and not any(_has_bnode(q) for q in actual):
        a, b = {str(q) for q in expected}, {str(q) for q in actual}
    else:
        a, b = set(canonical_lines(expected)), set(canonical_lines(actual))
    if a == b:
        return ""
    missing, extra = sorted(a - b), sorted(b - a)
    lines = [f"{len(missing)} statement(s) lost, {len(extra)} added"]
    lines += [f"  lost:  {m.strip()[:200]}" for m in missing[:3]]
    lines += [f"  added: {e.strip()[:200]}" for e in extra[:3]]
    return "\n".join(lines)


# ---------------------------------------------------------------- JSON-LD context and compaction


def jsonld_context(ontology: Graph) -> dict[str, Any]:
    """The published @context: every wsis: class and property under its local name, object properties
    with "@type": "@id", datatype properties with their XSD range, plus the project's prefixes (less any
    whose name a term takes, since a term used as a prefix would expand to the wrong IRI)."""
    ns = str(WSIS)
    terms: dict[str, Any] = {}
    kinds = {OWL.ObjectProperty: "object", OWL.DatatypeProperty: "data", OWL.AnnotationProperty: "annotation",
             RDF.Property: "annotation", OWL.Class: "class", RDFS.Class: "class"}
    for kind_iri, kind in kinds.items():
        for s in ontology.subjects(RDF.type, kind_iri):
            iri = str(s)
            if not iri.startswith(ns) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", iri[len(ns):]):
                continue
            name = iri[len(ns):]
            if kind == "class":
                terms.setdefault(name, iri)
            elif kind == "object":
                terms[name] = {"@id": iri, "@type": "@id"}
            elif kind == "data":
                ranges = [r for r in ontology.objects(s, RDFS.range) if str(r).startswith(str(XSD))]
                terms[name] = {"@id": iri, "@type": str(ranges[0])} if len(ranges) == 1 else {"@id": iri}
            else:
                terms.setdefault(name, {"@id": iri})
    context: dict[str, Any] = {p: iri for p, iri in sorted(PREFIXES.items()) if p not in terms}
    context.update(sorted(terms.items()))
    return {"@context": context}


class JsonLdWriter:
    """Compacted, flattened JSON-LD against a given context, written by hand so that nothing is lost:
    a value takes the short form only where the context's coercion gives back exactly that term."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        ctx: dict[str, Any] = context["@context"]
        self.property_terms: dict[str, tuple[str, str | None]] = {}
        self.class_terms: dict[str, str] = {}
        self.prefixes: list[tuple[str, str]] = []
        for name, value in ctx.items():
            if isinstance(value, dict):
                self.property_terms[str(value["@id"])] = (name, value.get("@type"))
            elif value.endswith(("/", "#")):
                self.prefixes.append((name, value))
            else:
                self.class_terms[value] = name
        self.prefixes.sort(key=lambda p: -len(p[1]))
        self.names = set(ctx)
        self.written: dict[tuple[str, bool], str] = {}  # most IRIs recur many times

    def iri(self, iri: str, vocab: bool) -> str:
        found = self.written.get((iri, vocab))
        if found is None:
            found = self.written[(iri, vocab)] = self._iri(iri, vocab)
        return found

    def _iri(self, iri: str, vocab: bool) -> str:
        if vocab and iri in self.class_terms:
            return self.class_terms[iri]
        for name, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{name}:{iri[len(ns):]}"
        scheme = iri.split(":", 1)[0]
        if scheme in self.names or scheme == "_":
            raise ExportError(f"<{iri}> cannot be written in JSON-LD: its scheme {scheme!r} is a term of the context")
        return iri

    def node_ref(self, term: ox.NamedNode | ox.BlankNode, vocab: bool = False) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value, vocab)

    def value(self, obj: ox.NamedNode | ox.BlankNode | ox.Literal, coercion: str | None) -> Any:
        if isinstance(obj, ox.NamedNode | ox.BlankNode):
            ref = self.node_ref(obj)
            return ref if coercion == "@id" else {"@id": ref}
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        datatype = obj.datatype.value
        if coercion is not None and coercion != "@id":
            return obj.value if datatype == coercion else {"@value": obj.value, "@type": self.iri(datatype, True)}
        if datatype == XSD_STRING:
            return obj.value if coercion is None else {"@value": obj.value}
        return {"@value": obj.value, "@type": self.iri(datatype, True)}

    def nodes(self, triples: Iterable[tuple[Any, Any, Any]]) -> list[dict[str, Any]]:
        by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            node = by_subject[self.node_ref(s)]
            if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
                node["@type"].append(self.node_ref(o, vocab=True))
                continue  # (a blank node as a type is deprecated in JSON-LD 1.1: it stays under rdf:type)
            term = self.property_terms.get(p.value)
            key, coercion = term if term else (self.iri(p.value, vocab=True), None)
            node[key].append(self.value(o, coercion))
        out = []
        for ref in sorted(by_subject):
            obj: dict[str, Any] = {"@id": ref}
            for key in sorted(by_subject[ref], key=lambda k: (k != "@type", k)):
                values = by_subject[ref][key]
                if len(values) > 1:
                    values = sorted(values, key=lambda v: json.dumps(v, sort_keys=True))
                obj[key] = values[0] if len(values) == 1 else values
            out.append(obj)
        return out

    def document(self, quads: Iterable[ox.Quad]) -> dict[str, Any]:
        graphs: dict[str, list[tuple[Any, Any, Any]]] = defaultdict(list)
        default: list[tuple[Any, Any, Any]] = []
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                default.append((q.subject, q.predicate, q.object))
            else:
                graphs[self.node_ref(q.graph_name)].append((q.subject, q.predicate, q.object))
        items: list[dict[str, Any]] = [{"@id": g, "@graph": self.nodes(graphs[g])} for g in sorted(graphs)]
        return {**self.context, "@graph": items + self.nodes(default)}

    def dumps(self, quads: Iterable[ox.Quad]) -> bytes:
        head, tail = _jsonld_frame(self.context)
        return head + _jsonld_items(self, list(quads)) + tail


# ---------------------------------------------------------------- RDF/XML

_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NCNAME = re.compile(f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RDF_RESERVED = {"RDF", "ID", "about", "parseType", "resource", "nodeID", "datatype", "Description", "li",
                 "aboutEach", "aboutEachPrefix", "bagID"}


def split_predicate(iri: str) -> tuple[str, str] | None:
    """(namespace, local name) with the longest local name that is an XML NCName, or None: RDF/XML has
    no way to write a predicate whose IRI does not end in one (for example `http://example.org/p/1`)."""
    for _, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and _NCNAME.fullmatch(iri[len(ns):]):
            return ns, iri[len(ns):]
    for i in range(len(iri)):
        if _NCNAME.fullmatch(iri[i:]):
            return iri[:i], iri[i:]
    return None


def _xml_text(value: str, where: str) -> str:
    bad = _XML_CHAR.search(value)
    if bad:
        raise ExportError(
            f"{where} holds the character U+{ord(bad.group(0)):04X}, which XML 1.0 cannot carry; RDF/XML "
            "cannot express this graph (use Turtle or N-Triples)"
        )
    return xml_escape(value, {"\r": "&#13;"})


def _xml_attr(value: str, where: str) -> str:
    return _xml_text(value, where).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def rdfxml(triples: Iterable[ox.Triple], first: str | None = None) -> bytes:
    """Flat RDF/XML (one rdf:Description per subject, `first` at the top) that holds every triple, or
    ExportError saying why the graph cannot be written in RDF/XML at all."""
    triples = sorted(triples, key=lambda t: (not (isinstance(t.subject, ox.NamedNode) and t.subject.value == first),
                                             str(t)))
    prefix_of = {ns: p for p, ns in PREFIXES.items()}
    namespaces: dict[str, str] = {str(RDF): "rdf"}
    qnames: dict[str, str] = {}
    for t in triples:
        p = t.predicate.value
        if p in qnames:
            continue
        split = split_predicate(p)
        if split is None:
            raise ExportError(f"predicate <{p}> cannot be written in RDF/XML: its IRI does not end in an XML name")
        ns, local = split
        if ns == str(RDF) and local in _RDF_RESERVED:
            raise ExportError(f"predicate <{p}> cannot be written in RDF/XML: rdf:{local} is reserved syntax")
        if ns not in namespaces:
            name = prefix_of.get(ns, "")
            if not name or name in namespaces.values() or name.lower().startswith("xml"):
                name = f"ns{len(namespaces)}"
            namespaces[ns] = name
        qnames[p] = f"{namespaces[ns]}:{local}"
    bnode_ids: dict[str, str] = {}

    def node_attr(term: ox.NamedNode | ox.BlankNode | ox.Triple, about: bool) -> str:
        if isinstance(term, ox.BlankNode):
            return f'rdf:nodeID="{bnode_ids.setdefault(term.value, f"b{len(bnode_ids)}")}"'
        if not isinstance(term, ox.NamedNode):
            raise ExportError("RDF/XML cannot hold RDF-star triple terms")
        return f'rdf:{"about" if about else "resource"}="{_xml_attr(term.value, "an IRI")}"'

    out = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    out += [f'    xmlns:{name}="{_xml_attr(ns, "a namespace")}"' for ns, name in sorted(namespaces.items(),
                                                                                   key=lambda kv: kv[1])]
    out[-1] += ">"
    current: str | None = None
    for t in triples:
        subject = node_attr(t.subject, about=True)
        if subject != current:
            if current is not None:
                out.append("  </rdf:Description>")
            out.append(f"  <rdf:Description {subject}>")
            current = subject
        q = qnames[t.predicate.value]
        o = t.object
        if isinstance(o, ox.Literal):
            where = f"the literal of {t.subject} {t.predicate}"
            text = _xml_text(o.value, where)
            if o.language:
                attrs = f' xml:lang="{_xml_attr(o.language, where)}"'
            elif o.datatype.value != XSD_STRING:
                attrs = f' rdf:datatype="{_xml_attr(o.datatype.value, where)}"'
            else:
                attrs = ""
            out.append(f"    <{q}{attrs}>{text}</{q}>")
        else:
            out.append(f"    <{q} {node_attr(o, about=False)}/>")
    if current is not None:
        out.append("  </rdf:Description>")
    out.append("</rdf:RDF>")
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------- Turtle and TriG

_PLAIN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")  # the local names every Turtle grammar agrees on


class TurtleTerms:
    """Terms as Turtle that every Turtle parser reads alike, the OWL API's included: a prefixed name only
    where the local name needs no backslash escape (`id:activity/build` stays a full IRI rather than
    `id:activity\\/build`, which OWL API 5.1 misreads), `@prefix` declarations rather than SPARQL-style
    `PREFIX`, literals in their N-Triples form."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()
        self.written: dict[str, str] = {}  # IRI -> its Turtle form: most IRIs recur many times

    def iri(self, iri: str) -> str:
        for name, ns in self.prefixes:
            if iri.startswith(ns) and _PLAIN_LOCAL.fullmatch(iri[len(ns):]):
                self.used.add(name)
                return f"{name}:{iri[len(ns):]}"
        return f"<{iri}>"

    def __call__(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
        if isinstance(term, ox.NamedNode):
            iri = term.value
            written = self.written.get(iri)
            if written is None:
                written = self.written[iri] = self.iri(iri)
            return written
        if isinstance(term, ox.Literal | ox.BlankNode):
            return str(term)
        raise ExportError(f"Turtle cannot hold {term!r}")

    def header(self) -> str:
        return "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in sorted(self.prefixes) if name in self.used)


def _turtle_block(triples: Iterable[ox.Triple | ox.Quad], term: TurtleTerms, indent: str) -> list[str]:
    out: list[str] = []
    by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        by_subject[term(t.subject)][term(t.predicate)].append(term(t.object))
    for subject in sorted(by_subject):
        preds = by_subject[subject]
        lines = [f"{indent}{subject}"]
        items = sorted(preds.items(), key=lambda kv: (kv[0] != "rdf:type", kv[0]))
        for i, (pred, objects) in enumerate(items):
            verb = "a" if pred == "rdf:type" else pred
            end = " ." if i == len(items) - 1 else " ;"
            lines.append(f"{indent}    {verb} {' , '.join(sorted(set(objects)))}{end}")
        out.append("\n".join(lines))
    return out


def turtle_bytes(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    term = TurtleTerms(prefixes)
    body = "\n\n".join(_turtle_block(triples, term, ""))
    return (term.header() + "\n" + body + "\n").encode("utf-8")


def _trig_body(quads: Iterable[ox.Quad], term: TurtleTerms) -> str:
    """TriG without its prefix declarations: the default graph's triples, then each named graph."""
    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    default: list[ox.Quad] = []
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            default.append(q)
        else:
            graphs[term(q.graph_name)].append(q)
    blocks = _turtle_block(default, term, "")
    for name in sorted(graphs):
        blocks.append(f"{name} {{\n" + "\n\n".join(_turtle_block(graphs[name], term, "    ")) + "\n}")
    return "\n\n".join(blocks)


def trig_bytes(quads: Iterable[ox.Quad], prefixes: dict[str, str]) -> bytes:
    term = TurtleTerms(prefixes)
    body = _trig_body(quads, term)
    return (term.header() + "\n" + body + "\n").encode("utf-8")


# ---------------------------------------------------------------- writing and checking the dumps


def to_bytes(items: Iterable[ox.Quad] | Iterable[ox.Triple], fmt: ox.RdfFormat,
             prefixes: dict[str, str] | None = None) -> bytes:
    """pyoxigraph's serialisation into bytes."""
    data = ox.serialize(items, format=fmt, prefixes=prefixes)
    assert data is not None  # no output given: bytes are returned
    return data


def serialize(quads: list[ox.Quad], name: str, context: dict[str, Any] | None = None) -> bytes:
    """The bytes of one dump file of the release, by its file name."""
    if name == NQUADS:
        return to_bytes(quads, ox.RdfFormat.N_QUADS)
    if name == TRIG:
        return trig_bytes(quads, PREFIXES)
    if name == TURTLE:
        return turtle_bytes(union_triples(quads), PREFIXES)
    if name == NTRIPLES:
        return to_bytes(union_triples(quads), ox.RdfFormat.N_TRIPLES)
    if name == JSONLD:
        return JsonLdWriter(context or {"@context": dict(PREFIXES)}).dumps(quads)
    raise ValueError(name)


_PARSE_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE,
                  ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD, ".owl": ox.RdfFormat.RDF_XML,
                  ".rdf": ox.RdfFormat.RDF_XML}


def parse_back(data: bytes, suffix: str) -> list[ox.Quad]:
    fmt = _PARSE_FORMATS[suffix]
    try:
        return [q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in ox.parse(data, format=fmt)]
    except (SyntaxError, ValueError) as exc:
        raise ExportError(f"the {fmt.name} written does not parse: {exc}") from exc


def check_lossless(name: str, data: bytes, quads: list[ox.Quad], triples_only: bool = False) -> None:
    """Parse a written file back and fail loudly if it is not the dataset it was written from."""
    back = parse_back(data, Path(name).suffix)
    expected: list[ox.Quad] | list[ox.Triple] = quads
    actual: list[ox.Quad] | list[ox.Triple] = back
    if triples_only:
        expected, actual = union_triples(quads), union_triples(back)
    diff = difference(expected, actual)
    if diff:
        raise ExportError(f"{name} does not hold the dataset it was written from: {diff}")


def ontology_files(folder: Path, ontology: Graph, shapes: Graph) -> None:
    """The Protégé bundle: RDF/XML and Turtle of the ontology, the shapes, and an XML catalog."""
    folder.mkdir(parents=True, exist_ok=True)
    quads = graph_quads([(None, ontology)])
    xml = rdfxml(union_triples(quads), first=str(ONTOLOGY_IRI))
    check_lossless("wsis.owl", xml, quads, triples_only=True)
    (folder / "wsis.owl").write_bytes(xml)
    ttl = canonical_turtle(ontology).encode("utf-8")
    check_lossless("wsis.ttl", ttl, quads, triples_only=True)
    (folder / "wsis.ttl").write_bytes(ttl)
    (folder / "shapes.ttl").write_text(canonical_turtle(shapes), encoding="utf-8")
    version = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    (folder / "catalog-v001.xml").write_text(
        CATALOG.format(ontology=ONTOLOGY_IRI, version=version or ONTOLOGY_IRI), encoding="utf-8"
    )


# ---------------------------------------------------------------- dumps written in blocks

# The dumps whose text is joined from blocks: every dump but the canonical one, which is merged from
# the blocks' sorted lines.
BLOCK_DUMPS = (NQUADS, TRIG, TURTLE, NTRIPLES, JSONLD)


Lines = Callable[[], Iterator[bytes]]  # opens a run of sorted lines when called


@dataclass
class Block:
    """Some named graphs of the dataset (one document's part, or the graphs every build shares) written
    ahead in each dump format, each fragment proven lossless by parsing it back under the dumps' header.
    A dump is its header and the blocks' fragments joined in order: no step ever holds the whole
    dataset. `canonical` gives the block's RDFC-1.0 lines, sorted (bytes, or a function opening them),
    unless it has blank nodes, whose canonical labels depend on the whole dataset."""

    fragments: dict[str, bytes]
    prefixes: list[str]  # the prefixes the Turtle and TriG fragments use
    canonical: bytes | Lines | None


def _jsonld_items(writer: JsonLdWriter, quads: list[ox.Quad]) -> bytes:
    document = writer.document(quads)
    def item(obj: dict[str, Any]) -> str:
        """A named graph with one node a line (json's C encoder writes no indentation, and is fast)."""
        if "@graph" not in obj:
            return json.dumps(obj, ensure_ascii=False)
        nodes = ",\n".join(json.dumps(node, ensure_ascii=False) for node in obj["@graph"])
        return f'{{"@id": {json.dumps(obj["@id"], ensure_ascii=False)}, "@graph": [\n{nodes}\n]}}'

    return ",\n".join(item(obj) for obj in document["@graph"]).encode("utf-8")


def _header(prefixes: Iterable[str]) -> bytes:
    return "".join(f"@prefix {name}: <{PREFIXES[name]}> .\n" for name in sorted(prefixes)).encode("utf-8")


def _jsonld_frame(context: dict[str, Any]) -> tuple[bytes, bytes]:
    """The text before and after the items of the "@graph" array."""
    head = json.dumps({**context, "@graph": []}, indent=1, ensure_ascii=False)
    assert head.endswith("[]\n}")
    return (head[: -len("]\n}")] + "\n").encode("utf-8"), b"\n]\n}\n"


def fragments(quads: list[ox.Quad], context: dict[str, Any]) -> tuple[dict[str, bytes], list[str]]:
    """The text of `quads` in each dump format, without headers; and the prefixes that text uses."""
    term = TurtleTerms(PREFIXES)
    trig = _trig_body(quads, term)
    union = union_triples(quads)
    turtle = "\n\n".join(_turtle_block(union, term, ""))
    return {
        NQUADS: to_bytes(quads, ox.RdfFormat.N_QUADS),
        TRIG: (trig + "\n").encode("utf-8") if trig else b"",
        TURTLE: (turtle + "\n").encode("utf-8") if turtle else b"",
        NTRIPLES: to_bytes(union, ox.RdfFormat.N_TRIPLES),
        JSONLD: _jsonld_items(JsonLdWriter(context), quads),
    }, sorted(term.used)


def make_block(quads: list[ox.Quad], context: dict[str, Any]) -> Block:
    """The fragments of some whole named graphs (quads sorted as `graph_quads` sorts them), each checked."""
    texts, prefixes = fragments(quads, context)
    block = Block(texts, prefixes, None)
    bnodes = any(_has_bnode(q) for q in quads)
    expected = {False: {str(q) for q in quads}, True: {str(t) for t in {q.triple for q in quads}}}
    for name, data in texts.items():
        triples_only = name in (TURTLE, NTRIPLES)
        standalone = _standalone(block, name, data, context)
        if bnodes:  # compared up to blank node labels
            check_lossless(name, standalone, quads, triples_only=triples_only)
            continue
        back = parse_back(standalone, Path(name).suffix)
        if (triples_only and {str(q.triple) for q in back} != expected[True]) or \
                (not triples_only and {str(q) for q in back} != expected[False]):
            check_lossless(name, standalone, quads, triples_only=triples_only)  # says what differs
            raise ExportError(f"{name} does not hold the dataset it was written from")
    if not bnodes:
        block.canonical = "".join(canonical_lines(quads)).encode("utf-8")
    return block


def _standalone(block: Block, name: str, data: bytes, context: dict[str, Any]) -> bytes:
    """A fragment as a file of its own: what the dump is, for a dataset of this block alone."""
    if name in (TRIG, TURTLE):
        return _header(block.prefixes) + b"\n" + data
    if name == JSONLD:
        head, tail = _jsonld_frame(context)
        return head + data + tail
    return data


def _runs(block: Block) -> Lines | None:
    canonical = block.canonical
    if canonical is None or callable(canonical):
        return canonical
    return lambda: iter(canonical.splitlines(keepends=True))


MERGE_WIDTH = 128  # runs merged at once: files open together stay well under any limit on open files


def merge_runs(runs: list[Lines], out: BinaryIO | _HashingWriter, spill: Path) -> None:
    """Merge sorted runs of lines into `out`; more runs than MERGE_WIDTH are merged in rounds, through
    files in `spill`."""
    while len(runs) > MERGE_WIDTH:
        merged: list[Lines] = []
        for i in range(0, len(runs), MERGE_WIDTH):
            path = spill / f"run-{len(merged)}-{secrets.token_hex(4)}"
            with path.open("wb") as fh:
                fh.writelines(heapq.merge(*(r() for r in runs[i:i + MERGE_WIDTH])))
            merged.append(functools.partial(_lines_then_remove, path))
        runs = merged
    out.writelines(heapq.merge(*(r() for r in runs)))


def _lines_then_remove(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        yield from fh
    path.unlink()


class _HashingWriter:
    """A file written once, front to back, and hashed as it is written: a large corpus's dumps are
    gigabytes, and reading them again only to hash them would cost as much as writing them."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("wb")
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.fh.write(data)

    def writelines(self, lines: Iterable[bytes]) -> None:
        """Lines written a few thousand at a time: one hash and write call per line would cost more than
        the merge that yields them."""
        it = iter(lines)
        while chunk := b"".join(itertools.islice(it, 4096)):
            self.write(chunk)

    def close(self) -> None:
        self.fh.close()


def write_blocks(folder: Path, blocks: Iterable[Block], prefixes: Iterable[str], context: dict[str, Any],
                 fallback: Callable[[], list[ox.Quad]] | None = None) -> dict[str, str]:
    """Every dataset dump, from blocks read one at a time (each block's fragments already checked;
    `prefixes`: all that their Turtle and TriG fragments use); return each dump's SHA-256. The canonical
    N-Quads are the blocks' sorted lines merged; should a block hold blank nodes, the whole dataset is
    canonicalised instead (from `fallback`, which yields every quad)."""
    header = _header(prefixes) + b"\n"
    head, tail = _jsonld_frame(context)
    runs: list[Lines] = []
    whole = True
    handles = {name: _HashingWriter(folder / name) for name in BLOCK_DUMPS}
    try:
        handles[TRIG].write(header)
        handles[TURTLE].write(header)
        handles[JSONLD].write(head)
        first_item = True
        for block in blocks:
            for name in (NQUADS, TRIG, TURTLE, NTRIPLES):
                handles[name].write(block.fragments[name])
            if block.fragments[JSONLD]:
                handles[JSONLD].write((b"" if first_item else b",\n") + block.fragments[JSONLD])
                first_item = False
            run = _runs(block)
            if run is None:
                whole = False
            else:
                runs.append(run)
        handles[JSONLD].write(tail)
    finally:
        for h in handles.values():
            h.close()
    out = _HashingWriter(folder / CANONICAL)
    try:
        if whole:
            spill = folder / ".canonical-runs"
            spill.mkdir()
            merge_runs(runs, out, spill)
            shutil.rmtree(spill)
        else:
            if fallback is None:
                raise ExportError("blank nodes in a block, and no way given to read the whole dataset")
            out.write(canonical_nquads(fallback()))
    finally:
        out.close()
    digests = {name: h.digest.hexdigest() for name, h in handles.items()}
    digests[CANONICAL] = out.digest.hexdigest()
    (folder / f"{CANONICAL}.sha256").write_text(f"{digests[CANONICAL]}  {CANONICAL}\n")
    write_context(folder, context)
    return digests


def write_context(folder: Path, context: dict[str, Any]) -> None:
    """The release's JSON-LD context, beside the dumps that embed it."""
    (folder / CONTEXT).write_text(json.dumps(context, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_dumps(folder: Path, quads: list[ox.Quad], context: dict[str, Any]) -> None:
    """Every dataset dump of `quads`, each checked by parsing it back before it is kept."""
    block = make_block(quads, context)
    write_blocks(folder, [block], block.prefixes, context, fallback=lambda: quads)


def write_release(
    folder: Path, assembly: Assembly, shapes: Graph, reports: dict[str, str], extra: dict[str, str] | None = None,
    publication: Publication | None = None,
) -> dict[str, str]:
    """Write every file of a release of `assembly` into `folder`; return file name -> sha256."""
    named: list[tuple[URIRef | None, Graph]] = [(iri, g) for iri, g in assembly.named_graphs()]
    return write_release_quads(folder, graph_quads(named), assembly.ontology, shapes, reports, extra, publication)


def write_release_quads(
    folder: Path, quads: list[ox.Quad], ontology: Graph, shapes: Graph, reports: dict[str, str],
    extra: dict[str, str] | None = None, publication: Publication | None = None,
) -> dict[str, str]:
    """Write every file of a release of `quads` (sorted as `graph_quads` sorts) into `folder`."""
    block = make_block(quads, jsonld_context(ontology))
    return write_release_blocks(folder, [block], block.prefixes, ontology, shapes, reports, extra, publication)


def write_release_blocks(
    folder: Path, blocks: Iterable[Block], prefixes: Iterable[str], ontology: Graph, shapes: Graph,
    reports: dict[str, str], extra: dict[str, str] | None = None, publication: Publication | None = None,
    stats: Stats | Figures | None = None, same_ontology: tuple[Path, dict[str, str]] | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Write every file of a release made of `blocks` into `folder`; return file name -> sha256. The
    blocks are read once, in order; VoID is written from `stats` (the blocks' statistics merged), or
    else from the N-Quads dump read back. `same_ontology`: as finish_release takes it."""
    def every_quad() -> list[ox.Quad]:
        return list(ox.parse(path=folder / NQUADS, format=ox.RdfFormat.N_QUADS))

    digests = write_blocks(folder, blocks, prefixes, context or jsonld_context(ontology), fallback=every_quad)
    return finish_release(folder, digests, ontology, shapes, reports, extra, publication, stats, same_ontology)


def finish_release(
    folder: Path, digests: dict[str, str], ontology: Graph, shapes: Graph, reports: dict[str, str],
    extra: dict[str, str] | None = None, publication: Publication | None = None, stats: Stats | Figures | None = None,
    same_ontology: tuple[Path, dict[str, str]] | None = None,
) -> dict[str, str]:
    """The files of a release beside its dumps (already in `folder`, their digests in `digests`): the
    ontology bundle, VoID, the reports; return every file's name -> sha256. `same_ontology`: a previous
    release made from the same ontology, shapes and code, and its manifest's digests, whose ontology
    bundle is then taken as it is."""
    from .describe import write_void

    if same_ontology is None or not _link_ontology(folder, *same_ontology, digests):
        ontology_files(folder / ONTOLOGY_DIR, ontology, shapes)
    if stats is None:
        stats_of: Iterable[ox.Quad] | Stats | Figures = itertools.chain.from_iterable(
            ox.parse(path=path, format=ox.RdfFormat.N_QUADS) for path in nquads_files(folder))
    else:
        stats_of = stats
    write_void(folder, stats_of, publication=publication, digests=digests)
    rep = folder / "reports"
    rep.mkdir(exist_ok=True)
    for name, text in {**reports, **(extra or {})}.items():
        (rep / name).write_text(text, encoding="utf-8")
    files = (p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*")) if p.is_file())
    return {name: digests.get(name) or file_sha256(folder / name) for name in files}


ONTOLOGY_FILES = ("wsis.owl", "wsis.ttl", "shapes.ttl", "catalog-v001.xml")


def _link_ontology(folder: Path, previous: Path, known: dict[str, str], digests: dict[str, str]) -> bool:
    """The ontology bundle linked from a previous release (writing it means canonicalising the ontology
    and the shapes, the slowest constant of a release); False, with nothing left behind, when a file is
    missing."""
    linked = link_files(folder, previous, [f"{ONTOLOGY_DIR}/{n}" for n in ONTOLOGY_FILES], known)
    if linked is None:
        return False
    digests.update(linked)
    return True


def link_files(folder: Path, previous: Path, names: list[str], known: dict[str, str],
               sizes: dict[str, int] | None = None) -> dict[str, str] | None:
    """Files of the `previous` release taken into this one (hard links, or copies across file systems)
    when every one is there, with a digest in `known` (the previous manifest's) and, when `sizes` is
    given, of that size: the same inputs write the same bytes. Returns their digests, or None, with
    nothing taken, when any is missing or of another size."""
    try:
        if not all(name in known and (previous / name).is_file() and
                   (sizes is None or (previous / name).stat().st_size == sizes.get(name, -1)) for name in names):
            return None
    except OSError:
        return None
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(previous / name, folder / name)
        except OSError:
            shutil.copyfile(previous / name, folder / name)
    return {name: known[name] for name in names}


# ---------------------------------------------------------------- dumps split by document

# A large corpus's release holds one file a document in each format, instead of one file a format: a
# document's files are then the same bytes from one build to the next while the document is unchanged,
# and are linked from the previous release instead of written again. VoID lists every file as a dump.
SPLIT_FORMATS: dict[str, tuple[str, str]] = {  # dump -> (folder under SPLIT_DIR, file suffix)
    NQUADS: ("nq", ".nq"), TRIG: ("trig", ".trig"), TURTLE: ("ttl", ".ttl"), NTRIPLES: ("nt", ".nt"),
    JSONLD: ("jsonld", ".jsonld"), CANONICAL: ("canonical", ".nq"),
}


def split_name(dump: str, doc_id: str | None) -> str:
    """A file of a split release: the shared graphs' (`doc_id` None) or a document's, in one format."""
    sub, suffix = SPLIT_FORMATS[dump]
    return f"{SPLIT_DIR}/{sub}/shared{suffix}" if doc_id is None else f"{SPLIT_DIR}/{sub}/documents/{doc_id}{suffix}"


def write_split_block(folder: Path, doc_id: str | None, block: Block, context: dict[str, Any]) -> dict[str, str]:
    """A block's files of a split release, each the block's fragment made a file of its own (what
    make_block parsed back and checked); return file name -> sha256."""
    digests: dict[str, str] = {}
    for dump in (*BLOCK_DUMPS, CANONICAL):
        name = split_name(dump, doc_id)
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        out = _HashingWriter(folder / name)
        try:
            if dump != CANONICAL:
                out.write(_standalone(block, dump, block.fragments[dump], context))
            elif block.canonical is None:  # blank nodes: this block's graphs canonicalised on their own
                out.write(canonical_nquads(parse_back(block.fragments[NQUADS], ".nq")))
            elif callable(block.canonical):
                out.writelines(block.canonical())
            else:
                out.write(block.canonical)
        finally:
            out.close()
        digests[name] = out.digest.hexdigest()
    return digests


def jsonld_frame_size(context: dict[str, Any]) -> int:
    """The bytes a JSON-LD file adds around its items (the context, the "@graph" array)."""
    head, tail = _jsonld_frame(context)
    return len(head) + len(tail)


def split_sizes(doc_id: str, fragments: dict[str, int], prefixes: Iterable[str], frame: int) -> dict[str, int]:
    """The sizes of a block's files in a split release, from the sizes of its fragments (dump -> bytes;
    CANONICAL for its canonical lines, when it has them) and the JSON-LD frame's (jsonld_frame_size):
    what write_split_block would write."""
    extra = {TRIG: len(_header(prefixes)) + 1, TURTLE: len(_header(prefixes)) + 1, JSONLD: frame}
    return {split_name(dump, doc_id): size + extra.get(dump, 0) for dump, size in fragments.items()}


def link_split_files(folder: Path, previous: Path, doc_id: str, digests: dict[str, str],
                     sizes: dict[str, int]) -> dict[str, str] | None:
    """A document's files of a split release taken from the `previous` release when all are there at the
    size its part would write (`sizes`); `digests`: the previous manifest's."""
    return link_files(folder, previous, [split_name(dump, doc_id) for dump in (*BLOCK_DUMPS, CANONICAL)], digests,
                      sizes)


__all__ = [
    "CANONICAL",
    "CONTEXT",
    "DUMPS",
    "JSONLD",
    "NQUADS",
    "NTRIPLES",
    "SPLIT_DIR",
    "SPLIT_FORMATS",
    "TRIG",
    "TURTLE",
    "VOID_FILE",
    "Block",
    "ExportError",
    "JsonLdWriter",
    "canonical_lines",
    "canonical_nquads",
    "check_lossless",
    "dataset_quads",
    "difference",
    "finish_release",
    "graph_quads",
    "jsonld_context",
    "jsonld_frame_size",
    "link_files",
    "link_split_files",
    "make_block",
    "ontology_files",
    "parse_back",
    "rdfxml",
    "serialize",
    "split_name",
    "split_predicate",
    "split_sizes",
    "staged_release",
    "to_bytes",
    "trig_bytes",
    "turtle_bytes",
    "union_triples",
    "write_blocks",
    "write_context",
    "write_dumps",
    "write_release",
    "write_release_blocks",
    "write_release_quads",
    "write_split_block",
]
