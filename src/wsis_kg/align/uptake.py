"""Uptake proposals: for each ask of an earlier document, the paragraphs of a later one most likely to
answer it, ranked.

Two signals, both cheap and explainable to a curator: BM25 over the target's paragraphs (bm25s, on the
stemmed content words of `text.words`), normalised per ask so that the best paragraph scores 1; and the
share of the ask's named entities (Action Lines, bodies, instruments, groups ...) that the paragraph names
too. The score is their weighted sum. Nothing here is asserted: a proposal waits for a curator's verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from .text import words

#: Weight of the entity overlap against the lexical score (measured on the curated uptake links).
ENTITY_WEIGHT = 0.3


@dataclass(frozen=True)
class Unit:
    """A claim of the source or a paragraph of the target: its IRI, a short label, text, named entities."""

    key: str
    label: str
    text: str
    entities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    target: str
    score: float
    lexical: float
    entity: float


def propose(sources: Sequence[Unit], targets: Sequence[Unit], top: int = 3,
            entity_weight: float = ENTITY_WEIGHT) -> dict[str, list[Candidate]]:
    """The `top` best target paragraphs for each source unit, best first (ties by target order)."""
    if not targets:
        return {s.key: [] for s in sources}
    retriever = bm25s.BM25()
    retriever.index([words(t.text) or ["\u2205"] for t in targets], show_progress=False)
    out: dict[str, list[Candidate]] = {}
    for s in sources:
        query = words(s.text)
        lexical = retriever.get_scores(query) if query else np.zeros(len(targets))
        best = float(lexical.max()) if len(lexical) else 0.0
        if best > 0:
            lexical = lexical / best
        overlap = np.array([len(s.entities & t.entities) / len(s.entities) if s.entities else 0.0 for t in targets])
        score = (1 - entity_weight) * lexical + entity_weight * overlap
        order = sorted(range(len(targets)), key=lambda k: (-float(score[k]), k))[:top]
        out[s.key] = [Candidate(targets[k].key, float(score[k]), float(lexical[k]), float(overlap[k]))
                      for k in order if score[k] > 0]
    return out
