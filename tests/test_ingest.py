"""`wsis-kg ingest` end to end: one UN resolution in four formats gives one structure, furniture stays out of
every paragraph, the bundled consultation response keeps its structure, drafts anchor and build."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from conftest import FIXTURES, ROOT, make_project
from wsis_kg.cli import main
from wsis_kg.ingest.genres import structure_of
from wsis_kg.ingest.layout import Layout
from wsis_kg.namespaces import ID, RDF, WSIS, document_iri
from wsis_kg.project import Project
from wsis_kg.segment import Structure, segment
from wsis_kg.sources import load_source

sys.path.insert(0, str(FIXTURES / "ingest"))
import render

FORMATS = ["txt", "pdf", "docx", "html"]
REFLECTIONS = ROOT / "sources" / "imsb-reflections-wsis20-elements-paper-2025-07-25.txt"
FURNITURE = re.compile(r"A/80/L\.99|25-04711|\*2504711\*|\b\d/\d\b|_{5,}")


def run(project: Project, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(project.root), *args])
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, output


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def fixture() -> render.Fixture:
    return render.load()


@pytest.fixture(scope="module")
def files(fixture: render.Fixture, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("formats")
    (d / "resolution.txt").write_text(render.to_text(fixture), encoding="utf-8")
    return {"txt": d / "resolution.txt", "pdf": render.to_pdf(fixture, d / "resolution.pdf"),
            "docx": render.to_docx(fixture, d / "resolution.docx"),
            "html": render.to_html(fixture, d / "resolution.html")}


@pytest.fixture(scope="module")
def ingested(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Project, Layout]]:
    out = {}
    for fmt, path in files.items():
        project = make_project(tmp_path_factory.mktemp(f"p-{fmt}"), mini=False)
        code, output = run(project, "ingest", str(path), "--id", "draft-res")
        assert code == 0, output
        structure = structure_of(load_source(project.sources / "draft-res.ttl"))
        assert isinstance(structure, Layout)
        out[fmt] = (project, structure)
    return out


def parts(project: Project, layout: Layout) -> list[tuple[str, str, str]]:
    text = (project.sources / "draft-res.txt").read_text(encoding="utf-8")
    return [(p.kind, p.number, squash(p.text(text))) for p in layout.all_parts()]


def test_the_four_formats_give_one_structure(ingested: dict[str, tuple[Project, Layout]],
                                             fixture: render.Fixture) -> None:
    reference = parts(*ingested["txt"])
    for fmt in FORMATS[1:]:
        assert parts(*ingested[fmt]) == reference, fmt
    # and that structure is the fixture's: every block, its kind, number and text
    kinds = {"chapeau": "chapeau", "pre": "preambular", "head": "heading", "op": "operative", "sub": "sub-paragraph"}
    expected = [(kinds[b.kind], b.number if b.kind in ("op", "sub") else "", squash(render.plain(b.text)))
                for b in fixture.body if b.kind != "title"]
    got = [p for p in reference if p[0] != "title-block"]
    # an operative paragraph's text includes its sub-paragraphs: compare its opening
    assert [(k, n) for k, n, _ in got] == [(k, n) for k, n, _ in expected]
    for (kind, _, text), (_, _, want) in zip(got, expected, strict=True):
        assert text.startswith(want) if kind == "operative" else text == want
    for fmt in FORMATS:
        project, layout = ingested[fmt]
        text = (project.sources / "draft-res.txt").read_text(encoding="utf-8")
        notes = {f.number: squash(f.text(text)) for f in layout.footnotes}
        assert notes == {n: squash(f"{n} {t}") for n, t in fixture.notes.items()}, fmt


def test_footnote_marks_are_found(ingested: dict[str, tuple[Project, Layout]], fixture: render.Fixture) -> None:
    holders = {m: b for b in fixture.body for m in re.findall(r"\{(\d+)\}", b.text)}
    for fmt in FORMATS:
        project, layout = ingested[fmt]
        src = load_source(project.sources / "draft-res.ttl")
        g = layout.graph(str(src.iri), src.label, src.text)
        for f in layout.footnotes:
            assert src.text[f.mark] == f.number, (fmt, f.number)
            holder = g.value(URIRef(f.iri), WSIS.noteTo)
            block = holders[f.number]
            expected = {"op": f"/paragraph/{block.number}", "pre": "/preamble/p"}[block.kind]
            assert expected in str(holder), (fmt, f.number, holder)


def test_furniture_stays_out_of_every_paragraph(ingested: dict[str, tuple[Project, Layout]]) -> None:
    for fmt in ("txt", "pdf"):
        project, layout = ingested[fmt]
        text = (project.sources / "draft-res.txt").read_text(encoding="utf-8")
        furniture = [" ".join(text[f.start:f.end].split()) for f in layout.furniture]
        assert "A/80/L.99" in furniture and "*2504711*" in furniture
        assert any(re.fullmatch(r"(25-04711 )?2/3( 25-04711)?", f) for f in furniture), furniture
        for p in layout.passages():
            assert not FURNITURE.search(p.text(text)), (fmt, p.kind, p.number, p.text(text))
        # paragraph 7 is cut by a page break inside the name of UNESCO: its span holds the furniture of the
        # next page, its text does not, and the name reads whole
        seven = next(p for p in layout.operative() if p.number == "7")
        assert seven.gaps and FURNITURE.search(text[seven.start:seven.end])
        assert "United Nations Educational,\nScientific and Cultural Organization" in seven.text(text)


def test_no_text_is_dropped(ingested: dict[str, tuple[Project, Layout]], tmp_path: Path) -> None:
    """Every printed character lands in a part, a footnote or the furniture."""
    cases = [((project.sources / "draft-res.txt").read_text(encoding="utf-8"), layout)
             for project, layout in ingested.values()]
    report = (FIXTURES / "ingest" / "report.txt").read_text(encoding="utf-8")
    from wsis_kg.ingest.report import segment_report

    cases.append((report, segment_report(report)))
    for text, layout in cases:
        covered = bytearray(len(text))
        for p in [*layout.footnotes, *layout.furniture]:
            covered[p.start:p.end] = b"\x01" * (p.end - p.start)
        for p in layout.all_parts():
            covered[p.start:p.end] = b"\x01" * (p.end - p.start)
            if p.number and p.kind in ("operative", "sub-paragraph", "paragraph"):
                # the printed number or letter is data (wsis:paragraphNumber, wsis:marker), just before the span
                label = f"{p.number}." if p.kind != "sub-paragraph" else f"({p.number})"
                at = text.rfind(label, 0, p.start)
                assert 0 <= p.start - at - len(label) <= 2, (label, text[at:p.start + 10])
                covered[at:at + len(label)] = b"\x01" * len(label)
        lost = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
        assert not lost, text[lost[0] - 20:lost[0] + 20]


def test_segment_command_shows_a_resolution(ingested: dict[str, tuple[Project, Layout]]) -> None:
    project, _ = ingested["pdf"]
    code, output = run(project, "segment", "draft-res")
    assert code == 0, output
    assert "draft-res (resolution): 1 chapeau, 3 heading, 12 operative, 5 preambular, 3 sub-paragraph, " \
           "1 title-block, 4 footnotes" in output
    assert "heading" in output and "Internet governance and the follow-up to the Summit" in output


def test_non_breaking_hyphens_are_kept(ingested: dict[str, tuple[Project, Layout]]) -> None:
    for fmt in FORMATS:
        project, _ = ingested[fmt]
        text = (project.sources / "draft-res.txt").read_text(encoding="utf-8")
        assert "multi\u2011stakeholder" in text and "high\u2011level" in text, fmt


def test_metadata_is_proposed_from_the_document(ingested: dict[str, tuple[Project, Layout]], files: dict[str, Path]
                                               ) -> None:
    import hashlib

    for fmt in FORMATS:
        project, _ = ingested[fmt]
        src = load_source(project.sources / "draft-res.ttl")
        g, doc = src.metadata, src.iri
        assert str(g.value(doc, WSIS.unSymbol)) == "A/80/L.99"
        assert str(g.value(doc, URIRef("http://purl.org/dc/terms/date"))) == "2026-03-03"
        assert str(g.value(doc, URIRef("http://purl.org/dc/terms/publisher"))) == "United Nations General Assembly"
        assert g.value(doc, WSIS.genre) == ID["genre/resolution"]
        original = g.value(doc, WSIS.convertedFrom)
        if fmt == "txt":
            assert original is None
            assert (project.sources / "draft-res.txt").read_bytes() == files["txt"].read_bytes()
        else:
            assert str(g.value(original, WSIS.sourceFile)) == files[fmt].name
            assert str(g.value(original, WSIS.sha256)) == hashlib.sha256(files[fmt].read_bytes()).hexdigest()
    # a PDF's pages are recorded, so that a quote can be cited with its page
    project, layout = ingested["pdf"]
    assert len(layout.pages) == 3
    seven = next(p for p in layout.operative() if p.number == "7")
    assert [pg.number for pg in layout.pages if pg.start <= seven.start < pg.end] == [2]
    assert [pg.number for pg in layout.pages if seven.start < pg.start < seven.end] == [3]


def test_drafts_read_the_operative_verb(ingested: dict[str, tuple[Project, Layout]], fixture: render.Fixture) -> None:
    project, _ = ingested["pdf"]
    g = Graph().parse(project.documents_dir / "draft-res" / "drafts.ttl")
    claim = "https://w3id.org/wsis-kg/id/claim/draft-res/draft/paragraph-{}".format
    ops = {b.number: b.text.split()[0] for b in fixture.body if b.kind == "op"}
    kinds = {"Decides": WSIS.Decision, "Calls": WSIS.Recommendation, "Requests": WSIS.Recommendation,
             "Invites": WSIS.Recommendation, "Encourages": WSIS.Recommendation, "Urges": WSIS.Recommendation,
             "Reaffirms": WSIS.Observation, "Notes": WSIS.Observation, "Recognizes": WSIS.Observation,
             "Stresses": WSIS.Observation}
    for number, verb in ops.items():
        assert g.value(URIRef(claim(number)), WSIS.proposedKind) == kinds[verb], (number, verb)
    two = URIRef(claim(2))
    assert g.value(two, WSIS.proposedModality) == ID["modality/called-upon"]
    assert g.value(two, WSIS.proposedAddressee) == ID["stakeholder-group/member-states"]
    assert g.value(URIRef(claim(6)), WSIS.proposedModality) == ID["modality/requested"]
    assert g.value(URIRef(claim(3)), WSIS.proposedModality) == ID["modality/encouraged"]
    assert (None, RDF.type, WSIS.Claim) not in g
    drafts = set(g.subjects(RDF.type, WSIS.DraftClaim))
    # one draft per operative, preambular and chapeau paragraph
    assert len(drafts) == sum(1 for b in fixture.body if b.kind in ("op", "pre", "chapeau"))


def test_mentions_are_proposed_across_the_page_break(ingested: dict[str, tuple[Project, Layout]]) -> None:
    from wsis_kg.namespaces import OA

    project, layout = ingested["pdf"]
    g = Graph().parse(project.documents_dir / "draft-res" / "mentions.ttl")
    text = (project.sources / "draft-res.txt").read_text(encoding="utf-8")
    spans = {}
    for ann in g.subjects(RDF.type, WSIS.EntityMention):
        target = g.value(ann, OA.hasTarget)
        pos = next(s for s in g.objects(target, OA.hasSelector) if g.value(s, OA.start) is not None)
        spans.setdefault(g.value(ann, OA.hasBody), []).append((int(g.value(pos, OA.start)), int(g.value(pos, OA.end))))
    assert ID["body/itu"] in spans
    (start, end), *_ = spans[ID["body/unesco"]]
    # the name runs over the page break: the furniture of page 3 lies inside the mention's span
    assert any(start < f.start < end for f in layout.furniture)
    assert text[start:end].startswith("United Nations Educational,") and text[start:end].endswith("Organization")


def test_build_runs_right_after_ingest(ingested: dict[str, tuple[Project, Layout]]) -> None:
    from wsis_kg.build import run_build

    project, _ = ingested["pdf"]
    result = run_build(project, reason=True)
    doc = next(d for d in result.assembly.documents if d.doc_id == "draft-res")
    assert len(doc.anchors) == len(set(doc.claims_graph.subjects(RDF.type, WSIS.DraftClaim)))
    seven = URIRef(f"{document_iri('draft-res')}/paragraph/7")
    assert doc.structure_graph.value(seven, WSIS.paragraphNumber) is not None
    assert (seven, RDF.type, WSIS.OperativeParagraph) in doc.structure_graph
    assert "25-04711" not in str(doc.structure_graph.value(seven, WSIS.text))


def test_a_text_of_a_known_instrument_gets_its_paragraph_iris(files: dict[str, Path], tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", mini=False)
    code, output = run(project, "ingest", str(files["docx"]), "--id", "outcome", "--symbol", "A/RES/80/173")
    assert code == 0, output
    src = load_source(project.sources / "outcome.ttl")
    instrument = ID["instrument/wsis-20-outcome-document"]
    assert src.metadata.value(src.iri, WSIS.textOf) == instrument
    g = structure_of(src).graph(str(src.iri), src.label, src.text)
    twelve = URIRef(f"{instrument}/paragraph/12")
    assert (twelve, RDF.type, WSIS.OperativeParagraph) in g and (twelve, RDF.type, WSIS.InstrumentParagraph) in g
    assert g.value(twelve, WSIS.ofInstrument) == instrument
    assert not list(g.subjects(RDF.type, WSIS.OperativeParagraph)) or all(
        str(p).startswith(str(instrument)) for p in g.subjects(RDF.type, WSIS.OperativeParagraph))


def test_the_bundled_reflections_ingest_to_the_curated_structure(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", mini=False)
    code, output = run(project, "ingest", str(REFLECTIONS), "--id", "reflections")
    assert code == 0, output
    assert (project.sources / "reflections.txt").read_bytes() == REFLECTIONS.read_bytes()
    src = load_source(project.sources / "reflections.ttl")
    assert src.metadata.value(src.iri, WSIS.genre) == ID["genre/consultation-response"]
    structure = structure_of(src)
    assert isinstance(structure, Structure)
    curated = segment(REFLECTIONS.read_text(encoding="utf-8"))
    assert len(structure.questions) == 6
    assert sum(len(q.sections) for q in structure.questions) == 38
    assert len(structure.passages()) == 70
    assert sum(p.kind == "list-item" for p in structure.passages()) == 21
    assert [(p.kind, p.start, p.end) for p in structure.passages()] == [
        (p.kind, p.start, p.end) for p in curated.passages()]
    drafts = Graph().parse(project.documents_dir / "reflections" / "drafts.ttl")
    assert len(set(drafts.subjects(RDF.type, WSIS.DraftClaim))) == 70
    assert not list(drafts.objects(None, WSIS.proposedKind))


def test_a_generic_report(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", mini=False)
    code, output = run(project, "ingest", str(FIXTURES / "ingest" / "report.txt"), "--id", "ona",
                       "--publisher", "Open Networks Alliance")
    assert code == 0, output
    src = load_source(project.sources / "ona.ttl")
    assert src.metadata.value(src.iri, WSIS.genre) == ID["genre/report"]
    assert str(src.metadata.value(src.iri, URIRef("http://purl.org/dc/terms/title"))) == \
        "Digital Cooperation in Practice"
    layout = structure_of(src)
    assert isinstance(layout, Layout)
    headings = [" ".join(p.text(src.text).split()) for p in layout.headings()]
    assert headings[-3:] == ["Summary", "Recommendations", "Conclusion"]
    numbered = [p.number for p in layout.parts if p.kind == "paragraph" and p.number]
    assert numbered == ["1", "2", "3"]
    assert any(p.text(src.text).startswith("Community networks remain small") for p in layout.passages())


def test_review_lists_what_waits(ingested: dict[str, tuple[Project, Layout]]) -> None:
    project, _ = ingested["html"]
    drafts = Graph().parse(project.documents_dir / "draft-res" / "drafts.ttl")
    n = len(set(drafts.subjects(RDF.type, WSIS.DraftClaim)))
    code, output = run(project, "review", "draft-res", "--all")
    assert code == 0, output
    assert f"waiting for a curator: {n} draft claim(s)" in output
    assert "Draft: paragraph 2 of A/80/L.99 (calls upon): kind wsis:Recommendation, modality modality:called-upon, " \
           "addressee group:member-states" in output
    assert "confirmed: 0 curated claim(s)" in output
    mentions = Graph().parse(project.documents_dir / "draft-res" / "mentions.ttl")
    proposed = len(set(mentions.subjects(RDF.type, WSIS.EntityMention)))
    assert proposed and f"waiting for a curator: {proposed} proposed mention(s)" in output
    assert "confirmed: 0 mention(s); rejected: 0" in output
    code, output = run(project, "review", "no-such-doc")
    assert code == 2 and "no document no-such-doc" in output


def test_an_instrument_is_found_by_symbol_or_by_title_and_year() -> None:
    from wsis_kg.assemble import load_reference
    from wsis_kg.ingest.detect import find_instrument

    reference = load_reference(Project(ROOT))
    title = ("Outcome document of the high-level meeting of the General Assembly on the overall review of the "
             "implementation of the outcomes of the World Summit on the Information Society")
    # the WSIS+10 and WSIS+20 outcomes carry the same title: the year tells them apart
    assert find_instrument(reference, "A/80/L.41", title, "2025-12-16") == ID["instrument/wsis-20-outcome-document"]
    assert find_instrument(reference, "", title, "2015-12-16") == ID["instrument/wsis-10-outcome-document"]
    assert find_instrument(reference, "A/RES/70/125", "", "") == ID["instrument/wsis-10-outcome-document"]
    assert find_instrument(reference, "", title, "2030-01-01") is None
    assert find_instrument(reference, "A/80/L.99", "Something else", "2026-03-03") is None
