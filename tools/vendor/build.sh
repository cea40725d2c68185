#!/usr/bin/env bash
# Rebuild the vendored front-end assets in src/saferplaces/web/static/vendor/
# (and the browser tests' axe-core in tests/browser/vendor/, never served)
# from the exact versions pinned in tools/vendor/package-lock.json.
#
#   bash tools/vendor/build.sh
#
# Needs Node 20+ / npm and access to the npm registry (build time only; the
# built files are committed, and nothing is fetched from a CDN at run time).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/src/saferplaces/web/static/vendor"
TEST_OUT="$ROOT/tests/browser/vendor"
NM="$HERE/node_modules"

cd "$HERE"
npm ci --no-audit --no-fund --ignore-scripts

ver() { node -p "require('$NM/$1/package.json').version"; }

# Strip trailing "//# sourceMappingURL=..." / "/*# sourceMappingURL=... */"
# comments: we do not ship .map files, and Django's ManifestStaticFilesStorage
# (whitenoise in production) fails collectstatic on references to missing files.
copy_js() {  # src dest
  sed -E -e 's@//# sourceMappingURL=[^ ]*$@@' -e 's@/\*# sourceMappingURL=[^*]*\*/@@' "$1" > "$2"
}

GOVUK_V="$(ver govuk-frontend)"
VEGA_V="$(ver vega)"
VL_V="$(ver vega-lite)"
VE_V="$(ver vega-embed)"
VI_V="$(ver vega-interpreter)"
LEAFLET_V="$(ver leaflet)"
HTMX_V="$(ver htmx.org)"
SASS_V="$(ver sass)"
AXE_V="$(ver axe-core)"

rm -rf "$OUT/govuk-frontend" "$OUT/vega" "$OUT/leaflet" "$OUT/htmx"
mkdir -p "$OUT/govuk-frontend" "$OUT/vega" "$OUT/leaflet/images" "$OUT/htmx"

# ---------------------------------------------------------------- GOV.UK Frontend
"$NM/.bin/sass" --style=compressed --no-source-map --load-path="$NM" \
  --quiet-deps --silence-deprecation=import \
  "$HERE/govuk-frontend.scss" "$OUT/govuk-frontend/govuk-frontend.min.css"
copy_js "$NM/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$OUT/govuk-frontend/govuk-frontend.min.js"

# The npm package ships no LICENSE file (its package.json says MIT); this is
# the upstream LICENSE.txt of the alphagov/govuk-frontend repository.
cp "$HERE/govuk-frontend-LICENSE.txt" "$OUT/govuk-frontend/LICENSE.txt"

cat > "$OUT/govuk-frontend/README.md" <<MD
# GOV.UK Frontend (vendored)

