"""The supervisor over discovery: a serial scanner on a real pty is unplugged and comes back
(new tty, same by-id link) and scans flow again; a scale with no driver here is still reported."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from drivers.device_map import DeviceMap
from drivers.discovery import Discovery, UeventFeed
from drivers.events import DeviceAttached, DeviceDetached, Scan
from drivers.scanner.wedge_encoder import WedgeEncoder, to_bytes
from drivers.supervisor import Supervisor
from drivers.uevent import UEvent
from tests.support.replug import PtyScanner


@pytest.fixture
def pty_scanner(tmp_path: pathlib.Path) -> Iterator[PtyScanner]:
    scanner = PtyScanner(tmp_path / "usb-Newland_NLS-FR40-if00")
    yield scanner
    scanner.close()


async def next_of(events: AsyncIterator[Any], kind: type) -> Any:
    async with asyncio.timeout(10):
        async for item in events:
            if isinstance(item, kind):
                return item
    raise AssertionError("supervisor stream ended")


async def test_serial_scanner_replug_comes_back_and_scans_again(pty_scanner: PtyScanner) -> None:
    dmap = DeviceMap.from_devices({
        "scanner": {"backend": "serial", "port": str(pty_scanner.link), "suffix": "\r", "aim_prefix": True},
        "scale": {"protocol": "toledo8217", "port": "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5Q3B-if00-port0"},
    })
    feed = UeventFeed()
    async with Supervisor(Discovery(dmap).watch(feed)) as sup:
        events = aiter(sup)
        feed.push(pty_scanner.plug())
        att = await next_of(events, DeviceAttached)
        assert (att.kind, att.device, att.info["vid_pid"]) == ("scanner", "scanner", "1eab:8306")
        pty_scanner.scan(b"]E04006381333931\r")
        assert await next_of(events, Scan) == Scan(b"4006381333931", "]E0", "scanner")
        assert sup.states["scanner"].state == "open" and sup.states["scanner"].opens == 1

        feed.push(pty_scanner.unplug())
        assert await next_of(events, DeviceDetached) == DeviceDetached("scanner", "scanner")
        assert sup.states["scanner"].state == "absent"

        feed.push(pty_scanner.plug())
        await next_of(events, DeviceAttached)
        pty_scanner.scan(b"]E05901234123457\r")
        assert await next_of(events, Scan) == Scan(b"5901234123457", "]E0", "scanner")
        assert sup.states["scanner"].opens == 2

        # the scale has no driver in this supervisor: its attach is reported as such
        feed.push(UEvent("add", "/devices/usb1/1-4/ttyUSB0/tty/ttyUSB0", "tty", {
            "DEVNAME": "/dev/ttyUSB0",
            "DEVLINKS": "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5Q3B-if00-port0"}))
        scale = await next_of(events, DeviceAttached)
        assert scale.settings == {"protocol": "toledo8217",
                                  "port": "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5Q3B-if00-port0"}
        assert sup.states["scale"].state == "attached"


async def test_read_error_before_the_remove_uevent_reports_one_detach(pty_scanner: PtyScanner) -> None:
    dmap = DeviceMap.from_devices({"scanner": {"backend": "serial", "port": str(pty_scanner.link)}})
    feed = UeventFeed()
    async with Supervisor(Discovery(dmap).watch(feed)) as sup:
        events = aiter(sup)
        feed.push(pty_scanner.plug())
        await next_of(events, DeviceAttached)
        remove = pty_scanner.unplug()  # the driver sees the hang-up first ...
        assert await next_of(events, DeviceDetached) == DeviceDetached("scanner", "scanner")
        feed.push(remove)  # ... and udev's remove arrives after: no second detach
        feed.push(pty_scanner.plug())
        item = await next_of(events, DeviceAttached | DeviceDetached)
        assert isinstance(item, DeviceAttached)


async def test_open_failures_are_retried_while_attached(tmp_path: pathlib.Path) -> None:
    link = tmp_path / "not-yet"
    dmap = DeviceMap.from_devices({"scanner": {"backend": "serial", "port": str(link)}})
    feed = UeventFeed()
    async with Supervisor(Discovery(dmap).watch(feed),
                          retry_s=(0.01, 0.05)) as sup:
        events = aiter(sup)
        feed.push(UEvent("add", "/devices/x/tty/ttyACM3", "tty", {"DEVNAME": "/dev/ttyACM3", "DEVLINKS": str(link)}))
        async with asyncio.timeout(10):
            while "scanner" not in sup.states or sup.states["scanner"].state != "failed":
                await asyncio.sleep(0.01)
        assert "not-yet" in sup.states["scanner"].detail
        scanner = PtyScanner(link)
        scanner.plug()  # the node appears (udev rules finished): the next retry opens it
        try:
            await next_of(events, DeviceAttached)
            assert sup.states["scanner"].state == "open"
        finally:
            scanner.close()


async def test_static_sim_scanner_from_the_device_map(tmp_path: pathlib.Path) -> None:
    enc = WedgeEncoder(layout="fr")
    path = tmp_path / "fr.evdev"
    path.write_bytes(to_bytes(enc.scan("4006381333931")))
    dmap = DeviceMap.from_devices({"scanner": {"backend": "sim", "file": str(path), "layout": "fr"}})
    feed = UeventFeed()
    async with Supervisor(Discovery(dmap).watch(feed)) as sup:
        events = aiter(sup)
        assert (await next_of(events, DeviceAttached)).info["node"] == "static"
        assert await next_of(events, Scan) == Scan(b"4006381333931", None, "scanner")


class CommandDriven:
    """A driver the lane calls into (as a scale is), with no event stream of its own."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.open = False
        self.closed = False

    async def __aenter__(self) -> CommandDriven:
        self.open = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.open, self.closed = False, True


async def test_command_driven_driver_is_held_open_until_detach() -> None:
    port = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5Q3B-if00-port0"
    dmap = DeviceMap.from_devices({"scale": {"protocol": "toledo8217", "port": port}})
    built: list[CommandDriven] = []

    async def open_scale(att: DeviceAttached) -> CommandDriven:  # an async opener, as open_scale is
        built.append(CommandDriven(att.settings))
        return built[-1]

    feed = UeventFeed()
    tty = UEvent("add", "/devices/usb1/1-4/ttyUSB0/tty/ttyUSB0", "tty", {"DEVNAME": "/dev/ttyUSB0", "DEVLINKS": port})
    async with Supervisor(Discovery(dmap).watch(feed), openers={"scale": open_scale}) as sup:
        events = aiter(sup)
        feed.push(tty)
        await next_of(events, DeviceAttached)
        assert sup.drivers["scale"] is built[0] and built[0].open
        assert built[0].settings == {"protocol": "toledo8217", "port": port}
        feed.push(UEvent("remove", tty.devpath, "tty", {}))
        assert await next_of(events, DeviceDetached) == DeviceDetached("scale", "scale")
        assert built[0].closed and "scale" not in sup.drivers and sup.states["scale"].state == "absent"
