"""Where a release is published: `wsis-kg build --base-url` puts every download and endpoint address of
void.ttl under that URL, and the DCAT description names a publisher and a contact point."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from wsis_kg.cli import main
from wsis_kg.namespaces import DCAT, DCTERMS, FOAF, VOID

VCARD = "http://www.w3.org/2006/vcard/ns#"


def test_build_with_a_base_url_publisher_and_contact(project_root: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = CliRunner().invoke(main, ["--project", str(project_root), "--dist", str(dist), "build", "--no-reason",
                                       "--base-url", "https://data.example.org/wsis-kg", "--publisher", "Example Lab",
                                       "--contact", "data@example.org"])
    assert result.exit_code == 0, result.output
    text = (dist / "void.ttl").read_text(encoding="utf-8")
    assert "127.0.0.1" not in text
    g = Graph().parse(data=text, format="turtle")
    urls = [str(o) for p in (DCAT.downloadURL, DCAT.accessURL, VOID.dataDump, VOID.sparqlEndpoint, DCAT.endpointURL)
            for o in g.objects(None, p)]
    assert len(urls) > 20 and all(u.startswith("https://data.example.org/wsis-kg/") for u in urls)
    assert URIRef("https://data.example.org/wsis-kg/dist/wsis-kg.nq") in set(g.objects(None, VOID.dataDump))
    dataset = next(g.subjects(DCAT.contactPoint, None))
    publisher = g.value(dataset, DCTERMS.publisher)
    assert g.value(publisher, FOAF.name) == Literal("Example Lab", lang="en")
    contact = g.value(dataset, DCAT.contactPoint)
    assert g.value(contact, URIRef(VCARD + "hasEmail")) == URIRef("mailto:data@example.org")


def test_a_bad_base_url_or_contact_is_refused_before_building(project_root: Path, tmp_path: Path) -> None:
    for option, value in (("--base-url", "example.org/kg"), ("--base-url", "https://x.org/?q=1"),
                          ("--contact", "nobody")):
        result = CliRunner().invoke(main, ["--project", str(project_root), "--dist", str(tmp_path / "dist"), "build",
                                           "--no-reason", option, value])
        assert result.exit_code == 2, result.output
        assert value in result.output and "Traceback" not in result.output
        assert not (tmp_path / "dist").exists()
