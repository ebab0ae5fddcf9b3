"""Device events (uevents) as discovery sees them, from live pyudev or from a recording.

A recording is the text `udevadm monitor --udev --property` prints (KERNEL blocks are accepted
too): a header line per event, then KEY=VALUE lines, then a blank line. Field techs can capture
one on a lane; tests replay them, since there is no udevd here. Bad lines and blocks are typed
`FrameError`s with the character offset; parsing goes on with the next block.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from drivers.events import FrameError

log = logging.getLogger(__name__)

_HEADER = re.compile(r"^(UDEV|KERNEL)\s*\[\s*[\d.]+\]\s+(\w+)\s+(/\S*)\s+\(([\w-]+)\)\s*$")
_PROPERTY = re.compile(r"^([A-Za-z0-9_.]+)=(.*)$")
_HID_SEGMENT = re.compile(r"/[0-9A-Fa-f]{4}:([0-9A-Fa-f]{4}):([0-9A-Fa-f]{4})\.[0-9A-Fa-f]{4}/")
ACTIONS = frozenset({"add", "remove", "change", "move", "bind", "unbind", "online", "offline"})


@dataclass(frozen=True, slots=True)
class UEvent:
    action: str
    devpath: str
    subsystem: str
    props: Mapping[str, str] = field(default_factory=dict)
    source: str = "udev"

    @property
    def devname(self) -> str:
        """The device node, always as an absolute /dev path (kernel events give 'input/event5')."""
        name = self.props.get("DEVNAME", "")
        return name if not name or name.startswith("/") else f"/dev/{name}"

    @property
    def devlinks(self) -> list[str]:
        return self.props.get("DEVLINKS", "").split()

    @property
    def vid_pid(self) -> str | None:
        """'05e0:1200' from udev's ID_* properties, the kernel's PRODUCT, or the HID part of the path."""
        vid, pid = self.props.get("ID_VENDOR_ID"), self.props.get("ID_MODEL_ID")
        if vid and pid and re.fullmatch(r"[0-9a-fA-F]{4}", vid) and re.fullmatch(r"[0-9a-fA-F]{4}", pid):
            return f"{vid.lower()}:{pid.lower()}"
        product = self.props.get("PRODUCT", "").split("/")
        try:
            if self.subsystem == "input" and len(product) == 4:
                return f"{int(product[1], 16):04x}:{int(product[2], 16):04x}"
            if self.subsystem == "usb" and len(product) == 3:
                return f"{int(product[0], 16):04x}:{int(product[1], 16):04x}"
        except ValueError:
            pass
        m = _HID_SEGMENT.search(self.devpath)
        return f"{m.group(1).lower()}:{m.group(2).lower()}" if m else None

    @property
    def input_name(self) -> str | None:
        name = self.props.get("NAME")
        return name.strip('"') if name else None


def _block(lines: list[tuple[int, str]]) -> UEvent | FrameError:
    offset, header = lines[0]
    m = _HEADER.match(header)
    if m is None:
        return FrameError(f"not a udevadm monitor event header: {header[:60]!r}", offset)
    source, action, devpath, subsystem = m.group(1).lower(), m.group(2), m.group(3), m.group(4)
    props: dict[str, str] = {}
    for line_offset, line in lines[1:]:
        pm = _PROPERTY.match(line)
        if pm is None:
            return FrameError(f"not a KEY=VALUE property line: {line[:60]!r}", line_offset)
        props[pm.group(1)] = pm.group(2)
    action = props.get("ACTION", action)
    if action not in ACTIONS:
        return FrameError(f"unknown uevent action {action!r}", offset)
    if props.get("DEVPATH", devpath) != devpath or props.get("SUBSYSTEM", subsystem) != subsystem:
        return FrameError("header and properties disagree on DEVPATH or SUBSYSTEM", offset)
    return UEvent(action, devpath, subsystem, props, source)


def parse_monitor_text(text: str) -> Iterator[UEvent | FrameError]:
    """Events of a `udevadm monitor --property` capture, in order."""
    block: list[tuple[int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        if line.strip() and not block and not _HEADER.match(line):
            # the banner udevadm prints first, or junk between events
            if not line.startswith(("monitor will print", "UDEV - ", "KERNEL - ")):
                err = FrameError(f"line outside an event: {line[:60]!r}", offset)
                log.warning("uevent recording: %s", err)
                yield err
        elif line.strip():
            block.append((offset, line))
        elif block:
            yield _checked(_block(block))
            block = []
        offset += len(raw)
    if block:
        yield _checked(_block(block))


def _checked(item: UEvent | FrameError) -> UEvent | FrameError:
    if isinstance(item, FrameError):
        log.warning("uevent recording: %s", item)
    return item


def from_pyudev(device: Any, action: str | None = None) -> UEvent:
    """A pyudev Device (live or enumerated from /sys) as a UEvent; the input parent's NAME and
    PRODUCT, and a USB ancestor's ids, are folded in so matching needs no second look-up."""
    props = {str(k): str(v) for k, v in device.properties.items()}
    parent = device.parent
    if device.subsystem == "input" and parent is not None and parent.subsystem == "input":
        for key in ("NAME", "PRODUCT"):
            if key not in props and parent.properties.get(key):
                props[key] = str(parent.properties.get(key))
    if "ID_VENDOR_ID" not in props:
        usb = device if device.device_type == "usb_device" else device.find_parent("usb", "usb_device")
        if usb is not None:
            vid, pid = usb.attributes.get("idVendor"), usb.attributes.get("idProduct")
            if vid and pid:
                props["ID_VENDOR_ID"], props["ID_MODEL_ID"] = vid.decode().strip(), pid.decode().strip()
    return UEvent(action or device.action or "add", device.device_path, device.subsystem or "", props)
