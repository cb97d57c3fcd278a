"""A corpus of N documents for measuring the build at scale: clones of the bundled documents.

Run:  python benchmarks/corpus.py N OUT [--mode clone|vary] [--templates imsb-reflections-2025-07-25,a-80-l-41]
                                        [--seed 0] [--originals] [--force]

OUT becomes a complete project folder (ontology/, graph/reference/, queries/, sources/, graph/documents/)
that `wsis-kg --project OUT build` accepts. Each document is a clone of a bundled document (the templates,
taken in turn) under a new document id: every IRI of the template's document (its source, structure,
claims, mentions, link activity) is renamed, so clones are distinct documents of one graph.

--mode clone keeps the text byte for byte. --mode vary replaces, per document and from a seed, a share of
the lower-case words of the passages with made-up words of the same or another length, in the source
text and in every quote that covers them; the mentions' offsets and contexts and the pages' offsets
follow the shifted text. Every document then has its own text and digest, so neither a cache keyed on
content nor deduplication can make N documents cost less than N. Words at the edge of a quote, inside a
mention, or in page furniture are never replaced, and each varied text is segmented again to check that
its structure is the template's, shifted.

--originals keeps the two bundled documents themselves (and their curated uptake) as two of the N.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import random
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from rdflib import Graph, Literal  # noqa: E402

from wsis_kg.anchor import CONTEXT, anchor_claims, mask  # noqa: E402
from wsis_kg.ingest.genres import structure_of  # noqa: E402
from wsis_kg.namespaces import WSIS  # noqa: E402
from wsis_kg.project import MENTIONS_FILE, Project  # noqa: E402
from wsis_kg.rdfio import parse_turtle  # noqa: E402
from wsis_kg.segment import DocumentStructure  # noqa: E402
from wsis_kg.sources import Source, load_source, load_sources  # noqa: E402

MODES = ("clone", "vary")
DEFAULT_TEMPLATES = ("imsb-reflections-2025-07-25",)
COPIED = ("ontology", "graph/reference", "queries")  # shared by every document, copied as they are
VARY_SHARE = 0.05  # share of the eligible words replaced in a varied document
LENGTH_CHANGE = (-2, -1, 0, 0, 1, 2, 3)  # how much longer a made-up word is than the word it replaces

_WORD = re.compile(r"[a-z]{4,}")  # replaceable: lower-case words (no names, numbers or headings' capitals)
# a Turtle string literal, long or short form
_LITERAL = r'("""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*")'
_QUOTE = re.compile(r"(wsis:quote\s+)" + _LITERAL)
_CONTEXT_LIT = re.compile(r"(oa:(?:prefix|suffix)\s+)" + _LITERAL)
_POSITION = re.compile(r'(oa:(start|end)\s+")(\d+)("\^\^xsd:nonNegativeInteger)')
_OFFSET = re.compile(r'(wsis:(?:start|end)Offset\s+")(\d+)("\^\^xsd:nonNegativeInteger)')
_LABEL_AT = re.compile(r"(\u201d at )(\d+)-(\d+)(: )")
_SUBJECT = re.compile(r"^<([^>\s]+)>", re.MULTILINE)  # a subject: an IRI at the start of a line
_END = "\n.\n"  # the end of a subject's statements in canonical Turtle (`wsis-kg fmt`)
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class CorpusError(Exception):
    """A corpus cannot be made as asked: the message says why and what to change."""


def decode_literal(token: str) -> str:
    """The value of a Turtle string literal token ("..." or \"\"\"...\"\"\")."""
    body = token[3:-3] if token.startswith('"""') else token[1:-1]

    def unescape(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "uU":
            return chr(int(esc[1:], 16))
        return _ESCAPES[esc]

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", unescape, body)


def encode_literal(value: str) -> str:
    """A short-form Turtle string literal for a value."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + out.replace("\t", "\\t") + '"'


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    word: str

    @property
    def delta(self) -> int:
        return len(self.word) - (self.end - self.start)


class OffsetMap:
    """Where an offset of the template's text lands in a varied text (replacements never straddle an
    offset that is mapped: those are word, quote, mention and page edges)."""

    def __init__(self, replacements: Sequence[Replacement]) -> None:
        self.ends = [r.end for r in replacements]
        self.shift = [0]
        for r in replacements:
            self.shift.append(self.shift[-1] + r.delta)

    def __call__(self, offset: int) -> int:
        return offset + self.shift[bisect.bisect_right(self.ends, offset)]


@dataclass
class Quote:
    """One curated quote, with the span of each of its words in the template's text."""

    value: str
    words: list[tuple[int, int]]


