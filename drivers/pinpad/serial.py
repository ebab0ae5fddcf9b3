"""Serial backend: a PIN pad on a serial port (USB CDC, RS-232) or any tty, including a pty."""

from __future__ import annotations

import serial as pyserial

from drivers.events import DeviceInitError
from drivers.pinpad.base import PinPad


class SerialPinPad(PinPad):
    def __init__(self, port: str, *, baudrate: int = 115200, ack_timeout: float = 0.3, retries: int = 4,
                 reply_timeout: float = 3.0) -> None:
        super().__init__(port, ack_timeout=ack_timeout, retries=retries, reply_timeout=reply_timeout)
        self._port = port
        self._baudrate = baudrate
        self._serial: pyserial.Serial | None = None

    async def _open(self) -> int:
        try:
            self._serial = pyserial.Serial(self._port, self._baudrate, timeout=0, write_timeout=0)
        except (pyserial.SerialException, OSError) as err:
            raise DeviceInitError(f"cannot open PIN pad on {self._port}: {err}") from err
        self._serial.reset_input_buffer()
        return self._serial.fileno()

    async def _close_backend(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None
