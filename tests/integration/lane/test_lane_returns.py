"""BORIS at the lane: a receipt barcode opens a return; items come back at what was actually paid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appliance.domain.money import Money
from appliance.domain.sale_record import decode_sale_record
from appliance.domain.store_codes import encode_receipt_ref
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile, load_promotions
from tests.support.clock import T0, FixedClock

CAP, BREAD = "4260000000059", "4260000000028"


def eur(m: int) -> Money:
    return Money(m, "EUR")


@pytest.fixture
async def sold(stores: tuple[Replica, Journal], profile: StoreProfile):  # type: ignore[no-untyped-def]
    """A finished sale: 3 caps on one line (3 for 40.00 -> 40.00 paid) and a rye bread (2.49)."""
    replica, journal = stores
    clock = FixedClock(T0)
    lane = Lane(LaneConfig("lane-01", number=1), profile, replica, journal, clock=clock, rules=load_promotions(profile))
    await lane.start()
    await lane.scan(CAP, quantity=Decimal(3))
    await lane.scan(BREAD)
    await lane.pay_cash("50.00")
    ref = encode_receipt_ref(profile.number, 1, lane.last_sale.receipt_no)  # type: ignore[union-attr]
    return lane, journal, clock, ref


async def test_return_refunds_what_was_paid_unit_by_unit(sold) -> None:  # type: ignore[no-untyped-def]
    lane, journal, clock, ref = sold
    clock.advance(days=3)
    await lane.start_return(ref)
    assert await lane.return_item(1, Decimal(1), "wrong size") == eur(1333)  # a third of 40.00
    assert await lane.return_item(2) == eur(249)
    refunded = await lane.refund_cash()
    assert refunded == eur(1582)
    assert lane.sale is None and lane.last_sale is not None and lane.last_sale.receipt_no == 2
    rows = await journal.outbox.pending(10)
    record = decode_sale_record(rows[-1].payload)
    assert (record.kind, record.total) == ("return", -1582)
    assert [(r.sku, r.quantity, r.refund, r.tax) for r in record.returns] == [
        ("woo-cap", Decimal(1), 1333, 213), ("bread-rye", Decimal(1), 249, 16)]
    assert [(t.kind, t.amount) for t in record.tenders] == [("cash", -1582)]
    # the other two caps, in a later return: 13.34 + 13.33 — together exactly the 40.00 paid
    await lane.start_return(ref)
    assert await lane.return_item(1) == eur(2667)
    with pytest.raises(LaneError, match="3 were sold and 3 already returned"):
        await lane.return_item(1, Decimal(1))
    await lane.refund_cash()
    assert (await journal.verify()).ok


async def test_return_window_other_lanes_and_bad_receipts_are_refused(sold) -> None:  # type: ignore[no-untyped-def]
    lane, _, clock, ref = sold
    with pytest.raises(LaneError, match="not a completed sale"):
        await lane.start_return(encode_receipt_ref("0042", 1, 99))
    with pytest.raises(LaneError, match="lane 2"):
        await lane.start_return(encode_receipt_ref("0042", 2, 1))
    with pytest.raises(LaneError, match="store 0007"):
        await lane.start_return(encode_receipt_ref("0007", 1, 1))
    with pytest.raises(LaneError, match="not a receipt barcode"):
        await lane.start_return(CAP)
    clock.advance(days=31)
    with pytest.raises(LaneError, match="past the 30-day return window"):
        await lane.start_return(ref)
    assert lane.sale is None


async def test_a_return_sells_nothing_and_refunds_only_once(sold) -> None:  # type: ignore[no-untyped-def]
    lane, _, _, ref = sold
    assert await lane.scan(ref) == 0  # scanning the receipt at an idle lane opens the return
    assert lane.sale is not None and lane.sale.kind == "return"
    with pytest.raises(LaneError, match="This is a return"):
        await lane.scan(BREAD)
    with pytest.raises(LaneError, match="Nothing is to be refunded"):
        await lane.refund_cash()
    await lane.return_item(2)
    await lane.refund_cash()
    with pytest.raises(LaneError, match="no open sale"):
        await lane.refund_cash()