@dataclass
class Template:
    """A bundled document, read once; every clone of it is derived from these strings."""

    doc_id: str
    meta_text: str
    source_text: str
    files: dict[str, str]  # file name in graph/documents/<doc-id>/ -> Turtle text
    structure_spans: list[tuple[int, int, str]] = field(default_factory=list)
    eligible: list[tuple[int, int]] = field(default_factory=list)  # replaceable word occurrences
    quotes: dict[tuple[str, int], Quote] = field(default_factory=dict)  # (file, literal start) -> quote


def _spans_of(structure: DocumentStructure, doc_iri: str) -> list[tuple[int, int, str]]:
    return sorted((s, e, str(iri)) for s, e, iri in structure.component_spans(doc_iri))


def _quote_words(quote: str, masked: str, start: int, end: int) -> list[tuple[int, int]]:
    words = quote.split()
    m = re.compile(r"\s+".join(f"({re.escape(w)})" for w in words)).match(masked, start)
    if m is None or m.end() != end:
        raise CorpusError(f"quote {quote[:60]!r} does not match the text at {start}-{end}")
    return [m.span(i) for i in range(1, len(words) + 1)]


def _subject_before(text: str, pos: int) -> str:
    """The subject IRI of the canonical Turtle block holding `pos`."""
    block_start = text.rfind(_END, 0, pos) + 1
    m = _SUBJECT.search(text, block_start, pos)
    if m is None:
        raise CorpusError(f"no subject IRI at the start of the block at {block_start}")
    return m.group(1)


def _blocks(text: str) -> list[str]:
    """A canonical Turtle text cut after each subject's statements: "".join(blocks) == text."""
    parts = text.split(_END)
    return [part + _END for part in parts[:-1]] + [parts[-1]]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def metadata_files(project: Project) -> dict[str, Path]:
    """Document id -> its metadata file."""
    return {load_source(p).doc_id: p for p in sorted(project.sources.glob("*.ttl"))}


def load_template(project: Project, source: Source, meta_path: Path, analyse: bool) -> Template:
    """Read a bundled document; for varied clones, also find its quotes and the words that may change."""
    folder = project.documents_dir / source.doc_id
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.ttl"))}
    t = Template(source.doc_id, meta_path.read_text(encoding="utf-8"), source.text, files)
    if not analyse:
        return t
    structure = structure_of(source)
    t.structure_spans = _spans_of(structure, str(source.iri))
    excluded = structure.excluded_spans()
    masked = mask(source.text, excluded)
    claims = Graph()
    for name in files:
        if name != MENTIONS_FILE:
            parse_turtle(folder / name, claims)
    anchors = {str(a.claim): (a.start, a.end) for a in anchor_claims(claims, source.iri, source.text, structure)}
    edges: set[int] = set()  # quote edges: no replacement may straddle one
    blocked = list(excluded)  # page furniture and mentions: never changed
    for name, text in files.items():
        if name == MENTIONS_FILE:
            blocked += _mention_positions(text).values()
            continue
        for m in _QUOTE.finditer(text):
            claim = _subject_before(text, m.start())
            if claim not in anchors:
                raise CorpusError(f"{folder / name}: the quote of <{claim}> was not anchored")
            start, end = anchors[claim]
            value = decode_literal(m.group(2))
            t.quotes[(name, m.start(2))] = Quote(value, _quote_words(value, masked, start, end))
            edges.update((start, end))
    blocked = _merged(blocked)
    block_starts = [s for s, _ in blocked]
    for passage in structure.passages():
        for w in _WORD.finditer(source.text, passage.start, passage.end):
            s, e = w.span()
            i = bisect.bisect_left(block_starts, e) - 1
            if any(s < x < e for x in edges) or (i >= 0 and blocked[i][1] > s):
                continue
            t.eligible.append((s, e))
    return t


def _mention_positions(text: str) -> dict[str, tuple[int, int]]:
    """Target IRI -> (start, end) of every position selector of a mentions file."""
    out: dict[str, tuple[int, int]] = {}
    for block in _blocks(text):
        m = _SUBJECT.search(block)
        if m is None or not m.group(1).endswith("/target/position"):
            continue
        values = {k: int(v) for _, k, v, _ in _POSITION.findall(block)}
        out[m.group(1)[: -len("/position")]] = (values["start"], values["end"])
    return out


