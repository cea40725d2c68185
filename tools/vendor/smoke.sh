#!/usr/bin/env bash
# Headless-Chromium smoke check of the vendored assets in
# src/saferplaces/web/static/vendor/ (run bash tools/vendor/build.sh first).
#
#   bash tools/vendor/smoke.sh
#
# Serves tools/vendor/smoke/index.html plus the vendor directory on 127.0.0.1
# (ES modules do not load from file://), dumps the DOM after the scripts ran
# and checks: GOV.UK JS initAll() ran, all globals exist, the Vega-Lite bar
# chart rendered to SVG, and the Leaflet GeoJSON layer drew paths.
# Needs chromium (apt-get install -y chromium) and python3.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENDOR="$ROOT/src/saferplaces/web/static/vendor"
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$CHROMIUM" ] || { echo "chromium not found (apt-get install -y chromium)" >&2; exit 2; }
[ -f "$VENDOR/govuk-frontend/govuk-frontend.min.js" ] || { echo "run bash tools/vendor/build.sh first" >&2; exit 2; }

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/www" "$WORK/profile"
ln -s "$VENDOR" "$WORK/www/vendor"
cp "$HERE/smoke/index.html" "$WORK/www/index.html"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK/www" >"$WORK/http.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/index.html')" 2>/dev/null && break
  sleep 0.1
done

timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/profile" \
  --virtual-time-budget=15000 --dump-dom "http://127.0.0.1:$PORT/index.html" \
  >"$WORK/dom.html" 2>"$WORK/chromium.log" || true

grep '^SMOKE' "$WORK/dom.html" || true

fail=0
check() {  # description, grep -E pattern
  if grep -Eq "$2" "$WORK/dom.html"; then echo "PASS  $1"; else echo "FAIL  $1"; fail=1; fi
}
check "page scripts finished"            '^SMOKE-DONE'
check "GOV.UK initAll (accordion)"       '^SMOKE govuk_accordion=ok'
check "brand-coloured header"            '^SMOKE header_bg=rgb\(0,96,95\)'
check "system font stack (no GDS Transport)" '^SMOKE font=system-ui$'
check "globals vega/vegaLite/vegaEmbed/L/htmx" '^SMOKE globals=vega:object,vegaLite:object,vegaEmbed:function,L:object,htmx:object'
check "Vega-Lite chart rendered to SVG"  '<div id="chart"[^>]*>.*<svg'
check "chart has 3 bars"                 '^SMOKE chart_bars=3$'
check "Leaflet GeoJSON paths"            '^SMOKE leaflet_paths=[1-9]'
check "Leaflet SVG path in map"          '<path[^>]*class="leaflet-interactive"'
if grep -Eq '^SMOKE (error|chart_error)=' "$WORK/dom.html"; then echo "FAIL  script error"; fail=1; fi
if grep -E '" (404|500) ' "$WORK/http.log"; then echo "FAIL  missing file on local server"; fail=1; fi

if [ "$fail" -ne 0 ]; then
  echo "--- chromium log (tail)"; tail -20 "$WORK/chromium.log" || true
  echo "SMOKE FAILED" >&2; exit 1
fi
echo "SMOKE OK"
