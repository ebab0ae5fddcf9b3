"""The device's config shadow: a `LinkPart` that applies signed desired documents.

    shadow = ConfigShadow(device_id, data_dir, pinned_key, base_settings, restart=..., health=..., is_idle=...)
    link = DeviceLink(settings, [replicator, uploader, shadow])

On every session it re-publishes its last report (retained) and asks `config/get` for the
current desired document, so it never depends on a queued or retained notification alone.
A document is verified with the pinned fleet key and addressed to this device; it applies
only if its version is newer than every version this device has tried. It is validated as an
overlay on the lane's own settings (`appliance.config.with_overlay`), then waits until the lane is idle (telling
the fleet when that passes `idle_deadline`), then applied in one atomic file replace on the
data partition with the previous config kept as last known-good, the services restarted and
the health check run. A failed check (or a crash during it, found at the next start) rolls back
to last known-good and reports `failed`. Refused documents are reported and change nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pathlib
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from appliance.config import ConfigError, Settings, with_overlay
from mqtt import topics
from mqtt.client import Message
from mqtt.errors import LinkError
from mqtt.fleet.signing import SignatureRefused, verify
from mqtt.fleet.wire import MAX_DOC_BYTES, ConfigGet, DesiredDoc, Reported, Status
from mqtt.link import Session
from mqtt.topics import Topic, Wildcard

log = logging.getLogger(__name__)

STATE_FILE = "fleet/shadow.json"

Restart = Callable[[dict[str, Any]], Awaitable[None]]
Health = Callable[[dict[str, Any]], Awaitable[str | None]]  # None: healthy, else the reason
# What a failing restart or health check may raise; anything else is a bug and propagates.
_CHECK_ERRORS = (OSError, RuntimeError, ValueError, TimeoutError)


class ShadowState(msgspec.Struct, kw_only=True):
    """The shadow's one file on the data partition; replaced atomically, so never half-written."""

    applied_version: int = 0
    config: dict[str, Any] = {}
    lkg_version: int = 0
    lkg_config: dict[str, Any] = {}
    attempted_version: int = 0
    phase: Literal["stable", "checking"] = "stable"
    last_report: Reported | None = None


def load_state(data_dir: pathlib.Path) -> ShadowState:
    path = data_dir / STATE_FILE
    if not path.exists():
        return ShadowState()
    return msgspec.json.decode(path.read_bytes(), type=ShadowState)


def applied_overlay(data_dir: pathlib.Path) -> dict[str, Any]:
    """The fleet config overlay the lane runs (empty before the first push)."""
    return load_state(data_dir).config


def _write_state(data_dir: pathlib.Path, state: ShadowState) -> None:
    path = data_dir / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(msgspec.json.encode(state))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def _retrieve(task: asyncio.Future[Status | None]) -> None:
    """An apply that outlived its session: a lost link only delays its report (re-sent next session)."""
    if task.cancelled():
        return
    err = task.exception()
    if isinstance(err, LinkError):
        log.info("config report not sent (%s); it is re-sent on the next session", err)
    elif err is not None:
        log.error("config apply failed unexpectedly", exc_info=err)


async def _no_restart(_config: dict[str, Any]) -> None:
    return None


async def _always_healthy(_config: dict[str, Any]) -> str | None:
    return None


