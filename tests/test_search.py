"""Full-text search: `wsis-kg search` ranks the claims of the release by their words (label, quote,
passage), filters by document, kind and theme, and answers every hit with its quote and IRI; the static
site's search page does the same in the browser, offline, from file://."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from wsis_kg.cli import main
from wsis_kg.docs import read_release
from wsis_kg.search import search_release

WSIS = "https://w3id.org/wsis-kg/ontology#"
DOC = "imsb-reflections-2025-07-25"


def run(release: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--dist", str(release), "search", *args])
    return result.exit_code, result.output


def hits(release: Path, *args: str) -> list[dict[str, object]]:
    code, out = run(release, *args, "--format", "json", "--limit", "1000")
    assert code == 0, out
    found: list[dict[str, object]] = json.loads(out)
    return found


def words_of(store: ox.Store, claim: str) -> str:
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    rows = store.query(f"""SELECT ?t WHERE {{ {{ <{claim}> <{WSIS}quote>|<{label}> ?t }}
                           UNION {{ <{claim}> <{WSIS}groundedIn> ?p . ?p <{WSIS}text> ?t }} }}""",
                       use_default_graph_as_union=True)
    return " ".join(r["t"].value for r in rows).casefold()


def test_a_keyword_hunt_finds_the_claim_with_its_quote_and_iri(release: Path, store: ox.Store) -> None:
    code, out = run(release, "gender budgeting")
    assert code == 0, out
    first = re.search(r"<(https://w3id.org/wsis-kg/id/claim/[^>]+)>\n\s+“([^”]+)”", out)
    assert first, out
    quote = store.query(f"SELECT ?q WHERE {{ <{first.group(1)}> <{WSIS}quote> ?q }}", use_default_graph_as_union=True)
    assert [r["q"].value for r in quote] == [first.group(2)] and "gender-budgeting" in first.group(2)


def test_every_hit_holds_every_word_and_labels_outrank_passages(release: Path, store: ox.Store) -> None:
    found = hits(release, "permanent IGF mandate")
    assert len(found) >= 3
    for h in found:
        text = words_of(store, str(h["iri"]))
        assert all(w in text for w in ("permanent", "igf", "mandate")), h["iri"]
    scores = [float(str(h["score"])) for h in found]
    assert scores == sorted(scores, reverse=True)
    in_label = [i for i, h in enumerate(found) if "permanent" in str(h["label"]).casefold()]
    elsewhere = [i for i, h in enumerate(found) if "permanent" not in str(h["label"]).casefold()]
    assert in_label and (not elsewhere or min(in_label) < min(elsewhere))


def test_filters_keep_only_claims_of_that_kind_theme_and_document(release: Path, store: ox.Store) -> None:
    positions = {r["c"].value for r in store.query(f"SELECT ?c WHERE {{ ?c a <{WSIS}Position> }}",
                                                    use_default_graph_as_union=True)}
    found = hits(release, "enhanced cooperation", "--kind", "position")
    assert found and {h["iri"] for h in found} <= positions
    unfiltered = hits(release, "enhanced cooperation")
    assert len(unfiltered) > len(found)
    gender = {r["c"].value for r in store.query(
        f"SELECT ?c WHERE {{ ?c <{WSIS}hasTheme> <https://w3id.org/wsis-kg/id/theme/gender-equality> }}",
        use_default_graph_as_union=True)}
    themed = hits(release, "women", "--theme", "theme:gender-equality", "--doc", DOC)
    assert themed and {h["iri"] for h in themed} <= gender


@pytest.mark.parametrize(("args", "says"), [
    (["x", "--kind", "Poem"], "known: Achievement"),
    (["x", "--theme", "astrology"], "known: accountability"),
    (["x", "--doc", "nothing"], DOC),
    (["?!"], "at least one word"),
])
def test_a_bad_filter_names_the_known_values(release: Path, args: list[str], says: str) -> None:
    code, out = run(release, *args)
    assert code == 2 and says in out and "Traceback" not in out


def test_search_syntax_in_the_words_is_taken_as_words(release: Path) -> None:
    for text in ('"gender" OR', "NEAR(gender budgeting)", "label:igf", "igf*", "mandate ^igf -x"):
        code, out = run(release, "--", text)
        assert code == 0 and "Traceback" not in out, (text, out)
    assert search_release(read_release(release), "NEAR(gender budgeting)")
