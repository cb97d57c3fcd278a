"""The release's on-disk store: written by the build, opened read-only by `query` and `serve`, answering
exactly as the N-Quads loaded into memory do; an older release without one still works, and a damaged
one is a clear error."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from conftest import serving
from wsis_kg import release as release_module
from wsis_kg import store as store_module
from wsis_kg.cli import main
from wsis_kg.query import list_queries, run_local
from wsis_kg.serve import Limits, WsisServer, make_server
from wsis_kg.store import (
    NQUADS,
    STORE_DIR,
    StoreError,
    load_release,
    nquads_chunks,
    open_store,
    update_store,
    write_store,
)

ROOT = Path(__file__).resolve().parents[1]
QUERIES = {q.name: q for q in list_queries(ROOT / "queries")}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def in_memory(release: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(release / NQUADS), format=ox.RdfFormat.N_QUADS)
    return store


def run(release: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(ROOT), "--dist", str(release), "query", *args])


@pytest.fixture(scope="module")
def without_store(release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release as built before stores were written: the same files, no store/."""
    folder = tmp_path_factory.mktemp("old") / "dist"
    shutil.copytree(release, folder, ignore=shutil.ignore_patterns(STORE_DIR))
    return folder


@pytest.fixture()
def damaged(release: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    shutil.copytree(release, folder)
    (folder / STORE_DIR / "CURRENT").unlink()
    return folder


def test_the_build_writes_a_store_that_opens_read_only(release: Path) -> None:
    assert NQUADS == release_module.NQUADS
    store = open_store(release)
    assert store is not None
    manifest = json.loads((release / "reports" / "manifest.json").read_text())
    assert manifest["store"]["folder"] == STORE_DIR
    assert len(store) == manifest["store"]["quads"] == len(in_memory(release))
    with pytest.raises(RuntimeError, match="read-write"):  # opened read-only: nothing can change it
        store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                          ox.Literal("o")))


def test_store_files_are_not_in_the_manifest_of_hashes(release: Path) -> None:
    """RocksDB's bytes differ on every build; the N-Quads the store is loaded from are hashed instead."""
    files = json.loads((release / "reports" / "manifest.json").read_text())["files"]
    assert NQUADS in files
    assert not [name for name in files if name.split("/")[0] == STORE_DIR]


@pytest.mark.parametrize("name,bindings", [
    ("cq05-challenges", {}),
    ("cq12-cited-paragraphs", {}),
    ("cq17-voice", {}),
    ("cq23-action-lines", {}),
    ("cq26-asked-of-group", {"group": "group:member-states"}),
    ("cq29-igf-decisions", {}),
])
def test_queries_through_the_store_equal_those_in_memory(release: Path, name: str, bindings: dict[str, str]
                                                         ) -> None:
    store = open_store(release)
    assert store is not None
    text = QUERIES[name].text
    on_disk = run_local(store, text, bindings)
    assert on_disk[1], f"{name} returns no row: nothing compared"
    assert on_disk == run_local(in_memory(release), text, bindings)


def test_a_dataset_clause_is_honoured_through_the_store(release: Path) -> None:
    store = open_store(release)
    assert store is not None
    graph = next(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    text = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"
    _, rows = run_local(store, text)
    assert rows == run_local(in_memory(release), text)[1]
    assert rows[0]["n"] == str(len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))))
    assert int(rows[0]["n"] or 0) < len(store)


def test_an_older_release_without_a_store_is_read_from_its_nquads(release: Path, without_store: Path) -> None:
    assert open_store(without_store) is None
    assert len(load_release(without_store)) == len(open_store(release) or [])
    old, new = run(without_store, "cq05", "--format", "csv"), run(release, "cq05", "--format", "csv")
    assert old.exit_code == 0, old.output
    assert old.output == new.output


def test_a_damaged_store_is_a_clear_error_not_a_traceback(damaged: Path) -> None:
    result = run(damaged, "-e", COUNT)
    assert result.exit_code == 2
    assert "store cannot be opened" in result.output and "wsis-kg build" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(StoreError, match="store cannot be opened"):
        make_server(damaged, port=0, limits=Limits(workers=1), quiet=True)


