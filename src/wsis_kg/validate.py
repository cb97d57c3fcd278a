"""SHACL validation with pySHACL: closed-world completeness checks the OWL ontology does not make.

Each document is validated against the shapes with the ontology and reference data beside it, but
without the other documents, so that validation cost stays proportional to one document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef

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


def _results(scope: str, results: Graph, data: Graph) -> list[Violation]:
    bind_prefixes(data)
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        label = data.value(focus, RDFS.label) if focus is not None else None
        severity = results.value(r, SH.resultSeverity)
        out.append(Violation(
            scope=scope,
            focus=str(focus) if not isinstance(focus, BNode) else "(blank node)",
            label=str(label) if label is not None else "",
            path=_short(data, path) if path is not None else "",
            value=_short(data, results.value(r, SH.value)),
            message=str(results.value(r, SH.resultMessage) or "violates a shape"),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        ))
    return out


def validate_graph(
    scope: str, data: Graph, shapes: Graph, ontology: Graph, focus: list[str | URIRef] | None = None
) -> tuple[bool, Graph, list[Violation]]:
    """Validate one data graph; the ontology is mixed in so that sh:class sees the class hierarchy.
    With `focus`, only those nodes are checked (the rest of `data` is context for sh:class and SPARQL)."""
    conforms, results, _ = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True,
        focus_nodes=focus,
    )
    return bool(conforms), results, _results(scope, results, data)


def validate_assembly(assembly: Assembly, shapes: Graph) -> ValidationReport:
    """The reference data once, then each document's own nodes with the reference data as context: the
    cost of a document does not include re-checking the reference data or the other documents."""
    report = ValidationReport()
    scopes: list[tuple[str, Graph, list[str | URIRef] | None]] = [("reference", assembly.reference, None)]
    for d in assembly.documents:
        data = Graph()
        for part in (assembly.reference, d.structure_graph, d.claims_graph, d.mentions_graph):
            for t in part:
                data.add(t)
        own = {s for g in (d.structure_graph, d.claims_graph, d.mentions_graph) for s in g.subjects()
               if isinstance(s, URIRef)}
        scopes.append((d.doc_id, data, list(sorted(own))))
    for scope, data, focus in scopes:
        conforms, results, violations = validate_graph(scope, data, shapes, assembly.ontology, focus)
        report.scopes.append(scope)
        report.conforms = report.conforms and conforms
        report.violations += violations
        for t in results:
            report.graph.add(t)
    bind_prefixes(report.graph)
    return report
