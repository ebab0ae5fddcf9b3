"""`lanekit audit verify|show [--data-dir]` and `lanekit audit hash-pin`: the audit log and associates' PINs.

verify exits 0 when the chain is intact, 1 naming the first entry at fault, 2 when there is no log.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from appliance.associates import AuthError, hash_pin
from appliance.store import paths
from appliance.store.audit import AuditLog


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (("verify", "check every entry against the hash chain"), ("show", "print the entries")):
        paths.add_data_dir_argument(sub.add_parser(name, help=text))
    sub.add_parser("hash-pin", help="read a PIN (not echoed) and print its scrypt hash for an associate record")


async def run(args: argparse.Namespace) -> int:
    if args.action == "hash-pin":
        pin = getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
        try:
            print(hash_pin(pin))
        except AuthError as err:
            print(f"lanekit audit hash-pin: {err}", file=sys.stderr)
            return 2
        return 0
    path = paths.data_dir(args.data_dir) / "audit.db"
    if not path.is_file():
        print(f"lanekit audit: no audit log at {path}", file=sys.stderr)
        return 2
    async with AuditLog(path, readonly=True) as log:
        if args.action == "show":
            for e in await log.entries():
                print(f"{e.seq:6d} {e.at.isoformat()} {e.actor:<8} {e.action:<28} {e.subject} {e.detail}")
            return 0
        report = await log.verify()
    if not report.ok:
        print(f"audit log CORRUPT: {path}: {report.reason}", file=sys.stderr)
        return 1
    print(f"audit log OK: {path}: {report.entries} entries, hash chain intact")
    return 0