def vary_text(t: Template, rng: random.Random) -> list[Replacement]:
    """A seeded choice of word occurrences and the made-up words that replace them."""
    count = max(1, int(len(t.eligible) * VARY_SHARE))
    chosen = sorted(rng.sample(t.eligible, min(count, len(t.eligible))))
    out = []
    for s, e in chosen:
        length = max(3, e - s + rng.choice(LENGTH_CHANGE))
        word = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(length))
        out.append(Replacement(s, e, word))
    return out


def apply(text: str, replacements: Sequence[Replacement], base: int = 0) -> str:
    """The text with the replacements (offsets in the template's text, `base` the offset of text[0])."""
    parts, pos = [], base
    for r in replacements:
        parts.append(text[pos - base:r.start - base])
        parts.append(r.word)
        pos = r.end
    parts.append(text[pos - base:])
    return "".join(parts)


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    parts, pos = [], 0
    for s, e, new in sorted(edits):
        parts += [text[pos:s], new]
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def varied_quote(q: Quote, replacements: Sequence[Replacement], starts: list[int]) -> str:
    """The quote with the replacements that fall inside its words, its own whitespace kept."""
    chunks = re.split(r"(\s+)", q.value)
    out, k = [], 0
    for chunk in chunks:
        if not chunk or chunk.isspace():
            out.append(chunk)
            continue
        ws, we = q.words[k]
        k += 1
        lo, hi = bisect.bisect_left(starts, ws), bisect.bisect_left(starts, we)
        out.append(apply(chunk, replacements[lo:hi], ws))
    return "".join(out)


def _with_context(block: str, prefix: str, suffix: str) -> str:
    def literal(m: re.Match[str]) -> str:
        return m.group(1) + encode_literal(prefix if m.group(1).startswith("oa:prefix") else suffix)

    return _CONTEXT_LIT.sub(literal, block)


def vary_mentions(text: str, new_text: str, remap: Callable[[int], int]) -> str:
    """Mention offsets and quote contexts moved to the varied text (their words are never replaced)."""
    positions = _mention_positions(text)
    blocks = _blocks(text)
    for i, block in enumerate(blocks):
        m = _SUBJECT.search(block)
        if m is None:
            continue
        subject = m.group(1)
        if subject.endswith("/target/position"):
            blocks[i] = _POSITION.sub(lambda p: f"{p.group(1)}{remap(int(p.group(3)))}{p.group(4)}", block)
        elif subject.endswith("/target/quote") and subject[: -len("/quote")] in positions:
            old_start, old_end = positions[subject[: -len("/quote")]]
            start, end = remap(old_start), remap(old_end)
            blocks[i] = _with_context(block, new_text[max(0, start - CONTEXT):start], new_text[end:end + CONTEXT])
        elif "\u201d at " in block:
            blocks[i] = _LABEL_AT.sub(lambda a: f"{a.group(1)}{remap(int(a.group(2)))}-{remap(int(a.group(3)))}"
                                      f"{a.group(4)}", block, count=1)
    return "".join(blocks)


def check_structure(t: Template, new_text: str, remap: Callable[[int], int], source: Source) -> bool:
    """Whether the varied text segments as the template did, every span shifted with the text."""
    varied = replace(source, doc_id=t.doc_id, text=new_text, metadata=_remapped_metadata(source.metadata, remap))
    spans = _spans_of(structure_of(varied), str(source.iri))
    return spans == [(remap(s), remap(e), iri) for s, e, iri in t.structure_spans]


def _remapped_metadata(metadata: Graph, remap: Callable[[int], int]) -> Graph:
    g = Graph()
    for s, p, o in metadata:
        if p in (WSIS.startOffset, WSIS.endOffset):
            o = Literal(remap(int(str(o))), datatype=o.datatype if isinstance(o, Literal) else None)
        g.add((s, p, o))
    return g


def clone_id(template_id: str, index: int) -> str:
    return f"{template_id}-x{index:04d}"


def write_clone(out: Project, t: Template, new_id: str, text: str, files: dict[str, str], meta: str) -> None:
    data = text.encode("utf-8")
    meta = meta.replace(t.doc_id, new_id)
    meta = re.sub(r'(wsis:sourceFile\s+)"[^"]*"', rf'\1"{new_id}.txt"', meta)
    meta = re.sub(r'(wsis:sha256\s+)"[0-9a-f]*"', rf'\1"{hashlib.sha256(data).hexdigest()}"', meta)
    (out.sources / f"{new_id}.txt").write_bytes(data)
    (out.sources / f"{new_id}.ttl").write_text(meta, encoding="utf-8")
    folder = out.documents_dir / new_id
    folder.mkdir(parents=True)
    for name, body in files.items():
        (folder / name).write_text(body.replace(t.doc_id, new_id), encoding="utf-8")


