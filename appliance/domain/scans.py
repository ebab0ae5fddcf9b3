"""What a scan means: the typed results of `barcodes.interpret`.

Every raw scan becomes exactly one of these; `Unknown` carries a reason a person can read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from appliance.domain.money import Money


@dataclass(frozen=True, slots=True)
class GtinScan:
    """An item by GTIN, normalised to 14 digits; GS1 element-string extras when present."""

    gtin: str
    batch: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    expired: bool = False
    net_weight_kg: Decimal | None = None
    price: Money | None = None
    element_string: bool = False
    best_before: dt.date | None = None  # AI 15: informative, unlike expiry it never blocks a sale
    count: int | None = None  # AI 30: variable count of items
    hri: str | None = None  # the element string as "(01)…(17)…", for receipts and audit lines


@dataclass(frozen=True, slots=True)
class VariableMeasureScan:
    """A store-internal (RCN) barcode with an embedded price, weight or count.

    `item_ref` is the digits that identify the item (the lookup key), the rest zeroed.
    """

    gtin: str
    item_ref: str
    price: Money | None = None
    weight_kg: Decimal | None = None
    count: int | None = None


@dataclass(frozen=True, slots=True)
class PluScan:
    plu: str


@dataclass(frozen=True, slots=True)
class CouponScan:
    code: str
    gs1: bool = False


@dataclass(frozen=True, slots=True)
class LoyaltyCardScan:
    member_id: str


@dataclass(frozen=True, slots=True)
class ReceiptRefScan:
    store: str
    lane: str
    receipt_no: int


@dataclass(frozen=True, slots=True)
class PickupCodeScan:
    order_id: str
    code: str


@dataclass(frozen=True, slots=True)
class ParkedBasketScan:
    ticket: str


@dataclass(frozen=True, slots=True)
class UnknownScan:
    raw: str
    reason: str


ScanResult = (
    GtinScan
    | VariableMeasureScan
    | PluScan
    | CouponScan
    | LoyaltyCardScan
    | ReceiptRefScan
    | PickupCodeScan
    | ParkedBasketScan
    | UnknownScan
)
