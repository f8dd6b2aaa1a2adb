# Homeward: `make run` serves the app with demo data; `make test` runs every test layer.
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS := .tools
UV := $(TOOLS)/uvenv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help setup run test lint test-sqlite test-postgres test-browser clean

help:
	@echo "make run    install, migrate, load demo data when empty, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   lint, unit + integration tests on SQLite and PostgreSQL, browser tests"

$(UV):
	python3 -m venv $(TOOLS)/uvenv
	$(TOOLS)/uvenv/bin/pip install --quiet "uv>=0.5"

# The installing that `run` and `test` share: locked Python dependencies and the NHS.UK assets.
setup: $(UV)
	$(UV) sync --frozen --quiet
	@if [ ! -f node_modules/nhsuk-frontend/package.json ] || [ ! -f node_modules/axe-core/package.json ] || [ package-lock.json -nt node_modules/nhsuk-frontend/package.json ]; then \
		npm ci --no-audit --no-fund --loglevel=error; fi

run: setup
	$(VENV)/bin/homeward migrate --no-input
	$(VENV)/bin/homeward collectstatic --no-input --verbosity 0
	$(VENV)/bin/homeward demo load --if-empty
	$(VENV)/bin/homeward runserver 127.0.0.1:$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	bash scripts/ensure-system-deps.sh
	$(VENV)/bin/homeward collectstatic --no-input --verbosity 0
	$(VENV)/bin/pytest -m "not browser"
	bash scripts/with-postgres.sh $(VENV)/bin/pytest -m "not browser"
	$(VENV)/bin/pytest -m browser

clean:
	rm -rf $(VENV) $(TOOLS) node_modules var/static
