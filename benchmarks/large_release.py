"""A large release for benchmarks, made in seconds instead of a build: a built release's N-Quads written
K times, each copy under its own graph and subject IRIs, then bulk-loaded into the release's store.

Run:  python benchmarks/large_release.py --dist dist --copies 20 --out /tmp/large/dist

Copy 0 is the release as it is; copy k renames every IRI under the project's id/ and graph/ paths (and
every blank node) with a `copyk-` prefix, so that each copy adds as many distinct entities, claims and
named graphs as a document set of the same size would. The ontology graph is not copied: a real release
holds one ontology however many documents it has. The other files serve and the site need (the ontology
folder, void.ttl, context.jsonld, reports/) are copied as they are.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wsis_kg.prefixes import BASE  # noqa: E402
from wsis_kg.store import NQUADS, write_store  # noqa: E402

_RENAMED = re.compile(r"<" + re.escape(BASE) + r"(id|graph)/|_:")
ONTOLOGY_GRAPH = f"<{BASE}graph/ontology> .\n"


def copy_line(line: str, k: int) -> str:
    return _RENAMED.sub(lambda m: f"<{BASE}{m.group(1)}/copy{k}-" if m.group(1) else f"_:copy{k}x", line)


def make_large_release(src: Path, out: Path, copies: int) -> int:
    """Write the release `out` from `src` with `copies` copies of its data; return the quads written."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "reports"):
        if (src / name).is_dir():
            shutil.copytree(src / name, out / name, dirs_exist_ok=True)
    for name in ("void.ttl", "context.jsonld"):
        if (src / name).is_file():
            shutil.copy(src / name, out / name)
    lines = (src / NQUADS).read_text(encoding="utf-8").splitlines(keepends=True)
    written = 0
    with open(out / NQUADS, "w", encoding="utf-8") as fh:
        for k in range(copies):
            for line in lines:
                if k and line.endswith(ONTOLOGY_GRAPH):
                    continue
                fh.write(copy_line(line, k) if k else line)
                written += 1
    return written


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path, default=ROOT / "dist", help="a built release to copy")
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    n = make_large_release(args.dist.resolve(), args.out, args.copies)
    t1 = time.perf_counter()
    store = write_store(args.out, args.out / NQUADS)
    t2 = time.perf_counter()
    print(f"{n} quad lines written in {t1 - t0:.1f} s; store of {store['quads']} quads in {t2 - t1:.1f} s: {args.out}")


if __name__ == "__main__":
    main()
