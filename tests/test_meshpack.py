"""The body file (viewer/app/meshpack.py): every structure's mesh as one node of one GLB,
compressed with EXT_meshopt_compression; what the usual glTF tools see in it (Khronos's validator,
glTF-Transform with meshoptimizer's decoder: tests/glb_inspect.mjs); named by its content,
written once, replaced when a mesh changes, and never required (no file where it cannot be made)."""

from __future__ import annotations

import gzip
import json
import shutil
import stat
import subprocess
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.app import meshpack
from viewer.app.serve import GLB_TYPE, RadixGZip, enable_websocket_nodelay

INSPECT = Path(__file__).resolve().parent / "glb_inspect.mjs"
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (meshpack.REPO / "node_modules" / "gltf-validator").is_dir(),
    reason="node and the npm packages (python -m viewer.app.setup)")


def _meshes(folder: Path) -> Path:
    """Three meshes: a closed box, a closed sphere wound inward, an open (lidless) box."""
    folder.mkdir(parents=True, exist_ok=True)
    box = trimesh.creation.box(extents=(10, 20, 30))
    box.apply_translation((100, 0, 0))
    inward = trimesh.creation.icosphere(subdivisions=2, radius=8)
    inward.invert()
    lidless = trimesh.creation.box(extents=(5, 5, 5))
    lidless.update_faces(np.arange(len(lidless.faces)) > 1)
    for name, mesh in {"10.glb": box, "11.glb": inward, "12.glb": lidless}.items():
        mesh.export(folder / name)
    return folder


def inspect(path: Path) -> dict:
    out = subprocess.run(["node", str(INSPECT), str(path)], capture_output=True, text=True, check=True,
                         cwd=meshpack.REPO)
    return json.loads(out.stdout)


@needs_node
def test_every_mesh_is_a_node_of_one_standard_meshopt_glb(tmp_path):
    folder = _meshes(tmp_path / "meshes")
    pack = meshpack.ensure_pack(folder, ["12.glb", "10.glb", "11.glb", "10.glb"], keep_order=["12"])
    assert pack is not None and pack.nodes == {"12.glb": "12", "10.glb": "10", "11.glb": "11"}
    path = folder / meshpack.FOLDER / pack.name
    assert pack.url == f"/meshes/packed/{pack.name}" and pack.size == path.stat().st_size
    assert pack.name.startswith(meshpack.PREFIX) and pack.name.endswith(".glb")
    seen = inspect(path)
    assert seen["validator"]["errors"] == 0 and seen["validator"]["warnings"] == 0, seen["validator"]
    assert set(seen["extensionsRequired"]) == {"EXT_meshopt_compression", "KHR_mesh_quantization"}
    nodes = {n["name"]: n for n in seen["nodes"]}
    assert sorted(nodes) == ["10", "11", "12"]
    # Closed and wound outward: front faces only; inward or open: both sides.
    assert {name: n["extras"]["closed"] for name, n in nodes.items()} == {"10": True, "11": False, "12": False}
    # 14-bit positions over the body's bounds: within a step of the original.
    every = np.vstack([trimesh.load(p, force="mesh").vertices for p in folder.glob("*.glb")])
    step = np.ptp(every, axis=0).max() / (2**14 - 1)
    for name in nodes:
        own = trimesh.load(folder / f"{name}.glb", force="mesh", process=False)
        got = np.array(nodes[name]["positions"])
        assert nodes[name]["triangles"] == len(own.faces) and len(got) == len(own.vertices)
        if name == "12":      # kept in its own vertex order (per-vertex data is sent for it)
            assert np.abs(got - own.vertices).max() <= step
        else:                 # reordered: the same points
            assert np.abs(np.sort(got, axis=0) - np.sort(own.vertices, axis=0)).max() <= step


@needs_node
def test_the_file_is_named_by_its_content_and_old_ones_go(tmp_path):
    folder = _meshes(tmp_path / "meshes")
    first = meshpack.ensure_pack(folder, ["10.glb", "11.glb"])
    written = (folder / meshpack.FOLDER / first.name).stat().st_mtime_ns
    again = meshpack.ensure_pack(folder, ["10.glb", "11.glb"])
    assert again.name == first.name                                             # reused, not rewritten
    assert (folder / meshpack.FOLDER / first.name).stat().st_mtime_ns == written
    trimesh.creation.box(extents=(1, 2, 3)).export(folder / "11.glb")
    changed = meshpack.ensure_pack(folder, ["10.glb", "11.glb"])
    assert changed.name != first.name
    assert sorted(p.name for p in (folder / meshpack.FOLDER).iterdir()) == [changed.name]  # nothing else left
    mode = stat.S_IMODE((folder / meshpack.FOLDER / changed.name).stat().st_mode)
    assert mode & 0o044 == 0o044                                                # readable like the meshes
    assert sorted(p.name for p in folder.glob("*.glb")) == ["10.glb", "11.glb", "12.glb"]   # the atlas's list


def test_no_file_when_a_mesh_is_missing_or_there_are_none(tmp_path, caplog):
    folder = _meshes(tmp_path / "meshes")
    assert meshpack.ensure_pack(folder, ["10.glb", "missing.glb"]) is None
    assert "missing.glb" in caplog.text and "one by one" in caplog.text
    assert meshpack.ensure_pack(folder, []) is None
    assert list((folder / meshpack.FOLDER).glob("*")) == [] if (folder / meshpack.FOLDER).exists() else True


