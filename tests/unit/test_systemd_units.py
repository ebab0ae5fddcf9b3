"""The units: `systemd-analyze verify` clean and an exposure score of at most 2.0 ("OK") each.

verify checks that ExecStart binaries exist, so the test verifies a copy whose program paths point
at stub executables; every other line is verified as shipped.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

import pytest

UNITS = sorted((pathlib.Path(__file__).resolve().parents[2] / "systemd").glob("*.service"))
PROGRAMS = ("/opt/lanekit/venv/bin/lanekit-payhost", "/opt/lanekit/venv/bin/lanekit", "/usr/bin/cage")


def _analyze() -> str:
    exe = shutil.which("systemd-analyze")
    if exe is None:
        pytest.fail("systemd-analyze is missing: scripts/apt-test.txt installs systemd")
    return exe


def test_all_four_units_are_shipped() -> None:
    assert [u.name for u in UNITS] == [
        "lanekit-hq.service", "lanekit-kiosk.service", "lanekit-payhost.service", "lanekit.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_scores_ok_offline(unit: pathlib.Path) -> None:
    out = subprocess.run([_analyze(), "security", "--offline=true", str(unit)], capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", out.stdout + out.stderr)
    assert m, out.stdout + out.stderr
    assert float(m.group(1)) <= 2.0, f"{unit.name} scores {m.group(1)} {m.group(2)}"


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_verifies(unit: pathlib.Path, tmp_path: pathlib.Path) -> None:
    text = unit.read_text(encoding="utf-8")
    for program in PROGRAMS:
        stub = tmp_path / "bin" / pathlib.Path(program).name
        stub.parent.mkdir(exist_ok=True)
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
        text = text.replace(program, str(stub))
    copy = tmp_path / unit.name
    copy.write_text(text, encoding="utf-8")
    out = subprocess.run([_analyze(), "verify", str(copy)], capture_output=True, text=True)
    assert out.returncode == 0 and not out.stderr.strip(), out.stderr


def test_lane_unit_is_notify_with_a_watchdog_and_restarts() -> None:
    text = (UNITS[-1]).read_text(encoding="utf-8")
    for line in ("Type=notify", "WatchdogSec=30s", "Restart=on-failure", "User=lanekit", "DevicePolicy=closed"):
        assert f"\n{line}\n" in text, line
