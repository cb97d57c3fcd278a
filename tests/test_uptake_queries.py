"""Competency questions on uptake: what the WSIS+20 outcome (A/80/L.41) did with the asks of the IMSB
Reflections, answered from the curated uptake links of the release.

tests/cq-uptake/cqNN.expected.json says in plain words what each answer must contain, written from the
two texts and the curator's verdicts (reviews/uptake/*.csv): exact counts, rows that must be there,
and lookups with bound variables. Keys: "bind" (bindings of the main run), "rows", "distinct" (column ->
number of distinct values), "distinct_where" (distinct values of a column among rows matching "where"),
"required" / "absent" (items some row / no row matches), "all_rows", and "lookups" (each with its own
"bind" and any of the keys above, or "column" with the exact "values" or the IRI "suffixes" it holds).
An item matches a row by "equals" (column -> exact value, "" for unbound) and "contains" (column ->
fragment(s), compared case- and whitespace-insensitively). "numbers" (CQ30) and "named_paragraphs" (CQ29)
are read by the checks of those questions.

Besides the expectations, every answer is checked against the curator's review file row by row (and
CQ28's counts against the topics in the claims' Turtle), every claim's quote against the Reflections and
every paragraph's text against the outcome's source; answers are taken away from a copy of the release
to check the rows of paragraphs and asks left unanswered; the command line (`wsis-kg query NAME --bind
...`) and Virtuoso 7.2 (when WSIS_KG_VIRTUOSO_URL is set) must give what the in-process run gives.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from conftest import Answer, claim_quotes_of, query_runner
from test_publish import normalise  # what SPARQL leaves to the engine, forgiven alike
from wsis_kg.cli import main
from wsis_kg.publish import GraphStore, release_graphs
from wsis_kg.query import Row, read_query, run_local
from wsis_kg.remote import run_remote

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
EXPECTED = Path(__file__).resolve().parent / "cq-uptake"
SPECS: dict[str, dict[str, Any]] = {
    spec["id"]: spec
    for spec in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXPECTED.glob("cq*.expected.json")))
}
IDS = sorted(SPECS)
REFLECTIONS = (ROOT / "sources" / "imsb-reflections-wsis20-elements-paper-2025-07-25.txt").read_text(encoding="utf-8")
OUTCOME = (ROOT / "sources" / "a-80-l-41.txt").read_text(encoding="utf-8")
REVIEW = ROOT / "reviews" / "uptake" / "imsb-reflections-2025-07-25--a-80-l-41.csv"
PARAGRAPH_NS = "https://w3id.org/wsis-kg/id/instrument/wsis-20-outcome-document/paragraph/"
CLAIM_NS = "https://w3id.org/wsis-kg/id/claim/"



def fold(text: str | None) -> str:
    """Case- and whitespace-insensitive form for substring matching."""
    return " ".join((text or "").split()).casefold()


def cell(row: Row, column: str) -> str:
    assert column in row, f"the query does not project ?{column} (it has {sorted(row)})"
    return row[column] or ""


def matches(row: Row, item: dict[str, Any]) -> bool:
    for column, value in item.get("equals", {}).items():
        if cell(row, column) != value:
            return False
    for column, wanted in item.get("contains", {}).items():
        for fragment in [wanted] if isinstance(wanted, str) else wanted:
            if fold(fragment) not in fold(cell(row, column)):
                return False
    return True


def show(rows: list[Row], limit: int = 10) -> str:
    out = ["  " + " | ".join(f"{k}={' '.join((v or '').split())[:60]}" for k, v in r.items()) for r in rows[:limit]]
    return "\n".join(out + ([f"  ... {len(rows) - limit} more"] if len(rows) > limit else []))


def query_body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def review() -> dict[str, tuple[str, set[int]]]:
    """The curator's verdicts: claim IRI -> (grade as written, numbers of the answering paragraphs)."""
    with REVIEW.open(encoding="utf-8", newline="") as fh:
        return {r["claim"]: (r["grade"], {int(p) for p in r["paragraphs"].split(";") if p.strip()})
                for r in csv.DictReader(fh)}


