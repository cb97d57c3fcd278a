"""SHACL validation with pySHACL: closed-world completeness checks the OWL ontology does not make.

Each document is validated against the shapes with the ontology and reference data beside it, but
without the other documents, so that validation cost stays proportional to one document. A document is
validated whole, never through pySHACL's `focus_nodes`: that option also restricts the value nodes that
nested shapes (`sh:or`, `sh:node`) and `sh:targetObjectsOf` look at, and so misses real violations.

pySHACL copies the data and ontology on every call and evaluates in Python, about 1-2 s a document; the
Rust engine of the `shacl` package takes tens of milliseconds on the same scope. `Validator` lets the Rust
engine prove that a scope conforms and leaves every scope with results to pySHACL, so the results, messages
and report graph stay pySHACL's (benchmarks/bench_shacl.py measures both and compares their results).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from rdflib.util import from_n3

from .assemble import Assembly
from .namespaces import RDF, RDFS, SH
from .rdfio import bind_prefixes


@dataclass(frozen=True)
class Violation:
    scope: str
    focus: str
    label: str
    path: str
    value: str
    message: str
    severity: str

    def render(self) -> str:
        where = f"<{self.focus}>" + (f' ("{self.label}")' if self.label else "")
        path = f" {self.path}:" if self.path else ""
        value = f" [value: {self.value}]" if self.value else ""
        return f"[{self.scope}] {self.severity}: {where}{path} {self.message}{value}"


@dataclass
class ValidationReport:
    conforms: bool = True
    violations: list[Violation] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)
    scopes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"SHACL: {'conforms' if self.conforms else 'does not conform'} "
                 f"({len(self.violations)} result(s) over {len(self.scopes)} scope(s): {', '.join(self.scopes)})"]
        lines += [v.render() for v in sorted(self.violations, key=lambda v: (v.scope, v.focus, v.path))]
        return "\n".join(lines) + "\n"


def _short(graph: Graph, node: object) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    if isinstance(node, Literal):
        return repr(str(node))[:80]
    return ""


def _results(scope: str, results: Graph, label_of: Callable[[Node, Node], Node | None],
             names: Graph) -> list[tuple[Node, Violation]]:
    """Each sh:ValidationResult node of the report with the violation it describes; `label_of` finds labels
    in the scope's data, `names` holds the prefixes that shorten paths and values."""
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        label = label_of(focus, RDFS.label) if focus is not None else None
        severity = results.value(r, SH.resultSeverity)
        out.append((r, Violation(
            scope=scope,
            focus=str(focus) if not isinstance(focus, BNode) else "(blank node)",
            label=str(label) if label is not None else "",
            path=_short(names, path) if path is not None else "",
            value=_short(names, results.value(r, SH.value)),
            message=str(results.value(r, SH.resultMessage) or "violates a shape"),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        )))
    return out


# SHACL-AF and SPARQL features: with none of them in the shapes, pySHACL's advanced mode changes nothing, and
# the fast engine (whose results the tests compare with pySHACL's) is trusted to find every result.
_ADVANCED = (SH.rule, SH.target, SH.expression)
_ADVANCED_TYPES = (SH.SPARQLFunction, SH.SHACLFunction, SH.SPARQLTarget, SH.SPARQLTargetType, SH.JSTarget)
_BEYOND_CORE = (SH.sparql, SH.js, SH.jsFunctionName)


def _uses_advanced(shapes: Graph) -> bool:
    return (any(True for p in _ADVANCED for _ in shapes.triples((None, p, None)))
            or any(True for c in _ADVANCED_TYPES for _ in shapes.triples((None, RDF.type, c)))
            or any(True for _ in shapes.triples((None, RDFS.subClassOf, SH.Target))))


def _fast_engine_fits(shapes: Graph) -> bool:
    return not _uses_advanced(shapes) and not any(True for p in _BEYOND_CORE for _ in shapes.triples((None, p, None)))


def reference_validate(scope: str, data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, list[Violation]]:
    """pySHACL on one whole scope with the ontology as `ont_graph`, in advanced mode: the definition of the
    results every faster path must reproduce (the tests and benchmarks/bench_shacl.py compare with it)."""
    conforms, results, _ = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True,
    )
    return bool(conforms), results, [v for _, v in _results(scope, results, data.value, _prefixed(data))]


Finding = tuple[str, str, str, str, str]  # focus, path (SPARQL syntax), value, severity, constraint component


def _term(node: Node | None) -> str:
    if node is None:
        return ""
    return "_" if isinstance(node, BNode) else node.n3()  # blank nodes are named differently by each engine


