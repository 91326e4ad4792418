"""The browser view's ES modules (viewer/app/view/): one job each, small, test hooks apart, and
every local import bundled (checked on the source; the browser tests run the bundle)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

VIEW = Path(__file__).resolve().parents[1] / "viewer" / "app" / "view"
MODULES = sorted(VIEW.glob("*.js"))
IMPORT = re.compile(r'^\s*(?:import|export)\b[^"\']*?from\s+["\']([^"\']+)["\']', re.M)


def test_the_view_is_split_into_modules():
    names = {p.name for p in MODULES}
    assert {"view3d.js", "viewport.js", "camera.js", "styles.js", "labels.js", "overlays.js",
            "picking.js", "loader.js", "story.js", "testhooks.js"} <= names


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_no_module_is_over_300_lines(module):
    assert len(module.read_text(encoding="utf-8").splitlines()) <= 300


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_local_imports_name_sibling_modules(module):
    for target in IMPORT.findall(module.read_text(encoding="utf-8")):
        if target.startswith("."):
            assert (VIEW / target).resolve().parent == VIEW and (VIEW / target).is_file(), target
        else:
            assert target == "three" or target.startswith("three/addons/"), target


def test_every_sibling_module_is_bundled():
    from viewer.app.view3d import BodyView

    assert Path(BodyView._esm) == VIEW / "view3d.js"
    assert {Path(p).name for p in BodyView._esm_shared.values()} == {p.name for p in MODULES} - {"view3d.js"}
    assert all(name == Path(p).stem for name, p in BodyView._esm_shared.items())


def test_test_hooks_live_in_their_opt_in_module():
    for module in MODULES:
        text = module.read_text(encoding="utf-8")
        if module.name != "testhooks.js":
            assert "radixView" not in text, module.name
    # Installed where the view is mounted (view/mount.js: by the component and by the page's
    # early script, viewer/app/early.js), only when the server opts in.
    mount = (VIEW / "mount.js").read_text(encoding="utf-8")
    assert "if (model.test_hooks) installTestHooks(v);" in mount
    for entry in (VIEW / "view3d.js", VIEW.parent / "early.js"):
        text = entry.read_text(encoding="utf-8")
        assert re.search(r"""(from |import\()"\./(view/)?mount\.js"\)?""", text) and "mountView(" in text


def test_the_server_opts_in_through_the_environment(monkeypatch):
    from viewer.app.view3d import TEST_HOOKS_ENV, BodyView

    monkeypatch.delenv(TEST_HOOKS_ENV, raising=False)
    assert BodyView().test_hooks is False
    monkeypatch.setenv(TEST_HOOKS_ENV, "1")
    assert BodyView().test_hooks is True
