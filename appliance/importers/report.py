"""What an import did: counts, and every problem with its row number and severity."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    INFO = 0  # a row deliberately skipped (image-only row, gift card, grouped product …)
    WARNING = 1  # imported with a caveat (e.g. no scannable GTIN); --strict rejects the file
    ERROR = 2  # this row's item was not imported (no price, duplicate SKU …); --strict rejects
    FATAL = 3  # the whole file is refused (ragged rows, not CSV, wrong encoding …)


@dataclass(frozen=True, slots=True)
class Problem:
    row: int | None  # spreadsheet row number: the header is row 1; None for the file as a whole
    severity: Severity
    code: str  # stable machine name, e.g. "bad_check_digit"
    message: str  # a sentence a person can act on


# Beyond this many per code only the count grows: a million-row file with one systematic
# fault must not hold a million messages.
KEEP_PER_CODE = 1000


@dataclass
class ImportReport:
    """Filled while a file is read; final once iteration over its batches has ended.

    `products` counts product records (Shopify handles, WooCommerce simple and variable
    products); `variants` counts the sellable Items produced (a simple product is one variant).
    """

    source: str
    format: str = ""  # "shopify-legacy", "shopify", "woocommerce"
    rows: int = 0  # data rows read (the header not counted)
    products: int = 0
    variants: int = 0
    skipped: int = 0  # rows deliberately ignored (INFO problems)
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    worst: dict[str, Severity] = field(default_factory=dict)
    accepted: bool = True  # False once any FATAL problem is reported

    def add(self, row: int | None, severity: Severity, code: str, message: str) -> None:
        if severity is Severity.FATAL:
            self.accepted = False
        self.counts[code] += 1
        self.worst[code] = max(severity, self.worst.get(code, Severity.INFO))
        if self.counts[code] <= KEEP_PER_CODE:
            self.problems.append(Problem(row, severity, code, message))

    def fatal(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.FATAL]

    def has_issues(self) -> bool:
        """Any warning or error: what --strict refuses."""
        return any(s >= Severity.WARNING for s in self.worst.values())

    def rows_of(self, code: str) -> list[int | None]:
        return [p.row for p in self.problems if p.code == code]

    def summary(self) -> str:
        verdict = "imported" if self.accepted else "REJECTED, nothing imported"
        lines = [
            f"{self.source}: {verdict} ({self.format or 'unknown format'}): {self.rows} rows, "
            f"{self.products} products, {self.variants} variants, {self.skipped} rows skipped"
        ]
        for code, n in sorted(self.counts.items(), key=lambda kv: (-self.worst[kv[0]], kv[0])):
            rows = [p.row for p in self.problems if p.code == code and p.row is not None]
            shown = ", ".join(map(str, rows[:10])) + (" …" if n > 10 else "")
            example = next(p.message for p in self.problems if p.code == code)
            at = f" at rows {shown}" if rows else ""
            lines.append(f"  {self.worst[code].name:<7} {code} ×{n}{at}: {example}")
        return "\n".join(lines)
