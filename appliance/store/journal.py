"""The sale journal: append-only, durable, checksum-chained events in journal.db.

The journal is generic over encoded events: the domain encodes (type name, schema version,
msgspec JSON payload) and decodes on replay; the store keeps bytes, order and integrity.
Each `append` is one atomic INSERT (see journal_schema.py) committed with synchronous=FULL in WAL
mode, so the event is on disk before `append` returns. A finished sale, its receipt number and its
outbox row commit in one transaction (`complete_sale`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import pathlib
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

import aiosqlite

from appliance.store import chain
from appliance.store._sqlite import connect, map_error, mapped
from appliance.store.errors import DiskFull, SaleClosed, StoreMisuse, VersionConflict
from appliance.store.journal_schema import APPEND_SQL, MIGRATIONS
from appliance.store.migrations import migrate
from appliance.store.outbox import Outbox
from appliance.store.uuid7 import uuid7
from appliance.store.verify import VerifyReport, verify_journal

log = logging.getLogger(__name__)

_DB = "journal"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)
_TYPE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """One sale event as the journal stores it. `type` is a stable name ('LineAdded'), never a path."""

    sale_id: str
    version: int  # 1..n within the sale
    type: str
    schema_version: int
    timestamp: dt.datetime  # timezone-aware; stored to the microsecond in UTC
    payload: bytes


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """Where an appended event landed: its journal position and chained checksum."""

    seq: int
    checksum: bytes
    event: EncodedEvent


@dataclass(frozen=True, slots=True)
class Completion:
    """The numbers a finished sale gets, allocated in the transaction that records it."""

    sale_id: str
    lane_id: str
    receipt_no: int  # per lane, 1, 2, 3 ... without gaps
    uuid: str  # UUIDv7, HQ's idempotency key
    outbox_seq: int  # per device, monotonic


# Called inside the completing transaction: must be quick and pure (no awaits, no I/O).
CompletionBuilder = Callable[[Completion], tuple[EncodedEvent, bytes]]


def _check(event: EncodedEvent) -> tuple[int, bytes]:
    """Validate an event's envelope; returns (at_us, payload). Bad envelopes are caller bugs."""
    if (
        not isinstance(event.sale_id, str)
        or not 1 <= len(event.sale_id) <= 128
        or not event.sale_id.isprintable()
    ):
        raise StoreMisuse(f"Sale id {event.sale_id!r} must be 1-128 printable characters.")
    for name in ("version", "schema_version"):
        v = getattr(event, name)
        if type(v) is not int or v < 1:
            raise StoreMisuse(f"Event {name} must be a positive int, got {v!r}.")
    if not isinstance(event.type, str) or not _TYPE_NAME.fullmatch(event.type):
        raise StoreMisuse(
            f"Event type {event.type!r} must be a stable name like 'LineAdded' (letters, digits, _)."
        )
    ts = event.timestamp
    if not isinstance(ts, dt.datetime) or ts.utcoffset() is None:
        raise StoreMisuse(f"Event timestamp {ts!r} must be a timezone-aware datetime.")
    if not isinstance(event.payload, bytes | bytearray | memoryview):
        raise StoreMisuse(
            f"Event payload must be bytes (the encoded event), got {type(event.payload).__name__}."
        )
    return (ts - _EPOCH) // _US, bytes(event.payload)


def _from_row(row: sqlite3.Row | tuple) -> EncodedEvent:
    sale_id, version, type_, schema_version, at_us, payload = row
    return EncodedEvent(sale_id, version, type_, schema_version, _EPOCH + at_us * _US, bytes(payload))


def _conflict(exc: sqlite3.IntegrityError, event: EncodedEvent) -> Exception | None:
    text = str(exc)
    if "lanekit:closed" in text:
        return SaleClosed(event.sale_id)
    if "lanekit:version" in text:
        return VersionConflict(
            event.sale_id,
            event.version,
            "it is not the sale's next version (another writer or a skipped version)",
        )
    if "UNIQUE constraint failed: events.sale_id, events.version" in text:
        return VersionConflict(event.sale_id, event.version, "another writer appended this version first")
    return None


