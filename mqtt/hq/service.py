"""The HQ service: one supervised connection consuming sales and sync requests, sending heartbeats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from mqtt import topics
from mqtt.client import Client, Message
from mqtt.hq.db import HqDb
from mqtt.hq.feeds import FeedPublisher
from mqtt.hq.sales import SalesConsumer
from mqtt.supervisor import Backoff, Supervisor
from mqtt.wire import MAX_SMALL_BYTES, SyncRequest, WireError, decode

log = logging.getLogger(__name__)


class HqService:
    def __init__(
        self,
        make_client: Callable[[], Client],
        db: HqDb,
        device_store: Callable[[str], str | None],
        *,
        heartbeat_interval: float = 10.0,
        backoff: Backoff | None = None,
    ) -> None:
        self.db = db
        self.feeds = FeedPublisher(db)
        self.sales = SalesConsumer(db, self.feeds, device_store)
        self.device_store = device_store
        self.heartbeat_interval = heartbeat_interval
        self.supervisor = Supervisor(make_client, self._session, backoff=backoff, name="hq")

    async def run(self) -> None:
        await self.supervisor.run()

    async def _session(self, client: Client) -> None:
        await client.subscribe(topics.ALL_SALES, topics.ALL_SYNC_REQUESTS, qos=1)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._heartbeats(client))
            tg.create_task(self._dispatch(client))

    async def _dispatch(self, client: Client) -> None:
        async for msg in client.messages():
            if msg.topic.matches(topics.ALL_SALES):
                await self.sales.handle(client, msg)
            elif msg.topic.matches(topics.ALL_SYNC_REQUESTS):
                await self._sync(client, msg)

    async def _sync(self, client: Client, msg: Message) -> None:
        device = topics.device_of(msg.topic)
        store = self.device_store(device)
        if store is None:
            log.warning("sync request from unknown device %s ignored", device)
            return
        try:
            req = decode(msg.payload, SyncRequest, str(msg.topic), MAX_SMALL_BYTES)
        except WireError as err:
            log.warning("%s", err)
            return
        what = await self.feeds.answer(client, device, store, req)
        log.info("sync for %s/%s: %s", device, req.feed, what)

    async def _heartbeats(self, client: Client) -> None:
        while True:
            await self.feeds.send_heartbeats(client)
            await asyncio.sleep(self.heartbeat_interval)
