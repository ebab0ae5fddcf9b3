"""Parse the byte stream of a Linux input device (/dev/input/eventN) into typed key events.

The kernel writes `struct input_event { struct timeval time; __u16 type; __u16 code; __s32 value; }`.
Its size depends on the width of `time`: 24 bytes on 64-bit userspace, 16 on classic 32-bit.
Recorded streams name their format, so a file recorded on a Pi replays on a laptop.
Only whole records are ever parsed; bytes of a partial record wait for the rest.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass

from drivers.events import FrameError

log = logging.getLogger(__name__)

# input-event-codes.h: the few values the decoder needs (kept here so parsing needs no python-evdev)
EV_SYN, EV_KEY, EV_MSC, EV_LED, EV_REP = 0x00, 0x01, 0x04, 0x11, 0x14
EV_MAX = 0x1F
_KNOWN_TYPES = frozenset({0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x11, 0x12, 0x14, 0x15, 0x16, 0x17})
SYN_REPORT, SYN_DROPPED = 0, 3
KEY_MAX = 0x2FF

FORMATS: dict[str, str] = {
    "native": "@llHHi",  # what this machine's kernel writes to userspace
    "le64": "<qqHHi",  # 64-bit time_t: x86_64, aarch64, and 32-bit userspace with 64-bit time
    "le32": "<iiHHi",  # classic 32-bit time_t (armhf Raspberry Pi OS)
}


class EventsDropped(FrameError):
    """SYN_DROPPED: the kernel's buffer overflowed and events were lost; key state is unknown."""


@dataclass(frozen=True, slots=True)
class InputEvent:
    sec: int
    usec: int
    type: int
    code: int
    value: int
    offset: int = 0  # where the record starts in the stream

    @property
    def time(self) -> float:
        return self.sec + self.usec / 1_000_000


def record_struct(fmt: str) -> struct.Struct:
    try:
        return struct.Struct(FORMATS[fmt])
    except KeyError:
        raise ValueError(f"unknown input_event format {fmt!r}; choose one of {sorted(FORMATS)}") from None


def pack_event(ev: InputEvent, fmt: str = "native") -> bytes:
    return record_struct(fmt).pack(ev.sec, ev.usec, ev.type, ev.code, ev.value)


def _check(ev: InputEvent) -> FrameError | None:
    if not 0 <= ev.usec < 1_000_000:
        return FrameError(f"input_event microseconds {ev.usec} out of range", ev.offset)
    if ev.sec < 0:
        return FrameError(f"input_event time {ev.sec} is negative", ev.offset)
    if ev.type > EV_MAX or ev.type not in _KNOWN_TYPES:
        return FrameError(f"unknown input_event type {ev.type:#x}", ev.offset)
    if ev.type == EV_KEY:
        if ev.code > KEY_MAX:
            return FrameError(f"key code {ev.code} beyond KEY_MAX", ev.offset)
        if ev.value not in (0, 1, 2):
            return FrameError(f"key value {ev.value} is not release/press/repeat", ev.offset)
    if ev.type == EV_SYN and ev.code == SYN_DROPPED:
        return EventsDropped("the kernel dropped input events (SYN_DROPPED)", ev.offset)
    return None


class EventStreamParser:
    """Bytes in, `InputEvent | FrameError` out; keeps a partial record until the rest arrives."""

    def __init__(self, fmt: str = "native") -> None:
        self._rec = record_struct(fmt)
        self._buf = bytearray()
        self._offset = 0  # stream offset of _buf[0]

    @property
    def record_size(self) -> int:
        return self._rec.size

    def feed(self, data: bytes) -> list[InputEvent | FrameError]:
        self._buf += data
        out: list[InputEvent | FrameError] = []
        size = self._rec.size
        whole = len(self._buf) - len(self._buf) % size
        for start in range(0, whole, size):
            sec, usec, typ, code, value = self._rec.unpack_from(self._buf, start)
            ev = InputEvent(sec, usec, typ, code, value, self._offset + start)
            err = _check(ev)
            if err is not None:
                log.warning("evdev stream: %s", err)
                out.append(err)
            else:
                out.append(ev)
        del self._buf[:whole]
        self._offset += whole
        return out

    def close(self) -> FrameError | None:
        """End of stream: a dangling partial record is an error (a truncated recording)."""
        if not self._buf:
            return None
        err = FrameError(f"stream ends inside a record ({len(self._buf)} of {self._rec.size} bytes)",
                         self._offset, bytes(self._buf))
        log.warning("evdev stream: %s", err)
        self._buf.clear()
        return err
