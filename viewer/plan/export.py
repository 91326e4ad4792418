"""A treatment plan as a printable handout: PDF (fpdf2) and PNG, rendered off screen with pyvista.

The handout has two audiences:

- ``patient``: plain words: the muscle and the spinal segment explained, each point by name
  and side with the practitioner's note and its cautions in plain words, and the notice.
- ``practitioner``: the same plus codes, location rules, needling depth and angle, cautions with
  their sources, the chain (roots, exits, multifidus) with its reasons and the source list.

Page 1 holds the title, a short explanation and the rendered views (the whole body from behind
and a close-up of the region; a side view for points that face away from the back). The points
follow from page 2. Every page ends with :data:`viewer.app.info.NOTICE`.

Rendering needs no display (pyvista ``off_screen``; VTK uses EGL or OSMesa). The body's meshes
are converted once per process and assets folder (:func:`clear_cache` drops them), so a second
export costs only the rendering.

Examples
--------
>>> from viewer.plan import load                                         # doctest: +SKIP
>>> from viewer.plan.export import export_pdf
>>> export_pdf(load("examples/plan.json"), "handout.pdf", audience="practitioner")  # doctest: +SKIP
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from viewer.app.data import AppData, load_app_data
from viewer.app.info import (
    CAUTION_NAMES,
    CAUTION_PLAIN,
    NO_CAUTION,
    NOTICE,
    POINT_COLOUR,
    needling_text,
    patient_story,
)
from viewer.app.state import ROLE_COLOURS, StructureInfo, compose_scene, role_of

__all__ = [
    "AUDIENCES",
    "ExportError",
    "HandoutPoint",
    "PlanView",
    "clear_cache",
    "export_pdf",
    "export_png",
    "pdf_bytes",
    "app_data",
    "build_pdf",
    "explanation",
    "handout_points",
    "render_views",
    "views_png",
]

AUDIENCES = ("patient", "practitioner")
Progress = Callable[[str], None] | None

#: Colours of the rendered body (the highlight colours are the app's :data:`ROLE_COLOURS`).
BONE_COLOUR = "#e4dac8"
MUSCLE_COLOUR = "#c98d86"
SKIN_COLOUR = "#eadfd3"
BACKGROUND = "#ffffff"
#: Opacity of what is not highlighted: bones are the frame, muscles and skin a faint outline.
FADED = {"muscle": 0.12, "skin": 0.16}

#: A point is drawn in a view when its skin normal faces the camera at least this much (cosine).
FACING = 0.2

SIDE_WORDS = {"left": "left side", "right": "right side", "both": "both sides", "midline": "on the midline"}

#: Legend of the rendered views: (label, colour).
LEGEND = (
    ("Plan point", POINT_COLOUR),
    ("Chosen muscle", ROLE_COLOURS["muscle"]),
    ("Nerve roots", ROLE_COLOURS["nerve_root"]),
    ("Multifidus", ROLE_COLOURS["multifidus"]),
    ("Vertebrae", ROLE_COLOURS["bone"]),
)


class ExportError(RuntimeError):
    """The handout cannot be made (no built body, an unknown audience): says what and how to fix."""


# --------------------------------------------------------------------------------------------
# the plan, as the handout reads it


@dataclass(frozen=True)
class HandoutPoint:
    """One plan item as the handout shows it.

    Attributes
    ----------
    number : int
        1-based number, the same in the list and on the views.
    code, side, note : str
        From the plan item (side: left, right, both, midline).
    point : viewer.knowledge.Point or None
        The point record (None when the knowledge lacks the code).
    sites : tuple of (side, position (3,) mm, normal (3,))
        Where the body has the point placed, per side drawn.
    """

    number: int
    code: str
    side: str
    note: str
    point: object | None
    sites: tuple[tuple[str, tuple[float, float, float], tuple[float, float, float]], ...]


def _as_plan(plan, knowledge):
    """A :class:`viewer.plan.model.Plan` from a Plan or a plan document (mapping)."""
    if isinstance(plan, Mapping):
        from viewer.plan.model import plan_from_dict

        return plan_from_dict(dict(plan), knowledge)
    return plan


def _item_sides(side: str) -> tuple[str, ...]:
    return ("left", "right") if side == "both" else (side,)


def handout_points(plan, app: AppData) -> tuple[HandoutPoint, ...]:
    """The plan's items, numbered, with their records and placed positions."""
    placed = _placements(app.assets_dir)
    out = []
    for i, item in enumerate(plan.items, start=1):
        k = app.knowledge
        record = k.point(item.code) if k.has_point(item.code) else None
        sites = tuple((s, *placed[(item.code, s)]) for s in _item_sides(item.side) if (item.code, s) in placed)
        out.append(HandoutPoint(i, item.code, item.side, item.note or "", record, sites))
    return tuple(out)


@lru_cache(maxsize=4)
def _placements_cached(path: Path, mtime: int) -> dict:
    raw = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for rec in raw.get("placements", []):
        if rec.get("position") is None or rec.get("status") == "not_placed":
            continue
        normal = rec.get("normal") or (0.0, 1.0, 0.0)
        out[(rec["code"], rec["side"])] = (tuple(map(float, rec["position"])), tuple(map(float, normal)))
    return out


def _placements(assets_dir: Path) -> dict:
    """``{(code, side): (position, normal)}`` from ``placed_points.json`` (empty if not built)."""
    path = Path(assets_dir) / "atlas" / "placed_points.json"
    if not path.is_file():
        return {}
    try:
        return _placements_cached(path, path.stat().st_mtime_ns)
    except (ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"{path} could not be read ({exc}); rebuild the body "
                          "(python -m viewer.anatomy build)") from None


def app_data(assets_dir=None) -> AppData:
    """The app's data of ``assets_dir`` (cached), or :class:`ExportError` saying what is missing."""
    app = load_app_data(assets_dir)
    if isinstance(app, list):
        lines = [f"{p.what} {p.fix}" for p in app]
        raise ExportError("cannot make the handout: " + " ".join(lines))
    return app


def _scene(plan, knowledge):
    """The subject's highlight (what the app would show), or None without a subject."""
    subject = dict(plan.subject or {})
    keys = {k: subject.get(k) for k in ("muscle", "level", "root", "point")}
    if not any(keys.values()):
        return None
    side = subject.get("side") or "both"
    return compose_scene(knowledge, side=side, **keys)


# --------------------------------------------------------------------------------------------
# rendering


@dataclass(frozen=True)
class PlanView:
    """A rendered view of the plan.

    Attributes
    ----------
    name : str
        ``posterior``, ``region``, ``left``, ``right`` or ``anterior``.
    title : str
        Caption, e.g. ``"Lower back and hip, from behind"``.
    image : (h, w, 3) uint8 array
        The picture with the points' numbered markers.
    numbers : tuple of int
        The plan point numbers marked on it.
    """

    name: str
    title: str
    image: np.ndarray
    numbers: tuple[int, ...]

    def png_bytes(self) -> bytes:
        """The image as PNG bytes (for a web page or a download)."""
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(self.image).save(buf, format="PNG")
        return buf.getvalue()

    def jpeg_bytes(self, quality: int = 92) -> bytes:
        """The image as JPEG bytes (what the PDF embeds: a tenth of the PNG's size)."""
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(self.image).save(buf, format="JPEG", quality=quality, subsampling=0)
        return buf.getvalue()


_DIRECTIONS = {
    "posterior": ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "anterior": ((0.0, -1.0, 0.0), (0.0, 0.0, 1.0)),
    "left": ((1.0, 0.0, 0.0), (0.0, 0.0, 1.0)),
    "right": ((-1.0, 0.0, 0.0), (0.0, 0.0, 1.0)),
}
_VIEW_WORDS = {"anterior": "from the front", "left": "from the left", "right": "from the right",
               "posterior": "from behind"}


