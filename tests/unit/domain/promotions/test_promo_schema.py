"""Bad rule payloads: each is refused whole with a RuleError naming the rule id, the field and why."""

import json
from typing import Any

import pytest

from appliance.domain.promotions import RuleError, decode_rules, decode_ruleset, encode_ruleset
from tests.support.promo import payload, rule, skus

GOOD = rule("n_for_price", "cap3", target=skus("woo-cap"), quantity=3, price=4000)


def _with(**changes: Any) -> dict[str, Any]:
    r = dict(GOOD)
    for k, v in changes.items():
        if v is None:
            r.pop(k, None)
        else:
            r[k] = v
    return r


CASES = [
    ("wrong type", _with(quantity="3"), "cap3", "quantity", "Expected `int`"),
    ("unknown kind", _with(kind="free_lunch"), "cap3", "kind", "Invalid value 'free_lunch'"),
    ("missing field", _with(price=None), "cap3", "price", "missing required field"),
    ("unknown field", _with(colour="red"), "cap3", "colour", "unknown field"),
    ("negative price", _with(price=-1), "cap3", "price", "non-negative amount"),
    ("one-item multibuy", _with(quantity=1), "cap3", "quantity", "at least 2 items"),
    ("huge quantity", _with(quantity=5000), "cap3", "quantity", "between 1 and 1000"),
    ("empty target", _with(target={}), "cap3", "target", "names no SKU"),
    ("blank sku", _with(target={"skus": [" "]}), "cap3", "target", "blank"),
    ("nested type", _with(target={"skus": [7]}), "cap3", "target.skus[0]", "Expected `str`"),
    ("naive time", _with(valid_from="2026-12-01T00:00:00"), "cap3", "valid_from", "UTC offset"),
    ("reversed window", _with(valid_from="2026-12-02T00:00:00Z", valid_until="2026-12-01T00:00:00Z"),
     "cap3", "valid_until", "ends before it starts"),
    ("zero limit", _with(limit_per_basket=0), "cap3", "limit_per_basket", "at least 1"),
    ("coupon without code", _with(coupon={}), "cap3", "coupon", "names no code"),
    ("blank name", _with(name=" "), "cap3", "name", "printed on receipts"),
    ("zero percent", rule("item_percent_off", "p0", target=skus("a"), percent="0"), "p0", "percent", "above 0"),
    ("over 100 percent", rule("basket_percent_off", "p1", percent="100.5"), "p1", "percent", "at most 100"),
    ("amount and percent", rule("spend_get_off", "s", min_spend=100, amount=5, percent="5"), "s", "amount",
     "exactly one"),
    ("bundle part qty", rule("bundle", "b", price=1, parts=[{"target": skus("a"), "quantity": 0},
                                                            {"target": skus("b")}]),
     "b", "parts[0].quantity", "between 1 and"),
    ("idle points", rule("points", "pt"), "pt", "per_currency_unit", "earns nothing"),
    ("points by coupon", rule("points", "pt", per_item=1, coupon={"codes": ["X"]}), "pt", "coupon", "cannot be"),
]


@pytest.mark.parametrize(("what", "bad", "rid", "field", "why"), CASES, ids=[c[0] for c in CASES])
def test_bad_rule_is_refused_with_id_field_and_reason(what: str, bad: dict[str, Any], rid: str, field: str,
                                                      why: str) -> None:
    data = payload(rule("item_amount_off", "ok", target=skus("a"), amount=1), bad)
    with pytest.raises(RuleError) as info:
        decode_rules(data)
    err = info.value
    assert (err.rule_id, err.field) == (rid, field), str(err)
    assert why in err.reason
    assert repr(rid) in str(err) and field in str(err)


@pytest.mark.parametrize(("data", "field", "why"), [
    (b"{not json", "$", "not valid JSON"),
    (json.dumps({"schema": 2, "version": 1, "currency": "EUR", "rules": []}).encode(), "schema", "not supported"),
    (json.dumps({"schema": 1, "version": 1, "currency": "XXY", "rules": []}).encode(), "currency", "Unknown ISO"),
    (json.dumps({"schema": 1, "version": 1, "rules": []}).encode(), "currency", "missing required field"),
    (json.dumps({"schema": 1, "version": 1, "currency": "EUR", "rules": {}}).encode(), "rules", "Expected `array`"),
    (payload(loyalty={"redeem_points": 0, "redeem_value": 1}), "loyalty.redeem_points", "positive"),
    (payload(GOOD, GOOD), "id", "more than one rule"),
])
def test_bad_envelope_is_refused(data: bytes, field: str, why: str) -> None:
    with pytest.raises(RuleError) as info:
        decode_rules(data)
    assert info.value.field == field, str(info.value)
    assert why in info.value.reason


def test_duplicate_id_names_the_rule() -> None:
    with pytest.raises(RuleError) as info:
        decode_rules(payload(GOOD, GOOD))
    assert info.value.rule_id == "cap3"


def test_good_rule_set_round_trips_through_the_canonical_encoding() -> None:
    rs = decode_ruleset(payload(GOOD, rule("basket_percent_off", "b", percent="12.5"), version=7))
    again = decode_ruleset(encode_ruleset(rs))
    assert again == rs and again.version == 7 and str(again.rules[1].percent) == "12.5"  # type: ignore[union-attr]


def test_demo_promotions_file_is_valid(repo_root: Any) -> None:
    rs = decode_ruleset((repo_root / "appliance" / "demo" / "promotions.json").read_bytes())
    kinds = {type(r).__struct_config__.tag for r in rs.rules}
    assert {"n_for_price", "mix_match", "price", "points"} <= kinds
    assert rs.loyalty is not None
