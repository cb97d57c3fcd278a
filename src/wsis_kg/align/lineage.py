"""Paragraph lineage between two versions of one text (a draft and its revision).

Paragraphs are matched by their text, never by their number: numbers shift when a paragraph is
inserted, deleted, merged or split. Similarity is counted in content words, not characters (two
unrelated sentences of one resolution share half their letters but few of their content words): rapidfuzz's
normalised Indel similarity over word sequences. The pairing is a global one-to-one assignment over
that matrix (scipy's Hungarian solver), so that two similar paragraphs cannot both claim the same
counterpart; what is left unpaired is then explained as part of a merge or a split when most of its words
occur, in order, in a longer paragraph of the other version, and only otherwise as deleted or new.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel, LCSseq
from rapidfuzz.process import cdist
from scipy.optimize import linear_sum_assignment

from .text import words

IDENTICAL = "identical"
MINOR = "minor edit"
MAJOR = "major rewrite"
DELETED = "deleted"
NEW = "new"
MERGED = "merged"
SPLIT = "split"
LABELS = (IDENTICAL, MINOR, MAJOR, MERGED, SPLIT, DELETED, NEW)

#: Word similarity (0-100) at or above which two paired paragraphs are one paragraph lightly edited.
MINOR_AT = 80.0
#: Below this word similarity two paragraphs are not the same paragraph at all.
MATCH_AT = 40.0
#: A weaker similarity that still pairs two paragraphs left over between the same neighbours: a rewrite
#: that kept its place in the text.
IN_PLACE_AT = 20.0
#: Share (0-100) of a shorter paragraph's words that must occur in order in a longer one for it to be
#: part of a merge or a split.
CONTAINED_AT = 80.0

_NUMBER = re.compile(r"^\s*(?:\d+[.)]|\([a-z]{1,4}\))\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Para:
    """One paragraph of one version: an id (an IRI or any key), its number as printed, its text."""

    key: str
    number: str
    text: str


@dataclass(frozen=True)
class Link:
    """What became of a paragraph: `old` and/or `new` is None for a deleted or a new paragraph."""

    old: str | None
    new: str | None
    label: str
    similarity: float


def normalise(text: str) -> str:
    """The words of a paragraph, without its printed number, soft hyphens or line breaks."""
    text = text.replace("\u00ad", "").replace("\u2010", "-").replace("\u2011", "-")
    return _SPACE.sub(" ", _NUMBER.sub("", text)).strip().lower()


def _label(similarity: float, same: bool) -> str:
    if same:
        return IDENTICAL
    return MINOR if similarity >= MINOR_AT else MAJOR


def lineage(old: Sequence[Para], new: Sequence[Para]) -> list[Link]:
    """One link per paragraph of either version, in the order of the new version then the deleted ones."""
    a = [words(p.text) for p in old]
    b = [words(p.text) for p in new]
    if not a or not b:
        return [Link(p.key, None, DELETED, 0.0) for p in old] + [Link(None, p.key, NEW, 0.0) for p in new]
    sim = cdist(a, b, scorer=Indel.normalized_similarity, dtype=np.float32) * 100
    rows, cols = linear_sum_assignment(-sim)
    pair_of_new: dict[int, int] = {}
    for i, j in zip(rows, cols, strict=True):
        if sim[i, j] >= MATCH_AT:
            pair_of_new[int(j)] = int(i)
    paired_old = set(pair_of_new.values())

    # what is left unpaired: a part of a longer paragraph of the other version (split or merge), else new
    # or deleted; the paired counterpart of a split or merged paragraph is then part of the same event
    split_from: dict[int, tuple[int, float]] = {}
    for j in set(range(len(b))) - set(pair_of_new):
        found = _container(b[j], a)
        if found is not None:
            split_from[j] = found
    merged_into: dict[int, tuple[int, float]] = {}
    for i in set(range(len(a))) - paired_old:
        found = _container(a[i], b)
        if found is not None:
            merged_into[i] = found
    split_old = {i for i, _ in split_from.values()}
    merged_new = {j for j, _ in merged_into.values()}
    pair_of_new.update(_in_place(
        set(range(len(a))) - paired_old - set(merged_into), set(range(len(b))) - set(pair_of_new) - set(split_from),
        {i: j for j, i in pair_of_new.items()}, sim,
    ))
    paired_old = set(pair_of_new.values())

    links: list[Link] = []
    for j, p in enumerate(new):
        if j in pair_of_new:
            i = pair_of_new[j]
            s = float(sim[i, j])
            label = SPLIT if i in split_old else MERGED if j in merged_new else _label(s, a[i] == b[j])
            links.append(Link(old[i].key, p.key, label, s))
        elif j in split_from:
            i, s = split_from[j]
            links.append(Link(old[i].key, p.key, SPLIT, s))
        else:
            links.append(Link(None, p.key, NEW, 0.0))
    for i, p in enumerate(old):
        if i in merged_into:
            j, s = merged_into[i]
            links.append(Link(p.key, new[j].key, MERGED, s))
        elif i not in paired_old:
            links.append(Link(p.key, None, DELETED, 0.0))
    return links


def _in_place(old_left: set[int], new_left: set[int], pairs: dict[int, int], sim: np.ndarray) -> dict[int, int]:
    """Leftover paragraphs that sit between the same paired neighbours in both versions and still share
    some words: rewritten in place. Returns new index -> old index."""
    out: dict[int, int] = {}
    for i in sorted(old_left):
        lo = max((j for k, j in pairs.items() if k < i), default=-1)
        hi = min((j for k, j in pairs.items() if k > i), default=sim.shape[1])
        options = [j for j in new_left if lo < j < hi and j not in out and sim[i, j] >= IN_PLACE_AT]
        if options:
            out[max(options, key=lambda j: float(sim[i, j]))] = i
    return out


def _container(part: list[str], others: list[list[str]]) -> tuple[int, float] | None:
    """The longer paragraph of `others` holding most of `part`'s words in order, if it holds enough."""
    if not part:
        return None
    scored = [(100.0 * LCSseq.similarity(part, o) / len(part), k) for k, o in enumerate(others) if len(part) < len(o)]
    best = max(scored, default=(0.0, -1))
    return (best[1], best[0]) if best[0] >= CONTAINED_AT else None


def difflib_lineage(old: Sequence[Para], new: Sequence[Para]) -> list[Link]:
    """The plain baseline: difflib's sequence alignment of the two lists of paragraphs, a replaced block
    paired position by position and labelled by difflib's own ratio. Kept to measure `lineage` against."""
    a = [normalise(p.text) for p in old]
    b = [normalise(p.text) for p in new]
    links: list[Link] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            links += [Link(old[i].key, new[j].key, IDENTICAL, 100.0) for i, j in zip(range(i1, i2), range(j1, j2),
                                                                                     strict=True)]
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            r = 100.0 * difflib.SequenceMatcher(a=a[i1 + k], b=b[j1 + k], autojunk=False).ratio()
            links.append(Link(old[i1 + k].key, new[j1 + k].key, _label(r, False), r))
        links += [Link(old[i].key, None, DELETED, 0.0) for i in range(i1 + pairs, i2)]
        links += [Link(None, new[j].key, NEW, 0.0) for j in range(j1 + pairs, j2)]
    return links
