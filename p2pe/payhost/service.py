"""The payment host's operations: authorize, status, reverse, refund; idempotent by id.

The caller's identity is the CN of its client certificate (mutual TLS); a lane may act only
under its own id and only on its own transactions.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import sqlite3

from p2pe.payhost import rules as test_rules
from p2pe.payhost.card import CardDataError, decrypt_read, pin_error
from p2pe.payhost.config import Rules
from p2pe.payhost.ledger import Ledger
from p2pe.payhost.wire import (
    Answer,
    AuthorizeRequest,
    GiftBalance,
    GiftBalanceRequest,
    GiftRedeemRequest,
    RefundRequest,
    ReverseRequest,
    StatusRequest,
)

log = logging.getLogger(__name__)


class HostError(Exception):
    """A refused request: ``status`` (HTTP) and ``error`` (wire code) say what the caller does next."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error


def answer_of(row: sqlite3.Row) -> Answer:
    state = row["state"]
    code = row["code"] if state in ("approved", "partial", "declined") else ""
    return Answer(txn_id=row["txn_id"], state=state, code=code, message=test_rules.MESSAGES.get(code, state),
                  amount=row["amount"], approved=row["approved"] if state in ("approved", "partial") else 0,
                  currency=row["currency"], auth_code=row["auth_code"], card=row["card"], entry_mode=row["entry_mode"])


