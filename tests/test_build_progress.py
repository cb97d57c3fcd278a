"""A long build is never silent: each step says when it starts and how long it took, each document and
each HermiT run is counted as it is done, and a large curated file is announced before it is read."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from conftest import make_project
from wsis_kg.rdfio import LARGE, parse_turtle_files


def test_build_reports_each_step_and_each_document(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", bundled=True)
    from wsis_kg.cli import main

    result = CliRunner().invoke(main, ["--project", str(project.root), "build", "--no-reason"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    docs = sorted(p.name for p in project.documents_dir.iterdir())
    counted = [line.split("]")[1].split(":")[0].strip() for line in lines
               if re.match(rf"\s+\[\d+/{len(docs)}\] ", line)]
    assert sorted(counted) == docs  # in the order the pool finishes them
    for name in ("documents", "validate", "release"):
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{name} ") and line.endswith("..."))
        end = next(i for i, line in enumerate(lines) if re.fullmatch(rf"\s+{name}: \d+\.\d s", line))
        assert start < end


def test_large_curated_files_are_announced(tmp_path: Path) -> None:
    small = tmp_path / "small.ttl"
    small.write_text("<https://example.org/a> <https://example.org/b> 1 .\n")
    large = tmp_path / "large.ttl"
    with large.open("w") as fh:
        n = 0
        while fh.tell() < LARGE:
            n += 1
            fh.write(f"<https://example.org/s{n}> <https://example.org/p> \"{'x' * 40}\" .\n")
    said: list[str] = []
    graph = parse_turtle_files([small, large], progress=said.append)
    assert len(graph) == n + 1
    assert len(said) == 2 and said[0].startswith("  reading large.ttl (1.0 MB)")
    assert said[1].startswith("  read large.ttl in ") and f"({n + 1} triples so far)" in said[1]
