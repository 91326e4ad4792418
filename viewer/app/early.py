"""The page's early script: the 3D view starts loading and drawing the body before Panel boots.

Panel creates the view's component only after Bokeh's and Panel's JavaScript and the session's
document have arrived (most of the time to the first frame on a slow machine). ``early.js``,
bundled apart by ``python -m viewer.app.setup`` into ``dist/early.bundle.js``, runs from the
page's ``<head>``: it reads the first view (:func:`first_view`: the structures, the body file, the
default styles and presets, the view's CSS), mounts the same view (``view/mount.js``) and draws
the body; the component adopts it when it renders (``view/view3d.js``).

Both files are served from the meshes folder (``--static-dirs meshes=...``), beside the body file
they belong to (:func:`publish`): ``packed/early.js`` and ``packed/first-view.json``, so the
Content-Security-Policy's ``'self'`` covers the script and no inline code is added to the page.
Without the body file, the bundle or a writable folder nothing is published and the page has no
early script: the component loads the view as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from .meshpack import FOLDER, ROUTE

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "dist" / "early.bundle.js"
SCRIPT_NAME = "early.js"
CONFIG_NAME = "first-view.json"   # early.js reads it from ROUTE/FOLDER/CONFIG_NAME
#: The component's parameters the early view needs for the first frame (the rest reach it when
#: the component adopts it).
PARAMS = ("structures", "mesh_pack", "mesh_pack_bytes", "structure_styles", "presets", "camera_request",
          "compression")


def first_view(view) -> dict:
    """What ``early.js`` reads: ``view``'s (a :class:`viewer.app.view3d.BodyView`) first-frame
    parameters and the view's CSS."""
    from .view3d import _CSS

    return {**{name: getattr(view, name) for name in PARAMS}, "css": _CSS}


def _write(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


#: What this process has published: {folder: (bundle mtime, body file URL)}.
_PUBLISHED: dict[Path, tuple[int, str]] = {}


def publish(meshes_dir: Path, view, write: bool = True) -> str | None:
    """Write the early script and ``view``'s first view into ``meshes_dir/packed`` (once per
    process and body file); the script's URL, or None (nothing written) when there is no body file
    or bundle, or the folder is read-only. ``write=False`` (a session opened by a link, whose view
    is not the default one): only the URL, when a first view for this body is already written."""
    if not view.mesh_pack or not BUNDLE.is_file():
        return None
    folder = Path(meshes_dir) / FOLDER
    stamp = (BUNDLE.stat().st_mtime_ns, view.mesh_pack)
    if _PUBLISHED.get(folder) != stamp:
        if not write:
            return None
        try:
            _write(folder / CONFIG_NAME, json.dumps(first_view(view), separators=(",", ":")).encode("utf-8"))
            script = folder / SCRIPT_NAME
            if not script.is_file() or script.read_bytes() != BUNDLE.read_bytes():
                shutil.copyfile(BUNDLE, folder / ".tmp-early")
                os.replace(folder / ".tmp-early", script)
        except OSError as err:
            log.warning("The early script could not be written to %s (%s): the view starts with Panel",
                        folder, err)
            return None
        _PUBLISHED[folder] = stamp
    version = hashlib.sha256(BUNDLE.read_bytes()).hexdigest()[:12]   # a new bundle is never read from cache
    # The test hooks travel in the script's URL, not in the shared first view: servers on one
    # assets folder may differ there.
    hooks = "&hooks=1" if view.test_hooks else ""
    return f"{ROUTE}/{FOLDER}/{SCRIPT_NAME}?v={version}{hooks}"