def make_clone(out: Project, t: Template, source: Source, new_id: str, mode: str, seed: int) -> None:
    if mode == "clone":
        write_clone(out, t, new_id, t.source_text, t.files, t.meta_text)
        return
    for attempt in range(5):
        rng = random.Random(f"{seed}/{new_id}/{attempt}")
        replacements = vary_text(t, rng)
        remap = OffsetMap(replacements)
        text = apply(t.source_text, replacements)
        if check_structure(t, text, remap, source):
            break
    else:
        raise CorpusError(f"{new_id}: five varied texts of {t.doc_id} did not keep its structure; "
                          "use --mode clone for this template")
    starts = [r.start for r in replacements]
    files = {}
    for name, body in t.files.items():
        if name == MENTIONS_FILE:
            files[name] = vary_mentions(body, text, remap)
            continue
        edits = []
        for m in _QUOTE.finditer(body):
            q = t.quotes[(name, m.start(2))]
            edits.append((m.start(2), m.end(2), encode_literal(varied_quote(q, replacements, starts))))
        files[name] = _splice(body, edits)
    meta = _OFFSET.sub(lambda o: f"{o.group(1)}{remap(int(o.group(2)))}{o.group(3)}", t.meta_text)
    write_clone(out, t, new_id, text, files, meta)


@dataclass
class Corpus:
    root: Path
    doc_ids: list[str]
    mode: str


def generate(n: int, out_dir: Path, mode: str = "clone", templates: Sequence[str] = DEFAULT_TEMPLATES,
             seed: int = 0, originals: bool = False, source_project: Path = ROOT,
             force: bool = False) -> Corpus:
    """Write a project of n documents into out_dir (which must not exist, unless force)."""
    if n < 1:
        raise CorpusError(f"N must be at least 1, not {n}")
    if mode not in MODES:
        raise CorpusError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    src = Project(source_project)
    sources = {s.doc_id: s for s in load_sources(src.sources)}
    metas = metadata_files(src)
    unknown = [t for t in templates if t not in sources]
    if not templates or unknown:
        raise CorpusError(f"unknown template document(s) {', '.join(unknown) or '(none given)'}; "
                          f"bundled documents: {', '.join(sorted(sources))}")
    if originals and n < len(sources):
        raise CorpusError(f"--originals keeps the {len(sources)} bundled documents: N must be at least {len(sources)}")
    if out_dir.exists():
        if not force:
            raise CorpusError(f"{out_dir} exists; choose a new folder or give --force to replace it")
        shutil.rmtree(out_dir)
    out = Project(out_dir)
    for rel in COPIED:
        if (src.root / rel).exists():
            shutil.copytree(src.root / rel, out.root / rel)
    out.sources.mkdir(parents=True)
    out.documents_dir.mkdir(parents=True)
    doc_ids: list[str] = []
    if originals:
        for doc_id, s in sorted(sources.items()):
            shutil.copy2(metas[doc_id], out.sources / metas[doc_id].name)
            shutil.copy2(s.path, out.sources / s.path.name)
            shutil.copytree(src.documents_dir / doc_id, out.documents_dir / doc_id)
            doc_ids.append(doc_id)
        if src.uptake_dir.exists():
            shutil.copytree(src.uptake_dir, out.uptake_dir)
    loaded = {t: load_template(src, sources[t], metas[t], analyse=mode == "vary") for t in templates}
    for i in range(n - len(doc_ids)):
        t = loaded[templates[i % len(templates)]]
        new_id = clone_id(t.doc_id, i + 1)
        make_clone(out, t, sources[t.doc_id], new_id, mode, seed)
        doc_ids.append(new_id)
    return Corpus(out_dir, doc_ids, mode)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("out", type=Path, help="project folder to write (must not exist)")
    parser.add_argument("--mode", choices=MODES, default="clone")
    parser.add_argument("--templates", default=",".join(DEFAULT_TEMPLATES),
                        help="bundled document ids to clone, taken in turn (comma-separated)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the varied texts")
    parser.add_argument("--originals", action="store_true", help="keep the bundled documents and their uptake")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    try:
        corpus = generate(args.n, args.out, args.mode, [t for t in args.templates.split(",") if t], args.seed,
                          args.originals, force=args.force)
    except CorpusError as exc:
        parser.exit(2, f"corpus: {exc}\n")
    print(f"wrote {corpus.root}: {len(corpus.doc_ids)} document(s), mode {corpus.mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