def check(spec: dict[str, Any], rows: list[Row], what: str) -> None:
    """The checks an expectation (or a lookup) asks for."""
    if "rows" in spec:
        assert len(rows) == spec["rows"], f"{what}: {len(rows)} rows, expected {spec['rows']}\n{show(rows)}"
    for column, n in spec.get("distinct", {}).items():
        got = {cell(r, column) for r in rows}
        assert len(got) == n, f"{what}: {len(got)} distinct ?{column}, expected {n}"
    for dw in spec.get("distinct_where", []):
        got = {cell(r, dw["column"]) for r in rows if matches(r, {"equals": dw["where"]})}
        assert len(got) == dw["count"], f"{what}: {len(got)} distinct ?{dw['column']} where {dw['where']}, " \
                                        f"expected {dw['count']}"
    if "all_rows" in spec:
        bad = [r for r in rows if not matches(r, spec["all_rows"])]
        assert not bad, f"{what}: rows without {spec['all_rows']}:\n{show(bad)}"
    for item in spec.get("required", []):
        assert any(matches(r, item) for r in rows), f"{what}: no row has {item}\n{show(rows)}"
    for item in spec.get("absent", []):
        bad = [r for r in rows if matches(r, item)]
        assert not bad, f"{what}: rows with {item}:\n{show(bad)}"
    if "values" in spec:
        values = sorted({cell(r, spec["column"]) for r in rows}, key=lambda v: (len(v), v))
        assert values == sorted(spec["values"], key=lambda v: (len(v), v)), f"{what}: ?{spec['column']} is {values}"
    if "suffixes" in spec:
        suffixes = sorted({cell(r, spec["column"]).rsplit("/", 1)[-1] for r in rows})
        assert suffixes == sorted(spec["suffixes"]), f"{what}: ?{spec['column']} is {suffixes}"


# ---------------------------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="session")
def uptake_answer(store: ox.Store) -> Callable[..., Answer]:
    """Run a question by name (once per set of bindings) on the built release."""
    return query_runner(store)


@pytest.fixture(scope="session")
def quotes(store: ox.Store) -> dict[str, str]:
    return claim_quotes_of(store)


# ---------------------------------------------------------------------------------------------------------------
# the query files


def test_every_question_has_its_query() -> None:
    assert IDS and all(27 <= int(cq[2:]) <= 32 for cq in IDS), IDS
    for cq, spec in SPECS.items():
        assert re.fullmatch(rf"{cq.lower()}-[a-z0-9]+(-[a-z0-9]+)*", spec["query"]), spec["query"]
        assert (QUERIES / f"{spec['query']}.rq").is_file(), spec["query"]


@pytest.mark.parametrize("cq", IDS)
def test_query_file_is_a_documented_portable_select(cq: str) -> None:
    spec = SPECS[cq]
    text = (QUERIES / f"{spec['query']}.rq").read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert header and header[0] == f"# {cq} {spec['question']}", "first line must be '# CQnn <the question>'"
    assert len(header) >= 2, "say in further comment lines what the rows are"
    body = query_body(text)
    assert re.search(r"^SELECT\b", body, re.MULTILINE)
    assert re.search(r"\bORDER BY\b", body), "order the rows deterministically"
    try:
        ox.Store().query(text)  # every prefix declared in the file, so that it runs on any endpoint
    except SyntaxError as exc:
        pytest.fail(f"{spec['query']}.rq does not parse without predeclared prefixes: {exc}")


def _fragments(spec: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for item in [*spec.get("required", []), *(i for lk in spec.get("lookups", []) for i in lk.get("required", []))]:
        for wanted in item.get("contains", {}).values():
            found += [wanted] if isinstance(wanted, str) else wanted
        found += [v for v in item.get("equals", {}).values() if isinstance(v, str)]
    return found


@pytest.mark.parametrize("cq", IDS)
def test_query_does_not_spell_out_its_answer(cq: str) -> None:
    spec = SPECS[cq]
    body = fold(query_body((QUERIES / f"{spec['query']}.rq").read_text(encoding="utf-8")))
    leaked = [f for f in _fragments(spec) if len(f) >= 6 and fold(f) in body]
    assert not leaked, f"{spec['query']}.rq hard-codes expected values: {leaked}"


# ---------------------------------------------------------------------------------------------------------------
# the answers


@pytest.mark.parametrize("cq", IDS)
def test_expected_answer(cq: str, uptake_answer: Callable[..., Answer], quotes: dict[str, str]) -> None:
    spec = SPECS[cq]
    variables, rows = uptake_answer(spec["query"], spec.get("bind"))
    for var, value in spec.get("bind", {}).items():
        assert var in variables and all(cell(r, var) == value.strip("<>") for r in rows), f"?{var} not bound"
    check(spec, rows, cq)
    # a claim is given with its own quote, found in the Reflections; a paragraph with its number and text
    for r in rows:
        claim = r.get("claim")
        if claim and "quote" in r:
            assert claim.startswith(CLAIM_NS) and r["quote"] == quotes.get(claim), claim
            pattern = r"\s+".join(re.escape(t) for t in (r["quote"] or "").split())
            assert re.search(pattern, REFLECTIONS), f"quote of {claim} not in the Reflections"
        for column in ("paragraph", "paragraphIri"):
            if (r.get(column) or "").startswith("http") and "number" in r:
                assert r[column] == f"{PARAGRAPH_NS}{r['number']}", r[column]
        if r.get("paragraphText") and r.get("number"):
            words = (r["paragraphText"] or "").split()[:8]
            opening = rf"^{r['number']}\.\s+" + r"\s+".join(re.escape(w) for w in words)
            assert re.search(opening, OUTCOME, re.MULTILINE), f"paragraph {r['number']} does not open so in the source"


LOOKUPS = [(cq, i) for cq in IDS for i, _ in enumerate(SPECS[cq].get("lookups", []))]


@pytest.mark.parametrize(("cq", "index"), LOOKUPS, ids=[f"{cq}-{i}" for cq, i in LOOKUPS])
def test_bound_lookup(cq: str, index: int, uptake_answer: Callable[..., Answer]) -> None:
    """A bound variable gives exactly the rows of the unbound answer that have that value."""
    spec = SPECS[cq]
    lookup = spec["lookups"][index]
    variables, rows = uptake_answer(spec["query"], lookup["bind"])
    check(lookup, rows, f"{cq} bound to {lookup['bind']}")
    _, everything = uptake_answer(spec["query"])
    for var in lookup["bind"]:
        assert var in variables, f"?{var} must be projected to be bindable"
    if all(r[var] is not None for var in lookup["bind"] for r in everything):  # not so for a value compared
        wanted = {var: value.strip("<>") for var, value in lookup["bind"].items()}
        assert rows == [r for r in everything if all(r[k] == v for k, v in wanted.items())], lookup["bind"]


# ---------------------------------------------------------------------------------------------------------------
# against the curator's review


def test_cq27_gives_every_verdict_of_the_review(uptake_answer: Callable[..., Answer]) -> None:
    """One verdict per reviewed ask, with the curator's grade and exactly the paragraphs the curator chose."""
    _, rows = uptake_answer(SPECS["CQ27"]["query"], SPECS["CQ27"]["bind"])
    got: dict[str, tuple[str, set[int]]] = {}
    for r in rows:
        grade, numbers = got.setdefault(cell(r, "claim"), (cell(r, "gradeLabel"), set()))
        assert grade == cell(r, "gradeLabel")
        if cell(r, "number"):
            numbers.add(int(cell(r, "number")))
    for r in rows:  # every row of an ask lists all the paragraphs that answer it
        listed = {int(n) for n in cell(r, "paragraphs").split(";") if n.strip()}
        assert listed == got[cell(r, "claim")][1], f"{cell(r, 'claim')}: ?paragraphs is {sorted(listed)}"
    expected = review()
    assert set(got) == set(expected)
    for claim, (grade, numbers) in expected.items():
        assert fold(got[claim][0]).startswith(fold(grade).split()[0]), f"{claim}: {got[claim][0]} for {grade}"
        assert got[claim][1] == numbers, f"{claim}: {sorted(got[claim][1])}, the review says {sorted(numbers)}"


def test_cq30_is_every_paragraph_the_review_leaves_unanswered(uptake_answer: Callable[..., Answer]) -> None:
    """The new paragraphs are those of 1-127 that no verdict of the review names, in order."""
    _, rows = uptake_answer(SPECS["CQ30"]["query"])
    answered = {n for _, numbers in review().values() for n in numbers}
    numbers = [int(cell(r, "number")) for r in rows]
    assert numbers == [n for n in range(1, 128) if n not in answered]
    assert numbers == SPECS["CQ30"]["numbers"]


def test_cq32_answers_for_every_paragraph_as_the_review_says(uptake_answer: Callable[..., Answer]) -> None:
    """Bound to any paragraph, CQ32 gives the asks whose verdict names it, and the unbound rows of that number."""
    spec = SPECS["CQ32"]
    _, everything = uptake_answer(spec["query"])
    verdicts = review()
    for number in (3, 27, 63, 96, 97, 99, 100, 102, 103, 110, 122, 125, 127, 88, 1):
        _, rows = uptake_answer(spec["query"], {"paragraph": str(number)})
        expected = {claim for claim, (_, numbers) in verdicts.items() if number in numbers}
        assert {cell(r, "claim") for r in rows} == expected, f"paragraph {number}"
        assert all(cell(r, "paragraph") == str(number) for r in rows)
        same = [{**r, "paragraph": None} for r in rows]
        assert same == [r for r in everything if cell(r, "number") == str(number)], f"paragraph {number}"


def test_cq29_pairs_every_igf_ask_with_its_paragraphs(uptake_answer: Callable[..., Answer]) -> None:
    """The pairs are the review's verdicts on the IGF asks; the paragraphs naming the IGF are those the text
    names it in (whitespace folded, as a page break may split the name)."""
    spec = SPECS["CQ29"]
    _, rows = uptake_answer(spec["query"])
    verdicts = review()
    pairs = {(cell(r, "claim"), int(cell(r, "number"))) for r in rows if cell(r, "claim")}
    wsis = Namespace("https://w3id.org/wsis-kg/ontology#")
    graph = Graph()
    for path in [*(ROOT / "graph" / "documents" / "imsb-reflections-2025-07-25").glob("*.ttl"),
                 ROOT / "graph" / "reference" / "bodies.ttl"]:
        graph.parse(path, format="turtle")
    igf = URIRef("https://w3id.org/wsis-kg/id/body/igf")
    parts = {igf, *graph.transitive_subjects(wsis.componentOf, igf)}
    igf_asks = {str(c) for p in (wsis.about, wsis.proposesRoleFor, wsis.mentionsBody) for c, o in
                graph.subject_objects(p) if o in parts} & set(verdicts)
    assert len(igf_asks) == spec["distinct"]["claim"]
    assert {claim for claim, _ in pairs} | {cell(r, "claim") for r in rows if not cell(r, "number")} == igf_asks
    assert pairs == {(claim, n) for claim in igf_asks for n in verdicts[claim][1]}
    named = sorted({int(cell(r, "number")) for r in rows if cell(r, "namedAs")})
    assert named == spec["named_paragraphs"]
    for r in rows:
        assert bool(cell(r, "namedAs")) == ("internet governance forum" in fold(cell(r, "paragraphText")))


def test_cq31_pairs_each_position_with_its_paragraphs(uptake_answer: Callable[..., Answer]) -> None:
    """The pairs are the review's verdicts on the claims on the issue; ?mentions marks the paragraphs whose
    text names enhanced cooperation."""
    _, rows = uptake_answer(SPECS["CQ31"]["query"])
    verdicts = review()
    claims = {cell(r, "claim") for r in rows}
    assert {c.rsplit("/", 1)[-1] for c in claims} == {
        "q5-ec-position-affirm-tunis-69", "q5-ec-position-continuous-evolving-process",
        "q5-ec-position-equal-footing-new-language", "q5-ec-position-do-not-reopen-debate",
        "q5-ec-further-discussion-essential"}
    assert {(cell(r, "claim"), int(cell(r, "number"))) for r in rows if cell(r, "number")} == {
        (c, n) for c in claims for n in verdicts[c][1]}
    for r in rows:
        assert bool(cell(r, "mentions")) == ("enhanced cooperation" in fold(cell(r, "paragraphText")))


UPTAKE_GRAPH = "https://w3id.org/wsis-kg/graph/uptake/imsb-reflections-2025-07-25--a-80-l-41"
WSIS = "https://w3id.org/wsis-kg/ontology#"


def _without_answers(release: Path, drop: list[tuple[str, int | None]]) -> ox.Store:
    """The release with some answers taken away: (claim slug, paragraph number, or None for all of them),
    in a store of its own (the release's store opens read-only)."""
    store = ox.Store()
    store.bulk_load(path=release / "wsis-kg.nq", format=ox.RdfFormat.N_QUADS)
    graph = ox.NamedNode(UPTAKE_GRAPH)
    for slug, number in drop:
        link = ox.NamedNode(f"https://w3id.org/wsis-kg/id/uptake/imsb-reflections-2025-07-25--a-80-l-41/{slug}")
        answered = ox.NamedNode(f"{WSIS}answeredBy")
        for quad in list(store.quads_for_pattern(link, answered, None, graph)):
            if number is None or quad.object == ox.NamedNode(f"{PARAGRAPH_NS}{number}"):
                store.remove(quad)
    return store


@pytest.mark.parametrize(("cq", "drop", "paragraph_alone", "claim_alone"), [
    # 125 names the IGF; unanswered, it stands alone. The IGF community ask answered by nothing stands alone.
    ("CQ29", [("q6-igf-role-key-enabler", 125), ("q6-igf-community-should-guide-renewal", None)],
     125, "q6-igf-community-should-guide-renewal"),
    # 92 names enhanced cooperation; once it answers none of the claims on the issue, it stands alone
    ("CQ31", [("q5-ec-position-affirm-tunis-69", 92), ("q5-ec-position-continuous-evolving-process", 92),
              ("q5-ec-position-do-not-reopen-debate", 92), ("q5-ec-position-equal-footing-new-language", None)],
     92, "q5-ec-position-equal-footing-new-language"),
])
def test_unanswered_rows_stand_alone(cq: str, drop: list[tuple[str, int | None]], paragraph_alone: int,
                                     claim_alone: str, release: Path, uptake_answer: Callable[..., Answer]) -> None:
    """A paragraph on the subject that answers none of its asks, and an ask nothing answers, each get one
    row with the other side empty (and never a row joined to every paragraph or claim)."""
    _, before = uptake_answer(SPECS[cq]["query"])
    _, rows = run_local(_without_answers(release, drop), read_query(QUERIES / f"{SPECS[cq]['query']}.rq").text)
    alone = [r for r in rows if cell(r, "number") == str(paragraph_alone)]
    assert len(alone) == 1 and not cell(alone[0], "claim") and not cell(alone[0], "gradeLabel"), show(alone)
    assert cell(alone[0], "paragraphText") and cell(alone[0], "section")
    lonely = [r for r in rows if cell(r, "claim").endswith("/" + claim_alone)]
    assert len(lonely) == 1 and not cell(lonely[0], "number") and not cell(lonely[0], "paragraphText"), show(lonely)
    assert cell(lonely[0], "quote") and cell(lonely[0], "gradeLabel")
    removed = sum(1 for r in before if (cell(r, "claim").rsplit("/", 1)[-1], int(cell(r, "number") or 0)) in
                  {(slug, n) for slug, n in drop if n} or (cell(r, "claim").endswith("/" + claim_alone)))
    assert len(rows) == len(before) - removed + 2, show(rows, 40)


def _reflections_topics() -> dict[str, set[tuple[str, str]]]:
    """(dimension, topic) pairs of each claim, read straight from the curated Turtle and the reference
    data (not from the release), as CQ28 defines them."""
    wsis = Namespace("https://w3id.org/wsis-kg/ontology#")
    graph = Graph()
    for path in [*(ROOT / "graph" / "documents" / "imsb-reflections-2025-07-25").glob("*.ttl"),
                 ROOT / "graph" / "reference" / "action-lines.ttl"]:
        graph.parse(path, format="turtle")
    lines = {str(s) for s in graph.subjects(SKOS.notation, None)}

    def line_of(target: URIRef) -> str | None:
        for node in [target, *graph.transitive_objects(target, SKOS.broader)]:
            if str(node) in lines:
                return str(node)
        return None

    topics: dict[str, set[tuple[str, str]]] = {}
    for claim in set(graph.subjects(wsis.quote, None)):
        pairs = topics.setdefault(str(claim), set())
        pairs |= {(str(wsis.hasTheme), str(t)) for t in graph.objects(claim, wsis.hasTheme)}
        pairs |= {(str(wsis.addressedTo), str(t)) for t in graph.objects(claim, wsis.addressedTo)}
        if (claim, wsis.addresseeUnstated, Literal(True)) in graph:
            pairs.add((str(wsis.addressedTo), str(wsis.addresseeUnstated)))
        for link in graph.objects(claim, wsis.hasTopicLink):
            for target in graph.objects(link, wsis.linkTarget):
                line = line_of(target)  # type: ignore[arg-type]
                if line:
                    pairs.add((str(wsis.ActionLine), line))
    return topics


def test_cq28_counts_are_the_reviews_grades_over_the_claims_topics(uptake_answer: Callable[..., Answer]) -> None:
    """Every count of CQ28 is what the review's grades give over the topics the claims' Turtle states."""
    _, rows = uptake_answer(SPECS["CQ28"]["query"], SPECS["CQ28"]["bind"])
    got = {(cell(r, "dimension"), cell(r, "topic"), cell(r, "grade").rsplit("/", 1)[-1]): int(cell(r, "asks"))
           for r in rows}
    topics = _reflections_topics()
    expected: Counter[tuple[str, str, str]] = Counter()
    for claim, (grade, _) in review().items():
        for dimension, topic in topics[claim]:
            expected[(dimension, topic, grade.replace(" ", "-"))] += 1
    assert got == dict(expected)


# ---------------------------------------------------------------------------------------------------------------
# through the command line


def cli(release: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--project", str(ROOT), "--dist", str(release), "query", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


CLI_CASES = [(cq, lk["bind"]) for cq in IDS for lk in SPECS[cq].get("lookups", [])] + \
    [(cq, SPECS[cq].get("bind", {})) for cq in IDS]


@pytest.mark.parametrize(("cq", "bindings"), CLI_CASES, ids=[f"{cq}-{i}" for i, (cq, _) in enumerate(CLI_CASES)])
def test_cli_gives_the_in_process_answer(cq: str, bindings: dict[str, str], release: Path,
                                         uptake_answer: Callable[..., Answer]) -> None:
    name = SPECS[cq]["query"]
    binds = [a for k, v in bindings.items() for a in ("--bind", f"{k}={v}")]
    data = cli(release, name.split("-")[0], *binds, "--format", "json")
    variables, rows = uptake_answer(name, bindings)
    assert data["head"]["vars"] == variables
    assert data["rows"] == rows



def test_cli_lists_the_uptake_questions(release: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(ROOT), "--dist", str(release), "query", "--list"])
    assert result.exit_code == 0, result.output
    for cq, spec in SPECS.items():
        line = next((ln for ln in result.output.splitlines() if ln.startswith(spec["query"] + " ")), "")
        assert f"{cq} {spec['question']}" in line, f"{spec['query']} not listed with its question"


def test_the_installed_command_binds_a_paragraph(release: Path, uptake_answer: Callable[..., Answer]) -> None:
    """The `wsis-kg` executable itself, as a user runs it, with a paragraph number bound."""
    exe = Path(sys.executable).with_name("wsis-kg")
    out = subprocess.run([str(exe), "--project", str(ROOT), "--dist", str(release), "query", "cq32",
                          "--bind", "paragraph=97", "--format", "json"], capture_output=True, text=True, timeout=120,
                         check=False)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    assert len(rows) == 5 and rows == uptake_answer(SPECS["CQ32"]["query"], {"paragraph": "97"})[1]


# ---------------------------------------------------------------------------------------------------------------
# on Virtuoso 7.2, bound as locally

VIRTUOSO = os.environ.get("WSIS_KG_VIRTUOSO_URL", "").rstrip("/")
PRIVATE = "urn:x-wsis-kg-test:uptake-queries:"


@pytest.fixture(scope="module")
def virtuoso(release: Path) -> Iterator[str]:
    """The release in Virtuoso under graph names of its own (a publication under the release's names
    stays undisturbed), named as the endpoint's default graph; removed afterwards."""
    store = GraphStore(VIRTUOSO + "/sparql-graph-crud-auth", os.environ.get("WSIS_KG_VIRTUOSO_USER", "dba"),
                       os.environ.get("WSIS_KG_VIRTUOSO_PASSWORD", "dba"))
    graphs = release_graphs(release)
    try:
        for graph, triples in graphs.items():
            store.put(PRIVATE + graph, triples)
        yield VIRTUOSO + "/sparql?" + urlencode([("default-graph-uri", PRIVATE + g) for g in graphs])
    finally:
        for graph in graphs:
            store.delete(PRIVATE + graph)


@pytest.mark.skipif(not VIRTUOSO, reason="WSIS_KG_VIRTUOSO_URL is not set: Virtuoso is not running "
                    "(start it with `. .ci/setup-publishing.sh`)")
@pytest.mark.parametrize(("cq", "bindings"), CLI_CASES, ids=[f"{cq}-{i}" for i, (cq, _) in enumerate(CLI_CASES)])
def test_virtuoso_gives_the_local_answer(cq: str, bindings: dict[str, str], virtuoso: str,
                                         uptake_answer: Callable[..., Answer]) -> None:
    text = read_query(QUERIES / f"{SPECS[cq]['query']}.rq").text
    remote = run_remote(virtuoso, text, bindings, 60)
    local = uptake_answer(SPECS[cq]["query"], bindings)
    assert normalise(remote, virtuoso=True) == normalise(local, virtuoso=True)
