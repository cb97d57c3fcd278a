"""Bad input through the CLI: one clear message, a non-zero exit code, no traceback, dist/ untouched."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from click.testing import CliRunner

from wsis_kg.cli import main
from wsis_kg.project import Project

DOC = "civil-society-notes-2025-06-30"


def run(project: Project, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(project.root), *args])
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, output


@pytest.fixture()
def previous_release(mini_project: Project) -> Path:
    """A release standing in dist/ before the failing build: it must survive byte for byte."""
    dist = mini_project.dist
    dist.mkdir()
    (dist / "wsis-kg.trig").write_text("previous release\n")
    return dist / "wsis-kg.trig"


def claims_file(project: Project) -> Path:
    return project.documents_dir / DOC / "notes.ttl"


def assert_untouched(marker: Path) -> None:
    assert marker.read_text() == "previous release\n"
    assert sorted(p.name for p in marker.parent.parent.iterdir() if p.name.startswith(".dist")) == []


def test_mini_project_builds(mini_project: Project) -> None:
    code, out = run(mini_project, "build", "--no-reason")
    assert code == 0, out
    assert (mini_project.dist / "wsis-kg.trig").exists()
    assert "1 document(s)" in out


def test_malformed_turtle_names_file_line_column(mini_project: Project, previous_release: Path) -> None:
    path = claims_file(mini_project)
    lines = path.read_text().splitlines()
    idx = next(i for i, line in enumerate(lines) if "wsis:quote" in line)
    lines[idx] = '    wsis:quote "unterminated ;'
    path.write_text("\n".join(lines) + "\n")
    code, out = run(mini_project, "build")
    assert code == 2
    assert f"{path}:{idx + 1}:" in out and "Turtle syntax error" in out
    assert_untouched(previous_release)


def test_unknown_prefix(mini_project: Project, previous_release: Path) -> None:
    path = claims_file(mini_project)
    path.write_text(path.read_text().replace("wsis:about tech:community-networks", "wsis:about nope:x", 1))
    code, out = run(mini_project, "build")
    assert code == 2
    assert 'Prefix "nope:" not bound' in out and "declare it with @prefix" in out and str(path) in out
    assert_untouched(previous_release)


def test_missing_source_file(mini_project: Project, previous_release: Path) -> None:
    (mini_project.sources / f"{DOC}.txt").unlink()
    code, out = run(mini_project, "build")
    assert code == 2 and "not found" in out and f"{DOC}.txt" in out
    assert_untouched(previous_release)


def test_changed_source_is_refused(mini_project: Project, previous_release: Path) -> None:
    src = mini_project.sources / f"{DOC}.txt"
    src.write_text(src.read_text().replace("villages", "towns"))
    code, out = run(mini_project, "build")
    assert code == 2 and "has changed" in out and "sha256" in out
    assert_untouched(previous_release)


def test_quote_not_found(mini_project: Project, previous_release: Path) -> None:
    path = claims_file(mini_project)
    path.write_text(path.read_text().replace("connected villages that", "connected many villages that"))
    code, out = run(mini_project, "build")
    assert code == 1
    assert "community-networks-connect-villages" in out and "quote not found" in out
    assert "nearest: line 11" in out and "Community networks have connected villages" in out
    assert_untouched(previous_release)


def test_ambiguous_quote(mini_project: Project, previous_release: Path) -> None:
    path = claims_file(mini_project)
    path.write_text(path.read_text().replace(
        '"Lack of content in local languages."', '"in many"'))
    code, out = run(mini_project, "build")
    assert code == 1 and "occurs 2 times" in out and "wsis:groundedIn" in out
    assert_untouched(previous_release)


def test_shacl_violation_names_node_label_and_message(mini_project: Project, previous_release: Path) -> None:
    path = claims_file(mini_project)
    path.write_text(path.read_text().replace("    wsis:addressedTo group:governments ;\n", ""))
    code, out = run(mini_project, "build")
    assert code == 1
    assert "taxes-review" in out and "Governments should review taxes" in out
    assert "names whom it asks to act" in out
    assert_untouched(previous_release)


def test_inconsistent_ontology_names_the_clash(mini_project: Project, previous_release: Path) -> None:
    path = claims_file(mini_project)
    # a claim that is also a stakeholder group: the ontology declares the two disjoint
    path.write_text(path.read_text().replace(
        "claim:taxes-review a wsis:Recommendation ;", "claim:taxes-review a wsis:Recommendation , wsis:Body ;"))
    code, out = run(mini_project, "build")
    assert code == 1
    assert "inconsistent" in out and "taxes-review" in out and "disjoint" in out
    assert_untouched(previous_release)


def test_missing_java(mini_project: Project, previous_release: Path, monkeypatch: pytest.MonkeyPatch,
                      tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    code, out = run(mini_project, "build")
    assert code == 2 and "Java was not found" in out and "apt-get install" in out
    assert_untouched(previous_release)


def test_unknown_query_and_missing_release(mini_project: Project) -> None:
    code, out = run(mini_project, "query", "no-such-query")
    assert code == 2 and "no query named" in out
    shutil.rmtree(mini_project.dist, ignore_errors=True)
    (mini_project.root / "queries").mkdir(exist_ok=True)
    (mini_project.root / "queries" / "x.rq").write_text("# X\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    code, out = run(mini_project, "query", "x")
    assert code == 2 and "run `wsis-kg build` first" in out


def test_not_a_project(tmp_path: Path) -> None:
    code, out = run(Project(tmp_path), "build")
    assert code == 2 and "not found" in out and "--project" in out


def test_invalid_iri_in_a_binding(mini_project: Project) -> None:
    code, out = run(mini_project, "build", "--no-reason")
    assert code == 0, out
    (mini_project.root / "queries").mkdir(exist_ok=True)
    (mini_project.root / "queries" / "about.rq").write_text(
        "# What is a claim about?\n"
        "SELECT ?claim ?what WHERE { ?claim <https://w3id.org/wsis-kg/ontology#about> ?what }\n")
    code, out = run(mini_project, "query", "about", "--bind", "claim=<https://example.org/a b>")
    assert code == 2 and "invalid IRI" in out and "a b" in out
    code, out = run(mini_project, "query", "about", "--bind", "claim")
    assert code == 2 and "VAR=VALUE" in out
    code, out = run(mini_project, "query", "about", "--format", "csv", "--bind",
                    "claim=https://w3id.org/wsis-kg/id/claim/civil-society-notes-2025-06-30/community-networks-connect-villages")
    assert code == 0 and out.splitlines()[0] == "claim,what" and "community-networks" in out.splitlines()[1]


# ---------------------------------------------------------------- input that cannot be loaded: exit 2


@pytest.fixture(scope="module")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The tiny project with a release in dist/, for the commands that read one."""
    from conftest import make_project
    from wsis_kg.build import run_build

    project = make_project(tmp_path_factory.mktemp("built") / "project")
    run_build(project, reason=False)
    return project


