"""The promotions engine: wire schema, kinds, exact solver, coupons, loyalty, allocation.

The lane decodes HQ's rule set once (`decode_rules`), passes it in `PricingContext.rules` with the
identified `Member` and the presented coupons, and calls `pricing.price_basket`.
"""

from appliance.domain.promotions.allocation import Refund, refund_for
from appliance.domain.promotions.coupons import Coupon, CouponState
from appliance.domain.promotions.errors import CouponStateError, RedemptionError, RuleError
from appliance.domain.promotions.loyalty import (
    Member,
    MemberKey,
    MemberKeyKind,
    PointsRate,
    PointsTender,
    member_key,
    redeem_points,
)
from appliance.domain.promotions.rules import PromotionRules, decode_rules
from appliance.domain.promotions.schema import SCHEMA_VERSION, RuleSet, decode_ruleset, encode_ruleset

__all__ = [
    "SCHEMA_VERSION",
    "Coupon",
    "CouponState",
    "CouponStateError",
    "Member",
    "MemberKey",
    "MemberKeyKind",
    "PointsRate",
    "PointsTender",
    "PromotionRules",
    "RedemptionError",
    "Refund",
    "RuleError",
    "RuleSet",
    "decode_rules",
    "decode_ruleset",
    "encode_ruleset",
    "member_key",
    "redeem_points",
    "refund_for",
]
