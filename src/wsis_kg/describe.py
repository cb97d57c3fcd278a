"""VoID and DCAT description of a release (dist/void.ttl): what is in it, where to get it, how to query it.

Computed from the quads themselves and the files on disk, so the counts, sizes and checksums cannot drift
from the release they describe. Download and endpoint URLs sit under one base URL: by default where
`wsis-kg serve` listens (http://127.0.0.1:8000/), else the address the release is published at
(`wsis-kg build --base-url`); the server describes itself with its own address.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import numpy as np
import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef

from . import __version__
from .assemble import DATASET_IRI
from .errors import InputError
from .namespaces import (
    BASE,
    DCAT,
    DCTERMS,
    FOAF,
    GRAPH,
    ID,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SDG,
    VOID,
    WSIS,
    XSD,
)
from .rdfio import bind_prefixes, file_sha256
from .store import SPLIT_DIR

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
SDG_DATASET = URIRef(str(SDG))
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
DEFAULT_PUBLISHER = "WSIS knowledge graph project"


@dataclass(frozen=True)
class Publication:
    """Where and by whom a release is published: the base URL of its downloads and endpoint, the DCAT
    publisher and the contact point (an e-mail address or a URL; the base URL when none is given)."""

    base_url: str = DEFAULT_BASE_URL
    publisher: str = DEFAULT_PUBLISHER
    contact: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise InputError(f"base URL {self.base_url!r}: give an absolute http(s) URL without query or fragment, "
                             "e.g. https://example.org/wsis-kg/")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/") + "/")
        if self.contact is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+|https?://\S+", self.contact):
            raise InputError(f"contact {self.contact!r}: give an e-mail address or an http(s) URL")

    def contact_iri(self) -> URIRef:
        contact = self.contact or self.base_url
        return URIRef(("mailto:" + contact) if "@" in contact and "://" not in contact else contact)

# file -> (media type, W3C format IRI or None, title)
DUMP_FILES: dict[str, tuple[str, URIRef | None, str]] = {
    "wsis-kg.nq": ("application/n-quads", FORMATS["N-Quads"], "N-Quads, all named graphs"),
    "wsis-kg.trig": ("application/trig", FORMATS["TriG"], "TriG, all named graphs"),
    "wsis-kg.jsonld": ("application/ld+json", FORMATS["JSON-LD"], "JSON-LD (compacted), all named graphs"),
    "wsis-kg.ttl": ("text/turtle", FORMATS["Turtle"], "Turtle, union of the named graphs"),
    "wsis-kg.nt": ("application/n-triples", FORMATS["N-Triples"], "N-Triples, union of the named graphs"),
    "wsis-kg.canonical.nq": ("application/n-quads", FORMATS["N-Quads"],
                             "N-Quads canonicalised with RDFC-1.0 (for checksums and diffs)"),
    "context.jsonld": ("application/ld+json", None, "JSON-LD context of the ontology's terms"),
    "ontology/wsis.owl": ("application/rdf+xml", FORMATS["RDF_XML"], "The ontology in RDF/XML (for Protégé)"),
    "ontology/wsis.ttl": ("text/turtle", FORMATS["Turtle"], "The ontology in Turtle"),
    "ontology/shapes.ttl": ("text/turtle", FORMATS["Turtle"], "SHACL shapes"),
    "ontology/catalog-v001.xml": ("application/xml", None, "XML catalog for Protégé (offline imports)"),
}


def _slug(iri: str) -> str:
    """A readable, stable IRI segment for a class or property: prefix-local, else a digest."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_\-]+", iri[len(ns):]):
            return f"{prefix}-{iri[len(ns):]}"
    return "iri-" + hashlib.sha1(iri.encode()).hexdigest()[:12]


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _stats(node: URIRef, g: Graph, figures: tuple[int, int, int, int]) -> None:
    triples, subjects, properties, objects = figures
    g.add((node, VOID.triples, _int(triples)))
    g.add((node, VOID.distinctSubjects, _int(subjects)))
    g.add((node, VOID.properties, _int(properties)))
    g.add((node, VOID.distinctObjects, _int(objects)))


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _hashes(items: Iterable[str]) -> np.ndarray:
    return np.fromiter((_hash(i) for i in items), dtype=np.uint64)


