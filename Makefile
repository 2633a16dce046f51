# logistics-elt. `make help` lists the targets.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
# two pytest workers: the end-to-end tests wait on databases and HTTP as much as on the CPU
PYTEST_WORKERS ?= -n 2 --dist loadfile

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools

demo: $(STAMP) ## the main job: sandbox + extract + dbt build + docs on DuckDB, with a summary
	$(BIN)/elt demo

test: $(STAMP) ## the whole suite: lint, then both tiers of tests (DuckDB, PostgreSQL, HTTP sandboxes, ODBC)
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: $(STAMP) ## the fast tier while working: Python and dbt unit tests, DuckDB only, no HTTP
	$(BIN)/pytest -m "not e2e and not postgres" $(PYTEST_ARGS)

run: $(STAMP) ## land every configured source, then dbt build
	$(BIN)/elt run

extract: $(STAMP) ## land every configured source only
	$(BIN)/elt run --no-build

build: $(STAMP) ## dbt build only
	$(BIN)/elt build

docs: $(STAMP) ## generate the dbt docs and serve them on http://127.0.0.1:8080
	$(BIN)/elt docs --serve

health: $(STAMP) ## health of every source and mart (exit 0 ok, 1 warning, 2 critical; ARGS=--json)
	$(BIN)/elt health $(ARGS)

history: $(STAMP) ## the last runs recorded in the warehouse
	$(BIN)/elt history $(ARGS)

lint: $(STAMP) ## ruff, sqlfluff (dbt templater) and dbt documentation coverage
	$(BIN)/ruff check extract tests
	$(BIN)/ruff format --check extract tests
	mkdir -p warehouse
	ELT_TARGET=duckdb ELT_DUCKDB_PATH=warehouse/lint.duckdb $(BIN)/sqlfluff lint dbt_project --disable-progress-bar
	$(BIN)/python -m tests.docs_coverage

back-propagate: $(STAMP) ## write the resolved traffic Chofer back to the source tables (ARGS=--dry-run)
	$(BIN)/elt back-propagate $(ARGS)

bench: $(STAMP) ## benchmarks (speed and memory), not part of the tests
	$(BIN)/python -m tests.benchmarks

clean: ## remove the venv, the warehouse files and dbt output
	rm -rf $(VENV) warehouse target logs .pytest_cache .ruff_cache

.PHONY: help install demo test test-fast run extract build docs lint bench clean back-propagate health history
