"""Bagging-area security: the bagging scale's stable weight against what the scanned items should weigh.

Pure rules. The lane tells `BaggingArea` what was scanned and what the scale reads; it answers with
a verdict. Items without a nominal weight, and heavy or bulky ones (over `skip_over_g`), are not
expected in the bag ("skip bagging"). Tolerances come from the catalog, or a default per item.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Verdict(enum.Enum):
    OK = "ok"
    UNEXPECTED_ITEM = "unexpected_item"  # more weight than scanned
    ITEM_REMOVED = "item_removed"  # less weight than before
    NOT_BAGGED = "not_bagged"  # a scanned item never arrived in the bag


@dataclass(frozen=True, slots=True)
class BaggingRules:
    default_tolerance_g: int = 30
    skip_over_g: int = 10_000  # heavier items stay in the trolley
    noise_g: int = 5  # scale jitter below this is nothing


@dataclass
class BaggingArea:
    rules: BaggingRules = field(default_factory=BaggingRules)
    expected_g: int = 0  # what the bag should weigh
    tolerance_g: int = 0  # summed tolerances of what is in it
    measured_g: int = 0  # the last stable reading
    waiting: list[tuple[int, int, int]] = field(default_factory=list)  # (line_id, grams, tolerance) not yet bagged
    bagged: dict[int, tuple[int, int]] = field(default_factory=dict)  # line_id -> (grams, tolerance)

    def scanned(self, line_id: int, nominal_g: int | None, tolerance_g: int | None) -> bool:
        """An item was scanned; True when it must go into the bag."""
        if nominal_g is None or nominal_g <= 0 or nominal_g > self.rules.skip_over_g:
            return False
        self.waiting.append((line_id, nominal_g, tolerance_g or self.rules.default_tolerance_g))
        return True

    def voided(self, line_id: int) -> None:
        """A line was voided: the shopper takes it back out of the bag (or it never went in)."""
        self.waiting = [w for w in self.waiting if w[0] != line_id]
        if line_id in self.bagged:
            g, tol = self.bagged.pop(line_id)
            self.expected_g -= g
            self.tolerance_g -= tol

    def weighed(self, grams: int) -> Verdict:
        """A new stable reading of the bagging scale."""
        self.measured_g = grams
        delta = grams - self.expected_g
        if abs(delta) <= self.tolerance_g + self.rules.noise_g:
            return Verdict.OK
        # does the next waiting item explain the change?
        if self.waiting:
            line_id, g, tol = self.waiting[0]
            if abs(delta - g) <= self.tolerance_g + tol + self.rules.noise_g:
                self.waiting.pop(0)
                self.bagged[line_id] = (g, tol)
                self.expected_g += g
                self.tolerance_g += tol
                return Verdict.OK
        return Verdict.UNEXPECTED_ITEM if delta > 0 else Verdict.ITEM_REMOVED

    def unbagged(self) -> list[int]:
        return [w[0] for w in self.waiting]

    def accept_current(self) -> None:
        """An attendant cleared a mismatch: what is in the bag now is what is expected."""
        self.expected_g = self.measured_g
