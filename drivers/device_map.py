"""Which physical device is which lane device: VID:PID, input name or serial path -> driver + settings.

The map is read from the `[devices.<kind>]` tables of the lane's TOML config (the same tables the
drivers are opened from), so there is one place to configure a device:

    [devices.scanner]            # a keyboard-wedge scanner: matched on its input node by VID:PID
    backend = "evdev_wedge"
    vid_pid = "05e0:1200"
    layout = "de"

    [devices.scale]              # a serial scale: matched by its port, best a /dev/serial/by-id link
    protocol = "toledo8217"
    port = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K5Q3B-if00-port0"

A table with `port` matches a tty; `vid_pid` (or `name`) with backend evdev_wedge matches an input
event node; other `vid_pid` tables match the USB device itself (HID POS, USB printers). A table
with none of these (a network printer, a simulator) is static: present whenever configured.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from drivers.uevent import UEvent

Node = Literal["input", "usb", "tty", "static"]
KINDS = ("scanner", "scale", "printer", "pinpad")


class DeviceMapError(ValueError):
    """The device map (the config's [devices] tables) cannot be read or is inconsistent."""


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    name: str
    kind: str
    config: Mapping[str, Any]
    node: Node
    vid_pid: str | None = None
    input_name: str | None = None
    port: str | None = None

    @property
    def backend(self) -> str:
        return str(self.config.get("backend", ""))

    def describe_match(self) -> str:
        if self.node == "tty":
            return f"tty {self.port}"
        if self.node == "static":
            return "static (not hot-plugged)"
        parts = [p for p in (self.vid_pid, self.input_name and repr(self.input_name)) if p]
        return f"{self.node} {' '.join(parts)}"

    def matches(self, ev: UEvent) -> bool:
        if self.node == "tty":
            return ev.subsystem == "tty" and self.port is not None and (
                ev.devname == self.port or self.port in ev.devlinks)
        if self.node == "input":
            if ev.subsystem != "input" or not ev.devname.startswith("/dev/input/event"):
                return False
            if "ID_INPUT" in ev.props and ev.props.get("ID_INPUT_KEYBOARD") != "1":
                return False  # udev says this node of the scanner is not its keyboard (e.g. consumer keys)
            if self.vid_pid is not None and ev.vid_pid != self.vid_pid:
                return False
            return self.input_name is None or ev.input_name == self.input_name
        if self.node == "usb":
            return ev.subsystem == "usb" and ev.props.get("DEVTYPE") == "usb_device" and ev.vid_pid == self.vid_pid
        return False

    def settings_for(self, ev: UEvent | None) -> dict[str, Any]:
        """The driver table, pinned to the node that appeared (an evdev scanner opens exactly that node)."""
        settings = dict(self.config)
        if ev is not None and self.node == "input" and self.backend == "evdev_wedge":
            settings["path"] = ev.devname
        return settings


def _entry(name: str, kind: str, table: Mapping[str, Any]) -> DeviceEntry:
    if not isinstance(table, Mapping):
        raise DeviceMapError(f"[devices.{name}] must be a table")
    port, vid_pid, input_name = table.get("port"), table.get("vid_pid"), table.get("name")
    backend = table.get("backend")
    for key, value in (("port", port), ("vid_pid", vid_pid), ("name", input_name)):
        if value is not None and not isinstance(value, str):
            raise DeviceMapError(f"[devices.{name}] {key} must be a string")
    if isinstance(vid_pid, str):
        vid_pid = vid_pid.lower()
    if backend == "sim":
        return DeviceEntry(name, kind, table, "static")
    if port:
        return DeviceEntry(name, kind, table, "tty", port=port)
    if backend == "evdev_wedge" and (vid_pid or input_name):
        return DeviceEntry(name, kind, table, "input", vid_pid=vid_pid, input_name=input_name)
    if vid_pid:
        return DeviceEntry(name, kind, table, "usb", vid_pid=vid_pid)
    return DeviceEntry(name, kind, table, "static")


@dataclass(frozen=True, slots=True)
class DeviceMap:
    entries: tuple[DeviceEntry, ...] = field(default_factory=tuple)

    @classmethod
    def from_devices(cls, devices: Mapping[str, Any]) -> DeviceMap:
        """From the `[devices]` table: one entry per kind present (scanner, scale, printer, pinpad)."""
        entries = []
        for kind, table in devices.items():
            if kind not in KINDS:
                raise DeviceMapError(f"[devices.{kind}]: unknown device kind; expected one of {', '.join(KINDS)}")
            if table is not None:
                entries.append(_entry(kind, kind, table))
        return cls(tuple(entries))

    @classmethod
    def from_toml(cls, text: str) -> DeviceMap:
        try:
            config = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise DeviceMapError(f"the config is not valid TOML: {err}") from err
        devices = config.get("devices", {})
        if not isinstance(devices, Mapping):
            raise DeviceMapError("[devices] must be a table")
        return cls.from_devices(devices)

    def match(self, ev: UEvent) -> DeviceEntry | None:
        return next((e for e in self.entries if e.matches(ev)), None)

    def __getitem__(self, name: str) -> DeviceEntry:
        for e in self.entries:
            if e.name == name:
                return e
        raise KeyError(name)
