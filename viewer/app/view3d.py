"""The 3D view: a Panel ``JSComponent`` running three.js (ES modules in ``viewer/app/view/``).

Design (measured, see ``docs/ARCHITECTURE.md``): every structure's mesh is a static GLB file that
the browser loads once (``panel serve --static-dirs meshes=assets/meshes``); picking is a raycast
in the browser; Python sends only small messages: styles by id, point markers, paths and camera
requests, and receives what was picked.

three.js comes from the npm registry and is bundled locally by ``python -m viewer.app.setup``
(``npm ci`` + ``panel compile``) into ``viewer/app/dist/view3d.bundle.js``; the bundle is not
committed. :func:`bundle_missing_message` says what to run when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import panel as pn
import param
from panel.custom import JSComponent

from viewer.scene import BROWSER_PRESETS, POINT_COLOUR, STORY_COLOURS

HERE = Path(__file__).resolve().parent
VIEW_DIR = HERE / "view"   # the browser side: view3d.js (the entry) and one module per job
#: Set to 1 in the server's environment to give each page ``window.radixView`` (view/testhooks.js).
TEST_HOOKS_ENV = "RADIX_TEST_HOOKS"
BUNDLE = HERE / "dist" / "view3d.bundle.js"
THREE_VERSION = "0.187.0"  # keep in step with package.json
SETUP_COMMAND = "python -m viewer.app.setup"

_CSS = """
:host { display: block; }
.radix-view {
  position: relative; width: 100%; height: 100%; min-height: 420px; overflow: hidden;
  border-radius: 10px;
  background: radial-gradient(ellipse at 50% 38%, #fbfcfd 0%, #eef1f5 55%, #dde3ea 100%);
}
.radix-canvas { display: block; position: absolute; inset: 0; touch-action: none; outline: none; }
.radix-labels { position: absolute; inset: 0; pointer-events: none; }
.radix-label {
  font: 600 11px/1.2 "Inter", "Segoe UI", system-ui, sans-serif; color: #16324f;
  background: rgba(255, 255, 255, 0.92); border: 1px solid rgba(22, 50, 79, 0.18);
  padding: 2px 6px; border-radius: 6px; transform: translateY(-14px); white-space: nowrap;
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.12);
}
.radix-label-structure {
  background: rgba(15, 23, 42, 0.8); color: #fff; border-color: transparent; transform: none;
  font-weight: 600;
}
.radix-label-selected { background: __POINT_COLOUR__; color: #fff; border-color: #1e40af; font-size: 12px;
  z-index: 100000 !important; }
