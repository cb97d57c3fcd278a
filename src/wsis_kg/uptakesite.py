"""The uptake pages of the site beyond the list of verdicts: the asks counted by Action Line, theme and
addressee; what the outcome decides on the IGF; its paragraphs that no ask prepared; Enhanced
Cooperation; and, on the page of each answering paragraph, the asks it answers.

Each page shows the answer of a competency query (queries/cq28 to cq32) run on the site's own dataset,
so that it says exactly what a reader asking the graph the same question gets, and the tests of those
queries vouch for the pages. Whatever a query leaves out (the outcome's own claims on a paragraph, a
topic's page) comes from the same dataset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .namespaces import WSIS

if TYPE_CHECKING:
    from .docs import Site
    from .query import Row

GRADES = ("taken-up", "partly", "acknowledged", "contrary", "not-taken-up")  # from doing to not doing
CHART_COLOURS = {"taken-up": "#1b7837", "partly": "#3b6fb6", "acknowledged": "#d69e00", "contrary": "#b2182b",
                 "not-taken-up": "#8a8a8a"}
TOPICS, IGF, NEW, EC, ANSWERS = "cq28", "cq29", "cq30", "cq31", "cq32"  # the questions, by number
DIMENSIONS = {  # the dimensions CQ28 counts by: IRI -> (anchor, heading, chart's unit of a row)
    str(WSIS.ActionLine): ("action-line", "By WSIS Action Line", "Action Line"),
    str(WSIS.hasTheme): ("theme", "By theme", "theme"),
    str(WSIS.addressedTo): ("addressee", "By addressee", "addressee"),
}
PAGES = {  # site path -> (template, title, what the page answers)
    "uptake-by-topic.html": ("uptake_topics.html", "Uptake by Action Line, theme and addressee", TOPICS),
    "uptake-igf.html": ("uptake_igf.html", "Uptake: the Internet Governance Forum", IGF),
    "uptake-new.html": ("uptake_new.html", "Uptake: new in the later text", NEW),
    "uptake-enhanced-cooperation.html": ("uptake_ec.html", "Uptake: Enhanced Cooperation", EC),
}
CSVS = {page[:-5] + ".csv": page for page in PAGES}


def slug(iri: str | None) -> str:
    return (iri or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def pair_anchor(source: str, target: str) -> str:
    from .docs import _safe_segment

    return _safe_segment(f"{slug(source)}--{slug(target)}")


def chart_name(source: str, target: str, dimension: str) -> str:
    """The file name under reports/ of the chart of one pair of documents and one dimension."""
    return f"uptake-{pair_anchor(source, target)}-by-{DIMENSIONS[dimension][0]}.svg"


def _grade(site: Site, iri: str | None) -> dict[str, str]:
    return {"slug": slug(iri), "label": site.label(iri) if iri else ""}


def _pairs(rows: Iterable[Row], source: str, target: str) -> dict[tuple[str, str], list[Row]]:
    """Rows grouped by pair of documents (the ask's and the later one), in the query's order."""
    found: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        found[(r.get(source) or "", r.get(target) or "")].append(r)
    return found


def pair_heading(site: Site, source: str, target: str, here: str) -> dict[str, Any]:
    """The two documents of a pair as the pages name them (a UN symbol where they have one)."""
    ends = {}
    for end, key in (("source", source), ("target", target)):
        ref = site.ref_key(key, here) if key else {"text": "a document"}
        ends[end] = {**ref, "short": site._text(key, str(WSIS.unSymbol)) if key else ""}
    return {**ends, "anchor": pair_anchor(source, target) if source else "all"}


def _ask(site: Site, r: Row, here: str) -> dict[str, Any]:
    """An ask of a row: its page, label, quote, grade and the curator's justification."""
    claim = r.get("claim") or ""
    return {"iri": claim, "href": site.href(claim, here), "text": r.get("label") or site.label(claim),
            "quote": " ".join((r.get("quote") or "").split()), "grade": _grade(site, r.get("grade")),
            "justification": r.get("justification") or "", "position": bool(r.get("respondsTo")),
            "start": int(r.get("start") or 0)}


def _paragraph(site: Site, r: Row, here: str) -> dict[str, Any]:
    """A paragraph of a row: its number, page, section, text, and the later text's own claims on it."""
    iri = r.get("paragraph") or ""
    text = r.get("paragraphText") or r.get("text") or ""
    return {"iri": iri, "number": r.get("number") or "", "href": site.href(iri, here),
            "section": r.get("section") or "", "text": " ".join(text.split()),
            "claims": [{"href": site.href(c, here), "text": site.label(c)} for c in site.claims_in(iri)
                       if site._one(c, str(WSIS.statedIn)) == r.get("document")],
            "asks": []}


# ---------------------------------------------------------------- by Action Line, theme and addressee


def topic_tables(site: Site, here: str) -> list[dict[str, Any]]:
    """CQ28 as tables: per pair of documents and dimension, each topic's asks by grade."""
    from .report import short

    pairs = []
    for (source, target), rows in _pairs(site.answer(TOPICS), "sourceDocument", "document").items():
        grades = [g for g in GRADES if any(slug(r["grade"]) == g for r in rows)]
        labels = {slug(r["grade"]): r["gradeLabel"] or "" for r in rows}
        dimensions = []
        for dimension, (anchor, heading, unit) in DIMENSIONS.items():
            topics: dict[str, dict[str, Any]] = {}
            for r in rows:
                if r["dimension"] != dimension:
                    continue
                topic = r["topic"] or ""
                label = r["topicLabel"] or site.label(topic)
                entry = topics.setdefault(topic, {"iri": topic, "href": site.href(topic, here),
                                                  "text": label[:1].upper() + label[1:],
                                                  "short": short(site, topic), "notation": r["notation"] or "",
                                                  "counts": dict.fromkeys(grades, 0)})
                entry["counts"][slug(r["grade"])] += int(r["asks"] or 0)
            for entry in topics.values():
                entry["total"] = sum(entry["counts"].values())
            if topics:
                dimensions.append({"iri": dimension, "anchor": f"{anchor}-{pair_anchor(source, target)}",
                                   "heading": heading, "unit": unit, "column": unit[:1].upper() + unit[1:],
                                   "topics": list(topics.values()),
                                   "chart": "reports/" + chart_name(source, target, dimension)})
        pairs.append({**pair_heading(site, source, target, here),
                      "grades": [{"slug": g, "label": labels[g]} for g in grades], "dimensions": dimensions})
    return pairs


def topic_charts(site: Site) -> dict[str, str]:
    """The stacked bar chart of each table of CQ28 (file name -> SVG)."""
    from .report import bar_chart

    charts = {}
    for pair in topic_tables(site, "uptake-by-topic.html"):
        for d in pair["dimensions"]:
            series = {g["label"]: [t["counts"][g["slug"]] for t in d["topics"]] for g in pair["grades"]}
            colours = {g["label"]: CHART_COLOURS.get(g["slug"], "#1f4e8c") for g in pair["grades"]}
            title = f"Asks by {d['unit']} and uptake grade"
            description = (f"Asks of {pair['source']['short'] or pair['source']['text']}: horizontal stacked bars, "
                           f"one per {d['unit']}, split by the grade of what "
                           f"{pair['target']['short'] or pair['target']['text']} did with each ask: " +
                           "; ".join(f"{t['short']}: " + ", ".join(f"{t['counts'][g['slug']]} {g['label'].lower()}"
                                                                    for g in pair["grades"] if t["counts"][g["slug"]])
                                     for t in d["topics"]) + ".")
            charts[d["chart"].removeprefix("reports/")] = bar_chart(
                title, [t["short"] for t in d["topics"]], series, unit="asks", colours=colours,
                description=description)
    return charts


def chart_names(site: Site) -> list[str]:
    """The names of the charts, without drawing them."""
    return sorted(chart_name(r["sourceDocument"] or "", r["document"] or "", r["dimension"] or "")
                  for r in _distinct(site.answer(TOPICS), ("sourceDocument", "document", "dimension"))
                  if r["dimension"] in DIMENSIONS)


def _distinct(rows: list[Row], columns: tuple[str, ...]) -> list[Row]:
    seen: dict[tuple[str | None, ...], Row] = {}
    for r in rows:
        seen.setdefault(tuple(r.get(c) for c in columns), r)
    return list(seen.values())


# ---------------------------------------------------------------- a subject: the IGF, Enhanced Cooperation


def subject_pairs(site: Site, cq: str, named: str, here: str) -> list[dict[str, Any]]:
    """CQ29 or CQ31 both ways, per pair of documents: each ask on the subject with its grade and the
    paragraphs answering it, and each paragraph on the subject (its text names it, or it answers an ask on
    it) with the asks it answers. `named` is the column of the names of the subject a paragraph's text uses;
    a paragraph that answers no ask goes with every pair of its document."""
    rows = site.answer(cq)
    source = {c: site._one(c, str(WSIS.statedIn)) or "" for r in rows if (c := r.get("claim"))}
    keys = list(dict.fromkeys((source[c], r["document"] or "") for r in rows if (c := r.get("claim"))))
    keys += [("", d) for d in dict.fromkeys(r["document"] or "" for r in rows) if d not in {t for _, t in keys}]
    result = []
    for key in keys:
        asks: dict[str, dict[str, Any]] = {}
        paragraphs: dict[str, dict[str, Any]] = {}
        for r in rows:
            claim = r.get("claim")
            if (r["document"] or "") != key[1] or (claim and source[claim] != key[0]):
                continue
            ask = asks.setdefault(claim, {**_ask(site, r, here), "paragraphs": []}) if claim else None
            if r.get("number"):
                paragraph = paragraphs.setdefault(r["paragraph"] or "", {**_paragraph(site, r, here),
                                                                         "named": r.get(named) or ""})
                if ask is not None:
                    paragraph["asks"].append(ask)
                    ask["paragraphs"].append(paragraph)
        ordered = sorted(asks.values(), key=lambda a: (a["start"], a["iri"]))
        result.append({**pair_heading(site, *key, here), "asks": ordered,
                       "paragraphs": sorted(paragraphs.values(), key=lambda p: int(p["number"])),
                       "counts": _counts(ordered)})
    return result


def _counts(asks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for a in asks:
        found.setdefault(a["grade"]["slug"], {**a["grade"], "count": 0})["count"] += 1
    return [found[g] for g in GRADES if g in found] + [v for k, v in found.items() if k not in GRADES]


# ---------------------------------------------------------------- new in the later text


def new_paragraphs(site: Site, here: str) -> list[dict[str, Any]]:
    """CQ30 grouped by document and by section heading, in paragraph order, with the document's number of
    operative paragraphs (so that the share is plain)."""
    documents = []
    for (_, document), rows in _pairs(site.answer(NEW), "", "document").items():
        sections: list[dict[str, Any]] = []
        for r in rows:
            section = r.get("section") or ""
            if not sections or sections[-1]["text"] != section:
                from .docs import _safe_segment

                sections.append({"text": section, "paragraphs": [],
                                 "anchor": f"{_safe_segment(section.lower().replace(' ', '-'))}-{len(sections) + 1}"})
            sections[-1]["paragraphs"].append(_paragraph(site, r, here))
        operative = [s for s, p in site.g.inc.get(document, ()) if p == str(WSIS.inDocument)
                     and str(WSIS.OperativeParagraph) in site.g.types(s)]
        documents.append({"document": {**site.ref_key(document, here),
                                       "short": site._text(document, str(WSIS.unSymbol))},
                          "sections": sections, "count": len(rows), "operative": len(set(operative))})
    return documents


# ---------------------------------------------------------------- a paragraph's page


def paragraph_answers(site: Site, paragraph: str, here: str) -> list[dict[str, Any]]:
    """CQ32 for one paragraph: the asks it answers, with grade, quote and justification, in the order of
    the asks in their document."""
    return [{**_ask(site, r, here), "source": site.ref_key(r["sourceDocument"] or "", here)}
            for r in site.answers_by_paragraph().get(paragraph, [])]


def answers_index(rows: list[Row]) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        found[r["paragraphIri"] or ""].append(r)
    return dict(found)


# ---------------------------------------------------------------- pages and tables


def render_page(site: Site, path: str) -> str:
    template, title, cq = PAGES[path]
    ctx = site._common(path, title)
    ctx["crumbs"] = [{"text": "Home", "href": "index.html"}, {"text": "Uptake", "href": "uptake.html"}]
    ctx["cq"] = site.question(cq)
    ctx["csv"] = path[:-5] + ".csv"
    ctx["here"] = path
    if cq == TOPICS:
        ctx["pairs"] = topic_tables(site, path)
    elif cq == IGF:
        ctx["pairs"] = subject_pairs(site, IGF, "namedAs", path)
        ctx["subject"] = site.ref_key(IGF_BODY, path)
    elif cq == EC:
        ctx["pairs"] = subject_pairs(site, EC, "mentions", path)
        ctx["subject"] = site.ref_key(EC_ISSUE, path)
    elif cq == NEW:
        ctx["documents"] = new_paragraphs(site, path)
    return site.env.get_template(template).render(**ctx)


IGF_BODY = "https://w3id.org/wsis-kg/id/body/igf"
EC_ISSUE = "https://w3id.org/wsis-kg/id/issue/enhanced-cooperation"


def render_csv(site: Site, path: str) -> str:
    """A page's list as CSV: the rows of its query, IRIs and texts as they are in the graph."""
    from .report import _csv

    cq = PAGES[CSVS[path]][2]
    rows = site.answer(cq)
    columns = [c for c in site.answer_columns(cq) if c != "start"]
    return _csv([columns, *([" ".join((r.get(c) or "").split()) for c in columns] for r in rows)])


def answers_csv(site: Site, paragraph: str) -> str:
    """The asks a paragraph answers as CSV (CQ32's rows for it)."""
    from .report import _csv

    columns = [c for c in site.answer_columns(ANSWERS) if c not in ("start", "paragraph")]
    rows = site.answers_by_paragraph().get(paragraph, [])
    return _csv([columns, *([" ".join((r.get(c) or "").split()) for c in columns] for r in rows)])


__all__ = ["CSVS", "GRADES", "PAGES", "answers_csv", "answers_index", "chart_names", "paragraph_answers",
           "render_csv", "render_page", "topic_charts"]
