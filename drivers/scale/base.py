"""The abstract scale every protocol implements, and the policy all of them share.

Like python-can's `BusABC`: the public methods own the policy (one command at a time, the
timeout, stamping the device name, refusing negative readings as weights, logging); a backend
overrides the protected hooks `_weigh`, `_zero`, `_tare`, `_preset_tare` and `_close`.
"""

from __future__ import annotations

import abc
import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from types import TracebackType
from typing import ClassVar, Self

from drivers.events import (
    DeviceOperationError,
    DeviceTimeout,
    ScaleState,
    ScaleStatus,
    Weight,
)

log = logging.getLogger(__name__)

Reading = Weight | ScaleStatus


class CommandUnsupported(DeviceOperationError):
    """The protocol has no such command (e.g. tare on an NCI ECR scale)."""

    def __init__(self, protocol: str, command: str) -> None:
        super().__init__(f"the {protocol} protocol has no {command} command; use the scale's own key")
        self.protocol = protocol
        self.command = command


class ScaleClosedError(RuntimeError):
    """A command on a closed scale: a bug in the caller, never hidden by `except DriverError`."""


class Scale(abc.ABC):
    """One scale on one link. Use as `async with scale:`; `close()` may be called any number of times."""

    protocol: ClassVar[str] = "abstract"

    def __init__(self, *, name: str = "scale", timeout: float = 2.0) -> None:
        # Closed until a subclass finishes opening, so a failed constructor skips close().
        self._is_shutdown = True
        self.name = name
        self.timeout = timeout
        self._lock = asyncio.Lock()

    async def request_weight(self, timeout: float | None = None) -> Reading:
        """A fresh stable weight, or the status that explains why there is none.

        Raises DeviceTimeout when the scale does not answer in time.
        """
        self._check_open()
        async with self._lock:
            reading = await self._weigh(self._timeout(timeout))
        return self._vet(reading)

    async def zero(self, timeout: float | None = None) -> ScaleStatus:
        self._check_open()
        async with self._lock:
            status = await self._zero(self._timeout(timeout))
        log.info("%s: zero -> %s %s", self.name, status.state.value, status.detail)
        return dataclasses.replace(status, device=self.name)

    async def tare(self, timeout: float | None = None) -> ScaleStatus:
        self._check_open()
        async with self._lock:
            status = await self._tare(self._timeout(timeout))
        log.info("%s: tare -> %s %s", self.name, status.state.value, status.detail)
        return dataclasses.replace(status, device=self.name)

    async def preset_tare(self, tare: Weight, timeout: float | None = None) -> ScaleStatus:
        """A known container weight (a PLU tare) the scale subtracts from what follows; zero clears it."""
        self._check_open()
        if tare.value < 0:
            raise ValueError(f"a tare cannot be negative, got {tare.value} {tare.unit.value}")
        async with self._lock:
            status = await self._preset_tare(tare, self._timeout(timeout))
        log.info("%s: preset tare %s %s -> %s", self.name, tare.value, tare.unit.value, status.state.value)
        return dataclasses.replace(status, device=self.name)

    async def readings(self, interval: float = 0.1) -> AsyncIterator[Reading]:
        """Poll forever; a request without an answer yields a NO_RESPONSE status instead of ending."""
        while True:
            try:
                yield await self.request_weight()
            except DeviceTimeout as err:
                yield ScaleStatus(ScaleState.NO_RESPONSE, self.name, str(err))
            await asyncio.sleep(interval)

    async def close(self) -> None:
        if self._is_shutdown:
            return
        self._is_shutdown = True
        await self._close()

    @property
    def closed(self) -> bool:
        return self._is_shutdown

    async def __aenter__(self) -> Self:
        self._check_open()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- hooks -------------------------------------------------------------------------------

    @abc.abstractmethod
    async def _weigh(self, timeout: float) -> Reading: ...

    async def _zero(self, timeout: float) -> ScaleStatus:
        raise CommandUnsupported(self.protocol, "zero")

    async def _tare(self, timeout: float) -> ScaleStatus:
        raise CommandUnsupported(self.protocol, "tare")

    async def _preset_tare(self, tare: Weight, timeout: float) -> ScaleStatus:
        raise CommandUnsupported(self.protocol, "preset tare")

    @abc.abstractmethod
    async def _close(self) -> None: ...

    # -- policy ------------------------------------------------------------------------------

    def _timeout(self, timeout: float | None) -> float:
        return self.timeout if timeout is None else timeout

    def _check_open(self) -> None:
        if self._is_shutdown:
            raise ScaleClosedError(f"scale {self.name!r} is closed")

    def _vet(self, reading: Reading) -> Reading:
        if isinstance(reading, Weight):
            if reading.value < 0:
                # A negative stable value is a scale below zero to the lane, whatever the protocol calls it.
                detail = f"negative reading {reading.value} {reading.unit.value}"
                log.info("%s: %s reported as under zero", self.name, detail)
                return ScaleStatus(ScaleState.UNDER_ZERO, self.name, detail)
            return dataclasses.replace(reading, device=self.name)
        log.debug("%s: status %s %s", self.name, reading.state.value, reading.detail)
        return dataclasses.replace(reading, device=self.name)
