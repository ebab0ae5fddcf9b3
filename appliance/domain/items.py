"""Catalog items as the lane sells them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from appliance.domain.money import Money


class Unit(enum.Enum):
    EACH = "each"
    KG = "kg"
    LB = "lb"

    @property
    def weighed(self) -> bool:
        return self is not Unit.EACH


@dataclass(frozen=True, slots=True)
class Item:
    """One sellable item. `unit_price` is per `unit` (per kg for weighed produce)."""

    sku: str
    name: str
    unit_price: Money
    tax_class: str = "standard"
    unit: Unit = Unit.EACH
    gtins: tuple[str, ...] = ()  # normalised GTIN-14 strings
    plu: str | None = None
    category: str = ""
    age_restriction: int | None = None  # minimum age in years
    nominal_weight_g: int | None = None  # for bagging-area checks
    weight_tolerance_g: int | None = None
    stock: int | None = None  # None: not tracked
    active: bool = True