def test_write_store_replaces_a_store_already_there(tmp_path: Path, release: Path) -> None:
    shutil.copy(release / NQUADS, tmp_path / NQUADS)
    first = write_store(tmp_path, tmp_path / NQUADS)
    second = write_store(tmp_path, tmp_path / NQUADS)
    assert first == second and first["quads"] == len(in_memory(release))



@pytest.mark.parametrize("size", [1, 97, 4096, 1 << 30])
def test_nquads_are_loaded_in_pieces_cut_at_line_ends(tmp_path: Path, release: Path, size: int) -> None:
    """Pieces smaller than a line, of odd sizes, or larger than the files: each ends a line, and together
    they are the files, one after the other; a file's unended last line gets its line end."""
    first = (release / NQUADS).read_bytes()[:150_000]
    first = first[:first.rindex(b"\n") + 1] + b'<http://ex/s> <http://ex/p> "no newline at the end" .'
    second = (release / NQUADS).read_bytes()[-50_000:]
    second = second[second.index(b"\n") + 1:]
    (tmp_path / "a.nq").write_bytes(first)
    (tmp_path / "b.nq").write_bytes(second)
    pieces = list(nquads_chunks([tmp_path / "a.nq", tmp_path / "b.nq"], size))
    assert b"".join(pieces) == first + b"\n" + second
    assert all(p.endswith(b"\n") and p for p in pieces)
    assert len(list(ox.parse(b"".join(pieces), format=ox.RdfFormat.N_QUADS))) == b"".join(pieces).count(b"\n")


def test_a_store_loaded_in_small_pieces_holds_every_quad(tmp_path: Path, release: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "LOAD_CHUNK", 1 << 18)
    shutil.copy(release / NQUADS, tmp_path / NQUADS)
    assert (tmp_path / NQUADS).stat().st_size > 20 * store_module.LOAD_CHUNK
    write_store(tmp_path, tmp_path / NQUADS)
    written = open_store(tmp_path)
    assert written is not None
    assert set(written) == set(in_memory(release))

# ---------------------------------------------------------------- serve


def count_over_http(srv: WsisServer) -> str:
    from urllib.parse import urlencode

    req = urllib.request.Request(srv.base_url + "sparql?" + urlencode({"query": COUNT}),
                                 headers={"Accept": "text/csv"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return str(resp.read().decode().splitlines()[1])


def test_serve_answers_from_the_store_in_sealed_workers(release: Path) -> None:
    with serving(release, Limits(timeout=10, workers=2)) as srv:
        assert srv.app.pool.source == str(release / STORE_DIR)
        assert count_over_http(srv) == str(len(in_memory(release)))
        with pytest.raises(urllib.error.HTTPError) as refused:  # the database's files are not downloads
            urllib.request.urlopen(srv.base_url + "dist/store/CURRENT", timeout=10)
        assert refused.value.code == 404


def test_serve_still_serves_an_older_release_from_its_nquads(without_store: Path) -> None:
    with serving(without_store, Limits(timeout=10, workers=1)) as srv:
        assert srv.app.pool.source == str(without_store / NQUADS)
        assert count_over_http(srv) == str(len(in_memory(without_store)))


def test_an_update_that_does_not_give_the_counted_graphs_leaves_no_store(tmp_path: Path, release: Path) -> None:
    counts = json.loads((release / "reports" / "manifest.json").read_text())["graphs"]
    graph = next(g for g in sorted(counts) if "/document/" in g and counts[g])
    quads = [q for q in in_memory(release) if q.graph_name == ox.NamedNode(graph)]
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    keep = set(counts) - {graph}
    # the graph dropped and loaded again: the store is the previous one
    (tmp_path / "a").mkdir()
    done = update_store(tmp_path / "a", release, keep, [data], counts)
    assert done is not None and done["quads"] == sum(counts.values())
    written = open_store(tmp_path / "a")
    assert written is not None and len(written) == len(open_store(release) or [])
    # dropped and not loaded, or loaded short of a quad: refused, and nothing left
    for load in ([], [ox.serialize(quads[1:], format=ox.RdfFormat.N_QUADS)]):
        (tmp_path / "b").mkdir(exist_ok=True)
        assert update_store(tmp_path / "b", release, keep, load, counts) is None
        assert not (tmp_path / "b" / STORE_DIR).exists()
