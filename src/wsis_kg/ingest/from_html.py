"""HTML text with inscriptis, which lays out block elements as a browser would (a blank line between
paragraphs, list items on lines of their own, table cells apart) and keeps every character, U+2011
included; html2text writes Markdown (escapes, asterisks) that would become part of the quotes."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from inscriptis import get_text
from lxml import etree

from .extracted import FOOTNOTE_RULE, Extracted, ExtractionError, check_not_empty, tidy


def extract_html(path: Path, data: bytes) -> Extracted:
    if b"\x00" in data[:8192]:
        raise ExtractionError(f"{path}: this looks like a binary file (it contains NUL bytes), not HTML")
    try:
        tree = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{path}: cannot be read as HTML ({exc})") from exc
    titles = tree.xpath("//title/text()")
    for el in tree.xpath("//script|//style|//noscript|//template|//head"):
        el.drop_tree()
    for el in tree.xpath("//hr"):
        # a rule (before footnotes) stays visible as a line of underscores, as PDF extraction shows it
        rule = lxml.html.fromstring(f"<p>{FOOTNOTE_RULE}</p>")
        el.getparent().replace(el, rule)
    text = get_text(lxml.html.tostring(tree, encoding="unicode"))
    # inscriptis indents nested blocks; the indentation is layout, not text
    text = re.sub(r"(?m)^[ \t]+", "", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = tidy(text)
    check_not_empty(text, str(path))
    props = {"title": " ".join(str(titles[0]).split())} if titles else {}
    return Extracted(text, "text/html", properties=props)
