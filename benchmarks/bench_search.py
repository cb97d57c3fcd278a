"""Full-text search: the cost of each step of `wsis-kg search` next to the raw library cost, an index built
on every run against one read from disk, and the size of the site's client-side index.

Run:  python benchmarks/bench_search.py [--dist dist] [--repeat N]

This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import gzip
import sqlite3
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from timing import timed  # noqa: E402

from wsis_kg.docs import Site, read_release, search_index_js, static_text  # noqa: E402
from wsis_kg.search import COLUMNS, SearchIndex, records  # noqa: E402

WORDS = ["gender budgeting", "permanent IGF mandate", "enhanced cooperation", "artificial intelligence", "data"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path, default=ROOT / "dist")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    nq = args.dist / "wsis-kg.nq"
    if not nq.is_file():
        sys.exit(f"{nq} not found: run `wsis-kg build` first")
    r = args.repeat
    quads = read_release(args.dist)
    site = Site(quads)
    recs = records(site)
    index = SearchIndex(recs)
    print(f"{len(quads)} quads, {len(recs)} claim records")
    print("step                                    median ms")
    print(f"  parse the release (wsis-kg.nq)        {timed(lambda: read_release(args.dist), r) * 1e3:8.1f}")
    print(f"    raw: pyoxigraph parse alone         {timed(lambda: list(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)), r) * 1e3:8.1f}")  # noqa: E501
    print(f"  index the quads for rendering         {timed(lambda: Site(quads), r) * 1e3:8.1f}")
    print(f"  claim records                         {timed(lambda: records(site), r) * 1e3:8.1f}")
    print(f"  FTS5 index in memory                  {timed(lambda: SearchIndex(recs), r) * 1e3:8.1f}")

    def raw_fts() -> None:
        db = sqlite3.connect(":memory:")
        db.execute(f"CREATE VIRTUAL TABLE t USING fts5({', '.join(COLUMNS)})")
        db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                       [(x.label, x.quote, x.passage, x.context, x.entities) for x in recs])

    print(f"    raw: sqlite FTS5 inserts alone      {timed(raw_fts, r) * 1e3:8.1f}")
    print(f"  one query (of {len(WORDS)}, ranked)            "
          f"{timed(lambda: [index.search(w) for w in WORDS], r) * 1e3 / len(WORDS):8.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.sqlite"
        disk = sqlite3.connect(path)
        index.db.commit()  # a backup waits for an open write transaction
        index.db.backup(disk)
        disk.close()

        def from_disk() -> None:
            db = sqlite3.connect(path)
            db.execute("SELECT rowid FROM claims WHERE claims MATCH ?", ('"gender" AND "budgeting"',)).fetchall()
            db.close()

        print(f"  alternative: open an index file built at build time and query it "
              f"{timed(from_disk, r) * 1e3:.2f} ms ({path.stat().st_size} bytes), but the hit's quote, kinds and "
              "filters would still need the release")
    js = search_index_js(site).encode()
    lib = static_text("minisearch.js").encode()
    print(f"site search: index records {len(js)} bytes ({len(gzip.compress(js))} gzipped), MiniSearch "
          f"{len(lib)} bytes ({len(gzip.compress(lib))} gzipped); built in the browser on load")


if __name__ == "__main__":
    main()
