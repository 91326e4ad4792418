"""The examples in the Python docstrings run and print what they say.

Every module under ``viewer/`` whose docstrings hold ``>>>`` examples is found here (none is
listed by hand), so an example that goes stale with the code fails the suite. Examples read the
committed assets by the relative path ``assets``, so they run from the project root.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

from conftest import PROJECT


def _modules_with_examples() -> list[str]:
    found = []
    for path in sorted((PROJECT / "viewer").rglob("*.py")):
        if ">>> " in path.read_text(encoding="utf-8"):
            found.append(".".join(path.relative_to(PROJECT).with_suffix("").parts))
    return found


MODULES = _modules_with_examples()


def test_the_examples_are_found():
    # the ranking functions carry worked examples; finding none would make every test below vacuous
    assert "viewer.symptoms" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(PROJECT)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=True)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples failed"
