"""Basket files: a scripted shopper, one scan per line (format in docs/basket-format.md).

    # comment                      ignored, as are blank lines
    4260000000011                  a scan, as the scanner sends it
    4260000000042 *3               the same item three times (quantity)
    4011 @0.755                    a weighed item with its weight in kg (as the scale would give it)
    ]C1010426...<GS>10ABC          <GS> (or \\x1d, \\u001d) is the GS1 group separator
    !void 2                        directives: void a line, set a quantity, pay
    !qty 1 2
    !approve 1234                  an attendant logs in with PIN 1234 and approves the open age checks
    !points 1000                   pay with 1000 loyalty points (after the loyalty card was scanned)
    !cash 50.00
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from appliance.domain.errors import DomainError


class BasketFileError(DomainError):
    """A basket file line that does not parse; names the file and line."""


@dataclass(frozen=True, slots=True)
class ScanStep:
    data: str
    quantity: Decimal | None = None
    weight_kg: Decimal | None = None
    lineno: int = 0


@dataclass(frozen=True, slots=True)
class Directive:
    verb: str  # void | qty | approve | points | cash
    args: tuple[str, ...]
    lineno: int = 0


Step = ScanStep | Directive
_VERBS = {"void": 1, "qty": 2, "cash": 1, "points": 1, "approve": 1}
_ESCAPES = [("<GS>", "\x1d"), ("\\x1d", "\x1d"), ("\\u001d", "\x1d"), ("\\x1D", "\x1d")]
_SCAN = re.compile(r"^(?P<data>\S+)(?:\s+\*(?P<qty>\S+))?(?:\s+@(?P<w>\S+))?\s*$")


def parse_basket(text: str, source: str = "<basket>") -> list[Step]:
    steps: list[Step] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{n}"
        if line.startswith("!"):
            verb, *args = line[1:].split()
            if verb not in _VERBS:
                raise BasketFileError(f"{where}: unknown directive !{verb} (use !void, !qty, !approve, !points or !cash).")
            if len(args) != _VERBS[verb]:
                raise BasketFileError(f"{where}: !{verb} takes {_VERBS[verb]} argument(s), got {len(args)}.")
            steps.append(Directive(verb, tuple(args), n))
            continue
        m = _SCAN.match(line)
        if m is None:
            raise BasketFileError(f"{where}: expected 'SCAN [*QTY] [@KG]', got {line!r}.")
        data = m["data"]
        for esc, ch in _ESCAPES:
            data = data.replace(esc, ch)
        steps.append(ScanStep(data, _dec(m["qty"], where, "quantity"), _dec(m["w"], where, "weight"), n))
    return steps


def load_basket(path: str | pathlib.Path) -> list[Step]:
    p = pathlib.Path(path)
    try:
        return parse_basket(p.read_text(encoding="utf-8"), str(p))
    except (OSError, UnicodeDecodeError) as err:
        raise BasketFileError(f"{p}: cannot read the basket file: {err}") from err


def _dec(text: str | None, where: str, what: str) -> Decimal | None:
    if text is None:
        return None
    try:
        v = Decimal(text)
    except InvalidOperation:
        raise BasketFileError(f"{where}: {what} {text!r} is not a number.") from None
    if not v.is_finite() or v <= 0:
        raise BasketFileError(f"{where}: {what} {text!r} must be a positive number.")
    return v
