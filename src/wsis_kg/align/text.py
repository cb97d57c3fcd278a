"""Words for matching: the same tokens for lineage and for uptake retrieval.

Lower-cased words of letters and digits, hyphen variants joined, English stop words dropped (they make
two unrelated sentences of one resolution look alike) and Snowball-stemmed (so that "recommends" meets
"recommendation", "governments" meets "government")."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_NUMBER = re.compile(r"^\s*(?:\d+[.)]|\([a-z]{1,4}\))\s+")
_STOP = frozenset(STOPWORDS_EN) | {"also", "including", "well", "such", "its", "their", "shall", "may"}
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def words(text: str) -> list[str]:
    """The content words of a text, stemmed, in order; a leading paragraph number is not a word."""
    text = _NUMBER.sub("", text.replace("\u00ad", "")).lower()
    return [_stem(w.replace("\u2010", "-").replace("\u2011", "-")) for w in _WORD.findall(text) if w not in _STOP]
