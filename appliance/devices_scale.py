"""`lanekit devices test scale`: read one weight from the configured scale, or from a simulator.

For field technicians: it opens the scale exactly as the lane does (the `[devices.scale]` table of
the lane's config, keys in drivers/scale/config.py), asks for a weight and prints what came back: a
weight, or the status that explains why there is none. Exit status 0 means a stable weight was read,
1 a status or no answer, 2 a configuration problem, 3 the scale could not be opened.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tomllib
from decimal import Decimal, InvalidOperation
from typing import TextIO

from appliance.devices_command import DEFAULT_CONFIG, load_devices_table
from drivers.events import BackendUnavailable, DeviceInitError, DriverError, ScaleStatus, Weight
from drivers.scale import SIM_PROTOCOLS, ScaleConfig, ScaleConfigError, load_config, open_scale, stable_weight


def add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--config", type=pathlib.Path,
                     help=f"lane config TOML (default {DEFAULT_CONFIG} when present); its [devices.scale] table is used")
    src.add_argument("--sim", choices=SIM_PROTOCOLS, metavar="PROTOCOL",
                     help=f"a simulated scale speaking PROTOCOL on a pty ({', '.join(SIM_PROTOCOLS)})")
    parser.add_argument("--sim-weight", default="1.250", help="what the simulator puts on the platter (default 1.250)")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="keep asking up to SECONDS for a stable weight above zero (default: ask once)")


def _config(args: argparse.Namespace) -> ScaleConfig:
    if args.sim:
        return ScaleConfig(protocol=args.sim, backend="sim", name=f"sim-{args.sim}")
    path = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    if path is None:
        raise ScaleConfigError(f"no scale configured ({DEFAULT_CONFIG} is missing): pass --config FILE or --sim PROTOCOL")
    try:
        table = load_devices_table(path, "scale")
    except OSError as err:
        raise ScaleConfigError(f"cannot read {path}: {err.strerror}") from err
    except tomllib.TOMLDecodeError as err:
        raise ScaleConfigError(f"{path} is not valid TOML: {err}") from err
    if table is None:
        raise ScaleConfigError(f"{path} has no [devices.scale] table", "$.devices.scale")
    return load_config(table)


def _describe(reading: Weight | ScaleStatus) -> str:
    if isinstance(reading, Weight):
        return f"weight {reading.value} {reading.unit.value}{' net' if reading.net else ''} (stable)"
    return f"status {reading.state.value}: {reading.detail}"


async def run_scale_test(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        config = _config(args)
        sim_weight = Decimal(args.sim_weight)
    except (ScaleConfigError, InvalidOperation) as err:
        print(f"configuration error: {err}", file=out)
        return 2
    try:
        scale = await open_scale(config)
    except ScaleConfigError as err:
        print(f"configuration error: {err}", file=out)
        return 2
    except (DeviceInitError, BackendUnavailable) as err:
        print(f"cannot open the scale: {err}", file=out)
        return 3
    async with scale:
        sim = getattr(scale, "sim", None)
        if sim is not None:
            sim.set(sim_weight)
        where = getattr(scale, "port", "?")
        print(f"scale {config.name}: protocol {scale.protocol} on {where}", file=out)
        try:
            if args.wait > 0:
                reading: Weight | ScaleStatus = await stable_weight(scale, args.wait)
            else:
                reading = await scale.request_weight()
        except DriverError as err:
            print(f"no weight: {err}", file=out)
            return 1
        print(_describe(reading), file=out)
        return 0 if isinstance(reading, Weight) else 1
