#!/usr/bin/env bash
# Every check, in the order that fails fastest. Called by `make test` and so by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export SAFERPLACES_DATA_DIR="${SAFERPLACES_DATA_DIR:-$(mktemp -d -t saferplaces-check-XXXX)}"

step() { printf '\n== %s\n' "$*"; }

step "ruff"
$BIN/ruff check .
$BIN/ruff format --check .
step "mypy"
$BIN/mypy
step "import-linter"
$BIN/lint-imports
step "migrations are up to date"
env -u DATABASE_URL $BIN/saferplaces makemigrations --check --dry-run
step "production settings pass check --deploy"
SAFERPLACES_ENV=production SECRET_KEY="check-only-$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9)" \
  ALLOWED_HOSTS=saferplaces.example DATABASE_URL=sqlite:///:memory: \
  $BIN/saferplaces check --deploy --fail-level WARNING
[ "${1:-}" = "--lint-only" ] && exit 0

step "pytest on SQLite (everything, browser tests included)"
env -u DATABASE_URL $BIN/pytest -q -p no:cacheprovider

PG_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
if $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  step "pytest on PostgreSQL ($PG_URL): every test that touches the database"
  DATABASE_URL="$PG_URL" $BIN/pytest -q -p no:cacheprovider -m "not browser" --ignore=tests/insight
else
  echo "Skipping the PostgreSQL run: set DATABASE_URL to a reachable server to include it."
  [ "${CI:-}" = "true" ] && { echo "CI must test PostgreSQL"; exit 1; }
fi
