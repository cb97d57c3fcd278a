"""The scale corpus generator (benchmarks/corpus.py): its projects build, its clones are distinct
documents, and a varied clone has its own text whose quotes and mentions still fit it."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from wsis_kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
IMSB = "imsb-reflections-2025-07-25"
RESOLUTION = "a-80-l-41"


def _load_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()


def _build(root: Path, dist: Path) -> str:
    r = CliRunner().invoke(main, ["--project", str(root), "--dist", str(dist), "build", "--no-reason"])
    assert r.exit_code == 0, r.output
    return r.output


def _digests(root: Path) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in (root / "sources").glob("*.txt")}


@pytest.mark.slow
def test_clone_corpus_builds(tmp_path: Path) -> None:
    c = corpus.generate(2, tmp_path / "p", mode="clone")
    assert c.doc_ids == [f"{IMSB}-x0001", f"{IMSB}-x0002"]
    assert len(_digests(c.root)) == 1  # the same text twice
    for doc_id in c.doc_ids:  # no IRI of the template is left: only the clone's own
        for f in (c.root / "graph" / "documents" / doc_id).glob("*.ttl"):
            assert f.read_text(encoding="utf-8").replace(doc_id, "").count(IMSB) == 0, f
    assert "2 document(s)" in _build(c.root, tmp_path / "dist")


@pytest.mark.slow
def test_varied_corpus_builds(tmp_path: Path) -> None:
    c = corpus.generate(2, tmp_path / "p", mode="vary", templates=[IMSB, RESOLUTION], seed=7)
    assert c.doc_ids == [f"{IMSB}-x0001", f"{RESOLUTION}-x0002"]
    originals = _digests(ROOT)
    assert len(_digests(c.root) - originals) == 2  # each text is its own
    assert "2 document(s)" in _build(c.root, tmp_path / "dist")


def test_varied_corpus_is_deterministic_and_seeded(tmp_path: Path) -> None:
    a = corpus.generate(2, tmp_path / "a", mode="vary", seed=1)
    b = corpus.generate(2, tmp_path / "b", mode="vary", seed=1)
    c = corpus.generate(2, tmp_path / "c", mode="vary", seed=2)
    assert _digests(a.root) == _digests(b.root)
    assert len(_digests(a.root)) == 2
    assert _digests(a.root) != _digests(c.root)


def test_originals_keep_the_bundled_documents_and_uptake(tmp_path: Path) -> None:
    c = corpus.generate(3, tmp_path / "p", originals=True)
    assert c.doc_ids == [RESOLUTION, IMSB, f"{IMSB}-x0001"]
    assert [p.name for p in (c.root / "graph" / "uptake").glob("*.ttl")] == [f"{IMSB}--{RESOLUTION}.ttl"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0", "OUT"], "at least 1"),
        (["2", "OUT", "--templates", "no-such-doc"], "unknown template"),
        (["1", "OUT", "--originals"], "at least 2"),
        (["2", "EXISTS"], "exists"),
    ],
)
def test_bad_arguments_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                        message: str) -> None:
    (tmp_path / "EXISTS").mkdir()
    args = [str(tmp_path / a) if a in ("OUT", "EXISTS") else a for a in args]
    with pytest.raises(SystemExit) as exc:
        corpus.main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_literals_round_trip() -> None:
    for value in ['a "quoted" word', "two\nlines\tand \\ a slash", "“curly”", ""]:
        assert corpus.decode_literal(corpus.encode_literal(value)) == value
    assert corpus.decode_literal('"""one\n"two"\nthree"""') == 'one\n"two"\nthree'
    assert corpus.decode_literal(r'"\u00e9\U0001F600"') == "é😀"


def test_offsets_follow_replacements() -> None:
    text = "alpha beta gamma delta"
    reps = [corpus.Replacement(6, 10, "bb"), corpus.Replacement(11, 16, "gggggggg")]
    new = corpus.apply(text, reps)
    assert new == "alpha bb gggggggg delta"
    remap = corpus.OffsetMap(reps)
    assert [remap(o) for o in (0, 5, 6, 10, 11, 16, 17, 22)] == [0, 5, 6, 8, 9, 17, 18, 23]
    assert new[remap(17):remap(22)] == "delta"