@dataclass
class _Body:
    """The body's meshes as pyvista PolyData with point normals, by structure, converted once
    per process; the merged background groups are kept per highlight set."""

    app: AppData
    polys: dict           # structure id -> pv.PolyData (with point normals)
    infos: dict           # structure id -> StructureInfo
    bounds: np.ndarray    # (2, 3) of everything drawn
    groups: dict          # (kind group, frozenset of highlighted ids) -> merged pv.PolyData

    def background(self, highlighted: frozenset) -> dict:
        """``{"bone" | "muscle" | "skin": merged PolyData}`` of what is not highlighted."""
        import pyvista as pv

        out = {}
        for group, kinds in BACKGROUND_GROUPS.items():
            key = (group, highlighted)
            if key not in self.groups:
                parts = [p for sid, p in self.polys.items()
                         if self.infos[sid].kind in kinds and sid not in highlighted]
                self.groups[key] = pv.merge(parts) if parts else None
                # keep the merged sets of a few subjects only
                while len(self.groups) > 3 * len(BACKGROUND_GROUPS):
                    self.groups.pop(next(iter(self.groups)))
            if self.groups[key] is not None:
                out[group] = self.groups[key]
        return out


#: What is drawn behind the highlight, merged into one mesh per group (few actors render fast).
BACKGROUND_GROUPS = {"bone": ("bone", "disc"), "muscle": ("muscle",), "skin": ("skin",)}

_BODIES: dict = {}
#: One rendering at a time per process: VTK windows are not shared between threads, and two web
#: sessions downloading at once would otherwise both convert the meshes.
_RENDER_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget the converted meshes (the next export loads them again)."""
    _BODIES.clear()
    _placements_cached.cache_clear()


def _body(app: AppData, progress: Progress = None) -> _Body:
    key = (str(app.assets_dir), id(app.atlas))
    body = _BODIES.get(key)
    if body is not None:
        return body
    import pyvista as pv

    _say(progress, "loading the body meshes")
    polys, infos = {}, {}
    for s in app.atlas.structures:
        if s.mesh is None or s.kind == "cord":
            continue
        mesh = app.atlas.mesh(s.id)
        faces = np.hstack([np.full((len(mesh.faces), 1), 3), mesh.faces]).ravel()
        poly = pv.PolyData(np.asarray(mesh.vertices, float), faces)
        # normals once here, not at every add_mesh(smooth_shading=True)
        polys[s.id] = poly.compute_normals(cell_normals=False, split_vertices=False)
        infos[s.id] = StructureInfo(s.id, s.acronym, s.kind, s.name)
    if not polys:
        raise ExportError(f"the atlas in {app.assets_dir} has no meshes to draw; run "
                          "python -m viewer.anatomy build")
    b = np.array([p.bounds for p in polys.values()])
    bounds = np.array([b[:, 0::2].min(axis=0), b[:, 1::2].max(axis=0)])
    body = _Body(app, polys, infos, bounds, {})
    _BODIES.clear()   # one body per process: a new assets folder replaces the old one
    _BODIES[key] = body
    return body


def _say(progress: Progress, text: str) -> None:
    if progress is not None:
        progress(text)


@dataclass(frozen=True)
class _Shot:
    """What one view shows: camera direction, centre, half extents (mm) and pixel size."""

    name: str
    title: str
    centre: np.ndarray
    half: tuple[float, float]   # half width, half height in mm
    size: tuple[int, int]       # width, height in px


def _fit(lo: np.ndarray, hi: np.ndarray, name: str, size: tuple[int, int], margin: float) -> tuple:
    """Centre and half extents that show the box ``lo``-``hi`` from ``name`` at ``size``'s aspect."""
    direction, up = (np.array(v) for v in _DIRECTIONS[name])
    right = np.cross(up, direction)
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    centre = (lo + hi) / 2
    half_w = np.abs((corners - centre) @ right).max() * margin
    half_h = np.abs((corners - centre) @ up).max() * margin
    aspect = size[0] / size[1]
    half_w, half_h = max(half_w, half_h * aspect), max(half_h, half_w / aspect)
    return centre, (float(half_w), float(half_h))


def _direction_of(view: str) -> str:
    """The camera direction of a view name (the region close-up looks from behind)."""
    return "posterior" if view == "region" else view


def _facing(normal, view: str) -> float:
    return float(np.dot(normal, _DIRECTIONS[_direction_of(view)][0]))


def _best_side(normal) -> str:
    return max(("left", "right", "anterior"), key=lambda n: _facing(normal, n))


def _region_words(centre: np.ndarray, body: _Body) -> str:
    """Where a box lies, in words (for captions)."""
    lm = body.app.atlas.landmarks
    z = float(centre[2])

    def height(name, default):
        return float(lm[name].xyz[2]) if name in lm else default

    if z > height("C7_spinous_tip", 1450):
        return "Neck and head"
    if z > height("T12_spinous_tip", 1180):
        return "Upper back"
    if z > height("greater_trochanter_left", 900):
        return "Lower back and hip"
    if z > height("popliteal_crease_mid_left", 500) + 80:
        return "Thigh"
    if z > height("lateral_malleolus_left", 80) + 120:
        return "Knee and leg"
    return "Ankle and foot"


