"""SHACL validation with pySHACL: closed-world completeness checks the OWL ontology does not make.

Each document is validated against the shapes with the ontology and reference data beside it, but
without the other documents, so that validation cost stays proportional to one document. A document is
validated whole, never through pySHACL's `focus_nodes`: that option also restricts the value nodes that
nested shapes (`sh:or`, `sh:node`) and `sh:targetObjectsOf` look at, and so misses real violations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def _keep_results(results: Graph, keep: set[Node], conforms: bool) -> Graph:
    """The report graph with only the sh:ValidationResult nodes in `keep`, and sh:conforms to match."""
    out = Graph()
    dropped = set(results.subjects(RDF.type, SH.ValidationResult)) - keep
    for s, p, o in results:
        if s in dropped or o in dropped or p == SH.conforms:
            continue
        out.add((s, p, o))
    for r in results.subjects(RDF.type, SH.ValidationReport):
        out.add((r, SH.conforms, Literal(conforms)))
    return out


def validate_assembly(assembly: Assembly, shapes: Graph) -> ValidationReport:
    """The reference data once, then each document with the reference data as context, then the uptake
    links with the two documents they join. A result an earlier scope already reported (the same focus,
    path, value and message) is not repeated, so one fault in the reference data is reported once, not
    once per document."""
    report = ValidationReport()
    seen: set[tuple[str, ...]] = set()
    scopes: list[tuple[str, Graph]] = [("reference", assembly.reference)]
    for d in assembly.documents:
        data = Graph()
        for part in (assembly.reference, d.structure_graph, d.claims_graph, d.mentions_graph):
            for t in part:
                data.add(t)
        scopes.append((d.doc_id, data))
    documents = {d.doc_id: d for d in assembly.documents}
    for u in assembly.uptake:
        # the links with the claims and passages they join, so that sh:class sees what they point to
        data = Graph()
        for part in (assembly.reference, u.graph, *(g for doc in (u.source_id, u.target_id)
                                                    for g in (documents[doc].structure_graph,
                                                              documents[doc].claims_graph))):
            for t in part:
                data.add(t)
        scopes.append((f"uptake {u.source_id} -> {u.target_id}", data))
    for scope, data in scopes:
        _, results = _report(data, shapes, assembly.ontology)
        found = [(n, v) for n, v in _results(scope, results, data) if _key(v) not in seen]
        seen |= {_key(v) for _, v in found}
        violations = [v for _, v in found]
        conforms = not any(v.severity == "Violation" for v in violations)
        results = _keep_results(results, {n for n, _ in found}, conforms)
        report.scopes.append(scope)
        report.conforms = report.conforms and conforms
        report.violations += violations
        for t in results:
            report.graph.add(t)
    bind_prefixes(report.graph)
    return report
