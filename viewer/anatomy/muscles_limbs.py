"""Muscles of the hip, upper limb and lower limb, attached to the bones built before them.

Every muscle is built on the subject's left from the left bones and their landmarks, carved so that
it never passes through bone (nor through the deeper muscles it lies on), reduced to about
:data:`TRIANGLE_BUDGET` triangles and mirrored to the right. Shapes follow the muscle's kind
(Gray's Anatomy, 42nd ed.): fusiform bellies for the limb muscles, fans for gluteus medius and
minimus, a thick quadrilateral sheet for gluteus maximus, sheets wrapped round the shaft for the
vasti, soleus, brachialis and the short heads of triceps.

Placement is relative, never absolute: a point is a landmark, or a point on a limb axis pushed out
along a direction until it clears the bone (:func:`_lift`), plus a layer offset. Each attachment is
recorded as a landmark on the muscle Part (``<muscle>_origin_<k>_<side>``,
``<muscle>_insertion_<k>_<side>``) placed on the surface of the bone it names; its ``method``
starts with ``"on <bone acronym>:"`` and says which landmark or derivation it came from.

Axes (``docs/ARCHITECTURE.md``): +X subject's left, +Y posterior, +Z up, mm. On the left side
lateral is +X and anterior is -Y.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from dataclasses import dataclass, field

import manifold3d as mf
import numpy as np
import trimesh
from scipy.spatial import cKDTree

from . import body_plan, muscle_shapes, shapes
from .parts import Landmark, Part, mirror_point, mirror_to_right
from .shapes import Manifold

TRIANGLE_BUDGET = 1500
"""Most triangles of one muscle mesh (issue 3: the whole body under 600,000). Gluteus maximus,
carved against the whole back of the pelvis and against both halves of the (not exactly
symmetric) sacrum and coccyx, gets more (:attr:`MuscleSpec.budget`)."""

_LATERAL = np.array([1.0, 0.0, 0.0])
_ANTERIOR = np.array([0.0, -1.0, 0.0])
_UP = np.array([0.0, 0.0, 1.0])


def _unit(v) -> np.ndarray:
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


# --------------------------------------------------------------------------------------------
# Geometry access: bones, landmarks, surface clouds, limb segments


@dataclass
class Segment:
    """A limb segment's axis from ``top`` to ``bottom`` with a frame round it.

    Directions are given in degrees round the axis: 0 anterior, 90 lateral, 180 posterior,
    -90 (or 270) medial, for the left side.
    """

    top: np.ndarray
    bottom: np.ndarray

    @property
    def axis(self) -> np.ndarray:
        return _unit(self.bottom - self.top)

    def point(self, t: float) -> np.ndarray:
        return self.top + t * (self.bottom - self.top)

    def direction(self, degrees: float) -> np.ndarray:
        a = self.axis
        ant = _unit(_ANTERIOR - np.dot(_ANTERIOR, a) * a)
        lat = _unit(np.cross(a, ant))
        if np.dot(lat, _LATERAL) < 0:
            lat = -lat
        r = np.radians(degrees)
        return np.cos(r) * ant + np.sin(r) * lat


@dataclass
class Attachment:
    """One recorded attachment: role (``origin``/``insertion``), bone acronym, point, provenance."""

    role: str
    bone: str
    position: np.ndarray
    method: str


@dataclass
class Shape:
    """What a muscle builder returns: the solid and the attachments it used."""

    solid: Manifold
    attachments: list[Attachment] = field(default_factory=list)


class LeftBody:
    """Read access to the left-side bones and landmarks built so far, with derived points.

    Raises ``KeyError`` naming a bone or landmark that the context lacks.
    """

    def __init__(self, ctx, stature: float):
        self.ctx = ctx
        self.stature = stature
        self._clouds: dict[str, np.ndarray] = {}
        self._meshes: dict[str, trimesh.Trimesh] = {}
        self.extra: dict[str, trimesh.Trimesh] = {}  # muscles built so far (left), by id
        self.attachments: list[Attachment] = []
        self.avoid: list[trimesh.Trimesh] = []  # what bellies and sheets are kept out of

    # bones and landmarks
    def bone(self, name: str) -> trimesh.Trimesh:
        """Mesh of a bone by acronym (``"femur_left"``, ``"sacrum"``)."""
        if name not in self._meshes:
            try:
                self._meshes[name] = self.ctx.part(name).mesh
            except KeyError:
                raise KeyError(f"muscles_limbs needs the bone {name!r}, which has not been built: "
                               f"run the bone generators (spine, girdles, limbs) first") from None
        return self._meshes[name]

    def lm(self, base: str) -> np.ndarray:
        """A landmark by base name: ``<base>_left`` if it exists, else ``<base>`` (midline)."""
        for name in (f"{base}_left", base):
            try:
                return np.asarray(self.ctx.landmark(name), float)
            except KeyError:
                continue
        raise KeyError(f"muscles_limbs needs the landmark {base!r} (or {base}_left), "
                       f"which has not been built")

    def cloud(self, *names: str) -> np.ndarray:
        """Dense surface points ``(n, 3)`` of bones or already-built muscles (by id)."""
        out = []
        for name in names:
            if name not in self._clouds:
                mesh = self.extra[name] if name in self.extra else self.bone(name)
                v, _ = trimesh.remesh.subdivide_to_size(mesh.vertices, mesh.faces, max_edge=4.0,
                                                        max_iter=12)
                self._clouds[name] = np.asarray(v, float)
            out.append(self._clouds[name])
        return np.vstack(out)

    # derived places
    @property
    def hip(self) -> np.ndarray:
        """Centre of the left femoral head (body plan)."""
        return body_plan.hip_joint_centre("left", self.stature)

    @property
    def thigh(self) -> Segment:
        """The femoral shaft's axis, from the level of the head centre (t=0) to the knee (t=1).

        The shaft lies lateral to the head, so the axis is fitted to the shaft: the centroids of
        the femur's surface in two slabs (below the lesser trochanter and above the condyles),
        extended up to the head's height and down to the epicondyles' level."""
        if "_thigh" not in self.__dict__:
            knee = (self.lm("femur_lateral_epicondyle") + self.lm("femur_medial_epicondyle")) / 2
            pts = self.cloud("femur_left")
            span = self.hip[2] - knee[2]
            centres = []
            for f in (0.25, 0.7):
                z = self.hip[2] - f * span
                centres.append(pts[np.abs(pts[:, 2] - z) < 6.0].mean(axis=0))
            a, c = centres
            d = (c - a) / (c[2] - a[2])
            top = a + d * (self.hip[2] - a[2])
            bottom = a + d * (knee[2] - a[2])
            self.__dict__["_thigh"] = Segment(top, bottom)
        return self.__dict__["_thigh"]

    @property
    def leg(self) -> Segment:
        ankle = (self.lm("lateral_malleolus") + self.lm("medial_malleolus")) / 2
        knee = (self.lm("femur_lateral_epicondyle") + self.lm("femur_medial_epicondyle")) / 2
        return Segment(knee, ankle)

    @property
    def arm(self) -> Segment:
        elbow = (self.lm("lateral_epicondyle") + self.lm("medial_epicondyle")) / 2
        return Segment(self.lm("humerus_head"), elbow)

    @property
    def forearm(self) -> Segment:
        wrist = (self.lm("radial_styloid") + self.lm("ulnar_styloid")) / 2
        return Segment(self.arm.bottom, wrist)

    def surf(self, seg: Segment, t: float, degrees: float, over: tuple[str, ...],
             offset: float = 0.0, radius: float = 6.0) -> np.ndarray:
        """Point on ``seg`` at ``t`` pushed out towards ``degrees`` until it clears ``over``,
        then ``offset`` mm further."""
        d = seg.direction(degrees)
        return _lift(seg.point(t), d, self.cloud(*over), radius) + offset * d

    def lift(self, p, direction, over: tuple[str, ...], offset: float = 0.0,
             radius: float = 6.0) -> np.ndarray:
        d = _unit(direction)
        return _lift(np.asarray(p, float), d, self.cloud(*over), radius) + offset * d

    def on(self, role: str, bone: str, near, what: str) -> np.ndarray:
        """Record an attachment on ``bone`` at the surface point nearest ``near``; return it."""
        mesh = self.bone(bone)
        near = np.atleast_2d(np.asarray(near, float))
        closest, _, _ = trimesh.proximity.closest_point(mesh, near)
        p = closest[0]
        self.attachments.append(Attachment(role, bone, p, f"on {bone}: {what}"))
        return p

    def anchor(self, p, bones: tuple[str, ...], radius: float) -> np.ndarray:
        """The point ``radius`` mm out from the nearest of ``bones``, along the outward normal at
        the surface point nearest ``p`` (smoothed over 8 mm): the centre of an attachment end that
        rests on its bone, so carving neither cuts it off nor adds the bone's detail to it."""
        p = np.asarray(p, float)
        best = None
        for name in bones:
            mesh = self.bone(name)
            closest, dist, _ = trimesh.proximity.closest_point(mesh, p[None])
            if best is None or dist[0] < best[1]:
                best = (mesh, dist[0], closest[0])
        mesh, _, q = best
        near = np.linalg.norm(mesh.vertices - q, axis=1) < 8.0
        normal = mesh.vertex_normals[near].mean(axis=0) if near.any() else mesh.vertex_normals[
            np.argmin(np.linalg.norm(mesh.vertices - q, axis=1))]
        return q + _unit(normal) * radius

    def belly(self, points, radii, segments: int = 12) -> Manifold:
        """A smooth belly through control points with a radius at each, kept clear of
        :attr:`avoid` between its two attachment ends."""
        path, r = _belly_path(points, radii)
        path[1:-1] = _clear(path[1:-1], r[1:-1], self._avoid_near(path))
        return muscle_shapes.belly(path, r, segments)

    def sheet(self, lines, thickness, columns: int = 6) -> Manifold:
        """A sheet through lines (origin ... insertion), its inner lines kept clear of
        :attr:`avoid`."""
        grid, th = _densify(list(lines), thickness, columns)
        for k in range(1, len(grid) - 1):
            grid[k] = _clear(grid[k], np.full(len(grid[k]), th[k] / 2),
                             self._avoid_near(np.vstack(grid)))
        return muscle_shapes.sheet(grid, th, columns)

    def _avoid_near(self, points: np.ndarray) -> trimesh.Trimesh | None:
        lo, hi = points.min(axis=0) - 30.0, points.max(axis=0) + 30.0
        near = [m for m in self.avoid if _near(np.array([lo, hi]), np.asarray(m.bounds), 0.0)]
        return trimesh.util.concatenate(near) if near else None

    def hug(self, points, bone: str, distance: float) -> np.ndarray:
        """Bring points to ``distance`` mm from the nearest surface of ``bone`` (same side)."""
        pts = np.atleast_2d(np.asarray(points, float))
        closest, _, _ = trimesh.proximity.closest_point(self.bone(bone), pts)
        away = pts - closest
        norm = np.linalg.norm(away, axis=1, keepdims=True)
        norm[norm == 0] = 1.0
        return closest + away / norm * distance

    def lesser_trochanter(self) -> np.ndarray:
        """Most postero-medial femur surface 55 mm below the head centre along the thigh axis."""
        th = self.thigh
        t = 55.0 / np.linalg.norm(th.bottom - th.top)
        return self.surf(th, t, -135.0, ("femur_left",), radius=5.0)

    def ilium(self) -> tuple[np.ndarray, np.ndarray]:
        """Centroid and outward (gluteal-surface) normal of the iliac wing (plane fit)."""
        pts = self.cloud("hip_bone_left")
        wing = pts[pts[:, 2] > self.hip[2] + 35.0]
        c = wing.mean(axis=0)
        _, _, vt = np.linalg.svd(wing - c, full_matrices=False)
        n = vt[2]
        if np.dot(n, _unit([1.0, 0.6, 0.0])) < 0:
            n = -n
        return c, n

    def crest(self, u: float, drop: float = 0.0) -> np.ndarray:
        """Point along the iliac crest from ASIS (u=0) over its top (u=0.5) to PSIS (u=1),
        lowered towards the acetabulum by ``drop`` mm."""
        a, top, p = self.lm("asis"), self.lm("iliac_crest_top"), self.lm("psis")
        pt = (1 - 2 * u) * a + 2 * u * top if u <= 0.5 else (2 - 2 * u) * top + (2 * u - 1) * p
        return pt + drop * _unit(self.hip + 30.0 * _UP - pt)


