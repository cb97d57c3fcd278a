"""Review files: what `align` proposes, as a CSV a curator edits in any spreadsheet.

One row per ask of the source (uptake) or per paragraph event (lineage), the texts side by side, and
empty columns for the curator's verdict. The file is written atomically and never overwrites a review a
curator has started (a non-empty verdict column) unless asked to."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..rdfio import atomic_write_text
from .lineage import Link, Para
from .uptake import Candidate, Unit

UPTAKE_VERDICT = ("grade", "paragraphs", "justification")
LINEAGE_VERDICT = ("confirmed_label", "note")


def _started(path: Path, columns: Sequence[str]) -> bool:
    if not path.exists():
        return False
    with path.open(encoding="utf-8", newline="") as fh:
        return any(any((row.get(c) or "").strip() for c in columns) for row in csv.DictReader(fh))


def _write(path: Path, header: list[str], rows: list[list[str]], verdict: Sequence[str], force: bool) -> None:
    if _started(path, verdict) and not force:
        raise InputError(f"{path}: a curator has started this review (its {', '.join(verdict)} columns are not "
                         "empty); move it away or pass --force to overwrite it")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, buf.getvalue())


def write_uptake_review(path: Path, sources: Sequence[Unit], targets: Sequence[Unit],
                        proposals: dict[str, list[Candidate]], top: int, force: bool = False) -> None:
    by_key = {t.key: t for t in targets}
    header = ["claim", "claim_label", "claim_quote"]
    for k in range(1, top + 1):
        header += [f"candidate_{k}", f"candidate_{k}_label", f"candidate_{k}_score", f"candidate_{k}_text"]
    header += list(UPTAKE_VERDICT)
    rows = []
    for s in sources:
        row = [s.key, s.label, s.text]
        for k in range(top):
            cands = proposals.get(s.key, [])
            if k < len(cands):
                t = by_key[cands[k].target]
                row += [t.key, t.label, f"{cands[k].score:.3f}", t.text]
            else:
                row += ["", "", "", ""]
        rows.append(row + [""] * len(UPTAKE_VERDICT))
    _write(path, header, rows, UPTAKE_VERDICT, force)


def write_lineage_review(path: Path, old: Sequence[Para], new: Sequence[Para], links: Sequence[Link],
                         force: bool = False) -> None:
    o, n = {p.key: p for p in old}, {p.key: p for p in new}
    header = ["label", "similarity", "old", "old_number", "old_text", "new", "new_number", "new_text",
              *LINEAGE_VERDICT]
    rows = []
    for link in links:
        a = o.get(link.old or "")
        b = n.get(link.new or "")
        rows.append([link.label, f"{link.similarity:.1f}",
                     link.old or "", a.number if a else "", a.text if a else "",
                     link.new or "", b.number if b else "", b.text if b else "", "", ""])
    _write(path, header, rows, LINEAGE_VERDICT, force)
