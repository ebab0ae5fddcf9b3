"""A USB-serial scanner on a pty that can be unplugged and plugged back, with the uevents udev sends.

The lane's config names the scanner by a stable /dev/serial/by-id style link; each plug makes a
new pty (a new /dev/pts/N, as a new ttyACMn would be), re-points the link, and announces it.
"""

from __future__ import annotations

import os
import pathlib

from drivers.uevent import UEvent

DEVPATH = "/devices/pci0000:00/0000:00:14.0/usb1/1-5/1-5:1.0/tty/ttyACM0"


class PtyScanner:
    def __init__(self, link: pathlib.Path) -> None:
        self.link = link
        self.master: int | None = None
        self.slave: int | None = None
        self.plugs = 0

    def plug(self) -> UEvent:
        self.master, self.slave = os.openpty()
        node = os.ttyname(self.slave)
        tmp = self.link.with_suffix(".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(node)
        tmp.replace(self.link)
        self.plugs += 1
        return UEvent("add", f"{DEVPATH}", "tty", {
            "ACTION": "add", "DEVPATH": DEVPATH, "SUBSYSTEM": "tty", "DEVNAME": node,
            "ID_VENDOR_ID": "1eab", "ID_MODEL_ID": "8306", "DEVLINKS": str(self.link)})

    def unplug(self) -> UEvent:
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None
        return UEvent("remove", DEVPATH, "tty", {"ACTION": "remove", "DEVPATH": DEVPATH, "SUBSYSTEM": "tty"})

    def scan(self, data: bytes) -> None:
        assert self.master is not None
        os.write(self.master, data)

    def close(self) -> None:
        if self.master is not None:
            self.unplug()
