"""Replication into the lane: feed deltas, gap repair, chunked snapshots, drift checks.

A delta applies only on top of the sequence the replica has. Arriving deltas are buffered and
applied in group commits (`Replica.apply_deltas`, one transaction per batch). A delta whose
base is ahead of the replica waits up to `reorder_window` seconds for the missing ones; then
the lane asks HQ for the range (HQ answers with the deltas or, if its log no longer has them,
a snapshot). Snapshot chunks stream into `Replica.snapshot()` staging and swap in only when the
last one arrived: the lane sells from the old catalog meanwhile. Heartbeats carry HQ's
sequences and digests: behind → ask for the range; equal sequences but different digests →
silent drift → ask for a snapshot.

Every payload is size-checked and schema-validated; a bad one is logged with its topic and
reason and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from appliance.store import CatalogRejected, StoreError
from appliance.store.catalog_snapshot import CatalogSnapshot
from appliance.store.replica import Delta, Replica
from mqtt import topics
from mqtt.catalog_wire import CATALOG_FEEDS, ItemChunk, item_from_doc, to_delta
from mqtt.client import Message
from mqtt.link import Session
from mqtt.topics import Topic, Wildcard
from mqtt.wire import (
    MAX_CHUNK_BYTES,
    MAX_DELTA_BYTES,
    MAX_SMALL_BYTES,
    FeedDelta,
    FeedMessage,
    Heartbeat,
    SnapshotChunk,
    SyncRequest,
    WireError,
    decode,
    encode,
)

log = logging.getLogger(__name__)


class Replicator:
    def __init__(
        self,
        replica: Replica,
        *,
        reorder_window: float = 0.5,
        request_timeout: float = 10.0,
        max_batch: int = 2000,
        digest_every: float = 60.0,
    ) -> None:
        self.digest_every = digest_every
        self._checked_seqs: dict[str, int] = {}
        self._checked_at = -1e9
        self.replica = replica
        self.reorder_window = reorder_window
        self.request_timeout = request_timeout
        self.max_batch = max_batch
        self.rejected = 0
        self.applied = 0
        self.requests: list[SyncRequest] = []
        self.snapshots_applied = 0
        self._pending: dict[str, dict[int, Delta]] = {}  # feed -> base_seq -> delta
        self._gap_since: dict[str, float] = {}
        self._behind_since: dict[str, float] = {}
        self._asked: dict[tuple[str, str, int], float] = {}
        self._kick = asyncio.Event()
        self._snap: CatalogSnapshot | None = None
        self._snap_id: str | None = None
        self._snap_next = 0
        self._lock = asyncio.Lock()
        self._seqs: dict[str, int] = {}

    def filters(self, device_id: str, store: str) -> Sequence[Topic | Wildcard]:
        return [topics.store_feeds(store), topics.store_heartbeat(store), topics.sync_replies(device_id)]

    # -- incoming ---------------------------------------------------------------------------
    async def on_message(self, session: Session, message: Message) -> None:
        where = str(message.topic)
        try:
            if message.topic == topics.store_heartbeat(session.store):
                await self._heartbeat(session, decode(message.payload, Heartbeat, where, MAX_SMALL_BYTES))
                return
            limit = MAX_CHUNK_BYTES if message.topic.matches(topics.sync_replies(session.device_id)) else MAX_DELTA_BYTES
            msg = decode(message.payload, FeedMessage, where, limit)
            if isinstance(msg, SnapshotChunk):
                msg = decode(message.payload, ItemChunk, where, limit)
            name = where.rsplit("/", 1)[-1]
            if isinstance(msg, ItemChunk):
                await self._chunk(session, msg, where)
            elif isinstance(msg, FeedDelta):
                if msg.feed != name:
                    raise WireError(where, f"a {msg.feed} delta on the {name} topic")
                delta = to_delta(msg, where)
                self._pending.setdefault(delta.feed, {})[delta.base_seq] = delta
                self._kick.set()
            else:
                raise WireError(where, "a heartbeat on a feed topic")
        except WireError as err:
            self.rejected += 1
            log.warning("%s; replica unchanged", err)

    async def _heartbeat(self, session: Session, hb: Heartbeat) -> None:
        have = await self.replica.feed_seqs()
        behind = {f: s for f, s in hb.seqs.items() if f in CATALOG_FEEDS and have.get(f, 0) < s}
        now = time.monotonic()
        for feed in list(self._behind_since):
            if feed not in behind:
                del self._behind_since[feed]
        for feed, seq in behind.items():
            # A heartbeat can overtake the delta it counts: only a lag that outlives the
            # reorder window means the tail was lost.
            since = self._behind_since.setdefault(feed, now)
            if not self._pending.get(feed) and now - since >= self.reorder_window:
                await self._ask(session, SyncRequest(v=1, feed=feed, kind="range", after_seq=have.get(feed, 0), through_seq=seq))  # type: ignore[arg-type]
        if behind or not hb.digests or any(have.get(f, 0) != s for f, s in hb.seqs.items() if f in CATALOG_FEEDS):
            return
        # Digesting the replica scans it: do it when the sequences moved, else every digest_every.
        if hb.seqs == self._checked_seqs and now - self._checked_at < self.digest_every:
            return
        self._checked_seqs, self._checked_at = dict(hb.seqs), now
        for kind, d in hb.digests.items():
            mine = await self.replica.digest(kind)
            if (mine.count, mine.sha256) != (d.count, d.sha256):
                log.warning("replica %s digest differs from HQ's at equal sequences (%d vs %d rows): re-syncing", kind, mine.count, d.count)
                await self._ask(session, SyncRequest(v=1, feed="items", kind="snapshot"))
                return

    async def _ask(self, session: Session, req: SyncRequest) -> None:
        key = (req.feed, req.kind, req.after_seq)
        now = time.monotonic()
        if now - self._asked.get(key, -1e9) < self.request_timeout:
            return
        self._asked[key] = now
        self.requests.append(req)
        log.info("asking HQ for %s of %s after %d", req.kind, req.feed, req.after_seq)
        await session.client.publish(topics.sync_request(session.device_id), encode(req), qos=1)

    # -- snapshots --------------------------------------------------------------------------
    async def _chunk(self, session: Session, chunk: ItemChunk, where: str) -> None:
        if chunk.feed != "items":
            raise WireError(where, f"snapshots are of the items catalog, not {chunk.feed}")
        if chunk.snapshot_id != self._snap_id:
            await self._abort_snapshot()
            if chunk.index != 0:
                raise WireError(where, f"chunk {chunk.index} of unknown snapshot {chunk.snapshot_id}")
            self._snap = self.replica.snapshot()
            await self._snap.begin()
            self._snap_id, self._snap_next = chunk.snapshot_id, 0
        if chunk.index != self._snap_next:
            await self._abort_snapshot()
            raise WireError(where, f"snapshot chunk {chunk.index} arrived, expected {self._snap_next}: snapshot dropped")
        try:
            items = [item_from_doc(r.key, r.data) for r in chunk.rows]
        except ValueError as err:
            await self._abort_snapshot()
            raise WireError(where, f"snapshot chunk {chunk.index}: {err}") from err
        assert self._snap is not None
        try:
            async with self._lock:
                await self._snap.add(items)
                self._snap_next += 1
                if self._snap_next == chunk.total:
                    n = await self._snap.commit(feed="items", seq=chunk.seq)
                    self._snap, self._snap_id = None, None
                    self.snapshots_applied += 1
                    self._asked.pop(("items", "snapshot", 0), None)
                    log.info("snapshot at items seq %d applied: %d items", chunk.seq, n)
                    self._kick.set()
        except CatalogRejected as err:
            self._snap, self._snap_id = None, None
            raise WireError(where, str(err)) from err

    async def _abort_snapshot(self) -> None:
        if self._snap is not None:
            await self._snap.abort()
        self._snap, self._snap_id, self._snap_next = None, None, 0

    # -- applying ---------------------------------------------------------------------------
    async def on_session(self, session: Session) -> None:
        self._asked.clear()
        try:
            while True:
                # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancel that lands as it times out
                try:
                    async with asyncio.timeout(self.reorder_window / 2):
                        await self._kick.wait()
                except TimeoutError:
                    pass
                self._kick.clear()
                await self.apply_pending()
                await self._ask_for_gaps(session)
        finally:
            await self._abort_snapshot()

    async def apply_pending(self) -> int:
        """Apply every buffered delta that follows the replica's sequences, in group commits.

        Nothing applies while a snapshot is staging: its swap would overwrite what was applied
        meanwhile; the buffered deltas apply on top of it afterwards instead.
        """
        total = 0
        if self._snap is not None:
            return 0
        while True:
            seqs = await self.replica.feed_seqs()
            batch: list[Delta] = []
            for feed, waiting in self._pending.items():
                at = seqs.get(feed, 0)
                for base in [b for b in waiting if waiting[b].seq <= at]:
                    del waiting[base]  # stale: already have it
                while at in waiting and len(batch) < self.max_batch:
                    d = waiting.pop(at)
                    batch.append(d)
                    at = d.seq
            if not batch:
                break
            async with self._lock:
                try:
                    result = await self.replica.apply_deltas(batch)
                except StoreError as err:
                    log.error("replica refused a delta batch (%s); it will be fetched again", err)
                    return total
            total += result.applied
            self.applied += result.applied
            if result.rejected is not None:
                self.rejected += 1
                log.warning("delta %d rejected by the replica: %s", *result.rejected)
            if result.applied == 0:
                break
        for feed, waiting in self._pending.items():
            if waiting:
                self._gap_since.setdefault(feed, time.monotonic())
            else:
                self._gap_since.pop(feed, None)
        return total

    async def _ask_for_gaps(self, session: Session) -> None:
        now = time.monotonic()
        seqs = await self.replica.feed_seqs()
        for feed, since in list(self._gap_since.items()):
            waiting = self._pending.get(feed)
            if not waiting or now - since < self.reorder_window:
                continue
            have = seqs.get(feed, 0)
            await self._ask(session, SyncRequest(v=1, feed=feed, kind="range", after_seq=have, through_seq=min(waiting)))  # type: ignore[arg-type]