def mask_number(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * (len(number) - 4) + number[-4:]


class PaymentService:
    def __init__(self, ledger: Ledger, bdk: bytes, rules: Rules, gift_cards: dict[str, int] | None = None,
                 currency: str = "EUR") -> None:
        self.ledger = ledger
        self._bdk = bdk
        self.rules = rules
        for number, balance in (gift_cards or {}).items():
            ledger.issue_gift(self._gift_key(number), mask_number(number), balance, currency)

    def _gift_key(self, number: str) -> str:
        # keyed by the host's secret, so the ledger cannot be brute-forced back to card numbers
        return hmac.new(self._bdk, b"gift:" + number.encode(), hashlib.sha256).hexdigest()

    async def gift_balance(self, req: GiftBalanceRequest, peer: str) -> GiftBalance:
        card = self.ledger.gift(self._gift_key(req.card))
        if card is None:
            raise HostError(404, "not_found", f"no gift card {mask_number(req.card)}")
        return GiftBalance(card=card["masked"], balance=card["balance"], currency=card["currency"])

    async def gift_redeem(self, req: GiftRedeemRequest, peer: str) -> Answer:
        if req.lane_id != peer:
            raise HostError(403, "forbidden", f"lane_id {req.lane_id!r} is not this client certificate's {peer!r}")
        key = self._gift_key(req.card)
        fingerprint = hashlib.sha256(f"gift|{req.lane_id}|{req.amount}|{req.currency}|{key}".encode()).hexdigest()
        row = self.ledger.get(req.txn_id)
        self._own(row, peer, req.txn_id)
        if row is not None:
            if row["fingerprint"] and row["fingerprint"] != fingerprint:
                raise HostError(409, "conflict", f"transaction id {req.txn_id} was used for a different request")
            return answer_of(row)
        card = self.ledger.gift(key)
        if card is not None and card["currency"] != req.currency:
            raise HostError(400, "bad_request", f"gift card {card['masked']} is in {card['currency']}")
        self.ledger.start(req.txn_id, kind="gift", lane=peer, amount=req.amount, currency=req.currency,
                          card=mask_number(req.card), entry_mode="barcode", fingerprint=fingerprint)
        row = self.ledger.redeem(req.txn_id, key, req.amount)
        log.info("gift redeem %s: %s %s (%s of %s)", req.txn_id, row["state"], row["code"], row["approved"],
                 req.amount)
        return answer_of(row)

    def _own(self, row: sqlite3.Row | None, peer: str, txn_id: str) -> None:
        if row is not None and row["lane"] != peer:
            raise HostError(403, "forbidden", f"transaction {txn_id} belongs to another lane")

    async def authorize(self, req: AuthorizeRequest, peer: str) -> Answer:
        if req.lane_id != peer:
            raise HostError(403, "forbidden", f"lane_id {req.lane_id!r} is not this client certificate's {peer!r}")
        fingerprint = hashlib.sha256(b"|".join([
            req.lane_id.encode(), str(req.amount).encode(), req.currency.encode(), req.ksn,
            hashlib.sha256(req.card_data).digest()])).hexdigest()
        row = self.ledger.get(req.txn_id)
        self._own(row, peer, req.txn_id)
        if row is not None:
            if row["fingerprint"] and row["fingerprint"] != fingerprint:
                raise HostError(409, "conflict", f"transaction id {req.txn_id} was used for a different request")
            log.info("authorize %s again: answering from the ledger (%s)", req.txn_id, row["state"])
            return answer_of(row)
        pin_bad = False
        try:
            card = decrypt_read(self._bdk, req.ksn, req.card_data, req.pin_block)
        except CardDataError as err:
            if not pin_error(err):
                raise HostError(400, "bad_request", f"card data of {req.txn_id}: {err}") from None
            pin_bad = True
            card = decrypt_read(self._bdk, req.ksn, req.card_data)
        self.ledger.start(req.txn_id, kind="sale", lane=peer, amount=req.amount, currency=req.currency,
                          card=card.masked(), entry_mode=req.entry_mode, fingerprint=fingerprint)
        decision = test_rules.decide(self.rules, req.amount, card.pan, card.pin, pin_bad)
        del card
        if decision.decide_after:
            await asyncio.sleep(decision.decide_after)
        auth = secrets.token_hex(3).upper() if decision.state != "declined" else ""
        row = self.ledger.decide(req.txn_id, decision.state, decision.code, decision.approved, auth)
        log.info("authorize %s: %s %s (%s of %s)", req.txn_id, row["state"], row["code"], row["approved"], req.amount)
        if decision.answer_after:
            await asyncio.sleep(decision.answer_after)
        return answer_of(row)

    async def status(self, req: StatusRequest, peer: str) -> Answer:
        row = self.ledger.get(req.txn_id)
        self._own(row, peer, req.txn_id)
        if row is None:
            return Answer(txn_id=req.txn_id, state="unknown", message="no such transaction")
        return answer_of(row)

    async def reverse(self, req: ReverseRequest, peer: str) -> Answer:
        self._own(self.ledger.get(req.txn_id), peer, req.txn_id)
        row = self.ledger.reverse(req.txn_id, peer)
        log.info("reverse %s: %s (was %s)", req.txn_id, row["state"], row["reversed_from"])
        return answer_of(row)

    async def refund(self, req: RefundRequest, peer: str) -> Answer:
        original = self.ledger.get(req.txn_id)
        if original is None or original["kind"] not in ("sale", "gift"):
            raise HostError(404, "not_found", f"no sale {req.txn_id} to refund")
        self._own(original, peer, req.txn_id)
        fingerprint = f"refund|{req.txn_id}|{req.amount}"
        row = self.ledger.get(req.refund_id)
        if row is not None:
            if row["fingerprint"] != fingerprint:
                raise HostError(409, "conflict", f"refund id {req.refund_id} was used for a different request")
            return answer_of(row)
        self.ledger.start(req.refund_id, kind="refund", lane=peer, amount=req.amount, currency=original["currency"],
                          card=original["card"], entry_mode=original["entry_mode"], fingerprint=fingerprint,
                          original=req.txn_id)
        left = original["approved"] - self.ledger.refunded(req.txn_id)
        if original["state"] not in ("approved", "partial") or req.amount > left:
            row = self.ledger.decide(req.refund_id, "declined", "13", 0, "")
        else:
            row = self.ledger.decide(req.refund_id, "approved", "00", req.amount, secrets.token_hex(3).upper())
            if original["kind"] == "gift":
                self.ledger.credit_refund(req.txn_id, req.amount)
        log.info("refund %s of %s: %s", req.refund_id, req.txn_id, row["state"])
        return answer_of(row)
