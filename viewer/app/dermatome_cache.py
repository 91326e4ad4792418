"""The skin coloured by dermatome, computed once per body and kept beside the mesh pack.

Which dermatomes hold each skin vertex (:func:`viewer.body_regions.skin_dermatome_masks`) takes
about four seconds for the built body, so it is not done per click, nor per session: the server
computes it once, writes it to ``assets/meshes/dermatomes-<hash>.bin`` (the hash covers the skin
mesh, the dermatome records and :data:`VERSION`; the file is not committed, like the pack) and
every session reads it. The browser receives it once (``BodyView.skin_dermatomes``) and colours
the skin of the selected root's territory from it (``view/overlays.js``).

Nothing here raises into the page: a body without a skin, or without the landmarks the skin map
needs, has no dermatome layer (``None``), and a folder that cannot be written keeps the masks in
memory only.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from viewer.knowledge import ROOTS

log = logging.getLogger(__name__)

#: Bump when the way the masks are computed changes, so old cache files are not reused.
VERSION = "1"
PREFIX, SUFFIX = "dermatomes-", ".bin"


def _key(skin_file: Path, dermatome_file: Path) -> str:
    h = hashlib.sha256(VERSION.encode())
    for path in (skin_file, dermatome_file):
        h.update(path.read_bytes() if path.is_file() else b"")
    return h.hexdigest()[:16]


def dermatome_masks(body) -> np.ndarray | None:
    """The per-vertex dermatome masks of ``body``'s skin (uint32, bit ``i`` for ``ROOTS[i]``),
    from the cache file when it matches, else computed and written there; ``None`` when the
    body has no skin or its skin cannot be mapped."""
    atlas = body.atlas
    skin = atlas.get("skin")
    if skin is None or skin.mesh is None:
        return None
    meshes = body.assets_dir / "meshes"
    try:
        key = _key(atlas.mesh_path("skin"), body.assets_dir / "knowledge" / "dermatomes.json")
    except OSError as err:
        log.warning("Radix: no dermatome layer (%s)", err)
        return None
    target = meshes / f"{PREFIX}{key}{SUFFIX}"
    if target.is_file():
        masks = np.fromfile(target, dtype="<u4")
        if len(masks) == len(atlas.mesh("skin").vertices):
            return masks
    return _compute_and_keep(body, target)


def _compute_and_keep(body, target: Path) -> np.ndarray | None:
    from viewer.body_regions import skin_dermatome_masks, skin_map

    try:
        masks = skin_dermatome_masks(body.knowledge, skin_map(body.atlas, muscles=False))
    except (KeyError, ValueError) as err:   # a body without the landmarks the map needs
        log.warning("Radix: no dermatome layer (%s)", err)
        return None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".derm-", dir=target.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(masks.astype("<u4").tobytes())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        for old in target.parent.glob(f"{PREFIX}*{SUFFIX}"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError as err:
        log.warning("Radix: dermatome layer kept in memory only (%s)", err)
    return masks


@lru_cache(maxsize=4)
def skin_dermatomes(body) -> dict:
    """What the browser view receives once (``BodyView.skin_dermatomes``): ``{id, count, roots,
    masks}`` with ``masks`` the little-endian uint32 masks in base64, or ``{}`` without a layer."""
    masks = dermatome_masks(body)
    if masks is None:
        return {}
    return {"id": body.atlas["skin"].id, "count": int(len(masks)), "roots": list(ROOTS),
            "masks": base64.b64encode(masks.astype("<u4").tobytes()).decode("ascii")}
