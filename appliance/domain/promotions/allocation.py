"""Returns reuse the sale's allocation: what was actually paid for a returned unit, tax included.

Every saving was spread onto lines when the sale was priced (deals over the units they used,
basket-level discounts over eligible lines, both by largest remainder), so a line's `amount` and
`tax` are what the customer paid for it. Returning part of a line takes a cumulative share:
refund(k units after a already returned) = cum(a + k) - cum(a), cum(x) = round_half_up(paid * x / qty).
The shares telescope, so returning a line piece by piece gives back exactly what was paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from appliance.domain.errors import DomainError
from appliance.domain.money import Money, Rounding, round_ratio
from appliance.domain.pricing import PricedBasket, PricedLine


@dataclass(frozen=True, slots=True)
class Refund:
    line_id: int
    quantity: Decimal
    amount: Money  # handed back to the customer, tax included
    tax: Money  # tax share given back (per the sale's rates and rounding)
    net: Money
    savings: Money  # the promotions' share the customer does not get back


def _cum(total: int, part: Fraction) -> int:
    return round_ratio(total * part.numerator, part.denominator, Rounding.HALF_UP)


def refund_for(priced: PricedBasket, line_id: int, quantity: Decimal | int | None = None,
               already_returned: Decimal | int = 0) -> Refund:
    """What was paid for `quantity` (default: the rest of the line) of line `line_id`."""
    pl = _find(priced, line_id)
    q = Decimal(pl.line.quantity)
    done = Decimal(already_returned)
    k = q - done if quantity is None else Decimal(quantity)
    if k <= 0 or done < 0 or done + k > q:
        raise DomainError(f"Cannot return {k} of line {line_id}: {q} were sold and {done} already returned.")
    lo, hi = Fraction(done) / Fraction(q), Fraction(done + k) / Fraction(q)
    amount = _cum(pl.amount.minor, hi) - _cum(pl.amount.minor, lo)
    tax = _cum(pl.tax.minor, hi) - _cum(pl.tax.minor, lo)
    saved_total = pl.list_amount.minor - pl.amount.minor
    saved = _cum(saved_total, hi) - _cum(saved_total, lo)
    cur = priced.currency
    if priced.prices_include_tax:
        back, net = amount, amount - tax
    else:
        back, net = amount + tax, amount
    return Refund(line_id, k, Money(back, cur), Money(tax, cur), Money(net, cur), Money(saved, cur))


def _find(priced: PricedBasket, line_id: int) -> PricedLine:
    for pl in priced.lines:
        if pl.line.line_id == line_id:
            return pl
    raise DomainError(f"Line {line_id} is not part of this sale.")
