"""Byte-stream framing for serial scanners: optional prefix (e.g. STX), suffix (CR, CRLF, ETX ...),
or no suffix and an idle gap. Binary-safe; offsets count from the start of the stream.

With a prefix, bytes outside prefix...suffix are garbage and reported; a prefix inside an open
frame restarts it (the partial frame is reported). Without a prefix every byte belongs to the
next frame, so line noise before a frame can only be told apart by the idle gap before it.
"""

from __future__ import annotations

import logging

from drivers.events import FrameError, Scan
from drivers.scanner.aim import split_aim

log = logging.getLogger(__name__)


class SerialFramer:
    def __init__(self, *, prefix: bytes = b"", suffix: bytes = b"\r", aim_prefix: bool = False,
                 max_length: int = 8192, gs_substitute: bytes = b"", device: str = "") -> None:
        if prefix and prefix == suffix:
            raise ValueError("prefix and suffix must differ")
        self.prefix = prefix
        self.suffix = suffix
        self.aim_prefix = aim_prefix
        self.gs_substitute = gs_substitute
        self.max_length = max_length
        self.device = device
        self._buf = bytearray()
        self._start = 0  # stream offset of _buf[0]
        self._inside = not prefix
        self._offset = 0  # stream offset of the next byte fed

    @property
    def pending(self) -> bool:
        return bool(self._buf) or (bool(self.prefix) and self._inside)

    def feed(self, data: bytes) -> list[Scan | FrameError]:
        out: list[Scan | FrameError] = []
        if not self._buf and not (self.prefix and self._inside):
            self._start = self._offset
        self._buf += data
        self._offset += len(data)
        while self._step(out):
            pass
        return out

    def _step(self, out: list[Scan | FrameError]) -> bool:
        if not self._inside:
            at = self._buf.find(self.prefix)
            if at < 0:
                # keep a tail that may be the start of a split prefix
                keep = len(self.prefix) - 1
                drop = len(self._buf) - keep if len(self._buf) > keep else 0
                if drop:
                    self._reject(out, "bytes outside a frame", drop)
                return False
            if at:
                self._reject(out, "bytes outside a frame", at)
            self._consume(len(self.prefix))
            self._inside = True
            return True
        if self.prefix:
            restart = self._buf.find(self.prefix)
            end = self._buf.find(self.suffix) if self.suffix else -1
            if restart >= 0 and (end < 0 or restart < end):
                if restart:
                    self._reject(out, "frame restarted by a new prefix before its suffix", restart)
                self._inside = False  # the next step consumes the new prefix
                return True
        if not self.suffix:
            return False
        end = self._buf.find(self.suffix)
        if end < 0:
            if len(self._buf) > self.max_length:
                self._reject(out, f"frame longer than {self.max_length} bytes", len(self._buf))
                self._inside = not self.prefix
            return False
        self._frame(out, bytes(self._buf[:end]), self._start)
        self._consume(end + len(self.suffix))
        self._inside = not self.prefix
        return True

    def idle(self) -> list[Scan | FrameError]:
        """The line went quiet: without a suffix that ends the frame, otherwise a partial frame is dropped."""
        out: list[Scan | FrameError] = []
        if not self.suffix and not self.prefix and self._buf:
            self._frame(out, bytes(self._buf), self._start)
            self._consume(len(self._buf))
        elif not self.suffix and self.prefix and self._inside:
            self._frame(out, bytes(self._buf), self._start)
            self._consume(len(self._buf))
            self._inside = False
        elif self._buf or (self.prefix and self._inside):
            what = "frame without its suffix" if self._inside else "bytes outside a frame"
            self._reject(out, what, len(self._buf))
            self._inside = not self.prefix
        return out

    def _consume(self, n: int) -> None:
        del self._buf[:n]
        self._start += n

    def _reject(self, out: list[Scan | FrameError], reason: str, n: int) -> None:
        err = FrameError(reason, self._start, bytes(self._buf[:n][:64]))
        log.warning("serial scanner %r: %s", self.device, err)
        out.append(err)
        self._consume(n)

    def _frame(self, out: list[Scan | FrameError], data: bytes, offset: int) -> None:
        if len(data) > self.max_length:
            out.append(FrameError(f"frame longer than {self.max_length} bytes", offset, data[:64]))
            return
        if not data:
            return  # an empty line between frames carries nothing
        if self.gs_substitute:
            data = data.replace(self.gs_substitute, b"\x1d")
        symbology = None
        if self.aim_prefix:
            split = split_aim(data, offset)
            if isinstance(split, FrameError):
                log.warning("serial scanner %r: %s", self.device, split)
                out.append(split)
                return
            symbology, data = split
        out.append(Scan(data, symbology, self.device))
