"""Reply parsers against the bytes quoted (or derived, where marked) in scale_protocols.md."""

from __future__ import annotations

import ast
import re
from decimal import Decimal

import pytest

from drivers.events import FrameError, ScaleState, ScaleStatus, Weight, WeightUnit
from drivers.scale import continuous, continuous_lines, dialog06, nci, sics, toledo
from drivers.scale.serial_scale import Ack

KG, LB, G, OZ = WeightUnit.KG, WeightUnit.LB, WeightUnit.G, WeightUnit.OZ


def _doc(shared_data) -> str:
    return (shared_data / "devices" / "scale_protocols.md").read_text()


def test_every_toledo_vector_in_the_reference_parses_as_the_document_says(shared_data) -> None:
    section = _doc(shared_data).split("Test-vector ideas", 1)[1]
    vectors = {ast.literal_eval(m) for m in re.findall(r"`(b'[^`]*')`", section)}
    toledo_vectors = {v for v in vectors if v.startswith(b"\x02")}
    expected = {
        b"\x0201.250\r": Weight(Decimal("1.250"), KG),
        b"\x02001.25N\r": Weight(Decimal("1.25"), LB, net=True),
        b"\x02  0.345\r": Weight(Decimal("0.345"), KG),
        b"\x02?A\r": ScaleState.MOTION,
        b"\x02?D\r": ScaleState.UNDER_ZERO,
        b"\x02?B\r": ScaleState.OVER_CAPACITY,
        b"\x02?@\r": ScaleState.OK,
    }
    assert toledo_vectors == set(expected)
    for frame, want in expected.items():
        unit = LB if frame.endswith(b"N\r") else KG
        got = toledo.parse_frame(frame, unit, 3)
        assert (got.state if isinstance(got, ScaleStatus) else got) == want, frame
    assert nci.parse_frame(b"\n?\r\x03") == Ack(False, "the scale rejected the command (NCI `?`: bad command)")
    assert b"\n?\r\x03" in vectors


def test_the_epelsa_frames_quoted_in_the_reference(shared_data) -> None:
    block = _doc(shared_data).split("Epelsa (pywebdriver", 1)[1].split("```", 2)[1]
    frames = [ast.literal_eval("b'" + line.split(":", 1)[1].strip() + "'") for line in block.strip().splitlines()]
    assert frames == [b"\x02I  0.000\r\x03", b"\x02A -0.450\r\x03", b"\x02! -0.250\r\x03"]
    initial, stable, transition = (continuous.parse_frame(f) for f in frames)
    assert isinstance(initial, ScaleStatus) and initial.state is ScaleState.MOTION
    assert stable == Weight(Decimal("-0.450"), KG)  # a Weight to the parser; Scale turns it into UNDER_ZERO
    assert isinstance(transition, ScaleStatus) and transition.state is ScaleState.MOTION


# -- Mettler Toledo 8217 / 8213 ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("frame", "unit", "expected"),
    [
        (b"\x0201.250\r", KG, Weight(Decimal("1.250"), KG)),  # STX WW.WWW CR, gross kg
        (b"\x02001.25N\r", LB, Weight(Decimal("1.25"), LB, net=True)),  # STX 0WW.WWN CR, net lb
        (b"\x02  0.345\r", KG, Weight(Decimal("0.345"), KG)),  # leading blanks (Odoo regex \x02\s*)
        (b"\x0201.250N\r", KG, Weight(Decimal("1.250"), KG, net=True)),
    ],
)
def test_toledo8217_weights(frame: bytes, unit: WeightUnit, expected: Weight) -> None:
    assert toledo.parse_frame(frame, unit, 3) == expected


@pytest.mark.parametrize(
    ("frame", "state", "flags"),
    [
        (b"\x02?A\r", ScaleState.MOTION, "in motion"),
        (b"\x02?D\r", ScaleState.UNDER_ZERO, "under zero"),
        (b"\x02?B\r", ScaleState.OVER_CAPACITY, "over capacity"),
        (b"\x02?@\r", ScaleState.OK, "no flags"),
        (b"\x02?P\r", ScaleState.OK, "center of zero"),
        (b"\x02?`\r", ScaleState.OK, "net"),
        (b"\x02?q\r", ScaleState.MOTION, "in motion, center of zero, net"),
        (b"\x02?\xc1\r", ScaleState.MOTION, "in motion"),  # 'A' with the (even) parity bit left on
    ],
)
def test_toledo_status_bytes(frame: bytes, state: ScaleState, flags: str) -> None:
    assert toledo.parse_frame(frame, KG, 3) == ScaleStatus(state, detail=flags)


def test_toledo_grams_without_a_point_are_grams_not_kilograms() -> None:
    # 8213 `<STX>0XXXXX<CR>` grams: a kg-configured lane must not read 1250 kg.
    assert toledo.parse_frame(b"\x02001250\r", KG, None) == Weight(Decimal(1250), G)
    assert toledo.parse_frame(b"\x02001250\r", KG, 3) == Weight(Decimal(1250), G)


