"""How good the linker's proposals are, measured against what curators encoded.

The unit of comparison is the passage (paragraph, list item or heading) in which curated claims are
grounded. For each such passage:

- gold: the entities that the claims grounded in it name, through the properties by which a claim says
  what its quote names (`wsis:mentions` and its sub-properties, `wsis:about`, `wsis:invokesInstrument`,
  `wsis:concernsInitiative`, `wsis:namesFundingMechanism`, `wsis:proposesRoleFor`, `wsis:addressedTo`,
  `wsis:targetsInclusionOf`), the provisions its citations cite, and the targets of its *stated* topic
  links (the text names the Action Line or SDG). Curator links, themes and speakers are interpretation
  or attribution, not names in the text, and are left out.
- proposed: the entities of the mentions the linker proposes whose span starts inside the passage.

Precision and recall are micro-averaged over (passage, entity) pairs. Curators do not encode every name
a passage holds, so precision is a lower bound: a proposal that no claim records counts as wrong even
where the text does name the entity. Themes are curators' interpretation of what a passage is about,
which the linker does not propose; `evaluate(..., nameable_only=True)` leaves them out of the gold.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from ..anchor import PassageIndex
from ..assemble import DocumentBuild
from ..namespaces import RDF, WSIS
from .link import Linker, Mention

NAMING = (
    WSIS.mentions, WSIS.mentionsBody, WSIS.mentionsGroup, WSIS.mentionsTechnology, WSIS.about,
    WSIS.invokesInstrument, WSIS.concernsInitiative, WSIS.namesFundingMechanism, WSIS.proposesRoleFor,
    WSIS.addressedTo, WSIS.targetsInclusionOf,
)


@dataclass
class Score:
    true_positives: int = 0
    proposed: int = 0
    gold: int = 0
    missed: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    passages: int = 0

    @property
    def precision(self) -> float:
        return self.true_positives / self.proposed if self.proposed else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def gold_entities(claims: Graph, claim: URIRef) -> set[str]:
    """What a curated claim says its quote names."""
    out = {str(o) for p in NAMING for o in claims.objects(claim, p) if isinstance(o, URIRef)}
    for cit in claims.objects(claim, WSIS.hasCitation):
        out |= {str(o) for o in claims.objects(cit, WSIS.citedProvision)}
    for link in claims.objects(claim, WSIS.hasTopicLink):
        if (link, RDF.type, WSIS.StatedLink) in claims:
            out |= {str(o) for o in claims.objects(link, WSIS.linkTarget)}
    return out


def gold_by_passage(build: DocumentBuild) -> dict[tuple[int, int], set[str]]:
    """For each passage that grounds a claim, its span and the entities its claims name."""
    index = PassageIndex(str(build.source.iri), build.structure)
    gold: dict[tuple[int, int], set[str]] = {}
    for anchor in build.anchors:
        span = index.span_of(anchor.passage)
        if span is not None:
            gold.setdefault(span, set()).update(gold_entities(build.claims_graph, anchor.claim))
    return gold


def evaluate(build: DocumentBuild, linker: Linker, mentions: list[Mention] | None = None,
             nameable_only: bool = False) -> Score:
    """Compare the linker's proposals on the document's stored text with its curated claims. With
    `nameable_only`, gold entities of kinds the linker never proposes (themes) are left out."""
    found = linker.link(build.source.text) if mentions is None else mentions
    gold = gold_by_passage(build)
    if nameable_only:
        gold = {span: {e for e in ents if e in linker.labels} for span, ents in gold.items()}
    spans = sorted(gold)
    score = Score(passages=len(spans))
    for start, end in spans:
        proposed = {m.entity for m in found if start <= m.start < end}
        expected = gold[(start, end)]
        hits = proposed & expected
        score.true_positives += len(hits)
        score.proposed += len(proposed)
        score.gold += len(expected)
        score.missed.update(expected - proposed)
        score.wrong.update(proposed - expected)
    return score


__all__ = ["NAMING", "Score", "evaluate", "gold_by_passage", "gold_entities"]
