"""The board: UARTs, AES, randomness, clock and flash, through MicroPython's ``machine``,
``cryptolib``, ``os`` and ``time``. Under CPython the _shim package supplies the first two."""

import os
import time

import cryptolib
import machine

_ECB = 1


class CryptolibAES:
    """The injected AES primitive over ``cryptolib`` (one object per direction, as cryptolib requires)."""

    def encrypt(self, key, block):
        return cryptolib.aes(key, _ECB).encrypt(block)

    def decrypt(self, key, block):
        return cryptolib.aes(key, _ECB).decrypt(block)


class Port:
    def __init__(self, uart_id, baudrate=115200):
        # timeout=0: read() returns what has arrived, or None, without waiting
        self._uart = machine.UART(uart_id, baudrate, timeout=0)

    def read(self):
        return self._uart.read()

    def write(self, data):
        # the unix port has no UART, so its stubs omit the stream methods every board port has
        self._uart.write(data)  # type: ignore[attr-defined]


class Flash:
    """Small files in one directory of the board's filesystem."""

    def __init__(self, root):
        self._root = root

    def load(self, name):
        try:
            with open(self._root + "/" + name, "rb") as f:
                return f.read()
        except OSError:
            return None

    def save(self, name, data):
        tmp = self._root + "/" + name + ".new"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, self._root + "/" + name)  # replace in one step, so power loss keeps one copy


def now_ms():
    return time.ticks_ms()


def ticks_diff(a, b):
    return time.ticks_diff(a, b)


def sleep_ms(ms):
    time.sleep_ms(ms)


def random_bytes(count):
    return os.urandom(count)
