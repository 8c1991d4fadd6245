#!/usr/bin/env bash
# Sets up everything the tests need, then runs every test (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# Every pin has wheels for Python 3.11-3.13 on Linux, Windows and macOS (asks the
# package index, so it runs here and not inside the tests; again only when the pins change).
stamp=.venv/.wheels-checked
want="$(cat constraints.txt scripts/check_wheels.py | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> 检查各 Python 版本和平台的 wheel（scripts/check_wheels.py）"
  .venv/bin/python scripts/check_wheels.py
  echo "$want" > "$stamp"
fi
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
