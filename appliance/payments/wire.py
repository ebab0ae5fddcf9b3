"""The payment host's wire shapes as the appliance sees them (version 1).

A copy of the shapes in the payment host's schema module (the appliance may not import it): a
test checks that both sides agree field by field. Answers are decoded strictly: a malformed
answer is a ``GatewayError``, never a guess.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

State = Literal["approved", "partial", "declined", "pending", "reversed", "unknown"]


class CardAuthorization(msgspec.Struct, kw_only=True, frozen=True):
    v: int = 1
    txn_id: str
    lane_id: str
    amount: int
    currency: str
    ksn: bytes
    card_data: bytes
    pin_block: bytes = b""
    entry_mode: str


class StatusQuery(msgspec.Struct, kw_only=True, frozen=True):
    v: int = 1
    txn_id: str


class Reversal(msgspec.Struct, kw_only=True, frozen=True):
    v: int = 1
    txn_id: str
    reason: str = ""


class Refund(msgspec.Struct, kw_only=True, frozen=True):
    v: int = 1
    refund_id: str
    txn_id: str
    amount: int


class GiftRedeem(msgspec.Struct, kw_only=True, frozen=True):
    v: int = 1
    txn_id: str
    lane_id: str
    card: str
    amount: int
    currency: str


class GiftBalanceQuery(msgspec.Struct, kw_only=True, frozen=True):
    v: int = 1
    card: str


class GiftBalance(msgspec.Struct, kw_only=True, frozen=True):
    v: Literal[1]
    card: Annotated[str, msgspec.Meta(max_length=19, pattern=r"^[0-9*]*$")]
    balance: Annotated[int, msgspec.Meta(ge=0)]
    currency: str


class Answer(msgspec.Struct, kw_only=True, frozen=True):
    v: Literal[1]
    txn_id: str
    state: State
    code: str = ""
    message: str = ""
    amount: Annotated[int, msgspec.Meta(ge=0)] = 0
    approved: Annotated[int, msgspec.Meta(ge=0)] = 0
    currency: str = ""
    auth_code: str = ""
    card: Annotated[str, msgspec.Meta(max_length=19, pattern=r"^[0-9*]*$")] = ""
    entry_mode: str = ""

    @property
    def charged(self) -> bool:
        return self.state in ("approved", "partial")

    @property
    def last4(self) -> str:
        return self.card[-4:]


class ErrorBody(msgspec.Struct, kw_only=True, frozen=True):
    v: int = 1
    error: str
    message: str
