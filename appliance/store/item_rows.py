"""Item <-> replica row conversion, and the checks an item must pass before it is stored."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from appliance.domain.items import Item, Unit
from appliance.domain.money import Money

ITEM_COLUMNS = (
    "sku, name, name_key, price_minor, currency, tax_class, unit, plu, category,"
    " age_restriction, nominal_weight_g, weight_tolerance_g, stock, active"
)
# What lookups select: the item row plus its GTINs in the order they were stored.
SELECT_ITEM = (
    "SELECT i.sku, i.name, i.price_minor, i.currency, i.tax_class, i.unit, i.plu, i.category,"
    " i.age_restriction, i.nominal_weight_g, i.weight_tolerance_g, i.stock, i.active,"
    " (SELECT group_concat(gtin, ',') FROM (SELECT gtin FROM gtins WHERE sku = i.sku ORDER BY rowid))"
)

ItemRow = tuple[object, ...]


def name_key(text: str) -> str:
    """The search key of a name: casefolded, accents removed ('Crème' -> 'creme')."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise_gtin(gtin: str) -> str | None:
    """GTIN-8/12/13/14 digits -> the 14-digit form; None when it is not a GTIN at all."""
    if isinstance(gtin, str) and gtin.isascii() and gtin.isdigit() and len(gtin) in (8, 12, 13, 14):
        return gtin.zfill(14)
    return None


def item_problem(item: object) -> str | None:
    """Why this item cannot be stored, or None. Cheap: runs once per item of a 1M import."""
    if not isinstance(item, Item):
        return f"expected an Item, got {type(item).__name__}"
    if not isinstance(item.sku, str) or not item.sku or len(item.sku) > 128:
        return f"SKU {item.sku!r} must be 1-128 characters"
    if not isinstance(item.unit_price, Money):
        return f"item {item.sku}: unit price {item.unit_price!r} is not Money"
    if not isinstance(item.unit, Unit):
        return f"item {item.sku}: unit {item.unit!r} is not a Unit"
    for g in item.gtins:
        if not (isinstance(g, str) and len(g) == 14 and g.isascii() and g.isdigit()):
            return f"item {item.sku}: GTIN {g!r} is not normalised to 14 digits"
    if len(set(item.gtins)) != len(item.gtins):
        return f"item {item.sku}: the same GTIN is listed twice"
    if item.plu is not None and (not isinstance(item.plu, str) or not item.plu):
        return f"item {item.sku}: PLU {item.plu!r} must be a non-empty string"
    return None


def item_row(item: Item) -> ItemRow:
    return (
        item.sku,
        item.name,
        name_key(item.name),
        item.unit_price.minor,
        item.unit_price.currency,
        item.tax_class,
        item.unit.value,
        item.plu,
        item.category,
        item.age_restriction,
        item.nominal_weight_g,
        item.weight_tolerance_g,
        item.stock,
        1 if item.active else 0,
    )


def row_item(row: ItemRow) -> Item:
    (sku, name, minor, currency, tax_class, unit, plu, category, age, weight, tol, stock, active, gtins) = row
    return Item(
        sku=sku,  # type: ignore[arg-type]
        name=name,  # type: ignore[arg-type]
        unit_price=Money(minor, currency),  # type: ignore[arg-type]
        tax_class=tax_class,  # type: ignore[arg-type]
        unit=Unit(unit),
        gtins=tuple(gtins.split(",")) if gtins else (),  # type: ignore[union-attr]
        plu=plu,  # type: ignore[arg-type]
        category=category,  # type: ignore[arg-type]
        age_restriction=age,  # type: ignore[arg-type]
        nominal_weight_g=weight,  # type: ignore[arg-type]
        weight_tolerance_g=tol,  # type: ignore[arg-type]
        stock=stock,  # type: ignore[arg-type]
        active=bool(active),
    )


def parse_rate(text: str) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"tax rate {text!r} is not a decimal number") from None
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise ValueError(f"tax rate {text!r} must be a fraction between 0 and 1 (0.19 for 19%)")
    return rate
