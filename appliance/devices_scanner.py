"""`lanekit devices test scanner`: open the configured scanner (or replay a recording) and show scans.

Record a keyboard-wedge scanner on the lane with `timeout 15 cat /dev/input/eventN > scans.evdev`
(scan a few barcodes meanwhile), then replay it anywhere with `--sim scans.evdev`, trying
`--layout` until the scans read right. Exit codes: 0 scans shown, 1 none, 2 configuration
error, 3 the scanner could not be opened.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any, TextIO

from appliance.devices_command import DEFAULT_CONFIG, load_devices_table
from drivers.events import BackendUnavailable, DeviceGone, DeviceInitError
from drivers.scanner import ScannerConfigError, WedgeOptions, open_scanner
from drivers.scanner.fieldtest import show_scans

_WEDGE_KEYS = frozenset(WedgeOptions.__struct_fields__)


def add_scanner_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help=f"lane config TOML (default {DEFAULT_CONFIG} when present)")
    parser.add_argument("--sim", type=Path, metavar="FILE",
                        help="replay a recorded /dev/input event stream instead of opening the scanner")
    parser.add_argument("--layout", help="keyboard layout the scanner is set to (us, gb, de, fr ...)")
    parser.add_argument("--suffix", choices=["enter", "tab", "none"], help="what ends a scan")
    parser.add_argument("--aim", action="store_true", help="the scanner sends an AIM symbology prefix")
    parser.add_argument("--count", type=int, help="stop after this many scans")
    parser.add_argument("--timeout", type=float, default=30.0, help="stop after this many seconds without a scan")


def _table(args: argparse.Namespace) -> dict[str, Any]:
    path = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    configured: dict[str, Any] = {}
    if path is not None:
        try:
            configured = load_devices_table(path, "scanner") or {}
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ScannerConfigError(f"cannot read config {path}: {err}") from err
    if args.sim is not None:
        # keep the configured decoding options, swap the device for the recording
        table: dict[str, Any] = {k: v for k, v in configured.items() if k in _WEDGE_KEYS}
        table.update(backend="sim", file=str(args.sim))
    elif configured:
        table = dict(configured)
    else:
        raise ScannerConfigError("no scanner configured: pass --config FILE with [devices.scanner], or --sim FILE")
    if args.layout:
        table["layout"] = args.layout
    if args.suffix:
        table["suffix"] = args.suffix
    if args.aim:
        table["aim_prefix"] = True
    return table


async def run_scanner_test(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        scanner = open_scanner(_table(args), name="scanner")
    except ScannerConfigError as err:
        print(f"configuration error: {err}", file=out)
        return 2
    except BackendUnavailable as err:
        print(f"cannot open the scanner: {err}", file=out)
        return 3
    settings = getattr(scanner, "settings", None)
    layout = getattr(settings, "layout", None)
    print(f"scanner: {scanner.backend}" + (f", layout {layout}" if layout else "") +
          ("" if args.sim else " — scan a barcode (Ctrl+C to stop)"), file=out, flush=True)
    try:
        async with scanner:
            shown = await show_scans(scanner, out, count=args.count, timeout=None if args.sim else args.timeout)
    except (DeviceInitError, BackendUnavailable) as err:
        print(f"cannot open the scanner: {err}", file=out)
        return 3
    except DeviceGone as err:
        print(f"the scanner went away: {err}", file=out)
        return 1
    print(f"{shown} scan(s); {scanner.frame_errors} rejected input(s)", file=out)
    return 0 if shown else 1
