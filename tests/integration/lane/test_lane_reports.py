"""X and Z reports: tender totals, expected cash with float and pickups, numbered Zs, blind count variance."""

from __future__ import annotations

import pathlib

import pytest

from appliance.domain.money import Money
from appliance.domain.tenders import TenderKind
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.store.audit import AuditLog
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile
from tests.support.clock import T0, FixedClock


def eur(m: int) -> Money:
    return Money(m, "EUR")


async def test_x_and_z_reports(stores: tuple[Replica, Journal], profile: StoreProfile, tmp_path: pathlib.Path) -> None:
    replica, journal = stores
    async with AuditLog(tmp_path / "audit.db") as audit:
        lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0), audit=audit)
        await lane.start()
        with pytest.raises(LaneError, match="An attendant must log in to open drawer"):
            await lane.cash_movement("cash_float", "100.00")
        await lane.attendant_login("9876")
        await lane.cash_movement("cash_float", "100.00")
        await lane.scan("4260000000028")  # 2.49
        await lane.pay_cash("10.00")  # change 7.51: cash applied 2.49
        await lane.scan("4260000000042")  # 18.00
        await lane.pay_other(TenderKind.CARD, eur(1800), "****1111")
        await lane.cash_movement("cash_pickup", "50.00")
        x = await lane.x_report()
        assert (x.kind, x.sales, x.gross, x.tenders) == ("X", 2, eur(2049), {"cash": eur(249), "card": eur(1800)})
        assert x.expected_cash == eur(10000 + 249 - 5000)
        z = await lane.z_report(counted_cash=eur(5240))
        assert (z.number, z.sales, z.through_seq) == (1, 2, x.through_seq)
        entries = await audit.entries()
        assert [e.subject for e in entries if e.action == "z_report"] == ["Z0001"]
        count = [e for e in entries if e.action == "drawer_count"][-1]
        assert count.detail == {"counted": 5240, "expected": 5249, "lane": "lane-01", "variance": -9}
        # the next period starts empty and the next Z is number 2
        x2 = await lane.x_report()
        assert (x2.sales, x2.gross, x2.expected_cash) == (0, eur(0), eur(0))
        await lane.scan("4260000000028")
        await lane.pay_cash("2.49")
        z2 = await lane.z_report()
        assert (z2.number, z2.sales, z2.gross) == (2, 1, eur(249))
        assert (await audit.verify()).ok
