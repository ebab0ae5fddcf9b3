"""Printer errors, on the shared driver tree (drivers.events):

    DriverError
    ├── BackendUnavailable        (shared) library or device support missing
    ├── DeviceInitError           (shared) the printer did not open
    ├── DeviceOperationError      (shared)
    │   ├── DeviceTimeout         (shared) no answer in time
    │   ├── StatusUnavailable     this backend has no read channel (file) or the printer never answers
    │   ├── PrintFailed           the receipt did not print; it is in the reprint spool (`.entry`)
    │   └── DrawerError           the drawer kick was sent but the drawer does not report open
    ├── FrameError                (shared) status/spool bytes that do not parse (offset, reason)
    └── PrinterConfigError        (also ValueError) bad profile / code page / settings
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.events import DeviceOperationError, DriverError, PrinterStatus

if TYPE_CHECKING:
    from drivers.printer.spool import SpoolEntry


class PrinterConfigError(DriverError, ValueError):
    pass


class StatusUnavailable(DeviceOperationError):
    pass


class PrintFailed(DeviceOperationError):
    def __init__(self, message: str, *, entry: SpoolEntry | None, status: PrinterStatus | None = None) -> None:
        super().__init__(message)
        self.entry = entry
        self.status = status


class DrawerError(DeviceOperationError):
    def __init__(self, message: str, *, status: PrinterStatus | None = None) -> None:
        super().__init__(message)
        self.status = status
