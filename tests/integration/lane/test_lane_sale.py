"""The first sale end to end through the lane, and every bad input of issue 2."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appliance.domain import sale_events
from appliance.domain.money import Money
from appliance.domain.sale_record import decode_sale_record
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.lane_events import CommandRejected, SaleChanged, SaleFinished, ScanRejected
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from tests.support.clock import T0, FixedClock


def eur(m: int) -> Money:
    return Money(m, "EUR")


def drain(q) -> list:  # type: ignore[no-untyped-def]
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    return out


async def test_cash_sale_end_to_end(lane: Lane, stores: tuple[Replica, Journal]) -> None:
    _, journal = stores
    q = lane.subscribe()
    assert await lane.scan("4260000000011") == 1  # Riesling 7.49 (19 %)
    assert await lane.scan(b"4260000000035", quantity=Decimal(2)) == 2  # Crème fraîche 2 × 1.19 (7 %)
    assert await lane.scan("4011", weight_kg=Decimal("0.755")) == 3  # bananas 0.755 kg × 1.99 = 1.50245 -> 1.50
    view = lane.view()
    assert view is not None
    assert [ln.amount for ln in view.lines] == [eur(749), eur(238), eur(150)]
    # VAT: 749*19/119 = 119.59 -> 1.20; 238*7/107 = 15.57 -> 0.16; 150*7/107 = 9.81 -> 0.10
    assert (view.total, view.tax) == (eur(1137), eur(146))
    assert view.interventions == (("i1", "age", "Riesling trocken 0,75l needs an age check (16+)"),)
    with pytest.raises(LaneError, match="An attendant must check this first: Riesling"):
        await lane.pay_cash("20.00")
    with pytest.raises(LaneError, match="An attendant must log in to approve age"):
        await lane.clear_intervention("i1")
    await lane.attendant_login("1234")
    await lane.clear_intervention("i1", "approved")
    change = await lane.pay_cash("20.00")
    assert change == eur(863)
    assert lane.sale is None and lane.last_sale is not None
    events = drain(q)
    assert [type(e).__name__ for e in events if not isinstance(e, SaleChanged)] == [
        "LaneNotice", "ScanAccepted", "ScanAccepted", "ScanAccepted", "CommandRejected", "CommandRejected",
        "LaneNotice", "SaleFinished",
    ]
    finished = events[-1]
    assert isinstance(finished, SaleFinished) and finished.view.receipt_no == 1
    pending = await journal.outbox.pending(10)
    assert len(pending) == 1
    record = decode_sale_record(pending[0].payload)
    assert (record.total, record.tax, record.receipt_no, record.lane_id) == (1137, 146, 1, "lane-01")
    assert [(ln.sku, ln.quantity) for ln in record.lines] == [
        ("wine-riesling", Decimal(1)), ("creme-fraiche", Decimal(2)), ("produce-bananas", Decimal("0.755")),
    ]
    assert [(t.kind, t.amount, t.change) for t in record.tenders] == [("cash", 1137, 863)]
    report = await journal.verify()
    assert report.ok


async def test_receipt_numbers_are_gapless_and_voided_sales_take_none(lane: Lane) -> None:
    await lane.scan("4260000000042")
    await lane.void_sale("shopper left")
    await lane.scan("4260000000059")
    await lane.pay_cash("16.00")
    assert lane.last_sale is not None and lane.last_sale.receipt_no == 1
    await lane.scan("4260000000059")
    await lane.pay_cash("20.00")
    assert lane.last_sale.receipt_no == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("4006381333931", "not in the catalog"),  # a valid EAN-13 the store does not sell
        ("4006381333938", "check digit"),  # a misread digit
        ("\x00\x1b[2J", "Control character 0x00 at position 0"),  # a confused wedge
        (b"\xff\xfe\x00garbage", "Control character|not text|cannot be read"),
        ("", "empty"),
    ],
)
async def test_bad_scans_are_rejected_with_a_reason_and_change_nothing(lane: Lane, data: str | bytes, reason: str) -> None:
    await lane.scan("4260000000011")
    q = lane.subscribe()
    version = lane.sale.version  # type: ignore[union-attr]
    with pytest.raises(LaneError, match=reason):
        await lane.scan(data)
    rejected = [e for e in drain(q) if isinstance(e, ScanRejected)]
    assert len(rejected) == 1 and rejected[0].reason
    assert lane.sale.version == version  # type: ignore[union-attr]
    assert await lane.scan("4260000000042") == 2  # the lane keeps going


async def test_weighed_item_needs_a_positive_weight(lane: Lane) -> None:
    with pytest.raises(LaneError, match="place it on the scale"):
        await lane.scan("4011")
    with pytest.raises(LaneError, match="zero or negative"):
        await lane.scan("4011", weight_kg=Decimal("-0.010"))
    assert lane.sale is None  # nothing was started by a refused scan


@pytest.mark.parametrize("qty", ["two", "", "1.5", "0", "-3", "1e9"])
async def test_bad_quantity_is_refused_and_changes_nothing(lane: Lane, qty: str) -> None:
    await lane.scan("4260000000042")
    q = lane.subscribe()
    with pytest.raises(LaneError):
        await lane.set_quantity(1, qty)
    assert any(isinstance(e, CommandRejected) and e.command == "set_quantity" for e in drain(q))
    assert lane.view().lines[0].quantity == Decimal(1)  # type: ignore[union-attr]
    await lane.set_quantity(1, "3")
    assert lane.view().total == eur(5400)  # type: ignore[union-attr]


async def test_tender_below_total_leaves_a_balance(lane: Lane) -> None:
    await lane.scan("4260000000042")  # 18.00
    change = await lane.pay_cash("10.00")
    assert change == eur(0)
    view = lane.view()
    assert view is not None and view.balance == eur(800) and view.status == "open"
    with pytest.raises(LaneError, match="not an amount"):
        await lane.pay_cash("ten")
    with pytest.raises(LaneError, match="Payment has started"):
        await lane.scan("4260000000059")
    await lane.pay_cash("10.00")
    assert lane.sale is None and lane.last_sale.change() == eur(200)  # type: ignore[union-attr]


async def test_commands_without_a_sale_are_refused(lane: Lane) -> None:
    with pytest.raises(LaneError, match="no open sale"):
        await lane.pay_cash("5.00")
    with pytest.raises(LaneError, match="no open sale"):
        await lane.void_line(1)


async def test_restart_replays_the_open_sale_exactly(stores: tuple[Replica, Journal], profile) -> None:  # type: ignore[no-untyped-def]
    replica, journal = stores
    first = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0))
    await first.start()
    await first.scan("4260000000011")
    await first.scan("4260000000035", quantity=Decimal(3))
    await first.void_line(1)
    before = first.view()
    second = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0))
    await second.start()
    assert second.view() == before
    rows = await journal.events(before.sale_id)  # type: ignore[union-attr]
    assert [r.type for r in rows] == ["SaleStarted", "LineAdded", "InterventionRaised", "LineAdded", "LineVoided"]
    assert isinstance(sale_events.decode(rows[3].type, rows[3].schema_version, rows[3].payload), sale_events.LineAdded)
    await second.pay_cash("5.00")
    assert second.last_sale.receipt_no == 1  # type: ignore[union-attr]
