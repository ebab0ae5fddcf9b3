"""PIN pad: host driver for the framed serial protocol (docs/pinpad-protocol.md) and, in
``firmware/``, the MicroPython firmware it talks to. The appliance only ever sees ciphertext,
the KSN and a masked PAN (``drivers.events.CardRead``).

    pad = await open_pinpad("serial", port="/dev/ttyACM0")   # or open_pinpad("sim", kbpk=...)
    async with pad:
        await pad.start_transaction("T-1", 1234, "EUR")
        read = await pad.wait_card("T-1", timeout=60)
"""

from __future__ import annotations

import importlib
from typing import Any

from drivers.events import BackendUnavailable
from drivers.pinpad.base import PinPad, PinPadRefused
from drivers.pinpad.protocol import PadStatus, SelfTestResult, TxnState

BACKENDS: dict[str, tuple[str, str]] = {
    "serial": ("drivers.pinpad.serial", "SerialPinPad"),
    "sim": ("drivers.pinpad.sim", "SimulatedPinPad"),
}


def backend_class(name: str) -> type[PinPad]:
    if name not in BACKENDS:
        raise BackendUnavailable(name, f"unknown PIN-pad backend; known: {', '.join(sorted(BACKENDS))}")
    module, cls = BACKENDS[name]
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError as err:
        raise BackendUnavailable(name, str(err)) from err


async def open_pinpad(backend: str, **options: Any) -> PinPad:
    """Build and open a PIN pad. Options are the backend's keyword arguments (unknown ones raise)."""
    pad = backend_class(backend)(**options)
    return await pad.open()


__all__ = ["BACKENDS", "PadStatus", "PinPad", "PinPadRefused", "SelfTestResult", "TxnState", "backend_class",
           "open_pinpad"]
