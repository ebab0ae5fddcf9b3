"""USB printers (printer class, bulk endpoints) through python-escpos' `Usb` (pyusb + libusb).

Status replies come back on the bulk IN endpoint. Needs libusb-1.0 (Debian `libusb-1.0-0`) and
permission on the device node (a udev rule for the VID:PID); both failures are reported as such.
"""

from __future__ import annotations

import time

from drivers.events import BackendUnavailable, DeviceInitError
from drivers.printer.base import Printer
from drivers.printer.settings import UsbSettings
from drivers.printer.spool import ReprintSpool

try:
    import usb.core
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Usb
except ImportError as err:  # pragma: no cover - pyusb is a declared dependency
    raise BackendUnavailable("usb", f"pyusb is not installed ({err})") from err


class UsbPrinter(Printer):
    Settings = UsbSettings

    def __init__(self, settings: UsbSettings, *, spool: ReprintSpool) -> None:
        super().__init__(settings, spool=spool)
        self.usb_settings = settings
        self._dev: Usb | None = None

    @property
    def ids(self) -> str:
        return f"{self.usb_settings.vendor_id:04x}:{self.usb_settings.product_id:04x}"

    def _open_blocking(self) -> None:
        s = self.usb_settings
        dev = Usb(s.vendor_id, s.product_id, timeout=s.timeout_ms, in_ep=s.in_ep, out_ep=s.out_ep,
                  profile=self.profile.name)
        try:
            dev.open()
        except usb.core.NoBackendError as err:
            raise BackendUnavailable("usb", f"libusb-1.0 was not found ({err}); install libusb-1.0-0") from err
        except DeviceNotFoundError as err:
            raise DeviceInitError(
                f"printer {self.name}: USB printer {self.ids} not found, not permitted "
                f"(udev rule?) or busy: {err}"
            ) from err
        self._dev = dev

    def _write_blocking(self, data: bytes) -> None:
        assert self._dev is not None
        self._dev._raw(data)

    def _read_blocking(self, n: int, timeout: float) -> bytes:
        assert self._dev is not None
        buf = bytearray()
        deadline = time.monotonic() + timeout
        while len(buf) < n:
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                break
            try:
                buf += bytes(self._dev.device.read(self.usb_settings.in_ep, 64, remaining_ms))  # type: ignore[union-attr]
            except usb.core.USBTimeoutError:
                break
        return bytes(buf)

    def _close_blocking(self) -> None:
        if self._dev is not None:
            self._dev.close()
            self._dev = None
