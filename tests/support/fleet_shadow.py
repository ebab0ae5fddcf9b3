"""Lanes with a config shadow and an HQ fleet manager on a real mosquitto, for fleet tests.

    async with FleetRig(fleet, broker, tmp_path, key) as rig:
        lane = await rig.lane("s1-lane1", health=...)   # DeviceLink + ConfigShadow, running
        await rig.hq()                                  # svc-hq client, FleetManager serving
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.config import Settings
from mqtt.client import Client
from mqtt.fleet.db import Device, FleetDb
from mqtt.fleet.manager import FleetManager
from mqtt.fleet.shadow import ConfigShadow
from mqtt.link import DeviceLink, LinkSettings
from tests.support.broker import HOST, Broker
from tests.support.fleet import DEVICES, Fleet

REGIONS = {"s1": "north", "s2": "south"}


async def until(cond: Callable[[], bool], what: str, tries: int = 2000) -> None:
    for _ in range(tries):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


@dataclass
class Lane:
    shadow: ConfigShadow
    link: DeviceLink
    task: asyncio.Task[None]

    async def stop(self) -> None:
        # Cancel until it ends: a cancel that lands while a session's TaskGroup is failing with
        # a LinkError comes back as that error, and the supervisor takes it for a lost link.
        for _ in range(100):
            self.task.cancel()
            done, _ = await asyncio.wait({self.task}, timeout=0.2)
            if done:
                break
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@dataclass
class FleetRig:
    fleet: Fleet
    broker: Broker
    root: pathlib.Path
    key: Ed25519PrivateKey
    lanes: dict[str, Lane] = field(default_factory=dict)
    db: FleetDb | None = None
    client: Client | None = None
    manager: FleetManager | None = None
    _serve: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FleetRig:
        self.db = await FleetDb.open(self.root / "hq-fleet.db")
        await self.db.register(Device(d, s, REGIONS[s], "lane") for d, s in DEVICES.items())
        return self

    async def __aexit__(self, *exc: object) -> None:
        for lane in self.lanes.values():
            await lane.stop()
        if self._serve is not None:
            self._serve.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._serve
        if self.client is not None:
            await self.client.close()
        if self.db is not None:
            await self.db.close()

    async def lane(self, device: str, *, start: bool = True, **kw: Any) -> Lane:
        files = self.fleet.ids[device]
        settings = LinkSettings(
            host=HOST, port=self.broker.port, device_id=device, store=DEVICES[device], ca=self.fleet.ca.ca_cert_path,
            cert=files.cert, key=files.key, timeout=5, backoff_initial=0.05, backoff_max=0.2, version="1.2.3",
        )
        shadow = ConfigShadow(device, self.root / device / "data", self.key.public_key(), Settings(), **kw)
        link = DeviceLink(settings, [shadow])
        lane = Lane(shadow, link, asyncio.create_task(link.run()) if start else None)  # type: ignore[arg-type]
        self.lanes[device] = lane
        if start:
            await asyncio.wait_for(link.connected.wait(), 10)
        return lane

    async def start(self, device: str) -> None:
        lane = self.lanes[device]
        lane.task = asyncio.create_task(lane.link.run())
        await asyncio.wait_for(lane.link.connected.wait(), 10)

    async def hq(self) -> FleetManager:
        assert self.db is not None
        self.client = Client(HOST, self.broker.port, client_id="svc-hq", tls=self.fleet.client_tls("svc-hq"), timeout=5)
        await self.client.connect()
        self.manager = FleetManager(self.db, self.key)
        await self.manager.subscribe(self.client)
        self._serve = asyncio.create_task(self._loop())
        return self.manager

    async def _loop(self) -> None:
        assert self.client is not None and self.manager is not None
        async for msg in self.client.messages():
            await self.manager.handle(self.client, msg)
