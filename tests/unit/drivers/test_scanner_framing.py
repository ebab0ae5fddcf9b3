"""Serial scanner framing: exact cases and properties (random bytes, frames hidden in garbage)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.events import FrameError, Scan
from drivers.scanner.framing import SerialFramer

STX, ETX, CR = b"\x02", b"\x03", b"\r"


def feed_in_chunks(framer: SerialFramer, data: bytes, sizes: list[int]) -> list[Scan | FrameError]:
    out: list[Scan | FrameError] = []
    i = 0
    for n in sizes or [len(data) or 1]:
        out += framer.feed(data[i : i + n])
        i += n
    return out + framer.feed(data[i:])


def test_crlf_suffix_split_across_reads_and_empty_lines_skipped() -> None:
    f = SerialFramer(suffix=b"\r\n")
    assert f.feed(b"5901234123457\r") == []
    assert f.feed(b"\n\r\n0042100005264\r\n") == [Scan(b"5901234123457"), Scan(b"0042100005264")]


def test_aim_prefix_from_gs1_reference_scan_data() -> None:
    f = SerialFramer(aim_prefix=True)
    stream = b"]E02112345678900\r]e0011231231231233310ABC123\x1d1199122598TESTING\x1d97XYZ\rABC\r"
    out = f.feed(stream)
    assert out[:2] == [Scan(b"2112345678900", "]E0"),
                       Scan(b"011231231231233310ABC123\x1d1199122598TESTING\x1d97XYZ", "]e0")]
    assert isinstance(out[2], FrameError) and out[2].reason.startswith("no symbology identifier")
    assert out[2].offset == stream.index(b"ABC\r") == 69


def test_partial_frame_dropped_on_idle_and_overlong_frame_rejected() -> None:
    f = SerialFramer(max_length=8)
    assert f.feed(b"noise") == []
    (err,) = f.idle()
    assert isinstance(err, FrameError) and err.data == b"noise" and "suffix" in err.reason
    assert f.feed(b"123\r") == [Scan(b"123")]
    out = f.feed(b"0123456789abc\r7\r")
    assert isinstance(out[0], FrameError) and "longer than 8" in out[0].reason
    assert out[-1] == Scan(b"7")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
@given(st.binary(max_size=2000), st.sampled_from([(b"", b"\r"), (STX, ETX), (b"", b"\r\n"), (STX, b""), (b"", b"")]),
       st.booleans(), st.lists(st.integers(1, 50), max_size=20))
def test_random_bytes_give_only_typed_results(data: bytes, framing: tuple[bytes, bytes], aim: bool,
                                              sizes: list[int]) -> None:
    prefix, suffix = framing
    f = SerialFramer(prefix=prefix, suffix=suffix, aim_prefix=aim, max_length=100)
    out = feed_in_chunks(f, data, sizes) + f.idle()
    assert all(isinstance(x, Scan | FrameError) for x in out)
    assert all(0 <= x.offset <= len(data) for x in out if isinstance(x, FrameError))


_payload = st.binary(min_size=1, max_size=40).filter(lambda b: STX not in b and ETX not in b)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
@given(st.lists(st.tuples(st.binary(max_size=30), _payload), min_size=1, max_size=6),
       st.binary(max_size=30), st.lists(st.integers(1, 64), max_size=30))
def test_stx_etx_frames_in_garbage_are_all_recovered_in_order(pairs: list[tuple[bytes, bytes]], tail: bytes,
                                                             sizes: list[int]) -> None:
    stream = b"".join(g.replace(STX, b"") + STX + p + ETX for g, p in pairs) + tail.replace(STX, b"")
    f = SerialFramer(prefix=STX, suffix=ETX)
    out = feed_in_chunks(f, stream, sizes) + f.idle()
    assert [x.data for x in out if isinstance(x, Scan)] == [p for _, p in pairs]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
@given(st.lists(st.tuples(st.binary(max_size=30), _payload), min_size=1, max_size=6))
def test_garbage_that_looks_like_frames_never_hides_a_real_one(pairs: list[tuple[bytes, bytes]]) -> None:
    stream = b"".join(g + STX + p + ETX for g, p in pairs)
    f = SerialFramer(prefix=STX, suffix=ETX)
    got = iter([x.data for x in f.feed(stream) if isinstance(x, Scan)])
    assert all(any(p == g for g in got) for _, p in pairs)  # the real frames are a subsequence


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
@given(st.lists(st.tuples(st.binary(max_size=30).filter(lambda b: CR not in b),
                          st.binary(min_size=1, max_size=40).filter(lambda b: CR not in b)), min_size=1, max_size=6))
def test_suffix_only_frames_after_a_quiet_line_are_recovered(pairs: list[tuple[bytes, bytes]]) -> None:
    f = SerialFramer(suffix=CR)
    out: list[Scan | FrameError] = []
    for garbage, payload in pairs:
        out += f.feed(garbage) + f.idle()  # line noise, then the gap before the scanner speaks
        out += f.feed(payload + CR)
    assert [x.data for x in out if isinstance(x, Scan)] == [p for _, p in pairs]


def test_gs_substitute_byte_becomes_gs() -> None:
    f = SerialFramer(gs_substitute=b"~", aim_prefix=True)
    assert f.feed(b"]C10107032069804988100329~15210526\r") == [Scan(b"0107032069804988100329\x1d15210526", "]C1")]
