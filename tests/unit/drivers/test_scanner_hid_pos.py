"""HID POS (usage page 0x8C) scanned-data reports: real report bytes, bad reports, properties."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.events import FrameError, Scan
from drivers.scanner.hid_pos_report import (
    HidPosAssembler,
    HidPosReport,
    build_report,
    build_reports,
    parse_report,
)

# Reports a Honeywell Voyager 1602g sent in HID POS mode answering the REVINF. menu command,
# as published in HenkVanAsselt/python_hon_usbhid README.md (commit 5144ad43).
VOYAGER_REVINF = [
    [2, 56, 93, 88, 48, 80, 114, 111, 100, 117, 99, 116, 32, 78, 97, 109, 101, 58, 32, 86, 111, 121, 97, 103, 101, 114, 32, 49, 54, 48, 50, 103, 13, 10, 66, 111, 111, 116, 32, 82, 101, 118, 105, 115, 105, 111, 110, 58, 32, 58, 32, 56, 57, 57, 50, 13, 10, 83, 111, 102, 116, 63, 0, 1],
    [2, 56, 93, 88, 48, 119, 97, 114, 101, 32, 80, 97, 114, 116, 32, 78, 117, 109, 98, 101, 114, 58, 32, 67, 87, 48, 48, 48, 48, 56, 50, 66, 66, 65, 13, 10, 83, 111, 102, 116, 119, 97, 114, 101, 32, 82, 101, 118, 105, 115, 105, 111, 110, 58, 32, 36, 80, 114, 111, 106, 101, 63, 0, 1],
    [2, 56, 93, 88, 48, 99, 116, 82, 101, 118, 105, 115, 105, 111, 110, 58, 32, 49, 54, 51, 52, 53, 32, 13, 10, 83, 101, 114, 105, 97, 108, 32, 78, 117, 109, 98, 101, 114, 58, 32, 49, 53, 50, 51, 50, 66, 49, 70, 48, 67, 13, 10, 83, 117, 112, 112, 111, 114, 116, 101, 100, 63, 0, 1],
    [2, 56, 93, 88, 48, 32, 73, 70, 58, 32, 66, 108, 117, 101, 116, 111, 111, 116, 104, 13, 10, 80, 67, 66, 32, 65, 115, 115, 101, 109, 98, 108, 121, 32, 73, 68, 58, 32, 48, 48, 48, 48, 48, 48, 13, 10, 69, 110, 103, 105, 110, 101, 32, 70, 105, 114, 109, 119, 97, 114, 101, 63, 0, 1],
    [2, 56, 93, 88, 48, 32, 84, 121, 112, 101, 58, 32, 78, 47, 65, 32, 32, 32, 82, 101, 118, 105, 115, 105, 111, 110, 58, 32, 78, 47, 65, 32, 32, 32, 83, 101, 114, 105, 97, 108, 32, 78, 117, 109, 98, 101, 114, 58, 32, 78, 47, 65, 32, 32, 32, 67, 104, 101, 99, 107, 115, 63, 0, 1],
    [2, 9, 93, 88, 48, 117, 109, 58, 32, 78, 47, 65, 13, 10] + [0] * 47 + [63, 0, 0],
    [2, 8, 93, 90, 54, 82, 69, 86, 73, 78, 70, 6, 46] + [0] * 48 + [54, 0, 0],
]
REVINF_TEXT = (
    b"Product Name: Voyager 1602g\r\nBoot Revision: : 8992\r\nSoftware Part Number: CW000082BBA\r\n"
    b"Software Revision: $ProjectRevision: 16345 \r\nSerial Number: 15232B1F0C\r\nSupported IF: Bluetooth\r\n"
    b"PCB Assembly ID: 000000\r\nEngine Firmware Type: N/A   Revision: N/A   Serial Number: N/A   Checksum: N/A\r\n"
)


def test_real_voyager_reports_parse_and_assemble() -> None:
    first = parse_report(bytes(VOYAGER_REVINF[0]))
    assert first == HidPosReport(b"Product Name: Voyager 1602g\r\nBoot Revision: : 8992\r\nSoft", "]X0", 0x3F, True)
    asm = HidPosAssembler(device="hh")
    out = [item for report in VOYAGER_REVINF for item in asm.feed(bytes(report))]
    assert out == [Scan(REVINF_TEXT, "]X0", "hh"), Scan(b"REVINF\x06.", "]Z6", "hh")]
    assert not asm.pending


def test_built_reports_match_the_real_layout() -> None:
    assert build_report(b"um: N/A\r\n", "]X0", vendor_symbology=0x3F) == bytes(VOYAGER_REVINF[5])
    assert parse_report(build_report(b"4006381333931", "]E0", vendor_symbology=ord("d"))) == HidPosReport(
        b"4006381333931", "]E0", ord("d"), False)
    binary = bytes(range(256)) * 2
    asm = HidPosAssembler()
    assert [i for r in build_reports(binary, "]Q0") for i in asm.feed(r)] == [Scan(binary, "]Q0")]


def test_no_aim_id_means_no_symbology() -> None:
    assert parse_report(build_report(b"12345670")) == HidPosReport(b"12345670", None, 0, False)


def test_bad_reports_are_typed_errors_and_do_not_break_a_continued_barcode() -> None:
    asm = HidPosAssembler()
    assert asm.feed(bytes(VOYAGER_REVINF[4])) == []
    start = 64
    bad = [
        (b"\x02\x05", "shorter than its 5-byte header", start),
        (b"\x04" + bytes(63), "report id 0x04 is not the scanned-data report 0x02", start + 2),
        (b"\x02\x39]E0" + bytes(59), "data length 57 exceeds the 56 data bytes", start + 66 + 1),
        (b"\x02\x01]e!" + bytes(59), "AIM modifier b'!'", start + 130 + 4),
    ]
    for report, reason, offset in bad:
        (err,) = asm.feed(report)
        assert isinstance(err, FrameError) and reason in err.reason and err.offset == offset
    assert asm.pending  # the Voyager's continued message is still open
    assert asm.feed(bytes(VOYAGER_REVINF[5])) == [
        Scan(b" Type: N/A   Revision: N/A   Serial Number: N/A   Checksum: N/A\r\n", "]X0")]


def test_symbology_change_mid_barcode_and_cut_off_barcode() -> None:
    asm = HidPosAssembler()
    asm.feed(build_report(b"part", "]C0", continued=True))
    out = asm.feed(build_report(b"5901234123457", "]E0"))
    assert isinstance(out[0], FrameError) and out[0].data == b"part" and out[1] == Scan(b"5901234123457", "]E0")
    asm.feed(build_report(b"half", "]C0", continued=True))
    err = asm.abandon()
    assert isinstance(err, FrameError) and "cut off" in err.reason and asm.abandon() is None


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(st.binary(max_size=200), st.integers(0, 255))
def test_random_bytes_give_only_typed_results(data: bytes, report_id: int) -> None:
    asm = HidPosAssembler(report_id=report_id, max_length=300)
    out = [i for start in range(0, len(data), 64) for i in asm.feed(data[start : start + 64])]
    out.append(asm.abandon())
    assert all(isinstance(x, Scan | FrameError | None) for x in out)


_bad_report = st.one_of(
    st.binary(max_size=4),
    st.builds(lambda rid, rest: bytes([rid]) + rest, st.integers(3, 255), st.binary(min_size=63, max_size=63)),
    st.builds(lambda n, rest: bytes([2, n]) + rest, st.integers(57, 255), st.binary(min_size=62, max_size=62)),
    st.builds(lambda c, rest: b"\x02\x00]" + bytes([c]) + rest, st.integers(0, 0x40), st.binary(min_size=60, max_size=60)),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=80)
@given(st.lists(st.tuples(st.lists(_bad_report, max_size=3), st.binary(max_size=150),
                          st.sampled_from([None, "]E0", "]d2", "]Q1"])), min_size=1, max_size=5))
def test_scans_among_garbage_reports_are_all_recovered_in_order(
        items: list[tuple[list[bytes], bytes, str | None]]) -> None:
    asm = HidPosAssembler()
    out: list[Scan | FrameError] = []
    for garbage, data, symbology in items:
        reports = build_reports(data, symbology)
        for i, report in enumerate(reports):
            if i == len(reports) // 2:  # garbage also arrives between the parts of one barcode
                for g in garbage:
                    out += asm.feed(g)
            out += asm.feed(report)
    assert [(x.data, x.symbology) for x in out if isinstance(x, Scan)] == [(d, s) for _, d, s in items]