class ConfigShadow:
    def __init__(
        self,
        device_id: str,
        data_dir: pathlib.Path,
        fleet_key: Ed25519PublicKey,
        base: Settings,
        *,
        restart: Restart = _no_restart,
        health: Health = _always_healthy,
        is_idle: Callable[[], bool] = lambda: True,
        idle_deadline: float = 300.0,
        idle_poll: float = 0.5,
        health_timeout: float = 60.0,
    ) -> None:
        self.device_id = device_id
        self.data_dir = pathlib.Path(data_dir)
        self.key = fleet_key
        self.base = base
        self.restart = restart
        self.health = health
        self.is_idle = is_idle
        self.idle_deadline = idle_deadline
        self.idle_poll = idle_poll
        self.health_timeout = health_timeout
        self.state = load_state(self.data_dir)
        self._latest: DesiredDoc | None = None
        self._wake = asyncio.Event()
        self._session: Session | None = None
        self._unsent: Reported | None = None
        self._applying: asyncio.Future[Status | None] | None = None
        self.changed = asyncio.Event()  # set after every report (tests and the lane's UI wait on it)

    @property
    def applied_version(self) -> int:
        return self.state.applied_version

    async def recover(self) -> None:
        """At start: a crash during a health check means the new config never proved itself: roll back."""
        if self.state.phase == "checking":
            failed = self.state.applied_version
            await self._rollback(failed, "the lane stopped during the health check of this version")

    # -- LinkPart -------------------------------------------------------------------------
    def filters(self, device_id: str, store: str) -> Sequence[Topic | Wildcard]:
        return [topics.config_desired(device_id)]

    async def on_session(self, session: Session) -> None:
        self._session = session
        await self.recover()
        report = self._unsent or self.state.last_report or Reported(
            applied_version=self.state.applied_version, status="applied", version=self.state.applied_version, at=time.time()
        )
        await self._publish(report)
        get = ConfigGet(applied_version=self.state.applied_version)
        await session.client.publish(topics.config_get(self.device_id), msgspec.json.encode(get), qos=1)
        await self._worker()

    async def on_message(self, session: Session, message: Message) -> None:
        if not message.payload:
            return  # a cleared retained document: nothing desired
        where = str(message.topic)
        try:
            doc = msgspec.json.decode(verify(self.key, message.payload, where, MAX_DOC_BYTES), type=DesiredDoc)
        except SignatureRefused as err:
            await self._refuse(0, str(err))
            return
        except msgspec.DecodeError as err:  # signed by us but not a document this device understands
            await self._refuse(0, f"{where}: signed payload is not a desired document: {err}")
            return
        if doc.device != self.device_id:
            await self._refuse(doc.version, f"{where}: document is for device {doc.device!r}, not {self.device_id!r}")
            return
        if self._latest is None or doc.version > self._latest.version:
            self._latest = doc
            self._wake.set()

    # -- applying -------------------------------------------------------------------------
    async def _worker(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            doc, self._latest = self._latest, None
            if doc is not None:
                # Shielded: a lost connection must not interrupt an apply between its steps.
                self._applying = asyncio.ensure_future(self.handle(doc))
                self._applying.add_done_callback(_retrieve)
                await asyncio.shield(self._applying)

    async def handle(self, doc: DesiredDoc) -> Status | None:
        """Apply one verified document addressed to us; returns the reported status (None: duplicate)."""
        st = self.state
        if doc.version in (st.applied_version, st.attempted_version):
            return None  # the same document again (retained copy plus the answer to config/get)
        if doc.version < st.attempted_version:
            await self._refuse(doc.version, f"version {doc.version} is older than version {st.attempted_version} "
                               "already seen: replayed or rolled-back document refused")
            return "refused"
        try:
            with_overlay(self.base, doc.config, f"fleet config version {doc.version}")
        except ConfigError as err:
            await self._refuse(doc.version, f"version {doc.version} does not validate: {err}")
            return "refused"
        await self._wait_idle(doc.version)
        prev = self.state
        self.state = ShadowState(
            applied_version=doc.version, config=doc.config, lkg_version=prev.applied_version,
            lkg_config=prev.config, attempted_version=doc.version, phase="checking", last_report=prev.last_report,
        )
        _write_state(self.data_dir, self.state)
        error = await self._restart_and_check(doc.config)
        if error is not None:
            await self._rollback(doc.version, error)
            return "failed"
        self.state.phase = "stable"
        await self._report(Reported(applied_version=doc.version, status="applied", version=doc.version, at=time.time()))
        log.info("%s: config version %d applied", self.device_id, doc.version)
        return "applied"

    async def _restart_and_check(self, config: dict[str, Any]) -> str | None:
        try:
            await self.restart(config)
            return await asyncio.wait_for(self.health(config), self.health_timeout)
        except TimeoutError:
            return f"health check did not finish within {self.health_timeout}s"
        except _CHECK_ERRORS as err:
            return f"restart or health check failed: {type(err).__name__}: {err}"

    async def _rollback(self, failed: int, error: str) -> None:
        st = self.state
        self.state = ShadowState(
            applied_version=st.lkg_version, config=st.lkg_config, lkg_version=st.lkg_version,
            lkg_config=st.lkg_config, attempted_version=max(st.attempted_version, failed), last_report=st.last_report,
        )
        _write_state(self.data_dir, self.state)
        with contextlib.suppress(*_CHECK_ERRORS):
            await self.restart(st.lkg_config)
        log.warning("%s: config version %d failed, rolled back to %d: %s", self.device_id, failed, st.lkg_version, error)
        await self._report(Reported(applied_version=st.lkg_version, status="failed", version=failed, error=error, at=time.time()))

    async def _wait_idle(self, version: int) -> None:
        started = time.monotonic()
        told = False
        while not self.is_idle():
            if not told and time.monotonic() - started >= self.idle_deadline:
                told = True
                await self._report(Reported(
                    applied_version=self.state.applied_version, status="waiting", version=version, at=time.time(),
                    error=f"lane busy for {self.idle_deadline:g}s (open sale): restart for version {version} deferred",
                ), persist=False)
            await asyncio.sleep(self.idle_poll)

    async def _refuse(self, version: int, error: str) -> None:
        log.warning("%s: config refused: %s", self.device_id, error)
        await self._report(Reported(
            applied_version=self.state.applied_version, status="refused", version=version, error=error, at=time.time()
        ))

    async def _report(self, report: Reported, *, persist: bool = True) -> None:
        if persist:
            self.state.last_report = report
            _write_state(self.data_dir, self.state)
        await self._publish(report)

    async def _publish(self, report: Reported) -> None:
        self._unsent = report
        s = self._session
        if s is not None and s.client.is_connected:
            await s.client.publish(topics.config_reported(self.device_id), msgspec.json.encode(report), qos=1, retain=True)
            if self._unsent is report:
                self._unsent = None
        self.changed.set()
