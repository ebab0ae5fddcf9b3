"""`lanekit hq` as processes: publish a catalog, serve the fleet over mTLS, receive stock, list sales."""

from __future__ import annotations

import asyncio
import json
import pathlib
import signal
import subprocess
import sys

from appliance.domain.money import Money
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from mqtt.link import DeviceLink
from mqtt.replication import Replicator
from mqtt.uploader import SaleUploader
from tests.support.broker import HOST, Broker
from tests.support.fleet import Fleet
from tests.support.hq import finish_sales, lane_settings, until
from tests.support.proc import REPO, env, lanekit

ITEMS = {
    "A1": {"name": "Apple juice 1l", "price_minor": 199, "currency": "EUR", "gtins": ["4006381333931"], "stock": 5},
    "B2": {"name": "Bread", "price_minor": 249, "currency": "EUR", "stock": 7},
}


async def test_hq_command_end_to_end(fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path) -> None:
    db = tmp_path / "hq.db"
    (tmp_path / "items.json").write_text(json.dumps(ITEMS))
    done = lanekit("hq", "--db", str(db), "publish", "--store", "s1", "--json", str(tmp_path / "items.json"))
    assert done.returncode == 0, done.stderr
    assert "s1/items: 2 rows, 1 new deltas, now at seq 1" in done.stdout

    hq_files = fleet.ids["svc-hq"]
    serve = subprocess.Popen(
        [sys.executable, "-m", "appliance.cli", "hq", "--db", str(db), "serve", "--broker", f"{HOST}:{tls_broker.port}",
         "--ca", str(fleet.ca.ca_cert_path), "--cert", str(hq_files.cert), "--key", str(hq_files.key),
         "--pki-root", str(fleet.root / "pki"), "--heartbeat", "0.2"],
        env=env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    replica = await Replica(tmp_path / "replica.db").open()
    try:
        async with Journal(tmp_path / "journal.db") as j:
            await finish_sales(j, 3, sku="A1")
            rep = Replicator(replica, reorder_window=0.1, request_timeout=1.0)
            up = SaleUploader(j.outbox, ack_timeout=2)
            lane = asyncio.create_task(DeviceLink(lane_settings(fleet, tls_broker), [rep, up]).run())
            try:
                await until(lambda: _seq(replica, "items", 1), "catalog from the HQ process")
                await until(lambda: _drained(j), "sales at HQ")
                # HQ's stock aggregate went out as a stock delta: 5 - 3 sold
                await until(lambda: _stock(replica, "A1", 2), "stock level from HQ")
                (tmp_path / "receipt.json").write_text(json.dumps({"B2": "10"}))
                got = lanekit("hq", "--db", str(db), "receive", "--store", "s1", "--json", str(tmp_path / "receipt.json"))
                assert got.returncode == 0, got.stderr
                assert got.stdout.strip() == "s1 B2: 17"  # 7 from the catalog + 10 received
                # published by another process: the serving HQ advertises it, the lane fetches the range
                await until(lambda: _stock(replica, "B2", 17), "received stock at the lane")
            finally:
                lane.cancel()
                await asyncio.gather(lane, return_exceptions=True)
        item = await replica.by_gtin("4006381333931")
        assert item is not None and item.unit_price == Money(199, "EUR")
    finally:
        await replica.close()
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(10)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
    sales = lanekit("hq", "--db", str(db), "sales")
    assert sales.stdout.split() == ["s1-lane1", "3", "sales,", "acknowledged", "through", "3"]
    bad = lanekit("hq", "--db", str(db), "publish", "--store", "s1", "--json", str(tmp_path / "receipt.json"))
    assert bad.returncode == 1 and "row 'B2'" in bad.stderr


async def _seq(replica: Replica, feed: str, seq: int) -> bool:
    return await replica.feed_seq(feed) >= seq


async def _drained(j: Journal) -> bool:
    return await j.outbox.pending_count() == 0


async def _stock(replica: Replica, sku: str, level: int) -> bool:
    it = await replica.by_sku(sku)
    return it is not None and it.stock == level
