"""The static site of a release (`wsis-kg docs`, default dist/site/): the ontology's reference
documentation (pyLODE, or a plain generator where pyLODE is missing) and one page per entity, claim
and part of a document.

A claim's page shows its quote highlighted inside its passage, with the section and the question around
it, because a quote without its context is what a policy analyst cannot check. Every page shows the
links of its node both ways. All links are relative, so the folder works from disk, from any web
server, and under `wsis-kg serve` (which renders the same pages on request).
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import os
import posixpath
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader, select_autoescape

from .errors import InputError
from .namespaces import (
    BASE,
    DCTERMS,
    G_ONTOLOGY,
    G_REFERENCE,
    OA,
    ONTOLOGY_IRI,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SKOS,
    WSIS,
)
from .query import Row

Term = ox.NamedNode | ox.BlankNode | ox.Literal

T_TYPE = str(RDF.type)
T_LABEL = str(RDFS.label)
T_PREF = str(SKOS.prefLabel)
T_ALT = str(SKOS.altLabel)
T_TITLE = str(DCTERMS.title)
T_PART_OF = str(DCTERMS.isPartOf)
DEFINITIONS = (str(SKOS.definition), str(RDFS.comment), str(DCTERMS.description), str(SKOS.scopeNote))
RESERVED = ("index.html", "entities.html", "ontology.html", "style.css", "search.html", "search/index.js",
            "search/minisearch.js", "search/search.js", "coverage.html", "uptake.html", "uptake.csv",
            "uptake-by-topic.html", "uptake-by-topic.csv", "uptake-igf.html", "uptake-igf.csv", "uptake-new.html",
            "uptake-new.csv", "uptake-enhanced-cooperation.html", "uptake-enhanced-cooperation.csv")
# properties by which curators classify a claim (the text need not use the words), as against those
# naming what the text names (a body, a group, an instrument)
CLASSIFICATIONS = {str(WSIS.hasTheme), str(WSIS.about), str(WSIS.respondsTo)}
BROWSE = (("action-lines", "WSIS Action Lines", "ActionLine"), ("sdgs", "Sustainable Development Goals",
          "SustainableDevelopmentGoal"), ("gdc-objectives", "Global Digital Compact objectives", "GDCObjective"),
          ("themes", "Themes", "Theme"), ("stakeholder-groups", "Stakeholder groups", "StakeholderGroup"),
          ("issues", "Contested issues", "ContestedIssue"))
STATIC = {"search/minisearch.js": "minisearch.js", "search/search.js": "search.js"}
ONTOLOGY_TYPES = {str(OWL.Class), str(OWL.ObjectProperty), str(OWL.DatatypeProperty), str(OWL.AnnotationProperty),
                  str(RDF.Property), str(RDFS.Class), str(OWL.Ontology)}

CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 0 1rem 3rem;
       color: #1d1d1f; line-height: 1.5; }
header nav { padding: .8rem 0; border-bottom: 1px solid #ddd; }
header nav a { margin-right: 1rem; }
header form.site-search { display: inline-block; margin-left: 1rem; }
#results .where { font-size: .85rem; color: #595959; }
nav.crumbs { font-size: .9rem; color: #555; padding: .4rem 0; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
code.iri { font-size: .85rem; color: #555; word-break: break-all; }
.kinds span, .chip { display: inline-block; background: #eef3fb; border-radius: .8rem; padding: 0 .6rem;
                     margin: 0 .3rem .3rem 0; font-size: .85rem; }
.context { border-left: 4px solid #c9d6ea; padding: .2rem 1rem; margin: 1rem 0; background: #fafbfd; }
.context .question { font-weight: 600; }
.context .section { font-style: italic; margin: .4rem 0; }
blockquote.passage { white-space: pre-wrap; margin: .6rem 0; }
mark { background: #ffe066; color: inherit; padding: 0 .1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #eee; }
th { width: 14rem; font-weight: 600; }
.lit-meta { color: #595959; font-size: .8rem; margin-left: .3rem; }
.quote { color: #444; font-style: italic; }
ol.claims li, ul.plain li { margin-bottom: .5rem; }
.prov { display: inline-block; border-radius: .3rem; padding: 0 .4rem; font-size: .8rem; font-weight: 600; }
.prov-stated { background: #e3f4e6; color: #1b5e20; } .prov-curator { background: #fff1dc; color: #7a3e00; }
.prov-property { background: #eef0f3; color: #333; }
.justification { font-size: .9rem; color: #444; }
table.summary th { width: 10rem; }
.table-scroll { overflow-x: auto; } table.results th { width: auto; } table.results td { font-size: .9rem; }
textarea#query { width: 100%; font-family: ui-monospace, monospace; font-size: .9rem; }
p.error { background: #fdecea; color: #8a1c1c; padding: .5rem .8rem; }
p.cite { background: #f5f5f7; padding: .5rem .8rem; }
a.chip { text-decoration: none; } .chip .count { color: #424242; }
table.matrix th, table.matrix td { width: auto; font-size: .85rem; text-align: right; padding: .2rem .4rem; }
table.matrix th[scope=row], table.matrix thead th:first-child { text-align: left; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
.grade { display: inline-block; border-radius: .3rem; padding: 0 .4rem; font-size: .8rem; font-weight: 600;
         white-space: nowrap; }
.grade-taken-up { background: #dff3e3; color: #14532d; } .grade-partly { background: #e6f0fb; color: #1e3a8a; }
.grade-acknowledged { background: #fff4d6; color: #6b4200; } .grade-contrary { background: #fde2e1; color: #8a1c1c; }
.grade-not-taken-up { background: #ececec; color: #333; }
table.uptake th { width: auto; } table.uptake td { width: 33%; font-size: .9rem; }
table.uptake td.grade-cell { width: 8rem; }
table.uptake.answers td { width: auto; } table.uptake.answers td.grade-cell { width: 8rem; }
nav.uptake-pages ul { list-style: none; padding: 0; margin: .4rem 0 1rem; }
nav.uptake-pages li { display: inline-block; margin-right: 1rem; }
blockquote.paragraph-text { white-space: pre-line; margin: .4rem 0; padding-left: .8rem; border-left: 3px solid #ddd; }
table.uptake-counts td { text-align: right; }
section.uptake-paragraph { margin-bottom: 1.5rem; }
form.filters label { margin-right: .3rem; } form.filters select { margin-right: 1rem; }
footer { margin-top: 3rem; font-size: .85rem; color: #666; border-top: 1px solid #ddd; padding-top: .6rem; }
"""

