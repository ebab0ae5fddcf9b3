"""GS1 AI association rules that biip does not check: which AI requires or excludes another.

The facts are the `req=` and `ex=` keys of the GS1 Barcode Syntax Dictionary
(gs1/gs1-syntax-engine `src/c-lib/gs1-syntax-dictionary.txt`, release 2026-01-27), for the
AIs a retail lane meets. Semantics, as the dictionary states them:

- `req=A,B` — the message must also hold at least one of A, B. Several `req` keys on one
  entry must each be met.
- `ex=A,B` — the AI must not appear together with any of A, B ("and vice versa").
- In a pattern, `n` stands for any one digit: `310n` is 3100…3109, `31nn` is 3100…3199.

An AI the table does not list has no association rule here (biip still checks its format).
The same AI twice with different values is also refused (GS1 General Specifications 4.14).
"""

from __future__ import annotations

from collections.abc import Sequence

# AI (or "first-last" range) -> the entry's KeyVal text, as in the dictionary.
_ENTRIES: dict[str, str] = {
    "00": "",
    # The 2026 entry reads ex=255,37; the 2023 release also lists 02, which GS1's own
    # validateAIs test still refuses next to 01, so the exclusion stays.
    "01": "ex=02,255,37",
    "02": "req=37",
    "10": "req=01,02,03,8006,8026",
    "11": "req=01,02,03,8006,8026",
    "13": "req=01,02,03,8006,8026",
    "15": "req=01,02,03,8006,8026",
    "16": "req=01,02,03,8006,8026",
    "17": "req=01,02,03,255,8006,8026",
    "20": "req=01,02,03,8006,8026",
    "21": "req=01,03,8006 ex=235",
    "22": "req=01",
    "235": "req=01",
    "240": "req=01,02,03,8006,8026",
    "30": "req=01,02,03",
    "3100-3105": "req=01,02 ex=310n",
    "3200-3205": "req=01,02 ex=320n",
    "37": "req=00 req=02,8026",
    "3920-3929": "req=01 req=30,31nn,32nn,35nn,36nn ex=392n,393n",
    "3930-3939": "req=30,31nn,32nn,35nn,36nn ex=393n",
    "8005": "req=01,02",
    "8111": "req=255",
    "8200": "req=01",
}


def _parse_entries() -> list[tuple[str, str, list[list[str]], list[str]]]:
    table = []
    for key, keyvals in _ENTRIES.items():
        first, _, last = key.partition("-")
        reqs: list[list[str]] = []
        exs: list[str] = []
        for kv in keyvals.split():
            name, _, value = kv.partition("=")
            if name == "req":
                reqs.append(value.split(","))
            elif name == "ex":
                exs.extend(value.split(","))
        table.append((first, last or first, reqs, exs))
    return table


_TABLE = _parse_entries()


def _matches(ai: str, pattern: str) -> bool:
    return len(ai) == len(pattern) and all(p == "n" or p == a for a, p in zip(ai, pattern, strict=True))


def _entry(ai: str) -> tuple[list[list[str]], list[str]] | None:
    for first, last, reqs, exs in _TABLE:
        if len(ai) == len(first) and first <= ai <= last:
            return reqs, exs
    return None


def _show(patterns: Sequence[str]) -> str:
    names = [f"({p})" for p in patterns]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def violations(elements: Sequence[tuple[str, str]]) -> list[str]:
    """Every association rule that the (AI, value) pairs of one message break, as sentences.

    An empty list means the message is consistent as far as these rules go.
    """
    problems: list[str] = []
    seen: dict[str, str] = {}
    for ai, value in elements:
        if ai in seen and seen[ai] != value:
            problems.append(f"({ai}) appears twice with different values.")
        seen.setdefault(ai, value)
    present = list(seen)
    for ai in present:
        entry = _entry(ai)
        if entry is None:
            continue
        reqs, exs = entry
        for group in reqs:
            if not any(_matches(other, p) for other in present for p in group):
                problems.append(f"({ai}) requires {_show(group)} in the same barcode.")
        for p in exs:
            clash = [other for other in present if other != ai and _matches(other, p)]
            for other in clash:
                pair = tuple(sorted((ai, other)))
                msg = f"({pair[0]}) and ({pair[1]}) must not appear together."
                if msg not in problems:
                    problems.append(msg)
    return problems
