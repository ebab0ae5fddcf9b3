"""Replacing the whole catalog atomically, in chunks, without stopping the lane.

Chunks go into staging tables (`_stage_items`, `_stage_gtins`), each chunk its own short
transaction, so other replica writes interleave and memory stays flat. `commit()` then swaps in
one transaction: drop the live tables, rename the staging ones, build the indexes (after the bulk
load, which is what makes a million rows fast), record the feed sequence. Until that commit the
lane's reader connection sees the old catalog; any error, or a crash, leaves the old catalog as it
was and the staging tables are dropped (at the latest by the next snapshot).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from appliance.domain.items import Item
from appliance.store._sqlite import map_error
from appliance.store.errors import CatalogRejected, ReplicaError, StoreError, StoreMisuse
from appliance.store.item_rows import ITEM_COLUMNS, item_problem, item_row
from appliance.store.replica_schema import CATALOG_TABLES

if TYPE_CHECKING:
    from appliance.store.replica import Replica

log = logging.getLogger(__name__)

_STAGE = "_stage_"
_CREATE = re.compile(r"^CREATE TABLE (\"?)(\w+)\1", re.IGNORECASE)


class CatalogSnapshot:
    """`async with replica.snapshot() as s: await s.add(chunk) ...; await s.commit(feed=, seq=)`.

    Leaving the block without `commit()` (or with an exception) aborts: the old catalog stays.
    """

    def __init__(self, replica: Replica) -> None:
        self._r = replica
        self._open = False
        self.items = 0  # staged so far

    async def __aenter__(self) -> CatalogSnapshot:
        await self.begin()
        return self

    async def __aexit__(self, et: object, e: object, tb: object) -> None:
        if self._open:
            await self.abort()

    async def begin(self) -> None:
        if self._r._snapshot_active:
            raise StoreMisuse("Another catalog snapshot is in progress on this replica.")
        self._r._snapshot_active = True
        try:
            async with self._r.write() as db:
                rows = await db.execute_fetchall("SELECT pid FROM catalog_snapshot_owner")
                for (pid,) in rows:
                    if pid != os.getpid() and _alive(pid):
                        raise ReplicaError(
                            f"Another process (pid {pid}) is replacing the catalog; "
                            "try again when it has finished. The current catalog is unchanged."
                        )
                    log.warning("taking over the catalog staging tables left by process %d", pid)
                await db.execute(
                    "INSERT OR REPLACE INTO catalog_snapshot_owner (id, pid, started_us) VALUES (1, ?, ?)",
                    (os.getpid(), time.time_ns() // 1000),
                )
                for table in CATALOG_TABLES:
                    await db.execute(f"DROP TABLE IF EXISTS {_STAGE}{table}")
                    (sql,) = next(
                        iter(
                            await db.execute_fetchall(
                                "SELECT sql FROM sqlite_master WHERE name = ?", (table,)
                            )
                        )
                    )
                    await db.execute(_CREATE.sub(f"CREATE TABLE {_STAGE}{table}", sql, count=1))
        except BaseException:
            self._r._snapshot_active = False
            raise
        self._open = True

    async def add(self, items: Iterable[Item]) -> int:
        """Stage one chunk (committed to the staging tables, not yet visible); returns its size."""
        if not self._open:
            raise StoreMisuse("This catalog snapshot is not open.")
        rows = []
        gtins = []
        for item in items:
            problem = item_problem(item)
            if problem is not None:
                raise CatalogRejected(f"Catalog item {self.items + len(rows) + 1} refused: {problem}.")
            rows.append(item_row(item))
            gtins.extend((g, item.sku) for g in item.gtins)
        if not rows:
            return 0
        async with self._r.write() as db:
            await db.executemany(
                f"INSERT INTO {_STAGE}items ({ITEM_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
            )
            if gtins:
                await db.executemany(f"INSERT INTO {_STAGE}gtins (gtin, sku) VALUES (?, ?)", gtins)
        self.items += len(rows)
        return len(rows)

    async def commit(self, *, feed: str | None = None, seq: int | None = None) -> int:
        """Swap the staged catalog in; returns its item count. Duplicate SKUs, GTINs or PLUs refuse it."""
        if not self._open:
            raise StoreMisuse("This catalog snapshot is not open.")
        if (feed is None) != (seq is None):
            raise StoreMisuse("Give both feed and seq, or neither.")
        try:
            try:
                async with self._r.write() as db:
                    indexes = await db.execute_fetchall(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                        f" AND tbl_name IN ({','.join('?' * len(CATALOG_TABLES))})",
                        CATALOG_TABLES,
                    )
                    for table in CATALOG_TABLES:
                        await db.execute(f"DROP TABLE {table}")
                        await db.execute(f"ALTER TABLE {_STAGE}{table} RENAME TO {table}")
                    for (sql,) in indexes:
                        await db.execute(sql)  # a duplicate key fails here, rolling back the swap
                    await db.execute("DELETE FROM catalog_snapshot_owner WHERE pid = ?", (os.getpid(),))
                    if feed is not None:
                        await db.execute(
                            "INSERT INTO feeds (name, seq, updated_us) VALUES (?, ?, ?) ON CONFLICT (name)"
                            " DO UPDATE SET seq = excluded.seq, updated_us = excluded.updated_us",
                            (feed, seq, time.time_ns() // 1000),
                        )
            except StoreError as exc:
                if isinstance(exc.__cause__, sqlite3.IntegrityError):
                    raise await self._duplicates() from exc
                raise
        except BaseException:
            await self.abort()
            raise
        self._open = self._r._snapshot_active = False
        await self._r._after_bulk_write()
        return self.items

    async def _duplicates(self) -> CatalogRejected:
        """Name the keys that made the swap fail (only on this failure path: it scans the staging tables)."""
        checks = (
            ("SKU", f"SELECT sku FROM {_STAGE}items GROUP BY sku HAVING count(*) > 1 LIMIT 5"),
            ("GTIN", f"SELECT gtin FROM {_STAGE}gtins GROUP BY gtin HAVING count(*) > 1 LIMIT 5"),
            (
                "PLU",
                f"SELECT plu FROM {_STAGE}items WHERE plu IS NOT NULL GROUP BY plu HAVING count(*) > 1 LIMIT 5",
            ),
        )
        async with self._r.write() as db:
            for what, sql in checks:
                dups = [r[0] for r in await db.execute_fetchall(sql)]
                if dups:
                    return CatalogRejected(
                        f"The new catalog lists the same {what} for more than one item ({', '.join(dups)}); "
                        "the previous catalog is kept."
                    )
        return CatalogRejected("The new catalog breaks a uniqueness rule; the previous catalog is kept.")

    async def abort(self) -> None:
        """Drop the staging tables; the live catalog was never touched."""
        self._open = False
        try:
            async with self._r.write() as db:
                for table in CATALOG_TABLES:
                    await db.execute(f"DROP TABLE IF EXISTS {_STAGE}{table}")
                await db.execute("DELETE FROM catalog_snapshot_owner WHERE pid = ?", (os.getpid(),))
        except sqlite3.Error as exc:  # best effort: the next snapshot drops them too
            self._r._log_abort_failure(map_error(exc, "replica"))
        finally:
            self._r._snapshot_active = False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
