# The README's two commands: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

VENDOR := server/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed-stamp

.PHONY: run test check build lint bench clean vendor

$(STAMP): pyproject.toml
	PYTHON=$(PYTHON) tools/prerequisites venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The query UI's YASGUI and the graph view's vis-network come from the npm registry at the versions and
# sha512 digests package-lock.json pins, fetched by tools/vendor.py (Python's standard library: no Node
# or npm needed) and served by the app itself from server/static/vendor/, never from a CDN.
$(VENDOR_STAMP): package.json package-lock.json tools/vendor.py
	PYTHON=$(PYTHON) tools/prerequisites venv
	$(PYTHON) tools/vendor.py $(VENDOR)
	touch $(VENDOR_STAMP)

vendor: $(VENDOR_STAMP)

HOST ?= 127.0.0.1
PORT ?= 8000

run: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/exportkg build
	$(BIN)/exportkg query nato-outside-tier1 --param regime=ifr-jan2025
	$(BIN)/exportkg serve --host $(HOST) --port $(PORT)

build: $(STAMP)
	$(BIN)/exportkg build --check-owl

test: $(STAMP) $(VENDOR_STAMP)
	tools/prerequisites java chromium virtuoso
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n auto --maxprocesses=4 --dist loadfile --durations=25

# The fast loop: lint and the tests that need no full build, no server process, no browser, no HermiT.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python bench/build.py

clean:
	rm -rf $(VENV) var node_modules $(VENDOR) $(VENDOR).partial
