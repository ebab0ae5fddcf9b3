"""Builders for promotion tests: stores (EU VAT, US sales tax), lines, rule payloads."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from appliance.domain.items import Unit
from appliance.domain.money import Money, Rounding
from appliance.domain.pricing import BasketLine, PricedBasket, PricingContext
from appliance.domain.promotions import PromotionRules, decode_rules
from appliance.domain.tax import TaxComponent, TaxPolicy, TaxRegime, TaxRoundingLevel

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)

EU_TAX = TaxPolicy(
    TaxRegime.INCLUSIVE,
    {
        "standard": (TaxComponent("A", "MwSt 19%", Decimal("0.19")),),
        "reduced": (TaxComponent("B", "MwSt 7%", Decimal("0.07")),),
    },
    TaxRoundingLevel.LINE,
    Rounding.HALF_UP,
)
US_TAX = TaxPolicy(
    TaxRegime.EXCLUSIVE,
    {
        "standard": (
            TaxComponent("ST", "State 6.25%", Decimal("0.0625")),
            TaxComponent("LC", "Local 2.25%", Decimal("0.0225")),
        ),
        "reduced": (TaxComponent("GR", "Grocery 1%", Decimal("0.01")),),
    },
    TaxRoundingLevel.RECEIPT,
    Rounding.HALF_UP,
)

# a slice of the sample WooCommerce catalog: sku -> (minor units, category)
CATALOG = {
    "woo-beanie": (2000, "Clothing > Accessories"),
    "woo-cap": (1800, "Clothing > Accessories"),
    "woo-belt": (6500, "Clothing > Accessories"),
    "woo-sunglasses": (9000, "Clothing > Accessories"),
    "woo-fashion-hat": (1200, "Clothing > Accessories"),
    "woo-tshirt": (1800, "Clothing > Tshirts"),
    "woo-polo": (2000, "Clothing > Tshirts"),
    "woo-long-sleeve-tee": (2500, "Clothing > Tshirts"),
    "woo-hoodie": (4500, "Clothing > Hoodies"),
    "woo-album": (1500, "Music"),
}


def line(line_id: int, sku: str, qty: int | str = 1, *, price: int | None = None, tax: str = "standard",
         currency: str = "EUR", unit: Unit = Unit.EACH, category: str | None = None) -> BasketLine:
    p, cat = CATALOG.get(sku, (0, ""))
    return BasketLine(
        line_id=line_id, sku=sku, name=sku, quantity=Decimal(qty), unit=unit,
        unit_price=Money(p if price is None else price, currency), tax_class=tax,
        category=cat if category is None else category,
    )


def rule(kind: str, rid: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "id": rid, "name": fields.pop("name", rid), **fields}


def payload(*rules: dict[str, Any], currency: str = "EUR", loyalty: dict[str, Any] | None = None,
            version: int = 1) -> bytes:
    doc: dict[str, Any] = {"schema": 1, "version": version, "currency": currency, "rules": list(rules)}
    if loyalty is not None:
        doc["loyalty"] = loyalty
    return json.dumps(doc).encode()


def rules(*rs: dict[str, Any], **kw: Any) -> PromotionRules:
    return decode_rules(payload(*rs, **kw))


def eu(r: PromotionRules | None, **kw: Any) -> PricingContext:
    return PricingContext(currency="EUR", tax=EU_TAX, now=kw.pop("now", NOW), rules=r, **kw)


def us(r: PromotionRules | None, **kw: Any) -> PricingContext:
    return PricingContext(currency="USD", tax=US_TAX, now=kw.pop("now", NOW), rules=r, **kw)


def skus(skus_: str) -> dict[str, list[str]]:
    return {"skus": skus_.split()}


def cats(*c: str) -> dict[str, list[str]]:
    return {"categories": list(c)}


def paid(pb: PricedBasket) -> dict[int, tuple[int, int]]:
    """line id -> (amount paid, tax) in minor units"""
    return {pl.line.line_id: (pl.amount.minor, pl.tax.minor) for pl in pb.lines}


def saved_by(pb: PricedBasket) -> dict[str, int]:
    return {p.promotion_id: p.saved.minor for p in pb.promotions}