def _plan_shots(points: Sequence[HandoutPoint], scene, body: _Body, height: int) -> list[_Shot]:
    """The views a plan needs: the whole back, the region of the subject and its points, and a
    close-up for each group of points that face away from the back."""
    atlas = body.app.atlas
    full_size = (int(round(height * 0.5)), height)
    lo, hi = body.bounds
    centre, half = _fit(lo, hi, "posterior", full_size, 1.02)
    shots = [_Shot("posterior", "Whole body, from behind", centre, half, full_size)]

    sites_back = [np.array(p) for hp in points for _, p, n in hp.sites if _facing(n, "posterior") > FACING]
    boxes = []
    if scene is not None:
        for acr in scene.structures:
            # roots run up inside the canal to the cord: they would stretch the box upward
            if acr in atlas and atlas[acr].id in body.polys and atlas[acr].kind != "nerve_root":
                b = body.polys[atlas[acr].id].bounds
                boxes.append((np.array(b[0::2]), np.array(b[1::2])))
    if boxes:
        rlo = np.min([b[0] for b in boxes], axis=0)
        rhi = np.max([b[1] for b in boxes], axis=0)
        # points near the subject belong to its region; far ones are on the whole-body view
        near = [p for p in sites_back if np.all(p > rlo - 160) and np.all(p < rhi + 160)]
        if near:
            rlo, rhi = np.minimum(rlo, np.min(near, axis=0)), np.maximum(rhi, np.max(near, axis=0))
    elif sites_back:
        rlo, rhi = np.min(sites_back, axis=0), np.max(sites_back, axis=0)
    else:
        rlo = rhi = None
    region_size = (height * 3 // 4, height * 3 // 4)
    if rlo is not None:
        pad = np.array([40.0, 0.0, 40.0])
        rlo, rhi = rlo - pad, rhi + pad
        centre, half = _fit(rlo, rhi, "posterior", region_size, 1.04)
        # never closer than a hand's breadth each way, so the bones around give the scale
        half = (max(half[0], 110.0), max(half[1], 110.0))
        shots.append(_Shot("region", f"{_region_words(centre, body)}, from behind", centre, half, region_size))

    hidden: dict[str, list] = {}
    for hp in points:
        for _, p, n in hp.sites:
            if _facing(n, "posterior") <= FACING:
                hidden.setdefault(_best_side(n), []).append(np.array(p))
    for name, sites in hidden.items():
        slo, shi = np.min(sites, axis=0) - 90.0, np.max(sites, axis=0) + 90.0
        centre, half = _fit(slo, shi, name, region_size, 1.1)
        half = (max(half[0], 130.0), max(half[1], 130.0))
        shots.append(_Shot(name, f"{_region_words(centre, body)}, {_VIEW_WORDS[name]}", centre, half, region_size))
    return shots


def _headless_window() -> None:
    """Without a display, ask VTK for an EGL window (GPU where there is one, else Mesa) instead
    of trying X first and printing a warning on every export."""
    import ctypes.util

    if not os.environ.get("DISPLAY") and "VTK_DEFAULT_OPENGL_WINDOW" not in os.environ \
            and ctypes.util.find_library("EGL"):
        os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"


def _render_shot(body: _Body, shot: _Shot, highlight: Mapping[int, str],
                 positions: Sequence[Sequence[float]]) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Render one view; return the image (h, w, 3) and the pixel (x, y) of each position."""
    _headless_window()
    import pyvista as pv

    pv.OFF_SCREEN = True
    plotter = pv.Plotter(off_screen=True, window_size=list(shot.size))
    try:
        plotter.set_background(BACKGROUND)
        for sid, colour in highlight.items():
            plotter.add_mesh(body.polys[sid], color=colour, smooth_shading=True, specular=0.3,
                             specular_power=12)
        back = body.background(frozenset(highlight))
        if "bone" in back:
            plotter.add_mesh(back["bone"], color=BONE_COLOUR, smooth_shading=True, specular=0.15)
        for group, colour in (("muscle", MUSCLE_COLOUR), ("skin", SKIN_COLOUR)):
            if group in back:
                plotter.add_mesh(back[group], color=colour, opacity=FADED[group], smooth_shading=True)
        direction, up = _DIRECTIONS[_direction_of(shot.name)]
        distance = 4000.0
        eye = shot.centre + np.asarray(direction) * distance
        plotter.camera_position = [tuple(eye), tuple(shot.centre), up]
        plotter.enable_parallel_projection()
        plotter.camera.parallel_scale = shot.half[1]
        plotter.camera.clipping_range = (1.0, distance * 2)
        plotter.enable_depth_peeling(number_of_peels=6)
        plotter.enable_anti_aliasing("ssaa")
        image = plotter.screenshot(None, return_img=True)
        renderer = plotter.renderer
        width, height = shot.size
        pixels = []
        for p in positions:
            renderer.SetWorldPoint(float(p[0]), float(p[1]), float(p[2]), 1.0)
            renderer.WorldToDisplay()
            x, y, _ = renderer.GetDisplayPoint()
            pixels.append((x * image.shape[1] / width, image.shape[0] - y * image.shape[0] / height))
    finally:
        plotter.close()
    return np.ascontiguousarray(image[:, :, :3]), pixels


def _highlight_colours(scene, body: _Body) -> dict[int, str]:
    if scene is None:
        return {}
    out = {}
    atlas = body.app.atlas
    for acr in scene.structures:
        if acr in atlas and atlas[acr].id in body.polys:
            info = body.infos[atlas[acr].id]
            out[info.id] = ROLE_COLOURS.get(role_of(info), ROLE_COLOURS["muscle"])
    return out


def render_views(plan, knowledge=None, assets_dir=None, audience: str = "patient",
                 height: int = 1100, progress: Progress = None) -> tuple[PlanView, ...]:
    """Render the plan's views off screen: the whole body from behind, the region of the
    subject, and a side view for points that face away from the back.

    Parameters
    ----------
    plan : viewer.plan.model.Plan or mapping
        The plan (a plan document is read with ``plan_from_dict``).
    knowledge : viewer.knowledge.Knowledge, optional
        Defaults to the knowledge of ``assets_dir``.
    assets_dir : path, optional
        Defaults to ``$RADIX_ASSETS`` or the project's ``assets/``.
    audience : {"patient", "practitioner"}
        Markers carry the point number for both; the practitioner's also carry the code.
    height : int
        Pixel height of the whole-body view (the close-ups are 3/4 of it, square).
    progress : callable, optional
        Called with a short line before each slow step.

    Returns
    -------
    tuple of PlanView
    """
    _check_audience(audience)
    app = app_data(assets_dir)
    knowledge = knowledge or app.knowledge
    plan = _as_plan(plan, knowledge)
    with _RENDER_LOCK:
        return _render_views(plan, knowledge, app, audience, int(height), progress)


def _render_views(plan, knowledge, app: AppData, audience: str, height: int,
                  progress: Progress) -> tuple[PlanView, ...]:
    body = _body(app, progress)
    points = handout_points(plan, app)
    scene = _scene(plan, knowledge)
    shots = _plan_shots(points, scene, body, height)
    colours = _highlight_colours(scene, body)
    views = []
    for i, shot in enumerate(shots, start=1):
        _say(progress, f"rendering view {i}/{len(shots)}: {shot.title.lower()}")
        shown = [(pos, hp) for hp in points for _, pos, normal in hp.sites if _facing(normal, shot.name) > FACING]
        image, pixels = _render_shot(body, shot, colours, [pos for pos, _ in shown])
        marks = [(x, y, hp) for (x, y), (_, hp) in zip(pixels, shown)
                 if 0 <= x < image.shape[1] and 0 <= y < image.shape[0]]
        image = _draw_markers(image, marks, audience)
        views.append(PlanView(shot.name, shot.title, image, tuple(dict.fromkeys(hp.number for *_, hp in marks))))
    return tuple(views)


# --------------------------------------------------------------------------------------------
# markers drawn on the picture (numbered badges that never overlap)


def _font_file(bold: bool = False) -> str | None:
    if bold:
        names = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
    else:
        names = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")
    return _find_font(names)


def _pil_font(size: int, bold: bool = False):
    from PIL import ImageFont

    path = _font_file(bold)
    if path:
        return ImageFont.truetype(path, size)
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _draw_markers(image: np.ndarray, marks: Sequence[tuple[float, float, HandoutPoint]],
                  audience: str) -> np.ndarray:
    """Each point: a small dot where it is, and a numbered badge on it or, where badges would
    overlap, moved outward along a leader line."""
    from PIL import Image, ImageDraw

    if not marks:
        return image
    img = Image.fromarray(image).convert("RGB")
    draw = ImageDraw.Draw(img)
    h, w = image.shape[:2]
    radius = max(7, round(min(w, h) / 34))
    font = _pil_font(round(radius * 1.15), bold=True)
    code_font = _pil_font(round(radius * 0.95), bold=True)
    blue = _rgb(POINT_COLOUR)
    placed: list[tuple[float, float, float, float]] = []   # boxes taken by badges and labels
    dots = [(x, y) for x, y, _ in marks]

    def free(box) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
            return False
        return all(x1 <= a0 or x0 >= a1 or y1 <= b0 or y0 >= b1 for a0, b0, a1, b1 in placed)

    badges = []
    cx_mid = w / 2
    for x, y, hp in sorted(marks, key=lambda m: (m[1], m[0])):
        label = f"{hp.number}"
        code = hp.code if audience == "practitioner" else ""
        tw = draw.textlength(code, font=code_font) + radius * 0.6 if code else 0
        outward = -1.0 if x < cx_mid else 1.0
        spot = None
        for step in range(0, 14):
            dist = step * radius * 1.35
            for angle in (0, 25, -25, 50, -50, 75, -75, 100, -100):
                if step == 0 and angle:
                    continue
                a = np.radians(angle)
                bx = x + outward * dist * np.cos(a)
                by = y - dist * np.sin(a)
                left = bx - radius if outward > 0 or not code else bx - radius - tw
                right = bx + radius + (tw if code and outward > 0 else 0)
                box = (left - 1, by - radius - 1, right + 1, by + radius + 1)
                # a moved badge must not sit on another point's dot
                if step and any(abs(dx - bx) < radius and abs(dy - by) < radius for dx, dy in dots):
                    continue
                if free(box):
                    spot = (bx, by, box)
                    break
            if spot:
                break
        if spot is None:
            spot = (x, y, (x - radius, y - radius, x + radius, y + radius))
        placed.append(spot[2])
        badges.append((x, y, spot[0], spot[1], label, code, outward))

    for x, y, bx, by, *_ in badges:
        if abs(bx - x) + abs(by - y) > 1:
            draw.line([(x, y), (bx, by)], fill=(30, 41, 59), width=max(1, radius // 6))
    for x, y, *_ in badges:
        r = max(2, radius // 3)
        draw.ellipse([x - r - 1, y - r - 1, x + r + 1, y + r + 1], fill=(255, 255, 255))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=blue)
    for x, y, bx, by, label, code, outward in badges:
        if code:
            tw = draw.textlength(code, font=code_font)
            pad = radius * 0.3
            if outward > 0:
                rect = [bx, by - radius * 0.72, bx + radius + pad * 2 + tw, by + radius * 0.72]
                tx = bx + radius + pad
            else:
                rect = [bx - radius - pad * 2 - tw, by - radius * 0.72, bx, by + radius * 0.72]
                tx = bx - radius - pad - tw
            draw.rounded_rectangle(rect, radius=radius * 0.5, fill=(255, 255, 255), outline=blue,
                                   width=max(1, radius // 7))
            draw.text((tx, by), code, font=code_font, fill=(15, 23, 42), anchor="lm")
        draw.ellipse([bx - radius, by - radius, bx + radius, by + radius], fill=blue,
                     outline=(255, 255, 255), width=max(1, radius // 5))
        draw.text((bx, by + 0.5), label, font=font, fill=(255, 255, 255), anchor="mm")
    return np.asarray(img)


# --------------------------------------------------------------------------------------------
# text of the handout (from the knowledge base, reusing the info panel's wording)


def _check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise ExportError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")


def _subject_title(plan, knowledge) -> str:
    subject = dict(plan.subject or {})
    side = subject.get("side")
    side_words = f", {SIDE_WORDS[side]}" if side in SIDE_WORDS else ""
    if subject.get("muscle") and knowledge.has_muscle(subject["muscle"]):
        return knowledge.muscle(subject["muscle"]).name + side_words
    if subject.get("root"):
        return f"{subject['root']} nerve root{side_words}"
    if subject.get("level"):
        return f"Spinal level {subject['level']}{side_words}"
    if subject.get("point") and knowledge.has_point(subject["point"]):
        return knowledge.point(subject["point"]).english
    return ""


def _segments(points: Sequence[HandoutPoint]) -> list[str]:
    """Spinal segments of the plan's points, head to tail."""
    from viewer.selection import LEVELS

    found = {hp.point.segment for hp in points if hp.point is not None and hp.point.segment}
    return [lv for lv in LEVELS if lv in found]


#: A section of handout text: a heading and its rows; a row is a paragraph (str) or a
#: ``(label, text)`` fact.
Section = tuple[str, list]


def explanation(plan, knowledge, points: Sequence[HandoutPoint], audience: str) -> list[Section]:
    """The subject and its segments explained, for page 1 (and the top of page 2).

    Patient: the muscle's plain-language description, the info panel's story (roots, the levels
    they leave at, the multifidus there) and the segments of the back points in words.
    Practitioner: the chain as facts: nerve, roots (and what other sources say), where they
    leave the spine, the multifidus groups and the plan's segments.
    """
    from viewer.app.info import _join
    from viewer.selection import select_level, select_muscle, select_root

    subject = dict(plan.subject or {})
    side = subject.get("side") or "both"
    sections: list[Section] = []
    segs = _segments(points)
    muscle_id = subject.get("muscle")
    if muscle_id and knowledge.has_muscle(muscle_id):
        sel = select_muscle(knowledge, muscle_id, side)
        m = sel.muscle
        if audience == "patient":
            sections.append((f"About your {m.name.lower()}", [m.plain_language] if m.plain_language else []))
            sections.append(("What may be going on", patient_story(sel)))
        else:
            rows: list = [m.plain_language] if m.plain_language else []
            rows.append(("Nerve", m.peripheral_nerve))
            roots = f"{', '.join(m.roots) or 'none recorded'} ({knowledge.cite(m.sources)})"
            alts = [f"{', '.join(a.roots)} ({knowledge.cite(a.sources)})" for a in m.roots_alt
                    if tuple(a.roots) != tuple(m.roots)]
            rows.append(("Roots", roots + (f"; other sources: {'; '.join(alts)}" if alts else "")))
            rows.append(("Leave the spine", "; ".join(f"{r.root}: {r.exit.foramen}" for r in sel.roots)
                         or "none recorded"))
            groups = [link.muscle_id.replace("multifidus_", "") for link in sel.multifidus]
            none = [g.level for g in sel.gaps if g.kind == "no_multifidus_group"]
            mf = (f"{', '.join(groups)} (medial branches of the dorsal rami)" if groups else "no group")
            if none:
                mf += f"; none for {', '.join(none)}"
            rows.append(("Multifidus", mf))
            if segs:
                rows.append(("Plan segments", ", ".join(segs)))
            sections.append((f"{m.name}: the chain", rows))
    elif subject.get("root"):
        sel = select_root(knowledge, subject["root"], side)
        muscles = [m.name.lower() for m in sel.muscles if not m.id.startswith("multifidus_")][:6]
        rows = [f"The {sel.root} nerve root leaves the spine through the {sel.exit.foramen}."]
        if muscles:
            rows.append(f"It supplies muscles such as {_join(muscles)}.")
        sections.append((f"The {sel.root} nerve root", rows))
    elif subject.get("level"):
        sel = select_level(knowledge, subject["level"], side)
        roots = [e.root for e in sel.roots]
        rows = ([f"At {sel.level} the {_join(roots)} nerve root{'s' if len(roots) > 1 else ''} "
                 f"leave{'' if len(roots) > 1 else 's'} the spine."] if roots
                else [f"No nerve root leaves the spine at {sel.level}."])
        muscles = [m.name.lower() for m in sel.muscles if not m.id.startswith("multifidus_")][:6]
        if muscles:
            rows.append(f"These nerves supply muscles such as {_join(muscles)}.")
        sections.append((f"Spinal level {sel.level}", rows))
    if segs and (audience == "patient" or not (muscle_id and knowledge.has_muscle(muscle_id))):
        text = (f"Some of your points lie beside the spine at {_join(segs)}: the levels where the nerves "
                "for this area leave the spine, next to the small multifidus muscles there."
                if audience == "patient" else f"Segments of the plan's back points: {', '.join(segs)}.")
        sections.append(("The spinal segments", [text]))
    if not sections:
        sections.append(("About this plan", ["A selection of acupuncture points; see each point below."]))
    return sections


def reasons(plan, knowledge) -> list[Section]:
    """Practitioner: why each link of the chain holds, with its sources, and what has no link."""
    from viewer.selection import select_muscle

    subject = dict(plan.subject or {})
    muscle_id = subject.get("muscle")
    if not (muscle_id and knowledge.has_muscle(muscle_id)):
        return []
    sel = select_muscle(knowledge, muscle_id, subject.get("side") or "both")
    m = sel.muscle
    out: list[Section] = []
    why = [r.reason for r in sel.roots] + [r.reason for r in sel.alternative_roots]
    why += [f"{r.root} leaves through the {r.exit.foramen}: {r.exit.reason}" for r in sel.roots]
    why += [link.reason for link in sel.multifidus]
    out.append(("Why each link", why))
    disagree = [f"{knowledge.cite(a.sources)}: {', '.join(a.roots)}. {a.note}" for a in m.roots_alt
                if tuple(a.roots) != tuple(m.roots)]
    if m.roots_note:
        disagree.insert(0, m.roots_note)
    if disagree:
        out.append(("Sources disagree", disagree))
    gaps = [g.reason for g in sel.gaps if g.kind == "no_multifidus_group"]
    if gaps:
        out.append(("Not in the chain", gaps))
    return out


def _point_title(hp: HandoutPoint, audience: str, chinese: bool = True) -> str:
    p = hp.point
    if p is None:
        return hp.code
    if audience == "patient":
        return f"{p.english} ({p.pinyin})"
    return f"{hp.code}  {p.pinyin} · {p.english}" + (f" · {p.chinese}" if p.chinese and chinese else "")


def _location(p) -> str:
    from viewer.selection import describe_location

    text = describe_location(p)
    prefix = f"{p.code}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def point_lines(hp: HandoutPoint, knowledge, audience: str, with_side: bool = True) -> list[tuple[str, str]]:
    """The rows of a point's card: ``[(label, text)]`` (the cautions come separately)."""
    rows = [("Side", SIDE_WORDS.get(hp.side, hp.side).capitalize())] if with_side else []
    p = hp.point
    if p is None:
        rows.append(("Record", "this code is not in the point records"))
    elif audience == "patient":
        rows.append(("Where", p.location.description))
    else:
        rows.append(("Location", _location(p)))
        rows.append(("Needling", needling_text(p) or "not published in the sources used"))
        if p.segment:
            rows.append(("Segment", p.segment))
        rows.append(("Sources", knowledge.cite(p.sources)))
    if not hp.sites:
        rows.append(("On the model", "not placed on this body; listed only"))
    if hp.note:
        rows.append(("Note", hp.note))
    return rows


def caution_lines(hp: HandoutPoint, knowledge, audience: str) -> list[tuple[str, str]]:
    """Each caution as ``(kind label, text)``; a point with none says so."""
    p = hp.point
    if p is None or not p.cautions:
        return [("", NO_CAUTION)]
    out = []
    for c in p.cautions:
        kind = CAUTION_NAMES.get(c.kind, c.kind.replace("_", " ").title())
        if audience == "patient":
            out.append((kind, f"{CAUTION_PLAIN.get(c.kind, 'Needs care')}. {c.text}"))
        else:
            src = f" ({knowledge.cite(c.sources)})" if c.sources else ""
            out.append((kind, f"{c.text}{src}"))
    return out


_SETTING_WORDS = {"session": "in the session", "home": "at home", "both": "in the session and at home"}
_KIND_TITLES = {"stretch": "Stretch", "massage": "Massage", "acupressure": "Acupressure", "cupping": "Cupping",
                "gua_sha": "Gua sha"}


def _range(pair, unit: str) -> str:
    lo, hi = pair
    return f"{lo:g} {unit}" if lo == hi else f"{lo:g}-{hi:g} {unit}"


def _dose(t) -> str:
    h = t.how
    parts = [f"pressure {h.pressure}" if h.pressure else "",
             f"hold {_range(h.hold_s, 's')}" if h.hold_s else "",
             _range(h.duration_min, "min") if h.duration_min else "",
             f"{h.cups} {h.cup_size} cup{'s' if (h.cups or 0) > 1 else ''} a side" if h.cup_size else "",
             f"direction {h.direction.replace('_', ' ')}" if h.direction not in ("static", "movement") else "",
             f"movement: {h.movement}" if h.movement else "",
             h.repetitions or ""]
    return "; ".join(p for p in parts if p)


def technique_sections(plan, knowledge, audience: str) -> list[Section]:
    """The plan's manual techniques as handout sections.

    The patient sees the "between sessions" techniques (setting ``home`` or ``both``) with their
    plain steps, the practitioner's note and every caution, and the names of those done in the
    session; the practitioner sees every technique with its zone, position, steps, dose, home
    use, cautions with sources and its sources.
    """
    from viewer.plan.model import home_techniques, plan_techniques

    out: list[Section] = []
    if audience == "patient":
        home = home_techniques(plan, knowledge)
        session = [t.name for it, t in plan_techniques(plan, knowledge) if it.setting == "session"]
        if not home and not session:
            return out
        intro: list = []
        for eid in ("stretch_with_paraspinal", "between_sessions"):
            try:
                intro.append(knowledge.explanation(eid).text)
            except KeyError:
                continue
        if session:
            intro.append(("In the session", "; ".join(session)))
        out.append(("Between sessions", intro))
        for n, (it, t) in enumerate(home, start=1):
            rows: list = [f"{i}. {step}" for i, step in enumerate(t.self_care.steps, start=1)]
            if it.note:
                rows.append(("Your note", it.note))
            rows.extend(("Take care", c.text) for c in t.cautions)
            out.append((f"{n}. {t.name}" + ("" if it.side in ("both", "midline") else f", {it.side} side"), rows))
        return out
    for n, (it, t) in enumerate(plan_techniques(plan, knowledge), start=1):
        rows = [("Zone", t.zone.description), ("Position", t.how.position), ("Steps", " ".join(t.how.steps)),
                ("Dose", _dose(t)),
                ("Home", " ".join(t.self_care.steps) if t.self_care.allowed else f"No: {t.self_care.why_not}")]
        if it.note:
            rows.append(("Note", it.note))
        rows.extend(("Caution", f"{c.kind.replace('_', ' ').capitalize()}: {c.text} ({knowledge.cite(c.sources)})")
                    for c in t.cautions)
        rows.append(("Sources", knowledge.cite(t.sources)))
        out.append((f"T{n}. {t.name} ({_KIND_TITLES.get(t.kind, t.kind)}, {it.side}, "
                    f"{_SETTING_WORDS.get(it.setting, it.setting)})", rows))
    return out


def _cited_sources(plan, knowledge, points: Sequence[HandoutPoint]) -> list:
    ids: dict[str, None] = {}
    subject = dict(plan.subject or {})
    if subject.get("muscle") and knowledge.has_muscle(subject["muscle"]):
        m = knowledge.muscle(subject["muscle"])
        ids.update(dict.fromkeys(m.sources))
        for alt in m.roots_alt:
            ids.update(dict.fromkeys(alt.sources))
    for hp in points:
        if hp.point is not None:
            ids.update(dict.fromkeys(hp.point.sources))
            for c in hp.point.cautions:
                ids.update(dict.fromkeys(c.sources))
    for it in getattr(plan, "techniques", ()):
        if knowledge.has_technique(it.id):
            t = knowledge.technique(it.id)
            ids.update(dict.fromkeys(t.sources))
            for c in t.cautions:
                ids.update(dict.fromkeys(c.sources))
    out = []
    for s in ids:
        try:
            out.append(knowledge.source(s))
        except KeyError:
            continue
    return out


# --------------------------------------------------------------------------------------------
# fonts and text safety for the PDF


_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"),
              str(Path.home() / ".local/share/fonts"), "/Library/Fonts", "C:/Windows/Fonts")


