"""The scale runner (benchmarks/bench_scale.py) reads what any build prints and fits the figures."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _load("bench_scale")

OUTPUT = """assemble (sources, segment, anchor) ...
  [1/2] a: 70 passages, 170 claims anchored
  assemble: 1.6 s
  2 document(s), 38695 triples
validate (SHACL) ...
  validate: 6.6 s
  SHACL: conforms (0 result(s) over 4 scope(s): reference, a, b)
release ...
  release: 8.2 s
  wrote 17 files to /tmp/dist
     1.62 s  assemble (sources, segment, anchor)
     6.64 s  validate (SHACL)
     8.20 s  release
    16.46 s  total
built /tmp/dist: 45683 triples in 13 named graphs
"""


def test_steps_from_the_summary_table() -> None:
    assert bench.parse_steps(OUTPUT) == {"assemble": 1.62, "validate": 6.64, "release": 8.2}
    assert bench.parse_triples(OUTPUT) == 45683


def test_steps_from_step_lines_when_there_is_no_table() -> None:
    out = "\n".join(line for line in OUTPUT.splitlines() if not line.startswith("     "))
    assert bench.parse_steps(out) == {"assemble": 1.6, "validate": 6.6, "release": 8.2}
    renamed = "cache lookup (per document) ...\n  cache lookup: 0.3 s\n  reason: 12.0 s\n"
    assert bench.parse_steps(renamed) == {"cache lookup": 0.3, "reason": 12.0}


def test_fit_tells_linear_from_worse() -> None:
    linear = bench.fit("x", [(1, 12.0), (16, 42.0), (64, 138.0)])
    assert linear is not None and abs(linear.per_doc_s - 2.0) < 1e-9 and abs(linear.fixed_s - 10.0) < 1e-9
    assert linear.verdict == "linear" and abs(linear.projected_s - 2010.0) < 1e-6
    square = bench.fit("x", [(n, float(n * n)) for n in (1, 16, 64)])
    assert square is not None and square.verdict == "worse than linear"
    assert bench.fit("x", [(4, 1.0)]) is None


def test_tree_memory_counts_this_process() -> None:
    assert bench.tree_rss(os.getpid()) > 1 << 20
