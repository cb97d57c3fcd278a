"""Write the release folder atomically: everything goes to a temporary folder beside dist/, which
replaces dist/ only when every file is written. A failed build leaves the previous release as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from .assemble import Assembly
from .namespaces import ONTOLOGY_IRI, OWL, PREFIXES
from .rdfio import bind_prefixes, canonical_turtle

TRIG = "wsis-kg.trig"
TURTLE = "wsis-kg.ttl"
NTRIPLES = "wsis-kg.nt"
NQUADS = "wsis-kg.nq"
JSONLD = "wsis-kg.jsonld"
CANONICAL = "wsis-kg.canonical.nq"

CATALOG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
    <group id="wsis-kg" prefer="public" xml:base="">
        <uri name="{ontology}" uri="wsis.owl"/>
        <uri name="{version}" uri="wsis.owl"/>
    </group>
</catalog>
"""


@contextmanager
def staged_release(dist: Path) -> Iterator[Path]:
    """Yield a fresh folder; on success it becomes `dist`, on any error it is removed."""
    dist.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dist.name}-new-", dir=dist.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = dist.parent / f".{dist.name}-old-{staging.name.rsplit('-', 1)[-1]}"
    if dist.exists():
        dist.rename(old)
    staging.rename(dist)
    shutil.rmtree(old, ignore_errors=True)


def to_oxigraph(ds: Dataset) -> ox.Store:
    """Copy an rdflib dataset into an in-memory Oxigraph store (fast serialising and querying)."""
    store = ox.Store()
    data = ds.serialize(format="nquads", encoding="utf-8")
    store.bulk_load(data, ox.RdfFormat.N_QUADS)
    return store


def canonical_nquads(store: ox.Store) -> bytes:
    """RDFC-1.0 canonical N-Quads, lines sorted: the same bytes for the same graph, whatever the build."""
    dataset = ox.Dataset(store.quads_for_pattern(None, None, None, None))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted(f"{q}\n" for q in dataset)
    return "".join(lines).encode("utf-8")


def jsonld_context() -> dict[str, object]:
    return {"@context": dict(sorted(PREFIXES.items()))}


def ontology_files(folder: Path, ontology: Graph, shapes: Graph) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    ontology.serialize(destination=str(folder / "wsis.owl"), format="pretty-xml", encoding="utf-8")
    (folder / "wsis.ttl").write_text(canonical_turtle(ontology), encoding="utf-8")
    (folder / "shapes.ttl").write_text(canonical_turtle(shapes), encoding="utf-8")
    version = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    (folder / "catalog-v001.xml").write_text(
        CATALOG.format(ontology=ONTOLOGY_IRI, version=version or ONTOLOGY_IRI), encoding="utf-8"
    )


def write_release(
    folder: Path, assembly: Assembly, shapes: Graph, reports: dict[str, str], extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Write every file of a release into `folder`; return file name -> sha256."""
    ds = assembly.dataset()
    union = assembly.union()
    ds.serialize(destination=str(folder / TRIG), format="trig", encoding="utf-8")
    union.serialize(destination=str(folder / TURTLE), format="turtle", encoding="utf-8")
    store = to_oxigraph(ds)
    with open(folder / NQUADS, "wb") as fh:
        store.dump(fh, ox.RdfFormat.N_QUADS)
    union.serialize(destination=str(folder / NTRIPLES), format="nt", encoding="utf-8")
    canonical = canonical_nquads(store)
    (folder / CANONICAL).write_bytes(canonical)
    (folder / f"{CANONICAL}.sha256").write_text(f"{hashlib.sha256(canonical).hexdigest()}  {CANONICAL}\n")
    (folder / "context.jsonld").write_text(json.dumps(jsonld_context(), indent=2) + "\n", encoding="utf-8")
    jsonld = ds.serialize(format="json-ld", context=jsonld_context()["@context"], encoding="utf-8")
    (folder / JSONLD).write_bytes(jsonld if isinstance(jsonld, bytes) else jsonld.encode())
    ontology_files(folder / "ontology", bind_prefixes(assembly.ontology), shapes)
    rep = folder / "reports"
    rep.mkdir(exist_ok=True)
    for name, text in {**reports, **(extra or {})}.items():
        (rep / name).write_text(text, encoding="utf-8")
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }
