"""The thoracic cage: twelve pairs of ribs with their costal cartilages, and the sternum.

Each rib is a swept solid along a centreline that starts at the costovertebral joint (the head,
beside the body of its own thoracic vertebra), passes in front of the transverse process tip (the
tubercle), bends forward at the angle, runs round the side of the chest and descends to its
costochondral junction. Ribs 1-7 continue as costal cartilages to the sternum, ribs 8-10 as
cartilages that end just below the cartilage above (the costal margin), ribs 11-12 end free.
Each cartilage is an atlas structure of its own (``costal_cartilage_N_side``, N = 1-10), as in
the FMA and in real specimens: the rib is the bone alone.

Heights come from the spine frames (:func:`body_plan.spine_layout`) and published surface anatomy
(Gray's Anatomy): suprasternal notch at the T2-T3 disc, sternal angle at T4-T5, xiphisternal joint
at T9, lowest point of the costal margin (10th cartilage) near L3. Thorax widths are adult male
means (Gray's Anatomy; chest breadth at the 8th rib about 280-300 mm).

Also holds the small solid and landmark helpers the other skeletal generators share
(:func:`swept_solid`, :func:`thick_plate`, :func:`extreme_vertex`, :func:`ray_hit`).

Axes: +X subject's left, +Y posterior, +Z up; millimetres.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import manifold3d as mf
import numpy as np
import trimesh
from scipy.interpolate import CubicSpline

from . import body_plan
from . import morphometry as mm
from . import shapes
from .parts import Landmark, Part, mirror_point, mirror_to_right
from .shapes import Manifold

BONE = "#e3d6b8"
"""Natural bone colour for the skeleton."""
CARTILAGE = "#f1ece0"
"""Costal cartilage colour (lighter than bone)."""

JOINT_GAP = 2.0
"""Gap left between neighbouring bones at a joint, mm."""

# ---------------------------------------------------------------------------------------------
# Shared solid helpers (pure geometry on arrays; candidates for shapes.py)
# ---------------------------------------------------------------------------------------------


def solid_from_arrays(vertices: np.ndarray, faces: np.ndarray) -> Manifold:
    """A manifold solid from a closed triangle mesh, flipping the faces if they face inwards.

    Raises
    ------
    ValueError
        If the triangles do not form a closed, manifold surface.
    """
    vertices = np.asarray(vertices, float)
    faces = np.asarray(faces, np.int64)
    tri = vertices[faces]
    signed = np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum()
    if signed < 0:
        faces = faces[:, ::-1]
    solid = Manifold(mf.Mesh(vert_properties=vertices.astype(np.float32),
                             tri_verts=faces.astype(np.uint32)))
    if solid.status() != mf.Error.NoError or solid.is_empty():
        raise ValueError(f"swept or plate mesh is not a closed manifold: {solid.status()}")
    return solid


def smooth_path(points: np.ndarray, n: int) -> np.ndarray:
    """``n`` points on a C2 spline through ``points`` ``(k, 3)``, spaced by chord length."""
    points = np.asarray(points, float)
    chord = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    spline = CubicSpline(chord, points, axis=0, bc_type="natural")
    fine = spline(np.linspace(0.0, chord[-1], 8 * n))
    return resample(fine, n)


def resample(polyline: np.ndarray, n: int) -> np.ndarray:
    """``n`` points evenly spaced by arc length along a polyline ``(k, 3)``."""
    pts = np.asarray(polyline, float)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    t = np.linspace(0.0, s[-1], n)
    return np.column_stack([np.interp(t, s, pts[:, i]) for i in range(3)])


def swept_solid(path: np.ndarray, half_width, half_height, up=(0.0, 0.0, 1.0),
                segments: int = 10, cap_rings: int = 3) -> Manifold:
    """A rod with an elliptic cross-section swept along ``path`` ``(n, 3)``, with rounded ends.

    Parameters
    ----------
    path : (n, 3) float, mm
        Centreline, n >= 2.
    half_width, half_height : float or (n,) float, mm
        Semi-axes of the cross-section; ``half_height`` lies along ``up`` made perpendicular to
        the path, ``half_width`` across it.
    up : (3,) or (n, 3) float
        Hint for the direction of the cross-section's height axis.
    segments : int
        Points around each cross-section.
    cap_rings : int
        Rings of each rounded end cap (0: flat caps).
    """
    path = np.asarray(path, float)
    n = len(path)
    a = np.broadcast_to(np.asarray(half_width, float), (n,)).copy()
    b = np.broadcast_to(np.asarray(half_height, float), (n,)).copy()
    ups = np.broadcast_to(np.asarray(up, float), (n, 3))
    tangent = np.gradient(path, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    height_axis = ups - np.einsum("ij,ij->i", ups, tangent)[:, None] * tangent
    height_axis /= np.linalg.norm(height_axis, axis=1, keepdims=True)
    width_axis = np.cross(height_axis, tangent)
    theta = np.linspace(0.0, 2 * np.pi, segments, endpoint=False)
    cos_t, sin_t = np.cos(theta), np.sin(theta)

    rings = []

    def ring(centre, i, scale):
        return (centre + scale * (a[i] * cos_t[:, None] * width_axis[i]
                                  + b[i] * sin_t[:, None] * height_axis[i]))

    phis = np.linspace(0.0, np.pi / 2, cap_rings + 2)[1:-1]
    cap_len = [min(a[0], b[0]), min(a[-1], b[-1])]
    for phi in phis[::-1]:
        c = path[0] - tangent[0] * cap_len[0] * np.sin(phi)
        rings.append(ring(c, 0, np.cos(phi)))
    for i in range(n):
        rings.append(ring(path[i], i, 1.0))
    for phi in phis:
        c = path[-1] + tangent[-1] * cap_len[1] * np.sin(phi)
        rings.append(ring(c, n - 1, np.cos(phi)))
    start_apex = path[0] - tangent[0] * cap_len[0] * (1.0 if cap_rings else 0.0)
    end_apex = path[-1] + tangent[-1] * cap_len[1] * (1.0 if cap_rings else 0.0)
    verts = np.vstack(rings + [start_apex[None], end_apex[None]])
    m = segments
    k = len(rings)
    faces = []
    for r in range(k - 1):
        for j in range(m):
            p, q = r * m + j, r * m + (j + 1) % m
            faces.append([p, q, q + m])
            faces.append([p, q + m, p + m])
    s_apex, e_apex = k * m, k * m + 1
    for j in range(m):
        faces.append([s_apex, (j + 1) % m, j])
        faces.append([e_apex, (k - 1) * m + j, (k - 1) * m + (j + 1) % m])
    return solid_from_arrays(verts, np.array(faces))


def thick_plate(grid: np.ndarray, thickness, outward=None) -> Manifold:
    """A closed plate around a curved surface grid ``(nu, nv, 3)``.

    The two faces lie ``thickness / 2`` either side of the grid along its normals; the rim is
    closed by strips. ``thickness`` is a scalar or ``(nu, nv)``. ``outward`` (3,) optionally
    fixes the sense of the normals (only matters for which face is which).
    """
    grid = np.asarray(grid, float)
    nu, nv, _ = grid.shape
    du = np.gradient(grid, axis=0)
    dv = np.gradient(grid, axis=1)
    normal = np.cross(du, dv)
    normal /= np.linalg.norm(normal, axis=2, keepdims=True)
    if outward is not None and np.einsum("ijk,k->", normal, np.asarray(outward, float)) < 0:
        normal = -normal
    t = np.broadcast_to(np.asarray(thickness, float), (nu, nv))[..., None] / 2.0
    top = (grid + normal * t).reshape(-1, 3)
    bottom = (grid - normal * t).reshape(-1, 3)
    verts = np.vstack([top, bottom])
    off = nu * nv

    def idx(i, j):
        return i * nv + j

    faces = []
    for i in range(nu - 1):
        for j in range(nv - 1):
            a, b, c, d = idx(i, j), idx(i + 1, j), idx(i + 1, j + 1), idx(i, j + 1)
            faces += [[a, b, c], [a, c, d]]
            faces += [[a + off, c + off, b + off], [a + off, d + off, c + off]]
    rim = ([idx(i, 0) for i in range(nu)] + [idx(nu - 1, j) for j in range(1, nv)]
           + [idx(i, nv - 1) for i in range(nu - 2, -1, -1)]
           + [idx(0, j) for j in range(nv - 2, 0, -1)])
    for k in range(len(rim)):
        p, q = rim[k], rim[(k + 1) % len(rim)]
        faces += [[p, q + off, q], [p, p + off, q + off]]
    return solid_from_arrays(verts, np.array(faces))


_DIRECTIONS = np.array([d for d in np.ndindex(3, 3, 3) if d != (1, 1, 1)], float) - 1.0
_DIRECTIONS /= np.linalg.norm(_DIRECTIONS, axis=1, keepdims=True)


def carve_clear(solid: Manifold, obstacle: Manifold, gap: float) -> Manifold:
    """``solid`` minus ``obstacle`` grown by about ``gap`` mm (union of 26 shifted copies), so
    that the two end at least about ``gap`` apart (exactly along the 26 directions)."""
    grown = shapes.union([obstacle] + [obstacle.translate((gap * d).tolist()) for d in _DIRECTIONS])
    return solid - grown


def vertices_of(solid: Manifold) -> np.ndarray:
    """Vertex positions ``(n, 3)`` of a manifold solid, mm."""
    return np.asarray(solid.to_mesh().vert_properties, float)[:, :3]


def extreme_vertex(points, direction) -> np.ndarray:
    """The point of ``points`` (an ``(n, 3)`` array or a solid) farthest along ``direction``."""
    pts = vertices_of(points) if isinstance(points, Manifold) else np.asarray(points, float)
    return pts[int(np.argmax(pts @ np.asarray(direction, float)))].copy()


def ray_hit(solid: Manifold, origin, direction, length: float = 400.0) -> np.ndarray:
    """First point where a ray from ``origin`` along ``direction`` meets ``solid``.

    Raises
    ------
    ValueError
        If the ray misses.
    """
    origin = np.asarray(origin, float)
    d = np.asarray(direction, float) / np.linalg.norm(direction)
    hits = solid.ray_cast(origin.tolist(), (origin + length * d).tolist())
    if not hits:
        raise ValueError(f"ray from {origin.round(1)} along {d.round(2)} misses the solid")
    return np.asarray(hits[0].position, float)


def finish(solid: Manifold, max_faces: int) -> trimesh.Trimesh:
    """Convert a solid to a trimesh within a triangle budget."""
    mesh = shapes.to_trimesh(solid)
    return shapes.decimate(mesh, max_faces)


def from_trimesh(mesh: trimesh.Trimesh) -> Manifold:
    """A manifold solid from a closed trimesh."""
    return Manifold(mf.Mesh(vert_properties=np.asarray(mesh.vertices, np.float32),
                            tri_verts=np.asarray(mesh.faces, np.uint32)))


def mirror_landmarks(marks: dict[str, Landmark]) -> dict[str, Landmark]:
    """Right-side copies of left-side landmarks (``*_left`` -> ``*_right``)."""
    out = {}
    for name, lm in marks.items():
        if not name.endswith("_left"):
            raise ValueError(f"landmark {name!r} is not a left-side name")
        out[name[: -len("_left")] + "_right"] = Landmark(mirror_point(lm.position),
                                                         lm.method + " (mirrored)")
    return out


def paired_parts(acronym: str, name: str, parent: str, mesh: trimesh.Trimesh,
                 marks: dict[str, Landmark], color: str = BONE, fma=None) -> list[Part]:
    """A left part and its exact mirror image on the right.

    ``fma`` is one FMA id for both sides, or a ``(left, right)`` pair where the FMA names the
    sided bones (the left hip bone is 16587, the right 16586, the unsided class 16585)."""
    fma_left, fma_right = fma if isinstance(fma, tuple) else (fma, fma)
    left = Part(f"{acronym}_left", f"{name} (left)", "bone", parent, mesh, side="left",
                fma_id=fma_left, landmarks=marks, color=color)
    right = Part(f"{acronym}_right", f"{name} (right)", "bone", parent, mirror_to_right(mesh),
                 side="right", fma_id=fma_right, landmarks=mirror_landmarks(marks), color=color)
    return [left, right]


# ---------------------------------------------------------------------------------------------
# Sternum
# ---------------------------------------------------------------------------------------------

MANUBRIUM_LENGTH = 50.0
STERNAL_BODY_LENGTH = 100.0
XIPHOID_LENGTH = 35.0
"""Adult male sternal segment lengths, mm (Gray's Anatomy: sternum about 170 mm)."""
MANUBRIUM_TILT = 28.0
BODY_TILT = 15.0
"""Inclination of the manubrium and the body to the vertical, degrees: the two meet at the sternal
angle, convex forwards (about 165 degrees)."""
NOTCH_TO_SPINE = 62.0
"""From the anterior surface of the T2-T3 disc to the back of the manubrium at the notch, mm
(thoracic inlet depth, about 50-60 mm)."""


@dataclass(frozen=True)
class SternumPlan:
    """Key points of the sternum's mid-thickness line, mm."""

    notch: np.ndarray
    angle: np.ndarray
    xiphisternal: np.ndarray
    xiphoid_tip: np.ndarray
    down_manubrium: np.ndarray
    down_body: np.ndarray

    def centre_at(self, z: float) -> np.ndarray:
        """Point on the sternal mid-thickness line at height ``z``."""
        line = np.array([self.notch, self.angle, self.xiphisternal, self.xiphoid_tip])
        zs = line[::-1, 2]
        return np.array([0.0, np.interp(z, zs, line[::-1, 1]), z])

    def half_width(self, z: float) -> float:
        """Half the breadth of the sternum at height ``z`` (outline used to build it)."""
        zs = [self.xiphoid_tip[2], self.xiphisternal[2], self.xiphisternal[2] + 35,
              self.angle[2], self.angle[2] + 0.1, self.notch[2]]
        ws = [4.0, 11.0, 17.0, 14.5, 15.0, 26.0]
        return float(np.interp(z, zs, ws))


def _down(tilt_deg: float) -> np.ndarray:
    t = np.radians(tilt_deg)
    return np.array([0.0, -np.sin(t), -np.cos(t)])


@lru_cache(maxsize=4)
def sternum_plan(stature: float = 1750.0) -> SternumPlan:
    """Where the sternum lies: notch level with the T2-T3 disc, 62 mm in front of it."""
    layout = body_plan.spine_layout(stature)
    t2_inf = layout.inferior_endplates["T2"].origin
    t3_sup = layout.superior_endplates["T3"].origin
    disc = (t2_inf + t3_sup) / 2
    disc_front_y = disc[1] - mm.VERTEBRAE["T3"].body_depth / 2
    thickness = 13.0
    notch = np.array([0.0, disc_front_y - NOTCH_TO_SPINE - thickness / 2, disc[2]])
    dm, db = _down(MANUBRIUM_TILT), _down(BODY_TILT)
    angle = notch + MANUBRIUM_LENGTH * dm
    xs = angle + STERNAL_BODY_LENGTH * db
    tip = xs + XIPHOID_LENGTH * _down(5.0) + np.array([0.0, 6.0, 0.0])
    return SternumPlan(notch, angle, xs, tip, dm, db)


def _sternum_solid(plan: SternumPlan) -> tuple[Manifold, dict[str, Manifold]]:
    """Manubrium, body and xiphoid as one solid, plus the sub-solids used for landmarks."""
    fwd_m = np.array([0.0, -plan.down_manubrium[2], plan.down_manubrium[1]])  # anterior normal
    fwd_m = fwd_m if fwd_m[1] < 0 else -fwd_m
    fwd_b = np.array([0.0, -plan.down_body[2], plan.down_body[1]])
    fwd_b = fwd_b if fwd_b[1] < 0 else -fwd_b

    def slab(centre, half_w, fwd, thick, r=3.0):
        c = np.asarray(centre, float)
        return [Manifold.sphere(r, 10).translate((c + sx * np.array([half_w - r, 0, 0])
                                                  + sy * fwd * (thick / 2 - r)).tolist())
                for sx in (-1, 1) for sy in (-1, 1)]

    # Manubrium: broad top with the clavicular corners, narrowing to the sternal angle.
    man = shapes.hull_of(
        slab(plan.notch + 2 * plan.down_manubrium, 26.0, fwd_m, 13.0)
        + slab(plan.notch + 30 * plan.down_manubrium, 22.0, fwd_m, 13.0)
        + slab(plan.angle - 2 * plan.down_manubrium, 15.0, fwd_m, 12.0))
    jugular = shapes.cylinder(plan.notch + 30 * fwd_m + np.array([0, 0, 6.0]),
                              plan.notch - 30 * fwd_m + np.array([0, 0, 6.0]), 10.0, 28)
    man = man - jugular
    for side in (1, -1):
        man = man - Manifold.sphere(CLAVICLE_HEAD_RADIUS + JOINT_GAP, 20).translate(
            mirror_sc(sternoclavicular_centre(plan), side).tolist())
    body_pts = []
    for frac, hw, th in ((0.0, 14.5, 11.0), (0.35, 16.0, 10.0), (0.65, 17.0, 10.0),
                         (1.0, 11.5, 8.0)):
        c = plan.angle + (0.5 + frac * (STERNAL_BODY_LENGTH - 1.0)) * plan.down_body
        body_pts += slab(c, hw, fwd_b, th, r=2.5)
    body = shapes.hull_of(body_pts)
    # Transverse ridges where the sternebrae fused, and the sternal angle's forward ridge.
    ridge = shapes.capsule(plan.angle + np.array([-13, 0, 0]) + 5.5 * fwd_b,
                           plan.angle + np.array([13, 0, 0]) + 5.5 * fwd_b, 2.5, 10)
    xi_top = plan.xiphisternal + 1.0 * plan.down_body
    xiph = shapes.hull_of(slab(xi_top, 10.0, fwd_b, 6.0, r=2.0)
                          + [Manifold.sphere(2.5, 10).translate(plan.xiphoid_tip.tolist())])
    solid = shapes.union([man, body, ridge, xiph])
    return solid, {"manubrium": man, "body": body, "xiphoid": xiph}


CLAVICLE_HEAD_RADIUS = 10.0
"""Radius of the rounded sternal end of the clavicle, mm."""


def sternoclavicular_centre(plan: SternumPlan) -> np.ndarray:
    """Centre of the left clavicle's sternal end: above and beside the manubrium's top corner."""
    return plan.notch + np.array([30.0, 6.0, 6.0])


def mirror_sc(p: np.ndarray, side: int) -> np.ndarray:
    return p * np.array([side, 1.0, 1.0])


# ---------------------------------------------------------------------------------------------
# Ribs
# ---------------------------------------------------------------------------------------------

# Half-width of the cage at each rib's centreline (mm): chest breadth grows to the 8th-9th rib.
RIB_HALF_WIDTH = (56.0, 80.0, 98.0, 111.0, 121.0, 128.0, 133.0, 136.0, 137.0, 135.0, 128.0, 100.0)
# Height of each rib's front end (costochondral junction) and, for 11-12, of the free end (mm).
RIB_FRONT_Z = (1444.0, 1410.0, 1378.0, 1347.0, 1315.0, 1283.0, 1250.0, 1215.0, 1183.0, 1142.0,
               1120.0, 1145.0)
# x of the costochondral junction: the cartilages lengthen from above down.
RIB_FRONT_X = (34.0, 44.0, 54.0, 63.0, 72.0, 82.0, 93.0, 106.0, 116.0, 123.0, None, None)
# The shaft's course (RIB_FRONT_FORWARD, RIB_WIDEST, RIB_DROP_LINEAR, RIB_NECK_DROP, the ends of
# ribs 11-12) was chosen by measuring each rib's centreline (arc-length samples, after a best-fit
# similarity alignment) against a real specimen (BodyParts3D 3.0, used for measuring only): a few
# numbers per rib, no vertex data. Mean distance of the aligned bone went from 0.9-1.5 % to
# 0.7-1.5 % of the real rib's size, and the lower ribs' fitted turn from 25-28 to 13-20 degrees.
RIB_FRONT_FORWARD = (0.0, 0.0, 5.0, 12.0, 15.0, 15.0, 15.0, 15.0, 15.0, 15.0, None, None)
"""How far in front of the default line (the sternum's plane curved back by 0.0045 x^2) each bony
rib ends, mm; ribs 11-12: see RIB_FREE_END_Y."""
RIB_FREE_END_Y = {11: -80.0, 12: -55.0}
"""y of the free ends of ribs 11 and 12 relative to the lumbar origin, mm."""
RIB_WIDEST = (0.45, 0.40, 0.35, 0.38, 0.40, 0.42, 0.45, 0.55, 0.62, 0.70, 0.75, 0.65)
"""Where the rib is widest, as a fraction of the way from its angle forward to its front end
(the lower ribs are widest further back, their front parts running forward and in)."""
RIB_DROP_LINEAR = (0.45, 0.45, 0.40, 0.60, 0.70, 0.70, 0.75, 0.90, 1.05, 1.20, 1.20, 1.20)
"""How evenly each rib descends along its shaft beyond the tubercle: 0 an S-curve (flat at the
angle, steepest at the side), 1 a uniform slope, above 1 steepest just beyond the angle (the
lower ribs slant down and out from the spine)."""
RIB_NECK_DROP = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -4.0, -7.0, -9.0, -10.0, -10.0, -10.0)
"""Extra drop of the shaft just beyond the tubercle, mm (lower ribs)."""
STERNAL_ATTACHMENT = (None, 0.0, 0.21, 0.41, 0.6, 0.79, 0.97)
"""Where cartilages 2-7 meet the sternal body: fraction of the way from the sternal angle to the
xiphisternal joint (Gray's Anatomy: 2nd at the angle, 7th at the xiphisternal joint)."""


