#!/usr/bin/env bash
# Install qunzhu into ./.venv with the tested versions, and its front-end assets.
# Idempotent: a second run only checks. Usage: bash scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "qunzhu needs Python 3.11 or newer; found: $("$python" --version 2>&1)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "· creating .venv"
  "$python" -m venv .venv
fi
stamp=".venv/.installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "· installing Python packages (constraints.txt)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".${extras}"
  touch "$stamp"
fi

# Front-end assets come from the npm registry, pinned by package-lock.json, and are served
# by qunzhu itself (no CDN), so the console works on an intranet.
vendor=src/qunzhu/web/static/qunzhu/vendor
if [ ! -f "$vendor/htmx.min.js" ] || [ ! -f "$vendor/echarts.min.js" ] \
   || [ package-lock.json -nt "$vendor/htmx.min.js" ]; then
  if ! command -v npm >/dev/null; then
    echo "npm (Node.js) is needed once to fetch the console's scripts; install nodejs" >&2
    exit 1
  fi
  echo "· installing front-end assets (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  mkdir -p "$vendor"
  cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
  cp node_modules/echarts/dist/echarts.min.js "$vendor/echarts.min.js"
fi
