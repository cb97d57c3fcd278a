"""Time each build step on the bundled data next to the raw cost of the same work in the libraries.

Run:  python benchmarks/bench_build.py [--repeat N] [--scale K]

`--scale K` also times parsing and querying on the release replicated K times (distinct graph IRIs), to
show how the libraries behave as the corpus grows. This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import Dataset, Graph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from timing import timed  # noqa: E402

from wsis_kg.assemble import assemble  # noqa: E402
from wsis_kg.project import Project  # noqa: E402
from wsis_kg.rdfio import parse_turtle  # noqa: E402
from wsis_kg.reason import find_java, reason_assembly, reason_graph  # noqa: E402
from wsis_kg.release import staged_release, write_release  # noqa: E402
from wsis_kg.validate import validate_assembly  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=int, default=20)
    args = ap.parse_args()
    project = Project(ROOT, Path(tempfile.mkdtemp(prefix="wsis-kg-bench-")) / "dist")
    inputs = [project.ontology, *project.reference_files(), *sorted(project.documents_dir.glob("*/*.ttl"))]
    turtle = b"".join(p.read_bytes() for p in inputs)
    rows: list[tuple[str, float, str, float]] = []

    assembly = assemble(project)
    shapes = parse_turtle(project.shapes)
    n = sum(len(g) for _, g in assembly.named_graphs())

    def rdflib_parse() -> None:
        g = Graph()
        for p in inputs:
            g.parse(p, format="turtle")

    def oxigraph_parse() -> None:
        store = ox.Store()
        for p in inputs:
            store.bulk_load(p.read_bytes(), ox.RdfFormat.TURTLE)

    rows.append(("assemble (parse, segment, anchor)", timed(lambda: assemble(project), args.repeat),
                 "rdflib parse of the same Turtle", timed(rdflib_parse, args.repeat)))
    rows.append(("", 0.0, "pyoxigraph parse of the same Turtle", timed(oxigraph_parse, args.repeat)))

    data = Graph()
    for part in (assembly.reference, *[g for d in assembly.documents for g in (d.structure_graph, d.claims_graph)]):
        for t in part:
            data.add(t)
    rows.append(("validate (SHACL, per document)", timed(lambda: validate_assembly(assembly, shapes), args.repeat),
                 "pyshacl alone on the union", timed(lambda: pyshacl_validate(
                     data, shacl_graph=shapes, ont_graph=assembly.ontology, inference="none", advanced=True),
                     args.repeat)))

    java = find_java()
    full = assembly.ontology + data
    rows.append(("reason (HermiT, 3 scopes)", timed(lambda: reason_assembly(assembly, java), 1),
                 "HermiT alone on ontology + all data", timed(lambda: reason_graph("all", full, java), 1)))

    def release() -> None:
        with staged_release(project.dist) as folder:
            write_release(folder, assembly, shapes, {})

    ds = assembly.dataset()
    rows.append(("release (all formats)", timed(release, args.repeat),
                 "rdflib TriG serialize alone", timed(lambda: ds.serialize(format="trig"), args.repeat)))
    store = ox.Store()
    store.bulk_load(ds.serialize(format="nquads", encoding="utf-8"), ox.RdfFormat.N_QUADS)
    rows.append(("", 0.0, "pyoxigraph N-Quads dump alone", timed(lambda: store.dump(format=ox.RdfFormat.N_QUADS),
                                                                    args.repeat)))

    print(f"bundled data: {n} triples in {len(assembly.named_graphs())} named graphs, "
          f"{len(turtle) / 1024:.0f} KiB of curated Turtle; median of {args.repeat} runs (HermiT: 1 run)")
    print(f"{'wsis-kg step':38} {'s':>7}   {'library doing the same work':38} {'s':>7}")
    for a, ta, b, tb in rows:
        print(f"{a:38} {(f'{ta:7.3f}' if a else ''):>7}   {b:38} {tb:7.3f}")

    # growth: the release replicated K times under distinct graph names
    nq = ds.serialize(format="nquads", encoding="utf-8")
    big = b"".join(nq.replace(b"/graph/", f"/graph/copy{k}/".encode()) for k in range(args.scale))
    q = "SELECT ?c (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
    t_rdflib_parse = timed(lambda: Dataset().parse(data=big, format="nquads"), 1)
    rd = Dataset()
    rd.parse(data=big, format="nquads")
    t_rdflib_query = timed(lambda: list(rd.query(q)), 1)
    t_ox_parse = timed(lambda: ox.Store().bulk_load(big, ox.RdfFormat.N_QUADS), 1)
    big_store = ox.Store()
    big_store.bulk_load(big, ox.RdfFormat.N_QUADS)
    t_ox_query = timed(lambda: list(big_store.query(q)), 1)
    quads = big.count(b"\n")
    print(f"\nat {args.scale}x ({quads} quads): parse N-Quads rdflib {t_rdflib_parse:.2f} s, pyoxigraph "
          f"{t_ox_parse:.2f} s; class-count query rdflib {t_rdflib_query:.2f} s, pyoxigraph {t_ox_query:.3f} s")


if __name__ == "__main__":
    main()
