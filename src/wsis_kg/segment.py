"""Segment a source text into Document > Question > Section > Passage, with exact offsets.

The texts are PDF extractions: a page break can cut a paragraph in two with a blank line, and a
bullet can wrap over several lines. A passage keeps the whole span, page break included, so that
offsets always slice the source to the passage's text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral
from typing import Protocol

from rdflib import Graph, Literal, URIRef

from .namespaces import DCTERMS, RDF, RDFS, WSIS, XSD

PassageKind = TypingLiteral["paragraph", "list-item"]

_QUESTION = re.compile(r"(\d+)\.\s+\S")
_TERMINAL = (".", ":", ";", "?", "!")
_HEADING_MAX = 150


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start:self.end]


@dataclass
class Passage:
    kind: PassageKind
    start: int
    end: int
    order: int = 0


@dataclass
class Section:
    heading: Span
    slug: str
    order: int
    passages: list[Passage] = field(default_factory=list)


@dataclass
class Question:
    number: int
    span: Span
    order: int
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)  # passages before the first heading


@dataclass
class Structure:
    front_matter: list[Span]
    preamble: list[Passage]
    questions: list[Question]

    genre = "consultation-response"

    def passages(self) -> list[Passage]:
        out = list(self.preamble)
        for q in self.questions:
            out += q.passages
            for s in q.sections:
                out += s.passages
        return out

    def component_spans(self, doc_iri: str) -> list[tuple[int, int, URIRef]]:
        """Passages and headings with their IRIs (a heading can state a claim too: a priority printed as a
        section title)."""
        spans: list[tuple[int, int, URIRef]] = []
        for p in self.preamble:
            spans.append((p.start, p.end, URIRef(f"{doc_iri}/preamble/p{p.order}")))
        for q in self.questions:
            qi = f"{doc_iri}/q{q.number}"
            for p in q.passages:
                spans.append((p.start, p.end, URIRef(f"{qi}/p{p.order}")))
            spans.append((q.span.start, q.span.end, URIRef(qi)))
            for sec in q.sections:
                spans.append((sec.heading.start, sec.heading.end, URIRef(f"{qi}/{sec.slug}")))
                for p in sec.passages:
                    spans.append((p.start, p.end, URIRef(f"{qi}/{sec.slug}/p{p.order}")))
        return spans

    def excluded_spans(self) -> list[tuple[int, int]]:
        return []

    def graph(self, doc_iri: str, label: str, source: str) -> Graph:
        return structure_graph(doc_iri, label, source, self)


class TextSpan(Protocol):
    start: int
    end: int


class DocumentStructure(Protocol):
    """What every genre's structure offers the build: passages to ground claims in, the IRIs of its
    components, the spans (page furniture, footnotes) that quotes may skip, and its RDF."""

    genre: str

    def passages(self) -> Sequence[TextSpan]: ...  # pragma: no cover

    def component_spans(self, doc_iri: str) -> list[tuple[int, int, URIRef]]: ...  # pragma: no cover

    def excluded_spans(self) -> list[tuple[int, int]]: ...  # pragma: no cover

    def graph(self, doc_iri: str, label: str, source: str) -> Graph: ...  # pragma: no cover


@dataclass(frozen=True)
class _Block:
    """A run of non-blank lines: (start, end) of each line, without the newline."""

    lines: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.lines[0][0]

    @property
    def end(self) -> int:
        return self.lines[-1][1]


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[tuple[int, int]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        start, end = pos, pos + len(body)
        pos += len(raw)
        if body.strip():
            # trim surrounding spaces so that spans start and end on text
            end = start + len(body.rstrip())
            start += len(body) - len(body.lstrip())
            current.append((start, end))
        elif current:
            blocks.append(_Block(tuple(current)))
            current = []
    if current:
        blocks.append(_Block(tuple(current)))
    return blocks


def _is_heading(text: str) -> bool:
    return (
        "\n" not in text
        and len(text) <= _HEADING_MAX
        and not text.endswith((*_TERMINAL, ","))
        and not text.startswith("- ")
        and not text[0].islower()
    )


def _terminated(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL)


def slugify(text: str, max_words: int = 8) -> str:
    """A readable IRI segment derived from a heading: ASCII, lowercase, hyphenated."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:max_words]) or "untitled"


