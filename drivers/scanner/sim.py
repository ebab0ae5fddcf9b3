"""The recorded-events simulator: replays a /dev/input byte stream through the real wedge read path.

Chosen by config like hardware (`backend = "sim"`, `file = ...`). The recording is written into a
pipe whose read end goes through the same `WedgeFdReader`, parser, keymap and framing as a real
/dev/input/eventN; only the byte source differs. `realtime = true` keeps the recorded timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib

import msgspec

from drivers.events import DeviceInitError
from drivers.scanner.base import Scanner
from drivers.scanner.evdev_stream import record_struct
from drivers.scanner.settings import SimSettings
from drivers.scanner.wedge_decoder import WedgeStream
from drivers.scanner.wedge_reader import READ_RECORDS, WedgeFdReader


class SimScanner(Scanner):
    """`SimScanner(SimSettings(file="scans.evdev", layout="de"))`, or `SimScanner.from_bytes(data, layout="de")`."""

    backend = "sim"
    Settings = SimSettings

    def __init__(self, settings: SimSettings, *, name: str = "", stream: bytes | None = None) -> None:
        super().__init__(name=name)
        self.settings = settings
        self._stream = stream
        self._pipeline = WedgeStream(settings, device=name)  # a bad layout fails here, before open
        self._reader: WedgeFdReader | None = None
        self._writer: asyncio.Task[None] | None = None
        self._fds: list[int] = []

    @classmethod
    def from_bytes(cls, stream: bytes, *, name: str = "sim", **options: object) -> SimScanner:
        settings = msgspec.convert({"file": "<memory>", **options}, SimSettings)
        return cls(settings, name=name, stream=stream)

    async def _open(self) -> None:
        data = self._stream
        if data is None:
            try:
                data = await asyncio.to_thread(pathlib.Path(self.settings.file).read_bytes)
            except OSError as err:
                raise DeviceInitError(f"recorded stream {self.settings.file!r} cannot be read: {err}") from err
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self._fds = [read_fd, write_fd]
        self._reader = WedgeFdReader(read_fd, self._pipeline, deliver=self._deliver, on_eof=self._recording_over)
        self._writer = asyncio.create_task(self._play(data, write_fd), name=f"sim-scanner-{self.name}")

    def _recording_over(self, err: OSError | None) -> None:
        if err is None:
            self._finish(None)  # the recording played out
        else:
            self._gone(err)

    async def _play(self, data: bytes, fd: int) -> None:
        """The far side of the wire: write the recording as a device would deliver it."""
        rec = record_struct(self.settings.event_format)
        step = rec.size if self.settings.realtime else rec.size * READ_RECORDS
        last: float | None = None
        try:
            for start in range(0, len(data), step):
                chunk = data[start : start + step]
                if self.settings.realtime and len(chunk) == rec.size:
                    sec, usec = rec.unpack(chunk)[:2]
                    now = sec + usec / 1e6
                    if last is not None and 0 < now - last < 5:
                        await asyncio.sleep(now - last)
                    last = now
                await self._write_all(fd, chunk)
        finally:
            self._close_fd(fd)  # end of file for the reader

    async def _write_all(self, fd: int, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                await asyncio.sleep(0.001)  # the reader drains the pipe on its next turn

    def _close_fd(self, fd: int) -> None:
        if fd in self._fds:
            self._fds.remove(fd)
            os.close(fd)

    async def _close(self) -> None:
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        if self._reader is not None:
            self._reader.stop()
        for fd in list(self._fds):
            self._close_fd(fd)
