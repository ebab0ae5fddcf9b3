"""Discovery from recorded uevents (udevadm monitor --property): attach, detach and replug of a
keyboard-wedge scanner (by VID:PID) and a serial scale (by its /dev/serial/by-id path)."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.device_map import DeviceMap, DeviceMapError
from drivers.discovery import Discovery, Seen, coldplug
from drivers.events import DeviceAttached, DeviceDetached, FrameError
from drivers.uevent import UEvent, from_pyudev, parse_monitor_text

RECORDING = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "uevents" / "scanner_scale_replug.udev"
SCALE_PORT = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5Q3B-if00-port0"
CONFIG = f"""
[devices.scanner]
backend = "evdev_wedge"
vid_pid = "05E0:1200"
layout = "de"

[devices.scale]
protocol = "toledo8217"
port = "{SCALE_PORT}"

[devices.printer]
backend = "network"
host = "192.0.2.10"
"""
SYMBOL_NAME = "Symbol Technologies, Inc, 2008 Symbol Bar Code Scanner"
HID = "/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0"


def test_recording_parses_and_a_broken_block_is_a_typed_error() -> None:
    text = RECORDING.read_text()
    items = list(parse_monitor_text(text))
    errors = [i for i in items if isinstance(i, FrameError)]
    assert len(items) == 13 and len(errors) == 1
    assert "not a KEY=VALUE property line" in errors[0].reason
    assert errors[0].offset == text.index("this line is not a property")
    kernel = [i for i in items if isinstance(i, UEvent) and i.source == "kernel"]
    assert [k.devpath.rsplit("/", 1)[1] for k in kernel] == ["input16", "event6"]


def test_scanner_and_scale_attach_detach_and_replug_with_their_settings() -> None:
    discovery = Discovery(DeviceMap.from_toml(CONFIG))
    changes = discovery.replay(parse_monitor_text(RECORDING.read_text()))
    assert changes == [
        DeviceAttached("scanner", "scanner", {
            "node": "/dev/input/event5", "devpath": f"{HID}/0003:05E0:1200.0009/input/input13/event5",
            "subsystem": "input", "backend": "evdev_wedge", "match": "input 05e0:1200",
            "vid_pid": "05e0:1200", "name": SYMBOL_NAME},
            {"backend": "evdev_wedge", "vid_pid": "05E0:1200", "layout": "de", "path": "/dev/input/event5"}),
        DeviceAttached("scale", "scale", {
            "node": "/dev/ttyUSB0", "devpath": "/devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.0/ttyUSB0/tty/ttyUSB0",
            "subsystem": "tty", "backend": "", "match": f"tty {SCALE_PORT}", "vid_pid": "0403:6001"},
            {"protocol": "toledo8217", "port": SCALE_PORT}),
        DeviceDetached("scanner", "scanner"),
        # replugged: the kernel's event (ids from the HID part of the path, name from its input parent) wins;
        # udev's copy of the same event is not a second attach
        DeviceAttached("scanner", "scanner", {
            "node": "/dev/input/event6", "devpath": f"{HID}/0003:05E0:1200.000A/input/input16/event6",
            "subsystem": "input", "backend": "evdev_wedge", "match": "input 05e0:1200",
            "vid_pid": "05e0:1200", "name": SYMBOL_NAME},
            {"backend": "evdev_wedge", "vid_pid": "05E0:1200", "layout": "de", "path": "/dev/input/event6"}),
        DeviceDetached("scale", "scale"),
    ]
    assert set(discovery.attached) == {"scanner"} and discovery.errors == 1
    # the human keyboard plugged in beside it is seen, not mapped, and never grabbed
    assert list(discovery.unmapped.values()) == [Seen("input", "/dev/input/event7", "046d:c31c", None)]


def test_static_devices_and_match_by_input_name() -> None:
    dmap = DeviceMap.from_devices({"scanner": {"backend": "evdev_wedge", "name": SYMBOL_NAME},
                                   "printer": {"backend": "network", "host": "192.0.2.10"}})
    discovery = Discovery(dmap)
    assert [(a.device, a.info["node"]) for a in discovery.static_devices()] == [("printer", "static")]
    changes = discovery.replay(parse_monitor_text(RECORDING.read_text()))
    assert [(type(c).__name__, getattr(c, "info", {}).get("node")) for c in changes] == [
        ("DeviceAttached", "/dev/input/event5"), ("DeviceDetached", None), ("DeviceAttached", "/dev/input/event6")]


def test_hid_pos_scanner_matches_the_usb_device() -> None:
    dmap = DeviceMap.from_devices({"scanner": {"backend": "hid_pos", "vid_pid": "05e0:1200"}})
    changes = Discovery(dmap).replay(parse_monitor_text(RECORDING.read_text()))
    assert [(type(c).__name__, getattr(c, "info", {}).get("node")) for c in changes] == [
        ("DeviceAttached", "/dev/bus/usb/001/007"), ("DeviceDetached", None)]


@pytest.mark.parametrize(("text", "match"), [
    ("[devices.till]\nport = '/dev/ttyS0'\n", "unknown device kind"),
    ("[devices.scale]\nport = 3\n", "port must be a string"),
    ("[devices]\nscanner = 'x'\n", "must be a table"),
    ("[devices.scanner\n", "not valid TOML"),
])
def test_bad_device_maps_are_refused(text: str, match: str) -> None:
    with pytest.raises(DeviceMapError, match=match):
        DeviceMap.from_toml(text)


def test_real_sys_devices_convert_through_pyudev() -> None:
    import pyudev

    console = from_pyudev(pyudev.Devices.from_path(pyudev.Context(), "/sys/devices/virtual/tty/console"), "add")
    assert (console.action, console.subsystem, console.devname) == ("add", "tty", "/dev/console")
    present = coldplug(["tty"])
    assert any(ev.devpath == "/devices/virtual/tty/console" for ev in present)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
@given(st.lists(st.one_of(st.text(max_size=80), st.sampled_from([
    "UDEV  [1.0] add      /devices/x (input)", "ACTION=remove", "DEVNAME=/dev/input/event1", "",
    "KERNEL[2.5] remove   /devices/x (input)", "SUBSYSTEM=tty", "DEVPATH=/elsewhere"])), max_size=40))
def test_random_recordings_give_only_typed_results(lines: list[str]) -> None:
    items = list(parse_monitor_text("\n".join(lines)))
    assert all(isinstance(i, UEvent | FrameError) for i in items)
    discovery = Discovery(DeviceMap.from_toml(CONFIG))
    assert all(isinstance(c, DeviceAttached | DeviceDetached) for c in discovery.replay(items))
