"""Keeps each attached device's driver open: opens it when discovery attaches it, closes it when
it detaches, and reopens it when it comes back (a scanner replugged mid-sale).

One task per device; the consumer reads one merged stream of device events:

    async with Supervisor(discovery.watch(source)) as supervisor:
        async for event in supervisor:   # DeviceAttached (driver open) / DeviceDetached / Scan / ...
            ...

`OPENERS` maps a device kind to a function building its (unopened) driver from the
DeviceAttached event (it may be async). A driver is an async context manager; if it is also an
async iterator (scanners) its events are pumped into the stream, otherwise (command-driven
drivers such as scales) it is held open and reachable as `supervisor.drivers[name]` until the
device goes. Kinds without an opener still have their attach/detach reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self

from drivers.events import DeviceAttached, DeviceDetached, DeviceGone, DriverError

log = logging.getLogger(__name__)


def _open_scanner(att: DeviceAttached) -> Any:
    from drivers.scanner import open_scanner

    return open_scanner(att.settings, name=att.device)


# kind -> builds the driver for an attached device; the scale and printer kinds add a line here
OPENERS: dict[str, Callable[[DeviceAttached], Any]] = {
    "scanner": _open_scanner,
}

State = Literal["absent", "attached", "open", "failed"]


@dataclass
class DeviceState:
    kind: str
    state: State = "absent"
    node: str = ""
    detail: str = ""
    opens: int = 0
    since: float = 0.0  # time.monotonic() of the last state change


class Supervisor:
    def __init__(self, changes: AsyncIterable[DeviceAttached | DeviceDetached], *,
                 openers: Mapping[str, Callable[[DeviceAttached], Any]] | None = None,
                 retry_s: tuple[float, float] = (0.05, 2.0), queue_size: int = 1024) -> None:
        self._changes = changes
        self._openers = OPENERS if openers is None else openers
        self._retry = retry_s
        self._out: asyncio.Queue[Any] = asyncio.Queue(queue_size)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._watch: asyncio.Task[None] | None = None
        self.states: dict[str, DeviceState] = {}
        self.drivers: dict[str, Any] = {}  # open command-driven drivers, by device name
        self.dropped = 0

    async def __aenter__(self) -> Self:
        self._watch = asyncio.create_task(self._run(), name="device-supervisor")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        tasks = [t for t in (self._watch, *self._tasks.values()) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks.clear()

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            yield await self._out.get()

    def _emit(self, item: Any) -> None:
        try:
            self._out.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1
            log.error("supervisor: consumer too slow, dropping %r", item)

    def _set(self, name: str, kind: str, state: State, node: str = "", detail: str = "") -> None:
        st = self.states.setdefault(name, DeviceState(kind))
        st.state, st.detail, st.since = state, detail, time.monotonic()
        if node:
            st.node = node

    async def _run(self) -> None:
        async for change in self._changes:
            if isinstance(change, DeviceAttached):
                await self._attached(change)
            else:
                await self._detached(change)

    async def _attached(self, att: DeviceAttached) -> None:
        node = att.info.get("node", "")
        await self._stop(att.device)
        opener = self._openers.get(att.kind)
        if opener is None:
            self._set(att.device, att.kind, "attached", node, "no driver for this kind here")
            self._emit(att)
            return
        self._set(att.device, att.kind, "attached", node)
        self._tasks[att.device] = asyncio.create_task(self._keep_open(att, opener), name=f"device-{att.device}")

    async def _detached(self, det: DeviceDetached) -> None:
        had_driver = await self._stop(det.device)
        st = self.states.get(det.device)
        was_open = st is not None and st.state == "open"
        self._set(det.device, det.kind, "absent")
        if was_open or not had_driver:
            self._emit(det)

    async def _stop(self, name: str) -> bool:
        task = self._tasks.pop(name, None)
        if task is None:
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return True

    async def _keep_open(self, att: DeviceAttached, opener: Callable[[DeviceAttached], Any]) -> None:
        """Open, pump, and on failure retry with backoff while the device stays attached."""
        delay = self._retry[0]
        node = att.info.get("node", "")
        while True:
            try:
                driver = opener(att)
                if inspect.isawaitable(driver):
                    driver = await driver
                async with driver:
                    st = self.states.setdefault(att.device, DeviceState(att.kind))
                    st.opens += 1
                    self._set(att.device, att.kind, "open", node)
                    delay = self._retry[0]
                    if not hasattr(driver, "__aiter__"):
                        await self._hold(att, driver)
                    self._emit(att)
                    async for item in driver:
                        self._emit(item)
                self._set(att.device, att.kind, "attached", node, "input ended")
                return
            except DeviceGone as err:
                # unplugged: the remove uevent follows; the next add starts a fresh task
                self._set(att.device, att.kind, "absent", node, str(err))
                self._emit(DeviceDetached(att.kind, att.device))
                return
            except (DriverError, ValueError) as err:
                self._set(att.device, att.kind, "failed", node, str(err))
                log.warning("supervisor: %s %s: %s; retrying in %.2f s", att.kind, att.device, err, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry[1])

    async def _hold(self, att: DeviceAttached, driver: Any) -> None:
        """Keep a command-driven driver open for the lane until the device detaches (this task is cancelled)."""
        self.drivers[att.device] = driver
        self._emit(att)
        try:
            await asyncio.Event().wait()
        finally:
            self.drivers.pop(att.device, None)
