"""`lanekit fleet`: the fleet manager's tools — keys, devices, staged config pushes, status.

    lanekit fleet keygen --private fleet.key --public fleet.pub
    lanekit fleet --db hq.db register s0042-lane03 --store s0042 --region north
    lanekit fleet --db hq.db push lane.toml --target store:s0042 --canary 5% --wait-healthy 2m \\
        --key fleet.key --broker mqtt.example:8883 --ca ca.pem --cert fleet.pem --tls-key fleet-tls.key
    lanekit fleet --db hq.db status --broker ... (same connection options)
    lanekit fleet --db hq.db serve --broker ...   # answers devices' config/get, records reports

`push` exits 0 when the rollout reached every device healthy, 3 when it halted (after rolling
back with --rollback), 1 on an error (a conflict, an invalid config, no devices).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import pathlib
import re
import sys
import tomllib
from typing import Any

from appliance.config import ConfigError, Settings, with_overlay
from mqtt.client import Client, ClientTls
from mqtt.errors import LinkError
from mqtt.fleet.db import Device, FleetDb, parse_target
from mqtt.fleet.manager import FleetManager
from mqtt.fleet.signing import generate, load_private

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")


def duration(text: str) -> float:
    """Seconds from `90`, `90s`, `2m`, `1h`, `500ms`."""
    m = _DURATION.match(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 30s, 2m or 1h")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[m.group(2)]


def fraction(text: str) -> float:
    """A fraction from `5%` or `0.05`, within 0..1."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage like 5% or a fraction like 0.05") from err
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is outside 0%..100%")
    return value


def _target(text: str) -> str:
    try:
        return parse_target(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _connection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--broker", required=True, help="HOST:PORT of the central broker")
    p.add_argument("--ca", type=pathlib.Path)
    p.add_argument("--cert", type=pathlib.Path)
    p.add_argument("--tls-key", type=pathlib.Path, help="the TLS private key of --cert")
    p.add_argument("--identity", default="svc-fleet", help="client id = certificate CN (a svc-* service)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=pathlib.Path, help="the HQ SQLite database (fleet tables)")
    sub = p.add_subparsers(dest="action", required=True)
    s = sub.add_parser("keygen", help="make the fleet's Ed25519 signing key (private 0600) and the public key devices pin")
    s.add_argument("--private", type=pathlib.Path, required=True)
    s.add_argument("--public", type=pathlib.Path, required=True)
    s = sub.add_parser("register", help="add or move a device (its store, region and role)")
    s.add_argument("device")
    s.add_argument("--store", required=True)
    s.add_argument("--region", default="")
    s.add_argument("--role", default="lane")
    s = sub.add_parser("push", help="staged rollout of a config layer (TOML) to a target")
    s.add_argument("config", type=pathlib.Path, help="a TOML file: the layer's partial config")
    s.add_argument("--target", type=_target, required=True, help="all | region:NAME | store:ID | lane:DEVICE")
    s.add_argument("--canary", type=fraction, default=0.05, help="first wave's share of the devices (default 5%%)")
    s.add_argument("--wait-healthy", type=duration, default=120.0, help="how long a wave may take to report (2m)")
    s.add_argument("--fail-threshold", type=fraction, default=0.0, help="halt when a wave's failures exceed this")
    s.add_argument("--rollback", action="store_true", help="on halt, push the old content as a new version")
    s.add_argument("--key", type=pathlib.Path, required=True, help="the fleet's private signing key")
    _connection(s)
    s = sub.add_parser("status", help="a table of devices: online, software, desired/applied config, last error")
    s.add_argument("--wait", type=duration, default=1.0, help="how long to collect retained state (1s)")
    _connection(s)
    s = sub.add_parser("serve", help="answer devices' config/get and record their reports (runs until stopped)")
    s.add_argument("--key", type=pathlib.Path, required=True)
    _connection(s)


def _client(args: argparse.Namespace) -> Client:
    host, _, port = args.broker.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--broker {args.broker!r}: expected HOST:PORT")
    tls = None
    if args.ca is not None:
        if args.cert is None or args.tls_key is None:
            raise ValueError("--ca needs --cert and --tls-key")
        tls = ClientTls(args.ca, args.cert, args.tls_key)
    return Client(host, int(port), client_id=args.identity, tls=tls, timeout=10.0)


def _layer(path: pathlib.Path) -> dict[str, Any]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ValueError(f"{path}: cannot read the config: {err}") from err
    try:
        with_overlay(Settings(), doc, str(path))
    except ConfigError as err:
        raise ValueError(str(err)) from err
    return doc


async def run(args: argparse.Namespace) -> int:
    if args.action == "keygen":
        generate(args.private, args.public)
        print(f"fleet key: {args.private} (keep it secret); devices pin {args.public}")
        return 0
    if args.db is None:
        print(f"lanekit fleet {args.action}: --db is required", file=sys.stderr)
        return 2
    db = await FleetDb.open(args.db)
    try:
        return await _run(args, db)
    except (ValueError, OSError, LinkError) as err:
        print(f"lanekit fleet {args.action}: {err}", file=sys.stderr)
        return 1
    finally:
        await db.close()


async def _run(args: argparse.Namespace, db: FleetDb) -> int:
    if args.action == "register":
        await db.register([Device(args.device, args.store, args.region, args.role)])
        return 0
    key = load_private(args.key) if getattr(args, "key", None) else None
    layer = _layer(args.config) if args.action == "push" else None
    async with _client(args) as client:
        manager = FleetManager(db, key, progress=lambda line: print(line, file=sys.stderr, flush=True))
        await manager.subscribe(client)
        if args.action == "serve":
            await manager.serve(client)
            return 0
        pump = asyncio.create_task(_pump(manager, client))
        try:
            if args.action == "status":
                await asyncio.sleep(args.wait)
                print(await _table(db))
                return 0
            assert layer is not None
            result = await manager.rollout(
                client, args.target, layer, canary=args.canary, wait_healthy=args.wait_healthy,
                fail_threshold=args.fail_threshold, rollback=args.rollback,
            )
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
    print(f"layer {args.target} v{result.layer_version}: {len(result.healthy)} healthy, {len(result.failed)} failed, "
          f"{len(result.not_reached)} not reached" + (" — HALTED" if result.halted else "")
          + (", rolled back" if result.rolled_back else ""))
    for dev, err in sorted(result.failed.items()):
        print(f"  {dev}: {err}")
    return 3 if result.halted else 0


async def _pump(manager: FleetManager, client: Client) -> None:
    async for msg in client.messages():
        await manager.handle(client, msg)


async def _table(db: FleetDb) -> str:
    head = ("DEVICE", "STORE", "REGION", "ONLINE", "SOFTWARE", "DESIRED", "APPLIED", "STATUS", "LAST ERROR")
    rows = [head]
    for dev, online, software, desired, rep in await db.status():
        rows.append((
            dev.device, dev.store, dev.region or "-", "?" if online is None else ("online" if online else "offline"),
            software or "-", str(desired or "-"), "-" if rep is None else str(rep.applied_version),
            "-" if rep is None else rep.status, "" if rep is None else rep.error,
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in rows).rstrip()
