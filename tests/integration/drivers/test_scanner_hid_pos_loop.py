"""The HID POS backend's real read loop (thread + call_soon_threadsafe) fed by the report simulator."""

from __future__ import annotations

import pytest

from drivers.events import DeviceGone, DeviceInitError, FrameError, Scan
from drivers.scanner import open_scanner
from drivers.scanner.hid_pos import HidPosScanner, SimReportSource
from drivers.scanner.hid_pos_report import build_report
from drivers.scanner.settings import HidPosSettings


async def test_scans_flow_through_the_reader_thread_and_unplug_ends_them() -> None:
    source = SimReportSource()
    scanner = HidPosScanner(HidPosSettings(vid_pid="0c2e:0b8f", timeout_ms=20), name="hh", source=source)
    async with scanner:
        source.push_scan(b"]C1 not AIM, just data", vendor_symbology=ord("j"))
        source.push(b"\x07junk")
        gs1 = b"0107032069804988100329\x1d15210526" * 3  # two reports long
        source.push_scan(gs1, "]C1")
        assert await scanner.read(timeout=5) == Scan(b"]C1 not AIM, just data", None, "hh")
        assert await scanner.read(timeout=5) == Scan(gs1, "]C1", "hh")
        assert scanner.frame_errors == 1 and "report id 0x07" in scanner.recent_errors[0].reason
        source.push(build_report(b"first half", "]C0", continued=True))
        source.unplug()
        events = []
        with pytest.raises(DeviceGone, match="simulated unplug"):
            async for item in scanner.events(timeout=5):
                events.append(item)
        assert isinstance(events[-1], FrameError) and "cut off" in events[-1].reason
    assert source.closed


async def test_no_such_usb_device_fails_to_open() -> None:
    scanner = open_scanner({"backend": "hid_pos", "vid_pid": "ffff:fffe"}, name="none")
    with pytest.raises(DeviceInitError, match="no USB device ffff:fffe"):
        await scanner.open()
    await scanner.close()
