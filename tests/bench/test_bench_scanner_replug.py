"""Issue 3: a scanner unplugged and plugged back comes back by itself — recovery time, goal ≤ 2 s.

Rig: a USB-serial scanner on a real pty behind a by-id style link, discovery fed the udev
events a replug makes, the supervisor reopening the driver. Recovery = from the 'add' uevent to
the reopened driver delivering a scan. Baseline, same run: opening the same scanner directly
(no discovery, no supervisor) and reading one scan — the floor any recovery pays.
"""

from __future__ import annotations

import asyncio
import pathlib
import tempfile
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from drivers.device_map import DeviceMap
from drivers.discovery import Discovery, UeventFeed
from drivers.events import DeviceAttached, DeviceDetached, Scan
from drivers.scanner import open_scanner
from drivers.supervisor import Supervisor
from tests.bench.report import percentile, record, scaled
from tests.support.replug import PtyScanner

BENCH = "scanner-replug"
GOAL_S = 2.0


async def _next(events: AsyncIterator[Any], kind: type) -> Any:
    async with asyncio.timeout(10):
        async for item in events:
            if isinstance(item, kind):
                return item
    raise AssertionError("supervisor stream ended")


async def _baseline(link: pathlib.Path) -> float:
    scanner = PtyScanner(link)
    try:
        scanner.plug()
        t = time.perf_counter()
        async with open_scanner({"backend": "serial", "port": str(link)}) as s:
            scanner.scan(b"4006381333931\r")
            assert await s.read(timeout=5) == Scan(b"4006381333931")
        return time.perf_counter() - t
    finally:
        scanner.close()


@pytest.mark.bench
async def test_replugged_scanner_recovery_time() -> None:
    replugs = scaled(200, minimum=5)
    with tempfile.TemporaryDirectory(prefix="lanekit-replug-") as tmp:
        link = pathlib.Path(tmp) / "usb-Newland_NLS-FR40-if00"
        dmap = DeviceMap.from_devices({"scanner": {"backend": "serial", "port": str(link)}})
        feed = UeventFeed()
        scanner = PtyScanner(link)
        recovery: list[float] = []
        baseline: list[float] = []
        try:
            async with Supervisor(Discovery(dmap).watch(feed)) as sup:
                events = aiter(sup)
                feed.push(scanner.plug())
                await _next(events, DeviceAttached)
                for i in range(replugs):
                    feed.push(scanner.unplug())
                    assert await _next(events, DeviceDetached) == DeviceDetached("scanner", "scanner")
                    t = time.perf_counter()
                    feed.push(scanner.plug())
                    await _next(events, DeviceAttached)
                    code = f"{i:013d}".encode()
                    scanner.scan(code + b"\r")
                    assert await _next(events, Scan) == Scan(code, None, "scanner")
                    recovery.append(time.perf_counter() - t)
                    baseline.append(await _baseline(pathlib.Path(tmp) / "baseline-link"))
                assert sup.states["scanner"].opens == replugs + 1
        finally:
            scanner.close()
    p50, p95, worst = percentile(recovery, 50), percentile(recovery, 95), max(recovery)
    base = percentile(baseline, 50)
    note = f"{replugs} replugs; uevent 'add' -> reopened -> first scan"
    record(BENCH, "recovery p50", p50, "s", goal=GOAL_S, baseline=base, note=note)
    record(BENCH, "recovery p95", p95, "s", goal=GOAL_S, baseline=percentile(baseline, 95), note=note)
    record(BENCH, "recovery max", worst, "s", goal=GOAL_S, note=note)
