"""Catalog replication from HQ into a lane's replica through a real mosquitto."""

from __future__ import annotations

import asyncio
import pathlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from appliance.domain.money import Money
from appliance.store.replica import Replica
from mqtt import topics
from mqtt.client import Client
from mqtt.hq.db import HqDb
from mqtt.hq.service import HqService
from mqtt.link import DeviceLink
from mqtt.replication import Replicator
from mqtt.wire import FeedDelta, Row, encode
from tests.support.broker import Broker
from tests.support.fleet import Fleet
from tests.support.hq import hq_service, lane_settings, until


def item(name: str, price: int, gtin: str, stock: int | None = 10) -> dict[str, object]:
    return {"name": name, "price_minor": price, "currency": "EUR", "gtins": [gtin], "stock": stock}


CATALOG = {
    "A1": item("Apple juice 1l", 199, "4006381333931"),
    "B2": item("Bread", 249, "5901234123457"),
    "C3": item("Coffee 500g", 899, "96385074", stock=None),
}


@dataclass
class Rig:
    db: HqDb
    hq: HqService
    replica: Replica
    rep: Replicator
    link: DeviceLink
    tasks: list[asyncio.Task[None]]

    @property
    def hq_client(self) -> Client:
        assert self.hq.supervisor.client is not None
        return self.hq.supervisor.client

    async def publish(self, feed: str, rows: dict[str, dict[str, object]]) -> list[FeedDelta]:
        deltas = await self.hq.feeds.replace("s1", feed, rows)
        await self.hq.feeds.send(self.hq_client, "s1", deltas)
        return deltas

    def start_lane(self) -> None:
        self.tasks.append(asyncio.create_task(self.link.run()))

    async def converged(self) -> bool:
        hb = await self.hq.feeds.heartbeat("s1")
        have = await self.replica.feed_seqs()
        if any(have.get(f, 0) != s for f, s in hb.seqs.items()):
            return False
        for kind, d in hb.digests.items():
            mine = await self.replica.digest(kind)
            if (mine.count, mine.sha256) != (d.count, d.sha256):
                return False
        return True


@pytest.fixture
async def rig(fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path) -> AsyncIterator[Rig]:
    db = await HqDb.open(tmp_path / "hq.db")
    hq = hq_service(fleet, tls_broker, db, heartbeat=0.2)
    replica = await Replica(tmp_path / "replica.db").open()
    rep = Replicator(replica, reorder_window=0.2, request_timeout=1.0, digest_every=0.3)
    link = DeviceLink(lane_settings(fleet, tls_broker), [rep])
    r = Rig(db, hq, replica, rep, link, [asyncio.create_task(hq.run())])
    await until(hq.supervisor.connected.is_set, "hq connected")
    try:
        yield r
    finally:
        for t in r.tasks:
            t.cancel()
        _, pending = await asyncio.wait(r.tasks, timeout=10)
        if pending:  # never hang the suite on a stuck task: show where it is and fail
            for t in asyncio.all_tasks():
                t.print_stack(file=sys.stderr)
        await asyncio.wait_for(replica.close(), 10)
        await asyncio.wait_for(db.close(), 10)
        assert not pending, f"tasks ignored cancellation: {pending}"


async def test_catalog_and_price_deltas_replicate_with_exact_values(rig: Rig) -> None:
    rig.start_lane()
    await until(rig.link.connected.is_set, "lane connected")
    await asyncio.sleep(0.1)  # subscriptions in place
    await rig.publish("items", CATALOG)
    await until(lambda: _has(rig, "C3"), "catalog replicated")
    apple = await rig.replica.by_gtin("4006381333931")
    assert apple is not None and (apple.sku, apple.name, apple.unit_price, apple.stock) == ("A1", "Apple juice 1l", Money(199, "EUR"), 10)
    await rig.publish("prices", {"B2": {"price_minor": 229, "currency": "EUR"}})
    await until(lambda: _price(rig, "B2", 229), "price change replicated")
    await until(rig.converged, "digests equal")
    assert await rig.replica.feed_seqs() == {"items": 1, "prices": 1}
    assert rig.rep.requests == [] and rig.rep.rejected == 0


async def _has(rig: Rig, sku: str) -> bool:
    return await rig.replica.by_sku(sku) is not None


async def _price(rig: Rig, sku: str, minor: int) -> bool:
    it = await rig.replica.by_sku(sku)
    return it is not None and it.unit_price.minor == minor


async def test_lane_that_missed_deltas_catches_up_by_range_from_heartbeat(rig: Rig) -> None:
    for i in range(3):  # published while the lane is off
        await rig.publish("items", {**CATALOG, "A1": item("Apple juice 1l", 199 + i, "4006381333931")})
    rig.start_lane()
    await until(rig.converged, "caught up")
    assert await rig.replica.feed_seqs() == {"items": 3}
    assert (await rig.replica.by_sku("A1")).unit_price.minor == 201  # type: ignore[union-attr]
    assert [(r.kind, r.feed, r.after_seq, r.through_seq) for r in rig.rep.requests] == [("range", "items", 0, 3)]