def _sparql_path(graph: Graph, path: Node | None) -> str:
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return f"<{path}>"
    for p, form in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                    (SH.zeroOrOnePath, "({})?")):
        if (inner := graph.value(path, p)) is not None:
            return form.format(_sparql_path(graph, inner))
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(_sparql_path(graph, i) for i in graph.items(alternatives)) + ")"
    return "(" + "/".join(_sparql_path(graph, i) for i in graph.items(path)) + ")"


def findings(report: Graph) -> Counter[Finding]:
    """The results of a pySHACL report as keys any engine's results can be compared with."""
    return Counter(
        (_term(report.value(r, SH.focusNode)), _sparql_path(report, report.value(r, SH.resultPath)),
         _term(report.value(r, SH.value)), str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
         str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1])
        for r in report.subjects(RDF.type, SH.ValidationResult))


def shacl_findings(report: Any) -> Counter[Finding]:
    """The results of a report of the `shacl` package's engine as `findings` keys."""
    def term(nt: str | None) -> str:
        if nt is None:
            return ""
        node = from_n3(nt)
        return "_" if nt.startswith("_:") or not isinstance(node, Node) else _term(node)

    return Counter((term(r.focus_node), r.path or "", term(r.value), r.severity, r.component)
                   for r in report.results)


def _prefixed(graph: Graph) -> Graph:
    bind_prefixes(graph)
    return graph


def _empty_report() -> Graph:
    """The report pySHACL writes for a conforming graph."""
    g = Graph()
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(True)))
    return g


def _nt(graph: Graph) -> str:
    return graph.serialize(format="nt", encoding="utf-8").decode("utf-8")


class Validator:
    """The shapes, the ontology and the context graph (the reference data) prepared once, then any number of
    scopes validated against them: one per process, in a pool as in a single loop.

    A scope is validated whole, as the union of its parts with the ontology beside it, never node by node.
    With `engine="auto"` the Rust engine of the `shacl` package (shapes compiled once, each part read as
    N-Triples) decides whether a scope has any result at all; a scope without results gets pySHACL's empty
    report, and a scope with results is validated again by pySHACL, whose report and messages are the
    project's reference. So the results are pySHACL's by construction, and what the fast engine adds is only
    the cheap proof of conformance, which is what nearly every document of a corpus needs. `engine="pyshacl"`
    (or shapes with SHACL-AF, SPARQL or JavaScript constraints, or no `shacl` package) uses pySHACL alone.

    Picklable: it travels as N-Triples text and is prepared again where it is unpickled.
    """

    def __init__(self, shapes: Graph, ontology: Graph, context: Graph | None = None, engine: str = "auto") -> None:
        if engine not in ("auto", "pyshacl"):
            raise ValueError(f"engine must be 'auto' or 'pyshacl', not {engine!r}")
        self.shapes, self.ontology, self.context, self.engine = shapes, ontology, context, engine
        self._advanced = _uses_advanced(shapes)
        self._fast: Any = None
        if engine == "auto" and _fast_engine_fits(shapes):
            try:
                import shacl
            except ImportError:  # pySHACL alone: the same results, slower
                pass
            else:
                self._fast = shacl.Shapes.from_text(_nt(shapes), format="ntriples")
        self._ontology_nt = _nt(ontology) if self._fast is not None else ""
        self._context_nt = _nt(context) if self._fast is not None and context is not None else ""
        self._names = bind_prefixes(Graph())  # prefixes for the paths and values of the violations

    def __getstate__(self) -> dict[str, object]:
        def state(graph: Graph | None) -> tuple[str, list[tuple[str, str]]] | None:
            # the prefixes travel too: pySHACL's default messages print names with them
            return None if graph is None else (_nt(graph), [(p, str(ns)) for p, ns in graph.namespaces()])

        return {"shapes": state(self.shapes), "ontology": state(self.ontology), "context": state(self.context),
                "engine": self.engine}

    def __setstate__(self, state: dict[str, Any]) -> None:
        def graph(saved: tuple[str, list[tuple[str, str]]] | None) -> Graph | None:
            if saved is None:
                return None
            g = Graph(bind_namespaces="none").parse(data=saved[0], format="nt")
            for prefix, ns in saved[1]:
                g.bind(prefix, ns, override=True, replace=True)
            return g

        shapes, ontology = graph(state["shapes"]), graph(state["ontology"])
        assert shapes is not None and ontology is not None
        self.__init__(shapes, ontology, graph(state["context"]), state["engine"])  # type: ignore[misc]

    @property
    def fast(self) -> bool:
        """Whether the Rust engine proves conformance (else every scope goes to pySHACL)."""
        return self._fast is not None

    def validate(self, scope: str, data: Graph | Sequence[Graph]) -> tuple[bool, Graph, list[Violation]]:
        """Validate the union of `data` (one graph, or the parts of a scope) as a whole: conforms, the report
        graph and the violations, equal to `reference_validate` on the union."""
        parts = [data] if isinstance(data, Graph) else list(data)
        conforms, results, found = self._validate(scope, parts, {})
        return conforms, results, [v for _, v in found]

    def fast_findings(self, data: Graph | Sequence[Graph]) -> Counter[Finding]:
        """Every result the fast engine finds in the union of `data`, as `findings` keys: what shows that its
        silence can stand for pySHACL's (the tests compare the two on fixtures with known violations)."""
        if self._fast is None:
            raise RuntimeError("no fast engine: the shapes need pySHACL, or the shacl package is missing")
        parts = [data] if isinstance(data, Graph) else list(data)
        text = self._ontology_nt + "".join(self._text(p, {}) for p in parts)
        return shacl_findings(self._fast.validate_text(text, format="ntriples", allow_warnings=True))

    def _text(self, part: Graph, texts: dict[int, str]) -> str:
        if part is self.context:
            return self._context_nt
        if id(part) not in texts:
            texts[id(part)] = _nt(part)
        return texts[id(part)]

    def _validate(self, scope: str, parts: list[Graph],
                  texts: dict[int, str]) -> tuple[bool, Graph, list[tuple[Node, Violation]]]:
        if self._fast is not None:
            text = self._ontology_nt + "".join(self._text(p, texts) for p in parts)
            found = self._fast.validate_text(text, format="ntriples", allow_warnings=True, max_results=1)
            if not found.results:
                return True, _empty_report(), []
        # the ontology mixed into a graph of our own, which pySHACL may then use in place instead of cloning;
        # bound to the prefixes its own mix would have, which its default messages print names with
        union = Graph(bind_namespaces="core")
        for prefix, ns in (parts[0] if len(parts) == 1 else Graph()).namespaces():
            union.bind(prefix, ns, override=True, replace=True)
        for prefix, ns in self.ontology.namespaces():
            union.bind(prefix, ns, override=False, replace=False)
        for part in (*parts, self.ontology):
            for t in part:
                union.add(t)
        conforms, results, _ = pyshacl_validate(
            union, shacl_graph=self.shapes, inference="none", advanced=self._advanced, inplace=True,
            allow_warnings=True,
        )

        # labels as the scope's own union (without the ontology) gives them, where a node may have several
        data = parts[0] if len(parts) == 1 else Graph()
        if len(parts) > 1:
            for part in parts:
                for t in part:
                    data.add(t)
        return bool(conforms), results, _results(scope, results, data.value, self._names)


