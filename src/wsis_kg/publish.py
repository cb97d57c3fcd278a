"""`wsis-kg publish --store URL`: load the release into any triple store that speaks the SPARQL 1.1
Graph Store HTTP Protocol, one named graph at a time.

Each graph is sent with PUT, which replaces the graph, so publishing again never duplicates a triple.
Counts are read back through the same protocol (GET of each graph), before and after, so that a store
that silently drops or truncates data is caught, whatever its query endpoint does. The body is
N-Triples sent as text/turtle: every store reads Turtle, and N-Triples is Turtle.
"""

from __future__ import annotations

import base64
import http.client
import socket
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox

from .errors import EnvironmentProblem, InputError, WsisKgError, not_http
from .query import load_store


class PublishFailed(WsisKgError):
    """The store did not accept a graph, or holds something else than was sent."""

    exit_code = 1


@dataclass(frozen=True)
class GraphReport:
    graph: str
    local: int
    before: int | None  # None: the graph did not exist
    after: int

    @property
    def ok(self) -> bool:
        return self.after == self.local


class GraphStore:
    """A Graph Store Protocol endpoint (indirect graph identification: `?graph=IRI`)."""

    def __init__(self, url: str, user: str | None = None, password: str | None = None, timeout: float = 60.0,
                 graph_param: str = "graph") -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"store {url!r} is not an http(s) URL (for example http://127.0.0.1:7878/store)")
        self.url = url
        self.timeout = timeout
        self.graph_param = graph_param
        self.user = user
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        if user is not None:
            self.passwords.add_password(None, url, user, password or "")
        self.opener = urllib.request.build_opener()

    def graph_url(self, graph: str) -> str:
        sep = "&" if urlsplit(self.url).query else "?"
        return f"{self.url}{sep}{self.graph_param}={quote(graph, safe='')}"

    def authorization(self, method: str, url: str) -> str | None:
        """The Authorization header for a request, computed before the request is sent: a store that
        answers 401 to a large PUT closes the connection while the body is still being written (a broken
        pipe), so the challenge is fetched first with a bodiless GET."""
        if self.user is None:
            return None
        try:
            with self.opener.open(urllib.request.Request(url, method="GET"), timeout=self.timeout):
                return None  # no authentication asked for
        except urllib.error.HTTPError as exc:
            if exc.code != 401:
                return None
            challenges = exc.headers.get_all("WWW-Authenticate") or []
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise EnvironmentProblem(not_http(self.url, getattr(exc, "reason", exc))) from exc
        for challenge in challenges:
            scheme, _, params = challenge.partition(" ")
            if scheme.lower() == "digest":
                chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
                digest = urllib.request.HTTPDigestAuthHandler(self.passwords)
                value = digest.get_authorization(urllib.request.Request(url, method=method), chal)
                if value:
                    return f"Digest {value}"
        user, password = self.passwords.find_user_password(None, url)
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return f"Basic {token}"

    def request(self, method: str, graph: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        """Status, body and media type of one request."""
        url = self.graph_url(graph)
        headers = dict(headers or {})
        auth = self.authorization(method, url)
        if auth:
            headers["Authorization"] = auth
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                media = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                return int(resp.status), resp.read(), media
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace").strip()[:300]
            if exc.code == 404:
                return 404, b"", ""
            if exc.code in (401, 403):
                who = f"user {self.user!r}" if self.user else "an anonymous client"
                raise EnvironmentProblem(f"{self.url} refused {method} of <{graph}> to {who} ({exc.code}); give "
                                         f"a user and password allowed to write (--user, --password) {detail}"
                                         ) from exc
            raise PublishFailed(f"{self.url}: {method} of <{graph}> failed with {exc.code} {exc.reason}: "
                                f"{detail}") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise EnvironmentProblem(f"{self.url} did not answer within {self.timeout:g} s") from exc
            raise EnvironmentProblem(not_http(self.url, exc.reason)) from exc
        except TimeoutError as exc:
            raise EnvironmentProblem(f"{self.url} did not answer within {self.timeout:g} s") from exc
        except (ConnectionError, http.client.HTTPException) as exc:
            raise EnvironmentProblem(not_http(self.url, exc)) from exc

    def count(self, graph: str) -> int | None:
        """Triples in a graph as the store returns them, or None if it has no such graph."""
        status, body, media = self.request("GET", graph,
                                           headers={"Accept": "application/n-triples, text/turtle;q=0.9"})
        if status == 404:
            return None
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
        try:
            return len(list(ox.parse(body, format=fmt, base_iri=graph)))
        except SyntaxError as exc:
            raise PublishFailed(f"{self.url} returned <{graph}> in a form that does not parse: {exc}") from exc

    def put(self, graph: str, triples: list[ox.Triple]) -> None:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        self.request("PUT", graph, body, {"Content-Type": "text/turtle; charset=utf-8"})

    def delete(self, graph: str) -> None:
        self.request("DELETE", graph)


def release_graphs(release: Path) -> dict[str, list[ox.Triple]]:
    """The named graphs of a release, each as a list of triples."""
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for q in load_store(release):
        if not isinstance(q.graph_name, ox.NamedNode):
            raise InputError(f"{release}/wsis-kg.nq has triples in the default graph; publish needs named graphs")
        graphs[q.graph_name.value].append(ox.Triple(q.subject, q.predicate, q.object))
    return dict(sorted(graphs.items()))


def publish(release: Path, store: GraphStore, progress: Callable[[str], None] = lambda _: None
            ) -> list[GraphReport]:
    """PUT every named graph of the release; raise PublishFailed if the store then holds other counts."""
    reports = []
    for graph, triples in release_graphs(release).items():
        before = store.count(graph)
        store.put(graph, triples)
        after = store.count(graph)
        report = GraphReport(graph, len(triples), before, after or 0)
        progress(f"  {graph}: {'-' if before is None else before} -> {report.after} triples "
                 f"(release: {report.local})")
        reports.append(report)
    bad = [r for r in reports if not r.ok]
    if bad:
        raise PublishFailed("the store does not hold what was sent: " + "; ".join(
            f"<{r.graph}> has {r.after} triples, the release {r.local}" for r in bad))
    return reports


def format_report(reports: list[GraphReport]) -> str:
    width = max([len(r.graph) for r in reports] + [5])
    lines = [f"{'graph'.ljust(width)}  {'before':>7}  {'after':>7}  {'release':>7}"]
    for r in reports:
        lines.append(f"{r.graph.ljust(width)}  {'-' if r.before is None else r.before:>7}  {r.after:>7}  {r.local:>7}")
    lines.append(f"{'total'.ljust(width)}  {sum(r.before or 0 for r in reports):>7}  "
                 f"{sum(r.after for r in reports):>7}  {sum(r.local for r in reports):>7}")
    return "\n".join(lines) + "\n"


__all__ = ["GraphReport", "GraphStore", "PublishFailed", "format_report", "publish", "release_graphs"]