async def test_reordered_and_duplicate_deltas_apply_once_in_order(rig: Rig) -> None:
    rig.start_lane()
    await until(rig.link.connected.is_set, "lane connected")
    await asyncio.sleep(0.1)
    d1 = (await rig.hq.feeds.change("s1", "items", [Row(key="A1", data=CATALOG["A1"])]))[0]
    d2 = (await rig.hq.feeds.change("s1", "items", [Row(key="B2", data=CATALOG["B2"])]))[0]
    d3 = (await rig.hq.feeds.change("s1", "items", [Row(key="A1", data=None)]))[0]
    for d in (d3, d1, d2, d1, d2):
        await rig.hq_client.publish(topics.feed("s1", "items"), encode(d), qos=1)
    await until(rig.converged, "reordered deltas applied")
    assert await rig.replica.by_sku("A1") is None and await rig.replica.by_sku("B2") is not None
    assert rig.rep.applied == 3


async def test_pruned_log_falls_back_to_chunked_snapshot(rig: Rig) -> None:
    rig.hq.feeds.rows_per_chunk = 2
    big = {f"S{i:03d}": item(f"Item {i}", 100 + i, _gtin13(f"{400000000000 + i:012d}")) for i in range(9)}
    await rig.publish("items", big)
    await rig.publish("items", {**big, "S000": item("Renamed", 1, _gtin13("400000000000"))})
    await rig.db.prune_log("s1", "items", 2)
    rig.start_lane()
    await until(lambda: rig.rep.snapshots_applied == 1, "snapshot applied")
    await until(rig.converged, "converged")
    assert await rig.replica.count() == 9
    assert (await rig.replica.by_sku("S000")).name == "Renamed"  # type: ignore[union-attr]


def _gtin13(body12: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


async def test_malformed_oversized_and_stale_payloads_change_nothing(rig: Rig) -> None:
    rig.start_lane()
    await until(rig.link.connected.is_set, "lane connected")
    await asyncio.sleep(0.1)
    await rig.publish("items", CATALOG)
    await until(rig.converged, "catalog in")
    before = await rig.replica.digest("items")
    feed = topics.feed("s1", "items")
    bad = [
        b"not json",
        b'{"type":"delta","v":1,"feed":"items","base_seq":1,"seq":2,"rows":[{"key":"X","data":{"name":"x"}}]}',
        b'{"type":"delta","v":2,"feed":"items","base_seq":1,"seq":2,"rows":[]}',
        b'{"type":"delta","v":1,"feed":"prices","base_seq":0,"seq":1,"rows":[]}',
        b'{"type":"delta","v":1,"feed":"items","base_seq":1,"seq":2,"rows":[],"extra":1}',
        b'{"type":"delta","v":1,"feed":"items","base_seq":1,"seq":2,"rows":[{"key":"X","data":{"name":"x","price_minor":1.5,"currency":"EUR"}}]}',
        b" " * 300_000,
    ]
    for payload in bad:
        await rig.hq_client.publish(feed, payload, qos=1)
    stale = FeedDelta(v=1, feed="items", base_seq=0, seq=1, rows=[Row(key="Z9", data=item("Stale", 1, "4006381333931"))])
    await rig.hq_client.publish(feed, encode(stale), qos=1)
    await until(lambda: rig.rep.rejected == len(bad), "all bad payloads rejected")
    await asyncio.sleep(0.3)
    assert await rig.replica.by_sku("Z9") is None
    assert await rig.replica.digest("items") == before
    assert await rig.replica.feed_seqs() == {"items": 1}


async def test_silent_drift_is_detected_by_heartbeat_and_repaired(rig: Rig) -> None:
    rig.start_lane()
    await until(rig.link.connected.is_set, "lane connected")
    await asyncio.sleep(0.1)
    await rig.publish("items", CATALOG)
    await until(rig.converged, "catalog in")
    await rig.replica.adjust_stock({"A1": -3})  # the replica drifts without any feed message
    await until(lambda: rig.rep.snapshots_applied == 1, "drift repaired by a snapshot")
    await until(rig.converged, "equal again")
    assert (await rig.replica.by_sku("A1")).stock == 10  # type: ignore[union-attr]


async def test_broker_killed_mid_snapshot_keeps_old_catalog_then_completes(rig: Rig, tls_broker: Broker) -> None:
    rig.start_lane()
    await until(rig.link.connected.is_set, "lane connected")
    await asyncio.sleep(0.1)
    await rig.publish("items", CATALOG)
    await until(rig.converged, "first catalog in")
    big = {f"S{i:04d}": item(f"Item {i}", 100 + i, _gtin13(f"{400000000000 + i:012d}")) for i in range(3000)}
    rig.hq.feeds.rows_per_chunk = 50  # 60 chunks: the kill lands in the middle
    await rig.publish("items", big)
    await until(rig.converged, "big catalog in by deltas")
    await rig.replica.adjust_stock({"S0001": -1})  # drift: the next heartbeat asks for a snapshot
    await until(lambda: rig.rep._snap is not None and rig.rep._snap_next >= 3, "snapshot under way",
                tries=30_000, step=0.001)
    tls_broker.kill()
    assert (await rig.replica.by_sku("S0001")).stock == 9  # type: ignore[union-attr]  # old catalog still live
    tls_broker.start()
    await until(lambda: rig.rep.snapshots_applied >= 1, "snapshot completed after the outage")
    await until(rig.converged, "converged")
    assert await rig.replica.count() == 3000
    assert (await rig.replica.by_sku("S0001")).stock == 10  # type: ignore[union-attr]
