"""Hand-computed baskets for every promotion kind in an EU VAT store (19 % / 7 %, inclusive, per line).

Tax of a gross amount g at 19 %: g*19/119 rounded half up; at 7 %: g*7/107.
"""

import datetime as dt

from appliance.domain.pricing import price_basket
from appliance.domain.promotions import Member
from tests.support.promo import NOW, cats, eu, line, paid, rule, rules, saved_by, skus


def test_sale_price_applies_only_inside_its_window() -> None:
    r = rules(rule("price", "cap-sale", name="Cap sale", target=skus("woo-cap"), price=1600,
                   valid_from="2026-12-01T00:00:00+00:00", valid_until="2026-12-08T00:00:00+00:00"))
    inside = price_basket([line(1, "woo-cap")], eu(r))
    assert paid(inside) == {1: (1600, 255)}  # 1600*19/119 = 255.46
    assert saved_by(inside) == {"cap-sale": 200}
    assert inside.lines[0].savings[0].name == "Cap sale"
    after = price_basket([line(1, "woo-cap")], eu(r, now=dt.datetime(2026, 12, 8, tzinfo=dt.UTC)))
    assert paid(after) == {1: (1800, 287)} and after.promotions == ()  # valid_until is exclusive


def test_member_price_needs_an_identified_member() -> None:
    r = rules(rule("price", "beanie-mp", name="Member price", target=skus("woo-beanie"), price=1800,
                   members_only=True))
    assert paid(price_basket([line(1, "woo-beanie", 2)], eu(r))) == {1: (4000, 639)}  # 4000*19/119 = 638.66
    pb = price_basket([line(1, "woo-beanie", 2)], eu(r, member=Member("M1")))
    assert paid(pb) == {1: (3600, 575)}  # 3600*19/119 = 574.79
    assert pb.member_id == "M1" and pb.fired == ("beanie-mp",)


def test_store_and_region_prices_and_lowest_override_wins() -> None:
    r = rules(
        rule("price", "s2", target=skus("woo-cap"), price=1700, stores=["S2"]),
        rule("price", "north", target=skus("woo-cap"), price=1650, regions=["north"]),
    )
    assert paid(price_basket([line(1, "woo-cap")], eu(r, store_id="S1")))[1][0] == 1800
    assert paid(price_basket([line(1, "woo-cap")], eu(r, store_id="S2")))[1][0] == 1700
    pb = price_basket([line(1, "woo-cap")], eu(r, store_id="S2", region="north"))
    assert paid(pb)[1][0] == 1650 and pb.fired == ("north",)


def test_percent_off_a_category_covers_its_subcategories_only() -> None:
    r = rules(rule("item_percent_off", "acc10", target=cats("Clothing > Accessories"), percent="10"))
    pb = price_basket([line(1, "woo-belt"), line(2, "woo-cap"), line(3, "woo-tshirt")], eu(r))
    # belt 6500-650 = 5850 (934.03); cap 1800-180 = 1620 (258.66); tshirt untouched (287.39)
    assert paid(pb) == {1: (5850, 934), 2: (1620, 259), 3: (1800, 287)}
    assert (pb.total.minor, pb.tax.minor, pb.saved.minor) == (9270, 1480, 830)
    assert pb.promotions[0].line_ids == (1, 2)


def test_percent_off_rounds_each_unit_down() -> None:
    r = rules(rule("item_percent_off", "p", target=skus("woo-album"), percent="12.5"))
    pb = price_basket([line(1, "woo-album", 3, tax="reduced")], eu(r))
    # 1500 * 12.5 % = 187.5 -> 187 per unit, 561 for three; 4500-561 = 3939, 3939*7/107 = 257.69
    assert paid(pb) == {1: (3939, 258)}


def test_amount_off_an_item_per_unit() -> None:
    r = rules(rule("item_amount_off", "h", target=skus("woo-hoodie"), amount=250))
    assert paid(price_basket([line(1, "woo-hoodie", 2)], eu(r))) == {1: (8500, 1357)}  # 1357.14


def test_basket_percent_off_allocates_to_lines_and_vat_rates() -> None:
    r = rules(rule("basket_percent_off", "b10", percent="10"))
    pb = price_basket([line(1, "woo-beanie"), line(2, "woo-album", tax="reduced")], eu(r))
    # 350 off, shares 200/150; beanie 1800 (287.39), album 1350 @7 % (88.32)
    assert paid(pb) == {1: (1800, 287), 2: (1350, 88)}
    rows = {t.code: (t.net.minor, t.tax.minor) for t in pb.tax_breakdown}
    assert rows == {"A": (1513, 287), "B": (1262, 88)}


def test_basket_amount_off_by_largest_remainder() -> None:
    r = rules(rule("basket_amount_off", "b5", name="5 off", amount=500))
    pb = price_basket([line(1, "woo-beanie"), line(2, "woo-cap"), line(3, "woo-album", tax="reduced")], eu(r))
    # weights album 1500, beanie 2000, cap 1800 of 5300: 141.51 / 188.68 / 169.81 -> 141, 189, 170
    assert paid(pb) == {1: (1811, 289), 2: (1630, 260), 3: (1359, 89)}
    assert (pb.total.minor, pb.tax.minor, pb.saved.minor) == (4800, 638, 500)