def _list_items(source: str, block: _Block) -> list[tuple[int, int]]:
    """Split a bulleted block into items; a line that does not open with '- ' continues the item."""
    items: list[list[int]] = []
    for start, end in block.lines:
        line = source[start:end]
        if line.startswith("- "):
            items.append([start + 2, end])
        elif items:
            items[-1][1] = end
        else:
            items.append([start + len(line) - len(line.lstrip()), end])
    return [(s, e) for s, e in items]


def segment(source: str) -> Structure:
    """Segment one text; pure function of the text, so any document of the genre works alike."""
    structure = Structure(front_matter=[], preamble=[], questions=[])
    last: Passage | None = None
    question: Question | None = None
    section: Section | None = None
    slugs: set[str] = set()

    def add(passage: Passage) -> None:
        nonlocal last
        target = section.passages if section else (question.passages if question else structure.preamble)
        passage.order = len(target) + 1
        target.append(passage)
        last = passage

    blocks = _blocks(source)
    for i, block in enumerate(blocks):
        text = source[block.start:block.end]
        following = source[blocks[i + 1].start] if i + 1 < len(blocks) else ""
        m = _QUESTION.match(text)
        if m and "\n" not in text:
            question = Question(int(m.group(1)), Span(block.start, block.end), len(structure.questions) + 1)
            structure.questions.append(question)
            section, last, slugs = None, None, set()
            continue
        continues = last is not None and (
            text[0].islower()
            or (not _terminated(source[last.start:last.end]) and not (_is_heading(text) and not following.islower()))
        )
        if continues and last is not None:
            # a paragraph cut by a page break: the passage spans both parts
            if text.startswith("- "):
                items = _list_items(source, block)
                last.end = items[0][1]
                for s, e in items[1:]:
                    add(Passage("list-item", s, e))
            else:
                last.end = block.end
            continue
        if _is_heading(text) and not following.islower():
            if question is None:
                # title, date or heading before the first question: front matter
                structure.front_matter.append(Span(block.start, block.end))
                continue
            slug = base = slugify(text)
            n = 2
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
            section = Section(Span(block.start, block.end), slug, len(question.sections) + 1)
            question.sections.append(section)
            last = None
            continue
        if text.startswith("- "):
            for s, e in _list_items(source, block):
                add(Passage("list-item", s, e))
        else:
            add(Passage("paragraph", block.start, block.end))
    return structure


def structure_graph(source_iri: str, label: str, source: str, structure: Structure) -> Graph:
    """The document's structure as RDF: every node labelled, with its text and offsets."""
    doc = URIRef(source_iri)
    g = Graph()

    def node(iri: URIRef, cls: URIRef, span: tuple[int, int], order: int, lbl: str, parent: URIRef) -> None:
        s, e = span
        g.add((iri, RDF.type, cls))
        g.add((iri, RDFS.label, Literal(lbl, lang="en")))
        g.add((iri, WSIS.text, Literal(source[s:e])))
        g.add((iri, WSIS.startOffset, Literal(s, datatype=XSD.nonNegativeInteger)))
        g.add((iri, WSIS.endOffset, Literal(e, datatype=XSD.nonNegativeInteger)))
        g.add((iri, WSIS.order, Literal(order, datatype=XSD.positiveInteger)))
        g.add((iri, WSIS.inDocument, doc))
        g.add((iri, DCTERMS.isPartOf, parent))
        g.add((parent, DCTERMS.hasPart, iri))

    def passages(prefix: str, parent: URIRef, items: list[Passage], where: str) -> None:
        for p in items:
            cls = WSIS.ListItem if p.kind == "list-item" else WSIS.Paragraph
            kind = "List item" if p.kind == "list-item" else "Paragraph"
            node(URIRef(f"{prefix}/p{p.order}"), cls, (p.start, p.end), p.order, f"{kind} {p.order} of {where}",
                 parent)

    # the preamble's passages belong to the document itself
    passages(f"{doc}/preamble", doc, structure.preamble, f"the preamble of {label}")
    for q in structure.questions:
        qi = URIRef(f"{doc}/q{q.number}")
        node(qi, WSIS.Question, (q.span.start, q.span.end), q.order, f"Question {q.number}", doc)
        g.add((qi, WSIS.questionNumber, Literal(q.number, datatype=XSD.positiveInteger)))
        passages(str(qi), qi, q.passages, f"question {q.number}")
        for sec in q.sections:
            si = URIRef(f"{qi}/{sec.slug}")
            heading = sec.heading.text(source)
            node(si, WSIS.Section, (sec.heading.start, sec.heading.end), sec.order, heading, qi)
            passages(str(si), si, sec.passages, f"'{heading}'")
    return g
