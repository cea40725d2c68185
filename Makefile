# The two commands: `make demo` runs the product, `make test` runs every check.
# CI (.ci/run) uses these same targets.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo serve test lint bench install system-deps clean vendor

$(STAMP): requirements.lock pyproject.toml
	bash scripts/system-deps.sh runtime
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Set up the data directory (SQLite + incident store), load the demo partnership, serve it.
demo: install
	$(BIN)/saferplaces demo

serve: install
	$(BIN)/saferplaces serve

## ruff, mypy, import-linter, makemigrations --check, pytest on SQLite and PostgreSQL.
test: install
	bash scripts/system-deps.sh test
	bash scripts/test.sh

lint: install
	bash scripts/test.sh --lint-only

bench: install
	$(BIN)/python benchmarks/bench_insight.py

## Rebuild the vendored front-end assets from the npm registry (not needed to run).
vendor:
	bash tools/vendor/build.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
