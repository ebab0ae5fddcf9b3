"""Hand-computed receipts for an EU VAT store and a US sales-tax store."""

from decimal import Decimal

import pytest

from appliance.domain.errors import DomainError
from appliance.domain.money import Money, Rounding
from appliance.domain.tax import TaxComponent, TaxPolicy, TaxRegime, TaxRoundingLevel, compute_tax

VAT = {
    "standard": (TaxComponent("A", "MwSt 19%", Decimal("0.19")),),
    "reduced": (TaxComponent("B", "MwSt 7%", Decimal("0.07")),),
}
US = {
    "general": (
        TaxComponent("ST", "State 6.25%", Decimal("0.0625")),
        TaxComponent("LC", "Local 2.25%", Decimal("0.0225")),
    ),
    "grocery": (TaxComponent("GR", "Grocery 1%", Decimal("0.01")),),
}


def eur(m: int) -> Money:
    return Money(m, "EUR")


def usd(m: int) -> Money:
    return Money(m, "USD")


def test_eu_vat_receipt_per_line() -> None:
    # bread 2.49 @7 %: 249*7/107 = 16.29 -> 0.16; wine 5.99 @19 %: 599*19/119 = 95.64 -> 0.96;
    # cheese 3.79 @7 %: 379*7/107 = 24.79 -> 0.25
    policy = TaxPolicy(TaxRegime.INCLUSIVE, VAT, TaxRoundingLevel.LINE, Rounding.HALF_UP)
    r = compute_tax([("reduced", eur(249)), ("standard", eur(599)), ("reduced", eur(379))], policy, "EUR")
    assert r.line_tax == (eur(16), eur(96), eur(25))
    a, b = r.breakdown
    assert (a.code, a.net, a.tax, a.gross) == ("A", eur(503), eur(96), eur(599))
    assert (b.code, b.net, b.tax, b.gross) == ("B", eur(587), eur(41), eur(628))
    assert (r.net, r.tax, r.gross) == (eur(1090), eur(137), eur(1227))


def test_eu_vat_per_line_and_per_receipt_differ_on_small_items() -> None:
    lines = [("standard", eur(10))] * 3
    per_line = compute_tax(lines, TaxPolicy(TaxRegime.INCLUSIVE, VAT, TaxRoundingLevel.LINE), "EUR")
    per_receipt = compute_tax(lines, TaxPolicy(TaxRegime.INCLUSIVE, VAT, TaxRoundingLevel.RECEIPT), "EUR")
    assert per_line.tax == eur(6)  # 10*19/119 = 1.596 -> 2, three times
    assert per_receipt.tax == eur(5)  # 30*19/119 = 4.79 -> 5, once
    assert per_receipt.line_tax == (eur(2), eur(2), eur(1))  # shares of the 5 by largest remainder
    assert per_receipt.gross == per_line.gross == eur(30)


def test_us_sales_tax_receipt_per_receipt() -> None:
    # general 19.99: state 1999*0.0625 = 124.94 -> 1.25, local 1999*0.0225 = 44.98 -> 0.45;
    # grocery 3.49 @1 % = 3.49 -> 0.03. Total 19.99 + 3.49 + 1.73 = 25.21
    policy = TaxPolicy(TaxRegime.EXCLUSIVE, US, TaxRoundingLevel.RECEIPT, Rounding.HALF_UP)
    r = compute_tax([("general", usd(1999)), ("grocery", usd(349))], policy, "USD")
    rows = {t.code: (t.net, t.tax) for t in r.breakdown}
    assert rows == {"GR": (usd(349), usd(3)), "LC": (usd(1999), usd(45)), "ST": (usd(1999), usd(125))}
    assert (r.net, r.tax, r.gross) == (usd(2348), usd(173), usd(2521))
    assert r.line_tax == (usd(170), usd(3))


def test_us_sales_tax_per_line_rounds_each_line() -> None:
    # two lines of 0.10 general: state 0.625 -> 1 each (per line) vs 1.25 -> 1 (per receipt)
    lines = [("general", usd(10)), ("general", usd(10))]
    per_line = compute_tax(lines, TaxPolicy(TaxRegime.EXCLUSIVE, US, TaxRoundingLevel.LINE), "USD")
    per_receipt = compute_tax(lines, TaxPolicy(TaxRegime.EXCLUSIVE, US, TaxRoundingLevel.RECEIPT), "USD")
    assert per_line.tax == usd(2)  # state 1+1, local 0.225 -> 0 twice
    assert per_receipt.tax == usd(1)  # state 1.25 -> 1, local 0.45 -> 0


def test_inclusive_multi_component_splits_by_rate() -> None:
    comps = {"x": (TaxComponent("P", "Provincial 7%", Decimal("0.07")), TaxComponent("F", "Federal 5%", Decimal("0.05")))}
    r = compute_tax([("x", Money(1120, "CAD"))], TaxPolicy(TaxRegime.INCLUSIVE, comps), "CAD")
    assert r.tax == Money(120, "CAD")  # 1120 * 0.12/1.12
    assert {t.code: t.tax.minor for t in r.breakdown} == {"F": 50, "P": 70}


def test_unknown_tax_class_and_bad_rate_are_refused() -> None:
    with pytest.raises(DomainError, match="'luxury' is not defined"):
        compute_tax([("luxury", eur(100))], TaxPolicy(TaxRegime.INCLUSIVE, VAT), "EUR")
    with pytest.raises(DomainError, match="below 1"):
        TaxComponent("Z", "bad", Decimal("19"))