def _lift(p: np.ndarray, d: np.ndarray, cloud: np.ndarray, radius: float,
          reach: float = 90.0) -> np.ndarray:
    """Move ``p`` along the unit direction ``d`` until no cloud point within ``radius`` of the
    line lies further out (the outer surface of the obstacles along ``d``)."""
    q = cloud - p
    s = q @ d
    perp = np.linalg.norm(q - np.outer(s, d), axis=1)
    mask = (perp < radius) & (s < reach)
    s_max = float(s[mask].max()) if mask.any() else 0.0
    return p + max(s_max, 0.0) * d


def _arc(b: LeftBody, seg: Segment, t: float, degrees, over, thickness: float) -> np.ndarray:
    """A line round the shaft at ``t``: one point per angle, lying on ``over`` at mid-thickness."""
    return np.array([b.surf(seg, t, a, over, offset=thickness / 2 + 0.5) for a in degrees])


def _lerp(a, b, f) -> np.ndarray:
    return np.asarray(a, float) + f * (np.asarray(b, float) - np.asarray(a, float))


def _clear(points: np.ndarray, radii: np.ndarray, avoid: trimesh.Trimesh | None) -> np.ndarray:
    """Push each point out of ``avoid`` (bones and deeper muscles) until a ball of its radius
    clears the surface, so that carving trims a belly instead of cutting it in two."""
    if avoid is None or len(points) == 0:
        return points
    pts = np.array(points, float)
    for _ in range(6):
        closest, dist, tri = trimesh.proximity.closest_point(avoid, pts)
        # inside where the point lies behind the nearest face (closed, outward-facing meshes)
        inside = np.einsum("ij,ij->i", pts - closest, avoid.face_normals[tri]) < 0
        need = radii + 0.5
        bad = inside | (dist < need)
        if not bad.any():
            break
        away = pts - closest
        norm = np.linalg.norm(away, axis=1, keepdims=True)
        norm[norm == 0] = 1.0
        away = away / norm
        away[inside] *= -1.0
        pts[bad] = closest[bad] + away[bad] * need[bad, None]
    return pts


def _belly_path(points, radii, n: int = 0) -> tuple[np.ndarray, np.ndarray]:
    pts = np.asarray(points, float)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)]) / max(seg.sum(), 1e-9)
    n = n or int(np.clip(seg.sum() / 14.0, 12, 40))
    u = np.linspace(0, 1, max(n, len(pts)))
    path = np.column_stack([np.interp(u, s, pts[:, i]) for i in range(3)])
    return path, np.interp(u, s, np.asarray(radii, float))


def _densify(lines: list[np.ndarray], thickness, columns: int):
    """Resample the lines of a sheet and put an interpolated line between each pair."""
    grid = [muscle_shapes.resample(np.atleast_2d(np.asarray(line, float)), columns + 1)
            for line in lines]
    th = np.broadcast_to(np.asarray(thickness, float), (len(lines),))
    out, out_th = [grid[0]], [th[0]]
    for k in range(1, len(grid)):
        out += [(grid[k - 1] + grid[k]) / 2, grid[k]]
        out_th += [(th[k - 1] + th[k]) / 2, th[k]]
    return out, out_th


# --------------------------------------------------------------------------------------------
# Hip# --------------------------------------------------------------------------------------------
# Hip


def _psoas_major(b: LeftBody) -> Shape:
    src = "gray42"
    pts, radii = [], []
    for level, r in (("T12", 6.0), ("L1", 9.0), ("L2", 13.0), ("L3", 16.0), ("L4", 18.0),
                     ("L5", 19.0)):
        c = b.lm(f"{level}_body_center")
        side = b.lift(c, [1.0, -0.35, 0.0], (level,), radius=8.0)
        b.on("origin", level, side, f"side of the {level} body, lateral from {level}_body_center "
             f"({src})")
        if level in ("L1", "L5"):
            tip = b.lm(f"{level}_transverse_tip")
            root = b.lift(_lerp(c, tip, 0.6), _ANTERIOR, (level,), radius=4.0)
            b.on("origin", level, root, f"front of the transverse process, 0.6 of the way from "
                 f"{level}_body_center to {level}_transverse_tip_left ({src})")
        pts.append(side + (r + 1.0) * _unit([1.0, -0.35, 0.0]))
        radii.append(r)
    hip = b.hip
    brim = b.lift(hip - 18.0 * _LATERAL + 25.0 * _UP, _ANTERIOR, ("hip_bone_left", "femur_left"),
                  offset=14.0, radius=12.0)
    lt = b.lesser_trochanter()
    below = b.lift(_lerp(brim, lt, 0.55), [-0.6, -1.0, 0.0], ("femur_left", "hip_bone_left"),
                   offset=9.0, radius=8.0)
    ins = b.on("insertion", "femur_left", lt, "lesser trochanter, derived: most postero-medial "
               "femur surface 55 mm below the head centre (gray42)")
    solid = b.belly(pts + [brim, below, ins], radii + [14.0, 9.0, 4.0])
    return Shape(solid)


def _iliacus(b: LeftBody) -> Shape:
    c, n_out = b.ilium()
    n_in = -n_out
    us = np.linspace(0.04, 0.78, 6)
    origin_line = b.hug(muscle_shapes.resample(np.array(
        [b.lift(b.crest(u, 12.0), n_in, ("hip_bone_left",), 4.0) for u in us]), 6),
        "hip_bone_left", 4.0)
    fossa = np.array([b.lift(_lerp(b.crest(u, 12.0), b.hip + 35 * _UP, 0.55), n_in,
                             ("hip_bone_left",), 7.0) for u in us])
    lt = b.lesser_trochanter()
    ins = b.on("insertion", "femur_left", lt - 8.0 * _UP,
               "just below the lesser trochanter (derived, see psoas_major) (gray42)")
    brim = b.lift(b.hip + 8.0 * _LATERAL + 30.0 * _UP, _ANTERIOR, ("hip_bone_left", "femur_left",
                                                                  "psoas_major"), offset=9.0,
                  radius=10.0)
    b.on("origin", "hip_bone_left", origin_line[0], "iliac fossa below the inner lip of the crest "
         "behind asis_left (gray42)")
    b.on("origin", "hip_bone_left", origin_line[2], "iliac fossa below the inner lip of the crest "
         "near iliac_crest_top_left (gray42)")
    brim_line = np.array([brim + 12.0 * _LATERAL, brim - 6.0 * _LATERAL])
    below = b.lift(_lerp(brim, ins, 0.55), [-0.3, -1.0, 0.0], ("femur_left", "hip_bone_left"),
                   offset=7.0, radius=8.0)
    solid = b.sheet([origin_line, fossa, brim_line, [below], [ins]],
                                [7.0, 12.0, 14.0, 10.0, 5.0], columns=5)
    return Shape(solid)


PIRIFORMIS_ROWS = (0.0, 0.28, 0.5, 0.75, 1.0)
"""Where the rows of piriformis lie along its path from the sacrum (0) through the greater sciatic
notch (0.5) to the trochanter (1)."""

PIRIFORMIS_THICKNESS = (9.0, 16.0, 18.0, 13.0, 6.0)
"""Full thickness (mm) of piriformis at each of :data:`PIRIFORMIS_ROWS`: a pear, thickest where it
fills the notch (Gray's Anatomy 42nd ed.); values chosen by measuring against the BodyParts3D
reference."""

PIRIFORMIS_HEIGHTS = (0.0, 30.0, 26.0, 16.0, 0.0)
"""Height (mm) of the belly at the inner rows of :data:`PIRIFORMIS_ROWS` (the first row is the
S2-S4 origin line, the last the tendon); within the notch the notch's own height bounds it.
Chosen by measuring against the BodyParts3D reference."""


def _notch_path(b: LeftBody, start: np.ndarray, end: np.ndarray, bones: tuple[str, ...],
                step: float = 6.0, reach: int = 5, clearance: float = 8.0) -> np.ndarray:
    """The point through which the bent path start -> point -> end keeps furthest from the
    surface of ``bones``: where a muscle leaves the pelvis through an opening (the greater sciatic
    notch). Searched on a ``step`` mm lattice round the path's midpoint; of the paths that keep
    ``clearance`` mm from the bones' surface, the least bent."""
    tree = cKDTree(b.cloud(*bones))
    mid = _lerp(start, end, 0.45)
    g = np.arange(-reach, reach + 1) * step
    vias = np.array([mid + [dx, dy, dz] for dx in g for dy in g for dz in g])
    t = np.linspace(0.15, 0.85, 6)[None, :, None]
    paths = np.concatenate([start + t * (vias[:, None] - start),
                            vias[:, None] + t * (end - vias[:, None])], axis=1)
    clear = tree.query(paths.reshape(-1, 3))[0].reshape(len(vias), -1).min(axis=1)
    # the least bent of the paths that clear the bones by ``clearance`` (or the clearest)
    ok = clear >= min(clearance, clear.max())
    bend = np.linalg.norm(vias - mid, axis=1)
    best = vias[ok][np.argmin(bend[ok])]
    return best


