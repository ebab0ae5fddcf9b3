"""The PIN-pad driver: one abstract base owning the protocol policy, backends own the bytes.

A backend implements ``_open()`` returning a non-blocking file descriptor (serial port or pty)
and ``_close_backend()``. Everything else — framing, ACK/NAK, retransmit, timeouts, matching
replies, stale-transaction clean-up, late card reads — is here, shared by every backend.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Self, TypeVar

from drivers.events import CardRead, DeviceOperationError, DeviceTimeout, DriverError, FrameError
from drivers.pinpad import protocol
from drivers.pinpad.firmware import wire
from drivers.pinpad.protocol import Ok, PadStatus, Refusal, Reply, SelfTestResult, TxnState

log = logging.getLogger(__name__)
T = TypeVar("T")

ACK_TIMEOUT = 0.3
RETRIES = 4
REPLY_TIMEOUT = 3.0
INTERBYTE = 0.1
EVENT_QUEUE = 64


class PinPadRefused(DeviceOperationError):
    """The PIN pad answered a request with an error (``code``: BUSY, NOT_PENDING, NO_KEY, ...)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"PIN pad refused the request: {refusal.code} ({refusal.detail})")
        self.code = refusal.code
        self.detail = refusal.detail
        self.transaction_id = refusal.transaction_id


