"""Place acupuncture points on the skin from their location rules, and draw meridian paths.

A rule (``docs/ARCHITECTURE.md``, "Point records") names an anchor landmark (or a fraction of the
way between two), offsets in B-cun along stated directions, a reference line for lateral offsets,
the scale the cun is measured with, and the skin surface the point lies on. Resolving it:

1. anchor: the landmark (side-suffixed for bilateral points), or the point ``fraction`` of the way
   from ``landmark`` to ``toward``;
2. offsets: vertical offsets move along the body's long axis (limbs: along the limb, from the
   scale's landmarks), lateral offsets set the distance from the reference line (or from the
   anchor when there is none); on the head the offsets walk over the scalp;
3. projection onto the skin: on the trunk along the named surface's outward direction (so the
   level and the distance from the midline are kept exactly), elsewhere to the closest skin point;
4. checks, recorded with the placement: on the skin, and for the paraspinal lines the distance
   from the midline in cun and the level of the spinous process.

Points whose landmarks or scale the body lacks are recorded as ``not_placed`` with the reason;
nothing is dropped or guessed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from .cun import HEAD_SCALES, LIMB_SCALES, CunScale, MissingLandmark, landmark_lookup, resolve_scale

STATUS_CHECKED = "placed_checked"
STATUS_PLACED = "placed"
STATUS_NOT_PLACED = "not_placed"

SURFACE_DIRECTIONS = {
    "posterior": np.array([0.0, 1.0, 0.0]),
    "anterior": np.array([0.0, -1.0, 0.0]),
    "superior": np.array([0.0, 0.0, 1.0]),
    "plantar": np.array([0.0, 0.0, -1.0]),
    "palmar": np.array([0.0, -1.0, 0.0]),   # anatomical position: palms face forward
    "dorsal": np.array([0.0, 1.0, 0.0]),
}

PARASPINAL_LINES = {0.0: "governor", 0.5: "huatuojiaji", 1.5: "bladder_inner", 3.0: "bladder_outer"}
ON_SKIN_TOLERANCE_MM = 1.0


@dataclass
class Placement:
    """Where one point was placed on one side, and how."""

    code: str
    side: str
    status: str
    position: np.ndarray | None = None
    normal: np.ndarray | None = None
    method: dict = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)
    reason: str | None = None

    def to_json(self) -> dict:
        def rnd(v):
            return None if v is None else [round(float(x), 2) for x in v]
        return {
            "code": self.code, "side": self.side, "status": self.status,
            "position": rnd(self.position),
            "normal": None if self.normal is None else [round(float(x), 3) for x in self.normal],
            "method": self.method, "checks": self.checks, "reason": self.reason,
        }


class Skin:
    """The skin surface with the queries placement needs.

    Parameters
    ----------
    mesh : trimesh.Trimesh
        Closed skin surface, mm.
    head_centre : (3,) float, optional
        Centre used to walk over the scalp.
    """

    def __init__(self, mesh: trimesh.Trimesh, head_centre: np.ndarray | None = None):
        self.mesh = mesh
        samples = np.vstack([mesh.vertices, mesh.triangles_center])
        normals = np.vstack([mesh.vertex_normals, mesh.face_normals])
        self._samples, self._normals = samples, normals
        self._tree = cKDTree(samples)
        self.head_centre = head_centre

    def nearest(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Approximate nearest skin sample and its normal (fast, for walking)."""
        _, idx = self._tree.query(np.atleast_2d(points))
        return self._samples[idx], self._normals[idx]

    def closest(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact closest points on the skin, their distances and the face normals there."""
        pts, dist, tri = trimesh.proximity.closest_point(self.mesh, np.atleast_2d(points))
        return pts, dist, self.mesh.face_normals[tri]

    def exit_along(self, origins: np.ndarray, directions: np.ndarray, back_off: float = 25.0):
        """For each origin, the first place the skin is crossed outwards along its direction.

        The search starts ``back_off`` mm behind the origin so that an anchor lying just outside the
        skin (a soft-tissue landmark) still finds the surface it belongs to. Returns positions
        (n, 3) and normals (n, 3), with NaN where the ray finds no outward crossing.
        """
        origins = np.atleast_2d(origins).astype(float)
        directions = np.atleast_2d(directions).astype(float)
        starts = origins - directions * back_off
        locs, ray_idx, tri_idx = self.mesh.ray.intersects_location(starts, directions, multiple_hits=True)
        out = np.full_like(origins, np.nan)
        normals = np.full_like(origins, np.nan)
        best = np.full(len(origins), np.inf)
        for loc, r, t in zip(locs, ray_idx, tri_idx):
            n = self.mesh.face_normals[t]
            if np.dot(n, directions[r]) <= 0:  # entering the body, not leaving it
                continue
            dist = float(np.dot(loc - starts[r], directions[r]))
            if 0 <= dist < best[r]:
                best[r] = dist
                out[r], normals[r] = loc, n
        return out, normals

    def arc_length(self, a: np.ndarray, b: np.ndarray, samples: int = 48) -> float:
        """Length over the skin between two points of the head, measured radially from the head
        centre raised or lowered to the height of the two points: from the centre itself, the
        rays towards two points below and behind it (the mastoid processes) ran down the neck
        onto the upper back, and measured 519 mm between mastoids 89 mm apart."""
        centre = self.head_centre if self.head_centre is not None else (a + b) / 2
        centre = np.array([centre[0], centre[1], (a[2] + b[2]) / 2], float)
        t = np.linspace(0.0, 1.0, samples)[:, None]
        chord = a + (b - a) * t
        dirs = chord - centre
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        pts, _ = self.exit_along(np.repeat(centre[None], samples, axis=0), dirs, back_off=0.0)
        pts = pts[~np.isnan(pts).any(axis=1)]
        return float(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum())

    def _to_surface(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project points onto the tangent plane of their nearest skin sample (continuous and fast:
        snapping to the samples themselves would stall a walk whose step is below their spacing)."""
        q, n = self.nearest(points)
        p = np.atleast_2d(points)
        return p - np.sum((p - q) * n, axis=1, keepdims=True) * n, n

    def walk(self, start: np.ndarray, direction: np.ndarray, distance: float, step: float = 2.0) -> np.ndarray:
        """Walk ``distance`` mm over the skin from ``start``, heading along ``direction``."""
        p, n = self._to_surface(start)
        p, n = p[0], n[0]
        travelled = 0.0
        while travelled < distance - 1e-9:
            h = min(step, distance - travelled)
            t = direction - np.dot(direction, n) * n
            norm = np.linalg.norm(t)
            if norm < 1e-6:
                break
            q, nq = self._to_surface(p + t / norm * h)
            p, n = q[0], nq[0]
            travelled += h
        return p


def _side_name(name: str, side: str, landmarks: Mapping[str, np.ndarray]) -> str:
    """The landmark a rule means on this side: the name itself, or name + ``_left``/``_right``."""
    if name in landmarks:
        return name
    suffixed = f"{name}_{'left' if side == 'midline' else side}"
    return suffixed


def _direction(name: str, side: str, scale: CunScale | None) -> np.ndarray:
    lateral = np.array([1.0 if side == "left" else -1.0, 0.0, 0.0])
    if name in ("proximal", "distal"):
        if scale is None or scale.proximal_direction is None:
            raise ValueError(f"a {name} offset needs a limb scale")
        d = scale.proximal_direction
        return d if name == "proximal" else -d
    return {
        "superior": np.array([0.0, 0.0, 1.0]), "inferior": np.array([0.0, 0.0, -1.0]),
        "anterior": np.array([0.0, -1.0, 0.0]), "posterior": np.array([0.0, 1.0, 0.0]),
        "lateral": lateral, "medial": -lateral,
    }[name]


def _reference_x(line: str | None, side: str, landmark, mm_per_cun: float) -> float | None:
    """X of a reference line on this side (None: lateral offsets are from the anchor)."""
    sign = 1.0 if side == "left" else -1.0
    if line in (None, ""):
        return None
    if line in ("posterior_midline", "anterior_midline"):
        return 0.0
    if line == "bladder_inner":
        return sign * 1.5 * mm_per_cun
    if line == "bladder_outer":
        return sign * 3.0 * mm_per_cun
    names = {"scapular_medial_border": "scapula_medial_border_mid", "midclavicular": "clavicle_midpoint",
             "midaxillary": "axilla_apex"}
    if line not in names:
        raise ValueError(f"unknown reference line {line!r}")
    return float(landmark(f"{names[line]}_{'left' if side == 'midline' else side}")[0])


def _sides(rule: dict) -> list[str]:
    return ["midline"] if rule.get("side") == "midline" else ["left", "right"]


def resolve_rule(code: str, rule: dict, side: str, landmarks: Mapping[str, np.ndarray], skin: Skin,
                 scales: dict | None = None) -> Placement:
    """Resolve one point's rule on one side. Never raises for a body that lacks something: the
    placement comes back ``not_placed`` with the reason."""
    landmark = landmark_lookup(landmarks)
    scales = {} if scales is None else scales
    scale_id = rule.get("scale")
    method: dict = {"landmark": None, "scale": scale_id}
    try:
        scale = None
        if scale_id:
            key = (scale_id, "left" if side == "midline" else side)
            if key not in scales:
                scales[key] = resolve_scale(scale_id, key[1], landmark, skin.arc_length)
            scale = scales[key]
            method["mm_per_cun"] = round(scale.mm_per_cun, 3)
            method["scale_method"] = scale.method
        anchor_name = _side_name(rule["landmark"], side, landmarks)
        method["landmark"] = anchor_name
        anchor = landmark(anchor_name)
        if rule.get("toward"):
            toward_name = _side_name(rule["toward"], side, landmarks)
            frac = float(rule.get("fraction") if rule.get("fraction") is not None else 0.5)
            anchor = anchor + frac * (landmark(toward_name) - anchor)
            method["toward"], method["fraction"] = toward_name, frac
    except (KeyError, MissingLandmark) as exc:
        return Placement(code, side, STATUS_NOT_PLACED, method=method, reason=str(exc.args[0]))
    except ValueError as exc:
        return Placement(code, side, STATUS_NOT_PLACED, method=method, reason=str(exc))

    offsets = rule.get("offsets") or []
    if offsets and scale is None:
        return Placement(code, side, STATUS_NOT_PLACED, method=method,
                         reason="the rule has offsets but names no B-cun scale")
    mpc = scale.mm_per_cun if scale else 0.0
    surface = rule.get("surface") or "posterior"
    on_head = scale_id in HEAD_SCALES
    on_limb = scale_id in LIMB_SCALES
    p = np.array(anchor, dtype=float)
    try:
        ref_x = _reference_x(rule.get("reference_line"), side, landmark, mpc)
    except KeyError as exc:
        return Placement(code, side, STATUS_NOT_PLACED, method=method, reason=str(exc.args[0]))
    except ValueError as exc:
        return Placement(code, side, STATUS_NOT_PLACED, method=method, reason=str(exc))
    # On the back of the head and neck a lateral offset from the posterior midline is measured
    # across (as on the trunk), not walked over the curve of the scalp.
    from_midline = ref_x is not None and (not on_head or rule.get("reference_line") == "posterior_midline")
    lateral_total = 0.0
    for off in offsets:
        d = _direction(off["direction"], side, scale)
        dist = float(off["cun"]) * mpc
        if off["direction"] in ("lateral", "medial") and from_midline:
            lateral_total += dist if off["direction"] == "lateral" else -dist
            continue
        if on_head:
            p = skin.walk(p, d, dist)
        else:
            p = p + d * dist
    if from_midline:
        sign = 0.0 if side == "midline" else (1.0 if side == "left" else -1.0)
        p[0] = ref_x + sign * lateral_total
    if side == "midline":
        p[0] = 0.0  # a midline point keeps only the level of a paired landmark it names

    # Project onto the skin.
    if (on_head and not from_midline) or on_limb or surface in ("lateral", "medial"):
        pts, _, normals = skin.closest(p)
        pos, normal = pts[0], normals[0]
        method["projection"] = "closest skin point"
    else:
        direction = SURFACE_DIRECTIONS.get(surface, SURFACE_DIRECTIONS["posterior"])
        pos, normal = skin.exit_along(p, direction, back_off=60.0)
        pos, normal = pos[0], normal[0]
        method["projection"] = f"along the {surface} surface normal"
        if np.isnan(pos).any():
            pts, _, normals = skin.closest(p)
            pos, normal = pts[0], normals[0]
            method["projection"] = "closest skin point (no crossing along the surface direction)"
    placement = Placement(code, side, STATUS_PLACED, pos, normal, method)
    _check(placement, rule, anchor, scale, skin)
    return placement


def _check(placement: Placement, rule: dict, anchor: np.ndarray, scale: CunScale | None, skin: Skin) -> None:
    """Run the checks that apply to this rule and set the status."""
    checks = placement.checks
    _, dist, _ = skin.closest(placement.position)
    checks.append({"check": "on_skin", "passed": bool(dist[0] <= ON_SKIN_TOLERANCE_MM),
                   "detail": f"{dist[0]:.2f} mm from the skin"})
    lateral = [o for o in rule.get("offsets") or [] if o["direction"] == "lateral"]
    if rule.get("reference_line") == "posterior_midline" and scale is not None:
        expected_cun = sum(o["cun"] for o in lateral)
        actual_cun = abs(placement.position[0]) / scale.mm_per_cun
        tol = max(0.1 * expected_cun, 0.05)
        checks.append({"check": "distance_from_midline", "passed": bool(abs(actual_cun - expected_cun) <= tol),
                       "detail": f"{actual_cun:.2f} cun from the posterior midline (rule {expected_cun:g})"})
        vertical = [o for o in rule.get("offsets") or [] if o["direction"] in ("superior", "inferior")]
        if not vertical and "spinous" in rule.get("landmark", ""):
            dz = abs(placement.position[2] - anchor[2])
            checks.append({"check": "spinous_level", "passed": bool(dz <= 5.0),
                           "detail": f"{dz:.1f} mm from the level of {rule['landmark']}"})
    placement.status = STATUS_CHECKED if all(c["passed"] for c in checks) else STATUS_PLACED


def place_points(records: Sequence[dict], landmarks: Mapping[str, np.ndarray], skin: Skin,
                 log=None) -> list[Placement]:
    """Place every point of ``records`` (the ``points`` list of points.json) on every side it has."""
    t0 = time.perf_counter()
    scales: dict = {}
    out: list[Placement] = []
    for rec in records:
        for side in _sides(rec["location"]):
            out.append(resolve_rule(rec["code"], rec["location"], side, landmarks, skin, scales))
    _check_mirror(out)
    if log:
        n = len(out)
        placed = sum(p.status != STATUS_NOT_PLACED for p in out)
        checked = sum(p.status == STATUS_CHECKED for p in out)
        log(f"  placed {placed}/{n} point-sides ({checked} checked) in {time.perf_counter() - t0:.1f} s")
    return out


def _check_mirror(placements: list[Placement]) -> None:
    by_key = {(p.code, p.side): p for p in placements}
    for p in placements:
        if p.side != "left" or p.position is None:
            continue
        q = by_key.get((p.code, "right"))
        if q is None or q.position is None:
            continue
        mirrored = q.position * np.array([-1.0, 1.0, 1.0])
        gap = float(np.linalg.norm(mirrored - p.position))
        for r in (p, q):
            r.checks.append({"check": "mirror", "passed": gap <= 2.0,
                             "detail": f"{gap:.2f} mm from the mirror of the other side"})
            if gap > 2.0 and r.status == STATUS_CHECKED:
                r.status = STATUS_PLACED


def meridian_paths(sequences: Mapping[str, Sequence[str]], placements: Sequence[Placement],
                   skin: Skin, spacing: float = 5.0, lift: float = 1.0) -> list[dict]:
    """Lines over the skin through each meridian's placed points, in order, per side.

    Between two consecutive points the line is a band pulled tight over the skin
    (:func:`surface_path`): it never overshoots a point or loops round a limb, as a spline through
    distant points did. A meridian with unplaced points is drawn in pieces between the placed ones
    (never through a guessed position). Returns ``[{meridian, side, pieces: [[(x, y, z), ...],
    ...]}]``, each vertex lifted ``lift`` mm off the skin.
    """
    by_key = {(p.code, p.side): p for p in placements}
    out = []
    for meridian, codes in sequences.items():
        sides = {p.side for c in codes for p in placements if p.code == c}
        for side in sorted(sides):
            pieces, current = [], []
            for code in codes:
                p = by_key.get((code, side))
                if p is None or p.position is None:
                    if len(current) >= 2:
                        pieces.append(current)
                    current = []
                    continue
                current.append(np.asarray(p.position, float))
            if len(current) >= 2:
                pieces.append(current)
            lines = []
            for piece in pieces:
                line = surface_path(skin, np.array(piece), spacing)
                _, _, normals = skin.closest(line)
                lines.append((line + normals * lift).round(2).tolist())
            if lines:
                out.append({"meridian": meridian, "side": side, "pieces": lines})
    return out


def surface_path(skin: Skin, points: np.ndarray, spacing: float = 5.0, iterations: int = 40) -> np.ndarray:
    """A line on the skin through ``points`` (n, 3) in order, pulled tight between them.

    Each gap is sampled every ``spacing`` mm along its chord; the samples are then, in turn,
    projected onto the skin and moved halfway towards the middle of their neighbours (a rubber
    band on the surface), with the points themselves held fixed. Returns (m, 3) float, mm, on the
    skin, starting and ending at the first and last point and passing through every point.
    """
    points = np.atleast_2d(np.asarray(points, float))
    parts, fixed = [points[:1]], [True]
    for a, b in zip(points[:-1], points[1:]):
        n = max(2, int(np.ceil(np.linalg.norm(b - a) / spacing)))
        t = np.linspace(0.0, 1.0, n + 1)[1:, None]
        parts.append(a + (b - a) * t)
        fixed += [False] * (n - 1) + [True]
    line = np.vstack(parts)
    fixed = np.array(fixed)
    free = ~fixed
    free_idx = np.flatnonzero(free)
    for _ in range(iterations):
        line[free], _ = skin._to_surface(line[free])
        middle = (line[free_idx - 1] + line[free_idx + 1]) / 2.0
        line[free] = 0.5 * line[free] + 0.5 * middle
    line[free], _, _ = skin.closest(line[free])
    return line