@dataclass
class RibGeometry:
    """One left rib while it is being built."""

    number: int
    bone: Manifold
    cartilage: Manifold | None
    path: np.ndarray
    cartilage_path: np.ndarray | None
    half_height: np.ndarray
    cartilage_half_height: float
    head: np.ndarray
    tubercle: np.ndarray


def _rib_level(n: int) -> str:
    return f"T{n}"


def costal_points(level: str, stature: float = 1750.0, transverse_tip: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the rib head and tubercle of the left rib at ``level`` (``"T1"``..``"T12"``).

    The head sits beside the posterolateral body of its vertebra (ribs 2-9 at its upper part,
    next to the superior costal facet); the tubercle lies in front of the transverse process tip,
    a joint gap away. ``transverse_tip`` overrides the tip estimated from the morphometry (the
    spine generator's landmark when it has been built).
    """
    layout = body_plan.spine_layout(stature)
    frame = layout.vertebrae[level]
    dims = mm.VERTEBRAE[level]
    n = int(level[1:])
    z_local = 0.3 * dims.body_height if 2 <= n <= 9 else 0.0
    head_local = np.array([dims.body_width / 2 + JOINT_GAP + 5.5, 0.22 * dims.body_depth,
                           z_local])
    head = frame.to_world(head_local)
    if transverse_tip is None:
        tip_local = np.array([dims.transverse_span / 2, dims.body_depth / 2 + 13.0, 0.0])
    else:
        tip_local = frame.to_local(np.asarray(transverse_tip, float))
    tub_local = tip_local + np.array([-1.0, -(5.0 + JOINT_GAP + 4.5), -2.0])
    if n >= 11:  # no costotransverse joint: the rib passes lateral to the process
        tub_local = tip_local + np.array([4.0, -10.0, -4.0])
    return head, frame.to_world(tub_local)


def _rib_centreline(n: int, head: np.ndarray, tub: np.ndarray, plan: SternumPlan
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The bony rib's centreline (head to front end) and its unit tangent at the front end."""
    w = RIB_HALF_WIDTH[n - 1]
    z_front = RIB_FRONT_Z[n - 1]
    if n <= 10:
        x_front = RIB_FRONT_X[n - 1]
        z_st = _sternal_z(n, plan) if n <= 7 else plan.xiphisternal[2]
        y_front = (plan.centre_at(z_st)[1] + 0.0045 * x_front ** 2 + 2.0
                   - RIB_FRONT_FORWARD[n - 1])
    angle_x = max(tub[0] + 14.0, 0.42 * w) if n > 1 else tub[0] + 8.0
    angle_y = tub[1] + (9.0 if n > 2 else 3.0)
    pts = [head, (head + tub) / 2 + np.array([0.0, -1.0, 0.0]), tub]
    z_t = tub[2] - 1.0 + RIB_NECK_DROP[n - 1]
    widest = RIB_WIDEST[n - 1]
    # Posterior quadrant of the outline: from the angle to the widest point.
    if n <= 10:
        y_mid = angle_y - widest * (angle_y - y_front)
        quad1 = [(angle_x + (w - angle_x) * np.sin(p), y_mid + (angle_y - y_mid) * np.cos(p))
                 for p in np.linspace(0, np.pi / 2, 5)]
        quad2 = [(x_front + (w - x_front) * np.cos(p), y_mid - (y_mid - y_front) * np.sin(p))
                 for p in np.linspace(0, np.pi / 2, 5)[1:]]
        outline = quad1 + quad2
    else:
        y_mid = angle_y - widest * (angle_y - RIB_FREE_END_Y[n])
        phis = np.linspace(0, np.pi / 2, 5)
        outline = [(angle_x + (w - angle_x) * np.sin(p), y_mid + (angle_y - y_mid) * np.cos(p))
                   for p in phis]
        if n == 11:  # runs on round the side to the front of the midaxillary line
            outline.append((w - 5.0, y_mid - 22.0))
        else:  # short: ends behind the midaxillary line
            outline = outline[:4]
    xy = np.array(outline)
    seg = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)]) / seg.sum()
    lin = RIB_DROP_LINEAR[n - 1]
    blend = lin * s + (1.0 - lin) * (3 * s ** 2 - 2 * s ** 3)
    zs = z_t + (z_front - z_t) * blend
    pts += [np.array([x, y, z]) for (x, y), z in zip(xy, zs)]
    path = smooth_path(np.array(pts), 44 if n <= 10 else 30)
    tangent = path[-1] - path[-3]
    return path, tangent / np.linalg.norm(tangent)


