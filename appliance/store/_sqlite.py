"""Opening SQLite files the way the store needs them, and the one place sqlite3 errors become ours."""

from __future__ import annotations

import contextlib
import pathlib
import sqlite3
from collections.abc import Iterator

import aiosqlite

from appliance.store.errors import DiskFull, StoreError, StoreUnavailable

_BUSY_MS = 5000


async def connect(
    path: pathlib.Path, *, database: str, synchronous: str, readonly: bool = False
) -> aiosqlite.Connection:
    """An autocommit connection in WAL mode; transactions are always explicit (BEGIN IMMEDIATE)."""
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = f"{path.resolve().as_uri()}?mode=rwc"
    with mapped(database):
        db = await aiosqlite.connect(uri, uri=True, isolation_level=None)
    try:
        with mapped(database):
            await db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            if not readonly:
                # journal_mode is persistent in the file; setting it needs a writer once.
                await db.execute("PRAGMA journal_mode = WAL")
            await db.execute(f"PRAGMA synchronous = {synchronous}")
            await db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        await db.close()
        raise
    return db


def map_error(exc: sqlite3.Error, database: str) -> StoreError:
    """The most specific store error for a sqlite3 exception (the caller chains it with `from`)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL:
        return DiskFull(database)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreUnavailable(
            f"The {database} database stayed locked by another process for {_BUSY_MS // 1000} s: {exc}."
        )
    if primary in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY):
        return StoreUnavailable(f"The {database} database cannot be opened for this use: {exc}.")
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return StoreUnavailable(f"The {database} file is not a readable SQLite database: {exc}.")
    if primary == sqlite3.SQLITE_IOERR:
        return StoreUnavailable(f"The disk failed while using the {database} database: {exc}.")
    return StoreError(f"The {database} database refused the operation: {exc}.")


@contextlib.contextmanager
def mapped(database: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise map_error(exc, database) from exc