def _piriformis(b: LeftBody) -> Shape:
    s1 = b.ctx.layout.s1 if hasattr(b.ctx, "layout") else body_plan.spine_layout(b.stature).s1
    ant = _unit(-s1.axes[1] * [1.0, 1.0, 0.0])  # forwards, out of the pelvic surface of the sacrum
    origin = []
    for i in (2, 3, 4):
        f = b.lm(f"sacral_foramen_S{i}")
        origin.append(b.lift(f + 6.0 * _LATERAL, ant, ("sacrum",), offset=2.0, radius=4.0))
    b.on("origin", "sacrum", origin[1], "pelvic surface of S2-S4 lateral to the foramina, in "
         "front of sacral_foramen_S2..S4 (gray42)")
    origin = np.array(origin)
    gt = b.lm("greater_trochanter")
    ins = b.on("insertion", "femur_left", gt + 10.0 * _UP - 8.0 * _LATERAL,
               "upper border of the greater trochanter, from greater_trochanter_left (gray42)")
    start = origin.mean(axis=0)
    notch = _notch_path(b, start, ins, ("hip_bone_left", "sacrum"))
    # one smooth curve (a quadratic Bezier through the notch at its middle), no kink
    ctrl = 2.0 * notch - (start + ins) / 2.0

    def on_curve(t: float) -> np.ndarray:
        return (1 - t) ** 2 * start + 2 * t * (1 - t) * ctrl + t ** 2 * ins

    lines = [origin]
    for t, height in zip(PIRIFORMIS_ROWS[1:-1], PIRIFORMIS_HEIGHTS[1:-1]):
        c = on_curve(t)
        lines.append(np.array([c + height / 2 * _UP, c - height / 2 * _UP]))
    # the tendon's end rests on the trochanter, so carving neither cuts it off nor leaves a gap
    lines.append(np.array([b.anchor(ins, ("femur_left",), PIRIFORMIS_THICKNESS[-1] / 2 - 0.5)]))
    return Shape(b.sheet(lines, PIRIFORMIS_THICKNESS, columns=2))


GLUTEAL_FAN_ROWS = (0.0, 0.18, 0.38, 0.58, 0.78, 1.0)
"""Where the rows of a gluteal fan lie between its origin on the ilium (0) and its insertion on
the greater trochanter (1): the fibres converge evenly, so each row is that fraction of the way
from each origin point to its share of the insertion (Gray's Anatomy 42nd ed.: a fan from the
gluteal surface to the trochanter)."""

GLUTEAL_FAN_SPREAD = (1.0, 0.85, 0.7, 0.5, 0.3, 0.0)
"""Width of each row of a gluteal fan as a fraction of its origin line (the last row is the
insertion line itself): the fan narrows steadily from its broad origin to the tendon (chosen by
measuring gluteus medius against the BodyParts3D reference: a leaf that kept its breadth over the
ilium was further from it)."""

GLUTEUS_MEDIUS_THICKNESS = (7.0, 22.0, 27.0, 25.0, 17.0, 7.0)
"""Full thickness (mm) of gluteus medius at each of :data:`GLUTEAL_FAN_ROWS`: thin at the crest
and the tendon, thickest over the middle of the ilium. Scaled so that the fan's volume is close to
the muscle's dissected mass (273.8 g, i.e. about 260 cm^3 at 1.056 g/cm^3; Ward et al. 2009,
Clin Orthop Relat Res 467:1074); the profile along the fan was chosen by measuring against the
BodyParts3D reference (``../shared/tools/fidelity.py``)."""

GLUTEUS_MEDIUS_CREST = ((0.12, 10.0), (0.32, 18.0), (0.5, 24.0), (0.68, 14.0))
"""Where gluteus medius arises along the iliac crest, as (u, mm below the crest) with u 0 at the
ASIS, 0.5 at its top and 1 at the PSIS (see :meth:`LeftBody.crest`): from just behind the
anterior superior spine to where the posterior gluteal line meets the crest; its origin then runs
down that line (Gray's Anatomy 42nd ed.). Lower under the top of the crest, so the fan's upper
border is rounded, as in the BodyParts3D reference (depths chosen by measuring against it)."""

GLUTEUS_MEDIUS_PGL = 0.25
"""The lower end of the posterior gluteal line, the fan's posterior corner: this fraction of the
way from the PSIS to the hip joint centre (the line ends above the greater sciatic notch; chosen
by measuring against the BodyParts3D reference)."""

GLUTEUS_MEDIUS_INSERTION = (5.0, 5.0, -30.0, 0.0)
"""The insertion line on the lateral surface of the greater trochanter, from the landmark
``greater_trochanter``: (mm up, mm back) of its postero-superior end and (mm up, mm forward) of its
antero-inferior end; the ridge runs obliquely down and forwards (Gray's Anatomy 42nd ed.)."""

GLUTEUS_MINIMUS_THICKNESS = (5.0, 9.0, 11.0, 11.0, 9.0, 4.0)
"""Full thickness (mm) of gluteus minimus at each of :data:`GLUTEAL_FAN_ROWS` (a thin fan deep to
medius; profile chosen by measuring against the BodyParts3D reference)."""


def _gluteal_fan(b: LeftBody, origin_line, insertion: list[np.ndarray], thickness,
                 over: tuple[str, ...], columns: int = 6, rows=GLUTEAL_FAN_ROWS) -> Manifold:
    """A fan from an origin line on the outer ilium (points near the bone, anterior to
    posterior) converging on an insertion line on the greater trochanter. Every row lies on what
    is beneath it (``over``: the ilium, then the deeper muscles) at half its thickness, lifted
    along the outward normal of the iliac wing tilted laterally towards the trochanter."""
    _, n_out = b.ilium()
    us = np.arange(columns + 1)
    origin = b.hug(np.array([b.lift(p, n_out, over, thickness[0] / 2) for p in
                             muscle_shapes.resample(np.asarray(origin_line, float), len(us))]),
                   "hip_bone_left", thickness[0] / 2 + 0.5)
    ins = muscle_shapes.resample(np.array(insertion), len(us))
    co, ci = origin.mean(axis=0), ins.mean(axis=0)
    w0 = np.linalg.norm(origin[-1] - origin[0])
    wi = max(np.linalg.norm(ins[-1] - ins[0]), 1.0)
    lines = [origin]
    for f, spread, th in zip(rows[1:-1], GLUTEAL_FAN_SPREAD[1:-1], thickness[1:-1]):
        d = _unit(n_out + f * _LATERAL)
        across = ((1 - f) * (origin - co) + f * (ins - ci) * w0 / wi) * spread
        row = _lerp(co, ci, f) + across
        lines.append(np.array([b.lift(p, d, over, th / 2, radius=8.0) for p in row]))
    lines.append(ins)
    return b.sheet(lines, thickness, columns=len(us) - 1), origin


def _gluteus_minimus(b: LeftBody) -> Shape:
    us = np.linspace(0.06, 0.62, 5)
    gt = b.lm("greater_trochanter")
    ins = [b.on("insertion", "femur_left", gt - 14.0 * _ANTERIOR * -1 + 4 * _UP,
                "anterior face of the greater trochanter, from greater_trochanter_left (gray42)")]
    ins.append(gt + 6.0 * _ANTERIOR - 6.0 * _UP + 2.0 * _LATERAL)
    solid, origin = _gluteal_fan(b, [b.crest(u, 50.0) for u in us], ins,
                                 GLUTEUS_MINIMUS_THICKNESS, ("hip_bone_left", "femur_left"),
                                 columns=len(us) - 1)
    for k, what in ((0, "anterior"), (len(us) - 1, "posterior")):
        b.on("origin", "hip_bone_left", origin[k], f"outer ilium between the anterior and "
             f"inferior gluteal lines ({what} end), below iliac_crest_top_left (gray42)")
    return Shape(solid)


def _gluteus_medius(b: LeftBody) -> Shape:
    us = GLUTEUS_MEDIUS_CREST
    pgl = _lerp(b.lm("psis"), b.hip, GLUTEUS_MEDIUS_PGL)
    gt = b.lm("greater_trochanter")
    hi, lo = (gt + GLUTEUS_MEDIUS_INSERTION[0] * _UP - GLUTEUS_MEDIUS_INSERTION[1] * _ANTERIOR,
              gt + GLUTEUS_MEDIUS_INSERTION[2] * _UP + GLUTEUS_MEDIUS_INSERTION[3] * _ANTERIOR)
    mid = b.on("insertion", "femur_left", _lerp(hi, lo, 0.5), "oblique ridge on the lateral "
               "surface of the greater trochanter, from greater_trochanter_left (gray42)")
    ins = [b.hug(hi, "femur_left", 2.0)[0], mid, b.hug(lo, "femur_left", 2.0)[0]]
    over = ("hip_bone_left", "gluteus_minimus")
    solid, origin = _gluteal_fan(b, [b.crest(u, drop) for u, drop in us] + [pgl], ins,
                                 GLUTEUS_MEDIUS_THICKNESS, over)
    for k, what in ((0, "below the outer lip of the iliac crest, behind asis_left"),
                    (3, "below the outer lip of the crest, under iliac_crest_top_left"),
                    (6, f"lower end of the posterior gluteal line, {GLUTEUS_MEDIUS_PGL:.2f} of "
                        "the way from psis_left to the hip joint centre")):
        b.on("origin", "hip_bone_left", origin[k], f"outer ilium between the anterior and "
             f"posterior gluteal lines ({what}) (gray42)")
    return Shape(solid)


GLUTEUS_MAXIMUS_ITT = (15.0, -60.0, -140.0)
"""Heights (mm, relative to the greater trochanter landmark) of the upper end, the middle and the
lower end of gluteus maximus's insertion into the iliotibial tract: the superficial three quarters
of the muscle end in the tract over and below the trochanter (Gray's Anatomy 42nd ed.); the lower
end was chosen by measuring against the BodyParts3D reference."""

GLUTEUS_MAXIMUS_CREST = (0.55, 0.8)
"""Where the upper border of gluteus maximus meets the iliac crest (u as in
:meth:`LeftBody.crest`: 0.5 the top of the crest, 1 the PSIS): the muscle arises from the ilium
behind the posterior gluteal line and the crest above it, and through the gluteal aponeurosis
over gluteus medius (Gray's Anatomy 42nd ed.)."""

GLUTEUS_MAXIMUS_TUBEROSITY = 0.28
"""Where the deep lower fibres end on the gluteal tuberosity: this fraction of the way down the
thigh's axis, on its postero-lateral side."""

GLUTEUS_MAXIMUS_THICKNESS = (8.0, 30.0, 26.0, 6.0)
"""Full thickness (mm) of gluteus maximus at its origin, two control rows and its insertion:
thickest over the upper middle of the buttock, thin at the tract. The muscle's dissected mass is
547.2 g, about 520 cm^3 at 1.056 g/cm^3 (Ward et al. 2009, Clin Orthop Relat Res 467:1074). Over
this pelvis the outline is about a third larger than the BodyParts3D reference's, and with these
thicknesses the volume is about 880 cm^3, the reference's once the size difference is taken out
(volume ratio 0.97, ``../shared/tools/fidelity.py``); the profile was chosen that way, so the
absolute volume stays above Ward's until the outline is brought to size."""


