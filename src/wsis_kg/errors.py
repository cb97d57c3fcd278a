"""Errors a person can act on. Each carries the exit code the CLI returns (as pySHACL: 1 the data is
wrong, 2 the input cannot be loaded); anything else escaping is a bug and keeps its traceback."""

from __future__ import annotations


class WsisKgError(Exception):
    """Base of every error caused by the input or the environment, not by a bug."""

    exit_code = 2


class InputError(WsisKgError):
    """A file is missing, unreadable or not valid RDF or SPARQL."""

    exit_code = 2


class SourceChanged(InputError):
    """A source text no longer has the digest its metadata records; every offset would be wrong."""


class AnchorError(WsisKgError):
    """A claim's quote is not in its source, or is there more than once."""

    exit_code = 1


class ValidationFailed(WsisKgError):
    """SHACL found violations."""

    exit_code = 1


class Inconsistent(WsisKgError):
    """The reasoner found the ontology inconsistent or a class unsatisfiable."""

    exit_code = 1


class EnvironmentProblem(WsisKgError):
    """Something the machine lacks (Java for the reasoner, a server that does not answer)."""

    exit_code = 2


def not_http(url: str, reason: object) -> str:
    """What to say when a server cannot be talked to: unreachable, or reachable but not speaking HTTP (a
    status line that is not one, a connection closed or reset before any answer)."""
    import http.client

    if isinstance(reason, ConnectionError | http.client.RemoteDisconnected) and not isinstance(
            reason, ConnectionRefusedError):
        return (f"{url} closed the connection without an HTTP answer ({reason}); is it an HTTP server, "
                "and the right port?")
    if isinstance(reason, http.client.HTTPException):
        shown = str(reason).strip()[:100] or type(reason).__name__
        return f"{url} does not speak HTTP (it answered {shown!r}); is it the right address and port?"
    return f"cannot reach {url}: {reason}"
