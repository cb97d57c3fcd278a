"""The build keeps each document's results under the digest of its inputs: an unchanged document comes
from the cache, an edited one is built again alone, a change to a shared input rebuilds all, and what a
cached build ships is what a fresh build ships. The documents run on a process pool or on Dask."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import distributed
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import make_project
from wsis_kg import build as build_module
from wsis_kg import parts
from wsis_kg.build import CACHE_DIR, BuildOptions, BuildResult, run_build
from wsis_kg.cli import main
from wsis_kg.project import Project
from wsis_kg.release import CANONICAL
from wsis_kg.store import open_store

MINI = "civil-society-notes-2025-06-30"
COPY = "civil-society-notes-copy"
DOCS = sorted([MINI, COPY])
LABEL = re.compile(r'rdfs:label "([^"]+)"@en')


def two_documents(root: Path) -> Project:
    """The tiny test document and a copy of it under another id."""
    project = make_project(root)
    for f in (project.sources / f"{MINI}.ttl", project.sources / f"{MINI}.txt"):
        shutil.copy(f, project.sources / f.name.replace(MINI, COPY))
    meta = project.sources / f"{COPY}.ttl"
    meta.write_text(meta.read_text().replace(MINI, COPY))
    for f in (project.documents_dir / MINI).glob("*.ttl"):
        target = project.documents_dir / COPY / f.name
        target.parent.mkdir(exist_ok=True)
        target.write_text(f.read_text().replace(MINI, COPY))
    return project


def build(project: Project, dist: str = "dist", said: list[str] | None = None, **options: object) -> BuildResult:
    return run_build(Project(project.root, project.root / dist), progress=(said if said is not None else []).append,
                     options=BuildOptions(reason=False, jobs=2, **options))  # type: ignore[arg-type]


def canonical(result: BuildResult) -> bytes:
    return (result.release_dir / CANONICAL).read_bytes()


def edit_a_label(project: Project, doc_id: str) -> tuple[str, str]:
    """Change the first label of a document's claims file, as a curator would; return (old, new)."""
    path = project.documents_dir / doc_id / "notes.ttl"
    text = path.read_text()
    old = LABEL.search(text)
    assert old is not None
    new = old.group(1) + " (revised)"
    path.write_text(text.replace(f'"{old.group(1)}"@en', f'"{new}"@en', 1))
    return old.group(1), new


def rebuild_after_an_edit(project: Project, **options: object) -> tuple[str, str, BuildResult, list[str]]:
    """Build, edit a label of the copy, build again: (old label, new label, second build, what it said)."""
    build(project, **options)
    old, new = edit_a_label(project, COPY)
    said: list[str] = []
    return old, new, build(project, said=said, **options), said


