"""The lane's link: one supervised MQTT connection shared by the link's parts.

    link = DeviceLink(LinkSettings(...), parts=[replication, outbox])
    task = asyncio.create_task(link.run())     # reconnects forever; cancel to stop

Each session: publish retained `online` state (the last will publishes `offline`), subscribe
to every part's filters, start each part's `on_session` task, and route incoming messages to
the part whose filter matches. A part's failure to handle one message is logged and does not
end the session; a lost connection ends all of it and the supervisor starts afresh.
"""

from __future__ import annotations

import asyncio
import logging
import pathlib
import time
from collections.abc import Sequence
from typing import Protocol

import msgspec

from mqtt import topics
from mqtt.client import Client, ClientTls, Message, Will
from mqtt.supervisor import Backoff, Supervisor
from mqtt.topics import Topic, Wildcard

log = logging.getLogger(__name__)


class LinkSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    port: int = 8883
    device_id: str
    store: str
    ca: pathlib.Path | None = None  # None: plain MQTT (development brokers only)
    cert: pathlib.Path | None = None
    key: pathlib.Path | None = None
    keepalive: int = 30
    timeout: float = 10.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    queue_size: int = 10_000
    version: str = ""


class DeviceState(msgspec.Struct, frozen=True, kw_only=True):
    """Retained on dev/{id}/state; `online=False` is also the last will."""

    online: bool
    version: str = ""
    at: float = 0.0


class Session:
    """What a part sees of the current connection."""

    def __init__(self, client: Client, settings: LinkSettings) -> None:
        self.client = client
        self.device_id = settings.device_id
        self.store = settings.store


class LinkPart(Protocol):
    def filters(self, device_id: str, store: str) -> Sequence[Topic | Wildcard]: ...

    async def on_session(self, session: Session) -> None: ...

    async def on_message(self, session: Session, message: Message) -> None: ...


class DeviceLink:
    def __init__(self, settings: LinkSettings, parts: Sequence[LinkPart] = ()) -> None:
        self.settings = settings
        self.parts = list(parts)
        self.supervisor = Supervisor(
            self._client,
            self._session,
            backoff=Backoff(settings.backoff_initial, settings.backoff_max),
            name=f"link {settings.device_id}",
        )

    @property
    def connected(self) -> asyncio.Event:
        return self.supervisor.connected

    def _client(self) -> Client:
        s = self.settings
        tls = None
        if s.ca is not None:
            if s.cert is None or s.key is None:
                raise ValueError("TLS needs ca, cert and key together")
            tls = ClientTls(s.ca, s.cert, s.key)
        will = Will(topics.device_state(s.device_id), msgspec.json.encode(DeviceState(online=False, version=s.version)))
        return Client(
            s.host, s.port, client_id=s.device_id, tls=tls, will=will, keepalive=s.keepalive,
            timeout=s.timeout, queue_size=s.queue_size,
        )

    async def run(self) -> None:
        await self.supervisor.run()

    async def _session(self, client: Client) -> None:
        s = self.settings
        session = Session(client, s)
        routes: list[tuple[Wildcard, LinkPart]] = []
        for part in self.parts:
            for f in part.filters(s.device_id, s.store):
                routes.append((topics.as_filter(f), part))
        if routes:
            await client.subscribe(*[w for w, _ in routes], qos=1)
        state = DeviceState(online=True, version=s.version, at=time.time())
        await client.publish(topics.device_state(s.device_id), msgspec.json.encode(state), qos=1, retain=True)
        # A lost connection ends every task of the group; the supervisor unwraps the group.
        async with asyncio.TaskGroup() as tg:
            for part in self.parts:
                tg.create_task(part.on_session(session), name=f"{type(part).__name__}.on_session")
            tg.create_task(self._dispatch(session, routes), name="dispatch")

    async def _dispatch(self, session: Session, routes: list[tuple[Wildcard, LinkPart]]) -> None:
        async for msg in session.client.messages():
            for w, part in routes:
                if msg.topic.matches(w):
                    await part.on_message(session, msg)
                    break
            else:
                log.warning("message on %s matches no part; dropped", msg.topic)

