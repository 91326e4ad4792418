"""The handout's pictures: the views a plan needs (the whole back, the region of the subject, a
side view for points facing away), each the plan's scene (:func:`viewer.scene.scene_spec`)
rendered off screen with pyvista, with numbered markers drawn on top that never overlap.

Rendering needs no display (pyvista ``off_screen``; VTK uses EGL or OSMesa). The body's meshes
are converted once per process and assets folder (:func:`clear_cache` drops them), so a second
export costs only the rendering."""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from viewer.scene import (
    BACKGROUND_COLOURS,
    CAMERAS,
    FADE_OPACITY,
    MARK_COLOURS,
    POINT_COLOUR,
    SKIN_OUTLINE_OPACITY,
    SceneSpec,
    StructureInfo,
    technique_specs,
)
from viewer.scene.techniques import zone_book
from viewer.render.offscreen import Camera, Item, draw, technique_items
from viewer.scene.body import Body

from .content import (
    ExportError,
    HandoutPoint,
    Progress,
    _as_plan,
    _check_audience,
    _placements_cached,
    _say,
    _scene,
    app_data,
    handout_points,
)
from viewer.scene.words import mark_names
from .fonts import _pil_font, _rgb


BACKGROUND = "#ffffff"
#: Opacity of what is not highlighted: bones are the frame, muscles fade as in the app, the skin
#: is a faint outline.
FADED = {"muscle": FADE_OPACITY["muscle"], "skin": SKIN_OUTLINE_OPACITY}

#: A point is drawn in a view when its skin normal faces the camera at least this much (cosine).
FACING = 0.2




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


_DIRECTIONS = {name: (CAMERAS[name].direction, CAMERAS[name].up)
               for name in ("posterior", "anterior", "left", "right")}
#: A technique's picture is a :class:`PlanView` named ``technique:<id>`` (the patient's "between
#: sessions" page); the views of the points are the others.
TECHNIQUE_VIEW = "technique:"
_VIEW_WORDS = {"anterior": "from the front", "left": "from the left", "right": "from the right",
               "posterior": "from behind"}


@dataclass
class _Body:
    """The body's meshes as pyvista PolyData with point normals, by structure, converted once
    per process; the merged background groups are kept per highlight set."""

    app: Body
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


def _body(app: Body, progress: Progress = None) -> _Body:
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


#: The views of the symptom marks: the whole body from the front and from behind.
MARK_VIEWS = {"marks_front": "anterior", "marks_back": "posterior"}
#: The skin of the mark views: opaque enough that the marks sit on it.
MARK_SKIN_OPACITY = 0.45
#: A mark is drawn in a view its skin faces at least this much (cosine), and always in the view
#: it faces most.
MARK_FACING = 0.35


def _direction_of(view: str) -> str:
    """The camera direction of a view name (the region close-up looks from behind)."""
    return "posterior" if view == "region" else MARK_VIEWS.get(view, view)


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


def _plan_shots(points: Sequence[HandoutPoint], spec: SceneSpec | None, body: _Body,
                height: int) -> list[_Shot]:
    """The views a plan needs: the whole back, the region of the subject and its points, and a
    close-up for each group of points that face away from the back."""
    atlas = body.app.atlas
    full_size = (int(round(height * 0.5)), height)
    lo, hi = body.bounds
    centre, half = _fit(lo, hi, "posterior", full_size, 1.02)
    shots = [_Shot("posterior", "Whole body, from behind", centre, half, full_size)]

    sites_back = [np.array(p) for hp in points for _, p, n in hp.sites if _facing(n, "posterior") > FACING]
    boxes = []
    if spec is not None:
        for acr in spec.scene.structures:
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


def _render_shot(body: _Body, shot: _Shot, highlight: Mapping[int, str],
                 positions: Sequence[Sequence[float]],
                 faded: Mapping[str, float] = FADED) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Render one view with the off-screen renderer; return the image (h, w, 3) and the pixel
    (x, y) of each position."""
    items = [Item(body.polys[sid], colour, specular=0.3, specular_power=12) for sid, colour in highlight.items()]
    back = body.background(frozenset(highlight))
    if "bone" in back:
        items.append(Item(back["bone"], BACKGROUND_COLOURS["bone"], specular=0.15, specular_power=100))
    for group in ("muscle", "skin"):
        if group in back:
            items.append(Item(back[group], BACKGROUND_COLOURS[group], faded[group], specular=0.0))
    direction, up = _DIRECTIONS[_direction_of(shot.name)]
    camera = Camera(tuple(shot.centre), direction, up, distance=4000.0, parallel_scale=shot.half[1])
    return draw(items, camera, shot.size, BACKGROUND, project=positions, depth_peeling=True)


def _highlight_colours(spec: SceneSpec | None, body: _Body) -> dict[int, str]:
    """The scene's highlight colour of each structure the body has a mesh for."""
    if spec is None:
        return {}
    return {int(sid): entry["color"] for sid, entry in spec.styles["ids"].items() if int(sid) in body.polys}


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