def validate_graph(scope: str, data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, list[Violation]]:
    """Validate one data graph as a whole (a `Validator` made for the one call: make one yourself to
    validate many)."""
    return Validator(shapes, ontology).validate(scope, data)


def _key(v: Violation) -> tuple[str, ...]:
    return (v.focus, v.path, v.value, v.message, v.severity)


@dataclass(frozen=True)
class ScopeResult:
    """One result of one scope, carried between processes as text: the violation, and the result's own
    triples (its concise bounded description in the report, as N-Triples) with the label of its node."""

    violation: Violation
    root: str
    triples: str

    def to_json(self) -> dict[str, str]:
        return {**asdict(self.violation), "root": self.root, "triples": self.triples}

    @classmethod
    def from_json(cls, d: dict[str, str]) -> ScopeResult:
        fields = {k: v for k, v in d.items() if k not in ("root", "triples")}
        return cls(Violation(**fields), d["root"], d["triples"])


SHAPE_NODE = "urn:x-wsis-kg:shape-node:"
_shape_names: dict[int, tuple[Graph, dict[Node, str]]] = {}


def shape_node_names(shapes: Graph) -> dict[Node, str]:
    """A name for each blank node of the shapes graph (a property shape, a list cell of an sh:or) that is
    the same in every process that parses the same shapes: the node's place (its parent's name and the
    predicate leading to it) and its own statements. A result names its source shape by it when it
    travels between processes, and is given the blank node back on arrival."""
    kept = _shape_names.get(id(shapes))
    if kept is not None and kept[0] is shapes:
        return kept[1]
    names: dict[Node, str] = {}

    def name(n: Node) -> str:
        if not isinstance(n, BNode):
            return str(n)
        if n not in names:
            parents = sorted(shapes.subject_predicates(n), key=lambda sp: (str(sp[0]), str(sp[1])))
            up = f"{name(parents[0][0])} {parents[0][1]}" if parents else ""
            body = sorted(f"{p} {'[]' if isinstance(o, BNode) else o.n3()}" for p, o in shapes.predicate_objects(n))
            names[n] = hashlib.sha256("\n".join([up, *body]).encode()).hexdigest()[:32]
        return names[n]

    for node in {*shapes.subjects(), *shapes.objects()}:
        name(node)
    _shape_names[id(shapes)] = (shapes, names)
    return names


