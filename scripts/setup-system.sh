#!/usr/bin/env bash
# From Debian, what the machine lacks: a Java runtime for the HermiT reasoner; for the tests the OWL API
# (libowlapi-java, the library Protégé reads ontologies with) with a JDK to compile the small program that
# drives it, and the DejaVu fonts the ingest tests draw their PDF fixtures with (U+2011 needs a font that
# has it). Idempotent.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
[ -e /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
