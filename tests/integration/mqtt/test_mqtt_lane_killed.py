"""Fault: the appliance is killed (SIGKILL) while applying a snapshot; after restart it converges."""

from __future__ import annotations

import asyncio
import pathlib
import sqlite3
import subprocess
import sys

from appliance.store.replica import Replica
from mqtt.hq.db import HqDb
from tests.support.broker import HOST, Broker
from tests.support.fleet import Fleet
from tests.support.hq import hq_service, until
from tests.support.proc import REPO, env


def _lane(fleet: Fleet, broker: Broker, data: pathlib.Path) -> subprocess.Popen[bytes]:
    f = fleet.ids["s1-lane1"]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.lane_proc", str(data), f"mqtts://{HOST}:{broker.port}", "s1-lane1", "s1",
         str(fleet.ca.ca_cert_path), str(f.cert), str(f.key)],
        env=env(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _staging(replica_db: pathlib.Path) -> int:
    if not replica_db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{replica_db}?mode=ro", uri=True, timeout=0.1) as c:
            return int(c.execute("SELECT count(*) FROM _stage_items").fetchone()[0])
    except sqlite3.Error:
        return 0


async def test_lane_killed_mid_snapshot_keeps_old_catalog_and_converges_after_restart(
    fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path
) -> None:
    db = await HqDb.open(tmp_path / "hq.db")
    hq = hq_service(fleet, tls_broker, db, heartbeat=0.2)
    hq.feeds.rows_per_chunk = 100
    docs = {f"S{i:05d}": {"name": f"Item {i}", "price_minor": 100 + i, "currency": "EUR", "stock": 3} for i in range(8000)}
    await hq.feeds.replace("s1", "items", docs)
    await db.prune_log("s1", "items", 100)  # the lane can only catch up by snapshot
    task = asyncio.create_task(hq.run())
    data = tmp_path / "data"
    lane = _lane(fleet, tls_broker, data)
    try:
        await until(lambda: _staging(data / "replica.db") > 0, "snapshot staging under way", tries=60_000, step=0.001)
        lane.kill()
        lane.wait()
        async with Replica(data / "replica.db") as r:
            assert await r.count() == 0  # nothing half-applied: the old (empty) catalog is intact
            assert await r.feed_seqs() == {}
        lane = _lane(fleet, tls_broker, data)
        await until(lambda: _converged(hq, data), "converged after restart", tries=300, step=0.2)
    finally:
        lane.kill()
        lane.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.close()
    async with Replica(data / "replica.db") as r:
        assert await r.count() == 8000
        assert (await r.by_sku("S07999")).unit_price.minor == 8099  # type: ignore[union-attr]


async def _converged(hq, data: pathlib.Path) -> bool:
    hb = await hq.feeds.heartbeat("s1")
    if not hb.digests:
        return False
    async with Replica(data / "replica.db") as r:
        if await r.feed_seqs() != hb.seqs:
            return False
        d = await r.digest("items")
    return (d.count, d.sha256) == (hb.digests["items"].count, hb.digests["items"].sha256)
