"""Bagging-area security with the bagging scale simulated on a pty (Toledo 8217), through the driver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from appliance.domain.bagging import BaggingArea, Verdict
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile
from drivers.scale import Scale, ScaleConfig, open_scale, stable_weight
from tests.support.clock import T0, FixedClock

WINE, BREAD, CREME = "4260000000011", "4260000000028", "4260000000035"  # 1250 g ±60, 760 g ±40, no weight


@pytest.fixture
async def bag_scale() -> AsyncIterator[Scale]:
    s = await open_scale(ScaleConfig(protocol="toledo8217", backend="sim", timeout=1.0, name="bagging"))
    async with s:
        yield s


@pytest.fixture
async def kiosk_lane(stores: tuple[Replica, Journal], profile: StoreProfile) -> Lane:
    replica, journal = stores
    lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0), bagging=BaggingArea())
    await lane.start()
    return lane


async def put(lane: Lane, scale: Scale, kg: str) -> Verdict:
    """The bag now weighs `kg`: the lane gets the scale's next stable reading."""
    scale.sim.set(Decimal(kg))  # type: ignore[attr-defined]
    w = await stable_weight(scale, 2.0) if Decimal(kg) > 0 else None
    return await lane.bagging_weight(0 if w is None else int(w.grams()))


async def test_scan_bag_pay(kiosk_lane: Lane, bag_scale: Scale) -> None:
    await kiosk_lane.scan(BREAD)
    with pytest.raises(LaneError, match="Please place Roggenbrot 750g in the bagging area"):
        await kiosk_lane.pay_cash("5.00")
    assert await put(kiosk_lane, bag_scale, "0.772") is Verdict.OK
    await kiosk_lane.scan(CREME)  # no nominal weight: not expected in the bag
    await kiosk_lane.pay_cash("5.00")
    assert kiosk_lane.sale is None


async def test_unexpected_item_blocks_until_fixed_or_cleared(kiosk_lane: Lane, bag_scale: Scale) -> None:
    await kiosk_lane.scan(BREAD)
    await put(kiosk_lane, bag_scale, "0.760")
    assert await put(kiosk_lane, bag_scale, "1.500") is Verdict.UNEXPECTED_ITEM
    view = kiosk_lane.view()
    assert [(k, r) for _, k, r in view.interventions] == [("weight", "Unexpected item in the bagging area")]  # type: ignore[union-attr]
    with pytest.raises(LaneError, match="An attendant must check this first: Unexpected item"):
        await kiosk_lane.pay_cash("5.00")
    # the shopper takes it out again: resolved without an attendant
    assert await put(kiosk_lane, bag_scale, "0.765") is Verdict.OK
    assert kiosk_lane.view().interventions == ()  # type: ignore[union-attr]
    # an item removed: an attendant clears it, and what is in the bag now counts
    assert await put(kiosk_lane, bag_scale, "0") is Verdict.ITEM_REMOVED
    await kiosk_lane.attendant_login("1234")
    iv = kiosk_lane.view().interventions[0][0]  # type: ignore[union-attr]
    await kiosk_lane.clear_intervention(iv, "resolved", "shopper keeps the bread in hand")
    await kiosk_lane.pay_cash("5.00")
    assert kiosk_lane.last_sale is not None and kiosk_lane.sale is None


async def test_voided_item_leaves_the_bag(kiosk_lane: Lane, bag_scale: Scale) -> None:
    await kiosk_lane.scan(BREAD)
    await put(kiosk_lane, bag_scale, "0.760")
    await kiosk_lane.scan(WINE)
    await kiosk_lane.void_line(2)  # wine voided before it was bagged: no longer awaited
    await kiosk_lane.pay_cash("5.00")
    assert kiosk_lane.sale is None
