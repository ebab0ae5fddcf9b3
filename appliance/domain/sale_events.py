"""The sale's events as versioned wire schemas (msgspec), not Python class paths.

Each event is stored as (type name, schema version, JSON payload). Old journals stay readable:
when a schema changes, its version goes up and an upcaster turns the old payload into the new
shape before decoding. Money fields are integer minor units in the sale's currency (SaleStarted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

import msgspec

from appliance.domain.errors import DomainError


class EventDecodeError(DomainError):
    """A stored event that cannot be read: unknown type, newer schema, or a payload that does not fit."""


class SaleEvent(msgspec.Struct, frozen=True, kw_only=True):
    SCHEMA: ClassVar[int] = 1
    sale_id: str
    version: int
    at: dt.datetime


class SaleStarted(SaleEvent, frozen=True, kw_only=True):
    store_id: str
    lane_id: str
    currency: str
    training: bool = False
    kind: str = "sale"  # sale | return
    original_sale_id: str = ""  # a return: the sale whose receipt was scanned
    original_receipt: str = ""


class LineAdded(SaleEvent, frozen=True, kw_only=True):
    line_id: int
    sku: str
    name: str
    quantity: Decimal
    unit: str  # each | kg | lb
    unit_price: int
    tax_class: str
    category: str = ""
    scanned: str = ""  # the normalised code that was scanned (GTIN/PLU), never card data
    embedded_price: int | None = None
    age_restriction: int | None = None


class QuantityChanged(SaleEvent, frozen=True, kw_only=True):
    line_id: int
    quantity: Decimal


class LineVoided(SaleEvent, frozen=True, kw_only=True):
    line_id: int
    reason: str = ""


class TenderAdded(SaleEvent, frozen=True, kw_only=True):
    tender_id: str
    kind: str  # cash | card | gift_card | qr | loyalty_points | store_credit
    amount: int  # applied to the sale's balance
    tendered: int = 0  # cash handed over
    change: int = 0
    rounding: int = 0  # cash rounding adjustment applied to the balance (may be negative)
    reference: str = ""  # masked card/gift-card number or approval reference; never clear card data


class TenderVoided(SaleEvent, frozen=True, kw_only=True):
    tender_id: str
    reason: str = ""


class MemberIdentified(SaleEvent, frozen=True, kw_only=True):
    member_id: str
    tier: str = ""
    points_balance: int = 0  # as known when identified; redemption is checked against it
    key_kind: str = "card"  # card | qr | phone (the key itself is not kept)


class CouponPresented(SaleEvent, frozen=True, kw_only=True):
    code: str
    gs1: bool = False


class ReturnLineAdded(SaleEvent, frozen=True, kw_only=True):
    """An item brought back: refunded at what was actually paid for it (the sale's allocation)."""

    line_id: int
    original_sale_id: str
    original_receipt: str  # the receipt reference as printed
    original_line_id: int
    sku: str
    name: str
    quantity: Decimal
    refund: int  # handed back, tax included
    tax: int  # the tax share given back
    tax_class: str
    reason: str = ""
    resellable: bool = True


class InterventionRaised(SaleEvent, frozen=True, kw_only=True):
    """Something an attendant must look at before the sale may be paid (age check, weight, help)."""

    intervention_id: str
    kind: str  # age | weight | help
    reason: str
    line_id: int | None = None
    min_age: int | None = None


class InterventionCleared(SaleEvent, frozen=True, kw_only=True):
    intervention_id: str
    by: str  # associate id
    outcome: str  # approved | refused | resolved
    note: str = ""


class PaymentRequested(SaleEvent, frozen=True, kw_only=True):
    """A provider payment about to be sent (journaled before sending): the txn id is its idempotency key."""

    txn_id: str
    kind: str  # card | gift_card | qr
    amount: int
    card: str = ""  # masked: first 6 / last 4 at most
    entry_mode: str = ""


class PaymentAnswered(SaleEvent, frozen=True, kw_only=True):
    txn_id: str
    state: str  # approved | partial | declined
    code: str = ""
    approved: int = 0
    auth_code: str = ""
    card: str = ""  # masked: first 6 / last 4 at most


class PaymentReversed(SaleEvent, frozen=True, kw_only=True):
    """The payment was reversed at the provider (in doubt, or a late read): nothing is charged."""

    txn_id: str
    reason: str = ""


class SaleCompleted(SaleEvent, frozen=True, kw_only=True):
    receipt_no: int  # per lane, gapless: allocated by the journal in the completing transaction
    record_id: str  # UUIDv7 of the sale record HQ receives (its idempotency key)
    total: int
    paid: int
    change: int
    promotions: tuple[str, ...] = ()
    points_earned: int = 0


class SaleVoided(SaleEvent, frozen=True, kw_only=True):
    reason: str


EVENT_TYPES: dict[str, type[SaleEvent]] = {
    cls.__name__: cls
    for cls in (SaleStarted, LineAdded, QuantityChanged, LineVoided, MemberIdentified, CouponPresented, TenderAdded,
                TenderVoided, InterventionRaised, InterventionCleared, ReturnLineAdded, SaleCompleted, SaleVoided,
                PaymentRequested, PaymentAnswered, PaymentReversed)
}

# (type name, from schema version) -> function turning that payload into the next version's shape
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}

_encoder = msgspec.json.Encoder(decimal_format="string")


def register(cls: type[SaleEvent]) -> type[SaleEvent]:
    """Add an event type defined elsewhere in the domain (later issues extend the sale)."""
    EVENT_TYPES[cls.__name__] = cls
    return cls


def encode(event: SaleEvent) -> tuple[str, int, bytes]:
    cls = type(event)
    return cls.__name__, cls.SCHEMA, _encoder.encode(event)


def decode(type_name: str, schema: int, payload: bytes) -> SaleEvent:
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise EventDecodeError(f"Unknown sale event type {type_name!r}: this journal was written by a newer Lanekit.")
    if schema > cls.SCHEMA:
        raise EventDecodeError(f"{type_name} schema {schema} is newer than this Lanekit reads ({cls.SCHEMA}).")
    try:
        if schema == cls.SCHEMA:
            return msgspec.json.decode(payload, type=cls)
        data = msgspec.json.decode(payload)
        for v in range(schema, cls.SCHEMA):
            data = UPCASTERS[(type_name, v)](data)
        return msgspec.convert(data, type=cls)
    except (msgspec.ValidationError, msgspec.DecodeError, KeyError) as err:
        raise EventDecodeError(f"{type_name} v{schema} payload does not decode: {err}") from err
