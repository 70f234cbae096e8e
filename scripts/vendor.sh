#!/usr/bin/env bash
# Re-fetch the pinned front-end files named in static/vendor/package.json. Never a CDN.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/static/vendor/package.json" "$work/"
(cd "$work" && npm install --silent --no-audit --no-fund)
htmx=$(node -p "require('$work/node_modules/htmx.org/package.json').version")
sse=$(node -p "require('$work/node_modules/htmx-ext-sse/package.json').version")
axe=$(node -p "require('$work/node_modules/axe-core/package.json').version")
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$root/static/vendor/htmx-$htmx.min.js"
cp "$work/node_modules/htmx-ext-sse/dist/sse.min.js" "$root/static/vendor/htmx-ext-sse-$sse.min.js"
cp "$work/node_modules/axe-core/axe.min.js" "$root/tests/e2e/vendor/axe-$axe.min.js"
echo "Vendored htmx $htmx, htmx-ext-sse $sse, axe-core $axe"
