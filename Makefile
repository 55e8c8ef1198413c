# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
NEO4J_PORT ?= 7687
PYTEST_ARGS ?=

.PHONY: install test demo neo4j neo4j-build tools bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "graphinv needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

tools:
	@command -v java >/dev/null || { echo "make: Java not found: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"; exit 1; }
	@command -v mvn >/dev/null || { echo "make: Maven not found: install Maven (Debian: apt-get install maven)"; exit 1; }

neo4j-build: $(STAMP) tools
	@$(BIN)/python -c 'from graphinv.neo4j_local import ensure_built; from graphinv.errors import GraphinvError; import sys;\
	exec("try:\n ensure_built()\nexcept GraphinvError as e:\n sys.exit(f\"make: {e}\")")'

test: $(STAMP) neo4j-build
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/graphinv demo

neo4j: neo4j-build
	$(BIN)/python -m graphinv.neo4j_local --port $(NEO4J_PORT) --data var/neo4j

bench: $(STAMP) neo4j-build
	$(BIN)/python bench/ingest.py

clean:
	rm -rf var bench/out tests/artifacts
