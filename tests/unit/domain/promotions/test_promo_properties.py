"""Properties: scan-order independence, and exact agreement with a brute-force oracle on small baskets."""

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.domain.pricing import PricedBasket, price_basket
from appliance.domain.promotions import Member, decode_rules
from tests.support.promo import CATALOG, eu, line, payload, rule
from tests.support.promo_oracle import oracle_due

POOL = ["woo-cap", "woo-beanie", "woo-fashion-hat", "woo-tshirt", "woo-polo", "woo-hoodie"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _target(draw: Any) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"skus": draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True))}
    return {"categories": [draw(st.sampled_from(["Clothing", "Clothing > Accessories", "Clothing > Tshirts"]))]}


@st.composite
def a_rule(draw: Any, rid: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["price", "item_percent_off", "item_amount_off", "n_for_price", "mix_match",
                                 "buy_get", "cheapest_free", "bundle", "basket_percent_off", "basket_amount_off",
                                 "spend_get_off"]))
    extra: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0 and kind != "price":
        extra["limit_per_basket"] = draw(st.integers(1, 2))
    if kind == "price":
        return rule(kind, rid, target=_target(draw), price=draw(st.integers(500, 4000)), **extra)
    if kind == "item_percent_off":
        return rule(kind, rid, target=_target(draw), percent=str(draw(st.integers(5, 60))), **extra)
    if kind == "item_amount_off":
        return rule(kind, rid, target=_target(draw), amount=draw(st.integers(50, 2500)), **extra)
    if kind in ("n_for_price", "mix_match"):
        key = "target" if kind == "n_for_price" else "group"
        return rule(kind, rid, quantity=draw(st.integers(2, 3)), price=draw(st.integers(1000, 8000)),
                    **{key: _target(draw)}, **extra)
    if kind == "buy_get":
        return rule(kind, rid, target=_target(draw), buy=draw(st.integers(1, 2)), get=1,
                    percent=str(draw(st.sampled_from([30, 50, 100]))), **extra)
    if kind == "cheapest_free":
        return rule(kind, rid, target=_target(draw), quantity=draw(st.integers(2, 3)), **extra)
    if kind == "bundle":
        parts = [{"target": _target(draw)} for _ in range(draw(st.integers(2, 3)))]
        return rule(kind, rid, parts=parts, price=draw(st.integers(1000, 9000)), **extra)
    group = draw(st.sampled_from(["", "", "g"]))
    if kind == "basket_percent_off":
        return rule(kind, rid, percent=str(draw(st.integers(5, 30))), stack_group=group,
                    priority=draw(st.integers(0, 2)))
    if kind == "basket_amount_off":
        return rule(kind, rid, amount=draw(st.integers(100, 3000)), stack_group=group,
                    priority=draw(st.integers(0, 2)))
    return rule(kind, rid, min_spend=draw(st.integers(1000, 9000)), amount=draw(st.integers(100, 2000)),
                stack_group=group)


@st.composite
def rule_sets(draw: Any) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 4))
    return [draw(a_rule(f"r{i}")) for i in range(n)]


@st.composite
def baskets(draw: Any, max_units: int) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    units = draw(st.integers(1, max_units))
    while units > 0:
        q = draw(st.integers(1, min(3, units)))
        out.append((draw(st.sampled_from(POOL)), q))
        units -= q
    return out


def _fingerprint(pb: PricedBasket) -> tuple[object, ...]:
    return (
        pb.total, pb.tax, pb.saved, pb.points_earned, pb.tax_breakdown,
        sorted((p.promotion_id, p.saved.minor, p.times) for p in pb.promotions),
        sorted((pl.line.sku, pl.line.quantity, pl.amount.minor, pl.tax.minor,
                tuple((s.promotion_id, s.amount.minor) for s in pl.savings)) for pl in pb.lines),
    )


@SETTINGS
@given(rs=rule_sets(), basket=baskets(7))
def test_engine_agrees_with_the_brute_force_oracle(rs: list[dict[str, Any]], basket: list[tuple[str, int]]) -> None:
    compiled = decode_rules(payload(*rs))
    pb = price_basket([line(i + 1, sku, q) for i, (sku, q) in enumerate(basket)], eu(compiled))
    expected = oracle_due([(sku, CATALOG[sku][1], CATALOG[sku][0], q) for sku, q in basket], rs)
    assert pb.subtotal.minor - pb.saved.minor == expected
    assert pb.fallback_groups == 0
    assert pb.total.minor >= 0 and all(pl.amount.minor >= 0 for pl in pb.lines)


@SETTINGS
@given(rs=rule_sets(), basket=baskets(12), seed=st.integers(0, 2**32), member=st.booleans())
def test_scan_order_does_not_change_the_result(rs: list[dict[str, Any]], basket: list[tuple[str, int]],
                                              seed: int, member: bool) -> None:
    rs = [*rs, rule("points", "pts", per_currency_unit=1)]
    compiled = decode_rules(payload(*rs))
    ctx = eu(compiled, member=Member("M1") if member else None)
    scanned = [line(i + 1, sku, q) for i, (sku, q) in enumerate(basket)]
    shuffled = list(basket)
    random.Random(seed).shuffle(shuffled)
    rescanned = [line(100 + i, sku, q) for i, (sku, q) in enumerate(shuffled)]
    assert _fingerprint(price_basket(scanned, ctx)) == _fingerprint(price_basket(list(reversed(rescanned)), ctx))


@SETTINGS
@given(rs=rule_sets(), basket=baskets(10))
def test_memoised_and_fresh_pricing_agree(rs: list[dict[str, Any]], basket: list[tuple[str, int]]) -> None:
    warm = decode_rules(payload(*rs))
    lines = [line(i + 1, sku, q) for i, (sku, q) in enumerate(basket)]
    for k in range(1, len(lines) + 1):
        price_basket(lines[:k], eu(warm))
    cold = decode_rules(payload(*rs))
    cold.memo = False
    assert price_basket(lines, eu(warm)) == price_basket(lines, eu(cold))
