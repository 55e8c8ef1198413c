# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
NEO4J_PORT ?= 7687
PYTEST_ARGS ?=

.PHONY: install lint test demo neo4j neo4j-build tools system-packages bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "graphinv needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

tools:
	@command -v java >/dev/null || { echo "make: Java not found: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"; exit 1; }
	@command -v mvn >/dev/null || { echo "make: Maven not found: install Maven (Debian: apt-get install maven)"; exit 1; }

# Neo4j 5.26 from Maven Central into scripts/neo4j/target (once; a one-line error if it fails).
neo4j-build: $(STAMP) tools
	@$(BIN)/python -m graphinv.neo4j_local --build-only

# Debian packages the tests use: Chromium and its driver (browser tests), poppler (PDF checks).
SYSTEM_TOOLS := chromium chromedriver pdftotext pdftoppm
system-packages:
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $$t >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing chromium, chromium-driver and poppler-utils from Debian"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null \
	  || { echo "make: could not install chromium, chromium-driver and poppler-utils with apt-get"; exit 1; }; \
	fi

# The layer contract (pyproject's [tool.importlinter]) and ruff run before the suite.
lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .

test: $(STAMP) lint neo4j-build system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/graphinv demo

neo4j: neo4j-build
	$(BIN)/python -m graphinv.neo4j_local --port $(NEO4J_PORT) --data var/neo4j

bench: $(STAMP) neo4j-build
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/capture.py

clean:
	rm -rf var bench/out tests/artifacts
