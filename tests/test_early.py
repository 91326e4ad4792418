"""The page's early script (viewer/app/early.py): what it publishes beside the body file, and when
it publishes nothing (the view then starts with Panel, as before)."""

from __future__ import annotations

import hashlib
import json
import os
from types import SimpleNamespace

import pytest

from viewer.app import early


def _view(mesh_pack="/meshes/packed/body-0123456789abcdef.glb", hooks=False):
    return SimpleNamespace(structures=[{"id": 1, "acronym": "A", "node": "a", "kind": "muscle",
                                        "url": "/meshes/a.glb"}],
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
    # Relative to the server's root (no leading /): the page reaches it under a sub-path too.
    assert url.startswith("meshes/packed/early.js?v=") and url.endswith("&hooks=1")
    assert (meshes / "packed" / "early.js").read_bytes() == bundle.read_bytes()
    config_file = meshes / "packed" / "first-view.json"
    config = json.loads(config_file.read_text())
    # The body file and each mesh relative to the script's folder, where early.js resolves them.
    assert config["mesh_pack"] == "body-0123456789abcdef.glb"
    assert config["structures"] == [{**_view().structures[0], "url": "../a.glb"}]
    assert ".radix-canvas" in config["css"] and "test_hooks" not in config
    assert "&hooks" not in early.publish(meshes, _view(hooks=False))
    assert config_file.stat().st_mode & 0o777 == 0o644       # readable by a web server, like the meshes
    # The first view's URL carries its digest: a new first view is a new URL.
    digest = hashlib.sha256(config_file.read_bytes()).hexdigest()[:12]
    assert f"&c={digest}" in url and early.config_url(url) == f"meshes/packed/first-view.json?v={digest}"


def test_a_new_bundle_or_body_gives_new_urls(tmp_path, bundle, monkeypatch):
    meshes = tmp_path / "meshes"
    (meshes / "packed").mkdir(parents=True)
    first = early.publish(meshes, _view())
    assert early.publish(meshes, _view()) == first
    moved = early.publish(meshes, _view(mesh_pack="/meshes/packed/body-fedcba9876543210.glb"))
    assert early.config_url(moved) != early.config_url(first)
    bundle.write_text("export const changed = 1;\n")
    os.utime(bundle, ns=(1, 1))
    newer = early.publish(meshes, _view(mesh_pack="/meshes/packed/body-fedcba9876543210.glb"))
    assert newer.split("&")[0] != moved.split("&")[0]
    assert (meshes / "packed" / "early.js").read_text() == "export const changed = 1;\n"


def test_urls_reach_the_page_under_a_prefix(monkeypatch):
    import panel as pn

    assert early.body_url(_view()) == "meshes/packed/body-0123456789abcdef.glb"
    monkeypatch.setattr(type(pn.state), "rel_path", property(lambda self: ".."))
    assert early.page_url("meshes/packed/early.js?v=1") == "../meshes/packed/early.js?v=1"
    assert early.page_url("https://cdn.example/x.js") == "https://cdn.example/x.js"


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
