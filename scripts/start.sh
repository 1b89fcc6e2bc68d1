#!/usr/bin/env bash
# Install the app's packages into .venv (the first time takes a few minutes) and start it:
# `streamlit run app.py`. Extra arguments go to streamlit, e.g. --server.port 8502.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv requirements.txt
exec .venv/bin/streamlit run app.py "$@"
