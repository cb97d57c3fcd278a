"""What the document says about itself: its genre, UN symbol, date, title and publisher, and whether it is
the text of an instrument the reference data knows. Everything here is a proposal that flags override."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rdflib import Graph, URIRef

from ..namespaces import DCTERMS, RDF, RDFS, SKOS, WSIS
from .layout import SYMBOL, read_lines, terminated
from .resolution import _CHAPEAU, _PREAMBULAR

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], 1)}
_DATE = re.compile(r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|"
                   r"December) (\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_QUESTION = re.compile(r"(?m)^\d+\.\s+\S.*\?\s*$")
_OPERATIVE_VERB = re.compile(r"(?m)^\d{1,3}\.\s+(?:We\s+)?(?:[A-Z][a-z]+s|[a-z]+s|decide|reaffirm|recognize|"
                             r"call|request|invite|encourage|note|commit|welcome|emphasize)\b")
_UN_PUBLISHERS = {"A": "United Nations General Assembly", "E": "United Nations Economic and Social Council",
                  "S": "United Nations Security Council", "A/HRC": "United Nations Human Rights Council",
                  "HRC": "United Nations Human Rights Council"}


@dataclass
class Proposal:
    genre: str
    symbol: str = ""
    date: str = ""
    title: str = ""
    publisher: str = ""


def detect_genre(text: str) -> str:
    """Questions ending in "?" that open numbered blocks: a consultation response; a UN symbol with a chapeau,
    preambular or operative paragraphs: a resolution; anything else: a report."""
    if len(_QUESTION.findall(text)) >= 2:
        return "consultation-response"
    head = text[:3000]
    lines = [ln.strip() for ln in text.splitlines()]
    chapeau = any(_CHAPEAU.match(ln) for ln in lines[:200])
    preambular = sum(1 for ln in lines if _PREAMBULAR.match(ln))
    operative = len(_OPERATIVE_VERB.findall(text))
    if SYMBOL.search(head) and (chapeau or preambular >= 2 or operative >= 3):
        return "resolution"
    if chapeau and (preambular >= 2 or operative >= 3):
        return "resolution"
    return "report"


def _first_date(text: str) -> str:
    m = _DATE.search(text)
    if m:
        return date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))).isoformat()
    m = _ISO.search(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return ""
    return ""


def _title(text: str, genre: str, fallback: str) -> str:
    """A resolution: the longest heading before the first preambular or numbered paragraph (the outcome's
    own title, not the agenda item's); other genres: the first line that reads as a title."""
    lines, _, _, _ = read_lines(text)
    if genre == "resolution":
        from .resolution import segment_resolution

        layout = segment_resolution(text)
        titles = [" ".join(p.text(text).split()) for p in layout.parts if p.kind == "title"]
        if titles:
            return max(titles, key=len)
        heads = []
        for ln in lines[:40]:
            if _PREAMBULAR.match(ln.text) or re.match(r"^\d+\.\s", ln.text):
                break
            if not terminated(ln.text, allow_comma=True) and len(ln.text.split()) >= 4 and not SYMBOL.search(ln.text):
                heads.append(ln.text)
        if heads:
            return max(heads, key=len)
    for ln in lines[:15]:
        if 3 <= len(ln.text) <= 200 and not terminated(ln.text) and not SYMBOL.fullmatch(ln.text):
            return ln.text
    return fallback


def propose(text: str, properties: dict[str, str], genre: str | None = None) -> Proposal:
    genre = genre or detect_genre(text)
    head = text[:3000]
    m = SYMBOL.search(head)
    symbol = m.group(0) if m else ""
    when = _first_date(head) or _pdf_date(properties.get("creationdate", ""))
    title = _title(text, genre, properties.get("title", ""))
    publisher = ""
    if symbol:
        organ = "A/HRC" if symbol.startswith("A/HRC") else symbol.split("/", 1)[0]
        publisher = _UN_PUBLISHERS.get(organ, "")
    publisher = publisher or properties.get("author", "")
    return Proposal(genre, symbol, when, title, publisher)


def _pdf_date(value: str) -> str:
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", value) or re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""


def publisher_from_reference(reference: Graph, text: str) -> str:
    """The body of the reference data whose full name comes first in the opening of the text ("This document
    has been developed by the Informal Multistakeholder Sounding Board"), with its acronym if it has one."""
    head = " ".join(text[:1500].split())
    best: tuple[int, str] | None = None
    for body in reference.subjects(RDF.type, WSIS.Body):
        name = reference.value(body, RDFS.label)
        if name is None or len(str(name).split()) < 2:
            continue
        at = head.find(str(name))
        if at >= 0 and (best is None or at < best[0]):
            acronyms = sorted(str(a) for a in reference.objects(body, SKOS.altLabel)
                              if str(a).isupper() and f"({a})" in head)
            best = (at, f"{name} ({acronyms[0]})" if acronyms else str(name))
    return best[1] if best else ""


def _fold(s: str) -> str:
    return " ".join(s.lower().split())


def find_instrument(reference: Graph, symbol: str, title: str, when: str) -> URIRef | None:
    """The instrument whose UN symbol is the document's; or whose title is the document's title, issued the
    same year (a draft's symbol differs from the resolution's; the title and the year do not)."""
    instruments = {s for p in (WSIS.unSymbol, DCTERMS.title) for s in reference.subjects(p, None)
                   if isinstance(s, URIRef)}
    if symbol:
        for s in sorted(instruments, key=str):
            names = {str(o) for p in (WSIS.unSymbol, SKOS.altLabel) for o in reference.objects(s, p)}
            if symbol in names:
                return s
    if title:
        hits = []
        for s in sorted(instruments, key=str):
            titles = {_fold(str(o)) for p in (DCTERMS.title, RDFS.label, SKOS.prefLabel)
                      for o in reference.objects(s, p)}
            issued = str(reference.value(s, DCTERMS.issued) or "")
            if _fold(title) in titles and (not when or not issued or issued[:4] == when[:4]):
                hits.append(s)
        if len(hits) == 1:
            return hits[0]
    return None
