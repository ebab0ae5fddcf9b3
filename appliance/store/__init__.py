"""The lane's local storage (aiosqlite): the replica, the sale journal and the outbox.

Two SQLite files in the data directory, so a catalog import never blocks a durable sale append:
replica.db (catalog, prices, tax classes, stock, feed sequences) and journal.db (sale events,
receipt numbers, outbox).
"""

from appliance.store.catalog_snapshot import CatalogSnapshot
from appliance.store.data_dir_store import Store
from appliance.store.digest import FeedDigest, digest_items, digest_tax
from appliance.store.errors import (
    CatalogRejected,
    DiskFull,
    JournalCorrupt,
    JournalError,
    OutboxError,
    ReplicaError,
    SaleClosed,
    SchemaTooNew,
    SequenceGap,
    StoreError,
    StoreMisuse,
    StoreUnavailable,
    VersionConflict,
)
from appliance.store.journal import Completion, CompletionBuilder, EncodedEvent, Journal, JournalRecord
from appliance.store.outbox import Outbox, OutboxEntry
from appliance.store.paths import data_dir
from appliance.store.replica import Delta, DeltaResult, Replica, TaxRate
from appliance.store.uuid7 import uuid7
from appliance.store.verify import JournalFault, VerifyReport

__all__ = [
    "CatalogRejected",
    "CatalogSnapshot",
    "Completion",
    "CompletionBuilder",
    "Delta",
    "DeltaResult",
    "DiskFull",
    "EncodedEvent",
    "FeedDigest",
    "Journal",
    "JournalCorrupt",
    "JournalError",
    "JournalFault",
    "JournalRecord",
    "Outbox",
    "OutboxEntry",
    "OutboxError",
    "Replica",
    "ReplicaError",
    "SaleClosed",
    "SchemaTooNew",
    "SequenceGap",
    "Store",
    "StoreError",
    "StoreMisuse",
    "StoreUnavailable",
    "TaxRate",
    "VerifyReport",
    "VersionConflict",
    "data_dir",
    "digest_items",
    "digest_tax",
    "uuid7",
]
