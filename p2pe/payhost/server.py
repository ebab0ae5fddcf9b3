"""HTTPS with mutual TLS: h11 (sans-I/O HTTP/1.1) over asyncio streams and the stdlib ssl module.

Only POST /v1/{authorize,status,reverse,refund} and GET /v1/health exist. A client without a
certificate from the configured CA never gets past the handshake. Bodies are limited to 64 KiB.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl

import h11

from p2pe.payhost.service import HostError, PaymentService
from p2pe.payhost.wire import REQUESTS, ErrorBody, WireError, decode_request, encode

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


def server_context(cert: str, key: str, client_ca: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=client_ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_cert_chain(cert, key)
    return ctx


def peer_identity(writer: asyncio.StreamWriter) -> str:
    cert = writer.get_extra_info("peercert") or {}
    for rdn in cert.get("subject", ()):
        for name, value in rdn:
            if name == "commonName":
                return str(value)
    return ""


class PayhostServer:
    def __init__(self, service: PaymentService, context: ssl.SSLContext) -> None:
        self.service = service
        self._ctx = context
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        self._server = await asyncio.start_server(self._connection, host, port, ssl=self._ctx)
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = peer_identity(writer)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=16 * 1024)
        try:
            while True:
                request, body = await self._read_request(conn, reader)
                if request is None:
                    return
                status, payload = await self._handle(request, body, peer)
                self._respond(conn, writer, status, payload)
                await writer.drain()
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    return
                conn.start_next_cycle()
        except h11.RemoteProtocolError as err:
            log.warning("payhost: malformed HTTP from %s: %s", peer or "?", err)
            with contextlib.suppress(h11.LocalProtocolError, ConnectionError, ssl.SSLError):
                self._respond(conn, writer, err.error_status_hint,
                              encode(ErrorBody(error="bad_request", message=f"malformed HTTP: {err}")))
                await writer.drain()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError) as err:
            log.info("payhost: connection from %s ended: %s", peer or "?", err)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    async def _read_request(self, conn: h11.Connection, reader: asyncio.StreamReader
                            ) -> tuple[h11.Request | None, bytes]:
        request: h11.Request | None = None
        body = b""
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                conn.receive_data(data)
                if not data and conn.their_state is h11.IDLE:
                    return None, b""
                continue
            if isinstance(event, h11.ConnectionClosed):
                return None, b""
            if isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > MAX_BODY:
                    raise h11.RemoteProtocolError("request body over 64 KiB", error_status_hint=413)
            elif isinstance(event, h11.EndOfMessage):
                return request, body

    async def _handle(self, request: h11.Request, body: bytes, peer: str) -> tuple[int, bytes]:
        path = request.target.decode("ascii", "replace")
        method = request.method.decode("ascii", "replace")
        if method == "GET" and path == "/v1/health":
            return 200, b'{"v":1,"ok":true}'
        if method != "POST" or path not in REQUESTS:
            log.warning("payhost: %s %s from %s refused: no such operation", method, path[:80], peer)
            return 404, encode(ErrorBody(error="not_found", message=f"no operation {method} {path[:80]}"))
        try:
            req = decode_request(path, body)
            op = getattr(self.service, path.removeprefix("/v1/").replace("/", "_"))
            return 200, encode(await op(req, peer))
        except WireError as err:
            log.warning("payhost: %s from %s refused: %s", path, peer, err)
            return 400, encode(ErrorBody(error="bad_request", message=str(err)))
        except HostError as err:
            log.warning("payhost: %s from %s refused: %s", path, peer, err)
            return err.status, encode(ErrorBody(error=err.error, message=str(err)))

    def _respond(self, conn: h11.Connection, writer: asyncio.StreamWriter, status: int, payload: bytes) -> None:
        headers = [("content-type", "application/json"), ("content-length", str(len(payload)))]
        writer.write(conn.send(h11.Response(status_code=status, headers=headers)))
        writer.write(conn.send(h11.Data(data=payload)))
        writer.write(conn.send(h11.EndOfMessage()))
