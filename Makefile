# deskmine: the only entry points a newcomer needs.
#   make run    set everything up, load the sample logs on first start, serve the app on 127.0.0.1:8050
#   make test   set everything up (incl. a headless browser when root), run every test
#   make bench  benchmarks: engine vs pm4py, analytics, app pages (results in benchmarks/results/)
#   make lint   ruff
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
export PM4PY_SHOW_PROGRESS_BAR := False
export PYTHONDONTWRITEBYTECODE :=

UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/deskmine.duckdb
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: help install run test bench lint sysdeps clean

help:
	@echo "make run    set up and start the app on the sample logs (http://$(HOST):$(PORT))"
	@echo "make test   set up and run all tests (browser tests need chromium; installed when root)"
	@echo "make bench  run the benchmarks (engine vs pm4py, analytics, app pages)"
	@echo "make lint   check the code with ruff"

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.stamp: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked
	@touch $@

install: $(VENV)/.stamp

sysdeps:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && command -v dot >/dev/null 2>&1; then \
		true; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium, chromium-driver and graphviz (browser tests, figure export)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver graphviz >/dev/null; \
	else \
		echo "note: chromium/chromium-driver/graphviz missing and not root: browser tests will be skipped"; \
	fi

run: install
	$(BIN)/deskmine samples --db $(DB)
	$(BIN)/deskmine serve --db $(DB) --host $(HOST) --port $(PORT)

test: install sysdeps
	$(BIN)/python -m pytest

bench: install sysdeps
	$(BIN)/python -m benchmarks              # engine vs pm4py at 1e5, 1e6, 1e7 events
	$(BIN)/python -m benchmarks.analytics    # SLA, automation, what-if, compare at 1e6
	$(BIN)/python -m benchmarks.app          # every page's render and filter change at 1e6, in chromium

lint: install
	$(BIN)/ruff check pipelines dashboard tests benchmarks notebooks app.py

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache
