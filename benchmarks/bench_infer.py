"""What each reasoner adds to the bundled data, and at what cost: the entailments the release publishes.

Run:  python benchmarks/bench_infer.py [--repeat N]

For the ontology with the reference data and each document, it times and counts:
  reasonable   the OWL 2 RL engine the build uses (Rust), raw closure and what the release keeps;
  owlrl        the pure-Python OWL 2 RL engine (pySHACL's dependency), raw closure and what is kept;
  HermiT       through owlready2 with infer_property_values, as `wsis-kg reason` runs it: the triples its
               inferred class and property assertions add to the world.
This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wsis_kg.assemble import assemble  # noqa: E402
from wsis_kg.infer import Vocabulary, closure, entailments  # noqa: E402
from wsis_kg.project import Project  # noqa: E402
from wsis_kg.reason import find_java  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), result


def owlrl_closure(graph: Graph) -> Graph:
    import owlrl

    g = Graph()
    for t in graph:
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    return g


def hermit_added(graph: Graph, java: str) -> int:
    """Non-literal triples HermiT's inferences add to an owlready2 world."""
    import owlready2

    owlready2.JAVA_EXE = java
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(destination=str(path), format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()

        def triples() -> set[tuple[object, object, object]]:
            return {t for t in world.as_rdflib_graph().triples((None, None, None)) if not isinstance(t[2], Literal)}

        before = triples()
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        added = len(triples() - before)
        world.close()
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assembly = assemble(Project(ROOT))
    vocabulary = Vocabulary.of(assembly.ontology)
    base = assembly.ontology + assembly.reference
    scopes = [("ontology + reference", base)]
    scopes += [(f"+ {d.doc_id}", base + d.structure_graph + d.claims_graph) for d in assembly.documents]
    java = find_java()
    print(f"{'scope':40} {'engine':12} {'seconds':>8} {'derived':>8} {'kept':>6}")
    for name, graph in scopes:
        seconds, raw = timed(lambda g=graph: closure(g), args.repeat)  # type: ignore[misc]
        derived = len(set(raw) - set(graph))  # type: ignore[arg-type]
        kept = len(entailments(vocabulary, graph))
        print(f"{name:40} {'reasonable':12} {seconds:8.2f} {derived:8d} {kept:6d}")
        seconds, closed = timed(lambda g=graph: owlrl_closure(g), 1)  # type: ignore[misc]
        derived = len(closed) - len(graph)  # type: ignore[arg-type]
        print(f"{name:40} {'owlrl':12} {seconds:8.2f} {derived:8d} {'':>6}")
        seconds, added = timed(lambda g=graph: hermit_added(g, java), 1)  # type: ignore[misc]
        print(f"{name:40} {'HermiT':12} {seconds:8.2f} {added:8d} {'':>6}")


if __name__ == "__main__":
    main()
