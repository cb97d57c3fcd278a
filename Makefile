# Two entry points on a fresh machine: `make build` (install, then build the release into dist/)
# and `make test` (install system packages the tests use, the package with its test extras, then pytest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: build test install install-test system lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

# Java for HermiT (Debian package, when the machine has none).
system:
	bash scripts/setup-system.sh

build: install
	$(BIN)/wsis-kg build

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# Chromium and Virtuoso for the browser and triple-store tests: installed and started by
# .ci/setup-publishing.sh, whose exports (the Virtuoso URL and credentials) must reach pytest.
test: system install-test lint
	eval "$$(bash .ci/setup-publishing.sh)" && $(BIN)/pytest
