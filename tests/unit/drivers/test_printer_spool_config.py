"""Reprint spool files, printer settings, and the simulator's command interpreter."""

from __future__ import annotations

import io
import json
import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from drivers.events import BackendUnavailable, DeviceInitError, FrameError
from drivers.printer import (
    Align,
    Barcode,
    Cut,
    DrawerKick,
    Feed,
    Logo,
    NetworkSettings,
    PrinterConfigError,
    PrinterProfile,
    QrCode,
    QrErrorLevel,
    ReceiptDocument,
    ReprintSpool,
    Row,
    Separator,
    SimulatedPrinter,
    Symbology,
    TextLine,
    TextSize,
    escpos_stream,
    load_settings,
    open_printer,
    render_escpos,
)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (40, 20), 0).save(buf, "PNG")
    return buf.getvalue()


EVERY_BLOCK = ReceiptDocument(
    (
        TextLine("Köln", bold=True, size=TextSize.TALL, align=Align.RIGHT),
        Row("Äpfel", "€ 1,50", bold=True),
        Separator("="),
        Feed(2),
        Barcode("4006381333931", Symbology.EAN13, height_dots=50, show_text=False),
        QrCode("https://x.example/é", module_dots=4, error_level=QrErrorLevel.H),
        Logo(_png(), max_width_dots=200),
        Cut(partial=True),
        DrawerKick(5),
    ),
    ref="0001/02 000003",
)


def test_spool_round_trips_every_block_type(tmp_path: pathlib.Path) -> None:
    spool = ReprintSpool(tmp_path)
    entry = spool.put(EVERY_BLOCK)
    assert entry.path.name == "00000001-0001_02_000003.json"
    assert spool.load(entry) == EVERY_BLOCK
    second = spool.put(EVERY_BLOCK)
    assert second.path.name.startswith("00000002-")
    failed = spool.mark_failed(entry, "paper out")
    assert (failed.attempts, failed.last_error) == (1, "paper out")
    assert [e.path for e in spool.pending()] == [entry.path, second.path]
    spool.done(entry)
    assert [e.path for e in spool.pending()] == [second.path]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"version": 1, "ref": "x",', "truncated"),
        (b"\xff\xfe garbage", "malformed"),
        (b'{"version": 2, "ref": "", "created": "", "attempts": 0, "last_error": "", "document": {}}', "unsupported version 2"),
    ],
)
def test_unreadable_spool_files_are_typed_errors_and_moved_aside(tmp_path: pathlib.Path, content: bytes, reason: str) -> None:
    spool = ReprintSpool(tmp_path)
    good = spool.put(EVERY_BLOCK)
    bad = spool.pending_dir / "00000009-bad.json"
    bad.write_bytes(content)
    with pytest.raises(FrameError, match=reason) as info:
        spool._read_file(bad)
    assert "00000009-bad.json" in info.value.reason
    assert [e.path for e in spool.pending()] == [good.path]
    assert (spool.rejected_dir / "00000009-bad.json").read_bytes() == content


def test_spool_document_with_bad_block_is_rejected_naming_block(tmp_path: pathlib.Path) -> None:
    spool = ReprintSpool(tmp_path)
    entry = spool.put(EVERY_BLOCK)
    data = json.loads(entry.path.read_bytes())
    data["document"]["blocks"][4]["data"] = "4006381333932"  # wrong check digit
    entry.path.write_text(json.dumps(data))
    with pytest.raises(FrameError, match=r"block 4 \(barcode\): EAN-13 .* check digit"):
        spool.load(entry)
    data["document"]["blocks"][4] = {"type": "hologram"}
    entry.path.write_text(json.dumps(data))
    with pytest.raises(FrameError, match="block 4: unknown block type 'hologram'"):
        spool.load(entry)


def test_settings_are_strict() -> None:
    s = load_settings({"backend": "network", "host": "10.0.0.5", "profile": "TM-T20II"})
    assert s == NetworkSettings(backend="network", host="10.0.0.5", profile="TM-T20II")
    with pytest.raises(PrinterConfigError, match="unknown field `hots`"):
        load_settings({"backend": "network", "hots": "10.0.0.5"})
    with pytest.raises(PrinterConfigError, match="unknown printer backend 'bluetooth'"):
        load_settings({"backend": "bluetooth"})
    with pytest.raises(PrinterConfigError, match="need a 'backend'"):
        load_settings({"host": "x"})
    with pytest.raises(PrinterConfigError, match="drawer_open_level"):
        load_settings({"backend": "file", "path": "/dev/null", "drawer_open_level": "sideways"})


