"""Tax: inclusive (VAT, shelf prices contain tax) and exclusive (sales tax, added at the till).

A tax class has one or more components (a US class may be state + county + city); each
component is computed on the same base. Rounding happens per line or once per receipt and rate,
by a named mode; either way each line's share of the tax is known (largest remainder), so refunds
of single lines give back exactly the tax that was charged for them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from appliance.domain.errors import DomainError
from appliance.domain.money import Money, Rounding, allocate, round_ratio


class TaxRegime(enum.Enum):
    INCLUSIVE = "inclusive"
    EXCLUSIVE = "exclusive"


class TaxRoundingLevel(enum.Enum):
    LINE = "line"
    RECEIPT = "receipt"


@dataclass(frozen=True, slots=True)
class TaxComponent:
    code: str  # printed on the receipt, e.g. "A" or "STATE"
    label: str  # e.g. "VAT 19%"
    rate: Decimal  # 0.19 for 19 %

    def __post_init__(self) -> None:
        if not (Decimal(0) <= self.rate < Decimal(1)):
            raise DomainError(f"Tax rate {self.rate} of {self.code!r} must be at least 0 and below 1 (a fraction).")


@dataclass(frozen=True, slots=True)
class TaxPolicy:
    regime: TaxRegime
    classes: dict[str, tuple[TaxComponent, ...]]
    level: TaxRoundingLevel = TaxRoundingLevel.LINE
    rounding: Rounding = Rounding.HALF_UP

    def components(self, tax_class: str) -> tuple[TaxComponent, ...]:
        try:
            return self.classes[tax_class]
        except KeyError:
            raise DomainError(f"Tax class {tax_class!r} is not defined for this store.") from None


@dataclass(frozen=True, slots=True)
class TaxLine:
    """One row of the receipt's tax breakdown."""

    code: str
    label: str
    rate: Decimal
    net: Money
    tax: Money
    gross: Money


@dataclass(frozen=True, slots=True)
class TaxResult:
    breakdown: tuple[TaxLine, ...]
    line_tax: tuple[Money, ...]  # per input line, sums to `tax`
    net: Money
    tax: Money
    gross: Money  # what the customer pays
    by_line_component: tuple[tuple[tuple[str, int], ...], ...] = field(default=())


def _component_tax(amount: int, rate: Decimal, regime: TaxRegime, mode: Rounding) -> int:
    num, den = rate.as_integer_ratio()
    if regime is TaxRegime.EXCLUSIVE:
        return round_ratio(amount * num, den, mode)
    # gross × r / (1 + r)
    return round_ratio(amount * num, den + num, mode)


def compute_tax(lines: list[tuple[str, Money]], policy: TaxPolicy, currency: str) -> TaxResult:
    """Tax for lines of (tax class, amount after discounts).

    Amounts are gross under INCLUSIVE and net under EXCLUSIVE. With several components under
    INCLUSIVE, the combined rate splits the gross first, then the tax splits by component rate.
    """
    comps = [policy.components(tc) for tc, _ in lines]
    for (_, amount), _c in zip(lines, comps, strict=True):
        if amount.currency != currency:
            raise DomainError(f"A {amount.currency} line cannot be taxed on a {currency} receipt.")
    # per (line, component code) tax in minor units
    per_line: list[dict[str, int]] = [dict() for _ in lines]
    keys: dict[str, TaxComponent] = {}
    for cs in comps:
        for c in cs:
            keys.setdefault(c.code, c)
    if policy.level is TaxRoundingLevel.LINE:
        for i, ((_, amount), cs) in enumerate(zip(lines, comps, strict=True)):
            per_line[i] = _split_line(amount.minor, cs, policy)
    else:
        # one rounding per component over all lines carrying it, then shares back to lines
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, cs in enumerate(comps):
            groups.setdefault(tuple(c.code for c in cs), []).append(i)
        for codes, idx in groups.items():
            cs = comps[idx[0]]
            total = sum(lines[i][1].minor for i in idx)
            split = _split_line(total, cs, policy)
            for code in codes:
                shares = allocate(split[code], [lines[i][1].minor for i in idx])
                for i, s in zip(idx, shares, strict=True):
                    per_line[i][code] = s
    breakdown = []
    for code, comp in sorted(keys.items()):
        tax = sum(pl.get(code, 0) for pl in per_line)
        base_lines = [(i, lines[i][1].minor) for i, pl in enumerate(per_line) if code in pl]
        if policy.regime is TaxRegime.EXCLUSIVE:
            net = sum(a for _, a in base_lines)
        else:
            net = sum(a - sum(per_line[i].values()) for i, a in base_lines)
        breakdown.append(
            TaxLine(code, comp.label, comp.rate, Money(net, currency), Money(tax, currency), Money(net + tax, currency))
        )
    line_tax = tuple(Money(sum(pl.values()), currency) for pl in per_line)
    tax_total = sum(t.minor for t in line_tax)
    amount_total = sum(a.minor for _, a in lines)
    if policy.regime is TaxRegime.EXCLUSIVE:
        net_total, gross_total = amount_total, amount_total + tax_total
    else:
        net_total, gross_total = amount_total - tax_total, amount_total
    return TaxResult(
        breakdown=tuple(breakdown),
        line_tax=line_tax,
        net=Money(net_total, currency),
        tax=Money(tax_total, currency),
        gross=Money(gross_total, currency),
        by_line_component=tuple(tuple(sorted(pl.items())) for pl in per_line),
    )


def _split_line(amount: int, comps: tuple[TaxComponent, ...], policy: TaxPolicy) -> dict[str, int]:
    if not comps:
        return {}
    if policy.regime is TaxRegime.EXCLUSIVE:
        return {c.code: _component_tax(amount, c.rate, TaxRegime.EXCLUSIVE, policy.rounding) for c in comps}
    combined = sum((c.rate for c in comps), Decimal(0))
    total = _component_tax(amount, combined, TaxRegime.INCLUSIVE, policy.rounding)
    if len(comps) == 1:
        return {comps[0].code: total}
    rates = [c.rate.as_integer_ratio() for c in comps]
    den = 1
    for _, d in rates:
        den = den * d
    weights = [n * (den // d) for n, d in rates]
    return {c.code: s for c, s in zip(comps, allocate(total, weights), strict=True)}
