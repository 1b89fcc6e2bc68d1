# Sourced by start.sh and test.sh: make .venv (once) and install a requirements file into it.
# PYTHON picks the interpreter (default python3, which must be 3.11 or newer).
ensure_venv() {
    local requirements=$1
    local python=${PYTHON:-python3}
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
        echo "Python 3.11 or newer is needed ($python is $("$python" --version 2>&1))." >&2; exit 1; }
    [ -x .venv/bin/python ] || "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
}
