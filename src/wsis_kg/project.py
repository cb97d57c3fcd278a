"""Where a project's inputs live. Every path is derived from one root, so tests can point at a fixture."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

MENTIONS_FILE = "mentions.ttl"  # beside the claims, but a named graph of its own, not claims


@dataclass(frozen=True)
class Project:
    root: Path
    dist_dir: Path | None = None  # where the release goes; default root/dist

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "wsis.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def reference_dir(self) -> Path:
        return self.root / "graph" / "reference"

    @property
    def documents_dir(self) -> Path:
        return self.root / "graph" / "documents"

    @property
    def uptake_dir(self) -> Path:
        return self.root / "graph" / "uptake"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def dist(self) -> Path:
        return self.dist_dir or self.root / "dist"

    def reference_files(self) -> list[Path]:
        return sorted(self.reference_dir.glob("*.ttl"))

    def claim_files(self, doc_id: str) -> list[Path]:
        """The curated claims of a document: every Turtle file of its folder but the mentions file."""
        return sorted(p for p in (self.documents_dir / doc_id).glob("*.ttl") if p.name != MENTIONS_FILE)

    def mentions_file(self, doc_id: str) -> Path:
        """The entity mentions the linker proposed for a document, with the curator's decisions."""
        return self.documents_dir / doc_id / MENTIONS_FILE

    def uptake_files(self) -> list[Path]:
        """Curated uptake links, one file per pair of documents: {source}--{target}.ttl."""
        return sorted(self.uptake_dir.glob("*.ttl"))

    def data_files(self) -> list[Path]:
        """Every curated Turtle file: what `fmt` keeps canonical."""
        files = [self.ontology, self.shapes, *self.reference_files()]
        files += sorted(self.documents_dir.glob("*/*.ttl"))
        files += self.uptake_files()
        files += sorted(self.sources.glob("*.ttl"))
        return [f for f in files if f.exists()]

    def check(self) -> None:
        for needed in (self.sources, self.ontology, self.shapes):
            if not needed.exists():
                raise InputError(
                    f"{needed} not found: run wsis-kg in the project folder (the one holding sources/, "
                    "ontology/ and graph/) or give --project"
                )


def find_project(start: Path | None = None) -> Project:
    """The nearest folder upwards that holds ontology/wsis.ttl, else the start folder itself."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology" / "wsis.ttl").exists():
            return Project(folder)
    return Project(here)
