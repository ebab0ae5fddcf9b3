"""`lanekit journal verify [--data-dir DIR]`: walk the journal's checksum chain.

Exit status: 0 intact, 1 corrupt (the sale and event version at fault are printed), 2 the journal
cannot be read at all. The file is opened read-only; the lane may keep running meanwhile.
"""

from __future__ import annotations

import argparse
import sys

from appliance.store import paths
from appliance.store._sqlite import connect
from appliance.store.errors import StoreError
from appliance.store.verify import verify_journal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = sub.add_parser("verify", help="check every event against the checksum chain")
    paths.add_data_dir_argument(verify)


async def run(args: argparse.Namespace) -> int:
    root = paths.data_dir(args.data_dir)
    path = paths.journal_path(root)
    if not path.is_file():
        print(f"lanekit journal: no journal at {path}", file=sys.stderr)
        return 2
    try:
        db = await connect(path, database="journal", synchronous="FULL", readonly=True)
        try:
            report = await verify_journal(db)
        finally:
            await db.close()
    except StoreError as exc:
        print(f"lanekit journal: cannot verify {path}: {exc}", file=sys.stderr)
        return 2
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
