"""Curated uptake links: a review filled in by a curator becomes uptake links with provenance; rows
nobody judged never do; a wrong row stops the import with its row number; the links build, validate and
are published in a named graph of their own."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_project
from wsis_kg.build import run_build
from wsis_kg.cli import main
from wsis_kg.project import Project
from wsis_kg.query import load_store

SOURCE, TARGET = "civil-society-notes-2025-06-30", "imsb-reflections-2025-07-25"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("uptake") / "p", bundled=True)
    run_build(project, reason=False)
    return project


def _review(project: Project) -> Path:
    r = CliRunner().invoke(main, ["--project", str(project.root), "align", SOURCE, TARGET, "--force"])
    assert r.exit_code == 0, r.output
    return project.root / "reviews" / "uptake" / f"{SOURCE}--{TARGET}.csv"


def _fill(path: Path, verdicts: dict[int, tuple[str, str, str]]) -> list[dict[str, str]]:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for k, (grade, paragraphs, why) in verdicts.items():
        rows[k].update(grade=grade, paragraphs=paragraphs, justification=why)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return rows


def _passage_key(row: dict[str, str]) -> str:
    return row["candidate_1"]


def test_judged_rows_become_uptake_links_and_the_rest_wait(project: Project) -> None:
    path = _review(project)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 3  # the tiny document's recommendation and its two challenges
    _fill(path, {0: ("taken up", _passage_key(rows[0]), "The Reflections ask for the same review."),
                 1: ("not taken up", "", "Looked at question 2 on connectivity: no word on data costs.")})
    r = CliRunner().invoke(main, ["--project", str(project.root), "uptake", str(path), "--curator", "A. Curator",
                                  "--date", "2026-11-30"])
    assert r.exit_code == 0, r.output
    assert "2 uptake link(s)" in r.output and "1 ask(s) still wait" in r.output
    result = run_build(project, reason=True)
    graphs = {str(iri): len(g) for iri, g in result.assembly.named_graphs()}
    assert graphs[f"https://w3id.org/wsis-kg/graph/uptake/{SOURCE}--{TARGET}"] > 0
    store = load_store(project.dist)
    answer = store.query("""
        PREFIX wsis: <https://w3id.org/wsis-kg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?claim ?grade ?rank ?who ?when WHERE { GRAPH ?g {
          ?link a wsis:UptakeLink ; wsis:uptakeOf ?claim ; wsis:uptakeGrade ?grade ; wsis:proposalRank ?rank ;
                prov:wasAttributedTo ?who ; dcterms:date ?when } }""")
    got = sorted((s["claim"].value, s["grade"].value.rsplit("/", 1)[-1], int(s["rank"].value),  # type: ignore[index]
                  s["when"].value) for s in answer)  # type: ignore[index,union-attr]
    assert got == sorted([(rows[0]["claim"], "taken-up", 1, "2026-11-30"),
                          (rows[1]["claim"], "not-taken-up", 0, "2026-11-30")])
    assert rows[2]["claim"] not in {g[0] for g in got}


@pytest.mark.parametrize(("verdict", "says"), [
    (("nearly", "1", "why"), "grade 'nearly' is none of"),
    (("taken up", "", "why"), "needs the paragraphs"),
    (("not taken up", "CANDIDATE", "why"), "names no paragraph"),
    (("partly", "no-such-paragraph", "why"), "no paragraph no-such-paragraph"),
    (("acknowledged", "CANDIDATE", ""), "justification is empty"),
])
def test_a_wrong_row_stops_the_import_and_names_its_row(project: Project, verdict: tuple[str, str, str],
                                                        says: str) -> None:
    path = _review(project)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    grade, paragraphs, why = verdict
    _fill(path, {1: (grade, paragraphs.replace("CANDIDATE", _passage_key(rows[1])), why)})
    out = project.uptake_dir / f"{SOURCE}--{TARGET}.ttl"
    before = out.read_bytes() if out.exists() else None
    r = CliRunner().invoke(main, ["--project", str(project.root), "uptake", str(path), "--curator", "A. Curator"])
    assert r.exit_code == 2, r.output
    assert says in r.output and f"{path.name}:3:" in r.output, r.output
    assert (out.read_bytes() if out.exists() else None) == before


def test_every_ask_of_the_reflections_has_a_verdict_in_the_outcome(store: object) -> None:
    """Every recommendation, priority, position and challenge of the Reflections has a curated uptake link
    to the WSIS+20 outcome, and every link judges a claim of the Reflections."""
    import pyoxigraph as ox

    from wsis_kg.align.units import asks

    assert isinstance(store, ox.Store)
    wanted = {u.key for u in asks(store, TARGET)}
    judged = {s["claim"].value for s in store.query(  # type: ignore[index,union-attr]
        "SELECT ?claim WHERE { GRAPH <https://w3id.org/wsis-kg/graph/uptake/imsb-reflections-2025-07-25--a-80-l-41> "
        "{ ?link <https://w3id.org/wsis-kg/ontology#uptakeOf> ?claim } }")}
    assert len(wanted) > 100
    assert wanted <= judged
    assert all(c.startswith(f"https://w3id.org/wsis-kg/id/claim/{TARGET}/") for c in judged)