def test_iri_with_a_space_names_file_line_column(mini_project: Project, previous_release: Path) -> None:
    path = claims_file(mini_project)
    lines = path.read_text().splitlines()
    idx = next(i for i, line in enumerate(lines) if "wsis:about tech:community-networks" in line)
    bad = "<https://w3id.org/wsis-kg/id/technology/community networks>"
    lines[idx] = lines[idx].replace("tech:community-networks", bad)
    path.write_text("\n".join(lines) + "\n")
    code, out = run(mini_project, "build")
    assert code == 2, out
    assert f"{path}:{idx + 1}:{lines[idx].index(bad) + 1}:" in out
    assert "Invalid IRI code point" in out and "%20" in out
    assert "does not look like a valid URI" not in out  # one message, the one with a position
    assert_untouched(previous_release)


def test_query_file_that_is_not_utf8(built_mini: Project, tmp_path: Path) -> None:
    path = tmp_path / "latin1.rq"
    path.write_bytes("# Caf\u00e9 claims\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n".encode("latin-1"))
    code, out = run(built_mini, "query", str(path))
    assert code == 2, out
    assert str(path) in out and "not UTF-8" in out and "byte 5" in out
    # a file in queries/ is read by --list too
    (built_mini.root / "queries").mkdir(exist_ok=True)
    (built_mini.root / "queries" / "latin1.rq").write_bytes(path.read_bytes())
    try:
        code, out = run(built_mini, "query", "--list")
        assert code == 2 and "latin1.rq" in out and "not UTF-8" in out, out
    finally:
        (built_mini.root / "queries" / "latin1.rq").unlink()


@contextmanager
def not_http(behaviour: str) -> Iterator[int]:
    """A loopback TCP server that does not speak HTTP: it answers garbage, or closes each connection at
    once. Yields its port; serves until the block ends (bounded by a short accept timeout)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.1)
    done = threading.Event()

    def loop() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                if behaviour == "garbage":
                    conn.settimeout(1)
                    with suppress(OSError):
                        conn.recv(65536)
                        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff garbage \r\n\r\n")

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        done.set()
        thread.join(5)
        server.close()


@pytest.mark.parametrize("behaviour", ["garbage", "close"])
def test_publish_to_something_that_is_not_http(built_mini: Project, behaviour: str) -> None:
    with not_http(behaviour) as port:
        code, out = run(built_mini, "publish", "--store", f"http://127.0.0.1:{port}/store", "--timeout", "5")
    assert code == 2, out
    assert f"127.0.0.1:{port}" in out and ("HTTP" in out or "closed" in out), out


@pytest.mark.parametrize("behaviour", ["garbage", "close"])
def test_query_endpoint_that_is_not_http(built_mini: Project, behaviour: str) -> None:
    (built_mini.root / "queries").mkdir(exist_ok=True)
    (built_mini.root / "queries" / "any.rq").write_text("# Anything\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    with not_http(behaviour) as port:
        code, out = run(built_mini, "query", "any", "--endpoint", f"http://127.0.0.1:{port}/sparql",
                        "--timeout", "5")
    assert code == 2, out
    assert f"127.0.0.1:{port}" in out and ("HTTP" in out or "closed" in out), out


def test_serve_on_a_port_out_of_range(built_mini: Project) -> None:
    code, out = run(built_mini, "serve", "--port", "70000")
    assert code == 2, out
    assert "--port" in out and "70000" in out and "65535" in out


def test_serve_on_a_port_in_use(built_mini: Project) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, out = run(built_mini, "serve", "--port", str(port))
    assert code == 2, out
    assert f"127.0.0.1:{port}" in out and "in use" in out
