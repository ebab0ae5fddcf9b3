"""Money as integer minor units of an ISO 4217 currency; rounding is always a named step.

The currency exponent comes from CLDR data (babel): JPY 0, EUR 2, KWD 3.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from appliance.domain.errors import CurrencyMismatch, MoneyError


class Rounding(enum.Enum):
    HALF_EVEN = "half_even"
    HALF_UP = "half_up"  # away from zero at .5
    DOWN = "down"  # toward zero (discounts round down)
    UP = "up"  # away from zero


@functools.cache
def exponent(currency: str) -> int:
    """Minor-unit digits of an ISO 4217 code; unknown codes are refused, not guessed."""
    from babel.numbers import get_currency_precision, list_currencies

    if currency not in list_currencies():
        raise MoneyError(f"Unknown ISO 4217 currency code {currency!r}.")
    return get_currency_precision(currency)


def round_ratio(num: int, den: int, mode: Rounding) -> int:
    """num/den rounded to an integer by `mode`, in exact integer arithmetic."""
    if den == 0:
        raise ZeroDivisionError("rounding a ratio with denominator 0")
    if den < 0:
        num, den = -num, -den
    sign = -1 if num < 0 else 1
    q, r = divmod(abs(num), den)
    if r == 0:
        return sign * q
    if mode is Rounding.DOWN:
        return sign * q
    if mode is Rounding.UP:
        return sign * (q + 1)
    twice = 2 * r
    if twice > den or (twice == den and (mode is Rounding.HALF_UP or q % 2 == 1)):
        q += 1
    return sign * q


def round_decimal(value: Decimal, mode: Rounding) -> int:
    """A Decimal rounded to an integer by `mode`, without touching the ambient Decimal context."""
    num, den = value.as_integer_ratio()
    return round_ratio(num, den, mode)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.minor) is not int:
            raise MoneyError(f"Money needs integer minor units, got {type(self.minor).__name__} {self.minor!r}.")
        exponent(self.currency)

    # --- construction -------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str, *, decimal_comma: bool = False) -> Money:
        """'12.34' (or '12,34' with decimal_comma) → Money; more digits than the currency has is an error."""
        raw = text.strip()
        if decimal_comma:
            raw = raw.replace(".", "").replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise MoneyError(f"{text!r} is not an amount of money.") from None
        if not value.is_finite():
            raise MoneyError(f"{text!r} is not a finite amount of money.")
        exp = exponent(currency)
        scaled = value.scaleb(exp)
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{text!r} has more decimals than {currency} allows ({exp}).")
        return cls(int(scaled), currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str, mode: Rounding) -> Money:
        return cls(round_decimal(value.scaleb(exponent(currency)), mode), currency)

    # --- arithmetic ---------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented  # type: ignore[return-value]
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")
        return other

    def __add__(self, other: object) -> Money:
        o = self._same(other)
        if o is NotImplemented:
            return NotImplemented
        return Money(self.minor + o.minor, self.currency)

    def __sub__(self, other: object) -> Money:
        o = self._same(other)
        if o is NotImplemented:
            return NotImplemented
        return Money(self.minor - o.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def times(self, quantity: Decimal | int, mode: Rounding) -> Money:
        """Price × a (possibly fractional) quantity, rounded by a named mode."""
        if isinstance(quantity, float):
            raise MoneyError("Quantities are Decimal or int, never float.")
        num, den = Decimal(quantity).as_integer_ratio()
        return Money(round_ratio(self.minor * num, den, mode), self.currency)

    def ratio(self, other: Money) -> Decimal:
        o = self._same(other)
        return Decimal(self.minor) / Decimal(o.minor)

    def _cmp(self, other: object) -> int:
        o = self._same(other)
        if o is NotImplemented:
            raise TypeError(f"Cannot compare Money with {type(other).__name__}.")
        return (self.minor > o.minor) - (self.minor < o.minor)

    def __lt__(self, other: object) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: object) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: object) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: object) -> bool:
        return self._cmp(other) >= 0

    def __bool__(self) -> bool:
        return self.minor != 0

    # --- views --------------------------------------------------------
    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def __str__(self) -> str:
        exp = exponent(self.currency)
        return f"{self.amount:.{exp}f} {self.currency}"

    def cash_rounded(self, increment_minor: int, mode: Rounding = Rounding.HALF_UP) -> Money:
        """Round to the smallest coin in circulation, e.g. 5 for CHF/0.05 cash rounding."""
        if increment_minor <= 0:
            raise MoneyError("A cash-rounding increment must be a positive number of minor units.")
        return Money(round_ratio(self.minor, increment_minor, mode) * increment_minor, self.currency)


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` minor units over `weights` by largest remainder; shares sum to `total` exactly.

    Ties on the remainder go to the earlier position, so the result is deterministic.
    """
    if not weights:
        if total:
            raise MoneyError("Cannot allocate a non-zero amount over no lines.")
        return []
    if any(w < 0 for w in weights):
        raise MoneyError("Allocation weights must not be negative.")
    wsum = sum(weights)
    if wsum == 0:
        weights = [1] * len(weights)
        wsum = len(weights)
    sign = -1 if total < 0 else 1
    t = abs(total)
    floors = [t * w // wsum for w in weights]
    rema = [t * w % wsum for w in weights]
    left = t - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-rema[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * f for f in floors]


def format_money(money: Money, locale: str = "en_US") -> str:
    """Locale-aware display (babel); kept apart from arithmetic."""
    from babel.numbers import format_currency

    return format_currency(money.amount, money.currency, locale=locale)
