"""The outbox: finished sales waiting for HQ's application-level acknowledgement.

Rows are written by `Journal.complete_sale` in the transaction that finishes the sale. The link
uploads `pending()` in sequence order and calls `ack_through(seq)` only when HQ acknowledges
(never on a PUBACK). Acknowledged rows are kept (they anchor the journal's tail for `verify`);
the acknowledged position is a counter, so acks are idempotent and never move backwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from appliance.store.errors import OutboxError, StoreMisuse

if TYPE_CHECKING:
    from appliance.store.journal import Journal

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    seq: int  # per-device monotonic upload sequence
    uuid: str  # UUIDv7 idempotency key
    sale_id: str
    lane_id: str
    receipt_no: int
    created_at: dt.datetime
    payload: bytes


class Outbox:
    def __init__(self, journal: Journal) -> None:
        self._j = journal

    async def pending(self, limit: int = 100) -> list[OutboxEntry]:
        """Unacknowledged rows, oldest first."""
        return await self._rows(
            "seq > coalesce((SELECT value FROM counters WHERE name = 'outbox_acked'), 0)", (), limit
        )

    async def range(self, first: int, last: int, limit: int = 100) -> list[OutboxEntry]:
        """Rows first..last (acknowledged or not), for HQ's request to resend a missing range."""
        if type(first) is not int or type(last) is not int:
            raise OutboxError(f"An outbox range needs integer bounds, got {first!r}..{last!r}.")
        return await self._rows("seq BETWEEN ? AND ?", (first, last), limit)

    async def _rows(self, where: str, params: tuple[int, ...], limit: int) -> list[OutboxEntry]:
        if type(limit) is not int or limit < 1:
            raise StoreMisuse(f"limit needs a positive int, got {limit!r}.")
        rows = await self._j.fetch(
            "SELECT seq, uuid, sale_id, lane_id, receipt_no, created_us, payload FROM outbox"
            f" WHERE {where} ORDER BY seq LIMIT ?",
            (*params, limit),
        )
        return [
            OutboxEntry(
                seq, uuid, sale_id, lane_id, receipt_no, _EPOCH + dt.timedelta(microseconds=us), bytes(p)
            )
            for seq, uuid, sale_id, lane_id, receipt_no, us, p in rows
        ]

    async def acked_through(self) -> int:
        rows = await self._j.fetch("SELECT value FROM counters WHERE name = 'outbox_acked'")
        return int(rows[0][0]) if rows else 0

    async def last_seq(self) -> int:
        rows = await self._j.fetch("SELECT value FROM counters WHERE name = 'outbox'")
        return int(rows[0][0]) if rows else 0

    async def pending_count(self) -> int:
        return await self.last_seq() - await self.acked_through()

    async def ack_through(self, seq: int) -> int:
        """Mark every row up to `seq` delivered; returns how many became acknowledged by this call.

        `seq` comes from HQ over the network: an ack for a sequence this device never wrote is
        refused with OutboxError and changes nothing; a stale or repeated ack changes nothing.
        """
        if type(seq) is not int or seq < 0:
            raise OutboxError(f"An outbox acknowledgement must be a non-negative integer, got {seq!r}.")
        async with self._j.transaction() as db:
            rows = await db.execute_fetchall(
                "SELECT coalesce((SELECT value FROM counters WHERE name = 'outbox'), 0),"
                " coalesce((SELECT value FROM counters WHERE name = 'outbox_acked'), 0)"
            )
            last, acked = next(iter(rows))
            if seq > last:
                raise OutboxError(
                    f"HQ acknowledged outbox sequence {seq}, but this device has written only up to {last}; "
                    "the acknowledgement was ignored."
                )
            if seq <= acked:
                return 0
            await db.execute(
                "INSERT INTO counters (name, value) VALUES ('outbox_acked', ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (seq,),
            )
        return seq - acked
