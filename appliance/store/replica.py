"""The replica: the store's catalog, prices, tax classes and stock as this lane last received them.

Two connections to replica.db: a writer (imports, feed deltas, stock) and a query-only reader for
the lane's lookups, so a long import never makes a scan wait and never shows it a half-built
catalog (WAL: the reader sees the last committed catalog). Writes take an asyncio lock so no two
transactions ever share the writer connection.

Durability: synchronous=NORMAL. A committed delta batch and its feed sequence survive a crash of
the process; a power cut may roll back the last batches, but always together with their
sequence, so the link simply asks for them again (the journal, not the replica, is the source
of truth for sales).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import pathlib
import sqlite3
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import TracebackType
from typing import Any

import aiosqlite
import msgspec

from appliance.domain.items import Item
from appliance.domain.money import Money
from appliance.store._sqlite import connect, map_error, mapped
from appliance.store.catalog_snapshot import CatalogSnapshot
from appliance.store.delta_batch import NetEffect, net_effect
from appliance.store.digest import FeedDigest
from appliance.store.errors import ReplicaError, SequenceGap, StoreError, StoreMisuse
from appliance.store.item_rows import (
    ITEM_COLUMNS,
    SELECT_ITEM,
    item_problem,
    item_row,
    name_key,
    normalise_gtin,
    parse_rate,
    row_item,
)
from appliance.store.migrations import migrate
from appliance.store.replica_schema import MIGRATIONS

log = logging.getLogger(__name__)

_DB = "replica"
_BATCH = 2000
_UPSERT_ITEM = (
    f"INSERT INTO items ({ITEM_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (sku) DO UPDATE SET "
    + ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in ITEM_COLUMNS.split(",")[1:])
)


_DIGEST_SQL = {
    "items": "SELECT sku, name, tax_class, unit, plu, category, age_restriction, nominal_weight_g,"
    " weight_tolerance_g, active, (SELECT group_concat(gtin, ',') FROM gtins WHERE sku = i.sku)"
    " FROM items i ORDER BY sku",
    "prices": "SELECT sku, price_minor, currency FROM items ORDER BY sku",
    "stock": "SELECT sku, stock FROM items WHERE stock IS NOT NULL ORDER BY sku",
    "tax": "SELECT tax_class, position, label, rate FROM tax_rates ORDER BY tax_class, position",
}
_DIGEST_SHAPE: dict[str, Callable[[Any], list[object]]] = {
    "items": lambda r: [*r[:9], bool(r[9]), sorted(r[10].split(",")) if r[10] else []],
    "prices": list,
    "stock": list,
    "tax": list,
}


class _OrderMatters(Exception):
    """The folded batch broke a uniqueness rule that one-by-one application may not."""


@dataclass(frozen=True, slots=True)
class TaxRate:
    label: str  # 'VAT 19%', 'state', 'county'
    rate: Decimal  # a fraction: Decimal('0.19')


@dataclass(frozen=True, slots=True)
class Delta:
    """One feed message's changes, applied only on top of the sequence the replica has (`base_seq`)."""

    feed: str
    base_seq: int
    seq: int
    upserts: tuple[Item, ...] = ()
    deletes: tuple[str, ...] = ()  # SKUs
    prices: tuple[tuple[str, Money], ...] = ()  # (sku, unit price)
    stock: tuple[tuple[str, int | None], ...] = ()  # (sku, level); None stops tracking
    tax_classes: tuple[tuple[str, tuple[TaxRate, ...]], ...] = ()  # whole classes, replaced


@dataclass(frozen=True, slots=True)
class DeltaResult:
    applied: int = 0  # deltas committed by this call
    stale: int = 0  # deltas at or below the replica's sequence: already had them, skipped
    gap: SequenceGap | None = None  # the first delta that did not follow; it and the rest were not applied
    rejected: tuple[int, str] | None = None  # (seq, reason) of a delta whose content broke a rule
    seqs: dict[str, int] = field(default_factory=dict)  # each touched feed's sequence afterwards


