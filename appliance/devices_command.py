"""`lanekit devices`: list the lane's devices and their state; `lanekit devices test KIND` for field techs.

    lanekit devices [--config FILE] [--uevents FILE]     the device map and what is plugged in
    lanekit devices test scanner [--sim FILE] ...        show scans (see appliance/devices_scanner.py)
    lanekit devices test printer [--sim] ...             print the test page (appliance/devices_printer.py)
    lanekit devices test scale [--sim PROTOCOL] ...      read a weight (appliance/devices_scale.py)

`TESTS` is the table of field tests: kind -> (module, add-arguments function, run function). A kind's
module is imported only when that kind is tested. Device kinds add their line here.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import tomllib
from pathlib import Path
from typing import Any, TextIO

DEFAULT_CONFIG = Path("/etc/lanekit/lanekit.toml")

TESTS: dict[str, tuple[str, str, str]] = {
    "scanner": ("appliance.devices_scanner", "add_scanner_arguments", "run_scanner_test"),
    "printer": ("appliance.devices_printer", "add_printer_arguments", "run_printer_test"),
    "scale": ("appliance.devices_scale", "add_scale_arguments", "run_scale_test"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=["list", "test"], default="list",
                        help="list (default): the device map and its state; test KIND: try one device")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="for test: the kind and its options")
    parser.add_argument("--config", type=Path, help=f"lane config TOML (default {DEFAULT_CONFIG} when present)")
    parser.add_argument("--uevents", type=Path,
                        help="a `udevadm monitor --udev --property` capture to read instead of this machine's /sys")
    parser.epilog = "test kinds: " + ", ".join(sorted(TESTS))


async def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    if args.action == "test":
        return await _run_test(args.rest, out, verbose=getattr(args, "verbose", 0))
    return _list(args, out)


async def _run_test(rest: list[str], out: TextIO, *, verbose: int = 0) -> int:
    if not rest or rest[0] not in TESTS:
        print(f"lanekit devices test: name a device kind: {', '.join(sorted(TESTS))}", file=out)
        return 2
    kind = rest[0]
    module_name, add_name, run_name = TESTS[kind]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"lanekit devices test {kind}")
    getattr(module, add_name)(parser)
    sub_args = parser.parse_args(rest[1:])
    sub_args.verbose = verbose
    result = getattr(module, run_name)(sub_args, out)
    if inspect.isawaitable(result):
        result = await result
    return int(result or 0)


def _list(args: argparse.Namespace, out: TextIO) -> int:
    from drivers.device_map import DeviceMap, DeviceMapError
    from drivers.discovery import coldplug
    from drivers.events import BackendUnavailable
    from drivers.inventory import format_inventory, inventory
    from drivers.uevent import parse_monitor_text

    path = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    try:
        device_map = DeviceMap.from_toml(path.read_text(encoding="utf-8")) if path else DeviceMap()
    except (OSError, DeviceMapError) as err:
        print(f"configuration error: {err}", file=out)
        return 2
    present: list[Any]
    try:
        if args.uevents:
            present = list(parse_monitor_text(args.uevents.read_text(encoding="utf-8", errors="replace")))
        else:
            present = coldplug()
    except (OSError, BackendUnavailable) as err:
        print(f"cannot list the devices present: {err}", file=out)
        return 3
    rows, unmapped, errors = inventory(device_map, present)
    if path is None:
        print(f"no lane config ({DEFAULT_CONFIG} is missing; pass --config FILE): showing devices only", file=out)
    out.write(format_inventory(rows, unmapped, errors))
    return 0


def load_devices_table(path: Path, kind: str) -> dict[str, Any] | None:
    """The `[devices.<kind>]` table of a lane config, or None when it has none."""
    with open(path, "rb") as f:
        config = tomllib.load(f)
    devices = config.get("devices")
    table = devices.get(kind) if isinstance(devices, dict) else None
    return table if isinstance(table, dict) else None
