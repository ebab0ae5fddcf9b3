"""The demo store's promotion set (appliance/demo/promotions.json) on a hand-computed basket."""

import pathlib

from appliance.domain.pricing import price_basket
from appliance.domain.promotions import Member, PointsRate, decode_rules, redeem_points
from tests.support.promo import eu, line, saved_by


def test_demo_basket_multibuy_mix_and_match_member_price_threshold_points_and_redemption(
        repo_root: pathlib.Path) -> None:
    rules = decode_rules((repo_root / "appliance" / "demo" / "promotions.json").read_bytes())
    basket = [
        line(1, "woo-cap", 3),  # 3 x 18.00, 3 for 40.00
        line(2, "woo-beanie"),  # 20.00
        line(3, "Woo-beanie-logo", price=2000, category="Clothing > Accessories"),
        line(4, "woo-fashion-hat"),  # 12.00; any 3 headwear 45.00
        line(5, "woo-hoodie-with-logo", price=4500, category="Clothing > Hoodies"),  # member price 40.00
    ]
    member = Member("M-DEMO", tier="gold", points_balance=1000)
    pb = price_basket(basket, eu(rules, member=member))
    # caps 1400 + headwear 700 beats the winter kit (800 with the member-priced hoodie);
    # 12500 after item deals >= 10000: 10.00 off, 320 of it on the hoodie (4000/12500)
    assert saved_by(pb) == {"member-hoodie": 500, "caps-3-for-40": 1400, "headwear-any-3": 700,
                            "spend-100-get-10": 1000}
    assert (pb.subtotal.minor, pb.saved.minor, pb.total.minor) == (15100, 3600, 11500)
    assert {pl.line.line_id: pl.amount.minor for pl in pb.lines}[5] == 3680
    # points: 78.20 x 1 + 36.80 x 2 (hoodies) = 151.8, x 1.5 gold = 227.7 -> 227
    assert pb.points_earned == 227
    assert rules.loyalty is not None
    tender = redeem_points(500, balance=member.points_balance, amount_due=pb.total,
                           rate=PointsRate.of(rules.loyalty, "EUR"))
    assert (tender.points, tender.amount.minor) == (500, 500)


def test_demo_welcome_coupon_is_an_alternative_to_the_spend_threshold(repo_root: pathlib.Path) -> None:
    rules = decode_rules((repo_root / "appliance" / "demo" / "promotions.json").read_bytes())
    small = [line(1, "woo-tshirt")]
    pb = price_basket(small, eu(rules, coupons=("cp-welcome5",)))
    assert saved_by(pb) == {"welcome-5": 500}
    used = price_basket(small, eu(rules, coupons=("CP-WELCOME5",), member=Member("M", usage={"welcome-5": 1})))
    assert used.promotions == ()
