#!/usr/bin/env bash
# Set up and start qunzhu: database in ./qunzhu-data, demo community, console on :8000.
# Extra arguments go to `qunzhu up` (e.g. --port 9000 --no-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/qunzhu up "$@"
