#!/usr/bin/env bash
# A Java runtime for the HermiT reasoner, from Debian, when the machine has none, and the DejaVu fonts the
# ingest tests draw their PDF fixtures with (U+2011 needs a font that has it). Idempotent.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
