"""HQ's feed side: turn catalog/price/stock changes into sequenced deltas, heartbeats, snapshots."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Literal

import msgspec

from appliance.store.digest import digest_items, digest_tax
from appliance.store.replica import TaxRate
from mqtt import topics
from mqtt.catalog_wire import ItemDoc, TaxDoc, item_from_doc
from mqtt.client import Client
from mqtt.hq.db import HqDb, StoredDelta
from mqtt.wire import MAX_CHUNK_BYTES, MAX_DELTA_BYTES, Digest, FeedDelta, Heartbeat, Row, SyncRequest, encode

log = logging.getLogger(__name__)

ROWS_PER_DELTA = 500


class _RawRow(msgspec.Struct, frozen=True):
    key: str
    data: msgspec.Raw


class _RawChunk(msgspec.Struct, frozen=True, kw_only=True, tag="chunk"):
    """Encodes exactly like wire.SnapshotChunk, but reuses the stored JSON of each row."""

    v: Literal[1]
    feed: str
    snapshot_id: str
    seq: int
    index: int
    total: int
    rows: list[_RawRow]


_item_doc = msgspec.json.Decoder(ItemDoc)
_tax_doc = msgspec.json.Decoder(TaxDoc)


def _as_wire(feed: str, d: StoredDelta) -> FeedDelta:
    return FeedDelta(v=1, feed=feed, base_seq=d.base_seq, seq=d.seq, rows=d.rows)  # type: ignore[arg-type]


def _batches(rows: list[Row]) -> list[list[Row]]:
    out: list[list[Row]] = []
    batch: list[Row] = []
    size = 0
    for r in rows:
        n = len(msgspec.json.encode(r)) + 1
        if batch and (len(batch) >= ROWS_PER_DELTA or size + n > MAX_DELTA_BYTES - 256):
            out.append(batch)
            batch, size = [], 0
        batch.append(r)
        size += n
    if batch:
        out.append(batch)
    return out


def stock_rows(levels: dict[str, str]) -> list[Row]:
    """Stock feed rows from HQ's levels: whole units (a weighed item's kilograms are floored)."""
    return [
        Row(key=sku, data={"level": int(Decimal(q).to_integral_value(ROUND_FLOOR))}) for sku, q in sorted(levels.items())
    ]


def _digests(items: list[tuple[str, bytes]], tax: list[tuple[str, bytes]]) -> dict[str, Digest]:
    parsed = [item_from_doc(sku, _item_doc.decode(doc)) for sku, doc in items]
    digests = {kind: digest_items(parsed, kind) for kind in ("items", "prices", "stock")}
    classes = {cls: [TaxRate(r.label, Decimal(r.rate)) for r in _tax_doc.decode(doc).rates] for cls, doc in tax}
    digests["tax"] = digest_tax(classes)
    return {k: Digest(count=d.count, sha256=d.sha256) for k, d in digests.items()}


class FeedPublisher:
    def __init__(self, db: HqDb, *, rows_per_chunk: int = 2000) -> None:
        self.db = db
        self.rows_per_chunk = rows_per_chunk
        self._digests: dict[str, tuple[dict[str, int], Heartbeat]] = {}
        self._digesting: dict[str, tuple[dict[str, int], asyncio.Future[dict[str, Digest]]]] = {}

    async def replace(self, store: str, feed: str, rows: Mapping[str, dict[str, Any]]) -> list[FeedDelta]:
        """Make the feed equal `rows` (key -> data): deltas for what changed, deletes for what left."""
        current = await self.db.current_rows(store, feed)
        changes = [Row(key=k, data=v) for k, v in rows.items() if current.get(k) != msgspec.json.encode(v)]
        changes += [Row(key=k, data=None) for k in current if k not in rows]
        return await self.change(store, feed, changes)

    async def change(self, store: str, feed: str, rows: list[Row]) -> list[FeedDelta]:
        if not rows:
            return []
        stored = await self.db.append_changes(store, feed, _batches(rows))
        return [_as_wire(feed, d) for d in stored]

    async def send(self, client: Client, store: str, deltas: list[FeedDelta]) -> None:
        for d in deltas:
            await client.publish(topics.feed(store, d.feed), encode(d), qos=1)

    async def heartbeat(self, store: str) -> Heartbeat:
        """Sequences and digests of the store's catalog; digests recomputed only when a sequence moved.

        Digesting a large catalog takes seconds, so it runs in a worker thread; meanwhile the
        heartbeat goes out with sequences only (lanes then skip the drift check, not the lag check).
        """
        heads, items, tax = await self.db.catalog(store)
        cached = self._digests.get(store)
        if cached is not None and cached[0] == heads:
            return cached[1]
        job = self._digesting.get(store)
        if job is None or job[0] != heads:
            task = asyncio.get_running_loop().run_in_executor(None, _digests, items, tax)
            self._digesting[store] = (heads, task)
            job = self._digesting[store]
        if not job[1].done():
            return Heartbeat(v=1, seqs=heads, digests={})
        del self._digesting[store]
        hb = Heartbeat(v=1, seqs=heads, digests=job[1].result())
        self._digests[store] = (heads, hb)
        return hb

    async def send_heartbeats(self, client: Client) -> None:
        for store in await self.db.stores():
            await client.publish(topics.store_heartbeat(store), encode(await self.heartbeat(store)), qos=0)

    async def answer(self, client: Client, device: str, store: str, req: SyncRequest) -> str:
        """Serve a lane's sync request: the range if the log still has it, else a snapshot."""
        head = await self.db.feed_head(store, req.feed)
        reply = topics.sync_reply(device, req.feed)
        if req.kind == "range":
            through = min(head.seq, req.through_seq if req.through_seq is not None else head.seq)
            deltas = await self.db.deltas(store, req.feed, req.after_seq, through) if through > req.after_seq else []
            if deltas is not None:
                for d in deltas:
                    await client.publish(reply, encode(_as_wire(req.feed, d)), qos=1)
                return f"range {req.after_seq}..{through} ({len(deltas)} deltas)"
        return await self.send_snapshot(client, device, store, req.feed)

    async def send_snapshot(self, client: Client, device: str, store: str, feed: str) -> str:
        """The whole catalog (items with their current prices and stock) at the items sequence."""
        heads, rows, _ = await self.db.catalog(store)
        seq = heads.get("items", 0)
        sid = str(uuid.uuid4())
        chunks = [rows[i : i + self.rows_per_chunk] for i in range(0, len(rows), self.rows_per_chunk)] or [[]]
        reply = topics.sync_reply(device, "items")
        inflight: list[asyncio.Future[None]] = []
        try:
            await self._send_chunks(client, reply, sid, seq, chunks, inflight)
        except BaseException:
            for fut in inflight:
                fut.cancel()
            await asyncio.gather(*inflight, return_exceptions=True)
            raise
        return f"snapshot {sid} at items seq {seq}: {len(rows)} items in {len(chunks)} chunks"

    async def _send_chunks(
        self, client: Client, reply: topics.Topic, sid: str, seq: int, chunks: list[list[tuple[str, Any]]],
        inflight: list[asyncio.Future[None]],
    ) -> None:
        for i, chunk in enumerate(chunks):
            payload = msgspec.json.encode(
                _RawChunk(v=1, feed="items", snapshot_id=sid, seq=seq, index=i, total=len(chunks),
                          rows=[_RawRow(k, msgspec.Raw(d)) for k, d in chunk])
            )
            if len(payload) > MAX_CHUNK_BYTES:
                raise ValueError(f"snapshot chunk of {len(payload)} bytes: lower rows_per_chunk")
            # a few chunks in flight: the PUBACK round trip overlaps the next chunk's encoding
            inflight.append(asyncio.ensure_future(client.publish(reply, payload, qos=1)))
            if len(inflight) >= 8:
                await inflight.pop(0)
        while inflight:
            await inflight.pop(0)
