"""The code stays lint-clean (ruff) and the pure core type-checks (mypy --strict)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "bench"],
                            cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_core_ingest_demo():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True,
                            text=True, env={**os.environ, "DATABASE_URL": ""})
    assert result.returncode == 0, result.stdout + result.stderr
