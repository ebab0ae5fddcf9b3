"""Reads a keyboard-wedge byte stream from a file descriptor on the event loop (add_reader).

Both wedge backends use it: `evdev_wedge` on the /dev/input/eventN descriptor, `sim` on the read
end of a pipe its recording is written into — so the simulator exercises the very read path,
decoder and idle timer that hardware uses.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from drivers.events import FrameError, Scan
from drivers.scanner.wedge_decoder import WedgeStream

UNTERMINATED_S = 2.0  # a scanner types a whole barcode well within this; a stuck partial scan is dropped
READ_RECORDS = 64


class WedgeFdReader:
    def __init__(self, fd: int, pipeline: WedgeStream, *, deliver: Callable[[Scan | FrameError], None],
                 on_eof: Callable[[OSError | None], None]) -> None:
        """`on_eof(None)` at end of file, `on_eof(err)` when reading fails (the device went away)."""
        self.fd = fd
        self.pipeline = pipeline
        self._deliver = deliver
        self._on_eof = on_eof
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._reading = True
        self._loop.add_reader(fd, self._readable)

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, self.pipeline.parser.record_size * READ_RECORDS)
        except BlockingIOError:
            return
        except OSError as err:  # ENODEV: unplugged
            self.stop()
            self._on_eof(err)
            return
        if not data:
            self.stop()
            self._emit(self.pipeline.end())
            self._on_eof(None)
            return
        self._emit(self.pipeline.feed(data))
        self._arm_idle()

    def _arm_idle(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.pipeline.decoder.pending:
            options = self.pipeline.decoder.options
            gap = options.idle_gap_ms / 1000 if options.suffix == "none" else UNTERMINATED_S
            self._timer = self._loop.call_later(gap, self._on_idle)

    def _on_idle(self) -> None:
        self._timer = None
        self._emit(self.pipeline.idle())

    def _emit(self, items: list[Scan | FrameError]) -> None:
        for item in items:
            self._deliver(item)

    def stop(self) -> None:
        """Stop reading (idempotent); the descriptor stays open for its owner to close."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._reading:
            self._reading = False
            self._loop.remove_reader(self.fd)
