"""Where a manual technique lands on the body: its zone as geometry a renderer can draw.

A technique record (``assets/knowledge/techniques.json``) gives its zone as a rule on the body
(:class:`viewer.knowledge.Zone`): over the bellies of some muscles, in strips beside the spine
between two levels, at acupuncture points, or in a band between two landmarks. This module turns
that rule, for one side, into what the browser view and the off-screen renderer draw:

- ``patch``: the skin of the zone, as its own small triangle mesh lifted a little off the skin
  (drawn translucent);
- ``strokes``: polylines on the skin with an arrow head: the direction of massage or gua sha
  strokes, the glide of a sliding cup, the lengthening of a stretched muscle, or the press into a
  point;
- ``cups``: discs on the skin, one per cup (position, skin normal, radius), on the paraspinal
  lines at the levels' heights for paraspinal cupping;
- ``spots``: the acupressure points, each with its skin normal.

Pure: numpy and scipy arrays in, plain lists out; nothing here imports panel, pyvista or the
browser. The body's surface is read once into a :class:`SkinSurface` (:func:`skin_surface`);
:func:`technique_zone` then costs milliseconds per technique and side.

Atlas axes: +X the subject's left, +Y posterior, +Z up, millimetres.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from viewer.knowledge import PARASPINAL_LINES, SEGMENTS as LEVELS

from .style import CUP_RADIUS_CUN

__all__ = ["SkinSurface", "ZoneBook", "skin_surface", "technique_zone", "zone_book", "back_mm_per_cun",
           "paraspinal_point", "back_point", "level_height", "LIFT_MM"]

#: How far a zone is drawn off the skin, so it is not hidden in it (mm).
LIFT_MM = 1.5
#: Acupressure spot radius (mm): about a thumb's pad.
SPOT_RADIUS_MM = 9.0
#: Skin facing the zone's surface at least this much (cosine) belongs to a patch.
FACING = 0.25
#: The paraspinal strips reach this far past their outermost and innermost lines (cun).
STRIP_MARGIN_CUN = (0.5, 0.75)
#: A muscle's skin: within this distance of the muscle (mm) and over it as seen from the surface.
BELLY_DEPTH_MM = 110.0
BELLY_FOOTPRINT_MM = 12.0

SIDE_SIGN = {"left": 1.0, "right": -1.0}


@dataclass(frozen=True)
class SkinSurface:
    """The skin of one body and what a zone is placed by.

    Attributes
    ----------
    vertices, normals : (n, 3) float
        Skin vertices (mm) and their unit outward normals.
    faces : (m, 3) int
    landmarks : mapping
        ``{name: (3,) mm}`` (``assets/atlas/landmarks.json``).
    muscle_vertices : callable
        ``acronym -> (k, 3) mm`` vertices of a muscle mesh (``muscle_left``), or None when the
        body lacks it.
    positions : mapping
        ``{(code, side): (x, y, z) mm}``: the placed acupuncture points.
    """

    vertices: np.ndarray
    normals: np.ndarray
    faces: np.ndarray
    landmarks: Mapping[str, np.ndarray]
    muscle_vertices: Callable[[str], np.ndarray | None]
    positions: Mapping[tuple[str, str], Sequence[float]] = field(default_factory=dict)
    _tree: cKDTree | None = field(default=None, repr=False, compare=False)

    @property
    def tree(self) -> cKDTree:
        return self._tree if self._tree is not None else cKDTree(self.vertices)

    @cached_property
    def face_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each face's lowest and highest corner coordinates, ``(m, 3)`` each (computed once)."""
        corners = self.vertices[self.faces]
        return corners.min(axis=1), corners.max(axis=1)


