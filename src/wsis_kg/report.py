"""Figures of a release for people: claim counts per Action Line, SDG, GDC objective and theme (split
into links the text states and links curators added), an Action Line × question matrix, and the coverage
report (claims without any Action Line or SDG link, by section), so that a missing link is read as
"not linked", not as "irrelevant".

Charts are static SVG drawn by matplotlib (its SVG backend, no display needed, text kept as text so
that it stays searchable and accessible); the tables are CSV. `wsis-kg docs` puts them on the site and in
the release's reports/ folder.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .docs import Site, _key, _pick_literal
from .namespaces import SKOS, WSIS

FRAMEWORKS = {  # kind of framework element -> (class, heading)
    "action-line": (str(WSIS.ActionLine), "WSIS Action Lines"),
    "sdg": (str(WSIS.SustainableDevelopmentGoal), "Sustainable Development Goals"),
    "gdc-objective": (str(WSIS.GDCObjective), "Global Digital Compact objectives"),
}
STATED, CURATOR = "stated in the text", "curator's link"
COLOURS = {STATED: "#1b5e20", CURATOR: "#b45309", "theme": "#1f4e8c"}


@dataclass
class Figures:
    """Counts computed once from a site's dataset."""

    links: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # target -> kind -> n
    themes: Counter[str] = field(default_factory=Counter)
    questions: list[str] = field(default_factory=list)
    matrix: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # AL -> question -> n
    unlinked: list[tuple[str, str]] = field(default_factory=list)  # (section or question, claim)


def question_of(site: Site, claim: str) -> str:
    passage = site.g.value(claim, str(WSIS.groundedIn))
    for p in site.parents(_key(passage)) if passage is not None else []:
        if str(WSIS.Question) in site.g.types(p):
            return p
    return ""


def section_of(site: Site, claim: str) -> str:
    passage = site.g.value(claim, str(WSIS.groundedIn))
    for p in site.parents(_key(passage)) if passage is not None else []:
        if site.g.types(p) & {str(WSIS.Section), str(WSIS.Question)}:
            return p
    return ""


def figures(site: Site) -> Figures:
    g = site.g
    f = Figures()
    f.questions = sorted({q for c in site.claims if (q := question_of(site, c))},
                         key=lambda q: (_int_of(g.value(q, str(WSIS.questionNumber))), q))
    framework = {cls for cls, _ in FRAMEWORKS.values()}
    for claim in site.claims:
        targets: set[str] = set()
        for link in g.values(claim, str(WSIS.hasTopicLink)):
            lk = _key(link)
            kind = STATED if str(WSIS.StatedLink) in g.types(lk) else CURATOR
            for t in g.values(lk, str(WSIS.linkTarget)):
                f.links[_key(t)][kind] += 1
                targets.add(_key(t))
        for theme in g.values(claim, str(WSIS.hasTheme)):
            f.themes[_key(theme)] += 1
        question = question_of(site, claim)
        for target in targets:
            if str(WSIS.ActionLine) in g.types(target):
                f.matrix[target][question] += 1
        if not any(g.types(target) & framework - {str(WSIS.GDCObjective)} for target in targets):
            f.unlinked.append((section_of(site, claim), claim))
    f.unlinked.sort(key=lambda sc: (site._claim_order.get(sc[1], 0), sc[1]))
    return f


def _int_of(term: Any) -> int:
    try:
        return int(term.value)
    except (AttributeError, ValueError):
        return 0


def members(site: Site, cls: str) -> list[str]:
    """The instances of a class in the reference data, in their notation's natural order."""
    found = [s for s in site.reference if cls in site.g.types(s) and s in site.paths]

    def order(s: str) -> tuple[Any, ...]:
        notation = _pick_literal(site.g.values(s, str(SKOS.notation))) or site.label(s)
        return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", notation)), s

    return sorted(found, key=order)


def short(site: Site, s: str) -> str:
    notation = _pick_literal(site.g.values(s, str(SKOS.notation)))
    label = site.label(s)
    if notation and str(WSIS.SustainableDevelopmentGoal) in site.g.types(s):
        return f"SDG {notation}"
    if notation and not label.startswith(notation):
        return f"{notation} {label}"
    return label if len(label) <= 48 else label[:47] + "…"


# ---------------------------------------------------------------- charts


