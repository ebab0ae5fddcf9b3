"""Text -> the key events a keyboard-wedge scanner configured for a layout would send.

The simulator, `lanekit demo` and the tests use it to make recorded streams; it is the
scanner's side of the wire, so it shares only the keymap (xkb-data) with the decoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from drivers.scanner.evdev_stream import EV_KEY, EV_MSC, EV_SYN, SYN_REPORT, InputEvent, pack_event
from drivers.scanner.keymap import KeyStroke, stroke_table

KEY_LEFTCTRL, KEY_LEFTALT, KEY_RIGHTBRACE, KEY_ENTER, KEY_TAB, KEY_KPENTER = 29, 56, 27, 28, 15, 96
MSC_SCAN = 4
KEYPAD_DIGIT_CODES = {"0": 82, "1": 79, "2": 80, "3": 81, "4": 75, "5": 76, "6": 77, "7": 71, "8": 72, "9": 73}


class UnencodableText(ValueError):
    """A character the chosen layout has no key for."""


@dataclass
class WedgeEncoder:
    layout: str = "us"
    variant: str = ""
    suffix: Literal["enter", "kpenter", "tab", "none"] = "enter"
    gs: Literal["ctrl", "alt"] = "ctrl"  # GS as Ctrl+] or as Alt+0029 on the keypad
    keypad_digits: bool = False
    key_ms: int = 4  # between a press and its release, and between keys
    start: float = 1_700_000_000.0
    msc_scan: bool = True  # real keyboards report the HID usage before each key

    def __post_init__(self) -> None:
        self._t = round(self.start * 1_000_000)

    def _ev(self, typ: int, code: int, value: int) -> InputEvent:
        return InputEvent(self._t // 1_000_000, self._t % 1_000_000, typ, code, value)

    def _key(self, code: int, value: int) -> list[InputEvent]:
        evs = [self._ev(EV_MSC, MSC_SCAN, 0x70000 + code)] if self.msc_scan else []
        evs += [self._ev(EV_KEY, code, value), self._ev(EV_SYN, SYN_REPORT, 0)]
        self._t += self.key_ms * 1000
        return evs

    def tap(self, code: int, modifiers: tuple[int, ...] = ()) -> list[InputEvent]:
        evs: list[InputEvent] = []
        for m in modifiers:
            evs += self._key(m, 1)
        evs += self._key(code, 1) + self._key(code, 0)
        for m in reversed(modifiers):
            evs += self._key(m, 0)
        return evs

    def alt_code(self, digits: str) -> list[InputEvent]:
        evs = self._key(KEY_LEFTALT, 1)
        for d in digits:
            evs += self._key(KEYPAD_DIGIT_CODES[d], 1) + self._key(KEYPAD_DIGIT_CODES[d], 0)
        return evs + self._key(KEY_LEFTALT, 0)

    def pause(self, ms: int) -> None:
        self._t += ms * 1000

    def text(self, text: str) -> list[InputEvent]:
        table = stroke_table(self.layout, self.variant)
        evs: list[InputEvent] = []
        for ch in text:
            if ch == "\x1d":
                evs += self.tap(KEY_RIGHTBRACE, (KEY_LEFTCTRL,)) if self.gs == "ctrl" else self.alt_code("0029")
            elif self.keypad_digits and ch in KEYPAD_DIGIT_CODES:
                evs += self.tap(KEYPAD_DIGIT_CODES[ch])
            else:
                stroke: KeyStroke | None = table.get(ch)
                if stroke is None:
                    raise UnencodableText(f"layout {self.layout!r} has no key for {ch!r}")
                evs += self.tap(stroke.code, stroke.modifiers)
        return evs

    def scan(self, text: str) -> list[InputEvent]:
        """One barcode read: its characters, then the suffix."""
        evs = self.text(text)
        suffix_key = {"enter": KEY_ENTER, "kpenter": KEY_KPENTER, "tab": KEY_TAB}.get(self.suffix)
        if suffix_key is not None:
            evs += self.tap(suffix_key)
        self.pause(100)
        return evs


def to_bytes(events: list[InputEvent], fmt: str = "native") -> bytes:
    return b"".join(pack_event(e, fmt) for e in events)
