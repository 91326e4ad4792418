"""The install path a fresh machine takes: the lock covers what pyproject.toml declares, and CI
runs exactly the README's test command in a new virtual environment."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "scripts"))
from check_installed import problems  # noqa: E402


def _pyproject(tmp_path: Path, deps: list[str], test: list[str] = ()) -> Path:
    path = tmp_path / "pyproject.toml"
    quoted = lambda xs: ", ".join(f'"{x}"' for x in xs)  # noqa: E731
    path.write_text(f'[project]\nname = "x"\nversion = "0"\ndependencies = [{quoted(deps)}]\n'
                    f'[project.optional-dependencies]\ntest = [{quoted(test)}]\n', encoding="utf-8")
    return path


def test_every_declared_dependency_is_installed():
    assert problems() == []


@pytest.mark.parametrize("deps, test, complaint", [
    (["no-such-package-radix>=1"], [], "not installed"),
    ([], ["no-such-package-radix"], "not installed"),
    (["numpy<1"], [], "is installed"),
    (["numpy>=1", "pytest>=1"], [], None),
    (["numpy>=1 ; python_version < '3'"], [], None),   # a marker that does not apply here
])
def test_a_dependency_missing_or_off_the_lock_is_named(tmp_path, deps, test, complaint):
    found = problems(_pyproject(tmp_path, deps, test))
    if complaint is None:
        assert found == []
    else:
        assert len(found) == 1 and complaint in found[0] and "pyproject.toml" in found[0]


def test_lock_pins_every_package_with_a_hash():
    text = (PROJECT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9_.\-]+)==\S+(.*?)(?=^\S|\Z)", text, flags=re.M | re.S)
    assert len(entries) > 30
    unhashed = [name for name, rest in entries if "--hash=sha256:" not in rest]
    assert unhashed == []
    names = {name.lower().replace("_", "-") for name, _ in entries}
    for needed in ("numpy", "trimesh", "rtree", "manifold3d", "panel", "pyvista", "playwright"):
        assert needed in names


def test_ci_runs_the_readme_test_command_in_a_new_virtual_environment():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    test_command = re.search(r"Run every test.*?```bash\n(.+?)\n```", readme, re.S).group(1)
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert lines[-1] == test_command
    assert "python3 -m venv" in ci and "mktemp -d" in ci and "venv/bin/activate" in ci
    bash = subprocess.run(["bash", "-n", str(PROJECT / ".ci" / "run")], capture_output=True)
    assert bash.returncode == 0, bash.stderr
