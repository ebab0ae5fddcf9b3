"""An async face over one paho-mqtt 2.x connection, driven by our asyncio loop.

paho does the MQTT; we own the I/O. Its socket callbacks register the socket with the event
loop (`add_reader` -> `loop_read`, `add_writer` -> `loop_write`) and a small task calls
`loop_misc` for keepalive, as aiomqtt 2.5 does. Only paho's blocking `connect()` (TCP and TLS
handshakes) runs in an executor. Every request that awaits an ack gets a future keyed by its
message id, removed in `finally`, and every wait has a timeout. Incoming messages go into a
bounded queue; overflow is logged and dropped (never blocks paho). Iterating messages raises
`ConnectionLost` when the connection ends instead of hanging.

A `Client` is one connection attempt: connect once, use, close. Reconnecting means a new
`Client`; `mqtt.supervisor.Supervisor` does that and owns the backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import select
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from mqtt.errors import ConnectFailed, ConnectionLost, LinkError, LinkMisuse, LinkTimeout, RequestRefused
from mqtt.topics import Topic, TopicError, Wildcard, as_filter

log = logging.getLogger(__name__)

# Packets handled per readable event before yielding to other tasks.
_READ_BURST = 256


@dataclass(frozen=True, slots=True)
class ClientTls:
    """Files for mutual TLS: the CA to trust, and our certificate and 0600 key."""

    ca: Path
    cert: Path
    key: Path
    check_hostname: bool = True

    def context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca))
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.check_hostname = self.check_hostname
        ctx.load_cert_chain(str(self.cert), str(self.key))
        return ctx


@dataclass(frozen=True, slots=True)
class Will:
    topic: Topic
    payload: bytes
    qos: int = 1
    retain: bool = True


@dataclass(frozen=True, slots=True)
class Message:
    topic: Topic
    payload: bytes
    qos: int
    retain: bool


def _code(rc: ReasonCode | int) -> int:
    return rc.value if isinstance(rc, ReasonCode) else int(rc)


class Client:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        client_id: str,
        tls: ClientTls | None = None,
        will: Will | None = None,
        keepalive: int = 30,
        timeout: float = 10.0,
        queue_size: int = 10_000,
        max_inflight: int = 100,
    ) -> None:
        self.host, self.port, self.client_id = host, port, client_id
        self.timeout = timeout
        self.keepalive = keepalive
        self.dropped = 0
        self.session_present = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=queue_size)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._connected: asyncio.Future[None] | None = None
        self._disconnected: asyncio.Future[LinkError | None] | None = None
        self._misc: asyncio.Task[None] | None = None
        self._fd: int | None = None
        self._state = "new"  # new -> connecting -> connected -> closed

        c = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
        if tls is not None:
            c.tls_set_context(tls.context())
        c.max_inflight_messages_set(max_inflight)
        if will is not None:
            c.will_set(will.topic.value, will.payload, will.qos, will.retain)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_publish = self._on_publish
        c.on_subscribe = self._on_subscribe
        c.on_unsubscribe = self._on_subscribe
        c.on_message = self._on_message
        c.on_socket_open = self._on_socket_open
        c.on_socket_close = self._on_socket_close
        c.on_socket_register_write = self._on_socket_register_write
        c.on_socket_unregister_write = self._on_socket_unregister_write
        self._paho = c

    # -- lifecycle ------------------------------------------------------------------------
    async def __aenter__(self) -> Client:
        await self.connect()
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    @property
    def is_connected(self) -> bool:
        return self._state == "connected" and self._disconnected is not None and not self._disconnected.done()

    async def connect(self) -> None:
        if self._state != "new":
            raise LinkMisuse("a Client connects once; build a fresh Client for each connection attempt")
        self._state = "connecting"
        loop = asyncio.get_running_loop()
        self._loop, self._loop_thread = loop, threading.get_ident()
        self._connected = loop.create_future()
        self._disconnected = loop.create_future()
        try:
            try:
                rc = await loop.run_in_executor(
                    None, lambda: self._paho.connect(self.host, self.port, self.keepalive, clean_start=True)
                )
            except (OSError, ssl.SSLError) as err:
                raise ConnectFailed(f"cannot connect to {self.host}:{self.port} as {self.client_id!r}: {err}") from err
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                raise ConnectFailed(f"cannot connect to {self.host}:{self.port}: {paho.error_string(rc)}")
            await self._wait(self._connected, self.timeout, "CONNACK")
        except BaseException:
            self._teardown()
            self._state = "closed"
            raise
        self._state = "connected"

    async def close(self, timeout: float = 5.0) -> None:
        """Disconnect cleanly if connected (the broker then drops our will); idempotent."""
        if self._state == "connected" and self._disconnected is not None and not self._disconnected.done():
            self._state = "closing"
            self._paho.disconnect()
            with contextlib.suppress(LinkError, asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._disconnected), timeout)
        self._teardown()
        self._state = "closed"

    def abort(self) -> None:
        """Drop the socket without DISCONNECT, so the broker publishes our will (tests, faults)."""
        if self._disconnected is not None and not self._disconnected.done():
            self._disconnected.set_result(ConnectionLost(f"connection of {self.client_id!r} aborted"))
        self._teardown()
        self._state = "closed"

    def _teardown(self) -> None:
        if self._misc is not None:
            self._misc.cancel()
            self._misc = None
        if self._fd is not None and self._loop is not None:
            self._loop.remove_reader(self._fd)
            self._loop.remove_writer(self._fd)
            self._fd = None
        # paho closes its socket again when garbage-collected, maybe after our loop is gone:
        # unhook first so that late close cannot call back into a closed loop.
        for name in ("on_socket_open", "on_socket_close", "on_socket_register_write", "on_socket_unregister_write"):
            setattr(self._paho, name, None)
        sock = self._paho.socket()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        err = ConnectionLost(f"connection of {self.client_id!r} closed")
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(err)
        if self._disconnected is not None and not self._disconnected.done():
            self._disconnected.set_result(None)
        if self._connected is not None and not self._connected.done():
            self._connected.set_exception(ConnectFailed(f"connection of {self.client_id!r} closed before CONNACK"))
            self._connected.exception()  # retrieved here: the caller already has its own error

    async def _wait(self, fut: asyncio.Future[Any], timeout: float | None, what: str) -> Any:
        try:
            return await asyncio.wait_for(asyncio.shield(fut), self.timeout if timeout is None else timeout)
        except TimeoutError as err:
            raise LinkTimeout(f"no {what} from {self.host}:{self.port} within {timeout or self.timeout}s") from err

    def _require_connected(self) -> None:
        lost = self._disconnected.result() if self._disconnected is not None and self._disconnected.done() else None
        if lost is not None:
            raise lost
        if self._state != "connected":
            raise LinkMisuse(f"client {self.client_id!r} is {self._state}, not connected")

    # -- requests -------------------------------------------------------------------------
    async def publish(
        self,
        topic: Topic | str,
        payload: bytes,
        *,
        qos: int = 0,
        retain: bool = False,
        timeout: float | None = None,
        properties: Properties | None = None,
    ) -> None:
        """Publish; for QoS 1/2 return when the broker acknowledged, raise RequestRefused on a failure code."""
        t = topic if isinstance(topic, Topic) else Topic(topic)
        self._require_connected()
        info = self._paho.publish(t.value, payload, qos, retain, properties)
        if info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN:
            raise ConnectionLost(f"publish to {t} failed: not connected")
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise LinkError(f"publish to {t} failed: {paho.error_string(info.rc)}")
        if qos == 0:
            return
        assert self._loop is not None
        fut: asyncio.Future[ReasonCode] = self._loop.create_future()
        self._pending[info.mid] = fut
        try:
            rc = await self._wait(fut, timeout, f"PUBACK for {t} (mid {info.mid})")
        finally:
            self._pending.pop(info.mid, None)
        if _code(rc) >= 0x80:
            raise RequestRefused(f"broker refused publish to {t}: {rc} (0x{_code(rc):02X})", reason_code=_code(rc))

    async def subscribe(self, *filters: Topic | Wildcard | str, qos: int = 1, timeout: float | None = None) -> list[int]:
        subs = [(as_filter(f).value, SubscribeOptions(qos=qos)) for f in filters]
        return await self._request(self._paho.subscribe(subs), subs, timeout, "SUBACK")

    async def unsubscribe(self, *filters: Topic | Wildcard | str, timeout: float | None = None) -> list[int]:
        values = [as_filter(f).value for f in filters]
        return await self._request(self._paho.unsubscribe(values), values, timeout, "UNSUBACK")

    async def _request(self, sent: tuple[MQTTErrorCode, int | None], what: Iterable[Any], timeout: float | None, ack: str) -> list[int]:
        self._require_connected()
        rc, mid = sent
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or mid is None:
            raise ConnectionLost(f"{ack[:-3].lower()}scribe failed: {paho.error_string(rc)}")
        assert self._loop is not None
        fut: asyncio.Future[list[ReasonCode]] = self._loop.create_future()
        self._pending[mid] = fut
        try:
            codes = [_code(c) for c in await self._wait(fut, timeout, f"{ack} (mid {mid})")]
        finally:
            self._pending.pop(mid, None)
        bad = [(w, c) for w, c in zip(what, codes, strict=False) if c >= 0x80]
        if bad:
            raise RequestRefused(f"broker refused {bad[0][0]!r}: reason 0x{bad[0][1]:02X}", reason_code=bad[0][1])
        return codes

    # -- incoming -------------------------------------------------------------------------
    async def next_message(self, timeout: float | None = None) -> Message:
        """The next message; raises ConnectionLost when the connection ends, LinkTimeout on timeout."""
        if not self._queue.empty():
            return self._queue.get_nowait()
        self._require_connected()
        assert self._disconnected is not None
        get = asyncio.ensure_future(self._queue.get())
        try:
            done, _ = await asyncio.wait({get, self._disconnected}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not get.done():
                get.cancel()
        if get in done:
            return get.result()
        if self._disconnected.done():
            self._require_connected()
        raise LinkTimeout(f"no message within {timeout}s")

    async def messages(self) -> AsyncIterator[Message]:
        while True:
            yield await self.next_message()

    # -- paho callbacks (all on the loop thread, except socket open/write during connect) --
    def _on_connect(self, _c: paho.Client, _u: Any, flags: Any, rc: ReasonCode, _p: Any) -> None:
        assert self._connected is not None
        if self._connected.done():
            return
        if rc.is_failure:
            self._connected.set_exception(
                ConnectFailed(f"broker refused {self.client_id!r}: {rc} (0x{_code(rc):02X})", reason_code=_code(rc))
            )
        else:
            self.session_present = bool(getattr(flags, "session_present", False))
            self._connected.set_result(None)

    def _on_disconnect(self, _c: paho.Client, _u: Any, _f: Any, rc: ReasonCode, _p: Any) -> None:
        code = _code(rc)
        if self._connected is not None and not self._connected.done():
            self._connected.set_exception(
                ConnectFailed(
                    f"{self.host}:{self.port} closed the connection before CONNACK ({rc}); a refused client "
                    "certificate (unknown CA, revoked) looks like this",
                    reason_code=code,
                )
            )
        err = None if self._state == "closing" and code == 0 else ConnectionLost(
            f"connection of {self.client_id!r} to {self.host}:{self.port} lost: {rc} (0x{code:02X})", reason_code=code
        )
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(err or ConnectionLost("connection closed"))
        if self._disconnected is not None and not self._disconnected.done():
            self._disconnected.set_result(err)
        if err is not None:
            log.warning("%s", err)

    def _resolve(self, mid: int, value: Any) -> None:
        fut = self._pending.get(mid)
        if fut is not None and not fut.done():
            fut.set_result(value)

    def _on_publish(self, _c: paho.Client, _u: Any, mid: int, rc: ReasonCode, _p: Any) -> None:
        self._resolve(mid, rc)

    def _on_subscribe(self, _c: paho.Client, _u: Any, mid: int, rcs: list[ReasonCode], _p: Any) -> None:
        self._resolve(mid, rcs)

    def _on_message(self, _c: paho.Client, _u: Any, msg: paho.MQTTMessage) -> None:
        try:
            topic = Topic(msg.topic)
        except (TopicError, UnicodeDecodeError) as err:
            log.warning("dropped a message with an invalid topic: %s", err)
            return
        try:
            self._queue.put_nowait(Message(topic, bytes(msg.payload), msg.qos, bool(msg.retain)))
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning("incoming queue full (%d): dropped a message on %s", self._queue.maxsize, topic)

    def _call(self, fn: Callable[[], None]) -> None:
        assert self._loop is not None
        if threading.get_ident() == self._loop_thread:
            fn()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn)

    def _on_socket_open(self, _c: paho.Client, _u: Any, sock: Any) -> None:
        fd = sock.fileno()

        def register() -> None:
            assert self._loop is not None
            self._fd = fd
            self._loop.add_reader(fd, self._on_readable)
            self._misc = self._loop.create_task(self._misc_loop())

        self._call(register)

    def _on_socket_close(self, _c: paho.Client, _u: Any, _sock: Any) -> None:
        def unregister() -> None:
            if self._fd is not None and self._loop is not None:
                self._loop.remove_reader(self._fd)
                self._loop.remove_writer(self._fd)
                self._fd = None
            if self._misc is not None:
                self._misc.cancel()
                self._misc = None

        self._call(unregister)

    def _on_socket_register_write(self, _c: paho.Client, _u: Any, _sock: Any) -> None:
        def register() -> None:
            if self._fd is not None and self._loop is not None:
                self._loop.add_writer(self._fd, self._paho.loop_write)

        self._call(register)

    def _on_socket_unregister_write(self, _c: paho.Client, _u: Any, _sock: Any) -> None:
        def unregister() -> None:
            if self._fd is not None and self._loop is not None:
                self._loop.remove_writer(self._fd)

        self._call(unregister)

    def _on_readable(self) -> None:
        # paho reads one packet per loop_read; TLS may hold decrypted bytes the selector
        # cannot see, so keep reading while the socket has data, in bounded bursts.
        for _ in range(_READ_BURST):
            if self._paho.loop_read() != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return
            sock = self._paho.socket()
            if sock is None:
                return
            if isinstance(sock, ssl.SSLSocket) and sock.pending():
                continue
            try:
                readable, _, _ = select.select([sock], [], [], 0)
            except (OSError, ValueError):
                return
            if not readable:
                return
        assert self._loop is not None
        self._loop.call_soon(self._on_readable_if_open)

    def _on_readable_if_open(self) -> None:
        if self._fd is not None:
            self._on_readable()

    async def _misc_loop(self) -> None:
        while self._paho.loop_misc() == MQTTErrorCode.MQTT_ERR_SUCCESS:
            await asyncio.sleep(1)
