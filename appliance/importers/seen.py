"""Which SKUs and GTINs an import has already seen, and at which row.

A million-row catalog would need ~200 MB for two Python dicts of strings; a private SQLite
database in a temporary file (SQLite's empty file name) keeps the keys on disk with a bounded
page cache and is removed when closed. Lookups go a batch at a time.
"""

from __future__ import annotations

import json
import sqlite3


class SeenIndex:
    def __init__(self) -> None:
        # A private temporary on-disk database. Used by one thread at a time, though not always
        # the same one (the import command parses in a worker thread).
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -16000;
            CREATE TABLE seen (kind INTEGER, key TEXT, row INTEGER, PRIMARY KEY (kind, key)) WITHOUT ROWID;
            """
        )

    def claim(self, kind: int, pairs: list[tuple[str, int]]) -> dict[str, int]:
        """Record (key, row) pairs; return {key: first row} for each pair whose key was taken.

        A key already in the index, or met twice in `pairs`, keeps its first row. The usual
        batch has no duplicate at all, which one INSERT and a change count show.
        """
        db = self._db
        before = db.total_changes
        db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", [(kind, k, r) for k, r in pairs])
        if db.total_changes - before == len(pairs):
            return {}
        cur = db.execute(
            "SELECT key, row FROM seen WHERE kind = ? AND key IN (SELECT value FROM json_each(?))",
            (kind, json.dumps([k for k, _ in pairs])),
        )
        first = dict(cur.fetchall())
        return {k: first[k] for k, r in pairs if first[k] != r}

    def close(self) -> None:
        self._db.close()
