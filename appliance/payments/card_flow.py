"""The card tender: PIN pad read -> journal -> payment host -> journal -> tender, and recovery from doubt.

The steps of one card payment, each durable before the next starts:

    1. the pad reads the card (ciphertext, KSN, masked PAN: nothing clear reaches the lane)
    2. PaymentRequested is journaled            (before anything is sent)
    3. the authorization is sent to the gateway
    4. PaymentAnswered is journaled             (approved / partial / declined)
    5. the approved amount becomes a card tender (TenderAdded, tender id ``card:<txn>``)
    6. the sale completes when nothing is left to pay; the receipt prints

A crash or a timeout between 2 and 4 leaves the payment in doubt. ``resolve`` settles it: a
status query, and when the host still cannot say (pending, unknown, unreachable), a reversal, so
the shopper is charged exactly once with a completed sale, or not at all. ``recover`` runs it for
every payment in doubt after a lane restart and adds the tender of an answer journaled without one.
The journal and the receipt carry the pad's masked PAN (first 6 / last 4) and the last 4 only.
"""

from __future__ import annotations

import logging
from typing import Protocol

from appliance.domain.money import Money
from appliance.domain.sale import Payment
from appliance.domain.tenders import TenderKind
from appliance.lane import Lane, LaneError
from appliance.payments.gateway import (
    Gateway,
    GatewayError,
    GatewayRefused,
    GatewayTimeout,
    GatewayUnreachable,
)
from appliance.payments.wire import Answer, CardAuthorization, GiftRedeem
from drivers.events import DeviceTimeout

log = logging.getLogger(__name__)


class CardReadLike(Protocol):
    """What the lane gets from a PIN pad (drivers.events.CardRead)."""

    transaction_id: str
    ciphertext: bytes
    ksn: bytes
    masked_pan: str
    pin_block: bytes
    late: bool

    @property
    def entry_mode(self) -> object: ...


class PinPadLike(Protocol):
    async def start_transaction(self, transaction_id: str, amount: int, currency: str) -> None: ...
    async def wait_card(self, transaction_id: str, timeout: float) -> CardReadLike: ...
    async def cancel(self, transaction_id: str) -> bool: ...


class PaymentInDoubt(LaneError):
    """The host's answer is unknown and a reversal could not be confirmed yet: retry ``resolve``."""


def mask(card: str) -> str:
    """First 6 / last 4 at most, whatever the source sent."""
    text = "".join(c for c in card if c.isdigit() or c == "*")
    if len(text) < 10:
        return "*" * max(len(text) - 4, 0) + text[-4:]
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def txn_id_for(sale_id: str, n: int) -> str:
    """The n-th payment of a sale: the UUIDv7's first 104 bits (time + randomness) and n, in the
    32 bytes a PIN pad's transaction id allows."""
    return f"{sale_id.replace('-', '')[:26]}.{n}"


def receipt_reference(answer: Answer) -> str:
    ref = f"**** {answer.last4}"
    return f"{ref} auth {answer.auth_code}" if answer.auth_code else ref


