"""HermiT per scope through owlready2 (a JVM each, re-parsing the ontology and reference data) against one
HermitSession for all scopes, on the bundled data and on K clones of a document.

Run:  python benchmarks/bench_reason.py [--clones 16,64] [--owlready 2] [--doc DOC_ID]

Clones rename the document's own IRIs (those the base does not hold), so each is a distinct document of
the same shape. Per document, the session is timed twice: with the N-Triples file written here, and on a
file already written (check_file: what a build that writes scope files in worker processes pays in the
main process). This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wsis_kg.assemble import assemble  # noqa: E402
from wsis_kg.project import Project  # noqa: E402
from wsis_kg.reason import (  # noqa: E402
    HermitSession,
    find_java,
    reason_graph,
    reason_scopes,
    write_reasoner_input,
)


def clone(graph: Graph, base: Graph, n: int) -> Graph:
    """The graph with each IRI it has of its own (a subject the base does not describe) renamed."""
    own = {s for s in graph.subjects() if isinstance(s, URIRef) and (s, None, None) not in base}

    def rename(term: object) -> object:
        return URIRef(f"{term}-clone{n}") if term in own else term

    out = Graph()
    for s, p, o in graph:
        out.add((rename(s), p, rename(o)))  # type: ignore[arg-type]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clones", default="16,64", help="numbers of clones, comma-separated")
    ap.add_argument("--owlready", type=int, default=2, help="documents timed through owlready2 (slow)")
    ap.add_argument("--doc", default=None, help="the document to clone (default: the largest)")
    args = ap.parse_args()
    java = find_java()
    assembly = assemble(Project(ROOT, Path(tempfile.mkdtemp(prefix="wsis-kg-bench-")) / "dist"))
    base = assembly.ontology + assembly.reference
    docs = {d.doc_id: d.structure_graph + d.claims_graph + d.mentions_graph for d in assembly.documents}
    doc_id = args.doc or max(docs, key=lambda k: len(docs[k]))
    print(f"base: {len(base)} triples; documents: " + ", ".join(f"{k} ({len(g)})" for k, g in docs.items()))

    scopes = [(k, g) for k, g in docs.items()] + [(f"uptake {u.source_id}", u.graph) for u in assembly.uptake]
    t0 = time.perf_counter()
    for scope, g in [("ontology", assembly.ontology), ("ontology + reference", base)] + [
            (k, base + g) for k, g in scopes]:
        reason_graph(scope, g, java)
    owl_bundled = time.perf_counter() - t0
    t0 = time.perf_counter()
    reason_scopes(assembly.ontology, assembly.reference, scopes, java)
    session_bundled = time.perf_counter() - t0
    print(f"bundled data, {len(scopes) + 2} scopes: owlready2 per scope {owl_bundled:.1f} s, "
          f"one session (JVM start included) {session_bundled:.1f} s")

    t0 = time.perf_counter()
    session = HermitSession(java, base)
    start = time.perf_counter() - t0
    print(f"session start (JVM, compiled class cached, base parsed): {start:.2f} s")
    tmp = Path(tempfile.mkdtemp(prefix="wsis-kg-bench-"))
    with session:
        for k in [int(x) for x in args.clones.split(",")]:
            clones = [clone(docs[doc_id], base, i) for i in range(k)]
            triples = statistics.mean(len(c) for c in clones)
            checked, written, jvm_parse, jvm_reason = [], [], [], []
            for i, c in enumerate(clones):
                t0 = time.perf_counter()
                r = session.check(f"clone {i}", c)
                checked.append(time.perf_counter() - t0)
                assert r.consistent and not r.unsatisfiable and not r.error, r
                path = tmp / f"clone-{i}.nt"
                n = write_reasoner_input(c, path)
                t0 = time.perf_counter()
                session.check_file(f"clone {i}", path, n)
                written.append(time.perf_counter() - t0)
                jvm_parse.append(session.last_seconds[0])
                jvm_reason.append(session.last_seconds[1])
            owl = []
            for c in clones[:args.owlready]:
                t0 = time.perf_counter()
                reason_graph("clone", base + c, java)
                owl.append(time.perf_counter() - t0)
            print(f"{k} clones of {doc_id} (~{triples:.0f} triples each), seconds per document:")
            print(f"  owlready2 per scope: {statistics.mean(owl):.2f} (mean of {len(owl)})")
            print(f"  session, check (graph written here): {statistics.mean(checked):.3f}"
                  f" (median {statistics.median(checked):.3f})")
            print(f"  session, check_file (file written before): {statistics.mean(written):.3f}"
                  f" (median {statistics.median(written):.3f}); in the JVM: reading "
                  f"{statistics.mean(jvm_parse):.3f}, HermiT {statistics.mean(jvm_reason):.3f}")


if __name__ == "__main__":
    main()
