"""Issue 3: a scanner unplugged mid-sale comes back by itself and the sale goes on untouched.

The lane is real (SQLite replica and journal, demo store); the scanner is a USB-serial one on a
real pty, followed by discovery and the supervisor through the uevents a replug makes.
"""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator
from typing import Any

from appliance.domain.money import Money
from appliance.lane import Lane
from drivers.device_map import DeviceMap
from drivers.discovery import Discovery, UeventFeed
from drivers.events import DeviceAttached, DeviceDetached, Scan
from drivers.supervisor import Supervisor
from tests.support.replug import PtyScanner


async def next_of(events: AsyncIterator[Any], kind: type) -> Any:
    async with asyncio.timeout(10):
        async for item in events:
            if isinstance(item, kind):
                return item
    raise AssertionError("supervisor stream ended")


async def test_scanner_replugged_mid_sale_comes_back_and_the_sale_goes_on(lane: Lane, tmp_path: pathlib.Path) -> None:
    scanner = PtyScanner(tmp_path / "usb-Newland_NLS-FR40-if00")
    dmap = DeviceMap.from_devices({"scanner": {"backend": "serial", "port": str(scanner.link), "aim_prefix": True}})
    feed = UeventFeed()
    try:
        async with Supervisor(Discovery(dmap).watch(feed)) as supervisor:
            events = aiter(supervisor)
            feed.push(scanner.plug())
            await next_of(events, DeviceAttached)
            scanner.scan(b"]E04260000000011\r")  # Riesling 7.49
            scan = await next_of(events, Scan)
            await lane.scan(scan.data, scan.symbology)
            sale = lane.sale
            assert sale is not None

            feed.push(scanner.unplug())
            assert await next_of(events, DeviceDetached) == DeviceDetached("scanner", "scanner")
            feed.push(scanner.plug())
            await next_of(events, DeviceAttached)
            scanner.scan(b"]E04260000000035\r")  # Crème fraîche 1.19
            scan = await next_of(events, Scan)
            assert scan == Scan(b"4260000000035", "]E0", "scanner")
            await lane.scan(scan.data, scan.symbology)
            assert supervisor.states["scanner"].opens == 2
    finally:
        scanner.close()
    assert lane.sale is not None and lane.sale.sale_id == sale.sale_id
    view = lane.view()
    assert view is not None
    assert [ln.amount for ln in view.lines] == [Money(749, "EUR"), Money(119, "EUR")]
