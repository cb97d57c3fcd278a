"""The whole pipeline, step by step with timings: assemble, validate, reason, release (with its store)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .assemble import Assembly, assemble
from .describe import Publication
from .errors import ValidationFailed
from .infer import infer_assembly
from .project import Project
from .rdfio import Progress, parse_turtle
from .reason import ReasonerResult, check_results, reason_assembly
from .release import NQUADS, staged_release, write_release
from .store import write_store
from .validate import ValidationReport, validate_assembly


@dataclass
class BuildResult:
    assembly: Assembly
    validation: ValidationReport
    reasoning: list[ReasonerResult]
    release_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


@contextmanager
def step(name: str, timings: dict[str, float], progress: Progress) -> Iterator[None]:
    """Announce a step, and say how long it took when it is over: a long build is never silent."""
    t0 = time.perf_counter()
    progress(f"{name} ...")
    yield
    timings[name] = time.perf_counter() - t0
    progress(f"  {name.split(' (')[0]}: {timings[name]:.1f} s")


def reasoner_report(results: list[ReasonerResult]) -> str:
    lines = []
    for r in results:
        state = "consistent" if r.consistent else "INCONSISTENT"
        unsat = f", unsatisfiable: {', '.join(r.unsatisfiable)}" if r.unsatisfiable else ", no unsatisfiable class"
        lines.append(f"HermiT: {r.scope} ({r.triples} triples): {state}{unsat if r.consistent else ''}")
    return "\n".join(lines) + "\n"


def run_build(project: Project, progress: Progress = lambda _: None, reason: bool = True,
              publication: Publication | None = None) -> BuildResult:
    """Build the release into project.dist; raise (leaving dist/ untouched) at the first failing step."""
    timings: dict[str, float] = {}
    with step("assemble (sources, segment, anchor)", timings, progress):
        assembly = assemble(project, progress=progress)
    progress(f"  {len(assembly.documents)} document(s), {sum(len(g) for _, g in assembly.named_graphs())} triples")
    with step("validate (SHACL)", timings, progress):
        shapes = parse_turtle(project.shapes)
        validation = validate_assembly(assembly, shapes)
    progress(f"  {validation.summary().splitlines()[0]}")
    if not validation.conforms:
        raise ValidationFailed(validation.summary())
    results: list[ReasonerResult] = []
    if reason:
        with step("reason (HermiT)", timings, progress):
            results = reason_assembly(assembly, progress=progress)
        for r in results:
            progress(f"  {reasoner_report([r]).strip()}")
        check_results(results)
    with step("infer (OWL 2 RL entailments)", timings, progress):
        inferred = infer_assembly(assembly)
    progress(f"  {sum(len(g) for _, g in inferred)} entailed triples in {len(inferred)} named graph(s)")
    result = BuildResult(assembly, validation, results, project.dist, timings)
    with step("release", timings, progress), staged_release(project.dist) as folder:
        reports = {
            "shacl-report.ttl": validation.graph.serialize(format="turtle"),
            "shacl-summary.txt": validation.summary(),
            "reasoner.txt": reasoner_report(results) if results else "reasoning skipped\n",
        }
        result.files = write_release(folder, assembly, shapes, reports, publication=publication)
        store = write_store(folder, folder / NQUADS)  # after the hashes: its bytes differ on every build
        counts = {str(iri): len(g) for iri, g in assembly.named_graphs()}
        manifest = {"version": __version__, "graphs": counts, "files": result.files, "store": store}
        (folder / "reports" / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    progress(f"  wrote {len(result.files) + 1} files to {project.dist}")
    return result
