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
# spaces and tabs only: Python's \s would also match the GS1 separator (0x1d) inside a scan
_SCAN = re.compile(r"^(?P<data>[^ \t]+)(?:[ \t]+\*(?P<qty>[^ \t]+))?(?:[ \t]+@(?P<w>[^ \t]+))?[ \t]*$")


def parse_basket(text: str, source: str = "<basket>") -> list[Step]:
    steps: list[Step] = []
    text = text.removeprefix("\ufeff")  # editors on Windows start UTF-8 files with a BOM
    # only newlines end a line: str.splitlines() would also split at GS (0x1d), which scans carry
    for n, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{n}"
        if line.startswith("!"):
            verb, *args = line[1:].split()
            if verb not in _VERBS:
                raise BasketFileError(f"{where}: unknown directive !{verb} (use !void, !qty, !approve, !points or !cash).")
            if len(args) != _VERBS[verb]:
                raise BasketFileError(f"{where}: !{verb} takes {_VERBS[verb]} argument(s), got {len(args)}.")
            _check_args(verb, args, where)
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


def _check_args(verb: str, args: list[str], where: str) -> None:
    """Directive arguments are checked before anything is sold, like every other line."""
    ints = {"void": args[:1], "qty": args[:1], "points": args[:1], "approve": args[:1]}.get(verb, [])
    for a in ints:
        if not (a.isascii() and a.isdigit()) or int(a) <= 0:
            raise BasketFileError(f"{where}: !{verb} needs a positive whole number, got {a!r}.")
    if verb == "qty":
        _dec(args[1], where, "quantity")
    if verb == "cash":
        amount = args[0]
        if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,3})?", amount):
            raise BasketFileError(f"{where}: !cash needs an amount like 20.00, got {amount!r}.")


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
    if not v.is_finite() or v <= 0 or v > 10_000:
        raise BasketFileError(f"{where}: {what} {text!r} must be a positive number (at most 10000).")
    return v
