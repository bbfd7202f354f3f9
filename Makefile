# Everything a newcomer needs: `make up` runs the system, `make test` runs every test.
# Only Python 3.11 is needed; `make install` builds .venv from requirements.lock.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := libs/common services/crm-api services/gmail-sync services/resolver services/ingest services/mcp-gateway
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
STAMP := $(VENV)/.installed

export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install up test test-fast lint format bench lock migrate demo clean

help:
	@echo "make up      run every service on the embedded defaults (SQLite, embedded NATS)"
	@echo "make test    run every test (PostgreSQL too when TEST_POSTGRES_URL is set)"
	@echo "make test-fast  every test but the slow ones that start the whole stack"
	@echo "make lint    ruff, mypy and the import rules (lint-imports)"
	@echo "make bench   the benchmarks under bench/"
	@echo "make migrate apply every service's database migrations"
	@echo "make demo    fill an empty CRM with seeded synthetic data (DEMO_ARGS for sizes)"
	@echo "make lock    re-pin requirements.lock from requirements.in"

install: $(STAMP)

$(STAMP): requirements.lock $(PYPROJECTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps $(addprefix -e ./,$(PACKAGES))
	touch $(STAMP)

up: install
	scripts/up.sh

migrate: install
	for svc in crm-api gmail-sync resolver ingest; do $(BIN)/$$svc migrate || exit 1; done

test: install
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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
