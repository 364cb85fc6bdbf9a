# The README's two commands: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

VENDOR := server/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed-stamp
YASGUI_DIST := node_modules/@zazuko/yasgui/build
# vis-network's "peer" UMD build with vis-data's standalone one: the "standalone" vis-network bundle
# injects <style> elements at run time, which the pages' Content-Security-Policy (style-src 'self') blocks.
VIS_JS := node_modules/vis-data/standalone/umd/vis-data.min.js node_modules/vis-network/peer/umd/vis-network.min.js
VIS_CSS := node_modules/vis-network/styles/vis-network.min.css

.PHONY: run test check build lint bench clean vendor

$(STAMP): pyproject.toml
	PYTHON=$(PYTHON) tools/prerequisites venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The query UI's YASGUI and the graph view's vis-network come from the npm registry (pinned in package-lock.json) and is served by
# the app itself from server/static/vendor/, never from a CDN. Scripts of dependencies are not run.
$(VENDOR_STAMP): package.json package-lock.json
	tools/prerequisites npm
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/yasgui
	cp $(YASGUI_DIST)/yasgui.min.js $(YASGUI_DIST)/yasgui.min.css $(VENDOR)/yasgui/
	cp node_modules/@zazuko/yasgui/package.json $(VENDOR)/yasgui/
	mkdir -p $(VENDOR)/vis-network
	cp $(VIS_JS) $(VIS_CSS) $(VENDOR)/vis-network/
	cp node_modules/vis-network/LICENSE-APACHE-2.0 node_modules/vis-network/LICENSE-MIT $(VENDOR)/vis-network/
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
	tools/prerequisites java chromium
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n auto --maxprocesses=4 --dist loadfile --durations=25

# The fast loop: lint and the tests that need no full build, no server process, no browser, no HermiT.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python bench/build.py

clean:
	rm -rf $(VENV) var node_modules $(VENDOR)
