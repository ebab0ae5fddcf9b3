"""What the lane tells its UIs and tests: immutable views and notices, from `Lane.events()`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from appliance.domain.money import Money


@dataclass(frozen=True, slots=True)
class LineView:
    line_id: int
    sku: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Money
    list_amount: Money
    amount: Money
    savings: tuple[tuple[str, Money], ...] = ()
    age_restriction: int | None = None


@dataclass(frozen=True, slots=True)
class TenderView:
    tender_id: str
    kind: str
    amount: Money
    tendered: Money
    change: Money
    reference: str = ""


@dataclass(frozen=True, slots=True)
class SaleView:
    sale_id: str
    receipt_no: int
    status: str
    currency: str
    lines: tuple[LineView, ...]
    subtotal: Money
    saved: Money
    tax: Money
    total: Money
    paid: Money
    balance: Money
    change: Money
    tenders: tuple[TenderView, ...]
    promotions: tuple[tuple[str, Money], ...] = ()
    member_id: str | None = None
    points_earned: int = 0
    coupons: tuple[str, ...] = ()
    interventions: tuple[tuple[str, str, str], ...] = ()  # open ones: (id, kind, reason)


@dataclass(frozen=True, slots=True)
class SaleChanged:
    view: SaleView


@dataclass(frozen=True, slots=True)
class ScanAccepted:
    raw: str
    line_id: int
    name: str


@dataclass(frozen=True, slots=True)
class ScanRejected:
    raw: str
    reason: str


@dataclass(frozen=True, slots=True)
class CommandRejected:
    command: str
    reason: str


@dataclass(frozen=True, slots=True)
class SaleFinished:
    view: SaleView
    receipt_text: str


@dataclass(frozen=True, slots=True)
class WeighingRequested:
    """A weighed item was scanned: the UI shows weight, tare and unit price while the scale settles."""

    name: str
    unit_price: Money
    unit: str


@dataclass(frozen=True, slots=True)
class LaneNotice:
    """Anything an attendant should know: a device fault, a receipt kept for reprint, recovery."""

    level: str  # info | warning | alert
    message: str


LaneEvent = (
    SaleChanged | ScanAccepted | ScanRejected | CommandRejected | SaleFinished | WeighingRequested | LaneNotice
)
