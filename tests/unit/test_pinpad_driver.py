"""Host driver edges: backend selection, open failures, a silent device, misuse."""

from __future__ import annotations

import os
import tty

import pytest

from drivers.events import BackendUnavailable, DeviceInitError, DeviceTimeout
from drivers.pinpad import backend_class, open_pinpad
from drivers.pinpad.firmware import wire
from drivers.pinpad.serial import SerialPinPad


def test_unknown_backend_is_a_typed_error() -> None:
    with pytest.raises(BackendUnavailable) as err:
        backend_class("bluetooth")
    assert err.value.backend == "bluetooth"
    assert "serial" in err.value.reason and "sim" in err.value.reason


async def test_unknown_option_and_missing_port_are_refused() -> None:
    with pytest.raises(TypeError):
        await open_pinpad("serial", port="/dev/null", baud=9600)
    with pytest.raises(DeviceInitError, match="/nonexistent/tty"):
        await open_pinpad("serial", port="/nonexistent/tty")


async def test_a_silent_device_times_out_after_the_retries() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        async with await SerialPinPad(os.ttyname(slave), ack_timeout=0.05, retries=3).open() as pad:
            with pytest.raises(DeviceTimeout, match="not acknowledged after 3 tries"):
                await pad.status()
            os.set_blocking(master, False)
            sent = os.read(master, 4096)
            frame = wire.encode_frame(1, bytes([wire.STATUS]))
            assert sent == frame * 3  # the same frame, retransmitted
            with pytest.raises(TypeError):
                await pad.start_transaction("T", 12.34, "EUR")  # type: ignore[arg-type]
    finally:
        os.close(master)
        os.close(slave)
