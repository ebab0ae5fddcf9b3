"""Reading single catalog cells: barcodes, prices, quantities, weights.

Each reader returns the value, or None after reporting a Problem for the row.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from appliance.domain.barcodes import normalise_gtin
from appliance.domain.errors import MoneyError, ScanError
from appliance.domain.money import Money, Rounding, exponent, round_decimal
from appliance.importers.report import ImportReport, Severity

# What a spreadsheet makes of a long number typed into a General-format cell: 4.6347E+11.
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_BARCODE_NOISE = str.maketrans("", "", " -")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+", re.ASCII)


def check_digit(payload: str) -> int:
    """GS1 mod-10 check digit, as biip.checksums computes it, without a Python-level loop.

    biip's version costs several µs a call, a noticeable share of a million-row import. Summing
    the ASCII codes and taking off 48 per digit gives the digit sum in C.
    """
    b = payload.encode("ascii")
    odd, even = b[::-2], b[-2::-2]  # from the rightmost payload digit: weights 3, 1, 3 …
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return (10 - total % 10) % 10


def barcode(cell: str, row: int, report: ImportReport) -> str | None:
    """The GTIN-14 of a barcode cell, or None (reported) when it cannot be scanned as one.

    Hyphens and spaces (ISBN style) and a leading apostrophe (a spreadsheet's "keep as text"
    mark) are removed first. Never guesses lost digits back.
    """
    text = cell.strip()
    if not text:
        return None
    code = text if text.isdigit() else text.lstrip("'").translate(_BARCODE_NOISE)
    if code.isascii() and code.isdigit():
        n = len(code)
        if n in (12, 13, 14):
            want = check_digit(code[:-1])
            if want == ord(code[-1]) - 48:
                return code.zfill(14)
            report.add(row, Severity.WARNING, "bad_check_digit",
                       f"Barcode {text} has a wrong check digit (expected {want}): the item is imported "
                       "without a scannable GTIN; it can still be found by SKU or name.")  # fmt: skip
            return None
        if n == 8:
            try:
                return normalise_gtin(code)
            except ScanError:
                report.add(row, Severity.WARNING, "bad_check_digit",
                           f"Barcode {text} has a wrong check digit for EAN-8 and UPC-E: imported without a GTIN.")  # fmt: skip
                return None
        report.add(row, Severity.WARNING, "not_gtin",
                   f"Barcode {text} has {n} digits, not a GTIN length (8, 12, 13, 14): imported without a GTIN.")  # fmt: skip
        return None
    if _SCIENTIFIC.fullmatch(text):
        report.add(row, Severity.WARNING, "barcode_scientific",
                   f"Barcode {text} was turned into a number by a spreadsheet and lost digits: not imported as a GTIN. "
                   "Re-export with the barcode column formatted as text.")  # fmt: skip
        return None
    report.add(
        row,
        Severity.WARNING,
        "not_gtin",
        f"Barcode {text!r} is not a GTIN (not all digits): imported without a GTIN.",
    )
    return None


def price(
    cell: str, currency: str, decimal_comma: bool, row: int, column: str, report: ImportReport
) -> Money | None:
    text = cell.strip()
    if not text:
        return None
    # Fast path for the usual "12.34" (or "12,34"): exact integer arithmetic, no Decimal.
    whole, sep, frac = text.partition("," if decimal_comma else ".")
    exp = exponent(currency)
    if (
        whole.isdigit()
        and whole.isascii()
        and (not sep or (frac.isdigit() and frac.isascii() and len(frac) <= exp))
    ):
        return Money(int(whole) * 10**exp + (int(frac.ljust(exp, "0")) if exp and frac else 0), currency)
    if decimal_comma and "." in text and not _THOUSANDS.fullmatch(text.partition(",")[0].lstrip("-")):
        # Money.parse reads "." as a thousands separator here; "2.99" would become 299.00.
        report.add(row, Severity.ERROR, "bad_price",
                   f"{column} {text!r} has a '.' that is no thousands separator: was --decimal-comma meant? "
                   "The item is not imported.")  # fmt: skip
        return None
    try:
        money = Money.parse(text, currency, decimal_comma=decimal_comma)
    except MoneyError as err:
        hint = (
            " If the store writes prices with a decimal comma, import with --decimal-comma."
            if "," in text and not decimal_comma
            else ""
        )
        report.add(
            row, Severity.ERROR, "bad_price", f"{column} {text!r}: {err}{hint} The item is not imported."
        )
        return None
    if money.minor < 0:
        report.add(
            row, Severity.ERROR, "bad_price", f"{column} {text!r} is negative. The item is not imported."
        )
        return None
    return money


class Prices:
    """`price()` for one file, remembering the Money of each price text it has read.

    A catalog has far fewer distinct prices than rows (every size of a shirt costs the same),
    and Money is immutable, so equal texts can share one value. Bounded: cleared when full.
    """

    LIMIT = 20_000

    def __init__(self, currency: str, decimal_comma: bool) -> None:
        self.currency = currency
        self.decimal_comma = decimal_comma
        self._seen: dict[str, Money] = {}

    def read(self, cell: str, row: int, column: str, report: ImportReport) -> Money | None:
        money = self._seen.get(cell)
        if money is not None:
            return money
        money = price(cell, self.currency, self.decimal_comma, row, column, report)
        if money is not None:
            if len(self._seen) >= self.LIMIT:
                self._seen.clear()
            self._seen[cell] = money
        return money


def decimal(cell: str, decimal_comma: bool) -> Decimal | None:
    text = cell.strip()
    if not text:
        return None
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def grams(
    cell: str, factor: Decimal, decimal_comma: bool, row: int, column: str, report: ImportReport
) -> int | None:
    """A weight cell in some unit (`factor` grams per unit) as whole grams, rounded half-up."""
    if factor == 1 and cell.isdigit() and cell.isascii():
        return int(cell)
    value = decimal(cell, decimal_comma)
    if value is None:
        if cell.strip():
            report.add(
                row,
                Severity.WARNING,
                "bad_number",
                f"{column} {cell.strip()!r} is not a number: weight left empty.",
            )
        return None
    if value < 0:
        report.add(
            row, Severity.WARNING, "bad_number", f"{column} {cell.strip()!r} is negative: weight left empty."
        )
        return None
    return round_decimal(value * factor, Rounding.HALF_UP)


def count(cell: str, row: int, column: str, report: ImportReport) -> int | None:
    text = cell.strip()
    if not text:
        return None
    if text.lstrip("-").isascii() and text.lstrip("-").isdigit():
        return int(text)
    report.add(row, Severity.WARNING, "bad_number", f"{column} {text!r} is not a whole number: left empty.")
    return None


def flag(cell: str) -> bool | None:
    text = cell.strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    return None
