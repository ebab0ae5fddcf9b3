"""Run the HQ service and a lane's link against a test broker, and fill a lane's outbox."""

from __future__ import annotations

import asyncio
import json
import pathlib
from collections.abc import Callable

from appliance.store.journal import Journal
from mqtt.client import Client
from mqtt.hq.db import HqDb
from mqtt.hq.service import HqService
from mqtt.link import LinkSettings
from mqtt.supervisor import Backoff
from tests.support.broker import HOST, Broker
from tests.support.fleet import DEVICES, Fleet
from tests.support.journal_events import ev


def lane_settings(fleet: Fleet, broker: Broker, device: str = "s1-lane1") -> LinkSettings:
    files = fleet.ids[device]
    return LinkSettings(
        host=HOST, port=broker.port, device_id=device, store=DEVICES[device], ca=fleet.ca.ca_cert_path,
        cert=files.cert, key=files.key, timeout=5, backoff_initial=0.05, backoff_max=0.3,
    )


def hq_service(fleet: Fleet, broker: Broker, db: HqDb, *, heartbeat: float = 0.5) -> HqService:
    def make() -> Client:
        return Client(HOST, broker.port, client_id="svc-hq", tls=fleet.client_tls("svc-hq"), timeout=5)

    return HqService(make, db, DEVICES.get, heartbeat_interval=heartbeat, backoff=Backoff(0.05, 0.3))


async def finish_sales(journal: Journal, n: int, *, lane: str = "L1", sku: str = "SKU-1", start: int = 0) -> list[str]:
    """Complete `n` sales of one unit of `sku` each; returns their UUIDs in outbox order."""
    uuids = []
    for i in range(start, start + n):
        sale = f"sale-{lane}-{i}"
        await journal.append(ev(sale, 1))
        doc = json.dumps({"sale_id": sale, "lines": [{"sku": sku, "quantity": "1", "amount_minor": 250}]}).encode()
        done = await journal.complete_sale(sale, lane, lambda c, s=sale, d=doc: (ev(s, 2, "SaleCompleted"), d))
        uuids.append(done.uuid)
    return uuids


async def until(cond: Callable[[], object], what: str, *, tries: int = 3000, step: float = 0.01) -> None:
    """Poll an (async or sync) condition; fail naming `what` if it never holds."""
    for _ in range(tries):
        value = cond()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        await asyncio.sleep(step)
    raise AssertionError(f"never happened: {what}")


def tmp_db(tmp: pathlib.Path, name: str) -> pathlib.Path:
    return tmp / name
