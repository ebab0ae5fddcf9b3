"""Keyboard-wedge decoding from struct-packed input_event streams (no /dev/input, no uinput).

Streams are built key by key with the kernel's key codes, as a scanner configured for a given
keyboard country sends them; expected strings are what that layout's keys type.
"""

from __future__ import annotations

import json
import struct

import pytest
from evdev import ecodes as e

from drivers.events import FrameError, Scan
from drivers.scanner.evdev_stream import EventsDropped, EventStreamParser
from drivers.scanner.settings import WedgeOptions
from drivers.scanner.wedge_decoder import WedgeStream, alt_code_char

REC = struct.Struct("@llHHi")
T0 = 1_700_000_000


class Keys:
    """Builds a raw event stream: press/release records with SYN_REPORTs, 5 ms apart."""

    def __init__(self) -> None:
        self.t_us = 0
        self.buf = bytearray()

    def ev(self, typ: int, code: int, value: int) -> Keys:
        self.buf += REC.pack(T0 + self.t_us // 1_000_000, self.t_us % 1_000_000, typ, code, value)
        return self

    def key(self, code: int, value: int) -> Keys:
        self.ev(e.EV_MSC, e.MSC_SCAN, 0x70000 + code).ev(e.EV_KEY, code, value).ev(e.EV_SYN, e.SYN_REPORT, 0)
        self.t_us += 5_000
        return self

    def tap(self, *codes: int) -> Keys:
        """Hold all but the last code as modifiers, tap the last."""
        for c in codes:
            self.key(c, 1)
        for c in reversed(codes):
            self.key(c, 0)
        return self

    def taps(self, *codes: int) -> Keys:
        for c in codes:
            self.tap(c)
        return self

    def wait(self, ms: int) -> Keys:
        self.t_us += ms * 1000
        return self


DIGIT_KEYS = {str(i): getattr(e, f"KEY_{i}") for i in range(10)}
KP_KEYS = {str(i): getattr(e, f"KEY_KP{i}") for i in range(10)}
EAN = "4006381333931"


def offset_of(buf: bytes | bytearray, code: int, value: int = 1) -> int:
    """Stream offset of the first EV_KEY record for `code` with `value`."""
    for off in range(0, len(buf), REC.size):
        _, _, typ, c, v = REC.unpack_from(buf, off)
        if (typ, c, v) == (e.EV_KEY, code, value):
            return off
    raise AssertionError(f"no key {code} in stream")


def decode(stream: bytes, **options: object) -> list[Scan | FrameError]:
    pipeline = WedgeStream(WedgeOptions(**options))  # type: ignore[arg-type]
    return pipeline.feed(stream) + pipeline.end()


def texts(items: list[Scan | FrameError]) -> list[str]:
    return [i.data.decode("latin-1") for i in items if isinstance(i, Scan)]


def german_scanner_ean() -> bytes:
    # QWERTZ: digits are the unshifted main-row keys
    return bytes(Keys().taps(*(DIGIT_KEYS[d] for d in EAN), e.KEY_ENTER).buf)


def french_scanner_ean() -> bytes:
    # AZERTY: digits need Shift on the main row
    k = Keys()
    for d in EAN:
        k.tap(e.KEY_LEFTSHIFT, DIGIT_KEYS[d])
    return bytes(k.tap(e.KEY_ENTER).buf)


def test_german_scanner_read_with_french_layout_is_garbled_and_with_german_is_right() -> None:
    assert texts(decode(german_scanner_ean(), layout="fr")) == ["'àà-\"_&\"\"\"ç\"&"]
    assert texts(decode(german_scanner_ean(), layout="de")) == [EAN]


def test_french_scanner_read_with_german_layout_is_garbled_and_with_french_is_right() -> None:
    assert texts(decode(french_scanner_ean(), layout="de")) == ["$==&§(!§§§)§!"]
    assert texts(decode(french_scanner_ean(), layout="fr")) == [EAN]


def test_uk_scanner_on_us_layout_swaps_quote_and_at() -> None:
    # InvenTree #10589: UK Shift+2 is '"', Shift+' is '@'; US reads them the other way round
    stream = bytes(Keys().tap(e.KEY_LEFTSHIFT, e.KEY_2).tap(e.KEY_LEFTSHIFT, e.KEY_APOSTROPHE).tap(e.KEY_ENTER).buf)
    assert texts(decode(stream, layout="gb")) == ['"@']
    assert texts(decode(stream, layout="us")) == ['@"']


def test_altgr_on_german_layout() -> None:
    # QWERTZ AltGr+Q is '@', AltGr+8/9 are '[' ']'
    stream = bytes(Keys().tap(e.KEY_RIGHTALT, e.KEY_Q).tap(e.KEY_RIGHTALT, e.KEY_8)
                   .tap(e.KEY_RIGHTALT, e.KEY_9).tap(e.KEY_ENTER).buf)
    assert texts(decode(stream, layout="de")) == ["@[]"]


def gs1_keys(gs: str) -> bytes:
    """']C1' + (01)07032069804988 (10)0329 <GS> (15)210526 from a German-layout scanner."""
    k = Keys().tap(e.KEY_RIGHTALT, e.KEY_9).tap(e.KEY_LEFTSHIFT, e.KEY_C).tap(e.KEY_1)
    k.taps(*(DIGIT_KEYS[d] for d in "0107032069804988100329"))
    if gs == "ctrl":
        k.tap(e.KEY_LEFTCTRL, e.KEY_RIGHTBRACE)
    else:
        k.key(e.KEY_LEFTALT, 1).taps(e.KEY_KP0, e.KEY_KP0, e.KEY_KP2, e.KEY_KP9).key(e.KEY_LEFTALT, 0)
    return bytes(k.taps(*(DIGIT_KEYS[d] for d in "15210526"), e.KEY_ENTER).buf)


@pytest.mark.parametrize("gs", ["ctrl", "alt"])
def test_gs1_with_gs_as_ctrl_bracket_or_alt_0029(gs: str, shared_data) -> None:  # type: ignore[no-untyped-def]
    cases = {c["id"]: c for c in json.loads((shared_data / "barcodes" / "gs1_cases.json").read_text())["cases"]}
    items = decode(gs1_keys(gs), layout="de", aim_prefix=True)
    assert items == [Scan(cases["msg-gs-present"]["input"].encode(), "]C1")]
    assert items[0].data == b"0107032069804988100329\x1d15210526"


def test_keypad_digits_and_keypad_enter() -> None:
    stream = bytes(Keys().taps(*(KP_KEYS[d] for d in EAN), e.KEY_KPENTER).buf)
    for layout in ("us", "gb", "de", "fr"):
        assert texts(decode(stream, layout=layout)) == [EAN]


def test_keypad_digits_with_numlock_off_type_nothing_and_are_reported() -> None:
    stream = bytes(Keys().taps(KP_KEYS["4"], e.KEY_1, e.KEY_ENTER).buf)
    items = decode(stream, layout="us", numlock=False)
    assert isinstance(items[0], FrameError) and "KP_Left" in items[0].reason
    assert texts(items) == ["1"]


def test_doubled_keys_stay_double_and_autorepeat_does_not_double() -> None:
    # 6427015058088 (markjaniczak/symbology-scanner #4) and 02422288 (FreeRDP #3229)
    k = Keys()
    for d in "6427015058088":
        k.key(DIGIT_KEYS[d], 1).key(DIGIT_KEYS[d], 2).key(DIGIT_KEYS[d], 2).key(DIGIT_KEYS[d], 0)
    k.tap(e.KEY_ENTER).taps(*(DIGIT_KEYS[d] for d in "02422288"), e.KEY_ENTER)
    assert texts(decode(bytes(k.buf), layout="us")) == ["6427015058088", "02422288"]


def test_shift_per_key_and_caps_lock_toggle() -> None:
    # Code 128 'RtTwtZDJe_' (julzhk/usb_barcode_scanner #8): Shift pressed and released around capitals
    k = Keys()
    for ch in "RtTwtZDJe_":
        code = e.KEY_MINUS if ch == "_" else getattr(e, f"KEY_{ch.upper()}")
        k.tap(e.KEY_LEFTSHIFT, code) if (ch.isupper() or ch == "_") else k.tap(code)
    k.tap(e.KEY_ENTER)
    # Caps Lock on: letters invert with Shift (shift XOR caps), digits do not change
    k.tap(e.KEY_CAPSLOCK).taps(e.KEY_A, e.KEY_1).tap(e.KEY_LEFTSHIFT, e.KEY_B).tap(e.KEY_CAPSLOCK)
    k.taps(e.KEY_C, e.KEY_ENTER)
    assert texts(decode(bytes(k.buf), layout="us")) == ["RtTwtZDJe_", "A1bc"]


def test_enter_before_the_data_is_tolerated_and_tab_suffix_frames() -> None:
    stream = bytes(Keys().taps(e.KEY_ENTER, e.KEY_1, e.KEY_2, e.KEY_ENTER).buf)
    assert decode(stream, layout="us") == [Scan(b"12")]
    tabbed = bytes(Keys().taps(e.KEY_1, e.KEY_TAB, e.KEY_2, e.KEY_3, e.KEY_TAB).buf)
    assert texts(decode(tabbed, layout="us", suffix="tab")) == ["1", "23"]


def test_no_suffix_frames_by_idle_gap_taken_from_event_times() -> None:
    stream = bytes(Keys().taps(e.KEY_1, e.KEY_2).wait(200).taps(e.KEY_3, e.KEY_4).buf)
    assert texts(decode(stream, layout="us", suffix="none", idle_gap_ms=60)) == ["12", "34"]
    assert texts(decode(stream, layout="us", suffix="none", idle_gap_ms=500)) == ["1234"]


def test_aim_prefix_parsed_and_missing_prefix_rejected(shared_data) -> None:  # type: ignore[no-untyped-def]
    k = Keys().tap(e.KEY_RIGHTBRACE).tap(e.KEY_LEFTSHIFT, e.KEY_E).taps(e.KEY_0, *(DIGIT_KEYS[d] for d in EAN))
    k.tap(e.KEY_ENTER).tap(e.KEY_LEFTSHIFT, e.KEY_A).tap(e.KEY_LEFTSHIFT, e.KEY_B).tap(e.KEY_LEFTSHIFT, e.KEY_C)
    items = decode(bytes(k.tap(e.KEY_ENTER).buf), layout="us", aim_prefix=True)
    assert items[0] == Scan(EAN.encode(), "]E0")
    assert isinstance(items[1], FrameError)
    assert items[1].reason.startswith("no symbology identifier") and items[1].data == b"ABC"
    assert items[1].offset == offset_of(k.buf, e.KEY_A)
    assert len(items) == 2


def test_dropped_events_discard_the_partial_scan_and_recover() -> None:
    k = Keys().taps(e.KEY_1, e.KEY_2)
    drop_at = len(k.buf)
    k.ev(e.EV_SYN, e.SYN_DROPPED, 0).taps(e.KEY_3, e.KEY_ENTER)
    items = decode(bytes(k.buf), layout="us")
    assert isinstance(items[0], EventsDropped) and items[0].offset == drop_at
    assert isinstance(items[1], FrameError) and items[1].data == b"12"
    assert items[2:] == [Scan(b"3")]


def test_bad_records_are_rejected_with_offset_and_change_nothing() -> None:
    k = Keys().tap(e.KEY_1)
    bad_at = len(k.buf)
    k.buf += REC.pack(T0, 0, e.EV_KEY, e.KEY_2, 7)  # value 7 is no key state
    k.buf += REC.pack(T0, 2_000_000, e.EV_KEY, e.KEY_3, 1)  # microseconds out of range
    k.buf += REC.pack(T0, 0, 0x19, 0, 0)  # no such event type
    k.taps(e.KEY_4, e.KEY_ENTER)
    items = decode(bytes(k.buf), layout="us")
    errors = [i for i in items if isinstance(i, FrameError)]
    assert [x.offset for x in errors] == [bad_at, bad_at + REC.size, bad_at + 2 * REC.size]
    assert "value 7" in errors[0].reason and "microseconds" in errors[1].reason and "0x19" in errors[2].reason
    assert texts(items) == ["14"]


def test_truncated_recording_and_unterminated_scan_are_errors() -> None:
    stream = bytes(Keys().taps(e.KEY_1, e.KEY_2).buf) + b"\x01\x02\x03"
    items = decode(stream, layout="us")
    assert [type(i) for i in items] == [FrameError, FrameError]
    assert "inside a record" in items[0].reason and items[0].offset == len(stream) - 3
    assert "not terminated" in items[1].reason and items[1].data == b"12"


def test_overlong_scan_is_cut_and_the_next_one_reads() -> None:
    k = Keys().taps(*([e.KEY_7] * 20), e.KEY_ENTER, e.KEY_8, e.KEY_ENTER)
    items = decode(bytes(k.buf), layout="us", max_length=10)
    assert isinstance(items[0], FrameError) and "longer than 10" in items[0].reason
    assert items[1:] == [Scan(b"8")]


def test_alt_codes() -> None:
    assert alt_code_char("0029") == "\x1d" and alt_code_char("29") == "\x1d"
    assert alt_code_char("0128") == "€" and alt_code_char("128") == "Ç"  # ANSI vs OEM code page
    assert alt_code_char("0129") is None and alt_code_char("300") is None


def test_parser_keeps_partial_records_across_reads() -> None:
    stream = bytes(Keys().taps(e.KEY_5, e.KEY_ENTER).buf)
    parser = EventStreamParser()
    events = []
    for i in range(0, len(stream), 7):  # reads that cut records anywhere
        events += parser.feed(stream[i : i + 7])
    assert parser.close() is None
    assert [(x.type, x.code, x.value) for x in events if x.type == e.EV_KEY] == [
        (e.EV_KEY, e.KEY_5, 1), (e.EV_KEY, e.KEY_5, 0), (e.EV_KEY, e.KEY_ENTER, 1), (e.EV_KEY, e.KEY_ENTER, 0)]


def test_gs_substitute_character_becomes_gs() -> None:
    # a scanner set to send '~' for FNC1 (as some are, when the host cannot take Ctrl or Alt codes)
    k = Keys().taps(*(DIGIT_KEYS[d] for d in "0107032069804988100329"))
    k.tap(e.KEY_LEFTSHIFT, e.KEY_GRAVE).taps(*(DIGIT_KEYS[d] for d in "15210526"), e.KEY_ENTER)
    assert decode(bytes(k.buf), layout="us", gs_substitute="~") == [Scan(b"0107032069804988100329\x1d15210526")]
    assert texts(decode(bytes(k.buf), layout="us")) == ["0107032069804988100329~15210526"]
