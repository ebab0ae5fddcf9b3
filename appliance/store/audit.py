"""The audit log: an append-only, hash-chained record of every sensitive action (audit.db).

    checksum[n] = SHA-256(checksum[n-1] || seq || at_us || actor || action || subject || detail)

Each field is length-prefixed, so no two different rows hash the same input. `verify()` recomputes
the chain and checks that sequence numbers have no gap: an altered row, or a row deleted or inserted
before the newest one, is found and named. What a chain alone cannot see is the loss of the newest
entries (a truncated tail); the journal anchors its tail in the outbox, the audit log does not yet.
Like the journal's chain, it detects accidents and naive edits, not a forger with the code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pathlib
import struct
from dataclasses import dataclass
from types import TracebackType

import aiosqlite

from appliance.store._sqlite import connect, mapped

_DB = "audit"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
GENESIS = bytes(32)
SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at_us INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    checksum BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'lanekit:audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'lanekit:audit is append-only'); END;
"""


def _field(h: hashlib._Hash, text: str) -> None:
    b = text.encode("utf-8")
    h.update(struct.pack(">I", len(b)))
    h.update(b)


def checksum(prev: bytes, seq: int, at_us: int, actor: str, action: str, subject: str, detail: str) -> bytes:
    h = hashlib.sha256(prev)
    h.update(struct.pack(">qq", seq, at_us))
    for f in (actor, action, subject, detail):
        _field(h, f)
    return h.digest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, object]


@dataclass(frozen=True, slots=True)
class AuditReport:
    entries: int
    fault_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.fault_seq is None


class AuditLog:
    def __init__(self, path: pathlib.Path | str, *, readonly: bool = False) -> None:
        self.path = pathlib.Path(path)
        self.readonly = readonly  # for verify/show: never creates or repairs anything
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> AuditLog:
        self._db = await connect(self.path, database=_DB, synchronous="FULL", readonly=self.readonly)
        if not self.readonly:
            with mapped(_DB):
                await self._db.executescript(SCHEMA)
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def __aenter__(self) -> AuditLog:
        return await self.open()

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the audit log is not open")
        return self._db

    async def append(self, at: dt.datetime, actor: str, action: str, subject: str = "",
                     detail: dict[str, object] | None = None) -> AuditEntry:
        text = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), default=str)
        at_us = (at - _EPOCH) // dt.timedelta(microseconds=1)
        with mapped(_DB):
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                rows = await self.db.execute_fetchall("SELECT seq, checksum FROM audit ORDER BY seq DESC LIMIT 1")
                seq, prev = (rows[0][0] + 1, bytes(rows[0][1])) if rows else (1, GENESIS)
                await self.db.execute(
                    "INSERT INTO audit (seq, at_us, actor, action, subject, detail, checksum) VALUES (?,?,?,?,?,?,?)",
                    (seq, at_us, actor, action, subject, text, checksum(prev, seq, at_us, actor, action, subject, text)))
                await self.db.execute("COMMIT")
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
        return AuditEntry(seq, at, actor, action, subject, detail or {})

    async def entries(self) -> list[AuditEntry]:
        with mapped(_DB):
            rows = await self.db.execute_fetchall("SELECT seq, at_us, actor, action, subject, detail FROM audit ORDER BY seq")
        return [AuditEntry(r[0], _EPOCH + dt.timedelta(microseconds=r[1]), r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    async def verify(self) -> AuditReport:
        with mapped(_DB):
            rows = await self.db.execute_fetchall(
                "SELECT seq, at_us, actor, action, subject, detail, checksum FROM audit ORDER BY seq")
        prev, expected = GENESIS, 1
        for seq, at_us, actor, action, subject, detail, stored in rows:
            if seq != expected:
                return AuditReport(len(rows), expected, f"entry {expected} is missing (next is {seq})")
            calc = checksum(prev, seq, at_us, actor, action, subject, detail)
            if calc != bytes(stored):
                return AuditReport(len(rows), seq, f"entry {seq} ({action} by {actor}) was altered")
            prev, expected = calc, seq + 1
        return AuditReport(len(rows))
