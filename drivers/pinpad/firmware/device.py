"""The PIN pad's brain: one transaction at a time, keys never leave it (MicroPython subset).

Transport-agnostic: ``request`` takes a decoded host message and returns the replies;
``reader`` takes one line from the card reader / keypad and returns messages for the host.
Reader lines: ``CHIP <hex record>[ <hex record>...]``, ``TAP <hex record>...``, ``CHIPERR``,
``SWIPE <track 2>``, ``PIN <digits>``, ``PINCANCEL``. Prompts go to ``display(text)``.
"""

from p2pe import aes_dukpt, channel, pinblock, tr31
from p2pe.errors import KeyBlockError, KeyExhausted, KeyStateError, PinBlockError

from . import card, wire

IDLE = "idle"
WAIT_CARD = "wait_card"
WAIT_PIN = "wait_pin"
NO_KEY = "no_key"

STATE_FILE = "dukpt.state"
KBPK_FILE = "kbpk.bin"
RESULTS_KEPT = 8


def _ok(request, txn=None):
    return (wire.OK, {"request": request, "txn": txn})


def _error(request, code, detail, txn=None):
    return (wire.ERROR, {"request": request, "code": code, "detail": detail[:64], "txn": txn})


def _amount_text(amount, currency):
    return currency + " " + str(amount // 100) + "." + ("0" + str(amount % 100))[-2:]


class PinPad:
    def __init__(self, aes, storage, random_bytes, display, cvm_limit=5000):
        self._aes = aes
        self._storage = storage
        self._random = random_bytes
        self._display = display
        self._cvm_limit = cvm_limit
        self._register = None
        self._txn = None  # (id, amount, currency)
        self._state = NO_KEY
        self._track = None
        self._mode = None
        self._chip_failed = False
        self._results = []  # (txn id, CARD_READ fields), newest last; ciphertext only
        self._load_register()

    # ---- persistence of the key register (the device's flash) ----
    def _load_register(self):
        raw = self._storage.load(STATE_FILE)
        if not raw:
            return
        try:
            ikid = raw[:8]
            counter = int.from_bytes(raw[8:13], "big")
            keys = {}
            pos = 13
            while pos < len(raw):
                bit, size = raw[pos], raw[pos + 1]
                keys[bit] = raw[pos + 2:pos + 2 + size]
                pos += 2 + size
            self._register = aes_dukpt.KeyRegister.restore(self._aes, ikid, counter, keys)
            self._state = IDLE
        except (KeyStateError, IndexError, ValueError):
            self._register = None

    def _save_register(self):
        reg = self._register
        if reg is None:
            return
        ikid, counter, keys = reg.snapshot()
        raw = ikid + counter.to_bytes(5, "big")
        for bit in keys:
            raw += bytes([bit, len(keys[bit])]) + keys[bit]
        self._storage.save(STATE_FILE, raw)

    # ---- what tests and the self-test look at ----
    def state(self):
        counter = self._register.counter if self._register else None
        return (self._state, self._txn, counter, self._mode, self._chip_failed, len(self._results))

    # ---- host requests ----
    def request(self, kind, fields):
        if kind == wire.STATUS:
            ksn = b""
            if self._register is not None and not self._register.exhausted:
                ksn = self._register.ksn()
            state = self._state
            if self._register is not None and self._register.exhausted:
                state = "exhausted"
            return [(wire.STATUS_REPLY, {"state": state, "txn": self._txn[0] if self._txn else None, "ksn": ksn})]
        if kind == wire.DISPLAY:
            if self._txn is not None:
                return [_error(kind, "BUSY", "a transaction owns the display", self._txn[0])]
            self._display(fields["text"])
            return [_ok(kind)]
        if kind == wire.START:
            return self._start(fields["txn"], fields["amount"], fields["currency"])
        if kind == wire.CANCEL:
            return self._cancel(fields["txn"])
        if kind == wire.RESULT:
            return self._result(fields["txn"])
        if kind == wire.KEY_INJECT:
            return self._inject(fields["key_block"])
        if kind == wire.SELF_TEST:
            from . import selftest
            passed, detail = selftest.run(self._aes)
            return [(wire.SELF_TEST_REPLY, {"passed": 1 if passed else 0, "detail": detail})]
        return [_error(kind, "UNSUPPORTED", "message type is not a request")]

    def bad_message(self, reason, offset):
        """A frame that arrived intact but whose payload does not parse: say so, change nothing."""
        return [_error(0, "BAD_MESSAGE", reason + " at " + str(offset))]

    def _start(self, txn, amount, currency):
        if self._register is None:
            return [_error(wire.START, "NO_KEY", "no DUKPT key injected", txn)]
        if self._register.exhausted:
            return [_error(wire.START, "KEY_EXHAUSTED", "DUKPT key register exhausted", txn)]
        if self._txn is not None:
            if self._txn[0] == txn:
                return [_ok(wire.START, txn)]  # a repeated start of the same transaction is harmless
            return [_error(wire.START, "BUSY", "transaction pending", self._txn[0])]
        if amount <= 0 or amount > 99999999:
            return [_error(wire.START, "BAD_AMOUNT", "amount out of range", txn)]
        for old, _ in self._results:
            if old == txn:
                return [_error(wire.START, "DUPLICATE", "transaction id already used", txn)]
        self._txn = (txn, amount, currency)
        self._state = WAIT_CARD
        self._chip_failed = False
        self._display(_amount_text(amount, currency) + " INSERT, TAP OR SWIPE")
        return [_ok(wire.START, txn)]

    def _cancel(self, txn):
        if self._txn is None or self._txn[0] != txn:
            pending = self._txn[0] if self._txn else None
            return [_error(wire.CANCEL, "NOT_PENDING", "no such pending transaction", pending)]
        self._clear_card()
        self._txn = None
        self._state = IDLE
        self._display("CANCELLED")
        return [_ok(wire.CANCEL, txn)]

    def _result(self, txn):
        for old, fields in self._results:
            if old == txn:
                return [(wire.CARD_READ, fields)]
        if self._txn is not None and self._txn[0] == txn:
            return [(wire.TXN_STATE, {"txn": txn, "state": self._state})]
        return [(wire.TXN_STATE, {"txn": txn, "state": "unknown"})]

    def _inject(self, block):
        if self._register is not None and not self._register.exhausted:
            return [_error(wire.KEY_INJECT, "KEY_PRESENT", "a key is loaded; it is injected once")]
        kbpk = self._storage.load(KBPK_FILE)
        if not kbpk:
            return [_error(wire.KEY_INJECT, "NO_KBPK", "device has no key block protection key")]
        try:
            kb = tr31.unwrap(kbpk, block, self._aes)
        except KeyBlockError as err:
            return [_error(wire.KEY_INJECT, "BAD_KEY_BLOCK", err.reason + " at " + str(err.offset))]
        ikid_text = kb.optional.get("IK", "")
        if kb.usage != "B1" or len(ikid_text) != 16:
            return [_error(wire.KEY_INJECT, "BAD_KEY_BLOCK", "need usage B1 with a 16-digit IK block")]
        try:
            self._register = aes_dukpt.KeyRegister.load(self._aes, kb.key, bytes.fromhex(ikid_text))
        except ValueError as err:
            return [_error(wire.KEY_INJECT, "BAD_KEY_BLOCK", str(err))]
        self._save_register()
        self._state = IDLE
        return [_ok(wire.KEY_INJECT)]

    # ---- the card reader and keypad ----
    def reader(self, line):
        parts = line.strip().split(" ", 1)
        verb = parts[0]
        rest = parts[1] if len(parts) > 1 else ""
        if self._txn is None:
            return []  # a card or key press with no transaction is ignored
        try:
            if verb == "CHIPERR" and self._state == WAIT_CARD:
                self._chip_failed = True
                self._display("CHIP ERROR - SWIPE CARD")
            elif verb in ("CHIP", "TAP") and self._state == WAIT_CARD:
                records = [bytes.fromhex(r) for r in rest.split()]
                self._track = card.from_emv(records)
                self._mode = card.CHIP if verb == "CHIP" else card.CONTACTLESS
                return self._after_card()
            elif verb == "SWIPE" and self._state == WAIT_CARD:
                track = card.Track2.from_ascii(rest)
                if track.chip_capable and not self._chip_failed:
                    self._display("USE CHIP READER")
                    return []
                self._track = track
                self._mode = card.FALLBACK if track.chip_capable else card.MAGSTRIPE
                return self._after_card()
            elif verb == "PIN" and self._state == WAIT_PIN:
                return self._complete(rest)
            elif verb == "PINCANCEL" and self._state == WAIT_PIN:
                self._clear_card()
                self._state = WAIT_CARD
                self._display("PIN CANCELLED - PRESENT CARD")
        except (card.CardError, ValueError):
            self._clear_card()
            self._display("CARD READ ERROR - TRY AGAIN")
        except PinBlockError:
            self._display("INVALID PIN - TRY AGAIN")
        return []

    def _after_card(self):
        txn = self._txn
        if txn is None:
            return []
        if self._mode == card.CONTACTLESS and txn[1] <= self._cvm_limit:
            return self._complete(None)
        self._state = WAIT_PIN
        self._display(_amount_text(txn[1], txn[2]) + " ENTER PIN")
        return []

    def _complete(self, pin):
        track = self._track
        txn = self._txn
        reg = self._register
        if track is None or txn is None or reg is None:
            return []
        if pin is not None:
            pinblock.format4_pin_field(pin, bytes(8))  # validates before a counter is spent
        try:
            ksn, keys = reg.next_transaction(channel.DEVICE_KEYS)
        except (KeyExhausted, KeyStateError):
            self._display("PIN PAD OUT OF KEYS")
            return []
        self._save_register()
        data_key, pin_key = keys
        clear = card.sensitive_tlv(track)
        ciphertext = channel.encrypt_card_data(self._aes, data_key, clear)
        epb = b""
        if pin is not None:
            epb = pinblock.encrypt_format4(self._aes, pin_key, pin, track.pan, self._random(8))
        fields = {"txn": txn[0], "entry_mode": self._mode, "masked_pan": card.mask_pan(track.pan),
                  "ksn": ksn, "pin_block": epb, "ciphertext": ciphertext}
        self._results.append((txn[0], fields))
        self._results = self._results[-RESULTS_KEPT:]
        self._clear_card()
        self._txn = None
        self._state = IDLE
        self._display("PROCESSING")
        return [(wire.CARD_READ, fields)]

    def _clear_card(self):
        self._track = None
        self._mode = None
