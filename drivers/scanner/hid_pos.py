"""USB HID POS scanners (usage page 0x8C) through pyusb.

pyusb reads block, so a thread does the reading behind a small seam — a `ReportSource` that
returns one input report per call — and hands each report to the event loop with
call_soon_threadsafe. `PyUsbReportSource` is the hardware; `SimReportSource` is fed report
bytes by tests and the demo. Everything above the seam is the same code for both.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import queue
import threading
from typing import Protocol

from drivers.events import BackendUnavailable, DeviceInitError
from drivers.scanner.base import Scanner
from drivers.scanner.hid_pos_report import HidPosAssembler, build_reports
from drivers.scanner.settings import HidPosSettings, parse_vid_pid

log = logging.getLogger(__name__)

USAGE_PAGE_POS_SCANNER = 0x8C
_HID_CLASS = 3


class ReportSource(Protocol):
    def read(self, timeout_ms: int) -> bytes | None:
        """One input report, or None when none came within timeout_ms; OSError when the device is gone."""

    def close(self) -> None: ...


def _is_pos_scanner_descriptor(desc: bytes) -> bool:
    # the report descriptor opens with Usage Page (0x8C): short item 0x05 0x8C or 0x06 0x8C 0x00
    return desc[:2] == b"\x05\x8c" or desc[:3] == b"\x06\x8c\x00"


class PyUsbReportSource:
    """The HID POS interface of a USB device, claimed from the kernel's usbhid driver."""

    def __init__(self, vid: int, pid: int) -> None:
        try:
            import usb.core
            import usb.util
        except ImportError as err:
            raise BackendUnavailable("hid_pos", f"pyusb is not installed: {err}") from err
        self._usb = usb
        try:
            dev = usb.core.find(idVendor=vid, idProduct=pid)
        except usb.core.NoBackendError as err:
            raise BackendUnavailable("hid_pos", "libusb is not installed (Debian: libusb-1.0-0)") from err
        if dev is None:
            raise DeviceInitError(f"no USB device {vid:04x}:{pid:04x}")
        self._dev = dev
        self._iface, self._ep = self._find_pos_interface(dev)
        try:
            if dev.is_kernel_driver_active(self._iface):
                dev.detach_kernel_driver(self._iface)
            usb.util.claim_interface(dev, self._iface)
        except usb.core.USBError as err:
            raise DeviceInitError(f"cannot claim interface {self._iface} of {vid:04x}:{pid:04x}: {err}") from err

    def _find_pos_interface(self, dev: object) -> tuple[int, object]:
        usb = self._usb
        for cfg in dev:  # type: ignore[attr-defined]
            for intf in cfg:
                if intf.bInterfaceClass != _HID_CLASS:
                    continue
                try:
                    desc = bytes(dev.ctrl_transfer(0x81, 6, 0x2200, intf.bInterfaceNumber, 1024))  # type: ignore[attr-defined]
                except usb.core.USBError:
                    continue
                if not _is_pos_scanner_descriptor(desc):
                    continue
                for ep in intf:
                    if usb.util.endpoint_direction(ep.bEndpointAddress) == usb.util.ENDPOINT_IN:
                        return intf.bInterfaceNumber, ep
        raise DeviceInitError("the device has no HID POS (usage page 0x8C) interface: is the scanner in "
                              "HID POS mode rather than keyboard mode?")

    def read(self, timeout_ms: int) -> bytes | None:
        usb = self._usb
        try:
            return bytes(self._dev.read(self._ep.bEndpointAddress, self._ep.wMaxPacketSize, timeout_ms))  # type: ignore[attr-defined]
        except usb.core.USBTimeoutError:
            return None
        except usb.core.USBError as err:
            raise OSError(err.errno or errno.ENODEV, str(err)) from err

    def close(self) -> None:
        usb = self._usb
        try:
            usb.util.release_interface(self._dev, self._iface)
            self._dev.attach_kernel_driver(self._iface)  # type: ignore[attr-defined]
        except usb.core.USBError:
            pass  # unplugged: nothing to give back
        usb.util.dispose_resources(self._dev)


class SimReportSource:
    """A HID POS scanner on the far side of the seam: push report bytes; unplug() makes reads fail."""

    _UNPLUGGED = object()

    def __init__(self) -> None:
        self._reports: queue.Queue[object] = queue.Queue()
        self.closed = False

    def push(self, report: bytes) -> None:
        self._reports.put(bytes(report))

    def push_scan(self, data: bytes, symbology: str | None = None, *, vendor_symbology: int = 0) -> None:
        for report in build_reports(data, symbology, vendor_symbology=vendor_symbology):
            self.push(report)

    def unplug(self) -> None:
        self._reports.put(self._UNPLUGGED)

    def read(self, timeout_ms: int) -> bytes | None:
        try:
            item = self._reports.get(timeout=timeout_ms / 1000)
        except queue.Empty:
            return None
        if item is self._UNPLUGGED:
            self._reports.put(item)  # stays unplugged
            raise OSError(errno.ENODEV, "No such device (simulated unplug)")
        assert isinstance(item, bytes)
        return item

    def close(self) -> None:
        self.closed = True


class HidPosScanner(Scanner):
    backend = "hid_pos"
    Settings = HidPosSettings

    def __init__(self, settings: HidPosSettings, *, name: str = "", source: ReportSource | None = None) -> None:
        super().__init__(name=name)
        self.settings = settings
        self._source = source
        self._assembler = HidPosAssembler(report_id=settings.report_id, device=name)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _open(self) -> None:
        if self._source is None:
            vid, pid = parse_vid_pid(self.settings.vid_pid)
            self._source = await asyncio.to_thread(PyUsbReportSource, vid, pid)
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._pump, name=f"hid-pos-{self.name}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        """Reader thread: blocking reads, handed to the loop one report at a time."""
        assert self._source is not None and self._loop is not None
        while not self._stop.is_set():
            try:
                report = self._source.read(self.settings.timeout_ms)
            except OSError as err:
                self._to_loop(self._lost, err)
                return
            if report:
                self._to_loop(self._on_report, report)

    def _to_loop(self, fn: object, arg: object) -> None:
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(fn, arg)  # type: ignore[arg-type]
        except RuntimeError:
            self._stop.set()  # the loop is closed: nobody is listening any more

    def _on_report(self, report: bytes) -> None:
        for item in self._assembler.feed(report):
            self._deliver(item)

    def _lost(self, err: OSError) -> None:
        cut = self._assembler.abandon()
        if cut is not None:
            self._deliver(cut)
        self._gone(err)

    async def _close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        if self._source is not None:
            await asyncio.to_thread(self._source.close)