def _gluteus_maximus(b: LeftBody) -> Shape:
    """A thick rhomboid sheet from the posterior ilium, the back of the sacrum and the coccyx,
    its fibres running down and out over the trochanter into the iliotibial tract and, deep and
    low, onto the gluteal tuberosity."""
    # the upper border arises from the crest through the gluteal aponeurosis over gluteus
    # medius, so it reaches forward of the posterior gluteal line (chosen by measuring against
    # the BodyParts3D reference)
    crest_pts = [b.crest(u, 6.0) for u in GLUTEUS_MAXIMUS_CREST]
    b.on("origin", "hip_bone_left", crest_pts[0], "posterior part of the iliac crest behind "
         "iliac_crest_top_left, where the upper border arises through the gluteal aponeurosis "
         "over gluteus medius (gray42)")
    b.on("origin", "hip_bone_left", crest_pts[1], "outer ilium behind the posterior gluteal "
         "line, below the crest in front of psis_left (gray42)")
    sac = []
    for i in (1, 2, 3, 4):
        f = b.lm(f"sacral_foramen_S{i}")
        p = b.lift(f + 10.0 * _LATERAL, _unit([0.2, 1.0, 0.0]), ("sacrum",), radius=4.0)
        sac.append(p)
    b.on("origin", "sacrum", sac[2], "dorsal sacrum lateral to sacral_foramen_S3_left; "
         "median crest S3_median_crest side (gray42)")
    cx = b.lm("coccyx_tip")
    cc = b.on("origin", "coccyx", cx + 6.0 * _LATERAL,
              "side of the coccyx near coccyx_tip (gray42)")
    origin = np.array(crest_pts + sac + [cc])
    th = b.thigh
    gtub = b.on("insertion", "femur_left",
                b.surf(th, GLUTEUS_MAXIMUS_TUBEROSITY, 175.0, ("femur_left",)),
                "gluteal tuberosity, derived: postero-lateral femur "
                f"{GLUTEUS_MAXIMUS_TUBEROSITY:.2f} of the way down the thigh (gray42)")
    gt = b.lm("greater_trochanter")
    over = ("hip_bone_left", "sacrum", "coccyx", "femur_left", "gluteus_medius",
            "gluteus_minimus", "piriformis", "vastus_lateralis")
    thick = GLUTEUS_MAXIMUS_THICKNESS
    itt = [b.lift(gt + h * _UP, _unit([1.0, 0.3, 0.0]), over, offset=thick[-1] / 2 + 0.5,
                  radius=12.0) for h in GLUTEUS_MAXIMUS_ITT]
    insertion = np.array([*itt, gtub])
    # the origin line lies on the bones it arises from, so carving trims it without cutting it off
    o = np.array([b.anchor(p, ("hip_bone_left", "sacrum", "coccyx"), 6.5)
                  for p in muscle_shapes.resample(origin, 7)])
    i = muscle_shapes.resample(insertion, 7)
    mid1 = np.array([b.lift(_lerp(o[k], i[k], 0.35), _unit([0.45, 1.0, 0.0]), over,
                            thick[1] / 2, radius=12.0) for k in range(7)])
    mid2 = np.array([b.lift(_lerp(o[k], i[k], 0.7), _unit([0.8, 1.0, 0.0]), over,
                            thick[2] / 2, radius=12.0) for k in range(7)])
    solid = b.sheet([o, mid1, mid2, i], thick, columns=6)
    return Shape(solid)


TFL_END = 0.25
"""Where the fleshy belly of tensor fasciae latae ends in the iliotibial tract: this fraction of
the way down the thigh (the tract itself, a sheet of fascia, is not drawn); Gray's Anatomy 42nd
ed. has the belly end at about the junction of the upper and middle thirds of the thigh, and the
BodyParts3D reference's belly is a little shorter."""

TFL_RADII = (6.0, 11.0, 14.0, 11.0, 4.0)
"""Radii (mm) of tensor fasciae latae's belly from its origin to where it ends in the tract:
a flattened spindle about 2.5 cm thick, of the reference's volume (about 50 cm^3; measured with
``../shared/tools/fidelity.py``)."""


def _tensor_fasciae_latae(b: LeftBody) -> Shape:
    _, n_out = b.ilium()
    o = b.on("origin", "hip_bone_left", b.lift(b.crest(0.08, 8.0), n_out, ("hip_bone_left",)),
             "outer lip of the iliac crest just behind asis_left (gray42)")
    over = ("femur_left", "hip_bone_left", "gluteus_medius", "vastus_lateralis")
    th = b.thigh
    r = TFL_RADII
    pts = [o, b.lift(o - 25.0 * _UP, n_out + _LATERAL, over, r[1] - 1.0, radius=10.0),
           b.surf(th, 0.06, 45.0, over, r[2] - 2.0, radius=10.0),
           b.surf(th, 0.15, 70.0, over, r[3] - 1.0, radius=10.0),
           b.surf(th, TFL_END, 85.0, over, r[4], radius=10.0)]
    return Shape(b.belly(pts, list(r)))


# --------------------------------------------------------------------------------------------
# Thigh


def _vastus_intermedius(b: LeftBody) -> Shape:
    th = b.thigh
    over = ("femur_left",)
    angles = np.linspace(-40.0, 110.0, 6)
    rows = [_arc(b, th, t, angles, over, w) for t, w in ((0.2, 6.0), (0.4, 12.0), (0.62, 12.0),
                                                          (0.8, 9.0))]
    b.on("origin", "femur_left", rows[1][3], "anterior and lateral femoral shaft, upper part "
         "(derived on the shaft) (gray42)")
    pb = b.lm("patella_base")
    ins = b.on("insertion", "patella_left", pb + 4.0 * _UP, "base of the patella via the "
               "quadriceps tendon, from patella_base_left (gray42)")
    tendon = b.surf(th, 0.9, 20.0, ("femur_left",), 4.0)
    solid = b.sheet(rows + [np.array([tendon - 8 * _LATERAL, tendon + 8 * _LATERAL]),
                                        np.array([ins - 6 * _LATERAL, ins + 6 * _LATERAL])],
                                [6.0, 12.0, 12.0, 9.0, 6.0, 4.0], columns=6)
    return Shape(solid)


def _vastus_lateralis(b: LeftBody) -> Shape:
    th = b.thigh
    over = ("femur_left", "vastus_intermedius")
    gt = b.lm("greater_trochanter")
    rows = [_arc(b, th, t, np.linspace(a0, a1, 6), over, w)
            for t, a0, a1, w in ((0.12, 55.0, 150.0, 10.0), (0.32, 45.0, 165.0, 22.0),
                                 (0.55, 40.0, 160.0, 22.0), (0.78, 35.0, 120.0, 14.0))]
    b.on("origin", "femur_left", rows[0][2], "lateral femur below the greater trochanter, "
         "below greater_trochanter_left (gray42)")
    b.on("origin", "femur_left", rows[1][-1], "lateral lip of the linea aspera, derived on the "
         "posterolateral shaft (gray42)")
    pb = b.lm("patella_base")
    ins = b.on("insertion", "patella_left", pb + 14.0 * _LATERAL, "lateral part of the patella "
               "base, from patella_base_left (gray42)")
    solid = b.sheet(rows + [np.array([ins - 4 * _LATERAL + 8 * _UP,
                                                  ins + 8 * _LATERAL + 14 * _UP])],
                                [10.0, 22.0, 22.0, 14.0, 5.0], columns=6)
    return Shape(solid)


def _vastus_medialis(b: LeftBody) -> Shape:
    th = b.thigh
    over = ("femur_left", "vastus_intermedius")
    rows = [_arc(b, th, t, np.linspace(a0, a1, 6), over, w)
            for t, a0, a1, w in ((0.3, -40.0, -150.0, 8.0), (0.5, -35.0, -150.0, 14.0),
                                 (0.7, -25.0, -140.0, 22.0), (0.84, -15.0, -120.0, 22.0))]
    b.on("origin", "femur_left", rows[1][-1], "medial lip of the linea aspera, derived on the "
         "posteromedial shaft (gray42)")
    pb = b.lm("patella_base")
    ins = b.on("insertion", "patella_left", pb - 14.0 * _LATERAL - 8.0 * _UP, "medial border of "
               "the patella, from patella_base_left (gray42)")
    solid = b.sheet(rows + [np.array([ins + 10 * _UP, ins - 4 * _LATERAL - 6 * _UP])],
                                [8.0, 14.0, 22.0, 20.0, 6.0], columns=6)
    return Shape(solid)


def _rectus_femoris(b: LeftBody) -> Shape:
    asis = b.lm("asis")
    aiis_ref = _lerp(asis, b.hip + 30.0 * _UP + 15.0 * _ANTERIOR, 0.45)
    o = b.on("origin", "hip_bone_left", aiis_ref, "anterior inferior iliac spine, derived between "
             "asis_left and the acetabulum (gray42)")
    th = b.thigh
    over = ("femur_left", "hip_bone_left", "vastus_intermedius")
    pb = b.lm("patella_base")
    ins = b.on("insertion", "patella_left", pb + 6.0 * _ANTERIOR + 2.0 * _UP,
               "front of the patella base, from patella_base_left (gray42)")
    pts = [b.anchor(o, ("hip_bone_left",), 4.0), b.surf(th, 0.1, 10.0, over, 8.0, radius=10.0),
           b.surf(th, 0.35, 5.0, over, 16.0, radius=12.0),
           b.surf(th, 0.62, 5.0, over, 14.0, radius=12.0),
           b.surf(th, 0.85, 5.0, over, 6.0, radius=8.0), ins]
    return Shape(b.belly(pts, [3.5, 9.0, 17.0, 15.0, 6.0, 3.5]))


def _pubic(b: LeftBody, down: float, lateral: float, what: str) -> np.ndarray:
    ref = b.lm("pubic_symphysis_superior") + lateral * _LATERAL - down * _UP
    return b.on("origin", "hip_bone_left", ref, what)


def _adductor_longus(b: LeftBody) -> Shape:
    o = _pubic(b, 14.0, 22.0, "front of the pubic body below the pubic crest, from "
               "pubic_symphysis_superior (gray42)")
    th = b.thigh
    ins_pts = [b.surf(th, t, -165.0, ("femur_left",)) for t in (0.35, 0.48, 0.6)]
    b.on("insertion", "femur_left", ins_pts[1], "middle third of the linea aspera, derived on the "
         "posteromedial shaft (gray42)")
    over = ("femur_left", "vastus_medialis")
    mid = np.array([b.lift(_lerp(o, p, 0.55), _unit([-1.0, -0.4, 0.0]), over, 7.0, radius=8.0)
                    for p in ins_pts])
    solid = b.sheet([np.array([o, o - 8.0 * _UP]), mid, np.array(ins_pts)],
                                [6.0, 14.0, 5.0], columns=4)
    return Shape(solid)


