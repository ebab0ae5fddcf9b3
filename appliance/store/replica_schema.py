"""Schema of replica.db: the catalog (items, GTIN and PLU indexes, prices, stock), tax classes, feeds.

The catalog tables (CATALOG_TABLES) are rowid tables with no inline PRIMARY KEY or UNIQUE: every
index is a named CREATE INDEX. A catalog replace copies each table's own CREATE TABLE for its
staging table, bulk-loads it, and re-creates the indexes from sqlite_master after the swap, so
this schema stays the single source of truth and later migrations need no second copy.

Price and stock live on the item row: a scan reads one row, and a 1M-item import builds one
index fewer. Stock NULL means "not tracked".
"""

from __future__ import annotations

from appliance.store.migrations import Migration

CATALOG_TABLES = ("items", "gtins")

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "items, gtins, tax rates, feeds",
        """
CREATE TABLE items (
    sku                TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    name_key           TEXT    NOT NULL,   -- casefolded, accents removed: prefix search
    price_minor        INTEGER NOT NULL,   -- unit price in minor units, per `unit`
    currency           TEXT    NOT NULL,
    tax_class          TEXT    NOT NULL,
    unit               TEXT    NOT NULL,   -- 'each' | 'kg' | 'lb'
    plu                TEXT,
    category           TEXT    NOT NULL,
    age_restriction    INTEGER,
    nominal_weight_g   INTEGER,
    weight_tolerance_g INTEGER,
    stock              INTEGER,
    active             INTEGER NOT NULL
);
CREATE UNIQUE INDEX items_sku ON items (sku);
CREATE UNIQUE INDEX items_plu ON items (plu) WHERE plu IS NOT NULL;
CREATE INDEX items_name ON items (name_key);

CREATE TABLE gtins (
    gtin TEXT NOT NULL,                    -- normalised to 14 digits
    sku  TEXT NOT NULL
);
CREATE UNIQUE INDEX gtins_gtin ON gtins (gtin);
CREATE INDEX gtins_sku ON gtins (sku);

CREATE TABLE tax_rates (
    tax_class TEXT    NOT NULL,
    position  INTEGER NOT NULL,            -- order of the rates within the class
    label     TEXT    NOT NULL,            -- e.g. 'VAT 19%', 'state', 'county'
    rate      TEXT    NOT NULL,            -- a Decimal fraction as text: '0.19', '0.08875'
    PRIMARY KEY (tax_class, position)
);

CREATE TABLE feeds (
    name       TEXT PRIMARY KEY,           -- 'catalog', 'prices', 'stock', 'tax' ...
    seq        INTEGER NOT NULL,           -- the last sequence applied
    updated_us INTEGER NOT NULL
);
""",
    ),
    Migration(
        2,
        "catalog snapshot owner",
        """
-- At most one catalog snapshot at a time across processes (the lane applying an MQTT snapshot,
-- an operator running `lanekit catalog import`): the staging tables have fixed names.
CREATE TABLE catalog_snapshot_owner (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    pid        INTEGER NOT NULL,
    started_us INTEGER NOT NULL
);
""",
    ),
)