def test_toledo8217_pounds_reply_on_a_kg_configuration_is_refused() -> None:
    err = toledo.parse_frame(b"\x02001.25\r", KG, 3)
    assert isinstance(err, FrameError)
    assert "3 decimals" in err.reason and err.offset == 1


def test_toledo_echo_and_bad_frames() -> None:
    assert toledo.parse_frame(b"\x02E\r", KG, 3) == Ack(True, "echo mode")
    bad = toledo.parse_frame(b"\x0201.2x0\r", KG, 3)
    assert isinstance(bad, FrameError) and bad.offset == 5  # the 'x'
    two = toledo.parse_frame(b"\x02?AB\r", KG, 3)
    assert isinstance(two, FrameError) and "2 status bytes" in two.reason
    no_bit6 = toledo.parse_frame(b"\x02?1\r", KG, 3)
    assert isinstance(no_bit6, FrameError) and "bit 6" in no_bit6.reason


# -- NCI / Weigh-Tronix ECR ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (b"\n0001.25LB\r\n00\r\x03", Weight(Decimal("1.25"), LB)),  # the document's SCP-01 example
        (b"\n01.250KG\r\nS00\r\x03", Weight(Decimal("1.250"), KG)),  # SCP-02 `xx.xxxUU` + `Shh`
        (b"\n003.50kg\r\n00\r\x03", Weight(Decimal("3.50"), KG)),  # Brecknell lower-case units
        (b"\n 1250g \r\n00\r\x03", Weight(Decimal(1250), G)),  # `_XXXXg_` grams
        (b"\n1LB 02.5OZ\r\nS00\r\x03", Weight(Decimal("18.5"), OZ)),  # lb-oz
        (b"\n0001.25LB\r\n0p4\r\x03", Weight(Decimal("1.25"), LB, net=True)),  # byte 3: net
    ],
)
def test_nci_weights(frame: bytes, expected: Weight) -> None:
    assert nci.parse_frame(frame) == expected


@pytest.mark.parametrize(
    ("frame", "state"),
    [
        (b"\n0001.25LB\r\n10\r\x03", ScaleState.MOTION),  # a weight with the motion bit is not a weight
        (b"\nS10\r\x03", ScaleState.MOTION),  # SCP-02 status only
        (b"\nS02\r\x03", ScaleState.OVER_CAPACITY),
        (b"\nS01\r\x03", ScaleState.UNDER_ZERO),
        (b"\n24\r\x03", ScaleState.ERROR),  # byte 1 bit 1 at zero, byte 2 bit 2 ROM error
        (b"\n0p8\r\x03", ScaleState.ZERO_ERROR),  # byte 3 bit 3 initial zero error
        (b"\n20\r\x03", ScaleState.OK),  # status reply to S/Z: at zero
    ],
)
def test_nci_statuses(frame: bytes, state: ScaleState) -> None:
    result = nci.parse_frame(frame)
    assert isinstance(result, ScaleStatus) and result.state is state


def test_nci_bad_command_and_bad_status() -> None:
    assert nci.parse_frame(b"\n?\r\x03") == Ack(False, "the scale rejected the command (NCI `?`: bad command)")
    err = nci.parse_frame(b"\n0001.25LB\r\n0A\r\x03")  # 'A' = 0x41 lacks bits 4 and 5
    assert isinstance(err, FrameError) and err.offset == 13
    err = nci.parse_frame(b"\n0001.25XX\r\n00\r\x03")
    assert isinstance(err, FrameError) and "unit" in err.reason


# -- MT-SICS --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"S S 100.00 g\r\n", Weight(Decimal("100.00"), G)),  # the manual's example, collapsed padding
        (b"S S     4.08 kg\r\n", Weight(Decimal("4.08"), KG)),  # Scale_Simulator README padding
        (b"S S -0.0082 g\r\n", Weight(Decimal("-0.0082"), G)),  # a signed value, not underload
        (b"S I\r\n", ScaleStatus(ScaleState.MOTION, detail="command not executable: busy or no stability reached")),
        (b"S +\r\n", ScaleStatus(ScaleState.OVER_CAPACITY, detail="overload range")),
        (b"S -\r\n", ScaleStatus(ScaleState.UNDER_ZERO, detail="underload range")),
        (b"S D -0.6800 g\r\n", ScaleStatus(ScaleState.MOTION, detail="dynamic value -0.6800 g")),  # SI dynamic
        (b"Z A\r\n", Ack(True, "zero set")),
        (b"T S   0.100 kg\r\n", Weight(Decimal("0.100"), KG)),
    ],
)
def test_sics_lines(line: bytes, expected: object) -> None:
    assert sics.parse_line(line) == expected


def test_sics_errors_and_bad_lines() -> None:
    es = sics.parse_line(b"ES\r\n")
    assert isinstance(es, ScaleStatus) and es.state is ScaleState.ERROR and "syntax" in es.detail
    for line in (b"S X 1 g\r\n", b"S S 1.0 mg\r\n", b"S + 1.0 g\r\n", b"Q\r\n"):
        assert isinstance(sics.parse_line(line), FrameError), line


