"""The WSIS+20 outcome (A/80/L.41, adopted as resolution 80/173) in the built release: every operative paragraph
is the instrument's paragraph and a curated claim, and every mention the linker proposed has a curator's verdict."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from wsis_kg.build import BuildResult
from wsis_kg.namespaces import ID, OA, RDF, WSIS, document_iri

ROOT = Path(__file__).resolve().parents[1]
DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
DOC = "a-80-l-41"
INSTRUMENT = ID["instrument/wsis-20-outcome-document"]
KINDS = {WSIS.Achievement, WSIS.Challenge, WSIS.Barrier, WSIS.Decision, WSIS.Priority, WSIS.Recommendation,
         WSIS.Position, WSIS.Observation, WSIS.Figure}
# the modality an operative verb gives a recommendation, as printed at the start of the paragraph
VERB_MODALITY = {"request": "requested", "call upon": "called-upon", "urge": "urged", "encourage": "encouraged",
                 "invite": "invited"}


@pytest.fixture(scope="module")
def outcome(built: BuildResult) -> tuple[Graph, Graph, Graph]:
    """The outcome's structure, claims and mentions graphs, each with the reference data for labels."""
    d = next(d for d in built.assembly.documents if d.doc_id == DOC)
    return d.structure_graph, d.claims_graph, d.mentions_graph


def operative_paragraphs(structure: Graph) -> dict[int, URIRef]:
    return {int(structure.value(p, WSIS.paragraphNumber)): p
            for p in structure.subjects(RDF.type, WSIS.OperativeParagraph) if isinstance(p, URIRef)}


def test_each_operative_paragraph_is_the_instruments_paragraph(outcome: tuple[Graph, Graph, Graph]) -> None:
    structure, _, _ = outcome
    paragraphs = operative_paragraphs(structure)
    assert sorted(paragraphs) == list(range(1, 128))
    for n, p in paragraphs.items():
        assert p == URIRef(f"{INSTRUMENT}/paragraph/{n}")
        assert (p, RDF.type, WSIS.InstrumentParagraph) in structure
        assert structure.value(p, WSIS.ofInstrument) == INSTRUMENT
        assert structure.value(p, WSIS.inDocument) == document_iri(DOC)


def test_paragraph_67_is_one_node_for_citation_and_passage(built: BuildResult,
                                                            outcome: tuple[Graph, Graph, Graph]) -> None:
    structure, claims, _ = outcome
    p67 = URIRef(f"{INSTRUMENT}/paragraph/67")
    source = next(d for d in built.assembly.documents if d.doc_id == DOC).source.text
    start, end = int(structure.value(p67, WSIS.startOffset)), int(structure.value(p67, WSIS.endOffset))
    assert source[start:end].startswith("We invite the International Telecommunication Union")
    assert built.assembly.reference.value(INSTRUMENT, WSIS.unSymbol) == Literal("A/RES/80/173")
    claim = next(claims.subjects(WSIS.groundedIn, p67))
    assert claims.value(claim, WSIS.addressedTo) == ID["body/itu"]
    assert claims.value(claim, WSIS.voice) is not None


def test_every_operative_paragraph_is_a_curated_claim(outcome: tuple[Graph, Graph, Graph]) -> None:
    structure, claims, _ = outcome
    assert not set(claims.subjects(RDF.type, WSIS.DraftClaim)), "draft claims left in the outcome"
    for n, p in sorted(operative_paragraphs(structure).items()):
        grounded = set(claims.subjects(WSIS.groundedIn, p))
        assert grounded, f"paragraph {n} has no claim"
        for c in grounded:
            assert set(claims.objects(c, RDF.type)) & KINDS, f"{c}: no kind"
            assert claims.value(c, WSIS.quote) is not None, c
            assert claims.value(c, WSIS.speaker) == ID["body/un-general-assembly"], c
            assert claims.value(c, WSIS.voice) == ID["voice/own-voice"], c
            assert claims.value(c, WSIS.statedIn) == document_iri(DOC), c
            assert claims.value(c, WSIS.hasTextTarget) is not None, f"{c}: quote not anchored"


