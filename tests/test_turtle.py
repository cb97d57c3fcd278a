"""Turtle that every reader takes alike: the files Protégé users open (ontology/*.ttl, the curated data,
the release's Turtle and TriG) declare prefixes with `@prefix` and hold no backslash-escaped local name,
which OWL API 5.1 reads wrongly (`id:activity\\/build`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from wsis_kg.project import Project
from wsis_kg.rdfio import canonical_turtle
from wsis_kg.release import turtle_bytes

ROOT = Path(__file__).resolve().parents[1]
ESCAPED_NAME = re.compile(r"(^|[\s(\[,;])[A-Za-z][\w.-]*:\S*\\")
STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"')


def check(text: str, where: str) -> None:
    for n, line in enumerate(text.splitlines(), 1):
        assert not line.startswith(("PREFIX ", "BASE ")), f"{where}:{n}: SPARQL-style {line.split()[0]}"
        assert not ESCAPED_NAME.search(STRING.sub('""', line)), f"{where}:{n}: escaped local name: {line.strip()}"
    assert "@prefix " in text, f"{where}: no @prefix declaration"


@pytest.mark.parametrize("path", Project(ROOT).data_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_curated_turtle_reads_everywhere(path: Path) -> None:
    check(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


@pytest.mark.parametrize("name", ["wsis-kg.ttl", "wsis-kg.trig", "ontology/wsis.ttl", "ontology/shapes.ttl"])
def test_release_turtle_reads_everywhere(release: Path, name: str) -> None:
    check((release / name).read_text(encoding="utf-8"), name)


def test_a_local_name_that_would_need_an_escape_is_written_in_full() -> None:
    g = Graph()
    s = URIRef("https://w3id.org/wsis-kg/id/activity/build")
    g.add((s, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef("http://metadata.un.org/sdg/5")))
    text = canonical_turtle(g)
    assert "<https://w3id.org/wsis-kg/id/activity/build>" in text
    import pyoxigraph as ox

    t = ox.Triple(ox.NamedNode(str(s)), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
                  ox.NamedNode("http://metadata.un.org/sdg/5"))
    out = turtle_bytes([t], {"id": "https://w3id.org/wsis-kg/id/", "sdg": "http://metadata.un.org/sdg/",
                             "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}).decode()
    assert "<https://w3id.org/wsis-kg/id/activity/build> rdfs:seeAlso" not in out  # subject on its own line
    assert "<https://w3id.org/wsis-kg/id/activity/build>" in out and "<http://metadata.un.org/sdg/5>" in out
    assert "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ." in out and "@prefix id:" not in out
    back = ox.parse(out.encode(), format=ox.RdfFormat.TURTLE)
    assert [ox.Triple(q.subject, q.predicate, q.object) for q in back] == [t]
