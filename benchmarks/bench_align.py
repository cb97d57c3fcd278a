"""Paragraph lineage and uptake retrieval: quality against the truth, and speed, beside the plain baseline.

Run:  python benchmarks/bench_align.py [--versions N]

Lineage is scored on the hand-made draft/revision pair in tests/fixtures/lineage/ and on N synthetic
revisions of passages of the bundled document (tests/revisions.py: kept, edited, rewritten, deleted,
merged, split and inserted paragraphs, with the truth), as the share of links that are right (Jaccard of
the link sets), next to difflib's sequence alignment. This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from revisions import agreement, as_truth, numbered, synthetic_pairs  # noqa: E402
from wsis_kg.align.lineage import Para, difflib_lineage, lineage  # noqa: E402
from wsis_kg.segment import segment  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--versions", type=int, default=200)
    args = ap.parse_args()

    fx = ROOT / "tests" / "fixtures" / "lineage"
    pair = [[Para(m.group(1), m.group(1), m.group(0))
                 for m in re.finditer(r"^(\d+)\. .*$", (fx / f).read_text(encoding="utf-8"), re.M)]
                for f in ("draft.txt", "revision.txt")]
    expected = {tuple(x) for x in json.loads((fx / "expected.json").read_text())["links"]}
    print("hand-made pair (22 -> 22 paragraphs, 25 links):")
    for fn in (lineage, difflib_lineage):
        print(f"  {fn.__name__:16} {agreement(expected, as_truth(fn(*pair))):.3f}")

    text = (ROOT / "sources" / "imsb-reflections-wsis20-elements-paper-2025-07-25.txt").read_text(encoding="utf-8")
    passages = [" ".join(text[p.start:p.end].split()) for p in segment(text).passages()]
    results: dict[str, list[float]] = {"lineage": [], "difflib_lineage": []}
    seconds: dict[str, float] = {"lineage": 0.0, "difflib_lineage": 0.0}
    for old, new, truth in synthetic_pairs(passages, args.versions):
        for fn in (lineage, difflib_lineage):
            t0 = time.perf_counter()
            got = fn(numbered(old), numbered(new))
            seconds[fn.__name__] += time.perf_counter() - t0
            results[fn.__name__].append(agreement(truth, as_truth(got)))
    print(f"synthetic revisions ({args.versions} versions of 25 passages):")
    for name, values in results.items():
        print(f"  {name:16} mean {statistics.mean(values):.3f}  min {min(values):.3f}  "
              f"{1000 * seconds[name] / args.versions:.1f} ms per pair")


if __name__ == "__main__":
    main()
