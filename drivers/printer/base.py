"""`Printer`: the async face of a receipt printer, whatever the backend.

The public methods own the policy — spool before sending, status before and after, alerts, error
mapping, one operation at a time — and run the backend's blocking hooks (python-escpos, pyserial,
pyusb and sockets all block) on a single worker thread, so the event loop never waits on a device:

    _open_blocking()             connect
    _write_blocking(data)        send bytes
    _read_blocking(n, timeout)   up to n bytes, whatever arrived before the timeout
    _discard_input_blocking()    drop stale input before a status query
    _close_blocking()            disconnect

Backends without a read channel set `supports_status = False`; status() then raises
StatusUnavailable and print() sends without the checks.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self, TypeVar

from escpos.exceptions import Error as EscposError

from drivers.events import (
    DeviceInitError,
    DeviceOperationError,
    DeviceTimeout,
    DriverError,
    FrameError,
    PrinterStatus,
)
from drivers.printer.document import DrawerKick, ReceiptDocument
from drivers.printer.errors import DrawerError, PrintFailed, StatusUnavailable
from drivers.printer.escpos_render import render_escpos
from drivers.printer.profiles import PrinterProfile
from drivers.printer.settings import PrinterSettings
from drivers.printer.spool import ReprintSpool, SpoolEntry
from drivers.printer.status import REPLY_LENGTH, STATUS_QUERY, DrawerLevel, parse_status_reply

log = logging.getLogger(__name__)
T = TypeVar("T")
_EVENT_QUEUE = 64


class Printer(abc.ABC):
    """One receipt printer. Use as `async with printer:`; close() is idempotent."""

    Settings: ClassVar[type[PrinterSettings]] = PrinterSettings
    supports_status: ClassVar[bool] = True

    def __init__(self, settings: PrinterSettings, *, spool: ReprintSpool) -> None:
        self._closed = True  # nothing to close until open() succeeds
        self.settings = settings
        self.name = settings.name
        self.profile = PrinterProfile.load(
            settings.profile,
            code_page=settings.code_page,
            code_page_number=settings.code_page_number,
            columns=settings.columns,
            dots=settings.dots,
        )
        self.drawer_level = DrawerLevel(settings.drawer_open_level)
        self.spool = spool
        self._executor: ThreadPoolExecutor | None = None
        self._lock = asyncio.Lock()
        self._events: asyncio.Queue[PrinterStatus] = asyncio.Queue(maxsize=_EVENT_QUEUE)
        self._inflight: set[Path] = set()

    # -- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        if not self._closed:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"printer-{self.name}")
        try:
            await self._run(self._open_blocking, "open")
        except DriverError:
            self._executor.shutdown(wait=False)
            self._executor = None
            raise
        self._closed = False
        log.info("printer %s open (%s, profile %s, code page %s = ESC t %d)", self.name, type(self).__name__,
                 self.profile.name, self.profile.code_page, self.profile.code_page_number)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._run(self._close_blocking, "close")
        except DriverError as err:
            log.warning("printer %s: error while closing: %s", self.name, err)
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # -- events ------------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[PrinterStatus]:
        """Attendant alerts (paper out, cover open, receipt kept for reprint, drawer did not open)."""
        while True:
            yield await self._events.get()

    def pending_events(self) -> list[PrinterStatus]:
        """Take the alerts queued so far without waiting."""
        out = []
        while not self._events.empty():
            out.append(self._events.get_nowait())
        return out

    def _alert(self, status: PrinterStatus) -> None:
        log.warning("printer %s alert: %s", self.name, status.detail)
        if self._events.full():
            dropped = self._events.get_nowait()
            log.error("printer %s: alert queue full, dropped %r", self.name, dropped.detail)
        self._events.put_nowait(status)

    # -- operations --------------------------------------------------------------------------

    async def status(self) -> PrinterStatus:
        """Real-time status through DLE EOT. StatusUnavailable if this backend cannot read."""
        self._check_open()
        async with self._lock:
            return await self._status_locked()

    async def print(self, document: ReceiptDocument) -> None:
        """Print a receipt. On any failure it stays in the reprint spool and PrintFailed is raised."""
        self._check_open()
        # Rendering (images, dithering) is CPU work: off the loop. A document that cannot render is
        # a bug in its builder (ValueError) and cannot be reprinted either, so it is not spooled.
        data = await asyncio.to_thread(render_escpos, document, self.profile)
        entry = await asyncio.to_thread(self.spool.put, document)
        self._inflight.add(entry.path)
        try:
            await self._print_entry(entry, data)
        finally:
            self._inflight.discard(entry.path)

    async def reprint_pending(self) -> int:
        """Print every spooled receipt, oldest first; stops at the first failure (PrintFailed)."""
        self._check_open()
        printed = 0
        for entry in await asyncio.to_thread(self.spool.pending):
            if entry.path in self._inflight:
                continue  # a print() in progress owns it
            try:
                document = await asyncio.to_thread(self.spool.load, entry)
            except FrameError as err:
                log.error("printer %s: cannot reprint %s: %s", self.name, entry.path.name, err)
                continue
            await self._print_entry(entry, await asyncio.to_thread(render_escpos, document, self.profile))
            printed += 1
        return printed

    async def open_drawer(self, pin: int = 2) -> PrinterStatus:
        """Kick the drawer, then read the drawer sensor; DrawerError if it does not report open."""
        self._check_open()
        kick = render_escpos(ReceiptDocument((DrawerKick(pin),)), self.profile, reset=False)
        async with self._lock:
            await self._run(lambda: self._write_blocking(kick), "kick the drawer")
            if not self.supports_status or self.drawer_level is DrawerLevel.NONE:
                return PrinterStatus(online=True, drawer_open=None, device=self.name,
                                     detail="drawer kicked; no drawer sensor to confirm it opened")
            await asyncio.sleep(self.settings.drawer_settle_s)
            status = await self._status_locked()
        if status.drawer_open is not True:
            alert = PrinterStatus(
                online=status.online, paper_out=status.paper_out, paper_near_end=status.paper_near_end,
                cover_open=status.cover_open, drawer_open=status.drawer_open, device=self.name,
                detail=f"cash drawer did not open after the kick on pin {pin} ({status.detail})",
            )
            self._alert(alert)
            raise DrawerError(f"printer {self.name}: {alert.detail}", status=status)
        return status

    # -- internals ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"printer {self.name} is not open (use `async with printer:`)")

    async def _run(self, fn: Callable[[], T], what: str) -> T:
        """Run a blocking hook on the printer's thread; map foreign errors to the driver tree here."""
        assert self._executor is not None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn)
        except DriverError:
            raise
        except TimeoutError as err:
            raise DeviceTimeout(f"printer {self.name}: timed out trying to {what}: {err}") from err
        except (OSError, EscposError, ValueError) as err:
            cls = DeviceInitError if what == "open" else DeviceOperationError
            raise cls(f"printer {self.name}: could not {what}: {err}") from err

    def _query_blocking(self) -> bytes:
        self._discard_input_blocking()
        self._write_blocking(STATUS_QUERY)
        return self._read_blocking(REPLY_LENGTH, self.settings.status_timeout_s)

    async def _status_locked(self) -> PrinterStatus:
        if not self.supports_status:
            raise StatusUnavailable(f"printer {self.name}: the {type(self).__name__} backend cannot read status")
        reply = await self._run(self._query_blocking, "read status")
        if not reply:
            raise DeviceTimeout(
                f"printer {self.name}: no answer to DLE EOT within {self.settings.status_timeout_s} s "
                "(off, unplugged, or a model without real-time status)"
            )
        try:
            bits = parse_status_reply(reply)
        except FrameError as err:
            log.error("printer %s: bad status reply %s: %s", self.name, reply.hex(" "), err)
            raise
        return bits.to_status(device=self.name, drawer_level=self.drawer_level)

    async def _fail(self, entry: SpoolEntry, reason: str, status: PrinterStatus | None) -> PrintFailed:
        entry = await asyncio.to_thread(self.spool.mark_failed, entry, reason)
        detail = f"receipt {entry.ref or entry.path.stem} not printed: {reason}; kept for reprint as {entry.path.name}"
        self._alert(PrinterStatus(
            online=status.online if status else False,
            paper_out=status.paper_out if status else False,
            paper_near_end=status.paper_near_end if status else False,
            cover_open=status.cover_open if status else False,
            drawer_open=status.drawer_open if status else None,
            device=self.name,
            detail=detail,
        ))
        return PrintFailed(f"printer {self.name}: {detail}", entry=entry, status=status)

    async def _print_entry(self, entry: SpoolEntry, data: bytes) -> None:
        async with self._lock:
            status: PrinterStatus | None = None
            try:
                if self.supports_status:
                    status = await self._status_locked()
                    if not status.online or status.paper_out or status.cover_open:
                        raise await self._fail(entry, status.detail, status)
                    if status.paper_near_end:
                        self._alert(status)
                await self._run(lambda: self._write_blocking(data), "print")
                if self.supports_status:
                    status = await self._status_locked()
                    if not status.online or status.paper_out or status.cover_open:
                        raise await self._fail(entry, f"{status.detail} while printing (receipt may be incomplete)", status)
            except PrintFailed:
                raise
            except (DeviceOperationError, FrameError) as err:
                raise await self._fail(entry, str(err), status) from err
        await asyncio.to_thread(self.spool.done, entry)

    # -- backend hooks (blocking; run on the printer's thread) -------------------------------

    @abc.abstractmethod
    def _open_blocking(self) -> None: ...

    @abc.abstractmethod
    def _write_blocking(self, data: bytes) -> None: ...

    def _read_blocking(self, n: int, timeout: float) -> bytes:
        raise StatusUnavailable(f"printer {self.name}: the {type(self).__name__} backend cannot read")

    def _discard_input_blocking(self) -> None:
        return None

    @abc.abstractmethod
    def _close_blocking(self) -> None: ...
