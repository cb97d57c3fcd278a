"""The `wsis-kg` command: a thin layer over the pipeline's functions. Errors caused by the input or the
machine print one clear message and exit non-zero (1 the data is wrong, 2 it cannot be loaded)."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import InputError, WsisKgError
from .project import Project, find_project

F = TypeVar("F", bound=Callable[..., Any])


class NotCanonical(WsisKgError):
    exit_code = 1


def _echo(msg: str) -> None:
    click.echo(msg, err=True)


def handle_errors(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except WsisKgError as exc:
            click.secho(f"error: {exc}", err=True, fg="red")
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _project(ctx: click.Context) -> Project:
    project: Project = ctx.obj
    return project


@click.group()
@click.version_option(__version__, prog_name="wsis-kg")
@click.option("--project", "project_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Project folder (holding sources/, ontology/, graph/); default: found from the current folder.")
@click.option("--dist", "dist_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Release folder to write or read; default: dist/ in the project folder.")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None, dist_dir: Path | None) -> None:
    """Build, check, query and publish the WSIS knowledge graph."""
    if project_dir is not None and not project_dir.is_dir():
        raise click.BadParameter(f"{project_dir} is not a folder", param_hint="--project")
    root = project_dir.resolve() if project_dir else find_project().root
    # absolute, but not resolved: dist/ is a link switched by each build, and a server or a later
    # command must follow it to the release of the moment
    ctx.obj = Project(root, Path(os.path.abspath(dist_dir)) if dist_dir else None)


@main.command()
@click.option("--no-reason", is_flag=True, help="Skip HermiT (faster; the release then says so).")
@click.option("--base-url", envvar="WSIS_KG_BASE_URL", default="http://127.0.0.1:8000/", show_default=True,
              metavar="URL", help="Where the release is published: download and endpoint addresses in void.ttl "
                                  "(or set WSIS_KG_BASE_URL).")
@click.option("--publisher", envvar="WSIS_KG_PUBLISHER", default="WSIS knowledge graph project", show_default=True,
              help="Publisher named in the DCAT description (or set WSIS_KG_PUBLISHER).")
@click.option("--contact", envvar="WSIS_KG_CONTACT", metavar="EMAIL|URL",
              help="DCAT contact point: an e-mail address or a URL; default: the base URL (or set WSIS_KG_CONTACT).")
@click.option("--no-cache", is_flag=True, help="Build every document afresh (the cache is neither read nor changed).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where each document's results are kept between builds; default: .wsis-kg-cache/ in the project.")
@click.option("--explain", is_flag=True, help="Say, for each document, whether it comes from the cache or why not.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Worker processes for the documents; default: one per core.")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Run the documents on this Dask scheduler instead (its workers must see the project and cache "
                   "folders at the same paths).")
@click.option("--dumps", type=click.Choice(["auto", "whole", "split"]), default="auto", show_default=True,
              help="One file a format (whole), or one a document in dist/dumps/ (split: an unchanged document's "
                   "files are taken from the previous release); auto splits beyond two million quads.")
@click.pass_context
@handle_errors
def build(ctx: click.Context, no_reason: bool, base_url: str, publisher: str, contact: str | None, no_cache: bool,
          cache_dir: Path | None, explain: bool, jobs: int | None, scheduler: str | None, dumps: str) -> None:
    """Build each document (segment, anchor, SHACL, entailments; cached), reason (HermiT), write dist/ atomically."""
    from .build import BuildOptions, run_build
    from .describe import Publication

    t0 = time.perf_counter()
    options = BuildOptions(reason=not no_reason, publication=Publication(base_url, publisher, contact),
                           cache=not no_cache, cache_dir=cache_dir.resolve() if cache_dir else None, jobs=jobs,
                           scheduler=scheduler, explain=explain, dumps=dumps)
    result = run_build(_project(ctx), progress=_echo, options=options)
    for name, seconds in result.timings.items():
        _echo(f"  {seconds:7.2f} s  {name}")
    _echo(f"  {time.perf_counter() - t0:7.2f} s  total")
    triples = sum(result.graphs.values())
    click.echo(f"built {_project(ctx).dist}: {triples} triples in {len(result.graphs)} named graphs")


@main.command()
@click.pass_context
@handle_errors
def validate(ctx: click.Context) -> None:
    """Run the SHACL shapes on the curated data (no release is written)."""
    from .assemble import assemble
    from .errors import ValidationFailed
    from .rdfio import parse_turtle
    from .validate import validate_assembly

    project = _project(ctx)
    report = validate_assembly(assemble(project), parse_turtle(project.shapes))
    if not report.conforms:
        raise ValidationFailed(report.summary())
    click.echo(report.summary().strip())


@main.command()
@click.pass_context
@handle_errors
def reason(ctx: click.Context) -> None:
    """Check with HermiT that the ontology, alone and with the data, is consistent."""
    from .assemble import assemble
    from .build import reasoner_report
    from .reason import check_results, reason_assembly

    results = reason_assembly(assemble(_project(ctx)))
    click.echo(reasoner_report(results).strip())
    check_results(results)


@main.command()
@click.argument("doc_id", required=False)
@click.pass_context
@handle_errors
def segment(ctx: click.Context, doc_id: str | None) -> None:
    """Print the structure (questions, sections, passages with offsets) of each source."""
    from .ingest.genres import structure_of
    from .ingest.layout import Layout
    from .segment import Structure
    from .sources import load_sources

    for src in load_sources(_project(ctx).sources):
        if doc_id and src.doc_id != doc_id:
            continue
        s = structure_of(src)
        if isinstance(s, Layout):
            kinds = Counter(p.kind for p in s.all_parts())
            click.echo(f"{src.doc_id} ({s.genre}): " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
                       + f", {len(s.footnotes)} footnotes, {len(s.furniture)} furniture, {len(s.pages)} pages")
            for p in s.parts:
                if p.kind in ("heading", "title"):
                    click.echo(f"  {p.kind} [{p.start}:{p.end}] {' '.join(p.text(src.text).split())[:80]}")
            continue
        assert isinstance(s, Structure)
        click.echo(f"{src.doc_id}: {len(s.questions)} questions, "
                   f"{sum(len(q.sections) for q in s.questions)} sections, {len(s.passages())} passages")
        for pre in s.preamble:
            click.echo(f"  preamble p{pre.order} [{pre.start}:{pre.end}] {src.text[pre.start:pre.end][:60]!r}")
        for q in s.questions:
            click.echo(f"  Q{q.number} [{q.span.start}:{q.span.end}] {q.span.text(src.text)[:70]}")
            for sec in q.sections:
                click.echo(f"    {sec.order}. {sec.heading.text(src.text)} ({len(sec.passages)} passages)")


@main.command()
@click.pass_context
@handle_errors
def anchor(ctx: click.Context) -> None:
    """Check that every curated quote occurs exactly once in its source."""
    from .assemble import assemble

    assembly = assemble(_project(ctx))
    for d in assembly.documents:
        click.echo(f"{d.doc_id}: {len(d.anchors)} quotes anchored in {len(d.structure.passages())} passages")


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "doc_id", required=True, help="Document id: the name of its files and part of its IRIs.")
@click.option("--title", default="", help="Title (default: read from the document).")
@click.option("--date", "date_", default="", metavar="YYYY-MM-DD", help="Date (default: read from the document).")
@click.option("--publisher", default="", help="Publisher (default: from the UN symbol or the file's author).")
@click.option("--symbol", default="", help="UN document symbol, e.g. A/80/L.41 (default: read from the document).")
@click.option("--genre", default="", type=click.Choice(["", "consultation-response", "resolution", "report"]),
              help="How to read the structure (default: detected).")
@click.option("--instrument", default="", help="Slug or IRI of the instrument whose text this is (default: found "
                                                "by UN symbol, or by title and year).")
@click.option("--language", default="en", show_default=True, help="Language tag of the text.")
@click.option("--force", is_flag=True, help="Replace the document's source text, metadata and drafts if it exists.")
@click.pass_context
@handle_errors
def ingest(ctx: click.Context, path: Path, doc_id: str, title: str, date_: str, publisher: str, symbol: str,
           genre: str, instrument: str, language: str, force: bool) -> None:
    """Take in a .pdf, .docx, .html or .txt: source text, metadata, structure and draft claims."""
    from .ingest.pipeline import Overrides
    from .ingest.pipeline import ingest as run_ingest
    from .ingest.review import describe_ingest

    result = run_ingest(_project(ctx), path, doc_id,
                        Overrides(title, date_, publisher, symbol, genre, instrument, language), force, progress=_echo)
    click.echo(describe_ingest(result))


@main.command()
@click.argument("doc_id")
@click.option("--all", "show_all", is_flag=True, help="List every item, not the first 20 of each kind.")
@click.pass_context
@handle_errors
def review(ctx: click.Context, doc_id: str, show_all: bool) -> None:
    """What waits for a curator in a document (draft claims, proposed mentions, unknown names) and what is done."""
    from .ingest.review import review_document

    click.echo(review_document(_project(ctx), doc_id, limit=None if show_all else 20), nl=False)


def _prefix_help() -> str:
    from .prefixes import PREFIXES

    return "\b\nPredeclared prefixes (usable in queries and in --bind values):\n" + "\n".join(
        f"  {p + ':':10} {ns}" for p, ns in PREFIXES.items()
    )


@main.command(epilog=_prefix_help())
@click.argument("query", required=False)
@click.option("-e", "--expr", "expr", metavar="SPARQL", help="Run this query text (instead of a name or file).")
@click.option("--list", "list_only", is_flag=True, help="List the queries with their questions.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--width", type=click.IntRange(min=0), default=60, show_default=True,
              help="Table only: cut longer values, marked with …; 0 never cuts.")
@click.option("--bind", "binds", multiple=True, metavar="VAR=VALUE",
              help="Bind a variable the query returns to a value: an IRI (<...>, http(s)://..., or a prefixed "
                   "name such as inst:tunis-agenda), a whole number, or a string (\"in double quotes\" if it "
                   "holds a colon); repeatable.")
@click.option("--endpoint", metavar="URL", help="Run against a remote SPARQL endpoint instead of dist/.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds, for --endpoint.")
@click.pass_context
@handle_errors
def query(ctx: click.Context, query: str | None, expr: str | None, list_only: bool, fmt: str, width: int,
          binds: tuple[str, ...], endpoint: str | None, timeout: float) -> None:
    """Run a SPARQL SELECT or ASK on the release (dist/) or an endpoint.

    QUERY is a competency query by name (cq05, cq05-challenges), a .rq file, or - to read the query
    from standard input; -e 'SELECT ...' gives the text itself. The project's prefixes are predeclared
    (listed below), so `SELECT ?c WHERE { ?c a wsis:Claim }` runs as it is.
    """
    from .query import check_bindings, check_syntax, format_rows, list_queries, load_store, resolve_query, run_local

    project = _project(ctx)
    if list_only or (not query and expr is None):
        for q in list_queries(project.queries):
            click.echo(f"{q.name:32} {q.title}")
        return
    if query and expr is not None:
        raise InputError("give either a query name or file, or -e 'SPARQL', not both")
    bindings = {}
    for b in binds:
        if "=" not in b:
            raise InputError(f"--bind {b!r}: write VAR=VALUE")
        k, v = b.split("=", 1)
        bindings[k.lstrip("?$")] = v
    if expr is not None:
        text = expr
    elif query == "-":
        text = sys.stdin.read()
    else:
        text = resolve_query(project.queries, query or "").text
    if not text.strip():
        raise InputError("the query is empty")
    if endpoint:
        from .remote import run_remote

        check_syntax(text)  # before anything is sent
        check_bindings(text, bindings)
        variables, rows = run_remote(endpoint, text, bindings, timeout=timeout)
    else:  # the engine checks both, and run_local explains what it refuses in the same words
        variables, rows = run_local(load_store(project.dist), text, bindings)
    click.echo(format_rows(variables, rows, fmt, width=width), nl=False)


@main.command()
@click.argument("doc_ids", nargs=-1)
@click.pass_context
@handle_errors
def link(ctx: click.Context, doc_ids: tuple[str, ...]) -> None:
    """Propose entity mentions for documents (default: all) into graph/documents/DOC/mentions.ttl, keeping
    the mentions a curator confirmed or rejected, and list the names the reference data lacks."""
    from .ingest.link import propose_mentions, render_candidates
    from .sources import load_sources

    texts = {s.doc_id: s.text for s in load_sources(_project(ctx).sources)}
    for r in propose_mentions(_project(ctx), list(doc_ids) or None):
        kept = ", ".join(f"{n} {status}" for status, n in sorted(r.kept.items()))
        click.echo(f"{r.doc_id}: {r.proposed} mention(s) proposed" + (f"; kept {kept}" if kept else "")
                   + f" -> {r.path}")
        if r.candidates:
            click.echo(f"  {len(r.candidates)} name(s) the reference data lacks (add them under graph/reference/):")
            click.echo(render_candidates(texts[r.doc_id], r.candidates))


@main.command()
@click.argument("text")
@click.option("--doc", metavar="DOC-ID", help="Only claims of this document (e.g. imsb-reflections-2025-07-25).")
@click.option("--kind", metavar="KIND", help="Only claims of this kind (e.g. Recommendation, Position).")
@click.option("--theme", metavar="THEME", help="Only claims with this theme (e.g. gender-equality).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
@handle_errors
def search(ctx: click.Context, text: str, doc: str | None, kind: str | None, theme: str | None, limit: int,
           fmt: str) -> None:
    """Full-text search of the claims (labels, quotes, passage text), best first, each with its quote and IRI."""
    import json
    from dataclasses import asdict

    from .docs import read_release
    from .search import format_hits, search_release

    hits = search_release(read_release(_project(ctx).dist), text, limit=limit, doc=doc, kind=kind, theme=theme)
    if fmt == "json":
        click.echo(json.dumps([{"score": round(score, 3), **asdict(r)} for score, r in hits], indent=1,
                              ensure_ascii=False))
    else:
        click.echo(format_hits(hits), nl=False)


@main.command()
@click.pass_context
@handle_errors
def stats(ctx: click.Context) -> None:
    """Triple counts by named graph and instance counts by class, from the release."""
    from .query import load_store

    store = load_store(_project(ctx).dist)
    graphs = Counter(str(q.graph_name.value) if hasattr(q.graph_name, "value") else "default" for q in store)
    click.echo("triples by named graph:")
    for g, n in sorted(graphs.items()):
        click.echo(f"  {n:7d}  {g}")
    click.echo(f"  {sum(graphs.values()):7d}  total")
    from .query import run_local

    _, rows = run_local(
        store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
    )
    click.echo("instances by class:")
    for r in rows:
        click.echo(f"  {int(r['n'] or 0):7d}  {r['c']}")


@main.command()
@click.option("--check", is_flag=True, help="Only report files that are not canonical (exit 1).")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
@handle_errors
def fmt(ctx: click.Context, check: bool, files: tuple[Path, ...]) -> None:
    """Rewrite curated Turtle in canonical form (sorted, prefixes bound), or check that it is."""
    from .rdfio import atomic_write_text, canonical_turtle, parse_turtle

    targets = list(files) or _project(ctx).data_files()
    bad = []
    for path in targets:
        text = canonical_turtle(parse_turtle(path))
        if path.read_text(encoding="utf-8") != text:
            bad.append(path)
            if not check:
                atomic_write_text(path, text)
    verb = "not canonical" if check else "rewrote"
    for p in bad:
        click.echo(f"{verb}: {p}")
    if check and bad:
        raise NotCanonical(f"{len(bad)} file(s) not canonical; run `wsis-kg fmt`")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port (0: any free port).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds a query may run.")
@click.option("--workers", type=int, default=2, show_default=True, help="Query worker processes.")
@click.option("--max-query-chars", type=int, default=100_000, show_default=True)
@click.option("--max-depth", type=int, default=32, show_default=True, help="Deepest nesting of { ( [ in a query.")
@click.pass_context
@handle_errors
def serve(ctx: click.Context, host: str, port: int, timeout: float, workers: int, max_query_chars: int,
          max_depth: int) -> None:
    """Serve the release: SPARQL endpoint at /sparql, pages and data for every IRI (read-only)."""
    from .serve import Limits
    from .serve import serve as run_server

    limits = Limits(timeout=timeout, workers=workers, max_query_chars=max_query_chars, max_depth=max_depth)
    run_server(_project(ctx).dist, host, port, limits, echo=_echo)


@main.command()
@click.option("--store", "store_url", required=True, metavar="URL",
              help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store or "
                   "http://127.0.0.1:8890/sparql-graph-crud-auth.")
@click.option("--user", help="User for digest or basic authentication.")
@click.option("--password", envvar="WSIS_KG_STORE_PASSWORD", help="Password (or set WSIS_KG_STORE_PASSWORD).")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request.")
@click.pass_context
@handle_errors
def publish(ctx: click.Context, store_url: str, user: str | None, password: str | None, timeout: float) -> None:
    """Load the release into a triple store, one named graph per PUT (re-publishing replaces)."""
    from .publish import GraphStore, format_report
    from .publish import publish as run_publish

    reports = run_publish(_project(ctx).dist, GraphStore(store_url, user, password, timeout), progress=_echo)
    click.echo(format_report(reports), nl=False)


@main.command()
@click.argument("source")
@click.argument("target")
@click.option("--lineage", is_flag=True,
              help="TARGET is a later version of the same text: label what became of each paragraph.")
@click.option("--top", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Candidate paragraphs proposed per ask.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Review file (CSV); default: reviews/uptake/SOURCE--TARGET.csv or reviews/lineage/...")
@click.option("--force", is_flag=True, help="Overwrite a review a curator has started.")
@click.pass_context
@handle_errors
def align(ctx: click.Context, source: str, target: str, lineage: bool, top: int, out: Path | None,
          force: bool) -> None:
    """Propose links between two built documents, as a review file for a curator: for each ask of SOURCE
    (recommendation, priority, position, challenge) the paragraphs of TARGET most likely to take it up;
    with --lineage, what became of each paragraph from SOURCE to its revision TARGET."""
    from .align.lineage import Para
    from .align.lineage import lineage as run_lineage
    from .align.review import write_lineage_review, write_uptake_review
    from .align.units import asks, paragraphs
    from .align.uptake import propose
    from .query import load_store

    project = _project(ctx)
    store = load_store(project.dist)
    kind = "lineage" if lineage else "uptake"
    path = out or project.root / "reviews" / kind / f"{source}--{target}.csv"
    if lineage:
        old = [Para(u.key, u.label, u.text) for u in paragraphs(store, source)]
        new = [Para(u.key, u.label, u.text) for u in paragraphs(store, target)]
        links = run_lineage(old, new)
        write_lineage_review(path, old, new, links, force)
        counts = Counter(link.label for link in links)
        click.echo(f"{len(old)} -> {len(new)} paragraphs: "
                   + ", ".join(f"{n} {label}" for label, n in sorted(counts.items())))
    else:
        sources, targets = asks(store, source), paragraphs(store, target)
        proposals = propose(sources, targets, top)
        write_uptake_review(path, sources, targets, proposals, top, force)
        click.echo(f"{len(sources)} asks of {source}, up to {top} candidate paragraphs each "
                   f"among {len(targets)} of {target}")
    click.echo(f"wrote {path}")


@main.command()
@click.argument("review", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--curator", required=True, help="Who judged: recorded on every uptake link (prov:wasAttributedTo).")
@click.option("--date", "when", type=click.DateTime(["%Y-%m-%d"]), help="When they judged; default: today.")
@click.pass_context
@handle_errors
def uptake(ctx: click.Context, review: Path, curator: str, when: Any) -> None:
    """Turn the judged rows of an uptake review (SOURCE--TARGET.csv from `align`) into curated uptake links
    in graph/uptake/SOURCE--TARGET.ttl; rows without a grade stay out."""
    import datetime as dt

    from .align.units import asks, paragraphs
    from .align.verdicts import read_verdicts, uptake_graph
    from .query import load_store
    from .rdfio import atomic_write_text, canonical_turtle

    project = _project(ctx)
    source_id, sep, target_id = review.stem.partition("--")
    if not sep:
        raise InputError(f"{review}: name the review SOURCE--TARGET.csv, as `wsis-kg align` does")
    store = load_store(project.dist)
    sources, targets = asks(store, source_id), paragraphs(store, target_id)
    verdicts, pending = read_verdicts(review, sources, targets)
    graph = uptake_graph(source_id, target_id, verdicts, {s.key: s.label for s in sources}, curator,
                         when.date() if when else dt.date.today())
    out = project.uptake_dir / f"{source_id}--{target_id}.ttl"
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, canonical_turtle(graph))
    grades = Counter(v.grade for v in verdicts)
    click.echo(f"{len(verdicts)} uptake link(s): " + ", ".join(f"{n} {g}" for g, n in sorted(grades.items())))
    if pending:
        click.echo(f"{len(pending)} ask(s) still wait for a verdict")
    click.echo(f"wrote {out}")


@main.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of the site; default: site/ in the release folder.")
@click.pass_context
@handle_errors
def docs(ctx: click.Context, out: Path | None) -> None:
    """Write the static site: ontology reference, a page per entity and claim, quotes in context."""
    from .docs import build_site

    folder, count = build_site(_project(ctx).dist, out)
    click.echo(f"wrote {count} files to {folder} (open {folder / 'index.html'})")


if __name__ == "__main__":  # pragma: no cover
    main()