def bar_chart(title: str, labels: list[str], series: dict[str, list[int]], *, unit: str = "claims",
              colours: dict[str, str] | None = None, description: str = "") -> str:
    """A horizontal stacked bar chart as SVG text, named by its title (and described by `description`)
    inside the SVG itself, so that the file read on its own is an image with a name."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    plt.rcParams["svg.fonttype"] = "none"  # text stays text
    plt.rcParams["svg.hashsalt"] = "wsis-kg"  # stable ids: the same data gives the same file
    height = 1.2 + 0.28 * max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(9.5 if len(series) > 1 else 8, height))  # room for a legend beside
    left = [0] * len(labels)
    ypos = list(range(len(labels)))
    for name, values in series.items():
        ax.barh(ypos, values, left=left, label=name, color=(colours or COLOURS).get(name, "#1f4e8c"))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(ypos, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title(title, fontsize=11)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(series) > 1:  # beside the bars, never over the longest of them
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    plt.close(fig)
    return named_svg(out.getvalue(), title, description)


def named_svg(svg: str, title: str, description: str = "") -> str:
    """An SVG with a <title> and <desc> that its root names as its accessible name and description."""
    parts = [f'<title id="chart-title">{html.escape(title)}</title>']
    ids = "chart-title"
    if description:
        parts.append(f'<desc id="chart-desc">{html.escape(description)}</desc>')
        ids += " chart-desc"
    return re.sub(r"<svg\b([^>]*)>", lambda m: f'<svg{m.group(1)} role="img" aria-labelledby="{ids}">' +
                  "".join(parts), svg, count=1)


def charts(site: Site, f: Figures) -> dict[str, str]:
    result = {}
    for kind, (cls, heading) in FRAMEWORKS.items():
        items = members(site, cls)
        if not items:
            continue
        series = {k: [f.links[i][k] for i in items] for k in (STATED, CURATOR)}
        result[f"claims-per-{kind}.svg"] = bar_chart(f"Claims linked to {heading}", [short(site, i) for i in items],
                                                     series)
    themes = sorted(f.themes, key=lambda t: (-f.themes[t], site.label(t)))
    result["claims-per-theme.svg"] = bar_chart("Claims per theme (curators' classification)",
                                               [short(site, t) for t in themes],
                                               {"theme": [f.themes[t] for t in themes]})
    return result


# ---------------------------------------------------------------- tables


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def matrix_rows(site: Site, f: Figures) -> list[list[Any]]:
    """Action Line × question: claim counts (a claim counts once per Action Line it links to)."""
    header = ["action_line", "iri", *(site.label(q) for q in f.questions), "preamble", "total"]
    rows: list[list[Any]] = [header]
    for al in members(site, str(WSIS.ActionLine)):
        counts = [f.matrix[al][q] for q in [*f.questions, ""]]
        rows.append([short(site, al), al, *counts, sum(counts)])
    return rows


def coverage_rows(site: Site, f: Figures) -> list[list[Any]]:
    rows: list[list[Any]] = [["section", "claim", "label", "kinds", "quote"]]
    for section, claim in f.unlinked:
        kinds = " ".join(sorted(site.label(t) for t in site.g.types(claim) if t != str(WSIS.Claim)))
        quote = _pick_literal(site.g.values(claim, str(WSIS.quote))) or ""
        rows.append([site.label(section) if section else "", claim, site.label(claim), kinds, " ".join(quote.split())])
    return rows


def coverage_by_section(site: Site, f: Figures) -> list[dict[str, Any]]:
    """Per section (in document order): its claims, those without an Action Line or SDG link."""
    total: Counter[str] = Counter(section_of(site, c) for c in site.claims)
    unlinked: dict[str, list[str]] = defaultdict(list)
    for section, claim in f.unlinked:
        unlinked[section].append(claim)
    order = sorted(total, key=lambda s: min(site._claim_order.get(c, 0) for c in site.claims
                                            if section_of(site, c) == s))
    return [{"section": s, "claims": total[s], "unlinked": unlinked.get(s, [])} for s in order]


TABLES = ("action-line-by-question.csv", "coverage-unlinked-claims.csv")


def report_names(site: Site) -> list[str]:
    from .uptakesite import chart_names

    charts = [f"claims-per-{kind}.svg" for kind, (cls, _) in FRAMEWORKS.items() if members(site, cls)]
    return sorted([*charts, "claims-per-theme.svg", *TABLES, *chart_names(site)])


def release_reports(site: Site, f: Figures | None = None) -> dict[str, str]:
    """Every report file (name -> text): the charts (of the claims, and of the asks by uptake grade), the
    matrix and the coverage as CSV."""
    from .uptakesite import topic_charts

    f = f or figures(site)
    return {**charts(site, f), **topic_charts(site), TABLES[0]: _csv(matrix_rows(site, f)),
            TABLES[1]: _csv(coverage_rows(site, f))}


def claims_csv(site: Site, claims: list[str], target: str | None = None) -> str:
    """A list of claims as CSV: IRI, label, kinds, voice, quote, where, and (for an entity) how it links."""
    header = ["claim", "label", "kinds", "voice", "quote", "section"]
    if target is not None:
        header += ["link", "justification"]
    rows: list[list[Any]] = [header]
    for c in claims:
        kinds = " ".join(sorted(site.label(t) for t in site.g.types(c) if t != str(WSIS.Claim)))
        voice = site.g.value(c, str(WSIS.voice))
        quote = _pick_literal(site.g.values(c, str(WSIS.quote))) or ""
        row = [c, site.label(c), kinds, site.label(_key(voice)) if voice is not None else "", " ".join(quote.split()),
               site.label(section_of(site, c)) if section_of(site, c) else ""]
        if target is not None:
            marks = site.provenance(c, target)
            row += ["; ".join(m["label"] for m in marks),
                    "; ".join(m["justification"] for m in marks if m["justification"])]
        rows.append(row)
    return _csv(rows)


__all__ = ["CURATOR", "FRAMEWORKS", "STATED", "Figures", "bar_chart", "charts", "claims_csv", "coverage_by_section",
           "coverage_rows", "figures", "matrix_rows", "members", "named_svg", "release_reports", "report_names",
           "short"]
