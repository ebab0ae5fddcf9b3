"""Disk full while journaling: the lane refuses new sales with a clear message and loses nothing."""

from __future__ import annotations

import pathlib

import pytest

from appliance.lane import Lane, LaneConfig, LaneError
from appliance.lane_events import LaneNotice
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile
from tests.support.clock import T0, FixedClock


async def test_full_journal_refuses_new_sales_and_keeps_recorded_ones(
    stores: tuple[Replica, Journal], profile: StoreProfile, tmp_path: pathlib.Path
) -> None:
    replica, _ = stores
    path = tmp_path / "capped.db"
    async with Journal(path, max_bytes=2 << 20) as journal:
        lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0))
        await lane.start()
        sold = 0
        q = lane.subscribe()
        with pytest.raises(LaneError, match="storage is full"):
            for _ in range(10_000):  # sales until the cap's headroom is below the reserve
                await lane.scan("4260000000028")
                await lane.pay_cash("5.00")
                sold += 1
        assert sold > 10
        notices = []
        while not q.empty():
            e = q.get_nowait()
            if isinstance(e, LaneNotice):
                notices.append(e)
        assert notices and notices[-1].level == "alert" and "Storage full" in notices[-1].message
        assert lane.sale is None  # nothing half-started
        assert len(await journal.outbox.pending(100_000)) == sold
        assert (await journal.verify()).ok
