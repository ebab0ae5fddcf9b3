"""Key events of a keyboard-wedge scanner -> `Scan`s, through a real XKB keymap.

Rules (from public failure reports, see shared/data/devices/keyboard_wedge.md):
- the layout is the scanner's configured keyboard country, set per device, never assumed;
- Shift is tracked per press/release, Caps Lock toggles, AltGr picks level 3 (libxkbcommon does all of it);
- keypad digits and keypad Enter count like the main block (Num Lock assumed on, as scanners do);
- GS (ASCII 29) arrives as Ctrl+] or as Alt held over keypad digits 0,0,2,9;
- a scan ends on the configured suffix (Enter or Tab), or after an idle gap when there is none;
  an Enter before any data is tolerated (some scanners send one as a prefix);
- autorepeat events never double a character; two presses of the same key give two characters.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from drivers.events import FrameError, Scan
from drivers.scanner.aim import split_aim
from drivers.scanner.evdev_stream import EV_KEY, EventsDropped, EventStreamParser, InputEvent
from drivers.scanner.keymap import XkbKeyboard
from drivers.scanner.settings import WedgeOptions

log = logging.getLogger(__name__)

KEY_TAB, KEY_ENTER, KEY_KPENTER, KEY_RIGHTBRACE = 15, 28, 96, 27
_MODIFIER_KEYS = frozenset({
    29, 97,  # Ctrl
    42, 54,  # Shift
    56, 100,  # Alt, AltGr
    58, 69, 70,  # Caps Lock, Num Lock, Scroll Lock
    125, 126, 127,  # Meta / Compose
})
_KEYPAD_DIGITS = {82: 0, 79: 1, 80: 2, 81: 3, 75: 4, 76: 5, 77: 6, 71: 7, 72: 8, 73: 9}
# cp1252 leaves these undefined; Windows Alt+0nnn cannot type them either
_CP1252_HOLES = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def alt_code_char(digits: str) -> str | None:
    """Windows Alt codes: Alt+0nnn is cp1252 (ANSI), Alt+nnn is cp437 (OEM); below 32 both are ASCII controls."""
    value = int(digits)
    if value > 255:
        return None
    if value < 128:
        return chr(value)
    if digits.startswith("0"):
        return None if value in _CP1252_HOLES else bytes([value]).decode("cp1252")
    return bytes([value]).decode("cp437")


class WedgeDecoder:
    """Feed it `InputEvent`s (or the stream parser's `FrameError`s); it returns scans and errors."""

    def __init__(self, options: WedgeOptions, *, device: str = "") -> None:
        self.options = options
        self.device = device
        self._kbd = XkbKeyboard(options.layout, options.variant, numlock=options.numlock)
        self._chars: list[tuple[str, int]] = []  # (text, stream offset of its key event)
        self._alt_digits = ""
        self._alt_offset = 0
        self._last_time: float | None = None
        self._overflowed = False

    @property
    def pending(self) -> bool:
        """Characters are waiting for their suffix or idle gap."""
        return bool(self._chars)

    def feed(self, items: Iterable[InputEvent | FrameError]) -> list[Scan | FrameError]:
        out: list[Scan | FrameError] = []
        for item in items:
            if isinstance(item, FrameError):
                out.append(item)
                if isinstance(item, EventsDropped):
                    # the key state is unknown now: start clean rather than guess
                    self._discard(out, "events were dropped mid-scan", item.offset)
                    self._kbd.reset()
                continue
            if item.type == EV_KEY:
                self._key(item, out)
        return out

    def idle(self) -> list[Scan | FrameError]:
        """The input went quiet (or ended): with no suffix, what is pending is a scan; else it is cut off."""
        out: list[Scan | FrameError] = []
        self._flush_alt(out)
        if self._overflowed:
            self._finish(out)
        elif self._chars:
            if self.options.suffix == "none":
                self._finish(out)
            else:
                self._discard(out, f"scan not terminated by its {self.options.suffix} suffix", self._chars[0][1])
        return out

    # -- internals ------------------------------------------------------------------------
    def _key(self, ev: InputEvent, out: list[Scan | FrameError]) -> None:
        if ev.value == 2:
            return  # autorepeat: never a second character
        if ev.value == 0:
            alt_before = self._kbd.active("Mod1")
            self._kbd.release(ev.code)
            if alt_before and not self._kbd.active("Mod1"):
                self._flush_alt(out)
            return
        if self.options.suffix == "none" and (self._chars or self._overflowed) and self._last_time is not None:
            if (ev.time - self._last_time) * 1000 > self.options.idle_gap_ms:
                self._finish(out)
        self._last_time = ev.time
        self._kbd.press(ev.code)
        if ev.code in _MODIFIER_KEYS:
            return
        ctrl = self._kbd.active("Control")
        if self._kbd.active("Mod1") and not ctrl and ev.code in _KEYPAD_DIGITS:
            if not self._alt_digits:
                self._alt_offset = ev.offset
            self._alt_digits += str(_KEYPAD_DIGITS[ev.code])
            return
        if self._is_suffix(ev.code):
            if self._chars or self._overflowed:
                self._finish(out)
            return  # an Enter before any data is a prefix some scanners send
        text = self._kbd.text(ev.code)
        if ctrl and not _is_control(text):
            # scanners send FNC1 as Ctrl with the key at the US ']' position, whatever the layout
            text = "\x1d" if ev.code == KEY_RIGHTBRACE else ""
        if not text:
            name = self._kbd.keysym_name(ev.code) or f"code {ev.code}"
            out.append(_err(f"key {name} types no character in layout {self.options.layout!r}", ev.offset))
            return
        self._append(text, ev.offset, out)

    def _is_suffix(self, code: int) -> bool:
        suffix = self.options.suffix
        return (suffix == "enter" and code in (KEY_ENTER, KEY_KPENTER)) or (suffix == "tab" and code == KEY_TAB)

    def _append(self, text: str, offset: int, out: list[Scan | FrameError]) -> None:
        if self._overflowed:
            return
        self._chars.append((text, offset))
        if len(self._chars) > self.options.max_length:
            self._discard(out, f"scan longer than {self.options.max_length} characters", self._chars[0][1])
            self._overflowed = True  # swallow the rest of this scan up to its suffix or gap

    def _flush_alt(self, out: list[Scan | FrameError]) -> None:
        if not self._alt_digits:
            return
        digits, self._alt_digits = self._alt_digits, ""
        ch = alt_code_char(digits)
        if ch is None:
            out.append(_err(f"Alt+{digits} is not a character code", self._alt_offset))
        else:
            self._append(ch, self._alt_offset, out)

    def _finish(self, out: list[Scan | FrameError]) -> None:
        chars, self._chars = self._chars, []
        if self._overflowed:
            self._overflowed = False
            return
        if not chars:
            return
        start = chars[0][1]
        data = bytearray()
        for text, offset in chars:
            try:
                data += text.encode("latin-1")
            except UnicodeEncodeError:
                out.append(_err(f"character {text!r} has no single-byte (latin-1) code", offset))
                return
        if self.options.gs_substitute:
            data = bytearray(data.replace(self.options.gs_substitute.encode("latin-1"), b"\x1d"))
        symbology = None
        if self.options.aim_prefix:
            split = split_aim(bytes(data), start)
            if isinstance(split, FrameError):
                log.warning("wedge: %s", split)
                out.append(split)
                return
            symbology, payload = split
            data = bytearray(payload)
        out.append(Scan(bytes(data), symbology, self.device))

    def _discard(self, out: list[Scan | FrameError], reason: str, offset: int) -> None:
        if self._chars and not self._overflowed:
            text = "".join(t for t, _ in self._chars)
            out.append(_err(reason, offset, text.encode("latin-1", "replace")))
        self._chars = []
        self._alt_digits = ""


def _is_control(text: str) -> bool:
    return len(text) == 1 and (ord(text) < 0x20 or ord(text) == 0x7F)


def _err(reason: str, offset: int, data: bytes = b"") -> FrameError:
    err = FrameError(reason, offset, data)
    log.warning("wedge: %s", err)
    return err


class WedgeStream:
    """Raw /dev/input bytes -> scans: the stream parser and the decoder, as both wedge backends use them."""

    def __init__(self, options: WedgeOptions, *, device: str = "") -> None:
        self.parser = EventStreamParser(options.event_format)
        self.decoder = WedgeDecoder(options, device=device)

    def feed(self, data: bytes) -> list[Scan | FrameError]:
        return self.decoder.feed(self.parser.feed(data))

    def idle(self) -> list[Scan | FrameError]:
        return self.decoder.idle()

    def end(self) -> list[Scan | FrameError]:
        """End of input: a truncated record is an error; pending characters are settled as on idle."""
        out: list[Scan | FrameError] = []
        err = self.parser.close()
        if err is not None:
            out.append(err)
        return out + self.decoder.idle()