def skin_surface(atlas, positions: Mapping | None = None, max_muscle_vertices: int = 4000) -> SkinSurface:
    """Read the skin, landmarks and (lazily) the muscles of an atlas into a :class:`SkinSurface`.

    Raises
    ------
    KeyError
        When the atlas has no skin.
    """
    if "skin" not in atlas:
        raise KeyError("the atlas has no skin (structure 'skin'): technique zones need it")
    skin = atlas.mesh("skin")
    vertices = np.asarray(skin.vertices, float)
    normals = np.asarray(skin.vertex_normals, float)
    landmarks = {name: np.asarray(mark.xyz, float) for name, mark in atlas.landmarks.items()}

    def muscle_vertices(acronym: str) -> np.ndarray | None:
        if acronym not in atlas or atlas[acronym].mesh is None:
            return None
        v = np.asarray(atlas.mesh(acronym).vertices, float)
        return v if len(v) <= max_muscle_vertices else v[np.linspace(0, len(v) - 1, max_muscle_vertices).astype(int)]

    return SkinSurface(vertices, normals, np.asarray(skin.faces, int), landmarks, muscle_vertices,
                       dict(positions or {}), cKDTree(vertices))


# --- measures on the back ------------------------------------------------------------------------


def back_mm_per_cun(surface: SkinSurface) -> float:
    """Millimetres per cun across the back: the medial borders of the scapulae are 6 cun apart
    (WHO 2008, the proportional bone measurement ``back_scapulae``)."""
    a = surface.landmarks["scapula_medial_border_mid_left"]
    b = surface.landmarks["scapula_medial_border_mid_right"]
    return abs(float(a[0] - b[0])) / 6.0


def level_height(surface: SkinSurface, level: str) -> float:
    """Height (z, mm) of a paraspinal level: the lower border of its spinous process, where the
    back-shu points of that level sit."""
    for name in (f"{level}_spinous_inferior", f"{level}_spinous_tip"):
        if name in surface.landmarks:
            return float(surface.landmarks[name][2])
    raise KeyError(f"the body has no spinous landmark for level {level!r}")


def _back_facing(surface: SkinSurface) -> np.ndarray:
    return surface.normals[:, 1] > FACING


