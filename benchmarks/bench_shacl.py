"""SHACL engines and pySHACL variants on the bundled data: time per scope and whether the results equal the
reference, pySHACL as the build called it before (each scope whole, ontology as `ont_graph`, advanced mode).

Run:  python benchmarks/bench_shacl.py [--repeat N] [--faulty]

Scopes are those `validate_assembly` validates: the reference data, each document beside it, each uptake
graph beside the two documents it joins. `--faulty` removes the label of one reference individual and one
claim's voice, so that every scope has results to compare (the bundled data conforms).

Two times per engine that reads text: `engine` with the scope already serialized, `total` from the rdflib
graphs the build holds (N-Triples of the ontology and reference data made once, each document's parts per
scope). Results are compared as (focus, path, value, severity, constraint component), blank nodes as one
token; `msg` says whether the messages are equal too. pySHACL variants are compared as the `Violation`
lists and report graphs validate.py makes from them.
This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.util import from_n3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench_infer import timed  # noqa: E402

from wsis_kg.assemble import Assembly, assemble  # noqa: E402
from wsis_kg.namespaces import RDF, RDFS, SH, WSIS  # noqa: E402
from wsis_kg.project import Project  # noqa: E402
from wsis_kg.rdfio import parse_turtle  # noqa: E402
from wsis_kg.validate import (  # noqa: E402
    Finding,
    Validator,
    findings,
    reference_validate,
    scope_parts,
    shacl_findings,
)


def union(graphs: Sequence[Graph]) -> Graph:
    g = Graph()
    for part in graphs:
        for t in part:
            g.add(t)
    return g


def messages(report: Graph) -> Counter[str]:
    return Counter(str(report.value(r, SH.resultMessage) or "") for r in report.subjects(RDF.type, SH.ValidationResult))


def report_keys(report: Graph) -> tuple[Counter[Finding], Counter[str]]:
    return findings(report), messages(report)


def shacl_keys(report: Any) -> tuple[Counter[Finding], Counter[str]]:
    return shacl_findings(report), Counter(r.message or "" for r in report.results)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="runs of each fast engine (pySHACL runs once)")
    ap.add_argument("--faulty", action="store_true", help="inject faults so that every scope has results")
    args = ap.parse_args()
    project = Project(ROOT)
    assembly = assemble(project)
    shapes = parse_turtle(project.shapes)
    if args.faulty:
        inject_faults(assembly)
    ontology = assembly.ontology
    scopes = scope_parts(assembly)
    shapes_ttl = shapes.serialize(format="turtle")
    ontology_nt = ontology.serialize(format="nt")
    reference_nt = assembly.reference.serialize(format="nt")
    validator = Validator(shapes, ontology, assembly.reference)
    pyshacl_validator = Validator(shapes, ontology, assembly.reference, engine="pyshacl")
    rows: list[tuple[str, str, float, float | None, str]] = []

    for scope, parts in scopes:
        data = union(parts)
        n = len(data)
        t_ref, (_, ref_graph, ref_violations) = timed(
            lambda data=data, scope=scope: reference_validate(scope, data, shapes, ontology), 1)
        ref_keys, ref_msgs = report_keys(ref_graph)
        print(f"\n{scope}: {n} triples (+{len(ontology)} ontology), {sum(ref_keys.values())} result(s)", flush=True)
        rows.append((scope, "pySHACL as called before (reference)", t_ref, None, "="))

        def same(violations: list[Any], graph: Graph, ref_violations: list[Any] = ref_violations,
                 ref_graph: Graph = ref_graph) -> str:
            return "identical" if (sorted(map(repr, violations)) == sorted(map(repr, ref_violations))
                                   and isomorphic(graph, ref_graph)) else "DIFFERENT"

        for label, fn in pyshacl_variants(scope, parts, data, shapes, ontology, pyshacl_validator).items():
            t, out = timed(fn, 1)
            if out is None:
                rows.append((scope, label, t, None, "n/a"))
                continue
            keys, msgs = report_keys(out[1]) if isinstance(out, tuple) else report_keys(out)
            verdict = same(out[2], out[1]) if isinstance(out, tuple) else (
                "same results" if keys == ref_keys and msgs == ref_msgs else "DIFFERENT")
            rows.append((scope, label, t, None, verdict))

        # text engines: serialization of the scope's own parts is part of their total
        def scope_nt(parts: Sequence[Graph] = parts) -> str:
            return ontology_nt + "".join(reference_nt if p is assembly.reference else p.serialize(format="nt")
                                         for p in parts)

        t_ser, text = timed(scope_nt, args.repeat)
        for label, (prepare, run, keys_of) in text_engines(shapes_ttl).items():
            try:
                engine = prepare()
                t, out = timed(lambda engine=engine, run=run, text=text: run(engine, text), args.repeat)
                keys, msgs = keys_of(out)
            except Exception as e:  # an engine that cannot read the shapes or the data
                rows.append((scope, label, 0.0, None, f"fails: {type(e).__name__}: {str(e)[:80]}"))
                continue
            verdict = "same results" if keys == ref_keys else "DIFFERENT"
            if keys == ref_keys:
                verdict += ", same messages" if msgs == ref_msgs else ", messages differ (no sh:message)"
            rows.append((scope, label, t, t + t_ser, verdict))

        for label, fn in graph_engines(data, shapes, ontology).items():
            try:
                t, out = timed(fn, args.repeat)
                keys, msgs = report_keys(out)
            except Exception as e:
                rows.append((scope, label, 0.0, None, f"fails: {type(e).__name__}: {str(e)[:80]}"))
                continue
            verdict = "same results" if keys == ref_keys else "DIFFERENT"
            rows.append((scope, label, t, None, verdict))

        t, out = timed(lambda parts=parts, scope=scope: validator.validate(scope, parts), args.repeat)
        rows.append((scope, "validate.py Validator (as the build runs it)", t, None, same(out[2], out[1])))
        print_rows([r for r in rows if r[0] == scope])


def inject_faults(assembly: Assembly) -> None:
    """One reference individual without a label (every scope reports it) and one claim without a voice."""
    body = next(s for s in sorted(assembly.reference.subjects()) if "/id/body/" in str(s))
    assembly.reference.remove((body, RDFS.label, None))
    for doc in assembly.documents:
        claim = next(s for s in sorted(doc.claims_graph.subjects(WSIS.voice, None)))
        doc.claims_graph.remove((claim, WSIS.voice, None))


def pyshacl_variants(scope: str, parts: Sequence[Graph], data: Graph, shapes: Graph, ontology: Graph,
                     validator: Validator) -> dict[str, Callable[[], Any]]:
    from pyshacl import validate

    def run(g: Graph, **kw: Any) -> Graph:
        return validate(g, shacl_graph=shapes, inference="none", allow_warnings=True, **kw)[1]  # type: ignore[no-any-return]

    mixed = union([ontology, data])

    def copy_mixed(**kw: Any) -> Callable[[], Graph]:
        return lambda: run(union([ontology, data]), **kw)

    return {
        "pySHACL, ontology pre-mixed, advanced": lambda: run(mixed, advanced=True),
        "pySHACL, pre-mixed, advanced=False (clones)": lambda: run(mixed, advanced=False),
        "pySHACL, pre-mixed, advanced=False, inplace": lambda: run(mixed, advanced=False, inplace=True),
        "pySHACL, copy+mix per call, inplace": copy_mixed(advanced=False, inplace=True),
        "pySHACL as validate.py falls back (copy, in place)": lambda: validator.validate(scope, parts),
    }


def text_engines(shapes_ttl: str) -> dict[str, tuple[Callable[[], Any], Callable[[Any, str], Any],
                                                      Callable[[Any], tuple[Counter[Finding], Counter[str]]]]]:
    def shacl_prepare() -> Any:
        import shacl

        return shacl.Shapes.from_turtle(shapes_ttl)

    def nt(term: str | None) -> str:
        return "" if term is None else "_" if term.startswith("_:") else str(from_n3(term).n3())  # type: ignore[union-attr]

    def shacl_rust_keys(out: Any) -> tuple[Counter[Finding], Counter[str]]:
        keys: Counter[Finding] = Counter()
        msgs: Counter[str] = Counter()
        for r in out["results"]:
            keys[(nt(r.get("focus_node") or r.get("focus")), r.get("path") or "",
                  nt(r.get("value")), str(r.get("severity", "")).rsplit("#")[-1],
                  str(r.get("constraint_component") or r.get("component") or "").rsplit("#")[-1])] += 1
            msgs[str(r.get("message") or "")] += 1
        return keys, msgs

    def rudof_prepare() -> Any:
        import pyrudof

        return pyrudof

    def rudof_run(mod: Any, text: str) -> Any:
        r = mod.Rudof(mod.RudofConfig())
        r.read_data(text, format=mod.RDFFormat.NTriples)
        r.read_shacl(shapes_ttl, format=mod.ShaclFormat.Turtle)
        r.validate_shacl()
        g = Graph()
        g.parse(data=r.serialize_shacl_validation_results(format=mod.ResultShaclValidationFormat.Turtle),
                format="turtle")
        return g

    def keys_of_report(out: Any) -> tuple[Counter[Finding], Counter[str]]:
        return report_keys(out)

    return {
        "shacl (Rust), shapes compiled once": (
            shacl_prepare, lambda s, text: s.validate_text(text, format="ntriples", allow_warnings=True), shacl_keys),
        "shacl (Rust), gate: stop at first result": (
            shacl_prepare,
            lambda s, text: s.validate_text(text, format="ntriples", allow_warnings=True, max_results=1),
            lambda out: shacl_keys(out) if not out.results else (Counter(), Counter())),
        "shacl-rust": (
            lambda: __import__("shacl_rust"),
            lambda m, text: m.validate(text, shapes_ttl, data_format="nt"), shacl_rust_keys),
        "pyrudof (native mode)": (rudof_prepare, rudof_run, keys_of_report),
    }


def graph_engines(data: Graph, shapes: Graph, ontology: Graph) -> dict[str, Callable[[], Graph]]:
    def turbo() -> Graph:
        import pyshacl_turbo

        return pyshacl_turbo.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",  # type: ignore[no-any-return]
                                      allow_warnings=True)[1]

    def shifty() -> Graph:
        import shifty as sf

        return sf.validate(union([ontology, data]), shacl_graph=shapes)[1]  # type: ignore[no-any-return]

    return {"pyshacl-turbo (rdflib graphs in)": turbo, "shifty (rdflib graphs in)": shifty}


def print_rows(rows: list[tuple[str, str, float, float | None, str]]) -> None:
    print(f"  {'engine / variant':52s} {'engine':>9s} {'total':>9s}  results vs reference")
    for _, label, t, total, verdict in rows:
        tot = f"{total * 1000:7.0f}ms" if total is not None else f"{t * 1000:7.0f}ms"
        print(f"  {label:52s} {t * 1000:7.0f}ms {tot:>9s}  {verdict}", flush=True)


if __name__ == "__main__":
    main()
