"""The layers of Radix, checked on the imports (parsed with ``ast``, nothing is imported).

Each layer imports only the layers below it (docs/ARCHITECTURE.md, "Which folder owns what"):
atlas and knowledge, then the body build, then selection, then the scene, then the renderers (the
off-screen pictures and the handout), then the app. A function-level import counts like any
other. ``viewer.app`` is imported only inside ``viewer/app/`` and by ``app.py`` (the tests aside),
and neither the benchmarks nor the harness they share with the tests import ``tests``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Layer of each module prefix, lowest first; the longest matching prefix decides.
LAYERS: dict[str, int] = {
    "viewer": 0,
    "viewer.atlas": 0,
    "viewer.knowledge": 0,
    "viewer.anatomy": 1,          # the body build
    "viewer.validate": 1,
    "viewer.selection": 2,
    "viewer.body_regions": 2,     # where a mark on the skin is
    "viewer.symptoms": 2,         # symptoms -> roots and muscles
    "viewer.scene": 3,
    "viewer.plan": 3,             # the plan model
    "viewer.plan.model": 3,
    "viewer.plan.content": 3,     # what a handout says
    "viewer.plan.export": 4,      # the handout: a renderer (pictures, fonts, layout)
    "viewer.plan.pictures": 4,
    "viewer.plan.fonts": 4,
    "viewer.plan.layout": 4,
    "viewer.plan.__main__": 4,
    "viewer.render": 4,           # the off-screen renderer and the gallery
    "viewer.app": 5,
    "viewer.__main__": 5,
    "app": 5,
    "harness": 6,
    "bench": 7,
    "tests": 8,
}
LAYER_NAMES = {0: "atlas and knowledge", 1: "the body build", 2: "selection", 3: "scene",
               4: "renderers", 5: "app", 6: "harness", 7: "bench", 8: "tests"}


def layer_of(module: str) -> int | None:
    """The layer of a module (None for a module outside the project: numpy, panel, ...)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in LAYERS:
            return LAYERS[prefix]
    return None


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # ``from viewer.plan import export`` imports the module viewer.plan.export
            out += [(node.lineno, f"{name}.{alias.name}" if layer_of(f"{name}.{alias.name}") is not None
                     and f"{name}.{alias.name}" in LAYERS else name) for alias in node.names]
    return out


def project_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("viewer", "harness", "bench", "tests"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return [f for f in files if f.is_file()]


def layering_problems(files) -> list[str]:
    problems = []
    for path in files:
        here = module_name(path)
        mine = layer_of(here)
        for line, imported in imports_of(path):
            theirs = layer_of(imported)
            if mine is None or theirs is None:
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            if theirs > mine:
                problems.append(f"{where}: {here} ({LAYER_NAMES[mine]}) imports {imported} "
                                f"({LAYER_NAMES[theirs]}), a higher layer")
            if imported.split(".")[:2] == ["viewer", "app"] and here.startswith("viewer.") \
                    and not here.startswith("viewer.app"):
                problems.append(f"{where}: {here} imports {imported}: only viewer/app/ and app.py may")
    return problems


def test_every_import_goes_down_the_layers():
    files = project_files()
    assert len(files) > 50, "the project's files were not found"
    assert layering_problems(files) == []


def test_every_viewer_module_has_a_layer():
    missing = [module_name(f) for f in (ROOT / "viewer").rglob("*.py") if layer_of(module_name(f)) is None]
    assert missing == []


@pytest.mark.parametrize("source, expected", [
    ("viewer/selection.py", "from viewer.app.state import AppState\n"),
    ("viewer/scene/style.py", "from viewer.plan.export import export_pdf\n"),
    ("viewer/plan/export.py", "def f():\n    from viewer.app import info\n"),
    ("viewer/atlas.py", "from .selection import select_muscle\n"),
    ("viewer/scene/compose.py", "from ..render.offscreen import render\n"),
    ("bench/bench_x.py", "from tests.ui.conftest import server\n"),
])
def test_an_import_up_the_layers_is_reported(tmp_path, monkeypatch, source, expected):
    # The same check on a file written under a scratch copy of the layout: it must fail.
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    path = tmp_path / source
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(expected)
    problems = layering_problems([path])
    assert len(problems) >= 1, problems


def test_an_import_down_the_layers_is_not_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    path = tmp_path / "viewer" / "plan" / "export.py"
    path.parent.mkdir(parents=True)
    path.write_text("from viewer.scene import SceneSpec\nfrom ..selection import select_muscle\nimport numpy\n")
    assert layering_problems([path]) == []
