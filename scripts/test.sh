#!/usr/bin/env bash
# Set-up command 2: install everything the tests need and run the whole suite.
# Extra arguments go to pytest (e.g. -m slow for the slow suites).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
apt_install "$ROOT/scripts/apt-base.txt" "$ROOT/scripts/apt-test.txt"
make_venv test,linux
cd "$ROOT"
"$VENV/bin/ruff" check .
python3 "$ROOT/../shared/tools/check_layers.py" 2>/dev/null || [[ ! -f "$ROOT/../shared/tools/check_layers.py" ]]
exec "$PY" -m pytest "$@"
