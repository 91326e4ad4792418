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
Every URL is relative (the script's to the page, :func:`page_url`; the first view's and the body
file's to the script), so the app works served under a sub-path (``panel serve --prefix``).
The page (``page.html``) puts the script first in ``<head>``, async, with a preload of the body file.
Without the body file, the bundle or a writable folder nothing is published and the page has no
early script: the component loads the view as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qs

from .meshpack import FOLDER, ROUTE

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "dist" / "early.bundle.js"
SCRIPT_NAME = "early.js"
CONFIG_NAME = "first-view.json"   # early.js reads it beside itself (FOLDER)
#: The component's parameters the early view needs for the first frame (the rest reach it when
#: the component adopts it).
PARAMS = ("structures", "mesh_pack", "mesh_pack_bytes", "structure_styles", "presets", "camera_request",
          "compression")


def beside_script(url: str) -> str:
    """A URL of the meshes route (``/meshes/...``) relative to the early script's folder
    (``/meshes/packed/``), where ``early.js`` resolves it; any other URL unchanged.

    Examples
    --------
    >>> beside_script("/meshes/packed/body-0123.glb"), beside_script("/meshes/9000.glb")
    ('body-0123.glb', '../9000.glb')
    """
    if url.startswith(f"{ROUTE}/{FOLDER}/"):
        return url[len(f"{ROUTE}/{FOLDER}/"):]
    if url.startswith(f"{ROUTE}/"):
        return "../" + url[len(f"{ROUTE}/"):]
    return url


def first_view(view) -> dict:
    """What ``early.js`` reads: ``view``'s (a :class:`viewer.app.view3d.BodyView`) first-frame
    parameters and the view's CSS; the body file's and the meshes' URLs relative to the script
    (:func:`beside_script`)."""
    from .view3d import _CSS

    params = {name: getattr(view, name) for name in PARAMS}
    params["mesh_pack"] = beside_script(params["mesh_pack"])
    params["structures"] = [{**s, "url": beside_script(s["url"])} if isinstance(s.get("url"), str) else s
                            for s in params["structures"]]
    return {**params, "css": _CSS}


def body_url(view) -> str:
    """The body file's URL relative to the page (for its preload), as :func:`publish` gives the
    script's."""
    return view.mesh_pack.lstrip("/") if view.mesh_pack.startswith(f"{ROUTE}/") else view.mesh_pack


def page_url(url: str) -> str:
    """``url`` (relative to the server's root, as :func:`publish` gives it) as the page of this
    session reaches it: Panel's relative path to the root prepended where the app is not at the
    root (as Panel does for its own ``js_modules``)."""
    import panel as pn

    rel = pn.state.rel_path
    return f"{rel}/{url}" if rel and "//" not in url else url


def _write(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)    # readable like the meshes (e.g. by nginx), not mkstemp's 0600
    os.replace(tmp, path)


#: What this process has published: {folder: ((bundle mtime, body file URL), script URL without hooks)}.
_PUBLISHED: dict[Path, tuple[tuple[int, str], str]] = {}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def publish(meshes_dir: Path, view, write: bool = True) -> str | None:
    """Write the early script and ``view``'s first view into ``meshes_dir/packed`` (once per
    process and body file); the script's URL (relative to the server's root, no leading ``/``:
    :func:`page_url`), or None (nothing written) when there is no body file
    or bundle, or the folder is read-only. ``write=False`` (a session opened by a link, whose view
    is not the default one): only the URL, when a first view for this body is already written.

    The URL carries the bundle's and the first view's digests (``v``, ``c``): a browser never
    reads either from an old cache, and the first view's URL (:func:`config_url`) can be preloaded."""
    if not view.mesh_pack or not BUNDLE.is_file():
        return None
    folder = Path(meshes_dir) / FOLDER
    stamp = (BUNDLE.stat().st_mtime_ns, view.mesh_pack)
    published = _PUBLISHED.get(folder)
    if published is None or published[0] != stamp:
        if not write:
            return None
        try:
            config = json.dumps(first_view(view), separators=(",", ":")).encode("utf-8")
            _write(folder / CONFIG_NAME, config)
            bundle = BUNDLE.read_bytes()
            script = folder / SCRIPT_NAME
            if not script.is_file() or script.read_bytes() != bundle:
                _write(script, bundle)
        except OSError as err:
            log.warning("The early script could not be written to %s (%s): the view starts with Panel",
                        folder, err)
            return None
        published = _PUBLISHED[folder] = (
            stamp, f"{ROUTE.lstrip('/')}/{FOLDER}/{SCRIPT_NAME}?v={_digest(bundle)}&c={_digest(config)}")
    # The test hooks travel in the script's URL, not in the shared first view: servers on one
    # assets folder may differ there.
    return published[1] + ("&hooks=1" if view.test_hooks else "")


def config_url(script_url: str) -> str:
    """The first view's URL beside the early script of ``script_url`` (:func:`publish`), with its
    digest, as ``early.js`` fetches it.

    Examples
    --------
    >>> config_url("meshes/packed/early.js?v=0123&c=4567&hooks=1")
    'meshes/packed/first-view.json?v=4567'
    """
    path, _, query = script_url.partition("?")
    digest = parse_qs(query).get("c")
    return f"{path.rsplit('/', 1)[0]}/{CONFIG_NAME}" + (f"?v={digest[0]}" if digest else "")
