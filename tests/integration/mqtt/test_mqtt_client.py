"""The async client facade against a real mosquitto (plain listener: mechanics only)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from mqtt.client import Client, Will
from mqtt.errors import ConnectFailed, ConnectionLost, LinkMisuse, LinkTimeout
from mqtt.topics import Topic
from tests.support.broker import HOST, Broker, free_port


def client(broker: Broker, cid: str, **kw: object) -> Client:
    return Client(HOST, broker.port, client_id=cid, timeout=5.0, **kw)  # type: ignore[arg-type]


async def test_publish_subscribe_round_trip_exact_bytes(plain_broker: Broker) -> None:
    payload = bytes(range(256)) * 3
    async with client(plain_broker, "sub") as sub, client(plain_broker, "pub") as pub:
        assert await sub.subscribe("t/+/x", qos=1) == [1]
        await pub.publish("t/a/x", payload, qos=1)
        await pub.publish(Topic("t/b/x"), b"second", qos=0)
        first = await sub.next_message(timeout=5)
        second = await sub.next_message(timeout=5)
    assert (first.topic, first.payload, first.qos, first.retain) == (Topic("t/a/x"), payload, 1, False)
    assert (second.topic.value, second.payload) == ("t/b/x", b"second")


async def test_will_published_retained_when_connection_drops(plain_broker: Broker) -> None:
    state = Topic("lanekit/v1/dev/d1/state")
    lane = client(plain_broker, "d1", will=Will(state, b'{"online":false}'))
    await lane.connect()
    await lane.publish(state, b'{"online":true}', qos=1, retain=True)
    lane.abort()  # no DISCONNECT: the broker must publish the will
    async with client(plain_broker, "watcher") as w:
        await w.subscribe(state)
        deadline = 50
        msg = await w.next_message(timeout=5)
        while msg.payload != b'{"online":false}' and deadline:
            msg = await w.next_message(timeout=5)
            deadline -= 1
    assert msg.payload == b'{"online":false}' and msg.retain


async def test_clean_close_suppresses_will(plain_broker: Broker) -> None:
    state = Topic("lanekit/v1/dev/d2/state")
    async with client(plain_broker, "d2", will=Will(state, b"offline")) as lane:
        await lane.publish(state, b"online", qos=1, retain=True)
    async with client(plain_broker, "watcher") as w:
        await w.subscribe(state)
        msg = await w.next_message(timeout=5)
    assert msg.payload == b"online"


async def test_bounded_queue_drops_overflow_and_keeps_the_oldest(plain_broker: Broker) -> None:
    async with client(plain_broker, "slow", queue_size=3) as slow, client(plain_broker, "fast") as fast:
        await slow.subscribe("q/#", qos=1)
        for i in range(10):
            await fast.publish(f"q/{i}", str(i).encode(), qos=1)
        for _ in range(500):
            if slow.dropped == 7:
                break
            await asyncio.sleep(0.01)
        got = [(await slow.next_message(timeout=5)).payload for _ in range(3)]
        assert slow.dropped == 7
        assert got == [b"0", b"1", b"2"]
        # still alive after dropping: new messages flow
        await fast.publish("q/after", b"after", qos=1)
        assert (await slow.next_message(timeout=5)).payload == b"after"


async def test_iterator_raises_when_broker_dies(plain_broker: Broker) -> None:
    async with client(plain_broker, "it", keepalive=5) as c:
        await c.subscribe("x/#")

        async def consume() -> None:
            async for _ in c.messages():
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.05)
        plain_broker.kill()
        with pytest.raises(ConnectionLost):
            await asyncio.wait_for(task, 30)
        with pytest.raises(ConnectionLost):
            await c.publish("x/y", b"late", qos=1)


async def test_connect_to_closed_port_fails_typed() -> None:
    c = Client(HOST, free_port(), client_id="nobody", timeout=2)
    with pytest.raises(ConnectFailed) as info:
        await c.connect()
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


async def test_client_is_one_shot(plain_broker: Broker) -> None:
    c = client(plain_broker, "once")
    async with c:
        pass
    with pytest.raises(LinkMisuse):
        await c.connect()
    with pytest.raises(LinkMisuse):
        await c.publish("a", b"b")


async def test_puback_timeout_when_broker_is_frozen(plain_broker: Broker) -> None:
    async with client(plain_broker, "frozen") as c:
        assert plain_broker.proc is not None
        os.kill(plain_broker.proc.pid, signal.SIGSTOP)
        try:
            with pytest.raises(LinkTimeout) as info:
                await c.publish("f/x", b"1", qos=1, timeout=0.3)
            assert isinstance(info.value, TimeoutError)
        finally:
            os.kill(plain_broker.proc.pid, signal.SIGCONT)
        await c.publish("f/x", b"2", qos=1)  # the link recovers once the broker runs again


def test_broker_helper_restarts_on_same_port_with_persistence(tmp_path) -> None:
    async def put() -> None:
        async with Client(HOST, b.port, client_id="p") as c:
            await c.publish("keep/me", b"retained", qos=1, retain=True)

    async def get() -> bytes:
        async with Client(HOST, b.port, client_id="g") as c:
            await c.subscribe("keep/#")
            return (await c.next_message(timeout=5)).payload

    b = Broker(tmp_path / "b").start()
    try:
        port = b.port
        asyncio.run(put())
        b.stop()  # graceful: persistence written
        b.start()
        assert b.port == port
        assert asyncio.run(get()) == b"retained"
        b.kill()
        assert not b.running
        b.start()
        assert asyncio.run(get()) == b"retained"
        b.reload()
    finally:
        b.kill()
