"""The framer: read boundaries never matter, garbage costs only itself, offsets point at the bad bytes.

Property tests run every protocol's parser: random bytes give only typed results, and good frames
embedded in random garbage all come out, in order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.events import FrameError, ScaleStatus, Weight, WeightUnit
from drivers.scale import continuous, continuous_lines, dialog06, nci, sics, toledo
from drivers.scale.framing import Framer
from drivers.scale.serial_scale import Ack

TYPED = (Weight, ScaleStatus, Ack, FrameError)

# Garbage rich in the bytes that mean something on these wires, so the tricky cases come up often.
_DELIMS = [b"\x02", b"\x03", b"\r", b"\n", b"\r\n", b"\x06", b"\x15", b"\x1b", b"S", b" ", b"?", b"1", b"."]
GARBAGE = st.lists(st.sampled_from(_DELIMS) | st.binary(min_size=1, max_size=4), max_size=12).map(b"".join)


def _toledo() -> Framer:
    return Framer(lambda f: toledo.parse_frame(f, WeightUnit.KG, 3), start=b"\x02", end=b"\r", max_len=16)


def _nci() -> Framer:
    return Framer(nci.parse_frame, start=b"\n", end=b"\r\x03", max_len=40)


def _sics() -> Framer:
    return Framer(sics.parse_line, start=None, end=b"\r\n", max_len=48)


def _dialog() -> Framer:
    return Framer(dialog06.parse_frame, start=b"\x02", end=b"\x03", max_len=40, singles=b"\x06\x15")


def _epelsa() -> Framer:
    return Framer(continuous.parse_frame, start=b"\x02", end=b"\x03", max_len=24)


def _cas22() -> Framer:
    return Framer(lambda f: continuous_lines.parse_line(continuous_lines.CAS22, f), start=None, end=b"\r\n", max_len=44)


def _dini() -> Framer:
    return Framer(lambda f: continuous_lines.parse_line(continuous_lines.DINI, f), start=None, end=b"\r\n", max_len=44)


# name -> (framer factory, encoder of a good frame for a weight in grams)
PROTOCOLS: dict[str, tuple[Callable[[], Framer], Callable[[int], bytes]]] = {
    "toledo": (_toledo, lambda g: b"\x02%02d.%03d\r" % divmod(g, 1000)),
    "nci": (_nci, lambda g: b"\n%04d.%02dKG\r\n00\r\x03" % (g // 1000, g % 1000 // 10)),
    "sics": (_sics, lambda g: b"S S %10s kg\r\n" % (b"%d.%03d" % divmod(g, 1000))),
    "dialog06": (_dialog, lambda g: b"\x0202\x1b3\x1b%05d\x1b000100\x1b000000\x03" % g),
    "epelsa": (_epelsa, lambda g: b"\x02A%7s\r\x03" % (b"%d.%03d" % divmod(g, 1000))),
    "cas22": (_cas22, lambda g: b"ST,GS,\x01\x44,%08s kg\r\n" % (b"%d.%03d" % divmod(g, 1000))),
    "dini": (_dini, lambda g: b"ST,NT,%8s,kg\r\n" % (b"%d.%03d" % divmod(g, 1000))),
}


def _parse_alone(name: str, frame: bytes) -> object:
    results = PROTOCOLS[name][0]().feed(frame)
    assert len(results) == 1 and not isinstance(results[0], FrameError), (frame, results)
    return results[0]


def _feed_in_chunks(framer: Framer, data: bytes, cuts: list[int]) -> list[object]:
    out: list[object] = []
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for a, b in itertools.pairwise(points):
        out += framer.feed(data[a:b])
    return out + framer.flush()


def test_a_frame_delivered_one_byte_per_read_is_one_frame() -> None:
    framer = _toledo()
    results = [r for b in b"\x0201.250\r" for r in framer.feed(bytes([b]))]
    assert results == [Weight(Decimal("1.250"), WeightUnit.KG)]


def test_garbage_is_reported_once_with_its_stream_offset() -> None:
    framer = _toledo()
    results = framer.feed(b"xyz\x0201.250\r\x02?A\r")
    assert isinstance(results[0], FrameError)
    assert (results[0].offset, results[0].data, results[0].reason) == (0, b"xyz", "bytes before a frame start")
    assert results[1] == Weight(Decimal("1.250"), WeightUnit.KG)
    assert isinstance(results[2], ScaleStatus)


def test_a_truncated_frame_does_not_cost_the_next_one() -> None:
    framer = _toledo()
    results = framer.feed(b"\x0201.2\x0202.500\r")
    assert isinstance(results[0], FrameError) and results[0].data == b"\x0201.2"
    assert results[1] == Weight(Decimal("2.500"), WeightUnit.KG)


def test_a_start_byte_with_no_end_is_dropped_after_max_len() -> None:
    framer = _toledo()
    results = framer.feed(b"\x02" + b"9" * 30)
    assert len(results) == 1 and isinstance(results[0], FrameError) and "no frame end" in results[0].reason
    assert framer.feed(b"\x0201.250\r") == [Weight(Decimal("1.250"), WeightUnit.KG)]


def test_line_noise_before_a_sics_line_is_cut_off() -> None:
    results = _sics().feed(b"\x00\xffS S   1.000 kg\r\n")
    assert isinstance(results[0], FrameError) and results[0].data == b"\x00\xff"
    assert results[1] == Weight(Decimal("1.000"), WeightUnit.KG)


def test_a_long_run_of_noise_then_a_sics_line_in_small_reads() -> None:
    framer = _sics()
    data = b"#" * 100 + b"S S   1.000 kg\r\n"
    results = [r for i in range(0, len(data), 7) for r in framer.feed(data[i : i + 7])]
    assert results[-1] == Weight(Decimal("1.000"), WeightUnit.KG)
    assert all(isinstance(r, FrameError) for r in results[:-1])
    assert b"".join(r.data for r in results[:-1]) == b"#" * 100  # every noise byte reported, none twice


def test_dialog_ack_and_nak_are_frames_by_themselves() -> None:
    results = _dialog().feed(b"\x06\x15\x0209\x1b20\x03")
    assert results[:2] == [Ack(True, "ACK"), Ack(False, "NAK")]
    assert isinstance(results[2], ScaleStatus)


def test_a_stray_start_byte_does_not_swallow_the_ack_after_it() -> None:
    framer = _dialog()
    results = framer.feed(b"\xfc\x02\xd8\xf5yt\x06")  # the scale answers ACK and then waits: no ETX follows
    assert results[-1] == Ack(True, "ACK")
    assert [r.data for r in results if isinstance(r, FrameError)] == [b"\xfc", b"\x02\xd8\xf5yt"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(PROTOCOLS)), data=GARBAGE | st.binary(max_size=300), cuts=st.lists(st.integers(0, 300)))
def test_random_bytes_give_only_typed_results(name: str, data: bytes, cuts: list[int]) -> None:
    results = _feed_in_chunks(PROTOCOLS[name][0](), data, cuts)
    assert all(isinstance(r, TYPED) for r in results)
    for r in results:
        if isinstance(r, FrameError):
            assert 0 <= r.offset < max(len(data), 1) and r.reason


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(PROTOCOLS)),
    parts=st.lists(st.tuples(GARBAGE, st.integers(1, 99_999)), min_size=1, max_size=6),
    tail=GARBAGE,
    cuts=st.lists(st.integers(0, 600)),
)
def test_good_frames_in_garbage_are_all_recovered_in_order(
    name: str, parts: list[tuple[bytes, int]], tail: bytes, cuts: list[int]
) -> None:
    factory, encode = PROTOCOLS[name]
    frames = [encode(grams) for _, grams in parts]
    data = b"".join(garbage + frame for (garbage, _), frame in zip(parts, frames, strict=True)) + tail
    results = _feed_in_chunks(factory(), data, cuts)
    assert all(isinstance(r, TYPED) for r in results)
    expected = [_parse_alone(name, f) for f in frames]
    good = iter([r for r in results if not isinstance(r, FrameError)])
    assert all(any(r == want for r in good) for want in expected), (expected, results)
