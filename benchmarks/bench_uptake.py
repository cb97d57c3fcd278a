"""Curated uptake: the curator's grades, and how well `align`'s proposals match them.

Run:  python benchmarks/bench_uptake.py [REVIEW.csv]

Reads a reviewed uptake file (default: the Reflections against the WSIS+20 outcome) and the source
document's curated claims, and prints the count of each grade, overall and by kind of ask, then the
quality of the machine's proposals against the curator's paragraphs: precision of the first candidate
(its paragraph is among the curator's) and recall of the top 3 (any of them is), both over the rows the
curator answered with paragraphs. A candidate that is not a numbered operative paragraph (a preambular
paragraph) never counts as a hit. This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "reviews" / "uptake" / "imsb-reflections-2025-07-25--a-80-l-41.csv"
WSIS = Namespace("https://w3id.org/wsis-kg/ontology#")
GRADES = ("taken up", "partly", "acknowledged", "contrary", "not taken up")
# A claim typed with several kinds counts under the most specific one; a challenge that also recommends
# something is a recommendation.
KINDS = (("position", WSIS.Position), ("priority", WSIS.Priority),
         ("recommendation", WSIS.Recommendation), ("challenge", WSIS.Challenge))
PARAGRAPH = re.compile(r"/paragraph/(\d+)$")


def kinds_of(source_doc: str) -> dict[str, str]:
    """Kind of every claim of the source document, from its curated Turtle."""
    g = Graph()
    for path in sorted((ROOT / "graph" / "documents" / source_doc).glob("*.ttl")):
        g.parse(path, format="turtle")
    out: dict[str, str] = {}
    for name, cls in reversed(KINDS):
        for s in g.subjects(RDF.type, cls):
            if isinstance(s, URIRef):
                out[str(s)] = name
    return out


def paragraph_number(iri: str) -> int | None:
    m = PARAGRAPH.search(iri)
    return int(m.group(1)) if m else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("review", nargs="?", type=Path, default=DEFAULT)
    args = ap.parse_args()
    path: Path = args.review
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    kinds = kinds_of(path.stem.split("--")[0])

    bad = [r["claim"] for r in rows if r["grade"] not in GRADES]
    if bad:
        sys.exit(f"{path}: {len(bad)} rows without a valid grade, first {bad[0]}")

    by_kind: dict[str, Counter[str]] = {}
    for r in rows:
        by_kind.setdefault(kinds.get(r["claim"], "other"), Counter())[r["grade"]] += 1
    overall = Counter(r["grade"] for r in rows)
    width = max(len(g) for g in GRADES)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {len(rows)} asks")
    print(f"  {'kind':16}" + "".join(f"{g:>{width + 2}}" for g in GRADES) + f"{'total':>8}")
    for name in [k for k, _ in KINDS] + ["other"]:
        if name in by_kind:
            c = by_kind[name]
            print(f"  {name:16}" + "".join(f"{c[g]:>{width + 2}}" for g in GRADES) + f"{sum(c.values()):>8}")
    print(f"  {'all':16}" + "".join(f"{overall[g]:>{width + 2}}" for g in GRADES) + f"{len(rows):>8}")
    asks = [r for r in rows if kinds.get(r["claim"]) in ("recommendation", "priority", "position")]
    print(f"  recommendations, priorities and positions with a verdict: {len(asks)}")

    answered = [r for r in rows if r["paragraphs"].strip()]
    first = top3 = 0
    for r in answered:
        truth = {int(p) for p in r["paragraphs"].split(";") if p.strip()}
        cands = [paragraph_number(r[f"candidate_{k}"]) for k in (1, 2, 3)]
        first += cands[0] in truth
        top3 += any(c in truth for c in cands)
    n = len(answered)
    print(f"align against the curator ({n} asks answered with paragraphs):")
    print(f"  precision of the first candidate  {first / n:.3f}  ({first}/{n})")
    print(f"  recall of the top 3               {top3 / n:.3f}  ({top3}/{n})")


if __name__ == "__main__":
    main()
