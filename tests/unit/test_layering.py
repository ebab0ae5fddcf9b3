import pathlib
import subprocess
import sys

import pytest


def test_imports_follow_the_layering_rules(repo_root: pathlib.Path) -> None:
    checker = repo_root.parent / "shared" / "tools" / "check_layers.py"
    if not checker.exists():
        pytest.fail(f"layer checker missing at {checker}")
    out = subprocess.run([sys.executable, str(checker)], cwd=repo_root, capture_output=True, text=True)
    assert "layering: 0 broken" in out.stdout, out.stdout
