"""Auto-detection, only where a protocol offers a probe that cannot change the scale's state.

The Toledo 8217 echo mode is such a probe (`E` enters it, `F` leaves it; Odoo's
`Toledo8217Driver.supported`). No other protocol here has one: a weight request to a Dialog 06
scale starts a weighing and a `Z` zeroes, so those must be configured explicitly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from drivers.events import DeviceInitError, DeviceOperationError
from drivers.scale.config import SerialSettings
from drivers.scale.link import SerialLink
from drivers.scale.toledo import Toledo8217Scale

log = logging.getLogger(__name__)

PROBE = b"Ehello"
PROBE_REPLY = b"\x02E\rhello"
PROBE_END = b"F"


async def probe_toledo_echo(port: str, settings: SerialSettings | None = None, timeout: float = 1.0) -> bool:
    """True when the device on `port` answers the Toledo echo probe byte for byte."""
    link = SerialLink(port, settings or Toledo8217Scale.PROTOCOL.serial, name="probe")
    got = b""
    try:
        link.discard_input()
        await link.write(PROBE)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while len(got) < len(PROBE_REPLY):
                    got += await link.read()
        await link.write(PROBE_END)
    except DeviceOperationError as err:
        log.info("Toledo echo probe on %s failed: %s", port, err)
        return False
    finally:
        link.close()
    log.info("Toledo echo probe on %s got %r", port, got)
    return got[: len(PROBE_REPLY)] == PROBE_REPLY


async def detect_protocol(port: str, settings: SerialSettings | None = None, timeout: float = 1.0) -> str:
    if await probe_toledo_echo(port, settings, timeout):
        return "toledo8217"
    raise DeviceInitError(
        f"the scale on {port} did not answer the Toledo echo probe, the only safe one; "
        "set `protocol` in the scale's configuration (toledo8213, nci, sics, dialog06, epelsa, cas22, dini)"
    )
