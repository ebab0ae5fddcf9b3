"""Rules compiled for the engine: who they match, when they are active, what one application saves.

Layers (the stacking rules, in order):
  1. PRICE     overrides set the unit price (lowest applicable wins); deals are priced from it.
  2. DEAL      item-level deals (percent/amount off an item or category, multi-buys, mix & match,
               bundles) each consume units; a unit is in at most one deal application.
  3. BASKET    basket-level rules (basket percent/amount off, thresholds) apply to what is left after
               layer 2, in (priority desc, id) order; rules sharing a `stack_group` are alternatives.
  4. POINTS    loyalty accrual on what the member finally pays.
`exclusive` on a rule: the lines it touches get no other promotion (an exclusive price override
keeps its lines out of layers 2-3; an exclusive deal is offered only on lines with no override and
keeps its lines out of layer 3; an exclusive basket rule fires alone, on lines with no saving).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from appliance.domain.money import Rounding, round_ratio
from appliance.domain.promotions import schema as s


class Layer(enum.IntEnum):
    PRICE = 1
    DEAL = 2
    BASKET = 3
    POINTS = 4


def category_keys(category: str) -> tuple[str, ...]:
    """'Clothing > Accessories' -> ('clothing', 'clothing>accessories'): a category covers its children."""
    parts = [p.strip().casefold() for p in category.split(">") if p.strip()]
    return tuple(">".join(parts[: i + 1]) for i in range(len(parts)))


@dataclass(frozen=True, slots=True)
class Matcher:
    skus: frozenset[str]
    categories: frozenset[str]

    @classmethod
    def of(cls, t: s.Target | None) -> Matcher | None:
        if t is None:
            return None
        cats = frozenset(category_keys(c)[-1] for c in t.categories if category_keys(c))
        return cls(frozenset(t.skus), cats)

    def matches(self, sku: str, cat_keys: tuple[str, ...]) -> bool:
        return sku in self.skus or any(k in self.categories for k in cat_keys)


class DealKind(enum.Enum):
    PERCENT = "percent"  # one unit, percent off
    AMOUNT = "amount"  # one unit, amount off
    FOR_PRICE = "for_price"  # n units for a price (multi-buy, mix & match, bundle)
    BUY_GET = "buy_get"  # n + m units, the m cheapest at a percent off


@dataclass(frozen=True, slots=True)
class CRule:
    """A validated wire rule, compiled."""

    rule: s.Rule
    layer: Layer
    order: int  # position in (priority desc, id) order; smaller first
    matchers: tuple[Matcher | None, ...]  # layer 2 bundles: one per part; otherwise one (None: all)
    quantities: tuple[int, ...]  # units per part for layer 2
    deal: DealKind | None = None
    price: int = 0  # FOR_PRICE price, AMOUNT amount, PRICE override
    pct: tuple[int, int] = (0, 1)  # percent as a ratio num/den of 100
    get: int = 0  # BUY_GET: the discounted units
    id: str = ""  # the rule's id (a field: the engine looks it up on every credit)
    size: int = 1  # units one application takes

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.rule.id)
        object.__setattr__(self, "size", sum(self.quantities))

    def value(self, prices: list[int]) -> int:
        """Saving of one application using units at these prices (sorted ascending)."""
        k = self.deal
        if k is DealKind.PERCENT:
            return round_ratio(prices[0] * self.pct[0], self.pct[1] * 100, Rounding.DOWN)
        if k is DealKind.AMOUNT:
            return min(self.price, prices[0])
        if k is DealKind.FOR_PRICE:
            return max(0, sum(prices) - self.price)
        if k is DealKind.BUY_GET:
            return round_ratio(sum(prices[: self.get]) * self.pct[0], self.pct[1] * 100, Rounding.DOWN)
        raise AssertionError(f"rule {self.id} is not a deal")

    def in_window(self, now: dt.datetime) -> bool:
        r = self.rule
        return (r.valid_from is None or r.valid_from <= now) and (r.valid_until is None or now < r.valid_until)

    def in_scope(self, store: str, region: str, lane: str) -> bool:
        r = self.rule
        return ((not r.stores or store in r.stores) and (not r.regions or region in r.regions)
                and (not r.lanes or lane in r.lanes))


def _ratio(p: Decimal) -> tuple[int, int]:
    return p.as_integer_ratio()


def compile_rule(rule: s.Rule, order: int) -> CRule:
    one = (1,)
    if isinstance(rule, s.PriceRule):
        return CRule(rule, Layer.PRICE, order, (Matcher.of(rule.target),), one, price=rule.price)
    if isinstance(rule, s.ItemPercentOff):
        return CRule(rule, Layer.DEAL, order, (Matcher.of(rule.target),), one, DealKind.PERCENT,
                     pct=_ratio(rule.percent))
    if isinstance(rule, s.ItemAmountOff):
        return CRule(rule, Layer.DEAL, order, (Matcher.of(rule.target),), one, DealKind.AMOUNT, price=rule.amount)
    if isinstance(rule, s.NForPrice):
        return CRule(rule, Layer.DEAL, order, (Matcher.of(rule.target),), (rule.quantity,), DealKind.FOR_PRICE,
                     price=rule.price)
    if isinstance(rule, s.MixMatch):
        return CRule(rule, Layer.DEAL, order, (Matcher.of(rule.group),), (rule.quantity,), DealKind.FOR_PRICE,
                     price=rule.price)
    if isinstance(rule, s.Bundle):
        return CRule(rule, Layer.DEAL, order, tuple(Matcher.of(p.target) for p in rule.parts),
                     tuple(p.quantity for p in rule.parts), DealKind.FOR_PRICE, price=rule.price)
    if isinstance(rule, s.BuyGet):
        return CRule(rule, Layer.DEAL, order, (Matcher.of(rule.target),), (rule.buy + rule.get,), DealKind.BUY_GET,
                     pct=_ratio(rule.percent), get=rule.get)
    if isinstance(rule, s.CheapestFree):
        return CRule(rule, Layer.DEAL, order, (Matcher.of(rule.target),), (rule.quantity,), DealKind.BUY_GET,
                     pct=(100, 1), get=1)
    if isinstance(rule, s.BasketPercentOff | s.BasketAmountOff | s.SpendGetOff):
        pct = _ratio(rule.percent) if getattr(rule, "percent", None) is not None else (0, 1)
        return CRule(rule, Layer.BASKET, order, (Matcher.of(rule.target),), one,
                     price=getattr(rule, "amount", None) or 0, pct=pct)
    if isinstance(rule, s.SpendGetItem):
        return CRule(rule, Layer.BASKET, order, (Matcher.of(rule.target), Matcher.of(rule.free)), one)
    if isinstance(rule, s.Points):
        return CRule(rule, Layer.POINTS, order, (Matcher.of(rule.target),), one)
    raise AssertionError(f"unknown rule kind {type(rule).__name__}")


def kind_name(rule: s.Rule) -> str:
    return type(rule).__struct_config__.tag  # type: ignore[return-value]
