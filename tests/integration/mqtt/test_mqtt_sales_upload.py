"""Sale upload through a real mosquitto into the HQ database: exactly once, in order, through outages."""

from __future__ import annotations

import asyncio
import pathlib

import msgspec

from appliance.store.journal import Journal
from mqtt import topics
from mqtt.client import Client
from mqtt.hq.db import HqDb
from mqtt.link import DeviceLink
from mqtt.uploader import SaleUploader
from mqtt.wire import SaleRecord, SalesAck, SalesBatch, encode
from tests.support.broker import HOST, Broker
from tests.support.fleet import Fleet
from tests.support.hq import finish_sales, hq_service, lane_settings, until


async def test_outbox_drains_to_hq_exactly_once_with_stock(fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path) -> None:
    db = await HqDb.open(tmp_path / "hq.db")
    async with Journal(tmp_path / "journal.db") as j:
        uuids = await finish_sales(j, 23)
        hq = asyncio.create_task(hq_service(fleet, tls_broker, db).run())
        up = SaleUploader(j.outbox, batch_size=5, window=2, ack_timeout=5)
        lane = asyncio.create_task(DeviceLink(lane_settings(fleet, tls_broker), [up]).run())
        try:
            await until(j.outbox.pending_count, "never-empty check", tries=1)  # starts non-empty
            await until(lambda: _drained(j), "outbox drained")
            assert await db.sales_of("s1-lane1") == list(enumerate(uuids, start=1))
            assert await db.acked_through("s1-lane1") == 23
            assert await db.stock_levels("s1") == {"SKU-1": "-23"}
            assert up.batches_sent == 5  # 5+5+5+5+3, nothing re-sent
            # a sale made while connected goes up promptly too
            more = await finish_sales(j, 1, start=100)
            up.notify()
            await until(lambda: _drained(j), "new sale uploaded")
            assert (await db.sales_of("s1-lane1"))[-1] == (24, more[0])
        finally:
            lane.cancel()
            hq.cancel()
    await db.close()


async def _drained(j: Journal) -> bool:
    return await j.outbox.pending_count() == 0


async def test_broker_killed_mid_drain_then_everything_arrives_once(fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path) -> None:
    db = await HqDb.open(tmp_path / "hq.db")
    async with Journal(tmp_path / "journal.db") as j:
        uuids = await finish_sales(j, 120)
        hq = asyncio.create_task(hq_service(fleet, tls_broker, db).run())
        up = SaleUploader(j.outbox, batch_size=3, window=1, ack_timeout=2)
        lane = asyncio.create_task(DeviceLink(lane_settings(fleet, tls_broker), [up]).run())
        try:
            await until(lambda: _acked_at_least(j, 30), "some sales acknowledged")
            tls_broker.kill()
            partial = await j.outbox.acked_through()
            assert 30 <= partial < 120
            await finish_sales(j, 10, start=1000)  # selling on while the broker is gone
            tls_broker.start()
            await until(lambda: _drained(j), "backlog drained after the broker came back")
            stored = await db.sales_of("s1-lane1")
            assert [s for s, _ in stored] == list(range(1, 131))
            assert [u for _, u in stored][:120] == uuids
            assert await db.sale_count() == 130
            assert await db.stock_levels("s1") == {"SKU-1": "-130"}
        finally:
            lane.cancel()
            hq.cancel()
    await db.close()


async def _acked_at_least(j: Journal, n: int) -> bool:
    return await j.outbox.acked_through() >= n


async def test_duplicate_and_malformed_batches_change_nothing(fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path) -> None:
    db = await HqDb.open(tmp_path / "hq.db")
    service = hq_service(fleet, tls_broker, db)
    hq = asyncio.create_task(service.run())
    rec = SaleRecord(seq=1, uuid="0190b0e4-0000-7000-8000-000000000001", sale_id="s", lane_id="L1", receipt_no=1,
                     created_at="2026-12-03T09:00:00+00:00", sale=msgspec.Raw(b'{"lines":[{"sku":"X","quantity":"2"}]}'))
    good = encode(SalesBatch(v=1, device="s1-lane1", sales=[rec]))
    try:
        await until(service.supervisor.connected.is_set, "hq connected")
        async with Client(HOST, tls_broker.port, client_id="s1-lane1", tls=fleet.client_tls("s1-lane1"), timeout=5) as lane:
            await lane.subscribe(topics.sales_ack("s1-lane1"))
            for payload in (good, good, b"{not json", b'{"v":1,"device":"s1-lane2","sales":[]}', b"x" * 2_000_000,
                            good.replace(b'"quantity":"2"', b'"quantity":"two"')):
                await lane.publish(topics.sales("s1-lane1"), payload, qos=1)
            await lane.publish(topics.sales("s1-lane1"), good, qos=1)
            acks = [msgspec.json.decode((await lane.next_message(timeout=5)).payload, type=SalesAck) for _ in range(3)]
        assert [a.acked_through_seq for a in acks] == [1, 1, 1]
        assert await db.sales_of("s1-lane1") == [(1, rec.uuid)]
        assert await db.stock_levels("s1") == {"X": "-2"}
        # the 2 MB payload never reached HQ: the broker's max_packet_size refuses it
        assert service.sales.rejected == 3
    finally:
        hq.cancel()
    await db.close()
