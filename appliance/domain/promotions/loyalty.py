"""Loyalty: who the member is, what they earn, and paying with points.

Members are identified by a card barcode, a QR code from the app (`lanekit:member:<id>`) or a
phone number (normalised to E.164 with `phonenumbers`, Google's libphonenumber rules); the lane
looks the key up in its replica and passes the `Member` to pricing. Points redeemed are a TENDER,
not a discount: they pay part of the total and do not lower the taxable amount.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import phonenumbers

from appliance.domain.errors import DomainError
from appliance.domain.money import Money
from appliance.domain.promotions.errors import RedemptionError
from appliance.domain.promotions.schema import LoyaltyProgram


@dataclass(frozen=True, slots=True)
class Member:
    member_id: str
    tier: str = ""
    points_balance: int = 0
    usage: Mapping[str, int] = field(default_factory=dict)  # rule id -> applications in earlier sales


class MemberKeyKind(enum.Enum):
    CARD = "card"
    QR = "qr"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class MemberKey:
    kind: MemberKeyKind
    value: str


_ID = re.compile(r"[A-Za-z0-9-]{4,32}")
_QR_PREFIX = "lanekit:member:"


def member_key(raw: str, kind: MemberKeyKind, *, region: str = "DE") -> MemberKey:
    """The lookup key for what the customer showed; anything malformed is refused with the reason."""
    text = raw.strip()
    if kind is MemberKeyKind.CARD:
        if not _ID.fullmatch(text):
            raise DomainError(f"Loyalty card number {raw!r} is not 4 to 32 letters, digits or dashes.")
        return MemberKey(kind, text.upper())
    if kind is MemberKeyKind.QR:
        if not text.lower().startswith(_QR_PREFIX) or not _ID.fullmatch(text[len(_QR_PREFIX):]):
            raise DomainError(f"QR code {raw!r} is not a member code (expected '{_QR_PREFIX}<id>').")
        return MemberKey(kind, text[len(_QR_PREFIX):].upper())
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as err:
        raise DomainError(f"{raw!r} is not a phone number ({err}).") from err
    if not phonenumbers.is_valid_number(number):
        raise DomainError(f"{raw!r} is not a valid phone number for region {region}.")
    return MemberKey(kind, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def accrue(by_multiplier: dict[Decimal, int], scale: int, tier_multiplier: Decimal = Decimal(1)) -> int:
    """Points for a sale from {line multiplier: sum over lines of (points per currency unit x amount
    paid in minor units + points per item x units x scale)}: the highest multiplier of a line applies
    (multipliers do not compound), then the tier's; one floor at the end."""
    total = sum((Fraction(v, scale) * Fraction(m) for m, v in by_multiplier.items()), Fraction(0))
    return int(total * Fraction(tier_multiplier)) if total > 0 else 0


def tier_multiplier(program: LoyaltyProgram | None, member: Member | None) -> Decimal:
    if program is None or member is None:
        return Decimal(1)
    for t in program.tiers:
        if t.name == member.tier:
            return t.multiplier
    return Decimal(1)


@dataclass(frozen=True, slots=True)
class PointsRate:
    """`points` points are worth `value`."""

    points: int
    value: Money
    min_points: int = 0

    @classmethod
    def of(cls, program: LoyaltyProgram, currency: str) -> PointsRate:
        return cls(program.redeem_points, Money(program.redeem_value, currency), program.min_redeem_points)


@dataclass(frozen=True, slots=True)
class PointsTender:
    points: int  # taken from the member's balance
    amount: Money  # paid towards the sale


def redeem_points(requested: int, *, balance: int, amount_due: Money, rate: PointsRate) -> PointsTender:
    """Pay with points: at most `requested`, the balance and what is due. Value rounds down to the
    cent; only the points that value needs are taken (ceiling), so no point is lost to rounding."""
    if requested <= 0:
        raise RedemptionError("Redeem a positive number of points.")
    if requested > balance:
        raise RedemptionError(f"The member has {balance} points, fewer than the {requested} asked for.")
    if requested < rate.min_points:
        raise RedemptionError(f"At least {rate.min_points} points must be redeemed at once.")
    if amount_due.currency != rate.value.currency:
        raise RedemptionError(f"Points are worth {rate.value.currency}, the sale is in {amount_due.currency}.")
    if amount_due.minor <= 0:
        raise RedemptionError("Nothing is due, so no points can be redeemed.")
    worth = requested * rate.value.minor // rate.points
    amount = min(worth, amount_due.minor)
    if amount <= 0:
        raise RedemptionError(f"{requested} points are worth less than the smallest coin.")
    used = -(-amount * rate.points // rate.value.minor)
    return PointsTender(used, Money(amount, amount_due.currency))
