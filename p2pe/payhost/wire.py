"""The payment host's wire schemas (JSON, version 1), validated at the edge.

Every request carries ``v`` (the schema version) and is decoded strictly: unknown fields, wrong
types or out-of-range values are refused with a ``WireError`` naming the field. Binary fields
(KSN, card data ciphertext, PIN block) are base64 in JSON. The appliance's gateway client keeps
its own copy of these shapes (appliance code may not import p2pe); a test checks they agree.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

VERSION = 1
Id = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Amount = Annotated[int, msgspec.Meta(gt=0, le=100_000_000)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
EntryModeName = Literal["chip", "contactless", "magstripe", "magstripe_fallback"]
# answer states: the ledger's view of one transaction id
State = Literal["approved", "partial", "declined", "pending", "reversed", "unknown"]


class WireError(ValueError):
    """A request that does not fit its schema: ``field`` and ``reason`` say where and why."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.reason = reason


class _Request(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    v: Literal[1]


class AuthorizeRequest(_Request, frozen=True, kw_only=True):
    txn_id: Id
    lane_id: Id
    amount: Amount
    currency: Currency
    ksn: Annotated[bytes, msgspec.Meta(min_length=10, max_length=12)]
    card_data: Annotated[bytes, msgspec.Meta(min_length=8, max_length=512)]
    pin_block: Annotated[bytes, msgspec.Meta(max_length=16)] = b""
    entry_mode: EntryModeName


class StatusRequest(_Request, frozen=True, kw_only=True):
    txn_id: Id


class ReverseRequest(_Request, frozen=True, kw_only=True):
    txn_id: Id
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class RefundRequest(_Request, frozen=True, kw_only=True):
    refund_id: Id
    txn_id: Id  # the sale authorization being refunded
    amount: Amount


GiftNumber = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{8,19}$")]


class GiftRedeemRequest(_Request, frozen=True, kw_only=True):
    txn_id: Id
    lane_id: Id
    card: GiftNumber  # scanned from the gift card's barcode; stored masked only
    amount: Amount
    currency: Currency


class GiftBalanceRequest(_Request, frozen=True, kw_only=True):
    card: GiftNumber


class GiftBalance(msgspec.Struct, kw_only=True, frozen=True):
    v: int = VERSION
    card: str  # masked
    balance: int
    currency: str


class Answer(msgspec.Struct, kw_only=True, frozen=True):
    v: int = VERSION
    txn_id: str
    state: State
    code: str = ""  # ISO 8583-style response code: 00 approved, 10 partial, 05/51/55/... declined
    message: str = ""
    amount: int = 0  # requested
    approved: int = 0  # the amount actually charged (partial approval: less than requested)
    currency: str = ""
    auth_code: str = ""
    card: str = ""  # first 6 / last 4 at most
    entry_mode: str = ""


class ErrorBody(msgspec.Struct, kw_only=True, frozen=True):
    v: int = VERSION
    error: str  # bad_request | conflict | forbidden | not_found | too_large | internal
    message: str


REQUESTS: dict[str, type[_Request]] = {
    "/v1/authorize": AuthorizeRequest,
    "/v1/status": StatusRequest,
    "/v1/reverse": ReverseRequest,
    "/v1/refund": RefundRequest,
    "/v1/gift/redeem": GiftRedeemRequest,
    "/v1/gift/balance": GiftBalanceRequest,
}

encode = msgspec.json.Encoder().encode


def decode_request(path: str, body: bytes) -> _Request:
    cls = REQUESTS[path]
    try:
        return msgspec.json.decode(body, type=cls)
    except msgspec.ValidationError as err:
        raise WireError(cls.__name__, str(err)) from err
    except msgspec.DecodeError as err:
        raise WireError(cls.__name__, f"not JSON: {err}") from err
