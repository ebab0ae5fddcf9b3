"""The lane's sale upload: drains the outbox to HQ in order, in QoS 1 batches.

A row is done only when HQ's application ack (`acked_through_seq`) says so, never on a PUBACK:
the broker holding a message is not HQ having stored it. Up to `window` batches are in flight;
when acks stop coming for `ack_timeout`, or at every new session, sending restarts right after
the last acknowledged row, so after any outage the backlog drains again in order. HQ dedupes on
(device, uuid), so a re-sent sale is stored once.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Sequence

import msgspec

from appliance.store import Outbox, OutboxEntry, OutboxError
from mqtt import topics
from mqtt.client import Message
from mqtt.link import Session
from mqtt.topics import Topic, Wildcard
from mqtt.wire import (
    MAX_SALES_BATCH_BYTES,
    MAX_SMALL_BYTES,
    SaleRecord,
    SalesAck,
    SalesBatch,
    WireError,
    decode,
    encode,
)

log = logging.getLogger(__name__)


def _document(e: OutboxEntry) -> msgspec.Raw:
    # The outbox contract is a JSON object per sale; anything else still travels (base64) so
    # the sequence never stalls and HQ keeps the bytes for inspection.
    try:
        if isinstance(msgspec.json.decode(e.payload), dict):
            return msgspec.Raw(e.payload)
    except msgspec.DecodeError:
        pass
    log.error("outbox row %d (sale %s) is not a JSON object; uploading it base64-wrapped", e.seq, e.sale_id)
    return msgspec.Raw(msgspec.json.encode({"raw_b64": base64.b64encode(e.payload).decode()}))


def _record(e: OutboxEntry) -> SaleRecord:
    return SaleRecord(
        seq=e.seq, uuid=e.uuid, sale_id=e.sale_id, lane_id=e.lane_id, receipt_no=e.receipt_no,
        created_at=e.created_at.isoformat(), sale=_document(e),
    )


class SaleUploader:
    def __init__(self, outbox: Outbox, *, batch_size: int = 100, window: int = 4, ack_timeout: float = 10.0, poll: float = 1.0) -> None:
        self.outbox = outbox
        self.batch_size = batch_size
        self.window = window
        self.ack_timeout = ack_timeout
        self.poll = poll
        self.batches_sent = 0
        self.resends = 0
        self._acked = 0
        self._sent = 0
        self._progress = asyncio.Event()
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """Call after completing a sale: upload it now instead of at the next poll."""
        self._wake.set()

    def filters(self, device_id: str, store: str) -> Sequence[Topic | Wildcard]:
        return [topics.sales_ack(device_id)]

    async def on_message(self, session: Session, message: Message) -> None:
        try:
            ack = decode(message.payload, SalesAck, str(message.topic), MAX_SMALL_BYTES)
            newly = await self.outbox.ack_through(ack.acked_through_seq)
        except (WireError, OutboxError) as err:
            log.warning("sales ack refused, outbox unchanged: %s", err)
            return
        self._acked = max(self._acked, ack.acked_through_seq)
        if ack.missing_after is not None and ack.missing_after < self._sent:
            # HQ has a hole after missing_after: send again from there.
            self._sent = max(self._acked, ack.missing_after)
            self.resends += 1
        if newly:
            log.debug("HQ acknowledged sales through %d (%d new)", ack.acked_through_seq, newly)
        self._progress.set()

    async def on_session(self, session: Session) -> None:
        self._acked = await self.outbox.acked_through()
        self._sent = self._acked  # a new session re-sends everything not acknowledged
        while True:
            if self._sent - self._acked >= self.window * self.batch_size:
                if not await self._wait(self._progress, self.ack_timeout):
                    log.warning("no sales ack for %.1fs: re-sending after %d", self.ack_timeout, self._acked)
                    self._sent = self._acked
                    self.resends += 1
                continue
            entries = [e for e in await self.outbox.pending(limit=self.window * self.batch_size) if e.seq > self._sent]
            if not entries:
                if self._sent > self._acked:
                    if not await self._wait(self._progress, self.ack_timeout):
                        self._sent = self._acked
                        self.resends += 1
                else:
                    await self._wait(self._wake, self.poll)
                continue
            batch = entries[: self.batch_size]
            payload = encode(SalesBatch(v=1, device=session.device_id, sales=[_record(e) for e in batch]))
            while len(payload) > MAX_SALES_BATCH_BYTES and len(batch) > 1:
                batch = batch[: len(batch) // 2]
                payload = encode(SalesBatch(v=1, device=session.device_id, sales=[_record(e) for e in batch]))
            await session.client.publish(topics.sales(session.device_id), payload, qos=1)
            self._sent = batch[-1].seq
            self.batches_sent += 1

    @staticmethod
    async def _wait(event: asyncio.Event, timeout: float) -> bool:
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            event.clear()
