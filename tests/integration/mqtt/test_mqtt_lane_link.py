"""The lane's one-call link start (`build_lane_link`) over a real Store and broker."""

from __future__ import annotations

import asyncio
import pathlib

import pytest

from appliance.store.data_dir_store import Store
from mqtt.hq.db import HqDb
from mqtt.lane_link import BrokerUrlError, build_lane_link, parse_broker_url
from tests.support.broker import HOST, Broker
from tests.support.fleet import Fleet
from tests.support.hq import finish_sales, hq_service, until


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtts://mqtt.example:8884", ("mqtt.example", 8884, True)),
        ("mqtts://mqtt.example", ("mqtt.example", 8883, True)),
        ("mqtt://127.0.0.1", ("127.0.0.1", 1883, False)),
    ],
)
def test_parse_broker_url(url: str, expected: tuple[str, int, bool]) -> None:
    assert parse_broker_url(url) == expected


@pytest.mark.parametrize("url", ["http://x", "mqtts://", "mqtts://u:p@x", "mqtts://x/path", "mqtts://x:99999", "x:1883"])
def test_parse_broker_url_rejects(url: str) -> None:
    with pytest.raises(BrokerUrlError):
        parse_broker_url(url)


async def test_lane_link_syncs_catalog_and_uploads_sales(fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path) -> None:
    db = await HqDb.open(tmp_path / "hq.db")
    hq = hq_service(fleet, tls_broker, db, heartbeat=0.2)
    await hq.feeds.replace("s1", "items", {"A1": {"name": "Apple", "price_minor": 99, "currency": "EUR", "stock": 4}})
    files = fleet.ids["s1-lane1"]
    async with Store(tmp_path / "data") as store:
        await finish_sales(store.journal, 2, sku="A1")
        link = build_lane_link(store, broker_url=f"mqtts://{HOST}:{tls_broker.port}", device_id="s1-lane1",
                               store_id="s1", ca=fleet.ca.ca_cert_path, cert=files.cert, key=files.key)
        link.replicator.reorder_window = 0.1
        tasks = [asyncio.create_task(hq.run()), asyncio.create_task(link.run())]
        try:
            await until(lambda: _stock(store, "A1", 2), "catalog in and stock after 2 sales")
            assert await store.outbox.pending_count() == 0
            assert [s for s, _ in await db.sales_of("s1-lane1")] == [1, 2]
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    await db.close()
    with pytest.raises(BrokerUrlError, match="needs the CA"):
        build_lane_link(store, broker_url="mqtts://x", device_id="d", store_id="s")


async def _stock(store: Store, sku: str, level: int) -> bool:
    it = await store.replica.by_sku(sku)
    return it is not None and it.stock == level