def _sternal_z(n: int, plan: SternumPlan) -> float:
    if n == 1:
        return plan.notch[2] - 14.0
    f = STERNAL_ATTACHMENT[n - 1]
    return float(plan.angle[2] + f * (plan.xiphisternal[2] - plan.angle[2]))


def _hermite(p0, t0, p1, t1, n: int) -> np.ndarray:
    s = np.linspace(0.0, 1.0, n)[:, None]
    h00, h10 = 2 * s ** 3 - 3 * s ** 2 + 1, s ** 3 - 2 * s ** 2 + s
    h01, h11 = -2 * s ** 3 + 3 * s ** 2, s ** 3 - s ** 2
    return h00 * p0 + h10 * t0 + h01 * p1 + h11 * t1


SHAFT_THICKER = 1.10
SHAFT_DEEPER = 1.15
"""Ribs 5-12: cross-section scaled up, chosen by measuring the enclosed volume against a real
specimen (BodyParts3D; was 0.7-0.85 of it)."""


def _rib_sections(n: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Half-width (thickness) and half-height of the bony rib along its centreline."""
    s = np.linspace(0.0, 1.0, count)
    if n == 1:  # broad and flat, its surfaces facing up and down
        return np.interp(s, [0, 0.15, 0.5, 1], [4.5, 4.0, 8.0, 7.0]), np.full(count, 3.2)
    tip = 2.2 if n >= 11 else 3.0
    height = {2: 5.5, 11: 5.0, 12: 4.5}.get(n, 6.5)
    a = np.interp(s, [0, 0.12, 0.3, 1], [4.8, 4.2, 3.2, tip + 0.6])
    b = np.interp(s, [0, 0.12, 0.3, 0.95, 1], [5.0, 4.8, height, height * 0.95,
                                                height * (0.6 if n >= 11 else 0.9)])
    if n >= 5:  # the middle and lower ribs are deeper and stouter in section
        a, b = a * SHAFT_THICKER, b * SHAFT_DEEPER
    return a, b


def _build_left_rib(n: int, plan: SternumPlan, above: RibGeometry | None,
                    stature: float, tp_tip: np.ndarray | None) -> RibGeometry:
    head, tub = costal_points(_rib_level(n), stature, tp_tip)
    path, t_end = _rib_centreline(n, head, tub, plan)
    a, b = _rib_sections(n, len(path))
    bone = swept_solid(path, a, b, segments=10)
    bone = shapes.union([bone, Manifold.sphere(5.5, 14).translate(head.tolist())])
    if n <= 10:
        bone = shapes.union([bone, shapes.ellipsoid(tub, (4.5, 4.5, 5.0), 12)])
    cart, cpath, cb = None, None, 0.0
    if n <= 7:
        z_st = _sternal_z(n, plan)
        ca, cb = (5.5, 3.5) if n == 1 else (4.0, 5.0)
        end = np.array([plan.half_width(z_st) + JOINT_GAP + min(ca, cb) + 1.0,
                        plan.centre_at(z_st)[1], z_st])
        length = np.linalg.norm(end - path[-1])
        cpath = _hermite(path[-1], t_end * length * 0.8, end,
                         np.array([-1.0, 0.0, 0.0]) * length * 0.6, 14)
        cart = swept_solid(cpath, ca, cb, segments=10)
    elif n <= 10 and above is not None:
        ap = above.cartilage_path
        k = int(0.45 * (len(ap) - 1)) if n == 8 else int(0.55 * (len(ap) - 1))
        cb = 4.5
        t_target = ap[min(k + 1, len(ap) - 1)] - ap[k]
        t_target /= np.linalg.norm(t_target)
        above_solid = _rib_solid(above)
        drop = above.cartilage_half_height + cb + JOINT_GAP
        for _ in range(40):  # lower the end until the joint gap to the cartilage above is open
            target = ap[k] - np.array([0.0, 0.0, drop])
            length = np.linalg.norm(target - path[-1])
            cpath = _hermite(path[-1], t_end * length * 0.7, target, t_target * length * 0.7, 14)
            cart = swept_solid(cpath, 4.0, cb, segments=10)
            if cart.min_gap(above_solid, 5.0) >= JOINT_GAP - 0.3:
                break
            drop += 0.5
    if cart is not None:  # the costochondral joint: the cartilage fills the end of the bone
        cart = cart - bone
    return RibGeometry(n, bone, cart, path, cpath, b, cb, head, tub)


@dataclass
class Cage:
    """The left half of the thoracic cage and the sternum, before meshing."""

    ribs: list[RibGeometry]
    sternum: Manifold
    sternum_pieces: dict[str, Manifold]
    plan: SternumPlan


def build_cage(stature: float = 1750.0, tp_tips: dict[str, np.ndarray] | None = None) -> Cage:
    """Build the sternum and the twelve left ribs (solids, not yet meshed)."""
    plan = sternum_plan(stature)
    sternum, pieces = _sternum_solid(plan)
    ribs: list[RibGeometry] = []
    for n in range(1, 13):
        tip = None if tp_tips is None else tp_tips.get(_rib_level(n))
        ribs.append(_build_left_rib(n, plan, ribs[-1] if ribs else None, stature, tip))
    return Cage(ribs, sternum, pieces, plan)


_cage_cache: dict[tuple, Cage] = {}


def cage_for(ctx) -> Cage:
    """The cage for a build context (cached: girdles and tests reuse it)."""
    tips = _transverse_tips(ctx)
    key = (ctx.stature, tuple(sorted((k, tuple(np.round(v, 3))) for k, v in tips.items())))
    if key not in _cage_cache:
        _cage_cache[key] = build_cage(ctx.stature, tips or None)
    return _cage_cache[key]


def _transverse_tips(ctx) -> dict[str, np.ndarray]:
    tips = {}
    for level in mm.THORACIC:
        try:
            tips[level] = np.asarray(ctx.landmark(f"{level}_transverse_tip_left"), float)
        except KeyError:
            pass
    return tips


# ---------------------------------------------------------------------------------------------
# Landmarks
# ---------------------------------------------------------------------------------------------

def _band(points: np.ndarray, axis: int, value: float, half: float) -> np.ndarray:
    sel = points[np.abs(points[:, axis] - value) <= half]
    if len(sel) == 0:
        raise ValueError(f"no vertices within {half} mm of {'xyz'[axis]}={value:.1f}")
    return sel


def midclavicular_x(stature: float) -> float:
    """x of the midclavicular line: the middle of the clavicle's length (from girdles' plan)."""
    from .girdles import clavicle_plan  # girdles imports this module; import late

    return float(clavicle_plan(stature).midpoint_x)


def _intercostal_space(upper: np.ndarray, lower: np.ndarray, x: float) -> np.ndarray:
    """Middle of the gap between two ribs' front surfaces at the vertical line ``x``."""
    up = _band(upper[upper[:, 1] < 0], 0, x, 4.0)
    lo = _band(lower[lower[:, 1] < 0], 0, x, 4.0)
    z_bottom_upper = up[:, 2].min()
    z_top_lower = lo[:, 2].max()
    y_front = min(up[up[:, 2] < z_bottom_upper + 4, 1].min(), lo[lo[:, 2] > z_top_lower - 4, 1].min())
    return np.array([x, y_front, (z_bottom_upper + z_top_lower) / 2])