def _render_views(plan, knowledge, app: Body, audience: str, height: int,
                  progress: Progress) -> tuple[PlanView, ...]:
    body = _body(app, progress)
    points = handout_points(plan, app)
    spec = _scene(plan, knowledge, app)
    pictures = _technique_views(plan, knowledge, app, body, height, progress) if audience == "patient" else []
    shots = _plan_shots(points, spec, body, height)
    colours = _highlight_colours(spec, body)
    views = []
    for i, shot in enumerate(shots, start=1):
        _say(progress, f"rendering view {i}/{len(shots)}: {shot.title.lower()}")
        shown = [(pos, hp) for hp in points for _, pos, normal in hp.sites if _facing(normal, shot.name) > FACING]
        image, pixels = _render_shot(body, shot, colours, [pos for pos, _ in shown])
        marks = [(x, y, hp) for (x, y), (_, hp) in zip(pixels, shown)
                 if 0 <= x < image.shape[1] and 0 <= y < image.shape[0]]
        image = _draw_markers(image, marks, audience)
        views.append(PlanView(shot.name, shot.title, image, tuple(dict.fromkeys(hp.number for *_, hp in marks))))
    symptoms = getattr(plan, "symptoms", None)
    if symptoms is not None and symptoms.marks:
        views.extend(_mark_views(body, symptoms.marks, height, progress))
    return tuple(views) + tuple(pictures)


def _technique_direction(technique, side: str, zone: dict) -> str:
    """The camera a technique's zone is seen from: its surface (the back from behind, the outer
    side of a limb from that side, the inner side from the other)."""
    surface = technique.zone.surface
    if surface in ("anterior", "palmar"):
        return "anterior"
    if surface in ("lateral", "medial"):
        outer = "left" if side in ("left", "both") else "right"
        return outer if surface == "lateral" else ("right" if outer == "left" else "left")
    if surface == "dorsal" and zone.get("centre") and zone["centre"][2] < 150:
        return "anterior"         # the top of the foot
    return "posterior"


def _zone_points(zones: Sequence[dict]) -> np.ndarray:
    pts = []
    for z in zones:
        if z.get("patch"):
            pts.extend(z["patch"]["vertices"])
        pts.extend(c["position"] for c in z.get("cups", ()))
        pts.extend(s["position"] for s in z.get("spots", ()))
        for st in z.get("strokes", ()):
            pts.extend(st["points"])
    return np.asarray(pts, float).reshape(-1, 3)


def _technique_views(plan, knowledge, app: Body, body: _Body, height: int,
                     progress: Progress) -> list[PlanView]:
    """A picture of each technique the patient does at home: its zone on the skin (the scene
    layer's :func:`~viewer.scene.technique_specs`), seen from the surface it is on."""
    from .model import home_techniques

    book = zone_book(app)
    skin = [p for sid, p in body.polys.items() if body.infos[sid].kind == "skin"]
    if book is None or not skin:
        return []
    size = (height * 2 // 5, height * 2 // 5)
    out = []
    for n, (item, technique) in enumerate(home_techniques(plan, knowledge), start=1):
        sides = ("left", "right") if item.side in ("both", "midline") else (item.side,)
        zones = technique_specs([(technique.id, ())], sides, knowledge, book)
        pts = _zone_points(zones)
        if not len(pts):
            continue
        _say(progress, f"drawing technique {n}: {technique.name.lower()}")
        name = _technique_direction(technique, item.side, zones[0])
        lo, hi = pts.min(axis=0) - 50.0, pts.max(axis=0) + 50.0
        centre, half = _fit(lo, hi, name, size, 1.05)
        # never closer than a hand's breadth each way, so the body around gives the scale
        half = (max(half[0], 100.0), max(half[1], 100.0))
        items = [Item(skin[0], BACKGROUND_COLOURS["skin"], 1.0, specular=0.1)] + technique_items(zones, 0.6)
        direction, up = _DIRECTIONS[name]
        camera = Camera(tuple(centre), direction, up, distance=4000.0, parallel_scale=half[1])
        image, _ = draw(items, camera, size, BACKGROUND)
        out.append(PlanView(f"{TECHNIQUE_VIEW}{technique.id}", f"{technique.name}, {_VIEW_WORDS[name]}",
                            image, ()))
    return out


def _skin_normals(body: _Body, positions: np.ndarray) -> np.ndarray:
    """The skin's normal nearest each position, (n, 3); zeros where the body has no skin."""
    skins = [p for sid, p in body.polys.items() if body.infos[sid].kind == "skin"]
    out = np.zeros((len(positions), 3))
    best = np.full(len(positions), np.inf)
    for poly in skins:
        normals = poly.point_data["Normals"]
        for i, p in enumerate(positions):
            j = poly.find_closest_point(p)
            d = float(np.linalg.norm(poly.points[j] - p))
            if d < best[i]:
                best[i], out[i] = d, normals[j]
    return out


def mark_views_of(normals: np.ndarray) -> list[tuple[str, ...]]:
    """The mark views each mark is drawn in: the one its skin faces most, and the other when it
    faces that one at least :data:`MARK_FACING` (a mark on the flank shows in both).

    >>> mark_views_of(np.array([[0.0, -1.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]))
    [('marks_front',), ('marks_back',), ('marks_front',)]
    """
    out = []
    for n in normals:
        facing = {name: _facing(n, name) for name in MARK_VIEWS}
        first = max(MARK_VIEWS, key=lambda name: facing[name])
        out.append(tuple(name for name in MARK_VIEWS if name == first or facing[name] >= MARK_FACING))
    return out


def _mark_views(body: _Body, marks: Sequence, height: int, progress: Progress) -> list[PlanView]:
    """The whole body from the front and from behind with the symptom marks as coloured discs,
    named as in the handout's list (``P1``, ``T1``)."""
    positions = np.array([m.position for m in marks], dtype=float)
    shown_in = mark_views_of(_skin_normals(body, positions))
    names = mark_names(marks)
    size = (int(round(height * 0.5)), height)
    lo, hi = body.bounds
    faded = {**FADED, "skin": MARK_SKIN_OPACITY}
    out = []
    for name, direction in MARK_VIEWS.items():
        _say(progress, f"rendering the marks {_VIEW_WORDS[direction]}")
        centre, half = _fit(lo, hi, direction, size, 1.02)
        shot = _Shot(name, f"Marks, {_VIEW_WORDS[direction]}", centre, half, size)
        index = [i for i, views in enumerate(shown_in) if name in views]
        image, pixels = _render_shot(body, shot, {}, [positions[i] for i in index], faded)
        discs = [(x, y, names[i], marks[i].kind) for (x, y), i in zip(pixels, index)
                 if 0 <= x < image.shape[1] and 0 <= y < image.shape[0]]
        out.append(PlanView(name, shot.title, _draw_mark_discs(image, discs), tuple(i + 1 for i in index)))
    return out


def _draw_mark_discs(image: np.ndarray, discs: Sequence[tuple[float, float, str, str]]) -> np.ndarray:
    """Each mark: a disc in its kind's colour (:data:`viewer.scene.MARK_COLOURS`) with a white
    rim, and its name on a white tag beside it, moved along until it overlaps no other tag."""
    from PIL import Image, ImageDraw

    if not discs:
        return image
    img = Image.fromarray(image).convert("RGB")
    draw = ImageDraw.Draw(img)
    h, w = image.shape[:2]
    radius = max(4, round(min(w, h) / 30))
    font = _pil_font(round(radius * 1.5), bold=True)
    taken: list[tuple[float, float, float, float]] = [(x - radius, y - radius, x + radius, y + radius)
                                                      for x, y, *_ in discs]
    tags = []
    for x, y, name, kind in discs:
        tw, th = draw.textlength(name, font=font) + radius, radius * 2.2
        outward = -1 if x < w / 2 else 1
        spot = None
        for dy in (0, -1, 1, -2, 2, -3, 3, -4, 4):
            for side in (outward, -outward):
                left = x + radius * 1.4 if side > 0 else x - radius * 1.4 - tw
                top = y - th / 2 + dy * th
                box = (left, top, left + tw, top + th)
                inside = box[0] >= 0 and box[1] >= 0 and box[2] <= w and box[3] <= h
                clear = all(box[2] <= a0 or box[0] >= a1 or box[3] <= b0 or box[1] >= b1 for a0, b0, a1, b1 in taken)
                if inside and clear:
                    spot = box
                    break
            if spot:
                break
        spot = spot or (x + radius * 1.4, y - th / 2, x + radius * 1.4 + tw, y + th / 2)
        taken.append(spot)
        tags.append((x, y, name, kind, spot))
    for x, y, name, kind, (x0, y0, x1, y1) in tags:
        colour = _rgb(MARK_COLOURS[kind])
        cx, cy = (x0 if x0 > x else x1), (y0 + y1) / 2
        draw.line([(x, y), (cx, cy)], fill=colour, width=max(1, radius // 4))
        draw.rounded_rectangle([x0, y0, x1, y1], radius=radius * 0.6, fill=(255, 255, 255), outline=colour,
                               width=max(1, radius // 4))
        draw.text(((x0 + x1) / 2, cy), name, font=font, fill=colour, anchor="mm")
    for x, y, _name, kind, _box in tags:
        draw.ellipse([x - radius - 1, y - radius - 1, x + radius + 1, y + radius + 1], fill=(255, 255, 255))
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=_rgb(MARK_COLOURS[kind]))
    return np.asarray(img)


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
    for _x, _y, bx, by, label, code, outward in badges:
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
