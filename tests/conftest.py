"""Shared fixtures: the real project built once per test session into a temporary release folder."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from wsis_kg.build import BuildResult, run_build
from wsis_kg.project import Project
from wsis_kg.query import Row, load_store, read_query, run_local
from wsis_kg.serve import Limits, WsisServer, make_server

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


Answer = tuple[list[str], list[Row]]


def query_runner(store: ox.Store) -> Callable[..., Answer]:
    """Run a query of queries/ by name on `store`, once per set of bindings: `run("cq01", {"x": "..."})`."""

    @cache
    def run(name: str, bindings: tuple[tuple[str, str], ...]) -> Answer:
        return run_local(store, read_query(ROOT / "queries" / f"{name}.rq").text, dict(bindings))

    def call(name: str, bindings: dict[str, str] | None = None) -> Answer:
        return run(name, tuple(sorted((bindings or {}).items())))

    return call


def claim_quotes_of(store: ox.Store) -> dict[str, str]:
    """Every claim in `store` with its curated quote."""
    _, rows = run_local(store, "SELECT ?c ?q WHERE { ?c <https://w3id.org/wsis-kg/ontology#quote> ?q }")
    return {r["c"] or "": r["q"] or "" for r in rows}


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The bundled data built once, with SHACL and HermiT, into a temporary dist folder."""
    dist = tmp_path_factory.mktemp("release") / "dist"
    return run_build(Project(ROOT, dist), reason=True)


@pytest.fixture(scope="session")
def release(built: BuildResult) -> Path:
    """The folder of the built release (what `wsis-kg build` writes to dist/)."""
    return built.release_dir


@pytest.fixture(scope="session")
def store(release: Path) -> ox.Store:
    """The release loaded into an in-memory Oxigraph store (all named graphs)."""
    return load_store(release)


@contextlib.contextmanager
def serving(release: Path, limits: Limits) -> Iterator[WsisServer]:
    """`wsis-kg serve` on a free loopback port, in a thread, for the length of the block."""
    srv = make_server(release, port=0, limits=limits, quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def make_project(dest: Path, *, bundled: bool = False, mini: bool = True) -> Project:
    """A throw-away project: the real ontology and reference data, the tiny test document, and
    (optionally) the bundled document. Tests mutate it freely."""
    import shutil

    shutil.copytree(ROOT / "ontology", dest / "ontology")
    shutil.copytree(ROOT / "graph" / "reference", dest / "graph" / "reference")
    (dest / "graph" / "documents").mkdir(parents=True)
    (dest / "sources").mkdir()
    if bundled:
        for f in (ROOT / "sources").iterdir():
            if f.is_dir():  # sources/originals: the files the texts were extracted from
                shutil.copytree(f, dest / "sources" / f.name)
            else:
                shutil.copy(f, dest / "sources" / f.name)
        for d in (ROOT / "graph" / "documents").iterdir():
            shutil.copytree(d, dest / "graph" / "documents" / d.name)
    if mini:
        mini_root = FIXTURES / "mini"
        for f in (mini_root / "sources").iterdir():
            shutil.copy(f, dest / "sources" / f.name)
        for d in (mini_root / "graph" / "documents").iterdir():
            shutil.copytree(d, dest / "graph" / "documents" / d.name)
        for f in (mini_root / "graph" / "reference").iterdir():
            shutil.copy(f, dest / "graph" / "reference" / f.name)
    return Project(dest)


@pytest.fixture()
def mini_project(tmp_path: Path) -> Project:
    """The real ontology and reference data with only the tiny test document: fast to build."""
    return make_project(tmp_path / "project")
