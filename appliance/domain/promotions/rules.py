"""A validated rule set compiled for fast lookup: rules indexed by SKU and category.

`PromotionRules` is immutable in meaning; it keeps two memo tables (candidate rules per SKU and
category, solutions per group of interacting deals) so that repricing after each scan only
re-solves the group the scanned item belongs to. The memos are pure caches: clearing them
changes no result, only the time taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appliance.domain.promotions.kinds import CRule, Layer, compile_rule
from appliance.domain.promotions.schema import LoyaltyProgram, RuleSet, decode_ruleset

_CACHE_MAX = 50_000


@dataclass(eq=False)
class PromotionRules:
    ruleset: RuleSet
    rules: tuple[CRule, ...]
    by_sku: dict[str, list[CRule]]
    by_category: dict[str, list[CRule]]
    everywhere: tuple[CRule, ...]  # basket/points rules without a target
    memo: bool = True
    _candidates: dict[tuple[str, tuple[str, ...]], tuple[CRule, ...]] = field(default_factory=dict)
    _solutions: dict[object, object] = field(default_factory=dict)
    line_memo: dict[object, object] = field(default_factory=dict)  # engine's per-line static facts
    _deal_parts: dict[tuple[str, tuple[str, ...]], tuple[tuple[CRule, tuple[int, ...]], ...]] = field(
        default_factory=dict)

    @property
    def currency(self) -> str:
        return self.ruleset.currency

    @property
    def version(self) -> int:
        return self.ruleset.version

    @property
    def loyalty(self) -> LoyaltyProgram | None:
        return self.ruleset.loyalty

    @classmethod
    def compile(cls, ruleset: RuleSet) -> PromotionRules:
        ordered = sorted(ruleset.rules, key=lambda r: (-r.priority, r.id))
        compiled = tuple(compile_rule(r, i) for i, r in enumerate(ordered))
        by_sku: dict[str, list[CRule]] = {}
        by_cat: dict[str, list[CRule]] = {}
        everywhere: list[CRule] = []
        for cr in compiled:
            if any(m is None for m in cr.matchers) and cr.layer in (Layer.BASKET, Layer.POINTS):
                everywhere.append(cr)
            for m in cr.matchers:
                if m is None:
                    continue
                for sku in m.skus:
                    by_sku.setdefault(sku, []).append(cr)
                for cat in m.categories:
                    by_cat.setdefault(cat, []).append(cr)
        return cls(ruleset, compiled, by_sku, by_cat, tuple(everywhere))

    def candidates(self, sku: str, cat_keys: tuple[str, ...]) -> tuple[CRule, ...]:
        """Targeted rules that may match an item, in (priority desc, id) order."""
        key = (sku, cat_keys)
        hit = self._candidates.get(key)
        if hit is not None:
            return hit
        found: dict[int, CRule] = {cr.order: cr for cr in self.by_sku.get(sku, ())}
        for k in cat_keys:
            for cr in self.by_category.get(k, ()):
                found[cr.order] = cr
        result = tuple(found[o] for o in sorted(found))
        if self.memo:
            if len(self._candidates) > _CACHE_MAX:
                self._candidates.clear()
            self._candidates[key] = result
        return result

    def deal_parts(self, sku: str, cat_keys: tuple[str, ...]) -> tuple[tuple[CRule, tuple[int, ...]], ...]:
        """Item-level deals that may take this item, each with the indices of the parts it fits."""
        key = (sku, cat_keys)
        hit = self._deal_parts.get(key)
        if hit is not None:
            return hit
        out = []
        for cr in self.candidates(sku, cat_keys):
            if cr.layer is Layer.DEAL:
                parts = tuple(i for i, m in enumerate(cr.matchers) if m is not None and m.matches(sku, cat_keys))
                if parts:
                    out.append((cr, parts))
        result = tuple(out)
        if self.memo:
            if len(self._deal_parts) > _CACHE_MAX:
                self._deal_parts.clear()
            self._deal_parts[key] = result
        return result

    def remember_line(self, key: object, info: object) -> None:
        if len(self.line_memo) > _CACHE_MAX:
            self.line_memo.clear()
        self.line_memo[key] = info

    def cached_solution(self, key: object) -> Any:
        return self._solutions.get(key) if self.memo else None

    def store_solution(self, key: object, sol: object) -> None:
        if not self.memo:
            return
        if len(self._solutions) > _CACHE_MAX:
            self._solutions.clear()
        self._solutions[key] = sol

    def clear_caches(self) -> None:
        self._candidates.clear()
        self._solutions.clear()
        self._deal_parts.clear()
        self.line_memo.clear()


def decode_rules(data: bytes) -> PromotionRules:
    """Wire bytes from HQ -> compiled rules; an invalid payload raises RuleError (rule id, field, reason)."""
    return PromotionRules.compile(decode_ruleset(data))
