"""Check that every dependency pyproject.toml declares (runtime and test) is installed here at a
version it allows: a package missing from requirements.lock fails the install, not a test later.

``pip check`` covers the installed packages' own requirements; Radix itself is run from the
checkout rather than installed, so its declared requirements are checked here.
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def problems(pyproject: Path = PYPROJECT, extras: tuple[str, ...] = ("test",)) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    declared = list(project.get("dependencies", []))
    for extra in extras:
        declared += project.get("optional-dependencies", {}).get(extra, [])
    out = []
    for line in declared:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            out.append(f"{pyproject.name}: {line!r} is declared but not installed "
                       f"(is it missing from requirements.lock?)")
            continue
        if not req.specifier.contains(installed, prereleases=True):
            out.append(f"{pyproject.name}: {line!r} is declared but {req.name} {installed} "
                       f"is installed (refresh requirements.lock)")
    return out


if __name__ == "__main__":
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    sys.exit(1 if found else 0)
