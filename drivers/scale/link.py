"""An asyncio facade over pyserial: the port is opened non-blocking and read from `loop.add_reader`.

The same code drives a USB-serial adapter and the simulator's pseudo-terminal, so tests exercise the
path hardware uses. Reads never block the loop; writes are a few bytes to a non-blocking fd.
"""

from __future__ import annotations

import asyncio
import logging
import os

import serial

from drivers.events import DeviceInitError, DeviceOperationError, DeviceTimeout
from drivers.scale.config import SerialSettings

log = logging.getLogger(__name__)

# A continuous-output scale talks whether or not anyone asks; older bytes are stale anyway.
MAX_BUFFER = 4096

_PARITY = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


class SerialLink:
    def __init__(self, port: str, settings: SerialSettings, *, name: str = "scale") -> None:
        self.port = port
        self.name = name
        self._loop = asyncio.get_running_loop()
        try:
            self._serial = serial.Serial(
                port=port,
                baudrate=settings.baudrate,
                bytesize=settings.bytesize,
                parity=_PARITY[settings.parity],
                stopbits=settings.stopbits,
                timeout=0,
            )
        except (serial.SerialException, OSError, ValueError) as err:
            raise DeviceInitError(f"{name}: cannot open serial port {port} at {settings.describe()}: {err}") from err
        self._buffer = bytearray()
        self._ready = asyncio.Event()
        self._failure: Exception | None = None
        self._fd = self._serial.fileno()
        self._loop.add_reader(self._fd, self._on_readable)

    def _on_readable(self) -> None:
        try:
            data = self._serial.read(max(1, self._serial.in_waiting))
        except (serial.SerialException, OSError) as err:
            # The device went away (USB unplugged, simulator closed): stop watching the fd.
            log.warning("%s: serial port %s failed: %s", self.name, self.port, err)
            self._failure = err
            self._loop.remove_reader(self._fd)
            self._ready.set()
            return
        if data:
            self._buffer += data
            if len(self._buffer) > MAX_BUFFER:
                del self._buffer[: len(self._buffer) - MAX_BUFFER]
            self._ready.set()

    async def read(self) -> bytes:
        """Wait for bytes and return everything received so far."""
        while not self._buffer:
            self._raise_if_failed()
            self._ready.clear()
            await self._ready.wait()
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def discard_input(self) -> int:
        """Drop whatever arrived before now (stale replies); returns how many bytes were dropped."""
        self._raise_if_failed()
        dropped = len(self._buffer)
        self._buffer.clear()
        try:
            dropped += len(self._serial.read(self._serial.in_waiting))
        except (serial.SerialException, OSError) as err:
            raise DeviceOperationError(f"{self.name}: serial port {self.port} failed: {err}") from err
        return dropped

    async def write(self, data: bytes, timeout: float = 1.0) -> None:
        """Write on the non-blocking fd; a full output buffer (flow control, a stuck adapter) waits on
        `add_writer` instead of blocking the loop, and gives up after `timeout` seconds."""
        self._raise_if_failed()
        view = memoryview(data)
        try:
            async with asyncio.timeout(timeout):
                while view:
                    try:
                        view = view[os.write(self._fd, view) :]
                    except BlockingIOError:
                        await self._writable()
        except TimeoutError as err:
            raise DeviceTimeout(
                f"{self.name}: {len(view)} of {len(data)} bytes still unsent to {self.port} after {timeout:g} s"
            ) from err
        except OSError as err:
            raise DeviceOperationError(f"{self.name}: writing {data!r} to {self.port} failed: {err}") from err

    async def _writable(self) -> None:
        ready = self._loop.create_future()
        self._loop.add_writer(self._fd, lambda: ready.done() or ready.set_result(None))
        try:
            await ready
        finally:
            self._loop.remove_writer(self._fd)

    def _raise_if_failed(self) -> None:
        if self._failure is not None:
            raise DeviceOperationError(
                f"{self.name}: serial port {self.port} is gone ({self._failure}); was the device unplugged?"
            ) from self._failure
        if not self._serial.is_open:
            raise DeviceOperationError(f"{self.name}: serial port {self.port} is closed")

    def close(self) -> None:
        if self._serial.is_open:
            if self._failure is None:
                self._loop.remove_reader(self._fd)
            self._serial.close()
        self._ready.set()
