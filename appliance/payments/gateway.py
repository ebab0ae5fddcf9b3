"""The gateway interface the lane pays through; ``HttpsGateway`` is the payment host's, a real
provider's adapter implements the same four calls.

    GatewayError
    ├── GatewayUnreachable   could not connect or the connection broke before a request was sent
    ├── GatewayTimeout       sent, no answer in time: the outcome is in doubt (ask ``status``)
    └── GatewayRefused       the host answered with an error (bad request, conflict...): nothing happened
"""

from __future__ import annotations

from typing import Protocol

from appliance.payments.wire import Answer, CardAuthorization, GiftBalance, GiftRedeem


class GatewayError(Exception):
    pass


class GatewayUnreachable(GatewayError):
    pass


class GatewayTimeout(GatewayError, TimeoutError):
    pass


class GatewayRefused(GatewayError):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"payment host refused ({status} {error}): {message}")
        self.status = status
        self.error = error


class Gateway(Protocol):
    async def authorize(self, request: CardAuthorization) -> Answer: ...
    async def status(self, txn_id: str) -> Answer: ...
    async def reverse(self, txn_id: str, reason: str = "") -> Answer: ...
    async def refund(self, refund_id: str, txn_id: str, amount: int) -> Answer: ...
    async def redeem_gift(self, request: GiftRedeem) -> Answer: ...
    async def gift_balance(self, card: str) -> GiftBalance: ...