class CardPayments:
    def __init__(self, lane: Lane, gateway: Gateway, pad: PinPadLike | None = None, *,
                 card_timeout: float = 60.0, status_tries: int = 2) -> None:
        self.lane = lane
        self.gateway = gateway
        self.pad = pad
        self.card_timeout = card_timeout
        self.status_tries = status_tries

    # ------------------------------------------------------------------ paying
    async def pay(self, amount: Money | None = None) -> Answer:
        """Take a card for ``amount`` (default: the balance); returns the host's answer.

        Raises PaymentInDoubt when neither the answer nor a reversal could be had."""
        if self.pad is None:
            raise LaneError("No PIN pad is configured on this lane.")
        sale = self.lane.sale
        priced = self.lane.price()
        if sale is None or priced is None:
            raise LaneError("There is no open sale: scan an item first.")
        due = sale.balance(priced.total)
        amount = amount or due
        txn_id = txn_id_for(sale.sale_id, len(sale.payments) + 1)
        await self.pad.start_transaction(txn_id, amount.minor, amount.currency)
        try:
            read = await self.pad.wait_card(txn_id, self.card_timeout)
        except DeviceTimeout as err:
            # nothing was journaled or sent; a read that still arrives is late: see late_read
            raise LaneError(f"No card was presented within {self.card_timeout:g} s; the payment was cancelled.") from err
        return await self.authorize(read, amount)

    async def authorize(self, read: CardReadLike, amount: Money) -> Answer:
        txn_id = read.transaction_id
        entry = str(getattr(read.entry_mode, "value", read.entry_mode))
        await self.lane.request_payment(txn_id, TenderKind.CARD, amount, mask(read.masked_pan), entry)
        request = CardAuthorization(txn_id=txn_id, lane_id=self.lane.config.lane_id, amount=amount.minor,
                                    currency=amount.currency, ksn=read.ksn, card_data=read.ciphertext,
                                    pin_block=read.pin_block, entry_mode=entry)
        try:
            answer = await self.gateway.authorize(request)
        except GatewayUnreachable as err:
            # no connection: nothing reached the host; a reversal tombstone makes sure it never will
            log.warning("card payment %s: host unreachable: %s", txn_id, err)
            return await self.resolve(txn_id)
        except GatewayRefused as err:
            log.warning("card payment %s refused by the host: %s", txn_id, err)
            answer = Answer(v=1, txn_id=txn_id, state="declined", code=err.error, message=str(err))
        except (GatewayTimeout, GatewayError) as err:
            log.warning("card payment %s in doubt: %s", txn_id, err)
            return await self.resolve(txn_id)
        return await self._answered(answer)

    async def pay_gift_card(self, number: str, amount: Money | None = None) -> Answer:
        """Redeem a gift card (its number as scanned) for ``amount`` (default: the balance due).

        The number goes to the host only; the journal and the receipt get it masked like a PAN."""
        sale = self.lane.sale
        priced = self.lane.price()
        if sale is None or priced is None:
            raise LaneError("There is no open sale: scan an item first.")
        if not (number.isdigit() and 8 <= len(number) <= 19):
            raise LaneError("A gift card number is 8 to 19 digits.")
        amount = amount or sale.balance(priced.total)
        txn_id = txn_id_for(sale.sale_id, len(sale.payments) + 1)
        await self.lane.request_payment(txn_id, TenderKind.GIFT_CARD, amount, mask(number), "barcode")
        request = GiftRedeem(txn_id=txn_id, lane_id=self.lane.config.lane_id, card=number, amount=amount.minor,
                             currency=amount.currency)
        try:
            answer = await self.gateway.redeem_gift(request)
        except GatewayRefused as err:
            log.warning("gift card payment %s refused by the host: %s", txn_id, err)
            answer = Answer(v=1, txn_id=txn_id, state="declined", code=err.error, message=str(err))
        except GatewayError as err:
            log.warning("gift card payment %s in doubt: %s", txn_id, err)
            return await self.resolve(txn_id)
        return await self._answered(answer)

    async def _answered(self, answer: Answer) -> Answer:
        await self.lane.answer_payment(answer.txn_id, answer.state, answer.code, answer.approved,
                                       answer.auth_code, mask(answer.card))
        await self._tender(answer.txn_id)
        return answer

    async def _tender(self, txn_id: str) -> None:
        sale = self.lane.sale
        if sale is None:
            return
        p = sale.payments.get(txn_id)
        if p is None or p.state not in ("approved", "partial") or p.tender_id in {t.tender_id for t in sale.tenders}:
            return
        reference = f"**** {p.card[-4:]}" + (f" auth {p.auth_code}" if p.auth_code else "")
        await self.lane.pay_other(p.kind, Money(p.approved, sale.currency), reference, tender_id=p.tender_id)

    # ------------------------------------------------------------------- doubt
    async def resolve(self, txn_id: str) -> Answer:
        """Settle a payment in doubt: status query; reversal when the host cannot say."""
        for _ in range(self.status_tries):
            try:
                status = await self.gateway.status(txn_id)
            except GatewayError as err:
                log.warning("status of %s unknown: %s", txn_id, err)
                continue
            if status.state in ("approved", "partial", "declined"):
                log.info("payment %s resolved by status query: %s", txn_id, status.state)
                return await self._answered(status)
            if status.state == "reversed":
                await self.lane.reverse_payment(txn_id, "found reversed")
                return status
        try:
            reversal = await self.gateway.reverse(txn_id, "no answer")
        except GatewayError as err:
            raise PaymentInDoubt(f"Card payment {txn_id} is in doubt and the reversal failed: {err}") from err
        if reversal.state != "reversed":
            # the host had already declined it: nothing was charged either way
            return await self._answered(reversal)
        await self.lane.reverse_payment(txn_id, "reversed after no answer")
        log.info("payment %s reversed after no answer", txn_id)
        return reversal

    async def recover(self) -> list[Answer]:
        """After a restart: resolve every payment in doubt, add tenders for answers without one."""
        sale = self.lane.sale
        if sale is None:
            return []
        out: list[Answer] = []
        for p in list(sale.payments.values()):
            if p.state == "requested":
                out.append(await self.resolve(p.txn_id))
            else:
                await self._tender(p.txn_id)
        await self.lane.settle()
        return out

    async def late_read(self, read: CardReadLike) -> Answer:
        """A card read for a transaction the lane gave up on: make sure it is never charged."""
        log.info("late card read for %s: reversing", read.transaction_id)
        return await self.gateway.reverse(read.transaction_id, "late card read")


__all__ = ["CardPayments", "Payment", "PaymentInDoubt", "mask", "receipt_reference"]
