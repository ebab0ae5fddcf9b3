# Shared by the set-up scripts: where the venv lives and how to fill it.
# LANEKIT_VENV lets a developer reuse one venv across checkouts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LANEKIT_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

apt_install() {
    # Install the Debian packages listed in the given files that are not yet present.
    local want=() pkg
    for f in "$@"; do
        while read -r pkg _; do
            [[ -z "$pkg" || "$pkg" == \#* ]] && continue
            dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || want+=("$pkg")
        done < "$f"
    done
    if ((${#want[@]})); then
        local sudo=""
        [[ $(id -u) -ne 0 ]] && sudo="sudo"
        echo "apt: installing ${want[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
    fi
}

make_venv() {
    # $@: extras to install, e.g. test,linux
    if [[ ! -x "$PY" ]]; then
        python3 -m venv "$VENV" || { apt_install "$ROOT/scripts/apt-base.txt"; python3 -m venv "$VENV"; }
    fi
    "$PY" -m pip install -q --upgrade pip >/dev/null
    "$PY" -m pip install -q -c "$ROOT/constraints.txt" -e "$ROOT[$1]"
}