def test_basket_discount_never_makes_a_total_negative() -> None:
    r = rules(rule("basket_amount_off", "big", amount=100000))
    pb = price_basket([line(1, "woo-cap"), line(2, "woo-album", tax="reduced")], eu(r))
    assert pb.total.minor == 0 and pb.tax.minor == 0 and pb.saved.minor == 3300


def test_n_for_price_uses_full_sets_only() -> None:
    r = rules(rule("n_for_price", "cap3", name="3 caps for 40", target=skus("woo-cap"), quantity=3, price=4000))
    pb = price_basket([line(1, "woo-cap", 4)], eu(r))
    assert paid(pb) == {1: (5800, 926)}  # 7200 - (5400-4000); 5800*19/119 = 926.05
    assert pb.promotions[0].times == 1 and pb.promotions[0].kind == "n_for_price"


def test_buy_two_get_one_free_spreads_the_saving_over_the_set() -> None:
    r = rules(rule("buy_get", "b2g1", target=cats("Clothing > Tshirts"), buy=2, get=1))
    pb = price_basket([line(1, "woo-tshirt"), line(2, "woo-polo"), line(3, "woo-long-sleeve-tee")], eu(r))
    # cheapest (1800) free, spread over 2500/2000/1800: 714.29 / 571.43 / 514.29 -> 714, 572, 514
    assert paid(pb) == {1: (1286, 205), 2: (1428, 228), 3: (1786, 285)}
    assert pb.total.minor == 4500


def test_buy_one_get_one_half_price() -> None:
    r = rules(rule("buy_get", "bogo50", target=skus("woo-hoodie"), buy=1, get=1, percent="50"))
    assert paid(price_basket([line(1, "woo-hoodie", 2)], eu(r))) == {1: (6750, 1078)}  # 1077.73


def test_cheapest_item_free() -> None:
    r = rules(rule("cheapest_free", "c3", target=cats("Clothing > Accessories"), quantity=3))
    pb = price_basket([line(1, "woo-beanie"), line(2, "woo-cap"), line(3, "woo-sunglasses")], eu(r))
    # 1800 free over 2000/1800/9000 of 12800: 281.25 / 253.13 / 1265.63 -> 281, 253, 1266
    assert paid(pb) == {1: (1719, 274), 2: (1547, 247), 3: (7734, 1235)}


def test_mix_and_match_any_three_for_a_price() -> None:
    r = rules(rule("mix_match", "mm", group=skus("woo-beanie woo-cap woo-fashion-hat"), quantity=3, price=4500))
    pb = price_basket([line(1, "woo-beanie"), line(2, "woo-cap"), line(3, "woo-fashion-hat"), line(4, "woo-cap")],
                      eu(r))
    # best three: beanie, cap, cap (2000+1800+1800 = 5600 -> saves 1100) rather than with the hat (500)
    assert saved_by(pb) == {"mm": 1100}
    assert pb.total.minor == 5600 - 1100 + 1200


def test_bundle_for_a_price() -> None:
    r = rules(rule("bundle", "kit", name="Winter kit", price=7000, parts=[
        {"target": skus("woo-hoodie")}, {"target": skus("woo-cap")}, {"target": skus("woo-beanie")}]))
    pb = price_basket([line(1, "woo-hoodie"), line(2, "woo-cap"), line(3, "woo-beanie")], eu(r))
    # 1300 off over beanie 2000 / cap 1800 / hoodie 4500: 313.25 / 281.93 / 704.82 -> 313, 282, 705
    assert paid(pb) == {1: (3795, 606), 2: (1518, 242), 3: (1687, 269)}
    incomplete = price_basket([line(1, "woo-hoodie"), line(2, "woo-cap")], eu(r))
    assert incomplete.promotions == ()


def test_spend_threshold_get_amount_off() -> None:
    r = rules(rule("spend_get_off", "s50", min_spend=5000, amount=500))
    pb = price_basket([line(1, "woo-beanie"), line(2, "woo-cap"), line(3, "woo-album", tax="reduced")], eu(r))
    assert paid(pb) == {1: (1811, 289), 2: (1630, 260), 3: (1359, 89)}
    below = price_basket([line(1, "woo-beanie"), line(2, "woo-cap")], eu(r))
    assert below.promotions == () and below.total.minor == 3800


def test_spend_threshold_get_an_item_free() -> None:
    r = rules(rule("spend_get_item", "capfree", min_spend=5000, free=skus("woo-cap")))
    pb = price_basket([line(1, "woo-beanie"), line(2, "woo-sunglasses"), line(3, "woo-cap")], eu(r))
    assert paid(pb)[3] == (0, 0) and pb.total.minor == 11000
    # the free cap does not count towards the spend: 2000 + 1800 + 1800 - 1800 < 5000
    short = price_basket([line(1, "woo-beanie"), line(2, "woo-cap", 2)], eu(r))
    assert short.promotions == ()


def test_threshold_is_measured_after_item_deals() -> None:
    r = rules(rule("spend_get_off", "s50", min_spend=5000, amount=500),
              rule("item_percent_off", "sg", target=skus("woo-sunglasses"), percent="50"))
    pb = price_basket([line(1, "woo-sunglasses")], eu(r))  # 9000 - 4500 = 4500 < 5000
    assert saved_by(pb) == {"sg": 4500}


def test_now_on_the_valid_from_instant_is_inside() -> None:
    r = rules(rule("item_amount_off", "a", target=skus("woo-cap"), amount=100, valid_from=NOW.isoformat()))
    assert paid(price_basket([line(1, "woo-cap")], eu(r)))[1][0] == 1700
