"""The USB backend's code above pyusb, against the simulated printer.

Physical USB cannot run here, so pyusb's device object is the one stand-in: its bulk OUT writes
go to a SimulatedPrinter and bulk IN reads return the simulator's replies (or time out as libusb
does). Everything above it — python-escpos' Usb, our UsbPrinter, status parsing, the spool — is
the production path.
"""

from __future__ import annotations

import pathlib
from collections import deque

import pytest
import usb.core

from drivers.printer import (
    PrinterProfile,
    PrintFailed,
    ReprintSpool,
    SimulatedPrinter,
    open_printer,
    render_escpos,
)
from tests.support.receipts import SAMPLE


class _Backend:
    pass


class _Ctx:
    def dispose(self, device: object) -> None:
        return None


class SimUsbDevice:
    """pyusb Device surface python-escpos uses: write/read on endpoints, configuration, reset."""

    backend = _Backend()  # not libusb1: python-escpos skips kernel-driver detach
    _ctx = _Ctx()

    def __init__(self, sim: SimulatedPrinter) -> None:
        self.sim = sim
        self.replies: deque[int] = deque()
        self.writes: list[tuple[int, int]] = []

    def set_configuration(self) -> None:
        return None

    def reset(self) -> None:
        return None

    def write(self, endpoint: int, data: bytes, timeout: int | None = None) -> int:
        self.writes.append((endpoint, len(data)))
        self.replies.extend(self.sim.feed(bytes(data)))
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int | None = None) -> bytes:
        if not self.replies:
            raise usb.core.USBTimeoutError("Operation timed out", errno=110)
        n = min(size, len(self.replies), 2)  # replies trickle in, a couple of bytes per transfer
        return bytes(self.replies.popleft() for _ in range(n))


@pytest.fixture
def usb_sim(monkeypatch: pytest.MonkeyPatch) -> SimUsbDevice:
    device = SimUsbDevice(SimulatedPrinter("TM-T20II"))

    def find(**match: int) -> SimUsbDevice | None:
        return device if (match.get("idVendor"), match.get("idProduct")) == (0x04B8, 0x0E15) else None

    monkeypatch.setattr(usb.core, "find", find)
    return device


CFG = {"backend": "usb", "vendor_id": 0x04B8, "product_id": 0x0E15, "profile": "TM-T20II",
       "drawer_settle_s": 0.0, "status_timeout_s": 0.2}


async def test_usb_print_and_status_through_python_escpos(usb_sim: SimUsbDevice, tmp_path: pathlib.Path) -> None:
    async with open_printer(CFG, spool_dir=tmp_path) as printer:
        await printer.print(SAMPLE)
        assert (await printer.open_drawer(2)).drawer_open is True
    assert bytes(usb_sim.sim.received) == render_escpos(SAMPLE, PrinterProfile.load("TM-T20II")) + bytes.fromhex("1b 70 00 32 32")
    assert {ep for ep, _ in usb_sim.writes} == {0x01}
    assert usb_sim.sim.status_requests == [1, 2, 3, 4] * 3


async def test_usb_paper_out_keeps_receipt(usb_sim: SimUsbDevice, tmp_path: pathlib.Path) -> None:
    usb_sim.sim.paper_out = True
    async with open_printer(CFG, spool_dir=tmp_path) as printer:
        with pytest.raises(PrintFailed, match="paper out"):
            await printer.print(SAMPLE)
    assert [e.ref for e in ReprintSpool(tmp_path).pending()] == ["0012-03-000042"]


async def test_usb_printer_without_status_answer_times_out_into_the_spool(usb_sim: SimUsbDevice, tmp_path: pathlib.Path) -> None:
    usb_sim.sim.answer_status = False
    async with open_printer(CFG, spool_dir=tmp_path) as printer:
        with pytest.raises(PrintFailed, match="no answer to DLE EOT"):
            await printer.print(SAMPLE)
    assert len(ReprintSpool(tmp_path).pending()) == 1
