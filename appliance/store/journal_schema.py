"""Schema of journal.db: sale events, sales, counters and the outbox.

The integrity rules live in the schema so that one INSERT statement is a whole, atomic append
(one round trip to the database thread, then fsync): (sale_id, version) is unique, a version must be
the sale's next, a closed sale takes no events, and events are never updated or deleted.
`lanekit_chain(...)` is the SQL face of `chain.checksum`, registered on every journal connection.
"""

from __future__ import annotations

from appliance.store.migrations import Migration

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "events, sales, counters, outbox",
        """
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY,          -- append order, 1..n without gaps; the chain's order
    sale_id        TEXT    NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    type           TEXT    NOT NULL,             -- a stable event name such as 'LineAdded'
    schema_version INTEGER NOT NULL,
    at_us          INTEGER NOT NULL,             -- UTC microseconds since the Unix epoch
    payload        BLOB    NOT NULL,             -- the caller's encoding (msgspec JSON)
    checksum       BLOB    NOT NULL,             -- see appliance/store/chain.py
    UNIQUE (sale_id, version)                    -- the key: a concurrent writer is refused here
);

CREATE TABLE sales (
    sale_id    TEXT PRIMARY KEY,
    status     TEXT NOT NULL CHECK (status IN ('open', 'completed', 'voided')),
    opened_seq INTEGER NOT NULL,
    closed_seq INTEGER,
    lane_id    TEXT,
    receipt_no INTEGER,
    UNIQUE (lane_id, receipt_no)
);
CREATE INDEX sales_open ON sales (opened_seq) WHERE status = 'open';

-- Named monotonic counters: 'outbox' (the device's upload sequence), 'outbox_acked',
-- 'receipt:<lane>' (receipt numbers). Bumped inside the transaction that uses the number.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY,          -- per-device monotonic, from counters('outbox')
    uuid           TEXT    NOT NULL UNIQUE,      -- UUIDv7: HQ's idempotency key
    sale_id        TEXT    NOT NULL UNIQUE REFERENCES sales (sale_id),
    lane_id        TEXT    NOT NULL,
    receipt_no     INTEGER NOT NULL,
    created_us     INTEGER NOT NULL,
    final_seq      INTEGER NOT NULL,             -- anchors: the sale's final event (position,
    final_version  INTEGER NOT NULL,             -- version and checksum), so a lost journal
    final_checksum BLOB    NOT NULL,             -- tail is detected
    payload        BLOB    NOT NULL
);

CREATE TRIGGER events_next_version BEFORE INSERT ON events
WHEN NEW.version <> 1 + coalesce((SELECT max(version) FROM events WHERE sale_id = NEW.sale_id), 0)
BEGIN
    SELECT RAISE(ABORT, 'lanekit:version');
END;

CREATE TRIGGER events_sale_open BEFORE INSERT ON events
WHEN (SELECT status FROM sales WHERE sale_id = NEW.sale_id) <> 'open'
BEGIN
    SELECT RAISE(ABORT, 'lanekit:closed');
END;

CREATE TRIGGER events_new_sale AFTER INSERT ON events WHEN NEW.version = 1
BEGIN
    INSERT INTO sales (sale_id, status, opened_seq) VALUES (NEW.sale_id, 'open', NEW.seq);
END;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'lanekit:append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'lanekit:append-only');
END;
""",
    ),
    Migration(
        2,
        "chain base for pruning",
        """
-- Pruning removes a prefix of the journal (whole, finished, acknowledged sales); the chain then
-- resumes from the checksum recorded here. Only rows at or below the base may ever be deleted.
CREATE TABLE chain_base (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       INTEGER NOT NULL,
    checksum  BLOB    NOT NULL,
    pruned_us INTEGER NOT NULL
);

DROP TRIGGER events_no_delete;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN OLD.seq > coalesce((SELECT seq FROM chain_base), 0)
BEGIN
    SELECT RAISE(ABORT, 'lanekit:append-only');
END;
""",
    ),
)

APPEND_SQL = """
INSERT INTO events (seq, sale_id, version, type, schema_version, at_us, payload, checksum)
SELECT n.seq, :sale_id, :version, :type, :schema_version, :at_us, :payload,
       lanekit_chain(n.prev, n.seq, :sale_id, :version, :type, :schema_version, :at_us, :payload)
FROM (SELECT coalesce(max(seq), (SELECT seq FROM chain_base), 0) + 1 AS seq,
             coalesce((SELECT checksum FROM events ORDER BY seq DESC LIMIT 1),
                      (SELECT checksum FROM chain_base)) AS prev
      FROM events) AS n
RETURNING seq, checksum
"""
