"""Run the project's own commands as real processes from this checkout."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def env(**extra: str) -> dict[str, str]:
    """An environment whose Python imports this checkout first."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(REPO), e.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    e.setdefault("PYTHONUNBUFFERED", "1")
    e.update(extra)
    return e


def lanekit(*args: str, timeout: float = 120, check: bool = False, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """Run `lanekit ARGS` (as `python -m appliance.cli`) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "appliance.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(**extra_env),
        cwd=REPO,
        check=check,
    )
