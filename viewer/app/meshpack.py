"""One file holding every mesh of the body, so the browser loads the body in one request.

The atlas keeps one GLB per structure (``assets/meshes/<file>.glb``, the format the build writes
and the tests read). Loading 345 of them is 345 requests; over HTTP/1.1 (six at a time) that
took about 1.2 s of the first load on the benchmark machine, more than the bytes themselves. A
*mesh pack* is those GLB files back to back, byte for byte, in one file beside them::

    assets/meshes/body-<first 16 hex digits of its SHA-256>.radixpack

and each structure's record in the view says where its GLB starts and how long it is
(``pack: [offset, length]``); the browser fetches the pack once and parses each slice as the
GLB it is. The name changes with the content, so a browser's cached copy is never stale; packs
of older meshes in the folder are removed. Nothing here is committed: the server writes the
pack the first time it loads the assets (about 0.1 s for the whole body), and where it cannot
write (a read-only folder) the view loads the GLB files one by one, as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

#: Where the server serves the meshes folder (``panel serve --static-dirs meshes=...``).
ROUTE = "/meshes"
SUFFIX = ".radixpack"
PREFIX = "body-"
#: The media type the server sends a pack with (compressed by ``viewer.app.serve``).
MEDIA_TYPE = "application/vnd.radix.meshpack"


@dataclass(frozen=True)
class MeshPack:
    """A written pack: its file name (in the meshes folder) and ``{mesh file: (offset, length)}``."""

    name: str
    slices: dict[str, tuple[int, int]]
    size: int

    @property
    def url(self) -> str:
        return f"{ROUTE}/{self.name}"


def pack_bytes(meshes_dir: Path, files: Iterable[str]) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """The files of ``meshes_dir`` back to back (each once, in the order given) and where each is."""
    parts: list[bytes] = []
    slices: dict[str, tuple[int, int]] = {}
    offset = 0
    for name in files:
        if name in slices:
            continue
        data = (meshes_dir / name).read_bytes()
        slices[name] = (offset, len(data))
        parts.append(data)
        offset += len(data)
    return b"".join(parts), slices


def ensure_pack(meshes_dir: Path, files: Iterable[str]) -> MeshPack | None:
    """Write (or reuse) the pack of ``files`` in ``meshes_dir``; ``None`` where it cannot be
    written or a mesh cannot be read (the view then loads the files one by one)."""
    meshes_dir = Path(meshes_dir)
    try:
        blob, slices = pack_bytes(meshes_dir, files)
    except OSError as err:
        log.warning("Radix: no mesh pack (a mesh could not be read: %s); meshes load one by one", err)
        return None
    if not slices:
        return None
    name = f"{PREFIX}{hashlib.sha256(blob).hexdigest()[:16]}{SUFFIX}"
    target = meshes_dir / name
    try:
        if not (target.is_file() and target.stat().st_size == len(blob)):
            fd, tmp = tempfile.mkstemp(prefix=".pack-", dir=meshes_dir)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(blob)
                os.chmod(tmp, 0o644)      # readable like the meshes (e.g. by nginx)
                os.replace(tmp, target)   # atomic: a browser never sees half a pack
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        for old in meshes_dir.glob(f"{PREFIX}*{SUFFIX}"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError as err:
        log.warning("Radix: no mesh pack (%s is not writable: %s); meshes load one by one", meshes_dir, err)
        return None
    return MeshPack(name=name, slices=slices, size=len(blob))