@lru_cache(maxsize=32)
def _find_font(names: tuple[str, ...]) -> str | None:
    for name in names:
        for root in _FONT_DIRS:
            hits = glob.glob(os.path.join(root, "**", name), recursive=True)
            if hits:
                return sorted(hits)[0]
    return None


_CJK_FONTS = ("wqy-zenhei.ttc", "wqy-microhei.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
              "DroidSansFallbackFull.ttf")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LATIN1 = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                         "\u201d": '"', "\u2026": "...", "\u2192": "->", "\u2212": "-", "\u00a0": " "})


def _clean(text) -> str:
    """Text safe to place in the PDF: no control characters, tabs as spaces."""
    return _CONTROL.sub("", str(text).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n"))


def _latin1(text: str) -> str:
    """For the core fonts only: typographic marks to ASCII, accents kept, anything else left out."""
    text = text.translate(_LATIN1)
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base)
    return re.sub(r"[ ]{2,}", " ", "".join(out))


def _is_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


# --------------------------------------------------------------------------------------------
# the PDF


PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 14.0
INK = (15, 23, 42)
MUTED = (100, 116, 139)
TEAL = (15, 118, 110)
CAUTION_INK = (124, 45, 18)
CAUTION_BG = (255, 247, 237)
CAUTION_EDGE = (234, 88, 12)


