#!/usr/bin/env bash
# Install everything the tests need and run the whole suite: Python packages into .venv, and
# (through apt, when missing) Debian's Chromium for the browser test plus fonts for Korean and
# emoji in its screenshots. Then the house rules (ruff's lint and format, the import contracts in
# pyproject.toml), then pytest. Extra arguments go to pytest, e.g. -k browser.
# The real-data tests run when IMDB_EXPLORER_DATA names aclImdb_v1.tar.gz (or the shared copy sits
# in ../shared/data/); a path that is given but missing fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv requirements-dev.txt

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q "${missing[@]}" || { $sudo apt-get update -q && $sudo apt-get install -y -q "${missing[@]}"; }
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
