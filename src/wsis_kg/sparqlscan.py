"""Read SPARQL text without parsing it: a small lexer that skips strings, IRIs and comments.

The remote client needs the offset of the outer WHERE group, to put a VALUES block there, and the
prefixes a query declares; a parse tree carries no offsets, so tokens are what it needs. A mis-read
here can only spoil the user's own query. Deciding what a query may do is never left to this lexer:
the endpoint parses (see sparqlcheck).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
OPENERS = {"{": "}", "(": ")", "[": "]"}
CLOSERS = frozenset(OPENERS.values())

_IRIREF = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\U000effff]+")
_WORD = re.compile(r"[A-Za-z0-9_:%\-.\u00b7\u00c0-\U000effff]+")
_LANG = re.compile(r"@[A-Za-z]+(-[A-Za-z0-9]+)*")
_VARNAME = re.compile(r"[A-Za-z0-9_\u00c0-\U000effff][A-Za-z0-9_\u00b7\u00c0-\U000effff]*")


@dataclass(frozen=True)
class Token:
    kind: str  # "iri", "string", "var", "word", "lang", "punct"
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        """The upper-cased word if this token can be a keyword (a word without a colon), else ""."""
        return self.text.upper() if self.kind == "word" and ":" not in self.text else ""


def tokens(text: str) -> Iterator[Token]:
    """Tokens of a SPARQL text; lenient: an unterminated string runs to the end (the parser reports it)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if text[j] == "\\":
                    j += 1
                elif len(quote) == 1 and text[j] in "\r\n":
                    break
                j += 1
            end = min(n, j + len(quote))
            yield Token("string", text[i:end], i, end)
            i = end
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            if m:
                yield Token("iri", m.group(1), i, m.end())
                i = m.end()
                continue
        if c in "?$":
            m = _VAR.match(text, i)
            if m:
                yield Token("var", m.group(0)[1:], i, m.end())
                i = m.end()
                continue
        if c == "@":
            m = _LANG.match(text, i)
            if m:
                yield Token("lang", m.group(0), i, m.end())
                i = m.end()
                continue
        m = _WORD.match(text, i)
        if m:
            word = m.group(0).rstrip(".")  # a name never ends in '.'; the dot ends a triple
            if word:
                yield Token("word", word, i, i + len(word))
                i += len(word)
                continue
        yield Token("punct", c, i, i + 1)
        i += 1


@dataclass(frozen=True)
class Prologue:
    """What precedes the query form: BASE, PREFIX declarations, and the first keyword after them."""

    base: str | None
    prefixes: dict[str, str]
    form: str  # SELECT, CONSTRUCT, ... or an update keyword, or "" when none is found
    form_index: int  # index of the form's token


def prologue(toks: list[Token]) -> Prologue:
    base: str | None = None
    prefixes: dict[str, str] = {}
    i = 0
    while i < len(toks):
        kw = toks[i].keyword
        if kw == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = toks[i + 1].text
            i += 2
        elif kw == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text
            i += 3
        else:
            return Prologue(base, prefixes, kw, i)
    return Prologue(base, prefixes, "", len(toks))


def is_varname(name: str) -> bool:
    return bool(_VARNAME.fullmatch(name))


def where_brace(text: str) -> int | None:
    """Offset just after the `{` that opens the query's outer WHERE group, or None when the query has
    none that may hold a VALUES block (the short form `CONSTRUCT WHERE { triples }`)."""
    toks = list(tokens(text))
    pro = prologue(toks)
    if pro.form not in QUERY_FORMS:
        return None
    depth = 0
    top_braces: list[int] = []
    after_where: int | None = None
    seen_where = False
    for t in toks[pro.form_index:]:
        if t.kind == "punct" and t.text in OPENERS:
            if depth == 0 and t.text == "{":
                top_braces.append(t.end)
                if seen_where and after_where is None:
                    after_where = t.end
            depth += 1
        elif t.kind == "punct" and t.text in CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0 and t.keyword == "WHERE":
            seen_where = True
    if pro.form == "CONSTRUCT":
        # CONSTRUCT {template} WHERE? {pattern}; CONSTRUCT WHERE {triples} has no group to extend
        if after_where is not None and len(top_braces) == 1:
            return None
        return top_braces[1] if len(top_braces) > 1 else None
    if after_where is not None:
        return after_where
    return top_braces[0] if top_braces else None
