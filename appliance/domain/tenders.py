"""Tenders: how a balance gets paid. Any mix of kinds may pay one sale (split tender).

Only cash gives change; other kinds may not exceed the balance. Cash rounding (e.g. to 0.05)
applies only when cash settles the balance, and is recorded as an adjustment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from appliance.domain.errors import SaleRuleError
from appliance.domain.money import Money, Rounding


class TenderKind(enum.Enum):
    CASH = "cash"
    CARD = "card"
    GIFT_CARD = "gift_card"
    QR = "qr"
    LOYALTY_POINTS = "loyalty_points"
    STORE_CREDIT = "store_credit"


@dataclass(frozen=True, slots=True)
class CashRounding:
    increment_minor: int = 1  # 1 = no cash rounding
    mode: Rounding = Rounding.HALF_UP


@dataclass(frozen=True, slots=True)
class CashSettlement:
    applied: Money  # taken off the balance
    tendered: Money
    change: Money
    rounding: Money  # adjustment to the balance (balance_rounded - balance)


def settle_cash(balance: Money, tendered: Money, rounding: CashRounding) -> CashSettlement:
    """Apply cash to a positive balance: partial payment, exact, or with change."""
    if tendered.currency != balance.currency:
        raise SaleRuleError(f"Cash in {tendered.currency} cannot pay a {balance.currency} sale.")
    if tendered.minor <= 0:
        raise SaleRuleError("A cash tender must be a positive amount.")
    if balance.minor <= 0:
        raise SaleRuleError("Nothing is left to pay on this sale.")
    due = balance.cash_rounded(rounding.increment_minor, rounding.mode) if rounding.increment_minor > 1 else balance
    if tendered < due:
        # partial cash: no rounding, the rest stays due
        return CashSettlement(tendered, tendered, Money.zero(balance.currency), Money.zero(balance.currency))
    return CashSettlement(due, tendered, tendered - due, due - balance)


def check_non_cash(balance: Money, amount: Money, kind: TenderKind) -> None:
    if amount.currency != balance.currency:
        raise SaleRuleError(f"A {amount.currency} {kind.value} tender cannot pay a {balance.currency} sale.")
    if amount.minor <= 0:
        raise SaleRuleError(f"A {kind.value} tender must be a positive amount.")
    if amount > balance:
        raise SaleRuleError(
            f"A {kind.value} tender of {amount} exceeds the balance of {balance}; only cash gives change."
        )
