"""``HttpsGateway``: the payment host over HTTPS with mutual TLS (h11 over asyncio streams).

One short connection per call keeps the state machine trivial and a half-dead connection from
outliving a request. Every call has a deadline; a connect failure is ``GatewayUnreachable``
(nothing was sent), a deadline after sending is ``GatewayTimeout`` (in doubt).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from typing import TypeVar

import h11
import msgspec

from appliance.payments.gateway import GatewayError, GatewayRefused, GatewayTimeout, GatewayUnreachable
from appliance.payments.wire import (
    Answer,
    CardAuthorization,
    ErrorBody,
    GiftBalance,
    GiftBalanceQuery,
    GiftRedeem,
    Refund,
    Reversal,
    StatusQuery,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
_encode = msgspec.json.Encoder().encode


def client_context(cert: str, key: str, ca: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    return ctx


class HttpsGateway:
    def __init__(self, host: str, port: int, context: ssl.SSLContext, *, timeout: float = 30.0,
                 connect_timeout: float = 5.0, server_name: str | None = None) -> None:
        self.host = host
        self.port = port
        self._ctx = context
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._server_name = server_name or host

    async def authorize(self, request: CardAuthorization) -> Answer:
        return await self._call("/v1/authorize", _encode(request))

    async def status(self, txn_id: str) -> Answer:
        return await self._call("/v1/status", _encode(StatusQuery(txn_id=txn_id)))

    async def reverse(self, txn_id: str, reason: str = "") -> Answer:
        return await self._call("/v1/reverse", _encode(Reversal(txn_id=txn_id, reason=reason)))

    async def refund(self, refund_id: str, txn_id: str, amount: int) -> Answer:
        return await self._call("/v1/refund", _encode(Refund(refund_id=refund_id, txn_id=txn_id, amount=amount)))

    async def redeem_gift(self, request: GiftRedeem) -> Answer:
        return await self._call("/v1/gift/redeem", _encode(request))

    async def gift_balance(self, card: str) -> GiftBalance:
        return await self._call("/v1/gift/balance", _encode(GiftBalanceQuery(card=card)), GiftBalance)

    async def _call(self, path: str, body: bytes, answer: type[T] = Answer) -> T:  # type: ignore[assignment]
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, ssl=self._ctx, server_hostname=self._server_name),
                self.connect_timeout)
        except (OSError, ssl.SSLError, TimeoutError) as err:
            raise GatewayUnreachable(f"payment host {self.host}:{self.port} unreachable: {err}") from err
        try:
            status, payload = await asyncio.wait_for(self._exchange(reader, writer, path, body), self.timeout)
        except TimeoutError as err:
            raise GatewayTimeout(f"payment host sent no answer to {path} within {self.timeout:g} s") from err
        except (OSError, ssl.SSLError, h11.ProtocolError) as err:
            # the request may have been read: in doubt, exactly like a timeout
            raise GatewayTimeout(f"connection to the payment host broke during {path}: {err}") from err
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()
        try:
            if status != 200:
                err = msgspec.json.decode(payload, type=ErrorBody)
                raise GatewayRefused(status, err.error, err.message)
            return msgspec.json.decode(payload, type=answer)
        except (msgspec.ValidationError, msgspec.DecodeError) as err:
            log.error("payment host answer to %s does not decode: %s", path, err)
            raise GatewayError(f"payment host answer to {path} ({status}) does not decode: {err}") from err

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str,
                        body: bytes) -> tuple[int, bytes]:
        conn = h11.Connection(h11.CLIENT)
        headers = [("host", self._server_name), ("content-type", "application/json"),
                   ("content-length", str(len(body))), ("connection", "close")]
        writer.write(conn.send(h11.Request(method="POST", target=path, headers=headers)))
        writer.write(conn.send(h11.Data(data=body)))
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
        status = 0
        payload = b""
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                conn.receive_data(data)
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                payload += event.data
                if len(payload) > 64 * 1024:
                    raise h11.RemoteProtocolError("answer over 64 KiB")
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return status, payload
