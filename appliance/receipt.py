"""The receipt the lane prints: a device-neutral document built from a finished (or voided) sale.

Labels follow the store's language; amounts are formatted for the store's locale (babel).
Only the last 4 digits of a card ever appear (tender references are masked before they get here).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal

from babel.dates import format_datetime, get_timezone
from babel.numbers import format_decimal

from appliance.domain.money import Money, exponent
from appliance.domain.pricing import PricedBasket
from appliance.domain.sale import Sale, SaleStatus
from appliance.domain.store_codes import encode_receipt_ref
from appliance.store_profile import StoreProfile
from drivers.events import DriverError
from drivers.printer import (
    Align,
    Barcode,
    Cut,
    Feed,
    Printer,
    ReceiptDocument,
    Row,
    Separator,
    TextLine,
    TextSize,
    render_text,
)

log = logging.getLogger(__name__)

_LABELS = {
    "en": {"total": "TOTAL", "cash": "Cash", "card": "Card", "gift_card": "Gift card", "qr": "Wallet (QR)",
           "loyalty_points": "Points", "store_credit": "Store credit", "change": "Change", "saved": "You saved",
           "tax": "Tax", "net": "net", "receipt": "Receipt", "lane": "Lane", "void": "*** VOID ***",
           "training": "*** TRAINING - NOT A SALE ***", "rounding": "Rounding", "vat_id": "VAT ID",
           "member": "Member", "points_earned": "Points earned", "return": "RETURN of receipt"},
    "de": {"total": "SUMME", "cash": "Bar", "card": "Karte", "gift_card": "Gutschein", "qr": "Wallet (QR)",
           "loyalty_points": "Punkte", "store_credit": "Guthaben", "change": "Rückgeld", "saved": "Gespart",
           "tax": "MwSt", "net": "netto", "receipt": "Bon", "lane": "Kasse", "void": "*** STORNO ***",
           "training": "*** TRAINING - KEIN VERKAUF ***", "rounding": "Rundung", "vat_id": "USt-IdNr.",
           "member": "Kunde", "points_earned": "Punkte gesammelt", "return": "RÜCKGABE zu Bon"},
}


def _labels(locale: str) -> dict[str, str]:
    return _LABELS.get(locale.split("_")[0], _LABELS["en"])


def amount_text(money: Money, locale: str) -> str:
    exp = exponent(money.currency)
    pattern = "#,##0" + ("." + "0" * exp if exp else "")
    return format_decimal(money.amount, format=pattern, locale=locale)


def _qty_text(q: Decimal, locale: str) -> str:
    return format_decimal(q, format="#,##0.###", locale=locale)


def build_receipt(sale: Sale, priced: PricedBasket, profile: StoreProfile, *, lane_number: int = 1,
                  when: dt.datetime | None = None) -> ReceiptDocument:
    loc = profile.locale
    lab = _labels(loc)
    fmt = lambda m: amount_text(m, loc)  # noqa: E731
    blocks: list = [
        TextLine(profile.name, bold=True, size=TextSize.DOUBLE, align=Align.CENTER),
        *(TextLine(a, align=Align.CENTER) for a in profile.address),
    ]
    if profile.vat_id:
        blocks.append(TextLine(f"{lab['vat_id']} {profile.vat_id}", align=Align.CENTER))
    if sale.training:
        blocks.append(TextLine(lab["training"], bold=True, align=Align.CENTER))
    blocks.append(Separator())
    class_code = {name: comps[0].code for name, comps in profile.tax.classes.items() if comps}
    for pl in priced.lines:
        ln = pl.line
        blocks.append(Row(ln.name, f"{fmt(pl.list_amount)} {class_code.get(ln.tax_class, '')}".rstrip()))
        if ln.embedded_price is None and (ln.quantity != 1 or ln.unit.weighed):
            unit = f" {profile.currency}/{ln.unit.value}" if ln.unit.weighed else ""
            q = f"{_qty_text(ln.quantity, loc)} {ln.unit.value}" if ln.unit.weighed else _qty_text(ln.quantity, loc)
            blocks.append(TextLine(f"  {q} x {fmt(ln.unit_price)}{unit}"))
    if sale.returns:
        blocks.append(TextLine(f"{lab['return']} {sale.original_receipt}", bold=True))
    for r in sale.returns.values():
        blocks.append(Row(f"{r.name} ({_qty_text(r.quantity, loc)})", f"-{fmt(Money(r.refund, sale.currency))}"))
    for p in priced.promotions:
        blocks.append(Row(f"  {p.name}", f"-{fmt(p.saved)}"))
    total = priced.total - sale.refund_total()
    blocks += [Separator(), Row(f"{lab['total']} {profile.currency}", fmt(total), bold=True)]
    if priced.saved.minor:
        blocks.append(Row(lab["saved"], fmt(priced.saved)))
    for t in sale.tenders:
        label = lab.get(t.kind.value, t.kind.value)
        if t.reference:
            label = f"{label} {t.reference}"
        blocks.append(Row(label, fmt(t.tendered if t.tendered.minor else t.amount)))
    if sale.rounding().minor:
        blocks.append(Row(lab["rounding"], fmt(sale.rounding())))
    if sale.change().minor:
        blocks.append(Row(lab["change"], fmt(sale.change()), bold=True))
    blocks.append(Separator())
    for t in priced.tax_breakdown:
        blocks.append(Row(f"{t.code} {t.label}  {lab['net']} {fmt(t.net)}", fmt(t.tax)))
    if sale.status is SaleStatus.VOIDED:
        blocks.append(TextLine(lab["void"], bold=True, align=Align.CENTER))
    if sale.member is not None:
        blocks.append(Separator())
        blocks.append(Row(f"{lab['member']} {sale.member.member_id}", ""))
        if priced.points_earned:
            blocks.append(Row(lab["points_earned"], str(priced.points_earned)))
    blocks.append(Separator())
    at = when or sale.completed_at or sale.started_at
    stamp = format_datetime(at, "dd.MM.yyyy HH:mm", tzinfo=get_timezone(profile.timezone), locale=loc) if at else ""
    blocks.append(TextLine(f"{lab['receipt']} {sale.receipt_no:06d}  {lab['lane']} {sale.lane_id}  {stamp}"))
    ref = encode_receipt_ref(profile.number, lane_number, sale.receipt_no)
    blocks += [Barcode(ref), *(TextLine(f, align=Align.CENTER) for f in profile.footer), Feed(2), Cut()]
    return ReceiptDocument(tuple(blocks), ref=f"{sale.lane_id}-{sale.receipt_no:06d}")


class PrinterReceipts:
    """The lane's receipt sink: builds the document, prints it, and never loses it.

    A failed print leaves the receipt in the printer's reprint spool and raises an attendant
    alert through `on_alert`; the sale is already complete either way.
    """

    def __init__(self, printer: Printer, on_alert: Callable[[str], None] | None = None,
                 lane_number: int = 1) -> None:
        self.printer = printer
        self._lane_number = lane_number
        self._on_alert = on_alert
        self.last_document: ReceiptDocument | None = None

    async def print_receipt(self, sale: Sale, priced: PricedBasket, profile: StoreProfile) -> str:
        doc = build_receipt(sale, priced, profile, lane_number=self._lane_number)
        self.last_document = doc
        text = render_text(doc, self.printer.profile)
        try:
            await self.printer.print(doc)
        except DriverError as err:
            log.warning("receipt %s not printed: %s", doc.ref, err)
            if self._on_alert is not None:
                self._on_alert(f"Receipt {doc.ref} was not printed ({err}); it is kept for reprint.")
        return text
