"""Shift and end of day: X reports (mid-shift, read-only) and Z reports (numbered, closing the period).

A period is every sale the lane completed since the last Z report. The Z report is written to the
hash-chained audit log (action `z_report`, subject `Z000n`) with the journal position it closes at,
so Z numbers are gapless and the next period starts exactly where the last ended. Cash movements
(opening float, pickups, drops) and blind drawer counts are audit entries too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from appliance.domain.money import Money
from appliance.domain.sale_record import decode_sale_record
from appliance.store.audit import AuditLog
from appliance.store.journal import Journal

CASH_MOVES = {"cash_float": 1, "cash_pickup": -1, "cash_drop": 1}


@dataclass(frozen=True, slots=True)
class ShiftReport:
    kind: str  # X | Z
    number: int  # Z number (0 for an X report)
    lane_id: str
    currency: str
    from_seq: int
    through_seq: int
    sales: int
    returns: int
    gross: Money  # sales total minus refunds
    tax: Money
    tenders: dict[str, Money] = field(default_factory=dict)  # kind -> net amount taken in
    expected_cash: Money | None = None

    def lines(self) -> list[str]:
        title = f"Z report Z{self.number:04d}" if self.kind == "Z" else "X report"
        out = [f"{title} lane {self.lane_id}",
               f"journal positions {self.from_seq + 1}..{self.through_seq}",
               f"sales {self.sales}, returns {self.returns}", f"total {self.gross}", f"tax {self.tax}"]
        out += [f"  {k:<16} {v}" for k, v in sorted(self.tenders.items())]
        if self.expected_cash is not None:
            out.append(f"expected cash in drawer {self.expected_cash}")
        return out


async def _last_z(audit: AuditLog, lane_id: str) -> tuple[int, int]:
    number, through = 0, 0
    for e in await audit.entries():
        if e.action == "z_report" and e.detail.get("lane") == lane_id:
            number, through = int(e.detail["number"]), int(e.detail["through_seq"])  # type: ignore[arg-type]
    return number, through


async def _cash_moves(audit: AuditLog, lane_id: str, since_z: int, currency: str) -> int:
    total, seen_z = 0, 0
    for e in await audit.entries():
        if e.action == "z_report" and e.detail.get("lane") == lane_id:
            seen_z = int(e.detail["number"])  # type: ignore[arg-type]
            total = 0
        elif e.action in CASH_MOVES and e.detail.get("lane") == lane_id and seen_z == since_z:
            total += CASH_MOVES[e.action] * int(e.detail["amount"])  # type: ignore[arg-type]
    return total


async def shift_report(journal: Journal, audit: AuditLog, lane_id: str, currency: str) -> ShiftReport:
    """The X report: everything since the last Z, changing nothing."""
    number, through = await _last_z(audit, lane_id)
    rows = await journal.fetch(
        "SELECT o.payload, s.closed_seq FROM sales s JOIN outbox o ON o.sale_id = s.sale_id"
        " WHERE s.status = 'completed' AND s.lane_id = ? AND s.closed_seq > ? ORDER BY s.closed_seq",
        (lane_id, through))
    tenders: Counter[str] = Counter()
    sales = returns = gross = tax = 0
    last = through
    for payload, closed in rows:
        r = decode_sale_record(bytes(payload))
        last = max(last, closed)
        if r.kind == "return":
            returns += 1
        else:
            sales += 1
        gross += r.total
        tax += r.tax
        for t in r.tenders:
            tenders[t.kind] += t.amount  # applied amounts: change is already netted out
    moves = await _cash_moves(audit, lane_id, number, currency)
    return ShiftReport("X", 0, lane_id, currency, through, last, sales, returns, Money(gross, currency),
                       Money(tax, currency), {k: Money(v, currency) for k, v in tenders.items()},
                       Money(moves + tenders.get("cash", 0), currency))


async def close_day(journal: Journal, audit: AuditLog, lane_id: str, currency: str, actor: str,
                    at: dt.datetime) -> ShiftReport:
    """The Z report: numbered, written to the audit log, closing the period."""
    x = await shift_report(journal, audit, lane_id, currency)
    number = (await _last_z(audit, lane_id))[0] + 1
    await audit.append(at, actor, "z_report", f"Z{number:04d}", {
        "lane": lane_id, "number": number, "from_seq": x.from_seq, "through_seq": x.through_seq,
        "sales": x.sales, "returns": x.returns, "gross": x.gross.minor, "tax": x.tax.minor,
        "tenders": {k: v.minor for k, v in x.tenders.items()},
        "expected_cash": x.expected_cash.minor if x.expected_cash else 0,
    })
    return ShiftReport("Z", number, lane_id, currency, x.from_seq, x.through_seq, x.sales, x.returns, x.gross, x.tax,
                       x.tenders, x.expected_cash)
