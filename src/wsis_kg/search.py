"""Full-text search over the claims of a release (`wsis-kg search`) and the records of the site's
client-side index.

Each claim is one record: its label, its quote, the text of its passage, its section and question,
and the labels of what it links to (themes, Action Lines, groups ...). Ranking is SQLite's FTS5 BM25
(Python's standard library; the Porter stemmer folds "budgets" and "budgeting"), with a label weighing
more than a quote, and a quote more than the rest of its passage. The index is built in memory from the
release on each run: for a few hundred claims that costs a few milliseconds beside the second it takes to
read the release (benchmarks/bench_search.py), so no index file can go stale.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from .docs import Site, _key, _pick_literal
from .errors import InputError
from .namespaces import BASE, ID, WSIS

# column weights for bm25(): label, quote, passage, context (section and question), linked entities
COLUMNS = ("label", "quote", "passage", "context", "entities")
WEIGHTS = (8.0, 4.0, 1.0, 1.0, 2.0)


@dataclass
class Record:
    """One claim as the search sees it."""

    iri: str
    href: str
    label: str
    quote: str
    passage: str
    passage_iri: str
    context: str
    entities: str
    doc: str
    kinds: list[str]
    themes: list[str]


def _fold(text: str) -> str:
    return " ".join(text.split())


def records(site: Site) -> list[Record]:
    """The claims of a site's dataset, in document order."""
    g = site.g
    found = []
    for claim in sorted(site.claims, key=lambda c: (site._claim_order.get(c, 0), c)):
        passage = g.value(claim, str(WSIS.groundedIn))
        pk = _key(passage) if passage is not None else ""
        ptext = _pick_literal(g.values(pk, str(WSIS.text))) or ""
        context = [site.label(p) for p in site.parents(pk)] if pk else []
        doc = g.value(claim, str(WSIS.statedIn))
        doc_id = _key(doc).rsplit("/", 1)[-1] if doc is not None else ""
        kinds = sorted(t.rsplit("#", 1)[-1] for t in g.types(claim) if t.startswith(str(WSIS)) and t != str(WSIS.Claim))
        themes = sorted(_key(t) for t in g.values(claim, str(WSIS.hasTheme)))
        entities = site.entities_of(claim)
        found.append(Record(
            iri=claim, href=site.paths.get(claim, ""), label=site.label(claim),
            quote=_fold(_pick_literal(g.values(claim, str(WSIS.quote))) or ""),
            passage=_fold(ptext), passage_iri=pk, context=" · ".join(reversed(context)),
            entities=" · ".join(site.label(e) for e in entities), doc=doc_id, kinds=kinds, themes=themes))
    return found


class SearchIndex:
    """An FTS5 index of claim records, in memory."""

    def __init__(self, recs: list[Record]) -> None:
        self.records = recs
        self.db = sqlite3.connect(":memory:")
        self.db.execute(f"CREATE VIRTUAL TABLE claims USING fts5({', '.join(COLUMNS)}, "
                        "tokenize='porter unicode61 remove_diacritics 2')")
        self.db.executemany(f"INSERT INTO claims(rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
                            [(i, r.label, r.quote, r.passage, r.context, r.entities) for i, r in enumerate(recs)])

    def search(self, text: str, limit: int = 10, doc: str | None = None, kind: str | None = None,
               theme: str | None = None) -> list[tuple[float, Record]]:
        """Claims matching every word of `text` (else any word), best first; filters narrow the hits."""
        words = re.findall(r"\w+", text.casefold())
        if not words:
            raise InputError(f"search {text!r}: give at least one word, e.g. wsis-kg search \"gender budgeting\"")
        keep = self._filter(doc, kind, theme)
        weights = ", ".join(str(w) for w in WEIGHTS)
        hits: list[tuple[float, Record]] = []
        for joiner in (" AND ", " OR "):
            match = joiner.join(f'"{w}"' for w in words)  # each word quoted: no FTS5 syntax from the user
            rows = self.db.execute(f"SELECT rowid, bm25(claims, {weights}) FROM claims WHERE claims MATCH ? "
                                   "ORDER BY bm25(claims, " + weights + ")", (match,)).fetchall()
            hits = [(-score, self.records[i]) for i, score in rows if keep(self.records[i])]
            if hits or len(words) == 1:
                break
        return hits[:limit]

    def _filter(self, doc: str | None, kind: str | None, theme: str | None) -> Any:
        docs = {r.doc for r in self.records}
        kinds = {k for r in self.records for k in r.kinds}
        themes = {t for r in self.records for t in r.themes}
        if doc is not None:
            doc = doc.rsplit("/", 1)[-1]
            if doc not in docs:
                raise InputError(f"--doc {doc!r}: no such document; known: {', '.join(sorted(docs))}")
        if kind is not None:
            match = {k for k in kinds if k.casefold() == kind.casefold().removeprefix("wsis:")}
            if not match:
                raise InputError(f"--kind {kind!r}: no claim of that kind; known: {', '.join(sorted(kinds))}")
            kind = match.pop()
        theme_iri = None
        if theme is not None:
            slug = theme.removeprefix("theme:").rsplit("/", 1)[-1]
            theme_iri = str(ID) + "theme/" + slug
            if theme_iri not in themes:
                known = sorted(t[len(str(ID) + "theme/"):] for t in themes if t.startswith(BASE))
                raise InputError(f"--theme {theme!r}: no claim has that theme; known: {', '.join(known)}")

        def keep(r: Record) -> bool:
            return ((doc is None or r.doc == doc) and (kind is None or kind in r.kinds)
                    and (theme_iri is None or theme_iri in r.themes))

        return keep


def search_release(quads: list[ox.Quad], text: str, **kwargs: Any) -> list[tuple[float, Record]]:
    return SearchIndex(records(Site(quads))).search(text, **kwargs)


def format_hits(hits: list[tuple[float, Record]]) -> str:
    if not hits:
        return "no claim matches; try fewer or other words\n"
    lines = []
    for n, (score, r) in enumerate(hits, 1):
        lines.append(f"{n:2}. {r.label}  [{', '.join(r.kinds)}; score {score:.2f}]")
        lines.append(f"    <{r.iri}>")
        lines.append(f"    “{r.quote}”")
        if r.context:
            lines.append(f"    {r.doc} · {r.context}")
    return "\n".join(lines) + "\n"


def client_records(site: Site) -> dict[str, Any]:
    """What the site's search page indexes in the browser: claims (label, quote, section, entities; the
    passage text once per passage) and reference entities (label, alternative labels, definition)."""
    claims, passages = [], {}
    for r in records(site):
        if r.passage_iri and r.passage_iri not in passages:
            passages[r.passage_iri] = r.passage
        claims.append({"id": r.href, "t": "claim", "label": r.label, "quote": r.quote, "p": r.passage_iri,
                       "context": r.context, "entities": r.entities, "kinds": " ".join(r.kinds)})
    g = site.g
    for e in sorted(site.reference):
        if e not in site.paths:
            continue
        alt = " ".join(v.value for v in g.values(e, "http://www.w3.org/2004/02/skos/core#altLabel")
                       if isinstance(v, ox.Literal))
        kinds = " ".join(site.label(t) for t in sorted(g.types(e)))
        claims.append({"id": site.paths[e], "t": "entity", "label": site.label(e), "quote": alt, "p": "",
                       "context": kinds, "entities": "", "kinds": kinds})
    return {"records": claims, "passages": passages}


__all__ = ["Record", "SearchIndex", "client_records", "format_hits", "records", "search_release"]
