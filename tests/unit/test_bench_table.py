from tests.bench.table import render


def test_table_has_goal_baseline_ratio_and_verdict() -> None:
    rows = [
        {"bench": "scan", "figure": "p99", "value": 1.5, "unit": "ms", "goal": 2.0, "goal_is_max": True,
         "baseline": 0.75, "ratio": 2.0, "pass": True, "scale": 0.02},
        {"bench": "mqtt", "figure": "deltas/s", "value": 15000.0, "unit": "/s", "goal": 20000, "goal_is_max": False,
         "baseline": None, "ratio": None, "pass": False, "scale": 0.02},
    ]
    text = render(rows)
    assert "| scan | p99 | 1.5 ms | ≤ 2 ms | 0.75 ms | 2× | PASS |" in text
    assert "| mqtt | deltas/s | 15,000 /s | ≥ 20,000 /s |  |  | FAIL |" in text
    assert "Scale: 0.02" in text
