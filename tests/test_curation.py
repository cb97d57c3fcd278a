"""Readings of the bundled document decided against its text: each test names the words of the source that
settle the reading, so that a later edit of the data that contradicts them fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from wsis_kg.build import BuildResult
from wsis_kg.namespaces import RDF, SKOS, WSIS, XSD

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "sources" / "imsb-reflections-wsis20-elements-paper-2025-07-25.txt").read_text(encoding="utf-8")
C = "https://w3id.org/wsis-kg/id/claim/imsb-reflections-2025-07-25/"
ID = "https://w3id.org/wsis-kg/id/"


@pytest.fixture(scope="module")
def claims(built: BuildResult) -> Graph:
    (doc,) = [d for d in built.assembly.documents if d.doc_id == "imsb-reflections-2025-07-25"]
    return doc.claims_graph


@pytest.fixture(scope="module")
def everything(built: BuildResult) -> Graph:
    g = Graph()
    for _, part in built.assembly.named_graphs():
        for t in part:
            g.add(t)
    return g


def claim(slug: str) -> URIRef:
    return URIRef(C + slug)


def quote(g: Graph, slug: str) -> str:
    return str(g.value(claim(slug), WSIS.quote))


def test_should_be_encouraged_is_encouraged(claims: Graph) -> None:
    assert "should be encouraged" in quote(claims, "q5-efficient-computing-and-green-power")
    assert claims.value(claim("q5-efficient-computing-and-green-power"), WSIS.modality) == URIRef(
        ID + "modality/encouraged")


@pytest.mark.parametrize("slug", ["q2-womens-representation-and-gender-inclusive-funding",
                                  "q6-wsis-forum-role-monitoring-showcasing", "q6-cstd-role-reporting-on-progress",
                                  "q6-igf-role-key-enabler"])
def test_unattributed_sentences_inside_a_reported_passage_are_reported_views_with_a_note(claims: Graph,
                                                                                         slug: str) -> None:
    c = claim(slug)
    assert claims.value(c, WSIS.voice) == URIRef(ID + "voice/reported-view")
    assert claims.value(c, WSIS.reportedBy) == URIRef(ID + "body/imsb")
    assert claims.value(c, WSIS.supportLevel) is not None
    assert claims.value(c, SKOS.editorialNote) is not None, "say why the reading was chosen"


def test_the_joint_plan_roles_share_the_support_of_the_plan(claims: Graph) -> None:
    ungis = claims.value(claim("q6-ungis-role-coordination-delivery"), WSIS.supportLevel)
    assert "There is significant support for a joint WSIS-GDC implementation plan" in SOURCE
    for slug in ("q6-wsis-forum-role-monitoring-showcasing", "q6-cstd-role-reporting-on-progress",
                 "q6-igf-role-key-enabler"):
        assert claims.value(claim(slug), WSIS.supportLevel) == ungis


@pytest.mark.parametrize("slug", ["q5-ec-position-affirm-tunis-69", "q5-ec-position-continuous-evolving-process",
                                  "q5-ec-position-equal-footing-new-language", "q5-ec-position-do-not-reopen-debate"])
def test_enhanced_cooperation_positions_name_no_holder(claims: Graph, slug: str) -> None:
    c = claim(slug)
    assert quote(claims, slug).startswith("That")  # the text lists what is held, never by whom
    assert claims.value(c, WSIS.speaker) is None
    assert claims.value(c, WSIS.speakerUnstated) == Literal(True, datatype=XSD.boolean)
    assert claims.value(c, SKOS.editorialNote) is not None


def test_what_the_elements_paper_notes_is_an_observation(claims: Graph) -> None:
    c = claim("q1-elements-paper-paragraph-5-multistakeholder-cooperation")
    assert quote(claims, "q1-elements-paper-paragraph-5-multistakeholder-cooperation").startswith(
        "As paragraph 5 of the Elements Paper notes")
    assert set(claims.objects(c, RDF.type)) == {WSIS.Observation}
    assert claims.value(c, WSIS.modality) is None


def test_numerous_stakeholders_are_not_all_stakeholders(claims: Graph) -> None:
    c = claim("q6-stakeholders-input-on-igf-priorities")
    assert "numerous stakeholders" in quote(claims, "q6-stakeholders-input-on-igf-priorities")
    assert URIRef(ID + "stakeholder-group/all-stakeholders") not in set(claims.objects(c, WSIS.mentionsGroup))


def test_curator_links_are_justified_by_content_not_section(claims: Graph) -> None:
    for link in claims.objects(None, WSIS.justification):
        assert "stands in the section" not in str(link), link


def test_the_frameworks_the_text_names_are_stated_links(claims: Graph) -> None:
    def targets(slug: str) -> set[str]:
        return {str(claims.value(link, WSIS.linkTarget)) for link in claims.objects(claim(slug), WSIS.hasTopicLink)
                if (link, RDF.type, WSIS.StatedLink) in claims}

    assert "the Global Digital Compact objectives" in quote(claims, "q4-harness-wsis-and-gdc-to-accelerate-sdgs")
    gdco = ID + "instrument/global-digital-compact/objective/"
    assert {gdco + str(n) for n in range(1, 6)} <= targets("q4-harness-wsis-and-gdc-to-accelerate-sdgs")
    assert "the 17 Sustainable Development Goals" in quote(claims, "q5-outcome-document-digital-technologies-and-sdgs")
    assert {f"http://metadata.un.org/sdg/{n}" for n in range(1, 18)} <= targets(
        "q5-outcome-document-digital-technologies-and-sdgs")


def test_guiding_principles_carry_their_un_document_symbol(everything: Graph) -> None:
    ungp = URIRef(ID + "instrument/un-guiding-principles-business-human-rights")
    assert {str(s) for s in everything.objects(ungp, WSIS.unSymbol)} == {"A/HRC/17/31"}


def test_action_line_c2_has_its_full_title(everything: Graph) -> None:
    from rdflib.namespace import RDFS

    label = str(everything.value(URIRef(ID + "action-line/C2"), RDFS.label))
    assert label.endswith("an essential foundation for the Information Society")


def test_the_permanent_mandate_asks_are_linked_both_ways(everything: Graph, claims: Graph) -> None:
    asks = [claim(s) for s in ("q1-igf-permanent-mandate-joined", "q5-igf-permanent-mandate",
                               "q6-igf-mandate-permanent")]
    for c in asks:
        assert "permanent" in str(claims.value(c, WSIS.quote))
    for a in asks:
        for b in asks:
            if a != b:
                assert (a, WSIS.sameAskAs, b) in everything, f"{a} -> {b} (asserted or entailed by symmetry)"
    levels = {str(claims.value(c, WSIS.supportLevel)) for c in asks}
    assert len(levels) == 3, "three asks at three levels of support (one in the IMSB's own voice)"
