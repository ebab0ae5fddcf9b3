"""Errors of the promotions engine.

    DomainError (appliance.domain.errors)
    ├── RuleError          a promotion payload from HQ is invalid; names the rule id and the field
    ├── CouponStateError   a single-use coupon was moved through a transition its state forbids
    └── RedemptionError    a points-as-tender request the member's balance or the rules refuse
"""

from __future__ import annotations

from appliance.domain.errors import DomainError


class RuleError(DomainError):
    """A rule set was refused. `rule_id` is None when the fault is in the envelope, not one rule."""

    def __init__(self, rule_id: str | None, field: str, reason: str) -> None:
        self.rule_id = rule_id
        self.field = field
        self.reason = reason
        where = f"Promotion rule {rule_id!r}" if rule_id is not None else "The promotion rule set"
        super().__init__(f"{where} was refused at field {field!r}: {reason}")


class CouponStateError(DomainError):
    pass


class RedemptionError(DomainError):
    pass
