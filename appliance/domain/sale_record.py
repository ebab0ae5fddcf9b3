"""A finished sale as HQ receives it: the outbox payload (versioned wire schema).

Sold quantities travel with the sale so HQ's stock aggregator can apply them; card references are
masked (at most first 6 / last 4) before they ever reach the sale.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from appliance.domain.pricing import PricedBasket
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


class RecordTender(msgspec.Struct, frozen=True, kw_only=True):
    tender_id: str
    kind: str
    amount: int
    change: int = 0
    reference: str = ""


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
    total: int
    promotions: tuple[str, ...] = ()


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
                       tax=pl.tax.minor, promotions=tuple(s.promotion_id for s in pl.savings))
            for pl in priced.lines
        ),
        tenders=tuple(RecordTender(tender_id=t.tender_id, kind=t.kind.value, amount=t.amount.minor,
                                   change=t.change.minor, reference=t.reference) for t in sale.tenders),
        subtotal=priced.subtotal.minor, saved=priced.saved.minor, tax=priced.tax.minor, total=priced.total.minor,
        promotions=done.promotions,
    )


def encode_sale_record(sale: Sale, priced: PricedBasket, done: SaleCompleted, outbox_seq: int) -> bytes:
    return _enc.encode(build_sale_record(sale, priced, done, outbox_seq))


def decode_sale_record(payload: bytes) -> SaleRecord:
    return msgspec.json.decode(payload, type=SaleRecord)
