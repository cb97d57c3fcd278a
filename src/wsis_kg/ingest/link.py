"""Propose entity mentions: where a text names a body, instrument, initiative, stakeholder group,
technology, Action Line or SDG of the reference data, or cites a resolution or a numbered paragraph.

Every label, alternative label, acronym and UN symbol of the reference data goes into ONE Aho-Corasick
automaton (pyahocorasick: a C implementation, so the scan costs one pass over the text however many
names there are). The scan runs on a folded copy of the text (`textnorm`): case, accents, line and
page breaks, hyphen variants and line-end hyphenation do not hide a name. Acronyms and symbols are
checked case-sensitively, every match must start and end on a word boundary, and where matches overlap
the longest wins, so "Internet Governance Forum" is one mention and not three.

A proposal is not a curator's statement: `mentions_graph` writes each one as a Web Annotation that the
linker generated, with a score and the status "proposed", which a curator turns into "confirmed" or
"rejected".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import __version__
from ..anchor import add_text_target
from ..errors import AnchorError, InputError
from ..namespaces import ID, OA, PREFIXES, PROV, RDF, RDFS, SKOS, WSIS, XSD
from ..project import Project
from ..rdfio import atomic_write_text, canonical_turtle, parse_turtle, parse_turtle_files
from .candidates import Candidate, find_candidates
from .citations import canonical_symbol, find_goal_refs, find_paragraph_refs, find_symbols
from .textnorm import Normalised, fold_label, furniture_spans, normalise

LINKER_VERSION = __version__

MENTION_STATUS = ID["mention-status/"]
PROPOSED = URIRef(f"{MENTION_STATUS}proposed")
CONFIRMED = URIRef(f"{MENTION_STATUS}confirmed")
REJECTED = URIRef(f"{MENTION_STATUS}rejected")

# Reference individuals that are vocabulary for curators, not things a text names.
NOT_NAMED = frozenset(
    WSIS[c] for c in ("Voice", "SupportLevel", "Modality", "CitationAct", "Comparator", "Unit", "Theme",
                      "BarrierKind", "MentionStatus")
) | {SKOS.ConceptScheme}

# Of these, the names still count as names where they overlap others: "Internet governance" (a theme)
# is no mention of the Internet, though the theme itself is not proposed.
BLOCKING = frozenset(WSIS[c] for c in ("Theme", "BarrierKind"))

INSTRUMENT_CLASSES = frozenset(
    WSIS[c] for c in ("Instrument", "IntergovernmentalText", "MultistakeholderText", "PolicyFramework",
                      "ProcessDocument")
)

# Labels too generic to stand for an entity when they occur alone (they still count inside a longer
# name: "investment" is no mention, "private sector investment" is).
GENERIC = frozenset({"annual event", "business", "investment", "cloud", "dedicated resources", "oxford"})
# Short names that name the entity only when written with capitals as in the reference data: "the
# Elements Paper", "Dynamic Coalitions"; "a plan of action", "policy networks" are ordinary words.
CASED = frozenset({
    "leadership panel", "policy networks", "dynamic coalitions", "plan of action", "declaration of principles",
    "elements paper", "zero draft", "best practice fora", "best practice forums", "the internet", "action lines",
})

# Scores: how sure a kind of match is that it names the entity.
SCORES = {"label": 0.9, "altLabel": 0.8, "acronym": 0.75, "symbol": 0.95, "citation": 0.95}


@dataclass(frozen=True)
class Mention:
    """A proposed mention: [start, end) in code points of the stored text, the entity it names."""

    start: int
    end: int
    entity: str
    kind: str  # label, acronym, symbol, citation
    score: float
    surface: str


@dataclass(frozen=True)
class _Entry:
    entity: str
    kind: str
    score: float
    form: str | None  # the cased form an acronym or symbol must match exactly; None: any case


@dataclass(order=True)
class _Hit:
    start: int  # in folded text
    end: int
    priority: int
    entries: list[_Entry] = field(compare=False)
    # a citation of a known provision blocks only its "paragraph N of" part, so that the name of the
    # cited instrument inside it is a mention of its own
    block_end: int | None = field(default=None, compare=False)


def _is_acronym(form: str) -> bool:
    """One token, mostly capitals ("ITU", "UNESCO", "SDGs", "NRIs", "WSIS+20") or a symbol."""
    if " " in form:
        return False
    if re.fullmatch(r"[A-Z]\d{1,2}", form):  # Action Line numbers: C1 ... C11
        return True
    letters = [c for c in form if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper * 2 >= len(letters)


def _is_symbol(form: str) -> bool:
    return "/" in form and any(c.isdigit() for c in form)


def _plural(form: str) -> str | None:
    last = form.rsplit(" ", 1)[-1]
    if not last.isalpha() or last.lower().endswith("s"):
        return None
    if last.lower().endswith(("x", "ch", "sh")):
        return form + "es"
    if last.lower().endswith("y") and len(last) > 2 and last[-2].lower() not in "aeiou":
        return form[:-1] + "ies"
    return form + "s"


def label_variants(label: str) -> list[tuple[str, bool]]:
    """The folded forms under which a label is matched, each with whether it is a plural."""
    base = fold_label(label).strip()
    forms = {base}
    if "-" in base:
        forms |= {base.replace("-", " "), base.replace("-", "")}
    out = [(f, False) for f in sorted(forms)]
    for f in sorted(forms):
        p = _plural(f) if not _is_symbol(f) else None
        if p is not None and (not _is_acronym(f) or f[-1].isupper()):
            out.append((p if not _is_acronym(f) else f + "s", True))
    return out


_WORD_BEFORE = re.compile(r"([A-Za-z]+)[ ]$")
_WORD_AFTER = re.compile(r"[ ]([A-Za-z]+)")
_UN_PREFIX = re.compile(r"(?:^|(?<=[^\w]))(?:UN|United Nations) $")
_TITLES = ("secretary-general", "secretary general")


def _footnote_marker(cased: str, key: str, end: int) -> bool:
    """"the Tunis Agenda for the Information Society1": digits glued to the end of a name are a footnote
    marker when a non-alphanumeric character or a capital (the footnote's text run in) follows them."""
    if not key[-1].isalpha():
        return False
    j = end
    while j < len(cased) and j - end < 3 and cased[j].isdigit():
        j += 1
    return j > end and (j == len(cased) or not cased[j].isalnum() or cased[j].isupper())


def _widen_to_un_prefix(cased: str, hit: _Hit) -> None:
    """"UN Economic Commission for Africa", "United Nations Office for Digital and Emerging Technologies":
    the prefix belongs to the name even where the reference data lists the name without it."""
    m = _UN_PREFIX.search(cased, max(0, hit.start - 15), hit.start)
    if m is not None and hit.priority < 3:
        hit.start = m.start()


def _office_of_another_body(lower: str, hit: _Hit) -> bool:
    """"the Secretary-General of the International Telecommunication Union" is not the UN Secretary-General."""
    key = lower[hit.start:hit.end]
    return key in _TITLES and lower.startswith(" of ", hit.end) and not lower.startswith(
        (" of the united nations", " of the un "), hit.end)


class Linker:
    """Entity linker compiled once from reference data; `link` is then one pass over a text."""

    def __init__(self) -> None:
        self._automaton = ahocorasick.Automaton()
        self._entries: dict[str, list[_Entry]] = defaultdict(list)
        self.symbols: dict[str, str] = {}  # canonical UN symbol → entity
        self.provisions: dict[tuple[str, int, int], str] = {}  # (instrument, first, last) → provision
        self.instruments: set[str] = set()
        self.goals: dict[int, str] = {}  # SDG number → entity
        self.labels: dict[str, str] = {}  # entity → English label, for annotation labels
        self.known_forms: set[str] = set()  # lower-case folded forms, for the candidate report

    # -- compiling ------------------------------------------------------------------------------
    @classmethod
    def from_graph(cls, reference: Graph, provisions_from: Iterable[Graph] = ()) -> Linker:
        """Compile every name of every nameable reference individual into one automaton. Citations of
        numbered paragraphs resolve to the provisions of `reference` and of `provisions_from` (the
        structure graphs of documents that are the text of an instrument, whose paragraphs are that
        instrument's paragraphs); nothing else is taken from those graphs."""
        linker = cls()
        types: dict[Node, set[Node]] = defaultdict(set)
        for s, o in reference.subject_objects(RDF.type):
            types[s].add(o)
        for g in (reference, *provisions_from):
            for prov_node in set(g.subjects(WSIS.ofInstrument, None)):
                inst = g.value(prov_node, WSIS.ofInstrument)
                first = g.value(prov_node, WSIS.firstParagraph)
                last = g.value(prov_node, WSIS.lastParagraph)
                if inst is not None and first is not None and last is not None:
                    linker.provisions[(str(inst), int(str(first)), int(str(last)))] = str(prov_node)
                    linker.instruments.add(str(inst))
                    label = g.value(prov_node, RDFS.label)
                    if label is not None:
                        linker.labels.setdefault(str(prov_node), str(label))
        for s, classes in types.items():
            if isinstance(s, URIRef) and classes & BLOCKING:
                for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
                    for o in reference.objects(s, p):
                        linker.add_name(str(s), str(o), "block")
            if not isinstance(s, URIRef) or classes & NOT_NAMED:
                continue
            if classes & INSTRUMENT_CLASSES:
                linker.instruments.add(str(s))
            notation = reference.value(s, SKOS.notation)
            if WSIS.SustainableDevelopmentGoal in classes and notation is not None and str(notation).isdigit():
                linker.goals[int(str(notation))] = str(s)
            label = reference.value(s, RDFS.label) or reference.value(s, SKOS.prefLabel)
            if label is not None:
                linker.labels[str(s)] = str(label)
            names: list[tuple[str, str]] = []
            for p, how in ((RDFS.label, "label"), (SKOS.prefLabel, "label"), (SKOS.altLabel, "altLabel"),
                           (WSIS.unSymbol, "symbol")):
                names += [(str(o), how) for o in reference.objects(s, p)]
            for name, how in names:
                if how == "symbol" or _is_symbol(name):
                    canon = canonical_symbol(name.strip())
                    if canon is not None:
                        linker.symbols.setdefault(canon, str(s))
                linker.add_name(str(s), name, how)
        linker._automaton.make_automaton()
        return linker

    def add_name(self, entity: str, name: str, how: str) -> None:
        """Register one name of an entity (before the automaton is made)."""
        if fold_label(name).strip().lower() in GENERIC:
            return
        for form, plural in label_variants(name):
            if not form or form.lower() in GENERIC:
                continue
            symbol = _is_symbol(form) or how == "symbol"
            acronym = _is_acronym(form)
            if len(form) < 2 or (len(form) < 3 and not acronym):
                continue
            kind = "block" if how == "block" else "symbol" if symbol else "acronym" if acronym else "label"
            score = SCORES.get(kind if kind != "label" else how, SCORES["label"])
            if plural:
                score -= 0.05
            cased = symbol or acronym or form.lower() in CASED or (plural and form[:-1].lower() in CASED)
            entry = _Entry(entity, kind, round(score, 2), form if cased else None)
            key = form.lower()
            self.known_forms.add(key)
            bucket = self._entries[key]
            if any(e.entity == entity and e.form == entry.form for e in bucket):
                if entry.score > max(e.score for e in bucket if e.entity == entity):
                    bucket[:] = [e for e in bucket if e.entity != entity] + [entry]
                continue
            bucket.append(entry)
            if len(bucket) == 1:
                self._automaton.add_word(key, key)

    # -- matching -------------------------------------------------------------------------------
    def raw_matches(self, lower: str) -> int:
        """How many keys the automaton reports in a folded text: the library's cost alone."""
        return sum(1 for _ in self._automaton.iter(lower))

    def _label_hits(self, text: str, norm: Normalised) -> list[_Hit]:
        lower, cased = norm.lower, norm.cased
        n = len(lower)
        hits = []
        for last, key in self._automaton.iter(lower):
            start = last - len(key) + 1
            end = last + 1
            if start > 0 and lower[start - 1].isalnum():
                continue
            if end < n and lower[end].isalnum() and not _footnote_marker(norm.cased, key, end):
                continue
            if start > 1 and lower[start - 1] == "-" and lower[start - 2].isalnum():
                continue  # the second half of a compound: "e-business" does not name business
            entries = [e for e in self._entries[key] if e.form is None or cased[start:end] == e.form]
            if entries and all(e.kind == "acronym" for e in entries) and self._in_capitals(text, norm, start, end):
                continue  # "WHO WE ARE": a heading in capitals, not the World Health Organization
            if entries and key.startswith("the ") and cased.startswith("the ", start):
                start += 4  # "recalling the Pact for the Future": the article is the sentence's, not the name's
            if entries:
                prio = 2 if any(e.kind == "symbol" for e in entries) else 0 if all(
                    e.kind == "block" for e in entries) else 1
                hits.append(_Hit(start, end, prio, entries))
        return hits

    def _in_capitals(self, text: str, norm: Normalised, start: int, end: int) -> bool:
        """Whether a word next to [start, end) on the same line is written in capitals and is no known
        acronym itself: then the text is in capitals and an acronym-shaped word proves nothing."""
        cased = norm.cased
        before = _WORD_BEFORE.search(cased, max(0, start - 30), start)
        after = _WORD_AFTER.match(cased, end)
        for m, gap in ((before, before and norm.gap(text, before.end(1), start)),
                       (after, after and norm.gap(text, end, after.start(1)))):
            if m is None or gap != " ":
                continue
            word = m.group(1)
            if len(word) > 1 and word.isupper() and word.lower() not in self.known_forms:
                return True
        return False

    def _citation_hits(self, norm: Normalised, label_hits: list[_Hit]) -> list[_Hit]:
        hits = []
        symbol_hits: dict[int, _Hit] = {}
        for sym in find_symbols(norm.cased):
            entity = self.symbols.get(sym.symbol)
            if entity is not None:
                hit = _Hit(sym.start, sym.end, 3, [_Entry(entity, "citation", SCORES["citation"], None)])
                hits.append(hit)
                # where a paragraph citation may continue: at "resolution" and at the symbol itself
                symbol_hits[sym.start] = hit
                for m in re.finditer(r"(?:A|E)/RES/|\d", norm.cased[sym.start:sym.end]):
                    symbol_hits.setdefault(sym.start + m.start(), hit)
                    break
        for goal in find_goal_refs(norm.cased):
            entity = self.goals.get(goal.number)
            if entity is not None:
                hits.append(_Hit(goal.start, goal.end, 2, [_Entry(entity, "label", SCORES["altLabel"], None)]))
        by_start: dict[int, list[_Hit]] = defaultdict(list)
        for h in label_hits:
            by_start[h.start].append(h)
        for ref in find_paragraph_refs(norm.cased):
            target: _Hit | None = symbol_hits.get(ref.end)
            if target is None:
                insts = [h for h in by_start.get(ref.end, []) if any(e.entity in self.instruments for e in h.entries)]
                target = max(insts, key=lambda h: h.end - h.start, default=None)
            if target is None:
                continue
            entity = next((e.entity for e in target.entries if e.entity in self.instruments), None)
            if entity is None:
                continue
            provision = self.provisions.get((entity, ref.first, ref.last)) if ref.exact else None
            score = SCORES["citation"] if provision else 0.7
            hits.append(_Hit(ref.start, target.end, 4, [_Entry(provision or entity, "citation", score, None)],
                             block_end=ref.end if provision else None))
        return hits

    def link(self, text: str, skip: Iterable[tuple[int, int]] | None = None) -> list[Mention]:
        """Proposed mentions in `text`, in text order. `skip` lists spans of page furniture (running
        symbol, job number, page counter) that a name wrapped over a page break may have in its middle;
        without it, lines that look like furniture are skipped (`textnorm.furniture_spans`)."""
        norm = normalise(text, furniture_spans(text) if skip is None else skip)
        label_hits = [h for h in self._label_hits(text, norm) if not _office_of_another_body(norm.lower, h)]
        hits = label_hits + self._citation_hits(norm, label_hits)
        for h in label_hits:
            _widen_to_un_prefix(norm.cased, h)
        hits.sort(key=lambda h: (-(h.end - h.start), -h.priority, h.start))
        taken = bytearray(len(norm.lower))
        out: list[Mention] = []
        for h in hits:
            if any(taken[h.start:h.end]):
                continue
            block = h.block_end or h.end
            taken[h.start:block] = b"\x01" * (block - h.start)
            if h.priority == 0:
                continue  # a theme's name: it keeps shorter names inside it from counting, and is no mention
            h.entries = [e for e in h.entries if e.kind != "block"]
            start, end = norm.span(h.start, h.end)
            share = len({e.entity for e in h.entries})
            seen: set[str] = set()
            for e in sorted(h.entries, key=lambda e: -e.score):
                if e.entity in seen:
                    continue
                seen.add(e.entity)
                out.append(Mention(start, end, e.entity, e.kind, round(e.score / share, 2), text[start:end]))
        return sorted(out, key=lambda m: (m.start, m.end, m.entity))


# -- the mentions graph ---------------------------------------------------------------------------

def _entity_slug(entity: str) -> str:
    """A readable path segment for an entity IRI: "body/igf", "sdg/5"."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if entity.startswith(ns) and prefix not in ("id",) and "#" not in ns:
            return f"{prefix}/{entity[len(ns):]}"
    if entity.startswith(str(ID)):
        return entity[len(str(ID)):]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", entity.split("://", 1)[-1]).strip("-")


def mention_iri(doc_id: str, mention: Mention) -> URIRef:
    """Derived from what the mention is (document, offsets, entity), never from a counter."""
    return ID[f"mention/{doc_id}/{mention.start}-{mention.end}/{_entity_slug(mention.entity)}"]


def linker_agent() -> URIRef:
    return ID[f"software/wsis-kg-linker/{LINKER_VERSION}"]


def linking_activity(doc_id: str) -> URIRef:
    return ID[f"activity/link/{doc_id}"]


def mentions_graph(doc_iri: str, doc_id: str, text: str, mentions: list[Mention],
                   labels: dict[str, str] | None = None) -> Graph:
    """Each mention as a Web Annotation proposed by the linker: body the entity, target a quote and a
    position selector into the stored text, a score, the status "proposed"."""
    g = Graph()
    doc = URIRef(doc_iri)
    agent, activity = linker_agent(), linking_activity(doc_id)
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((agent, RDFS.label, Literal(f"wsis-kg entity linker {LINKER_VERSION}", lang="en")))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"Entity linking of {doc_id}", lang="en")))
    g.add((activity, PROV.used, doc))
    g.add((activity, PROV.wasAssociatedWith, agent))
    for m in mentions:
        if text[m.start:m.end] != m.surface:
            raise ValueError(f"mention {m} does not slice the text")
        ann = mention_iri(doc_id, m)
        target = add_text_target(g, ann, doc, text, m.start, m.end, "mention")
        surface = " ".join(m.surface.split())
        name = (labels or {}).get(m.entity, _entity_slug(m.entity))
        g.add((ann, RDF.type, OA.Annotation))
        g.add((ann, RDF.type, WSIS.EntityMention))
        g.add((ann, RDFS.label, Literal(f"\u201c{surface}\u201d at {m.start}-{m.end}: {name}", lang="en")))
        g.add((ann, OA.motivatedBy, OA.linking if m.kind == "citation" else OA.identifying))
        g.add((ann, OA.hasBody, URIRef(m.entity)))
        g.add((ann, OA.hasTarget, target))
        g.add((ann, WSIS.mentionStatus, PROPOSED))
        g.add((ann, WSIS.matchKind, Literal(m.kind)))
        g.add((ann, WSIS.score, Literal(f"{m.score:.2f}", datatype=XSD.decimal)))
        g.add((ann, PROV.wasGeneratedBy, activity))
    return g

def _annotation_nodes(g: Graph, ann: Node) -> set[Node]:
    """The annotation with its target and selectors: what belongs to one mention."""
    nodes: set[Node] = {ann}
    for target in g.objects(ann, OA.hasTarget):
        nodes.add(target)
        nodes |= set(g.objects(target, OA.hasSelector))
    return nodes


def keep_reviewed(previous: Graph, proposed: Graph) -> Graph:
    """The new proposals with every decision a curator made in the previous mentions: a mention confirmed
    or rejected before keeps its status (and stays, if the linker no longer proposes it)."""
    out = Graph()
    for t in proposed:
        out.add(t)
    for ann, status in previous.subject_objects(WSIS.mentionStatus):
        if status == PROPOSED:
            continue
        if (ann, RDF.type, WSIS.EntityMention) in out:
            out.set((ann, WSIS.mentionStatus, status))
            continue
        for node in _annotation_nodes(previous, ann):
            for t in previous.triples((node, None, None)):
                out.add(t)
        for activity in previous.objects(ann, PROV.wasGeneratedBy):
            for t in previous.triples((activity, None, None)):
                out.add(t)
                for t2 in previous.triples((t[2], None, None)) if t[1] == PROV.wasAssociatedWith else ():
                    out.add(t2)
    return out


def write_mentions(path: Path, proposed: Graph) -> Graph:
    """Write proposed mentions to a document's mentions file as canonical Turtle, atomically, keeping the
    decisions a curator already made there. Returns what was written."""
    previous = parse_turtle(path) if path.exists() else Graph()
    merged = keep_reviewed(previous, proposed)
    atomic_write_text(path, canonical_turtle(merged))
    return merged


@dataclass
class LinkReport:
    """What proposing mentions for one document did."""

    doc_id: str
    path: Path
    proposed: int
    kept: dict[str, int]  # curator decisions carried over, by status name
    candidates: list[Candidate]


def propose_mentions(project: Project, doc_ids: Iterable[str] | None = None,
                     skips: dict[str, list[tuple[int, int]]] | None = None) -> list[LinkReport]:
    """Propose mentions for the project's documents (all by default) into their mentions files, keeping
    every decision a curator made there; `skips` gives known page furniture per document."""
    from ..sources import load_sources

    reference = parse_turtle_files(project.reference_files())
    linker = Linker.from_graph(reference)
    sources = {s.doc_id: s for s in load_sources(project.sources)}
    wanted = list(doc_ids) if doc_ids else sorted(sources)
    unknown = [d for d in wanted if d not in sources]
    if unknown:
        raise InputError(f"unknown document id(s): {', '.join(unknown)}; the ids are the names of the "
                         f"metadata files in {project.sources}")
    reports = []
    for doc_id in wanted:
        source = sources[doc_id]
        skip = (skips or {}).get(doc_id)
        mentions = linker.link(source.text, skip)
        path = project.mentions_file(doc_id)
        written = write_mentions(path, mentions_graph(str(source.iri), doc_id, source.text, mentions, linker.labels))
        kept: dict[str, int] = {}
        for status in written.objects(None, WSIS.mentionStatus):
            if status != PROPOSED:
                name = str(status).rsplit("/", 1)[-1]
                kept[name] = kept.get(name, 0) + 1
        candidates = find_candidates(source.text, mentions, skip, known=linker.known_forms)
        reports.append(LinkReport(doc_id, path, len(mentions), kept, candidates))
    return reports


def render_candidates(text: str, candidates: list[Candidate]) -> str:
    """The candidate report a curator reads: each unknown name with where it first occurs and its contexts."""
    lines = []
    for c in candidates:
        line = text.count("\n", 0, c.start) + 1
        more = f", {len(c.contexts)} occurrence(s)" if len(c.contexts) > 1 else ""
        lines.append(f"  {c.kind:8} {c.name!r} (line {line}{more})")
        lines += [f"           {ctx}" for ctx in c.contexts[:3]]
    return "\n".join(lines)


def check_mentions(g: Graph, doc_iri: URIRef, text: str, path: Path) -> None:
    """Every mention of a mentions file targets its document and its selectors still slice the stored
    text; a mentions file that no longer fits its text (edited by hand, or the text changed) is refused."""
    problems = []
    for ann in sorted(set(g.subjects(RDF.type, WSIS.EntityMention)), key=str):
        target = g.value(ann, OA.hasTarget)
        source = g.value(target, OA.hasSource) if target is not None else None
        if source != doc_iri:
            problems.append(f"<{ann}>: its target's source is <{source}>, not <{doc_iri}>")
            continue
        sels = list(g.objects(target, OA.hasSelector))
        pos = next((s for s in sels if g.value(s, OA.start) is not None), None)
        exact = next((g.value(s, OA.exact) for s in sels if g.value(s, OA.exact) is not None), None)
        if pos is None or exact is None:
            problems.append(f"<{ann}>: needs a TextPositionSelector and a TextQuoteSelector")
            continue
        try:
            start, end = int(str(g.value(pos, OA.start))), int(str(g.value(pos, OA.end)))
        except (TypeError, ValueError):
            problems.append(f"<{ann}>: oa:start and oa:end must be integers")
            continue
        if not (0 <= start < end <= len(text)) or text[start:end] != str(exact):
            line = text.count("\n", 0, min(max(start, 0), len(text))) + 1
            problems.append(f"<{ann}>: the text at {start}-{end} (line {line}) reads {text[start:end]!r}, "
                            f"not {str(exact)!r}")
    if problems:
        raise AnchorError(
            f"{path}: {len(problems)} mention(s) do not fit the stored text; correct them or delete the file "
            "and propose mentions again:\n  " + "\n  ".join(problems[:20])
        )


__all__ = [
    "CONFIRMED",
    "LINKER_VERSION",
    "PROPOSED",
    "REJECTED",
    "Candidate",
    "Linker",
    "Mention",
    "check_mentions",
    "find_candidates",
    "keep_reviewed",
    "label_variants",
    "mention_iri",
    "mentions_graph",
    "write_mentions",
]
