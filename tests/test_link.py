"""The entity linker: names wrapped and hyphenated as UN documents print them, longest match, case rules,
citations, the mentions graph and its place in the assembled dataset."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal

from wsis_kg.assemble import assemble, load_reference
from wsis_kg.errors import AnchorError
from wsis_kg.ingest.link import (
    CONFIRMED,
    PROPOSED,
    REJECTED,
    Linker,
    Mention,
    find_candidates,
    keep_reviewed,
    mention_iri,
    mentions_graph,
    write_mentions,
)
from wsis_kg.ingest.textnorm import normalise
from wsis_kg.namespaces import OA, RDF, WSIS, document_iri, mentions_graph_iri
from wsis_kg.project import Project

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/wsis-kg/id/"
CSTD = ID + "body/cstd"
IGF = ID + "body/igf"
TUNIS = ID + "instrument/tunis-agenda"


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker.from_graph(load_reference(Project(ROOT)))


def entities(mentions: list[Mention]) -> list[str]:
    return [m.entity for m in mentions]


def test_offsets_slice_the_stored_text(linker: Linker) -> None:
    text = "The Internet Governance Forum (IGF) met.\n\nThe Commission on\nScience and Technology for Development."
    for m in linker.link(text):
        assert text[m.start:m.end] == m.surface


def test_longest_mention_wins_and_generic_words_are_no_entities(linker: Linker) -> None:
    ms = linker.link("The Internet Governance Forum discussed business, investment and a plan of action.")
    assert [(m.surface, m.entity) for m in ms] == [("Internet Governance Forum", IGF)]
    # the capitalised name is the Geneva Plan of Action; "private sector investment" is a mechanism
    ms = linker.link("the Plan of Action and private sector investment")
    assert entities(ms) == [ID + "instrument/geneva-plan-of-action", ID + "funding-mechanism/private-sector-investment"]


def test_acronyms_are_case_sensitive_and_on_word_boundaries(linker: Linker) -> None:
    assert entities(linker.link("The CSTD met.")) == [CSTD]
    assert linker.link("the cstd met; CSTD2; xCSTD; Cstd") == []


def test_name_wrapped_across_a_page_break_with_furniture(linker: Linker) -> None:
    text = ("3. Requests the Commission on Science and\n\nA/80/L.41\n25-20327 3/20\n\nA/80/L.41\n"
            "Technology for Development to report.\n\nA/80/L.41\n")
    ms = linker.link(text)
    assert entities(ms) == [CSTD]
    assert ms[0].surface.startswith("Commission on Science and") and ms[0].surface.endswith("for Development")
    start = text.index("A/80/L.41\n25")
    furniture = [(start, text.index("Technology"))]
    assert entities(linker.link(text, skip=furniture)) == [CSTD]
    # without any skip, the furniture breaks the name: nothing silently matched across it
    assert linker.link(text, skip=[]) == []


@pytest.mark.parametrize("written", [
    "Multi\u2011stakeholder Advisory Group",  # non-breaking hyphen
    "Multi\u2010stakeholder Advisory Group",  # hyphen
    "Multi-\nstakeholder Advisory Group",  # hyphenated at a line end
    "Multi\u00adstakeholder Advisory Group",  # soft hyphen
    "Multistakeholder\nAdvisory  Group",
    "multistakeholder advisory groups",  # case and plural
])
def test_hyphen_variants_case_and_plurals(linker: Linker, written: str) -> None:
    ms = linker.link(f"The {written} met.")
    assert entities(ms) == [ID + "body/igf-mag"]
    assert ms[0].surface == written


def test_normalised_offsets_map_back() -> None:
    text = "Infor-\nmation  So\u00adciety\u2011wide é"
    norm = normalise(text)
    assert norm.lower == "information society-wide e"
    for i, ch in enumerate(norm.lower):
        if ch.isalpha():
            assert text[norm.offsets[i]].lower() in (ch, "é")


@pytest.mark.parametrize(("text", "provision"), [
    ("as set out in paragraph 69 of the Tunis Agenda,", TUNIS + "/paragraph/69"),
    ("paragraphs 34 to 82 of the Tunis Agenda", TUNIS + "/paragraphs/34-82"),
    ("paragraphs 34-82 of the Tunis Agenda", TUNIS + "/paragraphs/34-82"),
    ("paragraphs 34\u2013\n82 of the\nTunis Agenda", TUNIS + "/paragraphs/34-82"),
])
def test_citations_of_provisions(linker: Linker, text: str, provision: str) -> None:
    """The citation names the provision; the instrument's name inside it is a mention of its own."""
    ms = linker.link(text)
    assert [(m.entity, m.kind) for m in ms] == [(provision, "citation"), (TUNIS, "label")]
    assert ms[0].surface.startswith("paragraph") and ms[0].surface.endswith("Agenda")
    assert ms[1].surface == "Tunis Agenda" and ms[0].start < ms[1].start and ms[1].end == ms[0].end


@pytest.mark.parametrize(("text", "entity"), [
    ("paragraph 12 of the Tunis Agenda", TUNIS),  # a provision the reference data lacks: the instrument
    ("Recalling its resolution 70/125 of 16 December 2015,", ID + "instrument/wsis-10-outcome-document"),
    ("in A/RES/79/1, annex I", ID + "instrument/pact-for-the-future"),
    ("resolution A/RES/70/125", ID + "instrument/wsis-10-outcome-document"),
])
def test_citations(linker: Linker, text: str, entity: str) -> None:
    ms = linker.link(text)
    assert [(m.entity, m.kind) for m in ms] == [(entity, "citation")]


