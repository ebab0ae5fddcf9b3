"""The lane prices through the promotions engine: multi-buy, mix & match, member prices, coupons, points."""

from __future__ import annotations

import pytest

from appliance.domain.money import Money
from appliance.domain.sale_record import decode_sale_record
from appliance.lane import Lane, LaneError
from appliance.store.journal import Journal
from appliance.store.replica import Replica

CAP, BEANIE, HOODIE, BEANIE_LOGO, HAT = "4260000000059", "4260000000042", "4260000000073", "4260000000097", "4260000000103"


def eur(m: int) -> Money:
    return Money(m, "EUR")


async def test_three_caps_for_forty(promo_lane: Lane) -> None:
    for _ in range(3):
        await promo_lane.scan(CAP)
    v = promo_lane.view()
    assert v is not None
    assert (v.subtotal, v.saved, v.total) == (eur(4800), eur(800), eur(4000))
    assert v.promotions == (("3 Caps for 40.00", eur(800)),)
    assert v.tax == eur(639)  # lines pay 13.33/13.33/13.34: VAT per line 2.13 + 2.13 + 2.13
    assert sum(ln.amount.minor for ln in v.lines) == 4000


async def test_mix_and_match_any_three_headwear(promo_lane: Lane) -> None:
    for code in (BEANIE, BEANIE_LOGO, HAT):
        await promo_lane.scan(code)
    v = promo_lane.view()
    assert v is not None and v.subtotal == eur(4800) and v.total == eur(4500)
    assert v.promotions == (("Any 3 beanies & hats for 45.00", eur(300)),)


async def test_member_price_points_and_paying_with_points(promo_lane: Lane, stores: tuple[Replica, Journal]) -> None:
    await promo_lane.scan(HOODIE)
    assert promo_lane.view().total == eur(4500)  # type: ignore[union-attr]  # not a member yet
    await promo_lane.scan("LK100042")
    v = promo_lane.view()
    assert v is not None and v.member_id == "M-100042"
    assert v.total == eur(4000) and v.promotions == (("Member price hoodie", eur(500)),)
    # 1 point per euro paid (40) doubled on hoodies (80), gold tier × 1.5 = 120
    assert v.points_earned == 120
    paid = await promo_lane.pay_points(1000)  # 100 points = 1.00
    assert paid == eur(1000)
    with pytest.raises(LaneError, match="1500 points, fewer than the 3000"):
        await promo_lane.pay_points(3000)
    await promo_lane.pay_cash("30.00")
    assert promo_lane.sale is None
    sale = promo_lane.last_sale
    assert sale is not None and [(t.kind.value, t.amount, t.reference) for t in sale.tenders] == [
        ("loyalty_points", eur(1000), "1000 points"), ("cash", eur(3000), "")]
    (row,) = await stores[1].outbox.pending(5)
    record = decode_sale_record(row.payload)
    assert record.promotions == ("member-hoodie",) and record.total == 4000


async def test_coupon_scanned_applies_once(promo_lane: Lane) -> None:
    await promo_lane.scan(HOODIE)
    await promo_lane.scan("CP-WELCOME5")
    v = promo_lane.view()
    assert v is not None and v.coupons == ("CP-WELCOME5",) and v.total == eur(4000)
    with pytest.raises(LaneError, match="already on this sale"):
        await promo_lane.scan("CP-WELCOME5")


async def test_unknown_card_and_points_without_member_are_refused(promo_lane: Lane) -> None:
    await promo_lane.scan(CAP)
    with pytest.raises(LaneError, match="not known"):
        await promo_lane.scan("LK999999")
    with pytest.raises(LaneError, match="Identify the member"):
        await promo_lane.pay_points(100)
    assert promo_lane.view().member_id is None  # type: ignore[union-attr]
