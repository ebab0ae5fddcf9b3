"""The abstract scanner every backend implements (modelled on python-can's BusABC).

The public face owns the shared policy — the queue, timeouts, logging and counting of bad
frames, idempotent close — and a backend overrides only `_open` and `_close`, delivering what
it decodes with `_deliver`, and reporting end of input or a vanished device with `_finish`.
"""

from __future__ import annotations

import abc
import asyncio
import collections
import logging
from collections.abc import AsyncIterator
from typing import ClassVar, Self

from drivers.events import DeviceGone, DeviceInitError, DeviceTimeout, DriverError, FrameError, Scan

log = logging.getLogger(__name__)

QUEUE_SIZE = 256


class _End:
    """Queue marker: input ended (error is None) or the device failed."""

    __slots__ = ("error",)

    def __init__(self, error: DriverError | None) -> None:
        self.error = error


class Scanner(abc.ABC):
    """A barcode scanner: `async with scanner: async for scan in scanner: ...`.

    Iteration yields `Scan`s only; bad input is logged, counted in `frame_errors` and kept in
    `recent_errors`, and reading goes on. `events()` yields the errors too (for field tests).
    Iteration ends when a recording ends; a device that vanishes raises `DeviceGone`.
    """

    backend: ClassVar[str] = ""

    def __init__(self, *, name: str = "") -> None:
        self.name = name
        self._is_shutdown = True  # nothing to close until open() succeeds
        self._opened = False
        self._queue: asyncio.Queue[Scan | FrameError | _End] = asyncio.Queue(QUEUE_SIZE)
        self._end_marker: _End | None = None
        self._finished = False
        self.frame_errors = 0
        self.recent_errors: collections.deque[FrameError] = collections.deque(maxlen=16)
        self.dropped = 0

    # -- lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        if self._opened:
            raise RuntimeError(f"scanner {self.name!r} was already opened; make a new one to reopen")
        self._opened = True
        try:
            await self._open()
        except DriverError:
            raise
        except OSError as err:
            raise DeviceInitError(f"scanner {self.name!r} ({self.backend}) did not open: {err}") from err
        self._is_shutdown = False
        log.info("scanner %r (%s) open", self.name, self.backend)

    async def close(self) -> None:
        """Release the device. Safe to call twice, and a no-op after a failed open()."""
        if self._is_shutdown:
            return
        self._is_shutdown = True
        await self._close()
        self._finish(None)
        log.info("scanner %r (%s) closed", self.name, self.backend)

    @property
    def is_open(self) -> bool:
        return not self._is_shutdown

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- reading ---------------------------------------------------------------------------
    async def _next(self, timeout: float | None) -> Scan | FrameError | None:
        if self._end_marker is not None and self._queue.empty():
            item: Scan | FrameError | _End = self._end_marker
        else:
            try:
                async with asyncio.timeout(timeout):
                    item = await self._queue.get()
            except TimeoutError:
                raise DeviceTimeout(f"scanner {self.name!r} read nothing within {timeout} s") from None
        if isinstance(item, _End):
            self._end_marker = item
            if item.error is not None:
                raise item.error
            return None
        if isinstance(item, FrameError):
            self.frame_errors += 1
            self.recent_errors.append(item)
        return item

    async def read(self, timeout: float | None = None) -> Scan | None:
        """The next scan, or None when the input has ended (a recording played out, or closed)."""
        while True:
            item = await self._next(timeout)
            if item is None or isinstance(item, Scan):
                return item

    async def events(self, timeout: float | None = None) -> AsyncIterator[Scan | FrameError]:
        """Scans and the errors between them, in order (for diagnostics)."""
        while (item := await self._next(timeout)) is not None:
            yield item

    async def __aiter__(self) -> AsyncIterator[Scan]:
        while (scan := await self.read()) is not None:
            yield scan

    # -- for backends ----------------------------------------------------------------------
    def _deliver(self, item: Scan | FrameError) -> None:
        if isinstance(item, FrameError):
            log.debug("scanner %r: rejected input: %s", self.name, item)  # the parser logged it
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            # never block the reader; a consumer this far behind has lost the plot anyway
            self.dropped += 1
            log.error("scanner %r: %d items queued, dropping %r", self.name, QUEUE_SIZE, item)

    def _finish(self, error: DriverError | None) -> None:
        """No more input: the recording ended (None) or the device failed (e.g. DeviceGone)."""
        if self._finished:
            return
        self._finished = True
        end = _End(error)
        try:
            self._queue.put_nowait(end)
        except asyncio.QueueFull:
            self._end_marker = end  # readers see it once they have drained the queue
        if error is not None:
            log.warning("scanner %r: %s", self.name, error)

    def _gone(self, err: OSError) -> None:
        self._finish(DeviceGone(f"scanner {self.name!r} ({self.backend}) went away: {err}"))

    @abc.abstractmethod
    async def _open(self) -> None:
        """Acquire the device and start delivering."""

    @abc.abstractmethod
    async def _close(self) -> None:
        """Release the device (called once)."""
