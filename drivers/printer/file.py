"""File printers through python-escpos' `File`: a device node (/dev/usb/lp0) or a plain file.

Write-only: no status channel, so print() cannot confirm paper and status() is unavailable.
"""

from __future__ import annotations

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File

from drivers.events import DeviceInitError
from drivers.printer.base import Printer
from drivers.printer.settings import FileSettings
from drivers.printer.spool import ReprintSpool


class FilePrinter(Printer):
    Settings = FileSettings
    supports_status = False

    def __init__(self, settings: FileSettings, *, spool: ReprintSpool) -> None:
        super().__init__(settings, spool=spool)
        self.path = settings.path
        self._dev: File | None = None

    def _open_blocking(self) -> None:
        dev = File(self.path, auto_flush=True, profile=self.profile.name)
        try:
            dev.open()
        except DeviceNotFoundError as err:
            raise DeviceInitError(f"printer {self.name}: cannot open {self.path}: {err}") from err
        self._dev = dev

    def _write_blocking(self, data: bytes) -> None:
        assert self._dev is not None
        self._dev._raw(data)

    def _close_blocking(self) -> None:
        if self._dev is not None:
            self._dev.close()
            self._dev = None
