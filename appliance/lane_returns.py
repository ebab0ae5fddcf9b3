"""The lane's returns (BORIS): a receipt barcode opens a return; items come back at what was paid.

Part of `Lane` (a mixin sharing its state and lock); split out to keep each file about one thing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from appliance.domain import sale_events
from appliance.domain.barcodes import interpret
from appliance.domain.errors import DomainError
from appliance.domain.money import Money
from appliance.domain.promotions import refund_for
from appliance.domain.sale import Sale
from appliance.domain.sale_record import SaleRecord, decode_sale_record, priced_from_record
from appliance.domain.scans import ReceiptRefScan
from appliance.domain.tenders import TenderKind
from appliance.lane_errors import LaneError


class ReturnsMixin:
    async def start_return(self, receipt: str) -> str:
        """BORIS at this lane: the customer's receipt barcode opens a return against that sale.

        Returns the original sale's id. Refused: a receipt this lane cannot find, a voided sale,
        a sale older than the store's return window.
        """
        async with self._lock:
            try:
                if self._sale is not None:
                    raise LaneError("Finish the open sale before starting a return.")
                scan = interpret(receipt, None, self._scan_rules, today=self._clock().date())
                if not isinstance(scan, ReceiptRefScan):
                    raise LaneError(f"That is not a receipt barcode ({type(scan).__name__.removesuffix('Scan')}).")
                record = await self._original_sale(scan)
                age = self._clock() - record.completed_at
                if age > dt.timedelta(days=self.profile.return_days):
                    raise LaneError(f"Receipt {scan.receipt_no} is from {record.completed_at:%Y-%m-%d}: past the "
                                    f"{self.profile.return_days}-day return window; a supervisor may decide.")
                sale = await self._ensure_sale(kind="return", original_sale_id=record.sale_id, original_receipt=receipt)
            except DomainError as err:
                self._reject("start_return", err)
            self._emit_sale()
            return sale.original_sale_id

    async def return_item(self, original_line_id: int, quantity: Decimal | None = None, reason: str = "",
                          resellable: bool = True) -> Money:
        """Take back (part of) a line of the original sale at what was actually paid for it."""
        async with self._lock:
            sale = self._require_sale("return_item")
            try:
                if sale.kind != "return":
                    raise LaneError("Scan the receipt first: this is not a return.")
                record = await self._record_of(sale.original_sale_id)
                done = await self._returned_quantity(sale, original_line_id)
                refund = refund_for(priced_from_record(record), original_line_id, quantity, done)
                line = next(ln for ln in record.lines if ln.line_id == original_line_id)
                event = sale.add_return(
                    self._clock(), original_sale_id=record.sale_id, original_receipt=sale.original_receipt,
                    original_line_id=original_line_id, sku=line.sku, name=line.name or line.sku,
                    quantity=refund.quantity, refund=refund.amount, tax=refund.tax, tax_class=line.tax_class,
                    reason=reason, resellable=resellable)
            except DomainError as err:
                self._reject("return_item", err)
            await self._commit(event)
            self._emit_sale()
            return refund.amount

    async def refund_cash(self) -> Money:
        """Hand the return's refund back in cash; the return completes."""
        async with self._lock:
            sale = self._require_sale("refund_cash")
            try:
                priced = self._price(sale)
                event = sale.refund(TenderKind.CASH, priced.total, f"t{len(sale.tenders) + 1}", self._clock())
            except DomainError as err:
                self._reject("refund_cash", err)
            await self._commit(event)
            await self._complete_if_paid()
            return Money(-event.amount, self.profile.currency)

    async def _original_sale(self, scan: ReceiptRefScan) -> SaleRecord:
        if scan.store != self.profile.number:
            raise LaneError(f"Receipt from store {scan.store}: returns are taken at that store.")
        if int(scan.lane) != self.config.number:
            raise LaneError(f"Receipt from lane {int(scan.lane)}: this lane holds only its own receipts "
                            "(other lanes' receipts are looked up at HQ, which is not reachable here).")
        rows = await self._journal.fetch(
            "SELECT s.sale_id FROM sales s WHERE s.lane_id = ? AND s.receipt_no = ? AND s.status = 'completed'",
            (self.config.lane_id, scan.receipt_no))
        if not rows:
            raise LaneError(f"Receipt {scan.receipt_no} of this lane is not a completed sale.")
        return await self._record_of(rows[0][0])

    async def _record_of(self, sale_id: str) -> SaleRecord:
        rows = await self._journal.fetch("SELECT payload FROM outbox WHERE sale_id = ?", (sale_id,))
        if not rows:
            raise LaneError("The original sale's record is no longer on this lane.")
        record = decode_sale_record(bytes(rows[0][0]))
        if record.kind != "sale":
            raise LaneError("A return cannot itself be returned.")
        return record

    async def _returned_quantity(self, sale: Sale, original_line_id: int) -> Decimal:
        """Units of that line already taken back: by completed returns, and on this one."""
        rows = await self._journal.fetch(
            "SELECT e.payload FROM events e JOIN sales s ON s.sale_id = e.sale_id"
            " WHERE e.type = 'ReturnLineAdded' AND s.status = 'completed'")
        total = Decimal(0)
        for (payload,) in rows:
            r = msgspec.json.decode(bytes(payload), type=sale_events.ReturnLineAdded)
            if r.original_sale_id == sale.original_sale_id and r.original_line_id == original_line_id:
                total += r.quantity
        for r in sale.returns.values():
            if r.original_line_id == original_line_id:
                total += r.quantity
        return total