def _onto_skin(surface: SkinSurface, points: np.ndarray,
               mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The skin vertex nearest to each point (among ``mask``), and its normal."""
    idx = np.flatnonzero(mask) if mask is not None else np.arange(len(surface.vertices))
    tree = cKDTree(surface.vertices[idx])
    _, near = tree.query(np.atleast_2d(points))
    near = idx[near]
    return surface.vertices[near], surface.normals[near]


def back_point(surface: SkinSurface, x: float, z: float) -> tuple[np.ndarray, np.ndarray]:
    """The skin of the back at ``(x, z)`` (the most posterior back-facing vertex there) and its
    normal."""
    back = _back_facing(surface)
    for reach in (12.0, 20.0, 30.0):     # the skin's vertices are up to ~15 mm apart
        near = back & (np.abs(surface.vertices[:, 0] - x) < reach) & (np.abs(surface.vertices[:, 2] - z) < reach)
        if near.any():
            break
    else:
        raise KeyError(f"no skin of the back at x={x:.0f} mm, z={z:.0f} mm")
    i = np.flatnonzero(near)
    i = i[surface.vertices[i, 1] > surface.vertices[i, 1].max() - 15.0]   # the back, not an arm behind it
    d = np.hypot(surface.vertices[i, 0] - x, surface.vertices[i, 2] - z)
    order = np.argsort(d)[:4]
    w = 1.0 / (d[order] + 1.0)
    pos = (surface.vertices[i[order]] * w[:, None]).sum(axis=0) / w.sum()
    nrm = (surface.normals[i[order]] * w[:, None]).sum(axis=0)
    pos[0], pos[2] = x, z                     # on the line and at the height asked, y from the skin
    surface_y = _back_skin_y(surface, i, x, z)
    if surface_y is not None:
        pos[1] = surface_y                    # exactly on the skin's triangles (a furrow bends between vertices)
    return pos, nrm / np.linalg.norm(nrm)


def _back_skin_y(surface: SkinSurface, near: np.ndarray, x: float, z: float) -> float | None:
    """The y of the most posterior skin triangle over ``(x, z)``: among the faces touching the
    vertices ``near`` and, where the skin's triangles are long, any face reaching over the
    point; None when none lies over it."""
    v, f = surface.vertices, surface.faces
    lo, hi = surface.face_bounds
    over = (lo[:, 0] <= x) & (hi[:, 0] >= x) & (lo[:, 2] <= z) & (hi[:, 2] >= z)
    touching = (np.isin(f, near).any(axis=1) | over) & (hi[:, 1] >= v[near, 1].min())
    tri = v[f[touching]]                                         # (k, 3 corners, xyz)
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    # barycentric coordinates of (x, z) in each triangle's projection on the coronal plane
    det = (b[:, 0] - a[:, 0]) * (c[:, 2] - a[:, 2]) - (c[:, 0] - a[:, 0]) * (b[:, 2] - a[:, 2])
    ok = np.abs(det) > 1e-9
    if not ok.any():
        return None
    a, b, c, det = a[ok], b[ok], c[ok], det[ok]
    u = ((x - a[:, 0]) * (c[:, 2] - a[:, 2]) - (c[:, 0] - a[:, 0]) * (z - a[:, 2])) / det
    v = ((b[:, 0] - a[:, 0]) * (z - a[:, 2]) - (x - a[:, 0]) * (b[:, 2] - a[:, 2])) / det
    inside = (u >= -1e-9) & (v >= -1e-9) & (u + v <= 1 + 1e-9)
    if not inside.any():
        return None
    y = a[inside, 1] + u[inside] * (b[inside, 1] - a[inside, 1]) + v[inside] * (c[inside, 1] - a[inside, 1])
    return float(y.max())


def paraspinal_point(surface: SkinSurface, level: str, line: str | float, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Where a paraspinal line crosses a level on the skin of the back, and the skin normal there.

    ``line`` is a key of ``PARASPINAL_LINES`` (the line lies that many cun from the posterior
    midline, the spinous processes) or a distance in cun; on ``side`` (+X is the subject's left).
    """
    cun = PARASPINAL_LINES[line][1] if isinstance(line, str) else float(line)
    if cun is None:
        raise KeyError(f"paraspinal line {line!r} has no fixed distance from the midline")
    return back_point(surface, SIDE_SIGN[side] * cun * back_mm_per_cun(surface), level_height(surface, level))


# --- patches ----------------------------------------------------------------------------------------


def _patch(surface: SkinSurface, mask: np.ndarray,
           planes: Sequence[tuple[Sequence[float], Sequence[float]]] = ()) -> dict | None:
    """The skin of the zone ``mask`` as a small mesh lifted off the skin.

    Without ``planes``, the faces with two or more corners in ``mask`` (the rim follows the zone,
    not the coarse triangles inside it). With ``planes`` (each a normal pointing into the zone and
    a point on its border), every face touching ``mask`` cut exactly along them (trimesh's
    ``slice_faces_plane``), so the patch ends where the zone does even where the skin's triangles
    are long."""
    corners_in = mask[surface.faces].sum(axis=1)
    faces = surface.faces[corners_in >= (1 if planes else 2)]
    if not len(faces):
        return None
    used, inverse = np.unique(faces, return_inverse=True)
    verts = surface.vertices[used] + LIFT_MM * surface.normals[used]
    faces = inverse.reshape(-1, 3)
    for normal, origin in planes:
        verts, faces = trimesh.intersections.slice_faces_plane(verts, faces, np.asarray(normal, float),
                                                               np.asarray(origin, float))[:2]
        if not len(faces):
            return None
    return {"vertices": np.round(verts, 1).tolist(), "faces": np.asarray(faces).tolist(),
            "vertex_ids": used if not planes else np.flatnonzero(mask)}


def _surface_direction(surface_name: str, side: str, low: bool) -> np.ndarray:
    """The outward direction of a named surface, on a side (``low``: the foot, whose dorsum faces up)."""
    s = SIDE_SIGN[side]
    table = {
        "posterior": (0, 1, 0), "anterior": (0, -1, 0), "lateral": (s, 0, 0), "medial": (-s, 0, 0),
        "superior": (0, 0, 1), "palmar": (0, -1, 0),
        # In the anatomical position the back of the hand faces backward; the top of the foot up.
        "dorsal": (0, -0.6, 0.8) if low else (0, 1, 0),
    }
    return np.asarray(table.get(surface_name, (0, 1, 0)), float)


def _belly_mask(surface: SkinSurface, muscles: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Skin facing ``direction`` that lies over the muscle (its footprint seen along
    ``direction``) and within :data:`BELLY_DEPTH_MM` of it."""
    facing = surface.normals @ direction > FACING
    lo, hi = muscles.min(axis=0) - BELLY_DEPTH_MM, muscles.max(axis=0) + BELLY_DEPTH_MM
    box = facing & np.all((surface.vertices > lo) & (surface.vertices < hi), axis=1)
    idx = np.flatnonzero(box)
    mask = np.zeros(len(surface.vertices), bool)
    if not len(idx):
        return mask
    depth, _ = cKDTree(muscles).query(surface.vertices[idx], distance_upper_bound=BELLY_DEPTH_MM)
    idx = idx[np.isfinite(depth)]
    # Project onto the plane across ``direction``: the footprint of the muscle seen from outside.
    u = np.cross(direction, (0, 0, 1) if abs(direction[2]) < 0.9 else (1, 0, 0))
    u /= np.linalg.norm(u)
    w = np.cross(direction, u)
    flat = lambda p: np.c_[p @ u, p @ w]  # noqa: E731
    gap, _ = cKDTree(flat(muscles)).query(flat(surface.vertices[idx]), distance_upper_bound=BELLY_FOOTPRINT_MM)
    mask[idx[np.isfinite(gap)]] = True
    return mask


def _segment_mask(surface: SkinSurface, a: np.ndarray, b: np.ndarray, half_width: float,
                  direction: np.ndarray) -> np.ndarray:
    ab = b - a
    t = np.clip((surface.vertices - a) @ ab / (ab @ ab), 0.0, 1.0)
    d = np.linalg.norm(surface.vertices - (a + t[:, None] * ab), axis=1)
    return (d < half_width + 25.0) & (surface.normals @ direction > -0.1)


# --- strokes ------------------------------------------------------------------------------------------


def _on_patch(surface: SkinSurface, ids: np.ndarray, points: np.ndarray, lift: float = 4.0) -> np.ndarray:
    """A polyline moved onto the patch's skin (each point to its nearest skin vertex), lifted
    ``lift`` mm along the skin normal (smoothed along the line)."""
    _, near = cKDTree(surface.vertices[ids]).query(points)
    near = ids[near]
    pos, nrm = surface.vertices[near].copy(), surface.normals[near].copy()
    if len(pos) > 2:
        nrm[1:-1] = nrm[:-2] + nrm[1:-1] + nrm[2:]
    nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
    return pos + lift * nrm


def _stroke_axis(direction: str, sign: float, pts: np.ndarray, normal: np.ndarray) -> tuple[np.ndarray, str]:
    """The unit axis of the strokes and where the arrow goes (``end`` or ``both``)."""
    if direction in ("cranial_to_caudal", "caudal_to_cranial"):
        axis, arrow = np.array([0.0, 0.0, -1.0 if direction == "cranial_to_caudal" else 1.0]), "end"
    elif direction in ("medial_to_lateral", "lateral_to_medial"):
        axis, arrow = np.array([sign if direction == "medial_to_lateral" else -sign, 0.0, 0.0]), "end"
    else:
        centred = pts - pts.mean(axis=0)
        main = np.linalg.svd(centred, full_matrices=False)[2][0]
        main = -main if main[2] > 0 else main
        axis = np.cross(normal, main) if direction == "across_fibres" else main
        arrow = "both"
    axis = axis - (axis @ normal) * normal          # along the skin
    n = np.linalg.norm(axis)
    return (axis / n if n > 1e-6 else np.array([0.0, 0.0, -1.0])), arrow


def _strokes(surface: SkinSurface, ids: np.ndarray, direction: str, side: str, count: int) -> list[dict]:
    pts = surface.vertices[ids]
    normal = surface.normals[ids].mean(axis=0)
    normal /= np.linalg.norm(normal)
    centre = pts.mean(axis=0)
    if direction == "circular":
        span = np.ptp(pts, axis=0)
        r = max(15.0, 0.25 * float(np.sort(span)[1]))
        u = np.cross(normal, (0, 0, 1))
        u = u / np.linalg.norm(u) if np.linalg.norm(u) > 1e-6 else np.array([1.0, 0.0, 0.0])
        w = np.cross(normal, u)
        ring = [centre + r * (np.cos(a) * u + np.sin(a) * w) for a in np.linspace(0, 1.8 * np.pi, 24)]
        return [{"points": np.round(_on_patch(surface, ids, np.array(ring)), 1).tolist(), "arrow": "end"}]
    axis, arrow = _stroke_axis(direction, SIDE_SIGN[side], pts, normal)
    across = np.cross(normal, axis)
    along = (pts - centre) @ axis
    wide = (pts - centre) @ across
    lo, hi = np.percentile(along, [8, 92])
    offsets = [0.0] if count == 1 else np.linspace(*np.percentile(wide, [22, 78]), count)
    out = []
    for off in offsets:
        line = np.array([centre + t * axis + off * across for t in np.linspace(lo, hi, 14)])
        out.append({"points": np.round(_on_patch(surface, ids, line), 1).tolist(), "arrow": arrow})
    return out


# --- one zone -----------------------------------------------------------------------------------------


def _range_levels(zone) -> list[str]:
    a, b = LEVELS.index(zone.from_level), LEVELS.index(zone.to_level)
    return list(LEVELS[min(a, b):max(a, b) + 1])


def _cup_heights(top: float, bottom: float, n: int, focus: float | None, gap: float) -> list[float]:
    """Heights (z, mm) of up to ``n`` cups in a column between ``top`` and ``bottom``, ``gap``
    apart (rims clear of each other): the first at ``focus`` (a level the selection came through)
    or mid-range, the others the nearest free places below and above it that stay in range."""
    centre = (top + bottom) / 2 if focus is None else min(max(focus, bottom), top)
    out = [centre]
    for k in range(1, 2 * n + 2):
        if len(out) >= n:
            break
        z = centre + (-1) ** k * ((k + 1) // 2) * gap     # below, above, further below ...
        if bottom <= z <= top:
            out.append(z)
    return out


def _cup_radius(how, mm_per_cun: float) -> float:
    return round(CUP_RADIUS_CUN.get(how.cup_size or "medium", CUP_RADIUS_CUN["medium"]) * mm_per_cun, 1)


def _paraspinal(technique, side: str, surface: SkinSurface, focus: Sequence[str], out: dict) -> None:
    zone, how = technique.zone, technique.how
    levels = _range_levels(zone)
    cun = back_mm_per_cun(surface)
    distances = [PARASPINAL_LINES[line][1] or 0.0 for line in zone.lines]
    inner = max(0.0, min(distances) - STRIP_MARGIN_CUN[0]) * cun
    outer = (max(distances) + STRIP_MARGIN_CUN[1]) * cun
    heights = [level_height(surface, lv) for lv in levels]
    step = abs(heights[0] - heights[-1]) / max(1, len(levels) - 1) if len(levels) > 1 else 30.0
    top, bottom = max(heights) + step / 2, min(heights) - step / 2
    v = surface.vertices
    x = SIDE_SIGN[side] * v[:, 0]
    back_y = min(float(surface.landmarks[f"{lv}_spinous_tip"][1]) for lv in levels) - 10.0
    mask = (_back_facing(surface) & (x > inner) & (x < outer) & (v[:, 2] < top) & (v[:, 2] > bottom)
            & (v[:, 1] > back_y))
    sign = SIDE_SIGN[side]
    planes = [((sign, 0, 0), (sign * inner, 0, 0)), ((-sign, 0, 0), (sign * outer, 0, 0)),
              ((0, 0, -1), (0, 0, top)), ((0, 0, 1), (0, 0, bottom))]
    patch = _patch(surface, mask, planes)
    if patch is not None:
        out["patch"] = patch
    if technique.kind == "cupping":
        radius = _cup_radius(how, cun)
        sliding = how.direction != "static"
        # One column per side, centred between the lines named (on the line when one is named).
        line_cun = float(np.mean(distances))
        focus_z = next((level_height(surface, lv) for lv in focus if lv in levels), None)
        zs = [max(heights)] if sliding else _cup_heights(top, bottom, how.cups or 1, focus_z, 2 * radius + 1)
        for z in zs:
            pos, nrm = back_point(surface, SIDE_SIGN[side] * line_cun * cun, z)
            nearest = levels[int(np.argmin([abs(h - z) for h in heights]))]
            out["cups"].append({"position": np.round(pos + LIFT_MM * nrm, 1).tolist(),
                                "normal": np.round(nrm, 3).tolist(), "radius": radius, "level": nearest,
                                "line_cun": line_cun})
        if not sliding:
            return
        lines = zone.lines[:1]
    else:
        lines = [line for line in zone.lines if PARASPINAL_LINES[line][1]]
    if how.direction in ("static", "movement"):
        return
    for line in lines:
        pts = np.array([paraspinal_point(surface, lv, line, side)[0] for lv in levels])
        nrm = np.array([paraspinal_point(surface, lv, line, side)[1] for lv in levels])
        pts = pts + 4.0 * nrm
        if how.direction == "caudal_to_cranial":
            pts = pts[::-1]
        out["strokes"].append({"points": np.round(pts, 1).tolist(), "arrow": "end", "line": line})


def technique_zone(technique, side: str, surface: SkinSurface, focus_levels: Sequence[str] = ()) -> dict:
    """The zone of a technique on one side, as geometry.

    Parameters
    ----------
    technique : viewer.knowledge.Technique
    side : {"left", "right"}
    surface : SkinSurface
    focus_levels : sequence of str
        The levels the selection came through (e.g. ``("L4",)`` from the level L4): cups of a
        paraspinal cupping zone are placed at those heights when they are in its range.

    Returns
    -------
    dict
        ``{id, kind, side, patch: {vertices, faces} | None, strokes: [{points, arrow}],
        cups: [{position, normal, radius, level, line}], spots: [{code, position, normal,
        radius}], centre: [x, y, z]}`` in mm; ``arrow`` is ``end`` (the stroke's direction) or
        ``both`` (a lengthening, or strokes both ways).

    Raises
    ------
    KeyError
        When the body lacks a landmark or the skin the zone needs (naming it).
    """
    if side not in SIDE_SIGN:
        raise KeyError(f"side must be 'left' or 'right', not {side!r}")
    zone, how = technique.zone, technique.how
    out: dict = {"id": technique.id, "kind": technique.kind, "side": side, "patch": None,
                 "strokes": [], "cups": [], "spots": []}
    if zone.rule == "paraspinal":
        _paraspinal(technique, side, surface, focus_levels, out)
    elif zone.rule == "points":
        for code in zone.points:
            pos = surface.positions.get((code, side), surface.positions.get((code, "midline")))
            if pos is None:
                continue
            skin, nrm = _onto_skin(surface, np.asarray(pos, float))
            p = np.asarray(pos, float) + 2.0 * nrm[0]
            out["spots"].append({"code": code, "position": np.round(p, 1).tolist(),
                                 "normal": np.round(nrm[0], 3).tolist(), "radius": SPOT_RADIUS_MM})
            # the press: a short arrow into the skin
            out["strokes"].append({"points": np.round([p + 40 * nrm[0], p + 12 * nrm[0]], 1).tolist(),
                                   "arrow": "end", "press": code})
    else:
        if zone.rule == "between":
            a = _landmark(surface, zone.landmark, side)
            b = _landmark(surface, zone.toward, side)
            direction = _surface_direction(zone.surface, side, low=False)
            mask = _segment_mask(surface, a, b, (zone.width_cun or 2.0) * back_mm_per_cun(surface) / 2, direction)
        else:
            parts = [surface.muscle_vertices(f"{m}_{side}") for m in zone.muscles]
            parts = [p for p in parts if p is not None and len(p)]
            if not parts:
                return out
            muscles = np.concatenate(parts)
            direction = _surface_direction(zone.surface, side, low=float(np.median(muscles[:, 2])) < 150)
            mask = _belly_mask(surface, muscles, direction)
        patch = _patch(surface, mask)
        if patch is not None:
            out["patch"] = patch
            ids = patch["vertex_ids"]
            if technique.kind == "cupping":
                radius = _cup_radius(how, back_mm_per_cun(surface))
                for pos in _spread(surface.vertices[ids], how.cups or 1, 2.2 * radius):
                    p, nrm = _onto_skin(surface, pos)
                    out["cups"].append({"position": np.round(p[0] + LIFT_MM * nrm[0], 1).tolist(),
                                        "normal": np.round(nrm[0], 3).tolist(), "radius": radius})
            elif how.direction == "movement":
                out["strokes"] = _strokes(surface, ids, "along_fibres", side, 1)
            elif how.direction != "static":
                out["strokes"] = _strokes(surface, ids, how.direction, side, 3)
    if out["patch"] is not None:
        out["patch"].pop("vertex_ids", None)
        out["centre"] = np.round(np.mean(out["patch"]["vertices"], axis=0), 1).tolist()
    elif out["spots"]:
        out["centre"] = np.round(np.mean([s["position"] for s in out["spots"]], axis=0), 1).tolist()
    return out


def _landmark(surface: SkinSurface, name: str | None, side: str) -> np.ndarray:
    for key in (f"{name}_{side}", name):
        if key in surface.landmarks:
            return np.asarray(surface.landmarks[key], float)
    raise KeyError(f"landmark {name!r} is not on this body (assets/atlas/landmarks.json)")


def _spread(points: np.ndarray, n: int, min_gap: float) -> list[np.ndarray]:
    """Up to ``n`` of ``points`` spread out (farthest-point order, from the one nearest the
    centre), each at least ``min_gap`` from the others when the zone is large enough."""
    centre = points.mean(axis=0)
    chosen = [points[np.argmin(np.linalg.norm(points - centre, axis=1))]]
    while len(chosen) < n:
        d = np.min([np.linalg.norm(points - c, axis=1) for c in chosen], axis=0)
        # keep cups inside the zone: not the farthest rim point, but one a cup away from the rest
        candidates = np.flatnonzero(d >= min_gap)
        if not len(candidates):
            break
        pick = candidates[np.argmin(d[candidates])]
        chosen.append(points[pick])
    return chosen


class ZoneBook:
    """The technique zones of one body, each computed on first use and then kept (a few ms each).

    Call it as ``book(technique_id, side, focus_levels)``: the ``technique_zones`` argument of
    :func:`viewer.scene.scene_spec`. A zone the body cannot place (a missing landmark) is None.
    """

    def __init__(self, knowledge, surface: SkinSurface):
        self.knowledge = knowledge
        self.surface = surface
        self._zones: dict[tuple, dict | None] = {}

    def __call__(self, technique_id: str, side: str, focus_levels: Sequence[str] = ()) -> dict | None:
        technique = self.knowledge.technique(technique_id)
        # Only paraspinal cups depend on the focus levels.
        focus = tuple(focus_levels) if technique.zone.rule == "paraspinal" and technique.kind == "cupping" else ()
        key = (technique_id, side, focus)
        if key not in self._zones:
            try:
                self._zones[key] = technique_zone(technique, side, self.surface, focus)
            except KeyError:
                self._zones[key] = None
        return self._zones[key]


@lru_cache(maxsize=4)
def zone_book(body) -> ZoneBook | None:
    """The :class:`ZoneBook` of a loaded body (:class:`viewer.scene.body.Body`, one per assets
    folder and version), or None when the body has no skin."""
    try:
        return ZoneBook(body.knowledge, skin_surface(body.atlas, body.positions))
    except KeyError:
        return None
