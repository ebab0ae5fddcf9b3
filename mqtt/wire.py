"""Wire schemas of the link (msgspec Structs), versioned, validated at the edge.

Every payload is checked against a size limit before decoding and then decoded into exactly
one of these types; unknown fields are refused (`forbid_unknown_fields`) so a typo or a newer
sender shows up as a logged rejection, not as silently ignored data. See docs/topics.md.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import msgspec

FEEDS = ("items", "prices", "promotions", "stock", "tax", "associates", "orders")
Feed = Literal["items", "prices", "promotions", "stock", "tax", "associates", "orders"]

MAX_DELTA_BYTES = 256 * 1024
MAX_CHUNK_BYTES = 1024 * 1024
MAX_SALES_BATCH_BYTES = 1024 * 1024
MAX_SMALL_BYTES = 16 * 1024

_OPTS: dict[str, Any] = {"frozen": True, "forbid_unknown_fields": True, "kw_only": True}


class WireError(ValueError):
    """A payload was refused; `.where` names the topic, the message says what and why."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"payload on {where} refused: {why}")
        self.where, self.why = where, why


class Row(msgspec.Struct, **_OPTS):
    """One replicated record: `data` is the feed's own schema (validated by the store's apply)."""

    key: str
    data: dict[str, Any] | None = None  # None deletes the key


class FeedDelta(msgspec.Struct, tag="delta", **_OPTS):
    """Changes that take a feed from `base_seq` to `seq`; applies only at exactly `base_seq`."""

    v: Literal[1]
    feed: Feed
    base_seq: int
    seq: int
    rows: list[Row]

    def __post_init__(self) -> None:
        if not 0 <= self.base_seq < self.seq:
            raise ValueError(f"need 0 <= base_seq < seq, got {self.base_seq} -> {self.seq}")


class SnapshotChunk(msgspec.Struct, tag="chunk", **_OPTS):
    """Part `index` of `total` of a snapshot of `feed` at `seq`; applied only when all arrived."""

    v: Literal[1]
    feed: Feed
    snapshot_id: str
    seq: int
    index: int
    total: int
    rows: list[Row]

    def __post_init__(self) -> None:
        if not (0 <= self.index < self.total and self.seq >= 0 and self.total <= 1_000_000):
            raise ValueError(f"chunk {self.index} of {self.total} at seq {self.seq} is out of range")


class Digest(msgspec.Struct, **_OPTS):
    count: int
    sha256: str


class Heartbeat(msgspec.Struct, tag="heartbeat", **_OPTS):
    """HQ's view of a store's catalog: each feed's sequence and each kind's digest at those sequences.

    Digests are `appliance.store.digest`'s (row count + SHA-256 over canonical rows in SKU
    order), so a lane compares them with `Replica.digest(kind)` when its sequences equal `seqs`.
    """

    v: Literal[1]
    seqs: dict[str, int]
    digests: dict[str, Digest]


FeedMessage = FeedDelta | SnapshotChunk | Heartbeat


class SyncRequest(msgspec.Struct, **_OPTS):
    """Lane -> HQ: the deltas after `after_seq` up to `through_seq`, or (kind=snapshot) a snapshot."""

    v: Literal[1]
    feed: Feed
    kind: Literal["range", "snapshot"]
    after_seq: int = 0
    through_seq: int | None = None


class SoldLine(msgspec.Struct, frozen=True):
    """What stock needs from a sale line: SKU and quantity sold (decimal string; negative = returned)."""

    sku: str
    quantity: str


class SaleStockView(msgspec.Struct, frozen=True):
    """The part of a sale document HQ's stock aggregator reads; other fields are the sale's own.

    The lane's outbox payload (a JSON object) should carry `lines: [{sku, quantity, ...}]`;
    a sale without lines is stored but moves no stock.
    """

    lines: list[SoldLine] = []


class SaleRecord(msgspec.Struct, **_OPTS):
    """One outbox row on the wire: per-device `seq` (gapless from 1), UUIDv7 `uuid`, the sale document."""

    seq: int
    uuid: str
    sale_id: str
    lane_id: str
    receipt_no: int
    created_at: str
    sale: msgspec.Raw

    def __post_init__(self) -> None:
        if self.seq < 1:
            raise ValueError(f"sale seq {self.seq} must be >= 1")


class SalesBatch(msgspec.Struct, **_OPTS):
    v: Literal[1]
    device: str
    sales: list[SaleRecord]


class SalesAck(msgspec.Struct, **_OPTS):
    """HQ -> lane: everything up to and including `acked_through_seq` is stored at HQ."""

    v: Literal[1]
    acked_through_seq: int
    missing_after: int | None = None  # HQ saw a gap: resend from missing_after + 1


def row_hash(key: str, data: dict[str, Any] | None) -> bytes:
    """SHA-256 of a row: key, NUL, canonical JSON (sorted keys) of its data."""
    return hashlib.sha256(key.encode() + b"\0" + msgspec.json.encode(data, order="sorted")).digest()


def xor_into(acc: bytes, h: bytes) -> bytes:
    """Order-independent set hash: XOR of row hashes (add and remove are the same step)."""
    return (int.from_bytes(acc, "big") ^ int.from_bytes(h, "big")).to_bytes(32, "big")


EMPTY_HASH = bytes(32)

_decoders: dict[type, msgspec.json.Decoder[Any]] = {}


def decode(payload: bytes, kind: type[Any], where: str, limit: int) -> Any:
    """Size-check then decode `payload` as `kind` (a Struct or a union); raises WireError."""
    if len(payload) > limit:
        raise WireError(where, f"{len(payload)} bytes exceeds the {limit}-byte limit")
    dec = _decoders.get(kind)  # type: ignore[arg-type]
    if dec is None:
        dec = _decoders[kind] = msgspec.json.Decoder(kind)  # type: ignore[index]
    try:
        return dec.decode(payload)
    except (msgspec.ValidationError, msgspec.DecodeError) as err:
        raise WireError(where, str(err)) from err


def encode(obj: msgspec.Struct) -> bytes:
    return msgspec.json.encode(obj)
