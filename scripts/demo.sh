#!/usr/bin/env bash
# The main job on the shipped demo library: set up, check, build the site into
# site/ and serve it with live preview at http://127.0.0.1:8000/ (Ctrl+C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python build_cases.py build
exec .venv/bin/python build_cases.py serve --dev-addr "${DEV_ADDR:-127.0.0.1:8000}"