# -- Dialog 06 ------------------------------------------------------------------------------------

def test_dialog06_requests_are_the_documented_records() -> None:
    assert dialog06.price_record(1234) == b"\x04\x0201\x1b001234\x1b\x03"  # EOT STX 0 1 ESC PPPPPP ESC ETX
    assert dialog06.ASK_WEIGHT == b"\x04\x05"
    assert dialog06.ASK_STATUS == b"\x04\x0208\x03"
    assert dialog06.ZERO == b"\x04\x0231\x03"  # Peakboard ECR 12 SetZero {EOT, STX, 0x33, 0x31, ETX}
    with pytest.raises(ValueError):
        dialog06.price_record(1_000_000)


def test_dialog06_replies() -> None:
    # STX 0 2 ESC 3 ESC WWWWW ESC PPPPPP ESC IIIIII ETX: status 3 = kg, weight / 1000
    assert dialog06.parse_frame(b"\x0202\x1b3\x1b01250\x1b000299\x1b000374\x03") == Weight(Decimal("1.250"), KG)
    assert dialog06.parse_frame(b"\x06") == Ack(True, "ACK")
    assert dialog06.parse_frame(b"\x15") == Ack(False, "NAK")
    for code, state in (("20", ScaleState.MOTION), ("22", ScaleState.MOTION), ("30", ScaleState.BELOW_MINIMUM),
                        ("31", ScaleState.UNDER_ZERO), ("32", ScaleState.OVER_CAPACITY), ("11", ScaleState.ERROR)):
        result = dialog06.parse_frame(b"\x0209\x1b" + code.encode() + b"\x03")
        assert isinstance(result, ScaleStatus) and result.state is state, code
        assert result.detail.startswith(f"record 09 code {code}")
    ambiguous = dialog06.parse_frame(b"\x0202\x1b2\x1b01250\x1b000299\x1b000374\x03")
    assert isinstance(ambiguous, FrameError) and ambiguous.offset == 4


# -- continuous output (Epelsa) ---------------------------------------------------------------

def test_epelsa_frames() -> None:
    assert continuous.parse_frame(b"\x02A   0.165\r\x03") == Weight(Decimal("0.165"), KG)  # qz-tray #881 bytes
    assert continuous.parse_frame(b"\x02A -0.450\r\x03") == Weight(Decimal("-0.450"), KG)  # the base refuses it
    moving = continuous.parse_frame(b"\x02! -0.250\r\x03")
    assert isinstance(moving, ScaleStatus) and moving.state is ScaleState.MOTION
    initial = continuous.parse_frame(b"\x02I  0.000\r\x03")
    assert isinstance(initial, ScaleStatus) and initial.state is ScaleState.MOTION
    unknown = continuous.parse_frame(b"\x02Q  1.000\r\x03")
    assert isinstance(unknown, FrameError) and unknown.offset == 1


# -- continuous lines: CAS 22 bytes, Dini Argeo STANDARD ------------------------------------------

def test_cas22_line_is_22_bytes_and_reads_the_manuals_example() -> None:
    # CI-600D manual: 13.5 kg is sent as 0,0,0,0,1,3,.,5 then a blank, k, g, CR LF (DERIVED layout).
    line = b"ST,GS,\x01\x44,000013.5 kg\r\n"
    assert len(line) == 22
    assert continuous_lines.parse_line(continuous_lines.CAS22, line) == Weight(Decimal("13.5"), KG)
    net = continuous_lines.parse_line(continuous_lines.CAS22, b"ST,NT,\x01\x42,000001.2 kg\r\n")
    assert net == Weight(Decimal("1.2"), KG, net=True)
    for head, state in ((b"US", ScaleState.MOTION), (b"OL", ScaleState.OVER_CAPACITY)):
        result = continuous_lines.parse_line(continuous_lines.CAS22, head + b",GS,\x01\x04,000013.5 kg\r\n")
        assert isinstance(result, ScaleStatus) and result.state is state


def test_dini_standard_string() -> None:
    fmt = continuous_lines.DINI
    assert continuous_lines.parse_line(fmt, b"ST,GS,  13.500,kg\r\n") == Weight(Decimal("13.500"), KG)
    assert continuous_lines.parse_line(fmt, b"01ST,NT,  -0.020,kg\r\n") == Weight(Decimal("-0.020"), KG, net=True)
    assert continuous_lines.parse_line(fmt, b"ST,GS,    1250, g\r\n") == Weight(Decimal(1250), G)
    for head, state in ((b"UL", ScaleState.UNDER_ZERO), (b"OL", ScaleState.OVER_CAPACITY), (b"US", ScaleState.MOTION)):
        result = continuous_lines.parse_line(fmt, head + b",GS,  13.500,kg\r\n")
        assert isinstance(result, ScaleStatus) and result.state is state
    bad = continuous_lines.parse_line(fmt, b"ST,GS,  1.2.50,kg\r\n")
    assert isinstance(bad, FrameError) and bad.offset == 6
    assert isinstance(continuous_lines.parse_line(fmt, b"XX,GS,  13.500,kg\r\n"), FrameError)
