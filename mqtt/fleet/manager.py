"""HQ side of the config shadow: sign and publish desired documents, answer `config/get`,
record reports and presence, and run staged rollouts.

    manager = FleetManager(db, fleet_private_key)
    await manager.serve(client)                     # answers config/get, records reports (runs until lost)
    result = await manager.rollout(client, "store:s0042", {"lane": {...}}, canary=0.05, wait_healthy=120)

A rollout writes the target's layer (conditional on the version it read), then publishes the
merged document to a canary slice, waits for their reports, widens to the rest, and halts when
failures (a `failed` or `refused` report, or no report within `wait_healthy`) pass
`fail_threshold` of a wave. With `rollback=True` a halted rollout writes the old layer content
as a new version and publishes it to the devices already reached.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sys
import time
from collections.abc import Callable
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mqtt import topics
from mqtt.client import Client, Message
from mqtt.fleet.db import Device, FleetDb
from mqtt.fleet.signing import sign
from mqtt.fleet.wire import MAX_DOC_BYTES, DesiredDoc, Reported
from mqtt.link import DeviceState

log = logging.getLogger(__name__)

_reported_dec = msgspec.json.Decoder(Reported)
_state_dec = msgspec.json.Decoder(DeviceState)


class RolloutResult(msgspec.Struct, kw_only=True):
    layer_version: int
    halted: bool = False
    rolled_back: bool = False
    healthy: list[str] = []
    failed: dict[str, str] = {}  # device -> error (or "no report within ...")
    not_reached: list[str] = []


class FleetManager:
    def __init__(self, db: FleetDb, key: Ed25519PrivateKey | None, *, progress: Callable[[str], None] | None = None) -> None:
        self.db = db
        self.key = key
        self.progress = progress or (lambda _line: None)
        self._waiters: dict[str, tuple[int, asyncio.Future[Reported]]] = {}
        self.latest: dict[str, Reported] = {}  # the last report seen per device

    def _sign(self, device: str, version: int, config: dict[str, Any]) -> bytes:
        if self.key is None:
            raise ValueError("no fleet signing key given: cannot publish desired documents")
        doc = DesiredDoc(device=device, version=version, config=config, issued_at=time.time())
        return sign(self.key, msgspec.json.encode(doc))

    async def publish(self, client: Client, devices: list[Device]) -> dict[str, int]:
        """Sign each device's merged config under a new version, store it, publish it retained."""
        docs = [(d.device, await self.db.merged(d)) for d in devices]
        out = await self.db.set_desired(docs, self._sign)
        await asyncio.gather(*(
            client.publish(topics.config_desired(dev), signed, qos=1, retain=True) for dev, (_v, signed) in out.items()
        ))
        return {dev: v for dev, (v, _s) in out.items()}

    # -- serving --------------------------------------------------------------------------
    async def subscribe(self, client: Client) -> None:
        await client.subscribe(topics.ALL_CONFIG_GETS, topics.ALL_CONFIG_REPORTED, topics.ALL_STATES, qos=1)

    async def serve(self, client: Client) -> None:
        await self.subscribe(client)
        async for msg in client.messages():
            await self.handle(client, msg)

    async def handle(self, client: Client, msg: Message) -> None:
        """One message of the fleet's topics; a bad payload is logged and changes nothing."""
        try:
            device = topics.device_of(msg.topic)
        except topics.TopicError:
            return
        if len(msg.payload) > MAX_DOC_BYTES:
            log.warning("%s: %d bytes refused (limit %d)", msg.topic, len(msg.payload), MAX_DOC_BYTES)
            return
        try:
            if msg.topic.matches(topics.ALL_CONFIG_GETS):
                desired = await self.db.desired(device)
                if desired is not None:
                    await client.publish(topics.config_desired(device), desired[2], qos=1, retain=True)
            elif msg.topic.matches(topics.ALL_CONFIG_REPORTED):
                if msg.payload:
                    report = _reported_dec.decode(msg.payload)
                    await self.db.record_report(device, report)
                    self._resolve(device, report)
            elif msg.topic.matches(topics.ALL_STATES) and msg.payload:
                state = _state_dec.decode(msg.payload)
                await self.db.record_presence(device, state.online, state.version, state.at or time.time())
        except msgspec.DecodeError as err:
            log.warning("%s: payload refused: %s", msg.topic, err)

    def _resolve(self, device: str, report: Reported) -> None:
        self.latest[device] = report
        waiting = self._waiters.get(device)
        if waiting is None or waiting[1].done():
            return
        version, fut = waiting
        if report.version >= version and report.status != "waiting":
            fut.set_result(report)

    # -- rollout --------------------------------------------------------------------------
    async def rollout(
        self,
        client: Client,
        scope: str,
        config: dict[str, Any],
        *,
        canary: float = 0.05,
        wait_healthy: float = 120.0,
        fail_threshold: float = 0.0,
        rollback: bool = False,
    ) -> RolloutResult:
        """Run one staged rollout; the caller runs `handle` on incoming messages meanwhile (see `push`)."""
        devices = await self.db.devices(scope)
        if not devices:
            raise ValueError(f"no registered devices in {scope}")
        old_version, old_config = await self.db.layer(scope)
        new_version = await self.db.put_layer(scope, config, old_version)
        result = RolloutResult(layer_version=new_version)
        n_canary = min(len(devices), max(1, math.ceil(len(devices) * canary)))
        waves = [devices[:n_canary], devices[n_canary:]]
        reached: list[Device] = []
        for i, wave in enumerate(w for w in waves if w):
            self.progress(f"wave {i + 1}: pushing layer {scope} v{new_version} to {len(wave)} device(s)")
            reached += wave
            healthy, failed = await self._push_and_wait(client, wave, wait_healthy)
            result.healthy += healthy
            result.failed.update(failed)
            if len(failed) > fail_threshold * len(wave):
                result.halted = True
                result.not_reached = [d.device for d in devices if d not in reached]
                self.progress(f"halted: {len(failed)} of {len(wave)} failed (threshold {fail_threshold:.0%})")
                if rollback:
                    back = await self.db.put_layer(scope, old_config, new_version)
                    self.progress(f"rolling back: layer {scope} v{back} = content of v{old_version}")
                    await self.publish(client, reached)
                    result.rolled_back = True
                break
        return result

    async def _push_and_wait(self, client: Client, wave: list[Device], wait_healthy: float) -> tuple[list[str], dict[str, str]]:
        loop = asyncio.get_running_loop()
        for d in wave:
            self._waiters[d.device] = (sys.maxsize, loop.create_future())
        try:
            versions = await self.publish(client, wave)
            for dev, v in versions.items():
                self._waiters[dev] = (v, self._waiters[dev][1])
                if dev in self.latest:  # a report that arrived before we knew its version
                    self._resolve(dev, self.latest[dev])
            healthy: list[str] = []
            failed: dict[str, str] = {}
            futs = {dev: self._waiters[dev][1] for dev in versions}
            deadline = loop.time() + wait_healthy
            pending = set(futs.values())
            while pending and loop.time() < deadline:
                # one progress line a second while waiting
                _done, pending = await asyncio.wait(pending, timeout=min(1.0, deadline - loop.time()))
                self.progress(f"  {len(futs) - len(pending)}/{len(futs)} reported")
            for dev, fut in futs.items():
                if not fut.done():
                    failed[dev] = f"no report within {wait_healthy:g}s"
                elif fut.result().status == "applied":
                    healthy.append(dev)
                else:
                    failed[dev] = f"{fut.result().status}: {fut.result().error}"
            return healthy, failed
        finally:
            for d in wave:
                self._waiters.pop(d.device, None)
