# The README's two commands: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

VENDOR := server/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed-stamp
YASGUI_DIST := node_modules/@zazuko/yasgui/build

.PHONY: run test build lint bench clean vendor

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The query UI's YASGUI comes from the npm registry (pinned in package-lock.json) and is served by
# the app itself from server/static/vendor/, never from a CDN. Scripts of dependencies are not run.
$(VENDOR_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/yasgui
	cp $(YASGUI_DIST)/yasgui.min.js $(YASGUI_DIST)/yasgui.min.css $(VENDOR)/yasgui/
	cp node_modules/@zazuko/yasgui/package.json $(VENDOR)/yasgui/
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
	$(BIN)/ruff check .
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/build.py

clean:
	rm -rf $(VENV) var node_modules $(VENDOR)