def test_bad_profile_in_settings_fails_before_any_io(tmp_path: pathlib.Path) -> None:
    with pytest.raises(PrinterConfigError, match="unknown printer profile"):
        open_printer({"backend": "file", "path": str(tmp_path / "x"), "profile": "TM-T1000"}, spool_dir=tmp_path)


async def test_usb_printer_that_is_not_there(tmp_path: pathlib.Path) -> None:
    # No USB printer exists here: either libusb is missing or the VID:PID is not on the bus.
    printer = open_printer({"backend": "usb", "vendor_id": 0xFFFF, "product_id": 0xFFFE}, spool_dir=tmp_path)
    with pytest.raises((BackendUnavailable, DeviceInitError), match=r"libusb|ffff:fffe not found"):
        await printer.open()
    await printer.close()
    assert printer.closed


def test_stream_parser_reads_back_a_whole_receipt() -> None:
    data = render_escpos(EVERY_BLOCK, PrinterProfile.load("TM-T20II"))
    names = [c.name for c in escpos_stream.parse(data)]
    assert names[:2] == ["ESC @", "ESC t"]
    assert {"GS k", "GS ( k", "GS v 0", "GS V", "ESC p", "ESC d"} <= set(names)
    assert b"".join(c.raw for c in escpos_stream.parse(data)) == data


@pytest.mark.parametrize(
    ("data", "offset", "reason"),
    [
        (b"ok\x1b\x07", 2, "unknown command ESC 0x07"),
        (b"\x1d\xee", 0, "unknown command GS 0xee"),
        (b"ab\x00", 2, "unexpected control byte 0x00"),
        (b"\x10\x09\x01", 0, "unknown real-time command DLE 0x09"),
        (b"\x1d\x76\x30\x00\x02\x00\x02\x00\xff", 0, "stream ends inside a command"),
    ],
)
def test_stream_parser_errors_carry_offset(data: bytes, offset: int, reason: str) -> None:
    with pytest.raises(FrameError) as info:
        escpos_stream.parse(data)
    assert (info.value.offset, info.value.reason) == (offset, reason)


def test_simulator_answers_dle_eot_but_not_inside_raster_data() -> None:
    sim = SimulatedPrinter("TM-T20II", paper_near_end=True)
    raster = b"\x1dv0\x00\x03\x00\x01\x00" + b"\x10\x04\x01"  # image bytes that look like DLE EOT 1
    assert sim.feed(raster) == b""
    assert sim.feed(b"\x10\x04") == b""  # split across reads
    assert sim.feed(b"\x04") == bytes([0x1E])
    assert sim.status_requests == [4]
    assert bytes(sim.received) == raster


def test_simulator_decodes_text_with_the_selected_table() -> None:
    sim = SimulatedPrinter("POS-5890")
    sim.feed(render_escpos(ReceiptDocument((TextLine("€ 1,50 Grüße"),)), PrinterProfile.load("POS-5890")))
    assert sim.text() == "€ 1,50 Grüße\n"
    sim.feed(b"\x1b@\xd5\n")  # after a reset the printer is back on table 0 (CP437): 0xD5 is not €
    assert sim.text().splitlines()[-1] == "╒"


@given(st.binary(max_size=64))
def test_simulator_survives_random_bytes(data: bytes) -> None:
    sim = SimulatedPrinter()
    reply = sim.feed(data)
    assert all(b & 0x93 == 0x12 for b in reply)
    assert all(isinstance(e, FrameError) and 0 <= e.offset < len(data) for e in sim.errors)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(["text", "row", "cut", "barcode"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "text", "left", "right", "data", "pin", "blocks", "ref", "bold"]), inner, max_size=4),
    max_leaves=12,
)


@given(_JSON)
def test_any_json_document_gives_a_document_or_value_error(obj: object) -> None:
    from drivers.printer.spool import document_from_builtins

    try:
        doc = document_from_builtins(obj)
    except ValueError:
        return
    assert isinstance(doc, ReceiptDocument)


@given(st.binary(max_size=200))
def test_random_spool_file_bytes_give_frame_errors_only(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        spool = ReprintSpool(tmp)
        (spool.pending_dir / "00000001-x.json").write_bytes(data)
        assert spool.pending() == []  # never valid: moved aside, not raised
        assert (spool.rejected_dir / "00000001-x.json").read_bytes() == data
