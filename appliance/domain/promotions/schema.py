"""The wire schema of promotions as HQ publishes them: versioned msgspec Structs, validated here.

A rule set is one JSON document `{"schema": 1, "version": N, "currency": "EUR", "rules": [...],
"loyalty": {...}}`. Each rule is tagged by `kind`. Amounts are integer minor units of the rule
set's currency; percentages are decimal strings or numbers ("12.5" is 12.5 %). Anything invalid is
refused whole with a `RuleError` naming the rule id and the field, so a bad sync never half-applies.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import msgspec

from appliance.domain.errors import MoneyError
from appliance.domain.money import exponent
from appliance.domain.promotions.errors import RuleError

SCHEMA_VERSION = 1
MAX_RULES = 200_000
MAX_QUANTITY = 1_000
MAX_AMOUNT = 10**12
_HUNDRED = Decimal(100)


class Target(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Items a rule looks at: listed SKUs, or categories (a category also covers its sub-categories)."""

    skus: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.skus and not self.categories


class CouponTrigger(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A rule that needs a coupon: store codes typed or scanned, or GS1 coupon data by prefix."""

    codes: tuple[str, ...] = ()
    gs1_prefixes: tuple[str, ...] = ()
    single_use: bool = False  # redeemed once across the fleet: HQ must have reserved it


class RuleBase(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, tag_field="kind"):
    id: str
    name: str
    priority: int = 0  # higher first: tie-breaks, basket-level order, the fallback's order
    valid_from: dt.datetime | None = None  # inclusive, timezone-aware
    valid_until: dt.datetime | None = None  # exclusive
    stores: tuple[str, ...] = ()  # empty: every store
    regions: tuple[str, ...] = ()
    lanes: tuple[str, ...] = ()
    members_only: bool = False
    tiers: tuple[str, ...] = ()  # empty: every member tier (and non-members unless members_only)
    coupon: CouponTrigger | None = None
    exclusive: bool = False  # combines with no other promotion on the lines it touches
    stack_group: str = ""  # basket-level rules of one group are alternatives: at most one fires
    limit_per_basket: int | None = None
    limit_per_customer: int | None = None


class PriceRule(RuleBase, tag="price"):
    """A price override per unit (per kg for weighed items): sale, member or store/region price."""

    target: Target
    price: int


class ItemPercentOff(RuleBase, tag="item_percent_off"):
    target: Target
    percent: Decimal


class ItemAmountOff(RuleBase, tag="item_amount_off"):
    target: Target
    amount: int  # per unit; never more than the unit's price


class NForPrice(RuleBase, tag="n_for_price"):
    target: Target
    quantity: int
    price: int


class MixMatch(RuleBase, tag="mix_match"):
    """Any `quantity` items of the group for `price`."""

    group: Target
    quantity: int
    price: int


class BuyGet(RuleBase, tag="buy_get"):
    """Buy `buy`, get `get` more at `percent` off (100: free); the discounted ones are the cheapest."""

    target: Target
    buy: int
    get: int
    percent: Decimal = _HUNDRED


class CheapestFree(RuleBase, tag="cheapest_free"):
    """Of every `quantity` items of the target, the cheapest is free."""

    target: Target
    quantity: int


class BundlePart(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    target: Target
    quantity: int = 1


class Bundle(RuleBase, tag="bundle"):
    parts: tuple[BundlePart, ...]
    price: int


class BasketPercentOff(RuleBase, tag="basket_percent_off"):
    percent: Decimal
    target: Target | None = None  # None: the whole basket


class BasketAmountOff(RuleBase, tag="basket_amount_off"):
    amount: int
    target: Target | None = None


class SpendGetOff(RuleBase, tag="spend_get_off"):
    """Spend at least `min_spend` (on `target`, after item deals) and get `amount` or `percent` off it."""

    min_spend: int
    amount: int | None = None
    percent: Decimal | None = None
    target: Target | None = None


class SpendGetItem(RuleBase, tag="spend_get_item"):
    """Spend at least `min_spend` on other items and get one item of `free` for nothing."""

    min_spend: int
    free: Target
    target: Target | None = None


class Points(RuleBase, tag="points"):
    """Loyalty accrual on what members pay for `target`; `multiplier` scales every points rule there."""

    target: Target | None = None
    per_currency_unit: int = 0
    per_item: int = 0
    multiplier: Decimal = Decimal(1)


Rule = (
    PriceRule
    | ItemPercentOff
    | ItemAmountOff
    | NForPrice
    | MixMatch
    | BuyGet
    | CheapestFree
    | Bundle
    | BasketPercentOff
    | BasketAmountOff
    | SpendGetOff
    | SpendGetItem
    | Points
)


class Tier(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    multiplier: Decimal = Decimal(1)  # applied to all points a member of this tier earns


class LoyaltyProgram(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """`redeem_points` points pay `redeem_value` minor units when used as a tender."""

    redeem_points: int
    redeem_value: int
    min_redeem_points: int = 0
    tiers: tuple[Tier, ...] = ()


class RuleSet(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    schema: int
    version: int
    currency: str
    rules: tuple[Rule, ...] = ()
    loyalty: LoyaltyProgram | None = None


_PATH = re.compile(r"`\$\.rules\[(\d+)\](?:\.(\S+?))?`")


def decode_ruleset(data: bytes) -> RuleSet:
    """Parse and validate a rule set; any fault raises `RuleError` and nothing is returned."""
    try:
        rs = msgspec.json.decode(data, type=RuleSet)
    except msgspec.ValidationError as err:
        raise _locate(data, str(err)) from err
    except msgspec.DecodeError as err:
        raise RuleError(None, "$", f"the payload is not valid JSON ({err}).") from err
    validate(rs)
    return rs


def _locate(data: bytes, message: str) -> RuleError:
    m = _PATH.search(message)
    named = re.search(r"(?:missing required field|unknown field) `([^`]+)`", message)
    if not m:
        field = re.search(r"`\$\.?(\S*?)`", message)
        where = field.group(1) if field and field.group(1) else ""
        if named:
            where = f"{where}.{named.group(1)}" if where else named.group(1)
        return RuleError(None, where or "$", message)
    idx, field = int(m.group(1)), m.group(2) or ""
    if named:
        field = f"{field}.{named.group(1)}" if field else named.group(1)
    field = field or "kind"
    rule_id: str | None = None
    try:
        raw: Any = msgspec.json.decode(data)
        candidate = raw["rules"][idx].get("id")
        rule_id = candidate if isinstance(candidate, str) else f"#{idx}"
    except (msgspec.DecodeError, KeyError, IndexError, TypeError, AttributeError):
        rule_id = f"#{idx}"
    return RuleError(rule_id, field, message)


def validate(rs: RuleSet) -> None:
    if rs.schema != SCHEMA_VERSION:
        raise RuleError(None, "schema", f"schema version {rs.schema} is not supported (this lane reads {SCHEMA_VERSION}).")
    if rs.version < 0:
        raise RuleError(None, "version", "the rule set version must not be negative.")
    try:
        exponent(rs.currency)
    except MoneyError as err:
        raise RuleError(None, "currency", str(err)) from err
    if len(rs.rules) > MAX_RULES:
        raise RuleError(None, "rules", f"{len(rs.rules)} rules exceed the limit of {MAX_RULES}.")
    if rs.loyalty is not None:
        _check_loyalty(rs.loyalty)
    seen: set[str] = set()
    for rule in rs.rules:
        if rule.id in seen:
            raise RuleError(rule.id, "id", "the id is used by more than one rule.")
        seen.add(rule.id)
        _check_rule(rule)


def _check_loyalty(lp: LoyaltyProgram) -> None:
    if lp.redeem_points <= 0 or lp.redeem_value <= 0:
        raise RuleError(None, "loyalty.redeem_points", "the conversion rate needs positive points and value.")
    if lp.min_redeem_points < 0:
        raise RuleError(None, "loyalty.min_redeem_points", "must not be negative.")
    names = [t.name for t in lp.tiers]
    if len(set(names)) != len(names):
        raise RuleError(None, "loyalty.tiers", "tier names must be unique.")
    for t in lp.tiers:
        if not (Decimal(0) < t.multiplier <= 100):
            raise RuleError(None, "loyalty.tiers", f"tier {t.name!r} multiplier must be above 0 and at most 100.")


def _need(cond: bool, rule: RuleBase, field: str, reason: str) -> None:
    if not cond:
        raise RuleError(rule.id, field, reason)


def _amount(rule: RuleBase, field: str, value: int, positive: bool = False) -> None:
    low_ok = value > 0 if positive else value >= 0
    _need(low_ok and value <= MAX_AMOUNT, rule, field,
          f"{value} is not a {'positive' if positive else 'non-negative'} amount of minor units within {MAX_AMOUNT}.")


def _qty(rule: RuleBase, field: str, value: int) -> None:
    _need(1 <= value <= MAX_QUANTITY, rule, field, f"{value} is not a quantity between 1 and {MAX_QUANTITY}.")


def _pct(rule: RuleBase, field: str, value: Decimal) -> None:
    _need(value.is_finite() and Decimal(0) < value <= _HUNDRED, rule, field,
          f"{value} is not a percentage above 0 and at most 100.")


def _target(rule: RuleBase, field: str, t: Target | None, optional: bool = False) -> None:
    if t is None:
        _need(optional, rule, field, "a target is required.")
        return
    _need(not t.empty, rule, field, "the target names no SKU and no category.")
    _need(all(s.strip() for s in (*t.skus, *t.categories)), rule, field, "a SKU or category is blank.")


def _check_rule(r: Rule) -> None:
    _need(bool(r.id.strip()) and len(r.id) <= 64, r, "id", "the id must be 1 to 64 characters.")
    _need(bool(r.name.strip()) and len(r.name) <= 80, r, "name", "the name (printed on receipts) must be 1 to 80 characters.")
    for f in ("valid_from", "valid_until"):
        v = getattr(r, f)
        _need(v is None or v.tzinfo is not None, r, f, "the time must carry a UTC offset.")
    if r.valid_from is not None and r.valid_until is not None:
        _need(r.valid_from < r.valid_until, r, "valid_until", "the window ends before it starts.")
    for f in ("limit_per_basket", "limit_per_customer"):
        v = getattr(r, f)
        _need(v is None or v >= 1, r, f, "a limit must be at least 1 (leave it out for no limit).")
    if r.coupon is not None:
        _need(bool(r.coupon.codes or r.coupon.gs1_prefixes), r, "coupon", "the coupon trigger names no code.")
        _need(all(c.strip() for c in (*r.coupon.codes, *r.coupon.gs1_prefixes)), r, "coupon", "a coupon code is blank.")
    if isinstance(r, Points):
        _need(r.coupon is None, r, "coupon", "points rules cannot be coupon-triggered.")
        _need(r.per_currency_unit >= 0 and r.per_item >= 0, r, "per_currency_unit", "points must not be negative.")
        _need(Decimal(0) < r.multiplier <= 100, r, "multiplier", f"{r.multiplier} is not above 0 and at most 100.")
        _need(r.per_currency_unit or r.per_item or r.multiplier != 1, r, "per_currency_unit", "the rule earns nothing.")
        _target(r, "target", r.target, optional=True)
        return
    if isinstance(r, PriceRule):
        _target(r, "target", r.target)
        _amount(r, "price", r.price)
    elif isinstance(r, ItemPercentOff):
        _target(r, "target", r.target)
        _pct(r, "percent", r.percent)
    elif isinstance(r, ItemAmountOff):
        _target(r, "target", r.target)
        _amount(r, "amount", r.amount, positive=True)
    elif isinstance(r, NForPrice | MixMatch):
        _target(r, "target" if isinstance(r, NForPrice) else "group", r.target if isinstance(r, NForPrice) else r.group)
        _qty(r, "quantity", r.quantity)
        _need(r.quantity >= 2, r, "quantity", "a multi-buy needs at least 2 items.")
        _amount(r, "price", r.price)
    elif isinstance(r, BuyGet):
        _target(r, "target", r.target)
        _qty(r, "buy", r.buy)
        _qty(r, "get", r.get)
        _pct(r, "percent", r.percent)
    elif isinstance(r, CheapestFree):
        _target(r, "target", r.target)
        _qty(r, "quantity", r.quantity)
        _need(r.quantity >= 2, r, "quantity", "cheapest-free needs at least 2 items.")
    elif isinstance(r, Bundle):
        _need(1 <= len(r.parts) <= 20, r, "parts", "a bundle has 1 to 20 parts.")
        for i, p in enumerate(r.parts):
            _target(r, f"parts[{i}].target", p.target)
            _qty(r, f"parts[{i}].quantity", p.quantity)
        _need(sum(p.quantity for p in r.parts) >= 2, r, "parts", "a bundle needs at least 2 items.")
        _amount(r, "price", r.price)
    elif isinstance(r, BasketPercentOff):
        _pct(r, "percent", r.percent)
        _target(r, "target", r.target, optional=True)
    elif isinstance(r, BasketAmountOff):
        _amount(r, "amount", r.amount, positive=True)
        _target(r, "target", r.target, optional=True)
    elif isinstance(r, SpendGetOff):
        _amount(r, "min_spend", r.min_spend, positive=True)
        _need((r.amount is None) != (r.percent is None), r, "amount", "give exactly one of amount and percent.")
        if r.amount is not None:
            _amount(r, "amount", r.amount, positive=True)
        if r.percent is not None:
            _pct(r, "percent", r.percent)
        _target(r, "target", r.target, optional=True)
    elif isinstance(r, SpendGetItem):
        _amount(r, "min_spend", r.min_spend, positive=True)
        _target(r, "free", r.free)
        _target(r, "target", r.target, optional=True)


def encode_ruleset(rs: RuleSet) -> bytes:
    """The canonical wire form (HQ tools and tests)."""
    return msgspec.json.encode(rs)
