"""Serial printers (RS-232 or USB-serial) through python-escpos' `Serial` (pyserial)."""

from __future__ import annotations

import time

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Serial

from drivers.events import DeviceInitError
from drivers.printer.base import Printer
from drivers.printer.settings import SerialSettings
from drivers.printer.spool import ReprintSpool


class SerialPrinter(Printer):
    Settings = SerialSettings

    def __init__(self, settings: SerialSettings, *, spool: ReprintSpool) -> None:
        super().__init__(settings, spool=spool)
        self.serial_settings = settings
        self._dev: Serial | None = None

    def _open_blocking(self) -> None:
        s = self.serial_settings
        dev = Serial(
            devfile=s.port, baudrate=s.baudrate, bytesize=s.bytesize, timeout=s.status_timeout_s,
            parity=s.parity, stopbits=s.stopbits, xonxoff=s.xonxoff, dsrdtr=s.dsrdtr,
            profile=self.profile.name,
        )
        try:
            dev.open()
        except DeviceNotFoundError as err:
            raise DeviceInitError(f"printer {self.name}: cannot open serial port {s.port}: {err}") from err
        self._dev = dev

    def _write_blocking(self, data: bytes) -> None:
        assert self._dev is not None
        self._dev._raw(data)
        self._dev.device.flush()  # type: ignore[union-attr]

    def _read_blocking(self, n: int, timeout: float) -> bytes:
        assert self._dev is not None
        port, buf = self._dev.device, bytearray()
        deadline = time.monotonic() + timeout
        while len(buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            port.timeout = remaining  # type: ignore[union-attr]
            buf += port.read(n - len(buf))  # type: ignore[union-attr]
        return bytes(buf)

    def _discard_input_blocking(self) -> None:
        assert self._dev is not None
        self._dev.device.reset_input_buffer()  # type: ignore[union-attr]

    def _close_blocking(self) -> None:
        if self._dev is not None:
            self._dev.close()
            self._dev = None
