#!/usr/bin/env bash
# Install the few Debian packages saferplaces needs when they are missing.
#   runtime: python3-venv (for a fresh Debian), Pango for WeasyPrint's PDFs
#   test:    Debian's chromium for the browser tests, poppler-utils for pdftoppm
set -euo pipefail
want=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
case "${1:-runtime}" in
  runtime)
    python3.11 -c 'import ensurepip' 2>/dev/null || want+=(python3-venv)
    have_lib libpango-1.0.so.0 || want+=(libpango-1.0-0)
    have_lib libpangoft2-1.0.so.0 || want+=(libpangoft2-1.0-0)
    ;;
  test)
    [ -x /usr/bin/chromium ] || want+=(chromium)
    command -v pdftoppm >/dev/null || want+=(poppler-utils)
    ;;
esac
[ ${#want[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${want[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}"
