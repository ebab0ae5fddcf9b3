"""`lanekit run` as systemd runs it: READY=1 and watchdog pings over $NOTIFY_SOCKET, clean SIGTERM."""

from __future__ import annotations

import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.support.proc import REPO, env


def _start(tmp: pathlib.Path, config: str) -> tuple[subprocess.Popen[str], socket.socket]:
    data = tmp / "data"
    data.mkdir()
    shutil.copy(REPO / "appliance" / "demo" / "store.toml", data / "store.toml")
    shutil.copy(REPO / "appliance" / "demo" / "promotions.json", data / "promotions.json")
    (tmp / "lanekit.toml").write_text(config, encoding="utf-8")
    sock_path = str(tmp / "notify.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(sock_path)
    srv.settimeout(60)
    proc = subprocess.Popen(
        [sys.executable, "-m", "appliance.cli", "run", "--config", str(tmp / "lanekit.toml"), "--data-dir", str(data)],
        env=env(NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="400000"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    return proc, srv


def test_ready_watchdog_and_clean_stop(tmp_path: pathlib.Path) -> None:
    receipts = tmp_path / "receipt.escpos"
    proc, srv = _start(tmp_path, f'[lane]\nid = "lane-07"\nnumber = 7\n[devices.printer]\nbackend = "file"\npath = "{receipts}"\n')
    try:
        messages = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(m == "WATCHDOG=1" for m in messages) < 2:
            messages.append(srv.recv(4096).decode())
        ready = [m for m in messages if m.startswith("READY=1")]
        assert ready == ["READY=1\nSTATUS=lane lane-07 ready"], messages
        assert messages[0] == ready[0]  # ready before the first watchdog ping
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        tail = []
        while "STOPPING=1" not in tail:
            tail.append(srv.recv(4096).decode())
        assert set(tail) <= {"WATCHDOG=1", "STOPPING=1"}
    finally:
        if proc.poll() is None:
            proc.kill()
        srv.close()


def test_bad_config_is_refused_with_the_key_and_exit_2(tmp_path: pathlib.Path) -> None:
    proc, srv = _start(tmp_path, '[lane]\nkind = "toaster"\n')
    _out, err = proc.communicate(timeout=60)
    srv.close()
    assert proc.returncode == 2
    assert "lane.kind" in err and "lanekit.toml" in err


@pytest.mark.parametrize(
    ("table", "message"),
    [('[devices.scale]\nbackend = "nope"\n', "at `$.backend`"),
     ('[devices.scanner]\nbackend = "evdev_wedge"\nvid_pid = "zzzz"\n', "vid_pid 'zzzz' must look like")],
)
def test_invalid_device_tables_are_refused_before_the_lane_runs(tmp_path: pathlib.Path, table: str, message: str) -> None:
    proc, srv = _start(tmp_path, table)
    _out, err = proc.communicate(timeout=60)
    srv.close()
    assert proc.returncode == 2 and message in err and "Traceback" not in err
