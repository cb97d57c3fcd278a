"""`wsis-kg query` as an analyst uses it: a query typed with -e or piped on stdin, the project's prefixes
predeclared, prefixed names in --bind, tables that never cut a value without saying so, and the same
refusals locally and through an endpoint."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from wsis_kg.cli import main
from wsis_kg.errors import InputError
from wsis_kg.namespaces import PREFIXES
from wsis_kg.query import format_rows, to_term
from wsis_kg.serve import Limits, make_server

ROOT = Path(__file__).resolve().parents[1]
CLAIMS_OF = "SELECT ?claim ?instrument WHERE { ?claim wsis:invokesInstrument ?instrument } ORDER BY ?claim"


@pytest.fixture(scope="module")
def endpoint(release: Path) -> Iterator[str]:
    srv = make_server(release, port=0, limits=Limits(timeout=5, workers=1), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.base_url + "sparql"
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def run(release: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--project", str(ROOT), "--dist", str(release), "query", *args], input=stdin)


def csv_rows(out: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(out)))


# ---------------------------------------------------------------- query text from -e and stdin


def test_expression_and_stdin_give_the_same_answer_with_predeclared_prefixes(release: Path) -> None:
    by_expr = run(release, "-e", CLAIMS_OF, "--format", "csv")
    by_stdin = run(release, "-", "--format", "csv", stdin=CLAIMS_OF)
    assert by_expr.exit_code == 0, by_expr.output
    assert by_stdin.exit_code == 0, by_stdin.output
    rows = csv_rows(by_expr.output)
    assert rows[0] == ["claim", "instrument"] and len(rows) > 5
    assert by_expr.output == by_stdin.output


def test_help_lists_every_predeclared_prefix(release: Path) -> None:
    result = run(release, "--help")
    assert result.exit_code == 0
    for prefix, ns in PREFIXES.items():
        assert f"{prefix}:" in result.output and ns in result.output


def test_a_malformed_query_gets_line_and_column(release: Path) -> None:
    result = run(release, "-", stdin="SELECT ?c WHERE {\n  ?c a wsis:Claim ?x\n}")
    assert result.exit_code == 2
    assert "line 2, column 19" in result.output, result.output
    assert "Traceback" not in result.output


def test_a_name_and_an_expression_together_are_refused(release: Path) -> None:
    result = run(release, "cq13", "-e", CLAIMS_OF)
    assert result.exit_code == 2 and "not both" in result.output


# ---------------------------------------------------------------- prefixed names in --bind


def test_prefixed_names_bind_as_iris(release: Path) -> None:
    full = run(release, "-e", CLAIMS_OF, "--format", "csv",
               "--bind", "instrument=<https://w3id.org/wsis-kg/id/instrument/tunis-agenda>")
    short = run(release, "-e", CLAIMS_OF, "--format", "csv", "--bind", "instrument=inst:tunis-agenda")
    assert full.exit_code == 0 and short.exit_code == 0, short.output
    assert len(csv_rows(short.output)) > 1, "the Tunis Agenda is invoked by some claims"
    assert short.output == full.output


def test_every_project_prefix_expands_and_a_quoted_value_stays_a_string() -> None:
    for prefix, ns in PREFIXES.items():
        assert to_term(f"{prefix}:x-1") == ox.NamedNode(ns + "x-1")
    assert to_term('"inst:tunis-agenda"') == ox.Literal("inst:tunis-agenda")
    assert to_term("10:30") == ox.Literal("10:30")
    assert to_term("https://example.org/a") == ox.NamedNode("https://example.org/a")


def test_an_unknown_prefix_is_refused_naming_the_known_ones(release: Path, endpoint: str) -> None:
    with pytest.raises(InputError, match=r"unknown prefix 'foo:'.*inst:.*voice:"):
        to_term("foo:bar")
    for extra in ([], ["--endpoint", endpoint]):
        result = run(release, "-e", CLAIMS_OF, "--bind", "instrument=foo:tunis-agenda", *extra)
        assert result.exit_code == 2, result.output
        assert "unknown prefix 'foo:'" in result.output and "inst:" in result.output


def test_prefixed_binds_answer_alike_locally_and_through_the_endpoint(release: Path, endpoint: str) -> None:
    local = run(release, "cq17", "--bind", "voice=voice:reported-view", "--format", "csv")
    remote = run(release, "cq17", "--bind", "voice=voice:reported-view", "--format", "csv", "--endpoint", endpoint)
    assert local.exit_code == 0 and remote.exit_code == 0, local.output + remote.output
    assert len(csv_rows(local.output)) > 1
    assert sorted(csv_rows(local.output)) == sorted(csv_rows(remote.output))


def test_binding_a_variable_the_query_does_not_return_is_refused_alike(release: Path, endpoint: str) -> None:
    for extra in ([], ["--endpoint", endpoint]):
        result = run(release, "-e", "SELECT ?claim WHERE { ?claim wsis:invokesInstrument ?i }",
                     "--bind", "nothing=1", *extra)
        assert result.exit_code == 2, result.output
        assert "does not return ?nothing" in result.output and "?claim" in result.output
        assert "Traceback" not in result.output


# ---------------------------------------------------------------- tables


def test_a_table_marks_every_cut_and_says_how_to_see_it_whole() -> None:
    long = "x" * 100
    rows: list[dict[str, str | None]] = [{"a": long, "b": "short"}]
    table = format_rows(["a", "b"], rows, "table")
    assert long not in table
    assert "x" * 59 + "…" in table
    assert "1 value cut at 60 characters" in table and "--width 0" in table and "--format csv" in table
    whole = format_rows(["a", "b"], rows, "table", width=0)
    assert long in whole and "…" not in whole and "cut" not in whole
    short = format_rows(["a", "b"], [{"a": "y", "b": "z"}], "table")
    assert "cut" not in short and "…" not in short


def test_the_width_option_reaches_the_table(release: Path) -> None:
    cut = run(release, "cq13")
    whole = run(release, "cq13", "--width", "0")
    assert cut.exit_code == 0 and whole.exit_code == 0
    assert "…" in cut.output and "--width 0" in cut.output
    assert "…" not in whole.output
    assert "We join the voices calling for making the mandate of the IGF permanent." in whole.output


def test_a_name_as_the_table_prints_it_binds_back(release: Path) -> None:
    """The table shows IRIs in the project's prefixes (id:claim/...); that form is accepted by --bind."""
    table = run(release, "cq25", "--width", "0")
    assert table.exit_code == 0
    printed = next(cell.strip() for line in table.output.splitlines()[2:]
                   for cell in line.split(" | ") if cell.strip().startswith("id:claim/"))
    one = run(release, "cq25", "--bind", f"claim={printed}", "--format", "csv")
    assert one.exit_code == 0, one.output
    rows = csv_rows(one.output)
    assert len(rows) == 2 and rows[1][0] == "https://w3id.org/wsis-kg/id/" + printed[len("id:"):]
