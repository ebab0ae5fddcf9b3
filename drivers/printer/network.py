"""Network printers (raw TCP, port 9100) through python-escpos' `Network`.

Epson and most clones answer DLE EOT on the same connection, so status works here.
"""

from __future__ import annotations

import socket
import time

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network

from drivers.events import DeviceInitError, DeviceOperationError
from drivers.printer.base import Printer
from drivers.printer.settings import NetworkSettings
from drivers.printer.spool import ReprintSpool


class NetworkPrinter(Printer):
    Settings = NetworkSettings

    def __init__(self, settings: NetworkSettings, *, spool: ReprintSpool) -> None:
        super().__init__(settings, spool=spool)
        self.host, self.port, self.timeout_s = settings.host, settings.port, settings.timeout_s
        self._dev: Network | None = None

    def _open_blocking(self) -> None:
        dev = Network(self.host, self.port, timeout=self.timeout_s, profile=self.profile.name)
        try:
            dev.open()
        except DeviceNotFoundError as err:
            raise DeviceInitError(f"printer {self.name}: cannot connect to {self.host}:{self.port}: {err}") from err
        self._dev = dev

    @property
    def _sock(self) -> socket.socket:
        assert self._dev is not None and self._dev.device is not None
        return self._dev.device  # type: ignore[return-value]

    def _write_blocking(self, data: bytes) -> None:
        assert self._dev is not None
        self._dev._raw(data)

    def _read_blocking(self, n: int, timeout: float) -> bytes:
        sock, buf = self._sock, bytearray()
        deadline = time.monotonic() + timeout
        try:
            while len(buf) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                sock.settimeout(remaining)
                try:
                    chunk = sock.recv(n - len(buf))
                except TimeoutError:
                    break
                if not chunk:
                    raise DeviceOperationError(f"printer {self.name}: {self.host}:{self.port} closed the connection")
                buf += chunk
        finally:
            sock.settimeout(self.timeout_s)
        return bytes(buf)

    def _discard_input_blocking(self) -> None:
        sock = self._sock
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except BlockingIOError:
            pass
        finally:
            sock.settimeout(self.timeout_s)

    def _close_blocking(self) -> None:
        if self._dev is not None:
            self._dev.close()
            self._dev = None
