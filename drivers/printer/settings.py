"""Printer settings: msgspec Structs, one per backend, strict about unknown keys.

In the lane's TOML a printer is one table, e.g.

    [devices.printer]
    backend = "network"        # usb | serial | network | file | sim (or an entry-point backend)
    host = "192.168.1.50"
    profile = "TM-T20II"       # escpos-printer-db profile name

`load_settings(mapping)` picks the backend's Settings type from `backend` and validates the rest;
a misspelt key is an error naming it, never silently dropped.
"""

from __future__ import annotations

from typing import Literal

import msgspec


class PrinterSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Settings every backend shares."""

    backend: str
    name: str = "printer"
    profile: str = "default"
    code_page: str | None = None  # default: the first of CP858, CP1252, ISO_8859-15, CP850, CP437
    code_page_number: int | None = None  # for clones that number their tables differently
    columns: int | None = None
    dots: int | None = None
    drawer_open_level: Literal["high", "low", "none"] = "high"
    drawer_settle_s: float = 0.3  # drawer kick pulse + spring travel before we read the sensor
    status_timeout_s: float = 2.0


class UsbSettings(PrinterSettings, kw_only=True, forbid_unknown_fields=True, frozen=True):
    vendor_id: int
    product_id: int
    in_ep: int = 0x82
    out_ep: int = 0x01
    timeout_ms: int = 5000


class SerialSettings(PrinterSettings, kw_only=True, forbid_unknown_fields=True, frozen=True):
    port: str
    baudrate: int = 9600
    bytesize: Literal[7, 8] = 8
    parity: Literal["N", "E", "O"] = "N"
    stopbits: Literal[1, 2] = 1
    xonxoff: bool = False
    dsrdtr: bool = True


class NetworkSettings(PrinterSettings, kw_only=True, forbid_unknown_fields=True, frozen=True):
    host: str
    port: int = 9100
    timeout_s: float = 10.0


class FileSettings(PrinterSettings, kw_only=True, forbid_unknown_fields=True, frozen=True):
    path: str


class SimSettings(PrinterSettings, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """The simulated printer: `port = 0` starts one on loopback owned by the backend."""

    host: str = "127.0.0.1"
    port: int = 0
    timeout_s: float = 10.0