def _distinct(items: Iterable[str]) -> np.ndarray:
    """The sorted, distinct hashes of `items` (what `count` counts and `merge` merges)."""
    return np.unique(_hashes(items))


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _salted(keys: list[str], index: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Each (key, hash) pair as one 64-bit value, salted by a hash of the key's own text (not its index,
    which depends on the order blocks come in): a one-dimensional unique sorts several times faster
    than a unique over rows, and two pairs share a value with the odds of a hash collision."""
    if not len(index):
        return np.zeros(0, dtype=np.uint64)
    salt = np.array([_hash(k) for k in keys], dtype=np.uint64) * _GOLDEN
    salted: np.ndarray = hashes ^ salt[index]
    return salted


@dataclass
class Stats:
    """What VoID says of some named graphs, in a form that merges: exact figures for each graph (a graph
    lies within one block), and for the union of all graphs, 64-bit hashes of its distinct terms and
    triples, so that merging blocks counts each distinct one once without keeping them. (Two of a few
    million strings share a 64-bit hash with odds below one in a million.)"""

    graphs: dict[str, tuple[int, int, int, int]]  # graph IRI -> triples, subjects, properties, objects
    sources: list[str]  # the source documents (subjects typed wsis:SourceDocument)
    arrays: dict[str, np.ndarray]  # "triples", "subjects", "objects", "entities": hashes
    keyed: dict[str, tuple[list[str], np.ndarray, np.ndarray]]  # "properties" (triple hashes per property),
    # "classes" (member hashes per class), "sdg" (triple hashes per predicate linking to an SDG IRI):
    # keys, each entry's key index, each entry's hash

    @classmethod
    def of(cls, quads: Iterable[ox.Quad]) -> Stats:
        by_graph: dict[str, set[tuple[Any, Any, Any]]] = defaultdict(set)
        union: set[tuple[Any, Any, Any]] = set()
        for q in quads:
            t = (q.subject, q.predicate, q.object)
            union.add(t)
            by_graph[q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""].add(t)
        graphs = {g: (len(ts), len({s for s, _, _ in ts}), len({p for _, p, _ in ts}), len({o for _, _, o in ts}))
                  for g, ts in by_graph.items() if g}
        rdf_type, source_doc, sdg, ident = str(RDF.type), ox.NamedNode(str(WSIS.SourceDocument)), str(SDG), str(ID)
        strings = {t: f"{t[0]} {t[1]} {t[2]}" for t in union}
        keyed: dict[str, dict[str, list[str]]] = {"properties": defaultdict(list), "classes": defaultdict(list),
                                                  "sdg": defaultdict(list)}
        for t, text in strings.items():
            s, p, o = t
            keyed["properties"][p.value].append(text)
            if p.value == rdf_type and isinstance(o, ox.NamedNode):
                keyed["classes"][o.value].append(str(s))
            if isinstance(o, ox.NamedNode) and o.value.startswith(sdg) and not (
                    isinstance(s, ox.NamedNode) and s.value.startswith(sdg)):
                keyed["sdg"][p.value].append(text)
        subjects = {s for s, _, _ in union}
        arrays = {
            "triples": _distinct(strings.values()),
            "subjects": _distinct(str(s) for s in subjects),
            "objects": _distinct(str(o) for o in {o for _, _, o in union}),
            "entities": _distinct(s.value for s in subjects
                                  if isinstance(s, ox.NamedNode) and s.value.startswith(ident)),
        }
        out = {}
        for name, groups in keyed.items():
            keys = sorted(groups)
            index = np.concatenate([np.full(len(groups[k]), i, dtype=np.uint32) for i, k in enumerate(keys)]) \
                if keys else np.zeros(0, dtype=np.uint32)
            hashes = np.concatenate([_hashes(groups[k]) for k in keys]) if keys else np.zeros(0, dtype=np.uint64)
            out[name] = (keys, index, hashes)
        sources = sorted(s.value for s, p, o in union if p.value == rdf_type and o == source_doc
                         and isinstance(s, ox.NamedNode))
        return cls(graphs, sources, arrays, out)

    def count(self, name: str) -> int:
        return len(self.arrays[name]) if name in self.arrays else 0  # distinct, by construction

    def per_key(self, name: str) -> dict[str, int]:
        """For each key, the number of distinct hashes it has."""
        if name not in self.keyed:
            return {}
        keys, index, hashes = self.keyed[name]
        if not len(index):
            return {}
        _, first = np.unique(_salted(keys, index, hashes), return_index=True)
        counts = np.bincount(index[first].astype(np.int64), minlength=len(keys))
        return {k: int(counts[i]) for i, k in enumerate(keys) if counts[i]}

    def save(self, fh: BinaryIO) -> dict[str, Any]:
        """Write the arrays to `fh` (as .npz); return the rest, for a JSON file."""
        flat = {f"a-{k}": v for k, v in self.arrays.items()}
        for name, (_, index, hashes) in self.keyed.items():
            flat[f"i-{name}"], flat[f"h-{name}"] = index, hashes
        np.savez(fh, **flat)  # type: ignore[arg-type]
        return {"graphs": self.graphs, "sources": self.sources, "keys": {k: v[0] for k, v in self.keyed.items()}}

    @classmethod
    def load(cls, fh: BinaryIO, rest: dict[str, Any]) -> Stats:
        with np.load(fh) as data:
            arrays = {k[2:]: data[k] for k in data.files if k.startswith("a-")}
            keyed = {name: (list(keys), data[f"i-{name}"], data[f"h-{name}"]) for name, keys in rest["keys"].items()}
        graphs = {g: (int(f[0]), int(f[1]), int(f[2]), int(f[3])) for g, f in rest["graphs"].items()}
        return cls(graphs, list(rest["sources"]), arrays, keyed)


def _entries(stats: Stats) -> dict[str, tuple[np.ndarray, list[str], np.ndarray]]:
    """A block's distinct values by name: (sorted hashes, keys, each hash's key index); a keyed value is
    its (key, hash) pair, salted."""
    out: dict[str, tuple[np.ndarray, list[str], np.ndarray]] = {}
    for name, a in stats.arrays.items():
        out[name] = (np.unique(a), [], np.zeros(0, dtype=np.uint32))
    for name, (keys, index, hashes) in stats.keyed.items():
        values, first = np.unique(_salted(keys, index, hashes), return_index=True)
        out[f"keyed-{name}"] = (values, list(keys), index[first].astype(np.uint32))
    return out


class TallyMismatch(Exception):
    """A block to take out is not in the tally as recorded: the tally is then made again in full."""


@dataclass
class Tally:
    """The distinct hashes of all the blocks of a release, each with the
    number of blocks holding it, so that when a few blocks change the whole is updated (the old blocks
    taken out, the new put in) instead of merged again from a thousand. `members`: block name -> the key
    of the block counted (a document's part key; "" names the shared graphs)."""

    values: dict[str, np.ndarray]  # name -> sorted distinct hashes
    counts: dict[str, np.ndarray]  # name -> how many blocks hold each
    keys: dict[str, list[str]]  # keyed name -> its keys
    key_index: dict[str, np.ndarray]  # keyed name -> each value's key index
    members: dict[str, str]

    @classmethod
    def of(cls, blocks: dict[str, tuple[str, Stats]]) -> Tally:
        """The tally of `blocks`: block name -> (its key, its statistics)."""
        gathered: dict[str, list[tuple[np.ndarray, list[str], np.ndarray]]] = defaultdict(list)
        for _, stats in blocks.values():
            for name, entry in _entries(stats).items():
                gathered[name].append(entry)
        tally = cls({}, {}, {}, {}, {n: k for n, (k, _) in blocks.items()})
        for name, entries in gathered.items():
            known: dict[str, int] = {}
            values, indices = [], []
            for v, keys, index in entries:
                remap = np.array([known.setdefault(k, len(known)) for k in keys], dtype=np.uint32)
                values.append(v)
                indices.append(remap[index] if len(index) else index)
            u, first, c = np.unique(np.concatenate(values), return_index=True, return_counts=True)
            tally.values[name], tally.counts[name] = u, c.astype(np.uint32)
            if name.startswith("keyed-"):
                tally.keys[name] = sorted(known, key=known.__getitem__)
                tally.key_index[name] = np.concatenate(indices)[first]
        return tally

    def take_out(self, name: str, stats: Stats) -> None:
        for field_name, (v, _, _) in _entries(stats).items():
            u, c = self.values.get(field_name), self.counts.get(field_name)
            if u is None or c is None:
                if len(v):
                    raise TallyMismatch(field_name)
                continue
            pos = np.searchsorted(u, v)
            if len(v) and (pos.max() >= len(u) or not np.array_equal(u[pos], v) or c[pos].min() == 0):
                raise TallyMismatch(field_name)
            c[pos] -= 1
            keep = c > 0
            self.values[field_name], self.counts[field_name] = u[keep], c[keep]
            if field_name in self.key_index:
                self.key_index[field_name] = self.key_index[field_name][keep]
        self.members.pop(name, None)

    def put_in(self, name: str, key: str, stats: Stats) -> None:
        for field_name, (v, keys, index) in _entries(stats).items():
            u = self.values.get(field_name, np.zeros(0, dtype=np.uint64))
            c = self.counts.get(field_name, np.zeros(0, dtype=np.uint32))
            pos = np.searchsorted(u, v)
            hit = pos < len(u)
            hit[hit] = u[pos[hit]] == v[hit]
            c[pos[hit]] += 1
            new, at = v[~hit], pos[~hit]
            self.values[field_name] = np.insert(u, at, new)
            self.counts[field_name] = np.insert(c, at, np.ones(len(new), dtype=np.uint32))
            if field_name.startswith("keyed-"):
                known = self.keys.setdefault(field_name, [])
                where = {k: i for i, k in enumerate(known)}
                remap = np.array([where.setdefault(k, len(where)) for k in keys], dtype=np.uint32)
                known[len(known):] = [k for k in keys if where[k] >= len(known)]
                mapped = remap[index[~hit]] if len(new) else np.zeros(0, dtype=np.uint32)
                old = self.key_index.get(field_name, np.zeros(0, dtype=np.uint32))
                self.key_index[field_name] = np.insert(old, at, mapped)
        self.members[name] = key

    def count(self, name: str) -> int:
        return len(self.values.get(name, ()))

    def per_key(self, name: str) -> dict[str, int]:
        index = self.key_index.get(f"keyed-{name}")
        if index is None or not len(index):
            return {}
        keys = self.keys[f"keyed-{name}"]
        counts = np.bincount(index.astype(np.int64), minlength=len(keys))
        return {k: int(counts[i]) for i, k in enumerate(keys) if counts[i]}

    def save(self, path: Path) -> None:
        """A folder of plain .npy arrays (read back at disk speed: a thousand documents' tally is some
        600 MB, which a zipped .npz took seconds to read), written beside and swapped into place: a
        killed build leaves the old tally, the new one, or none (and the next build counts afresh)."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        names = sorted(self.values)
        for i, name in enumerate(names):
            np.save(tmp / f"v{i}.npy", self.values[name])
            np.save(tmp / f"c{i}.npy", self.counts[name])
            if name in self.key_index:
                np.save(tmp / f"k{i}.npy", self.key_index[name])
        meta = {"names": names, "members": self.members, "keys": self.keys}
        (tmp / "meta.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
        old = path.with_name(f".{path.name}.{os.getpid()}.old")
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> Tally | None:
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            names: list[str] = meta["names"]
            values = {n: np.load(path / f"v{i}.npy") for i, n in enumerate(names)}
            counts = {n: np.load(path / f"c{i}.npy") for i, n in enumerate(names)}
            key_index = {n: np.load(path / f"k{i}.npy") for i, n in enumerate(names) if (path / f"k{i}.npy").exists()}
            if any(len(values[n]) != len(counts[n]) for n in names) or \
                    any(len(key_index[n]) != len(values[n]) for n in key_index):
                return None
            return cls(values, counts, {n: list(k) for n, k in meta["keys"].items()}, key_index,
                       dict(meta["members"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


@dataclass
class Figures:
    """What VoID reads of a whole release: each graph's figures, the sources, and the tally's counts."""

    graphs: dict[str, tuple[int, int, int, int]]
    sources: list[str]
    tally: Tally

    @classmethod
    def of(cls, blocks: dict[str, tuple[str, Stats]]) -> Figures:
        """The figures of blocks (block name -> its key, its statistics) taken together."""
        graphs: dict[str, tuple[int, int, int, int]] = {}
        sources: set[str] = set()
        for _, stats in blocks.values():
            graphs.update(stats.graphs)
            sources.update(stats.sources)
        return cls(graphs, sorted(sources), Tally.of(blocks))

    def count(self, name: str) -> int:
        return self.tally.count(name)

    def per_key(self, name: str) -> dict[str, int]:
        return self.tally.per_key(name)


def _describe_entailments(g: Graph, sub: URIRef, graph_iri: str) -> None:
    """An entailment graph says what it holds and what it was derived from, so that nobody mistakes it
    for curated data (and a store with its own reasoner can leave it out)."""
    asserted = graph_iri[: -len("/inferred")]
    sources = [URIRef(asserted)] if not asserted.startswith(str(GRAPH) + "document/") else [
        URIRef(asserted + "/structure"), URIRef(asserted + "/claims")]
    g.add((sub, DCTERMS.description, Literal(
        "Entailed, not asserted: what the ontology's OWL 2 RL rules derive from the asserted graphs (class "
        "membership up the hierarchy, super-property values, inverse properties, transitive closures of "
        "wsis:subgroupOf and skos:broaderTransitive), for stores without a reasoner. Computed at build time "
        "by the `reasonable` engine after HermiT's consistency check (see reports/reasoner.txt).", lang="en")))
    for source in [URIRef(str(GRAPH) + "ontology"), *sources]:
        g.add((sub, PROV.wasDerivedFrom, source))


def void_graph(folder: Path, quads: Iterable[ox.Quad] | Stats | Figures, base_url: str = DEFAULT_BASE_URL,
               digests: dict[str, str] | None = None) -> Graph:
    """VoID + DCAT for the release in `folder` (whose dump files are sized and hashed), from its quads or
    from the statistics of its blocks. `digests`: the dumps' SHA-256 where already known (computed as
    they were written), so that gigabytes are not read again."""
    digests = digests or {}
    base_url = base_url.rstrip("/") + "/"
    stats = quads if isinstance(quads, Stats | Figures) else Stats.of(quads)
    g = Graph()
    bind_prefixes(g)
    g.bind("sd", SD)
    g.bind("spdx", SPDX)
    g.bind("formats", FORMATS)
    ds = DATASET_IRI
    per_property = stats.per_key("properties")
    members = stats.per_key("classes")

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("WSIS knowledge graph", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Documents of the WSIS+20 review as linked data: an OWL ontology, reference data (WSIS Action Lines, "
        "SDGs, instruments, bodies, stakeholder groups) and the documents' claims, each grounded in an exact "
        "quote of its source.", lang="en")))
    g.add((ds, DCTERMS.license, CC_BY_4))
    g.add((ds, DCTERMS.rights, Literal("Data: CC BY 4.0. Code: MIT.", lang="en")))
    g.add((ds, DCAT.version, Literal(__version__)))
    g.add((ds, OWL.versionInfo, Literal(__version__)))
    g.add((ds, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/en")))
    for kw in ("WSIS", "WSIS+20", "Internet governance", "digital development", "SDG", "knowledge graph"):
        g.add((ds, DCAT.keyword, Literal(kw, lang="en")))
    # the base URL itself is the landing page: `serve` redirects it to its pages, and a static copy of
    # dist/site/ published there answers it with index.html
    g.add((ds, FOAF.homepage, URIRef(base_url)))
    g.add((ds, DCAT.landingPage, URIRef(base_url)))
    g.add((ds, VOID.uriSpace, Literal(str(ID))))
    g.add((ds, VOID.uriLookupEndpoint, URIRef(base_url + "id/")))
    g.add((ds, VOID.rootResource, URIRef(BASE + "ontology")))
    for doc in stats.sources:
        g.add((ds, VOID.exampleResource, URIRef(doc)))
        g.add((ds, DCTERMS.source, URIRef(doc)))
    _stats(ds, g, (stats.count("triples"), stats.count("subjects"), len(per_property), stats.count("objects")))
    g.add((ds, VOID.entities, _int(stats.count("entities"))))

    # vocabularies: namespaces of the properties and classes in use
    used = set(per_property) | set(members)
    for _prefix, ns in sorted(PREFIXES.items()):
        if any(u.startswith(ns) for u in used) and not ns.startswith(str(ID)):
            g.add((ds, VOID.vocabulary, URIRef(ns)))

    # SPARQL endpoint, as VoID and as a DCAT data service
    endpoint = URIRef(base_url + "sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    service = ID["dataset/wsis-kg/service/sparql"]
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.title, Literal("SPARQL endpoint of `wsis-kg serve`", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, RDFS.comment, Literal(
        f"Started locally with `wsis-kg serve` (default {base_url}); read-only; the default graph is the "
        "union of the named graphs.", lang="en")))
    g.add((ds, DCAT.accessService, service))

    # dumps
    for name, (media, fmt, title) in DUMP_FILES.items():
        path = folder / name
        if not path.is_file():
            continue
        url = URIRef(base_url + "dist/" + name)
        dist = ID[f"dataset/wsis-kg/distribution/{name.replace('/', '-')}"]
        if name.startswith("wsis-kg."):
            g.add((ds, VOID.dataDump, url))
        if fmt is not None and name.startswith("wsis-kg.") and name != "wsis-kg.canonical.nq":
            g.add((ds, VOID.feature, fmt))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        g.add((dist, DCTERMS.format, Literal(media)))
        if fmt is not None:
            g.add((dist, DCTERMS.conformsTo, fmt))
        g.add((dist, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, CC_BY_4))
        checksum = URIRef(f"{dist}/checksum")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(digests.get(name) or file_sha256(path), datatype=XSD.hexBinary)))

    _split_dumps(g, ds, folder, base_url)

    # one subset per named graph
    for graph_iri in sorted(stats.graphs):
        sub = ID[f"dataset/wsis-kg/graph/{graph_iri[len(str(GRAPH)):]}" if graph_iri.startswith(str(GRAPH))
                 else f"dataset/wsis-kg/graph-{_slug(graph_iri)}"]
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, SD.name, URIRef(graph_iri)))
        g.add((sub, DCTERMS.title, Literal(f"Named graph <{graph_iri}>", lang="en")))
        if graph_iri.endswith("/inferred"):
            _describe_entailments(g, sub, graph_iri)
        _stats(sub, g, stats.graphs[graph_iri])

    # class and property partitions of the whole dataset
    g.add((ds, VOID.classes, _int(len(members))))
    for cls in sorted(members):
        part = ID[f"dataset/wsis-kg/class/{_slug(cls)}"]
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, _int(members[cls])))
    for prop in sorted(per_property):
        part = ID[f"dataset/wsis-kg/property/{_slug(prop)}"]
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, _int(per_property[prop])))

    # link sets to the UN's SDG IRIs, one per linking predicate
    g.add((SDG_DATASET, RDF.type, VOID.Dataset))
    g.add((SDG_DATASET, DCTERMS.title, Literal("UN Sustainable Development Goals (metadata.un.org)", lang="en")))
    g.add((SDG_DATASET, VOID.uriSpace, Literal(str(SDG))))
    links = stats.per_key("sdg")
    for prop in sorted(links):
        ls = ID[f"dataset/wsis-kg/linkset/sdg/{_slug(prop)}"]
        g.add((ds, VOID.subset, ls))
        g.add((ls, RDF.type, VOID.Linkset))
        g.add((ls, VOID.subjectsTarget, ds))
        g.add((ls, VOID.objectsTarget, SDG_DATASET))
        g.add((ls, VOID.linkPredicate, URIRef(prop)))
        g.add((ls, VOID.triples, _int(links[prop])))
    return g


def describe_publication(g: Graph, publication: Publication) -> None:
    """The DCAT publisher and contact point of the dataset."""
    ds = DATASET_IRI
    publisher = ID["dataset/wsis-kg/publisher"]
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(publication.publisher, lang="en")))
    contact = ID["dataset/wsis-kg/contact-point"]
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(publication.publisher, lang="en")))
    contact_iri = publication.contact_iri()
    g.add((contact, VCARD.hasEmail if str(contact_iri).startswith("mailto:") else VCARD.hasURL, contact_iri))


# a split release's dumps: folder under dumps/ -> (media type, format, title); see release.split_name
SPLIT_DUMPS: dict[str, tuple[str, URIRef, str]] = {
    "nq": ("application/n-quads", FORMATS["N-Quads"], "N-Quads, one file for the shared graphs and one a document"),
    "trig": ("application/trig", FORMATS["TriG"], "TriG, one file for the shared graphs and one a document"),
    "jsonld": ("application/ld+json", FORMATS["JSON-LD"],
               "JSON-LD (compacted), one file for the shared graphs and one a document"),
    "ttl": ("text/turtle", FORMATS["Turtle"], "Turtle, one file for the shared graphs and one a document "
            "(each the union of its named graphs)"),
    "nt": ("application/n-triples", FORMATS["N-Triples"], "N-Triples, one file for the shared graphs and one a "
           "document (each the union of its named graphs)"),
    "canonical": ("application/n-quads", FORMATS["N-Quads"], "N-Quads canonicalised with RDFC-1.0, one file for "
                  "the shared graphs and one a document (for checksums and diffs)"),
}


def _split_dumps(g: Graph, ds: URIRef, folder: Path, base_url: str) -> None:
    """A split release's dumps: every file a void:dataDump (VoID's way to name a dataset split in several
    dumps), and one DCAT distribution a format that downloads as its files. Their checksums are in the
    manifest (reports/manifest.json), which lists every file."""
    for sub, (media, fmt, title) in SPLIT_DUMPS.items():
        base = folder / SPLIT_DIR / sub
        if not base.is_dir():
            continue
        files = sorted(p for p in base.rglob("*") if p.is_file())
        dist = ID[f"dataset/wsis-kg/distribution/{SPLIT_DIR}-{sub}"]
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="en")))
        g.add((dist, DCAT.accessURL, URIRef(f"{base_url}dist/{SPLIT_DIR}/{sub}/")))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        g.add((dist, DCTERMS.format, Literal(media)))
        g.add((dist, DCTERMS.conformsTo, fmt))
        g.add((dist, DCTERMS.license, CC_BY_4))
        g.add((dist, DCAT.byteSize, Literal(sum(p.stat().st_size for p in files), datatype=XSD.nonNegativeInteger)))
        if sub != "canonical":
            g.add((ds, VOID.feature, fmt))
        for path in files:
            url = URIRef(f"{base_url}dist/{path.relative_to(folder).as_posix()}")
            g.add((dist, DCAT.downloadURL, url))
            g.add((ds, VOID.dataDump, url))


def void_turtle(folder: Path, quads: Iterable[ox.Quad] | Stats | Figures, base_url: str | None = None,
                publication: Publication | None = None, digests: dict[str, str] | None = None) -> str:
    """void.ttl's text; `base_url`, when given, overrides the publication's (the server describes itself
    with its own address)."""
    publication = publication or Publication()
    g = void_graph(folder, quads, base_url or publication.base_url, digests)
    g.bind("vcard", VCARD)
    describe_publication(g, publication)
    # the release's Turtle writer: rdflib's takes seconds for the tens of thousands of statements that
    # describe a thousand documents' graphs and files
    from .release import graph_quads, turtle_bytes, union_triples

    prefixes = {name: str(ns) for name, ns in g.namespaces() if name}
    return turtle_bytes(union_triples(graph_quads([(None, g)])), prefixes).decode("utf-8")


def write_void(folder: Path, quads: Iterable[ox.Quad] | Stats | Figures, base_url: str | None = None,
               publication: Publication | None = None, digests: dict[str, str] | None = None) -> Path:
    path = folder / "void.ttl"
    path.write_text(void_turtle(folder, quads, base_url, publication, digests), encoding="utf-8")
    return path


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_PUBLISHER",
    "DUMP_FILES",
    "SD",
    "SPDX",
    "SPLIT_DUMPS",
    "VCARD",
    "Figures",
    "Publication",
    "Stats",
    "Tally",
    "TallyMismatch",
    "describe_publication",
    "void_graph",
    "void_turtle",
    "write_void",
]
