"""Curated uptake links from a review file a curator filled in.

Only rows with a grade become uptake links: a machine proposal nobody judged never passes for a verdict.
Each link carries who judged and when, the review it came from (and so the `align` run that proposed its
candidates), and the rank at which the machine had proposed the curator's first paragraph, so that the
aligner can be measured against the verdicts. Any row a curator got wrong stops the import with its row
number, and nothing is written."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ..errors import InputError
from ..namespaces import DCTERMS, ID, PROV, RDF, RDFS, WSIS, XSD, document_iri
from ..rdfio import bind_prefixes
from .uptake import Unit

GRADES = {
    "taken up": "taken-up",
    "partly": "partly",
    "partly taken up": "partly",
    "acknowledged": "acknowledged",
    "contrary": "contrary",
    "not taken up": "not-taken-up",
}
NOT_TAKEN_UP = "not-taken-up"


@dataclass(frozen=True)
class Verdict:
    row: int
    claim: str
    grade: str
    paragraphs: tuple[str, ...]
    justification: str
    rank: int


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "curator"


def _paragraph_index(targets: list[Unit]) -> dict[str, str]:
    """A paragraph of the target by its number as printed (the last segment of `.../paragraph/67`) or its IRI."""
    index = {t.key: t.key for t in targets}
    for t in targets:
        m = re.search(r"/paragraph/([0-9]+[a-z]?)$", t.key)
        if m:
            index[m.group(1)] = t.key
    return index


def read_verdicts(path: Path, sources: list[Unit], targets: list[Unit]) -> tuple[list[Verdict], list[str]]:
    """The judged rows of a review file, and the claims still waiting for a verdict."""
    claims = {s.key for s in sources}
    paragraphs = _paragraph_index(targets)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: review file not found (write one with `wsis-kg align`)") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV") from exc
    if rows and not {"claim", "grade", "paragraphs", "justification"} <= set(rows[0]):
        raise InputError(f"{path}: not an uptake review (it needs the columns claim, grade, paragraphs, "
                         "justification that `wsis-kg align` writes)")
    verdicts, pending, problems = [], [], []
    for n, row in enumerate(rows, start=2):
        claim = (row.get("claim") or "").strip()
        grade_text = " ".join((row.get("grade") or "").lower().split())
        if not grade_text:
            pending.append(claim)
            continue
        where = f"{path}:{n}"
        if claim not in claims:
            problems.append(f"{where}: {claim!r} is not an ask of the source document")
            continue
        grade = GRADES.get(grade_text)
        if grade is None:
            problems.append(f"{where}: grade {row['grade']!r} is none of: {', '.join(GRADES)}")
            continue
        cited = [p.strip().lstrip("¶").strip() for p in re.split(r"[;,]", row.get("paragraphs") or "") if p.strip()]
        unknown = [p for p in cited if p not in paragraphs]
        if unknown:
            problems.append(f"{where}: no paragraph {', '.join(unknown)} in the target document")
            continue
        if (grade == NOT_TAKEN_UP) == bool(cited):
            problems.append(f"{where}: " + ("a claim not taken up names no paragraph; say where you looked in the "
                                            "justification" if cited else f"grade {grade_text!r} needs the "
                                            "paragraphs that answer the claim"))
            continue
        justification = " ".join((row.get("justification") or "").split())
        if not justification:
            problems.append(f"{where}: the justification is empty; say why in one line")
            continue
        chosen = tuple(paragraphs[p] for p in cited)
        candidates = [(row.get(f"candidate_{k}") or "").strip() for k in range(1, 11)]
        rank = next((k + 1 for k, c in enumerate(candidates) if chosen and c == chosen[0]), 0)
        verdicts.append(Verdict(n, claim, grade, chosen, justification, rank))
    if problems:
        raise InputError(f"{len(problems)} row(s) of the review cannot be taken in; nothing was written:\n  "
                         + "\n  ".join(problems))
    return verdicts, pending


def uptake_graph(source_id: str, target_id: str, verdicts: list[Verdict], labels: dict[str, str],
                 curator: str, date: dt.date) -> Graph:
    """The uptake links of the verdicts, with their provenance."""
    g = bind_prefixes(Graph())
    pair = f"{source_id}--{target_id}"
    agent = ID[f"agent/{slug(curator)}"]
    review = ID[f"review/uptake/{pair}"]
    align = ID["activity/align"]
    g.add((agent, RDF.type, PROV.Agent))
    g.add((agent, RDFS.label, Literal(curator, lang="en")))
    g.add((review, RDF.type, PROV.Entity))
    g.add((review, RDFS.label, Literal(f"Uptake review of {source_id} in {target_id}", lang="en")))
    g.add((review, PROV.wasGeneratedBy, align))
    g.add((align, RDF.type, PROV.Activity))
    g.add((align, RDFS.label, Literal("Uptake proposals by wsis-kg align", lang="en")))
    claim_base = str(ID[f"claim/{source_id}/"])
    for v in verdicts:
        local = v.claim[len(claim_base):] if v.claim.startswith(claim_base) else slug(v.claim)
        link = ID[f"uptake/{pair}/{local}"]
        g.add((link, RDF.type, WSIS.UptakeLink))
        g.add((link, RDFS.label, Literal(f"Uptake in {target_id} of: {labels.get(v.claim, local)}", lang="en")))
        g.add((link, WSIS.uptakeOf, URIRef(v.claim)))
        g.add((link, WSIS.uptakeIn, document_iri(target_id)))
        g.add((link, WSIS.uptakeGrade, ID[f"uptake-grade/{v.grade}"]))
        for p in v.paragraphs:
            g.add((link, WSIS.answeredBy, URIRef(p)))
        g.add((link, WSIS.justification, Literal(v.justification)))
        g.add((link, WSIS.proposalRank, Literal(v.rank, datatype=XSD.nonNegativeInteger)))
        g.add((link, PROV.wasAttributedTo, agent))
        g.add((link, PROV.wasDerivedFrom, review))
        g.add((link, DCTERMS.date, Literal(date.isoformat(), datatype=XSD.date)))
    return g
