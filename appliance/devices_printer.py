"""`lanekit devices test printer`: print the test page on the configured printer, or on a
simulated one (`--sim`), then show its status and a text preview.

The printer comes from the `[devices.printer]` table of the lane's TOML config (see
docs/printer.md for its keys). Exit codes: 0 printed, 1 the print failed (the page is in the
spool), 2 configuration error, 3 the printer could not be opened.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from appliance.config import DEFAULT_CONFIG_PATH, ConfigError, load_settings
from drivers.events import BackendUnavailable, DeviceInitError, DeviceOperationError, FrameError
from drivers.printer import (
    PrinterConfigError,
    PrintFailed,
    SimulatedPrinter,
    open_printer,
    render_png,
    render_text,
)
from drivers.printer.testpage import build_test_page


def add_printer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sim", action="store_true", help="print on a simulated printer on loopback")
    parser.add_argument("--profile", help="printer profile (overrides the config; default for --sim: TM-T20II)")
    parser.add_argument("--config", type=Path, help=f"lane config TOML (default {DEFAULT_CONFIG_PATH} when present)")
    parser.add_argument("--spool-dir", type=Path, help="reprint spool directory (default: a temporary one)")
    parser.add_argument("--png", type=Path, help="also write a PNG preview of the test page here")


def _printer_table(path: Path | None) -> dict[str, Any]:
    try:
        settings = load_settings(path)
    except ConfigError as err:
        raise PrinterConfigError(str(err)) from err
    if settings.devices.printer is None:
        where = path or (DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else "the default config")
        raise PrinterConfigError(f"{where} has no [devices.printer] table (or pass --sim)")
    return dict(settings.devices.printer)


async def run_printer_test(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        if args.sim:
            settings: dict[str, Any] = {"backend": "sim", "name": "sim", "profile": args.profile or "TM-T20II"}
        else:
            settings = _printer_table(args.config)
            if args.profile:
                settings = {**settings, "profile": args.profile}
        with tempfile.TemporaryDirectory(prefix="lanekit-printer-test-") as tmp:
            spool_dir = args.spool_dir or Path(tmp)
            printer = open_printer(settings, spool_dir=spool_dir)
            page = build_test_page(printer.profile, printer_name=printer.name)
            try:
                async with printer:
                    await printer.print(page)
                    status = await printer.status() if printer.supports_status else None
                    device = getattr(printer, "device", None)
            except PrintFailed as err:
                print(f"test page NOT printed: {err}", file=out)
                return 1
            except (DeviceInitError, BackendUnavailable) as err:
                print(f"cannot open the printer: {err}", file=out)
                return 3
            except (DeviceOperationError, FrameError) as err:
                print(f"printer error: {err}", file=out)
                return 1
    except PrinterConfigError as err:
        print(f"configuration error: {err}", file=out)
        return 2
    out.write(render_text(page, printer.profile))
    if args.png:
        args.png.write_bytes(render_png(page, printer.profile))
        print(f"PNG preview: {args.png}", file=out)
    print(f"printer {printer.name}: {type(printer).__name__}, profile {printer.profile.name}, "
          f"code page {printer.profile.code_page} (ESC t {printer.profile.code_page_number})", file=out)
    print(f"status: {status.detail if status else 'not readable on this backend'}", file=out)
    if isinstance(device, SimulatedPrinter):
        print(f"simulated printer received {len(device.received)} bytes, {device.cuts} cut(s)", file=out)
    return 0
