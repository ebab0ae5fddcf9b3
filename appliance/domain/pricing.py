"""Pricing a basket: list prices, promotions, tax — the one function the sale calls.

`price_basket` is pure and deterministic: the same lines, rules, customer and time give the same
result whatever the scan order. Promotions plug in through `PricingContext.rules` (a compiled
`appliance.domain.promotions.PromotionRules`); with no rules it prices at list price.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from appliance.domain.items import Unit
from appliance.domain.money import Money, Rounding
from appliance.domain.tax import TaxLine, TaxPolicy, TaxRegime, compute_tax

if TYPE_CHECKING:
    from appliance.domain.promotions.coupons import Coupon
    from appliance.domain.promotions.loyalty import Member
    from appliance.domain.promotions.rules import PromotionRules


@dataclass(frozen=True, slots=True)
class BasketLine:
    """A line as the sale holds it, before pricing. `quantity` is a count, or kg/lb for weighed items."""

    line_id: int
    sku: str
    name: str
    quantity: Decimal
    unit: Unit
    unit_price: Money
    tax_class: str
    category: str = ""
    price_override: Money | None = None  # attendant override (per unit), beats promotions
    embedded_price: Money | None = None  # price printed in a variable-measure barcode


@dataclass(frozen=True, slots=True)
class Saving:
    """One promotion's effect on one line."""

    promotion_id: str
    name: str
    amount: Money  # positive: what the customer saved on this line


@dataclass(frozen=True, slots=True)
class PricedLine:
    line: BasketLine
    list_amount: Money  # unit price × quantity, rounded
    savings: tuple[Saving, ...]
    amount: Money  # what the customer pays for the line (list - savings), never negative
    tax: Money


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    promotion_id: str
    name: str
    line_ids: tuple[int, ...]
    saved: Money
    kind: str = ""  # the wire rule kind, e.g. "n_for_price"
    times: int = 1  # applications in this basket (per-customer limits count these)
    coupon: str | None = None  # the coupon code that enabled it


@dataclass(frozen=True, slots=True)
class PricedBasket:
    currency: str
    lines: tuple[PricedLine, ...]
    promotions: tuple[AppliedPromotion, ...]
    tax_breakdown: tuple[TaxLine, ...]
    subtotal: Money  # sum of list amounts
    saved: Money
    tax: Money
    total: Money  # what the customer owes
    points_earned: int = 0
    prices_include_tax: bool = True  # line amounts are gross (VAT) or net (sales tax)
    member_id: str | None = None
    coupons_applied: tuple[str, ...] = ()
    rules_version: int | None = None
    fallback_groups: int = 0  # groups of deals priced by the greedy fallback, not exactly

    @property
    def fired(self) -> tuple[str, ...]:
        """Ids of the promotions that saved the customer something (the sale records these)."""
        return tuple(p.promotion_id for p in self.promotions)


@dataclass(frozen=True, slots=True)
class PricingContext:
    currency: str
    tax: TaxPolicy
    now: dt.datetime
    line_rounding: Rounding = Rounding.HALF_UP
    store_id: str = ""
    lane_id: str = ""
    member_id: str | None = None
    coupons: tuple[str | Coupon, ...] = ()  # plain strings are store codes as typed or scanned
    extras: dict[str, object] = field(default_factory=dict)
    rules: PromotionRules | None = None
    member: Member | None = None  # identified member (tier, balance, earlier uses); wins over member_id
    region: str = ""


def list_amount(line: BasketLine, rounding: Rounding) -> Money:
    if line.embedded_price is not None:
        return line.embedded_price
    unit_price = line.price_override if line.price_override is not None else line.unit_price
    return unit_price.times(line.quantity, rounding)


def price_basket(lines: list[BasketLine], ctx: PricingContext) -> PricedBasket:
    """Price a basket: list prices, then the promotions of `ctx.rules` if any, then tax."""
    if ctx.rules is not None:
        from appliance.domain.promotions.engine import price_with_rules

        return price_with_rules(lines, ctx, ctx.rules)
    ordered = sorted(lines, key=lambda ln: ln.line_id)
    amounts = [list_amount(ln, ctx.line_rounding) for ln in ordered]
    return finish(ordered, amounts, [() for _ in ordered], (), ctx)


def finish(
    lines: list[BasketLine],
    list_amounts: list[Money],
    savings: list[tuple[Saving, ...]],
    promotions: tuple[AppliedPromotion, ...],
    ctx: PricingContext,
    points_earned: int = 0,
) -> PricedBasket:
    """Common tail of every pricing: net amounts after savings, tax, totals."""
    cur = ctx.currency
    paid = []
    for la, sv in zip(list_amounts, savings, strict=True):
        saved = sum((s.amount.minor for s in sv), 0)
        paid.append(Money(max(0, la.minor - saved), cur))
    tax = compute_tax([(ln.tax_class, p) for ln, p in zip(lines, paid, strict=True)], ctx.tax, cur)
    priced = tuple(
        PricedLine(ln, la, sv, p, t)
        for ln, la, sv, p, t in zip(lines, list_amounts, savings, paid, tax.line_tax, strict=True)
    )
    subtotal = Money(sum(a.minor for a in list_amounts), cur)
    return PricedBasket(
        currency=cur,
        lines=priced,
        promotions=promotions,
        tax_breakdown=tax.breakdown,
        subtotal=subtotal,
        saved=Money(subtotal.minor - sum(p.minor for p in paid), cur),
        tax=tax.tax,
        total=tax.gross,
        points_earned=points_earned,
        prices_include_tax=ctx.tax.regime is TaxRegime.INCLUSIVE,
    )