def _gracilis(b: LeftBody) -> Shape:
    o = _pubic(b, 40.0, 14.0, "inferior pubic ramus near the symphysis, below "
               "pubic_symphysis_superior (gray42)")
    th, lg = b.thigh, b.leg
    over = ("femur_left", "vastus_medialis", "adductor_longus", "tibia_left")
    ins = b.on("insertion", "tibia_left", b.surf(lg, 0.1, -75.0, ("tibia_left",)),
               "upper medial tibia (pes anserinus), below tibia_medial_condyle_left (gray42)")
    pts = [o, b.lift(_lerp(o, th.point(0.3), 0.5), -_LATERAL, over, 9.0),
           b.surf(th, 0.5, -115.0, over, 10.0, radius=10.0),
           b.surf(th, 0.8, -130.0, over, 8.0, radius=10.0),
           b.surf(th, 1.0, -135.0, over, 5.0, radius=8.0), ins]
    return Shape(b.belly(pts, [3.0, 9.0, 9.0, 6.0, 3.5, 2.5]))


def _sartorius(b: LeftBody) -> Shape:
    o = b.on("origin", "hip_bone_left", b.lm("asis") - 4.0 * _UP, "anterior superior iliac "
             "spine, from asis_left (gray42)")
    th, lg = b.thigh, b.leg
    over = ("femur_left", "hip_bone_left", "vastus_medialis", "rectus_femoris",
            "adductor_longus", "vastus_intermedius", "tibia_left")
    ins = b.on("insertion", "tibia_left", b.surf(lg, 0.08, -50.0, ("tibia_left",)),
               "upper medial tibia in front of gracilis (pes anserinus), below "
               "tibia_medial_condyle_left (gray42)")
    pts = [o, b.surf(th, 0.12, 25.0, over, 6.0, radius=10.0),
           b.surf(th, 0.35, -40.0, over, 7.0, radius=10.0),
           b.surf(th, 0.62, -95.0, over, 7.0, radius=10.0),
           b.surf(th, 0.9, -130.0, over, 6.0, radius=10.0),
           b.surf(lg, 0.02, -115.0, over, 4.0, radius=8.0), ins]
    return Shape(b.belly(pts, [3.0, 7.0, 8.0, 8.0, 6.0, 4.0, 2.5]))


def _hamstring_origin(b: LeftBody, lateral: float, up: float, what: str) -> np.ndarray:
    ref = b.lm("ischial_tuberosity") + lateral * _LATERAL + up * _UP
    return b.on("origin", "hip_bone_left", ref, what)


def _semimembranosus(b: LeftBody) -> Shape:
    o = _hamstring_origin(b, 8.0, 10.0, "upper lateral facet of the ischial tuberosity, from "
                          "ischial_tuberosity_left (gray42)")
    th, lg = b.thigh, b.leg
    over = ("femur_left", "adductor_longus", "vastus_medialis", "hip_bone_left")
    ins = b.on("insertion", "tibia_left", b.surf(lg, 0.05, -140.0, ("tibia_left",)),
               "posterior medial tibial condyle, from tibia_medial_condyle_left (gray42)")
    pts = [o, b.surf(th, 0.25, -175.0, over, 6.0, radius=10.0),
           b.surf(th, 0.55, -160.0, over, 14.0, radius=12.0),
           b.surf(th, 0.8, -150.0, over, 13.0, radius=12.0),
           b.surf(th, 0.97, -155.0, over, 8.0, radius=10.0),
           b.surf(b.leg, 0.0, -150.0, over + ("tibia_left",), 6.0, radius=8.0), ins]
    return Shape(b.belly(pts, [3.0, 6.0, 14.0, 13.0, 6.0, 4.0, 3.0]))


def _semitendinosus(b: LeftBody) -> Shape:
    o = _hamstring_origin(b, -6.0, -8.0, "lower medial facet of the ischial tuberosity (common "
                          "head with biceps femoris), from ischial_tuberosity_left (gray42)")
    th, lg = b.thigh, b.leg
    over = ("femur_left", "semimembranosus", "adductor_longus", "hip_bone_left", "tibia_left")
    ins = b.on("insertion", "tibia_left", b.surf(lg, 0.12, -95.0, ("tibia_left",)),
               "upper medial tibia behind gracilis (pes anserinus), below "
               "tibia_medial_condyle_left (gray42)")
    pts = [o, b.surf(th, 0.25, -180.0, over, 10.0, radius=10.0),
           b.surf(th, 0.5, -170.0, over, 10.0, radius=10.0),
           b.surf(th, 0.8, -150.0, over, 5.0, radius=10.0),
           b.surf(lg, 0.03, -130.0, over, 3.0, radius=8.0), ins]
    return Shape(b.belly(pts, [3.5, 11.0, 9.0, 3.5, 3.0, 2.5]))


def _biceps_femoris(b: LeftBody) -> Shape:
    o = _hamstring_origin(b, 4.0, -14.0, "lower facet of the ischial tuberosity (long head, "
                          "with semitendinosus), from ischial_tuberosity_left (gray42)")
    th, lg = b.thigh, b.leg
    over = ("femur_left", "semimembranosus", "semitendinosus", "vastus_lateralis",
            "hip_bone_left")
    fh = b.lm("fibula_head")
    ins = b.on("insertion", "fibula_left", fh + 4.0 * _UP, "head of the fibula, from "
               "fibula_head_left (gray42)")
    long_head = b.belly([o, b.surf(th, 0.25, 175.0, over, 10.0, radius=10.0),
                        b.surf(th, 0.55, 160.0, over, 13.0, radius=12.0),
                        b.surf(th, 0.82, 130.0, over, 10.0, radius=10.0),
                        b.surf(th, 0.97, 115.0, over, 5.0, radius=8.0), ins],
                       [3.5, 10.0, 13.0, 10.0, 5.0, 3.0])
    sh_o = b.on("origin", "femur_left", b.surf(th, 0.6, 170.0, ("femur_left",)),
                "short head: lateral lip of the linea aspera, derived on the shaft (gray42)")
    short_head = b.belly([sh_o, b.surf(th, 0.72, 150.0, ("femur_left", "vastus_lateralis"), 8.0),
                         b.surf(th, 0.88, 125.0, ("femur_left", "vastus_lateralis"), 7.0)],
                        [4.0, 9.0, 6.0])
    return Shape(shapes.union([long_head, short_head]))


# --------------------------------------------------------------------------------------------
# Leg


def _calcaneus_back(b: LeftBody, height: float) -> np.ndarray:
    """Posterior surface of the calcaneus ``height`` mm above the heel landmark (derived)."""
    heel = b.lm("heel")
    ref = np.array([heel[0], heel[1] - 40.0, heel[2] + height])
    return b.lift(ref, -_ANTERIOR, ("foot_left",), radius=5.0)


def _metatarsal_1_base(b: LeftBody) -> tuple[np.ndarray, str]:
    """Base of the first metatarsal: its landmark, or a third of the way from
    ``metatarsal_1_head`` to ``heel`` where the foot has no such landmark."""
    try:
        return b.lm("metatarsal_1_base"), "metatarsal_1_base_left"
    except KeyError:
        head, heel = b.lm("metatarsal_1_head"), b.lm("heel")
        return (_lerp(head, heel, 0.33),
                "a third of the way from metatarsal_1_head_left to heel_left")


def _tibialis_posterior(b: LeftBody) -> Shape:
    lg = b.leg
    bones = ("tibia_left", "fibula_left")
    o = b.on("origin", "tibia_left", b.surf(lg, 0.2, 160.0, ("tibia_left",)),
             "posterior tibia, interosseous membrane and adjacent fibula, upper half "
             "(derived on the tibia) (gray42)")
    nav = b.on("insertion", "foot_left", b.lm("navicular_tuberosity"),
               "tuberosity of the navicular, from navicular_tuberosity_left (gray42)")
    mm_ = b.lm("medial_malleolus")
    behind = b.lift(mm_ - 12.0 * _UP, _unit([-0.6, 1.0, 0.0]), ("tibia_left", "foot_left"),
                    offset=4.0, radius=6.0)
    pts = [o, b.surf(lg, 0.4, 175.0, bones, 10.0, radius=10.0),
           b.surf(lg, 0.7, -170.0, bones, 6.0, radius=8.0),
           b.surf(lg, 0.9, -150.0, bones, 4.0, radius=6.0), behind,
           b.lift(_lerp(behind, nav, 0.5), -_LATERAL, ("foot_left",), offset=3.0), nav]
    return Shape(b.belly(pts, [4.0, 11.0, 7.0, 3.5, 3.0, 3.0, 3.0]))


def _soleus(b: LeftBody) -> Shape:
    lg = b.leg
    over = ("tibia_left", "fibula_left", "tibialis_posterior")
    rows = [_arc(b, lg, t, np.linspace(a0, a1, 6), over, w)
            for t, a0, a1, w in ((0.12, 115.0, 230.0, 9.0), (0.35, 110.0, 240.0, 20.0),
                                 (0.58, 120.0, 235.0, 18.0), (0.8, 150.0, 210.0, 10.0))]
    b.on("origin", "fibula_left", b.lm("fibula_head") + 10.0 * -_ANTERIOR,
         "back of the fibular head, from fibula_head_left (gray42)")
    b.on("origin", "tibia_left", b.surf(lg, 0.3, -150.0, ("tibia_left",)),
         "soleal line of the tibia, derived on the posteromedial shaft (gray42)")
    calc = b.on("insertion", "foot_left", _calcaneus_back(b, 30.0), "posterior calcaneus via "
                "the calcaneal tendon, above heel_left (gray42)")
    tendon = b.surf(lg, 0.92, 180.0, ("tibia_left", "fibula_left", "tibialis_posterior"), 8.0)
    solid = b.sheet(rows + [np.array([tendon - 6 * _LATERAL, tendon + 6 * _LATERAL]),
                                        np.array([calc - 5 * _LATERAL, calc + 5 * _LATERAL])],
                                [9.0, 20.0, 18.0, 10.0, 6.0, 4.0], columns=6)
    return Shape(solid)


