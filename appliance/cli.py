"""The `lanekit` command: the composition root.

Each subcommand lives in its own module and is imported only when chosen, so `lanekit demo`
never pays for Kivy and no subcommand ever loads key-handling code (that is `lanekit-payhost`).
A module in COMMANDS provides `add_arguments(parser)` and `run(args) -> int` (sync or async).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import logging
import os
import sys
from collections.abc import Sequence

from appliance import __version__

# name -> (module, one-line help). Extended as the issues land.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("appliance.demo.command", "run a scripted sale on simulated devices with the sample catalog"),
    "run": ("appliance.service", "run the lane with the configured devices (the systemd service)"),
    "catalog": ("appliance.importers.command", "import a catalog file (Shopify, WooCommerce) into the replica"),
    "journal": ("appliance.store.command", "inspect and verify the sale journal"),
    "audit": ("appliance.audit_command", "verify or show the audit log; hash an associate's PIN"),
    "hq": ("mqtt.hq.command", "HQ side: serve the fleet (sales, sync, heartbeats), publish catalogs, receive stock"),
    "pki": ("mqtt.pki_command", "fleet certificates: CA, broker, devices, services, revocation (CRL)"),
    "devices": ("appliance.devices_command", "list the lane's devices and their state; `devices test KIND` tries one"),
    "fleet": ("mqtt.fleet.command", "fleet manager: signing key, devices, staged config push with rollback, status"),
}


def _top_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lanekit",
        description="Lanekit point-of-sale appliance.",
        epilog="commands:\n" + "\n".join(f"  {n:<10} {h}" for n, (_, h) in COMMANDS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"lanekit {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    p.add_argument("command", choices=sorted(COMMANDS), metavar="COMMAND", help="one of the commands below")
    return p


def _wants_ui(args: argparse.Namespace) -> bool:
    mode = getattr(args, "ui", False)
    if mode == "auto":
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return mode in (True, "on")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    top = _top_parser()
    # Split at the command name so its own options are parsed by its own parser.
    idx = next((i for i, a in enumerate(argv) if a in COMMANDS), None)
    if idx is None:
        top.parse_args(argv)  # prints help/version or the error
        top.print_help()
        return 2
    globals_ns = top.parse_args([*argv[:idx], argv[idx]])
    name = argv[idx]
    module = importlib.import_module(COMMANDS[name][0])
    sub = argparse.ArgumentParser(prog=f"lanekit {name}", description=COMMANDS[name][1])
    module.add_arguments(sub)
    args = sub.parse_args(argv[idx + 1 :])
    args.verbose = globals_ns.verbose
    if _wants_ui(args):
        # the composition root is the one place that may hand the lane to the UI
        from kiosk_ui.app import run_kiosk

        args.ui_runner = run_kiosk
    logging.basicConfig(
        level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    result = module.run(args)
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
