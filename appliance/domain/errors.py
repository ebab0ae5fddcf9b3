"""Errors of the domain layer.

    DomainError            a rule refused an input; the caller shows the message and carries on
    ├── MoneyError         currency mix, bad amount text
    ├── ScanError          a scan that is not a usable barcode
    └── SaleRuleError      a command the sale's current state does not allow
CurrencyMismatch is also a ValueError so generic code can treat it as one.
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused an input. Messages are whole sentences a person can act on."""


class MoneyError(DomainError):
    pass


class CurrencyMismatch(MoneyError, ValueError):
    pass


class ScanError(DomainError):
    pass


class SaleRuleError(DomainError):
    pass