def _cage_landmarks(cage: Cage, plan: SternumPlan, stature: float) -> tuple[dict, dict, dict]:
    """Landmarks of the sternum (midline), of the left ribs and cartilages, and of the trunk
    wall."""
    front = np.array([0.0, -1.0, 0.0])
    notch = ray_hit(cage.sternum, plan.notch + np.array([0.0, -3.0, 40.0]), (0, 0, -1))
    sternal_angle = ray_hit(cage.sternum, plan.angle + 60 * front, -front)
    xiph = ray_hit(cage.sternum, plan.xiphisternal + 60 * front, -front)
    sternum_marks = {
        "suprasternal_notch": Landmark(notch, "floor of the jugular notch: ray down the midline "
                                       "onto the manubrium, 3 mm behind its front face"),
        "sternal_angle": Landmark(sternal_angle, "front of the sternum on the midline at the "
                                  "manubriosternal junction (ray from in front)"),
        "xiphisternal_junction": Landmark(xiph, "front of the sternum on the midline at the "
                                          "junction of body and xiphoid (ray from in front)"),
    }
    rib_marks: dict[int, dict[str, Landmark]] = {n: {} for n in range(1, 13)}
    cartilage_marks: dict[int, dict[str, Landmark]] = {n: {} for n in range(1, 11)}
    full = {n: vertices_of(_rib_solid(r)) for n, r in zip(range(1, 13), cage.ribs)}
    for n in (11, 12):
        r = cage.ribs[n - 1]
        t = r.path[-1] - r.path[-2]
        rib_marks[n][f"rib{n}_free_end_left"] = Landmark(
            extreme_vertex(full[n], t), f"tip of the free end of rib {n}: farthest vertex along "
                                        "the rib's end direction")
    mcl = midclavicular_x(stature)
    sternal_x = plan.half_width(plan.angle[2])
    parasternal = (sternal_x + mcl) / 2
    for n in range(1, 8):
        x = parasternal
        if n == 7:  # the 8th cartilage ends lateral to the parasternal line
            lo = full[8][full[8][:, 1] < 0]
            x = max(parasternal, lo[:, 0].min() + 6.0)
        p = _intercostal_space(full[n], full[n + 1], x)
        method = (f"midway between the lower border of rib {n} and the upper border of rib {n + 1}"
                  f" on the front of the cage at x = {x:.0f} mm (parasternal line, midway between "
                  "the sternal border and the midclavicular line)")
        if n == 7:
            method += "; moved laterally to where the 8th cartilage begins"
        rib_marks[n][f"intercostal_space_{n}_left"] = Landmark(p, method)
    # Costal margin: lower border of cartilages 7-10 where it crosses the midclavicular line.
    lows = {}
    for r in cage.ribs[6:10]:
        v = vertices_of(r.cartilage)
        m = v[np.abs(v[:, 0] - mcl) <= 4.0]
        if len(m):
            lows[r.number] = m[np.argmin(m[:, 2])]
    if not lows:
        raise ValueError(f"no costal cartilage 7-10 crosses the midclavicular line x={mcl:.1f}")
    owner = min(lows, key=lambda k: lows[k][2])
    cartilage_marks[owner]["costal_margin_mid_left"] = Landmark(
        lows[owner], "lowest vertex of costal cartilages 7-10 on the midclavicular line")
    # Nipple: 4th intercostal space on the midclavicular line, outside the rib by soft tissue.
    # The soft tissue is measured from the front of the cage round the space (ribs and their
    # cartilages within NIPPLE_REACH), not from the gap itself: medial of the midclavicular line
    # the 4th and 5th cartilages curve forward, and pectoralis major lies over them.
    ics4 = _intercostal_space(full[4], full[5], mcl)
    cage_v = np.vstack([full[n] for n in range(1, 13)])
    near = cage_v[(cage_v[:, 1] < 0) & (np.abs(cage_v[:, 0] - mcl) <= NIPPLE_REACH)
                  & (np.abs(cage_v[:, 2] - ics4[2]) <= NIPPLE_REACH)]
    front = min(float(ics4[1]), float(near[:, 1].min())) if len(near) else float(ics4[1])
    nipple = np.array([ics4[0], front - NIPPLE_SOFT_TISSUE, ics4[2]])
    rib_marks[4]["nipple_left"] = Landmark(
        nipple, f"4th intercostal space on the midclavicular line, {NIPPLE_SOFT_TISSUE:.0f} mm "
                f"in front of the most anterior rib or cartilage within {NIPPLE_REACH:.0f} mm "
                "(pectoralis major and subcutaneous tissue, by rule)")
    return sternum_marks, rib_marks, cartilage_marks


