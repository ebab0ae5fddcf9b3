"""Serial scanners (RS-232, or USB-CDC 'USB COM' mode appearing as ttyACM*) through pyserial.

The port is non-blocking and watched with the event loop's add_reader, so no thread is needed;
a pty from os.openpty() exercises exactly this code path in tests.
"""

from __future__ import annotations

import asyncio
import logging

import serial

from drivers.events import DeviceInitError, FrameError, Scan
from drivers.scanner.base import Scanner
from drivers.scanner.framing import SerialFramer
from drivers.scanner.settings import SerialSettings

log = logging.getLogger(__name__)

UNTERMINATED_S = 2.0


class SerialScanner(Scanner):
    backend = "serial"
    Settings = SerialSettings

    def __init__(self, settings: SerialSettings, *, name: str = "") -> None:
        super().__init__(name=name)
        self.settings = settings
        self._framer = SerialFramer(
            prefix=settings.prefix.encode("latin-1"), suffix=settings.suffix.encode("latin-1"),
            aim_prefix=settings.aim_prefix, max_length=settings.max_length,
            gs_substitute=settings.gs_substitute.encode("latin-1"), device=name)
        self._port: serial.Serial | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None

    async def _open(self) -> None:
        s = self.settings
        try:
            port = serial.Serial(s.port, s.baudrate, bytesize=s.bytesize, parity=s.parity,
                                 stopbits=s.stopbits, timeout=0)
        except (serial.SerialException, ValueError) as err:
            raise DeviceInitError(f"serial scanner {self.name!r}: cannot open {s.port}: {err}") from err
        self._port = port
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(port.fileno(), self._readable)

    def _readable(self) -> None:
        assert self._port is not None
        try:
            data = self._port.read(max(1, self._port.in_waiting))
        except (serial.SerialException, OSError) as err:  # unplugged: pyserial reports "returned no data"
            self._stop()
            self._gone(OSError(str(err)))
            return
        if data:
            for item in self._framer.feed(data):
                self._deliver(item)
        self._arm_idle()

    def _arm_idle(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._framer.pending and self._loop is not None:
            gap = self.settings.idle_gap_ms / 1000 if not self.settings.suffix else UNTERMINATED_S
            self._timer = self._loop.call_later(gap, self._on_idle)

    def _on_idle(self) -> None:
        self._timer = None
        items: list[Scan | FrameError] = self._framer.idle()
        for item in items:
            self._deliver(item)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._port is not None and self._loop is not None:
            self._loop.remove_reader(self._port.fileno())

    async def _close(self) -> None:
        self._stop()
        port, self._port = self._port, None
        if port is not None:
            port.close()
