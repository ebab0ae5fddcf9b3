"""systemd's notify protocol (sd_notify(3)): READY=1, WATCHDOG=1, STATUS=..., STOPPING=1.

A datagram to $NOTIFY_SOCKET; abstract sockets start with '@'. Outside systemd it does nothing.
The watchdog is pinged from the lane's event loop, so a wedged loop stops the pings and systemd
restarts the service (Restart=on-failure, WatchdogSec=).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def notify(message: str, env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    addr = env.get("NOTIFY_SOCKET", "")
    if not addr:
        return False
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.sendto(message.encode("utf-8"), addr)
    except OSError as err:
        log.warning("sd_notify to %s failed: %s", env.get("NOTIFY_SOCKET"), err)
        return False
    return True


def watchdog_interval(env: Mapping[str, str] | None = None) -> float | None:
    """Half of WatchdogSec when systemd asked this process for pings, else None."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1e6 / 2


async def watchdog_pinger(interval: float, env: Mapping[str, str] | None = None) -> None:
    while True:
        notify("WATCHDOG=1", env)
        await asyncio.sleep(interval)
