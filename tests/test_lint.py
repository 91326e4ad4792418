"""The linter: ``ruff check`` over the project, with the configuration in ``pyproject.toml``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format",
                             "concise", str(ROOT)], cwd=ROOT, capture_output=True, text=True)
    assert "No module named ruff" not in result.stderr, "ruff is not installed: install the `test` extra"
    assert result.returncode == 0, f"ruff found problems:\n{result.stdout}{result.stderr}"


def test_ruff_reads_the_project_configuration(tmp_path):
    # A line over the configured limit in a scratch file checked with the project's settings must be
    # reported: proves the test above checks with the configuration, not ruff's defaults.
    scratch = tmp_path / "long.py"
    scratch.write_text("x = '" + "a" * 130 + " b'\n")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
                             str(ROOT / "pyproject.toml"), str(scratch)], capture_output=True, text=True)
    assert result.returncode == 1 and "E501" in result.stdout, result.stdout + result.stderr
