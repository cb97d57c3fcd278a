"""Where the time of a build goes on a large curated Turtle file, step by step, beside the raw cost of
reading that file with rdflib and with pyoxigraph.

Run:  python benchmarks/bench_large.py [--mb 5] [--reason]

A throw-away project (the real ontology and reference data, the tiny test document) gets one generated
reference file of about `--mb` megabytes: technologies, each labelled and defined as the curated ones
are. Each step runs on its own and is timed, with the process's peak memory after it; SHACL results do
not stop the run. HermiT is left out unless `--reason` is given (it is the slowest step by far). This is
a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wsis_kg.assemble import assemble  # noqa: E402
from wsis_kg.describe import write_void  # noqa: E402
from wsis_kg.project import Project  # noqa: E402
from wsis_kg.rdfio import parse_turtle  # noqa: E402
from wsis_kg.reason import reason_assembly  # noqa: E402
from wsis_kg.release import (  # noqa: E402
    JSONLD,
    NQUADS,
    NTRIPLES,
    TRIG,
    TURTLE,
    canonical_nquads,
    check_lossless,
    graph_quads,
    jsonld_context,
    serialize,
    staged_release,
    write_release,
)
from wsis_kg.validate import validate_assembly  # noqa: E402

T = TypeVar("T")

HEADER = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix scheme: <https://w3id.org/wsis-kg/id/scheme/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix tech: <https://w3id.org/wsis-kg/id/technology/> .
@prefix wsis: <https://w3id.org/wsis-kg/ontology#> .

"""

ENTRY = """tech:generated-{n:07d}
    a wsis:Technology ;
    rdfs:label "Generated technology {n}"@en ;
    skos:broader tech:ict ;
    skos:definition "A technology generated to measure the build on a large curated file, number {n}."@en ;
    skos:inScheme scheme:technologies ;
    skos:prefLabel "Generated technology {n}"@en .

"""


def generate(path: Path, megabytes: float) -> int:
    """Write about `megabytes` MB of curated Turtle; return the number of entities."""
    target = int(megabytes * 1_000_000)
    size, n = len(HEADER), 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        while size < target:
            n += 1
            entry = ENTRY.format(n=n)
            fh.write(entry)
            size += len(entry)
    return n


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=5.0, help="size of the generated file (default 5 MB)")
    ap.add_argument("--reason", action="store_true", help="also time HermiT")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="wsis-kg-bench-large-"))
    try:
        root = tmp / "project"
        shutil.copytree(ROOT / "ontology", root / "ontology")
        shutil.copytree(ROOT / "graph" / "reference", root / "graph" / "reference")
        mini = ROOT / "tests" / "fixtures" / "mini"
        shutil.copytree(mini / "sources", root / "sources")
        shutil.copytree(mini / "graph" / "documents", root / "graph" / "documents")
        for f in (mini / "graph" / "reference").iterdir():
            shutil.copy(f, root / "graph" / "reference" / f.name)
        big = root / "graph" / "reference" / "zz-generated.ttl"
        entities = generate(big, args.mb)
        size = big.stat().st_size / 1e6
        print(f"generated {big.name}: {size:.1f} MB, {entities} entities")
        project = Project(root)

        rows: list[tuple[str, float, float]] = []

        def timed(name: str, fn: Callable[[], T]) -> T:
            t0 = time.perf_counter()
            out = fn()
            rows.append((name, time.perf_counter() - t0, peak_mb()))
            print(f"  {rows[-1][1]:8.2f} s  {name}  (peak {rows[-1][2]:.0f} MB)", flush=True)
            return out

        print("raw library cost of reading the generated file:")
        timed("rdflib parse", lambda: Graph().parse(big, format="turtle"))
        timed("pyoxigraph parse", lambda: sum(1 for _ in ox.parse(path=str(big), format=ox.RdfFormat.TURTLE)))
        timed("parse_turtle (rdflib, then pyoxigraph's check)", lambda: parse_turtle(big))
        print("build steps:")
        assembly = timed("assemble (sources, segment, anchor)", lambda: assemble(project))
        shapes = parse_turtle(project.shapes)
        report = timed("validate (SHACL)", lambda: validate_assembly(assembly, shapes))
        print(f"            {report.summary().splitlines()[0][:100]}")
        if args.reason:
            timed("reason (HermiT)", lambda: reason_assembly(assembly))

        def release() -> int:
            with staged_release(tmp / "dist") as folder:
                return len(write_release(folder, assembly, shapes, {"note.txt": "benchmark\n"}))

        timed("release (every format, each parsed back)", release)
        print("the release step, part by part:")
        named = [(iri, g) for iri, g in assembly.named_graphs()]
        quads = timed("rdflib graphs to pyoxigraph quads", lambda: graph_quads(named))
        context = jsonld_context(assembly.ontology)
        for name in (NQUADS, TRIG, TURTLE, NTRIPLES, JSONLD):
            data = timed(f"write {name}", lambda name=name: serialize(quads, name, context))  # type: ignore[misc]
            timed(f"parse back and compare {name}", lambda name=name, data=data: check_lossless(  # type: ignore[misc]
                name, data, quads, triples_only=name in (TURTLE, NTRIPLES)))
        timed("canonical N-Quads (RDFC-1.0)", lambda: canonical_nquads(quads))
        void = tmp / "void"
        void.mkdir()
        timed("VoID and DCAT", lambda: write_void(void, quads))
        triples = sum(len(g) for _, g in assembly.named_graphs())
        print(f"{triples} triples in the dataset")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