def test_unknown_symbols_and_names_are_candidates(linker: Linker) -> None:
    text = ("Recalling its resolution 79/999 of 27 March 2025 and the work of the Frobnication Council for "
            "Digital Things (FCDT) and the Internet Governance Forum,")
    ms = linker.link(text)
    cands = {(c.kind, c.name) for c in find_candidates(text, ms, known=linker.known_forms)}
    assert ("symbol", "A/RES/79/999") in cands
    assert ("name", "Frobnication Council for Digital Things") in cands
    assert ("acronym", "FCDT") in cands
    assert not any("Internet Governance Forum" in n for _, n in cands)
    ctx = next(c for c in find_candidates(text, ms) if c.kind == "symbol").contexts[0]
    assert "[resolution 79/999 of 27 March 2025]" in ctx


def test_mentions_graph_is_web_annotation_with_status_and_derived_iris(linker: Linker) -> None:
    text = "Welcoming the Internet Governance Forum and paragraph 69 of the Tunis Agenda."
    ms = linker.link(text)
    g = mentions_graph(str(document_iri("d")), "d", text, ms, linker.labels)
    anns = set(g.subjects(RDF.type, WSIS.EntityMention))
    assert anns == {mention_iri("d", m) for m in ms} and len(anns) == 3
    slugs = {IGF: "body/igf", TUNIS: "inst/tunis-agenda", TUNIS + "/paragraph/69": "inst/tunis-agenda/paragraph/69"}
    for m in ms:
        ann = mention_iri("d", m)
        assert str(ann) == f"{ID}mention/d/{m.start}-{m.end}/{slugs[m.entity]}"
        assert g.value(ann, WSIS.mentionStatus) == PROPOSED
        assert g.value(ann, OA.motivatedBy) == (OA.linking if m.kind == "citation" else OA.identifying)
        target = g.value(ann, OA.hasTarget)
        pos = next(s for s in g.objects(target, OA.hasSelector) if (s, RDF.type, OA.TextPositionSelector) in g)
        assert text[int(g.value(pos, OA.start)):int(g.value(pos, OA.end))] == m.surface  # type: ignore[arg-type]
    # the same input gives the same graph: IRIs come from meaning, not counters
    again = mentions_graph(str(document_iri("d")), "d", text, linker.link(text), linker.labels)
    assert set(again) == set(g)


def test_review_decisions_survive_a_new_proposal(linker: Linker, tmp_path: Path) -> None:
    text = "The Internet Governance Forum and the CSTD."
    ms = linker.link(text)
    doc = str(document_iri("d"))
    path = tmp_path / "mentions.ttl"
    write_mentions(path, mentions_graph(doc, "d", text, ms, linker.labels))
    edited = path.read_text().replace("mstatus:proposed", "mstatus:rejected", 1)
    path.write_text(edited)
    rejected = next(iter(Graph().parse(path).subjects(WSIS.mentionStatus, REJECTED)))
    # the next run proposes only IGF: the rejected mention stays rejected, and stays
    merged = write_mentions(path, mentions_graph(doc, "d", text, [m for m in ms if m.entity == IGF]))
    assert merged.value(rejected, WSIS.mentionStatus) == REJECTED
    assert len(set(merged.subjects(RDF.type, WSIS.EntityMention))) == 2
    # a confirmed mention keeps its status when the linker proposes it again
    previous = Graph().parse(path)
    igf = next(a for a in previous.subjects(WSIS.mentionStatus, PROPOSED))
    previous.set((igf, WSIS.mentionStatus, CONFIRMED))
    again = keep_reviewed(previous, mentions_graph(doc, "d", text, ms, linker.labels))
    assert again.value(igf, WSIS.mentionStatus) == CONFIRMED
    assert again.value(rejected, WSIS.mentionStatus) == REJECTED


def _mini(tmp_path: Path) -> Project:
    from conftest import make_project

    return make_project(tmp_path / "p")


def test_mentions_are_their_own_named_graph_not_claims(tmp_path: Path) -> None:
    project = _mini(tmp_path)
    (doc_id,) = [p.name for p in project.documents_dir.iterdir()]
    assert project.mentions_file(doc_id).exists()
    assert project.mentions_file(doc_id) not in project.claim_files(doc_id)
    assembly = assemble(project)
    graphs = dict(assembly.named_graphs())
    mentions = graphs[mentions_graph_iri(doc_id)]
    assert set(mentions.subjects(RDF.type, WSIS.EntityMention))
    assert not set(assembly.documents[0].claims_graph.subjects(RDF.type, WSIS.EntityMention))


def test_a_mentions_file_that_no_longer_fits_its_text_is_refused(tmp_path: Path) -> None:
    project = _mini(tmp_path)
    (doc_id,) = [p.name for p in project.documents_dir.iterdir()]
    path = project.mentions_file(doc_id)
    g = Graph().parse(path)
    quote = next(iter(g.subjects(RDF.type, OA.TextQuoteSelector)))
    g.set((quote, OA.exact, Literal("something else")))
    g.serialize(path, format="turtle")
    with pytest.raises(AnchorError, match=r"mentions\.ttl: 1 mention\(s\) do not fit the stored text"):
        assemble(project)
