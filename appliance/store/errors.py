"""Errors of the store, grouped by what the caller does next.

    StoreError                  the store could not do what was asked; nothing was half-written
    ├── DiskFull                SQLITE_FULL: refuse new sales; everything already recorded is kept
    ├── StoreUnavailable        a database cannot be opened, is locked too long, or the disk failed
    ├── SchemaTooNew            the file was written by a newer Lanekit; refuse rather than guess
    ├── JournalError
    │   ├── JournalCorrupt      a committed event was altered or is missing (.sale_id, .version)
    │   ├── VersionConflict     another writer appended this version first (or a version was skipped)
    │   └── SaleClosed          the sale is already completed or voided
    ├── OutboxError             an acknowledgement names rows that were never written
    └── ReplicaError
        ├── CatalogRejected     a catalog replace found bad data; the old catalog is untouched
        └── SequenceGap         a feed delta does not follow the sequence the replica has
    StoreMisuse                 a programming error (bad argument, closed store); also a ValueError,
                                never a StoreError, so `except StoreError` cannot hide a bug

sqlite3 exceptions are mapped to these at one boundary (`_sqlite.mapped`), with the cause chained.
"""

from __future__ import annotations


class StoreError(Exception):
    """The store refused or failed an operation; the message says what, where and why."""


class DiskFull(StoreError):
    def __init__(self, database: str) -> None:
        self.database = database
        if database == "journal":
            what = (
                "no new sale can be recorded. Everything recorded before is kept; "
                "free space or raise the cap, then restart the lane."
            )
        else:
            what = f"the {database} was not changed and keeps its previous content; free space and retry."
        super().__init__(f"The {database} database is full (disk or size cap reached): {what}")


class StoreUnavailable(StoreError):
    pass


class SchemaTooNew(StoreError):
    def __init__(self, database: str, found: int, known: int) -> None:
        self.database, self.found, self.known = database, found, known
        super().__init__(
            f"The {database} database has schema version {found}, but this Lanekit knows only up to "
            f"{known}: it was written by a newer release. Upgrade Lanekit; the file is left unchanged."
        )


class JournalError(StoreError):
    pass


class JournalCorrupt(JournalError):
    def __init__(self, sale_id: str, version: int, reason: str) -> None:
        self.sale_id, self.version, self.reason = sale_id, version, reason
        super().__init__(f"Journal corrupt at sale {sale_id} event version {version}: {reason}")


class VersionConflict(JournalError):
    def __init__(self, sale_id: str, version: int, why: str) -> None:
        self.sale_id, self.version = sale_id, version
        super().__init__(f"Event version {version} of sale {sale_id} was refused: {why}")


class SaleClosed(JournalError):
    def __init__(self, sale_id: str) -> None:
        self.sale_id = sale_id
        super().__init__(f"Sale {sale_id} is already completed or voided; no event can be added to it.")


class OutboxError(StoreError):
    pass


class ReplicaError(StoreError):
    pass


class CatalogRejected(ReplicaError):
    pass


class SequenceGap(ReplicaError):
    def __init__(self, feed: str, have: int, base: int) -> None:
        self.feed, self.have, self.base = feed, have, base
        super().__init__(
            f"Feed {feed!r}: a delta based on sequence {base} cannot apply on top of sequence {have}; "
            "the missing range must be fetched first."
        )


class StoreMisuse(ValueError):
    """A caller broke the store's contract (bad argument, store not open): a bug, not a condition."""
