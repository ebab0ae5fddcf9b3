"""Lanekit's own barcodes: receipt references, BOPIS pickup codes, parked-basket tickets.

Each starts with two capital letters, so it can never be mistaken for a GTIN or a GS1
element string (those are all digits). The formats are documented in docs/barcodes.md.

    receipt reference   RC SSSS LLL NNNNNNNN C      store, lane, receipt number, check digit
    pickup code         PU <order id> - <code>      order id [0-9A-Z]{1,20}, code 4–8 digits
    parked basket       PB <ticket> C               ticket 6–16 digits, check digit

Check digits are the GS1 mod-10 over every digit before them (weights 3,1,… from the right),
the same arithmetic as a GTIN, so a single misread digit is always caught.
"""

from __future__ import annotations

import re

from biip.checksums import gs1_standard_check_digit

from appliance.domain.errors import ScanError
from appliance.domain.scans import ParkedBasketScan, PickupCodeScan, ReceiptRefScan

RECEIPT_PREFIX = "RC"
PICKUP_PREFIX = "PU"
PARKED_PREFIX = "PB"

_RECEIPT = re.compile(r"RC(\d{4})(\d{3})(\d{8})(\d)", re.ASCII)
_PICKUP = re.compile(r"PU([0-9A-Z]{1,20})-(\d{4,8})", re.ASCII)
_PARKED = re.compile(r"PB(\d{6,16})(\d)", re.ASCII)


def encode_receipt_ref(store: str | int, lane: str | int, receipt_no: int) -> str:
    """The text of a receipt's reference barcode (print it as Code 128)."""
    s, ln = _digits(store, 4, "store"), _digits(lane, 3, "lane")
    if isinstance(receipt_no, bool) or not isinstance(receipt_no, int) or not 0 <= receipt_no <= 99_999_999:
        raise ScanError(f"A receipt number must be an integer 0–99999999, got {receipt_no!r}.")
    body = f"{s}{ln}{receipt_no:08d}"
    return f"{RECEIPT_PREFIX}{body}{gs1_standard_check_digit(body)}"


def encode_parked_ticket(ticket: str | int) -> str:
    t = str(ticket)
    if not (t.isascii() and t.isdigit() and 6 <= len(t) <= 16):
        raise ScanError(f"A parked-basket ticket is 6–16 digits, got {ticket!r}.")
    return f"{PARKED_PREFIX}{t}{gs1_standard_check_digit(t)}"


def encode_pickup_code(order_id: str, code: str) -> str:
    text = f"{PICKUP_PREFIX}{order_id}-{code}"
    if not _PICKUP.fullmatch(text):
        raise ScanError(
            f"A pickup code needs an order id of 1–20 [0-9A-Z] and a 4–8 digit code, got {order_id!r}, {code!r}."
        )
    return text


def _digits(value: str | int, width: int, what: str) -> str:
    text = str(value).zfill(width) if isinstance(value, int) and not isinstance(value, bool) else str(value)
    if not (text.isascii() and text.isdigit() and len(text) == width):
        raise ScanError(f"A {what} id for a receipt reference is {width} digits, got {value!r}.")
    return text


def parse_store_code(text: str) -> ReceiptRefScan | PickupCodeScan | ParkedBasketScan | str | None:
    """One of our own codes, a reason string if it has our prefix but is malformed, or None."""
    head = text[:2]
    if head == RECEIPT_PREFIX:
        m = _RECEIPT.fullmatch(text)
        if not m:
            return "It starts like a Lanekit receipt reference (RC) but is not RC + 16 digits."
        body = text[2:-1]
        if gs1_standard_check_digit(body) != int(m.group(4)):
            return f"Receipt reference check digit is wrong: expected {gs1_standard_check_digit(body)}, got {m.group(4)}."
        return ReceiptRefScan(store=m.group(1), lane=m.group(2), receipt_no=int(m.group(3)))
    if head == PICKUP_PREFIX:
        m = _PICKUP.fullmatch(text)
        if not m:
            return "It starts like a pickup code (PU) but is not PU<order>-<4–8 digit code>."
        return PickupCodeScan(order_id=m.group(1), code=m.group(2))
    if head == PARKED_PREFIX:
        m = _PARKED.fullmatch(text)
        if not m:
            return "It starts like a parked-basket ticket (PB) but is not PB + 7–17 digits."
        if gs1_standard_check_digit(m.group(1)) != int(m.group(2)):
            return f"Parked-basket ticket check digit is wrong: expected {gs1_standard_check_digit(m.group(1))}, got {m.group(2)}."
        return ParkedBasketScan(ticket=m.group(1))
    return None