TEMPLATES: dict[str, str] = {
    "base.html": """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · WSIS knowledge graph</title>
<link rel="stylesheet" href="{{ root }}style.css">
<link rel="icon" href="data:,">
{% for alt in alternates %}<link rel="alternate" type="{{ alt.type }}" href="{{ alt.href }}">
{% endfor %}</head>
<body>
<header>
<nav><a href="{{ root }}index.html">WSIS knowledge graph</a><a href="{{ root }}entities.html">Entities</a><a
 href="{{ root }}ontology.html">Ontology</a>{% if served %}<a href="/query">Query</a>{% endif
%}<form class="site-search" role="search"
 action="{{ root }}search.html"><label for="site-search">Search</label> <input id="site-search" name="q"
 type="search" size="24"></form></nav>
{% if crumbs %}<nav class="crumbs" aria-label="breadcrumbs">{% for c in crumbs %}{% if not loop.first %} › {% endif
%}<a href="{{ c.href }}">{{ c.text }}</a>{% endfor %}</nav>{% endif %}
</header>
<main>
{% block main %}{% endblock %}
</main>
<footer>Data: CC BY 4.0. {% if iri %}IRI: <code class="iri">{{ iri }}</code>{% endif %}
{% for alt in alternates %} · <a href="{{ alt.href }}">{{ alt.label }}</a>{% endfor %}</footer>
</body>
</html>
""",
    "macros.html": """{% macro value(v) -%}
{%- if v.href %}<a href="{{ v.href }}">{{ v.text }}</a>{% elif v.iri %}<a href="{{ v.iri }}" class="external">{{ v.text
}}</a>{% else %}{{ v.text }}{% if v.meta %}<span class="lit-meta">{{ v.meta }}</span>{% endif %}{% endif -%}
{%- endmacro %}
{% macro provenance(l) -%}
<span class="prov prov-{{ l.kind }}">{{ l.label }}</span>{% if l.justification %} <span class="justification">{{
l.justification }}</span>{% endif %}
{%- endmacro %}
{% macro claim_item(c) -%}
<a href="{{ c.href }}">{{ c.text }}</a>{% for k in c.kinds %} <span class="chip">{{ k }}</span>{% endfor %}
{% for l in c.provenance %}<div>{{ provenance(l) }}</div>{% endfor %}
{% if c.quote %}<div class="quote">“{{ c.quote }}”</div>{% endif %}
{% if c.entities %}<div>{% for e in c.entities %}<a class="chip" href="{{ e.href }}">{{ e.text }}</a>{% endfor
%}</div>{% endif %}
{%- endmacro %}
{% macro statements(rows, heading, reverse=False) -%}
{% if rows %}<h2>{{ heading }}</h2>
<table class="{{ 'incoming' if reverse else 'outgoing' }}">
{% for row in rows %}<tr><th>{{ value(row.predicate) }}</th><td>{% for v in row['values'] %}{{ value(v) }}{% if not
loop.last %}<br>{% endif %}{% endfor %}</td></tr>
{% endfor %}</table>{% endif %}
{%- endmacro %}
""",
    "node.html": """{% extends "base.html" %}{% from "macros.html" import value, claim_item, statements, provenance %}
{% block main %}
<h1>{{ title }}</h1>
{% if kinds %}<p class="kinds">{% for k in kinds %}<span>{{ value(k) }}</span>{% endfor %}</p>{% endif %}
{% if alt_labels %}<p>Also: {{ alt_labels | join(", ") }}</p>{% endif %}
{% for d in definitions %}<p class="definition">{{ d }}</p>{% endfor %}
{% if summary %}<table class="summary">{% for row in summary %}<tr><th>{{ row.name }}</th><td>{% for v in row['values']
%}{{ value(v) }}{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>{% endfor %}</table>{% endif %}
{% if quote %}
<section class="context" id="in-context">
{% if quote.question %}<p class="question">{{ value(quote.question) }}{% if quote.question_text %}: {{
quote.question_text }}{% endif %}</p>{% endif %}
{% if quote.section %}<p class="section">{{ value(quote.section) }}</p>{% endif %}
<blockquote class="passage">{{ quote.before }}<mark id="quote">{{ quote.quote }}</mark>{{ quote.after }}</blockquote>
{% if quote.passage %}<p>Passage: {{ value(quote.passage) }}</p>{% endif %}
</section>
{% endif %}
{% if cite %}<h2 id="cite">Cite this</h2>
<p class="cite">{{ cite }}</p>{% endif %}
{% if topic_links %}<h2 id="topic-links">Action Lines, SDGs and GDC objectives</h2>
<ul class="plain links">{% for l in topic_links %}<li>{{ value(l.target) }} {{ provenance(l) }}</li>{% endfor
%}</ul>{% endif %}
{% if conflicts %}<h2 id="conflicts">Conflicts with</h2>
<ul class="plain links">{% for l in conflicts %}<li>{{ value(l.target) }} {{ provenance(l) }}</li>{% endfor
%}</ul>{% endif %}
{% if text_marks %}
<blockquote class="passage">{% for part in text_marks %}{% if part.mark %}<mark>{{ part.text }}</mark>{% else %}{{
part.text }}{% endif %}{% endfor %}</blockquote>
{% endif %}
{% for group in outline %}
<section class="outline">
{% if group.heading %}<h2>{{ value(group.heading) }}</h2>{% endif %}
{% if group.text %}<p>{{ group.text }}</p>{% endif %}
{% if group.claims %}<ol class="claims">{% for c in group.claims %}<li>{{ claim_item(c) }}</li>{% endfor
%}</ol>{% endif %}
</section>
{% endfor %}
{% if disagreements %}<h2 id="disagreements">Where positions conflict</h2>
<ul class="plain links">{% for d in disagreements %}<li>{{ value(d.a) }} <strong>conflicts with</strong> {{
value(d.target) }} {{ provenance(d) }}</li>{% endfor %}</ul>{% endif %}
{% if answers %}{% include "paragraph_answers.html" %}{% endif %}
{% if csv %}<p class="download"><a href="{{ csv }}">Download these claims as CSV</a></p>{% endif %}
{% if claims %}<h2>{{ claims_heading }}</h2>
{% if claims_note %}<p>{{ claims_note }}</p>{% endif %}
<ol class="claims">{% for c in claims %}<li>{{ claim_item(c) }}</li>{% endfor %}</ol>{% endif %}
{% if details %}<h2 id="technical">Technical details</h2>{% endif %}
{% for d in details %}
<h3>{{ value(d.node) }}</h3>
<table class="details">{% for row in d.rows %}<tr><th>{{ value(row.predicate) }}</th><td>{% for v in row['values']
%}{{ value(v) }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>{% endfor %}</table>
{% endfor %}
{{ statements(outgoing, "Statements") }}
{{ statements(incoming, "Referenced by", reverse=True) }}
{% endblock %}
""",
    "index.html": """{% extends "base.html" %}{% from "macros.html" import value %}
{% block main %}
<h1>WSIS knowledge graph</h1>
<p>{{ description }}</p>
<p>{{ stats.claims }} claims, {{ stats.entities }} entities, {{ stats.triples }} triples.
<a href="entities.html">Browse the entities</a> · <a href="ontology.html">Ontology reference</a> · <a
href="uptake.html">What a later text did with each ask</a> (<a href="uptake-by-topic.html">by Action Line, theme and
addressee</a>, <a href="uptake-igf.html">on the IGF</a>, <a href="uptake-enhanced-cooperation.html">on Enhanced
Cooperation</a>, <a href="uptake-new.html">what no ask prepared</a>){% for d in downloads
%} · <a href="{{ d.href }}">{{ d.text }}</a>{% endfor %}</p>
<h2 id="browse">Browse by</h2>
{% for b in browse %}<section class="browse">
<h3 id="{{ b.anchor }}">{{ b.heading }} <span class="lit-meta">{{ b['items'] | length }}</span></h3>
<p>{% for e in b['items'] %}<a class="chip" href="{{ e.href }}">{{ e.text }}{% if e.claims
%} <span class="count">({{ e.claims }})</span>{% endif %}</a>{% endfor %}</p>
</section>{% endfor %}
{% for doc in documents %}
<section class="document">
<h2>{{ value(doc.node) }}</h2>
<ol class="questions">
{% for q in doc.questions %}<li><a href="{{ q.href }}">{{ q.text }}</a>
<span class="lit-meta">{{ q.claims }} claims</span>
{% if q.sections %}<ul>{% for s in q.sections %}<li><a href="{{ s.href }}">{{ s.text }}</a> <span class="lit-meta">{{
s.claims }} claims</span></li>{% endfor %}</ul>{% endif %}</li>
{% endfor %}</ol>
</section>
{% endfor %}
<h2 id="figures">Figures</h2>
<p>Counts of claims linked to each framework element: links the text states, and links curators added
with a justification. A claim without a link is not irrelevant to a framework: see the
<a href="coverage.html">coverage report</a>. Tables as CSV: <a href="reports/action-line-by-question.csv">Action
Line × question</a>, <a href="reports/coverage-unlinked-claims.csv">claims without an Action Line or SDG link</a>.</p>
<table class="matrix">
<caption>Claims per Action Line and question of the document</caption>
<thead><tr>{% for h in matrix[0][:1] + matrix[0][2:] %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in matrix[1:] %}<tr><th scope="row"><a href="{{ matrix_links[loop.index0] }}">{{ row[0] }}</a></th>{%
for n in row[2:] %}<td>{{ n if n else "" }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
{% for c in charts %}<figure><img src="{{ c.href }}" alt="{{ c.alt }}"><figcaption>{{ c.caption }}</figcaption></figure>
{% endfor %}
{% endblock %}
""",
    "coverage.html": """{% extends "base.html" %}{% from "macros.html" import value, claim_item %}
{% block main %}
<h1>Coverage: claims without an Action Line or SDG link</h1>
<p>{{ unlinked }} of {{ total }} claims link to no WSIS Action Line and no SDG, neither stated in the text nor added
by curators. That says only that no link was recorded, not that the claim is irrelevant to them.
<a href="reports/coverage-unlinked-claims.csv">Download as CSV</a>.</p>
<table class="coverage"><thead><tr><th scope="col">Section</th><th scope="col">Claims</th><th scope="col">Without a
link</th></tr></thead><tbody>
{% for s in sections %}<tr><td>{% if s.section and s.unlinked %}<a href="#{{ s.anchor }}">{{ s.section.text }}</a>{%
elif s.section %}{{ s.section.text }}{% else %}(no section){% endif
%}</td><td>{{ s.claims }}</td><td>{{ s.unlinked | length }}</td></tr>
{% endfor %}</tbody></table>
{% for s in sections %}{% if s.unlinked %}
<h2 id="{{ s.anchor }}">{{ value(s.section) }}</h2>
<ol class="claims">{% for c in s.unlinked %}<li>{{ claim_item(c) }}</li>{% endfor %}</ol>
{% endif %}{% endfor %}
{% endblock %}
""",
    "uptake.html": """{% extends "base.html" %}{% from "macros.html" import value %}{% from "uptake_macros.html"
import pages %}
{% block main %}
<h1>Uptake: what a later text did with each ask</h1>
{{ pages("uptake.html") }}
<p>For each recommendation, priority, position and challenge of an earlier document, a curator judged what a
later one did with it: <span class="grade grade-taken-up">taken up</span> (it does what was asked),
<span class="grade grade-partly">partly</span>, <span class="grade grade-acknowledged">acknowledged</span>
(mentioned without acting on it), <span class="grade grade-contrary">contrary</span> (it decides otherwise) or
<span class="grade grade-not-taken-up">not taken up</span>. Each verdict is a curator's reading with its
justification, never a machine's guess. <a href="uptake.csv">Download as CSV</a>.</p>
{% for pair in pairs %}
<section class="uptake-pair">
<h2 id="{{ pair.anchor }}"><a href="{{ pair.target.href }}">{{ pair.target.short or pair.target.text }}</a>
on the asks of <a href="{{ pair.source.href }}">{{ pair.source.short or pair.source.text }}</a></h2>
<p class="lit-meta">{{ pair.target.text }}; {{ pair.source.text }}</p>
<p>{% for g in pair.counts %}<span class="grade grade-{{ g.slug }}">{{ g.label }}</span> {{ g.count }}{%
if not loop.last %} · {% endif %}{% endfor %}</p>
<form class="filters" aria-label="Filter the verdicts">
<label for="grade-{{ pair.anchor }}">Grade</label><select id="grade-{{ pair.anchor }}" data-filter="grade">
<option value="">all</option>{% for g in pair.counts %}<option value="{{ g.slug }}">{{ g.label }}</option>{% endfor %}
</select>
<label for="theme-{{ pair.anchor }}">Theme</label><select id="theme-{{ pair.anchor }}" data-filter="theme">
<option value="">all</option>{% for t in pair.themes %}<option value="{{ t.slug }}">{{ t.text }}</option>{% endfor %}
</select>
<span class="lit-meta" role="status" aria-live="polite" data-shown></span>
</form>
<div class="table-scroll">
<table class="uptake">
<caption>Each ask of {{ pair.source.short or pair.source.text }} beside the paragraphs of {{ pair.target.short or
pair.target.text }} that answer it</caption>
<thead><tr><th scope="col">Grade</th><th scope="col">The ask</th><th scope="col">The answer</th>
<th scope="col">Why</th></tr></thead>
<tbody>
{% for r in pair.rows %}<tr data-grade="{{ r.grade.slug }}" data-themes="{{ r.themes | join(' ') }}">
<td class="grade-cell"><span class="grade grade-{{ r.grade.slug }}">{{ r.grade.label }}</span></td>
<td><a href="{{ r.ask.href }}">{{ r.ask.text }}</a><br><span class="quote">“{{ r.quote }}”</span></td>
<td>{% for a in r.answers %}<a href="{{ a.href }}" title="{{ a.text }}">{{ a.short }}</a><br>
<span class="quote">“{{ a.quote }}”</span>{%
if not loop.last %}<br>{% endif %}{% else %}<span class="lit-meta">no paragraph answers it</span>{% endfor %}</td>
<td class="justification">{{ r.justification }}</td>
</tr>
{% endfor %}</tbody></table></div>
</section>
{% else %}<p>No uptake has been judged in this release.</p>{% endfor %}
<script>
document.querySelectorAll("section.uptake-pair").forEach(function (section) {
  var selects = section.querySelectorAll("select[data-filter]");
  var shown = section.querySelector("[data-shown]");
  function apply() {
    var grade = selects[0].value, theme = selects[1].value, n = 0;
    section.querySelectorAll("tbody tr").forEach(function (row) {
      var ok = (!grade || row.dataset.grade === grade) &&
               (!theme || row.dataset.themes.split(" ").indexOf(theme) >= 0);
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + " shown";
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  apply();
});
</script>
{% endblock %}
""",
    "search.html": """{% extends "base.html" %}
{% block main %}
<h1>Search</h1>
<form id="search-form" role="search" action="search.html">
<label for="q">Words to look for in claims (labels, quotes, passages) and entities</label><br>
<input id="q" name="q" type="search" size="50" autocomplete="off">
<label for="only">in</label> <select id="only" name="only"><option value="">claims and entities</option><option
 value="claim">claims</option><option value="entity">entities</option></select>
<button type="submit">Search</button>
</form>
<p id="search-status" role="status" aria-live="polite">The search needs JavaScript; everything is also reachable
from the <a href="index.html">questions</a> and the <a href="entities.html">entities</a>.</p>
<ol id="results" class="claims"></ol>
<script src="search/minisearch.js"></script>
<script src="search/index.js"></script>
<script src="search/search.js"></script>
{% endblock %}
""",
    "entities.html": """{% extends "base.html" %}{% from "macros.html" import value %}
{% block main %}
<h1>Entities</h1>
{% for group in groups %}
<h2 id="{{ group.anchor }}">{{ value(group.kind) }} <span class="lit-meta">{{ group['items'] | length }}</span></h2>
<ul class="plain">{% for e in group['items'] %}<li>{{ value(e) }}</li>{% endfor %}</ul>
{% endfor %}
{% endblock %}
""",
    "ontology.html": """{% extends "base.html" %}{% from "macros.html" import value %}
{% block main %}
<h1>{{ title }}</h1>
{% for d in definitions %}<p>{{ d }}</p>{% endfor %}
<h2 id="classes">Classes</h2>
{% macro tree(nodes) %}<ul>{% for n in nodes %}<li><a href="#{{ n.anchor }}">{{ n.text }}</a>{% if n.children %}{{
tree(n.children) }}{% endif %}</li>{% endfor %}</ul>{% endmacro %}
{{ tree(hierarchy) }}
{% for section in sections %}
<h2 id="{{ section.anchor }}">{{ section.title }}</h2>
{% for t in section.terms %}
<div class="entity" id="{{ t.anchor }}">
<h3>{{ t.text }}</h3>
<table><tr><th>IRI</th><td><code>{{ t.iri }}</code></td></tr>
{% for row in t.rows %}<tr><th>{{ row.name }}</th><td>{% for v in row['values'] %}{{ value(v) }}{% if not loop.last
%}<br>{% endif %}{% endfor %}</td></tr>{% endfor %}</table>
</div>
{% endfor %}
{% endfor %}
{% endblock %}
""",
}


