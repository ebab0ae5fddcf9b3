"""Coupons the customer presents, and the single-use reservation model.

A store code ("SAVE10") is reusable and works as soon as it is presented. A single-use code is
redeemed once across the fleet and HQ is the arbiter: the lane asks HQ to reserve it for this
sale; only a RESERVED (unexpired) or CONFIRMED coupon discounts. When the sale completes the lane
confirms; when it is voided, or the reservation expires, the lane releases. The transitions are
pure; sending them to HQ is the outbox's job.

    PRESENTED --reserve--> RESERVED --confirm--> CONFIRMED
        |                     |
        +--reject--> REJECTED +--release--> RELEASED  (also PRESENTED --release--> RELEASED)
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace

from appliance.domain.promotions.errors import CouponStateError
from appliance.domain.promotions.schema import CouponTrigger


class CouponState(enum.Enum):
    PRESENTED = "presented"
    RESERVED = "reserved"
    CONFIRMED = "confirmed"
    RELEASED = "released"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Coupon:
    code: str
    gs1: bool = False  # scanned GS1 coupon data (AI 8110/8112), matched by prefix
    state: CouponState = CouponState.PRESENTED
    reservation_id: str | None = None
    reserved_until: dt.datetime | None = None
    reason: str = ""

    @property
    def key(self) -> str:
        return normalise(self.code, self.gs1)

    def _move(self, to: CouponState, allowed: tuple[CouponState, ...], **changes: object) -> Coupon:
        if self.state not in allowed:
            raise CouponStateError(
                f"Coupon {self.code!r} cannot become {to.value} from {self.state.value}."
            )
        return replace(self, state=to, **changes)  # type: ignore[arg-type]

    def reserve(self, reservation_id: str, until: dt.datetime) -> Coupon:
        """HQ granted the reservation for this sale."""
        if until.tzinfo is None:
            raise CouponStateError("A reservation expiry must carry a UTC offset.")
        return self._move(CouponState.RESERVED, (CouponState.PRESENTED,), reservation_id=reservation_id,
                          reserved_until=until)

    def reject(self, reason: str) -> Coupon:
        """HQ refused (already redeemed elsewhere, unknown, expired)."""
        return self._move(CouponState.REJECTED, (CouponState.PRESENTED, CouponState.RESERVED), reason=reason)

    def confirm(self) -> Coupon:
        """The sale that used it completed; HQ marks it redeemed."""
        return self._move(CouponState.CONFIRMED, (CouponState.RESERVED,))

    def release(self) -> Coupon:
        """The sale was voided, the coupon removed, or the reservation ran out."""
        return self._move(CouponState.RELEASED, (CouponState.PRESENTED, CouponState.RESERVED))

    def usable(self, single_use: bool, now: dt.datetime) -> bool:
        if self.state in (CouponState.REJECTED, CouponState.RELEASED):
            return False
        if not single_use:
            return True
        if self.state is CouponState.CONFIRMED:
            return True
        return (self.state is CouponState.RESERVED and self.reserved_until is not None
                and now < self.reserved_until)


def normalise(code: str, gs1: bool) -> str:
    text = code.strip()
    if gs1:
        return text.replace("(", "").replace(")", "")
    return text.upper()


def matches(coupon: Coupon, trigger: CouponTrigger) -> bool:
    key = coupon.key
    if coupon.gs1:
        return any(key.startswith(normalise(p, True)) for p in trigger.gs1_prefixes)
    return any(key == normalise(c, False) for c in trigger.codes)


def as_coupon(value: str | Coupon) -> Coupon:
    return value if isinstance(value, Coupon) else Coupon(value)