def _gastrocnemius(b: LeftBody) -> Shape:
    th, lg = b.thigh, b.leg
    over = ("femur_left", "tibia_left", "fibula_left", "soleus")
    med_o = b.on("origin", "femur_left", b.surf(th, 0.9, -150.0, ("femur_left",)),
                 "medial head: back of the femur above the medial condyle, near "
                 "femur_medial_epicondyle_left (gray42)")
    lat_o = b.on("origin", "femur_left", b.surf(th, 0.91, 150.0, ("femur_left",)),
                 "lateral head: back of the lateral condyle, near femur_lateral_epicondyle_left "
                 "(gray42)")
    calc = b.on("insertion", "foot_left", _calcaneus_back(b, 14.0), "posterior calcaneus via the "
                "calcaneal (Achilles) tendon, above heel_left (gray42)")
    join = b.surf(lg, 0.6, 180.0, over, 5.0, radius=14.0)
    low = b.surf(lg, 0.88, 180.0, over, 3.5, radius=8.0)
    medial = b.belly([med_o, b.surf(lg, 0.08, -150.0, over, 14.0, radius=14.0),
                      b.surf(lg, 0.3, -160.0, over, 19.0, radius=16.0), join, low, calc],
                     [5.0, 14.0, 19.0, 6.0, 3.5, 3.5])
    lateral = b.belly([lat_o, b.surf(lg, 0.08, 150.0, over, 12.0, radius=14.0),
                       b.surf(lg, 0.27, 160.0, over, 16.0, radius=16.0), join],
                      [4.5, 12.0, 16.0, 6.0])
    return Shape(shapes.union([medial, lateral]))


def _front_of_ankle(b: LeftBody, lateral: float, offset: float, over) -> np.ndarray:
    ankle = b.leg.bottom
    return b.lift(ankle + lateral * _LATERAL + 10.0 * _UP, _unit([0.0, -1.0, 0.3]), over,
                  offset=offset, radius=5.0)


def _extensor_hallucis_longus(b: LeftBody) -> Shape:
    lg = b.leg
    bones = ("tibia_left", "fibula_left")
    o = b.on("origin", "fibula_left", b.surf(lg, 0.45, 45.0, ("fibula_left",)),
             "middle of the anterior fibula and interosseous membrane (derived) (gray42)")
    toe = b.on("insertion", "foot_left", b.lm("toe_tip_1") + 12.0 * _UP,
               "dorsum of the distal phalanx of the great toe, near toe_tip_1_left (gray42)")
    ank = _front_of_ankle(b, -2.0, 3.0, bones + ("foot_left",))
    mid_foot = b.lift(_lerp(ank, toe, 0.5), _UP, ("foot_left",), offset=3.0)
    return Shape(b.belly([o, b.surf(lg, 0.62, 30.0, bones, 8.0), b.surf(lg, 0.85, 10.0, bones, 4.0),
                         ank, mid_foot, toe], [3.5, 8.0, 5.0, 3.0, 2.5, 2.0]))


def _tibialis_anterior(b: LeftBody) -> Shape:
    lg = b.leg
    bones = ("tibia_left", "fibula_left", "extensor_hallucis_longus")
    o = b.on("origin", "tibia_left", b.surf(lg, 0.08, 50.0, ("tibia_left",)),
             "lateral condyle and upper lateral surface of the tibia (derived), near "
             "tibial_tuberosity_left (gray42)")
    mt1, mt1_from = _metatarsal_1_base(b)
    ins = b.on("insertion", "foot_left", mt1 - 6.0 * _LATERAL,
               f"medial cuneiform and base of the first metatarsal, from {mt1_from} (gray42)")
    ank = _front_of_ankle(b, -16.0, 4.0, bones + ("foot_left",))
    pts = [o, b.surf(lg, 0.3, 40.0, bones, 13.0, radius=10.0),
           b.surf(lg, 0.6, 25.0, bones, 9.0, radius=8.0),
           b.surf(lg, 0.85, 0.0, bones, 4.0, radius=6.0), ank,
           b.lift(_lerp(ank, ins, 0.5), _unit([-0.5, 0.0, 1.0]), ("foot_left",), offset=3.0), ins]
    return Shape(b.belly(pts, [4.0, 13.0, 9.0, 4.0, 3.0, 3.0, 3.0]))


def _extensor_digitorum_longus(b: LeftBody) -> Shape:
    lg = b.leg
    bones = ("tibia_left", "fibula_left", "extensor_hallucis_longus", "tibialis_anterior")
    o = b.on("origin", "fibula_left", b.lm("fibula_head") - 8.0 * _UP - 6.0 * -_ANTERIOR,
             "front of the fibular head and upper anterior fibula, from fibula_head_left "
             "(gray42)")
    toe = b.on("insertion", "foot_left", b.lm("toe_tip_3") + 10.0 * _UP + 25.0 * -_ANTERIOR,
               "dorsum of the middle phalanges of toes 2-5 (shown to the third toe), near "
               "toe_tip_3_left (gray42)")
    ank = _front_of_ankle(b, 14.0, 3.0, bones + ("foot_left",))
    mid_foot = b.lift(_lerp(ank, toe, 0.5), _UP, ("foot_left",), offset=3.0)
    pts = [o, b.surf(lg, 0.3, 75.0, bones, 9.0, radius=8.0), b.surf(lg, 0.6, 55.0, bones, 7.0),
           b.surf(lg, 0.85, 35.0, bones, 4.0), ank, mid_foot, toe]
    return Shape(b.belly(pts, [3.5, 9.0, 7.0, 3.5, 3.0, 2.5, 2.0]))


def _fibularis_longus(b: LeftBody) -> Shape:
    lg = b.leg
    bones = ("tibia_left", "fibula_left", "soleus", "extensor_digitorum_longus")
    o = b.on("origin", "fibula_left", b.lm("fibula_head") - 6.0 * _UP + 5.0 * _LATERAL,
             "lateral fibular head and upper lateral fibula, from fibula_head_left (gray42)")
    lm_ = b.lm("lateral_malleolus")
    behind = b.lift(lm_ - 14.0 * _UP, _unit([0.4, 1.0, 0.0]), ("fibula_left", "foot_left"),
                    offset=4.0)
    mt5 = b.lm("metatarsal_5_base")
    side = b.lift(mt5 + 25.0 * -_ANTERIOR, _unit([1.0, 0.0, -0.6]), ("foot_left",), offset=3.0)
    mt1, mt1_from = _metatarsal_1_base(b)
    ins = b.on("insertion", "foot_left", mt1 - 12.0 * _UP,
               f"plantar base of the first metatarsal and medial cuneiform, below {mt1_from} "
               "(gray42)")
    sole = b.lift(_lerp(side, ins, 0.5), -_UP, ("foot_left",), offset=3.0)
    pts = [o, b.surf(lg, 0.3, 100.0, bones, 10.0, radius=8.0), b.surf(lg, 0.6, 110.0, bones, 6.0),
           b.surf(lg, 0.85, 130.0, bones, 3.5), behind, side, sole, ins]
    return Shape(b.belly(pts, [4.0, 10.0, 6.0, 3.5, 3.0, 2.5, 2.5, 2.5]))


# --------------------------------------------------------------------------------------------
# Arm


def _brachialis(b: LeftBody) -> Shape:
    arm, fa = b.arm, b.forearm
    over = ("humerus_left",)
    rows = [_arc(b, arm, t, np.linspace(-60.0, 60.0, 5), over, w)
            for t, w in ((0.48, 7.0), (0.68, 14.0), (0.86, 14.0))]
    b.on("origin", "humerus_left", rows[0][2], "front of the lower half of the humerus, below "
         "deltoid_tuberosity_left (derived) (gray42)")
    ins = b.on("insertion", "ulna_left", b.surf(fa, 0.1, -20.0, ("ulna_left",)),
               "coronoid process and tuberosity of the ulna (derived on the upper ulna) (gray42)")
    cross = b.surf(arm, 1.0, -10.0, ("humerus_left", "ulna_left", "radius_left"), 7.0)
    solid = b.sheet(rows + [np.array([cross - 8 * _LATERAL, cross + 8 * _LATERAL]),
                                        np.array([ins])], [7.0, 14.0, 14.0, 10.0, 4.0], columns=5)
    return Shape(solid)


def _biceps_brachii(b: LeftBody) -> Shape:
    arm, fa = b.arm, b.forearm
    over = ("humerus_left", "brachialis", "scapula_left")
    cor = b.on("origin", "scapula_left", b.lm("coracoid_process"), "short head: tip of the "
               "coracoid process, from coracoid_process_left (gray42)")
    sgt = b.on("origin", "scapula_left", b.lm("glenoid") + 16.0 * _UP, "long head: supraglenoid "
               "tubercle, above glenoid_left (gray42)")
    ins = b.on("insertion", "radius_left", b.surf(fa, 0.14, -50.0, ("radius_left",)),
               "radial tuberosity (derived on the upper radius), deep to "
               "biceps_tendon_cubital_left (gray42)")
    groove = b.surf(arm, 0.08, 25.0, ("humerus_left",), 3.0)
    belly_top = b.surf(arm, 0.35, 0.0, over, 12.0, radius=12.0)
    belly_mid = b.surf(arm, 0.6, -5.0, over, 15.0, radius=14.0)
    low = b.surf(arm, 0.88, -10.0, over, 6.0, radius=8.0)
    cubital = b.surf(fa, 0.05, -15.0, ("radius_left", "ulna_left", "brachialis"), 4.0)
    long_head = b.belly([sgt, groove, belly_top + 6 * _LATERAL, belly_mid, low, cubital, ins],
                       [2.5, 3.0, 10.0, 15.0, 8.0, 3.5, 3.0])
    short_head = b.belly([cor, b.surf(arm, 0.2, -30.0, over, 7.0, radius=10.0),
                         belly_top - 6 * _LATERAL, belly_mid],
                        [3.0, 6.0, 10.0, 12.0])
    return Shape(shapes.union([long_head, short_head]))


def _triceps_brachii(b: LeftBody) -> Shape:
    arm = b.arm
    over = ("humerus_left",)
    rows = [_arc(b, arm, t, np.linspace(a0, a1, 5), over, w)
            for t, a0, a1, w in ((0.2, 130.0, 200.0, 8.0), (0.45, 115.0, 245.0, 14.0),
                                 (0.72, 110.0, 250.0, 14.0), (0.9, 140.0, 220.0, 10.0))]
    b.on("origin", "humerus_left", rows[0][2], "lateral head: posterior humerus above the radial "
         "groove (derived) (gray42)")
    b.on("origin", "humerus_left", rows[2][2], "medial head: posterior humerus below the radial "
         "groove (derived) (gray42)")
    ol = b.on("insertion", "ulna_left", b.lm("olecranon") + 6.0 * _UP, "upper surface of the "
              "olecranon, from olecranon_left (gray42)")
    heads = b.sheet(rows + [np.array([ol - 7 * _LATERAL, ol + 7 * _LATERAL])],
                                [8.0, 14.0, 14.0, 10.0, 5.0], columns=5)
    igt = b.on("origin", "scapula_left", b.lm("glenoid") - 18.0 * _UP + 4.0 * -_ANTERIOR,
               "long head: infraglenoid tubercle, below glenoid_left (gray42)")
    over2 = ("humerus_left", "scapula_left")
    long_head = b.belly([igt, b.surf(arm, 0.25, -165.0, over2, 16.0, radius=12.0),
                        b.surf(arm, 0.5, -175.0, over2, 22.0, radius=12.0),
                        b.surf(arm, 0.8, 180.0, over2, 14.0, radius=10.0), ol],
                       [3.5, 10.0, 13.0, 9.0, 4.0])
    return Shape(shapes.union([heads, long_head]))