- Package: \`govuk-frontend\` ${GOVUK_V} (npm), compiled with \`sass\` (dart-sass) ${SASS_V}
- Licence: MIT — see \`LICENSE.txt\` (Crown Copyright, Government Digital Service)

## What is here

- \`govuk-frontend.min.css\` — compiled from \`tools/vendor/govuk-frontend.scss\`
  with saferplaces branding: system font stack, brand colour \`#00605f\`.
- \`govuk-frontend.min.js\` — the package's ES module build
  (\`dist/govuk/govuk-frontend.min.js\`); load it with \`<script type="module">\`
  and call \`initAll()\`. Components only initialise when \`<body>\` has the
  class \`govuk-frontend-supported\`.

## Excluded on purpose

The GOV.UK crown/crest, the GDS Transport typeface and the GOV.UK favicons and
icons are **not** included, and the CSS references none of them (no
\`@font-face\`, no \`/assets/\` URLs): only GOV.UK services may use them.
Do not add them back.

## Rebuild

    bash tools/vendor/build.sh

Versions are pinned in \`tools/vendor/package.json\` / \`package-lock.json\`.
MD

# ---------------------------------------------------------------- Vega
copy_js "$NM/vega/build/vega.min.js" "$OUT/vega/vega.min.js"
# vega-interpreter evaluates Vega expressions without `new Function`, so the pages' Content-
# Security-Policy needs no 'unsafe-eval'. It ships only as an ES module importing vega-util;
# wrap it as a classic script that takes vega-util's functions from the `vega` global and
# sets `window.vegaInterpreter`, and append it to vega.min.js so that every page that loads
# Vega has it (pass {ast: true, expr: vegaInterpreter.expressionInterpreter} to vegaEmbed).
VI_SRC="$NM/vega-interpreter/build/vega-interpreter.js"
grep -q "^import { ascending, isString, DisallowedObjectProperties } from 'vega-util';$" "$VI_SRC" \
  || { echo "ERROR: vega-interpreter's imports changed: update the wrapper in build.sh" >&2; exit 1; }
grep -q "^export { expression as expressionInterpreter };$" "$VI_SRC" \
  || { echo "ERROR: vega-interpreter's export changed: update the wrapper in build.sh" >&2; exit 1; }
{
  printf '\n/* vega-interpreter %s (BSD-3-Clause, LICENSE-vega-interpreter.txt), wrapped by tools/vendor/build.sh */\n' "$VI_V"
  printf '(function (vegaUtil) {\n"use strict";\n'
  printf 'var ascending = vegaUtil.ascending, isString = vegaUtil.isString, DisallowedObjectProperties = vegaUtil.DisallowedObjectProperties;\n'
  sed -e '/^import .* from .vega-util.;$/d' -e '/^\/\/# sourceMappingURL=/d' -e 's/^export { expression as expressionInterpreter };$/window.vegaInterpreter = { expressionInterpreter: expression };/' "$VI_SRC"
  printf '})(window.vega);\n'
} >> "$OUT/vega/vega.min.js"
copy_js "$NM/vega-lite/build/vega-lite.min.js" "$OUT/vega/vega-lite.min.js"
copy_js "$NM/vega-embed/build/vega-embed.min.js" "$OUT/vega/vega-embed.min.js"
cp "$NM/vega/LICENSE" "$OUT/vega/LICENSE-vega.txt"
cp "$NM/vega-lite/LICENSE" "$OUT/vega/LICENSE-vega-lite.txt"
cp "$NM/vega-embed/LICENSE" "$OUT/vega/LICENSE-vega-embed.txt"
cp "$NM/vega-interpreter/LICENSE" "$OUT/vega/LICENSE-vega-interpreter.txt"
cat > "$OUT/vega/README.md" <<MD
# Vega, Vega-Lite, Vega-Embed (vendored)

| file | package | version | licence | global |
| --- | --- | --- | --- | --- |
| \`vega.min.js\` | \`vega\` | ${VEGA_V} | BSD-3-Clause (\`LICENSE-vega.txt\`) | \`vega\` |
| (appended to \`vega.min.js\`) | \`vega-interpreter\` | ${VI_V} | BSD-3-Clause (\`LICENSE-vega-interpreter.txt\`) | \`vegaInterpreter\` |
| \`vega-lite.min.js\` | \`vega-lite\` | ${VL_V} | BSD-3-Clause (\`LICENSE-vega-lite.txt\`) | \`vegaLite\` |
| \`vega-embed.min.js\` | \`vega-embed\` | ${VE_V} | BSD-3-Clause (\`LICENSE-vega-embed.txt\`) | \`vegaEmbed\` |

These are the packages' UMD browser builds: load them with classic
\`<script>\` tags **in this order** (vega-lite needs \`vega\`, vega-embed needs
both), then call e.g. \`vegaEmbed(el, spec, {renderer: "svg", actions: false})\`.
Source-map comments are stripped (no .map files are shipped).

## Content-Security-Policy

The site's policy has no \`'unsafe-eval'\` and no inline styles, so pass vega-embed

    {ast: true, expr: vegaInterpreter.expressionInterpreter, defaultStyle: false}

\`vega-interpreter\` (the CSP-safe expression evaluator; an ES module upstream) is wrapped
by \`build.sh\` as a classic script and appended to \`vega.min.js\`: it takes vega-util's
functions from the \`vega\` global and sets \`window.vegaInterpreter\`.

## Rebuild

    bash tools/vendor/build.sh
MD

# ---------------------------------------------------------------- Leaflet
copy_js "$NM/leaflet/dist/leaflet.js" "$OUT/leaflet/leaflet.js"
cp "$NM/leaflet/dist/leaflet.css" "$OUT/leaflet/leaflet.css"
cp "$NM/leaflet/dist/images/"* "$OUT/leaflet/images/"
cp "$NM/leaflet/LICENSE" "$OUT/leaflet/LICENSE.txt"
cat > "$OUT/leaflet/README.md" <<MD
# Leaflet (vendored)

- Package: \`leaflet\` ${LEAFLET_V} (npm)
- Licence: BSD-2-Clause — see \`LICENSE.txt\`
- Files: \`leaflet.js\` (minified UMD build, global \`L\`), \`leaflet.css\`,
  \`images/\` (marker and layer-control icons, referenced relatively by the CSS).

No tile layer or tile URL is configured here; pages must not load tiles from a
third-party server at run time.

## Rebuild

    bash tools/vendor/build.sh
MD

# ---------------------------------------------------------------- htmx
cp "$NM/htmx.org/dist/htmx.min.js" "$OUT/htmx/htmx.min.js"
cp "$NM/htmx.org/LICENSE" "$OUT/htmx/LICENSE.txt"
cat > "$OUT/htmx/README.md" <<MD
# htmx (vendored)

- Package: \`htmx.org\` ${HTMX_V} (npm)
- Licence: 0BSD (Zero-Clause BSD) — see \`LICENSE.txt\`
- File: \`htmx.min.js\` (classic script, global \`htmx\`).

## Rebuild

    bash tools/vendor/build.sh
MD

# ---------------------------------------------------------------- axe-core (tests only)
# The accessibility engine the browser tests inject into each page; a test tool, so it
# lives beside the tests and is never among the static files the site serves.
rm -rf "$TEST_OUT/axe-core"
mkdir -p "$TEST_OUT/axe-core"
copy_js "$NM/axe-core/axe.min.js" "$TEST_OUT/axe-core/axe.min.js"
cp "$NM/axe-core/LICENSE" "$TEST_OUT/axe-core/LICENSE.txt"
cp "$NM/axe-core/LICENSE-3RD-PARTY.txt" "$TEST_OUT/axe-core/LICENSE-3RD-PARTY.txt"
cat > "$TEST_OUT/axe-core/README.md" <<MD
# axe-core (vendored, browser tests only)

- Package: \`axe-core\` ${AXE_V} (npm), Deque Systems
- Licence: MPL-2.0 — see \`LICENSE.txt\`; the parts it bundles from others are listed,
  with their MIT licence, in \`LICENSE-3RD-PARTY.txt\`
- File: \`axe.min.js\` (the package's minified browser build, unchanged; global \`axe\`).

\`tests/browser/test_accessibility.py\` injects it into each page and runs
\`axe.run()\` with the WCAG 2.x A and AA rules. It is not a static file of the site and
nothing fetches it at test time.

## Rebuild

    bash tools/vendor/build.sh
MD
if ! head -c 40 "$TEST_OUT/axe-core/axe.min.js" | grep -q "axe v${AXE_V}"; then
  echo "ERROR: $TEST_OUT/axe-core/axe.min.js does not announce axe v${AXE_V}" >&2; exit 1
fi

# ---------------------------------------------------------------- checks
CSS="$OUT/govuk-frontend/govuk-frontend.min.css"
if grep -q 'GDS Transport' "$CSS"; then echo "ERROR: GDS Transport in $CSS" >&2; exit 1; fi
if grep -q '@font-face' "$CSS"; then echo "ERROR: @font-face in $CSS" >&2; exit 1; fi
if grep -q '/assets/' "$CSS"; then echo "ERROR: /assets/ reference in $CSS" >&2; exit 1; fi
# No url() at all: no crest/crown image, no fonts, nothing collectstatic could miss.
if grep -q 'url(' "$CSS"; then echo "ERROR: url() reference in $CSS" >&2; exit 1; fi
if grep -rl 'sourceMappingURL' "$OUT" >/dev/null; then echo "ERROR: sourceMappingURL left in $(grep -rl sourceMappingURL "$OUT")" >&2; exit 1; fi

echo "Vendored assets written to ${OUT#"$ROOT"/}:"
(cd "$OUT" && find . -type f | sort | xargs du -b | awk '{printf "  %9d  %s\n", $1, $2; t+=$1} END {printf "  %9d  total\n", t}')
echo "Test tools written to ${TEST_OUT#"$ROOT"/}:"
(cd "$TEST_OUT" && find . -type f | sort | xargs du -b | awk '{printf "  %9d  %s\n", $1, $2}')
