"""A release split by document: one file a document in each format under dist/dumps/, together the same
dataset as the whole dumps; every file named in VoID and hashed in the manifest; an unchanged document's
files taken from the previous release, an edited one's written again; the store, the query command, the
server and the site read it as they read a whole release."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib.namespace as ns
from click.testing import CliRunner
from rdflib import Graph, URIRef

from conftest import serving
from test_incremental import COPY, DOCS, MINI, build, edit_a_label, two_documents
from wsis_kg.build import BuildResult
from wsis_kg.cli import main
from wsis_kg.docs import read_release
from wsis_kg.project import Project
from wsis_kg.release import BLOCK_DUMPS, CANONICAL, NQUADS, SPLIT_FORMATS, TRIG, canonical_lines, split_name
from wsis_kg.serve import Limits
from wsis_kg.store import load_release, nquads_files, open_store

FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE,
           ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, BuildResult, BuildResult]:
    """The same two documents built whole and split."""
    project = two_documents(tmp_path_factory.mktemp("split") / "p")
    whole = build(project, dist="whole", dumps="whole")
    split = build(project, dist="split", dumps="split")
    return project, whole, split


def quads_of(path: Path) -> set[str]:
    return {str(q) for q in ox.parse(path=path, format=FORMATS[path.suffix])}


def test_every_format_has_a_file_for_the_shared_graphs_and_one_per_document(releases: tuple[Project, BuildResult,
                                                                                            BuildResult]) -> None:
    _, whole, split = releases
    dist = split.release_dir
    for dump in (*BLOCK_DUMPS, CANONICAL):
        for doc in (None, *DOCS):
            assert (dist / split_name(dump, doc)).is_file(), split_name(dump, doc)
        folder = dist / "dumps" / SPLIT_FORMATS[dump][0]
        assert len([p for p in folder.rglob("*") if p.is_file()]) == 1 + len(DOCS)
    assert not (dist / NQUADS).exists() and (whole.release_dir / NQUADS).is_file()
    assert nquads_files(dist)[0] == dist / split_name(NQUADS, None) and len(nquads_files(dist)) == 3


@pytest.mark.parametrize("dump", [d for d in BLOCK_DUMPS])
def test_the_split_files_together_hold_what_the_whole_dump_holds(releases: tuple[Project, BuildResult,
                                                                                 BuildResult], dump: str) -> None:
    _, whole, split = releases
    parts = [split.release_dir / split_name(dump, doc) for doc in (None, *DOCS)]
    together = set().union(*(quads_of(p) for p in parts))
    if dump == NQUADS:  # and no quad is in two files: each named graph lies in one
        assert sum(len(quads_of(p)) for p in parts) == len(together)
    assert together == quads_of(whole.release_dir / dump)


def test_each_canonical_file_is_its_own_graphs_canonicalised(releases: tuple[Project, BuildResult,
                                                                            BuildResult]) -> None:
    _, whole, split = releases
    dist = split.release_dir
    lines: list[str] = []
    for doc in (None, *DOCS):
        nq = list(ox.parse(path=dist / split_name(NQUADS, doc), format=ox.RdfFormat.N_QUADS))
        text = (dist / split_name(CANONICAL, doc)).read_text(encoding="utf-8")
        assert text == "".join(canonical_lines(nq))
        lines += text.splitlines(keepends=True)
    assert "".join(sorted(lines)) == (whole.release_dir / CANONICAL).read_text(encoding="utf-8")


def test_void_names_every_file_and_the_manifest_hashes_it(releases: tuple[Project, BuildResult,
                                                                        BuildResult]) -> None:
    _, _, split = releases
    dist = split.release_dir
    void = Graph().parse(dist / "void.ttl")
    dumps = {str(o) for o in void.objects(None, ns.VOID.dataDump)}
    files = sorted(p for p in (dist / "dumps").rglob("*") if p.is_file())
    named = {f"http://127.0.0.1:8000/dist/{p.relative_to(dist).as_posix()}" for p in files}
    assert dumps == named  # as the whole release names its canonical dump too
    downloads = {str(o) for o in void.objects(None, ns.DCAT.downloadURL)}
    assert named <= downloads
    manifest = json.loads((dist / "reports" / "manifest.json").read_text())
    assert manifest["dumps"] == "split"
    for p in files:
        assert manifest["files"][p.relative_to(dist).as_posix()] == hashlib.sha256(p.read_bytes()).hexdigest()
    sizes = {str(d): int(void.value(d, ns.DCAT.byteSize)) for d in void.subjects(ns.DCAT.accessURL, None)
             if "/dumps/" in str(void.value(d, ns.DCAT.accessURL))}
    assert sum(sizes.values()) == sum(p.stat().st_size for p in files)
    assert URIRef("http://www.w3.org/ns/formats/N-Quads") in set(void.objects(None, ns.VOID.feature))


def test_a_split_release_is_read_as_a_whole_one_is(releases: tuple[Project, BuildResult, BuildResult]) -> None:
    _, whole, split = releases
    store, whole_store = open_store(split.release_dir), open_store(whole.release_dir)
    assert store is not None and whole_store is not None
    assert {str(q) for q in store} == {str(q) for q in whole_store}
    assert {str(q) for q in read_release(split.release_dir)} == {str(q) for q in read_release(whole.release_dir)}
    # without its store, the release is loaded from its split N-Quads
    moved = split.release_dir / "store"
    os.rename(moved, split.release_dir.parent / "store-aside")
    try:
        assert {str(q) for q in load_release(split.release_dir)} == {str(q) for q in store}
    finally:
        os.rename(split.release_dir.parent / "store-aside", moved)


def test_query_answers_from_a_split_release(releases: tuple[Project, BuildResult, BuildResult]) -> None:
    project, whole, split = releases
    counts = []
    for result in (whole, split):
        out = CliRunner().invoke(main, ["--project", str(project.root), "--dist", str(result.release_dir), "query",
                                        "-e", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                        "--format", "csv"])
        assert out.exit_code == 0, out.output
        counts.append(out.output)
    assert counts[0] == counts[1]


def test_an_unchanged_document_s_files_come_from_the_previous_release(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    build(project, dumps="split")
    dist = project.root / "dist"
    before = {p.relative_to(dist.resolve()).as_posix(): (p.stat().st_ino, p.read_bytes())
              for p in dist.resolve().rglob("*") if p.is_file() and ("dumps" in p.parts or "ontology" in p.parts)}
    _, new = edit_a_label(project, COPY)
    said: list[str] = []
    result = build(project, said=said, dumps="split")
    assert any("1 written, 1 taken from the previous release" in line for line in said), said
    assert any("statistics: updated: 1 block(s) put in, 1 taken out" in line for line in said), said
    after = result.release_dir.resolve()
    for dump in (*BLOCK_DUMPS, CANONICAL):
        kept, edited = split_name(dump, MINI), split_name(dump, COPY)
        assert (after / kept).stat().st_ino == before[kept][0]  # a link to the same file, not a copy
        assert (after / kept).read_bytes() == before[kept][1]
        assert (after / edited).read_bytes() != before[edited][1]
    assert f'"{new}"@en' in (after / split_name(NQUADS, COPY)).read_text()
    for name in ("ontology/wsis.owl", "ontology/wsis.ttl", "ontology/shapes.ttl"):  # same ontology, same files
        assert (after / name).stat().st_ino == before[name][0]
    manifest = json.loads((after / "reports" / "manifest.json").read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((after / name).read_bytes()).hexdigest() == digest, name
    # and the release is the one a fresh build makes
    fresh = build(project, dist="fresh", cache=False, dumps="split")
    for dump in (*BLOCK_DUMPS, CANONICAL):
        for doc in (None, *DOCS):
            name = split_name(dump, doc)
            assert (after / name).read_bytes() == (fresh.release_dir / name).read_bytes(), name
    # the figures updated from the tally are those counted afresh
    assert (after / "void.ttl").read_text() == (fresh.release_dir / "void.ttl").read_text()


def test_a_changed_shared_input_writes_the_ontology_bundle_again(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    build(project, dumps="split")
    owl = (project.root / "dist" / "ontology" / "wsis.owl").resolve()
    inode = owl.stat().st_ino
    with project.shapes.open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment: the shapes file changed, its graph did not\n")
    result = build(project, dumps="split")
    assert (result.release_dir / "ontology" / "wsis.owl").stat().st_ino != inode


@pytest.mark.parametrize("damage", ["missing", "cut short", "grown"])
def test_a_previous_release_s_file_that_is_not_as_written_is_not_taken(tmp_path: Path, damage: str) -> None:
    project = two_documents(tmp_path / "p")
    first = build(project, dumps="split")
    name = split_name(TRIG, MINI)
    path = project.root / "dist" / name
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(data[:-10] if damage == "cut short" else data + b"\n# more\n")
    said: list[str] = []
    result = build(project, said=said, dumps="split")
    assert any("1 written, 1 taken from the previous release" in line for line in said), said
    assert (result.release_dir / name).read_bytes() == data
    assert result.files[name] == first.files[name]


def test_the_build_command_takes_the_layout(tmp_path: Path) -> None:
    project = two_documents(tmp_path / "p")
    out = CliRunner().invoke(main, ["--project", str(project.root), "build", "--no-reason", "--dumps", "split"])
    assert out.exit_code == 0, out.output
    assert (project.root / "dist" / split_name(NQUADS, MINI)).is_file()
    bad = CliRunner().invoke(main, ["--project", str(project.root), "build", "--dumps", "some"])
    assert bad.exit_code == 2 and "--dumps" in bad.output


def test_serve_answers_and_hands_out_the_files_of_a_split_release(releases: tuple[Project, BuildResult,
                                                                                  BuildResult]) -> None:
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    _, _, split = releases
    store = open_store(split.release_dir)
    assert store is not None
    with serving(split.release_dir, Limits(timeout=10, workers=1)) as srv:
        query = urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
        with urlopen(Request(srv.base_url + "sparql?" + query, headers={"Accept": "text/csv"}), timeout=30) as r:
            assert r.read().decode().splitlines()[1] == str(len(store))
        name = split_name(NQUADS, MINI)
        with urlopen(srv.base_url + "dist/" + name, timeout=30) as r:
            assert r.read() == (split.release_dir / name).read_bytes()
