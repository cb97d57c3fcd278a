"""Synthetic revisions of a text with the truth of what became of each paragraph: kept, lightly edited,
rewritten, deleted, merged with the next, split in two, or a new paragraph inserted. Used to measure
paragraph lineage on many versions, not only on the hand-made draft/revision fixture."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from wsis_kg.align.lineage import DELETED, IDENTICAL, MAJOR, MERGED, MINOR, NEW, SPLIT, Link, Para

Truth = set[tuple[int | None, int | None, str]]

_FILLER = ("sustainable", "inclusive", "regional", "effective", "coordinated", "national", "transparent",
           "meaningful", "resilient", "coherent", "global", "voluntary")


def _minor(text: str, rng: random.Random) -> str:
    words = text.split()
    k = rng.randrange(len(words))
    return " ".join([*words[:k], rng.choice(_FILLER), *words[k:]])


def _major(text: str, other: str) -> str:
    """Half the paragraph kept, the rest rewritten in words from outside the text."""
    words, others = text.split(), other.split()
    return " ".join(words[:len(words) // 2] + others[len(others) // 2:])


def _split(text: str) -> tuple[str, str] | None:
    cuts = [m.end() for m in re.finditer(r"[,;.]\s", text)]
    if not cuts:
        return None
    cut = min(cuts, key=lambda c: abs(c - len(text) / 2))
    a, b = text[:cut].strip(), text[cut:].strip()
    return (a, b) if len(a.split()) >= 6 and len(b.split()) >= 6 else None


def revise(old: list[str], pool: list[str], rng: random.Random) -> tuple[list[str], Truth]:
    """A revision of `old` and the true links, numbered from 1 in each version."""
    new: list[str] = []
    truth: Truth = set()
    i = 0
    while i < len(old):
        text, n = old[i], len(new) + 1
        op = rng.random()
        if op < 0.08 and pool:
            new.append(pool.pop())
            truth.add((None, n, NEW))
            continue
        if op < 0.16:
            truth.add((i + 1, None, DELETED))
        elif op < 0.23 and i + 1 < len(old):
            new.append(f"{text} {old[i + 1]}")
            truth |= {(i + 1, n, MERGED), (i + 2, n, MERGED)}
            i += 1
        elif op < 0.30 and (parts := _split(text)) is not None:
            new.extend(parts)
            truth |= {(i + 1, n, SPLIT), (i + 1, n + 1, SPLIT)}
        elif op < 0.42 and len(text.split()) >= 15:
            new.append(_minor(text, rng))
            truth.add((i + 1, n, MINOR))
        elif op < 0.50 and len(text.split()) >= 15 and pool:
            new.append(_major(text, pool.pop()))
            truth.add((i + 1, n, MAJOR))
        else:
            new.append(text)
            truth.add((i + 1, n, IDENTICAL))
        i += 1
    return new, truth


def numbered(texts: list[str]) -> list[Para]:
    """Paragraphs keyed and numbered from 1 in order."""
    return [Para(str(k + 1), str(k + 1), t) for k, t in enumerate(texts)]


def as_truth(links: list[Link]) -> Truth:
    return {(int(k.old) if k.old else None, int(k.new) if k.new else None, k.label) for k in links}


def agreement(truth: Truth, got: Truth) -> float:
    """The share of links that are right: Jaccard of the two sets of (old, new, label)."""
    return len(truth & got) / len(truth | got)


def synthetic_pairs(passages: list[str], versions: int, size: int = 25) -> Iterator[tuple[list[str], list[str], Truth]]:
    """`versions` seeded revisions of windows of `size` passages; inserted and rewritten text comes from the
    passages outside the window."""
    for seed in range(versions):
        rng = random.Random(seed)
        start = rng.randrange(len(passages) - size - 5)
        old = passages[start:start + size]
        pool = [p for k, p in enumerate(passages) if not start <= k < start + size]
        rng.shuffle(pool)
        new, truth = revise(old, pool, rng)
        yield old, new, truth
