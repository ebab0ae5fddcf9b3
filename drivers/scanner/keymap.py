"""Key codes to characters through a real XKB keymap (libxkbcommon, no X server).

A keyboard-wedge scanner types its data as if on a keyboard of the country it is configured
for; the host must read those keys with the same layout or digits come out as `&é"'`.
libxkbcommon compiles the layout from xkb-data and tracks Shift, Caps Lock, AltGr (Level 3),
Num Lock and Ctrl exactly as a desktop would, so we do not keep our own tables.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from xkbcommon import xkb

EVDEV_OFFSET = 8  # XKB key code = evdev key code + 8 (the X11 legacy offset)
_EFFECTIVE = xkb.StateComponent.XKB_STATE_MODS_EFFECTIVE
_DOWN, _UP = xkb.KeyDirection.XKB_KEY_DOWN, xkb.KeyDirection.XKB_KEY_UP

KEY_NUMLOCK = 69
_SHIFT, _LOCK, _CTRL, _MOD2, _MOD5 = 1, 2, 4, 16, 128  # real-modifier mask bits, fixed by XKB


class LayoutError(ValueError):
    """The configured keyboard layout or variant does not exist in xkb-data."""


@functools.lru_cache(maxsize=16)
def _context() -> xkb.Context:
    return xkb.Context()


@functools.lru_cache(maxsize=32)
def load_keymap(layout: str, variant: str = "") -> xkb.Keymap:
    try:
        return _context().keymap_new_from_names(layout=layout, variant=variant or None)
    except xkb.XKBKeymapCreationFailure as err:
        raise LayoutError(f"keyboard layout {layout!r} variant {variant!r} is not in xkb-data") from err


class XkbKeyboard:
    """One virtual keyboard's state: feed key presses and releases, read the text each press makes."""

    def __init__(self, layout: str, variant: str = "", *, numlock: bool = True) -> None:
        self.layout = layout
        self.variant = variant
        self._numlock = numlock
        self._keymap = load_keymap(layout, variant)
        self.reset()

    def reset(self) -> None:
        """Forget every held key and lock; Num Lock starts as configured (scanners assume it on)."""
        self._state = self._keymap.state_new()
        if self._numlock:
            self.press(KEY_NUMLOCK)
            self.release(KEY_NUMLOCK)

    def press(self, code: int) -> None:
        self._state.update_key(code + EVDEV_OFFSET, _DOWN)

    def release(self, code: int) -> None:
        self._state.update_key(code + EVDEV_OFFSET, _UP)

    def text(self, code: int) -> str:
        """The characters key `code` types in the current state ('' for keys that type nothing).

        libxkbcommon applies the Ctrl transformation itself: Ctrl+] gives GS (0x1D).
        """
        try:
            return self._state.key_get_string(code + EVDEV_OFFSET)
        except xkb.XKBInvalidKeycode:
            return ""

    def keysym_name(self, code: int) -> str:
        try:
            sym = self._state.key_get_one_sym(code + EVDEV_OFFSET)
        except xkb.XKBInvalidKeycode:
            return ""
        return xkb.keysym_get_name(sym) if sym else ""

    def active(self, modifier: str) -> bool:
        """Whether a modifier ('Shift', 'Control', 'Mod1' = Alt, 'Lock', 'Mod5' = AltGr) is in effect."""
        try:
            return bool(self._state.mod_name_is_active(modifier, _EFFECTIVE))
        except xkb.XKBModifierDoesNotExist:
            return False


@dataclass(frozen=True, slots=True)
class KeyStroke:
    """How to type one character: hold `modifiers` (evdev codes), tap `code`."""

    code: int
    modifiers: tuple[int, ...] = ()


_MOD_KEYS = {_SHIFT: 42, _MOD5: 100, _CTRL: 29}  # KEY_LEFTSHIFT, KEY_RIGHTALT (AltGr), KEY_LEFTCTRL
_MOD_COST = {42: 1000, 100: 2000, 29: 4000}
_KEYPAD = frozenset({71, 72, 73, 75, 76, 77, 79, 80, 81, 82, 83, 55, 74, 78, 98, 96, 117, 121})


@functools.lru_cache(maxsize=32)
def stroke_table(layout: str, variant: str = "") -> dict[str, KeyStroke]:
    """Character -> the simplest main-block key stroke that types it in this layout, Num Lock on.

    This is what a scanner configured for `layout` sends; the simulator and tests use it.
    """
    km = load_keymap(layout, variant)
    table: dict[str, tuple[int, KeyStroke]] = {}
    for xcode in range(km.min_keycode(), km.max_keycode() + 1):
        code = xcode - EVDEV_OFFSET
        if code <= 0 or code in _KEYPAD:
            continue
        try:
            levels = km.num_levels_for_key(xcode, 0)
        except xkb.XKBError:
            continue
        for level in range(levels):
            for mask in km.key_get_mods_for_level(xcode, 0, level):
                if mask & ~(_SHIFT | _MOD5 | _MOD2):
                    continue
                mods = tuple(k for bit, k in _MOD_KEYS.items() if mask & bit)
                for sym in km.key_get_syms_by_level(xcode, 0, level):
                    ch = xkb.keysym_to_string(sym)
                    if not ch or len(ch) != 1:
                        continue
                    # prefer plain keys, then Shift, then AltGr; then the lowest key code
                    cost = sum(_MOD_COST[k] for k in mods) + code
                    if ch not in table or cost < table[ch][0]:
                        table[ch] = (cost, KeyStroke(code, mods))
    return {ch: stroke for ch, (_, stroke) in table.items()}