.radix-nolabels .radix-label { display: none !important; }
.radix-label-covered { visibility: hidden; }
.radix-toolbar {
  position: absolute; top: 12px; right: 12px; display: flex; gap: 4px; padding: 4px;
  background: rgba(255, 255, 255, 0.86); border-radius: 9px;
  box-shadow: 0 1px 4px rgba(15, 23, 42, 0.15); backdrop-filter: blur(4px);
}
.radix-btn {
  font: 500 12px/1 "Inter", "Segoe UI", system-ui, sans-serif; color: #1e293b;
  background: transparent; border: 0; border-radius: 6px; padding: 7px 10px; cursor: pointer;
}
.radix-btn:hover { background: #e2e8f0; }
.radix-btn:focus-visible { outline: 2px solid #0f766e; outline-offset: 1px; }
.radix-btn-accent { color: #fff; background: #0f766e; }
.radix-btn-accent:hover { background: #115e59; }
.radix-status {
  position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%);
  font: 500 14px/1.4 "Inter", "Segoe UI", system-ui, sans-serif; color: #475569;
  background: rgba(255, 255, 255, 0.9); padding: 10px 16px; border-radius: 8px;
}
.radix-story-caption {
  position: absolute; left: 12px; bottom: 12px; max-width: min(430px, 70%); padding: 10px 14px;
  background: rgba(255, 255, 255, 0.94); border-left: 4px solid __STORY_ROOT__; border-radius: 8px;
  box-shadow: 0 2px 8px rgba(15, 23, 42, 0.18); color: #1e293b; pointer-events: none;
  font: 400 13px/1.45 "Inter", "Segoe UI", system-ui, sans-serif;
}
.radix-story-caption[hidden] { display: none; }
.radix-story-step { font-size: 11px; font-weight: 600; color: #64748b; letter-spacing: .04em; }
.radix-story-title { font-weight: 700; font-size: 14px; margin: 1px 0 3px; color: #7c2d12; }
.radix-pressname {
  position: absolute; transform: translateX(-50%); padding: 8px 12px; border-radius: 10px; max-width: 80%;
  background: rgba(15, 23, 42, 0.9); color: #fff; pointer-events: none; text-align: center;
  font: 600 15px/1.3 "Inter", "Segoe UI", system-ui, sans-serif; box-shadow: 0 2px 10px rgba(0, 0, 0, 0.3);
}
.radix-pressname[hidden] { display: none; }
.radix-status-warn {
  top: auto; bottom: 14px; transform: translateX(-50%); color: #92400e; background: #fef3c7;
}
"""
_CSS = _CSS.replace("__POINT_COLOUR__", POINT_COLOUR).replace("__STORY_ROOT__", STORY_COLOURS["root"])


def bundle_ready() -> bool:
    """Whether the locally built three.js bundle exists."""
    return BUNDLE.is_file() and BUNDLE.stat().st_size > 0


def bundle_missing_message() -> str:
    """Plain text telling the user how to build the 3D view's bundle."""
    return (f"The 3D view has not been built on this machine: {BUNDLE.relative_to(HERE.parents[1])} "
            f"is missing. Run `{SETUP_COMMAND}` once (it needs node and npm: it installs three.js "
            f"from the npm registry and bundles it), then reload this page.")


class BodyView(JSComponent):
    """three.js view of the atlas.

    Parameters
    ----------
    structures : list of dict
        ``{id, acronym, name, kind, url, color, node?}`` per structure with a mesh; loaded once.
    mesh_pack : str
        URL of the whole body as one GLB (:mod:`viewer.app.meshpack`: ``EXT_meshopt_compression``,
        decoded by three.js's ``MeshoptDecoder``), fetched once; each structure is its ``node``
        there. Empty, or a failed fetch: the ``url`` of each structure is loaded instead.
    mesh_pack_bytes : int
        The size of ``mesh_pack`` (the loading line counts the bytes up to it).
    structure_styles : dict
        ``{"kinds": {kind: {visible, opacity, color?}}, "ids": {id: {color, opacity, visible,
        emissive, highlight}}, "seq": pick seq answered or None}``; per-id entries override
        the kind. Applied without reloading meshes. (``styles`` is taken by Panel for CSS.)
    markers : list of dict
        ``{code, position: [x, y, z] mm, color, label, radius?}``: acupuncture points.
    path_library : dict
        ``{id: {id, points: [[x, y, z], ...] mm, color, width?}}``: every meridian polyline,
        sent once per session (like the meshes, geometry never travels again).
    paths : list of str
        Ids of ``path_library`` to draw now: a selection sends only these.
    skin_dermatomes : dict
        ``{id, count, roots, masks}``: which dermatomes hold each vertex of the skin (structure
        ``id``, ``count`` vertices), as base64 little-endian uint32 bit masks (bit ``i`` for
        ``roots[i]``); sent once per session (:mod:`viewer.app.dermatome_cache`); ``{}``: no
        dermatome layer.
    dermatomes : list of dict
        ``{root, sides, color}`` (:func:`viewer.scene.dermatome_specs`): the roots whose skin
        territory the view colours now, on those sides (+X left); the opacity is the
        ``dermatomes`` layer's in ``structure_styles``.
    techniques : list of dict
        The technique zones drawn now (:attr:`viewer.scene.SceneSpec.techniques`): ``{id, kind,
        side, color, label, patch: {vertices, faces} | None, strokes: [{points, arrow}], cups:
        [{position, normal, radius}], spots: [{code, position, normal, radius}]}`` in mm, drawn
        by ``view/techniques.js``; the patch's opacity is the ``techniques`` layer's.
    mark_kind : str
        ``"pain"`` or ``"tingling"`` while the user marks symptoms: a click then lands on the skin
        and reports ``{kind: "skin", position: [x, y, z] mm, seq}``; ``""`` otherwise.
    picked : dict or None
        Written by the browser on a click (not a drag): ``{kind: "structure", id, acronym,
        seq}``, ``{kind: "marker", code, seq}`` or (marking) ``{kind: "skin", position, seq}``;
        ``seq`` is new on every click, so clicking the same thing again still fires.
    camera_request : dict
        ``{view: posterior|anterior|left|right|oblique|None, focus: bool, seq: int}``; with
        ``focus`` the highlighted structures are framed from ``view`` (or the current direction).
    view : str
        The last camera preset chosen in the view's toolbar (written by the browser).
    ready : bool
        Set by the browser once every mesh is loaded and the first frame drawn.
    compression : dict
        The story of a compressed root (:func:`viewer.scene.story.view_message`): ``{key, disc,
        upper, lower, axis, above, roots: [{id, at}], muscles, amount, opening, play, captions,
        colours}`` or ``{}``. The browser flattens the disc by ``amount`` (0..1), pinches the roots
        and tints and shortens the muscles, and a new ``play`` number plays narrow -> hold ->
        recover once; only ids and numbers travel.
    presets : dict
        Camera presets and default colours (:data:`viewer.scene.style.BROWSER_PRESETS`), sent
        once: the browser defines none of its own.
    test_hooks : bool
        Give the page ``window.radixView`` (``view/testhooks.js``: picks without a pointer,
        styles and story as drawn, click timings) for the browser tests and benchmarks; set from
        ``$RADIX_TEST_HOOKS`` (``1``) by default.
    """

    structures = param.List(default=[], item_type=dict)
    mesh_pack = param.String(default="")
    mesh_pack_bytes = param.Integer(default=0)
    structure_styles = param.Dict(default={})
    markers = param.List(default=[], item_type=dict)
    path_library = param.Dict(default={})
    paths = param.List(default=[], item_type=str)
    skin_dermatomes = param.Dict(default={})
    dermatomes = param.List(default=[], item_type=dict)
    techniques = param.List(default=[], item_type=dict)
    mark_kind = param.String(default="")
    picked = param.Dict(default=None, allow_None=True)
    camera_request = param.Dict(default={})
    view = param.String(default="posterior")
    ready = param.Boolean(default=False)
    compression = param.Dict(default={})
    presets = param.Dict(default=BROWSER_PRESETS, constant=True)
    test_hooks = param.Boolean(default=False, constant=True)

    _esm = VIEW_DIR / "view3d.js"
    # The entry's sibling modules: ``panel compile`` writes them beside it, so ``./camera.js``
    # resolves there as it does in viewer/app/view/.
    _esm_shared = {p.stem: p for p in sorted(VIEW_DIR.glob("*.js")) if p.name != "view3d.js"}
    _bundle = BUNDLE
    _importmap = {
        "imports": {
            "three": f"https://cdn.jsdelivr.net/npm/three@{THREE_VERSION}/build/three.module.js",
            "three/addons/": f"https://cdn.jsdelivr.net/npm/three@{THREE_VERSION}/examples/jsm/",
        }
    }
    _stylesheets = [_CSS]

    # Panel waits 50 ms (``_debounce``) before handling a change from the browser, to merge
    # bursts such as typing. The view's changes are discrete (a pick, the camera preset), and
    # click -> highlight is the latency that matters, so the view waits 3 ms. Not 0 (Panel's
    # ``_priority_changes``): Bokeh answers each browser message with an "OK" written frame by
    # frame, and Panel holds back any message made while that write is under way, retrying every
    # 10 ms; handled on the very next tick, a pick's highlight waited 10-20 ms for the OK.
    _debounce = 3
    # Nor does a pick (a few ms of work) flash the page's busy indicator: that costs two more
    # messages ahead of the highlight's.
    _busy__ignore = ["picked", "data.picked", "view", "data.view", "ready", "data.ready"]

    def __init__(self, **params):
        params.setdefault("sizing_mode", "stretch_both")
        params.setdefault("min_height", 420)
        params.setdefault("test_hooks", os.environ.get(TEST_HOOKS_ENV) == "1")
        super().__init__(**params)
        self._camera_seq = 0

    def show_view(self, view: str) -> None:
        """Move the camera to a preset (``posterior``, ``anterior``, ``left``, ``right``,
        ``oblique``)."""
        self._camera_seq += 1
        self.camera_request = {"view": view, "focus": False, "seq": self._camera_seq}

    def focus_selection(self, view: str | None = None) -> None:
        """Frame the bounding box of the highlighted structures and markers, seen from the
        preset ``view`` (or from where the camera is)."""
        self._camera_seq += 1
        self.camera_request = {"view": view, "focus": True, "seq": self._camera_seq}


def missing_bundle_pane() -> pn.pane.Alert:
    """The message shown instead of the 3D view when the bundle has not been built."""
    return pn.pane.Alert(bundle_missing_message(), alert_type="warning", sizing_mode="stretch_width")
