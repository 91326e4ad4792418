"""The page's early script (viewer/app/early.py): what it publishes beside the body file, and when
it publishes nothing (the view then starts with Panel, as before)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from viewer.app import early


def _view(mesh_pack="/meshes/packed/body-0123456789abcdef.glb", hooks=False):
    return SimpleNamespace(structures=[{"id": 1, "acronym": "A", "node": "a", "kind": "muscle"}],
                           mesh_pack=mesh_pack, mesh_pack_bytes=10, structure_styles={"kinds": {}},
                           presets={"default_view": "posterior"}, camera_request={}, compression={},
                           test_hooks=hooks)


@pytest.fixture
def bundle(tmp_path, monkeypatch):
    path = tmp_path / "dist" / "early.bundle.js"
    path.parent.mkdir()
    path.write_text("export {};\n")
    monkeypatch.setattr(early, "BUNDLE", path)
    monkeypatch.setattr(early, "_PUBLISHED", {})
    return path


def test_publishes_the_script_and_the_first_view_beside_the_body(tmp_path, bundle):
    meshes = tmp_path / "meshes"
    (meshes / "packed").mkdir(parents=True)
    url = early.publish(meshes, _view(hooks=True))
    assert url.startswith("/meshes/packed/early.js?v=") and url.endswith("&hooks=1")
    assert (meshes / "packed" / "early.js").read_bytes() == bundle.read_bytes()
    config = json.loads((meshes / "packed" / "first-view.json").read_text())
    assert config["mesh_pack"] == _view().mesh_pack and config["structures"] == _view().structures
    assert ".radix-canvas" in config["css"] and "test_hooks" not in config
    assert "&hooks" not in early.publish(meshes, _view(hooks=False))


def test_nothing_without_a_body_file_or_a_bundle_or_from_a_linked_session(tmp_path, bundle):
    meshes = tmp_path / "meshes"
    (meshes / "packed").mkdir(parents=True)
    assert early.publish(meshes, _view(mesh_pack="")) is None
    assert early.publish(meshes, _view(), write=False) is None      # a link's session never writes
    assert not (meshes / "packed" / "first-view.json").exists()
    assert early.publish(meshes, _view()) is not None
    assert early.publish(meshes, _view(), write=False) is not None  # now there is one for this body
    bundle.unlink()
    assert early.publish(meshes, _view()) is None


def test_a_read_only_folder_gives_no_script(tmp_path, bundle):
    meshes = tmp_path / "meshes"    # no packed/ folder: nothing can be written there
    meshes.mkdir()
    (meshes / "packed").write_text("not a folder")
    assert early.publish(meshes, _view()) is None