def test_no_file_without_node_or_when_the_folder_cannot_be_written(tmp_path, monkeypatch, caplog):
    folder = _meshes(tmp_path / "meshes")
    monkeypatch.setattr(meshpack.shutil, "which", lambda name: None)
    assert meshpack.ensure_pack(folder, ["10.glb"]) is None
    assert "node was not found" in caplog.text
    monkeypatch.undo()

    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(meshpack.tempfile, "TemporaryDirectory", refuse)
    assert meshpack.ensure_pack(folder, ["10.glb"]) is None
    assert "read-only file system" in caplog.text


@needs_node
def test_app_data_names_each_structure_s_node(synthetic_assets, synthetic_data):
    assets, data = synthetic_assets, synthetic_data
    assert data.mesh_pack.startswith("/meshes/packed/" + meshpack.PREFIX)
    path = assets / "meshes" / meshpack.FOLDER / data.mesh_pack.rsplit("/", 1)[1]
    assert data.mesh_pack_bytes == path.stat().st_size
    names = {n["name"] for n in inspect(path)["nodes"]}
    assert data.view_structures
    for record in data.view_structures:
        assert record["node"] == Path(record["url"]).stem and record["node"] in names


class _Request:
    headers = {"Accept-Encoding": "gzip"}
    method = "GET"
    path = "/meshes/packed/body.glb"


@pytest.mark.parametrize("ctype, level", [(GLB_TYPE, RadixGZip.MESH_LEVEL), ("application/javascript", 6)])
def test_meshes_are_gzipped_fast_and_text_as_before(ctype, level):
    from tornado.httputil import HTTPHeaders

    body = bytes(range(256)) * 64
    transform = RadixGZip(_Request())
    headers = HTTPHeaders({"Content-Type": ctype, "Content-Length": str(len(body))})
    status, headers, out = transform.transform_first_chunk(200, headers, body, True)
    assert headers["Content-Encoding"] == "gzip"
    assert transform.GZIP_LEVEL == level
    assert gzip.decompress(out) == body


def test_a_static_file_is_compressed_once_and_answered_from_the_cache_after(monkeypatch):
    from tornado.httputil import HTTPHeaders

    monkeypatch.setattr(RadixGZip, "_cache", type(RadixGZip._cache)())
    body = bytes(range(256)) * 512
    parts = [body[:50_000], body[50_000:100_000], body[100_000:]]
    compressed = []

    def send(ctype="application/javascript", etag='"v1"', method="GET", path="/static/js/a.js", status=200):
        request = type("R", (), {"headers": {"Accept-Encoding": "gzip"}, "method": method, "path": path})()
        transform = RadixGZip(request)
        head = {"Content-Type": ctype, "Content-Length": str(len(body))} | ({"Etag": etag} if etag else {})
        status, headers, out = transform.transform_first_chunk(status, HTTPHeaders(head), parts[0], False)
        out += transform.transform_chunk(parts[1], False) + transform.transform_chunk(parts[2], True)
        assert headers["Content-Encoding"] == "gzip" and "Content-Length" not in headers
        assert gzip.decompress(out) == body
        compressed.append(out)
        return transform

    calls = []
    original = gzip.GzipFile.write
    monkeypatch.setattr(gzip.GzipFile, "write", lambda self, data: calls.append(len(data)) or original(self, data))
    send()
    assert len(calls) == 3
    send()                                      # the same file again: from the cache, not compressed
    assert len(calls) == 3 and compressed[1] == compressed[0]
    send(etag='"v2"')                           # the file changed: compressed again
    send(path="/static/js/b.js")                # another file
    assert len(calls) == 9
    for kind in ({"ctype": "text/html"}, {"etag": None}, {"method": "HEAD"}):   # never kept
        send(**kind)
        send(**kind)
    assert len(calls) == 9 + 6 * 3
    assert len(RadixGZip._cache) == 3


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


@needs_node
def test_html_pages_ask_the_browser_to_preload_the_newest_body_file(tmp_path):
    import time

    from tornado.httputil import HTTPHeaders

    from viewer.app.serve import meshes_dir_of, pack_preload

    folder = _meshes(tmp_path / "meshes")
    transform = pack_preload(folder)(_Request())

    def link(ctype, status=200):
        headers = HTTPHeaders({"Content-Type": ctype})
        return transform.transform_first_chunk(status, headers, b"x", True)[1].get_list("Link")

    assert link("text/html; charset=UTF-8") == []                       # no body file yet: no header
    old = meshpack.ensure_pack(folder, ["10.glb"])
    time.sleep(0.01)
    trimesh.creation.box(extents=(3, 3, 3)).export(folder / "10.glb")
    new = meshpack.ensure_pack(folder, ["10.glb"])
    assert not (folder / meshpack.FOLDER / old.name).exists()
    assert link("text/html; charset=UTF-8") == [f"<meshes/packed/{new.name}>; rel=preload; as=fetch; crossorigin"]
    assert link("application/javascript") == [] and link("text/html", status=404) == []
    assert meshes_dir_of(["static=x", "meshes=/srv/radix/meshes"]) == Path("/srv/radix/meshes")
    assert meshes_dir_of(["static=x"]) is None and meshes_dir_of(None) is None
