"""Render a bench run's results.json (one JSON object per line) as a Markdown table.

    python -m tests.bench.table bench-results/results.json > bench-results/results.md
"""

from __future__ import annotations

import json
import pathlib
import sys


def _fmt(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, int | float) and abs(v) >= 1000:
        return f"{v:,.0f}"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def render(rows: list[dict[str, object]]) -> str:
    out = ["| bench | figure | value | goal | baseline | ratio | result |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        unit = r.get("unit", "")
        goal = "" if r.get("goal") is None else f"{'≤' if r.get('goal_is_max', True) else '≥'} {_fmt(r['goal'])} {unit}"
        base = "" if r.get("baseline") is None else f"{_fmt(r['baseline'])} {unit}"
        ratio = "" if r.get("ratio") is None else f"{_fmt(r['ratio'])}×"
        result = "" if r.get("goal") is None else ("PASS" if r.get("pass") else "FAIL")
        out.append(f"| {r['bench']} | {r['figure']} | {_fmt(r['value'])} {unit} | {goal} | {base} | {ratio} | {result} |")
    scales = sorted({str(r.get("scale")) for r in rows})
    out.append("")
    out.append(f"Scale: {', '.join(scales)} (1.0 = the sizes the issues name). Figures from one run on this machine.")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    path = pathlib.Path(argv[1] if len(argv) > 1 else "bench-results/results.json")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sys.stdout.write(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