NIPPLE_SOFT_TISSUE = 22.0
NIPPLE_REACH = 12.0
"""Half width (mm, across and up/down) of the patch of the cage's front the nipple's soft tissue
is measured from."""
FLANK_SOFT_TISSUE = 15.0
"""From the line of the 11th rib's free end out to the skin of the flank, mm (by rule)."""
UMBILICUS_DEPTH = 105.0
"""Soft tissue from the front of the L3-L4 disc to the umbilicus, mm (abdominal wall and
viscera of a lean adult, by rule)."""


def _rib_solid(r: RibGeometry) -> Manifold:
    return r.bone if r.cartilage is None else shapes.union([r.bone, r.cartilage])


RIB_BUDGET = 1500
CARTILAGE_BUDGET = 1000
COSTAL_CARTILAGE_FMA = {1: (8005, 7875), 2: (8031, 7886), 3: (8058, 7913), 4: (8167, 7976),
                        5: (8112, 8070), 6: (8221, 8194), 7: (8275, 8248)}
"""FMA ids of the left and right costal cartilages 1-7 (the FMA names no sided 8th-10th)."""
STERNUM_BUDGET = 1600


def umbilicus(layout: body_plan.SpineLayout) -> np.ndarray:
    """Anterior midline at the L3-L4 disc level, in front of the disc by the soft tissue."""
    l3 = layout.inferior_endplates["L3"].origin
    l4 = layout.superior_endplates["L4"].origin
    disc = (l3 + l4) / 2
    front = disc[1] - mm.VERTEBRAE["L4"].body_depth / 2
    return np.array([0.0, front - UMBILICUS_DEPTH, disc[2]])