def test_recommendations_have_modality_and_addressee(outcome: tuple[Graph, Graph, Graph]) -> None:
    _, claims, _ = outcome
    recommendations = set(claims.subjects(RDF.type, WSIS.Recommendation))
    assert len(recommendations) > 40
    for c in recommendations:
        assert claims.value(c, WSIS.modality) is not None, c
        stated = claims.value(c, WSIS.addresseeUnstated) == Literal(True)
        assert stated or claims.value(c, WSIS.addressedTo) is not None, c
        verb = str(claims.value(c, WSIS.operativeVerb) or "")
        if verb in VERB_MODALITY:
            assert ID[f"modality/{VERB_MODALITY[verb]}"] in set(claims.objects(c, WSIS.modality)), (c, verb)


def test_the_igf_is_made_permanent_by_decision(outcome: tuple[Graph, Graph, Graph]) -> None:
    structure, claims, _ = outcome
    p99 = operative_paragraphs(structure)[99]
    (claim,) = set(claims.subjects(WSIS.groundedIn, p99))
    assert (claim, RDF.type, WSIS.Decision) in claims
    assert claims.value(claim, WSIS.about) == ID["body/igf"]


def test_no_mention_left_proposed(outcome: tuple[Graph, Graph, Graph]) -> None:
    _, _, mentions = outcome
    statuses = [mentions.value(m, WSIS.mentionStatus) for m in mentions.subjects(RDF.type, WSIS.EntityMention)]
    assert len(statuses) > 400
    assert ID["mention-status/proposed"] not in statuses
    rejected = [m for m in mentions.subjects(WSIS.mentionStatus, ID["mention-status/rejected"])]
    assert rejected, "a review that rejects nothing was not a review"
    for m in rejected:  # every rejection says why
        assert mentions.value(m, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")) is not None, m


def test_confirmed_mentions_are_claimed(outcome: tuple[Graph, Graph, Graph]) -> None:
    """An entity that a confirmed mention names inside an operative paragraph is among what a claim of that
    paragraph mentions (or its framework link), so the mention review and the claims agree."""
    structure, claims, mentions = outcome
    spans = {p: (int(structure.value(p, WSIS.startOffset)), int(structure.value(p, WSIS.endOffset)))
             for p in operative_paragraphs(structure).values()}
    missing = []
    for m in mentions.subjects(WSIS.mentionStatus, ID["mention-status/confirmed"]):
        body = mentions.value(m, OA.hasBody)
        sel = next(s for s in mentions.objects(mentions.value(m, OA.hasTarget), OA.hasSelector)
                   if mentions.value(s, OA.start) is not None)
        start = int(mentions.value(sel, OA.start))
        for p, (a, b) in spans.items():
            if a <= start < b:
                named = {o for c in claims.subjects(WSIS.groundedIn, p) for _, o in claims.predicate_objects(c)}
                named |= {claims.value(link, WSIS.linkTarget) for link in named}
                if body not in named:
                    missing.append((str(p), str(body)))
    assert not missing, missing[:10]


def test_metadata_records_the_adoption_and_the_original(built: BuildResult) -> None:
    meta = Graph().parse(ROOT / "sources" / f"{DOC}.ttl")
    doc = document_iri(DOC)
    assert meta.value(doc, WSIS.adoptedAs) == Literal("A/RES/80/173")
    assert meta.value(doc, URIRef("http://purl.org/dc/terms/dateAccepted")) == Literal("2025-12-17", datatype=DATE)
    assert built.assembly.reference.value(INSTRUMENT, URIRef("http://purl.org/dc/terms/issued")) == Literal(
        "2025-12-17", datatype=DATE)
    original = meta.value(doc, WSIS.convertedFrom)
    pdf = ROOT / "sources" / str(meta.value(original, WSIS.sourceFile))
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == str(meta.value(original, WSIS.sha256))
