"""The Scanner protocol through the backend table: config validation, lifecycle, the sim backend."""

from __future__ import annotations

import pathlib

import msgspec
import pytest

from drivers.events import BackendUnavailable, DeviceInitError, FrameError, Scan
from drivers.scanner import BACKENDS, ScannerConfigError, open_scanner
from drivers.scanner.evdev_wedge import find_device
from drivers.scanner.settings import EvdevWedgeSettings, SimSettings
from drivers.scanner.sim import SimScanner
from drivers.scanner.wedge_encoder import WedgeEncoder, to_bytes


def recording(tmp_path: pathlib.Path, layout: str, *codes: str) -> pathlib.Path:
    enc = WedgeEncoder(layout=layout)
    path = tmp_path / "scans.evdev"
    path.write_bytes(b"".join(to_bytes(enc.scan(c)) for c in codes))
    return path


async def test_sim_backend_from_config_replays_a_recording(tmp_path: pathlib.Path) -> None:
    path = recording(tmp_path, "de", "4006381333931", "Zeitung")
    async with open_scanner({"backend": "sim", "file": str(path), "layout": "de"}, name="lane1") as scanner:
        assert scanner.backend == "sim" and scanner.is_open
        scans = [s async for s in scanner]
    assert scans == [Scan(b"4006381333931", None, "lane1"), Scan(b"Zeitung", None, "lane1")]
    assert not scanner.is_open


async def test_the_wrong_layout_in_config_gives_the_garbled_read(tmp_path: pathlib.Path) -> None:
    path = recording(tmp_path, "de", "4006381333931")
    async with open_scanner({"backend": "sim", "file": str(path), "layout": "fr"}) as scanner:
        assert [s.text async for s in scanner] == ["'àà-\"_&\"\"\"ç\"&"]


async def test_events_include_rejected_input_and_iteration_goes_on(tmp_path: pathlib.Path) -> None:
    path = recording(tmp_path, "us", "ABC", "]E04006381333931")
    async with open_scanner({"backend": "sim", "file": str(path), "aim_prefix": True}) as scanner:
        items = [x async for x in scanner.events()]
    assert isinstance(items[0], FrameError) and "symbology" in items[0].reason
    assert items[1] == Scan(b"4006381333931", "]E0")
    assert scanner.frame_errors == 1 and list(scanner.recent_errors) == [items[0]]


async def test_close_is_idempotent_and_a_failed_open_needs_no_close(tmp_path: pathlib.Path) -> None:
    scanner = open_scanner({"backend": "sim", "file": str(tmp_path / "missing.evdev")})
    with pytest.raises(DeviceInitError, match=r"missing\.evdev"):
        await scanner.open()
    await scanner.close()  # nothing to release: must not raise
    ok = SimScanner.from_bytes(b"")
    await ok.open()
    await ok.close()
    await ok.close()
    assert await ok.read() is None
    with pytest.raises(RuntimeError, match="already opened"):
        await ok.open()


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"backend": "sim", "file": "x", "layot": "de"}, "layot"),
        ({"backend": "sim", "file": "x", "suffix": "newline"}, "suffix"),
        ({"backend": "sim", "file": "x", "idle_gap_ms": 0}, "idle_gap_ms"),
        ({"backend": "sim", "file": "x", "layout": "xx"}, "'xx'"),
        ({"backend": "evdev_wedge", "layout": "de"}, "vid_pid or name"),
        ({"backend": "sim", "gs_substitute": "1"}, "gs_substitute"),
        ({"backend": "serial", "port": "/dev/ttyACM0", "gs_substitute": "~~"}, "gs_substitute"),
        ({"backend": "evdev_wedge", "vid_pid": "5e0:1200"}, "four hex digits"),
        ({"backend": "serial", "port": "/dev/ttyACM0", "baudrate": "9600"}, "baudrate"),
        ({"layout": "de"}, "'backend'"),
    ],
)
def test_bad_config_is_refused_naming_the_key(config: dict[str, object], match: str) -> None:
    with pytest.raises(ScannerConfigError, match=match):
        open_scanner(config, name="front")


def test_unknown_or_unimportable_backend_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BackendUnavailable, match="known: evdev_wedge, hid_pos, serial, sim") as info:
        open_scanner({"backend": "opos"})
    assert info.value.backend == "opos"
    monkeypatch.setitem(BACKENDS, "vendor_sdk", ("drivers.scanner._vendor_sdk_not_installed", "VendorScanner"))
    with pytest.raises(BackendUnavailable, match=r"cannot import drivers\.scanner\._vendor_sdk_not_installed"):
        open_scanner({"backend": "vendor_sdk"})


def test_evdev_device_selection_never_guesses(tmp_path: pathlib.Path) -> None:
    settings = EvdevWedgeSettings(vid_pid="05e0:1200")
    with pytest.raises(DeviceInitError, match=r"no keyboard input device with vid_pid 05e0:1200; seen: none"):
        find_device(settings, paths=[])
    missing = str(tmp_path / "event99")
    with pytest.raises(DeviceInitError, match="event99 \\(cannot open"):
        find_device(EvdevWedgeSettings(name="Honeywell Scanner", path=missing))


async def test_live_sim_types_scans_through_the_same_read_path() -> None:
    async with open_scanner({"backend": "sim", "layout": "fr", "aim_prefix": True}, name="kiosk") as scanner:
        await scanner.type_scan("]E04006381333931")  # type: ignore[attr-defined]
        await scanner.type_scan("]d20107032069804988100329\x1d15210526", gs="alt")  # type: ignore[attr-defined]
        assert await scanner.read(timeout=5) == Scan(b"4006381333931", "]E0", "kiosk")
        assert await scanner.read(timeout=5) == Scan(b"0107032069804988100329\x1d15210526", "]d2", "kiosk")
        await scanner.end()  # type: ignore[attr-defined]
        assert await scanner.read(timeout=5) is None
        with pytest.raises(RuntimeError, match="live simulator"):
            await scanner.type_scan("1")  # type: ignore[attr-defined]


async def test_live_sim_without_suffix_ends_scans_on_the_idle_timer() -> None:
    async with SimScanner.from_bytes(b"", layout="us") as recorded:
        assert await recorded.read(timeout=5) is None
    live = SimScanner(msgspec.convert({"layout": "de", "suffix": "none", "idle_gap_ms": 30}, SimSettings))
    async with live:
        await live.type_scan("Zeitung")
        assert await live.read(timeout=5) == Scan(b"Zeitung")
