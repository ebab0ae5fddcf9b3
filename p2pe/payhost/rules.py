"""The acquirer's test rules: what an authorization answers, by amount and by test PAN.

By the amount's last two digits (minor units):
    05 decline 05 (do not honor)      51 decline 51 (insufficient funds)
    10 partial approval of half        77 slow: approved after ``slow_seconds``
    98 timeout: pending for ``hang_seconds`` (a status query says pending), then approved
    99 lost answer: approved at once in the ledger, the answer held for ``hang_seconds``
A test PAN in ``decline_pans`` declines with its code; the PIN ``wrong_pin`` or a PIN block that
does not decrypt declines 55. Everything else is approved in full.
"""

from __future__ import annotations

from dataclasses import dataclass

from p2pe.payhost.config import Rules


@dataclass(frozen=True)
class Decision:
    state: str  # approved | partial | declined
    code: str
    message: str
    approved: int
    decide_after: float = 0.0  # seconds the decision takes (ledger stays pending)
    answer_after: float = 0.0  # seconds the answer is held after the decision


MESSAGES = {"00": "approved", "10": "partial approval", "05": "do not honor", "51": "insufficient funds",
            "55": "incorrect PIN", "14": "invalid card number", "13": "invalid amount"}


def decide(rules: Rules, amount: int, pan: str, pin: str | None, pin_bad: bool) -> Decision:
    def decline(code: str) -> Decision:
        return Decision("declined", code, MESSAGES.get(code, "declined"), 0)

    if pin_bad or (pin is not None and pin == rules.wrong_pin):
        return decline("55")
    if pan in rules.decline_pans:
        return decline(rules.decline_pans[pan])
    cents = amount % 100
    if cents in (5, 51):
        return decline(f"{cents:02d}")
    if cents == 10 and amount >= 2:
        return Decision("partial", "10", MESSAGES["10"], amount // 2)
    if cents == 77:
        return Decision("approved", "00", "approved", amount, decide_after=rules.slow_seconds)
    if cents == 98:
        return Decision("approved", "00", "approved", amount, decide_after=rules.hang_seconds)
    if cents == 99:
        return Decision("approved", "00", "approved", amount, answer_after=rules.hang_seconds)
    return Decision("approved", "00", "approved", amount)
