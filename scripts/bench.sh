#!/usr/bin/env bash
# Every benchmark of every issue, in one run: prints each figure with its goal and same-run baseline,
# writes bench-results/results.json (machine-readable) and bench-results/results.md (a table).
# Full size by default; LANEKIT_BENCH_SCALE=0.02 runs them reduced (as CI does).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
apt_install "$ROOT/scripts/apt-base.txt" "$ROOT/scripts/apt-test.txt"
make_venv test,linux
cd "$ROOT"
mkdir -p bench-results
rm -f bench-results/results.json
set +e
"$PY" -m pytest tests/bench -m bench -s -p no:cacheprovider "$@"
rc=$?
set -e
if [[ -s bench-results/results.json ]]; then
    "$PY" -m tests.bench.table bench-results/results.json > bench-results/results.md
    echo
    cat bench-results/results.md
fi
exit $rc
