#!/usr/bin/env bash
# Set-up command 1: install Lanekit in a venv and run the demo lane (simulated devices, sample catalog).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
apt_install "$ROOT/scripts/apt-base.txt"
make_venv linux
exec "$VENV/bin/lanekit" demo "$@"
