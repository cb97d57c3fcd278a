"""The OWL API itself (Debian's libowlapi-java, the library Protégé is built on) reads the files Protégé
users open: the curated ontology, the release's ontology in Turtle and RDF/XML, and the release's Turtle
dump, each with only the parser of its own format, offline, within the OWL 2 DL profile, and naming the
very IRIs the file holds (OWL API 5.1 misread escaped local names such as `id:activity\\/build`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = Path(__file__).resolve().parent / "owlapi" / "OwlCheck.java"
JARS = Path("/usr/share/java")
pytestmark = pytest.mark.skipif(
    not (JARS / "owlapi-distribution.jar").exists() or shutil.which("java") is None,
    reason="the OWL API is not installed: run `bash scripts/setup-system.sh` (Debian libowlapi-java)",
)


Read = tuple[dict[str, str], set[str]]


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The java command line that runs OwlCheck: compiled once when javac is there, else from source."""
    classes = tmp_path_factory.mktemp("owlcheck")
    if shutil.which("javac"):
        subprocess.run(["javac", "-cp", f"{JARS}/*", "-d", str(classes), str(CHECK)], check=True, timeout=300)
        return ["java", "-cp", f"{JARS}/*:{classes}", "OwlCheck"]
    return ["java", "-cp", f"{JARS}/*", str(CHECK)]


def owlapi(checker: list[str], fmt: str, path: Path, tmp_path: Path) -> Read:
    """(counts printed by OwlCheck, entity IRIs of the signature)."""
    out = tmp_path / f"{path.name}.{fmt}.iris"
    run = subprocess.run([*checker, fmt, str(path), str(out)], capture_output=True, text=True, timeout=300)
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert run.returncode == 0, f"the OWL API cannot read {path}:\n" + "\n".join(lines[:15]) + run.stderr[-2000:]
    counts = dict(re.findall(r"(\w+)=(\S+)", lines[0]))
    violations = [line for line in lines if line.startswith("VIOLATION")]
    assert counts["violations"] == "0", f"{path} is not in OWL 2 DL:\n" + "\n".join(violations)
    return counts, set(out.read_text(encoding="utf-8").split())


def iris_in(path: Path, fmt: ox.RdfFormat) -> set[str]:
    found = set()
    for q in ox.parse(path=str(path), format=fmt):
        for t in (q.subject, q.predicate, q.object):
            if isinstance(t, ox.NamedNode):
                found.add(t.value)
            elif isinstance(t, ox.Literal):  # datatypes are entities of the OWL signature too
                found.add(t.datatype.value)
    return found


FILES = {
    "release ontology, Turtle": ("turtle", "ontology/wsis.ttl", ox.RdfFormat.TURTLE),
    "release ontology, RDF/XML": ("rdfxml", "ontology/wsis.owl", ox.RdfFormat.RDF_XML),
    "release dump, Turtle": ("turtle", "wsis-kg.ttl", ox.RdfFormat.TURTLE),
}


@pytest.fixture(scope="module")
def reads(release: Path, checker: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Read]:
    tmp = tmp_path_factory.mktemp("owlapi")
    out = {key: owlapi(checker, fmt, release / name, tmp) for key, (fmt, name, _) in FILES.items()}
    out["curated ontology"] = owlapi(checker, "turtle", ROOT / "ontology" / "wsis.ttl", tmp)
    return out


@pytest.mark.parametrize("key", list(FILES))
def test_the_owl_api_reads_the_release(release: Path, reads: dict[str, Read], key: str) -> None:
    counts, signature = reads[key]
    _, name, oxfmt = FILES[key]
    assert int(counts["axioms"]) > 500
    misread = signature - iris_in(release / name, oxfmt)
    assert not misread, f"the OWL API read IRIs the file does not hold: {sorted(misread)[:5]}"


def test_turtle_and_rdfxml_of_the_ontology_read_alike(reads: dict[str, Read]) -> None:
    def same(read: Read) -> Read:
        return {k: v for k, v in read[0].items() if k != "format"}, read[1]

    ttl, xml = reads["release ontology, Turtle"], reads["release ontology, RDF/XML"]
    assert same(ttl) == same(xml) == same(reads["curated ontology"])


def test_the_checker_refuses_what_the_owl_api_cannot_read(checker: list[str], tmp_path: Path) -> None:
    """SPARQL-style PREFIX lines, which rdflib writes by default, do not parse in the OWL API."""
    bad = tmp_path / "sparql-prefix.ttl"
    bad.write_text("PREFIX owl: <http://www.w3.org/2002/07/owl#>\n<https://example.org/o> a owl:Ontology .\n")
    with pytest.raises(AssertionError, match="cannot read"):
        owlapi(checker, "turtle", bad, tmp_path)
