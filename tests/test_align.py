"""Links between documents: paragraph lineage (hand-made draft/revision pair and synthetic revisions,
each against a plain difflib baseline), uptake proposals, and the `align` command's review files."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT
from revisions import agreement, as_truth, numbered, synthetic_pairs
from wsis_kg.align.lineage import IDENTICAL, Para, difflib_lineage, lineage
from wsis_kg.align.uptake import Unit, propose
from wsis_kg.cli import main
from wsis_kg.segment import segment

LINEAGE = FIXTURES / "lineage"


def _numbered(path: Path) -> list[Para]:
    return [Para(m.group(1), m.group(1), m.group(0))
            for m in re.finditer(r"^(\d+)\. .*$", path.read_text(encoding="utf-8"), re.M)]


def test_lineage_of_the_hand_made_pair_is_what_a_reader_judged() -> None:
    draft, revision = _numbered(LINEAGE / "draft.txt"), _numbered(LINEAGE / "revision.txt")
    expected = {(a, b, label) for a, b, label in json.loads((LINEAGE / "expected.json").read_text())["links"]}
    got = as_truth(lineage(draft, revision))
    assert got == expected, {"missing": sorted(expected - got, key=str), "extra": sorted(got - expected, key=str)}
    assert agreement(expected, as_truth(difflib_lineage(draft, revision))) < 0.75


def _passages() -> list[str]:
    text = (ROOT / "sources" / "imsb-reflections-wsis20-elements-paper-2025-07-25.txt").read_text(encoding="utf-8")
    return [" ".join(text[p.start:p.end].split()) for p in segment(text).passages()]


def test_lineage_on_synthetic_revisions_beats_difflib() -> None:
    ours, baseline = [], []
    for old, new, truth in synthetic_pairs(_passages(), 20):
        ours.append(agreement(truth, as_truth(lineage(numbered(old), numbered(new)))))
        baseline.append(agreement(truth, as_truth(difflib_lineage(numbered(old), numbered(new)))))
    mean = sum(ours) / len(ours)
    assert mean >= 0.85, ours
    assert mean > sum(baseline) / len(baseline) + 0.1, (ours, baseline)


def test_numbers_do_not_decide_a_match() -> None:
    old = [Para("a", "1", "Decides to extend the mandate of the Forum for ten years;"),
           Para("b", "2", "Requests the Secretary-General to report on progress at its next session;")]
    new = [Para("x", "1", "Requests the Secretary-General to report on progress at its next session;"),
           Para("y", "2", "Decides to extend the mandate of the Forum for ten years;")]
    assert {(k.old, k.new, k.label) for k in lineage(old, new)} == {("a", "y", IDENTICAL), ("b", "x", IDENTICAL)}


def test_empty_versions() -> None:
    p = [Para("a", "1", "Decides to remain seized of the matter.")]
    assert [k.label for k in lineage(p, [])] == ["deleted"]
    assert [k.label for k in lineage([], p)] == ["new"]


def test_entities_break_a_lexical_tie() -> None:
    ask = Unit("ask", "ask", "strengthen the forum", frozenset({"igf"}))
    targets = [Unit("t1", "t1", "strengthen the forum", frozenset({"wsis-forum"})),
               Unit("t2", "t2", "strengthen the forum", frozenset({"igf"}))]
    (first, second) = propose([ask], targets, top=2)["ask"]
    assert (first.target, second.target) == ("t2", "t1")
    assert first.lexical == pytest.approx(second.lexical) and first.entity == 1.0 and second.entity == 0.0


def test_a_text_aligned_with_itself_finds_the_passage_of_each_ask(store: object) -> None:
    import pyoxigraph as ox

    from wsis_kg.align.units import asks, paragraphs

    assert isinstance(store, ox.Store)
    doc = "imsb-reflections-2025-07-25"
    sources, targets = asks(store, doc), paragraphs(store, doc)
    grounded = {r["c"].value: r["p"].value for r in store.query(  # type: ignore[union-attr]
        "SELECT ?c ?p WHERE { GRAPH ?g { ?c <https://w3id.org/wsis-kg/ontology#groundedIn> ?p } }")}
    keys = {t.key for t in targets}
    checked = [s for s in sources if grounded.get(s.key) in keys]
    assert len(checked) >= 100
    proposals = propose(sources, targets)
    first = sum(proposals[s.key][0].target == grounded[s.key] for s in checked) / len(checked)
    assert first >= 0.95


def test_align_writes_a_review_and_keeps_a_started_one(release: Path, tmp_path: Path) -> None:
    doc = "imsb-reflections-2025-07-25"
    out = tmp_path / "review.csv"
    args = ["--dist", str(release), "align", doc, doc, "--out", str(out)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == int(r.output.split()[0]) > 100
    assert all(row["candidate_1_text"] and not row["grade"] for row in rows)
    rows[0]["grade"] = "taken up"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    kept = out.read_bytes()
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and "--force" in r.output and out.read_bytes() == kept
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0


def test_align_lineage_of_a_text_with_itself_is_all_identical(release: Path, tmp_path: Path) -> None:
    doc = "imsb-reflections-2025-07-25"
    out = tmp_path / "lineage.csv"
    r = CliRunner().invoke(main, ["--dist", str(release), "align", doc, doc, "--lineage", "--out", str(out)])
    assert r.exit_code == 0, r.output
    labels = {row["label"] for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert labels == {IDENTICAL}


def test_align_names_an_unknown_document(release: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["--dist", str(release), "align", "no-such-doc", "imsb-reflections-2025-07-25",
                                  "--out", str(tmp_path / "x.csv")])
    assert r.exit_code == 2 and "no document 'no-such-doc'" in r.output
    assert not (tmp_path / "x.csv").exists()
