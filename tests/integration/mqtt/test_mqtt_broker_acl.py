"""The production broker config (mqtt/broker) on a real mosquitto: mTLS identities and ACLs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from mqtt import topics
from mqtt.client import Client, ClientTls
from mqtt.errors import ConnectFailed, ConnectionLost, RequestRefused
from tests.support.broker import HOST, Broker
from tests.support.fleet import Fleet

NOT_AUTHORIZED = 0x87
SESSION_TAKEN_OVER = 0x8E


async def test_device_writes_its_own_tree(connect_as: Callable[..., Client]) -> None:
    async with connect_as("s1-lane1") as lane:
        await lane.publish(topics.device_state("s1-lane1"), b"online", qos=1, retain=True)
        await lane.subscribe(topics.sales_ack("s1-lane1"))


async def test_forged_publish_to_another_devices_topic_is_refused_with_v5_code(connect_as: Callable[..., Client]) -> None:
    async with connect_as("s1-lane1") as lane, connect_as("svc-hq") as hq:
        await hq.subscribe(topics.ALL_SALES)
        with pytest.raises(RequestRefused) as info:
            await lane.publish(topics.sales("s1-lane2"), b'{"forged":true}', qos=1)
        assert info.value.reason_code == NOT_AUTHORIZED
        # the refusal is per message: the link stays up and its own sales go through
        await lane.publish(topics.sales("s1-lane1"), b"genuine", qos=1)
        msg = await hq.next_message(timeout=5)
    assert (msg.topic, msg.payload) == (topics.sales("s1-lane1"), b"genuine")


async def test_device_never_receives_another_devices_tree_or_other_stores_feeds(connect_as: Callable[..., Client]) -> None:
    # mosquitto 2.0 grants the SUBSCRIBE and filters on delivery; what matters is what arrives.
    async with connect_as("s1-lane1") as lane, connect_as("svc-hq") as hq:
        await lane.subscribe(topics.sales_ack("s1-lane2"), topics.store_feeds("s2"), topics.sales_ack("s1-lane1"))
        await hq.publish(topics.sales_ack("s1-lane2"), b"not yours", qos=1)
        await hq.publish(topics.feed("s2", "prices"), b"other store", qos=1)
        await hq.publish(topics.sales_ack("s1-lane1"), b"sentinel", qos=1)
        first = await lane.next_message(timeout=5)
    assert (first.topic, first.payload) == (topics.sales_ack("s1-lane1"), b"sentinel")


async def test_device_reads_its_stores_feeds_but_cannot_publish_them(connect_as: Callable[..., Client]) -> None:
    async with connect_as("s1-lane1") as lane, connect_as("s2-lane1") as other, connect_as("svc-hq") as hq:
        await lane.subscribe(topics.store_feeds("s1"))
        await other.subscribe(topics.store_feeds("s2"))
        await hq.publish(topics.feed("s1", "prices"), b"p1", qos=1)
        await hq.publish(topics.feed("s2", "prices"), b"p2", qos=1)
        got = await lane.next_message(timeout=5)
        got_other = await other.next_message(timeout=5)
        with pytest.raises(RequestRefused) as info:
            await lane.publish(topics.feed("s1", "prices"), b"cheap", qos=1)
    assert (got.topic, got.payload) == (topics.feed("s1", "prices"), b"p1")
    assert (got_other.topic, got_other.payload) == (topics.feed("s2", "prices"), b"p2")
    assert info.value.reason_code == NOT_AUTHORIZED


async def test_client_id_is_the_certificate_cn_not_what_the_client_claims(connect_as: Callable[..., Client]) -> None:
    async with connect_as("s1-lane2") as real, connect_as("s1-lane1", client_id="s1-lane2") as spoof:
        with pytest.raises(RequestRefused):
            await spoof.publish(topics.device_state("s1-lane2"), b"hijack", qos=1)
        # the real s1-lane2 was not kicked by a client claiming its id
        await real.publish(topics.device_state("s1-lane2"), b"still here", qos=1)


async def test_second_connection_with_same_certificate_takes_over(connect_as: Callable[..., Client], tls_broker: Broker) -> None:
    first = connect_as("s1-lane1")
    await first.connect()
    try:
        async with connect_as("s1-lane1"):
            with pytest.raises(ConnectionLost) as info:
                await first.next_message(timeout=5)
        # mosquitto 2.0.11 closes the old socket without a DISCONNECT(0x8E); later versions send one.
        assert info.value.reason_code in (SESSION_TAKEN_OVER, 0x80)
        assert "Client s1-lane1 already connected, closing old connection" in tls_broker.log()
    finally:
        await first.close()


async def test_anonymous_client_without_certificate_is_refused(fleet: Fleet, tls_broker: Broker) -> None:
    import ssl

    class NoCert(ClientTls):
        def context(self) -> ssl.SSLContext:
            ctx = ssl.create_default_context(cafile=str(self.ca))
            return ctx

    c = Client(HOST, tls_broker.port, client_id="anon", tls=NoCert(fleet.ca.ca_cert_path, fleet.ca.ca_cert_path, fleet.ca.ca_cert_path), timeout=5)
    with pytest.raises(ConnectFailed):
        await c.connect()
    assert "peer did not return a certificate" in tls_broker.log()


async def test_plain_mqtt_on_the_tls_port_is_refused(tls_broker: Broker) -> None:
    c = Client(HOST, tls_broker.port, client_id="plain", timeout=5)
    with pytest.raises(ConnectFailed):
        await c.connect()


async def test_certificate_from_another_ca_is_refused(fleet: Fleet, tls_broker: Broker) -> None:
    c = Client(HOST, tls_broker.port, client_id="s1-lane1", tls=fleet.client_tls("rogue"), timeout=5)
    with pytest.raises(ConnectFailed):
        await c.connect()
    # the client sees the refusal before mosquitto has written it to its log: give the log a moment
    for _ in range(500):
        if "certificate verify failed" in tls_broker.log():
            break
        await asyncio.sleep(0.01)
    assert "certificate verify failed" in tls_broker.log()
