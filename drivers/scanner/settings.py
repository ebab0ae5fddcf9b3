"""Typed, validated settings for each scanner backend (msgspec Structs; unknown keys are errors).

A misspelt option is refused with the key's name rather than silently ignored.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

_VID_PID = re.compile(r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$")

Suffix = Literal["enter", "tab", "none"]
EventFormat = Literal["native", "le64", "le32"]


class _Settings(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    pass


def parse_vid_pid(text: str) -> tuple[int, int]:
    """'05e0:1200' -> (0x05E0, 0x1200)."""
    if not _VID_PID.match(text):
        raise ValueError(f"vid_pid {text!r} must look like '05e0:1200' (four hex digits each)")
    vid, pid = text.split(":")
    return int(vid, 16), int(pid, 16)


class WedgeOptions(_Settings, kw_only=True):
    """How keystrokes become scans; shared by the evdev backend and its simulator."""

    layout: str = "us"  # the keyboard country the scanner is configured for (us, gb, de, fr ...)
    variant: str = ""
    suffix: Suffix = "enter"  # what ends a scan; "none" frames by idle gap
    idle_gap_ms: int = 60  # silence that ends a scan when suffix is "none"
    aim_prefix: bool = False  # the scanner sends ']cm' before the data
    gs_substitute: str = ""  # a character the scanner is set to send in place of GS (e.g. "~")
    numlock: bool = True  # scanners type keypad digits assuming Num Lock is on
    max_length: int = 8192
    event_format: EventFormat = "native"

    def __post_init__(self) -> None:
        if not 1 <= self.idle_gap_ms <= 10_000:
            raise ValueError("idle_gap_ms must be between 1 and 10000")
        if not 1 <= self.max_length <= 1_000_000:
            raise ValueError("max_length must be between 1 and 1000000")
        _check_gs_substitute(self.gs_substitute)


def _check_gs_substitute(value: str) -> None:
    if len(value) > 1 or (value and (value.isalnum() or ord(value) > 0xFF)):
        raise ValueError("gs_substitute is one latin-1 character that is not a letter or digit (e.g. '~')")


class EvdevWedgeSettings(WedgeOptions, kw_only=True):
    """A keyboard-wedge scanner: chosen by USB VID:PID or by its exact device name, never guessed."""

    vid_pid: str | None = None
    name: str | None = None
    path: str | None = None  # /dev/input/eventN, e.g. from discovery; checked against vid_pid/name
    grab: bool = True  # keep the scanner's keystrokes away from the UI

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.vid_pid is None and self.name is None:
            raise ValueError("evdev_wedge needs vid_pid or name to choose its device")
        if self.vid_pid is not None:
            parse_vid_pid(self.vid_pid)


class SimSettings(WedgeOptions, kw_only=True):
    """Replays a recorded input_event stream through the same decoder the real device uses;
    with no file it is a live simulated scanner that `SimScanner.type_scan()` drives."""

    file: str = ""
    realtime: bool = False  # keep the recorded timing between events


class SerialSettings(_Settings, kw_only=True):
    port: str
    baudrate: int = 9600
    bytesize: Literal[5, 6, 7, 8] = 8
    parity: Literal["N", "E", "O", "M", "S"] = "N"
    stopbits: Literal[1, 2] = 1
    prefix: str = ""  # e.g. "\x02" (STX) when the scanner is set to send one
    suffix: str = "\r"  # "" frames by idle gap
    idle_gap_ms: int = 50
    aim_prefix: bool = False
    gs_substitute: str = ""  # a character the scanner is set to send in place of GS (e.g. "~")
    max_length: int = 8192

    def __post_init__(self) -> None:
        _check_gs_substitute(self.gs_substitute)
        if self.baudrate <= 0:
            raise ValueError("baudrate must be positive")
        if not 1 <= self.idle_gap_ms <= 10_000:
            raise ValueError("idle_gap_ms must be between 1 and 10000")
        if self.prefix and self.prefix == self.suffix:
            raise ValueError("prefix and suffix must differ")
        for label, value in (("prefix", self.prefix), ("suffix", self.suffix)):
            if len(value.encode("latin-1", "replace")) > 4:
                raise ValueError(f"{label} is at most 4 bytes")


class HidPosSettings(_Settings, kw_only=True):
    vid_pid: str
    report_id: int = 0x02
    timeout_ms: int = 200  # one blocking read's wait, so close() is noticed promptly

    def __post_init__(self) -> None:
        parse_vid_pid(self.vid_pid)
        if not 0 <= self.report_id <= 255:
            raise ValueError("report_id is one byte")
