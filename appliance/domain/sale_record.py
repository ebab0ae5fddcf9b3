"""A finished sale as HQ receives it: the outbox payload (versioned wire schema).

Sold quantities travel with the sale so HQ's stock aggregator can apply them; card references are
masked (at most first 6 / last 4) before they ever reach the sale.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from appliance.domain.items import Unit
from appliance.domain.money import Money
from appliance.domain.pricing import BasketLine, PricedBasket, PricedLine
from appliance.domain.sale import Sale
from appliance.domain.sale_events import SaleCompleted

SALE_RECORD_SCHEMA = 1


class RecordLine(msgspec.Struct, frozen=True, kw_only=True):
    line_id: int
    sku: str
    quantity: Decimal
    unit: str
    unit_price: int
    list_amount: int
    amount: int
    tax: int
    promotions: tuple[str, ...] = ()
    name: str = ""
    tax_class: str = ""


class RecordTender(msgspec.Struct, frozen=True, kw_only=True):
    tender_id: str
    kind: str
    amount: int
    change: int = 0
    reference: str = ""


class RecordReturn(msgspec.Struct, frozen=True, kw_only=True):
    line_id: int
    original_sale_id: str
    original_line_id: int
    sku: str
    quantity: Decimal
    refund: int
    tax: int
    resellable: bool


class SaleRecord(msgspec.Struct, frozen=True, kw_only=True):
    schema: int = SALE_RECORD_SCHEMA
    record_id: str  # UUIDv7, HQ's idempotency key
    outbox_seq: int  # per device, monotonic: HQ acks "through" a sequence
    sale_id: str
    store_id: str
    lane_id: str
    receipt_no: int
    training: bool
    currency: str
    started_at: dt.datetime
    completed_at: dt.datetime
    lines: tuple[RecordLine, ...]
    tenders: tuple[RecordTender, ...]
    subtotal: int
    saved: int
    tax: int
    total: int  # negative for a return: what the lane paid out
    promotions: tuple[str, ...] = ()
    kind: str = "sale"  # sale | return
    returns: tuple[RecordReturn, ...] = ()
    prices_include_tax: bool = True


_enc = msgspec.json.Encoder(decimal_format="string")


def build_sale_record(sale: Sale, priced: PricedBasket, done: SaleCompleted, outbox_seq: int) -> SaleRecord:
    return SaleRecord(
        record_id=done.record_id, outbox_seq=outbox_seq,
        sale_id=sale.sale_id, store_id=sale.store_id, lane_id=sale.lane_id, receipt_no=done.receipt_no,
        training=sale.training, currency=sale.currency,
        started_at=sale.started_at or done.at, completed_at=done.at,
        lines=tuple(
            RecordLine(line_id=pl.line.line_id, sku=pl.line.sku, quantity=pl.line.quantity, unit=pl.line.unit.value,
                       unit_price=pl.line.unit_price.minor, list_amount=pl.list_amount.minor, amount=pl.amount.minor,
                       tax=pl.tax.minor, promotions=tuple(s.promotion_id for s in pl.savings),
                       name=pl.line.name, tax_class=pl.line.tax_class)
            for pl in priced.lines
        ),
        tenders=tuple(RecordTender(tender_id=t.tender_id, kind=t.kind.value, amount=t.amount.minor,
                                   change=t.change.minor, reference=t.reference) for t in sale.tenders),
        subtotal=priced.subtotal.minor, saved=priced.saved.minor,
        tax=priced.tax.minor - sum(r.tax for r in sale.returns.values()), total=done.total,
        promotions=done.promotions, kind=sale.kind,
        returns=tuple(RecordReturn(line_id=r.line_id, original_sale_id=r.original_sale_id,
                                   original_line_id=r.original_line_id, sku=r.sku, quantity=r.quantity,
                                   refund=r.refund, tax=r.tax, resellable=r.resellable)
                      for r in sale.returns.values()),
        prices_include_tax=priced.prices_include_tax,
    )


def priced_from_record(record: SaleRecord) -> PricedBasket:
    """The sale as it was priced, rebuilt from its record: what each line actually cost (for returns)."""
    cur = record.currency
    lines = tuple(
        PricedLine(
            line=BasketLine(line_id=ln.line_id, sku=ln.sku, name=ln.name or ln.sku, quantity=ln.quantity,
                            unit=Unit(ln.unit), unit_price=Money(ln.unit_price, cur), tax_class=ln.tax_class),
            list_amount=Money(ln.list_amount, cur), savings=(), amount=Money(ln.amount, cur), tax=Money(ln.tax, cur))
        for ln in record.lines
    )
    return PricedBasket(currency=cur, lines=lines, promotions=(), tax_breakdown=(), subtotal=Money(record.subtotal, cur),
                        saved=Money(record.saved, cur), tax=Money(record.tax, cur), total=Money(record.total, cur),
                        prices_include_tax=record.prices_include_tax)


def encode_sale_record(sale: Sale, priced: PricedBasket, done: SaleCompleted, outbox_seq: int) -> bytes:
    return _enc.encode(build_sale_record(sale, priced, done, outbox_seq))


def decode_sale_record(payload: bytes) -> SaleRecord:
    return msgspec.json.decode(payload, type=SaleRecord)