def test_an_unchanged_build_comes_from_the_cache_and_ships_what_a_fresh_build_ships(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    first = build(project)
    assert sorted(first.built) == DOCS and first.cached == []
    second = build(project)
    assert second.built == [] and sorted(second.cached) == DOCS
    entries = sorted(str(p) for p in (project.root / CACHE_DIR).rglob("*"))
    fresh = build(project, dist="fresh", cache=False)
    assert sorted(fresh.built) == DOCS
    assert canonical(second) == canonical(fresh) == canonical(first)
    assert second.graphs == fresh.graphs
    # --no-cache neither reads nor changes the cache
    assert sorted(str(p) for p in (project.root / CACHE_DIR).rglob("*")) == entries


def test_editing_one_document_rebuilds_that_document_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one document of two is half the dataset: let the store be updated all the same, as one of many would
    monkeypatch.setattr(build_module, "UPDATE_SHARE", 1.0)
    project = two_documents(tmp_path / "p")
    old, new, result, said = rebuild_after_an_edit(project)
    assert result.built == [COPY] and result.cached == [MINI]
    assert any("store: the previous release's" in line for line in said), said
    nquads = (result.release_dir / "wsis-kg.nq").read_text()
    assert f'"{new}"@en' in nquads
    assert nquads.count(f'"{old}"@en') == 1  # the untouched document still has it, the copy no more
    assert canonical(result) == canonical(build(project, dist="fresh", cache=False))
    # the store, updated from the previous release's, holds what a store loaded from the dump holds
    store = open_store(result.release_dir)
    assert store is not None
    fresh = ox.Store()
    fresh.bulk_load(path=result.release_dir / "wsis-kg.nq", format=ox.RdfFormat.N_QUADS)
    assert {str(q) for q in store} == {str(q) for q in fresh}
    assert any(f'"{new}"@en' in str(q) for q in store)


def test_the_store_is_loaded_afresh_when_much_of_the_dataset_changed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Updating the previous store in transactions costs more than a bulk load once many documents changed."""
    monkeypatch.setattr(build_module, "UPDATE_SHARE", 0.1)
    _, new, result, said = rebuild_after_an_edit(two_documents(tmp_path / "p"))
    assert result.built == [COPY]
    assert any("store: loaded from" in line for line in said), said
    store = open_store(result.release_dir)
    assert store is not None and any(f'"{new}"@en' in str(q) for q in store)


def test_a_shared_input_or_new_code_rebuilds_every_document_and_explain_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = two_documents(tmp_path / "p")
    build(project)
    with project.shapes.open("a") as fh:
        fh.write("\n# a comment changes the file, and so the key of every part\n")
    run = CliRunner().invoke(main, ["--project", str(project.root), "build", "--no-reason", "--explain"])
    assert run.exit_code == 0, run.output
    assert f"{MINI}: built again: shared:shapes changed" in run.output
    assert f"{COPY}: built again: shared:shapes changed" in run.output
    run = CliRunner().invoke(main, ["--project", str(project.root), "build", "--no-reason", "--explain"])
    assert f"{MINI}: from the cache" in run.output and "2 document(s): 0 built, 2 from the cache" in run.output
    monkeypatch.setattr(parts, "code_digest", lambda: "another version of the pipeline")
    assert sorted(build(project).built) == DOCS


def test_a_damaged_part_is_built_again_not_shipped(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    first = build(project)
    (data,) = (project.root / CACHE_DIR / "documents" / MINI).glob(f"*/{parts.PART_DATA}")
    data.write_bytes(data.read_bytes().replace(b"Civil", b"Civic"))
    again = build(project)
    assert again.built == [MINI]
    assert canonical(again) == canonical(first)


def test_old_parts_are_pruned(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    build(project)
    edit_a_label(project, MINI)
    build(project)
    for doc in (MINI, COPY):
        assert len([p for p in (project.root / CACHE_DIR / "documents" / doc).iterdir() if p.is_dir()]) == 1
    shutil.rmtree(project.documents_dir / COPY)
    (project.sources / f"{COPY}.ttl").unlink()
    build(project)
    assert not (project.root / CACHE_DIR / "documents" / COPY).exists()


def test_a_failing_document_stops_the_build_with_its_message(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    path = project.documents_dir / COPY / "notes.ttl"
    text = path.read_text()
    quote = re.search(r'wsis:quote "([^"]{20,})"', text)
    assert quote is not None
    path.write_text(text.replace(quote.group(1), quote.group(1) + " and words the source never said", 1))
    run = CliRunner().invoke(main, ["--project", str(project.root), "build", "--no-reason", "--jobs", "2"])
    assert run.exit_code == 1, run.output
    assert "cannot be anchored" in run.output and "Traceback" not in run.output
    assert not (project.root / "dist").exists()


def test_the_documents_run_on_a_dask_cluster(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = build(project, dist="dask", scheduler=cluster.scheduler_address, cache=False)
    assert sorted(on_dask.built) == DOCS
    assert canonical(on_dask) == canonical(build(project, dist="pool", cache=False))


def test_an_unreachable_scheduler_is_a_message(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    run = CliRunner().invoke(main, ["--project", str(project.root), "build", "--no-reason", "--no-cache",
                                    "--scheduler", "tcp://127.0.0.1:9"])
    assert run.exit_code == 2, run.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in run.output


def test_the_shared_graphs_block_is_kept_and_a_damaged_one_made_again(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    first = build(project)
    kept = [p for p in (project.root / CACHE_DIR / parts.SHARED_BLOCK).iterdir() if not p.name.startswith(".")]
    assert len(kept) == 1
    ttl = kept[0] / "wsis-kg.ttl"
    before = ttl.read_bytes()
    ttl.write_bytes(before.replace(b"rdfs:label", b"rdfs:comment", 1))
    assert ttl.read_bytes() != before
    second = build(project, dist="second")
    assert (second.release_dir / "wsis-kg.ttl").read_bytes() == (first.release_dir / "wsis-kg.ttl").read_bytes()
    assert canonical(second) == canonical(first)
