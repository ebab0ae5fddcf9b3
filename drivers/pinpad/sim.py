"""The PIN-pad simulator: the real firmware as a separate CPython process on ptys.

``FirmwareSimulator`` starts ``firmware/_shim/run.py`` with two ptys: the host link (its
``port`` is a tty path any serial backend opens) and the card reader / keypad line channel,
which this object drives (``insert_chip``, ``tap``, ``swipe``, ``chip_error``, ``enter_pin``)
and whose ``DISPLAY`` lines it collects. ``SimulatedPinPad`` is the "sim" backend: it starts a
simulator and talks to it exactly as to hardware.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import sys
import tempfile
import tty

from drivers.events import DeviceInitError
from drivers.pinpad.serial import SerialPinPad

RUNNER = pathlib.Path(__file__).resolve().parent / "firmware" / "_shim" / "run.py"


class FirmwareSimulator:
    def __init__(self, flash_dir: str | os.PathLike[str] | None = None, kbpk: bytes | None = None) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if flash_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="pinpad-flash-")
            flash_dir = self._tmp.name
        self.flash_dir = pathlib.Path(flash_dir)
        self._kbpk = kbpk
        self._proc: asyncio.subprocess.Process | None = None
        self._fds: list[int] = []
        self._reader_fd = -1
        self._buf = b""
        self.port = ""
        self.displays: list[str] = []
        self._display_event = asyncio.Event()

    async def start(self) -> FirmwareSimulator:
        host_master, host_slave = os.openpty()
        reader_master, reader_slave = os.openpty()
        for fd in (host_slave, reader_slave):
            tty.setraw(fd)
        self._fds = [host_master, host_slave, reader_master, reader_slave]
        self.port = os.ttyname(host_slave)
        self._reader_fd = reader_slave
        os.set_blocking(reader_slave, False)
        args = [sys.executable, str(RUNNER), "--flash", str(self.flash_dir),
                "--host-fd", str(host_master), "--reader-fd", str(reader_master)]
        if self._kbpk is not None:
            args += ["--kbpk", self._kbpk.hex()]
        self._proc = await asyncio.create_subprocess_exec(*args, pass_fds=(host_master, reader_master))
        asyncio.get_running_loop().add_reader(reader_slave, self._on_reader)
        await self.wait_display("READY", timeout=20)
        return self

    def _on_reader(self) -> None:
        try:
            self._buf += os.read(self._reader_fd, 4096)
        except (BlockingIOError, OSError):
            return
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            text = line.decode(errors="replace")
            if text.startswith("DISPLAY "):
                self.displays.append(text[8:])
                self._display_event.set()

    async def wait_display(self, fragment: str, timeout: float = 30) -> str:
        """The first display line (from now on or already shown) that contains ``fragment``."""
        async def scan() -> str:
            seen = 0
            while True:
                for text in self.displays[seen:]:
                    if fragment in text:
                        return text
                seen = len(self.displays)
                self._display_event.clear()
                await self._display_event.wait()
        try:
            return await asyncio.wait_for(scan(), timeout)
        except TimeoutError:
            raise DeviceInitError(f"simulated PIN pad never displayed {fragment!r}; shown: {self.displays}") from None

    def _send(self, line: str) -> None:
        os.write(self._reader_fd, line.encode() + b"\n")

    def insert_chip(self, *records: bytes) -> None:
        self._send("CHIP " + " ".join(r.hex() for r in records))

    def tap(self, *records: bytes) -> None:
        self._send("TAP " + " ".join(r.hex() for r in records))

    def chip_error(self) -> None:
        self._send("CHIPERR")

    def swipe(self, track2: str) -> None:
        self._send("SWIPE " + track2)

    def enter_pin(self, pin: str) -> None:
        self._send("PIN " + pin)

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            with contextlib.suppress(ProcessLookupError):
                await asyncio.wait_for(self._proc.wait(), 10)
        if self._reader_fd >= 0:
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().remove_reader(self._reader_fd)
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds = []
        self._reader_fd = -1
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    async def __aenter__(self) -> FirmwareSimulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


class SimulatedPinPad(SerialPinPad):
    """The "sim" backend: starts a FirmwareSimulator and drives it over its pty like hardware."""

    def __init__(self, *, flash_dir: str | None = None, kbpk: bytes | None = None, ack_timeout: float = 0.3,
                 retries: int = 4, reply_timeout: float = 3.0) -> None:
        self.simulator = FirmwareSimulator(flash_dir, kbpk)
        # the pty path is known once the simulator runs
        super().__init__("", ack_timeout=ack_timeout, retries=retries, reply_timeout=reply_timeout)

    async def _open(self) -> int:
        await self.simulator.start()
        self._port = self.simulator.port
        self.name = self._port
        return await super()._open()

    async def _close_backend(self) -> None:
        await super()._close_backend()
        await self.simulator.stop()
