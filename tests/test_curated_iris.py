"""Curated Turtle has no base IRI: a relative IRI is refused where it is written, `fmt` never turns it
into a path of the curator's machine, and a QC check finds any `file:` IRI in a release."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from wsis_kg.cli import main
from wsis_kg.project import Project
from wsis_kg.query import read_query, run_local

ROOT = Path(__file__).resolve().parents[1]
DOC = "civil-society-notes-2025-06-30"


def invoke(project: Project, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(project.root), *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def add_relative_iri(project: Project) -> tuple[Path, int, str]:
    path = project.documents_dir / DOC / "notes.ttl"
    lines = path.read_text().splitlines()
    idx = next(i for i, line in enumerate(lines) if "wsis:about tech:community-networks" in line)
    lines[idx] = lines[idx].replace("tech:community-networks", "<community-networks>")
    path.write_text("\n".join(lines) + "\n")
    return path, idx + 1, path.read_text()


def test_relative_iri_is_refused_with_file_line_column_and_hint(mini_project: Project) -> None:
    path, line, _ = add_relative_iri(mini_project)
    code, out = invoke(mini_project, "build", "--no-reason")
    assert code == 2, out
    column = path.read_text().splitlines()[line - 1].index("<community-networks>") + 1
    assert f"{path}:{line}:{column}:" in out
    assert "relative IRI" in out and "full IRI" in out
    assert not mini_project.dist.exists()


def test_fmt_never_writes_a_file_path_back(mini_project: Project) -> None:
    path, line, before = add_relative_iri(mini_project)
    for args in (["fmt"], ["fmt", str(path)], ["fmt", "--check", str(path)]):
        code, out = invoke(mini_project, *args)
        assert code == 2 and f"{path}:{line}:" in out, out
        assert path.read_text() == before
        assert "file:" not in path.read_text()


def test_qc_finds_file_iris_wherever_they_are() -> None:
    query = read_query(ROOT / "queries" / "qc" / "file-iri-violation.rq").text
    data = """
    @prefix ex: <https://example.org/> .
    ex:g { ex:a ex:b ex:c . ex:a ex:b "x"^^ex:t . }
    ex:h { <file:///home/curator/wsis/graph/a> ex:b ex:c .
           ex:a <FILE:///p> ex:c .
           ex:a ex:b <file:///home/curator/wsis/graph/c> .
           ex:a ex:b "x"^^<file:///t> .
           ex:a ex:b "file:///not-an-iri" . }
    <file:///g> { ex:a ex:b ex:c . }
    """
    store = ox.Store()
    store.load(data.encode(), ox.RdfFormat.TRIG)
    _, rows = run_local(store, query)
    found = {(r["position"], r["iri"]) for r in rows}
    assert found == {
        ("subject", "file:///home/curator/wsis/graph/a"),
        ("predicate", "FILE:///p"),
        ("object", "file:///home/curator/wsis/graph/c"),
        ("datatype", "file:///t"),
        ("graph", "file:///g"),
    }
