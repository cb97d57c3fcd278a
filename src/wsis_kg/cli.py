"""The `wsis-kg` command: a thin layer over the pipeline's functions. Errors caused by the input or the
machine print one clear message and exit non-zero (1 the data is wrong, 2 it cannot be loaded)."""

from __future__ import annotations

import functools
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
    ctx.obj = Project(root, dist_dir.resolve() if dist_dir else None)


@main.command()
@click.option("--no-reason", is_flag=True, help="Skip HermiT (faster; the release then says so).")
@click.option("--base-url", envvar="WSIS_KG_BASE_URL", default="http://127.0.0.1:8000/", show_default=True,
              metavar="URL", help="Where the release is published: download and endpoint addresses in void.ttl "
                                  "(or set WSIS_KG_BASE_URL).")
@click.option("--publisher", envvar="WSIS_KG_PUBLISHER", default="WSIS knowledge graph project", show_default=True,
              help="Publisher named in the DCAT description (or set WSIS_KG_PUBLISHER).")
@click.option("--contact", envvar="WSIS_KG_CONTACT", metavar="EMAIL|URL",
              help="DCAT contact point: an e-mail address or a URL; default: the base URL (or set WSIS_KG_CONTACT).")
@click.pass_context
@handle_errors
def build(ctx: click.Context, no_reason: bool, base_url: str, publisher: str, contact: str | None) -> None:
    """Assemble, validate (SHACL), reason (HermiT) and write dist/ atomically."""
    from .build import run_build
    from .describe import Publication

    t0 = time.perf_counter()
    publication = Publication(base_url, publisher, contact)
    result = run_build(_project(ctx), progress=_echo, reason=not no_reason, publication=publication)
    for name, seconds in result.timings.items():
        _echo(f"  {seconds:7.2f} s  {name}")
    _echo(f"  {time.perf_counter() - t0:7.2f} s  total")
    click.echo(f"built {_project(ctx).dist}: {sum(len(g) for _, g in result.assembly.named_graphs())} triples "
               f"in {len(result.assembly.named_graphs())} named graphs")


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
    from .segment import segment as run_segment
    from .sources import load_sources

    for src in load_sources(_project(ctx).sources):
        if doc_id and src.doc_id != doc_id:
            continue
        s = run_segment(src.text)
        click.echo(f"{src.doc_id}: {len(s.questions)} questions, "
                   f"{sum(len(q.sections) for q in s.questions)} sections, {len(s.passages())} passages")
        for p in s.preamble:
            click.echo(f"  preamble p{p.order} [{p.start}:{p.end}] {src.text[p.start:p.end][:60]!r}")
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
@click.argument("query", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the queries with their questions.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--bind", "binds", multiple=True, metavar="VAR=VALUE",
              help="Bind a variable to a value (an IRI in <...> or a literal); repeatable.")
@click.option("--endpoint", metavar="URL", help="Run against a remote SPARQL endpoint instead of dist/.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds, for --endpoint.")
@click.pass_context
@handle_errors
def query(ctx: click.Context, query: str | None, list_only: bool, fmt: str, binds: tuple[str, ...],
          endpoint: str | None, timeout: float) -> None:
    """Run a competency query (by name, e.g. cq05, or a .rq file) on the release or an endpoint."""
    from .query import format_rows, list_queries, load_store, resolve_query, run_local

    project = _project(ctx)
    if list_only or not query:
        for q in list_queries(project.queries):
            click.echo(f"{q.name:32} {q.title}")
        return
    bindings = {}
    for b in binds:
        if "=" not in b:
            raise InputError(f"--bind {b!r}: write VAR=VALUE")
        k, v = b.split("=", 1)
        bindings[k.lstrip("?$")] = v
    nq = resolve_query(project.queries, query)
    if endpoint:
        from .remote import run_remote

        variables, rows = run_remote(endpoint, nq.text, bindings, timeout=timeout)
    else:
        variables, rows = run_local(load_store(project.dist), nq.text, bindings)
    click.echo(format_rows(variables, rows, fmt), nl=False)


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
@click.option("--port", type=int, default=8000, show_default=True)
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
