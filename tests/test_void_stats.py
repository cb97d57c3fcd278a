"""VoID figures merged from blocks' statistics equal the figures of the whole dataset: a corpus release
describes itself without any step holding every quad."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from wsis_kg.describe import Stats, void_graph


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
    merged = Stats.merge(loaded)
    whole = Stats.of(quads)
    assert merged.graphs == whole.graphs
    assert merged.per_key("properties") == whole.per_key("properties")
    assert merged.per_key("classes") == whole.per_key("classes")
    for name in ("triples", "subjects", "objects", "entities"):
        assert merged.count(name) == whole.count(name), name
    # a triple asserted in two graphs counts once in the union, as in VoID's own definition
    assert whole.count("triples") == len({q.triple for q in quads})
    assert set(void_graph(release, merged)) == set(void_graph(release, quads))
