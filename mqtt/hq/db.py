"""The HQ database (SQLite through aiosqlite): sales, per-device progress, feeds, stock.

Every method runs as one call on the database's own worker thread (sqlite3 in a single-thread
executor), so a batch of sales is one thread hop and one transaction, not one hop per statement.
Methods that change state do so in one transaction, and the caller publishes acknowledgements
only after it returns, so an ack never promises more than the disk holds (`synchronous=FULL`).
"""

from __future__ import annotations

import asyncio
import functools
import pathlib
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import msgspec

from mqtt.wire import EMPTY_HASH, Row, SaleRecord, SoldLine, row_hash, xor_into

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sales(
    device TEXT NOT NULL, uuid TEXT NOT NULL, seq INTEGER NOT NULL, store TEXT NOT NULL,
    body BLOB NOT NULL, received_at REAL NOT NULL,
    PRIMARY KEY(device, uuid), UNIQUE(device, seq));
CREATE TABLE IF NOT EXISTS device_progress(device TEXT PRIMARY KEY, acked_through INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS feed_head(
    store TEXT NOT NULL, feed TEXT NOT NULL, seq INTEGER NOT NULL, count INTEGER NOT NULL, hash BLOB NOT NULL,
    PRIMARY KEY(store, feed));
CREATE TABLE IF NOT EXISTS feed_rows(
    store TEXT NOT NULL, feed TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL, hash BLOB NOT NULL,
    PRIMARY KEY(store, feed, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feed_log(
    store TEXT NOT NULL, feed TEXT NOT NULL, seq INTEGER NOT NULL, base_seq INTEGER NOT NULL, rows BLOB NOT NULL,
    PRIMARY KEY(store, feed, seq));
CREATE TABLE IF NOT EXISTS catalog(
    store TEXT NOT NULL, sku TEXT NOT NULL, doc BLOB NOT NULL, PRIMARY KEY(store, sku)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tax(store TEXT NOT NULL, class TEXT NOT NULL, doc BLOB NOT NULL, PRIMARY KEY(store, class));
CREATE TABLE IF NOT EXISTS stock(store TEXT NOT NULL, sku TEXT NOT NULL, qty TEXT NOT NULL, PRIMARY KEY(store, sku));
"""

_rows_dec = msgspec.json.Decoder(list[Row])


class SaleConflict(ValueError):
    """A device sent a different sale under a seq or uuid HQ already holds."""


class FeedHead(msgspec.Struct, frozen=True):
    seq: int
    count: int
    hash: bytes


class StoredDelta(msgspec.Struct, frozen=True):
    base_seq: int
    seq: int
    rows: list[Row]


def _qty(text: str, where: str) -> Decimal:
    try:
        q = Decimal(text)
    except InvalidOperation as err:
        raise ValueError(f"{where}: quantity {text!r} is not a decimal") from err
    if not q.is_finite():
        raise ValueError(f"{where}: quantity {text!r} is not finite")
    return q


class HqDb:
    def __init__(self, conn: sqlite3.Connection, executor: ThreadPoolExecutor) -> None:
        self._db = conn
        self._executor = executor

    @classmethod
    async def open(cls, path: pathlib.Path | str) -> HqDb:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hq-db")

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=5000")
            conn.executescript(_SCHEMA)
            return conn

        conn = await asyncio.get_running_loop().run_in_executor(executor, connect)
        return cls(conn, executor)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(fn, *args))

    async def close(self) -> None:
        await self._run(self._db.close)
        self._executor.shutdown(wait=True)

    # -- sales ----------------------------------------------------------------------------
    async def store_sales(
        self, device: str, store: str, records: Iterable[tuple[SaleRecord, list[SoldLine]]]
    ) -> tuple[int, int, list[str], set[tuple[str, str]]]:
        return await self._run(self._store_sales, device, store, list(records))

    def _store_sales(
        self, device: str, store: str, records: list[tuple[SaleRecord, list[SoldLine]]]
    ) -> tuple[int, int, list[str], set[tuple[str, str]]]:
        """Insert new sales and their stock effect; returns (acked_through, highest_seq, conflicts, touched (store, sku)).

        Duplicates (same device and uuid) change nothing. A different sale under a known seq
        or uuid is a conflict: reported, not stored.
        """
        conflicts: list[str] = []
        touched: set[tuple[str, str]] = set()
        now = time.time()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for rec, lines in sorted(records, key=lambda r: r[0].seq):
                cur = self._db.execute(
                    "SELECT uuid, seq FROM sales WHERE device=? AND (seq=? OR uuid=?)", (device, rec.seq, rec.uuid)
                )
                known = cur.fetchall()
                if known:
                    if any(u != rec.uuid or s != rec.seq for u, s in known):
                        conflicts.append(f"{device} seq {rec.seq} uuid {rec.uuid} clashes with stored {known}")
                    continue
                deltas = [(line.sku, _qty(line.quantity, f"{device} sale {rec.uuid}")) for line in lines]
                self._db.execute(
                    "INSERT INTO sales(device, uuid, seq, store, body, received_at) VALUES (?,?,?,?,?,?)",
                    (device, rec.uuid, rec.seq, store, msgspec.json.encode(rec), now),
                )
                for sku, q in deltas:
                    self._add_stock(store, sku, -q)
                    touched.add((store, sku))
            acked, highest = self._advance(device)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return acked, highest, conflicts, touched

    def _advance(self, device: str) -> tuple[int, int]:
        cur = self._db.execute("SELECT acked_through FROM device_progress WHERE device=?", (device,))
        row = cur.fetchone()
        acked = row[0] if row else 0
        cur = self._db.execute("SELECT seq FROM sales WHERE device=? AND seq>? ORDER BY seq", (device, acked))
        highest = acked
        for (seq,) in cur:
            if seq == acked + 1:
                acked = seq
            highest = max(highest, seq)
        self._db.execute(
            "INSERT INTO device_progress(device, acked_through) VALUES (?, ?) "
            "ON CONFLICT(device) DO UPDATE SET acked_through=excluded.acked_through",
            (device, acked),
        )
        return acked, highest

    def _acked_through(self, device: str) -> int:
        cur = self._db.execute("SELECT acked_through FROM device_progress WHERE device=?", (device,))
        row = cur.fetchone()
        return row[0] if row else 0

    def _sales_of(self, device: str) -> list[tuple[int, str]]:
        cur = self._db.execute("SELECT seq, uuid FROM sales WHERE device=? ORDER BY seq", (device,))
        return [(s, u) for s, u in cur.fetchall()]

    def _sales_summary(self, device: str | None) -> list[tuple[str, int, int]]:
        sql = (
            "SELECT s.device, count(*), coalesce(p.acked_through, 0) FROM sales s "
            "LEFT JOIN device_progress p ON p.device = s.device"
        )
        args: tuple[str, ...] = ()
        if device is not None:
            sql += " WHERE s.device = ?"
            args = (device,)
        return [(d, n, a) for d, n, a in self._db.execute(sql + " GROUP BY s.device ORDER BY s.device", args)]

    def _sale_count(self) -> int:
        cur = self._db.execute("SELECT count(*) FROM sales")
        return int((cur.fetchone())[0])  # type: ignore[index]

    # -- stock ----------------------------------------------------------------------------
    def _add_stock(self, store: str, sku: str, delta: Decimal) -> Decimal:
        cur = self._db.execute("SELECT qty FROM stock WHERE store=? AND sku=?", (store, sku))
        row = cur.fetchone()
        qty = (Decimal(row[0]) if row else Decimal(0)) + delta
        self._db.execute(
            "INSERT INTO stock(store, sku, qty) VALUES (?,?,?) ON CONFLICT(store, sku) DO UPDATE SET qty=excluded.qty",
            (store, sku, str(qty)),
        )
        return qty

    def _receive_stock(self, store: str, quantities: dict[str, str]) -> None:
        """Goods received (or counted adjustments): add to stock in one transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for sku, q in quantities.items():
                self._add_stock(store, sku, _qty(q, f"receipt {store}/{sku}"))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _stock_levels(self, store: str, skus: Iterable[str] | None = None) -> dict[str, str]:
        cur = self._db.execute("SELECT sku, qty FROM stock WHERE store=?", (store,))
        wanted = None if skus is None else set(skus)
        return {sku: qty for sku, qty in cur.fetchall() if wanted is None or sku in wanted}

    # -- feeds ----------------------------------------------------------------------------
    def _feed_head(self, store: str, feed: str) -> FeedHead:
        cur = self._db.execute("SELECT seq, count, hash FROM feed_head WHERE store=? AND feed=?", (store, feed))
        row = cur.fetchone()
        return FeedHead(row[0], row[1], row[2]) if row else FeedHead(0, 0, EMPTY_HASH)

    def _feeds(self) -> list[tuple[str, str]]:
        cur = self._db.execute("SELECT store, feed FROM feed_head ORDER BY store, feed")
        return [(s, f) for s, f in cur.fetchall()]

    def _append_changes(self, store: str, feed: str, batches: list[list[Row]]) -> list[StoredDelta]:
        """Apply row changes as consecutive deltas (one per batch) and log them; one transaction."""
        out: list[StoredDelta] = []
        self._db.execute("BEGIN IMMEDIATE")
        try:
            head = self._feed_head(store, feed)
            seq, count, acc = head.seq, head.count, head.hash
            for rows in batches:
                for r in rows:
                    cur = self._db.execute(
                        "SELECT hash FROM feed_rows WHERE store=? AND feed=? AND key=?", (store, feed, r.key)
                    )
                    old = cur.fetchone()
                    if old is not None:
                        acc = xor_into(acc, old[0])
                        count -= 1
                    if r.data is None:
                        self._db.execute(
                            "DELETE FROM feed_rows WHERE store=? AND feed=? AND key=?", (store, feed, r.key)
                        )
                        if feed == "items":
                            self._db.execute("DELETE FROM catalog WHERE store=? AND sku=?", (store, r.key))
                    else:
                        h = row_hash(r.key, r.data)
                        self._catalog_apply(store, feed, r.key, r.data)
                        acc = xor_into(acc, h)
                        count += 1
                        self._db.execute(
                            "INSERT INTO feed_rows(store, feed, key, data, hash) VALUES (?,?,?,?,?) "
                            "ON CONFLICT(store, feed, key) DO UPDATE SET data=excluded.data, hash=excluded.hash",
                            (store, feed, r.key, msgspec.json.encode(r.data), h),
                        )
                self._db.execute(
                    "INSERT INTO feed_log(store, feed, seq, base_seq, rows) VALUES (?,?,?,?,?)",
                    (store, feed, seq + 1, seq, msgspec.json.encode(rows)),
                )
                out.append(StoredDelta(seq, seq + 1, rows))
                seq += 1
            self._db.execute(
                "INSERT INTO feed_head(store, feed, seq, count, hash) VALUES (?,?,?,?,?) "
                "ON CONFLICT(store, feed) DO UPDATE SET seq=excluded.seq, count=excluded.count, hash=excluded.hash",
                (store, feed, seq, count, acc),
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return out

    def _catalog_apply(self, store: str, feed: str, key: str, data: dict[str, Any]) -> None:
        """Keep the consolidated catalog (what a lane's replica should equal) in step with the feeds."""
        if feed == "items":
            self._db.execute(
                "INSERT INTO catalog(store, sku, doc) VALUES (?,?,?) ON CONFLICT(store, sku) DO UPDATE SET doc=excluded.doc",
                (store, key, msgspec.json.encode(data)),
            )
            if isinstance(data.get("stock"), int):
                # a catalog import carries counted stock: it resets HQ's level for that item
                self._db.execute(
                    "INSERT INTO stock(store, sku, qty) VALUES (?,?,?) ON CONFLICT(store, sku) DO UPDATE SET qty=excluded.qty",
                    (store, key, str(data["stock"])),
                )
        elif feed in ("prices", "stock"):
            row = self._db.execute("SELECT doc FROM catalog WHERE store=? AND sku=?", (store, key)).fetchone()
            if row is None:
                return  # the lane's UPDATE touches no row either
            doc = msgspec.json.decode(row[0])
            if feed == "prices":
                doc["price_minor"], doc["currency"] = data["price_minor"], data["currency"]
            else:
                doc["stock"] = data["level"]
            self._db.execute("UPDATE catalog SET doc=? WHERE store=? AND sku=?", (msgspec.json.encode(doc), store, key))
        elif feed == "tax":
            self._db.execute(
                "INSERT INTO tax(store, class, doc) VALUES (?,?,?) ON CONFLICT(store, class) DO UPDATE SET doc=excluded.doc",
                (store, key, msgspec.json.encode(data)),
            )

    def _catalog(self, store: str) -> tuple[dict[str, int], list[tuple[str, bytes]], list[tuple[str, bytes]]]:
        """Feed heads, catalog rows (sku order) and tax rows, read in one transaction."""
        self._db.execute("BEGIN")
        try:
            heads = {f: s for f, s in self._db.execute("SELECT feed, seq FROM feed_head WHERE store=?", (store,))}
            items = self._db.execute("SELECT sku, doc FROM catalog WHERE store=? ORDER BY sku", (store,)).fetchall()
            tax = self._db.execute("SELECT class, doc FROM tax WHERE store=? ORDER BY class", (store,)).fetchall()
        finally:
            self._db.execute("COMMIT")
        return heads, items, tax

    def _stores(self) -> list[str]:
        return [s for (s,) in self._db.execute("SELECT DISTINCT store FROM feed_head ORDER BY store")]

    def _current_rows(self, store: str, feed: str) -> dict[str, bytes]:
        cur = self._db.execute("SELECT key, data FROM feed_rows WHERE store=? AND feed=?", (store, feed))
        return {k: d for k, d in cur.fetchall()}

    def _deltas(self, store: str, feed: str, after_seq: int, through_seq: int) -> list[StoredDelta] | None:
        """The logged deltas after `after_seq` through `through_seq`, or None if the log has a hole."""
        cur = self._db.execute(
            "SELECT base_seq, seq, rows FROM feed_log WHERE store=? AND feed=? AND seq>? AND seq<=? ORDER BY seq",
            (store, feed, after_seq, through_seq),
        )
        out: list[StoredDelta] = []
        expect = after_seq
        for base, seq, rows in cur:
            if base != expect:
                return None
            out.append(StoredDelta(base, seq, _rows_dec.decode(rows)))
            expect = seq
        return out if expect == through_seq else None

    def _snapshot(self, store: str, feed: str) -> tuple[int, list[tuple[str, Any]]]:
        """The feed's rows and the seq they are at, read in one transaction."""
        self._db.execute("BEGIN")
        try:
            head = self._feed_head(store, feed)
            cur = self._db.execute(
                "SELECT key, data FROM feed_rows WHERE store=? AND feed=? ORDER BY key", (store, feed)
            )
            rows = [(k, d) for k, d in cur.fetchall()]
        finally:
            self._db.execute("COMMIT")
        return head.seq, rows

    def _prune_log(self, store: str, feed: str, keep_after: int) -> None:
        self._db.execute("DELETE FROM feed_log WHERE store=? AND feed=? AND seq<=?", (store, feed, keep_after))

    # -- async face ---------------------------------------------------------------------
    async def catalog(self, store: str) -> tuple[dict[str, int], list[tuple[str, bytes]], list[tuple[str, bytes]]]:
        return await self._run(self._catalog, store)

    async def stores(self) -> list[str]:
        return await self._run(self._stores)

    async def acked_through(self, device: str) -> int:
        return await self._run(self._acked_through, device)

    async def sales_of(self, device: str) -> list[tuple[int, str]]:
        return await self._run(self._sales_of, device)

    async def sales_summary(self, device: str | None = None) -> list[tuple[str, int, int]]:
        return await self._run(self._sales_summary, device)

    async def sale_count(self) -> int:
        return await self._run(self._sale_count)

    async def receive_stock(self, store: str, quantities: dict[str, str]) -> None:
        return await self._run(self._receive_stock, store, quantities)

    async def stock_levels(self, store: str, skus: Iterable[str] | None = None) -> dict[str, str]:
        return await self._run(self._stock_levels, store, skus)

    async def feed_head(self, store: str, feed: str) -> FeedHead:
        return await self._run(self._feed_head, store, feed)

    async def feeds(self) -> list[tuple[str, str]]:
        return await self._run(self._feeds)

    async def append_changes(self, store: str, feed: str, batches: list[list[Row]]) -> list[StoredDelta]:
        return await self._run(self._append_changes, store, feed, batches)

    async def current_rows(self, store: str, feed: str) -> dict[str, bytes]:
        return await self._run(self._current_rows, store, feed)

    async def deltas(self, store: str, feed: str, after_seq: int, through_seq: int) -> list[StoredDelta] | None:
        return await self._run(self._deltas, store, feed, after_seq, through_seq)

    async def snapshot(self, store: str, feed: str) -> tuple[int, list[tuple[str, Any]]]:
        return await self._run(self._snapshot, store, feed)

    async def prune_log(self, store: str, feed: str, keep_after: int) -> None:
        return await self._run(self._prune_log, store, feed, keep_after)
