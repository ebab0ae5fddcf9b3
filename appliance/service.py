"""`lanekit run`: the lane as the appliance's service, with the devices the config names.

systemd runs it as Type=notify: READY=1 once the journal is replayed and the devices are open,
WATCHDOG=1 from the event loop, STOPPING=1 on SIGTERM. A device that fails to open is reported
(STATUS= and the log) and retried; the lane keeps selling with what it has.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import pathlib
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

import msgspec

from appliance.config import ConfigError, Settings, load_settings
from appliance.domain.promotions import PromotionRules
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.lane_events import LaneNotice
from appliance.receipt import PrinterReceipts
from appliance.sdnotify import notify, watchdog_interval, watchdog_pinger
from appliance.store import paths
from appliance.store.audit import AuditLog
from appliance.store.errors import StoreError
from appliance.store_profile import StoreProfile, load_profile, load_promotions
from appliance.wiring import DataDirInUse, open_stores
from drivers.events import DriverError
from drivers.printer import open_printer
from drivers.scanner import open_scanner

log = logging.getLogger(__name__)
RETRY_S = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=None, help="lanekit.toml (default /etc/lanekit/lanekit.toml when present)")
    paths.add_data_dir_argument(parser)
    parser.add_argument("--ui", action="store_true", help="show the kiosk UI (the kiosk session unit runs this under cage)")


async def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        print(f"lanekit run: {err}", file=sys.stderr)
        return 2
    data_dir = paths.data_dir(args.data_dir or settings.data_dir or None)
    store_file = pathlib.Path(settings.lane.store_file) if settings.lane.store_file else data_dir / "store.toml"
    try:
        profile = load_profile(store_file)
        rules = load_promotions(profile)
        _check_devices(settings)
    except (ConfigError, DriverError, ValueError, msgspec.ValidationError) as err:
        print(f"lanekit run: {err}", file=sys.stderr)
        return 2
    try:
        return await _serve(args, settings, profile, rules, data_dir)
    except (DataDirInUse, StoreError, OSError) as err:
        print(f"lanekit run: {err}", file=sys.stderr)
        return 2


def _check_devices(settings: Settings) -> None:
    """Every configured device table validates before the lane starts: a typo is refused, not run."""
    d = settings.devices
    if d.scanner is not None:
        open_scanner(d.scanner, name="scanner")  # builds and validates; opens nothing
    if d.printer is not None:
        from drivers.printer import load_settings as printer_settings

        printer_settings(d.printer)
    if d.scale is not None:
        from drivers.scale import load_config

        load_config(d.scale)


async def _serve(args: argparse.Namespace, settings: Settings, profile: StoreProfile,
                 rules: PromotionRules | None, data_dir: pathlib.Path) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        replica, journal = await stack.enter_async_context(open_stores(data_dir))
        lane_conf = LaneConfig(settings.lane.id, number=settings.lane.number)
        receipts = None
        lane_ref: list[Lane] = []
        if settings.devices.printer is not None:
            printer = await stack.enter_async_context(open_printer(settings.devices.printer, spool_dir=data_dir / "spool"))
            receipts = PrinterReceipts(printer, on_alert=lambda m: lane_ref[0].notify("alert", m),
                                       lane_number=settings.lane.number)
        audit = await stack.enter_async_context(AuditLog(data_dir / "audit.db"))
        lane = Lane(lane_conf, profile, replica, journal, receipts, rules=rules, audit=audit)
        lane_ref.append(lane)
        await lane.start()
        tasks = [asyncio.create_task(_log_notices(lane), name="notices")]
        if settings.devices.scanner is not None:
            tasks.append(asyncio.create_task(_scanner_loop(lane, settings.devices.scanner, stop), name="scanner"))
        interval = watchdog_interval()
        if interval:
            tasks.append(asyncio.create_task(watchdog_pinger(interval), name="watchdog"))
        notify(f"READY=1\nSTATUS=lane {settings.lane.id} ready")
        log.info("lane %s ready (data dir %s)", settings.lane.id, data_dir)
        ui_runner = getattr(args, "ui_runner", None)
        if ui_runner is not None:
            await ui_runner(lane, stop, portrait=settings.lane.kind == "handheld")
        else:
            await stop.wait()
        notify("STOPPING=1")
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return 0


async def _log_notices(lane: Lane) -> None:
    async for event in lane.events():
        if isinstance(event, LaneNotice):
            log.log(logging.WARNING if event.level != "info" else logging.INFO, "%s", event.message)


async def _scanner_loop(lane: Lane, table: dict[str, Any], stop: asyncio.Event) -> None:
    """Feed scans to the lane; reopen the scanner after it fails or is unplugged."""
    while not stop.is_set():
        try:
            async with open_scanner(table, name="scanner") as scanner:
                async for scan in _until(scanner, stop):
                    try:
                        await lane.scan(scan.data, scan.symbology)
                    except LaneError:
                        pass  # the lane already told the UI why
        except DriverError as err:
            log.warning("scanner: %s; retrying in %.0f s", err, RETRY_S)
            notify(f"STATUS=scanner unavailable: {err}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RETRY_S)


async def _until(scanner: Any, stop: asyncio.Event) -> AsyncIterator[Any]:
    async for item in scanner:
        yield item
        if stop.is_set():
            return
