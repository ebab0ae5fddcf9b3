"""The supervised device link against a real mosquitto: presence, will, fresh client per attempt."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import msgspec

from mqtt import topics
from mqtt.client import Client, Message
from mqtt.link import DeviceLink, DeviceState, LinkSettings, Session
from mqtt.topics import Topic, Wildcard
from tests.support.broker import HOST, Broker
from tests.support.fleet import Fleet


def settings(fleet: Fleet, broker: Broker, device: str = "s1-lane1") -> LinkSettings:
    files = fleet.ids[device]
    return LinkSettings(
        host=HOST, port=broker.port, device_id=device, store="s1", ca=fleet.ca.ca_cert_path,
        cert=files.cert, key=files.key, timeout=5, backoff_initial=0.05, backoff_max=0.2, version="t1",
    )


class Recorder:
    def __init__(self) -> None:
        self.got: list[Message] = []
        self.sessions = 0

    def filters(self, device_id: str, store: str) -> Sequence[Topic | Wildcard]:
        return [topics.store_feeds(store)]

    async def on_session(self, session: Session) -> None:
        self.sessions += 1

    async def on_message(self, session: Session, message: Message) -> None:
        self.got.append(message)


async def _state(watcher: Client) -> DeviceState:
    msg = await watcher.next_message(timeout=5)
    return msgspec.json.decode(msg.payload, type=DeviceState)


async def _until(cond, what: str) -> None:
    for _ in range(1000):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_link_presence_will_and_reconnect_with_fresh_client(fleet: Fleet, tls_broker: Broker) -> None:
    rec = Recorder()
    link = DeviceLink(settings(fleet, tls_broker), [rec])
    task = asyncio.create_task(link.run())
    hq = Client(HOST, tls_broker.port, client_id="svc-hq", tls=fleet.client_tls("svc-hq"), timeout=5)
    try:
        await asyncio.wait_for(link.connected.wait(), 10)
        await hq.connect()
        await hq.subscribe(topics.device_state("s1-lane1"))
        first = await _state(hq)
        assert (first.online, first.version) == (True, "t1")
        await hq.publish(topics.feed("s1", "prices"), b"delta-1", qos=1)
        await _until(lambda: len(rec.got) == 1, "feed message routed to the part")
        assert rec.got[0].payload == b"delta-1"

        old = link.supervisor.client
        assert old is not None
        old.abort()  # the lane's socket dies without DISCONNECT: the broker publishes the will
        assert (await _state(hq)).online is False
        back = await _state(hq)  # and the supervisor reconnects with a new client
        assert back.online is True
        await _until(lambda: link.supervisor.client not in (None, old), "fresh client")
        await _until(lambda: rec.sessions == 2, "part restarted on the new session")
        assert link.supervisor.sessions == 2
        await hq.publish(topics.feed("s1", "prices"), b"delta-2", qos=1)
        await _until(lambda: len(rec.got) == 2, "routing after reconnect")
    finally:
        task.cancel()
        await hq.close()


async def test_link_survives_broker_restart_on_same_port(fleet: Fleet, tls_broker: Broker) -> None:
    link = DeviceLink(settings(fleet, tls_broker, "s1-lane2"))
    task = asyncio.create_task(link.run())
    try:
        await asyncio.wait_for(link.connected.wait(), 10)
        tls_broker.kill()
        await _until(lambda: not link.connected.is_set(), "link noticed the dead broker")
        await asyncio.sleep(0.3)  # a few failed attempts against the closed port
        failed_attempts = link.supervisor.attempts
        assert failed_attempts >= 2
        tls_broker.start()
        await asyncio.wait_for(link.connected.wait(), 10)
        assert link.supervisor.sessions == 2
        assert link.supervisor.last_error is not None
    finally:
        task.cancel()
