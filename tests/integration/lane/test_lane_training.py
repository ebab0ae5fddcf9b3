"""Training mode: sales that never reach HQ or stock and never use a real receipt number."""

from __future__ import annotations

import pathlib

import pytest

from appliance.lane import Lane, LaneConfig, LaneError
from appliance.store.audit import AuditLog
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile
from tests.support.clock import T0, FixedClock


async def test_training_sales_stay_on_the_lane(stores: tuple[Replica, Journal], profile: StoreProfile,
                                               tmp_path: pathlib.Path) -> None:
    replica, journal = stores
    async with AuditLog(tmp_path / "audit.db") as audit:
        lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0), audit=audit)
        await lane.start()
        await lane.scan("4260000000028")
        await lane.pay_cash("5.00")  # receipt 1, real
        await lane.attendant_login("1234")
        with pytest.raises(LaneError, match=r"Alex \(cashier\) may not training"):
            await lane.set_training(True)
        await lane.attendant_login("9876")
        await lane.set_training(True)
        await lane.scan("4260000000028")
        await lane.pay_cash("5.00")
        assert lane.last_sale.training and lane.last_sale.receipt_no == 1  # type: ignore[union-attr]
        await lane.set_training(False)
        await lane.scan("4260000000028")
        await lane.pay_cash("5.00")
        assert lane.last_sale.receipt_no == 2  # type: ignore[union-attr]  # real numbering unbroken
        records = await journal.outbox.pending(10)
        assert [r.receipt_no for r in records] == [1, 2] and [r.seq for r in records] == [1, 2]
        assert (await journal.verify()).ok
        assert [e.action for e in await audit.entries()][-2:] == ["training_on", "training_off"]
