"""Associates at the lane: PINs checked against slow scrypt hashes, with a lockout after failures.

A PIN hash is `scrypt$N$r$p$salt$hash` (base64); `lanekit associates hash-pin` makes one. Only the
hash ever reaches the appliance (from HQ's associates feed, or the store profile for a demo).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from appliance.domain.errors import DomainError
from appliance.domain.roles import Action, Role, may

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~50 ms on a Pi 4: slow for a guesser, fine at a lane
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=5)


class AuthError(DomainError):
    """A login or permission refused; the message says why (never which part of a PIN was wrong)."""


@dataclass(frozen=True, slots=True)
class Associate:
    associate_id: str
    name: str
    role: Role
    pin_hash: str


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise AuthError("A PIN is 4 to 12 digits.")
    salt = salt or os.urandom(16)
    key = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(pin.encode())
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(key)}"


def check_pin(pin: str, pin_hash: str) -> bool:
    try:
        scheme, n, r, p, salt, key = pin_hash.split("$")
        if scheme != "scrypt":
            return False
        Scrypt(salt=base64.b64decode(salt), length=32, n=int(n), r=int(r), p=int(p)).verify(
            pin.encode(), base64.b64decode(key))
    except (ValueError, InvalidKey):
        return False
    return True


class Attendants:
    """Who may log in at this lane, with per-associate failure counts and lockout."""

    def __init__(self, associates: Iterable[Associate], clock: Callable[[], dt.datetime]) -> None:
        self._all = list(associates)
        self._clock = clock
        self._failures: dict[str, list[dt.datetime]] = {}
        self._lane_failures: list[dt.datetime] = []

    def login(self, pin: str) -> Associate:
        now = self._clock()
        recent = [t for t in self._lane_failures if now - t < LOCKOUT]
        self._lane_failures = recent
        if len(recent) >= MAX_FAILURES:
            raise AuthError(f"Too many wrong PINs: attendant login is locked for {LOCKOUT.seconds // 60} minutes.")
        for a in self._all:
            if check_pin(pin, a.pin_hash):
                self._lane_failures.clear()
                return a
        self._lane_failures.append(now)
        left = MAX_FAILURES - len(self._lane_failures)
        raise AuthError(f"Wrong PIN ({left} tries left before a {LOCKOUT.seconds // 60}-minute lockout).")

    @staticmethod
    def require(associate: Associate | None, action: Action) -> Associate:
        if associate is None:
            raise AuthError(f"An attendant must log in to {action.value.replace('_', ' ')}.")
        if not may(associate.role, action):
            raise AuthError(f"{associate.name} ({associate.role.value}) may not {action.value.replace('_', ' ')}; "
                            "a supervisor must override.")
        return associate