class Replica:
    """replica.db: `async with Replica(path) as r: item = await r.by_gtin('04006381333931')`."""

    def __init__(self, path: pathlib.Path | str) -> None:
        self.path = pathlib.Path(path)
        self._w: aiosqlite.Connection | None = None
        self._r: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._snapshot_active = False

    # --- life cycle -----------------------------------------------------
    async def open(self) -> Replica:
        if self._w is not None:
            return self
        w = await connect(self.path, database=_DB, synchronous="NORMAL")
        try:
            await migrate(w, MIGRATIONS, database=_DB)
            with mapped(_DB):
                await w.execute("PRAGMA cache_size = -32768")  # 32 MiB: index builds of a 1M import
                # Checkpoint every 64 MiB of WAL rather than 4: delta batches touch pages all over a
                # big catalog, and fewer checkpoints write (and fsync) each hot page fewer times.
                await w.execute("PRAGMA wal_autocheckpoint = 16384")
            r = await connect(self.path, database=_DB, synchronous="NORMAL")
            with mapped(_DB):
                await r.execute("PRAGMA query_only = ON")
        except BaseException:
            await w.close()
            raise
        self._w, self._r = w, r
        return self

    async def close(self) -> None:
        w, r, self._w, self._r = self._w, self._r, None, None
        for db in (r, w):
            if db is not None:
                await db.close()

    async def __aenter__(self) -> Replica:
        return await self.open()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def _writer(self) -> aiosqlite.Connection:
        if self._w is None:
            raise StoreMisuse(
                "The replica is not open: use `async with Replica(path)` or `await replica.open()`."
            )
        return self._w

    @property
    def _reader(self) -> aiosqlite.Connection:
        if self._r is None:
            raise StoreMisuse(
                "The replica is not open: use `async with Replica(path)` or `await replica.open()`."
            )
        return self._r

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction on the writer connection (BEGIN IMMEDIATE ... COMMIT/ROLLBACK)."""
        db = self._writer
        async with self._lock:
            try:
                await db.execute("BEGIN IMMEDIATE")
                yield db
                await db.execute("COMMIT")
            except BaseException as exc:
                if db.in_transaction:
                    await db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise map_error(exc, _DB) from exc
                raise

    # --- lookups (reader connection) ------------------------------------
    async def _one(self, where: str, key: str) -> Item | None:
        with mapped(_DB):
            rows = await self._reader.execute_fetchall(f"{SELECT_ITEM} {where}", (key,))
        for row in rows:
            return row_item(tuple(row))
        return None

    async def by_gtin(self, gtin: str) -> Item | None:
        """The item with this GTIN (8, 12, 13 or 14 digits), or None."""
        key = normalise_gtin(gtin)
        if key is None:
            raise StoreMisuse(f"{gtin!r} is not a GTIN (8, 12, 13 or 14 digits).")
        return await self._one("FROM gtins g JOIN items i ON i.sku = g.sku WHERE g.gtin = ?", key)

    async def by_plu(self, plu: str) -> Item | None:
        return await self._one("FROM items i WHERE i.plu = ?", plu)

    async def by_sku(self, sku: str) -> Item | None:
        return await self._one("FROM items i WHERE i.sku = ?", sku)

    async def search(self, prefix: str, limit: int = 20) -> list[Item]:
        """Items whose name starts with `prefix`, ignoring case and accents, in name order."""
        key = name_key(prefix)
        if not key or type(limit) is not int or limit < 1:
            return []
        # The range [key, key with its last character bumped) is an index range scan, unlike LIKE.
        upper = key[:-1] + chr(ord(key[-1]) + 1) if ord(key[-1]) < 0x10FFFF else key + "\U0010ffff"
        with mapped(_DB):
            rows = await self._reader.execute_fetchall(
                f"{SELECT_ITEM} FROM items i WHERE i.name_key >= ? AND i.name_key < ? ORDER BY i.name_key, i.sku LIMIT ?",
                (key, upper, limit),
            )
        return [row_item(tuple(r)) for r in rows]

    async def count(self) -> int:
        with mapped(_DB):
            rows = await self._reader.execute_fetchall("SELECT count(*) FROM items")
        return int(next(iter(rows))[0])

    async def feed_seq(self, feed: str) -> int:
        """The last sequence applied from `feed`; 0 before the first."""
        with mapped(_DB):
            rows = await self._reader.execute_fetchall("SELECT seq FROM feeds WHERE name = ?", (feed,))
        return int(rows[0][0]) if rows else 0

    async def feed_seqs(self) -> dict[str, int]:
        with mapped(_DB):
            rows = await self._reader.execute_fetchall("SELECT name, seq FROM feeds ORDER BY name")
        return {name: int(seq) for name, seq in rows}

    async def tax_class(self, name: str) -> tuple[TaxRate, ...] | None:
        return (await self._tax(name)).get(name)

    async def tax_classes(self) -> dict[str, tuple[TaxRate, ...]]:
        return await self._tax(None)

    async def _tax(self, name: str | None) -> dict[str, tuple[TaxRate, ...]]:
        sql = "SELECT tax_class, label, rate FROM tax_rates"
        sql += " WHERE tax_class = ?" if name is not None else ""
        with mapped(_DB):
            rows = await self._reader.execute_fetchall(
                sql + " ORDER BY tax_class, position", (name,) if name else ()
            )
        out: dict[str, list[TaxRate]] = {}
        for cls, label, rate in rows:
            out.setdefault(cls, []).append(TaxRate(label, Decimal(rate)))
        return {k: tuple(v) for k, v in out.items()}

    async def digest(self, kind: str) -> FeedDigest:
        """The replica's digest of one kind ('items', 'prices', 'stock', 'tax'); see digest.py."""
        if kind not in _DIGEST_SQL:
            raise StoreMisuse(f"No digest of kind {kind!r}; kinds are {', '.join(_DIGEST_SQL)}.")
        shape = _DIGEST_SHAPE[kind]
        with mapped(_DB):
            cur = await self._reader.execute(_DIGEST_SQL[kind])
            try:
                h = hashlib.sha256()
                enc = msgspec.json.Encoder()
                n = 0
                while rows := await cur.fetchmany(5000):
                    for row in rows:
                        h.update(enc.encode(shape(row)))
                        h.update(b"\n")
                    n += len(rows)
            finally:
                await cur.close()
        return FeedDigest(kind, n, h.hexdigest())

    # --- whole-catalog replace --------------------------------------------
    def snapshot(self) -> CatalogSnapshot:
        """A chunked, atomic catalog replace (for snapshots that arrive in pieces, e.g. over MQTT)."""
        return CatalogSnapshot(self)

    async def replace_catalog(
        self,
        items: Iterable[Item] | AsyncIterable[Item],
        *,
        feed: str | None = None,
        seq: int | None = None,
        batch: int = _BATCH,
    ) -> int:
        """Replace every item atomically from a stream; returns the new item count.

        The lane keeps selling from the old catalog until the new one is complete. Any error,
        raised by the stream itself or by a refused item, leaves the old catalog untouched.
        """
        async with self.snapshot() as snap:
            chunk: list[Item] = []
            if isinstance(items, AsyncIterable):
                async for item in items:
                    chunk.append(item)
                    if len(chunk) >= batch:
                        await snap.add(chunk)
                        chunk = []
            else:
                for item in items:
                    chunk.append(item)
                    if len(chunk) >= batch:
                        await snap.add(chunk)
                        chunk = []
            await snap.add(chunk)
            return await snap.commit(feed=feed, seq=seq)

    async def _after_bulk_write(self) -> None:
        """Give the WAL's pages back to the file after a big swap, unless a reader still needs them."""
        try:
            await self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            await self._writer.execute("PRAGMA optimize")
        except sqlite3.Error as exc:
            log.info("replica checkpoint after catalog swap deferred: %s", exc)

    def _log_abort_failure(self, exc: StoreError) -> None:
        log.warning("could not drop the staging tables of an aborted catalog snapshot: %s", exc)

    # --- feed deltas (group commit) --------------------------------------
    async def apply_delta(self, delta: Delta) -> DeltaResult:
        return await self.apply_deltas([delta])

    async def apply_deltas(self, deltas: Sequence[Delta]) -> DeltaResult:
        """Apply deltas in order in ONE transaction (group commit), each only on top of its feed's
        sequence. Stale ones are skipped; the first gap or rejected delta stops the batch, and
        everything before it is committed. Nothing of a rejected delta is applied.

        The run that applies is folded into its net effect (delta_batch.py): a fixed number of
        statements whatever the batch size. If that breaks a uniqueness rule (order can matter when
        a PLU or GTIN passes between items) the run is undone and replayed one delta at a time.
        """
        for d in deltas:
            if not isinstance(d, Delta) or type(d.seq) is not int or type(d.base_seq) is not int:
                raise StoreMisuse(f"apply_deltas takes Delta values with int sequences, got {d!r}.")
            if not 0 <= d.base_seq < d.seq:
                raise StoreMisuse(
                    f"Delta of feed {d.feed!r}: base sequence {d.base_seq} must be below {d.seq}."
                )
        if not deltas:
            return DeltaResult()
        try:
            return await self._apply_batch(deltas, folded=True)
        except _OrderMatters:
            return await self._apply_batch(deltas, folded=False)

    async def _apply_batch(self, deltas: Sequence[Delta], *, folded: bool) -> DeltaResult:
        async with self.write() as db:
            feeds = sorted({d.feed for d in deltas})
            rows = await db.execute_fetchall(
                f"SELECT name, seq FROM feeds WHERE name IN ({','.join('?' * len(feeds))})", feeds
            )
            seqs = {f: 0 for f in feeds} | {name: int(seq) for name, seq in rows}
            run, stale, gap, rejected = _plan(deltas, dict(seqs))
            if run and folded:
                try:
                    await self._apply_net(db, net_effect(run))
                except sqlite3.IntegrityError as exc:
                    raise _OrderMatters from exc  # rolls the whole transaction back; replayed one by one
            elif run:
                applied_run = []
                for d in run:
                    problem = await self._apply_one(db, d)
                    if problem is not None:
                        rejected, gap = (d.seq, problem), None
                        break
                    applied_run.append(d)
                run = applied_run
            if rejected is not None:
                log.warning("feed delta %d rejected: %s", rejected[0], rejected[1])
            for d in run:
                seqs[d.feed] = d.seq
            now = time.time_ns() // 1000
            await db.executemany(
                "INSERT INTO feeds (name, seq, updated_us) VALUES (?, ?, ?) ON CONFLICT (name)"
                " DO UPDATE SET seq = excluded.seq, updated_us = excluded.updated_us WHERE excluded.seq > seq",
                [(f, s, now) for f, s in seqs.items() if s > 0],
            )
        return DeltaResult(len(run), stale, gap, rejected, seqs)

    async def _apply_net(self, db: aiosqlite.Connection, net: NetEffect) -> None:
        if net.deletes:
            keys = [(s,) for s in net.deletes]
            await db.executemany("DELETE FROM gtins WHERE sku = ?", keys)
            await db.executemany("DELETE FROM items WHERE sku = ?", keys)
        if net.orphan_gtins:
            await db.executemany("DELETE FROM gtins WHERE gtin = ?", [(g,) for g in net.orphan_gtins])
        if net.upserts:
            owned: dict[str, list[tuple[str, str]]] = {}
            for g, o in net.gtins:
                owned.setdefault(o, []).append((g, o))
            await db.executemany(_UPSERT_ITEM, [item_row(i) for i in net.upserts])
            # Only GTINs that change owner are written: an upsert with the same GTINs touches no index.
            await db.executemany(
                "DELETE FROM gtins WHERE sku = ? AND gtin NOT IN (SELECT value FROM json_each(?))",
                [(i.sku, json.dumps([g for g, o in owned.get(i.sku, ())])) for i in net.upserts],
            )
            await db.executemany(
                "INSERT INTO gtins (gtin, sku) VALUES (?, ?)"
                " ON CONFLICT (gtin) DO UPDATE SET sku = excluded.sku WHERE sku <> excluded.sku",
                net.gtins,
            )
        if net.prices:
            await db.executemany(
                "UPDATE items SET price_minor = ?, currency = ? WHERE sku = ?",
                [(m.minor, m.currency, sku) for sku, m in net.prices],
            )
        if net.stock:
            await db.executemany(
                "UPDATE items SET stock = ? WHERE sku = ?", [(q, sku) for sku, q in net.stock]
            )
        if net.tax:
            await db.executemany("DELETE FROM tax_rates WHERE tax_class = ?", [(c,) for c in net.tax])
            await db.executemany(
                "INSERT INTO tax_rates VALUES (?, ?, ?, ?)",
                [(c, i, r.label, str(r.rate)) for c, rs in net.tax.items() for i, r in enumerate(rs)],
            )

    async def _apply_one(self, db: aiosqlite.Connection, d: Delta) -> str | None:
        """Apply one (already validated) delta inside a savepoint; returns why it was undone, or None."""
        await db.execute("SAVEPOINT delta")
        try:
            await self._apply_net(db, net_effect([d]))
        except sqlite3.IntegrityError as exc:
            await db.execute("ROLLBACK TO delta")
            await db.execute("RELEASE delta")
            return f"it breaks a uniqueness rule of the catalog ({exc})"
        await db.execute("RELEASE delta")
        return None

    # --- local changes ---------------------------------------------------
    async def adjust_stock(self, changes: Iterable[tuple[str, int]] | Mapping[str, int]) -> int:
        """Add signed quantities to tracked stock levels (-2 for two sold); untracked items are left
        alone. Returns how many items changed."""
        pairs = list(changes.items() if isinstance(changes, Mapping) else changes)
        if any(type(q) is not int for _, q in pairs):
            raise StoreMisuse("Stock changes are whole numbers (ints).")
        async with self.write() as db:
            before = db.total_changes
            await db.executemany(
                "UPDATE items SET stock = stock + ? WHERE sku = ? AND stock IS NOT NULL",
                [(q, sku) for sku, q in pairs],
            )
            return db.total_changes - before

    async def set_tax_classes(
        self, classes: Mapping[str, Sequence[TaxRate]], *, feed: str | None = None, seq: int | None = None
    ) -> None:
        """Replace all tax classes (a store file or a full tax-table message)."""
        try:
            rows = [
                (cls, i, r.label, str(parse_rate(str(r.rate))))
                for cls, rs in classes.items()
                for i, r in enumerate(rs)
            ]
        except (ValueError, AttributeError) as exc:
            raise ReplicaError(f"Tax classes refused: {exc}; the previous ones are kept.") from exc
        async with self.write() as db:
            await db.execute("DELETE FROM tax_rates")
            await db.executemany("INSERT INTO tax_rates VALUES (?, ?, ?, ?)", rows)
            if feed is not None and seq is not None:
                await db.execute(
                    "INSERT INTO feeds (name, seq, updated_us) VALUES (?, ?, ?) ON CONFLICT (name)"
                    " DO UPDATE SET seq = excluded.seq, updated_us = excluded.updated_us",
                    (feed, seq, time.time_ns() // 1000),
                )


def _delta_problem(d: Delta) -> str | None:
    """Why a delta's content cannot apply (checked before anything is written), or None."""
    for item in d.upserts:
        problem = item_problem(item)
        if problem is not None:
            return problem
    for _, rates in d.tax_classes:
        for r in rates:
            try:
                parse_rate(str(r.rate))
            except (ValueError, AttributeError) as exc:
                return str(exc)
    if any(not isinstance(m, Money) for _, m in d.prices):
        return "a price is not Money"
    if any(q is not None and type(q) is not int for _, q in d.stock):
        return "a stock level is not a whole number"
    return None


def _plan(
    deltas: Sequence[Delta], seqs: dict[str, int]
) -> tuple[list[Delta], int, SequenceGap | None, tuple[int, str] | None]:
    """The run of deltas that applies (in order), how many were stale, and what stopped the run."""
    run: list[Delta] = []
    stale = 0
    for d in deltas:
        have = seqs[d.feed]
        if d.seq <= have:
            stale += 1
            continue
        if d.base_seq != have:
            return run, stale, SequenceGap(d.feed, have, d.base_seq), None
        problem = _delta_problem(d)
        if problem is not None:
            return run, stale, None, (d.seq, problem)
        run.append(d)
        seqs[d.feed] = d.seq
    return run, stale, None, None
