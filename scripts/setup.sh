#!/usr/bin/env bash
# Sets up everything on a fresh Debian machine with Python 3.11: the Debian
# packages (CJK fonts, pango for WeasyPrint, poppler and Chromium for the
# tests) and a virtual environment with the pinned Python packages.
#   bash scripts/setup.sh          what building the site and casebook needs
#   bash scripts/setup.sh --test   also what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

packages="fonts-noto-cjk fonts-noto-cjk-extra fonts-arphic-ukai libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils"
extras="site"
if [ "${1:-}" = "--test" ]; then
  packages="$packages chromium libreoffice-writer-nogui libreoffice-calc-nogui"
  extras="site,test"
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ "${1:-}" = "--test" ]; then
  # git for the pre-commit test; node and npm for the test clients in tests/node/
  # (any installation will do, e.g. Debian's packages or NodeSource's nodejs).
  command -v git >/dev/null || missing="$missing git"
  command -v npm >/dev/null || missing="$missing nodejs npm"
fi
if [ -n "$missing" ]; then
  echo "==> 安装 Debian 软件包:$missing"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "需要 root 权限安装:$missing" >&2; exit 2
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv"
  "$python" -m venv .venv
fi

# Reinstall only when the pins change, so a second run is quick.
stamp=.venv/.installed
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16) ${1:-}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> 安装 Python 依赖（版本见 constraints.txt）"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[$extras]"
  if [ "${1:-}" = "--test" ]; then
    # What the pre-commit test installs its hook from without any index:
    # the build backend and the core dependencies (PIP_NO_INDEX + PIP_FIND_LINKS).
    echo "==> 准备 pre-commit 测试用的本地 wheel 目录 .cache/wheelhouse"
    rm -rf .cache/wheelhouse
    .venv/bin/python -m pip download -q -c constraints.txt -d .cache/wheelhouse \
      setuptools PyYAML jsonschema fastjsonschema pillow
  fi
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--test" ]; then
  # The real clients the tests drive: yaml-language-server and axe-core (pinned in
  # tests/node/package-lock.json; installed again only when the lock changes).
  lock="$(sha256sum tests/node/package-lock.json | cut -c1-16)"
  if [ ! -f tests/node/node_modules/.installed ] || [ "$(cat tests/node/node_modules/.installed)" != "$lock" ]; then
    echo "==> 安装测试用的 npm 包（tests/node/，npm ci）"
    (cd tests/node && npm ci --silent --no-audit --no-fund)
    echo "$lock" > tests/node/node_modules/.installed
  fi
fi
