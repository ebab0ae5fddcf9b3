"""`lanekit devices` and `lanekit devices test scanner` as real processes."""

from __future__ import annotations

import pathlib

from drivers.scanner.evdev_stream import EventStreamParser
from drivers.scanner.wedge_encoder import WedgeEncoder, to_bytes
from tests.support.proc import lanekit

RECORDING = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "uevents" / "scanner_scale_replug.udev"
CONFIG = """
[devices.scanner]
backend = "evdev_wedge"
vid_pid = "05e0:1200"
layout = "de"
aim_prefix = true

[devices.scale]
protocol = "toledo8217"
port = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5Q3B-if00-port0"
"""


def test_devices_lists_the_map_with_state_from_uevents(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "lanekit.toml"
    config.write_text(CONFIG)
    proc = lanekit("devices", "--config", str(config), "--uevents", str(RECORDING))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["DEVICE", "KIND", "BACKEND", "MATCH", "STATE"]
    assert lines[1].split(maxsplit=5) == ["scanner", "scanner", "evdev_wedge", "input", "05e0:1200",
                                          "attached at /dev/input/event6 (Symbol Technologies, Inc, 2008 Symbol Bar Code Scanner)"]
    assert lines[2].split() == ["scale", "scale", "-", "tty",
                                "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5Q3B-if00-port0", "not", "present"]
    assert "  input /dev/input/event7 046d:c31c" in lines
    assert "not a KEY=VALUE property line" in proc.stderr


def test_devices_test_scanner_replays_a_recording_with_the_configured_layout(tmp_path: pathlib.Path) -> None:
    enc = WedgeEncoder(layout="de", gs="alt")
    recording = tmp_path / "scans.evdev"
    recording.write_bytes(to_bytes(enc.scan("]C10107032069804988100329\x1d15210526") + enc.scan("]E04006381333931")
                                   + enc.scan("no aim")))
    config = tmp_path / "lanekit.toml"
    config.write_text(CONFIG)
    proc = lanekit("devices", "test", "scanner", "--config", str(config), "--sim", str(recording))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "scanner: sim, layout de",
        "scan 1: 0107032069804988100329<GS>15210526  [symbology ]C1, 31 bytes: "
        "30 31 30 37 30 33 32 30 36 39 38 30 34 39 38 38 31 30 30 33 32 39 1d 31 35 32 31 30 35 32 36]",
        "scan 2: 4006381333931  [symbology ]E0, 13 bytes: 34 30 30 36 33 38 31 33 33 33 39 33 31]",
        f"rejected: no symbology identifier (expected ']' and two characters) at offset {_offset_of_third(enc)}"
        " (no )",
        "2 scan(s); 1 rejected input(s)",
    ]
    wrong = lanekit("devices", "test", "scanner", "--sim", str(recording), "--layout", "fr", "--count", "1")
    assert wrong.returncode == 0
    # a QWERTZ scanner read as AZERTY: AltGr+9 (']') is '^', the digit row types &é"'(-è_çà
    assert "scan 1: ^C&à&àèà\"éà-ç_à'ç__&àà\"éç<GS>&(é&à(é-  [symbology none, 34 bytes" in wrong.stdout


def _offset_of_third(enc: WedgeEncoder) -> int:
    """Where the key press of the third scan's 'n' starts: after the first two scans and its MSC_SCAN record."""
    first = WedgeEncoder(layout="de", gs="alt")
    before = to_bytes(first.scan("]C10107032069804988100329\x1d15210526") + first.scan("]E04006381333931"))
    return len(before) + EventStreamParser().record_size


def test_devices_test_needs_a_scanner_and_a_kind(tmp_path: pathlib.Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    proc = lanekit("devices", "test", "scanner", "--config", str(empty))
    assert proc.returncode == 2 and "no scanner configured" in proc.stdout
    proc = lanekit("devices", "test", "scanner", "--sim", str(tmp_path / "missing.evdev"))
    assert proc.returncode == 3 and "missing.evdev" in proc.stdout
    proc = lanekit("devices", "test", "toaster")
    assert proc.returncode == 2 and "name a device kind: printer, scale, scanner" in proc.stdout
