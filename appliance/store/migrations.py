"""Versioned schema migrations, one list per database file.

`PRAGMA user_version` holds the version a file is at; `schema_migrations` keeps the history
(version, name, when). Each migration runs in its own transaction together with the version bump,
so a crash leaves the file at the old or the new version, never between.

Migrations follow expand-then-contract: a release only adds (tables, nullable columns, indexes);
dropping what old code still reads waits for a later release. Versions are never renumbered or
edited once landed: append a new one. A file newer than the code is refused (`SchemaTooNew`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from appliance.store._sqlite import mapped
from appliance.store.errors import SchemaTooNew, StoreMisuse

_HISTORY = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_us INTEGER NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str  # one or more statements; no BEGIN/COMMIT (the runner owns the transaction)


def check_sequence(migrations: Sequence[Migration]) -> None:
    for want, m in enumerate(migrations, start=1):
        if m.version != want:
            raise StoreMisuse(f"Migration {m.name!r} has version {m.version}; expected {want} (no gaps).")


async def current_version(db: aiosqlite.Connection) -> int:
    rows = await db.execute_fetchall("PRAGMA user_version")
    return int(next(iter(rows))[0])


def statements(sql: str) -> list[str]:
    """Split a script into statements (trigger bodies stay whole); each must end at a line end."""
    out: list[str] = []
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        raise StoreMisuse(f"Unterminated SQL statement in a migration: {buf.strip()[:60]!r}")
    return out


async def migrate(db: aiosqlite.Connection, migrations: Sequence[Migration], *, database: str) -> int:
    """Bring the file up to the newest version; returns the version it is at afterwards.

    Safe against a second process migrating at the same time: the version is re-read under the
    write lock, so each migration runs exactly once.
    """
    check_sequence(migrations)
    known = len(migrations)
    with mapped(database):
        first = await current_version(db)
        if first > known:
            raise SchemaTooNew(database, first, known)
        if first == known:
            return known
        for m in migrations:
            await db.execute("BEGIN IMMEDIATE")
            try:
                have = await current_version(db)
                if have > known:
                    raise SchemaTooNew(database, have, known)
                if have >= m.version:
                    await db.execute("COMMIT")
                    continue
                for stmt in statements(_HISTORY + m.sql):
                    await db.execute(stmt)
                await db.execute(
                    "INSERT INTO schema_migrations(version, name, applied_us) VALUES (?, ?, ?)",
                    (m.version, m.name, time.time_ns() // 1000),
                )
                await db.execute(f"PRAGMA user_version = {int(m.version)}")
                await db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    await db.execute("ROLLBACK")
                raise
        return known
