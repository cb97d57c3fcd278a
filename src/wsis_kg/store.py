"""The release's on-disk Oxigraph store (RocksDB, in `store/` beside the dumps).

The build bulk-loads the N-Quads it has just written into it, so that `wsis-kg query` opens the dataset in
milliseconds instead of parsing the N-Quads on every run, and the processes of `wsis-kg serve` share one
copy on disk (and in the page cache) instead of each holding the whole dataset in memory.

Its files are not in the manifest of file hashes: RocksDB writes a fresh database id, file numbers and
a log with timestamps on every load, so two builds of the same data never give the same bytes. The
manifest records what the store holds instead (its quad count), and the N-Quads it is loaded from are
hashed there like every other dump.

A release without a store (built before stores were written) is still read: its N-Quads are loaded into
memory, as before.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError

STORE_DIR = "store"
LOAD_CHUNK = 64 << 20  # bytes of N-Quads per bulk load: Oxigraph's loader holds a whole call in memory
NQUADS = "wsis-kg.nq"  # the dump the store is loaded from (release.NQUADS; not imported: that module is slow)
SPLIT_DIR = "dumps"  # a large release's dumps, one file a document in each format (see release.split_name)


def nquads_files(release: Path) -> list[Path]:
    """The N-Quads of a release: its one dump, or, in a release split by document, the shared graphs'
    file and each document's."""
    whole = release / NQUADS
    if whole.is_file():
        return [whole]
    shared = release / SPLIT_DIR / "nq" / "shared.nq"
    if not shared.is_file():
        return []
    return [shared, *sorted((shared.parent / "documents").glob("*.nq"))]


class StoreError(InputError):
    """The release's store is there but cannot be read: damaged, or written by an incompatible Oxigraph."""


def write_store(folder: Path, nquads: Path | list[Path]) -> dict[str, object]:
    """Load `nquads` (a file, or the files of a split release) into a new store in `folder`/store and close
    it, flushed and compacted, so that it opens read-only at once; return what the manifest says of it. A
    store already there is replaced."""
    path = folder / STORE_DIR
    if path.exists():
        shutil.rmtree(path)
    store = ox.Store(str(path))
    for chunk in nquads_chunks([nquads] if isinstance(nquads, Path) else nquads):
        store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()  # one compacted set of files: fewer to open on every read-only start
    quads = len(store)
    del store  # closes RocksDB: the last reference goes, and its files are complete on disk
    check = open_store(folder)
    if check is None or len(check) != quads:
        raise StoreError(f"{path}: the store written does not hold the {quads} quads loaded into it")
    return {"folder": STORE_DIR, "quads": quads, "engine": f"oxigraph {ox.__version__}"}


def nquads_chunks(paths: Iterable[Path], size: int | None = None) -> Iterator[bytes]:
    """N-Quads files, one after the other, in pieces of about `size` bytes, each cut at the end of a line.
    Oxigraph's bulk loader keeps about 2 GB a thread in memory when given a whole large file; given
    pieces, it keeps one piece's worth (a 4.5 M-quad file: 430 MB instead of 1.8 GB, for a load 30%
    slower). The many small files of a split release are joined into pieces of the same size."""
    size = size or LOAD_CHUNK
    pending: list[bytes] = []
    held = 0
    for path in paths:
        with path.open("rb") as fh:
            while block := fh.read(size):
                pending.append(block)
                held += len(block)
                if held < size:
                    continue
                joined = b"".join(pending)
                cut = joined.rfind(b"\n") + 1
                if cut == 0:  # no line end yet: a line longer than a piece
                    pending = [joined]
                    continue
                yield joined[:cut]
                pending, held = [joined[cut:]], len(joined) - cut
        if held and not pending[-1].endswith(b"\n"):
            pending.append(b"\n")  # a file's last line, unended, must not run into the next file's first
            held += 1
    rest = b"".join(pending)
    if rest:
        yield rest


def update_store(folder: Path, previous: Path, keep: set[str], load: Iterable[bytes],
                 counts: dict[str, int]) -> dict[str, object] | None:
    """A store for the release in `folder` made from the `previous` release's: a checkpoint of it (hard
    links to its immutable files, made in an instant), every graph not in `keep` removed, the N-Quads in
    `load` added. `counts`: every named graph of the release -> its quads. Returns what the manifest says
    of it, or None (and leaves no store) when there is no previous store to start from or the result
    does not hold what `counts` says: write_store then loads all. The graphs kept are not counted again
    (a thousand documents' worth); the store must name exactly the graphs of `counts`, and each graph
    loaded must hold its count. The previous release's store is only read: RocksDB never changes a file
    once written."""
    path = folder / STORE_DIR
    try:
        old = open_store(previous)
    except StoreError:
        return None
    if old is None:
        return None
    try:
        old.backup(str(path))
        del old
        store = ox.Store(str(path))
        for graph in list(store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value not in keep:
                store.remove_graph(graph)
        for data in load:
            store.load(data, format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        right = _holds(open_store(folder), counts, set(counts) - keep)
    except (OSError, RuntimeError, ValueError, StoreError):
        right = False
    if not right:
        shutil.rmtree(path, ignore_errors=True)
        return None
    return {"folder": STORE_DIR, "quads": sum(counts.values()), "engine": f"oxigraph {ox.__version__}"}


def _holds(store: ox.Store | None, counts: dict[str, int], loaded: set[str]) -> bool:
    """The store names exactly the non-empty graphs of `counts`, has no default graph, and each graph in
    `loaded` holds its count."""
    if store is None:
        return False
    graphs = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    if graphs != {g for g, n in counts.items() if n}:
        return False
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        return False
    return all(sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(g))) == counts[g]
               for g in loaded)


def open_store(release: Path) -> ox.Store | None:
    """The release's store opened read-only, or None when the release has none (an older release)."""
    path = release / STORE_DIR
    if not path.exists():
        return None
    try:
        return ox.Store.read_only(str(path))
    except (OSError, RuntimeError, ValueError) as exc:  # pyoxigraph: IO errors, RocksDB corruption
        raise StoreError(
            f"{path}: the release's store cannot be opened ({' '.join(str(exc).split())}); build the release "
            f"again (`wsis-kg build`), or remove {path} to read {release / NQUADS} instead"
        ) from exc


def load_release(release: Path) -> ox.Store:
    """The release's dataset as a store: its on-disk store read-only when it has one, else its N-Quads
    loaded into memory."""
    store = open_store(release)
    if store is not None:
        return store
    files = nquads_files(release)
    if not files:
        raise InputError(f"{release / NQUADS} not found: run `wsis-kg build` first")
    store = ox.Store()
    for path in files:
        with open(path, "rb") as fh:
            store.bulk_load(fh, ox.RdfFormat.N_QUADS)
    return store


__all__ = ["NQUADS", "SPLIT_DIR", "STORE_DIR", "StoreError", "load_release", "nquads_chunks", "nquads_files",
           "open_store", "update_store", "write_store"]