class PinPad(abc.ABC):
    """Async PIN pad. Use as ``async with await open_pinpad("serial", port=...) as pad``."""

    def __init__(self, name: str, *, ack_timeout: float = ACK_TIMEOUT, retries: int = RETRIES,
                 reply_timeout: float = REPLY_TIMEOUT) -> None:
        self.name = name
        self._ack_timeout = ack_timeout
        self._retries = retries
        self._reply_timeout = reply_timeout
        self._fd: int | None = None
        self._is_shutdown = True
        self._deframer = wire.Deframer()
        self._flush_handle: asyncio.TimerHandle | None = None
        self._seq = 0
        self._lock = asyncio.Lock()
        self._ack: asyncio.Future[bool] | None = None  # True = ACK, False = NAK
        self._ack_seq = -1
        self._reply: asyncio.Future[Reply] | None = None
        self._result_for: str | None = None
        self._asked = 0  # type of the request awaiting its reply
        self._last_rx: tuple[int, bytes] | None = None
        self._active: dict[str, asyncio.Future[CardRead]] = {}
        self._seen_reads: list[tuple[str, bytes]] = []  # recent (txn, KSN), to drop retransmitted reads
        self._out = bytearray()
        self._closed: asyncio.Event = asyncio.Event()
        self._events: asyncio.Queue[CardRead] = asyncio.Queue(EVENT_QUEUE)
        self.frame_errors: list[FrameError] = []

    # ---- lifecycle ----
    @abc.abstractmethod
    async def _open(self) -> int:
        """Open the device; return a non-blocking fd that carries the framed protocol."""

    @abc.abstractmethod
    async def _close_backend(self) -> None:
        """Release what ``_open`` acquired."""

    async def open(self) -> Self:
        self._fd = await self._open()
        self._is_shutdown = False
        asyncio.get_running_loop().add_reader(self._fd, self._readable)
        return self

    async def close(self) -> None:
        if self._is_shutdown:
            return
        self._is_shutdown = True
        self._closed.set()
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            asyncio.get_running_loop().remove_writer(self._fd)
        if self._flush_handle:
            self._flush_handle.cancel()
        for fut in (self._ack, self._reply, *self._active.values()):
            if fut is not None and not fut.done():
                fut.cancel()
        await self._close_backend()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- public API ----
    async def status(self) -> PadStatus:
        reply = await self._request(wire.STATUS, {})
        return self._expect(reply, PadStatus)

    async def display(self, text: str) -> None:
        self._ok(await self._request(wire.DISPLAY, {"text": text}))

    async def start_transaction(self, transaction_id: str, amount: int, currency: str) -> None:
        """Show ``amount`` (integer minor units) and wait for a card. A different transaction still
        pending on the pad (a stale amount from before a lane restart) is cancelled first."""
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError("amount is integer minor units")
        status = await self.status()
        if status.transaction_id not in (None, transaction_id):
            log.warning("%s: cancelling stale transaction %s before %s", self.name, status.transaction_id,
                        transaction_id)
            await self.cancel(status.transaction_id)
        fut: asyncio.Future[CardRead] = asyncio.get_running_loop().create_future()
        self._active[transaction_id] = fut
        try:
            reply = await self._request(wire.START, {"txn": transaction_id, "amount": amount, "currency": currency})
            if isinstance(reply, Refusal) and reply.code == "BUSY" and reply.transaction_id not in (None, transaction_id):
                await self.cancel(reply.transaction_id)  # raced with another start: clean up once more
                reply = await self._request(wire.START, {"txn": transaction_id, "amount": amount,
                                                         "currency": currency})
            self._ok(reply)
        except BaseException:
            self._active.pop(transaction_id, None)
            raise

    async def cancel(self, transaction_id: str) -> bool:
        """Cancel ``transaction_id`` on the pad only. False if the pad had no such pending transaction."""
        fut = self._active.pop(transaction_id, None)
        if fut is not None and not fut.done():
            fut.cancel()
        reply = await self._request(wire.CANCEL, {"txn": transaction_id})
        if isinstance(reply, Refusal) and reply.code == "NOT_PENDING":
            return False
        self._ok(reply)
        return True

    async def wait_card(self, transaction_id: str, timeout: float) -> CardRead:
        """The card read for ``transaction_id``. On timeout the lane gives up: the transaction is
        cancelled on the pad and DeviceTimeout raised; a read that still arrives is a late one."""
        fut = self._active.get(transaction_id)
        if fut is None:
            raise RuntimeError(f"transaction {transaction_id!r} was not started on {self.name}")
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout)
        except TimeoutError:
            with contextlib.suppress(DriverError):
                await self.cancel(transaction_id)
            self._active.pop(transaction_id, None)
            if fut.done() and not fut.cancelled():
                return fut.result()  # it arrived while we were cancelling
            raise DeviceTimeout(f"{self.name}: no card for transaction {transaction_id} "
                                f"within {timeout} s; cancelled") from None

    async def result(self, transaction_id: str) -> CardRead | TxnState:
        """Ask the pad what became of ``transaction_id`` (after a lost reply or a lane restart)."""
        reply = await self._request(wire.RESULT, {"txn": transaction_id}, result_for=transaction_id)
        if isinstance(reply, CardRead | TxnState):
            return reply
        raise self._unexpected(reply)

    async def inject_key(self, key_block: str) -> None:
        """Load the DUKPT initial key (TR-31 block, usage B1, IK block); the pad accepts it once."""
        self._ok(await self._request(wire.KEY_INJECT, {"key_block": key_block}))

    async def self_test(self) -> SelfTestResult:
        return self._expect(await self._request(wire.SELF_TEST, {}, timeout=30.0), SelfTestResult)

    async def events(self) -> AsyncIterator[CardRead]:
        """Every card read in arrival order, including late ones (``late=True``)."""
        closed = asyncio.ensure_future(self._closed.wait())
        try:
            while not self._is_shutdown:
                get = asyncio.ensure_future(self._events.get())
                await asyncio.wait({get, closed}, return_when=asyncio.FIRST_COMPLETED)
                if not get.done():
                    get.cancel()
                    return  # closed: the iteration ends instead of hanging
                yield get.result()
        finally:
            closed.cancel()

    def pending_event(self) -> CardRead | None:
        try:
            return self._events.get_nowait()
        except asyncio.QueueEmpty:
            return None

    # ---- replies ----
    def _ok(self, reply: Reply) -> None:
        if isinstance(reply, Refusal):
            raise PinPadRefused(reply)
        if not isinstance(reply, Ok):
            raise self._unexpected(reply)

    def _expect(self, reply: Reply, kind: type[T]) -> T:
        if isinstance(reply, Refusal):
            raise PinPadRefused(reply)
        if not isinstance(reply, kind):
            raise self._unexpected(reply)
        return reply

    def _unexpected(self, reply: Reply) -> DeviceOperationError:
        return DeviceOperationError(f"{self.name}: unexpected reply {type(reply).__name__}")

    # ---- the link ----
    def _write(self, data: bytes) -> None:
        """Queue ``data`` and write what the fd takes now; the rest goes when it is writable."""
        if self._fd is None or self._is_shutdown:
            raise DeviceOperationError(f"{self.name} is closed")
        pending = bool(self._out)
        self._out += data
        if not pending:
            self._flush_out()

    def _flush_out(self) -> None:
        assert self._fd is not None
        loop = asyncio.get_running_loop()
        try:
            while self._out:
                del self._out[:os.write(self._fd, self._out)]
        except BlockingIOError:
            loop.add_writer(self._fd, self._flush_out)
            return
        except OSError as err:
            log.error("%s: write failed: %s", self.name, err)
            self._out.clear()
        loop.remove_writer(self._fd)

    async def _request(self, kind: int, fields: dict, *, timeout: float | None = None,
                       result_for: str | None = None) -> Reply:
        payload = protocol.request(kind, **fields)
        async with self._lock:
            loop = asyncio.get_running_loop()
            self._reply = loop.create_future()
            self._result_for = result_for
            self._asked = kind
            try:
                await self._send_reliably(payload)  # raises its own DeviceTimeout
                try:
                    return await asyncio.wait_for(asyncio.shield(self._reply), timeout or self._reply_timeout)
                except TimeoutError:
                    raise DeviceTimeout(f"{self.name}: request 0x{kind:02X} acknowledged, never answered") from None
            finally:
                self._reply = None
                self._result_for = None

    async def _send_reliably(self, payload: bytes) -> None:
        self._seq = (self._seq + 1) & 0xFF
        frame = wire.encode_frame(self._seq, payload)
        loop = asyncio.get_running_loop()
        for attempt in range(1, self._retries + 1):
            self._ack = loop.create_future()
            self._ack_seq = self._seq
            self._write(frame)
            try:
                if await asyncio.wait_for(self._ack, self._ack_timeout):
                    return
                log.info("%s: NAK for frame %d (attempt %d)", self.name, self._seq, attempt)
            except TimeoutError:
                log.info("%s: no ACK for frame %d (attempt %d)", self.name, self._seq, attempt)
            finally:
                self._ack = None
        raise DeviceTimeout(f"{self.name}: frame not acknowledged after {self._retries} tries")

    def _readable(self) -> None:
        assert self._fd is not None
        try:
            data = os.read(self._fd, 4096)
        except BlockingIOError:
            return
        except OSError as err:
            log.error("%s: read failed: %s", self.name, err)
            return
        if self._flush_handle:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._items(self._deframer.feed(data))
        if self._deframer.pending:
            self._flush_handle = asyncio.get_running_loop().call_later(
                INTERBYTE, lambda: self._items(self._deframer.flush()))

    def _items(self, items: list) -> None:
        for item in items:
            if isinstance(item, wire.WireError):
                self._frame_error(FrameError(item.reason, item.offset))
            else:
                self._frame(item)

    def _frame_error(self, err: FrameError) -> None:
        log.warning("%s: %s", self.name, err)
        self.frame_errors = [*self.frame_errors[-31:], err]

    def _frame(self, frame: wire.Frame) -> None:
        kind = frame.payload[0] if frame.payload else -1
        if kind in (wire.ACK, wire.NAK):
            if self._ack is not None and not self._ack.done() and (kind == wire.NAK or frame.seq == self._ack_seq):
                self._ack.set_result(kind == wire.ACK)
            return
        self._write(wire.encode_frame(frame.seq, bytes([wire.ACK])))
        if self._last_rx == (frame.seq, frame.payload):
            return  # retransmission of a frame we already took
        self._last_rx = (frame.seq, frame.payload)
        try:
            reply = protocol.decode(frame.payload, self.name)
        except FrameError as err:
            self._frame_error(err)
            return
        if isinstance(reply, CardRead) and reply.transaction_id != self._result_for:
            self._card(reply)
        elif self._reply is not None and not self._reply.done() and self._answers(reply):
            self._reply.set_result(reply)
        else:
            # e.g. the answer to a request we already gave up on: never let it answer the next one
            log.warning("%s: stale or unsolicited %s dropped", self.name, type(reply).__name__)

    def _answers(self, reply: Reply) -> bool:
        if isinstance(reply, Ok | Refusal):
            return reply.request in (self._asked, 0)  # request 0: the pad could not parse what we sent
        expected = {wire.STATUS: PadStatus, wire.SELF_TEST: SelfTestResult, wire.RESULT: CardRead | TxnState}
        kind = expected.get(self._asked)
        if kind is None or not isinstance(reply, kind):
            return False
        if isinstance(reply, CardRead | TxnState):
            return reply.transaction_id == self._result_for
        return True

    def _card(self, read: CardRead) -> None:
        key = (read.transaction_id, read.ksn)
        if key in self._seen_reads:
            return
        self._seen_reads = [*self._seen_reads[-255:], key]
        fut = self._active.pop(read.transaction_id, None)
        if fut is None or fut.done():
            log.warning("%s: late card read for abandoned transaction %s: reverse it", self.name,
                        read.transaction_id)
            read = CardRead(read.transaction_id, read.ciphertext, read.ksn, read.masked_pan, read.entry_mode,
                            read.pin_block, True, read.device)
        else:
            fut.set_result(read)
        try:
            self._events.put_nowait(read)
        except asyncio.QueueFull:
            log.error("%s: event queue full, card read for %s dropped", self.name, read.transaction_id)