class Journal:
    """journal.db: `async with Journal(path) as j: await j.append(event)`."""

    def __init__(self, path: pathlib.Path | str, *, max_bytes: int | None = None) -> None:
        self.path = pathlib.Path(path)
        self.max_bytes = max_bytes  # a size cap: past it appends fail with DiskFull, before the disk is full
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()  # one transaction at a time on the shared connection
        self.outbox = Outbox(self)

    # --- life cycle -----------------------------------------------------
    async def open(self) -> Journal:
        if self._db is not None:
            return self
        db = await connect(self.path, database=_DB, synchronous="FULL")
        try:
            await db.create_function("lanekit_chain", 8, chain.checksum, deterministic=True)
            await migrate(db, MIGRATIONS, database=_DB)
            if self.max_bytes is not None:
                with mapped(_DB):
                    ((page_size,),) = await db.execute_fetchall("PRAGMA page_size")
                    await db.execute(f"PRAGMA max_page_count = {max(1, int(self.max_bytes) // page_size)}")
        except BaseException:
            await db.close()
            raise
        self._db = db
        return self

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await db.close()

    async def __aenter__(self) -> Journal:
        return await self.open()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreMisuse(
                "The journal is not open: use `async with Journal(path)` or `await journal.open()`."
            )
        return self._db

    def transaction(self) -> _Transaction:
        """`async with journal.transaction() as db:` BEGIN IMMEDIATE under the connection's lock."""
        return _Transaction(self)

    async def fetch(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """A read under the connection's lock, so it never sees another task's uncommitted writes
        (an uploader must not send a sale whose transaction may yet roll back)."""
        async with self._lock:
            with mapped(_DB):
                return list(await self.db.execute_fetchall(sql, params))

    # --- writing --------------------------------------------------------
    async def _insert(self, event: EncodedEvent) -> JournalRecord:
        at_us, payload = _check(event)
        params = {
            "sale_id": event.sale_id,
            "version": event.version,
            "type": event.type,
            "schema_version": event.schema_version,
            "at_us": at_us,
            "payload": payload,
        }
        try:
            rows = await self.db.execute_fetchall(APPEND_SQL, params)
        except sqlite3.IntegrityError as exc:
            mine = _conflict(exc, event)
            if mine is None:
                raise map_error(exc, _DB) from exc
            raise mine from exc
        except sqlite3.Error as exc:
            raise map_error(exc, _DB) from exc
        ((seq, checksum),) = rows
        return JournalRecord(seq, bytes(checksum), event)

    async def append(self, event: EncodedEvent) -> JournalRecord:
        """Record one event durably. Raises VersionConflict, SaleClosed, DiskFull."""
        async with self._lock:
            return await self._insert(event)

    async def void_sale(self, event: EncodedEvent) -> JournalRecord:
        """Record the sale's final event (e.g. 'SaleVoided') and close it; no receipt number, no outbox row."""
        async with self.transaction():
            rec = await self._insert(event)
            await self._close_sale(event.sale_id, "voided", rec.seq, None, None)
        return rec

    async def complete_sale(self, sale_id: str, lane_id: str, build: CompletionBuilder, *, upload: bool = True) -> Completion:
        """Allocate the receipt number, UUIDv7 and outbox sequence, then record the final event from
        `build(completion)` and the outbox row (its payload, the second value) in ONE transaction.
        Any failure, including one raised by `build`, rolls all of it back: no number is used up.
        `upload=False` (training sales): no outbox sequence is used and no outbox row written, so
        nothing reaches HQ and HQ's sequence of this device's sales has no gap.
        """
        if not lane_id or not isinstance(lane_id, str):
            raise StoreMisuse("complete_sale needs the lane id that numbers the receipt.")
        async with self.transaction():
            status = await self.db.execute_fetchall("SELECT status FROM sales WHERE sale_id = ?", (sale_id,))
            if not status:
                raise StoreMisuse(
                    f"Sale {sale_id} has no events; record its first event before completing it."
                )
            if status[0][0] != "open":
                raise SaleClosed(sale_id)
            receipt_no = await self._bump(f"receipt:{lane_id}")
            outbox_seq = await self._bump("outbox") if upload else 0
            done = Completion(sale_id, lane_id, receipt_no, str(uuid7()), outbox_seq)
            final, payload = build(done)
            if final.sale_id != sale_id:
                raise StoreMisuse(f"The final event belongs to sale {final.sale_id}, not {sale_id}.")
            if not isinstance(payload, bytes | bytearray | memoryview):
                raise StoreMisuse("The outbox payload must be bytes.")
            rec = await self._insert(final)
            await self._close_sale(sale_id, "completed", rec.seq, lane_id, receipt_no)
            if not upload:
                return done
            await self.db.execute(
                "INSERT INTO outbox (seq, uuid, sale_id, lane_id, receipt_no, created_us,"
                " final_seq, final_version, final_checksum, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    outbox_seq,
                    done.uuid,
                    sale_id,
                    lane_id,
                    receipt_no,
                    _check(final)[0],
                    rec.seq,
                    final.version,
                    rec.checksum,
                    bytes(payload),
                ),
            )
        return done

    async def _bump(self, counter: str) -> int:
        rows = await self.db.execute_fetchall(
            "INSERT INTO counters (name, value) VALUES (?, 1)"
            " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            (counter,),
        )
        return int(next(iter(rows))[0])

    async def _close_sale(
        self, sale_id: str, status: str, seq: int, lane_id: str | None, receipt_no: int | None
    ) -> None:
        await self.db.execute(
            "UPDATE sales SET status = ?, closed_seq = ?, lane_id = ?, receipt_no = ? WHERE sale_id = ?",
            (status, seq, lane_id, receipt_no, sale_id),
        )

    async def room(self) -> int:
        """Bytes the journal can still grow: the lesser of the size cap's headroom and the disk's free space."""
        rows = await self.fetch(
            "SELECT page_size, page_count, freelist_count, max_page_count"
            " FROM pragma_page_size, pragma_page_count, pragma_freelist_count, pragma_max_page_count"
        )
        page_size, pages, free_pages, max_pages = next(iter(rows))
        st = os.statvfs(self.path.parent)
        return min((max_pages - pages + free_pages) * page_size, st.f_bavail * st.f_frsize)

    async def ensure_room(self, reserve: int = 1 << 20) -> None:
        """Raise DiskFull unless `reserve` bytes are left: call before starting a sale, so a sale
        that was started can always be finished."""
        if await self.room() < reserve:
            raise DiskFull(_DB)

    async def prune(self, finished_before: dt.datetime) -> int:
        """Delete the oldest whole sales that are done with: voided, or completed and acknowledged
        by HQ, with their final event before `finished_before`. Only a prefix of the journal can go
        (the chain resumes from the checksum recorded at its end), so pruning stops at the first
        sale still needed. Returns the number of events removed.
        """
        if not isinstance(finished_before, dt.datetime) or finished_before.utcoffset() is None:
            raise StoreMisuse("prune needs a timezone-aware datetime.")
        cutoff = (finished_before - _EPOCH) // _US
        async with self.transaction() as db:
            base_rows = await db.execute_fetchall("SELECT coalesce((SELECT seq FROM chain_base), 0)")
            base = int(next(iter(base_rows))[0])
            # The first position still needed: the opening of a sale that must stay.
            rows = await db.execute_fetchall(
                """
                SELECT min(s.opened_seq) FROM sales s
                LEFT JOIN events f ON f.seq = s.closed_seq
                LEFT JOIN outbox o ON o.sale_id = s.sale_id
                WHERE s.status = 'open' OR f.at_us >= ?
                   OR (s.status = 'completed' AND (o.seq IS NULL OR o.seq >
                       coalesce((SELECT value FROM counters WHERE name = 'outbox_acked'), 0)))
                """,
                (cutoff,),
            )
            (keep_from,) = next(iter(rows))
            last_rows = await db.execute_fetchall("SELECT coalesce(max(seq), 0) FROM events")
            end = int(keep_from) - 1 if keep_from is not None else int(next(iter(last_rows))[0])
            # A sale that opened before `end` but closed after it must stay whole.
            while end > base:
                spans = await db.execute_fetchall(
                    "SELECT min(opened_seq) FROM sales WHERE opened_seq <= ? AND closed_seq > ?", (end, end)
                )
                (straddle,) = next(iter(spans))
                if straddle is None:
                    break
                end = int(straddle) - 1
            if end <= base:
                return 0
            ck = await db.execute_fetchall("SELECT checksum FROM events WHERE seq = ?", (end,))
            await db.execute(
                "INSERT INTO chain_base (id, seq, checksum, pruned_us) VALUES (1, ?, ?, ?) ON CONFLICT (id)"
                " DO UPDATE SET seq = excluded.seq, checksum = excluded.checksum, pruned_us = excluded.pruned_us",
                (end, next(iter(ck))[0], time.time_ns() // 1000),
            )
            cur = await db.execute("DELETE FROM events WHERE seq <= ?", (end,))
            removed = cur.rowcount
            await db.execute("DELETE FROM outbox WHERE final_seq <= ?", (end,))
            await db.execute("DELETE FROM sales WHERE closed_seq <= ?", (end,))
        log.info("journal %s: pruned %d events up to position %d", self.path, removed, end)
        return removed

    # --- reading --------------------------------------------------------
    async def events(self, sale_id: str) -> list[EncodedEvent]:
        """The sale's events in version order, for replay."""
        rows = await self.fetch(
            "SELECT sale_id, version, type, schema_version, at_us, payload FROM events"
            " WHERE sale_id = ? ORDER BY version",
            (sale_id,),
        )
        return [_from_row(r) for r in rows]

    async def open_sale(self) -> str | None:
        """The sale neither completed nor voided (crash recovery replays it); the newest if several."""
        open_ = await self.open_sales()
        if len(open_) > 1:
            log.warning(
                "journal %s has %d open sales (%s); resuming the newest",
                self.path,
                len(open_),
                ", ".join(open_),
            )
        return open_[-1] if open_ else None

    async def open_sales(self) -> list[str]:
        rows = await self.fetch("SELECT sale_id FROM sales WHERE status = 'open' ORDER BY opened_seq")
        return [r[0] for r in rows]

    async def sale_status(self, sale_id: str) -> str | None:
        """'open', 'completed', 'voided', or None for a sale the journal has never seen."""
        rows = await self.fetch("SELECT status FROM sales WHERE sale_id = ?", (sale_id,))
        return rows[0][0] if rows else None

    async def last_receipt_no(self, lane_id: str) -> int:
        rows = await self.fetch("SELECT value FROM counters WHERE name = ?", (f"receipt:{lane_id}",))
        return int(rows[0][0]) if rows else 0

    async def verify(self) -> VerifyReport:
        """Walk the whole chain; the report names the first sale and event version at fault.

        Runs on its own read-only connection (a consistent snapshot), so appends carry on meanwhile.
        """
        self.db  # noqa: B018 - refuse on a closed journal like every other method
        reader = await connect(self.path, database=_DB, synchronous="FULL", readonly=True)
        try:
            return await verify_journal(reader)
        finally:
            await reader.close()


class _Transaction:
    """`async with _Transaction(journal):` BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any exception."""

    def __init__(self, journal: Journal) -> None:
        self._j = journal

    async def __aenter__(self) -> aiosqlite.Connection:
        await self._j._lock.acquire()
        try:
            with mapped(_DB):
                await self._j.db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._j._lock.release()
            raise
        return self._j.db

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        db = self._j.db
        try:
            if et is None:
                try:
                    await db.execute("COMMIT")
                except sqlite3.Error as exc:
                    if db.in_transaction:
                        await db.execute("ROLLBACK")
                    raise map_error(exc, _DB) from exc
            elif db.in_transaction:
                await db.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise map_error(e, _DB) from e
        finally:
            self._j._lock.release()