def _make_pdf_class():
    from fpdf import FPDF

    class Handout(FPDF):
        """A4 pages with the running header and the notice in every footer."""

        running_title = ""
        unicode_font = True
        cjk = False

        def t(self, text) -> str:
            text = _clean(text)
            if not self.unicode_font:
                return _latin1(text)
            if not self.cjk and _is_cjk(text):
                text = "".join(ch for ch in text if not _is_cjk(ch)).strip()
            return text

        def use(self, style: str = "", size: float = 10.0, colour=INK) -> None:
            self.set_font(self.family_name, style, size)
            self.set_text_color(*colour)

        def header(self):
            if self.page_no() == 1:
                return
            self.use("", 8.5, MUTED)
            self.set_xy(MARGIN, 8)
            self.cell(PAGE_W - 2 * MARGIN, 5, self.t(self.running_title), align="L")
            self.set_draw_color(226, 232, 240)
            self.line(MARGIN, 14, PAGE_W - MARGIN, 14)
            self.set_y(19)

        def footer(self):
            self.set_y(-13)
            self.set_draw_color(153, 246, 228)
            self.set_fill_color(240, 253, 250)
            self.use("B", 8.5, (17, 94, 89))
            self.cell(PAGE_W - 2 * MARGIN - 22, 7, self.t(NOTICE), border=0, fill=True, align="L")
            self.use("", 8.5, MUTED)
            self.cell(22, 7, f"Page {self.page_no()} of {{nb}}", align="R")

    return Handout


