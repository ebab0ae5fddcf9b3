"""A US sales-tax store (state 6.25 % + local 2.25 % on the net, rounded once per receipt), and refunds."""

from decimal import Decimal

import pytest

from appliance.domain.errors import DomainError
from appliance.domain.pricing import price_basket
from appliance.domain.promotions import refund_for
from tests.support.promo import eu, line, paid, rule, rules, skus, us


def test_us_multibuy_then_basket_percent_then_tax_on_the_net() -> None:
    r = rules(rule("n_for_price", "cap3", target=skus("woo-cap"), quantity=3, price=4000),
              rule("basket_percent_off", "b10", percent="10"), currency="USD")
    pb = price_basket([line(1, "woo-cap", 4, currency="USD"), line(2, "woo-belt", currency="USD")], us(r))
    # caps 7200-1400 = 5800; belt 6500; 10 % of 12300 = 1230 -> 650 belt, 580 caps (exact shares)
    # receipt tax on 11070: state 691.875 -> 692, local 249.075 -> 249; shares 366+132 belt, 326+117 caps
    assert paid(pb) == {1: (5220, 443), 2: (5850, 498)}
    assert (pb.subtotal.minor, pb.saved.minor, pb.tax.minor, pb.total.minor) == (13700, 2630, 941, 12011)
    rows = {t.code: (t.net.minor, t.tax.minor) for t in pb.tax_breakdown}
    assert rows == {"LC": (11070, 249), "ST": (11070, 692)}


def test_us_half_price_second_hoodie_and_spend_threshold() -> None:
    r = rules(rule("buy_get", "bogo50", target=skus("woo-hoodie"), buy=1, get=1, percent="50"),
              rule("spend_get_off", "s50", min_spend=5000, amount=500), currency="USD")
    pb = price_basket([line(1, "woo-hoodie", 2, currency="USD"), line(2, "woo-tshirt", currency="USD")], us(r))
    # hoodies 6750, tshirt 1800; 500 over 6750/1800 of 8550: 394.74 / 105.26 -> 395, 105
    # net 8050: state 503.125 -> 503, local 181.125 -> 181
    assert {k: v[0] for k, v in paid(pb).items()} == {1: 6355, 2: 1695}
    assert (pb.tax.minor, pb.total.minor) == (684, 8734)


def test_us_grocery_rate_with_a_free_item() -> None:
    r = rules(rule("buy_get", "b1g1", target=skus("woo-album"), buy=1, get=1), currency="USD")
    pb = price_basket([line(1, "woo-album", 2, tax="reduced", currency="USD")], us(r))
    assert (pb.total.minor, pb.tax.minor) == (1515, 15)


def test_refund_of_one_unit_of_a_multibuy_line_gives_back_what_was_paid() -> None:
    r = rules(rule("n_for_price", "cap3", target=skus("woo-cap"), quantity=3, price=4000))
    pb = price_basket([line(1, "woo-cap", 3)], eu(r))
    assert paid(pb) == {1: (4000, 639)}  # 4000*19/119 = 638.66
    first = refund_for(pb, 1, 1)
    assert (first.amount.minor, first.tax.minor, first.net.minor, first.savings.minor) == (1333, 213, 1120, 467)
    second = refund_for(pb, 1, 1, already_returned=1)
    third = refund_for(pb, 1, 1, already_returned=2)
    assert (second.amount.minor, second.tax.minor) == (1334, 213)
    assert (third.amount.minor, third.tax.minor) == (1333, 213)
    assert refund_for(pb, 1).amount.minor == 4000  # the whole line at once


def test_refund_of_a_multibuy_spread_over_separate_lines() -> None:
    r = rules(rule("n_for_price", "cap3", target=skus("woo-cap"), quantity=3, price=4000))
    pb = price_basket([line(1, "woo-cap"), line(2, "woo-cap"), line(3, "woo-cap")], eu(r))
    # the 1400 saved splits 466.67 each -> 467, 467, 466 (earlier units take the spare cents)
    assert paid(pb) == {1: (1333, 213), 2: (1333, 213), 3: (1334, 213)}
    back = refund_for(pb, 2)
    assert (back.amount.minor, back.tax.minor) == (1333, 213)


def test_refund_in_a_sales_tax_store_adds_the_tax_share() -> None:
    r = rules(rule("n_for_price", "cap3", target=skus("woo-cap"), quantity=3, price=4000),
              rule("basket_percent_off", "b10", percent="10"), currency="USD")
    pb = price_basket([line(1, "woo-cap", 4, currency="USD"), line(2, "woo-belt", currency="USD")], us(r))
    belt = refund_for(pb, 2)
    assert (belt.amount.minor, belt.net.minor, belt.tax.minor) == (5850 + 498, 5850, 498)
    cap = refund_for(pb, 1, 1)  # 5220/4 = 1305, 443/4 = 110.75 -> 111
    assert (cap.amount.minor, cap.net.minor, cap.tax.minor) == (1305 + 111, 1305, 111)


def test_refund_refuses_more_than_was_sold_and_unknown_lines() -> None:
    pb = price_basket([line(1, "woo-cap", 2)], eu(rules()))
    with pytest.raises(DomainError, match="already returned"):
        refund_for(pb, 1, 2, already_returned=1)
    with pytest.raises(DomainError, match="not part of this sale"):
        refund_for(pb, 9)
    assert refund_for(pb, 1, Decimal(2)).amount.minor == 3600
