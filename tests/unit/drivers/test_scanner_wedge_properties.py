"""Property tests: any bytes give only typed results; real scans survive garbage records around them."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.events import FrameError, Scan
from drivers.scanner.keymap import stroke_table
from drivers.scanner.settings import WedgeOptions
from drivers.scanner.wedge_decoder import WedgeStream
from drivers.scanner.wedge_encoder import WedgeEncoder, to_bytes

REC = struct.Struct("@llHHi")
LAYOUTS = ("us", "gb", "de", "fr")


def _typable(layout: str) -> str:
    table = stroke_table(layout)
    return "".join(sorted(ch for ch in table if " " < ch < "\x7f"))  # printable ASCII this layout has a key for


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=4096), layout=st.sampled_from(LAYOUTS), chunk=st.integers(1, 100))
def test_random_bytes_give_only_scans_and_frame_errors(data: bytes, layout: str, chunk: int) -> None:
    pipeline = WedgeStream(WedgeOptions(layout=layout, max_length=64))
    out: list[object] = []
    for i in range(0, len(data), chunk):
        out += pipeline.feed(data[i : i + chunk])
    out += pipeline.end()
    assert all(isinstance(x, Scan | FrameError) for x in out)
    for x in out:
        if isinstance(x, FrameError):
            assert 0 <= x.offset <= len(data) and x.reason


_garbage_record = st.one_of(
    st.builds(lambda t, c, v: REC.pack(1, 0, t, c, v), st.integers(0x18, 0xFFFF), st.integers(0, 0xFFFF),
              st.integers(-(2**31), 2**31 - 1)),  # unknown event types
    st.builds(lambda c, v: REC.pack(1, 0, 1, c, v), st.integers(0, 0x2FF), st.integers(3, 2**31 - 1)),  # bad key values
    st.builds(lambda u: REC.pack(1, u, 1, 30, 1), st.integers(1_000_000, 2**40)),  # bad microseconds
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_scans_embedded_in_garbage_records_are_all_recovered_in_order(data: st.DataObject) -> None:
    layout = data.draw(st.sampled_from(LAYOUTS))
    alphabet = _typable(layout)
    barcodes = data.draw(st.lists(st.text(alphabet, min_size=1, max_size=30), min_size=1, max_size=5))
    encoder = WedgeEncoder(layout=layout, keypad_digits=data.draw(st.booleans()))
    stream = b""
    for code in barcodes:
        stream += b"".join(data.draw(st.lists(_garbage_record, max_size=4)))
        stream += to_bytes(encoder.scan(code))
    stream += b"".join(data.draw(st.lists(_garbage_record, max_size=4)))
    pipeline = WedgeStream(WedgeOptions(layout=layout))
    out = pipeline.feed(stream) + pipeline.end()
    assert [x.data.decode("latin-1") for x in out if isinstance(x, Scan)] == barcodes
    assert all(isinstance(x, FrameError) for x in out if not isinstance(x, Scan))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_gs1_text_round_trips_on_every_layout_with_either_gs_form(data: st.DataObject) -> None:
    layout = data.draw(st.sampled_from(LAYOUTS))
    gs = data.draw(st.sampled_from(["ctrl", "alt"]))
    parts = data.draw(st.lists(st.text("0123456789ABCXYZ", min_size=1, max_size=12), min_size=1, max_size=4))
    text = "]d2" + "\x1d".join(parts)
    stream = to_bytes(WedgeEncoder(layout=layout, gs=gs).scan(text))
    pipeline = WedgeStream(WedgeOptions(layout=layout, aim_prefix=True))
    assert pipeline.feed(stream) + pipeline.end() == [Scan("\x1d".join(parts).encode(), "]d2")]
