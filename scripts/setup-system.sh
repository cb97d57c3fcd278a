#!/usr/bin/env bash
# System packages the tests need, from Debian: a Java runtime for the HermiT reasoner, and the ones
# the publishing tests use (see .ci/setup-publishing.sh). Idempotent: installs only what is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
if [ -f "$here/../.ci/setup-publishing.sh" ]; then
  bash "$here/../.ci/setup-publishing.sh"
fi