def _epicondyle_origin(b: LeftBody, which: str, shift, what: str) -> np.ndarray:
    name = f"{which}_epicondyle"
    return b.on("origin", "humerus_left", b.lm(name) + np.asarray(shift, float),
                f"{what}, from {name}_left (gray42)")


_FOREARM_BONES = ("radius_left", "ulna_left")


def _forearm_muscle(b: LeftBody, origin, stations, end_path, end_radii,
                    over=_FOREARM_BONES) -> Manifold:
    """A fusiform forearm muscle: origin, (t, degrees, offset, radius) stations, tendon path."""
    fa = b.forearm
    pts = [origin] + [b.surf(fa, t, a, over, off, radius=8.0) for t, a, off, _ in stations]
    radii = [3.0] + [r for *_, r in stations]
    return b.belly(pts + list(end_path), radii + list(end_radii))


def _hand_point(b: LeftBody, role: str, base: str, shift, what: str) -> np.ndarray:
    return b.on(role, "hand_left", b.lm(base) + np.asarray(shift, float),
                f"{what}, near {base}_left (gray42)")


def _wrist(b: LeftBody, degrees: float, offset: float = 3.0) -> np.ndarray:
    return b.surf(b.forearm, 0.97, degrees, _FOREARM_BONES + ("hand_left",), offset, radius=5.0)


def _brachioradialis(b: LeftBody) -> Shape:
    o = b.on("origin", "humerus_left", b.surf(b.arm, 0.72, 90.0, ("humerus_left",)),
             "upper lateral supracondylar ridge of the humerus (derived) (gray42)")
    ins = b.on("insertion", "radius_left", b.lm("radial_styloid") + 12.0 * _UP,
               "base of the radial styloid process, from radial_styloid_left (gray42)")
    over = ("humerus_left",) + _FOREARM_BONES + ("brachialis", "extensor_carpi_radialis_longus")
    arm_pt = b.surf(b.arm, 0.9, 70.0, over, 9.0, radius=10.0)
    solid = b.belly([o, arm_pt] + [b.surf(b.forearm, t, a, over, off, radius=10.0)
                                  for t, a, off in ((0.15, 60.0, 12.0), (0.4, 75.0, 7.0),
                                                    (0.75, 85.0, 3.5))] + [ins],
                   [3.0, 9.0, 12.0, 7.0, 3.0, 2.5])
    return Shape(solid)


def _extensor_carpi_radialis_longus(b: LeftBody) -> Shape:
    o = b.on("origin", "humerus_left", b.surf(b.arm, 0.86, 100.0, ("humerus_left",)),
             "lower lateral supracondylar ridge of the humerus (derived), above "
             "lateral_epicondyle_left (gray42)")
    ins = _hand_point(b, "insertion", "metacarpal_2_mid", 25.0 * _UP + 6.0 * -_ANTERIOR,
                      "dorsal base of the second metacarpal")
    solid = _forearm_muscle(b, o, [(0.12, 105.0, 9.0, 9.0), (0.4, 120.0, 5.0, 5.0),
                                   (0.75, 135.0, 3.0, 2.5)], [_wrist(b, 150.0), ins],
                            [2.5, 2.5])
    return Shape(solid)


def _extensor_carpi_radialis_brevis(b: LeftBody) -> Shape:
    o = _epicondyle_origin(b, "lateral", 4.0 * _UP - 3.0 * _ANTERIOR * -1,
                           "common extensor origin on the lateral epicondyle (front)")
    ins = _hand_point(b, "insertion", "metacarpal_2_mid", 25.0 * _UP - 14.0 * _LATERAL
                      + 6.0 * -_ANTERIOR, "dorsal base of the third metacarpal")
    over = _FOREARM_BONES + ("extensor_carpi_radialis_longus",)
    solid = _forearm_muscle(b, o, [(0.18, 140.0, 9.0, 9.0), (0.45, 150.0, 6.0, 6.0),
                                   (0.78, 160.0, 3.0, 2.5)], [_wrist(b, 165.0), ins],
                            [2.5, 2.5], over=over)
    return Shape(solid)


def _extensor_digitorum(b: LeftBody) -> Shape:
    o = _epicondyle_origin(b, "lateral", -6.0 * _UP + 4.0 * -_ANTERIOR,
                           "common extensor origin on the lateral epicondyle")
    ins = _hand_point(b, "insertion", "metacarpal_2_mid", -20.0 * _UP - 18.0 * _LATERAL
                      + 6.0 * -_ANTERIOR, "dorsal expansions of the fingers (shown to the "
                      "middle finger's metacarpophalangeal joint)")
    solid = _forearm_muscle(b, o, [(0.2, 175.0, 10.0, 10.0), (0.5, 180.0, 7.0, 7.0),
                                   (0.82, 182.0, 3.0, 3.0)], [_wrist(b, 185.0), ins],
                            [3.0, 2.5])
    return Shape(solid)


def _extensor_carpi_ulnaris(b: LeftBody) -> Shape:
    o = _epicondyle_origin(b, "lateral", -10.0 * _UP - 6.0 * _LATERAL + 6.0 * -_ANTERIOR,
                           "common extensor origin on the back of the lateral epicondyle")
    ins = _hand_point(b, "insertion", "metacarpal_5_head", 45.0 * _UP + 5.0 * -_ANTERIOR,
                      "dorsal-ulnar base of the fifth metacarpal")
    solid = _forearm_muscle(b, o, [(0.2, 205.0, 9.0, 8.0), (0.5, 220.0, 6.0, 6.0),
                                   (0.82, 235.0, 3.0, 2.5)], [_wrist(b, 240.0), ins],
                            [2.5, 2.5])
    return Shape(solid)


def _flexor_digitorum_superficialis(b: LeftBody) -> Shape:
    o = _epicondyle_origin(b, "medial", -10.0 * _UP + 3.0 * _ANTERIOR,
                           "common flexor origin on the medial epicondyle (lower part)")
    b.on("origin", "radius_left", b.surf(b.forearm, 0.35, -10.0, ("radius_left",)),
         "radial head: anterior oblique line of the radius (derived) (gray42)")
    ins = _hand_point(b, "insertion", "palm_center", -10.0 * _UP + 4.0 * _ANTERIOR,
                      "palmar middle phalanges of fingers 2-5 (shown into the palm)")
    solid = _forearm_muscle(b, o, [(0.22, -40.0, 9.0, 10.0), (0.5, -20.0, 10.0, 11.0),
                                   (0.8, -5.0, 5.0, 5.0)], [_wrist(b, 0.0, 4.0), ins],
                            [3.0, 2.5])
    return Shape(solid)


def _flexor_carpi_radialis(b: LeftBody) -> Shape:
    o = _epicondyle_origin(b, "medial", 4.0 * _UP + 6.0 * _ANTERIOR + 4.0 * _LATERAL,
                           "common flexor origin on the front of the medial epicondyle")
    ins = _hand_point(b, "insertion", "metacarpal_2_mid", 25.0 * _UP + 6.0 * _ANTERIOR,
                      "palmar base of the second metacarpal")
    over = _FOREARM_BONES + ("flexor_digitorum_superficialis",)
    solid = _forearm_muscle(b, o, [(0.2, -15.0, 8.0, 8.0), (0.5, 5.0, 5.0, 6.0),
                                   (0.8, 25.0, 3.0, 2.5)], [_wrist(b, 30.0, 5.0), ins],
                            [2.5, 2.5], over=over)
    return Shape(solid)


def _pronator_teres(b: LeftBody) -> Shape:
    o = _epicondyle_origin(b, "medial", 12.0 * _UP + 4.0 * _ANTERIOR,
                           "humeral head: above the medial epicondyle")
    ins = b.on("insertion", "radius_left", b.surf(b.forearm, 0.45, 100.0, ("radius_left",)),
               "middle of the lateral surface of the radius (derived) (gray42)")
    over = _FOREARM_BONES + ("flexor_digitorum_superficialis", "brachialis")
    fa = b.forearm
    pts = [o, b.surf(fa, 0.12, -20.0, over, 8.0, radius=8.0),
           b.surf(fa, 0.28, 30.0, over, 6.0, radius=8.0),
           b.surf(fa, 0.4, 75.0, ("radius_left",), 3.0), ins]
    return Shape(b.belly(pts, [3.0, 9.0, 8.0, 4.0, 2.5]))


def _flexor_carpi_ulnaris(b: LeftBody) -> Shape:
    o = _epicondyle_origin(b, "medial", -4.0 * _UP - 6.0 * _LATERAL + 6.0 * -_ANTERIOR,
                           "humeral head: back of the medial epicondyle")
    uh = b.on("origin", "ulna_left", b.lm("olecranon") - 10.0 * _LATERAL - 10.0 * _UP,
              "ulnar head: medial margin of the olecranon, from olecranon_left (gray42)")
    ins = b.on("insertion", "hand_left", b.lm("pisiform"), "pisiform, from pisiform_left (gray42)")
    over = _FOREARM_BONES + ("flexor_digitorum_superficialis",)
    solid = _forearm_muscle(b, o, [(0.2, -100.0, 9.0, 9.0), (0.5, -95.0, 7.0, 7.0),
                                   (0.82, -80.0, 3.0, 3.0)], [_wrist(b, -70.0, 3.0), ins],
                            [2.5, 2.5], over=over)
    ulnar_head = b.belly([uh, b.surf(b.forearm, 0.2, -100.0, over, 9.0, radius=8.0)], [3.0, 8.0])
    return Shape(shapes.union([solid, ulnar_head]))


# --------------------------------------------------------------------------------------------
# The table


@dataclass(frozen=True)
class MuscleSpec:
    """One muscle: id, registry group, build function and the deeper muscles it is carved with.

    The table is in build order: a muscle may only be carved with (and laid over) muscles above it.
    """

    muscle: str
    group: str
    build: Callable[[LeftBody], Shape]
    carved_with: tuple[str, ...] = ()
    budget: int = TRIANGLE_BUDGET


