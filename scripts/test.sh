#!/usr/bin/env bash
# Run the whole test suite. On SQLite by default; on PostgreSQL when DATABASE_URL is set.
# Browser tests use Debian's chromium (installed here when missing and we are root).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -i "Noto Color Emoji" >/dev/null || need+=(fonts-noto-color-emoji)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "· installing ${need[*]} (Debian) for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "browser tests need: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi

# the suite never touches the real data folder
export QUNZHU_DATA="$(mktemp -d /tmp/qunzhu-test.XXXXXX)"
trap 'rm -rf "$QUNZHU_DATA"' EXIT

if [ -n "${DATABASE_URL:-}" ]; then echo "· database: PostgreSQL"; else echo "· database: SQLite"; fi
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here, not a pass" >&2
  exit 1
fi
exit $rc
