"""HermiT in one JVM for every scope gives the verdicts owlready2's one-JVM-per-scope run gives: consistent,
inconsistent (with the likely clash), unsatisfiable classes; a failing scope does not end the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from wsis_kg import reason
from wsis_kg.errors import EnvironmentProblem, Inconsistent
from wsis_kg.reason import (
    HermitSession,
    ReasonerResult,
    check_results,
    find_java,
    reason_graph,
    reason_scopes,
    write_reasoner_input,
)

ROOT = Path(__file__).resolve().parents[1]
EX = "https://example.org/t#"
PREFIXES = f"""@prefix ex: <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
ONTOLOGY = PREFIXES + """
ex:onto a owl:Ontology .
ex:A a owl:Class . ex:B a owl:Class ; owl:disjointWith ex:A .
ex:p a owl:ObjectProperty . ex:d a owl:DatatypeProperty ; rdfs:range xsd:string .
"""
REFERENCE = PREFIXES + 'ex:r1 a ex:A ; rdfs:label "reference one" .\n'
CONSISTENT = PREFIXES + 'ex:x a ex:A ; ex:p ex:r1 ; ex:d "text" ; rdfs:label "x" .\n'
INCONSISTENT = PREFIXES + 'ex:y a ex:A , ex:B ; rdfs:label "both" .\n'
UNSATISFIABLE = PREFIXES + "ex:C a owl:Class ; rdfs:subClassOf ex:A , ex:B .\n"


def turtle(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


@pytest.fixture(scope="module")
def java() -> str:
    return find_java()


@pytest.fixture(scope="module")
def base() -> Graph:
    return turtle(ONTOLOGY) + turtle(REFERENCE)


@pytest.fixture(scope="module")
def session(java: str, base: Graph) -> Iterator[HermitSession]:
    with HermitSession(java, base) as s:
        assert s.one_jvm
        yield s


def verdict(r: ReasonerResult) -> tuple[bool, list[str], str]:
    return r.consistent, r.unsatisfiable, r.error


def test_fixtures_same_verdicts_as_owlready2(session: HermitSession, base: Graph, java: str) -> None:
    for name, text in [("consistent", CONSISTENT), ("inconsistent", INCONSISTENT),
                       ("unsatisfiable", UNSATISFIABLE)]:
        graph = turtle(text)
        one = session.check(name, graph)
        alone = reason_graph(name, base + graph, java)
        assert verdict(one) == verdict(alone), name
        assert one.triples == alone.triples == len(base + graph)
    assert verdict(session.check("c", turtle(CONSISTENT))) == (True, [], "")
    clash = session.check("i", turtle(INCONSISTENT))
    assert not clash.consistent and f"<{EX}y> (both) is a <{EX}" in clash.detail and "disjoint" in clash.detail
    assert verdict(session.check("u", turtle(UNSATISFIABLE))) == (True, [f"{EX}C"], "")
    # the scope's axioms are taken out again: the base alone is consistent after them
    assert verdict(session.check("base", Graph())) == (True, [], "")


def test_ontology_alone_and_check_results(session: HermitSession) -> None:
    unsat = session.check("ontology", turtle(ONTOLOGY + UNSATISFIABLE), with_base=False)
    assert unsat.unsatisfiable == [f"{EX}C"] and unsat.triples == len(turtle(ONTOLOGY + UNSATISFIABLE))
    with pytest.raises(Inconsistent, match="unsatisfiable classes in ontology"):
        check_results([unsat])
    with pytest.raises(Inconsistent, match=r"Likely clash: .*declared disjoint"):
        check_results([session.check("doc", turtle(INCONSISTENT))])


def test_characters_xml_cannot_carry(session: HermitSession, base: Graph, java: str) -> None:
    graph = Graph()
    graph.add((URIRef(EX + "z"), URIRef(EX + "d"), Literal("page\x0cbreak\x00 and \ufffe")))
    assert verdict(session.check("form feed", graph)) == (True, [], "")
    assert verdict(reason_graph("form feed", base + graph, java)) == (True, [], "")


def test_a_failing_scope_does_not_end_the_session(session: HermitSession, tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text("<https://example.org/t#x> this is not N-Triples\n", encoding="utf-8")
    failed = session.check_file("malformed", bad, 1)
    assert failed.error and not failed.consistent
    with pytest.raises(EnvironmentProblem, match="HermiT failed on malformed"):
        check_results([failed])
    good = tmp_path / "good.nt"
    assert write_reasoner_input(turtle(INCONSISTENT), good) == len(turtle(INCONSISTENT))
    assert not session.check_file("after", good, 7).consistent
    assert verdict(session.check("still", turtle(CONSISTENT))) == (True, [], "")


def test_reason_scopes_stops_at_the_first_failing_scope(java: str) -> None:
    said: list[str] = []
    scopes = [("ok", turtle(CONSISTENT)), ("clash", turtle(INCONSISTENT)), ("never", turtle(CONSISTENT))]
    results = reason_scopes(turtle(ONTOLOGY), turtle(REFERENCE), scopes, java, said.append)
    assert [r.scope for r in results] == ["ontology", "ontology + reference", "ok", "clash"]
    assert [r.consistent for r in results] == [True, True, True, False]
    assert [line.split("]")[0].strip() for line in said] == ["[1/5", "[2/5", "[3/5", "[4/5"]


def test_without_javac_each_scope_runs_through_owlready2(java: str, base: Graph,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reason, "find_javac", lambda _java: None)
    said: list[str] = []
    with HermitSession(java, base, said.append) as s:
        assert not s.one_jvm
        assert verdict(s.check("u", turtle(UNSATISFIABLE))) == (True, [f"{EX}C"], "")
        clash = s.check("i", turtle(INCONSISTENT))
        assert not clash.consistent and "disjoint" in clash.detail
    assert len(said) == 1 and "javac not found" in said[0] and "owlready2" in said[0]


def test_a_dead_jvm_is_an_environment_problem(java: str, base: Graph) -> None:
    with HermitSession(java, base) as s:
        assert s._process is not None
        s._process.kill()
        with pytest.raises(EnvironmentProblem, match="JVM running HermiT stopped"):
            s.check("after death", turtle(CONSISTENT))


def test_compiled_once_into_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, java: str) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    javac = reason.find_javac(java)
    assert javac is not None
    first = reason.compiled_session(javac)
    assert (first / "HermitSession.class").exists() and first.is_relative_to(tmp_path / "wsis-kg")
    assert reason.compiled_session(javac) == first
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no half-built folder left


def test_bundled_data_read_as_the_owl_api_reads_it(java: str) -> None:
    """The session maps most triples to axioms itself; on the bundled documents that mapping must give
    exactly the OWL API parser's axioms, and HermiT the verdict owlready2 gives on everything at once."""
    from wsis_kg.assemble import assemble
    from wsis_kg.project import Project

    assembly = assemble(Project(ROOT, ROOT / "dist-unused"))
    base = assembly.ontology + assembly.reference
    graphs = [d.structure_graph + d.claims_graph + d.mentions_graph for d in assembly.documents]
    graphs += [u.graph for u in assembly.uptake]
    with HermitSession(java, base) as s:
        for i, g in enumerate(graphs):
            assert s.compare_reading(f"scope {i}", g) == ""
            assert verdict(s.check(f"scope {i}", g)) == (True, [], "")
    everything = base
    for g in graphs:
        everything = everything + g
    assert verdict(reason_graph("everything", everything, java)) == (True, [], "")