SPECS: tuple[MuscleSpec, ...] = (
    # hip, deep to superficial
    MuscleSpec("psoas_major", "hip_muscles", _psoas_major),
    MuscleSpec("iliacus", "hip_muscles", _iliacus),
    MuscleSpec("piriformis", "hip_muscles", _piriformis, budget=2500),
    MuscleSpec("gluteus_minimus", "hip_muscles", _gluteus_minimus),
    # gluteus maximus is carved with medius over their whole contact, and takes medius's facets
    # there: a coarser medius keeps maximus within its budget
    MuscleSpec("gluteus_medius", "hip_muscles", _gluteus_medius, ("gluteus_minimus", "piriformis"),
               budget=1000),
    # thigh
    MuscleSpec("vastus_intermedius", "leg_muscles", _vastus_intermedius),
    MuscleSpec("vastus_lateralis", "leg_muscles", _vastus_lateralis, ("vastus_intermedius",)),
    MuscleSpec("vastus_medialis", "leg_muscles", _vastus_medialis, ("vastus_intermedius",)),
    MuscleSpec("rectus_femoris", "leg_muscles", _rectus_femoris,
               ("vastus_intermedius", "vastus_lateralis", "vastus_medialis")),
    MuscleSpec("adductor_longus", "leg_muscles", _adductor_longus),
    MuscleSpec("gracilis", "leg_muscles", _gracilis, ("adductor_longus",)),
    MuscleSpec("semimembranosus", "leg_muscles", _semimembranosus),
    MuscleSpec("semitendinosus", "leg_muscles", _semitendinosus, ("semimembranosus",)),
    MuscleSpec("biceps_femoris", "leg_muscles", _biceps_femoris,
               ("semimembranosus", "vastus_lateralis")),
    MuscleSpec("sartorius", "leg_muscles", _sartorius,
               ("rectus_femoris", "vastus_medialis", "adductor_longus")),
    MuscleSpec("tensor_fasciae_latae", "hip_muscles", _tensor_fasciae_latae,
               ("vastus_lateralis", "rectus_femoris")),
    MuscleSpec("gluteus_maximus", "hip_muscles", _gluteus_maximus,
               ("gluteus_medius", "gluteus_minimus", "piriformis", "biceps_femoris",
                "semitendinosus", "semimembranosus"), budget=5000),
    # leg
    MuscleSpec("tibialis_posterior", "leg_muscles", _tibialis_posterior),
    MuscleSpec("soleus", "leg_muscles", _soleus, ("tibialis_posterior",)),
    MuscleSpec("gastrocnemius", "leg_muscles", _gastrocnemius, ("soleus",)),
    MuscleSpec("extensor_hallucis_longus", "leg_muscles", _extensor_hallucis_longus),
    MuscleSpec("tibialis_anterior", "leg_muscles", _tibialis_anterior,
               ("extensor_hallucis_longus",)),
    MuscleSpec("extensor_digitorum_longus", "leg_muscles", _extensor_digitorum_longus,
               ("extensor_hallucis_longus", "tibialis_anterior")),
    MuscleSpec("fibularis_longus", "leg_muscles", _fibularis_longus,
               ("extensor_digitorum_longus", "soleus")),
    # arm
    MuscleSpec("brachialis", "arm_muscles", _brachialis),
    MuscleSpec("biceps_brachii", "arm_muscles", _biceps_brachii, ("brachialis",)),
    MuscleSpec("triceps_brachii", "arm_muscles", _triceps_brachii),
    MuscleSpec("flexor_digitorum_superficialis", "arm_muscles", _flexor_digitorum_superficialis),
    MuscleSpec("flexor_carpi_radialis", "arm_muscles", _flexor_carpi_radialis,
               ("flexor_digitorum_superficialis",)),
    MuscleSpec("pronator_teres", "arm_muscles", _pronator_teres,
               ("flexor_digitorum_superficialis",)),
    MuscleSpec("flexor_carpi_ulnaris", "arm_muscles", _flexor_carpi_ulnaris,
               ("flexor_digitorum_superficialis",)),
    MuscleSpec("extensor_carpi_radialis_longus", "arm_muscles", _extensor_carpi_radialis_longus),
    MuscleSpec("extensor_carpi_radialis_brevis", "arm_muscles", _extensor_carpi_radialis_brevis),
    MuscleSpec("brachioradialis", "arm_muscles", _brachioradialis,
               ("extensor_carpi_radialis_longus",)),
    MuscleSpec("extensor_digitorum", "arm_muscles", _extensor_digitorum),
    MuscleSpec("extensor_carpi_ulnaris", "arm_muscles", _extensor_carpi_ulnaris),
)
"""Every muscle this module builds, deep before superficial within each region."""

MUSCLE_IDS: tuple[str, ...] = tuple(s.muscle for s in SPECS)


# --------------------------------------------------------------------------------------------
# Carving, budget, colour, parts


def _as_manifold(mesh: trimesh.Trimesh, name: str) -> Manifold:
    solid = Manifold(mf.Mesh(vert_properties=np.asarray(mesh.vertices, np.float32),
                             tri_verts=np.asarray(mesh.faces, np.uint32)))
    if solid.is_empty():
        raise ValueError(f"{name}: mesh is not a closed manifold, cannot carve muscles with it")
    return solid


MUSCLE_GAP = 0.05
"""mm between a muscle and the deeper muscles it is carved with: the carved surfaces would
otherwise coincide over the whole contact (gluteus maximus over medius: about 150 cm^2), and
vertices rounded to float32 on either side overlap by a few mm^3 in all."""


def _grown(mesh: trimesh.Trimesh, distance: float) -> trimesh.Trimesh:
    """``mesh`` with every vertex moved ``distance`` mm out along its normal (same topology)."""
    return trimesh.Trimesh(mesh.vertices + distance * mesh.vertex_normals, mesh.faces,
                           process=False)


def _near(mesh_bounds: np.ndarray, other: np.ndarray, margin: float = 5.0) -> bool:
    return bool(np.all(mesh_bounds[0] - margin <= other[1]) and
                np.all(other[0] <= mesh_bounds[1] + margin))


def _finish(solid: Manifold, obstacles: list[tuple[np.ndarray, Manifold]], name: str,
            budget: int = TRIANGLE_BUDGET) -> trimesh.Trimesh:
    """Decimate the raw shape, then carve it once, so that the final mesh never enters an
    obstacle; decimate harder and carve again from the raw shape while over the budget."""
    raw = shapes.to_trimesh(solid)
    lo, hi = np.asarray(raw.bounds)
    near = [m for bounds, m in obstacles if _near(np.array([lo, hi]), bounds)]
    target = budget - 300
    for _ in range(6):
        carved = muscle_shapes.carve(_as_manifold(shapes.decimate(raw, target), name), near)
        if carved.is_empty():
            raise ValueError(f"{name}: nothing is left after carving the bones away")
        if carved.num_tri() <= budget:
            break
        target = int(target * 0.8)
    for _ in range(3):
        # Carving against a detailed bone adds its triangles: decimate the carved muscle and
        # carve once more (only the slivers that decimation pushed into bone are cut again).
        if carved.num_tri() <= budget:
            break
        again = shapes.decimate(_manifold_to_trimesh(carved), budget - 300)
        carved = muscle_shapes.carve(_as_manifold(again, name), near)
    return _manifold_to_trimesh(carved)


def _manifold_to_trimesh(solid: Manifold) -> trimesh.Trimesh:
    """Keep manifold3d's own vertex indexing, so that a pinch where two surfaces touch stays two
    vertices and the mesh stays 2-manifold (watertight)."""
    mesh = solid.to_mesh()
    return trimesh.Trimesh(np.asarray(mesh.vert_properties, float)[:, :3],
                           np.asarray(mesh.tri_verts, np.int64), process=False)


def muscle_color(index: int) -> str:
    """A red-brown shade that differs a little from its neighbours in the table."""
    hue = (2.0 + (index * 5) % 14) / 360.0
    light = 0.40 + ((index * 7) % 11) / 60.0
    sat = 0.42 + ((index * 3) % 5) / 25.0
    r, g, bb = colorsys.hls_to_rgb(hue, light, sat)
    return "#{:02x}{:02x}{:02x}".format(round(r * 255), round(g * 255), round(bb * 255))


def _display_name(muscle: str) -> str:
    return muscle.replace("_", " ").capitalize()


def _landmarks(muscle: str, attachments: list[Attachment], side: str) -> dict[str, Landmark]:
    out: dict[str, Landmark] = {}
    counts = {"origin": 0, "insertion": 0}
    for a in attachments:
        counts[a.role] += 1
        pos, method = a.position, a.method
        if side == "right":
            pos = mirror_point(pos)
            method = method.replace("_left", "_right")
        out[f"{muscle}_{a.role}_{counts[a.role]}_{side}"] = Landmark(np.asarray(pos, float), method)
    return out


def build_parts(ctx) -> list[Part]:
    """Build every hip and limb muscle on both sides.

    Parameters
    ----------
    ctx : viewer.anatomy.build.BuildContext
        Must hold the spine (T12-L5, sacrum, coccyx), the left and right hip bones and the bones
        of both limbs with their landmarks.

    Returns
    -------
    list of Part
        ``<muscle>_left`` and ``<muscle>_right`` for every id in :data:`MUSCLE_IDS`.

    Raises
    ------
    KeyError
        Naming a bone or landmark the context lacks.
    """
    stature = getattr(ctx, "stature", 1750.0)
    body = LeftBody(ctx, stature)
    bone_names = ["T12", "L1", "L2", "L3", "L4", "L5", "sacrum", "coccyx", "hip_bone_left",
                  "femur_left", "patella_left", "tibia_left", "fibula_left", "foot_left",
                  "scapula_left", "clavicle_left", "humerus_left", "radius_left", "ulna_left",
                  "hand_left"]
    bones = []
    for name in bone_names:
        mesh = body.bone(name)
        bones.append((np.asarray(mesh.bounds), _as_manifold(mesh, name)))
        if not name.endswith("_left"):
            # The midline bones are not exactly symmetric (smoothing): carve the left muscle with
            # their mirror image too, so that the mirrored right muscle stays out of them as well.
            mirrored = mirror_to_right(mesh)
            bones.append((np.asarray(mirrored.bounds), _as_manifold(mirrored, name)))
    bone_meshes = [body.bone(name) for name in bone_names]
    solids: dict[str, tuple[np.ndarray, Manifold]] = {}
    parts: list[Part] = []
    for index, spec in enumerate(SPECS):
        body.attachments = []
        body.avoid = bone_meshes + [body.extra[m] for m in spec.carved_with]
        shape = spec.build(body)
        obstacles = bones + [solids[m] for m in spec.carved_with]
        mesh = _finish(shape.solid, obstacles, spec.muscle, spec.budget)
        body.extra[spec.muscle] = mesh
        # a muscle laid over this one is carved with it grown by MUSCLE_GAP, so that the two
        # never share a surface that rounding to float32 could push one into the other
        solids[spec.muscle] = (np.asarray(mesh.bounds),
                               _as_manifold(_grown(mesh, MUSCLE_GAP), spec.muscle))
        color = muscle_color(index)
        for side in ("left", "right"):
            m = mesh if side == "left" else mirror_to_right(mesh)
            parts.append(Part(
                acronym=f"{spec.muscle}_{side}", name=f"{_display_name(spec.muscle)} ({side})",
                kind="muscle", parent=spec.group, mesh=m, side=side, color=color,
                landmarks=_landmarks(spec.muscle, body.attachments + shape.attachments, side)))
    return parts
