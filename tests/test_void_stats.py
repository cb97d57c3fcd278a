"""VoID figures merged from blocks' statistics equal the figures of the whole dataset: a corpus release
describes itself without any step holding every quad."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import pytest

from wsis_kg.describe import Figures, Stats, Tally, TallyMismatch, void_graph


def test_merged_block_statistics_give_the_whole_dataset_s_void(release: Path, tmp_path: Path) -> None:
    quads = list(ox.parse(path=release / "wsis-kg.nq", format=ox.RdfFormat.N_QUADS))
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        by_graph[str(q.graph_name)].append(q)
    names = sorted(by_graph)
    blocks = [[q for name in names[i::3] for q in by_graph[name]] for i in range(3)]  # graphs dealt to 3 blocks
    saved = []
    for i, block in enumerate(blocks):
        path = tmp_path / f"block-{i}.npz"
        with path.open("wb") as fh:
            rest = Stats.of(block).save(fh)
        saved.append((path, rest))
    loaded = []
    for path, rest in saved:
        with path.open("rb") as fh:
            loaded.append(Stats.load(fh, rest))
    merged = Figures.of({f"b{i}": (str(i), stats) for i, stats in enumerate(loaded)})
    whole = Stats.of(quads)
    assert merged.graphs == whole.graphs
    assert merged.per_key("properties") == whole.per_key("properties")
    assert merged.per_key("classes") == whole.per_key("classes")
    for name in ("triples", "subjects", "objects", "entities"):
        assert merged.count(name) == whole.count(name), name
    # a triple asserted in two graphs counts once in the union, as in VoID's own definition
    assert whole.count("triples") == len({q.triple for q in quads})
    assert set(void_graph(release, merged)) == set(void_graph(release, quads))


def figures(f: Stats | Tally) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    counts = {name: f.count(name) for name in ("triples", "subjects", "objects", "entities")}
    return counts, f.per_key("properties"), f.per_key("classes")


def test_a_tally_updated_block_by_block_equals_one_made_afresh(release: Path, tmp_path: Path) -> None:
    """Blocks taken out and put in again, one changed on the way (a triple of another block repeated in
    it, one of its own left out): the tally counts what a tally of the new blocks counts, and both count
    what the whole dataset has."""
    quads = list(ox.parse(path=release / "wsis-kg.nq", format=ox.RdfFormat.N_QUADS))
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        by_graph[str(q.graph_name)].append(q)
    names = sorted(by_graph)
    blocks = {f"b{i}": [q for name in names[i::4] for q in by_graph[name]] for i in range(4)}
    tally = Tally.of({n: (f"k-{n}", Stats.of(b)) for n, b in blocks.items()})
    assert figures(tally) == figures(Stats.of(quads))
    # b1 changes: loses its first quad, gains a copy of one of b2's triples in its own graph
    changed = [*blocks["b1"][1:], ox.Quad(*blocks["b2"][0].triple, blocks["b1"][1].graph_name)]
    tally.take_out("b1", Stats.of(blocks["b1"]))
    tally.take_out("b3", Stats.of(blocks["b3"]))  # and b3 goes
    tally.put_in("b1", "k-b1-new", Stats.of(changed))
    now = {"b0": blocks["b0"], "b1": changed, "b2": blocks["b2"]}
    afresh = Tally.of({n: (f"k-{n}", Stats.of(b)) for n, b in now.items()})
    assert figures(tally) == figures(afresh) == figures(Stats.of([q for b in now.values() for q in b]))
    for name in afresh.values:
        assert np.array_equal(tally.values[name], afresh.values[name]), name
        assert np.array_equal(tally.counts[name], afresh.counts[name]), name
    assert tally.members == {"b0": "k-b0", "b1": "k-b1-new", "b2": "k-b2"}
    # kept and read back as it was
    tally.save(tmp_path / "tally")
    tally.save(tmp_path / "tally")  # and again over it
    back = Tally.load(tmp_path / "tally")
    assert back is not None and figures(back) == figures(tally) and back.members == tally.members
    # a block the tally does not hold cannot be taken out: the build then counts afresh
    with pytest.raises(TallyMismatch):
        back.take_out("b3", Stats.of(blocks["b3"]))
    (tmp_path / "tally" / "c0.npy").write_bytes(b"not an array")
    assert Tally.load(tmp_path / "tally") is None
    assert Tally.load(tmp_path / "nothing") is None
