"""The reusable core of the scan benchmark: a big replica, a durable journal, a raw-sqlite baseline.

`ScanRig` builds an n-item replica and an empty journal in a directory on a real filesystem
(never tmpfs); `store_scan` times one GTIN lookup + one durable journal append through the store,
`raw_scan` the same work with bare sqlite3 (a prepared GTIN lookup on the same replica file + one
INSERT in WAL with synchronous=FULL). A later lane-level bench swaps `store_scan` for the lane's
scan command and keeps the rest.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from appliance.domain.items import Item
from appliance.domain.money import Money
from appliance.store.journal import EncodedEvent, Journal
from appliance.store.replica import Replica

REPO = pathlib.Path(__file__).resolve().parents[2]
PAYLOAD = (
    b'{"line":1,"sku":"SKU0000000","gtin":"04000000000000","name":"Product 0","qty":1,'
    b'"unit_price":{"minor":199,"currency":"EUR"},"tax_class":"standard","unit":"each"}'
)


def gtin_of(i: int) -> str:
    body = f"{4_000_000_000_00 + i:013d}"[-12:]
    return "0" + body + str(_check_digit(body))


def _check_digit(body12: str) -> int:
    s = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(body12))
    return (10 - s % 10) % 10


def catalog(n: int) -> Iterator[Item]:
    price = Money(199, "EUR")
    for i in range(n):
        yield Item(sku=f"SKU{i:07d}", name=f"Product {i}", unit_price=price, gtins=(gtin_of(i),), stock=100)


def fs_type(path: pathlib.Path) -> str:
    """The filesystem type holding `path` (longest mount point in /proc/mounts)."""
    best, kind = "", "unknown"
    target = str(path.resolve())
    try:
        lines = pathlib.Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    for line in lines:
        parts = line.split()
        if len(parts) >= 3 and (target == parts[1] or target.startswith(parts[1].rstrip("/") + "/")):
            if len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    return kind


def bench_dir() -> pathlib.Path:
    """A scratch directory on a disk-backed filesystem: the repo's ignored bench-results/, else /var/tmp."""
    for base in (REPO / "bench-results", pathlib.Path("/var/tmp")):
        base.mkdir(parents=True, exist_ok=True)
        if fs_type(base) not in ("tmpfs", "ramfs"):
            return pathlib.Path(tempfile.mkdtemp(prefix="scan-", dir=base))
    raise RuntimeError("no disk-backed filesystem for the benchmark (both candidates are tmpfs)")


@dataclass
class ScanRig:
    root: pathlib.Path
    items: int
    replica: Replica = field(init=False)
    journal: Journal = field(init=False)
    fs: str = field(init=False)

    async def __aenter__(self) -> ScanRig:
        self.fs = fs_type(self.root)
        self.replica = await Replica(self.root / "replica.db").open()
        self.journal = await Journal(self.root / "journal.db").open()
        t = time.perf_counter()
        await self.replica.replace_catalog(catalog(self.items), feed="catalog", seq=1)
        self.build_s = time.perf_counter() - t
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.replica.close()
        await self.journal.close()
        shutil.rmtree(self.root, ignore_errors=True)

    async def store_scan(self, gtin: str, sale_id: str, version: int) -> tuple[float, Item | None]:
        """One scan through the store: lookup, then a durable append. Returns (seconds, item)."""
        t = time.perf_counter()
        item = await self.replica.by_gtin(gtin)
        await self.journal.append(
            EncodedEvent(sale_id, version, "LineAdded", 1, dt.datetime.now(dt.UTC), PAYLOAD)
        )
        return time.perf_counter() - t, item


class RawScan:
    """The baseline: bare sqlite3, prepared statements (sqlite3's statement cache), same disk."""

    def __init__(self, root: pathlib.Path) -> None:
        self.lookup = sqlite3.connect(f"{(root / 'replica.db').as_uri()}?mode=ro", uri=True)
        self.journal = sqlite3.connect(root / "raw-journal.db", isolation_level=None)
        self.journal.execute("PRAGMA journal_mode = WAL")
        self.journal.execute("PRAGMA synchronous = FULL")
        self.journal.execute(
            "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, sale_id TEXT, version INTEGER,"
            " at_us INTEGER, payload BLOB, UNIQUE (sale_id, version))"
        )

    def scan(self, gtin14: str, sale_id: str, version: int) -> tuple[float, tuple | None]:
        t = time.perf_counter()
        row = self.lookup.execute(
            "SELECT i.* FROM gtins g JOIN items i ON i.sku = g.sku WHERE g.gtin = ?", (gtin14,)
        ).fetchone()
        self.journal.execute(
            "INSERT INTO events (sale_id, version, at_us, payload) VALUES (?, ?, ?, ?)",
            (sale_id, version, time.time_ns() // 1000, PAYLOAD),
        )
        return time.perf_counter() - t, row

    def close(self) -> None:
        self.lookup.close()
        self.journal.close()


def cpu_note() -> str:
    return f"{os.cpu_count()} cpu, load {os.getloadavg()[0]:.2f}"
