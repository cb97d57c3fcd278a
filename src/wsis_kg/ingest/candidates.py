"""Names the reference data does not know yet: candidates for new reference entries, with their contexts.

A curator reads this report to grow the reference data. It lists capitalised multi-word names headed by
a word that names a body, a meeting or a text ("… Commission …", "… Summit …", "… Agenda …"), acronyms
introduced in parentheses, and resolution symbols that no reference entry carries, none of them inside
a mention the linker already proposed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .citations import find_symbols
from .textnorm import furniture_spans, normalise

if TYPE_CHECKING:
    from .link import Mention

CONTEXT = 60

# Words that make a capitalised phrase the name of a body, a meeting or a text.
HEADS = frozenset({
    "Academy", "Agency", "Agenda", "Alliance", "Assembly", "Authority", "Bank", "Board", "Body", "Bureau",
    "Centre", "Center", "Charter", "Coalition", "Commission", "Committee", "Compact", "Conference", "Congress",
    "Convention", "Council", "Court", "Declaration", "Department", "Dialogue", "Division", "Facility",
    "Federation", "Forum", "Foundation", "Framework", "Fund", "Group", "Guidelines", "Initiative", "Institute",
    "Mechanism", "Network", "Observatory", "Office", "Organization", "Organisation", "Panel", "Partnership",
    "Platform", "Principles", "Programme", "Program", "Protocol", "Report", "Roadmap", "Secretariat", "Statement",
    "Strategy", "Summit", "Treaty", "Union", "University", "Agreement", "Plan", "Consortium", "Taskforce",
    "Force", "Team", "Unit", "Envoy", "Lab", "Laboratory", "Registry", "Society",
    "Association",
})
# Sentence openers of resolutions that are capitalised but belong to no name.
OPENERS = frozenset({
    "The", "This", "These", "Those", "That", "Its", "Their", "Our", "We", "In", "On", "At", "For", "And", "Also",
    "Further", "Recalling", "Reaffirming", "Recognizing", "Recognising", "Noting", "Welcoming", "Acknowledging",
    "Emphasizing", "Emphasising", "Stressing", "Expressing", "Taking", "Bearing", "Mindful", "Concerned",
    "Convinced", "Decides", "Requests", "Calls", "Encourages", "Invites", "Urges", "Emphasizes", "Stresses",
    "Acknowledges", "Notes", "Recognizes", "Reaffirms", "Recalls", "Welcomes", "Underlines", "Underscores",
    "Affirms", "Commits", "Considering", "Having", "Deeply", "Aware", "Guided", "Determined", "Desiring",
    "Highlighting", "Reiterating", "Appreciating", "Observing", "Believing", "Agrees",
})
CONNECTORS = frozenset({"of", "for", "on", "and", "the", "in", "to", "de", "&"})

_TOKEN = re.compile(r"[A-Za-z](?:[\w'+-]|\.(?=\w))*|&")
_PAREN_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9+&-]*[A-Z][A-Za-z0-9+&-]*)\)")


@dataclass(frozen=True)
class Candidate:
    """A name the reference data lacks: where it first occurs, how often, and its contexts."""

    name: str
    kind: str  # "name", "acronym" or "symbol"
    start: int
    end: int
    contexts: tuple[str, ...]


def _context(text: str, start: int, end: int) -> str:
    left = " ".join(text[max(0, start - CONTEXT):start].split())
    right = " ".join(text[end:end + CONTEXT].split())
    return f"…{left} [{' '.join(text[start:end].split())}] {right}…"


def _capitalised(tok: str) -> bool:
    return tok[0].isupper() or tok[0].isdigit()


def _names(folded: str) -> Iterable[tuple[int, int]]:
    """Spans of capitalised phrases (connectors allowed inside) with at least two capitalised words."""
    toks = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(folded)]
    i = 0
    while i < len(toks):
        if not _capitalised(toks[i][2]):
            i += 1
            continue
        j = i
        last_cap = i
        while j + 1 < len(toks):
            if folded[toks[j][1]:toks[j + 1][0]] != " ":
                break
            nxt = toks[j + 1][2]
            if _capitalised(nxt):
                last_cap = j + 1
            elif nxt not in CONNECTORS:
                break
            j += 1
        k = i
        while k < last_cap and (toks[k][2] in OPENERS or toks[k][2].endswith("ing")):
            k += 1
        words = [t[2] for t in toks[k:last_cap + 1]]
        caps = sum(_capitalised(w) for w in words)
        if caps >= 2 and any(w.rstrip(".") in HEADS or w.rstrip("s") in HEADS for w in words):
            yield toks[k][0], toks[last_cap][1]
        i = last_cap + 1


def _split_names(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """"the A Council and the B Forum" names two things: split at " and the " and ", the "."""
    parts, at = [], start
    for m in re.finditer(r" and the |, the ", folded[start:end]):
        parts.append((at, start + m.start()))
        at = start + m.end()
    parts.append((at, end))
    return [(a, b) for a, b in parts if b > a]


def find_candidates(text: str, mentions: Sequence[Mention], skip: Iterable[tuple[int, int]] | None = None,
                    known: frozenset[str] | set[str] = frozenset()) -> list[Candidate]:
    """Unknown names in `text` outside the proposed `mentions`, one candidate per distinct name;
    `known` holds lower-case folded names that need no report (the linker's `known_forms`)."""
    norm = normalise(text, furniture_spans(text) if skip is None else skip)
    covered = bytearray(len(text))
    for m in mentions:
        covered[m.start:m.end] = b"\x01" * (m.end - m.start)

    def inside_mention(start: int, end: int) -> bool:
        """Mostly inside proposed mentions: at least half of its letters are."""
        letters = [i for i in range(start, end) if text[i].isalpha()]
        return bool(letters) and sum(covered[i] for i in letters) * 2 >= len(letters)

    found: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def add(kind: str, name: str, start: int, end: int) -> None:
        if name.lower() in known or inside_mention(start, end):
            return
        found.setdefault((kind, name), []).append((start, end))

    for ref in find_symbols(norm.cased):
        s, e = norm.span(ref.start, ref.end)
        add("symbol", ref.symbol, s, e)
    for fs, fe in _names(norm.cased):
        for part in _split_names(norm.cased, fs, fe):
            s, e = norm.span(*part)
            # two capitalised words of its own at least: "the Forum on the Internet" is a back-reference
            # to a forum followed by a known name, not a new name
            own = [t for t in _TOKEN.finditer(norm.cased, part[0], part[1])
                   if _capitalised(t.group(0)) and not covered[norm.offsets[t.start()]]]
            if len(own) >= 2:
                add("name", norm.cased[part[0]:part[1]], s, e)
    for am in _PAREN_ACRONYM.finditer(norm.cased):
        s, e = norm.span(am.start(1), am.end(1))
        add("acronym", am.group(1), s, e)
    out = []
    for (kind, name), spans in found.items():
        s, e = spans[0]
        out.append(Candidate(name, kind, s, e, tuple(_context(text, a, b) for a, b in spans[:5])))
    return sorted(out, key=lambda c: (c.start, c.kind))


__all__ = ["Candidate", "find_candidates"]
