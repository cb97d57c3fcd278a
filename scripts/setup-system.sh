#!/usr/bin/env bash
# From Debian, what the machine lacks: a Java runtime for the HermiT reasoner, and for the tests the OWL API
# (libowlapi-java, the library Protégé reads ontologies with) with a JDK to compile the small program that
# drives it. Idempotent.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
[ -e /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
