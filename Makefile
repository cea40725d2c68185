# The two commands: `make demo` runs the product, `make test` runs every check.
# CI (.ci/run) uses these same targets.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
UV     ?= uv

.PHONY: demo serve test lint bench install install-test lock system-deps clean vendor

# requirements.lock: what the product runs on (`make demo`). requirements-test.lock: the
# test tools (the `dev` extra), constrained to the runtime pins, installed by `make test`
# into the same venv. Both carry hashes.

$(STAMP): requirements.lock pyproject.toml
	bash scripts/system-deps.sh runtime
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-test.lock
	touch $(TEST_STAMP)

install-test: $(TEST_STAMP)

## Set up the data directory (SQLite + incident store), load the demo partnership, serve it.
demo: install
	$(BIN)/saferplaces demo

serve: install
	$(BIN)/saferplaces serve

## ruff, mypy, import-linter, makemigrations --check, pytest on SQLite and PostgreSQL.
test: install-test
	bash scripts/system-deps.sh test
	bash scripts/test.sh

lint: install-test
	bash scripts/test.sh --lint-only

bench: install-test
	$(BIN)/python benchmarks/bench_insight.py

## Re-lock both files after changing pyproject.toml's dependencies (needs uv, e.g.
## `python3.11 -m venv /tmp/uvenv && /tmp/uvenv/bin/pip install uv`, then UV=/tmp/uvenv/bin/uv).
## Existing pins are kept unless pyproject.toml needs them changed.
lock:
	$(UV) pip compile pyproject.toml --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" -o requirements.lock
	$(PYTHON) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["dev"]))' \
	  | $(UV) pip compile - -c requirements.lock --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" -o requirements-test.lock

## Rebuild the vendored front-end assets from the npm registry (not needed to run).
vendor:
	bash tools/vendor/build.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
