"""Errors of the p2pe package (MicroPython-safe: plain Exception subclasses).

    P2peError
    ├── KeyExhausted     the DUKPT key register has no transaction counter left
    ├── KeyStateError    the key register is not loaded, or the request is not possible in its state
    ├── PinBlockError    a PIN, PAN or PIN block that is malformed (field + reason)
    └── KeyBlockError    a TR-31 key block that does not parse or authenticate (offset + reason)
"""


class P2peError(Exception):
    pass


class KeyExhausted(P2peError):
    pass


class KeyStateError(P2peError):
    pass


class PinBlockError(P2peError):
    def __init__(self, field, reason):
        super().__init__(field + ": " + reason)
        self.field = field
        self.reason = reason


class KeyBlockError(P2peError):
    def __init__(self, reason, offset=0):
        super().__init__(reason + " at offset " + str(offset))
        self.reason = reason
        self.offset = offset
