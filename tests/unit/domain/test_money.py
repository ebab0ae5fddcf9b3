from decimal import Decimal

import pytest

from appliance.domain.errors import CurrencyMismatch, MoneyError
from appliance.domain.money import Money, Rounding, allocate, exponent, format_money, round_ratio


def test_exponent_comes_from_currency_data() -> None:
    assert (exponent("EUR"), exponent("JPY"), exponent("KWD")) == (2, 0, 3)


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(MoneyError, match="Unknown ISO 4217"):
        Money(1, "ZZZ")


@pytest.mark.parametrize(
    ("num", "den", "mode", "want"),
    [
        (5, 2, Rounding.HALF_EVEN, 2),
        (7, 2, Rounding.HALF_EVEN, 4),
        (5, 2, Rounding.HALF_UP, 3),
        (-5, 2, Rounding.HALF_UP, -3),
        (-5, 2, Rounding.HALF_EVEN, -2),
        (9, 4, Rounding.DOWN, 2),
        (9, 4, Rounding.UP, 3),
        (-9, 4, Rounding.DOWN, -2),
        (10, 4, Rounding.HALF_EVEN, 2),
        (11, 4, Rounding.HALF_EVEN, 3),
    ],
)
def test_round_ratio_named_modes(num: int, den: int, mode: Rounding, want: int) -> None:
    assert round_ratio(num, den, mode) == want


def test_parse_respects_currency_exponent() -> None:
    assert Money.parse("12.34", "EUR") == Money(1234, "EUR")
    assert Money.parse("1.234", "KWD") == Money(1234, "KWD")
    assert Money.parse("500", "JPY") == Money(500, "JPY")
    assert Money.parse("2,99", "EUR", decimal_comma=True) == Money(299, "EUR")
    assert Money.parse("1.299,50", "EUR", decimal_comma=True) == Money(129950, "EUR")
    with pytest.raises(MoneyError, match="more decimals"):
        Money.parse("1.5", "JPY")
    with pytest.raises(MoneyError, match="not an amount"):
        Money.parse("abc", "EUR")
    with pytest.raises(MoneyError, match="finite"):
        Money.parse("NaN", "EUR")


def test_no_floats_anywhere() -> None:
    with pytest.raises(MoneyError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(100, "EUR").times(1.5, Rounding.HALF_UP)  # type: ignore[arg-type]


def test_weighed_price_rounds_by_named_mode() -> None:
    per_kg = Money(299, "EUR")
    assert per_kg.times(Decimal("0.755"), Rounding.HALF_UP) == Money(226, "EUR")  # 225.745
    assert per_kg.times(Decimal("0.5"), Rounding.HALF_EVEN) == Money(150, "EUR")  # 149.5 -> 150 (even)
    assert Money(5, "EUR").times(Decimal("0.5"), Rounding.HALF_EVEN) == Money(2, "EUR")  # 2.5 -> 2
    assert Money(5, "EUR").times(Decimal("0.5"), Rounding.HALF_UP) == Money(3, "EUR")


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(1, "EUR") + Money(1, "USD")
    with pytest.raises(TypeError):
        Money(1, "EUR") + 1  # type: ignore[operator]


def test_cash_rounding_to_five_cents() -> None:
    assert Money(1232, "CHF").cash_rounded(5) == Money(1230, "CHF")
    assert Money(1233, "CHF").cash_rounded(5) == Money(1235, "CHF")
    assert Money(1237, "CHF").cash_rounded(5) == Money(1235, "CHF")
    assert Money(1238, "CHF").cash_rounded(5) == Money(1240, "CHF")


def test_allocate_largest_remainder_sums_exactly() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(10, [299, 199, 99]) == [5, 3, 2]
    assert sum(allocate(1001, [7, 13, 0, 5])) == 1001
    assert allocate(0, []) == []


def test_hash_agrees_with_eq_and_format_is_locale_aware() -> None:
    assert hash(Money(5, "EUR")) == hash(Money(5, "EUR"))
    assert format_money(Money(123456, "EUR"), "de_DE") == "1.234,56\xa0€"
    assert format_money(Money(123456, "USD"), "en_US") == "$1,234.56"
