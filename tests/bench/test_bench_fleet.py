"""Fleet push benchmark (issue 8): N simulated appliances (1,000 at scale 1), async in one process
on one mosquitto, receive a signed config push and report applied; goal <= 30 s end to end (scaled).

Baseline from the same run and the same connections: HQ publishes one plain message per device and
each device echoes it (no signature, no validation, no state file): the transport's floor.
The appliances use plain MQTT on loopback: 1,000 TLS handshakes would measure the CPU's RSA, not
the shadow (the TLS path is covered by the integration tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import time
from collections.abc import Sequence

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.config import Settings
from mqtt import topics
from mqtt.client import Client, Message
from mqtt.fleet.db import Device, FleetDb
from mqtt.fleet.manager import FleetManager
from mqtt.fleet.shadow import ConfigShadow
from mqtt.link import DeviceLink, LinkSettings, Session
from mqtt.topics import Topic, Wildcard
from tests.bench.report import record, scaled
from tests.support.broker import HOST, Broker


class Echo:
    """Answers dev/{id}/cmd/bench on dev/{id}/cmd/bench/result: the baseline's device side."""

    def filters(self, device_id: str, store: str) -> Sequence[Topic | Wildcard]:
        return [topics.command(device_id, "bench")]

    async def on_session(self, session: Session) -> None:
        return None

    async def on_message(self, session: Session, message: Message) -> None:
        await session.client.publish(topics.command(session.device_id, "bench") / "result", message.payload, qos=1)


@pytest.mark.bench
async def test_bench_fleet_push_to_many_appliances(tmp_path: pathlib.Path) -> None:
    n = scaled(1000, minimum=10)
    broker = Broker(tmp_path / "broker", persistence=False).start()
    key = Ed25519PrivateKey.generate()
    db = await FleetDb.open(tmp_path / "fleet.db")
    devices = [Device(f"s{i // 10:04d}-lane{i % 10}", f"s{i // 10:04d}", "north", "lane") for i in range(n)]
    await db.register(devices)
    shadows: dict[str, ConfigShadow] = {}
    tasks: list[asyncio.Task[None]] = []
    hq = Client(HOST, broker.port, client_id="svc-fleet", timeout=30, queue_size=4 * n + 100)
    try:
        for d in devices:
            s = LinkSettings(host=HOST, port=broker.port, device_id=d.device, store=d.store, timeout=30,
                             keepalive=120, backoff_initial=0.2, backoff_max=2.0)
            shadows[d.device] = ConfigShadow(d.device, tmp_path / "lanes" / d.device, key.public_key(), Settings())
            link = DeviceLink(s, [shadows[d.device], Echo()])
            tasks.append(asyncio.create_task(link.run()))
        await hq.connect()
        manager = FleetManager(db, key)
        await manager.subscribe(hq)
        await hq.subscribe(topics.Wildcard(f"{topics.ROOT}/dev/+/cmd/bench/result"))
        # every device connected and reported its initial state (so the push measures the push)
        t_connect = time.perf_counter()
        echoes: set[str] = set()

        async def pump() -> None:
            async for msg in hq.messages():
                if msg.topic.value.endswith("/cmd/bench/result"):
                    echoes.add(topics.device_of(msg.topic))
                else:
                    await manager.handle(hq, msg)

        pumping = asyncio.create_task(pump())
        while len(manager.latest) < n:
            await asyncio.sleep(0.05)
        connect_s = time.perf_counter() - t_connect

        t0 = time.perf_counter()
        await asyncio.gather(*(hq.publish(topics.command(d.device, "bench"), b"ping", qos=1) for d in devices))
        while len(echoes) < n:
            await asyncio.sleep(0.01)
        baseline = time.perf_counter() - t0

        t0 = time.perf_counter()
        result = await manager.rollout(hq, "all", {"lane": {"weight_timeout_s": 7.0}}, canary=1.0, wait_healthy=300)
        elapsed = time.perf_counter() - t0
        pumping.cancel()

        assert not result.halted and not result.failed and len(result.healthy) == n
        assert all(s.state.config == {"lane": {"weight_timeout_s": 7.0}} for s in shadows.values())
        assert sorted(s.state.applied_version for s in shadows.values()) == list(range(1, n + 1))
        goal = 30.0 * n / 1000
        record("fleet", f"config push to {n} appliances, all applied", elapsed, "s", goal=goal, baseline=baseline,
               note=f"baseline: plain echo per device; {n} connected in {connect_s:.1f}s")
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await hq.close()
        await db.close()
        broker.kill()