def _env() -> Environment:
    """The page templates: the ones above, then the files of the package's templates/ folder (which
    extend them)."""
    loader = ChoiceLoader([DictLoader(TEMPLATES), PackageLoader("wsis_kg", "templates")])
    return Environment(loader=loader, autoescape=select_autoescape(default=True), trim_blocks=False,
                       lstrip_blocks=False)


def default_queries() -> Path:
    """The competency queries of the project this module is part of, else of the one around the current
    folder: the uptake pages are their answers."""
    from .project import find_project

    here = find_project(Path(__file__).resolve().parent).queries
    return here if here.is_dir() else find_project().queries


def _key(term: Term | ox.Triple) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def curie(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Graphs:
    """Indexes of a dataset for rendering: statements both ways, labels, and where each subject lives."""

    out: dict[str, list[tuple[str, Term]]] = field(default_factory=lambda: defaultdict(list))
    inc: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    graphs_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    triples: int = 0

    @classmethod
    def of(cls, quads: Iterable[ox.Quad]) -> Graphs:
        g = cls()
        seen: set[tuple[str, str, str]] = set()
        for q in quads:
            if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
                continue
            s, p, o = _key(q.subject), q.predicate.value, q.object
            g.graphs_of[s].add(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "")
            k = (s, p, str(o))
            if k in seen:
                continue
            seen.add(k)
            g.out[s].append((p, o))
            if not isinstance(o, ox.Literal):
                g.inc[_key(o)].append((s, p))
        g.triples = len(seen)
        return g

    def values(self, s: str, p: str) -> list[Term]:
        return [o for pp, o in self.out.get(s, ()) if pp == p]

    def value(self, s: str, p: str) -> Term | None:
        vals = self.values(s, p)
        return vals[0] if vals else None

    def types(self, s: str) -> set[str]:
        return {o.value for o in self.values(s, T_TYPE) if isinstance(o, ox.NamedNode)}


def _pick_literal(values: list[Term]) -> str | None:
    lits = [v for v in values if isinstance(v, ox.Literal)]
    for v in lits:
        if v.language == "en":
            return v.value
    return lits[0].value if lits else None


def _int(term: Term | None, default: int = 0) -> int:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else default
    except ValueError:
        return default


def _safe_segment(segment: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9.\-]", lambda m: "_" + "".join(f"{b:02x}" for b in m.group(0).encode()), segment)
    if not safe or safe in (".", ".."):
        safe = "_" + safe.replace(".", "_2e")
    if len(safe) > 100:
        safe = safe[:80] + "_" + hashlib.sha1(segment.encode()).hexdigest()[:12]
    return safe


def _paragraph_name(iri: str) -> str | None:
    """"Paragraph 67" for the IRI of a numbered paragraph (.../paragraph/67), else None."""
    m = re.search(r"/paragraph/([0-9]+[a-z]?)$", iri)
    return f"Paragraph {m.group(1)}" if m else None


def iri_path(iri: str) -> str:
    """Where the page of an IRI lives in the site: the IRI's path under the base (id/action-line/C5.html),
    or ext/{host}/{path} for other IRIs; every segment made safe as a file name."""
    if iri.startswith(BASE):
        rel = iri[len(BASE):]
    else:
        parts = urlsplit(iri)
        rel = "ext/" + (parts.netloc or parts.scheme) + (parts.path or "/")
        if parts.query:
            rel += "?" + parts.query
        if parts.fragment:
            rel += "#" + parts.fragment
    return "/".join(_safe_segment(s) for s in rel.split("/")) + ".html"


class Site:
    """Renders every page of the site from a dataset's quads."""

    def __init__(self, quads: Iterable[ox.Quad], ontology_html: str | None = None,
                 downloads: dict[str, str] | None = None, served: bool = False, queries: Path | None = None) -> None:
        self._quads = list(quads)
        self.g = Graphs.of(self._quads)
        self.queries = queries or default_queries()
        self._answers: dict[str, tuple[list[str], list[Row]]] = {}
        self.env = _env()
        self.served = served
        self.downloads = downloads or {}
        onto_subjects = {s for s, gs in self.g.graphs_of.items() if str(G_ONTOLOGY) in gs}
        self.ontology_terms = {s for s in onto_subjects if self.g.types(s) & ONTOLOGY_TYPES}
        self.ontology_terms.add(str(ONTOLOGY_IRI))
        self.reference = {s for s, gs in self.g.graphs_of.items() if str(G_REFERENCE) in gs}
        self.claims = {s for s in self.g.out if self.g.value(s, str(WSIS.quote)) is not None}
        self._ontology_html = ontology_html
        self.anchors: dict[str, str] = {}
        self.paths: dict[str, str] = {}
        used: set[str] = set(RESERVED)
        for s in sorted(self.g.out):
            if s.startswith("_:") or s in self.ontology_terms or s in onto_subjects:
                continue
            path = iri_path(s)
            if path in used:
                path = path[:-5] + "_" + hashlib.sha1(s.encode()).hexdigest()[:10] + ".html"
            used.add(path)
            self.paths[s] = path
        self.by_path = {p: s for s, p in self.paths.items()}
        self._claim_order: dict[str, int] = {c: self._claim_start(c) for c in self.claims}

    # ------------------------------------------------------------ ontology page

    def ontology_page(self) -> str:
        if self._ontology_html is None:
            self._ontology_html = render_ontology(self)
        elif "wsis-kg-nav" not in self._ontology_html:
            self._ontology_html = fix_pylode(self._ontology_html)
        if not self.anchors:
            self.anchors = ontology_anchors(self._ontology_html)
        return self._ontology_html

    def ontology_href(self, iri: str, here: str) -> str:
        if not self.anchors:
            self.ontology_page()
        rel = self.rel("ontology.html", here)
        anchor = self.anchors.get(iri)
        return f"{rel}#{anchor}" if anchor else rel

    # ------------------------------------------------------------ labels and links

    def label(self, key: str) -> str:
        for p in (T_LABEL, T_PREF, T_TITLE):
            text = _pick_literal(self.g.values(key, p))
            if text:
                return " ".join(text.split())
        return curie(key) if not key.startswith("_:") else "blank node"

    @staticmethod
    def rel(target: str, here: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(here) or ".")

    def href(self, key: str, here: str) -> str | None:
        if key in self.paths:
            return self.rel(self.paths[key], here)
        if key in self.ontology_terms:
            return self.ontology_href(key, here)
        return None

    def ref(self, term: Term, here: str) -> dict[str, Any]:
        if isinstance(term, ox.Literal):
            meta = f"@{term.language}" if term.language else (
                "" if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string" else curie(term.datatype.value))
            return {"text": term.value, "meta": meta}
        key = _key(term)
        iri = term.value if isinstance(term, ox.NamedNode) else None
        return {"text": self.label(key), "href": self.href(key, here), "iri": iri}

    def ref_key(self, key: str, here: str) -> dict[str, Any]:
        return self.ref(ox.BlankNode(key[2:]) if key.startswith("_:") else ox.NamedNode(key), here)

    def _rows(self, pairs: Iterable[tuple[str, Term]], here: str) -> list[dict[str, Any]]:
        grouped: dict[str, list[Term]] = defaultdict(list)
        for p, o in pairs:
            grouped[p].append(o)
        rows = []
        for p in sorted(grouped, key=lambda p: (p != T_TYPE, self.label(p).casefold())):
            vals = sorted(grouped[p], key=lambda o: self.label(_key(o)).casefold() if not isinstance(o, ox.Literal)
                          else o.value)
            rows.append({"predicate": self.ref_key(p, here), "values": [self.ref(o, here) for o in vals]})
        return rows

    # ------------------------------------------------------------ document structure

    def _claim_start(self, claim: str) -> int:
        target = self.g.value(claim, str(WSIS.hasTextTarget))
        if target is None:
            return 1 << 30
        for sel in self.g.values(_key(target), str(OA.hasSelector)):
            start = self.g.value(_key(sel), str(OA.start))
            if start is not None:
                return _int(start)
        return 1 << 30

    def children(self, parent: str) -> list[str]:
        kids = [s for s, p in self.g.inc.get(parent, ()) if p == T_PART_OF]
        return sorted(set(kids), key=lambda k: (_int(self.g.value(k, str(WSIS.order))), k))

    def claims_in(self, node: str) -> list[str]:
        """Claims grounded in a passage, or in any passage below a section, question or document."""
        passages = [node]
        frontier = [node]
        while frontier:
            nxt = []
            for n in frontier:
                nxt += self.children(n)
            passages += nxt
            frontier = nxt
        found = {s for n in passages for s, p in self.g.inc.get(n, ()) if p == str(WSIS.groundedIn)}
        return sorted(found & self.claims, key=lambda c: (self._claim_order.get(c, 0), c))

    def entities_of(self, claim: str) -> list[str]:
        """The reference entities a claim links to, directly or through its citations and topic links."""
        found: list[str] = []
        for _, o in self.g.out.get(claim, ()):
            if isinstance(o, ox.Literal):
                continue
            k = _key(o)
            if k in self.reference:
                found.append(k)
            elif k.startswith(claim + "/"):
                found += [_key(o2) for _, o2 in self.g.out.get(k, ())
                          if not isinstance(o2, ox.Literal) and _key(o2) in self.reference]
        return sorted(set(found), key=lambda k: self.label(k).casefold())

    def claim_item(self, claim: str, here: str, with_entities: bool = True) -> dict[str, Any]:
        kinds = sorted(self.label(t) for t in self.g.types(claim) if t != str(WSIS.Claim))
        quote = self.g.value(claim, str(WSIS.quote))
        return {
            "href": self.href(claim, here), "text": self.label(claim), "kinds": kinds,
            "quote": " ".join(quote.value.split()) if isinstance(quote, ox.Literal) else None,
            "entities": [self.ref_key(e, here) for e in self.entities_of(claim)] if with_entities else [],
        }

    def claims_of(self, key: str) -> list[str]:
        """The claims that link to an entity, directly or through one of their own nodes (a topic link,
        a citation)."""
        found = {s for s, _ in self.g.inc.get(key, ()) if s in self.claims}
        found |= {s.rsplit("/", 2)[0] for s, _ in self.g.inc.get(key, ()) if s.rsplit("/", 2)[0] in self.claims}
        return sorted(found, key=lambda c: (self._claim_order.get(c, 0), c))

    def provenance(self, claim: str, target: str) -> list[dict[str, Any]]:
        """How a claim reaches an entity: a topic link stated in the text, a curator's link with its
        justification, or a property of the claim (its theme, the issue it is about, a group it names)."""
        marks: list[dict[str, Any]] = []
        for link in self.g.values(claim, str(WSIS.hasTopicLink)):
            lk = _key(link)
            if any(_key(t) == target for t in self.g.values(lk, str(WSIS.linkTarget))):
                marks.append(self._link_mark(lk))
        for p, o in self.g.out.get(claim, ()):
            if _key(o) == target and p != str(WSIS.hasTopicLink):
                label = ("curators' classification" if p in CLASSIFICATIONS else "named in the text") + \
                    f" ({self.label(p)})"
                marks.append({"kind": "property", "label": label, "justification": None})
        return marks

    def _link_mark(self, link: str) -> dict[str, Any]:
        types = self.g.types(link)
        justification = _pick_literal(self.g.values(link, str(WSIS.justification)))
        if str(WSIS.StatedLink) in types:
            return {"kind": "stated", "label": "stated in the text", "justification": justification}
        return {"kind": "curator", "label": "curator's link", "justification": justification}

    def topic_links(self, claim: str, here: str) -> list[dict[str, Any]]:
        links = []
        for link in self.g.values(claim, str(WSIS.hasTopicLink)):
            lk = _key(link)
            for target in self.g.values(lk, str(WSIS.linkTarget)):
                links.append({**self._link_mark(lk), "target": self.ref(target, here)})
        return sorted(links, key=lambda link: (link["kind"] != "stated", link["target"]["text"]))

    def conflicts(self, claim: str, here: str) -> list[dict[str, Any]]:
        """Positions this one conflicts with (the relation is symmetric: stated on either side). A conflict
        is the curators' reading of two positions on one issue, with its justification (wsis:ConflictReading,
        recorded on either position)."""
        others = {_key(o) for o in self.g.values(claim, str(WSIS.conflictsWith))}
        others |= {s for s, p in self.g.inc.get(claim, ()) if p == str(WSIS.conflictsWith)}
        found = []
        for other in sorted(others - {claim}, key=lambda c: (self._claim_order.get(c, 0), c)):
            justification = None
            for a, b in ((claim, other), (other, claim)):
                for reading in self.g.values(a, str(WSIS.hasConflictReading)):
                    rk = _key(reading)
                    if any(_key(t) == b for t in self.g.values(rk, str(WSIS.conflictingPosition))):
                        justification = _pick_literal(self.g.values(rk, str(WSIS.justification)))
            found.append({"kind": "curator", "label": "curator's reading", "justification": justification,
                          "target": self.ref_key(other, here)})
        return found

    def disagreements(self, claims: list[str], here: str) -> list[dict[str, Any]]:
        """Pairs of conflicting positions among `claims`, each once, with the curators' justification."""
        pairs = []
        seen: set[frozenset[str]] = set()
        for c in claims:
            for conflict in self.conflicts(c, here):
                other = self.by_path.get(posixpath.normpath(posixpath.join(posixpath.dirname(here),
                                                                           conflict["target"]["href"] or "")))
                pair = frozenset((c, other or ""))
                if other is None or pair in seen:
                    continue
                seen.add(pair)
                pairs.append({"a": self.ref_key(c, here), **conflict})
        return pairs

    def claim_summary(self, claim: str, here: str) -> list[dict[str, Any]]:
        """What an analyst reads first: kind, voice and support, who speaks, addressee and modality."""
        rows: list[dict[str, Any]] = []

        def add(name: str, prop: str) -> None:
            vals = self.g.values(claim, prop)
            if vals:
                rows.append({"name": name, "values": [self.ref(v, here) for v in
                                                      sorted(vals, key=lambda v: self.label(_key(v)))]})

        kinds = sorted((t for t in self.g.types(claim) if t != str(WSIS.Claim)), key=self.label)
        rows.append({"name": "Kind", "values": [self.ref_key(t, here) for t in kinds]})
        add("Voice", str(WSIS.voice))
        add("Speaker", str(WSIS.speaker))
        add("Reported by", str(WSIS.reportedBy))
        add("Support", str(WSIS.supportLevel))
        add("Addressed to", str(WSIS.addressedTo))
        unstated = self.g.value(claim, str(WSIS.addresseeUnstated))
        if isinstance(unstated, ox.Literal) and unstated.value == "true":
            rows.append({"name": "Addressed to", "values": [{"text": "not stated in the text"}]})
        add("Modality", str(WSIS.modality))
        add("About", str(WSIS.about))
        return [r for r in rows if r["values"]]

    def citation_text(self, claim: str) -> str:
        """A reference a reader can paste: document, date, question, section, paragraph, characters, IRI."""
        parts: list[str] = []
        doc = self.g.value(claim, str(WSIS.statedIn))
        if doc is not None:
            dk = _key(doc)
            title = self.label(dk)
            date = _pick_literal(self.g.values(dk, str(DCTERMS.date)) + self.g.values(dk, str(DCTERMS.issued)))
            publisher = self.g.value(dk, str(DCTERMS.publisher))
            pub = self.label(_key(publisher)) if publisher is not None and not isinstance(publisher, ox.Literal) \
                else (publisher.value if isinstance(publisher, ox.Literal) else "")
            parts.append(", ".join(x for x in (pub, f"“{title}”", date) if x))
        passage = self.g.value(claim, str(WSIS.groundedIn))
        if passage is not None:
            pk = _key(passage)
            chain = [*reversed(self.parents(pk)), pk]
            for node in chain:
                types = self.g.types(node)
                if types & {str(WSIS.Question), str(WSIS.Section), str(WSIS.Paragraph), str(WSIS.ListItem),
                            str(WSIS.Passage)}:
                    parts.append(self.label(node))
        start = self._claim_start(claim)
        if start < 1 << 30:
            parts.append(f"characters from {start}")
        parts.append(f"<{claim}>")
        return ", ".join(parts) + "."

    def parents(self, key: str) -> list[str]:
        chain = []
        seen = {key}
        current = self.g.value(key, T_PART_OF)
        while current is not None and _key(current) not in seen:
            k = _key(current)
            seen.add(k)
            chain.append(k)
            current = self.g.value(k, T_PART_OF)
        return chain

    def quote_in_context(self, claim: str, here: str) -> dict[str, Any] | None:
        passage = self.g.value(claim, str(WSIS.groundedIn))
        if passage is None:
            return None
        pk = _key(passage)
        text_t = self.g.value(pk, str(WSIS.text))
        if not isinstance(text_t, ox.Literal):
            return None
        text = text_t.value
        pstart = _int(self.g.value(pk, str(WSIS.startOffset)))
        exact: str | None = None
        start = end = -1
        target = self.g.value(claim, str(WSIS.hasTextTarget))
        for sel in self.g.values(_key(target), str(OA.hasSelector)) if target is not None else []:
            sk = _key(sel)
            if self.g.value(sk, str(OA.start)) is not None:
                start = _int(self.g.value(sk, str(OA.start))) - pstart
                end = _int(self.g.value(sk, str(OA.end))) - pstart
            ex = self.g.value(sk, str(OA.exact))
            if isinstance(ex, ox.Literal):
                exact = ex.value
        if exact is None or not (0 <= start <= end <= len(text)) or text[start:end] != exact:
            quote = exact or _pick_literal(self.g.values(claim, str(WSIS.quote))) or ""
            start = text.find(quote) if quote else -1
            if start < 0:
                return None
            end = start + len(quote)
        result: dict[str, Any] = {"before": text[:start], "quote": text[start:end], "after": text[end:],
                                  "passage": self.ref(passage, here)}
        for parent in self.parents(pk):
            types = self.g.types(parent)
            if str(WSIS.Section) in types and "section" not in result:
                result["section"] = self.ref_key(parent, here)
            if str(WSIS.Question) in types and "question" not in result:
                result["question"] = self.ref_key(parent, here)
                qt = self.g.value(parent, str(WSIS.text))
                result["question_text"] = " ".join(qt.value.split()) if isinstance(qt, ox.Literal) else ""
        return result

    def marked_text(self, passage: str) -> list[dict[str, Any]]:
        """A passage's text cut into plain and highlighted parts, one highlight per grounded quote."""
        text_t = self.g.value(passage, str(WSIS.text))
        if not isinstance(text_t, ox.Literal):
            return []
        text = text_t.value
        spans = []
        for claim in self.claims_in(passage):
            q = self.quote_in_context(claim, passage)
            if q:
                spans.append((len(q["before"]), len(q["before"]) + len(q["quote"])))
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        parts, pos = [], 0
        for s, e in merged:
            parts.append({"text": text[pos:s], "mark": False})
            parts.append({"text": text[s:e], "mark": True})
            pos = e
        parts.append({"text": text[pos:], "mark": False})
        return [p for p in parts if p["text"]]

    # ------------------------------------------------------------ pages

    def _common(self, here: str, title: str, iri: str | None = None) -> dict[str, Any]:
        alternates = []
        if self.served and iri is not None and iri.startswith(BASE):
            data = "/data/" + iri[len(BASE):]
            alternates = [{"type": "text/turtle", "href": data + ".ttl", "label": "Turtle"},
                          {"type": "application/ld+json", "href": data + ".jsonld", "label": "JSON-LD"},
                          {"type": "application/n-triples", "href": data + ".nt", "label": "N-Triples"}]
        return {"root": self.rel("index.html", here)[: -len("index.html")], "title": title, "iri": iri,
                "alternates": alternates, "crumbs": [], "served": self.served}

    def node_page(self, key: str) -> str:
        here = self.paths[key]
        ctx = self._common(here, self.label(key), key)
        types = self.g.types(key)
        ctx["kinds"] = [self.ref_key(t, here) for t in sorted(types, key=lambda t: self.label(t))]
        ctx["alt_labels"] = sorted({v.value for v in self.g.values(key, T_ALT) if isinstance(v, ox.Literal)})
        ctx["definitions"] = [v.value for p in DEFINITIONS for v in self.g.values(key, p) if isinstance(v, ox.Literal)]
        crumbs = [{"text": "Home", "href": ctx["root"] + "index.html"}]
        for parent in reversed(self.parents(key)):
            if parent in self.paths:
                crumbs.append({"text": self.label(parent), "href": self.rel(self.paths[parent], here)})
        ctx["crumbs"] = crumbs if len(crumbs) > 1 else []
        ctx["outline"], ctx["claims"], ctx["details"] = [], [], []
        ctx["claims_heading"] = "Claims"
        if key in self.claims:
            ctx["quote"] = self.quote_in_context(key, here)
            ctx["summary"] = self.claim_summary(key, here)
            ctx["cite"] = self.citation_text(key)
            ctx["topic_links"] = self.topic_links(key, here)
            ctx["conflicts"] = self.conflicts(key, here)
            grounded = self.g.value(key, str(WSIS.groundedIn))
            if grounded is not None:
                ctx["crumbs"] = [{"text": "Home", "href": ctx["root"] + "index.html"}] + [
                    {"text": self.label(p), "href": self.rel(self.paths[p], here)}
                    for p in [*reversed(self.parents(_key(grounded))), _key(grounded)] if p in self.paths]
            for _, o in sorted(self.g.out.get(key, ()), key=lambda po: _key(po[1])):
                k = _key(o)
                if not isinstance(o, ox.Literal) and k.startswith(key + "/") and k in self.paths:
                    ctx["details"].append({"node": self.ref(o, here), "rows": self._rows(self.g.out[k], here)})
        elif types & {str(WSIS.Passage), str(WSIS.Paragraph), str(WSIS.ListItem)}:
            ctx["text_marks"] = self.marked_text(key)
            if key in self.answers_by_paragraph():
                from .uptakesite import paragraph_answers

                ctx["answers"] = paragraph_answers(self, key, here)
                ctx["answers_csv"] = self.rel(self.answers_csv_path(key) or "", here)
            ctx["claims"] = [self.claim_item(c, here) for c in self.claims_in(key)]
            ctx["claims_heading"] = "Claims grounded in this passage"
        elif types & {str(WSIS.Question), str(WSIS.Section), str(WSIS.SourceDocument)}:
            text = self.g.value(key, str(WSIS.text))
            if str(WSIS.Question) in types and isinstance(text, ox.Literal):
                ctx["definitions"].insert(0, " ".join(text.value.split()))
            ctx["outline"] = self.outline(key, here)
        else:
            claims = self.claims_of(key)
            ctx["claims"] = [{**self.claim_item(c, here, with_entities=False),
                              "provenance": self.provenance(c, key)} for c in claims]
            ctx["claims_heading"] = "Claims that link to it"
            if str(WSIS.ContestedIssue) in types:
                ctx["disagreements"] = self.disagreements(claims, here)
            kinds = Counter(p["kind"] for c in ctx["claims"] for p in c["provenance"])
            if kinds["stated"] or kinds["curator"]:
                ctx["claims_note"] = (f"{kinds['stated']} stated in the text, {kinds['curator']} linked by curators "
                                      "(each with its justification).")
        csv_path = self.csv_path(key)
        ctx["csv"] = self.rel(csv_path, here) if csv_path else None
        ctx["outgoing"] = self._rows(self.g.out.get(key, ()), here)
        ctx["incoming"] = self._rows(((p, ox.NamedNode(s) if not s.startswith("_:") else ox.BlankNode(s[2:]))
                                      for s, p in self.g.inc.get(key, ())), here)
        return self.env.get_template("node.html").render(**ctx)

    def outline(self, key: str, here: str) -> list[dict[str, Any]]:
        """Sections of a question (or questions of a document), each with its claims and their entities."""
        groups: list[dict[str, Any]] = []
        direct: list[str] = []
        for child in self.children(key):
            types = self.g.types(child)
            if types & {str(WSIS.Section), str(WSIS.Question)}:
                text = self.g.value(child, str(WSIS.text)) if str(WSIS.Question) in types else None
                groups.append({"heading": self.ref_key(child, here),
                               "text": " ".join(text.value.split()) if isinstance(text, ox.Literal) else "",
                               "claims": [self.claim_item(c, here) for c in self.claims_in(child)]})
            else:
                direct += self.claims_in(child)
        if direct:
            groups.insert(0, {"heading": None, "text": "", "claims": [self.claim_item(c, here) for c in direct]})
        return groups

    def index_page(self) -> str:
        here = "index.html"
        ctx = self._common(here, "Home")
        docs = sorted(s for s in self.g.out if str(WSIS.SourceDocument) in self.g.types(s) and s in self.paths)
        documents = []
        for d in docs:
            questions = []
            for q in self.children(d):
                if str(WSIS.Question) not in self.g.types(q):
                    continue
                qt = self.g.value(q, str(WSIS.text))
                sections = [{"href": self.href(s, here), "text": self.label(s), "claims": len(self.claims_in(s))}
                            for s in self.children(q) if str(WSIS.Section) in self.g.types(s)]
                questions.append({"href": self.href(q, here), "claims": len(self.claims_in(q)), "sections": sections,
                                  "text": " ".join(qt.value.split()) if isinstance(qt, ox.Literal) else self.label(q)})
            documents.append({"node": self.ref_key(d, here), "questions": questions})
        ctx.update(
            description="Documents of the WSIS+20 review as linked data: each claim of a document is grounded in "
                        "an exact quote, and linked to the Action Lines, SDGs, instruments, bodies and stakeholder "
                        "groups it invokes. Start from a question of a document to reach its sections, claims "
                        "and entities.",
            stats={"claims": len(self.claims), "entities": len(self.reference), "triples": self.g.triples},
            documents=documents, browse=self.browse(here), **self.figures_context(here),
            downloads=[{"href": href, "text": text} for text, href in self.downloads.items()],
        )
        return self.env.get_template("index.html").render(**ctx)

    def browse(self, here: str) -> list[dict[str, Any]]:
        """The front page's ways in: framework elements, themes, groups and issues, each with its claim count."""
        from .report import members, short

        found = []
        for anchor, heading, cls in BROWSE:
            items = [{"href": self.href(e, here), "text": short(self, e), "claims": len(self.claims_of(e))}
                     for e in members(self, str(WSIS) + cls)]
            if items:
                found.append({"anchor": anchor, "heading": heading, "items": items})
        return found

    @functools.cached_property
    def _figures(self) -> Any:
        from .report import figures

        return figures(self)

    @functools.cached_property
    def _report_files(self) -> dict[str, str]:
        from .report import release_reports

        return release_reports(self, self._figures)

    def reports(self) -> dict[str, str]:
        """The report files (charts, tables), computed once."""
        return self._report_files

    def report_names(self) -> list[str]:
        """The names of the report files, without drawing the charts (a page that links them stays fast)."""
        from .report import report_names

        return report_names(self)

    def figures_context(self, here: str) -> dict[str, Any]:
        from .report import matrix_rows, members

        rows = matrix_rows(self, self._figures)
        links = [self.href(al, here) for al in members(self, str(WSIS.ActionLine))]
        captions = {"claims-per-action-line.svg": "Claims linked to each WSIS Action Line",
                    "claims-per-sdg.svg": "Claims linked to each SDG",
                    "claims-per-gdc-objective.svg": "Claims linked to each Global Digital Compact objective",
                    "claims-per-theme.svg": "Claims per theme"}
        charts = [{"href": "reports/" + name, "caption": caption,
                   "alt": f"{caption}: a bar chart; the counts are on each entity's page and in the CSV tables"}
                  for name, caption in captions.items() if name in self.report_names()]
        return {"matrix": rows, "matrix_links": links, "charts": charts}

    def _one(self, s: str, p: str) -> str | None:
        """The key of a node's one IRI or blank-node value of a property, if it has one."""
        v = self.g.value(s, p)
        return _key(v) if v is not None and not isinstance(v, ox.Literal) else None

    def _text(self, s: str, p: str) -> str:
        v = self.g.value(s, p)
        return " ".join(v.value.split()) if isinstance(v, ox.Literal) else ""

    @functools.cached_property
    def store(self) -> ox.Store:
        """The dataset as a store that the competency queries run on."""
        store = ox.Store()
        store.bulk_extend(self._quads)
        return store

    def question(self, cq: str) -> dict[str, str]:
        """A competency query by its number (cq28): its name and the question it answers."""
        from .query import resolve_query

        q = resolve_query(self.queries, cq)
        return {"name": q.name, "text": q.text.splitlines()[0].lstrip("# ").split(" ", 1)[-1]}

    def answer(self, cq: str) -> list[Row]:
        """The rows of a competency query (by its number, cq28) on this dataset, computed once."""
        return self._answer(cq)[1]

    def answer_columns(self, cq: str) -> list[str]:
        return self._answer(cq)[0]

    def _answer(self, cq: str) -> tuple[list[str], list[Row]]:
        if cq not in self._answers:
            from .query import resolve_query, run_local

            self._answers[cq] = run_local(self.store, resolve_query(self.queries, cq).text)
        return self._answers[cq]

    def answers_by_paragraph(self) -> dict[str, list[Row]]:
        """CQ32's rows (the asks each paragraph answers) by paragraph IRI."""
        return self._answers_by_paragraph

    @functools.cached_property
    def _answers_by_paragraph(self) -> dict[str, list[Row]]:
        from .uptakesite import ANSWERS, answers_index

        return answers_index(self.answer(ANSWERS))

    def answers_csv_path(self, key: str) -> str | None:
        """Where the asks a paragraph answers download as CSV, if it answers any."""
        return self.paths[key][:-5] + ".answers.csv" if key in self.paths and key in self.answers_by_paragraph() \
            else None

    def uptake_rows(self, here: str) -> list[dict[str, Any]]:
        """The curated uptake links, grouped by pair of documents, each row an ask beside its answers."""
        by_pair: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for link in self.g.out:
            if str(WSIS.UptakeLink) not in self.g.types(link):
                continue
            ask, target = self._one(link, str(WSIS.uptakeOf)), self._one(link, str(WSIS.uptakeIn))
            source = self._one(ask, str(WSIS.statedIn)) if ask else None
            if ask and target and source:
                by_pair[(source, target)].append((link, ask))
        from .uptakesite import GRADES, pair_heading

        pairs = []
        for (source, target), members in sorted(by_pair.items()):
            rows, grades, themes, labels = [], Counter[str](), {}, {}
            for link, ask in sorted(members, key=lambda la: (self._claim_order.get(la[1], 0), la[1])):
                grade = self._one(link, str(WSIS.uptakeGrade)) or ""
                slug = grade.rsplit("/", 1)[-1]
                grades[slug] += 1
                labels[slug] = self.label(grade)
                ask_themes = [_key(t) for t in self.g.values(ask, str(WSIS.hasTheme))]
                themes.update({t.rsplit("/", 1)[-1]: self.label(t) for t in ask_themes})
                answered = sorted((_key(o) for o in self.g.values(link, str(WSIS.answeredBy))),
                                  key=lambda k: (_int(self.g.value(k, str(WSIS.startOffset))), k))
                rows.append({"ask": self.ref_key(ask, here), "grade": {"slug": slug, "label": labels[slug]},
                             "quote": self._text(ask, str(WSIS.quote)),
                             "answers": [{**self.ref_key(a, here), "quote": self._text(a, str(WSIS.text)),
                                          "short": _paragraph_name(a) or self.label(a)} for a in answered],
                             "themes": [t.rsplit("/", 1)[-1] for t in ask_themes],
                             "justification": _pick_literal(self.g.values(link, str(WSIS.justification))) or ""})
            pairs.append({**pair_heading(self, source, target, here),
                          "counts": [{"slug": g, "label": labels[g], "count": grades[g]} for g in GRADES if grades[g]],
                          "themes": [{"slug": k, "text": v} for k, v in sorted(themes.items(), key=lambda kv: kv[1])],
                          "rows": rows})
        return pairs

    def uptake_page(self) -> str:
        here = "uptake.html"
        ctx = self._common(here, "Uptake")
        ctx["pairs"] = self.uptake_rows(here)
        return self.env.get_template("uptake.html").render(**ctx)

    def uptake_csv(self) -> str:
        """Every verdict as a table: both documents, the ask and its quote, grade, answers and justification."""
        from .report import _csv

        rows: list[list[Any]] = [["source", "target", "ask", "ask_label", "ask_quote", "grade", "answered_by",
                                  "answer_labels", "justification"]]
        for pair in self.uptake_rows("uptake.html"):
            for r in pair["rows"]:
                rows.append([pair["source"]["text"], pair["target"]["text"], r["ask"]["iri"], r["ask"]["text"],
                             r["quote"], r["grade"]["label"], " ".join(a["iri"] for a in r["answers"]),
                             "; ".join(a["text"] for a in r["answers"]), r["justification"]])
        return _csv(rows)

    def coverage_page(self) -> str:
        from .report import coverage_by_section

        here = "coverage.html"
        ctx = self._common(here, "Coverage")
        sections = []
        for s in coverage_by_section(self, self._figures):
            sections.append({"section": self.ref_key(s["section"], here) if s["section"] else None,
                             "anchor": _safe_segment(s["section"].rsplit("/", 1)[-1]) + "-" +
                             hashlib.sha1(s["section"].encode()).hexdigest()[:6],
                             "claims": s["claims"], "unlinked": [self.claim_item(c, here) for c in s["unlinked"]]})
        ctx.update(sections=sections, total=len(self.claims), unlinked=len(self._figures.unlinked))
        return self.env.get_template("coverage.html").render(**ctx)

    def claim_list(self, key: str) -> tuple[list[str], str | None]:
        """The claims listed on a node's page, and the entity they link to (None for a part of a document)."""
        if key in self.claims:
            return [], None
        if self.g.types(key) & {str(WSIS.Passage), str(WSIS.Paragraph), str(WSIS.ListItem), str(WSIS.Question),
                                str(WSIS.Section), str(WSIS.SourceDocument)}:
            return self.claims_in(key), None
        return self.claims_of(key), key

    def csv_path(self, key: str) -> str | None:
        claims, _ = self.claim_list(key)
        return self.paths[key][:-5] + ".csv" if claims and key in self.paths else None

    def entities_page(self) -> str:
        here = "entities.html"
        ctx = self._common(here, "Entities")
        by_kind: dict[str, list[str]] = defaultdict(list)
        for s in self.reference:
            if s not in self.paths:
                continue
            kinds = sorted(self.g.types(s)) or [""]
            by_kind[kinds[0]].append(s)
        groups = []
        for kind in sorted(by_kind, key=lambda k: self.label(k).casefold()):
            items = sorted(by_kind[kind], key=lambda s: self.label(s).casefold())
            groups.append({"kind": self.ref_key(kind, here) if kind else {"text": "Untyped"},
                           "anchor": _safe_segment(curie(kind)) or "untyped",
                           "items": [self.ref_key(s, here) for s in items]})
        ctx["groups"] = groups
        return self.env.get_template("entities.html").render(**ctx)

    def render(self, path: str) -> str | None:
        """The page at a site path (index.html, ontology.html, id/action-line/C5.html), or None."""
        if path == "index.html":
            return self.index_page()
        if path == "entities.html":
            return self.entities_page()
        if path == "ontology.html":
            return self.ontology_page()
        if path == "style.css":
            return CSS.lstrip()
        if path == "search.html":
            return self.env.get_template("search.html").render(**self._common(path, "Search"))
        if path == "search/index.js":
            return search_index_js(self)
        if path in STATIC:
            return static_text(STATIC[path])
        if path == "coverage.html":
            return self.coverage_page()
        if path == "uptake.html":
            return self.uptake_page()
        if path == "uptake.csv":
            return self.uptake_csv()
        from . import uptakesite

        if path in uptakesite.PAGES:
            return uptakesite.render_page(self, path)
        if path in uptakesite.CSVS:
            return uptakesite.render_csv(self, path)
        if path.endswith(".answers.csv"):
            key = self.by_path.get(path[: -len(".answers.csv")] + ".html")
            return uptakesite.answers_csv(self, key) if key and self.answers_csv_path(key) == path else None
        if path.startswith("reports/"):
            return self.reports().get(path[len("reports/"):])
        if path.endswith(".csv"):
            key = self.by_path.get(path[:-4] + ".html")
            if key is None or self.csv_path(key) != path:
                return None
            from .report import claims_csv

            claims, target = self.claim_list(key)
            return claims_csv(self, claims, target)
        key = self.by_path.get(path)
        return self.node_page(key) if key is not None else None

    def all_paths(self) -> list[str]:
        csvs = sorted(p for k in self.by_path.values() if (p := self.csv_path(k)))
        csvs += sorted(p for k in self.answers_by_paragraph() if (p := self.answers_csv_path(k)))
        return [*RESERVED, *("reports/" + name for name in self.report_names()), *sorted(self.by_path), *csvs]

    def write(self, out: Path, files: dict[str, Path] | None = None) -> int:
        """Write every page into `out` (replaced as a whole), with `files` (site path -> file) copied
        in; return the number of files."""
        from .release import staged_release

        count = 0
        with staged_release(out) as folder:
            for path in self.all_paths():
                text = self.render(path)
                if text is None:
                    continue
                target = folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                count += 1
            for path, source in (files or {}).items():
                target = folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                try:  # a hard link costs no space; a copy where the two folders are on different disks
                    os.link(source, target)
                except OSError:
                    shutil.copyfile(source, target)
                count += 1
        return count


# ---------------------------------------------------------------- search


def static_text(name: str) -> str:
    """A file shipped in the package's static/ folder (MiniSearch and the search page's script)."""
    from importlib.resources import files

    return files("wsis_kg").joinpath("static", name).read_text(encoding="utf-8")


def search_index_js(site: Site) -> str:
    """The records the search page indexes, as a script (a file:// page cannot fetch JSON)."""
    import json

    from .search import client_records

    data = json.dumps(client_records(site), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return "window.WSIS_SEARCH = " + data.replace("</", "<\\/") + ";\n"


# ---------------------------------------------------------------- ontology reference


def ontology_anchors(page: str) -> dict[str, str]:
    """IRI -> anchor id of each term documented in an ontology page (pyLODE's or ours)."""
    anchors: dict[str, str] = {}
    for m in re.finditer(r'<div class="[^"]*\bentity\b[^"]*" id="([^"]+)">(.*?)<code>([^<]+)</code>', page, re.S):
        if "<div" not in m.group(2):
            anchors.setdefault(html.unescape(m.group(3)).strip(), html.unescape(m.group(1)))
    return anchors


def pylode_page(ontology_ttl: str) -> str | None:
    """pyLODE's documentation of the ontology, or None where pyLODE is not installed or fails."""
    try:
        from pylode import OntPub  # type: ignore[import-untyped]
    except Exception:  # pyLODE 3.4.1 fails on import; the plain generator then takes over
        return None
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    try:
        return str(OntPub(ontology_ttl).make_html())
    except Exception:
        return None


PYLODE_STYLE = """<style id="wsis-kg-style">
#pylode { color: #595959; }
.sup-c, .sup-con { color: #a14600; } .sup-fp { color: #005a8c; } .sup-ni { color: #7a2a2a; }
</style>
"""


def fix_pylode(page: str) -> str:
    """pyLODE's page made valid and accessible: a language, unique ids (it lists a functional property
    twice, the second copy gets `-2`), text colours of at least 4.5:1, and the way back to the site."""
    page = re.sub(r"<html(?![^>]*\blang=)", '<html lang="en"', page, count=1)
    seen: dict[str, int] = {}

    def unique(m: re.Match[str]) -> str:
        n = seen[m.group(2)] = seen.get(m.group(2), 0) + 1
        return m.group(0) if n == 1 else f'{m.group(1)}id="{m.group(2)}-{n}"'

    page = re.sub(r'(\s)id="([^"]*)"', unique, page)
    page = page.replace("</head>", PYLODE_STYLE + "</head>", 1)
    nav = ('<nav id="wsis-kg-nav" style="padding:.5rem 1rem"><a href="index.html">WSIS knowledge graph</a>'
           ' · <a href="entities.html">Entities</a></nav>')
    return re.sub(r"<body[^>]*>", lambda m: m.group(0) + nav, page, count=1)


def render_ontology(site: Site) -> str:
    """A plain reference page of the ontology: class hierarchy, then every class and property."""
    g = site.g
    here = "ontology.html"
    ctx = site._common(here, site.label(str(ONTOLOGY_IRI)), str(ONTOLOGY_IRI))
    ctx["definitions"] = [v.value for p in DEFINITIONS for v in g.values(str(ONTOLOGY_IRI), p)
                          if isinstance(v, ox.Literal)]
    kinds = [("classes-list", "Classes", {str(OWL.Class), str(RDFS.Class)}),
             ("object-properties", "Object properties", {str(OWL.ObjectProperty)}),
             ("datatype-properties", "Datatype properties", {str(OWL.DatatypeProperty)}),
             ("annotation-properties", "Annotation properties", {str(OWL.AnnotationProperty), str(RDF.Property)})]
    anchors = {t: _safe_segment(curie(t).replace(":", "-") if not t.startswith(str(WSIS)) else t[len(str(WSIS)):])
               for t in site.ontology_terms}
    site.anchors = anchors
    sections = []
    for anchor, title, types in kinds:
        terms = sorted((t for t in site.ontology_terms if g.types(t) & types),
                       key=lambda t: site.label(t).casefold())
        items = []
        for t in terms:
            rows = []
            for name, p in (("Definition", str(SKOS.definition)), ("Comment", str(RDFS.comment)),
                            ("Subclass of", str(RDFS.subClassOf)), ("Subproperty of", str(RDFS.subPropertyOf)),
                            ("Domain", str(RDFS.domain)), ("Range", str(RDFS.range)),
                            ("Disjoint with", str(OWL.disjointWith)), ("Inverse of", str(OWL.inverseOf))):
                vals = g.values(t, p)
                if vals:
                    rows.append({"name": name, "values": [site.ref(v, here) for v in vals]})
            items.append({"anchor": anchors[t], "iri": t, "text": site.label(t), "rows": rows})
        sections.append({"anchor": anchor, "title": title, "terms": items})
    classes = {t for t in site.ontology_terms if g.types(t) & {str(OWL.Class), str(RDFS.Class)}}
    parents = {c: {_key(o) for o in g.values(c, str(RDFS.subClassOf))} & classes for c in classes}

    def tree(nodes: Iterable[str], seen: frozenset[str]) -> list[dict[str, Any]]:
        return [{"anchor": anchors[c], "text": site.label(c),
                 "children": tree([k for k in classes if c in parents[k]], seen | {c}) if c not in seen else []}
                for c in sorted(nodes, key=lambda c: site.label(c).casefold())]

    ctx["hierarchy"] = tree([c for c in classes if not parents[c]], frozenset())
    ctx["sections"] = sections
    return site.env.get_template("ontology.html").render(**ctx)


# ---------------------------------------------------------------- from a release


SITE_DOWNLOADS = "dist/"
DOWNLOADS = {"Turtle": "wsis-kg.ttl", "TriG": "wsis-kg.trig", "N-Quads": "wsis-kg.nq", "JSON-LD": "wsis-kg.jsonld",
             "VoID": "void.ttl", "Ontology (RDF/XML)": "ontology/wsis.owl"}


def read_release(release: Path) -> list[ox.Quad]:
    from .store import NQUADS, nquads_files

    files = nquads_files(release)
    if not files:
        raise InputError(f"{release / NQUADS} not found: run `wsis-kg build` first")
    return [q for path in files for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)]


def release_site(release: Path, downloads_prefix: str = "../", served: bool = False,
                 quads: Iterable[ox.Quad] | None = None) -> Site:
    """The site of a release; the ontology page from pyLODE when it works; the uptake pages from the
    competency queries of the project the release was built in (its queries/ beside dist/), else from
    the default ones."""
    quads = quads if quads is not None else read_release(release)
    onto = release / "ontology" / "wsis.ttl"
    page = pylode_page(onto.read_text(encoding="utf-8")) if onto.is_file() else None
    downloads = {text: downloads_prefix + name for text, name in DOWNLOADS.items() if (release / name).is_file()}
    beside = release.resolve().parent / "queries"
    queries = beside if any(beside.glob("*.rq")) else None
    return Site(quads, ontology_html=page, downloads=downloads, served=served, queries=queries)


def build_site(release: Path, out: Path | None = None) -> tuple[Path, int]:
    """Write the static site of a release (default: {release}/site); return the folder and file count.

    The downloads go into the site's own dist/ folder, so that the site folder alone can be published, and
    at the same paths as under `wsis-kg serve` (/dist/...), which void.ttl names under the base URL."""
    out = out or release / "site"
    site = release_site(release, downloads_prefix=SITE_DOWNLOADS)
    files = {SITE_DOWNLOADS + name: release / name for name in DOWNLOADS.values() if (release / name).is_file()}
    count = site.write(out, files)
    from .rdfio import atomic_write_text

    (release / "reports").mkdir(exist_ok=True)
    for name, text in site.reports().items():
        atomic_write_text(release / "reports" / name, text)
    return out, count


__all__ = ["CSS", "Graphs", "Site", "build_site", "curie", "iri_path", "ontology_anchors", "pylode_page",
           "read_release", "release_site", "render_ontology"]
