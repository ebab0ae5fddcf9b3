"""Loads the public reference vectors in ../shared/data/payments/ for parametrized tests."""

from __future__ import annotations

import json
import pathlib
from typing import Any

PAYMENTS = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "payments"


def load(name: str) -> Any:
    path = PAYMENTS / name
    if not path.is_file():
        raise FileNotFoundError(f"reference vectors missing at {path}: the repo expects ../shared beside it")
    return json.loads(path.read_text(encoding="utf-8"))


def h(text: str) -> bytes:
    return bytes.fromhex(text)
