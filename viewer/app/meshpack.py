"""The whole body as one standard glTF file, so the browser loads it in one small request.

The atlas keeps one GLB per structure (``assets/meshes/<id>.glb``, the format the build writes
and the tests read). For the browser the server joins them into one GLB, one node per structure
named by the structure's mesh file stem (its id), and compresses it the standard glTF way::

    assets/meshes/packed/body-<first 16 hex digits of a SHA-256 of the meshes>.glb

- positions quantized to 14 bits over the body's bounds (``KHR_mesh_quantization``), each mesh's
  vertices reordered for the GPU and the encoder (the skin keeps its order: the dermatome masks
  of :mod:`viewer.app.dermatome_cache` are per vertex), every buffer compressed with
  ``EXT_meshopt_compression``: by ``viewer/app/body_glb.mjs`` with glTF-Transform and the
  meshoptimizer encoder from ``package-lock.json`` (installed by ``python -m viewer.app.setup``);
  three.js's own ``MeshoptDecoder`` decodes it through ``GLTFLoader``;
- each node's ``extras.closed`` says whether its mesh is closed and wound outward (checked here
  with trimesh): the view draws those front faces only, the others both sides.

About 4.5 times smaller than the GLB files gzip'd. The name changes with the meshes, so a
browser's cached copy is never stale; older bodies in the folder are removed. Nothing here is
committed: the server writes the file the first time it loads the assets (about 10 s for the
whole body, then reused) and where it cannot (node or the npm packages missing, a read-only
folder) the view loads the GLB files one by one, as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

#: Where the server serves the meshes folder (``panel serve --static-dirs meshes=...``).
ROUTE = "/meshes"
#: The joined body lives in this sub-folder of the meshes folder (out of ``meshes/*.glb``,
#: which is the atlas's own list of meshes).
FOLDER = "packed"
PREFIX = "body-"
SUFFIX = ".glb"
#: Bump when the way the body file is made changes, so older files are not reused.
VERSION = "meshopt-1"
REPO = Path(__file__).resolve().parents[2]
ENCODER = Path(__file__).resolve().parent / "body_glb.mjs"


class PackError(RuntimeError):
    """The body file could not be made; the message says why."""


@dataclass(frozen=True)
class MeshPack:
    """A written body file: its name (in ``meshes/packed``) and ``{mesh file: node name}``."""

    name: str
    nodes: dict[str, str]
    size: int

    @property
    def url(self) -> str:
        return f"{ROUTE}/{FOLDER}/{self.name}"


def node_name(mesh_file: str) -> str:
    """The node of ``mesh_file`` in the body file: its stem (``"9000.glb"`` -> ``"9000"``)."""
    return Path(mesh_file).stem


def pack_key(meshes_dir: Path, files: list[str]) -> str:
    """16 hex digits of a SHA-256 over :data:`VERSION`, the encoder script and every mesh."""
    h = hashlib.sha256(VERSION.encode())
    h.update(ENCODER.read_bytes())
    for name in files:
        h.update(name.encode() + b"\0")
        h.update((meshes_dir / name).read_bytes())
    return h.hexdigest()[:16]


def is_closed_outward(mesh) -> bool:
    """Whether a trimesh mesh is closed (every edge shared by two faces, consistently wound)
    with its faces' normals pointing out (positive volume): its back faces are never seen."""
    return bool(mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0)


def joined_glb(meshes_dir: Path, files: list[str]) -> tuple[bytes, dict[str, bool]]:
    """Every mesh of ``files`` as one node of one uncompressed GLB, named by :func:`node_name`
    (vertices and faces in their own GLB's order); and ``{node: closed and wound outward}``."""
    import trimesh

    scene = trimesh.Scene()
    closed = {}
    for name in files:
        mesh = trimesh.load(meshes_dir / name, file_type="glb", force="mesh", process=False)
        node = node_name(name)
        closed[node] = is_closed_outward(mesh)
        scene.add_geometry(mesh, node_name=node, geom_name=node)
    return scene.export(file_type="glb", include_normals=False), closed


def compress(source: Path, target: Path, keep_order_nodes: list[str], closed: dict[str, bool]) -> None:
    """Run ``body_glb.mjs``: ``source`` (a GLB) -> ``target`` (quantized, meshopt-compressed)."""
    node = shutil.which("node")
    if node is None:
        raise PackError("node was not found on PATH")
    if not (REPO / "node_modules" / "@gltf-transform" / "core").is_dir():
        raise PackError("the npm packages are not installed (run `python -m viewer.app.setup`)")
    open_nodes = ",".join(sorted(n for n, ok in closed.items() if not ok))
    cmd = [node, str(ENCODER), str(source), str(target), f"--open={open_nodes}", *keep_order_nodes]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not target.is_file():
        raise PackError(f"{ENCODER.name} failed ({result.returncode}): {result.stderr.strip()[-400:]}")


def ensure_pack(meshes_dir: Path, files: Iterable[str], keep_order: Iterable[str] = ()) -> MeshPack | None:
    """Write (or reuse) the body file of ``files`` in ``meshes_dir/packed``; ``None`` where it
    cannot be made (the view then loads the files one by one). ``keep_order``: mesh file stems
    whose vertex order must stay as in their own GLB."""
    meshes_dir = Path(meshes_dir)
    files = list(dict.fromkeys(files))
    if not files:
        return None
    nodes = {name: node_name(name) for name in files}
    folder = meshes_dir / FOLDER
    try:
        name = f"{PREFIX}{pack_key(meshes_dir, files)}{SUFFIX}"
        target = folder / name
        if not target.is_file():
            folder.mkdir(exist_ok=True)
            _build(meshes_dir, files, target, keep_order)
        for old in folder.glob(f"{PREFIX}*{SUFFIX}"):
            if old.name != name:
                old.unlink(missing_ok=True)
        return MeshPack(name=name, nodes=nodes, size=target.stat().st_size)
    except (OSError, PackError, ValueError, subprocess.TimeoutExpired) as err:
        log.warning("Radix: no body file in %s (%s); meshes load one by one", folder, err)
        return None


def _build(meshes_dir: Path, files: list[str], target: Path, keep_order: Iterable[str]) -> None:
    data, closed = joined_glb(meshes_dir, files)
    keep = [n for n in keep_order if n in closed]
    with tempfile.TemporaryDirectory(prefix=".body-", dir=target.parent) as scratch:
        joined = Path(scratch) / "joined.glb"
        joined.write_bytes(data)
        out = Path(scratch) / "body.glb"
        compress(joined, out, keep, closed)
        os.chmod(out, 0o644)        # readable like the meshes (e.g. by nginx)
        os.replace(out, target)     # atomic: a browser never sees half a file
