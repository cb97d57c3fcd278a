"""Precision and recall of the entity linker on the bundled documents, against their curated claims.

Run:  python benchmarks/link_quality.py [--show N]

The linker runs on each stored text with no curation. Per passage that grounds curated claims, the
entities the claims name are compared with the entities of the mentions proposed inside the passage
(see `wsis_kg.ingest.linkeval` for exactly which properties count). Two gold sets are reported: every
entity the claims name, and only those of kinds the linker proposes (themes, which are interpretation,
left out). Precision is a lower bound: curators do not record every name a passage holds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wsis_kg.assemble import assemble  # noqa: E402
from wsis_kg.ingest.link import Linker  # noqa: E402
from wsis_kg.ingest.linkeval import evaluate  # noqa: E402
from wsis_kg.project import Project  # noqa: E402


def short(iri: str) -> str:
    return iri.replace("https://w3id.org/wsis-kg/id/", "").replace("http://metadata.un.org/", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", type=int, default=10, help="how many missed and extra entities to list")
    args = parser.parse_args()
    assembly = assemble(Project(ROOT))
    linker = Linker.from_graph(assembly.reference)
    for build in assembly.documents:
        mentions = linker.link(build.source.text)
        print(f"{build.doc_id}: {len(build.source.text)} characters, {len(mentions)} proposed mentions")
        for name, nameable in (("all entities the claims name", False), ("entities of linkable kinds", True)):
            s = evaluate(build, linker, mentions, nameable_only=nameable)
            print(f"  {name:32} passages {s.passages:3}  gold {s.gold:4}  proposed {s.proposed:4}  "
                  f"correct {s.true_positives:4}  precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}")
        s = evaluate(build, linker, mentions, nameable_only=True)
        print("  most missed:  " + ", ".join(f"{short(e)} ×{n}" for e, n in s.missed.most_common(args.show)))
        print("  most extra:   " + ", ".join(f"{short(e)} ×{n}" for e, n in s.wrong.most_common(args.show)))


if __name__ == "__main__":
    main()
