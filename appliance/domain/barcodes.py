"""What a raw scan means: bytes from a scanner (and its AIM symbology id, when sent) -> a ScanResult.

biip does the GS1 work (GTIN check digits, UPC-E expansion, RCN region rules, element
strings, Digital Link URIs); this module decides the order of the guesses, adds the AI
association rules biip lacks (gs1_rules), our own codes (store_codes) and the store's
prefixes (ScanRules), and turns every refusal into an UnknownScan with a reason a person
can act on. It never raises on scanner data. The rules are documented in docs/barcodes.md.

Where Lanekit deliberately differs from GS1's syntax engine: most keyboard-wedge scanners
send no AIM identifier, so a plain digit string of GTIN length is accepted as a GTIN and
a longer one is tried as a GS1 element string (`ScanRules.require_symbology` turns this off).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
from biip import ParseConfig, ParseError
from biip.checksums import gs1_price_weight_check_digit, gs1_standard_check_digit
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementStrings
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.rcn import Rcn, RcnRegion
from biip.upc import Upc

from appliance.domain import gs1_rules
from appliance.domain.errors import ScanError
from appliance.domain.money import Money, MoneyError, Rounding, exponent
from appliance.domain.scans import (
    CouponScan,
    GtinScan,
    LoyaltyCardScan,
    PluScan,
    ScanResult,
    UnknownScan,
    VariableMeasureScan,
)
from appliance.domain.store_codes import (
    encode_parked_ticket,
    encode_pickup_code,
    encode_receipt_ref,
    parse_store_code,
)

__all__ = [
    "ScanRules",
    "check_digit",
    "encode_parked_ticket",
    "encode_pickup_code",
    "encode_receipt_ref",
    "expand_upce",
    "interpret",
    "normalise_gtin",
    "price_weight_check_digit",
]

MAX_SCAN_CHARS = 512  # the longest GS1 DataMatrix a lane meets is well below this
_GS = "\x1d"
# Symbologies whose data starts with an implied FNC1: a GS1 element string follows.
_GS1_MESSAGE_SYMIDS = {"]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1"}
# ISO 4217 numeric codes for AI 393n, for the currencies a lane is likely to be set up in.
_ISO4217_NUMERIC = {
    "036": "AUD", "124": "CAD", "203": "CZK", "208": "DKK", "348": "HUF", "392": "JPY",
    "578": "NOK", "752": "SEK", "756": "CHF", "826": "GBP", "840": "USD", "978": "EUR", "985": "PLN",
}  # fmt: skip


class ScanRules(msgspec.Struct, frozen=True, kw_only=True):
    """The store's scan configuration (a part of the lane's TOML config)."""

    currency: str  # ISO 4217; embedded prices are in this currency
    region: str | None = (
        None  # RCN rules of this country (ISO 3166 alpha-2: GB, DE, NO, SE, DK, FI, EE, LV, LT)
    )
    verify_variable_measure: bool = True  # check the price/weight check digit inside an RCN
    require_symbology: bool = False  # True: refuse scans without an AIM id (GS1's own verdict)
    accept_plu: bool = True  # 4-5 digit entries are PLUs
    loyalty_prefixes: tuple[str, ...] = ()  # a scan starting with one of these is a loyalty card
    coupon_prefixes: tuple[str, ...] = ()  # the store's own coupon codes
    expiry_blocks: bool = True  # informative for the lane: whether `expired` stops the sale

    def __post_init__(self) -> None:
        try:
            exponent(self.currency)
        except MoneyError as err:
            raise ScanError(f"ScanRules.currency: {err}") from err
        if self.region is not None:
            try:
                RcnRegion(self.region.lower())
            except ValueError:
                known = ", ".join(r.value.upper() for r in RcnRegion)
                raise ScanError(
                    f"ScanRules.region {self.region!r} has no RCN rules; known: {known}."
                ) from None
        for p in (*self.loyalty_prefixes, *self.coupon_prefixes):
            if not p or not p.isascii() or not p.isprintable():
                raise ScanError(f"Scan prefix {p!r} must be non-empty printable ASCII.")


def check_digit(payload: str) -> int:
    """GS1 mod-10 check digit of a digit string (GTIN payload, receipt ref body …)."""
    return gs1_standard_check_digit(payload)


def price_weight_check_digit(value: str) -> int:
    """The check digit of a 4- or 5-digit price/weight field inside an RCN."""
    return gs1_price_weight_check_digit(value)


def expand_upce(code: str) -> str:
    """UPC-E (6 digits, or 8 with number system and check digit) -> the 12-digit UPC-A."""
    try:
        return Upc.parse(code).as_upc_a()
    except ParseError as err:
        raise ScanError(str(err)) from err


def normalise_gtin(code: str) -> str:
    """A GTIN-8/12/13/14 with a valid check digit -> 14 digits; ScanError otherwise.

    8 digits follow the lane's rule (see `_resolve_eight`), so a catalog barcode and a scan of
    the same UPC-E symbol give the same GTIN.
    """
    if not (code.isascii() and code.isdigit()):
        raise ScanError(f"A GTIN is digits only, got {code!r}.")
    if len(code) == 8:
        resolved = _resolve_eight(code)
        if resolved.startswith("Bad"):
            raise ScanError(resolved)
        code = resolved
    try:
        return Gtin.parse(code).as_gtin_14()
    except ParseError as err:
        raise ScanError(str(err)) from err


def _resolve_eight(text: str) -> str:
    """8 digits -> the EAN-8 itself or the expanded UPC-A, or a 'Bad check digit …' reason.

    EAN-8 or UPC-E? EAN-8s starting with 0 are company-internal RCN-8s, rarer at a lane than
    UPC-E (number system 0), so 0… prefers UPC-E; 1… prefers EAN-8, then UPC-E.
    """
    upc_ok = text[0] in "01" and gs1_standard_check_digit(_upce_payload(text)) == int(text[7])
    ean_ok = gs1_standard_check_digit(text[:7]) == int(text[7])
    if upc_ok and (text[0] == "0" or not ean_ok):
        return Upc.parse(text).as_upc_a()
    if ean_ok:
        return text
    want = f"{gs1_standard_check_digit(text[:7])} as EAN-8"
    if text[0] in "01":
        want += f" or {gs1_standard_check_digit(_upce_payload(text))} as UPC-E"
    return f"Bad check digit: {text} ends in {text[7]}, expected {want}."


def interpret(
    data: bytes | str,
    symbology: str | None,
    rules: ScanRules,
    *,
    today: dt.date | None = None,
) -> ScanResult:
    """What one scan means. Never raises on scanner data: a refusal is an UnknownScan.

    `symbology` is the AIM identifier (`]E0`, `]C1` …) when the scanner sends it apart from
    the data; when it is None and the data itself starts with one, that is used.
    `today` decides whether an AI 17 expiry date is in the past (the lane passes its clock's
    date; None means the system date).
    """
    text, problem = _decode(data)
    if problem:
        return UnknownScan(raw=text, reason=problem)
    if symbology is None and len(text) >= 3 and text[0] == "]" and text[1].isalpha():
        symbology, text = text[:3], text[3:]
    if symbology is not None and not (len(symbology) == 3 and symbology[0] == "]" and symbology.isascii()):
        return UnknownScan(
            raw=text, reason=f"{symbology!r} is not an AIM symbology identifier (']' + 2 characters)."
        )
    text = text.strip()
    if not text:
        return UnknownScan(raw=text, reason="The scan is empty.")
    if len(text) > MAX_SCAN_CHARS:
        return UnknownScan(
            raw=text[:64] + "…",
            reason=f"The scan is {len(text)} characters long; the most a lane accepts is {MAX_SCAN_CHARS}.",
        )
    for i, ch in enumerate(text):
        if ch != _GS and (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F):
            return UnknownScan(
                raw=text,
                reason=f"Control character 0x{ord(ch):02X} at position {i}: check the scanner's prefix/suffix settings.",
            )
    if not text.isascii():
        return UnknownScan(
            raw=text,
            reason="The scan holds non-ASCII characters, which no retail barcode the lane reads does.",
        )
    return _Interpreter(rules, today or dt.date.today()).run(text, symbology)


def _decode(data: bytes | str) -> tuple[str, str | None]:
    if isinstance(data, str):
        return data, None
    if not isinstance(data, bytes | bytearray | memoryview):
        return repr(data)[:64], f"A scan is bytes or text, got {type(data).__name__}."
    raw = bytes(data)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return raw.decode(
            "utf-8", "backslashreplace"
        ), f"The scan is not valid UTF-8 text (byte {err.start})."


class _Interpreter:
    def __init__(self, rules: ScanRules, today: dt.date) -> None:
        self.rules = rules
        self.today = today
        self.config = ParseConfig(
            rcn_region=rules.region.lower() if rules.region else None,
            rcn_verify_variable_measure=rules.verify_variable_measure,
        )

    def run(self, text: str, symid: str | None) -> ScanResult:
        own = parse_store_code(text)
        if isinstance(own, str):
            return UnknownScan(raw=text, reason=own)
        if own is not None:
            return own
        for p in self.rules.loyalty_prefixes:
            if text.startswith(p):
                return LoyaltyCardScan(member_id=text)
        for p in self.rules.coupon_prefixes:
            if text.startswith(p):
                return CouponScan(code=text, gs1=False)
        digits = text.isdigit()
        if symid is not None:
            sym = symid
            if sym == "]E0":
                if not (digits and len(text) == 13):
                    return UnknownScan(
                        raw=text,
                        reason=f"EAN/UPC data (]E0) is always 13 digits, got {len(text)} characters.",
                    )
                return self._gtin(text)
            if sym == "]E3":
                if not (digits and len(text) in (15, 18)):
                    return UnknownScan(
                        raw=text,
                        reason="EAN-13 with add-on (]E3) must be 13 digits plus a 2- or 5-digit add-on.",
                    )
                return self._gtin(text[:13])  # the add-on (issue number) does not change the item
            if sym == "]E4":
                if not (digits and len(text) == 8):
                    return UnknownScan(
                        raw=text, reason=f"EAN-8 data (]E4) is 8 digits, got {len(text)} characters."
                    )
                return self._gtin(text)
            if sym in ("]E1", "]E2"):
                return UnknownScan(
                    raw=text, reason="Only the add-on of an EAN/UPC symbol was read; scan the main barcode."
                )
            if sym == "]I1" and digits and len(text) == 14:
                return self._gtin(text)
            if sym in _GS1_MESSAGE_SYMIDS:
                return self._message(text)
        elif self.rules.require_symbology:
            return UnknownScan(
                raw=text,
                reason="The scan carries no symbology identifier and the lane is set to require one.",
            )
        return self._plain(text, digits)

    # --- plain data: no AIM id, or a non-GS1 symbology ---------------------------------
    def _plain(self, text: str, digits: bool) -> ScanResult:
        if text.startswith("("):
            return self._hri(text)
        if text.lower().startswith(("http://", "https://")):
            return self._digital_link(text)
        if _GS in text and text[0].isdigit():
            return self._message(text)
        if not digits:
            return UnknownScan(
                raw=text,
                reason="Not a barcode the lane knows: neither a GTIN, a GS1 element string nor one of the store's codes.",
            )
        n = len(text)
        if n in (4, 5):
            if self.rules.accept_plu:
                return PluScan(plu=text)
            return UnknownScan(raw=text, reason=f"{n} digits: PLU entry is switched off on this lane.")
        if n == 8:
            return self._eight(text)
        if n in (12, 13, 14):
            return self._gtin(text)
        if n > 14:
            return self._message(text)
        if n == 6:
            return UnknownScan(
                raw=text,
                reason="6 digits: a UPC-E without number system and check digit cannot be checked; scan it again or key the 12-digit UPC-A.",
            )
        return UnknownScan(
            raw=text,
            reason=f"{n} digits is not a PLU (4–5), GTIN (8, 12, 13, 14) or GS1 element string length.",
        )

    def _eight(self, text: str) -> ScanResult:
        resolved = _resolve_eight(text)
        if resolved.startswith("Bad"):
            return UnknownScan(raw=text, reason=resolved)
        return self._gtin(resolved)

    # --- GTINs -----------------------------------------------------------------------
    def _gtin(self, text: str) -> ScanResult:
        try:
            gtin = Gtin.parse(text, config=self.config)
        except ParseError as err:
            if "variable measure" in str(err):
                return UnknownScan(raw=text, reason=f"Bad weight/price check digit: {err}")
            payload = text.lstrip("0")[:-1] or "0"
            if len(text) in (8, 12, 13, 14):
                return UnknownScan(
                    raw=text,
                    reason=f"Bad check digit: {text} ends in {text[-1]}, expected {gs1_standard_check_digit(payload)}.",
                )
            return UnknownScan(raw=text, reason=str(err))
        return self._from_gtin(gtin, text)

    def _from_gtin(self, gtin: Gtin, raw: str) -> ScanResult:
        g14 = gtin.as_gtin_14()
        usage = gtin.prefix.usage if gtin.prefix else ""
        if "coupon" in usage.lower() and gtin.packaging_level is None:
            return CouponScan(code=gtin.as_gtin_13(), gs1=True)
        if isinstance(gtin, Rcn) and (
            gtin.price is not None or gtin.weight is not None or gtin.count is not None
        ):
            try:
                key = gtin.without_variable_measure().as_gtin_14()
                price = None if gtin.price is None else Money.parse(str(gtin.price), self.rules.currency)
            except (ParseError, MoneyError) as err:
                return UnknownScan(raw=raw, reason=f"Variable-measure barcode {raw} cannot be read: {err}")
            return VariableMeasureScan(
                gtin=g14, item_ref=key, price=price, weight_kg=gtin.weight, count=gtin.count
            )
        return GtinScan(gtin=g14)

    # --- GS1 element strings -----------------------------------------------------------
    def _hri(self, text: str) -> ScanResult:
        try:
            msg = GS1Message.parse_hri(text, config=self.config)
        except ParseError as err:
            return UnknownScan(raw=text, reason=f"Not a valid GS1 element string: {err}")
        return self._elements(text, msg.element_strings, msg.as_hri())

    def _message(self, text: str) -> ScanResult:
        try:
            msg = GS1Message.parse(text, config=self.config)
        except ParseError as err:
            return UnknownScan(raw=text, reason=f"Not a valid GS1 element string: {err}")
        return self._elements(text, msg.element_strings, msg.as_hri())

    def _digital_link(self, text: str) -> ScanResult:
        try:
            link = GS1DigitalLinkURI.parse(text, config=self.config)
        except ParseError as err:
            return UnknownScan(raw=text, reason=f"A web address that is not a GS1 Digital Link: {err}")
        return self._elements(text, link.element_strings, link.as_gs1_message().as_hri())

    def _elements(self, raw: str, elements: GS1ElementStrings, hri: str) -> ScanResult:
        if not elements:
            return UnknownScan(raw=raw, reason="The GS1 element string holds no data.")
        problems = gs1_rules.violations([(e.ai.ai, e.value) for e in elements])
        if problems:
            return UnknownScan(raw=raw, reason=f"GS1 data {hri} breaks GS1 rules: " + " ".join(problems))
        by_ai = {e.ai.ai: e for e in elements}
        for ai in ("8110", "8112"):
            if ai in by_ai:
                return CouponScan(code=by_ai[ai].value, gs1=True)
        key = by_ai.get("01") or by_ai.get("02")
        if key is None:
            what = "a shipping container code (SSCC)" if "00" in by_ai else "no trade item (no GTIN)"
            return UnknownScan(raw=raw, reason=f"GS1 data {hri} identifies {what}: nothing to sell.")
        if key.gtin is None:
            return UnknownScan(
                raw=raw, reason=f"GS1 data {hri}: the GTIN in ({key.ai.ai}) is invalid: {key.gtin_error}"
            )
        fields: dict[str, object] = {"element_string": True, "hri": hri}
        for e in elements:
            ai = e.ai.ai
            if ai == "10":
                fields["batch"] = e.value
            elif ai == "21":
                fields["serial"] = e.value
            elif ai == "17":
                fields["expiry"] = e.date
                fields["expired"] = e.date is not None and e.date < self.today
            elif ai == "15":
                fields["best_before"] = e.date
            elif ai == "30":
                fields["count"] = int(e.value)
            elif ai.startswith("310"):
                fields["net_weight_kg"] = _implied_decimal(ai, e.value)
            elif ai.startswith(("392", "393")):
                price = self._price(ai, e.pattern_groups)
                if isinstance(price, str):
                    return UnknownScan(raw=raw, reason=f"GS1 data {hri}: {price}")
                fields["price"] = price
        return GtinScan(gtin=key.gtin.as_gtin_14(), **fields)  # type: ignore[arg-type]

    def _price(self, ai: str, groups: list[str]) -> Money | str:
        currency = self.rules.currency
        if ai.startswith("393"):
            code = groups[0]
            named = _ISO4217_NUMERIC.get(code)
            if named != currency:
                return (
                    f"the price is in currency {named or 'numeric ' + code}, the store sells in {currency}."
                )
        amount = _implied_decimal(ai, groups[-1])
        # An amount payable with more decimals than the currency has is rounded half-up, as a
        # shelf-edge price would be; GS1 allows up to 9 implied decimals.
        return Money.from_decimal(amount, currency, Rounding.HALF_UP)


def _implied_decimal(ai: str, value: str) -> Decimal:
    """The AI's last digit is the number of implied decimals (GS1 GenSpec 3.6)."""
    return Decimal(int(value)).scaleb(-int(ai[3]))


def _upce_payload(code8: str) -> str:
    """The 11-digit UPC-A payload of an 8-digit UPC-E (without its check digit)."""
    return Upc.parse(code8[:7]).as_upc_a()[:11]
