"""Walking the journal's chain: which sale and event version, if any, is at fault.

Three checks, and the earliest fault in journal order wins:
- chain: each row's checksum must equal SHA-256(previous checksum + the row), and positions
  (seq) run 1..n without gaps; an altered byte fails here at the altered row;
- versions: every sale's versions run 1..n; a deleted event is named by its sale and version;
- anchors: each outbox row's final event must still exist with the checksum it had when the sale
  finished; this catches a lost journal tail, which no chain can.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from appliance.store import chain
from appliance.store._sqlite import mapped
from appliance.store.errors import JournalCorrupt

_BATCH = 2000


@dataclass(frozen=True, slots=True)
class JournalFault:
    sale_id: str
    version: int
    seq: int  # journal position where the fault shows
    reason: str

    def error(self) -> JournalCorrupt:
        return JournalCorrupt(self.sale_id, self.version, self.reason)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    events: int  # rows checked
    fault: JournalFault | None

    @property
    def ok(self) -> bool:
        return self.fault is None

    def raise_for_fault(self) -> None:
        if self.fault is not None:
            raise self.fault.error()


async def _chain_base(db: aiosqlite.Connection) -> tuple[int, bytes | None]:
    """Where the chain starts: after the pruned prefix (schema 2+), else at the beginning."""
    if not await db.execute_fetchall("SELECT 1 FROM sqlite_master WHERE name = 'chain_base'"):
        return 0, None
    rows = await db.execute_fetchall("SELECT seq, checksum FROM chain_base")
    for seq, checksum in rows:
        return int(seq), bytes(checksum)
    return 0, None


async def _chain_fault(db: aiosqlite.Connection) -> tuple[int, JournalFault | None]:
    base, prev = await _chain_base(db)
    expect_seq = base + 1
    count = 0
    cur = await db.execute(
        "SELECT seq, sale_id, version, type, schema_version, at_us, payload, checksum FROM events ORDER BY seq"
    )
    try:
        while rows := await cur.fetchmany(_BATCH):
            for seq, sale_id, version, type_, sv, at_us, payload, stored in rows:
                count += 1
                if seq != expect_seq:
                    missing = (
                        f"position {expect_seq}"
                        if seq == expect_seq + 1
                        else f"positions {expect_seq}-{seq - 1}"
                    )
                    return count, JournalFault(
                        sale_id,
                        version,
                        seq,
                        f"the event(s) at journal {missing}, just before it, are missing",
                    )
                try:
                    want = chain.checksum(prev, seq, sale_id, version, type_, sv, at_us, bytes(payload))
                except (TypeError, UnicodeEncodeError, ValueError) as exc:
                    return count, JournalFault(
                        str(sale_id), int(version or 0), seq, f"a field has a malformed value ({exc})"
                    )
                if bytes(stored) != want:
                    return count, JournalFault(
                        sale_id,
                        version,
                        seq,
                        "its checksum does not match its content: the event was altered",
                    )
                prev = bytes(stored)
                expect_seq += 1
    finally:
        await cur.close()
    return count, None


async def _version_fault(db: aiosqlite.Connection) -> JournalFault | None:
    rows = await db.execute_fetchall(
        """
        SELECT e.sale_id,
               1 + coalesce((SELECT max(p.version) FROM events p
                             WHERE p.sale_id = e.sale_id AND p.version < e.version), 0) AS missing,
               e.version, e.seq
        FROM events e
        WHERE NOT EXISTS (SELECT 1 FROM events p WHERE p.sale_id = e.sale_id AND p.version = e.version - 1)
          AND e.version > 1
        ORDER BY e.seq LIMIT 1
        """
    )
    for sale_id, missing, found, seq in rows:
        return JournalFault(
            sale_id, missing, seq, f"event version {missing} is missing (the sale jumps to {found})"
        )
    return None


async def _anchor_fault(db: aiosqlite.Connection) -> JournalFault | None:
    rows = await db.execute_fetchall(
        """
        SELECT o.sale_id, o.final_seq, o.final_version, e.sale_id
        FROM outbox o LEFT JOIN events e ON e.seq = o.final_seq
        WHERE e.seq IS NULL OR e.checksum <> o.final_checksum
           OR e.sale_id <> o.sale_id OR e.version <> o.final_version
        ORDER BY o.final_seq LIMIT 1
        """
    )
    for sale_id, final_seq, version, found_sale in rows:
        if found_sale is None:
            return JournalFault(
                sale_id,
                version,
                final_seq,
                "the sale's final event (recorded in the outbox) is missing",
            )
        return JournalFault(
            sale_id, version, final_seq, "the sale's final event differs from the one its outbox row recorded"
        )
    return None


async def verify_journal(db: aiosqlite.Connection) -> VerifyReport:
    with mapped("journal"):
        await db.execute("BEGIN")  # one read snapshot for all three checks, even while appends go on
        try:
            count, fault = await _chain_fault(db)
            # At a tie of position, a named missing version beats "something before it is missing".
            ranked = [(1, fault), (0, await _version_fault(db)), (2, await _anchor_fault(db))]
        finally:
            await db.execute("ROLLBACK")
    faults = sorted((f.seq, rank, f) for rank, f in ranked if f is not None)
    return VerifyReport(count, faults[0][2] if faults else None)
