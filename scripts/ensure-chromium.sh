#!/usr/bin/env bash
# A Chromium for the browser tests: the system one when present, else Playwright's own, else
# Debian's package when we are root. Prints the path it settled on.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then echo "Chromium: /usr/bin/chromium"; exit 0; fi
UV=${UV:-$(command -v uv || echo "$HOME/.local/bin/uv")}
if "$UV" run --frozen playwright install chromium >/dev/null 2>&1; then
  echo "Chromium: Playwright's own"; exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "Chromium: /usr/bin/chromium (installed)"; exit 0
fi
echo "No Chromium found: install the 'chromium' package, or run 'uv run playwright install chromium'." >&2
exit 1
