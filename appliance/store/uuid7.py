"""UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then a counter, then random bits.

Python gains `uuid.uuid7` only in 3.14; until then this small generator. Monotonic within a
process (RFC 9562 §6.2 method 1): the 12 `rand_a` bits are a counter that starts at a random
value below 2048 each new millisecond and counts up within it; if it overflows, or the clock steps
back, the timestamp is carried forward by one millisecond, so every id sorts after the previous.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable


class Uuid7Generator:
    def __init__(self, clock_ms: Callable[[], int] | None = None) -> None:
        self._clock = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def __call__(self) -> uuid.UUID:
        with self._lock:
            ms = self._clock()
            if ms > self._last_ms:
                self._last_ms = ms
                self._counter = int.from_bytes(os.urandom(2), "big") & 0x7FF
            else:
                self._counter += 1
                if self._counter > 0xFFF:
                    self._last_ms += 1
                    self._counter = int.from_bytes(os.urandom(2), "big") & 0x7FF
            ms, counter = self._last_ms, self._counter
        if not 0 <= ms < 1 << 48:
            raise ValueError(f"UUIDv7 timestamp {ms} ms is outside 48 bits.")
        rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand_b
        return uuid.UUID(int=value)


uuid7 = Uuid7Generator()
