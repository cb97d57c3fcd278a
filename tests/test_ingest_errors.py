"""Bad input to `wsis-kg ingest`: a message a person can act on, exit code 2, no traceback, nothing written."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, make_project
from wsis_kg.cli import main
from wsis_kg.project import Project

sys.path.insert(0, str(FIXTURES / "ingest"))
import render


def run(project: Project, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(project.root), *args])
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, output


def snapshot(project: Project) -> dict[str, bytes]:
    return {str(p.relative_to(project.root)): p.read_bytes()
            for folder in (project.sources, project.documents_dir) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "project")


def _scan_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for k in range(40):  # a page of grey bars, as a scanned page is a picture with no text
        pdf.set_fill_color(40 + k * 4)
        pdf.rect(20, 20 + k * 6, 170, 4, style="F")
    pdf.output(str(path))
    return path


def _encrypted_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 20, "The General Assembly, Recalling its resolution 70/125,")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.output(str(path))
    return path


CASES = {
    "scan": (lambda d: _scan_pdf(d / "scan.pdf"), "no text layer: this looks like a scan; OCR it first"),
    "encrypted": (lambda d: _encrypted_pdf(d / "locked.pdf"), "encrypted with a password"),
    "corrupt pdf": (lambda d: _write(d / "broken.pdf", _truncated_pdf(d)), "not a readable PDF"),
    "not a pdf": (lambda d: _write(d / "notes.pdf", b"%PDF-1.7\nthis is not a PDF body at all\n"),
                  "not a readable PDF"),
    "empty txt": (lambda d: _write(d / "empty.txt", b""), "the file is empty"),
    "blank txt": (lambda d: _write(d / "blank.txt", b"\n \n\t\n"), "the file is empty"),
    "no letters": (lambda d: _write(d / "dots.txt", b"... --- ...\n"), "the document is empty"),
    "empty docx": (lambda d: _empty_docx(d / "empty.docx"), "the document is empty"),
    "binary txt": (lambda d: _write(d / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), "binary file"),
    "latin-1 txt": (lambda d: _write(d / "latin.txt", "Résolution adoptée\n".encode("latin-1")), "not UTF-8 text"),
    "docx that is no zip": (lambda d: _write(d / "fake.docx", b"PK\x03\x04 not really a zip"),
                            "not a readable Word (.docx) file"),
    "unknown suffix": (lambda d: _write(d / "notes.rtf", b"{\\rtf1 hello}"), "cannot ingest a .rtf file"),
    "missing file": (lambda d: d / "nowhere.pdf", "file not found"),
}


def _truncated_pdf(folder: Path) -> bytes:
    """The fixture's PDF cut short, as a failed download leaves it."""
    return render.to_pdf(render.load(), folder / "whole.pdf").read_bytes()[:900]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _empty_docx(path: Path) -> Path:
    import docx

    docx.Document().save(str(path))
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_and_nothing_is_written(project: Project, tmp_path: Path, case: str) -> None:
    make, message = CASES[case]
    path = make(tmp_path)
    before = snapshot(project)
    code, output = run(project, "ingest", str(path), "--id", "new-doc")
    assert code == 2, output
    assert message in output, output
    assert str(path.name) in output
    assert snapshot(project) == before


def test_an_existing_document_is_refused_unless_forced(project: Project, tmp_path: Path) -> None:
    fx = render.load()
    path = tmp_path / "res.html"
    render.to_html(fx, path)
    code, output = run(project, "ingest", str(path), "--id", "res")
    assert code == 0, output
    curated = project.documents_dir / "res" / "curated.ttl"
    curated.write_text("# a curator's file\n")
    before = snapshot(project)
    code, output = run(project, "ingest", str(path), "--id", "res")
    assert code == 2 and "document res exists already" in output and "--force" in output
    assert snapshot(project) == before
    # another document's id is refused too, whatever its files
    code, output = run(project, "ingest", str(path), "--id", "civil-society-notes-2025-06-30")
    assert code == 2 and "exists already" in output
    # --force replaces the sources and drafts, and keeps the curator's file
    (project.sources / "res.txt").write_text("stale\n")
    code, output = run(project, "ingest", str(path), "--id", "res", "--force", "--title", "A forced title")
    assert code == 0, output
    assert curated.read_text() == "# a curator's file\n"
    assert (project.sources / "res.txt").read_text() != "stale\n"
    assert "A forced title" in (project.sources / "res.ttl").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--id", "Bad Id"], "use lower-case letters"),
    (["--id", "ok", "--date", "3 March"], "not a date; write it as YYYY-MM-DD"),
    (["--id", "ok", "--instrument", "no-such-instrument"], "no instrument"),
])
def test_bad_options(project: Project, tmp_path: Path, args: list[str], message: str) -> None:
    path = render.to_html(render.load(), tmp_path / "res.html")
    before = snapshot(project)
    code, output = run(project, "ingest", str(path), *args)
    assert code == 2 and message in output, output
    assert snapshot(project) == before
