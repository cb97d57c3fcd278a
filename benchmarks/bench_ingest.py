"""Time `wsis-kg ingest` on a 20-page resolution, PDF extraction included, next to PDFium alone on the same
file, and each stage of the pipeline on its own.

Run:  python benchmarks/bench_ingest.py [--repeat N] [--pages P]

The resolution is the test fixture (tests/fixtures/ingest/resolution.src) with its operative paragraphs
repeated, numbered on, until the PDF has about P pages. This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from timing import timed  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "ingest"))

import pypdfium2 as pdfium  # noqa: E402
import render  # noqa: E402

from wsis_kg.assemble import load_reference  # noqa: E402
from wsis_kg.ingest.drafts import draft_claims  # noqa: E402
from wsis_kg.ingest.genres import segment_as  # noqa: E402
from wsis_kg.ingest.link import Linker, mentions_graph  # noqa: E402
from wsis_kg.ingest.pipeline import extract, ingest  # noqa: E402
from wsis_kg.namespaces import document_iri  # noqa: E402
from wsis_kg.project import Project  # noqa: E402
from wsis_kg.rdfio import canonical_turtle  # noqa: E402


def long_resolution(pages: int, folder: Path) -> Path:
    """The fixture with its operative paragraphs (and sub-paragraphs) repeated until the PDF has `pages`."""
    fx = render.load()
    ops = [b for b in fx.body if b.kind in ("op", "sub", "head")]
    head = [b for b in fx.body if b.kind not in ("op", "sub", "head")]
    body, number = list(head), 0
    path = folder / "long-resolution.pdf"
    while True:
        for b in ops:
            if b.kind == "op":
                number += 1
                body.append(render.Block("op", str(number), b.text.replace("{page}", "")))
            else:
                body.append(render.Block(b.kind, b.number, b.text.replace("{page}", "")))
        long = render.Fixture(fx.meta, body + [b for b in fx.blocks if b.kind == "note"])
        if len(render.paginate(long)) >= pages:
            return render.to_pdf(long, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pages", type=int, default=20)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wsis-kg-bench-ingest-"))
    pdf = long_resolution(args.pages, work)
    project_root = work / "project"
    for part in ("ontology", "graph/reference"):
        shutil.copytree(ROOT / part, project_root / part)
    (project_root / "sources").mkdir()
    project = Project(project_root)

    with pdfium.PdfDocument(str(pdf)) as doc:
        n_pages = len(doc)

    def pdfium_alone() -> None:
        doc = pdfium.PdfDocument(str(pdf))
        for i in range(len(doc)):
            page = doc[i]
            page.get_textpage().get_text_range()
        doc.close()

    extracted = extract(pdf)
    text = extracted.text
    reference = load_reference(project)
    structure = segment_as("resolution", text, "", extracted.page_starts)
    linker = Linker.from_graph(reference)
    n = 0

    drafts = draft_claims("bench", document_iri("bench"), "bench", text, structure, reference)
    mentions = mentions_graph(str(document_iri("bench")), "bench", text, linker.link(text))

    def whole() -> None:
        nonlocal n
        n += 1
        ingest(project, pdf, f"bench-{n}")

    rows = [
        ("PDFium alone (pypdfium2: open, text of every page)", timed(pdfium_alone, args.repeat)),
        ("extract (PDFium + tidy, page offsets)", timed(lambda: extract(pdf), args.repeat)),
        ("structure (resolution segmenter)", timed(lambda: segment_as("resolution", text, "", extracted.page_starts),
                                                   args.repeat)),
        ("reference data (parse Turtle)", timed(lambda: load_reference(project), args.repeat)),
        ("linker: compile the automaton", timed(lambda: Linker.from_graph(reference), args.repeat)),
        ("linker: propose mentions", timed(lambda: linker.link(text), args.repeat)),
        ("draft claims (verbs, addressees)", timed(lambda: draft_claims("bench", document_iri("bench"), "bench", text,
                                                                        structure, reference), args.repeat)),
        ("canonical Turtle of drafts and mentions (rdflib)",
         timed(lambda: (canonical_turtle(drafts), canonical_turtle(mentions)), args.repeat)),
        ("wsis-kg ingest, whole (all of the above, anchoring, writing)", timed(whole, args.repeat)),
    ]
    ops = sum(1 for p in structure.passages() if getattr(p, "kind", "") == "operative")
    print(f"{pdf.name}: {n_pages} pages, {pdf.stat().st_size / 1024:.0f} KiB, {len(text):,} characters of text, "
          f"{ops} operative paragraphs (median of {args.repeat} runs)")
    for name, seconds in rows:
        print(f"  {seconds:8.3f} s  {name}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
