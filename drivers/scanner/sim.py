"""The recorded-events simulator: replays a /dev/input byte stream through the real wedge read path.

Chosen by config like hardware (`backend = "sim"`, `file = ...`). The recording is written into a
pipe whose read end goes through the same `WedgeFdReader`, parser, keymap and framing as a real
/dev/input/eventN; only the byte source differs. `realtime = true` keeps the recorded timing.

With no file the simulator is live: `await scanner.type_scan("4006381333931")` types a barcode as
a scanner configured for the same layout would (the demo and UI tests use this), `feed(raw)`
writes recorded bytes, and `end()` unplugs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import time
from typing import Literal

import msgspec

from drivers.events import DeviceInitError
from drivers.scanner.base import Scanner
from drivers.scanner.evdev_stream import record_struct
from drivers.scanner.settings import SimSettings
from drivers.scanner.wedge_decoder import WedgeStream
from drivers.scanner.wedge_encoder import WedgeEncoder, to_bytes
from drivers.scanner.wedge_reader import READ_RECORDS, WedgeFdReader


class SimScanner(Scanner):
    """`SimScanner(SimSettings(file="scans.evdev", layout="de"))`, `SimScanner.from_bytes(data, layout="de")`,
    or live: `SimScanner(SimSettings(layout="de"))` then `await scanner.type_scan("...")`."""

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
        self._write_fd = -1

    @classmethod
    def from_bytes(cls, stream: bytes, *, name: str = "sim", **options: object) -> SimScanner:
        settings = msgspec.convert({"file": "<memory>", **options}, SimSettings)
        return cls(settings, name=name, stream=stream)

    async def _open(self) -> None:
        data = self._stream
        if data is None and self.settings.file:
            try:
                data = await asyncio.to_thread(pathlib.Path(self.settings.file).read_bytes)
            except OSError as err:
                raise DeviceInitError(f"recorded stream {self.settings.file!r} cannot be read: {err}") from err
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self._fds = [read_fd, write_fd]
        self._reader = WedgeFdReader(read_fd, self._pipeline, deliver=self._deliver, on_eof=self._recording_over)
        self._write_fd = write_fd
        if data is not None:
            self._writer = asyncio.create_task(self._play(data, write_fd), name=f"sim-scanner-{self.name}")

    @property
    def live(self) -> bool:
        return self._stream is None and not self.settings.file

    async def type_scan(self, text: str, *, gs: Literal["ctrl", "alt"] = "ctrl", keypad_digits: bool = False) -> None:
        """Type one barcode (with the configured suffix) as a scanner set to this layout sends it."""
        encoder = WedgeEncoder(layout=self.settings.layout, variant=self.settings.variant,
                               suffix=self.settings.suffix, gs=gs, keypad_digits=keypad_digits, start=time.time())
        await self.feed(to_bytes(encoder.scan(text), self.settings.event_format))

    async def feed(self, data: bytes) -> None:
        """Raw input_event bytes onto the simulated wire (live mode)."""
        if not self.live or self._write_fd not in self._fds:
            raise RuntimeError("feed()/type_scan() need an open live simulator (no file, not ended)")
        await self._write_all(self._write_fd, data)

    async def end(self) -> None:
        """Unplug the live simulator: the reader sees end of file and iteration ends."""
        if self.live:
            self._close_fd(self._write_fd)

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
