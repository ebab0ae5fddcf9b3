"""Encoded journal events for store tests: real envelopes with recognisable payloads."""

from __future__ import annotations

import datetime as dt

from appliance.store.journal import EncodedEvent

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def ev(sale: str, version: int, type_: str = "LineAdded", payload: bytes | None = None) -> EncodedEvent:
    body = payload if payload is not None else b'{"sale":"%s","v":%d}' % (sale.encode(), version)
    return EncodedEvent(sale, version, type_, 1, T0 + dt.timedelta(seconds=version), body)
