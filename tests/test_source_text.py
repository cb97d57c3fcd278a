"""Source texts as PDF-to-text tools write them: form feeds at page breaks, other C0 controls, NUL, and
lone surrogates. Such a text builds through the CLI, HermiT included, and every offset stays exact."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import make_project
from wsis_kg.cli import main
from wsis_kg.project import Project
from wsis_kg.sources import load_source

DOC = "civil-society-notes-2025-06-30"
OA = "http://www.w3.org/ns/oa#"
WSIS = "https://w3id.org/wsis-kg/ontology#"


def replace_source(project: Project, edit: dict[str, str]) -> str:
    """Edit the source text (written with surrogatepass, so that lone surrogates reach the file as the
    bytes a careless encoder writes) and record its new digest; return the text as the build reads it."""
    src = project.sources / f"{DOC}.txt"
    meta = project.sources / f"{DOC}.ttl"
    text = src.read_text(encoding="utf-8")
    for old, new in edit.items():
        assert old in text
        text = text.replace(old, new)
    data = text.encode("utf-8", errors="surrogatepass")
    old_digest = hashlib.sha256(src.read_bytes()).hexdigest()
    src.write_bytes(data)
    meta.write_text(meta.read_text().replace(old_digest, hashlib.sha256(data).hexdigest()))
    return text


CONTROLS = {
    # a page break inside a quote that crosses it
    "countries, and\n\ngovernments": "countries, and\n\n\fgovernments",
    # a vertical tab inside a quote
    "in many countries, and spectrum": "in many countries,\vand spectrum",
    # NUL, a lone surrogate and a noncharacter in a passage no quote covers
    "own submissions.": "own\x00 submissions\ud800\uffff.",
}


@pytest.fixture()
def controlled(tmp_path: Path) -> tuple[Project, str]:
    project = make_project(tmp_path / "project")
    text = replace_source(project, CONTROLS)
    # the proposed mentions point into the old text: propose them again over the new one
    (project.documents_dir / DOC / "mentions.ttl").unlink()
    result = CliRunner().invoke(main, ["--project", str(project.root), "link", DOC])
    assert result.exit_code == 0, result.output
    return project, text


def test_source_with_control_characters_builds_and_offsets_stay_exact(controlled: tuple[Project, str]) -> None:
    project, text = controlled
    result = CliRunner().invoke(main, ["--project", str(project.root), "build"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    # a lone surrogate is no Unicode character and no RDF syntax can carry it: it is read as U+FFFD, one
    # code point for one, so that every offset counts the same characters as in the file
    stored = text.replace("\ud800", "\ufffd")
    assert load_source(project.sources / f"{DOC}.ttl").text == stored
    store = ox.Store()
    store.bulk_load(path=str(project.dist / "wsis-kg.nq"), format=ox.RdfFormat.N_QUADS)

    selectors = list(store.query(f"""
        SELECT ?t ?exact ?prefix ?suffix ?start ?end WHERE {{
          ?t <{OA}hasSelector> ?q , ?p .
          ?q <{OA}exact> ?exact ; <{OA}prefix> ?prefix ; <{OA}suffix> ?suffix .
          ?p <{OA}start> ?start ; <{OA}end> ?end }}""", use_default_graph_as_union=True))
    # the claims' quotes, and the proposed mentions (re-proposed over the new text) beside them
    assert len([r for r in selectors if "/id/claim/" in r["t"].value]) == 8
    assert len(selectors) > 8
    crossing = 0
    for row in selectors:
        start, end = int(row["start"].value), int(row["end"].value)
        assert row["exact"].value == stored[start:end]
        assert row["prefix"].value == stored[max(0, start - 32):start]
        assert row["suffix"].value == stored[end:end + 32]
        crossing += any(c in row["exact"].value for c in "\f\v")
    assert crossing == 2

    texts = list(store.query(f"""
        SELECT ?text ?start ?end WHERE {{
          ?n <{WSIS}text> ?text ; <{WSIS}startOffset> ?start ; <{WSIS}endOffset> ?end }}""",
        use_default_graph_as_union=True))
    assert texts
    for row in texts:
        assert row["text"].value == stored[int(row["start"].value):int(row["end"].value)]
    assert any("\x00" in row["text"].value and "\ufffd" in row["text"].value for row in texts)
    # the release's reasoner report says HermiT ran on the document with these characters
    assert f"ontology + reference + {DOC}" in (project.dist / "reports" / "reasoner.txt").read_text()
