"""interpret() beyond the GS1 reference cases: store codes, prefixes, bad input, any bytes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.domain import gs1_rules
from appliance.domain.barcodes import (
    ScanRules,
    encode_parked_ticket,
    encode_pickup_code,
    encode_receipt_ref,
    interpret,
    normalise_gtin,
)
from appliance.domain.errors import ScanError
from appliance.domain.money import Money
from appliance.domain.scans import (
    CouponScan,
    GtinScan,
    LoyaltyCardScan,
    ParkedBasketScan,
    PickupCodeScan,
    PluScan,
    ReceiptRefScan,
    ScanResult,
    UnknownScan,
    VariableMeasureScan,
)

TODAY = dt.date(2026, 12, 3)
RULES = ScanRules(currency="GBP", region="GB", loyalty_prefixes=("LC", "2400"), coupon_prefixes=("SC",))
TYPES = (
    GtinScan, VariableMeasureScan, PluScan, CouponScan, LoyaltyCardScan,
    ReceiptRefScan, PickupCodeScan, ParkedBasketScan, UnknownScan,
)  # fmt: skip


def scan(data: bytes | str, symbology: str | None = None) -> ScanResult:
    return interpret(data, symbology, RULES, today=TODAY)


def reason(data: bytes | str, symbology: str | None = None) -> str:
    r = scan(data, symbology)
    assert isinstance(r, UnknownScan), r
    return r.reason


def test_receipt_ref_round_trip() -> None:
    text = encode_receipt_ref("0042", 7, 12345)
    # body 0042 007 00012345, GS1 mod-10 over it: 2 (weights 3,1 from the right)
    assert text == "RC0042007000123452"
    assert scan(text) == ReceiptRefScan(store="0042", lane="007", receipt_no=12345)
    assert scan(text, "]C0") == ReceiptRefScan(store="0042", lane="007", receipt_no=12345)
    assert scan(b"]C0" + text.encode() + b"\r\n") == ReceiptRefScan(
        store="0042", lane="007", receipt_no=12345
    )


def test_receipt_ref_misread_digit_is_caught() -> None:
    assert "check digit is wrong: expected 2, got 5" in reason("RC0042007000123455")
    assert "RC + 16 digits" in reason("RC00420070001234")


@pytest.mark.parametrize(
    "bad", [("00420", 7, 1), ("42a", 7, 1), (42, 1000, 1), (42, 7, -1), (42, 7, 10**8), (42, 7, True)]
)
def test_receipt_ref_encode_refuses_out_of_range(bad: tuple) -> None:
    with pytest.raises(ScanError):
        encode_receipt_ref(*bad)


def test_pickup_and_parked() -> None:
    assert scan(encode_pickup_code("W1234", "8842")) == PickupCodeScan(order_id="W1234", code="8842")
    assert "PU<order>-" in reason("PUW1234")
    ticket = encode_parked_ticket("000731")
    assert ticket == "PB0007313"  # 000731: 1*3 + 3*1 + 7*3 = 27 -> check digit 3
    assert scan(ticket) == ParkedBasketScan(ticket="000731")
    assert "check digit is wrong" in reason("PB0007318")
    with pytest.raises(ScanError):
        encode_pickup_code("w1", "12")


def test_store_prefixes() -> None:
    assert scan("LC000123456") == LoyaltyCardScan(member_id="LC000123456")
    # a numeric loyalty prefix wins over the GTIN reading of the same digits
    assert scan("2400000012342") == LoyaltyCardScan(member_id="2400000012342")
    assert scan("SC-SPRING-10") == CouponScan(code="SC-SPRING-10", gs1=False)


def test_gs1_coupons() -> None:
    assert scan("]e0" + "8110106141416543213500110000310123196000") == CouponScan(
        code="106141416543213500110000310123196000", gs1=True
    )
    assert scan("(8112)0001234567890123") == CouponScan(code="0001234567890123", gs1=True)
    # EAN-13 with GS1 prefix 99 is a coupon, not an item
    assert scan("9912345678909") == CouponScan(code="9912345678909", gs1=True)


def test_plu_and_lengths() -> None:
    assert scan("4011") == PluScan(plu="4011")
    assert scan("94011") == PluScan(plu="94011")
    assert (
        "PLU entry is switched off"
        in interpret("4011", None, ScanRules(currency="EUR", accept_plu=False), today=TODAY).reason
    )  # type: ignore[union-attr]
    assert "not a PLU (4–5), GTIN (8, 12, 13, 14)" in reason("123")
    assert "not a PLU (4–5), GTIN (8, 12, 13, 14)" in reason("1234567")


def test_gtin_normalised_to_14() -> None:
    assert scan("5012345678900") == GtinScan(gtin="05012345678900")
    assert scan("012345678905") == GtinScan(gtin="00012345678905")  # UPC-A
    assert scan("95012345678903") == GtinScan(gtin="95012345678903")
    assert scan("]E4" + "96385074") == GtinScan(gtin="00000096385074")
    assert scan("]E3" + "977123456700312") == GtinScan(gtin="09771234567003")  # ISSN + add-on
    assert normalise_gtin("96385074") == "00000096385074"
    with pytest.raises(ScanError):
        normalise_gtin("96385075")


def test_gb_variable_price() -> None:
    # GB 20 PPPPP C VVVV: item 2012345, price 0150 (1.50 GBP), its check digit by GenSpec
    # 7.9.3 (2-,2-,3,5-): 0+2+5+0 = 7, 7*3 mod 10 = 1; GTIN check digit over 201234510150 = 0.
    r = scan("2012345" + "1" + "0150" + "0")
    assert isinstance(r, VariableMeasureScan), r
    assert r.price == Money(150, "GBP")
    assert "Expected 1, got 2" in reason("2012345" + "2" + "0150" + "7")


def test_expiry_and_foreign_price() -> None:
    r = scan("]C1" + "0195012345678903" + "17261202" + "10LOT7")
    assert isinstance(r, GtinScan) and r.expired and r.expiry == dt.date(2026, 12, 2) and r.batch == "LOT7"
    r = scan("]C1" + "0195012345678903" + "17261203")
    assert isinstance(r, GtinScan) and not r.expired
    assert "currency EUR, the store sells in GBP" in reason(
        "]C1" + "0195012345678903" + "3103000500" + "39329781299"
    )
    r = scan("]C1" + "0195012345678903" + "3103000500" + "39328261299")
    assert isinstance(r, GtinScan) and r.price == Money(1299, "GBP")


def test_gs1_rules_evaluator() -> None:
    assert gs1_rules.violations([("01", "95012345678903"), ("3103", "000123")]) == []
    assert gs1_rules.violations([("01", "95012345678903"), ("3100", "000123"), ("3103", "000123")]) == [
        "(3100) and (3103) must not appear together."
    ]
    assert gs1_rules.violations([("01", "95012345678903"), ("10", "A"), ("10", "B")]) == [
        "(10) appears twice with different values."
    ]
    assert gs1_rules.violations([("01", "95012345678903"), ("3922", "100")]) == [
        "(3922) requires (30), (31nn), (32nn), (35nn) or (36nn) in the same barcode."
    ]
    assert gs1_rules.violations([("01", "95012345678903"), ("21", "X"), ("235", "Y")]) == [
        "(21) and (235) must not appear together."
    ]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("", "empty"),
        ("   \r\n", "empty"),
        (b"\xff\xfe12", "not valid UTF-8"),
        ("50123\x0745678900", "Control character 0x07 at position 5"),
        ("5012345678900\x1b", "Control character 0x1B"),
        ("５０１２３４５６７８９００", "non-ASCII"),
        ("٥٠١٢٣٤٥٦٧٨٩٠٠", "non-ASCII"),
        ("1" * 600, "600 characters"),
        ("hello world", "Not a barcode"),
        ("https://example.com/no-gs1-here", "not a GS1 Digital Link"),
        ("(99", "Not a valid GS1 element string"),
        ("]E1" + "12", "add-on"),
        ("]C1" + "00123456789012345675", "SSCC"),
        ("]C1", "empty"),
    ],
)
def test_bad_input_reasons(data: bytes | str, fragment: str) -> None:
    assert fragment in reason(data)


def test_symbology_argument_validated() -> None:
    assert "not an AIM symbology identifier" in reason("5012345678900", "E0")


def test_rules_validated() -> None:
    with pytest.raises(ScanError, match="currency"):
        ScanRules(currency="XXQ")
    with pytest.raises(ScanError, match="no RCN rules"):
        ScanRules(currency="EUR", region="FR")
    with pytest.raises(ScanError, match="prefix"):
        ScanRules(currency="EUR", loyalty_prefixes=("",))


@settings(max_examples=400, deadline=None)
@given(
    st.binary(max_size=80), st.sampled_from([None, "]E0", "]E4", "]C1", "]e0", "]d2", "]Q1", "]I1", "]E3"])
)
def test_any_bytes_give_a_typed_result(data: bytes, symbology: str | None) -> None:
    assert isinstance(scan(data, symbology), TYPES)


_GS1ISH = st.text(alphabet="0123456789()\x1d]CeEQd^ABhtps:/.", max_size=60)


@settings(max_examples=400, deadline=None)
@given(_GS1ISH, st.sampled_from([None, "]C1", "]e0", "]E0"]))
def test_gs1_looking_text_gives_a_typed_result(text: str, symbology: str | None) -> None:
    assert isinstance(scan(text, symbology), TYPES)
