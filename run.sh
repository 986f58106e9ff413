#!/usr/bin/env bash
# coopkit's two entry points, from a fresh clone on Debian/Ubuntu with Python 3.11+:
#   ./run.sh start   set everything up, then launch the toolkit (JupyterLab on the notebooks)
#   ./run.sh test    set everything up (system packages included), then run every test
# and any other coopkit command through the same environment, without activating it:
#   ./run.sh demo --reset, ./run.sh export ..., ./run.sh serve, ./run.sh --help
# and one for maintainers:
#   ./run.sh lock    refresh constraints.txt, the tested versions the two above install
#                    (after a dependency is added to pyproject.toml; --upgrade: newest)
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_python() {
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "coopkit needs Python 3.11 or newer (apt-get install python3)" >&2
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # Installs the Debian packages given, only those missing.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

make_venv() {
  local py
  if [ ! -x "$VENV/bin/python" ]; then
    py=$(find_python)
    if ! "$py" -m venv --help >/dev/null 2>&1; then apt_install python3-venv; fi
    say "creating $VENV with $py"
    "$py" -m venv "$VENV"
  fi
}

python_env() {
  local stamp
  make_venv
  stamp="$VENV/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "installing coopkit and its Python dependencies (the tested versions of constraints.txt)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -c constraints.txt -e ".[test]"
    touch "$stamp"
  fi
}

lock() {
  # constraints.txt from pyproject.toml's dependencies and test extra, for every
  # platform and Python >= 3.11; uv keeps each pin that still fits unless --upgrade.
  make_venv
  [ -x "$VENV/bin/uv" ] || "$VENV/bin/python" -m pip install -q -c constraints.txt uv
  "$VENV/bin/uv" pip compile pyproject.toml --extra test --universal --python-version 3.11 \
    --custom-compile-command "./run.sh lock" --output-file constraints.txt --quiet "$@"
  say "constraints.txt refreshed; ./run.sh test installs it"
}

test_env() {
  # Chromium for the browser tests, PostgreSQL and pgbouncer for the store tests, nginx
  # for the team-server tests (tests/test_cluster.py runs it as an ordinary process, not
  # the system service), Node's npm for axe-core and for checking the phone page's built assets
  # (tests/test_page_assets.py), LibreOffice Calc and Writer (headless) to open the CSV
  # exports as a spreadsheet user would and convert the Word exports as a partner would,
  # zbar-tools (zbarimg) to read the presenter's QR code back from a screenshot.
  apt_install chromium postgresql pgbouncer nginx libreoffice-calc-nogui libreoffice-writer-nogui \
    zbar-tools
  command -v npm >/dev/null 2>&1 || apt_install npm
  if [ -f package.json ] && { [ ! -d node_modules ] ||
      [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
    say "installing the npm packages (axe-core, the page's widget libraries, esbuild)"
    npm ci --no-audit --no-fund --silent
  fi
}

case "${1:-}" in
  start)
    python_env
    shift
    exec "$VENV/bin/coopkit" start "$@"
    ;;
  test)
    python_env
    test_env
    shift
    say "ruff"
    "$VENV/bin/ruff" check coopkit tests benchmarks docs notebooks/conftest.py
    say "notebooks, top to bottom under nbval, on a fresh demo project"
    "$VENV/bin/python" -m pytest --nbval-lax -p no:cacheprovider notebooks/0*.ipynb
    say "pytest"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  lock)
    shift
    lock "$@"
    ;;
  "")
    echo "usage: ./run.sh start | test | lock [--upgrade] | COMMAND [OPTIONS]  (any coopkit command, e.g. ./run.sh demo --reset)" >&2
    exit 2
    ;;
  *)
    # the README's `coopkit ...` commands, run with this checkout's environment
    python_env
    exec "$VENV/bin/coopkit" "$@"
    ;;
esac
