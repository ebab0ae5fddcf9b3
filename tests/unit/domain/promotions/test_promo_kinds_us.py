"""Every kind again in a US sales-tax store: the savings are the EU test's (they do not depend on the tax
regime), the tax is added on the discounted net, once per receipt: state 6.25 % + local 2.25 %, half up
(grocery 1 % on the reduced class)."""

from typing import Any

import pytest

from appliance.domain.pricing import price_basket
from appliance.domain.promotions import Member
from tests.support.promo import cats, line, rule, rules, skus, us


def _l(i: int, sku: str, qty: int = 1, tax: str = "standard") -> Any:
    return line(i, sku, qty, tax=tax, currency="USD")


CASES = [
    # (what, rules, basket, ctx extras, net paid, tax)  tax = round(net x 6.25 %) + round(net x 2.25 %)
    ("sale price", [rule("price", "s", target=skus("woo-cap"), price=1600)], [_l(1, "woo-cap")], {},
     1600, 100 + 36),
    ("member price", [rule("price", "m", target=skus("woo-beanie"), price=1800, members_only=True)],
     [_l(1, "woo-beanie", 2)], {"member": Member("M1")}, 3600, 225 + 81),
    ("percent off a category", [rule("item_percent_off", "p", target=cats("Clothing > Accessories"), percent="10")],
     [_l(1, "woo-belt"), _l(2, "woo-cap"), _l(3, "woo-tshirt")], {}, 9270, 579 + 209),  # 579.375, 208.575
    ("amount off an item", [rule("item_amount_off", "a", target=skus("woo-hoodie"), amount=250)],
     [_l(1, "woo-hoodie", 2)], {}, 8500, 531 + 191),
    ("basket amount off, two rates", [rule("basket_amount_off", "b", amount=500)],
     [_l(1, "woo-beanie"), _l(2, "woo-cap"), _l(3, "woo-album", tax="reduced")], {},
     4800, 215 + 77 + 14),  # standard 1811 + 1630 = 3441: 215.06, 77.42; grocery 1359 x 1 % = 13.59
    ("buy 2 get 1 free", [rule("buy_get", "b", target=cats("Clothing > Tshirts"), buy=2, get=1)],
     [_l(1, "woo-tshirt"), _l(2, "woo-polo"), _l(3, "woo-long-sleeve-tee")], {}, 4500, 281 + 101),
    ("second at half price", [rule("buy_get", "h", target=skus("woo-hoodie"), buy=1, get=1, percent="50")],
     [_l(1, "woo-hoodie", 2)], {}, 6750, 422 + 152),  # 421.875, 151.875
    ("cheapest free", [rule("cheapest_free", "c", target=cats("Clothing > Accessories"), quantity=3)],
     [_l(1, "woo-beanie"), _l(2, "woo-cap"), _l(3, "woo-sunglasses")], {}, 11000, 688 + 248),  # 687.5, 247.5
    ("mix and match", [rule("mix_match", "m", group=skus("woo-beanie woo-cap woo-fashion-hat"), quantity=3,
                            price=4500)],
     [_l(1, "woo-beanie"), _l(2, "woo-cap"), _l(3, "woo-fashion-hat"), _l(4, "woo-cap")], {}, 5700, 356 + 128),
    ("bundle", [rule("bundle", "k", price=7000, parts=[{"target": skus("woo-hoodie")}, {"target": skus("woo-cap")},
                                                        {"target": skus("woo-beanie")}])],
     [_l(1, "woo-hoodie"), _l(2, "woo-cap"), _l(3, "woo-beanie")], {}, 7000, 438 + 158),  # 437.5, 157.5
    ("spend X get an item free", [rule("spend_get_item", "f", min_spend=5000, free=skus("woo-cap"))],
     [_l(1, "woo-beanie"), _l(2, "woo-sunglasses"), _l(3, "woo-cap")], {}, 11000, 688 + 248),
    ("store coupon", [rule("basket_percent_off", "c", percent="10", coupon={"codes": ["SAVE10"]})],
     [_l(1, "woo-beanie")], {"coupons": ("SAVE10",)}, 1800, 113 + 41),  # 112.5, 40.5
]


@pytest.mark.parametrize(("what", "rs", "basket", "extra", "net", "tax"), CASES, ids=[c[0] for c in CASES])
def test_every_kind_in_a_sales_tax_store(what: str, rs: list[dict[str, Any]], basket: list[Any],
                                         extra: dict[str, Any], net: int, tax: int) -> None:
    pb = price_basket(basket, us(rules(*rs, currency="USD"), **extra))
    assert sum(pl.amount.minor for pl in pb.lines) == net
    assert (pb.tax.minor, pb.total.minor) == (tax, net + tax)
    assert pb.promotions and pb.saved.minor == pb.subtotal.minor - net
