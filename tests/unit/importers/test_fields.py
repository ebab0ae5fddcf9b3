"""Cell readers: the fast paths give exactly what the general ones give."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import given
from hypothesis import strategies as st

from appliance.domain.errors import MoneyError
from appliance.domain.money import Money
from appliance.importers import fields
from appliance.importers.report import ImportReport

PRICE_TEXT = st.one_of(
    st.from_regex(r"\A[0-9]{1,9}(\.[0-9]{0,4})?\Z"),
    st.from_regex(r"\A[0-9]{1,6},[0-9]{1,3}\Z"),
    st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{3})*,[0-9]{2}\Z"),
    st.text(alphabet="0123456789.,-+eE ²٣", max_size=8),
)


@given(PRICE_TEXT, st.sampled_from(["EUR", "JPY", "KWD"]), st.booleans())
def test_price_is_money_parse(text: str, currency: str, decimal_comma: bool) -> None:
    report = ImportReport("t")
    got = fields.price(text, currency, decimal_comma, 2, "Price", report)
    try:
        want: Money | None = (
            Money.parse(text, currency, decimal_comma=decimal_comma) if text.strip() else None
        )
    except MoneyError:
        want = None
    if want is not None and want.minor < 0:
        want = None
    grouping = text.strip().partition(",")[0].lstrip("-")
    if decimal_comma and "." in text and not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", grouping):
        want = None  # refused before Money.parse: a '.' that groups no thousands
    assert got == want
    assert (got is None and bool(text.strip())) == bool(report.problems)


@given(st.from_regex(r"\A[0-9]{1,17}\Z"))
def test_check_digit_is_biip(payload: str) -> None:
    assert fields.check_digit(payload) == gs1_standard_check_digit(payload)


@pytest.mark.parametrize(
    ("cell", "factor", "grams"),
    [
        ("145", Decimal(1), 145),
        ("226.796185", Decimal(1), 227),
        ("1.5", Decimal("453.59237"), 680),
        ("0", Decimal(1000), 0),
    ],
)
def test_grams(cell: str, factor: Decimal, grams: int) -> None:
    assert fields.grams(cell, factor, False, 2, "Weight", ImportReport("t")) == grams


def test_prices_remembers_values_and_reports_every_bad_row() -> None:
    report = ImportReport("t")
    prices = fields.Prices("EUR", decimal_comma=True)
    assert (
        prices.read("2,99", 2, "Price", report)
        is prices.read("2,99", 3, "Price", report)
        == Money(299, "EUR")
    )
    assert prices.read("1.234,50", 4, "Price", report) == Money(123450, "EUR")
    # with a decimal comma a '.' must group thousands: "2.99" is a dot-decimal file
    assert prices.read("2.99", 5, "Price", report) is None
    assert prices.read("2.99", 6, "Price", report) is None
    assert [(p.row, p.code) for p in report.problems] == [(5, "bad_price"), (6, "bad_price")]
    assert "was --decimal-comma meant?" in report.problems[0].message
