# jointprobe: two commands for a newcomer — `make demo` and `make test`;
# `make test-fast` for a developer's loop (lint, types, all but live/browser/spark tests).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
LINT_PATHS := $(wildcard src tests bench)

.PHONY: demo test test-fast lint typecheck pytest pytest-fast browsers jre pango bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

WEB_VENDOR := src/jointprobe/web/static/vendor/.installed

$(WEB_VENDOR): src/jointprobe/web/frontend/package-lock.json
	sh src/jointprobe/web/frontend/vendor.sh
	touch $@

# Debian's chromium for the browser tests (never a downloaded browser), and a
# CJK font so that Chinese names render in pages and screenshots.
BROWSER_PKGS := chromium fonts-wqy-microhei
browsers:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(BROWSER_PKGS); \
	  else echo "missing: sudo apt-get install $(BROWSER_PKGS) (browser tests skip without chromium)"; fi; }

# Pango for WeasyPrint, which renders the working-group report as PDF.
PDF_PKGS := libpango-1.0-0 libpangoft2-1.0-0
pango:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(PDF_PKGS); \
	  else echo "missing: sudo apt-get install $(PDF_PKGS) (report --format pdf needs it)"; fi; }

# A Java runtime for the Spark engine's local-mode test (pyspark starts a JVM).
jre:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq default-jre-headless; \
	  else echo "java missing: the Spark engine test will be skipped (sudo apt-get install default-jre-headless)"; fi; }

demo: $(STAMP) $(WEB_VENDOR) pango
	$(BIN)/jointprobe demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: $(STAMP)
	$(BIN)/mypy

# Two phases: the in-process tests in two worker processes (pytest-xdist; each
# PostgreSQL test makes its own database), then the live, browser and spark tests
# (real servers, Chromium, a JVM) one at a time, so their timings are not shared.
SERIAL_TESTS := live or browser or spark
PYTEST_WORKERS ?= 2
pytest: $(STAMP) $(WEB_VENDOR) browsers jre pango
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not ($(SERIAL_TESTS))" $(PYTEST_ARGS)
	$(BIN)/pytest -q -m "$(SERIAL_TESTS)" $(PYTEST_ARGS)

# Everything but the tests marked live (real `jointprobe serve` processes),
# browser (Chromium) and spark (a JVM): see the markers in pyproject.toml.
# The property/fuzz tests run with 50 examples each here (200 in `make test`),
# in two worker processes (pytest-xdist; FAST_WORKERS=0 for one process).
FAST_TESTS := not live and not browser and not spark
FAST_FUZZ_EXAMPLES ?= 50
FAST_WORKERS ?= 2
pytest-fast: $(STAMP) pango
	JOINTPROBE_FUZZ_EXAMPLES=$(FAST_FUZZ_EXAMPLES) $(BIN)/pytest -q -n $(FAST_WORKERS) \
	  -m "$(FAST_TESTS)" $(PYTEST_ARGS)

test: lint typecheck pytest

test-fast: lint typecheck pytest-fast

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