def build_parts(ctx) -> list[Part]:
    """Sternum and 24 ribs with their landmarks."""
    cage = cage_for(ctx)
    plan = cage.plan
    sternum_marks, rib_marks, cartilage_marks = _cage_landmarks(cage, plan, ctx.stature)
    sternum_marks["umbilicus"] = Landmark(
        umbilicus(ctx.layout), f"by rule: anterior midline at the L3-L4 disc level, "
                               f"{UMBILICUS_DEPTH:.0f} mm in front of the disc (soft tissue)")
    free_end = rib_marks[11]["rib11_free_end_left"].position
    navel_z = sternum_marks["umbilicus"].position[2]
    rib_marks[11]["rib11_free_end_umbilical_level_left"] = Landmark(
        np.array([free_end[0] + FLANK_SOFT_TISSUE, free_end[1], navel_z]),
        "by rule: straight below the free end of rib 11 at the height of the umbilicus, "
        f"{FLANK_SOFT_TISSUE:.0f} mm lateral of the rib tip's line (abdominal wall muscles and "
        "subcutaneous tissue of the flank)")
    parts = [Part("sternum", "Sternum", "bone", "thoracic_cage", finish(cage.sternum, STERNUM_BUDGET),
                  side=None, fma_id=7485, landmarks=sternum_marks, color=BONE)]
    for r in cage.ribs:
        parts += paired_parts(f"rib_{r.number}", f"Rib {r.number}", "thoracic_cage",
                              finish(r.bone, RIB_BUDGET), rib_marks[r.number])
        if r.cartilage is not None:
            parts += paired_parts(
                f"costal_cartilage_{r.number}", f"Costal cartilage {r.number}", "thoracic_cage",
                finish(r.cartilage, CARTILAGE_BUDGET), cartilage_marks[r.number],
                color=CARTILAGE, fma=COSTAL_CARTILAGE_FMA.get(r.number))
    return parts
