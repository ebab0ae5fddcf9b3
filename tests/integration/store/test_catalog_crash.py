"""A catalog import killed half-way leaves the old catalog, and never holds up a sale append."""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import textwrap

from appliance.domain.items import Item
from appliance.domain.money import Money
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from tests.support.journal_events import ev
from tests.support.proc import REPO, env

OLD = [
    Item(f"OLD-{i}", f"Old {i}", Money(100 + i, "EUR"), gtins=(f"{40000000000000 + i:014d}",))
    for i in range(50)
]

IMPORTER = textwrap.dedent(
    """
    import asyncio, sys
    from appliance.domain.items import Item
    from appliance.domain.money import Money
    from appliance.store.replica import Replica

    def items():
        price = Money(1, "EUR")
        for i in range(10_000_000):
            if i == 30_000:
                print("half-way", flush=True)
            yield Item(f"NEW-{i}", f"New {i}", price, gtins=(f"{50000000000000 + i:014d}",))

    async def main(path):
        async with Replica(path) as r:
            await r.replace_catalog(items(), feed="catalog", seq=2)

    asyncio.run(main(sys.argv[1]))
    """
)


def test_sigkill_mid_import_keeps_the_old_catalog(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "replica.db"

    async def seed() -> None:
        async with Replica(path) as r:
            await r.replace_catalog(OLD, feed="catalog", seq=1)

    asyncio.run(seed())
    proc = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(path)], stdout=subprocess.PIPE, text=True, env=env(), cwd=REPO
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "half-way"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc.stdout:
            proc.stdout.close()

    async def check() -> None:
        async with Replica(path) as r:
            assert await r.count() == 50
            assert await r.by_gtin(f"{40000000000007:014d}") == OLD[7]
            assert await r.feed_seq("catalog") == 1
            # the dead importer's staging tables are taken over by the next import
            assert await r.replace_catalog(OLD[:10], feed="catalog", seq=3) == 10
            assert await r.count() == 10

    asyncio.run(check())


async def test_a_locked_replica_never_blocks_a_durable_append(tmp_path: pathlib.Path) -> None:
    async with Replica(tmp_path / "replica.db") as r, Journal(tmp_path / "journal.db") as j:
        await r.replace_catalog(OLD)
        hog = sqlite3.connect(tmp_path / "replica.db", isolation_level=None)
        try:
            hog.execute("BEGIN IMMEDIATE")  # as the swap of a 1M-item import holds it
            hog.execute("DELETE FROM items")
            for v in range(1, 21):
                await j.append(ev("s1", v))
            assert await r.by_sku("OLD-3") == OLD[3]  # and the lane still reads the old catalog
        finally:
            hog.execute("ROLLBACK")
            hog.close()
        assert len(await j.events("s1")) == 20
