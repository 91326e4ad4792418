"""The mesh pack (viewer/app/meshpack.py): every GLB back to back in one file, named by its
content, each structure's bytes exactly where the index says; written once, replaced when a mesh
changes, and never required (no pack where the folder cannot be written)."""

from __future__ import annotations

import gzip
import stat
from pathlib import Path

import pytest

from viewer.app import meshpack
from viewer.app.serve import GLB_TYPE, PACK_TYPE, RadixGZip, enable_websocket_nodelay


def _meshes(folder: Path, sizes: dict[str, int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, (name, size) in enumerate(sizes.items()):
        (folder / name).write_bytes(bytes((i * 7 + k) % 256 for k in range(size)))
    return folder


def test_each_mesh_is_its_own_slice_of_the_pack(tmp_path):
    folder = _meshes(tmp_path / "meshes", {"a.glb": 100, "b.glb": 1, "c.glb": 4096})
    pack = meshpack.ensure_pack(folder, ["c.glb", "a.glb", "b.glb", "a.glb"])
    assert pack is not None
    blob = (folder / pack.name).read_bytes()
    assert pack.size == len(blob) == 100 + 1 + 4096
    assert list(pack.slices) == ["c.glb", "a.glb", "b.glb"]   # in order, each once
    for name, (offset, length) in pack.slices.items():
        assert blob[offset:offset + length] == (folder / name).read_bytes()
    assert pack.name.startswith(meshpack.PREFIX) and pack.name.endswith(meshpack.SUFFIX)


def test_the_pack_is_named_by_its_content_and_old_packs_go(tmp_path):
    folder = _meshes(tmp_path / "meshes", {"a.glb": 64, "b.glb": 64})
    first = meshpack.ensure_pack(folder, ["a.glb", "b.glb"])
    again = meshpack.ensure_pack(folder, ["a.glb", "b.glb"])
    assert again.name == first.name
    (folder / "b.glb").write_bytes(b"changed mesh")
    changed = meshpack.ensure_pack(folder, ["a.glb", "b.glb"])
    assert changed.name != first.name
    assert sorted(p.name for p in folder.glob("*" + meshpack.SUFFIX)) == [changed.name]
    assert [p.name for p in folder.glob(".pack-*")] == []      # no temporary file left behind
    mode = stat.S_IMODE((folder / changed.name).stat().st_mode)
    assert mode & 0o044 == 0o044                                # readable like the meshes


def test_no_pack_when_a_mesh_is_missing_or_there_are_none(tmp_path, caplog):
    folder = _meshes(tmp_path / "meshes", {"a.glb": 10})
    assert meshpack.ensure_pack(folder, ["a.glb", "missing.glb"]) is None
    assert "could not be read" in caplog.text
    assert meshpack.ensure_pack(folder, []) is None
    assert list(folder.glob("*" + meshpack.SUFFIX)) == []


def test_no_pack_when_the_folder_cannot_be_written(tmp_path, monkeypatch, caplog):
    """A read-only meshes folder (simulated: CI runs as root, who may write anywhere)."""
    folder = _meshes(tmp_path / "meshes", {"a.glb": 10})

    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(meshpack.tempfile, "mkstemp", refuse)
    assert meshpack.ensure_pack(folder, ["a.glb"]) is None
    assert "not writable" in caplog.text


def test_app_data_points_each_structure_at_its_slice(synthetic_assets, synthetic_data):
    assets, data = synthetic_assets, synthetic_data
    assert data.mesh_pack.startswith("/meshes/" + meshpack.PREFIX)
    blob = (assets / "meshes" / data.mesh_pack.rsplit("/", 1)[1]).read_bytes()
    assert data.view_structures
    for record in data.view_structures:
        offset, length = record["pack"]
        own = (assets / "meshes" / record["url"].rsplit("/", 1)[1]).read_bytes()
        assert blob[offset:offset + length] == own
        assert blob[offset:offset + 4] == b"glTF"                 # a GLB starts with its magic


class _Request:
    headers = {"Accept-Encoding": "gzip"}


@pytest.mark.parametrize("ctype, level", [(GLB_TYPE, RadixGZip.MESH_LEVEL), (PACK_TYPE, RadixGZip.MESH_LEVEL),
                                          ("application/javascript", 6)])
def test_meshes_are_gzipped_fast_and_text_as_before(ctype, level):
    from tornado.httputil import HTTPHeaders

    body = bytes(range(256)) * 64
    transform = RadixGZip(_Request())
    headers = HTTPHeaders({"Content-Type": ctype, "Content-Length": str(len(body))})
    status, headers, out = transform.transform_first_chunk(200, headers, body, True)
    assert headers["Content-Encoding"] == "gzip"
    assert transform.GZIP_LEVEL == level
    assert gzip.decompress(out) == body


def test_websocket_nodelay_is_set_when_a_connection_opens(monkeypatch):
    from bokeh.server.views.ws import WSHandler

    calls = []
    monkeypatch.setattr(WSHandler, "open", lambda self: calls.append("opened") or "result")
    monkeypatch.setattr(WSHandler, "_radix_nodelay", False, raising=False)

    class Handler:
        def set_nodelay(self, value):
            calls.append(("nodelay", value))

    enable_websocket_nodelay()
    enable_websocket_nodelay()                     # once only: not wrapped twice
    assert WSHandler.open(Handler()) == "result"
    assert calls == [("nodelay", True), "opened"]


def test_html_pages_ask_the_browser_to_preload_the_newest_pack(tmp_path):
    import time

    from tornado.httputil import HTTPHeaders

    from viewer.app.serve import meshes_dir_of, pack_preload

    folder = _meshes(tmp_path / "meshes", {"a.glb": 10})
    transform = pack_preload(folder)(_Request())

    def link(ctype, status=200):
        headers = HTTPHeaders({"Content-Type": ctype})
        return transform.transform_first_chunk(status, headers, b"x", True)[1].get_list("Link")

    assert link("text/html; charset=UTF-8") == []                       # no pack yet: no header
    old = meshpack.ensure_pack(folder, ["a.glb"])
    time.sleep(0.01)
    (folder / "a.glb").write_bytes(b"newer mesh")
    new = meshpack.ensure_pack(folder, ["a.glb"])
    assert not (folder / old.name).exists()
    assert link("text/html; charset=UTF-8") == [f"</meshes/{new.name}>; rel=preload; as=fetch; crossorigin"]
    assert link("application/javascript") == [] and link("text/html", status=404) == []
    assert meshes_dir_of(["static=x", "meshes=/srv/radix/meshes"]) == Path("/srv/radix/meshes")
    assert meshes_dir_of(["static=x"]) is None and meshes_dir_of(None) is None
