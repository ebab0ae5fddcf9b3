"""`lanekit journal verify|show|status [--data-dir DIR]`: check and inspect the sale journal.

verify exits 0 when the chain is intact, 1 when it is not (the sale and event version at fault
are printed), 2 when there is no readable journal. Every action opens the file read-only, so the
lane may keep running meanwhile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import aiosqlite

from appliance.store import paths
from appliance.store._sqlite import connect, mapped
from appliance.store.errors import StoreError
from appliance.store.verify import verify_journal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = sub.add_parser("verify", help="check every event against the checksum chain")
    paths.add_data_dir_argument(verify)
    show = sub.add_parser("show", help="print one sale's events in version order")
    show.add_argument("sale_id", metavar="SALE")
    paths.add_data_dir_argument(show)
    status = sub.add_parser("status", help="events, open sales, receipt numbers, outbox backlog")
    paths.add_data_dir_argument(status)


async def run(args: argparse.Namespace) -> int:
    path = paths.journal_path(paths.data_dir(args.data_dir))
    if not path.is_file():
        print(f"lanekit journal: no journal at {path}", file=sys.stderr)
        return 2
    try:
        db = await connect(path, database="journal", synchronous="FULL", readonly=True)
        try:
            action = {"verify": _verify, "show": _show, "status": _status}[args.action]
            return await action(db, path, args)
        finally:
            await db.close()
    except StoreError as exc:
        print(f"lanekit journal: cannot read {path}: {exc}", file=sys.stderr)
        return 2


async def _verify(db: aiosqlite.Connection, path: object, args: argparse.Namespace) -> int:
    report = await verify_journal(db)
    if report.fault is not None:
        f = report.fault
        print(
            f"journal CORRUPT: {path}: sale {f.sale_id} event version {f.version} "
            f"(journal position {f.seq}): {f.reason}",
            file=sys.stderr,
        )
        return 1
    print(f"journal OK: {path}: {report.events} events, checksum chain intact")
    return 0


def _when(at_us: int) -> str:
    return (dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=at_us)).isoformat()


async def _show(db: aiosqlite.Connection, path: object, args: argparse.Namespace) -> int:
    with mapped("journal"):
        rows = await db.execute_fetchall(
            "SELECT version, type, schema_version, at_us, payload FROM events WHERE sale_id = ? ORDER BY version",
            (args.sale_id,),
        )
        status = await db.execute_fetchall(
            "SELECT status, lane_id, receipt_no FROM sales WHERE sale_id = ?", (args.sale_id,)
        )
    if not rows:
        print(f"lanekit journal: no sale {args.sale_id!r} in {path}", file=sys.stderr)
        return 1
    for st, lane, receipt in status:
        print(f"sale {args.sale_id}: {st}" + (f", lane {lane} receipt {receipt}" if receipt else ""))
    for version, type_, sv, at_us, payload in rows:
        body = bytes(payload).decode("utf-8", errors="backslashreplace")
        print(f"{version:>4} {_when(at_us)} {type_} v{sv} {body}")
    return 0


async def _status(db: aiosqlite.Connection, path: object, args: argparse.Namespace) -> int:
    with mapped("journal"):
        (events,) = next(iter(await db.execute_fetchall("SELECT count(*) FROM events")))
        sales = dict(
            tuple(r) for r in await db.execute_fetchall("SELECT status, count(*) FROM sales GROUP BY status")
        )
        counters = dict(tuple(r) for r in await db.execute_fetchall("SELECT name, value FROM counters"))
        open_ = [r[0] for r in await db.execute_fetchall("SELECT sale_id FROM sales WHERE status = 'open'")]
    print(f"journal {path}: {events} events")
    print("sales: " + ", ".join(f"{sales.get(k, 0)} {k}" for k in ("open", "completed", "voided")))
    if open_:
        print("open: " + ", ".join(open_))
    for name, value in sorted(counters.items()):
        if name.startswith("receipt:"):
            print(f"lane {name.removeprefix('receipt:')}: last receipt number {value}")
    written, acked = counters.get("outbox", 0), counters.get("outbox_acked", 0)
    print(f"outbox: {written} written, acknowledged through {acked}, {written - acked} waiting for HQ")
    return 0