def scope_results(scope: str, parts: Sequence[Graph], validator: Validator,
                  texts: dict[int, str] | None = None) -> list[ScopeResult]:
    """Validate one scope (the union of `parts`) whole; each result with its own part of the report, as
    N-Triples in which the shapes graph's blank nodes are named (shape_node_names)."""
    _, results, pairs = validator._validate(scope, list(parts), {} if texts is None else texts)
    names = shape_node_names(validator.shapes)

    def portable(t: Node) -> Node:
        return URIRef(SHAPE_NODE + names[t]) if isinstance(t, BNode) and t in names else t

    out = []
    for node, v in pairs:
        own = Graph()
        for s, p, o in results.cbd(node):
            own.add((portable(s), p, portable(o)))
        out.append(ScopeResult(v, node.n3() if isinstance(node, BNode) else f"<{node}>",
                               own.serialize(format="nt", encoding="utf-8").decode("utf-8")))
    return out


def merge_scopes(scoped: Iterable[tuple[str, list[ScopeResult]]], shapes: Graph) -> ValidationReport:
    """One report of every scope, in order. A result an earlier scope already reported (the same focus,
    path, value and message) is not repeated, so one fault in the reference data is reported once, not
    once per document."""
    report = ValidationReport()
    seen: set[tuple[str, ...]] = set()
    shape_nodes: dict[Node, Node] = {URIRef(SHAPE_NODE + n): b for b, n in shape_node_names(shapes).items()}
    for scope, results in scoped:
        found = [r for r in results if _key(r.violation) not in seen]
        seen |= {_key(r.violation) for r in found}
        conforms = not any(r.violation.severity == "Violation" for r in found)
        node = BNode()
        report.graph.add((node, RDF.type, SH.ValidationReport))
        report.graph.add((node, SH.conforms, Literal(conforms)))
        for r in found:
            labels: dict[str, Node] = {}
            part = Graph().parse(data=r.triples, format="nt", bnode_context=labels)
            root = labels[r.root[2:]] if r.root.startswith("_:") else URIRef(r.root[1:-1])
            report.graph.add((node, SH.result, root))
            for s, p, o in part:
                report.graph.add((shape_nodes.get(s, s), p, shape_nodes.get(o, o)))
        report.scopes.append(scope)
        report.conforms = report.conforms and conforms
        report.violations += [r.violation for r in found]
    bind_prefixes(report.graph)
    return report


def scope_parts(assembly: Assembly) -> list[tuple[str, list[Graph]]]:
    """The scopes validated, each with the graphs whose union it is: the reference data alone, each document
    (structure, claims, mentions) beside it, and each uptake graph beside the structure and claims of the
    two documents it joins, so that sh:class sees what the links point to."""
    scopes: list[tuple[str, list[Graph]]] = [("reference", [assembly.reference])]
    for d in assembly.documents:
        scopes.append((d.doc_id, [assembly.reference, d.structure_graph, d.claims_graph, d.mentions_graph]))
    documents = {d.doc_id: d for d in assembly.documents}
    for u in assembly.uptake:
        joined = [g for doc in (u.source_id, u.target_id)
                  for g in (documents[doc].structure_graph, documents[doc].claims_graph)]
        scopes.append((uptake_scope_name(u.source_id, u.target_id), [assembly.reference, u.graph, *joined]))
    return scopes


def uptake_scope_name(source_id: str, target_id: str) -> str:
    return f"uptake {source_id} -> {target_id}"


def validate_assembly(assembly: Assembly, shapes: Graph, validator: Validator | None = None) -> ValidationReport:
    """The reference data once, then each document with the reference data as context, then the uptake
    links with the two documents they join (the build does the same from its cached parts)."""
    validator = validator or Validator(shapes, assembly.ontology, assembly.reference)
    texts: dict[int, str] = {}  # each part read once as N-Triples, though uptake scopes reuse documents
    return merge_scopes(((scope, scope_results(scope, parts, validator, texts))
                         for scope, parts in scope_parts(assembly)), shapes)
