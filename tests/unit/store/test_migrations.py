import pathlib
import sqlite3

import pytest

from appliance.store._sqlite import connect
from appliance.store.errors import SchemaTooNew, StoreError, StoreMisuse
from appliance.store.migrations import Migration, migrate

V1 = Migration(1, "t", "CREATE TABLE t (a INTEGER);")
V2 = Migration(2, "t.b", "ALTER TABLE t ADD COLUMN b TEXT;\nCREATE INDEX t_b ON t (b);")


async def test_migrations_apply_once_in_order_and_record_history(tmp_path: pathlib.Path) -> None:
    db = await connect(tmp_path / "x.db", database="x", synchronous="NORMAL")
    try:
        assert await migrate(db, [V1], database="x") == 1
        assert await migrate(db, [V1, V2], database="x") == 2
        assert await migrate(db, [V1, V2], database="x") == 2
        hist = await db.execute_fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
        assert [tuple(r) for r in hist] == [(1, "t"), (2, "t.b")]
        assert list(await db.execute_fetchall("PRAGMA user_version")) == [(2,)]
    finally:
        await db.close()


async def test_a_failing_migration_leaves_the_file_at_the_previous_version(tmp_path: pathlib.Path) -> None:
    bad = Migration(2, "bad", "ALTER TABLE t ADD COLUMN c TEXT;\nCREATE TABLE t (dup INTEGER);")
    db = await connect(tmp_path / "x.db", database="x", synchronous="NORMAL")
    try:
        await migrate(db, [V1], database="x")
        with pytest.raises(StoreError, match="already exists"):
            await migrate(db, [V1, bad], database="x")
        cols = [r[1] for r in await db.execute_fetchall("PRAGMA table_info(t)")]
        assert cols == ["a"]  # the ALTER before the failure was rolled back too
        assert list(await db.execute_fetchall("PRAGMA user_version")) == [(1,)]
    finally:
        await db.close()


async def test_a_file_from_a_newer_release_is_refused_unchanged(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "x.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 9")
    con.close()
    db = await connect(path, database="x", synchronous="NORMAL")
    try:
        with pytest.raises(SchemaTooNew, match="schema version 9, but this Lanekit knows only up to 2"):
            await migrate(db, [V1, V2], database="x")
        assert list(await db.execute_fetchall("SELECT name FROM sqlite_master")) == []
    finally:
        await db.close()


def test_versions_must_run_without_gaps() -> None:
    import asyncio

    with pytest.raises(StoreMisuse, match="expected 2"):
        asyncio.run(migrate(None, [V1, Migration(3, "x", "")], database="x"))  # type: ignore[arg-type]


async def test_a_replica_from_the_first_release_is_upgraded_in_place(tmp_path: pathlib.Path) -> None:
    from appliance.store.replica import Replica
    from appliance.store.replica_schema import MIGRATIONS

    path = tmp_path / "replica.db"
    db = await connect(path, database="replica", synchronous="NORMAL")
    try:
        await migrate(db, MIGRATIONS[:1], database="replica")
        await db.execute(
            "INSERT INTO items VALUES ('S', 'Soap', 'soap', 99, 'EUR', 'standard', 'each', NULL, '',"
            " NULL, NULL, NULL, NULL, 1)"
        )
    finally:
        await db.close()
    async with Replica(path) as r:
        soap = await r.by_sku("S")
        assert soap is not None and soap.unit_price.minor == 99
        rows = await r._reader.execute_fetchall("SELECT version FROM schema_migrations ORDER BY version")
        assert [v for (v,) in rows] == list(range(1, len(MIGRATIONS) + 1))
