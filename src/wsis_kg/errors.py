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
