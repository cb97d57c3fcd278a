"""What `align` compares, read from the release: the asks of a source document (its claims of the kinds
a later text can take up) and the paragraphs of a target document, each with the entities it names."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import ID, SDG, WSIS, claims_graph_iri, structure_graph_iri
from .uptake import Unit

#: The kinds of claim whose fate in a later text analysts ask about.
ASK_KINDS = ("Recommendation", "Priority", "Position", "Challenge")

#: What a claim or paragraph is about: reference entities, not how it is said (voice, modality, speaker).
_TOPICAL = (str(SDG), *(str(ID[f"{kind}/"]) for kind in (
    "action-line", "body", "format", "funding-mechanism", "initiative", "instrument", "issue",
    "stakeholder-group", "technology", "theme")))

_PREFIXES = f"""PREFIX wsis: <{WSIS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

_ASKS = _PREFIXES + """
SELECT ?g ?claim ?label ?quote ?start WHERE {
  GRAPH ?g {
    ?claim a ?kind ; wsis:quote ?quote .
    OPTIONAL { ?claim rdfs:label ?label }
    OPTIONAL { ?claim wsis:hasTextTarget/oa:hasSelector ?sel . ?sel a oa:TextPositionSelector ; oa:start ?start }
  }
  VALUES ?kind { %s }
}
"""

_CLAIM_ENTITIES = _PREFIXES + """
SELECT ?g ?claim ?entity WHERE {
  GRAPH ?g {
    ?claim wsis:quote ?quote .
    # what it names directly, and through its own nodes (topic links, citations, figures)
    { ?claim ?p ?entity } UNION { ?claim ?p ?own . ?own ?q ?entity . FILTER (STRSTARTS(STR(?own), STR(?claim))) }
  }
  FILTER (?p != wsis:speaker)
  FILTER (isIRI(?entity))
}
"""

_PASSAGE_CLASSES = _PREFIXES + """
SELECT DISTINCT ?cls WHERE { GRAPH ?o { ?cls rdfs:subClassOf+ wsis:Passage } }
"""

_NODES = _PREFIXES + """
SELECT ?s ?node ?cls ?label ?text ?start ?parent WHERE {
  GRAPH ?s {
    ?node a ?cls ; wsis:text ?text ; wsis:startOffset ?start .
    OPTIONAL { ?node rdfs:label ?label }
    OPTIONAL { ?node dcterms:isPartOf ?parent }
  }
}
"""

_GROUNDED = _PREFIXES + """
SELECT ?g ?claim ?passage WHERE { GRAPH ?g { ?claim wsis:groundedIn ?passage } }
"""


def _value(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode) else ""


def _select(store: ox.Store, query: str, graph: str, var: str = "g") -> list[ox.QuerySolution]:
    result = store.query(query, substitutions={ox.Variable(var): ox.NamedNode(graph)})
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _entities(store: ox.Store, claims_graph: str) -> dict[str, set[str]]:
    """Reference entities each claim names (directly or through a topic link); not claims, not text."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, _CLAIM_ENTITIES, claims_graph):
        e = _value(row["entity"])
        if e.startswith(_TOPICAL):
            out[_value(row["claim"])].add(e)
    return out


def _check_document(store: ox.Store, doc_id: str) -> None:
    graphs = {_value(g) for g in store.named_graphs()}
    if str(structure_graph_iri(doc_id)) not in graphs:
        docs = sorted(g.rsplit("/", 2)[-2] for g in graphs if g.endswith("/structure"))
        raise InputError(f"no document {doc_id!r} in the release (documents: {', '.join(docs)}); "
                         "check the id, or run `wsis-kg build` after adding it")


def asks(store: ox.Store, doc_id: str) -> list[Unit]:
    """The document's recommendations, priorities, positions and challenges, in document order."""
    _check_document(store, doc_id)
    graph = str(claims_graph_iri(doc_id))
    kinds = " ".join(f"wsis:{k}" for k in ASK_KINDS)
    entities = _entities(store, graph)
    seen: dict[str, tuple[int, Unit]] = {}
    for row in _select(store, _ASKS % kinds, graph):
        key = _value(row["claim"])
        start = int(_value(row["start"]) or 0) if row["start"] is not None else 0
        label = _value(row["label"]) if row["label"] is not None else key.rsplit("/", 1)[-1]
        seen[key] = (start, Unit(key, label, _value(row["quote"]), frozenset(entities.get(key, ()))))
    return [u for _, u in sorted(seen.values(), key=lambda su: (su[0], su[1].key))]


def paragraphs(store: ox.Store, doc_id: str) -> list[Unit]:
    """The document's top-level passages in order (a sub-paragraph rolls up into its paragraph), each
    naming the entities of the claims grounded in it."""
    _check_document(store, doc_id)
    claim_entities = _entities(store, str(claims_graph_iri(doc_id)))
    named: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, _GROUNDED, str(claims_graph_iri(doc_id))):
        named[_value(row["passage"])] |= claim_entities.get(_value(row["claim"]), set())
    result = store.query(_PASSAGE_CLASSES)
    assert isinstance(result, ox.QuerySolutions)
    passage_classes = {_value(r["cls"]) for r in result} | {str(WSIS.Passage)}
    rows = _select(store, _NODES, str(structure_graph_iri(doc_id)), "s")
    passages = {_value(r["node"]) for r in rows if _value(r["cls"]) in passage_classes}
    units: dict[str, tuple[int, Unit]] = {}
    for r in rows:
        key = _value(r["node"])
        if key not in passages or (r["parent"] is not None and _value(r["parent"]) in passages):
            continue
        label = _value(r["label"]) if r["label"] is not None else key.rsplit("/", 1)[-1]
        units[key] = (int(_value(r["start"])), Unit(key, label, _value(r["text"]), frozenset(named.get(key, ()))))
    return [u for _, u in sorted(units.values(), key=lambda su: su[0])]
