"""Coupons (store codes, GS1 coupon data, single-use reservations) and loyalty (keys, points, tender)."""

import datetime as dt

import pytest

from appliance.domain.errors import DomainError
from appliance.domain.money import Money
from appliance.domain.pricing import price_basket
from appliance.domain.promotions import (
    Coupon,
    CouponState,
    CouponStateError,
    Member,
    MemberKeyKind,
    PointsRate,
    RedemptionError,
    member_key,
    redeem_points,
)
from tests.support.promo import NOW, cats, eu, line, rule, rules, saved_by, skus

SAVE10 = rule("basket_percent_off", "save10", name="10 % coupon", percent="10", coupon={"codes": ["SAVE10"]})


def test_store_coupon_applies_only_when_presented_and_is_case_insensitive() -> None:
    r = rules(SAVE10)
    assert price_basket([line(1, "woo-beanie")], eu(r)).promotions == ()
    pb = price_basket([line(1, "woo-beanie")], eu(r, coupons=("save10",)))
    assert saved_by(pb) == {"save10": 200}
    assert pb.coupons_applied == ("save10",) and pb.promotions[0].coupon == "save10"


def test_gs1_coupon_matches_by_prefix() -> None:
    r = rules(rule("item_amount_off", "gs1cap", target=skus("woo-cap"), amount=300,
                   coupon={"gs1_prefixes": ["(8110)10614141"]}))
    pb = price_basket([line(1, "woo-cap", 2)], eu(r, coupons=(Coupon("8110106141410123451003", gs1=True),)))
    assert saved_by(pb) == {"gs1cap": 300}  # one coupon, one application
    other = price_basket([line(1, "woo-cap")], eu(r, coupons=(Coupon("8110999999990123451003", gs1=True),)))
    assert other.promotions == ()


def test_single_use_coupon_needs_a_live_reservation() -> None:
    r = rules(rule("basket_amount_off", "once", amount=500, coupon={"codes": ["ONE-XYZ"], "single_use": True}))
    presented = Coupon("ONE-XYZ")
    basket = [line(1, "woo-beanie")]
    assert price_basket(basket, eu(r, coupons=(presented,))).promotions == ()
    reserved = presented.reserve("res-1", NOW + dt.timedelta(minutes=10))
    assert saved_by(price_basket(basket, eu(r, coupons=(reserved,)))) == {"once": 500}
    late = NOW + dt.timedelta(minutes=11)
    assert price_basket(basket, eu(r, coupons=(reserved,), now=late)).promotions == ()
    confirmed = reserved.confirm()
    assert confirmed.state is CouponState.CONFIRMED
    assert saved_by(price_basket(basket, eu(r, coupons=(confirmed,), now=late))) == {"once": 500}
    assert price_basket(basket, eu(r, coupons=(reserved.release(),))).promotions == ()
    assert price_basket(basket, eu(r, coupons=(presented.reject("already redeemed"),))).promotions == ()


def test_coupon_state_machine_refuses_bad_transitions() -> None:
    c = Coupon("ONE-XYZ")
    with pytest.raises(CouponStateError, match="cannot become confirmed from presented"):
        c.confirm()
    done = c.reserve("r", NOW).confirm()
    for move in (done.release, done.confirm, lambda: done.reserve("r2", NOW), lambda: done.reject("x")):
        with pytest.raises(CouponStateError):
            move()
    with pytest.raises(CouponStateError, match="UTC offset"):
        c.reserve("r", dt.datetime(2026, 12, 3))


def test_member_keys_from_card_qr_and_phone() -> None:
    assert member_key(" 4000123456 ", MemberKeyKind.CARD).value == "4000123456"
    assert member_key("lanekit:member:ab-1234", MemberKeyKind.QR).value == "AB-1234"
    assert member_key("030 1234567", MemberKeyKind.PHONE, region="DE").value == "+49301234567"
    assert member_key("(202) 555-0143", MemberKeyKind.PHONE, region="US").value == "+12025550143"
    for raw, kind, why in [
        ("12", MemberKeyKind.CARD, "4 to 32"),
        ("https://example.com/x", MemberKeyKind.QR, "not a member code"),
        ("hello", MemberKeyKind.PHONE, "not a phone number"),
        ("+49 1", MemberKeyKind.PHONE, "too short"),
        ("+1 555 0100 000", MemberKeyKind.PHONE, "not a valid phone number"),
    ]:
        with pytest.raises(DomainError, match=why):
            member_key(raw, kind)


LOYALTY = {"redeem_points": 100, "redeem_value": 100, "min_redeem_points": 50,
           "tiers": [{"name": "gold", "multiplier": "1.5"}]}


def test_points_per_currency_unit_per_item_multiplier_and_tier() -> None:
    r = rules(
        rule("points", "base", per_currency_unit=1),  # 1 point per euro paid
        rule("points", "caps", target=skus("woo-cap"), per_item=10),
        rule("points", "hoodie3x", target=cats("Clothing > Hoodies"), multiplier="3"),
        rule("item_amount_off", "cap1", target=skus("woo-cap"), amount=100),
        loyalty=LOYALTY,
    )
    basket = [line(1, "woo-cap", 2), line(2, "woo-hoodie"), line(3, "woo-album", tax="reduced")]
    assert price_basket(basket, eu(r)).points_earned == 0  # no member, no points
    pb = price_basket(basket, eu(r, member=Member("M1")))
    # caps paid 3400 -> 34 + 2x10; hoodie 45 x 3 = 135; album 15 -> 204
    assert pb.points_earned == 34 + 20 + 135 + 15
    gold = price_basket(basket, eu(r, member=Member("M1", tier="gold")))
    assert gold.points_earned == 306  # 204 x 1.5


def test_points_tender_converts_and_never_loses_points_to_rounding() -> None:
    rate = PointsRate(100, Money(100, "EUR"), min_points=50)  # 100 points = 1.00
    t = redeem_points(250, balance=1000, amount_due=Money(5000, "EUR"), rate=rate)
    assert (t.points, t.amount.minor) == (250, 250)
    capped = redeem_points(1000, balance=1000, amount_due=Money(420, "EUR"), rate=rate)
    assert (capped.points, capped.amount.minor) == (420, 420)
    odd = PointsRate(3, Money(2, "EUR"))  # 3 points = 0.02
    t2 = redeem_points(100, balance=100, amount_due=Money(5000, "EUR"), rate=odd)
    assert (t2.points, t2.amount.minor) == (99, 66)  # 100 pts are worth 66.67 -> 66 cents, which need 99 points


@pytest.mark.parametrize(("requested", "balance", "due", "why"), [
    (0, 100, 500, "positive"),
    (200, 100, 500, "fewer than"),
    (40, 100, 500, "At least 50"),
    (100, 100, 0, "Nothing is due"),
])
def test_points_tender_refusals(requested: int, balance: int, due: int, why: str) -> None:
    rate = PointsRate(100, Money(100, "EUR"), min_points=50)
    with pytest.raises(RedemptionError, match=why):
        redeem_points(requested, balance=balance, amount_due=Money(due, "EUR"), rate=rate)


def test_points_rate_from_the_rule_set() -> None:
    r = rules(loyalty=LOYALTY)
    assert r.loyalty is not None
    rate = PointsRate.of(r.loyalty, "EUR")
    assert rate == PointsRate(100, Money(100, "EUR"), 50)
    with pytest.raises(RedemptionError, match="smallest coin"):
        redeem_points(1, balance=5, amount_due=Money(10, "EUR"), rate=PointsRate(1000, Money(1, "EUR")))
