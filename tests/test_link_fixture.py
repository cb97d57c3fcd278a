"""The linker on a hand-labelled resolution written in the genre of UN resolutions: wrapped and
hyphenated names, page furniture inside a name, citations, nested names and generic words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wsis_kg.assemble import load_reference
from wsis_kg.ingest.link import Linker, Mention, find_candidates
from wsis_kg.namespaces import PREFIXES
from wsis_kg.project import Project

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "link" / "resolution.txt"
EXPECTED = json.loads(FIXTURE.with_suffix(".expected.json").read_text(encoding="utf-8"))


def expand(short: str) -> str:
    prefix, local = short.split(":", 1)
    return PREFIXES[prefix] + local


def fold(surface: str) -> str:
    return " ".join(surface.split())


@pytest.fixture(scope="module")
def found() -> tuple[str, list[Mention], Linker]:
    linker = Linker.from_graph(load_reference(Project(ROOT)))
    text = FIXTURE.read_text(encoding="utf-8")
    return text, linker.link(text), linker


def test_every_expected_mention_and_nothing_else(found: tuple[str, list[Mention], Linker]) -> None:
    text, mentions, _ = found
    got = [(fold(m.surface), m.entity) for m in mentions]
    expected = [(fold(s), expand(e)) for s, e in EXPECTED["mentions"]]
    missing = [e for e in expected if e not in got]
    extra = [g for g in got if g not in expected]
    assert (missing, extra) == ([], []), f"missing: {missing}\nextra: {extra}"
    assert got == expected  # in text order, each once
    for m in mentions:
        assert text[m.start:m.end] == m.surface


@pytest.mark.parametrize(("surface", "why"), EXPECTED["absent"], ids=[a[0] for a in EXPECTED["absent"]])
def test_traps_give_no_mention(found: tuple[str, list[Mention], Linker], surface: str, why: str) -> None:
    _, mentions, _ = found
    assert fold(surface) not in {fold(m.surface) for m in mentions}, why


def test_unknown_names_and_symbols_are_candidates(found: tuple[str, list[Mention], Linker]) -> None:
    text, mentions, linker = found
    got = {(c.kind, c.name) for c in find_candidates(text, mentions, known=linker.known_forms)}
    assert got == {(k, n) for k, n in EXPECTED["candidates"]}


def test_the_furniture_inside_a_name_can_be_given_by_the_structure_step(
        found: tuple[str, list[Mention], Linker]) -> None:
    """With the furniture spans known, the same mentions come out; without skipping, the wrapped name
    is lost rather than matched across the furniture."""
    text, mentions, linker = found
    start = text.index("\n\nA/RES/80/999\n25-12345")
    end = text.index("Organization to support")
    assert [(m.start, m.end, m.entity) for m in linker.link(text, skip=[(start, end)])] == [
        (m.start, m.end, m.entity) for m in mentions]
    who = expand("body:who")
    assert who in {m.entity for m in mentions}
    assert who not in {m.entity for m in linker.link(text, skip=[])}
