"""Draft claims for a curator: one per operative or preambular paragraph of a resolution (kind, modality and
addressee read from the operative verb), one per passage of other genres (kind unknown).

A draft is a wsis:DraftClaim, not a wsis:Claim: what the machine read from a verb is recorded with
annotation properties (wsis:proposedKind ...), so that no query and no reasoner counts it as a curated
statement. Its quote is the passage's text without furniture; where that text occurs more than once, the
draft names its passage (wsis:groundedIn), as the anchorer expects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef

from ..anchor import _pattern, mask
from ..namespaces import ID, RDF, RDFS, SKOS, WSIS
from ..segment import DocumentStructure, Structure
from .layout import Layout, Part

MODALITY = Namespace(f"{ID}modality/")


@dataclass(frozen=True)
class Verb:
    pattern: str
    kind: URIRef | None
    modality: str = ""
    addressed: bool = False  # the verb's object is whom the paragraph asks to act


# Longest forms first: "strongly encourages" before "encourages", "takes note" before "notes".
VERBS: list[Verb] = [
    Verb(r"decides?", WSIS.Decision),
    Verb(r"resolves?", WSIS.Decision),
    Verb(r"agrees?", WSIS.Decision),
    Verb(r"requests?", WSIS.Recommendation, "requested", True),
    Verb(r"calls? (?:up)?on", WSIS.Recommendation, "called-upon", True),
    Verb(r"calls? for", WSIS.Recommendation, "called-upon"),
    Verb(r"urges?", WSIS.Recommendation, "urged", True),
    Verb(r"strongly encourages?", WSIS.Recommendation, "strongly-encouraged", True),
    Verb(r"encourages?", WSIS.Recommendation, "encouraged", True),
    Verb(r"invites?", WSIS.Recommendation, "invited", True),
    Verb(r"recommends?", WSIS.Recommendation, "should"),
    Verb(r"commits?|pledges?|undertakes?|will|(?:are|is) (?:\w+ )?(?:committed|determined|resolved)", WSIS.Priority),
    Verb(r"(?:are|is) (?:\w+ )?(?:concerned|convinced|encouraged|aware|pleased|alarmed|mindful|cognizant)",
         WSIS.Observation),
    Verb(r"takes? note|notes?|reaffirms?|affirms?|recognizes?|recognises?|acknowledges?|recalls?|welcomes?|"
         r"emphasizes?|emphasises?|stresses|stress|underlines?|underscores?|highlights?|reiterates?|expresses|"
         r"express|believes?|considers?|observes?|remains?|commends?|applauds?|appreciates?", WSIS.Observation),
]
_ADVERB = r"(?:(?:also|further|once again|again|hereby|strongly|firmly|fully|therefore)\s+)*"
_SUBJECT = r"(?:We\s+|The\s+General\s+Assembly\s*,?\s*)?"
_PREAMBLE_VERB = re.compile(
    r"^((?:Also |Further |Deeply |Bearing )?[A-Z][a-z]+(?:ing|ed)?(?: also| further| in mind)?)")
_ADDRESSEE_END = re.compile(r"\s+(?:to|that|in|on|for|with|,)\s|[,;:.]")


def _match_verb(text: str) -> tuple[Verb, str, int] | None:
    for verb in VERBS:
        m = re.match(rf"{_SUBJECT}{_ADVERB}({verb.pattern})\b", text, re.I)
        if m and verb.kind is not None:
            return verb, m.group(1), m.end()
    return None


def _agent_names(reference: Graph) -> dict[str, URIRef]:
    """Agents (bodies, stakeholder groups) by lower-cased label, preferred or alternative label."""
    from ..namespaces import PROV

    agents: set[URIRef] = set()
    for cls in (WSIS.Body, WSIS.StakeholderGroup, PROV.Agent):
        agents |= {s for s in reference.subjects(RDF.type, cls) if isinstance(s, URIRef)}
    names: dict[str, URIRef] = {}
    for a in sorted(agents, key=str):
        for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            for o in reference.objects(a, p):
                names.setdefault(" ".join(str(o).lower().split()), a)
    return names


def addressees(phrase: str, names: dict[str, URIRef]) -> tuple[list[URIRef], list[str]]:
    """Split "Member States and all stakeholders" into agents of the reference data and unmatched words."""
    found: list[URIRef] = []
    unknown: list[str] = []
    for piece in re.split(r",\s*(?:and\s+|as well as\s+)?|\s+and\s+|\s+as well as\s+", phrase):
        key = " ".join(piece.lower().split())
        key = re.sub(r"^(?:the|all|relevant|all relevant|other)\s+", "", key)
        for candidate in (key, f"all {key}", key.rstrip("s"), re.sub(r"^the ", "", key)):
            if candidate in names:
                if names[candidate] not in found:
                    found.append(names[candidate])
                break
        else:
            if piece.strip():
                unknown.append(" ".join(piece.split()))
    return found, unknown


def _slug(part_iri: str, doc_iri: str, base: str) -> str:
    for prefix in (base, doc_iri):
        if prefix and part_iri.startswith(prefix + "/"):
            return part_iri[len(prefix) + 1:].replace("/", "-")
    return part_iri.rsplit("/", 1)[-1]


def draft_claims(doc_id: str, doc_iri: URIRef, label: str, source: str, structure: DocumentStructure,
                 reference: Graph) -> Graph:
    g = Graph()
    names = _agent_names(reference)
    searched = mask(source, structure.excluded_spans())
    spans = structure.component_spans(str(doc_iri))
    base = structure.paragraph_base if isinstance(structure, Layout) else ""
    items: list[tuple[str, int, int, URIRef, Part | None]] = []
    if isinstance(structure, Layout):
        by_iri = {p.iri: p for p in structure.all_parts()}
        for s, e, iri in spans:
            part = by_iri.get(str(iri))
            if part is None or part.kind not in ("chapeau", "preambular", "operative", "paragraph"):
                continue
            items.append((part.text(source), s, e, iri, part))
    elif isinstance(structure, Structure):
        passage_iris = {(s, e): iri for s, e, iri in spans}
        for p in structure.passages():
            items.append((source[p.start:p.end], p.start, p.end, passage_iris[(p.start, p.end)], None))
    for text, _start, _end, iri, part in items:
        if len(text.strip()) < 3:
            continue
        claim = ID[f"claim/{doc_id}/draft/{_slug(str(iri), str(doc_iri), base)}"]
        where = (f"paragraph {part.number}" if part is not None and part.kind == "operative"
                 else str(iri).rsplit("/", 2)[-2] + " " + str(iri).rsplit("/", 1)[-1])
        g.add((claim, RDF.type, WSIS.DraftClaim))
        g.add((claim, WSIS.quote, Literal(text)))
        g.add((claim, WSIS.statedIn, doc_iri))
        if len(list(_pattern(text).finditer(searched))) > 1:
            g.add((claim, WSIS.groundedIn, iri))
        verb_note = ""
        if part is not None and part.kind == "operative":
            hit = _match_verb(text)
            if hit is not None:
                verb, printed, end = hit
                verb_note = f" ({printed.lower()})"
                g.add((claim, WSIS.operativeVerb, Literal(printed)))
                if verb.kind is not None:
                    g.add((claim, WSIS.proposedKind, verb.kind))
                if verb.modality:
                    g.add((claim, WSIS.proposedModality, MODALITY[verb.modality]))
                if verb.addressed:
                    rest = text[end:].lstrip()
                    m = _ADDRESSEE_END.search(rest)
                    phrase = rest[:m.start()] if m else rest[:80]
                    found, unknown = addressees(phrase, names)
                    for a in found:
                        g.add((claim, WSIS.proposedAddressee, a))
                    for u in unknown:
                        g.add((claim, WSIS.proposedAddresseeText, Literal(u)))
        elif part is not None and part.kind == "preambular":
            m = _PREAMBLE_VERB.match(text)
            if m:
                verb_note = f" ({m.group(1)})"
                g.add((claim, WSIS.operativeVerb, Literal(m.group(1))))
                g.add((claim, WSIS.proposedKind, WSIS.Observation))
        g.add((claim, RDFS.label, Literal(f"Draft: {where} of {label}{verb_note}", lang="en")))
    return g
