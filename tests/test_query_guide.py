"""docs/query-guide.md: its ten worked questions run on the release as written (prefixes predeclared, as
`wsis-kg query -e` runs them) and each returns rows; the README leads to it."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from wsis_kg.query import check_syntax, run_local

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "query-guide.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sparql\n(.*?)```", GUIDE, re.DOTALL)


def test_the_guide_has_ten_worked_questions() -> None:
    assert len(QUERIES) == 10
    assert len(re.findall(r"^### \d+\. ", GUIDE, re.MULTILINE)) == 10


@pytest.mark.parametrize("number", range(1, len(QUERIES) + 1))
def test_each_worked_question_answers(store: ox.Store, number: int) -> None:
    text = QUERIES[number - 1]
    check_syntax(text)
    _, rows = run_local(store, text)
    assert rows, f"question {number} of the query guide returns no row"


def test_the_readme_links_the_guide_and_says_how_to_run_the_cli() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/query-guide.md)" in readme
    assert ".venv/bin/wsis-kg" in readme and "source .venv/bin/activate" in readme
    assert ".venv/bin/wsis-kg" in GUIDE and "source .venv/bin/activate" in GUIDE
