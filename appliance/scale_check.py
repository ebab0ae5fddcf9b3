"""`lanekit devices test scale`: read one weight from the configured scale, or from a simulator.

For field technicians: it opens the scale exactly as the lane does, asks for a weight and prints
what came back (a weight, or the status that explains why there is none). Exit status 0 means a
stable weight was read, 1 a status or no answer, 2 a configuration problem.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tomllib
from decimal import Decimal, InvalidOperation
from typing import TextIO

from drivers.events import DeviceInitError, DriverError, ScaleStatus, Weight
from drivers.scale import SIM_PROTOCOLS, ScaleConfig, ScaleConfigError, load_config, open_scale, stable_weight


def add_arguments(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--config", type=pathlib.Path, help="the lane's TOML config; its [scale] table is used")
    src.add_argument("--sim", choices=SIM_PROTOCOLS, help="a simulated scale speaking PROTOCOL on a pty")
    parser.add_argument("--sim-weight", default="1.250", help="what the simulator puts on the platter (default 1.250)")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="keep asking up to SECONDS for a stable weight above zero (default: ask once)")


def _config(args: argparse.Namespace) -> ScaleConfig:
    if args.sim:
        return ScaleConfig(protocol=args.sim, backend="sim", name=f"sim-{args.sim}")
    try:
        table = tomllib.loads(args.config.read_text(encoding="utf-8"))
    except OSError as err:
        raise ScaleConfigError(f"cannot read {args.config}: {err.strerror}") from err
    except tomllib.TOMLDecodeError as err:
        raise ScaleConfigError(f"{args.config} is not valid TOML: {err}") from err
    scale = table.get("scale")
    if not isinstance(scale, dict):
        raise ScaleConfigError(f"{args.config} has no [scale] table", "$.scale")
    return load_config(scale)


def _describe(reading: Weight | ScaleStatus) -> str:
    if isinstance(reading, Weight):
        return f"weight {reading.value} {reading.unit.value}{' net' if reading.net else ''} (stable)"
    return f"status {reading.state.value}: {reading.detail}"


async def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        config = _config(args)
        sim_weight = Decimal(args.sim_weight)
    except (ScaleConfigError, InvalidOperation) as err:
        print(f"lanekit devices test scale: {err}", file=sys.stderr)
        return 2
    try:
        scale = await open_scale(config)
    except (DeviceInitError, ScaleConfigError) as err:
        print(f"lanekit devices test scale: {err}", file=sys.stderr)
        return 2
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