def _setup_fonts(pdf, cjk_text: bool = True) -> None:
    import logging

    # the CJK collection has bitmap tables fontTools cannot subset; it says so once per export
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    regular = _find_font(("DejaVuSans.ttf",))
    bold = _find_font(("DejaVuSans-Bold.ttf",))
    italic = _find_font(("DejaVuSans-Oblique.ttf",))
    if regular and bold and italic:
        pdf.add_font("Body", "", regular)
        pdf.add_font("Body", "B", bold)
        pdf.add_font("Body", "I", italic)
        pdf.family_name = "Body"
        pdf.unicode_font = True
        cjk = _find_font(_CJK_FONTS) if cjk_text else None
        if cjk:
            try:
                pdf.add_font("CJK", "", cjk)
                pdf.add_font("CJK", "B", cjk)
                pdf.set_fallback_fonts(["CJK"], exact_match=False)
                pdf.cjk = True
            except Exception:  # an old fpdf2 without font collections: leave Chinese out
                pdf.cjk = False
    else:
        pdf.family_name = "Helvetica"
        pdf.unicode_font = False


def _image_bytes(view: PlanView) -> io.BytesIO:
    return io.BytesIO(view.jpeg_bytes())


def _swatches(pdf, x: float, y: float, width: float) -> float:
    """The legend in one row; returns the y below it."""
    pdf.use("", 8.5, MUTED)
    cx = x
    for label, colour in LEGEND:
        pdf.set_fill_color(*_rgb(colour))
        if label == "Plan point":
            pdf.ellipse(cx, y + 1.0, 3.2, 3.2, style="F")
        else:
            pdf.rect(cx, y + 1.0, 3.2, 3.2, style="F")
        pdf.set_xy(cx + 4.2, y)
        w = pdf.get_string_width(label) + 2
        pdf.cell(w, 5.2, pdf.t(label))
        cx += 4.2 + w + 4
        if cx > x + width - 20:
            break
    return y + 6


