"""The segmenter on the bundled text (known counts) and on any text (offset properties)."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from wsis_kg.segment import segment

SOURCE = Path(__file__).resolve().parents[1] / "sources" / "imsb-reflections-wsis20-elements-paper-2025-07-25.txt"


def test_bundled_text_counts() -> None:
    s = segment(SOURCE.read_text(encoding="utf-8"))
    assert [q.number for q in s.questions] == [1, 2, 3, 4, 5, 6]
    assert [len(q.sections) for q in s.questions] == [4, 9, 3, 4, 14, 4]
    passages = s.passages()
    assert len(passages) == 70
    assert sum(p.kind == "list-item" for p in passages) == 21
    assert len(s.preamble) == 1


def test_page_breaks_rejoined() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    s = segment(text)
    spans = [text[p.start:p.end] for p in s.passages()]
    cut = [t for t in spans if "\n\n" in t]
    # five paragraphs cut by a blank line at a page break, one continuing with a capital letter
    assert len(cut) == 5
    assert any(t.startswith("There is significant support") and "\n\nCommission on Science" in t for t in cut)
    assert any(t.startswith("While public participation") and t.endswith("related activities.") for t in cut)


def test_wrapped_list_items_are_one_item() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    items = [text[p.start:p.end] for p in segment(text).passages() if p.kind == "list-item"]
    budget = [t for t in items if t.startswith("Appropriate budget funding")]
    assert len(budget) == 1 and budget[0].endswith("rural and underserved communities.")
    granular = [t for t in items if t.startswith("That an up-to-date and granular")]
    assert len(granular) == 1 and granular[0].endswith("in multistakeholder processes.")


def test_headings_and_questions_are_exact_slices() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    s = segment(text)
    assert s.questions[4].span.text(text).startswith("5. Do you wish to comment")
    headings = [sec.heading.text(text) for q in s.questions for sec in q.sections]
    assert headings[0] == "Connectivity" and headings[-1] == "Integrate and foster WSIS Engagement at the Local Level"
    assert len(set(sec.slug for q in s.questions for sec in q.sections)) == 38


# str.splitlines() breaks at more than \n; the texts are plain lines, so those breaks are left out
_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_line = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=_BREAKS), max_size=80),
    st.sampled_from(["", "1. A question?", "Heading", "- item one", " continued", "A sentence.", "and more",
                     "- ", "2. Next question", "Ends without stop"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line, max_size=40))
def test_offsets_slice_source_and_passages_never_overlap(lines: list[str]) -> None:
    text = "\n".join(lines)
    s = segment(text)
    spans = sorted((p.start, p.end) for p in s.passages())
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]  # spans start and end on text
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2
    for q in s.questions:
        assert q.span.text(text) == text[q.span.start:q.span.end]
        for sec in q.sections:
            assert 0 <= sec.heading.start < sec.heading.end <= len(text)
