"""Entity linker speed: characters per second with every name of the reference data, next to the cost of
the Aho-Corasick library alone on the same (already folded) text.

Run:  python benchmarks/bench_link.py [--repeat N] [--size CHARS]

The text is the bundled source texts repeated up to --size characters (default 2,000,000), with page
furniture and wrapped lines as they come. Target: at least 200,000 characters per second end to end.
This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from timing import timed  # noqa: E402

from wsis_kg.assemble import load_reference  # noqa: E402
from wsis_kg.ingest.candidates import find_candidates  # noqa: E402
from wsis_kg.ingest.link import Linker  # noqa: E402
from wsis_kg.ingest.textnorm import furniture_spans, normalise  # noqa: E402
from wsis_kg.project import Project  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", type=int, default=2_000_000)
    args = parser.parse_args()
    project = Project(ROOT)
    reference = load_reference(project)
    texts = [p.read_text(encoding="utf-8") for p in sorted(project.sources.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "fixtures").glob("link/*.txt"))]
    base = "\n\n".join(texts)
    text = (base + "\n\n") * max(1, args.size // (len(base) + 2))
    n = len(text)

    compile_s = timed(lambda: Linker.from_graph(reference), args.repeat)
    linker = Linker.from_graph(reference)
    keys = len(linker.known_forms)
    norm = normalise(text, furniture_spans(text))
    mentions = linker.link(text)

    def row(name: str, seconds: float) -> None:
        print(f"  {name:44} {seconds * 1000:9.1f} ms  {n / seconds:12,.0f} chars/s")

    print(f"reference data: {len(reference)} triples, {len(linker.labels)} entities, {keys} folded names")
    print(f"text: {n:,} characters ({len(texts)} source text(s) repeated), {len(mentions):,} mentions proposed")
    print(f"  {'compile the automaton':44} {compile_s * 1000:9.1f} ms")
    row("link() end to end (fold, match, cite, select)", timed(lambda: linker.link(text), args.repeat))
    row("  furniture detection", timed(lambda: furniture_spans(text), args.repeat))
    row("  folding with offset map", timed(lambda: normalise(text, ()), args.repeat))
    row("  pyahocorasick iter() alone, folded text", timed(lambda: linker.raw_matches(norm.lower), args.repeat))
    row("candidate report (unknown names)", timed(lambda: find_candidates(text, mentions), args.repeat))


if __name__ == "__main__":
    main()