def _heading(pdf, text: str, size: float = 13.0) -> None:
    pdf.ln(1.5)
    pdf.use("B", size, INK)
    pdf.set_x(MARGIN)
    pdf.multi_cell(PAGE_W - 2 * MARGIN, size * 0.5, pdf.t(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.0)


def _paragraph(pdf, text: str, size: float = 10.5, colour=INK, style: str = "", indent: float = 0.0) -> None:
    pdf.use(style, size, colour)
    pdf.set_x(MARGIN + indent)
    pdf.multi_cell(PAGE_W - 2 * MARGIN - indent, size * 0.47, pdf.t(text), align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.2)


def _fact(pdf, label: str, text: str, size: float, label_w: float = 30.0) -> None:
    pdf.set_x(MARGIN)
    pdf.use("B", size - 0.8, MUTED)
    pdf.cell(label_w, size * 0.5, pdf.t(label))
    pdf.use("", size, INK)
    pdf.multi_cell(PAGE_W - 2 * MARGIN - label_w, size * 0.5, pdf.t(text), align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.6)


def _section(pdf, section: Section, size: float, colour=TEAL, heading_size: float = 11.5) -> None:
    heading, rows = section
    pdf.use("B", heading_size, colour)
    pdf.set_x(MARGIN)
    pdf.cell(PAGE_W - 2 * MARGIN, 6.5, pdf.t(heading), new_x="LMARGIN", new_y="NEXT")
    for row in rows:
        if isinstance(row, tuple):
            _fact(pdf, row[0], row[1], size)
        else:
            _paragraph(pdf, row, size)
    pdf.ln(0.8)


def _title_block(pdf, plan, knowledge, points, audience: str) -> None:
    width = PAGE_W - 2 * MARGIN
    pdf.set_fill_color(*TEAL)
    pdf.rect(0, 0, PAGE_W, 3.0, style="F")
    pdf.set_xy(MARGIN, 10)
    pdf.use("B", 9, TEAL)
    kicker = f"Treatment plan  ·  {audience} handout"
    pdf.cell(width, 5, pdf.t(kicker.upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.use("B", 22, INK)
    pdf.multi_cell(width, 10, pdf.t(_title_of(plan)), align="L", new_x="LMARGIN", new_y="NEXT")
    subtitle = [s for s in (_subject_title(plan, knowledge), _date_words(plan.created),
                            f"{len(points)} point{'s' if len(points) != 1 else ''}") if s]
    pdf.use("", 10.5, MUTED)
    pdf.cell(width, 6, pdf.t("  ·  ".join(subtitle)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


#: Page 1 holds at most this many close-ups beside the whole body; more go on a page of their own.
CLOSE_UPS_ON_PAGE_1 = 2


def _first_page(pdf, plan, knowledge, points, views, sections, audience: str) -> None:
    pdf.add_page()
    width = PAGE_W - 2 * MARGIN
    _title_block(pdf, plan, knowledge, points, audience)
    for section in sections[:2]:
        _section(pdf, section, 10.5 if audience == "patient" else 9.3)

    # views: the whole body on the left, the close-ups stacked on the right
    top = pdf.get_y() + 1.5
    bottom = PAGE_H - 20
    avail_h = bottom - top - 16
    full = next((v for v in views if v.name == "posterior"), None)
    others = [v for v in views if v.name != "posterior"][:CLOSE_UPS_ON_PAGE_1]
    gap = 5.0
    full_w = min(width * 0.46, avail_h * full.image.shape[1] / full.image.shape[0]) if full else 0
    col_x = MARGIN + full_w + (gap if full else 0)
    col_w = PAGE_W - MARGIN - col_x
    if full is not None:
        _framed_image(pdf, full, MARGIN, top, full_w, full_w * full.image.shape[0] / full.image.shape[1])
    if others:
        each_h = (avail_h - gap * (len(others) - 1) - 6 * len(others)) / len(others)
        size = min(col_w, each_h)
        y = top
        for v in others:
            _framed_image(pdf, v, col_x + (col_w - size) / 2, y, size, size)
            y += size + 6 + gap
    _swatches(pdf, MARGIN, bottom - 6, width)


def _more_views_page(pdf, views) -> None:
    """Close-ups that did not fit on page 1, two to a row."""
    rest = [v for v in views if v.name != "posterior"][CLOSE_UPS_ON_PAGE_1:]
    if not rest:
        return
    pdf.add_page()
    _heading(pdf, "More views")
    width = PAGE_W - 2 * MARGIN
    size = (width - 6) / 2
    y = pdf.get_y()
    for i, v in enumerate(rest):
        if i and i % 2 == 0:
            y += size + 12
            if y + size > PAGE_H - 26:
                pdf.add_page()
                y = pdf.get_y()
        _framed_image(pdf, v, MARGIN + (i % 2) * (size + 6), y, size, size)
    pdf.set_y(y + size + 10)


def _framed_image(pdf, view: PlanView, x: float, y: float, w: float, h: float) -> None:
    pdf.image(_image_bytes(view), x=x, y=y, w=w, h=h)
    pdf.set_draw_color(226, 232, 240)
    pdf.set_line_width(0.3)
    pdf.rect(x, y, w, h)
    pdf.set_xy(x, y + h + 0.8)
    pdf.use("I", 8.5, MUTED)
    pdf.cell(w, 4.5, pdf.t(view.title), align="C")


def _date_words(created) -> str:
    if not created:
        return ""
    try:
        when = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return str(created)[:40]
    return when.strftime("%d %B %Y").lstrip("0")


def _badge(pdf, number: int, x: float, y: float, r: float = 3.4) -> None:
    pdf.set_fill_color(*_rgb(POINT_COLOUR))
    pdf.ellipse(x, y, 2 * r, 2 * r, style="F")
    pdf.use("B", 9.5, (255, 255, 255))
    pdf.set_xy(x, y)
    pdf.cell(2 * r, 2 * r, str(number), align="C")


def _lines(pdf, width: float, text: str) -> int:
    """How many lines ``text`` takes in a box of ``width`` mm with the current font."""
    return max(1, len(pdf.multi_cell(width, 5, text, align="L", dry_run=True, output="LINES")))


def _point_card(pdf, hp: HandoutPoint, knowledge, audience: str) -> None:
    """A point's card, moved whole to the next page when it would not fit (measured first:
    fpdf2's own trial rendering copies every font, which is slow with a CJK font loaded)."""
    if pdf.get_y() + _point_card_body(pdf, hp, knowledge, audience, draw=False) > pdf.page_break_trigger:
        pdf.add_page()
    _point_card_body(pdf, hp, knowledge, audience)


def _point_card_body(doc, hp: HandoutPoint, knowledge, audience: str, draw: bool = True) -> float:
    """Draw the card (or with ``draw=False`` only measure it); return its height in mm."""
    width = PAGE_W - 2 * MARGIN
    indent = 10.0
    y0 = doc.get_y()
    y = y0 + 1.5
    height = 1.5
    if draw:
        doc.set_draw_color(226, 232, 240)
        doc.set_line_width(0.3)
        doc.line(MARGIN, y - 1.0, PAGE_W - MARGIN, y - 1.0)
        _badge(doc, hp.number, MARGIN, y + 0.6)
        doc.set_xy(MARGIN + indent, y)
    title_size = 12 if audience == "patient" else 11.5
    title = doc.t(_point_title(hp, audience, chinese=doc.unicode_font and doc.cjk))
    side = doc.t("   " + SIDE_WORDS.get(hp.side, hp.side))
    doc.use("B", 10, TEAL)
    side_w = doc.get_string_width(side)
    doc.use("B", title_size, INK)
    title_w = doc.get_string_width(title) + 1
    fits = title_w + side_w < width - indent
    if fits:
        height += 6.5
        if draw:
            doc.cell(title_w, 6.5, title)
            doc.use("B", 10, TEAL)
            doc.cell(width - indent - title_w, 6.5, side, new_x="LMARGIN", new_y="NEXT")
    else:
        height += 6.5 * _lines(doc, width - indent, title)
        if draw:
            doc.multi_cell(width - indent, 6.5, title, align="L", new_x="LMARGIN", new_y="NEXT")
    label_w = 24.0
    row_size = 10 if audience == "patient" else 9.3
    for label, text in point_lines(hp, knowledge, audience, with_side=not fits):
        doc.use("I" if label == "Note" else "", row_size, INK)
        height += 4.9 * _lines(doc, width - indent - label_w, doc.t(text))
        if draw:
            doc.set_x(MARGIN + indent)
            doc.use("B", 9, MUTED)
            doc.cell(label_w, 4.9, doc.t(label))
            doc.use("I" if label == "Note" else "", row_size, INK)
            doc.multi_cell(width - indent - label_w, 4.9, doc.t(text), align="L", new_x="LMARGIN", new_y="NEXT")
    height += 1.0
    if draw:
        doc.ln(1.0)
    for kind, text in caution_lines(hp, knowledge, audience):
        height += _caution_box(doc, kind, text, MARGIN + indent, width - indent, audience, draw)
    height += 2.5
    if draw:
        doc.ln(2.5)
    return height


def _caution_box(pdf, kind: str, text: str, x: float, width: float, audience: str, draw: bool = True) -> float:
    """One caution in an orange box (grey when the point has none); returns its height."""
    size = 9.5 if audience == "patient" else 9.0
    label = (kind.upper() + "  ") if kind else ""
    body = pdf.t(text)
    pad = 2.2
    pdf.use("B", 8, CAUTION_INK)
    label_w = pdf.get_string_width(label) + 1 if label else 0
    pdf.use("", size, CAUTION_INK)
    text_w = width - 2 * pad - 1.2 - label_w
    h = 4.6 * _lines(pdf, text_w, body) + 2 * pad - 0.8
    if not draw:
        return h + 1.2
    y = pdf.get_y()
    if kind:
        pdf.set_fill_color(*CAUTION_BG)
        pdf.set_draw_color(253, 186, 116)
    else:
        pdf.set_fill_color(248, 250, 252)
        pdf.set_draw_color(226, 232, 240)
    pdf.rect(x, y, width, h, style="DF")
    pdf.set_fill_color(*(CAUTION_EDGE if kind else (148, 163, 184)))
    pdf.rect(x, y, 1.2, h, style="F")
    pdf.set_xy(x + 1.2 + pad, y + pad - 0.4)
    if label:
        pdf.use("B", 8, CAUTION_EDGE)
        pdf.cell(label_w, 4.6, pdf.t(label))
    pdf.use("", size, CAUTION_INK if kind else MUTED)
    pdf.multi_cell(text_w, 4.6, body, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(y + h + 1.2)
    return h + 1.2


def _points_pages(pdf, plan, knowledge, points, sections, audience: str) -> None:
    pdf.add_page()
    if plan.note:
        _heading(pdf, "From your practitioner" if audience == "patient" else "Plan note", 12)
        _paragraph(pdf, plan.note, 10.5, INK, "I")
    for section in sections[2:]:
        _section(pdf, section, 10.5 if audience == "patient" else 9.3, INK, 12)
    _heading(pdf, "Your points" if audience == "patient" else "Points")
    lead = ("The numbers match the pictures on page 1. Each point says what your practitioner "
            "takes care of there; ask them about anything that worries you."
            if audience == "patient" else
            "Numbered as on page 1. Depths in proportional cun as commonly taught; every caution cites its sources.")
    _paragraph(pdf, lead, 9.5, MUTED)
    for hp in points:
        _point_card(pdf, hp, knowledge, audience)
    techniques = technique_sections(plan, knowledge, audience)
    if techniques:
        size = 10.0 if audience == "patient" else 9.0
        if audience == "practitioner":
            _heading(pdf, "Techniques")
        else:   # the patient's first section is the "between sessions" introduction
            heading, intro = techniques.pop(0)
            _heading(pdf, heading)
            for row in intro:
                _fact(pdf, row[0], row[1], size) if isinstance(row, tuple) else _paragraph(pdf, row, size)
        for section in techniques:
            _section(pdf, section, size, INK, 11)
    if audience == "practitioner":
        # the evidence starts a page of its own, to keep with the file or leave out of the copy
        pdf.add_page()
        _heading(pdf, "Evidence: the chain and its sources")
        for section in reasons(plan, knowledge):
            _heading(pdf, section[0], 12)
            for row in section[1]:
                _paragraph(pdf, row, 9.0)
        sources = _cited_sources(plan, knowledge, points)
        if sources:
            _heading(pdf, "Sources", 12)
            for src in sources:
                _paragraph(pdf, f"{src.short}: {src.citation}", 8.5, MUTED)
    else:
        _heading(pdf, "Safety", 12)
        _paragraph(pdf, NOTICE + " Only a trained practitioner should needle. Tell them if you are or may be "
                   "pregnant, take blood thinners, have a pacemaker, or feel faint, short of breath, or a sharp "
                   "or electric pain during treatment.")


def _title_of(plan) -> str:
    return plan.title or "Treatment plan"


def build_pdf(plan, views: Sequence[PlanView], knowledge, points: Sequence[HandoutPoint],
              audience: str) -> bytes:
    """The handout as PDF bytes from already rendered views."""
    _check_audience(audience)
    pdf = _make_pdf_class()(orientation="P", unit="mm", format="A4")
    # only the practitioner's handout shows Chinese names: the patient's skips the large CJK font
    _setup_fonts(pdf, cjk_text=audience == "practitioner")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(MARGIN, 18, MARGIN)
    pdf.set_title(_clean(_title_of(plan)))
    pdf.set_author("Radix")
    pdf.set_subject(NOTICE)
    pdf.running_title = f"{_title_of(plan)}  ·  {'patient' if audience == 'patient' else 'practitioner'} handout"
    sections = explanation(plan, knowledge, points, audience)
    _first_page(pdf, plan, knowledge, points, views, sections, audience)
    _more_views_page(pdf, views)
    _points_pages(pdf, plan, knowledge, points, sections, audience)
    return bytes(pdf.output())


def _write(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def export_pdf(plan, out_path, knowledge=None, assets_dir=None, audience: str = "patient",
               progress: Progress = None, height: int = 1100, views: Sequence[PlanView] | None = None) -> Path:
    """Write the plan's handout as a PDF.

    Parameters
    ----------
    plan : viewer.plan.model.Plan or mapping
    out_path : path
        The PDF to write (written atomically; folders are created).
    knowledge : viewer.knowledge.Knowledge, optional
    assets_dir : path, optional
    audience : {"patient", "practitioner"}
    progress : callable, optional
        Called with a line before each slow step.
    height : int
        Pixel height of the whole-body view (print quality: 1100 px over 24 cm is ~115 dpi).
    views : sequence of PlanView, optional
        Views already rendered by :func:`render_views` (skips rendering).

    Returns
    -------
    pathlib.Path
    """
    _check_audience(audience)
    app = app_data(assets_dir)
    knowledge = knowledge or app.knowledge
    plan = _as_plan(plan, knowledge)
    return _write(out_path, pdf_bytes(plan, knowledge, app.assets_dir, audience, progress, height, views))


def pdf_bytes(plan, knowledge=None, assets_dir=None, audience: str = "patient", progress: Progress = None,
              height: int = 1100, views: Sequence[PlanView] | None = None) -> bytes:
    """The handout PDF as bytes (for a download button); arguments as :func:`export_pdf`."""
    _check_audience(audience)
    app = app_data(assets_dir)
    knowledge = knowledge or app.knowledge
    plan = _as_plan(plan, knowledge)
    if views is None:
        views = render_views(plan, knowledge, app.assets_dir, audience, height, progress)
    _say(progress, "writing the PDF")
    return build_pdf(plan, views, knowledge, handout_points(plan, app), audience)


def export_png(plan, out_path, knowledge=None, assets_dir=None, audience: str = "patient",
               size: tuple[int, int] = (1600, 1000), progress: Progress = None,
               views: Sequence[PlanView] | None = None) -> Path:
    """Write the plan's views as one PNG of ``size`` (width, height) px: a title band, the
    views side by side with their captions, the legend and the notice.

    Parameters are those of :func:`export_pdf`; ``size`` is the picture's exact size.
    """
    from PIL import Image, ImageDraw

    _check_audience(audience)
    width, height = int(size[0]), int(size[1])
    if width < 200 or height < 150:
        raise ExportError(f"PNG size must be at least 200 x 150 px, not {width} x {height}")
    app = app_data(assets_dir)
    knowledge = knowledge or app.knowledge
    plan = _as_plan(plan, knowledge)
    band, foot = round(height * 0.11), round(height * 0.09)
    pane_h = height - band - foot
    if views is None:
        views = render_views(plan, knowledge, app.assets_dir, audience, max(200, pane_h), progress)
    _say(progress, "composing the PNG")
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    title_font = _pil_font(max(12, round(band * 0.36)), bold=True)
    small = _pil_font(max(9, round(band * 0.2)))
    draw.rectangle([0, 0, width, max(3, band // 16)], fill=_rgb("#0f766e"))
    draw.text((round(width * 0.02), band * 0.42), _clean(_title_of(plan)), font=title_font, fill=INK, anchor="lm")
    sub = "  ·  ".join(s for s in (_subject_title(plan, knowledge), _date_words(plan.created)) if s)
    draw.text((round(width * 0.02), band * 0.8), sub, font=small, fill=MUTED, anchor="lm")

    caption_h = round(pane_h * 0.06)
    gap = round(width * 0.015)
    scaled = []
    for v in views:
        img = Image.fromarray(v.image)
        scaled.append((v, img.width / img.height))
    total_ratio = sum(r for _, r in scaled)
    img_h = min(pane_h - caption_h, (width - gap * (len(scaled) + 1)) / max(total_ratio, 1e-6))
    x = (width - (img_h * total_ratio + gap * (len(scaled) - 1))) / 2
    top = band + round((pane_h - img_h - caption_h) / 2)   # centred between the band and the legend
    for v, ratio in scaled:
        w = max(1, round(img_h * ratio))
        img = Image.fromarray(v.image).resize((w, max(1, round(img_h))), Image.LANCZOS)
        sheet.paste(img, (round(x), top))
        draw.rectangle([round(x), top, round(x) + w - 1, top + round(img_h) - 1], outline=(226, 232, 240))
        draw.text((round(x) + w / 2, top + img_h + caption_h / 2), v.title, font=small, fill=MUTED, anchor="mm")
        x += w + gap
    # legend and notice
    y = height - foot * 0.72
    lx = round(width * 0.02)
    sw = max(6, round(foot * 0.18))
    for label, colour in LEGEND:
        if label == "Plan point":
            draw.ellipse([lx, y - sw / 2, lx + sw, y + sw / 2], fill=_rgb(colour))
        else:
            draw.rectangle([lx, y - sw / 2, lx + sw, y + sw / 2], fill=_rgb(colour))
        draw.text((lx + sw * 1.5, y), label, font=small, fill=MUTED, anchor="lm")
        lx += sw * 1.5 + draw.textlength(label, font=small) + sw * 2
    draw.text((width - round(width * 0.02), height - foot * 0.3), NOTICE, font=small, fill=(17, 94, 89), anchor="rm")
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    return _write(out_path, buf.getvalue())


def views_png(views: Iterable[PlanView]) -> dict[str, bytes]:
    """``{view name: PNG bytes}`` for a web page."""
    return {v.name: v.png_bytes() for v in views}
