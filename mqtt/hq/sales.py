"""HQ's sales consumer: store each sale once, acknowledge what is durable, publish stock."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

import msgspec

from mqtt import topics
from mqtt.client import Client, Message
from mqtt.hq.db import HqDb
from mqtt.hq.feeds import FeedPublisher, stock_rows
from mqtt.wire import (
    MAX_SALES_BATCH_BYTES,
    SaleRecord,
    SalesAck,
    SalesBatch,
    SaleStockView,
    SoldLine,
    WireError,
    decode,
    encode,
)

log = logging.getLogger(__name__)


def _lines(rec: SaleRecord, where: str) -> list[SoldLine]:
    try:
        return _stock_view.decode(rec.sale).lines
    except (msgspec.ValidationError, msgspec.DecodeError) as err:
        raise WireError(where, f"sale {rec.uuid}: {err}") from err


_stock_view = msgspec.json.Decoder(SaleStockView)


class SalesConsumer:
    def __init__(
        self, db: HqDb, feeds: FeedPublisher, device_store: Callable[[str], str | None], *, stock_feed: str = "stock"
    ) -> None:
        self.db = db
        self.device_store = device_store
        self.feeds = feeds
        self.stock_feed = stock_feed
        self.rejected = 0

    async def handle(self, client: Client, msg: Message) -> None:
        device = topics.device_of(msg.topic)
        store = self.device_store(device)
        if store is None:
            self.rejected += 1
            log.warning("sales from %s rejected: device unknown to HQ (not in the PKI index)", device)
            return
        try:
            batch = decode(msg.payload, SalesBatch, str(msg.topic), MAX_SALES_BATCH_BYTES)
            if batch.device != device:
                raise WireError(str(msg.topic), f"batch names device {batch.device!r} on {device!r}'s topic")
            records = [(r, _lines(r, str(msg.topic))) for r in batch.sales]
            acked, highest, conflicts, touched = await self.db.store_sales(device, store, records)
        except (WireError, ValueError) as err:
            self.rejected += 1
            log.warning("sales from %s rejected, nothing stored: %s", device, err)
            return
        for c in conflicts:
            log.error("sale conflict, not stored: %s", c)
        ack = SalesAck(v=1, acked_through_seq=acked, missing_after=acked if highest > acked else None)
        await client.publish(topics.sales_ack(device), encode(ack), qos=1)
        by_store: dict[str, set[str]] = defaultdict(set)
        for store, sku in touched:
            by_store[store].add(sku)
        for store, skus in by_store.items():
            levels = await self.db.stock_levels(store, skus)
            await self.feeds.send(client, store, await self.feeds.change(store, self.stock_feed, stock_rows(levels)))
