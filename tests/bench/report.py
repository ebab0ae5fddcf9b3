"""How every benchmark reports: one line per figure, with its goal and same-run baseline.

Results append to bench-results/results.json (one JSON object per line); the bench command
renders them as a Markdown table. Sizes scale with LANEKIT_BENCH_SCALE (1.0 = the issue's size).
"""

from __future__ import annotations

import json
import os
import pathlib
import time

RESULTS = pathlib.Path(os.environ.get("LANEKIT_BENCH_OUT", pathlib.Path(__file__).resolve().parents[2] / "bench-results"))


def scale() -> float:
    return float(os.environ.get("LANEKIT_BENCH_SCALE", "1.0"))


def scaled(n: int, minimum: int = 1) -> int:
    """The issue's size `n` scaled for this run (CI runs reduced)."""
    return max(minimum, int(n * scale()))


def record(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    *,
    goal: float | None = None,
    goal_is_max: bool = True,
    baseline: float | None = None,
    note: str = "",
) -> bool:
    """Print and store one figure; return whether it meets its goal (True when it has none)."""
    ratio = (value / baseline) if baseline else None
    passed = True if goal is None else (value <= goal if goal_is_max else value >= goal)
    row = {
        "bench": bench,
        "figure": figure,
        "value": round(value, 4),
        "unit": unit,
        "goal": goal,
        "goal_is_max": goal_is_max,
        "baseline": None if baseline is None else round(baseline, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "pass": passed,
        "scale": scale(),
        "note": note,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "results.json").open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    cmp = "≤" if goal_is_max else "≥"
    goal_txt = f" goal {cmp} {goal:g} {unit}" if goal is not None else ""
    base_txt = f" baseline {baseline:.4g} {unit} ratio {ratio:.2f}×" if baseline else ""
    verdict = "PASS" if passed else "FAIL"
    print(f"BENCH {bench}: {figure} = {value:.4g} {unit}{goal_txt}{base_txt} [{verdict}] {note}".rstrip())
    return passed


def percentile(samples: list[float], p: float) -> float:
    s = sorted(samples)
    if not s:
        raise ValueError("no samples")
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]
