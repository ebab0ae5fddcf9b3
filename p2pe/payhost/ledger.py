"""The payment host's ledger (SQLite, WAL, synchronous=FULL): one row per transaction id.

A row is the truth about one id: ``pending`` while the decision runs, then ``approved``,
``partial`` or ``declined``; a reversal turns pending/approved/partial into ``reversed`` (and a
reversal of an unknown id leaves a ``reversed`` tombstone, so a request that arrives after its
own reversal is never charged). A decision never overwrites a reversal. Refunds are rows of kind
``refund`` pointing at their sale. Card numbers are stored masked (first 6 / last 4) only.

Calls are short local transactions, run on the event loop's thread on purpose: one writer, no
interleaving between the check and the update of a row.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS txns (
    txn_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,             -- sale | refund
    lane TEXT NOT NULL,
    original TEXT NOT NULL DEFAULT '',
    amount INTEGER NOT NULL,
    approved INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    state TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '',
    auth_code TEXT NOT NULL DEFAULT '',
    card TEXT NOT NULL DEFAULT '',
    entry_mode TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    reversed_from TEXT NOT NULL DEFAULT '',  -- the state a reversal found
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
-- gift cards are keyed by an HMAC of the number (never the number itself)
CREATE TABLE IF NOT EXISTS gift_cards (
    card_key TEXT PRIMARY KEY,
    masked TEXT NOT NULL,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    currency TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gift_txns (
    txn_id TEXT PRIMARY KEY REFERENCES txns (txn_id),
    card_key TEXT NOT NULL REFERENCES gift_cards (card_key)
);
"""

COLUMNS = ("txn_id", "kind", "lane", "original", "amount", "approved", "currency", "state", "code", "auth_code",
           "card", "entry_mode", "fingerprint", "reversed_from", "created", "updated")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class Ledger:
    def __init__(self, path: pathlib.Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def get(self, txn_id: str) -> sqlite3.Row | None:
        return self._db.execute("SELECT * FROM txns WHERE txn_id = ?", (txn_id,)).fetchone()

    def rows(self) -> list[dict[str, object]]:
        return [dict(r) for r in self._db.execute("SELECT * FROM txns ORDER BY created, txn_id")]

    def start(self, txn_id: str, *, kind: str, lane: str, amount: int, currency: str, card: str = "",
              entry_mode: str = "", fingerprint: str = "", original: str = "") -> bool:
        """Insert a pending row; False when the id exists (the caller answers from the row)."""
        now = _now()
        cur = self._db.execute(
            "INSERT OR IGNORE INTO txns (txn_id, kind, lane, original, amount, currency, state, card, entry_mode,"
            " fingerprint, created, updated) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)",
            (txn_id, kind, lane, original, amount, currency, card, entry_mode, fingerprint, now, now))
        return cur.rowcount == 1

    def decide(self, txn_id: str, state: str, code: str, approved: int, auth_code: str) -> sqlite3.Row:
        """Record the decision unless a reversal came first; the row as it now stands."""
        self._db.execute(
            "UPDATE txns SET state = ?, code = ?, approved = ?, auth_code = ?, updated = ?"
            " WHERE txn_id = ? AND state = 'pending'", (state, code, approved, auth_code, _now(), txn_id))
        row = self.get(txn_id)
        assert row is not None
        return row

    # -- gift cards ------------------------------------------------------------------------
    def issue_gift(self, card_key: str, masked: str, balance: int, currency: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO gift_cards VALUES (?, ?, ?, ?)", (card_key, masked, balance, currency))

    def gift(self, card_key: str) -> sqlite3.Row | None:
        return self._db.execute("SELECT * FROM gift_cards WHERE card_key = ?", (card_key,)).fetchone()

    def redeem(self, txn_id: str, card_key: str, amount: int) -> sqlite3.Row:
        """Debit up to ``amount`` and decide the pending row, in one transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            card = self.gift(card_key)
            take = min(amount, card["balance"]) if card is not None else 0
            if card is None:
                state, code = "declined", "14"
            elif take == 0:
                state, code = "declined", "51"
            else:
                state, code = ("approved", "00") if take == amount else ("partial", "10")
                self._db.execute("UPDATE gift_cards SET balance = balance - ? WHERE card_key = ?", (take, card_key))
                self._db.execute("INSERT INTO gift_txns VALUES (?, ?)", (txn_id, card_key))
            self._db.execute("UPDATE txns SET state = ?, code = ?, approved = ?, updated = ? WHERE txn_id = ?",
                             (state, code, take, _now(), txn_id))
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._db.execute("ROLLBACK")
            raise
        row = self.get(txn_id)
        assert row is not None
        return row

    def _credit_gift(self, txn_id: str, amount: int) -> None:
        self._db.execute("UPDATE gift_cards SET balance = balance + ? WHERE card_key ="
                         " (SELECT card_key FROM gift_txns WHERE txn_id = ?)", (amount, txn_id))

    def reverse(self, txn_id: str, lane: str) -> sqlite3.Row:
        before = self.get(txn_id)
        if before is not None and before["kind"] == "gift" and before["state"] in ("approved", "partial"):
            self._db.execute("BEGIN IMMEDIATE")
            self._credit_gift(txn_id, before["approved"])
            self._db.execute("UPDATE txns SET reversed_from = state, state = 'reversed', updated = ?"
                             " WHERE txn_id = ?", (_now(), txn_id))
            self._db.execute("COMMIT")
            row = self.get(txn_id)
            assert row is not None
            return row
        now = _now()
        self._db.execute(
            "INSERT OR IGNORE INTO txns (txn_id, kind, lane, amount, currency, state, reversed_from, created,"
            " updated) VALUES (?, 'sale', ?, 0, '', 'reversed', 'unknown', ?, ?)", (txn_id, lane, now, now))
        self._db.execute(
            "UPDATE txns SET reversed_from = state, state = 'reversed', updated = ?"
            " WHERE txn_id = ? AND state IN ('pending', 'approved', 'partial')", (now, txn_id))
        row = self.get(txn_id)
        assert row is not None
        return row

    def credit_refund(self, original: str, amount: int) -> None:
        """A refund of a gift redemption goes back onto the card."""
        self._credit_gift(original, amount)

    def refunded(self, txn_id: str) -> int:
        row = self._db.execute("SELECT COALESCE(SUM(approved), 0) FROM txns WHERE kind = 'refund' AND original = ?"
                               " AND state = 'approved'", (txn_id,)).fetchone()
        return int(row[0])

    def charged(self) -> dict[str, int]:
        """Net amount charged per sale id (approved - refunds): what a shopper pays."""
        out: dict[str, int] = {}
        for r in self._db.execute("SELECT txn_id, approved FROM txns WHERE kind IN ('sale', 'gift') AND state IN"
                                  " ('approved', 'partial')"):
            out[r["txn_id"]] = r["approved"] - self.refunded(r["txn_id"])
        return out
