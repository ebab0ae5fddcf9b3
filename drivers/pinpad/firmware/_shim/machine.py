"""CPython stand-in for MicroPython's ``machine``: UARTs are file descriptors (pty ends).

``configure({1: fd, 2: fd})`` is called by the launcher before the firmware starts.
"""

from __future__ import annotations

import os

_FDS: dict[int, int] = {}


def configure(fds: dict[int, int]) -> None:
    for fd in fds.values():
        os.set_blocking(fd, False)
    _FDS.update(fds)


class UART:
    def __init__(self, uart_id: int, baudrate: int = 115200, timeout: int = 0) -> None:
        if uart_id not in _FDS:
            raise ValueError(f"UART({uart_id}) is not wired in this simulation")
        self._fd = _FDS[uart_id]
        self._pending = b""

    def any(self) -> int:
        if not self._pending:
            try:
                self._pending = os.read(self._fd, 4096)
            except BlockingIOError:
                return 0
            except OSError:  # EIO: the other end of the pty is closed for now
                return 0
        return len(self._pending)

    def read(self, n: int = -1) -> bytes | None:
        self.any()
        data, self._pending = self._pending, b""
        return data or None

    def write(self, data: bytes) -> int:
        view = memoryview(bytes(data))
        while view:
            try:
                sent = os.write(self._fd, view)
            except BlockingIOError:
                continue
            view = view[sent:]
        return len(data)
