#!/usr/bin/env bash
# Benchmarks: full size by default; LANEKIT_BENCH_SCALE=0.05 runs them reduced (as CI does).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
apt_install "$ROOT/scripts/apt-base.txt" "$ROOT/scripts/apt-test.txt"
make_venv test,linux
cd "$ROOT"
exec "$PY" -m pytest tests/bench -m bench -s -p no:cacheprovider "$@"
