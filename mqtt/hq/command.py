"""`lanekit hq`: the HQ side — serve the fleet, publish catalogs, receive stock, inspect sales.

    lanekit hq --db hq.db serve --broker mqtt.example:8883 --ca ca.pem --cert hq.pem --key hq.key --pki-root /srv/pki
    lanekit hq --db hq.db publish --store s0042 --catalog products.csv --currency EUR
    lanekit hq --db hq.db publish --store s0042 --json items.json [--feed items]
    lanekit hq --db hq.db receive --store s0042 --json receipts.json     # {"SKU": "12", ...}
    lanekit hq --db hq.db sales [--device s0042-lane03]

`publish` and `receive` only write the HQ database (sequenced deltas in the feed log); a running
`serve` advertises the new sequences in its heartbeats and lanes fetch the ranges they lack.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import pathlib
import sys
from typing import Any

import msgspec

from mqtt.broker.config import BrokerConfigError, check_identity
from mqtt.catalog_wire import DOC_TYPES, doc_from_item
from mqtt.client import Client, ClientTls
from mqtt.hq.db import HqDb
from mqtt.hq.feeds import FeedPublisher, stock_rows
from mqtt.hq.service import HqService
from mqtt.pki import CertificateAuthority, PkiError

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=pathlib.Path, required=True, help="the HQ SQLite database")
    sub = p.add_subparsers(dest="action", required=True)
    s = sub.add_parser("serve", help="consume sales, answer sync requests, send heartbeats (runs until stopped)")
    s.add_argument("--broker", required=True, help="HOST:PORT of the central broker")
    s.add_argument("--ca", type=pathlib.Path)
    s.add_argument("--cert", type=pathlib.Path)
    s.add_argument("--key", type=pathlib.Path)
    s.add_argument("--identity", default="svc-hq", help="client id = certificate CN")
    s.add_argument("--pki-root", type=pathlib.Path, help="map devices to stores from this PKI index")
    s.add_argument("--device", action="append", default=[], metavar="DEVICE=STORE", help="extra device->store entries")
    s.add_argument("--heartbeat", type=float, default=10.0, help="seconds between heartbeats")
    s = sub.add_parser("publish", help="make a store's feed equal a catalog file or JSON feed (as deltas)")
    s.add_argument("--store", required=True)
    s.add_argument("--feed", default="items", choices=sorted(DOC_TYPES))
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--catalog", type=pathlib.Path, help="a Shopify or WooCommerce CSV (the catalog importer)")
    g.add_argument("--json", type=pathlib.Path, help='a JSON object {"KEY": {row document}, ...}')
    s.add_argument("--currency", help="ISO 4217 code for --catalog files")
    s = sub.add_parser("receive", help="add received goods to stock and publish the new levels")
    s.add_argument("--store", required=True)
    s.add_argument("--json", type=pathlib.Path, required=True, help='{"SKU": "quantity", ...}')
    s = sub.add_parser("sales", help="list what HQ holds per device")
    s.add_argument("--device")


async def run(args: argparse.Namespace) -> int:
    try:
        db = await HqDb.open(args.db)
    except OSError as err:
        print(f"lanekit hq: cannot open {args.db}: {err}", file=sys.stderr)
        return 2
    try:
        return await _run(args, db)
    except (ValueError, PkiError, BrokerConfigError, OSError) as err:
        print(f"lanekit hq {args.action}: {err}", file=sys.stderr)
        return 1
    finally:
        await db.close()


async def _run(args: argparse.Namespace, db: HqDb) -> int:
    if args.action == "publish":
        rows = _rows(args)
        deltas = await FeedPublisher(db).replace(args.store, args.feed, rows)
        head = await db.feed_head(args.store, args.feed)
        print(f"{args.store}/{args.feed}: {len(rows)} rows, {len(deltas)} new deltas, now at seq {head.seq}")
        return 0
    if args.action == "receive":
        quantities = json.loads(args.json.read_text(encoding="utf-8"))
        if not isinstance(quantities, dict):
            raise ValueError(f"{args.json}: expected a JSON object of SKU -> quantity")
        await db.receive_stock(args.store, {str(k): str(v) for k, v in quantities.items()})
        levels = await db.stock_levels(args.store, quantities)
        await FeedPublisher(db).change(args.store, "stock", stock_rows(levels))
        for sku, qty in sorted(levels.items()):
            print(f"{args.store} {sku}: {qty}")
        return 0
    if args.action == "sales":
        for device, count, acked in await db.sales_summary(args.device):
            print(f"{device:<24} {count:>8} sales, acknowledged through {acked}")
        return 0
    return await _serve(args, db)


def _rows(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    if args.catalog is not None:
        from appliance.importers.options import ImportOptions
        from appliance.importers.reader import parse_catalog

        if not args.currency:
            raise ValueError("--catalog needs --currency (catalog files carry none)")
        items, report = parse_catalog(args.catalog, ImportOptions(currency=args.currency))
        log.info("catalog import: %s", report)
        return {i.sku: msgspec.to_builtins(doc_from_item(i)) for i in items}
    raw = json.loads(args.json.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{args.json}: expected a JSON object of key -> row document")
    kind = DOC_TYPES[args.feed]
    for key, doc in raw.items():
        try:
            msgspec.convert(doc, kind)
        except msgspec.ValidationError as err:
            raise ValueError(f"{args.json}: row {key!r}: {err}") from err
    return raw


async def _serve(args: argparse.Namespace, db: HqDb) -> int:
    host, _, port = args.broker.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--broker {args.broker!r} is not HOST:PORT")
    check_identity(args.identity)
    stores: dict[str, str] = {}
    if args.pki_root:
        for e in CertificateAuthority(args.pki_root).acl_entries():
            if e.store is not None:
                stores[e.identity] = e.store
    for entry in args.device:
        device, _, store = entry.partition("=")
        stores[check_identity(device)] = check_identity(store, "store")
    tls = None
    if args.ca or args.cert or args.key:
        if not (args.ca and args.cert and args.key):
            raise ValueError("TLS needs --ca, --cert and --key together")
        tls = ClientTls(args.ca, args.cert, args.key)

    def make() -> Client:
        return Client(host, int(port), client_id=args.identity, tls=tls)

    service = HqService(make, db, stores.get, heartbeat_interval=args.heartbeat)
    log.info("HQ serving %d devices from %s", len(stores), args.broker)
    print(f"lanekit hq: serving {len(stores)} devices via {args.broker}", flush=True)
    await asyncio.shield(service.run())
    return 0
