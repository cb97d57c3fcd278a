"""SHACL validation with pySHACL: closed-world completeness checks the OWL ontology does not make.

Each document is validated against the shapes with the ontology and reference data beside it, but
without the other documents, so that validation cost stays proportional to one document. A document is
validated whole, never through pySHACL's `focus_nodes`: that option also restricts the value nodes that
nested shapes (`sh:or`, `sh:node`) and `sh:targetObjectsOf` look at, and so misses real violations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

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


def _results(scope: str, results: Graph, data: Graph) -> list[tuple[Node, Violation]]:
    """Each sh:ValidationResult node of the report with the violation it describes."""
    bind_prefixes(data)
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        label = data.value(focus, RDFS.label) if focus is not None else None
        severity = results.value(r, SH.resultSeverity)
        out.append((r, Violation(
            scope=scope,
            focus=str(focus) if not isinstance(focus, BNode) else "(blank node)",
            label=str(label) if label is not None else "",
            path=_short(data, path) if path is not None else "",
            value=_short(data, results.value(r, SH.value)),
            message=str(results.value(r, SH.resultMessage) or "violates a shape"),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        )))
    return out


def _report(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph]:
    """pySHACL on one data graph; the ontology is mixed in so that sh:class sees the class hierarchy."""
    conforms, results, _ = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True,
    )
    return bool(conforms), results


def validate_graph(scope: str, data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, list[Violation]]:
    """Validate one data graph as a whole."""
    conforms, results = _report(data, shapes, ontology)
    return conforms, results, [v for _, v in _results(scope, results, data)]


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


def scope_results(scope: str, data: Graph, shapes: Graph, ontology: Graph) -> list[ScopeResult]:
    """Validate one scope whole; each result with its own part of the report, as N-Triples in which
    the shapes graph's blank nodes are named (shape_node_names)."""
    _, results = _report(data, shapes, ontology)
    names = shape_node_names(shapes)

    def portable(t: Node) -> Node:
        return URIRef(SHAPE_NODE + names[t]) if isinstance(t, BNode) and t in names else t

    out = []
    for node, v in _results(scope, results, data):
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
    for scope, results in scoped:
        found = [r for r in results if _key(r.violation) not in seen]
        seen |= {_key(r.violation) for r in found}
        conforms = not any(r.violation.severity == "Violation" for r in found)
        node = BNode()
        report.graph.add((node, RDF.type, SH.ValidationReport))
        report.graph.add((node, SH.conforms, Literal(conforms)))
        shape_nodes: dict[Node, Node] = {URIRef(SHAPE_NODE + n): b for b, n in shape_node_names(shapes).items()}
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


def uptake_scope(reference: Graph, uptake: Graph, joined: Iterable[Graph], name: str) -> tuple[str, Graph]:
    """The links with the claims and passages they join, so that sh:class sees what they point to."""
    data = Graph()
    for part in (reference, uptake, *joined):
        for t in part:
            data.add(t)
    return (name, data)


def validate_assembly(assembly: Assembly, shapes: Graph) -> ValidationReport:
    """The reference data once, then each document with the reference data as context, then the uptake
    links with the two documents they join."""
    scopes: list[tuple[str, Graph]] = [("reference", assembly.reference)]
    for d in assembly.documents:
        data = Graph()
        for part in (assembly.reference, d.structure_graph, d.claims_graph, d.mentions_graph):
            for t in part:
                data.add(t)
        scopes.append((d.doc_id, data))
    documents = {d.doc_id: d for d in assembly.documents}
    for u in assembly.uptake:
        joined = [g for doc in (u.source_id, u.target_id)
                  for g in (documents[doc].structure_graph, documents[doc].claims_graph)]
        scopes.append(uptake_scope(assembly.reference, u.graph, joined, uptake_scope_name(u.source_id, u.target_id)))
    return merge_scopes(((scope, scope_results(scope, data, shapes, assembly.ontology)) for scope, data in scopes),
                        shapes)


def uptake_scope_name(source_id: str, target_id: str) -> str:
    return f"uptake {source_id} -> {target_id}"
