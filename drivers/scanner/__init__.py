"""Barcode scanners: one async `Scanner` protocol, several backends, a simulator among them.

    from drivers.scanner import open_scanner
    async with open_scanner({"backend": "evdev_wedge", "vid_pid": "05e0:1200", "layout": "de"},
                            name="front") as scanner:
        async for scan in scanner:
            ...

Backends (imported only when chosen): evdev_wedge, sim, serial, hid_pos — see `backends.BACKENDS`.
"""

from drivers.scanner.backends import BACKENDS, ScannerConfigError, backend_class, open_scanner
from drivers.scanner.base import Scanner
from drivers.scanner.settings import (
    EvdevWedgeSettings,
    HidPosSettings,
    SerialSettings,
    SimSettings,
    WedgeOptions,
)

__all__ = [
    "BACKENDS",
    "EvdevWedgeSettings",
    "HidPosSettings",
    "Scanner",
    "ScannerConfigError",
    "SerialSettings",
    "SimSettings",
    "WedgeOptions",
    "backend_class",
    "open_scanner",
]
