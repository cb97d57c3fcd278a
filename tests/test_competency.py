"""Competency questions: every query in queries/ answers its question from the built graph.

For each of the 25 questions, tests/cq/cqNN.expected.json says in plain words what the answer must
contain (labels, quote fragments, source lines, counts); the test runs the query on the release and
checks that the required rows are there, that the counts are exact where the question gives them,
and that every row naming a claim carries that claim's own quote, found in the source text.

Keys of an expected-answer file: "question" (the header line of the query), "query" (its file name),
"expected" (the expected answer in words), "rows" / "min_rows" (row count), "distinct" (column -> number
of distinct values, "rows" for one row each), "count_where" (how many rows match an item), "all_rows"
(an item every row matches), "rows_where" (rows matching "if" must match "then"), "required" (items
that some row must match, see `matches`), "lookups" (bound variables and the rows they must give),
and per-question keys read by the checks in CUSTOM.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import Answer, claim_quotes_of, query_runner
from wsis_kg.cli import main
from wsis_kg.query import Row, to_term

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
EXPECTED = Path(__file__).resolve().parent / "cq"
SOURCE_FILE = "imsb-reflections-wsis20-elements-paper-2025-07-25.txt"
SOURCE = (ROOT / "sources" / SOURCE_FILE).read_text(encoding="utf-8")
LINES = SOURCE.split("\n")
CLAIM_NS = "https://w3id.org/wsis-kg/id/claim/"
REFLECTIONS = "imsb-reflections-2025-07-25"
IDS = [f"CQ{n:02d}" for n in range(1, 27)]
SPECS: dict[str, dict[str, Any]] = {
    spec["id"]: spec
    for spec in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXPECTED.glob("cq*.expected.json")))
}
# questions on other documents, whose expected answers and tests are in folders of their own (tests/cq-*)
ELSEWHERE = {json.loads(p.read_text(encoding="utf-8"))["query"] for p in EXPECTED.parent.glob("cq-*/cq*.expected.json")}



# ---------------------------------------------------------------------------------------------------------------
# helpers


def fold(text: str | None) -> str:
    """Case- and whitespace-insensitive form for substring matching."""
    return " ".join((text or "").split()).casefold()


def cell(row: Row, column: str) -> str:
    assert column in row, f"the query does not project ?{column} (it has {sorted(row)})"
    return row[column] or ""


def quote_span(quote: str, source: str = SOURCE) -> tuple[int, int] | None:
    """Where a curated quote occurs in the source; whitespace may differ where the source breaks a line."""
    pattern = r"\s+".join(re.escape(token) for token in quote.split())
    m = re.search(pattern, source) if pattern else None
    return (m.start(), m.end()) if m else None


def quote_lines(quote: str) -> tuple[int, int] | None:
    """First and last source line (1-based) of a quote."""
    span = quote_span(quote)
    if span is None:
        return None
    return SOURCE.count("\n", 0, span[0]) + 1, SOURCE.count("\n", 0, span[1] - 1) + 1


def fragments(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def matches(row: Row, item: dict[str, Any]) -> bool:
    """Whether one answer row has what an expected item asks for.

    text:     fragments that all occur in one cell of the row;
    columns:  column -> fragment(s) that all occur in that column ("a|b": in one of the columns a, b);
    equals:   column -> exact value ("" for unbound); numeric: column -> number;
    nonempty: columns that must be bound; line / lines: source line(s) the row's quote stands on.
    """
    if "text" in item and not any(
        all(fold(f) in fold(v) for f in item["text"]) for v in row.values()
    ):
        return False
    for columns, wanted in item.get("columns", {}).items():
        if not any(all(fold(f) in fold(cell(row, c)) for f in fragments(wanted)) for c in columns.split("|")):
            return False
    if any(cell(row, c) != v for c, v in item.get("equals", {}).items()):
        return False
    for c, number in item.get("numeric", {}).items():
        try:
            if float(cell(row, c)) != float(number):
                return False
        except ValueError:
            return False
    if any(not cell(row, c) for c in item.get("nonempty", [])):
        return False
    if "line" in item or "lines" in item:
        span = quote_lines(cell(row, item.get("quote_column", "quote")))
        if span is None:
            return False
        if "line" in item and not span[0] <= item["line"] <= span[1]:
            return False
        if "lines" in item and not (item["lines"][0] <= span[0] and span[1] <= item["lines"][1]):
            return False
    return True


def named_columns(spec: dict[str, Any]) -> set[str]:
    """The answer columns an expectation refers to."""
    items = [*spec.get("required", []), spec.get("all_rows", {}), *spec.get("count_where", []),
             *(rule[k] for rule in spec.get("rows_where", []) for k in ("if", "then"))]
    names = set(spec.get("distinct", {}))
    for item in items:
        for key in ("columns", "equals", "numeric"):
            for columns in item.get(key, {}):
                names.update(columns.split("|"))
        names.update(item.get("nonempty", []))
        if "line" in item or "lines" in item:
            names.add(item.get("quote_column", "quote"))
    return names


def show(rows: list[Row], limit: int = 12) -> str:
    out = []
    for r in rows[:limit]:
        out.append("  " + " | ".join(f"{k}={' '.join((v or '').split())[:70]}" for k, v in r.items()))
    if len(rows) > limit:
        out.append(f"  ... {len(rows) - limit} more")
    return "\n".join(out)


def claim_quote_pairs(variables: list[str]) -> list[tuple[str, str]]:
    """Columns naming a claim and the column holding its quote: claim/quote, leadClaim/leadQuote ..."""
    pairs = []
    for v in variables:
        if v.lower().endswith("claim"):
            q = "quote" if v == "claim" else v[:-5] + "Quote"
            assert q in variables, f"?{v} names a claim, so the query must also return its quote as ?{q}"
            pairs.append((v, q))
    return pairs


def query_body(text: str) -> str:
    """The query without its comments (for checks on what the query itself spells out)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def expected_fragments(spec: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for item in spec.get("required", []):
        found += item.get("text", [])
        for wanted in item.get("columns", {}).values():
            found += fragments(wanted)
        found += [v for v in item.get("equals", {}).values() if isinstance(v, str)]
    return found


# ---------------------------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="session")
def reflections(store: ox.Store) -> ox.Store:
    """The release without the other documents' graphs: the expected answers describe the Reflections."""
    only = ox.Store()
    for q in store.quads_for_pattern(None, None, None, None):
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        if "/graph/document/" not in name or f"/graph/document/{REFLECTIONS}/" in name:
            only.add(q)
    return only


@pytest.fixture(scope="session")
def answer(reflections: ox.Store) -> Callable[..., Answer]:
    """Run a competency query by name (once per set of bindings) on the built release."""
    return query_runner(reflections)


@pytest.fixture(scope="session")
def claim_quotes(reflections: ox.Store) -> dict[str, str]:
    """Every claim of the Reflections with its curated quote."""
    return claim_quotes_of(reflections)


# ---------------------------------------------------------------------------------------------------------------
# the expected answers and the query files


def test_every_question_has_a_query_and_an_expected_answer() -> None:
    assert sorted(SPECS) == IDS, f"tests/cq must hold cq01.expected.json ... {IDS[-1].lower()}.expected.json"
    names = sorted(p.stem for p in QUERIES.glob("cq*.rq"))
    assert [n for n in names if n not in ELSEWHERE] == sorted(spec["query"] for spec in SPECS.values())
    for cq, spec in SPECS.items():
        assert re.fullmatch(rf"{cq.lower()}-[a-z0-9]+(-[a-z0-9]+)*", spec["query"]), spec["query"]


@pytest.mark.parametrize("cq", IDS)
def test_query_file_is_a_documented_portable_select(cq: str) -> None:
    spec = SPECS[cq]
    text = (QUERIES / f"{spec['query']}.rq").read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert header and header[0] == f"# {cq} {spec['question']}", f"first line must be '# {cq} <the question>'"
    assert len(header) >= 2, "say in further comment lines what the rows are"
    body = query_body(text)
    assert re.search(r"^SELECT\b", body, re.MULTILINE), "competency queries are SELECT queries"
    assert not re.search(r"^\s*(CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE|LOAD|CLEAR)\b", body, re.MULTILINE | re.I)
    assert re.search(r"\bORDER BY\b", body), "order the rows deterministically"
    # every prefix is declared in the file, so that the query runs on any endpoint
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        pytest.fail(f"{spec['query']}.rq does not parse without predeclared prefixes: {exc}")


@pytest.mark.parametrize("cq", IDS)
def test_query_does_not_spell_out_its_answer(cq: str) -> None:
    """The answer comes from the graph: no expected label or quote is written into the query."""
    spec = SPECS[cq]
    body = fold(query_body((QUERIES / f"{spec['query']}.rq").read_text(encoding="utf-8")))
    leaked = [f for f in expected_fragments(spec) if len(f) >= 6 and fold(f) in body]
    assert not leaked, f"{spec['query']}.rq hard-codes expected values: {leaked}"


# ---------------------------------------------------------------------------------------------------------------
# the answers


@pytest.mark.parametrize("cq", IDS)
def test_competency_question(cq: str, answer: Callable[..., Answer], claim_quotes: dict[str, str]) -> None:
    spec = SPECS[cq]
    variables, rows = answer(spec["query"])
    assert rows, f"{cq}: no answer"

    # every column the expectations name is one the query returns
    missing = sorted(c for c in named_columns(spec) if c not in variables)
    assert not missing, f"{cq}: the query does not return {missing}"

    # traceability: a row that names a claim carries that claim's own quote, and the quote is in the source
    pairs = claim_quote_pairs(variables)
    if not spec.get("structure"):
        assert pairs, f"{cq}: the answer must name the claims it rests on (?claim with ?quote)"
        assert any(r[c] for r in rows for c, _ in pairs), f"{cq}: no row names a claim"
    for r in rows:
        for c, q in pairs:
            if not r[c]:
                continue
            assert r[c].startswith(CLAIM_NS), f"{cq}: ?{c} is not a claim: {r[c]}"
            assert r[q], f"{cq}: claim {r[c]} has no quote in the answer"
            assert r[q] == claim_quotes.get(r[c]), f"{cq}: ?{q} is not the quote of {r[c]}"
            assert quote_span(r[q]) is not None, f"{cq}: quote of {r[c]} not found in the source: {r[q]!r}"

    # counts
    if "rows" in spec:
        assert len(rows) == spec["rows"], f"{cq}: {len(rows)} rows, expected {spec['rows']}\n{show(rows)}"
    if "min_rows" in spec:
        assert len(rows) >= spec["min_rows"], f"{cq}: {len(rows)} rows, expected at least {spec['min_rows']}"
    for column, n in spec.get("distinct", {}).items():
        distinct = {r[column] for r in rows}
        expected = len(rows) if n == "rows" else n
        assert len(distinct) == expected, f"{cq}: {len(distinct)} distinct ?{column}, expected {expected}"
    for cw in spec.get("count_where", []):
        hits = [r for r in rows if matches(r, cw)]
        assert len(hits) == cw["count"], f"{cq}: {len(hits)} rows with {cw['equals']}, expected {cw['count']}"

    # what every row, or every row of a kind, must have
    if "all_rows" in spec:
        bad = [r for r in rows if not matches(r, spec["all_rows"])]
        assert not bad, f"{cq}: rows without {spec['all_rows']}:\n{show(bad)}"
    for rule in spec.get("rows_where", []):
        bad = [r for r in rows if matches(r, rule["if"]) and not matches(r, rule["then"])]
        assert not bad, f"{cq}: rows with {rule['if']} but without {rule['then']}:\n{show(bad)}"

    # the required answers
    for item in spec.get("required", []):
        assert any(matches(r, item) for r in rows), f"{cq}: no row has {item}\n{show(rows)}"

    check = CUSTOM.get(cq)
    if check:
        check(spec, variables, rows)


# ---------------------------------------------------------------------------------------------------------------
# checks that need more than row matching


def check_questions(spec: dict[str, Any], variables: list[str], rows: list[Row]) -> None:
    """CQ01: the six questions in order, each with its full printed text, exactly as in the source."""
    expected = spec["questions"]
    assert [int(cell(r, "number")) for r in rows] == [q["number"] for q in expected]
    for r, q in zip(rows, expected, strict=True):
        start, end = int(cell(r, "start")), int(cell(r, "end"))
        assert cell(r, "text") == LINES[q["line"] - 1], f"question {q['number']} is not the text of line {q['line']}"
        assert SOURCE[start:end] == cell(r, "text")
    starts = [int(cell(r, "start")) for r in rows]
    assert starts == sorted(starts)


def check_sections(spec: dict[str, Any], variables: list[str], rows: list[Row]) -> None:
    """CQ02: the sections of each question, in order, with their headings as printed."""
    expected = [(int(q), i + 1, h) for q, hs in spec["headings"].items() for i, h in enumerate(hs)]
    got = [(int(cell(r, "questionNumber")), int(cell(r, "sectionOrder")), cell(r, "heading")) for r in rows]
    assert got == expected
    for r in rows:
        start, end = int(cell(r, "start")), int(cell(r, "end"))
        assert SOURCE[start:end] == cell(r, "heading")
        assert LINES[SOURCE.count("\n", 0, start)] == cell(r, "heading"), "a heading is a line of its own"
        assert int(cell(r, "sectionsInQuestion")) == len(spec["headings"][cell(r, "questionNumber")])
    starts = [int(cell(r, "start")) for r in rows]
    assert starts == sorted(starts), "sections in document order"


def check_enhanced_cooperation(spec: dict[str, Any], variables: list[str], rows: list[Row]) -> None:
    """CQ16: the positions conflict with positions of the same issue; the first cites Tunis paragraph 69."""
    positions = [r for r in rows if cell(r, "isPosition") == "true"]
    iris = {cell(r, "claim") for r in positions}
    for r in positions:
        others = set(cell(r, "conflictsWith").split())
        assert others and others <= iris - {cell(r, "claim")}, f"{cell(r, 'claim')} conflicts with {others}"
    first = min(positions, key=lambda r: int(cell(r, "start")))
    assert fold(spec["first_position_cites"]) in fold(cell(first, "cites"))


def check_action_lines(spec: dict[str, Any], variables: list[str], rows: list[Row]) -> None:
    """CQ23: C1 ... C11 in order, each with its official title, whether or not a claim links to it."""
    notations: list[str] = []
    for r in rows:
        if not notations or notations[-1] != cell(r, "notation"):
            notations.append(cell(r, "notation"))
    assert notations == list(spec["action_lines"]), "every Action Line once, in order C1 ... C11"
    for r in rows:
        assert fold(spec["action_lines"][cell(r, "notation")]) in fold(cell(r, "title"))
    kinds = {cell(r, "linkKind") for r in rows if cell(r, "claim")}
    assert kinds == {"stated link", "curator link"}, kinds


def check_sdgs(spec: dict[str, Any], variables: list[str], rows: list[Row]) -> None:
    """CQ24: goals are the UN's own IRIs, http://metadata.un.org/sdg/N, with N their number."""
    for r in rows:
        m = re.fullmatch(r"http://metadata\.un\.org/sdg/(\d+)", cell(r, "goal"))
        assert m, cell(r, "goal")
        assert m.group(1) == cell(r, "number") and 1 <= int(m.group(1)) <= 17
    numbers = [int(cell(r, "number")) for r in rows]
    assert numbers == sorted(numbers)


def section_starts() -> list[tuple[int, int, str]]:
    """(offset, question number, heading) of every section, found in the source from the CQ02 headings."""
    found = []
    for number, headings in SPECS["CQ02"]["headings"].items():
        at = re.search(rf"^{number}\. ", SOURCE, re.MULTILINE)
        assert at, f"question {number} not found in the source"
        pos = at.end()
        for heading in headings:
            m = re.compile(rf"^{re.escape(heading)}$", re.MULTILINE).search(SOURCE, pos)
            assert m, f"heading {heading!r} not found after question {number}"
            found.append((m.start(), int(number), heading))
            pos = m.end()
    return found


def check_grounding(spec: dict[str, Any], variables: list[str], rows: list[Row]) -> None:
    """CQ25: the offsets slice the source file to the quote exactly; section and question are where it stands."""
    questions = sorted((m.start(), int(m.group(1))) for m in re.finditer(r"^(\d+)\. ", SOURCE, re.MULTILINE))
    sections = section_starts()
    for r in rows:
        source = (ROOT / "sources" / cell(r, "sourceFile")).read_text(encoding="utf-8")
        start, end = int(cell(r, "start")), int(cell(r, "end"))
        assert 0 <= start < end <= len(source)
        assert source[start:end] == cell(r, "exact"), f"{cell(r, 'claim')}: offsets do not slice to the quote"
        assert " ".join(cell(r, "quote").split()) == " ".join(cell(r, "exact").split())
        before = [n for at, n in questions if at <= start]
        assert cell(r, "questionNumber") == (str(before[-1]) if before else ""), f"{cell(r, 'claim')}: question"
        heading = [h for at, n, h in sections if at <= start and before and n == before[-1]]
        assert cell(r, "heading") == (heading[-1] if heading else ""), f"{cell(r, 'claim')}: section"


def check_asked_of_group(spec: dict[str, Any], variables: list[str], rows: list[Row]) -> None:
    """CQ26: for each group worked out by hand, the claims addressed to it and those naming it stand on
    exactly the lines where the text names it, and the asks reach it through the groups containing it."""
    def lines(group: str, how: str, via: str | None = None) -> list[int]:
        found = set()
        for r in rows:
            if cell(r, "group") == group and cell(r, "how") == how and via in (None, cell(r, "viaLabel")):
                span = quote_lines(cell(r, "quote"))
                assert span is not None
                found.add(span)
        return sorted(found)  # type: ignore[arg-type]

    def on(spans: list[tuple[int, int]], wanted: list[int]) -> None:
        assert len(spans) == len(wanted), f"{spans} against lines {wanted}"
        for (first, last), line in zip(spans, sorted(wanted), strict=True):
            assert first <= line <= last, f"{(first, last)} does not hold line {line}"

    for group, expected in spec["groups"].items():
        direct = lines(group, "addressed to it")
        on(direct, expected["addressed_to_it"])
        on(sorted(set(direct) | set(lines(group, "names it"))), expected["named_on_lines"])
        for via, wanted in expected["through"].items():
            on(lines(group, "addressed to a group containing it", via), wanted)
        vias = {cell(r, "viaLabel") for r in rows if cell(r, "group") == group and cell(r, "how").endswith("it")
                and "containing" in cell(r, "how")}
        assert vias == set(expected["through"]), vias


CUSTOM: dict[str, Callable[[dict[str, Any], list[str], list[Row]], None]] = {
    "CQ01": check_questions,
    "CQ02": check_sections,
    "CQ16": check_enhanced_cooperation,
    "CQ23": check_action_lines,
    "CQ24": check_sdgs,
    "CQ25": check_grounding,
    "CQ26": check_asked_of_group,
}


def test_every_claim_is_grounded_once(answer: Callable[..., Answer], claim_quotes: dict[str, str]) -> None:
    """CQ25 answers for every statement of the graph, one row each."""
    _, rows = answer(SPECS["CQ25"]["query"])
    assert sorted(cell(r, "claim") for r in rows) == sorted(claim_quotes)


# ---------------------------------------------------------------------------------------------------------------
# parameterised questions: values bound by the runner, never pasted into the query

LOOKUPS = [(cq, i) for cq in IDS for i, _ in enumerate(SPECS[cq].get("lookups", []))]


@pytest.mark.parametrize(("cq", "index"), LOOKUPS, ids=[f"{cq}-{i}" for cq, i in LOOKUPS])
def test_bound_lookup(cq: str, index: int, answer: Callable[..., Answer]) -> None:
    spec = SPECS[cq]
    lookup = spec["lookups"][index]
    variables, rows = answer(spec["query"], lookup["bind"])
    for var, value in lookup["bind"].items():
        assert var in variables, f"?{var} must be projected to be bindable"
        assert all(cell(r, var) == to_term(value).value for r in rows), f"?{var} not bound to {value}"
    if "values" in lookup:
        assert sorted(cell(r, lookup["column"]) for r in rows) == sorted(lookup["values"]), show(rows)
    if "same_as_unbound_where" in lookup:
        _, everything = answer(spec["query"])
        where = lookup["same_as_unbound_where"]
        expected = [r for r in everything if all(r[k] == v for k, v in where.items())]
        assert expected and rows == expected


def test_cq12_paragraph_40_finds_the_tunis_range(answer: Callable[..., Answer]) -> None:
    """A range is queryable by any paragraph inside it: Tunis paragraph 40 finds the 34-82 reaffirmation."""
    tunis = "<https://w3id.org/wsis-kg/id/instrument/tunis-agenda>"
    _, rows = answer(SPECS["CQ12"]["query"], {"paragraph": "40", "instrument": tunis})
    assert len(rows) == 1, show(rows)
    (row,) = rows
    assert (cell(row, "first"), cell(row, "last")) == ("34", "82")
    assert cell(row, "actLabel").casefold() == "reaffirm"
    assert "paragraphs 34 to 82 of the Tunis Agenda" in cell(row, "quote")


def test_cq25_grounds_any_given_statement(answer: Callable[..., Answer]) -> None:
    """Bound to one claim, CQ25 returns exactly that claim's row."""
    _, everything = answer(SPECS["CQ25"]["query"])
    for row in everything:
        _, rows = answer(SPECS["CQ25"]["query"], {"claim": f"<{row['claim']}>"})
        assert rows == [row]


# ---------------------------------------------------------------------------------------------------------------
# through the command line


def cli(release: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--project", str(ROOT), "--dist", str(release), "query", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_lists_every_question(release: Path) -> None:
    listing = cli(release, "--list")
    listed = [line.split()[0] for line in listing.splitlines() if line.startswith("cq")]
    assert [n for n in listed if n not in ELSEWHERE] == sorted(spec["query"] for spec in SPECS.values())
    for cq, spec in SPECS.items():
        line = next(line for line in listing.splitlines() if line.startswith(spec["query"] + " "))
        assert f"{cq} {spec['question']}" in line, line


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_cli_runs_a_question_by_name(fmt: str, release: Path, answer: Callable[..., Answer]) -> None:
    variables, rows = answer(SPECS["CQ05"]["query"])
    out = cli(release, "cq05", "--format", fmt)
    if fmt == "json":
        data = json.loads(out)
        assert data["head"]["vars"] == variables
        assert data["rows"] == rows
    elif fmt == "csv":
        table = list(csv.reader(io.StringIO(out)))
        assert table[0] == variables
        assert table[1:] == [[r[v] or "" for v in variables] for r in rows]
    else:
        lines = out.splitlines()
        assert lines[0].split(" | ")[0].strip() == variables[0]
        assert all(v in lines[0] for v in variables)
        assert lines[-1] == f"({len(rows)} rows)"


def test_cli_binds_a_paragraph(release: Path) -> None:
    out = cli(release, "cq12", "--bind", "paragraph=40", "--bind",
              "instrument=<https://w3id.org/wsis-kg/id/instrument/tunis-agenda>", "--format", "json")
    rows = json.loads(out)["rows"]
    assert [r["provisionLabel"] for r in rows] == ["Tunis Agenda, paragraphs 34-82"]
