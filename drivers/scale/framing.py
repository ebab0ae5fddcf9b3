"""Cut a serial byte stream into frames, whatever the read boundaries, and survive garbage.

Frames are delimited by the bytes on the wire, never by read() chunks (qz-tray #881 delivered one
byte per event). A candidate frame that does not parse is retried from the next start byte inside
it, so a truncated frame or line noise just before a good frame never costs the good frame.
Every rejected byte is reported once, as a FrameError whose offset counts from the stream's start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from drivers.events import FrameError

T = TypeVar("T")


class Framer(Generic[T]):
    """`start=None` means line framing (no start byte): a line is retried from each later offset."""

    def __init__(
        self,
        parse: Callable[[bytes], T | FrameError],
        *,
        start: bytes | None,
        end: bytes,
        max_len: int = 64,
        singles: bytes = b"",
    ) -> None:
        self._parse = parse
        self._start = start
        self._end = end
        self._max = max_len
        self._singles = singles  # bytes that are whole frames on their own (ACK, NAK)
        self._buf = bytearray()
        self._pos = 0  # stream offset of _buf[0]

    def clear(self) -> None:
        self._pos += len(self._buf)
        self._buf.clear()

    def feed(self, data: bytes) -> list[T | FrameError]:
        self._buf += data
        out: list[T | FrameError] = []
        while self._buf and self._step(out):
            pass
        return out

    def flush(self) -> list[FrameError]:
        """Report whatever is still buffered as incomplete (end of stream)."""
        if not self._buf:
            return []
        err = self._reject(len(self._buf), "incomplete frame at end of input")
        return [err]

    # -- one step: True if progress was made and the loop should continue ---------------------

    def _step(self, out: list[T | FrameError]) -> bool:
        if self._start is None:
            return self._step_line(out)
        s = self._next_boundary(0)
        if s < 0:
            if len(self._buf) > self._max:
                out.append(self._reject(len(self._buf), "no frame start byte"))
                return True
            return False  # hold the garbage until a start byte says where it ends
        if s > 0:
            out.append(self._reject(s, "bytes before a frame start"))
            return True
        if self._buf[0] in self._singles:
            out.append(self._accept(1, self._parse(bytes(self._buf[:1]))))
            return True
        e = self._buf.find(self._end, len(self._start))
        k = self._next_single(1, e if e >= 0 else len(self._buf))
        if k > 0:
            # ACK/NAK never occur inside a frame: a start byte before one was noise, not a frame.
            out.append(self._reject(k, "frame cut short by a control byte"))
            return True
        if e < 0:
            if len(self._buf) > self._max:
                nxt = self._next_boundary(1)
                out.append(self._reject(nxt if nxt > 0 else len(self._buf), f"no frame end within {self._max} bytes"))
                return True
            return False
        length = e + len(self._end)
        result = self._parse(bytes(self._buf[:length]))
        if not isinstance(result, FrameError):
            out.append(self._accept(length, result))
            return True
        nxt = self._next_boundary(1, length)
        out.append(self._reject(nxt if nxt > 0 else length, result.reason, result.offset))
        return True

    def _step_line(self, out: list[T | FrameError]) -> bool:
        e = self._buf.find(self._end)
        if e < 0:
            if len(self._buf) > self._max:
                # Keep the newest max_len bytes: a good line may be arriving behind the noise.
                out.append(self._reject(len(self._buf) - self._max, f"no line end within {self._max} bytes"))
                return True
            return False
        length = e + len(self._end)
        line = bytes(self._buf[:length])
        first = self._parse(line)
        if not isinstance(first, FrameError):
            out.append(self._accept(length, first))
            return True
        for j in range(1, e):
            result = self._parse(line[j:])
            if not isinstance(result, FrameError):
                out.append(self._reject(j, first.reason, first.offset))
                out.append(self._accept(length - j, result))
                return True
        out.append(self._reject(length, first.reason, first.offset))
        return True

    # -- helpers ------------------------------------------------------------------------------

    def _next_boundary(self, frm: int, to: int | None = None) -> int:
        limit = len(self._buf) if to is None else to
        found = [i for i in (self._buf.find(self._start, frm, limit),) if i >= 0] if self._start else []
        for b in self._singles:
            i = self._buf.find(bytes([b]), frm, limit)
            if i >= 0:
                found.append(i)
        return min(found, default=-1)

    def _next_single(self, frm: int, to: int) -> int:
        found = [i for b in self._singles if (i := self._buf.find(bytes([b]), frm, to)) >= 0]
        return min(found, default=-1)

    def _accept(self, length: int, result: T | FrameError) -> T | FrameError:
        del self._buf[:length]
        self._pos += length
        return result

    def _reject(self, length: int, reason: str, inner: int = 0) -> FrameError:
        data = bytes(self._buf[:length])
        err = FrameError(reason, self._pos + min(inner, max(length - 1, 0)), data)
        del self._buf[:length]
        self._pos += length
        return err
