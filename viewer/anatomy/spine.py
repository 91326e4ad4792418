"""The vertebral column: vertebrae C1-L5, sacrum, coccyx and the 23 intervertebral discs.

Every vertebra is built in its own frame from :func:`body_plan.spine_layout` (origin at the centre
of the body, x = subject's left, y = posterior, z = up along the spine) from the sizes of
:data:`morphometry.VERTEBRAE`. Each anatomical piece (body, pedicle, lamina, spinous process,
transverse process, articular processes, ...) is its own solid, so that landmarks are computed from
the right piece before the pieces are united into one bone.

Neighbouring vertebrae share their facet joints: the joint is a plane placed between the two
articular pillars, and the superior articular process of the lower vertebra and the inferior one of
the upper vertebra are each cut back from that plane by half of :data:`FACET_GAP`. Whatever else of
the upper vertebra would still touch the lower one (a long thoracic spine riding on the lamina
below) is carved away with a :data:`CLEARANCE` margin, so neighbouring bones never intersect.

Axes: +X subject's left, +Y posterior, +Z up; millimetres (``docs/ARCHITECTURE.md``).
Sources: Panjabi et al. 1991/1992 (vertebral sizes), Panjabi et al. 1993 (articular facets),
Doherty and Heggeness 1994 (atlas), Gray's Anatomy 42nd ed. (shapes, sacrum and coccyx), Pooni et
al. 1986 (disc heights). Where a shape parameter has no published value (the lean of the
laminae, the slope of the lumbar spinous border, the reach of the axis' spine, the size of the
cervical articular pillars and the widening of the cervical bodies across their uncinate
processes, the width of the thoracic spinous roots), it was chosen by measuring the built bone
against real ones with ``../shared/tools/fidelity.py``: the references are used for measuring
only, never copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import manifold3d as mf
import numpy as np
from scipy import ndimage

from . import morphometry as mm
from .body_plan import Frame, SpineLayout
from .parts import Landmark, Part
from .shapes import Manifold, frame_from_z, place, to_trimesh

BONE_COLOR = "#e6dcc5"
DISC_COLOR = "#a8b6c4"

FACET_GAP = 1.0
"""Joint space between facing articular facets, mm (cartilage is not modelled)."""

CLEARANCE = 0.8
"""Smallest gap kept between any two neighbouring bones outside the facet joints, mm."""

DISC_INSET = 0.25
"""Gap between a disc and each end plate, mm (the tests allow 0.5)."""

VERTEBRA_FACES = 3000
"""Triangle budget of one vertebra after decimation."""
SACRUM_FACES = 10000
COCCYX_FACES = 1400

SEGMENTS = 12
"""Segments of the small ellipsoids the processes are made of."""

# Foundational Model of Anatomy ids (BodyParts3D isa_element_parts mapping; coccyx and spinal cord
# from the FMA itself).
FMA_IDS: dict[str, int] = {
    "C1": 12519, "C2": 12520, "C3": 12521, "C4": 12522, "C5": 12523, "C6": 12524, "C7": 12525,
    "T1": 9165, "T2": 9187, "T3": 9209, "T4": 9248, "T5": 9922, "T6": 9945, "T7": 9968,
    "T8": 9991, "T9": 10014, "T10": 10037, "T11": 10059, "T12": 10081,
    "L1": 13072, "L2": 13073, "L3": 13074, "L4": 13075, "L5": 13076,
    "sacrum": 16202, "coccyx": 20229,
    # FMA names a disc after the vertebra above it.
    "disc_C2_C3": 25058, "disc_C3_C4": 13896, "disc_C4_C5": 13897, "disc_C5_C6": 13898,
    "disc_C6_C7": 13899, "disc_C7_T1": 13900, "disc_T1_T2": 10458, "disc_T2_T3": 13495,
    "disc_T3_T4": 13500, "disc_T4_T5": 13501, "disc_T5_T6": 13502, "disc_T6_T7": 13503,
    "disc_T7_T8": 13504, "disc_T8_T9": 13505, "disc_T9_T10": 13506, "disc_T10_T11": 13507,
    "disc_T11_T12": 13508, "disc_L1_L2": 16033, "disc_L2_L3": 16034, "disc_L3_L4": 16035,
    "disc_L4_L5": 16036, "disc_L5_S1": 16037,
}

_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth",
             "Tenth", "Eleventh", "Twelfth")
_REGION = {"C": ("cervical", "cervical_spine"), "T": ("thoracic", "thoracic_spine"),
           "L": ("lumbar", "lumbar_spine")}

# Sacrum (Gray's Anatomy 42nd ed.; adult male means): length along the pelvic surface, width across
# the alae, and the radius of its anterior concavity.
SACRUM_LENGTH = 100.0
SACRUM_CURVE_RADIUS = 95.0
S1_BODY = (48.0, 33.0, 24.0)
"""S1 body width, depth and height, mm (slightly smaller than L5, as published)."""
# (arc length s from the S1 end plate, half-width, anterior half-depth, dorsal extent), mm.
_SACRAL_SECTIONS = (
    (8.0, 52.0, 16.5, 37.0), (20.0, 53.0, 15.0, 34.0), (34.0, 50.0, 13.0, 30.0),
    (46.0, 42.0, 11.0, 26.0), (58.0, 31.0, 9.5, 22.0), (70.0, 23.0, 8.0, 18.0),
    (82.0, 17.0, 6.5, 14.0), (92.0, 13.0, 5.5, 11.0), (100.0, 9.0, 4.5, 8.0),
)
_SACRAL_FORAMINA = (  # (arc length, distance from the midline, radius of the dorsal opening)
    (30.0, 21.0, 4.2), (49.0, 19.0, 3.8), (66.0, 16.5, 3.2), (80.0, 13.5, 2.7),
)
_SACRAL_CREST = (14.0, 33.0, 51.0, 66.0)
"""Arc lengths of the median crest tubercles S1..S4."""
SACRAL_HIATUS = (76.0, 104.0)
"""Arc-length span over which the dorsal wall of the sacral canal is missing (S4-S5)."""
AURICULAR_SPAN = (8.0, 44.0)
"""Arc-length span of the auricular surface (S1 to S3)."""
COCCYX_START = 104.0
"""Arc length where the coccyx begins (2 mm below the sacral apex: the sacrococcygeal joint)."""
COCCYX_CURVE_RADIUS = 40.0


# --------------------------------------------------------------------------------------------
# Small solid helpers (kept here so that shapes.py stays shared and unchanged)
# --------------------------------------------------------------------------------------------

def solid_from_arrays(verts: np.ndarray, faces: np.ndarray) -> Manifold:
    """A manifold from a closed triangle mesh, flipped if it was built inside out."""
    v = np.asarray(verts, float)
    f = np.asarray(faces, np.int64)
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    if np.einsum("ij,ij->i", a, np.cross(b, c)).sum() < 0:
        f = f[:, ::-1]
    solid = Manifold(mf.Mesh(vert_properties=v.astype(np.float32), tri_verts=f.astype(np.uint32)))
    if solid.status() != mf.Error.NoError:
        raise ValueError(f"lofted mesh is not a closed manifold: {solid.status()}")
    return solid


def loft(rings: list[np.ndarray], pointed_end: bool = False) -> Manifold:
    """Close a stack of rings ``(n, 3)`` (same point count, same winding) into a solid.

    The first and last rings are capped by a fan around their centre; with ``pointed_end`` the
    last ring's centre is pushed out along the stack to make a rounded tip.
    """
    rings = [np.asarray(r, float) for r in rings]
    n, m = len(rings[0]), len(rings)
    first, last = rings[0].mean(axis=0), rings[-1].mean(axis=0)
    if pointed_end and m > 1:
        last = last + (last - rings[-2].mean(axis=0)) * 0.6
    verts = np.vstack(rings + [first[None], last[None]])
    i = np.arange(n)
    j = (i + 1) % n
    faces = []
    for k in range(m - 1):
        a, b, c, d = k * n + i, k * n + j, (k + 1) * n + i, (k + 1) * n + j
        faces.append(np.column_stack([a, b, d]))
        faces.append(np.column_stack([a, d, c]))
    c0, c1 = m * n, m * n + 1
    faces.append(np.column_stack([np.full(n, c0), j, i]))
    faces.append(np.column_stack([np.full(n, c1), (m - 1) * n + i, (m - 1) * n + j]))
    return solid_from_arrays(verts, np.vstack(faces))


def blob(items, segments: int = SEGMENTS) -> Manifold:
    """Convex hull of ellipsoids, ``items`` = [(centre (3,), radii (3,) or r), ...]."""
    parts = []
    for centre, radii in items:
        r = np.broadcast_to(np.asarray(radii, float), (3,))
        parts.append(Manifold.sphere(1.0, segments).scale(r.tolist()).translate(
            np.asarray(centre, float).tolist()))
    return Manifold.batch_hull(parts)


def chain(items, segments: int = SEGMENTS) -> Manifold:
    """Union of hulls of consecutive ellipsoids: a bent bar through ``items``."""
    return union([blob([items[k], items[k + 1]], segments) for k in range(len(items) - 1)])


def union(solids) -> Manifold:
    solids = [s for s in solids if s is not None and not s.is_empty()]
    if not solids:
        return Manifold()
    return Manifold.batch_boolean(solids, mf.OpType.Add)


def oriented_blob(centre, radii, normal, up, segments: int = SEGMENTS) -> Manifold:
    """An ellipsoid whose third semi-axis lies along ``normal`` and second along ``up``."""
    n = np.asarray(normal, float) / np.linalg.norm(normal)
    u = np.asarray(up, float) - np.dot(up, n) * n
    u /= np.linalg.norm(u)
    v = np.cross(u, n)
    rot = np.column_stack([v, u, n])
    s = Manifold.sphere(1.0, segments).scale(list(map(float, radii)))
    return place(s, rot, np.asarray(centre, float))


def mirror_x(solid: Manifold) -> Manifold:
    """Mirror across the local mid-sagittal plane (x -> -x)."""
    return solid.mirror([1.0, 0.0, 0.0])


def to_world(solid: Manifold, frame: Frame) -> Manifold:
    return place(solid, frame.axes.T, frame.origin)


def vertices_of(solid: Manifold) -> np.ndarray:
    return np.asarray(solid.to_mesh().vert_properties, float)[:, :3]


def sweep(path: np.ndarray, rx, ry=None, sides: int = 10, side_axis=None,
          pointed_end: bool = False) -> Manifold:
    """A tube along ``path`` (n, 3) with elliptical cross-sections (semi-axes ``rx``, ``ry``).

    Frames are carried along by rotation minimising (double reflection); ``side_axis`` fixes the
    first cross-section's x direction (default: any perpendicular).
    """
    path = np.asarray(path, float)
    n = len(path)
    rx = np.broadcast_to(np.asarray(rx, float), (n,))
    ry = rx if ry is None else np.broadcast_to(np.asarray(ry, float), (n,))
    tang = np.gradient(path, axis=0)
    tang /= np.linalg.norm(tang, axis=1, keepdims=True)
    hint = np.array([1.0, 0.0, 0.0]) if side_axis is None else np.asarray(side_axis, float)
    if abs(np.dot(hint, tang[0])) > 0.95:
        hint = np.array([0.0, 1.0, 0.0])
    u = hint - np.dot(hint, tang[0]) * tang[0]
    u /= np.linalg.norm(u)
    frames_u = [u]
    for k in range(n - 1):
        v1 = path[k + 1] - path[k]
        c1 = np.dot(v1, v1)
        r_l = u - (2.0 / c1) * np.dot(v1, u) * v1
        t_l = tang[k] - (2.0 / c1) * np.dot(v1, tang[k]) * v1
        v2 = tang[k + 1] - t_l
        c2 = np.dot(v2, v2)
        u = r_l - (2.0 / c2) * np.dot(v2, r_l) * v2 if c2 > 1e-12 else r_l
        u /= np.linalg.norm(u)
        frames_u.append(u)
    a = np.linspace(0.0, 2 * np.pi, sides, endpoint=False)
    rings = []
    for k in range(n):
        uu = frames_u[k]
        vv = np.cross(tang[k], uu)
        rings.append(path[k] + np.outer(rx[k] * np.cos(a), uu) + np.outer(ry[k] * np.sin(a), vv))
    return loft(rings, pointed_end=pointed_end)


def smooth_path(points: np.ndarray, step: float = 2.0, values=None):
    """A Catmull-Rom curve through ``points`` (n, 3), sampled about every ``step`` mm.

    With ``values`` (n,) also returns them linearly interpolated at the samples.
    """
    p = np.asarray(points, float)
    vals = None if values is None else np.asarray(values, float)
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = [p[0]]
    out_v = [] if vals is None else [vals[0]]
    for k in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[k - 1], ext[k], ext[k + 1], ext[k + 2]
        count = max(2, int(np.ceil(np.linalg.norm(p2 - p1) / step)))
        for t in np.linspace(0, 1, count + 1)[1:]:
            t2, t3 = t * t, t * t * t
            out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                              + (-p0 + 3 * p1 - 3 * p2 + p3) * t3))
            if vals is not None:
                out_v.append((1 - t) * vals[k - 1] + t * vals[k])
    if vals is None:
        return np.array(out)
    return np.array(out), np.array(out_v)


# --------------------------------------------------------------------------------------------
# Organic blending: every bone is resampled on a grid, its occupancy blurred and re-meshed
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Blend:
    """How a bone is resampled: grid ``step`` (mm) and Gaussian ``radius`` (mm).

    The blur rounds convex edges and fills concave creases with fillets of about ``radius``, so
    that the hulls the processes are built from flow into one another as on a real bone; features
    thinner than about two radii would thin out, hence the smaller radius of the cervical bones.
    """

    step: float
    radius: float


BLENDS = {"cervical": Blend(0.5, 0.72), "thoracic": Blend(0.62, 0.9), "lumbar": Blend(0.68, 1.05),
          "sacral": Blend(0.85, 1.6), "coccyx": Blend(0.5, 0.6)}


def _occupancy(local: Manifold, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Inside (1) / outside (0) of a solid at grid points symmetric about x = 0 (local mm).

    Each z level is a planar slice of the solid, filled by even-odd scanlines at the grid rows.
    Returns the grid ``(nx, ny, nz)`` float32 and its origin ``(3,)``.
    """
    box = np.asarray(local.bounding_box(), float)
    lo, hi = box[:3], box[3:]
    margin = 3 * step + 3.0
    half = max(abs(lo[0]), abs(hi[0])) + margin
    nx = int(np.ceil(2 * half / step)) + 1
    x0 = -(nx - 1) / 2 * step
    y0, z0 = lo[1] - margin, lo[2] - margin
    ny = int(np.ceil((hi[1] + margin - y0) / step)) + 1
    nz = int(np.ceil((hi[2] + margin - z0) / step)) + 1
    ys = y0 + step * np.arange(ny)
    occ = np.zeros((nx, ny, nz), np.float32)
    for k in range(nz):
        polys = [np.asarray(q, float) for q in local.slice(float(z0 + step * k)).to_polygons()]
        polys = [q for q in polys if len(q) >= 3]
        if not polys:
            continue
        a = np.vstack(polys)
        b = np.vstack([np.roll(q, -1, axis=0) for q in polys])
        ylo, yhi = np.minimum(a[:, 1], b[:, 1]), np.maximum(a[:, 1], b[:, 1])
        crosses = (ys[:, None] >= ylo[None]) & (ys[:, None] < yhi[None])
        row, e = np.nonzero(crosses)
        t = (ys[row] - a[e, 1]) / (b[e, 1] - a[e, 1])
        xc = a[e, 0] + t * (b[e, 0] - a[e, 0])
        col = np.clip(np.ceil((xc - x0) / step).astype(int), 0, nx)
        counts = np.zeros((ny, nx + 1), np.int32)
        np.add.at(counts, (row, col), 1)
        occ[:, :, k] = (np.cumsum(counts, axis=1)[:, :nx] % 2).T
    return occ, np.array([x0, y0, z0])


_CUBE = np.array([[i >> 2 & 1, i >> 1 & 1, i & 1] for i in range(8)])


def _kuhn_tetrahedra() -> np.ndarray:
    """The six tetrahedra of a cube sharing its main diagonal (consistent between cubes)."""
    tets = []
    for perm in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
        c = np.zeros(3, int)
        corners = [0]
        for axis in perm:
            c[axis] = 1
            corners.append(int(c[0] * 4 + c[1] * 2 + c[2]))
        tets.append(corners)
    return np.array(tets)


_TETS = _kuhn_tetrahedra()


def marching_tetrahedra(f: np.ndarray, origin: np.ndarray, step: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Closed surface ``f == 0`` of a grid field (negative inside, positive on the border).

    Returns vertices ``(n, 3)`` mm and outward-facing faces ``(m, 3)``.
    """
    f = np.where(f == 0.0, 1e-7, f)
    nx, ny, nz = f.shape
    inside = f < 0
    corners = [inside[i:nx - 1 + i, j:ny - 1 + j, k:nz - 1 + k] for i, j, k in _CUBE]
    mixed = np.logical_or.reduce(corners) & ~np.logical_and.reduce(corners)
    tc = (np.argwhere(mixed)[:, None, None, :] + _CUBE[_TETS][None]).reshape(-1, 4, 3)
    gid = (tc[..., 0] * ny + tc[..., 1]) * nz + tc[..., 2]
    vals = f.ravel()[gid]
    ins = vals < 0
    cnt = ins.sum(axis=1)
    keep = (cnt > 0) & (cnt < 4)
    gid, vals, ins, cnt, tc = gid[keep], vals[keep], ins[keep], cnt[keep], tc[keep]
    order = np.argsort(~ins, axis=1, kind="stable")  # inside corners first
    r = np.arange(len(gid))[:, None]
    g, v, p = gid[r, order], vals[r, order], tc[r, order].astype(float)
    total = nx * ny * nz
    keys, pts, tris = [], [], []
    for n_in, fans in ((1, [[(0, 1), (0, 2), (0, 3)]]), (3, [[(0, 3), (1, 3), (2, 3)]]),
                       (2, [[(0, 2), (0, 3), (1, 3)], [(0, 2), (1, 3), (1, 2)]])):
        sel = np.flatnonzero(cnt == n_in)
        if not len(sel):
            continue
        w_in = (np.arange(4) < n_in)[None, :, None]
        towards_out = (p[sel] * ~w_in).sum(1) / (4 - n_in) - (p[sel] * w_in).sum(1) / n_in
        for tri in fans:
            k3, m3 = [], []
            for a, b in tri:
                fa, fb = v[sel, a], v[sel, b]
                s = np.clip(fa / (fa - fb), 0.02, 0.98)[:, None]
                k3.append(np.minimum(g[sel, a], g[sel, b]) * total + np.maximum(g[sel, a], g[sel, b]))
                pts.append(p[sel, a] + s * (p[sel, b] - p[sel, a]))
                keys.append(k3[-1])
                m3.append((p[sel, a] + p[sel, b]) / 2)
            flip = np.einsum("ij,ij->i", np.cross(m3[1] - m3[0], m3[2] - m3[0]), towards_out) < 0
            tris.append(np.stack([k3[0], np.where(flip, k3[2], k3[1]),
                                  np.where(flip, k3[1], k3[2])], axis=1))
    uniq, first = np.unique(np.concatenate(keys), return_index=True)
    verts = np.asarray(origin, float) + step * np.concatenate(pts)[first]
    return verts, np.searchsorted(uniq, np.concatenate(tris))


def surface_nets(f: np.ndarray, origin: np.ndarray, step: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Closed surface ``f == 0`` of a grid field by naive surface nets (one vertex per cell).

    About a third of the triangles of marching tetrahedra; a cell the surface crosses twice gives
    a pinched vertex, which :func:`blended` detects (the solid is then not manifold).
    """
    f = np.where(f == 0.0, 1e-7, f).astype(np.float32)
    inside = f < 0
    shape_c = tuple(n - 1 for n in f.shape)
    acc = np.zeros(shape_c + (3,), np.float32)
    cnt = np.zeros(shape_c, np.float32)
    quads = []
    cell_id = np.arange(np.prod(shape_c)).reshape(shape_c)
    for axis in range(3):
        a = [slice(None)] * 3
        b = [slice(None)] * 3
        a[axis], b[axis] = slice(0, -1), slice(1, None)
        fa, fb = f[tuple(a)], f[tuple(b)]
        cross = inside[tuple(a)] != inside[tuple(b)]
        t = np.where(cross, fa / np.where(cross, fa - fb, 1.0), 0.0)
        idx = np.argwhere(cross)
        pos = idx.astype(np.float32)
        pos[:, axis] += t[cross]
        u, v = (axis + 1) % 3, (axis + 2) % 3
        for du in (0, 1):  # the four cells around the edge
            for dv in (0, 1):
                c = idx.copy()
                c[:, u] -= du
                c[:, v] -= dv
                ok = (c[:, u] >= 0) & (c[:, v] >= 0) & (c[:, u] < shape_c[u]) & \
                    (c[:, v] < shape_c[v])
                np.add.at(acc, tuple(c[ok].T), pos[ok])
                np.add.at(cnt, tuple(c[ok].T), 1.0)
        inner = (idx[:, u] >= 1) & (idx[:, v] >= 1) & (idx[:, u] < shape_c[u]) & \
            (idx[:, v] < shape_c[v])
        e = idx[inner]
        out_first = ~inside[tuple(e.T)]  # the edge runs from outside to inside
        cells = []
        for du, dv in ((1, 1), (0, 1), (0, 0), (1, 0)):
            c = e.copy()
            c[:, u] -= du
            c[:, v] -= dv
            cells.append(cell_id[tuple(c.T)])
        q = np.stack(cells, axis=1)
        q[out_first] = q[out_first][:, ::-1]
        quads.append(q)
    q = np.concatenate(quads)
    used, inverse = np.unique(q, return_inverse=True)
    flat_acc = acc.reshape(-1, 3)[used]
    flat_cnt = cnt.reshape(-1)[used]
    verts = np.asarray(origin, float) + step * (flat_acc / flat_cnt[:, None])
    qi = inverse.reshape(-1, 4)
    faces = np.vstack([qi[:, [0, 1, 2]], qi[:, [0, 2, 3]]])
    return verts, faces


def blended(solid: Manifold, frame: Frame, blend: Blend, faces: int) -> Manifold:
    """``solid`` (world) with its parts flowing into one another, about ``faces`` triangles.

    Resampled in the bone's own frame on a grid symmetric about its mid-sagittal plane, so the
    result stays mirror symmetric; flat surfaces (end plates, facet joints) stay where they were.
    """
    local = solid.translate((-frame.origin).tolist()).transform(
        np.hstack([frame.axes, np.zeros((3, 1))]).tolist())
    occ, origin = _occupancy(local, blend.step)
    occ = ndimage.gaussian_filter(occ, blend.radius / blend.step, mode="constant")
    try:
        verts, tris = surface_nets(0.5 - occ, origin, blend.step)
        out = solid_from_arrays(frame.to_world(verts), tris)
    except ValueError:  # a pinched cell: fall back on the always-manifold tetrahedra
        verts, tris = marching_tetrahedra(0.5 - occ, origin, blend.step)
        out = solid_from_arrays(frame.to_world(verts), tris)
    tol = 0.08
    while out.num_tri() > faces and tol < 5.0:
        out = out.simplify(tol)
        tol *= 1.2
    return out


# --------------------------------------------------------------------------------------------
# Vertebral body
# --------------------------------------------------------------------------------------------

def region_of(level: str) -> str:
    return {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}[level[0]]


_DENT = {"cervical": 0.04, "thoracic": 0.09, "lumbar": 0.10, "sacral": 0.07}


def body_outline(region: str, width: float, depth: float, n: int = 32) -> np.ndarray:
    """End-plate outline ``(n, 2)`` (x left, y posterior), counter-clockwise, mm.

    Cervical: a rounded rectangle; thoracic: heart-shaped (narrow in front, the canal notching the
    back); lumbar and sacral: kidney-shaped (wide, with a posterior concavity).
    """
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    p = {"cervical": 3.2, "thoracic": 2.3, "lumbar": 2.7, "sacral": 2.6}[region]
    x = np.sign(c) * np.abs(c) ** (2 / p) * width / 2
    y = np.sign(s) * np.abs(s) ** (2 / p) * depth / 2
    if region == "thoracic":
        front = np.clip(-y / (depth / 2), 0, 1)
        x = x * (1 - 0.28 * front ** 1.6)
    back = np.clip(y / (depth / 2), 0, 1)
    y = y - _DENT[region] * depth * np.exp(-(x / (0.3 * width)) ** 2) * back
    return np.column_stack([x, y])


def body_width(level: str) -> float:
    """Width of the vertebral body as built, mm: the tabled end-plate width, widened in the neck
    (:data:`CERVICAL_BODY_WIDENING`)."""
    return mm.VERTEBRAE[level].body_width * CERVICAL_BODY_WIDENING.get(level, 1.0)


def canal_front(level: str) -> float:
    """Local y of the posterior wall of the body at the midline (front of the canal), mm."""
    if level == "C1":
        return -6.5
    d = mm.VERTEBRAE[level].body_depth
    return d / 2 - _DENT[region_of(level)] * d


def canal_centre_local(level: str) -> np.ndarray:
    """Centre of the vertebral foramen in the vertebra's frame, mm."""
    if level == "C1":
        return np.array([0.0, 13.5, 0.0])
    dims = mm.VERTEBRAE[level]
    return np.array([0.0, canal_front(level) + dims.canal_depth / 2, 0.0])


def canal_centre(level: str, layout: SpineLayout) -> np.ndarray:
    """World position of the centre of a vertebra's foramen, mm."""
    return layout.vertebrae[level].to_world(canal_centre_local(level))


def _body_rings(region: str, w: float, d: float, h: float, wedge: float = 0.0,
                grow: float = 0.0) -> list[np.ndarray]:
    """Rings of a slightly waisted body; ``wedge`` adds that much height at the front (mm)."""
    outline = body_outline(region, w + 2 * grow, d + 2 * grow)
    waist = {"cervical": 0.95, "thoracic": 0.91, "lumbar": 0.89, "sacral": 0.92}[region]
    hz = h / 2 + grow
    zs = [-hz, -hz + 0.6, -hz + 1.8, -h / 4, 0.0, h / 4, hz - 1.8, hz - 0.6, hz]
    sc = [0.93, 0.98, 1.0, (1 + waist) / 2, waist, (1 + waist) / 2, 1.0, 0.98, 0.93]
    # Flat end plates: two inner rings at each end so the cap is not one fan.
    zs = [-hz, -hz] + zs + [hz, hz]
    sc = [0.35, 0.7] + sc + [0.7, 0.35]
    rings = []
    for z, k in zip(zs, sc):
        xy = outline * k
        zz = np.full(len(xy), z)
        if wedge and z < 0:
            zz = zz - wedge * (d / 2 - xy[:, 1]) / d * (-z / hz)
        rings.append(np.column_stack([xy, zz]))
    return rings


# --------------------------------------------------------------------------------------------
# Arch parameters
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Arch:
    """Sizes of the neural arch of one vertebra in its frame (left side), mm.

    ``pillar`` is the junction of pedicle, lamina and articular processes; ``foramen_xy`` the x, y of
    the intervertebral foramen below the vertebra.
    """

    pedicle_height: float
    pedicle_width: float
    pedicle_start: np.ndarray
    pillar: np.ndarray
    lamina_thickness: float
    lamina_height: float
    foramen_xy: tuple[float, float]


def arch_of(level: str) -> Arch:
    """Neural-arch sizes of a presacral vertebra C2..L5 (Panjabi 1991/1992, Gray's Anatomy)."""
    dims = mm.VERTEBRAE[level]
    region = region_of(level)
    idx = int(level[1:])
    w, d, h, cw, cd = body_width(level), dims.body_depth, dims.body_height, dims.canal_width, \
        dims.canal_depth
    if region == "cervical":
        ph, pw, pl, lt, lh = 7.0, 5.5, 6.0, CERVICAL_LAMINA_THICKNESS, 11.0
        if level == "C2":  # thick laminae carrying the massive spine
            ph, pw, pl, lt, lh = 8.0, 7.0, 7.0, C2_LAMINA_THICKNESS, C2_LAMINA_HEIGHT
    elif region == "thoracic":
        ph = 9.0 + 6.0 * (idx - 1) / 11
        pw = 6.0 + 2.0 * (idx - 1) / 11
        pl, lt, lh = 0.62 * cd + 1.0, 5.0, 14.0 + 5.0 * (idx - 1) / 11
    else:
        ph = 15.0
        pw = (9.0, 10.0, 11.0, 12.0, 14.0)[idx - 1]
        pl, lt, lh = 0.62 * cd + 1.5, 6.0, 21.0
    y0 = canal_front(level)
    xe = cw / 2 + pw / 2
    xs = min(xe, w / 2 - pw / 2 - 0.5)
    zp = h / 2 - ph / 2 - 0.8
    start = np.array([xs, y0 - 4.0, zp])
    pillar = np.array([xe, y0 + pl, zp])
    if region == "cervical":  # the cervical foramen opens anterolaterally, in front of the pillar
        foramen = (xe - 2.0, y0 - 2.0)
    elif region == "thoracic":
        foramen = (xe, y0 + 0.3 * pl)
    else:
        foramen = (xe, y0 + 0.35 * pl)
    return Arch(ph, pw, start, pillar, lt, lh, foramen)


def joint_of(upper: str, lower: str, layout: SpineLayout, lower_pillar_local: np.ndarray,
             lower_frame: Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The left facet joint between ``upper`` and ``lower``: (centre, normal, facet up), world.

    The normal points from the lower vertebra's superior facet to the upper one's inferior facet.
    Orientations (Gray's Anatomy; Panjabi 1993): cervical facets inclined about 45 degrees facing
    up and back; thoracic facets nearly coronal facing back; lumbar facets nearly sagittal, the
    superior facet facing back and medially (the L5-S1 joint more coronal).
    """
    up_frame = layout.vertebrae[upper]
    p_up = lower_frame.to_local(up_frame.to_world(arch_of(upper).pillar))
    mid = (lower_pillar_local + p_up) / 2
    region = region_of(lower) if lower != "S1" else "sacral"
    if region == "cervical":
        normal, offset = np.array([0.0, 0.6, 0.8]), np.array(CERVICAL_JOINT_OFFSET)
    elif lower == "T1":
        normal, offset = np.array([0.1, 0.75, 0.65]), np.array([0.0, 0.5, 0.0])
    elif region == "thoracic":
        normal, offset = np.array([0.25, 0.93, 0.27]), np.array([0.0, 0.3, 0.0])
    elif lower == "L1":
        normal, offset = np.array([-0.55, 0.83, 0.0]), np.array(T12_L1_JOINT_OFFSET)
    elif region == "lumbar":
        normal, offset = np.array([-0.72, 0.69, 0.0]), np.array(LUMBAR_JOINT_OFFSET[lower])
    else:
        normal, offset = np.array([-0.5, 0.86, 0.0]), np.array([2.5, 2.5, 0.0])
    normal = normal / np.linalg.norm(normal)
    centre = lower_frame.to_world(mid + offset)
    n_world = lower_frame.axes.T @ normal
    up_world = lower_frame.axes[2]
    return centre, n_world, up_world


# Lumbar posterior elements. Facet size: of the order measured by Panjabi et al. 1993 (lumbar
# facets roughly 15 mm across); the lean of the laminae, the height and slope of the spinous process,
# the rise of the transverse processes and the place of the facet joints were chosen by measuring
# the result against real lumbar vertebrae (``../shared/tools/fidelity.py``, measuring only).
LAMINA_LEAN = 9.0
"""How far the lower border of a lumbar lamina lies behind its upper border, mm."""
SPINOUS_HALF_THICKNESS = 3.3
"""Half the side-to-side thickness of a lumbar spinous process, mm."""
SPINOUS_DROP = 8.0
"""How far the upper border of a lumbar spinous process falls from its base to its tip, mm."""
SPINOUS_TIP_HEIGHT = 0.8
"""Height of the posterior border of a lumbar spinous process, as a fraction of body height."""
TRANSVERSE_RISE = 9.5
"""Height of a lumbar transverse tip above the centre of the pedicle, mm."""
L5_TRANSVERSE_RISE = 7.0
"""The same for the stouter, lower-set transverse process of L5, mm."""
TRANSVERSE_BACK = 4.0
"""How far a lumbar transverse tip lies behind the articular pillar, mm."""
LUMBAR_JOINT_OFFSET = {"L2": (0.5, 6.0, 0.0), "L3": (0.0, 5.0, 0.0), "L4": (4.0, 3.5, 0.0),
                       "L5": (4.5, 3.5, 0.0)}
"""Lumbar facet joint centre from the mid-point of the two pillars (lateral, posterior, up), mm,
by the lower vertebra: the joints stand further apart going down, L4-L5 and L5-S1 widest."""
T12_L1_JOINT_OFFSET = (-3.0, 6.5, 0.0)
"""The same for the thoracolumbar joint, whose facets are already lumbar in form, mm."""

# The axis (C2): its laminae are the thickest of the neck and its spine the most massive, with
# a short reach behind the canal (Gray's Anatomy); values chosen by measuring against a real axis
# with fidelity.py (measuring only).
C2_LAMINA_THICKNESS = 7.0
C2_LAMINA_HEIGHT = 14.0
C2_SPINOUS_REACH = 19.0
"""From the back of the canal to the centre of the bifid tip, along the process, mm."""
C2_TRANSVERSE_SHORTER = 4.0
"""How much shorter each transverse process of C2 is than half the tabled span, mm."""
C2_SUPERIOR_FACET = (8.0, 8.5, 3.5)
"""Half-width, half-depth and half-thickness of the block carrying a superior facet of C2, mm
(large oval facets on either side of the dens, Gray's Anatomy; sized by measuring)."""
DENS_HEIGHT = 16.3
"""Height of the dens above the superior end of the body of C2, mm."""
DENS_LEAN = 0.0
"""Backward lean of the dens, mm per mm of height."""
C2_FACET_X = 15.5
"""Distance of the centre of a superior facet of C2 from the midline, mm."""

# Thoracic arches: broad shingled laminae and spinous processes with a wide root (Gray's Anatomy);
# the sizes below have no published values and were chosen by measuring the built bones against
# real thoracic vertebrae with fidelity.py (measuring only).
THORACIC_LAMINA_LEAN = 6.0
"""How far the lower border of a thoracic lamina lies behind its upper border, mm."""
THORACIC_LAMINA_REACH = 3.0
"""How far the lower outer corner of a thoracic lamina reaches lateral of the pillar, mm."""
THORACIC_SPINOUS_ROOT_HALF_WIDTH = 4.5
"""Half the width of the root of a thoracic spinous process where the laminae meet, mm."""
THORACIC_SPINOUS_HALF_WIDTH = 2.2
"""Half the width of the blade of a thoracic spinous process near its tip, mm."""
THORACIC_SPINOUS_BLADE_HALF_HEIGHT = 4.5
"""Half the height of the blade of a thoracic spinous process half way along, mm."""
THORACIC_TRANSVERSE_BACK = {"T1": 0.0, "T2": 6.0}
"""How far the tip of a thoracic transverse process lies behind the pillar, mm (T3-T10: 9, T11 and
T12: 4): the upper ones point more laterally, the lower ones more backwards (Gray's Anatomy)."""
THORACIC_SPINOUS_REACH = 0.8
"""Where the centre of the tip of a thoracic spinous process lies, as a fraction of the tabled
length (the rounded tubercle around that centre makes up the rest)."""

# Cervical arches (Gray's Anatomy); sizes with no published value chosen by measuring the built
# bones against real cervical vertebrae with fidelity.py (measuring only).
CERVICAL_LAMINA_THICKNESS = 4.4
"""Thickness of a cervical lamina (C3-C7), mm."""
CERVICAL_LAMINA_LEAN = 2.5
"""How far the lower border of a cervical lamina lies behind its upper border, mm."""
CERVICAL_BODY_WIDENING = {"C2": 1.3, "C3": 1.3, "C4": 1.3, "C5": 1.3, "C6": 1.2, "C7": 1.1}
"""Width of a cervical body over the tabled width of its superior end plate: the plate is
measured between the uncinate processes, and the body is wider across them and below them. Kept
within the published spread of cervical body widths (``morphometry.BODY_RANGES``)."""
CERVICAL_SPINOUS_REACH = 0.8
"""Where the centre of the tip of a cervical spinous process (C2-C7) lies, as a fraction of the
tabled length (the rounded tips make up the rest)."""
CERVICAL_JOINT_OFFSET = (2.0, 1.5, -2.0)
"""Cervical facet joint centre from the mid-point of the two pillars (lateral, posterior, up), mm."""
UNCINATE_HEIGHT = 3.8
"""Height of the tip of an uncinate process (C3-C7) above the superior end plate, mm."""
CERVICAL_PILLAR_RADII = (5.5, 4.0, 4.0)
"""Semi-axes of the ellipsoids that span a cervical articular pillar (lateral mass), mm."""
CERVICAL_PILLAR_OUT = 5.0
"""How far the axis of a cervical articular pillar lies lateral of the end of the pedicle, mm."""
CERVICAL_PILLAR_BACK = 3.0
"""How far the lower end of a cervical articular pillar lies behind its upper end, mm."""
CERVICAL_PILLAR_DROP = 6.0
"""How far the lower end of a cervical articular pillar lies below the end of the pedicle, mm."""

FACET_CURVE_RADIUS = 15.0
"""Radius of curvature of the lumbar facet joints (concave superior facets), mm."""


CERVICAL_FACET = (5.0, 4.8, 2.2)
"""Half-width, half-height and half-thickness of the block carrying a cervical facet, mm (facets
about 10 mm across: Panjabi et al. 1993)."""


def _facet_radii(region: str) -> tuple[float, float, float]:
    """(half-width, half-height, half-thickness) of an articular facet block, mm."""
    return {"cervical": CERVICAL_FACET, "thoracic": (5.0, 6.0, 2.2), "lumbar": (7.0, 7.0, 3.4),
            "sacral": (6.0, 7.5, 3.0)}[region]


# --------------------------------------------------------------------------------------------
# Built vertebra
# --------------------------------------------------------------------------------------------

@dataclass
class Piece:
    """One bone under construction: its frame and named sub-solids (world mm)."""

    acronym: str
    frame: Frame
    sub: dict[str, Manifold] = field(default_factory=dict)
    holes: list[Manifold] = field(default_factory=list)
    carve: list[Manifold] = field(default_factory=list)

    def add(self, name: str, solid_local: Manifold) -> None:
        self.sub[name] = to_world(solid_local, self.frame)

    def add_pair(self, name: str, solid_local_left: Manifold) -> None:
        self.add(f"{name}_left", solid_local_left)
        self.add(f"{name}_right", mirror_x(solid_local_left))


def _typical_vertebra(level: str, layout: SpineLayout) -> Piece:
    """Build body, pedicles, laminae, spinous and transverse processes of C2..L5 (local frame)."""
    frame = layout.vertebrae[level]
    piece = Piece(level, frame)
    dims = mm.VERTEBRAE[level]
    region = region_of(level)
    idx = int(level[1:])
    w, d, h, cw, cd = body_width(level), dims.body_depth, dims.body_height, dims.canal_width, \
        dims.canal_depth
    arch = arch_of(level)
    ph, pw, lt, lh = arch.pedicle_height, arch.pedicle_width, arch.lamina_thickness, \
        arch.lamina_height
    y0 = canal_front(level)
    yb = y0 + cd
    P = arch.pillar
    wedge = 3.0 if level == "L5" else 0.0

    piece.add("body", loft(_body_rings(region, w, d, h, wedge)))

    # Pedicle: a short rod from the back of the body to the articular pillar.
    ped = blob([(arch.pedicle_start, (pw / 2, 3.0, ph / 2)),
                (P, (pw / 2 + 0.3, 3.0, ph / 2))])
    piece.add_pair("pedicle", ped)

    # Lamina: a sloping plate from the pillar to the midline, roofing the canal.
    top = P[2] + ph / 2 - lt / 2
    bottom = P[2] + ph / 2 - lh + lt / 2
    r = lt / 2
    # Lumbar laminae lean back as they descend (their lower border lies well behind the upper one,
    # LAMINA_LEAN), so the canal is triangular at the level of the pedicles.
    lean = {"lumbar": LAMINA_LEAN, "thoracic": THORACIC_LAMINA_LEAN,
            "cervical": CERVICAL_LAMINA_LEAN}[region]
    lam = blob([((P[0] - 0.2 * pw, P[1] + 0.8, top), r),
                ((P[0] - 0.2 * pw, P[1] + lean, bottom), r),
                ((0.0, yb + r, top), r), ((0.0, yb + r + lean, bottom), r)])
    if region == "thoracic":
        # Broad, shingled laminae: the plate reaches out to the root of the transverse process
        # behind the pillar, so that seen from behind the arch is one roof (Gray's Anatomy).
        lam = union([lam, blob([((P[0] - 0.2 * pw, P[1] + 0.8, top), r),
                                ((P[0] + THORACIC_LAMINA_REACH, P[1] + lean, bottom + 2.0), r),
                                ((0.0, yb + r + lean, bottom), r)])])
    piece.add_pair("lamina", lam)

    # Spinous process in the mid-sagittal plane, sloping down by the published angle.
    slope = np.radians(dims.spinous_slope)
    zc = top - (lh * 0.35 if region != "lumbar" else lh * 0.45)
    base = np.array([0.0, yb + 1.0, zc])
    reach = dims.spinous_length * {"thoracic": THORACIC_SPINOUS_REACH,
                                   "cervical": CERVICAL_SPINOUS_REACH}.get(region, 1.0)
    tip = np.array([0.0, yb, zc]) + reach * np.array([0, np.cos(slope), -np.sin(slope)])
    base_top = (np.array([0.0, yb + r + 0.5, top]), (lt / 2, 2.5, 2.0))
    base_bottom = (np.array([0.0, yb + r + 3.0, bottom + 1.0]), (lt / 2, 2.5, 2.0))
    if level == "C2":  # massive, deeply grooved below and bifid (Gray's Anatomy)
        tip = np.array([0.0, yb, zc]) + C2_SPINOUS_REACH * np.array([0, np.cos(slope),
                                                                    -np.sin(slope)])
        stem = blob([((0.0, yb + r, top), (lt / 2 + 1.0, 3.0, 3.0)),
                     ((0.0, yb + r + 2.5, bottom), (lt / 2 + 1.0, 3.0, 3.0)),
                     (base + 0.5 * (tip - base), (5.0, 4.0, 6.0))])
        halves = [blob([(base + 0.5 * (tip - base), (4.0, 4.0, 5.5)),
                        (tip + np.array([sx * 5.0, -1.0, 1.5]), (4.0, 3.5, 6.0))])
                  for sx in (1, -1)]
        spin = union([stem] + halves)
    elif region == "cervical" and level != "C7":
        bif = 3.4
        tr = (2.4, 2.4, 3.0)
        fork = base + 0.6 * (tip - base)
        stem = blob([base_top, base_bottom, (fork, (2.2, 2.5, 3.2))])
        halves = [blob([(fork, (1.8, 2.2, 2.8)), (tip + np.array([sx * bif, -1.0, 0.0]), tr)])
                  for sx in (1, -1)]
        spin = union([stem] + halves)
    elif region == "thoracic" or level == "C7":
        # C7 (vertebra prominens): long and thoracic in form, not bifid (Gray's Anatomy).
        # A triangular root as wide as the laminae meeting it, tapering along a long sloping
        # blade to a small tubercle (Gray's Anatomy).
        hw0, hw1, ht1 = THORACIC_SPINOUS_ROOT_HALF_WIDTH, THORACIC_SPINOUS_HALF_WIDTH, \
            THORACIC_SPINOUS_BLADE_HALF_HEIGHT
        mid = base + 0.5 * (tip - base)
        root_top = (np.array([0.0, yb + r + 0.5, top]), (hw0, 2.5, 2.0))
        root_bottom = (np.array([0.0, yb + r + lean, bottom + 1.0]), (hw0, 3.0, 2.5))
        spin = union([blob([root_top, root_bottom, (mid, (hw1 + 0.6, 2.5, ht1))]),
                      blob([(mid, (hw1 + 0.6, 2.5, ht1)), (tip, (hw1, 2.8, 3.4))])])
    else:  # lumbar: a thick hatchet, its posterior border tall and its upper border sloping
        half_t = SPINOUS_HALF_THICKNESS
        end = yb + dims.spinous_length - 3.0  # centre of the rounded posterior border
        upper = top - SPINOUS_DROP
        lower = upper - SPINOUS_TIP_HEIGHT * h + 6.0
        spin = blob([((0.0, yb + r + 0.5, top), (half_t, 2.5, 2.5)),
                     ((0.0, yb + r + lean, bottom + 1.0), (half_t, 2.5, 2.5)),
                     ((0.0, end, upper - 3.0), (half_t - 0.4, 3.0, 3.0)),
                     ((0.0, end + 0.5, lower), (half_t, 3.0, 3.0))])
    piece.add("spinous", spin)

    # Transverse processes.
    half_span = dims.transverse_span / 2
    if level == "C2":  # short transverse processes hanging below the broad superior facets
        half_span -= C2_TRANSVERSE_SHORTER
    if region == "cervical":
        front = np.array([w / 2 - 1.8, -1.5, P[2] - 0.5])
        ant_tub = np.array([half_span - 5.5, -3.0, P[2] - 2.5])
        post_tub = np.array([half_span - 0.5, y0 + 1.0, P[2] - 2.0])
        root = P + np.array([0.0, -2.0, -0.5])
        if level == "C7":  # small anterior root, long posterior bar
            ant_tub = np.array([half_span - 12.0, -1.0, P[2] - 2.0])
            post_tub = np.array([half_span - 1.0, y0 + 3.0, P[2] - 1.0])
        rz = 2.2
        tp = blob([(front, (2.0, 2.0, rz)), (ant_tub, (2.5, 2.3, 2.8)),
                   (post_tub, (2.5, 2.5, 2.8)), (root, (2.6, 2.6, rz + 0.5))])
        # Foramen transversarium: a vertical hole between the two roots.
        fx = 0.5 * (w / 2 + P[0]) + 2.0
        hole = Manifold.cylinder(16.0, 2.6 if level != "C7" else 2.0, 2.6 if level != "C7" else 2.0,
                                 16).translate([fx, 1.0, P[2] - 8.0])
        if level == "C2":  # the axis' foramen bends out under the superior facet (Gray's Anatomy)
            rise = Manifold.cylinder(10.0, 2.6, 2.6, 16).translate([fx, 1.0, P[2] - 8.0])
            out = Manifold.cylinder(14.0, 2.4, 2.4, 16).rotate([0.0, 90.0, 0.0]).translate(
                [fx, 1.0, P[2]])
            hole = union([rise, out])
        # A shallow gutter for the spinal nerve on the upper surface.
        gutter = blob([((P[0] + 2.0, 2.0, P[2] + 3.4), (2.2, 2.4, 2.2)),
                       ((half_span - 3.0, -1.5, P[2] + 1.2), (2.4, 2.4, 2.2))])
        piece.add_pair("transverse", tp - gutter)
        piece.holes += [to_world(hole, frame), to_world(mirror_x(hole), frame)]
        # Uncinate processes (C3-C7): lips rising from the lateral edges of the upper end plate.
        if idx >= 3:
            uh = UNCINATE_HEIGHT
            unc = blob([((w / 2 - 1.4, -1.0, h / 2 - 1.5), (1.4, 2.0, 1.2)),
                        ((w / 2 - 1.2, d / 2 - 3.5, h / 2 - 1.5), (1.4, 2.0, 1.2)),
                        ((w / 2 - 0.9, d / 2 - 4.5, h / 2 + uh - 0.6), (0.9, 1.6, 0.6)),
                        ((w / 2 - 1.0, 0.0, h / 2 + uh - 1.0), (0.9, 1.6, 0.6))])
            piece.add_pair("uncinate", unc)
        # Articular pillar (lateral mass): the column between the superior and inferior facets,
        # whose top and bottom are the two oblique joint surfaces (Gray's Anatomy).
        pr = CERVICAL_PILLAR_RADII
        top_c = P + np.array([CERVICAL_PILLAR_OUT, 0.0, 0.5])
        bottom_c = P + np.array([CERVICAL_PILLAR_OUT, CERVICAL_PILLAR_BACK, -CERVICAL_PILLAR_DROP])
        piece.add_pair("pillar", blob([(top_c, pr), (bottom_c, pr)]))
    elif region == "thoracic":
        tip_y = P[1] + THORACIC_TRANSVERSE_BACK.get(level, 9.0 if idx < 11 else 4.0)
        tip_z = P[2] + (2.0 if idx < 11 else 0.0)
        tipr = (4.2, 4.0, 4.6) if idx < 11 else (3.0, 3.0, 3.5)
        tp = blob([(P + np.array([0.0, 0.0, 0.0]), (3.0, 3.2, ph / 2 - 0.5)),
                   (np.array([half_span - tipr[0], tip_y, tip_z]), tipr)])
        if idx <= 10:  # costal facet on the front of the tip (costotransverse joint)
            pit = Manifold.sphere(3.6, 16).translate([half_span - 4.5, tip_y - tipr[1] - 2.4, tip_z])
            tp = tp - pit
        piece.add_pair("transverse", tp)
        # Costal facets on the body: demifacets at the upper and lower posterior corners
        # (T2-T9), a full upper facet on T1 and single facets on T10-T12.
        pits = []
        xs = w / 2 * 0.86
        if idx == 1:
            zs = [h / 2 - 3.0, -h / 2 - 0.8]
        elif idx <= 9:
            zs = [h / 2 + 0.8, -h / 2 - 0.8]
        elif idx == 10:
            zs = [h / 2 + 0.8]
        else:
            zs = [h / 2 - 4.5]
        for z in zs:
            pits.append(Manifold.sphere(4.2, 16).translate([xs + 3.6, d / 2 - 6.0, z]))
        for pit in pits:
            piece.holes += [to_world(pit, frame), to_world(mirror_x(pit), frame)]
    else:
        if level == "L5":
            # L5: a massive cone whose root spreads onto the side of the body (Gray's Anatomy).
            tp = blob([(P + np.array([-1.0, -3.0, -1.0]), (5.0, 5.0, 7.0)),
                       (np.array([w / 2 - 3.0, P[1] - 9.0, P[2] - 4.0]), (4.0, 4.0, 5.0)),
                       (np.array([half_span - 4.0, P[1] - 1.0, P[2] + L5_TRANSVERSE_RISE]),
                        (4.0, 4.0, 5.5))])
        else:
            # Long, thin, flattened front to back and tapering to a blunt tip (Gray's).
            tip = np.array([half_span - 2.0, P[1] + TRANSVERSE_BACK, P[2] + TRANSVERSE_RISE])
            root = P + np.array([0.0, -1.0, 0.0])
            mid = 0.55 * root + 0.45 * tip
            tp = union([blob([(root, (3.0, 3.2, 5.5)), (mid, (2.5, 2.0, 4.2))]),
                        blob([(mid, (2.5, 2.0, 4.2)), (tip, (2.0, 1.7, 3.2))])])
        piece.add_pair("transverse", tp)
        # Accessory process: a small knob at the back of the root of the transverse process.
        acc = blob([(P + np.array([4.0, 2.5, -4.0]), (2.0, 2.0, 2.5))])
        piece.add_pair("accessory", acc)
    return piece


def _atlas(layout: SpineLayout) -> Piece:
    """C1: a ring with no body (Doherty and Heggeness 1994, Gray's Anatomy)."""
    frame = layout.vertebrae["C1"]
    piece = Piece("C1", frame)
    dims = mm.VERTEBRAE["C1"]
    front = [((0.0, -9.8, 0.0), (3.2, 3.0, 5.0)), ((8.5, -8.2, 0.0), (3.0, 3.0, 4.4)),
             ((14.5, -4.0, -0.5), (3.0, 3.0, 4.5))]
    arch = chain(front[::-1] + [((-x, y, z), r) for (x, y, z), r in front[1:]])
    tubercle = blob([((0.0, -12.5, 0.0), (3.4, 2.4, 3.8))])
    piece.add("anterior_arch", union([arch, tubercle]))

    mass = blob([((17.5, -1.0, 0.0), (5.2, 6.5, 8.0)), ((18.0, 6.0, -0.5), (5.0, 4.5, 7.0)),
                 ((16.0, 2.0, 1.0), (4.5, 7.0, 7.5))])
    condyle = Manifold.sphere(1.0, 24).scale([6.5, 11.0, 6.0]).translate([17.5, 2.0, 12.5])
    piece.add_pair("lateral_mass", mass - condyle)

    back = [((17.5, 9.0, -0.5), (3.0, 3.2, 4.0)), ((15.5, 17.5, 0.0), (2.8, 3.0, 4.0)),
            ((9.0, 24.0, 0.0), (2.8, 2.8, 4.0)), ((0.0, 26.3, 0.0), (2.8, 2.8, 4.2))]
    piece.add_pair("posterior_arch", chain(back))
    tip_y = 23.5 + 0.65 * dims.spinous_length
    piece.add("spinous", blob([((0.0, 26.3, 0.0), (3.0, 2.5, 4.0)),
                               ((0.0, tip_y, -0.5), (4.5, 2.6, 5.0))]))

    half = dims.transverse_span / 2
    tp = blob([((20.5, 1.0, -0.5), (4.0, 5.5, 5.0)), ((26.0, 1.5, -0.5), (5.5, 6.0, 4.0)),
               ((half - 4.0, 3.0, -1.5), (4.0, 4.0, 4.8))])
    hole = Manifold.cylinder(16.0, 2.8, 2.8, 16).translate([25.5, 1.5, -8.0])
    piece.add_pair("transverse", tp)
    piece.holes += [to_world(hole, frame), to_world(mirror_x(hole), frame)]
    return piece


def _add_dens(piece: Piece) -> None:
    """The dens of C2 rising from the body through the ring of the atlas."""
    h = mm.VERTEBRAE["C2"].body_height
    zs = [h / 2 - 3.0] + [h / 2 + f * DENS_HEIGHT for f in (0.09, 0.37, 0.61, 0.8, 0.92, 1.0)]
    rs = [5.0, 4.3, 4.8, 4.8, 4.0, 2.4, 0.8]
    a = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    # The dens leans back a little on the body (Gray's Anatomy).
    rings = [np.column_stack([0.95 * r * np.cos(a), r * np.sin(a) + DENS_LEAN * (z - zs[0]),
                              np.full(24, z)]) for z, r in zip(zs, rs)]
    piece.add("dens", loft(rings))


# --------------------------------------------------------------------------------------------
# Articular processes (joined across neighbours)
# --------------------------------------------------------------------------------------------

def _facet_pair(upper: Piece, lower_frame: Frame, lower_pillar_local: np.ndarray,
                upper_level: str, lower_level: str, layout: SpineLayout,
                upper_anchor_local: np.ndarray, lower_anchor_r: float, upper_anchor_r: float
                ) -> tuple[Manifold, Manifold, np.ndarray, np.ndarray]:
    """Left superior process of the lower bone and inferior process of the upper bone (world)."""
    centre, normal, up = joint_of(upper_level, lower_level, layout, lower_pillar_local,
                                  lower_frame)
    region = region_of(lower_level) if lower_level != "S1" else "sacral"
    fw, fh, ft = _facet_radii(region)
    gap = FACET_GAP / 2
    curved = region in ("lumbar", "sacral")
    reach = 2.0 if curved else 0.0  # curved facets overlap, then are cut apart by a cylinder
    lower_block = oriented_blob(centre - normal * (ft + gap - reach), (fw, fh, ft), normal, up,
                                segments=20)
    upper_block = oriented_blob(centre + normal * (ft + gap - reach), (fw, fh, ft), normal, up,
                                segments=20)
    lower_anchor = Manifold.sphere(lower_anchor_r, SEGMENTS).translate(
        lower_frame.to_world(lower_pillar_local).tolist())
    upper_anchor = Manifold.sphere(upper_anchor_r, SEGMENTS).translate(
        upper.frame.to_world(upper_anchor_local).tolist())
    sap = Manifold.batch_hull([lower_anchor, lower_block])
    iap = Manifold.batch_hull([upper_anchor, upper_block])
    if not curved:
        sap = sap.trim_by_plane((-normal).tolist(), float(-np.dot(centre, normal) + gap))
        iap = iap.trim_by_plane(normal.tolist(), float(np.dot(centre, normal) + gap))
        return sap, iap, centre, normal
    # Lumbar joints: the superior facet is concave (facing back and medially), wrapping round
    # the convex inferior facet of the vertebra above (Gray's Anatomy); the joint surface is a
    # vertical cylinder of radius FACET_CURVE_RADIUS behind the joint.
    axis_point = centre + normal * FACET_CURVE_RADIUS
    rot = frame_from_z(up, normal)

    def cylinder_of(radius: float) -> Manifold:
        c = Manifold.cylinder(60.0, radius, radius, 40).translate([0.0, 0.0, -30.0])
        return place(c, rot, axis_point)

    near_side = place(Manifold.cube([80.0, 80.0, 60.0], True).translate([-40.0, 0.0, 0.0]),
                      rot, axis_point)  # local x of ``rot`` is ``normal``
    sap = sap - cylinder_of(FACET_CURVE_RADIUS + gap)
    iap = iap - (near_side - cylinder_of(FACET_CURVE_RADIUS - gap))
    return sap, iap, centre, normal


def _mirror_world(solid: Manifold) -> Manifold:
    return solid.mirror([1.0, 0.0, 0.0])


def _inferior_anchor(level: str) -> np.ndarray:
    """Local point of the arch the inferior articular process of ``level`` hangs from."""
    arch = arch_of(level)
    region = region_of(level)
    if region == "lumbar":  # the lower outer corner of the leaning lamina
        return arch.pillar + np.array([0.5, 0.5 * LAMINA_LEAN, -(arch.lamina_height * 0.4)])
    if region == "thoracic":  # the lower outer corner of the lamina
        return arch.pillar + np.array([-1.0, 2.0, -(arch.lamina_height * 0.35)])
    return arch.pillar + np.array([0.0, 0.5, -1.0])


def _join_neighbours(pieces: dict[str, Piece], sacrum: Piece, layout: SpineLayout,
                     sacral_pillar_local: np.ndarray) -> dict[str, np.ndarray]:
    """Add the facet joints between every pair of neighbours; returns joint centres (left)."""
    order = list(mm.PRESACRAL[1:]) + ["S1"]
    joints: dict[str, np.ndarray] = {}
    for upper_level, lower_level in zip(order[:-1], order[1:]):
        upper = pieces[upper_level]
        ua = arch_of(upper_level)
        if lower_level == "S1":
            lower, lower_frame, lower_pillar = sacrum, layout.s1, sacral_pillar_local
            lower_r = 5.0
        else:
            lower = pieces[lower_level]
            lower_frame = lower.frame
            lower_pillar = arch_of(lower_level).pillar
            lower_r = arch_of(lower_level).pedicle_width / 2 + 0.3
        anchor = _inferior_anchor(upper_level)
        sap, iap, centre, normal = _facet_pair(upper, lower_frame, lower_pillar, upper_level,
                                               lower_level, layout, anchor, lower_r,
                                               ua.pedicle_width / 2 + 0.5)
        lower.sub["superior_articular_left"] = sap
        lower.sub["superior_articular_right"] = _mirror_world(sap)
        upper.sub["inferior_articular_left"] = iap
        upper.sub["inferior_articular_right"] = _mirror_world(iap)
        joints[f"{upper_level}_{lower_level}"] = centre
        if region_of(lower_level) == "lumbar" or lower_level == "S1":
            # Mammillary process: a knob on the posterior border of the superior process.
            fw, fh, ft = _facet_radii("lumbar")
            v = np.cross(normal, lower_frame.axes[2])
            v = v if np.dot(v, lower_frame.axes[1]) > 0 else -v
            knob_c = centre - normal * ft + v * fw + lower_frame.axes[0] * 1.2 \
                - lower_frame.axes[2] * 2.0
            knob = Manifold.sphere(1.0, SEGMENTS).scale([2.4, 2.4, 2.8]).translate(knob_c.tolist())
            if lower_level != "S1":
                lower.sub["mammillary_left"] = knob
                lower.sub["mammillary_right"] = _mirror_world(knob)
    return joints


def _atlanto_axial(c1: Piece, c2: Piece) -> None:
    """Lateral atlanto-axial joints: flat facets between C1's lateral masses and C2's body."""
    h = mm.VERTEBRAE["C2"].body_height
    for side, sx in (("left", 1.0), ("right", -1.0)):
        centre = c2.frame.to_world(np.array([sx * C2_FACET_X, 0.5, h / 2 + 1.8]))
        normal = (c1.frame.axes[2] + c2.frame.axes[2])
        normal = normal + c2.frame.axes[0] * sx * 0.18
        normal /= np.linalg.norm(normal)
        gap = FACET_GAP / 2
        block = oriented_blob(centre - normal * (3.5 + gap), C2_SUPERIOR_FACET, normal,
                              c2.frame.axes[1])
        anchor = Manifold.sphere(4.0, SEGMENTS).translate(
            c2.frame.to_world(np.array([sx * 8.0, 0.0, h / 2 - 4.0])).tolist())
        facet = Manifold.batch_hull([anchor, block]).trim_by_plane(
            (-normal).tolist(), float(-np.dot(centre, normal) + gap))
        c2.sub[f"superior_articular_{side}"] = facet
        mass = c1.sub[f"lateral_mass_{side}"]
        c1.sub[f"lateral_mass_{side}"] = mass.trim_by_plane(
            normal.tolist(), float(np.dot(centre, normal) + gap))


# --------------------------------------------------------------------------------------------
# Sacrum and coccyx
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SacralGeometry:
    """The sacrum's centre line and openings, world mm (pure: no meshes).

    Attributes
    ----------
    frame : Frame
        The S1 end-plate frame.
    foramina : list of dict
        Per S1..S4 (left side): ``canal`` (point in the canal), ``channel`` (the foramen's axis
        inside the bone), ``dorsal`` / ``pelvic`` (outside the dorsal and pelvic surfaces) and
        ``radius`` (dorsal opening).
    """

    frame: Frame

    def point(self, s: float) -> np.ndarray:
        """Local point on the centre line of the bodies at arc length ``s``."""
        R = SACRUM_CURVE_RADIUS
        return np.array([0.0, -R * (1 - np.cos(s / R)), -R * np.sin(s / R)])

    def tangent(self, s: float) -> np.ndarray:
        R = SACRUM_CURVE_RADIUS
        return np.array([0.0, -np.sin(s / R), -np.cos(s / R)])

    def dorsal(self, s: float) -> np.ndarray:
        """Unit vector towards the back of the sacrum at ``s`` (local)."""
        R = SACRUM_CURVE_RADIUS
        return np.array([0.0, np.cos(s / R), -np.sin(s / R)])

    def section(self, s: float) -> tuple[float, float, float]:
        """(half-width, anterior half-depth, dorsal extent) at ``s``, interpolated."""
        table = np.array(_SACRAL_SECTIONS)
        return tuple(float(np.interp(s, table[:, 0], table[:, k])) for k in (1, 2, 3))

    def canal(self, s: float) -> tuple[np.ndarray, float, float]:
        """Local centre, half-width and half-depth of the sacral canal at ``s``."""
        _, ant, dorsal = self.section(max(s, 8.0))
        half_d = float(np.interp(s, [0, 40, 100], [6.5, 4.5, 2.8]))
        half_w = float(np.interp(s, [0, 30, 60, 100], [15.0, 12.5, 9.0, 6.5]))
        wall = float(np.interp(s, [0, 100], [6.5, 3.0]))
        n = dorsal - wall - half_d
        return self.point(s) + self.dorsal(s) * n, half_w, half_d

    def world(self, local: np.ndarray) -> np.ndarray:
        return self.frame.to_world(local)

    @property
    def foramina(self) -> list[dict]:
        out = []
        for s, x, r in _SACRAL_FORAMINA:
            c, hw, hd = self.canal(s)
            _, ant, dorsal = self.section(s)
            base = self.point(s)
            d = self.dorsal(s)
            out.append({
                "s": s, "x": x, "radius": r,
                "canal": self.world(c + np.array([hw - 3.0, 0, 0])),
                "channel": self.world(base + d * float(np.dot(c - base, d)) + np.array([x, 0, 0])),
                "dorsal": self.world(base + d * (dorsal + 6.0) + np.array([x, 0, 0])),
                "pelvic": self.world(base - d * (ant + 6.0) + np.array([x + 2.0, 0, 0])),
                "pelvic_opening": self.world(base - d * (ant + 2.0) + np.array([x + 1.6, 0, 0])),
                "tangent": self.frame.axes.T @ self.tangent(s),
                "dorsal_dir": self.frame.axes.T @ d,
            })
        return out


def sacral_geometry(layout: SpineLayout) -> SacralGeometry:
    return SacralGeometry(layout.s1)


def _sacral_slice(g: SacralGeometry, s: float, grow: float = 0.0) -> Manifold:
    hw, ant, dorsal = g.section(s)
    c, d = g.point(s), g.dorsal(s)
    x = np.array([1.0, 0, 0])
    pts2 = [(-hw, -0.55 * ant), (-0.8 * hw, -0.9 * ant), (-0.45 * hw, -ant), (0.45 * hw, -ant),
            (0.8 * hw, -0.9 * ant), (hw, -0.55 * ant), (hw, 0.3 * dorsal), (0.8 * hw, 0.6 * dorsal),
            (0.4 * hw, 0.93 * dorsal), (0.0, dorsal), (-0.4 * hw, 0.93 * dorsal),
            (-0.8 * hw, 0.6 * dorsal), (-hw, 0.3 * dorsal)]
    # A closed Catmull-Rom curve through the outline points, so that the hull of consecutive
    # slices is finely faceted (a smooth dorsal convexity rather than a few planes).
    ctrl = np.array(pts2, float)
    ext = np.vstack([ctrl[-1], ctrl, ctrl[:2]])
    outline = []
    for k in range(1, len(ctrl) + 1):
        p0, p1, p2, p3 = ext[k - 1], ext[k], ext[k + 1], ext[k + 2]
        for t in (0.0, 1 / 3, 2 / 3):
            outline.append(0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t * t
                                  + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    r = 2.0 + grow
    pts = [c + px * x + pn * d for px, pn in outline]
    spheres = [Manifold.sphere(r, 8).translate(q.tolist()) for q in pts]
    return Manifold.batch_hull(spheres)


def _sacrum(layout: SpineLayout) -> tuple[Piece, dict[str, object]]:
    """The sacrum (five fused segments) in the S1 frame, with its foramina, crest and hiatus."""
    g = sacral_geometry(layout)
    frame = layout.s1
    piece = Piece("sacrum", frame)
    w, d, h = S1_BODY
    rings = _body_rings("sacral", w, d, h)
    rings = [r - np.array([0.0, 0.0, h / 2]) for r in rings]
    piece.add("S1_body", loft(rings))

    sections = list(np.arange(8.0, SACRUM_LENGTH + 0.1, 4.0))
    chunks = [Manifold.batch_hull([_sacral_slice(g, a), _sacral_slice(g, b)])
              for a, b in zip(sections[:-1], sections[1:])]
    # The ala and lateral part (its lateral face is the auricular surface) is the top chunks.
    n_upper = int((AURICULAR_SPAN[1] + 6.0 - 8.0) // 4.0)
    piece.add("lateral_part", union(chunks[:n_upper]))
    piece.add("lower_part", union(chunks[n_upper - 1:]))

    crest = []
    for k, s in enumerate(_SACRAL_CREST):
        _, _, dorsal = g.section(s)
        c = g.point(s) + g.dorsal(s) * (dorsal + 0.8)
        tub = place(Manifold.sphere(1.0, SEGMENTS).scale([3.6, 3.0, 5.0]),
                    np.column_stack([[1.0, 0, 0], g.dorsal(s), g.tangent(s)]), c)
        piece.add(f"crest_S{k + 1}", tub)
        crest.append(tub)
    # A low ridge joining the tubercles.
    ridge = [(g.point(s) + g.dorsal(s) * (g.section(s)[2] - 0.5), (2.0, 2.0, 2.0))
             for s in _SACRAL_CREST]
    piece.add("median_crest", chain(ridge))
    # Sacral cornua beside the hiatus.
    s_c = SACRAL_HIATUS[0] + 7.0
    cornu = blob([(g.point(s_c) + g.dorsal(s_c) * (g.section(s_c)[2] - 1.0) + [6.5, 0, 0],
                   (2.4, 2.4, 3.5))])
    piece.add_pair("cornu", cornu)

    # Superior articular processes (for L5) rise from the back of the ala.
    s_p = 8.0
    pillar = g.point(s_p) + g.dorsal(s_p) * 28.0 + np.array([17.0, 0.0, 0.0])
    piece.add_pair("sap_root", blob([(pillar, (5.0, 5.0, 6.0)),
                                     (pillar + np.array([3.0, -8.0, -6.0]), (5.0, 5.0, 5.0))]))

    # Holes: the canal (open at the top and through the hiatus) and four pairs of foramina.
    canal_pts, hw_s, hd_s = [], [], []
    for s in np.linspace(-14.0, 112.0, 40):
        c, hw, hd = g.canal(min(max(s, 0.0), 104.0))
        if s < 0:
            c = g.point(0) + (c - g.point(0)) + g.tangent(0) * s
        if s > 104:
            c = c + g.tangent(104.0) * (s - 104.0)
        canal_pts.append(c)
        hw_s.append(hw)
        hd_s.append(hd)
    canal_local = sweep(np.array(canal_pts), np.array(hw_s), np.array(hd_s), sides=16,
                        side_axis=np.array([1.0, 0, 0]))
    piece.holes.append(to_world(canal_local, frame))
    hiatus = []
    for s in np.linspace(SACRAL_HIATUS[0], SACRAL_HIATUS[1] + 8.0, 8):
        c, hw, hd = g.canal(min(s, 104.0))
        c = c + g.tangent(104.0) * max(0.0, s - 104.0)
        hw_h = hw * 0.8 * min(1.0, 0.35 + (s - SACRAL_HIATUS[0]) / 8.0)
        hiatus.append(Manifold.sphere(1.0, 12).scale([hw_h, hd, hd]).translate(c.tolist()))
        hiatus.append(Manifold.sphere(1.0, 12).scale([hw_h, 3.0, 3.0]).translate(
            (c + g.dorsal(s) * 12.0).tolist()))
    piece.holes.append(to_world(union([Manifold.batch_hull(hiatus[i:i + 4])
                                       for i in range(0, len(hiatus) - 2, 2)]), frame))
    for f in g.foramina:
        s, x, r = f["s"], f["x"], f["radius"]
        base, d = g.point(s), g.dorsal(s)
        c, hw, hd = g.canal(s)
        n_c = float(np.dot(c - base, d))
        _, ant, dorsal = g.section(s)
        dorsal_hole = blob([(base + d * n_c + [x, 0, 0], (r, r, r)),
                            (base + d * (dorsal + 8.0) + [x, 0, 0], (r, r, r))], 16)
        pelvic_hole = blob([(base + d * n_c + [x, 0, 0], (r + 0.5, r + 0.5, r + 0.5)),
                            (base - d * (ant + 8.0) + [x + 2.0, 0, 0],
                             (r + 1.8, r + 1.5, r + 1.8))], 16)
        channel = blob([(c + [hw - 4.0, 0, 0], (3.0, hd * 0.9, hd * 0.9)),
                        (base + d * n_c + [x, 0, 0], (r, r, r))], 16)
        for hole in (dorsal_hole, pelvic_hole, channel):
            piece.holes += [to_world(hole, frame), to_world(mirror_x(hole), frame)]
    info = {"geometry": g, "pillar": pillar}
    return piece, info


def _coccyx(layout: SpineLayout) -> Piece:
    """Four small fused segments continuing the sacral curve forward (Gray's Anatomy)."""
    g = sacral_geometry(layout)
    piece = Piece("coccyx", layout.s1)
    p0, t0, n0 = g.point(SACRUM_LENGTH), g.tangent(SACRUM_LENGTH), g.dorsal(SACRUM_LENGTH)
    sizes = [(9.5, 4.5, 4.2), (7.0, 3.8, 3.8), (5.2, 3.2, 3.4), (3.6, 2.6, 3.0)]
    arcs, arc = [], COCCYX_START - SACRUM_LENGTH
    for k, (_, _, rt) in enumerate(sizes):
        arc += rt if k == 0 else sizes[k - 1][2] + rt - 0.8
        arcs.append(arc)

    def segment(k: int, f: float = 1.0) -> Manifold:
        rx, rn, rt = sizes[k]
        a = arcs[k] / COCCYX_CURVE_RADIUS
        c = p0 + COCCYX_CURVE_RADIUS * (t0 * np.sin(a) - n0 * (1 - np.cos(a)))
        rot = np.column_stack([[1.0, 0, 0], n0 * np.cos(a) + t0 * np.sin(a),
                               t0 * np.cos(a) - n0 * np.sin(a)])
        return place(Manifold.sphere(1.0, 14).scale([rx * f, rn * f, rt]), rot, c)

    fused = union([segment(k) for k in range(4)]
                  + [Manifold.batch_hull([segment(k, 0.75), segment(k + 1, 0.75)])
                     for k in range(3)])
    c1 = p0 + t0 * arcs[0]
    horns = blob([(c1 + n0 * 4.0 + np.array([4.0, 0, 0]) - t0 * 2.5, (1.6, 1.6, 2.4))], 10)
    tps = blob([(c1 + np.array([9.5, 0, 0]) - t0 * 0.5, (2.6, 2.2, 2.4))], 10)
    piece.add("segments", union([fused, horns, mirror_x(horns), tps, mirror_x(tps)]))
    piece.arcs = arcs  # type: ignore[attr-defined]
    return piece


# --------------------------------------------------------------------------------------------
# Discs
# --------------------------------------------------------------------------------------------

def _end_rings(level: str, layout: SpineLayout) -> tuple[np.ndarray, np.ndarray]:
    """World rings of a body's inferior and superior end plates."""
    if level == "S1":
        w, d, h = S1_BODY
        rings = _body_rings("sacral", w, d, h)
        top = rings[-3] - np.array([0, 0, h / 2])
        return None, layout.s1.to_world(top)
    dims = mm.VERTEBRAE[level]
    rings = _body_rings(region_of(level), body_width(level), dims.body_depth, dims.body_height,
                        3.0 if level == "L5" else 0.0)
    f = layout.vertebrae[level]
    return f.to_world(rings[2]), f.to_world(rings[-3])


def _disc(upper: str, lower: str, layout: SpineLayout, inset: float = DISC_INSET) -> Manifold:
    """Fill the space between two end plates, following their wedge, with a slight bulge.

    ``inset`` is the gap left to each end plate (negative: the disc reaches into the bodies, to
    be cut back against the finished bones)."""
    bottom_of_upper, _ = _end_rings(upper, layout)
    _, top_of_lower = _end_rings(lower, layout)
    up_n = layout.vertebrae[upper].axes[2]
    low_n = layout.s1.axes[2] if lower == "S1" else layout.vertebrae[lower].axes[2]
    a = top_of_lower + inset * low_n
    b = bottom_of_upper - inset * up_n
    rings = []
    for t, bulge in ((0.0, 1.0), (0.12, 1.045), (0.5, 1.075), (0.88, 1.045), (1.0, 1.0)):
        ring = (1 - t) * a + t * b
        c = ring.mean(axis=0)
        rings.append(c + (ring - c) * bulge)
    return loft(rings)


# --------------------------------------------------------------------------------------------
# Landmarks
# --------------------------------------------------------------------------------------------

def _lm(p, method: str) -> Landmark:
    return Landmark(np.asarray(p, float), method)


def _spinous_landmarks(level: str, solid: Manifold, frame: Frame) -> dict[str, Landmark]:
    v = vertices_of(solid)
    y = v[:, 1]
    tip_set = v[y >= y.max() - 1.0]
    tip = tip_set.mean(axis=0)
    tip[0] = 0.0
    region = v[y >= y.max() - 7.0]
    low = region[np.argmin(region[:, 2])].copy()
    high = region[np.argmax(region[:, 2])].copy()
    low[0] = high[0] = 0.0
    what = "posterior tubercle" if level == "C1" else "spinous process"
    return {
        f"{level}_spinous_tip": _lm(tip, f"most posterior vertices of the {what} (mean, on the "
                                         "midline)"),
        f"{level}_spinous_inferior": _lm(low, f"lowest vertex of the {what} within 7 mm of its "
                                              "most posterior point, on the midline"),
        f"{level}_spinous_superior": _lm(high, f"highest vertex of the {what} within 7 mm of its "
                                               "most posterior point, on the midline"),
    }


def _lamina_landmark(solid: Manifold, frame: Frame) -> np.ndarray:
    v = frame.to_local(vertices_of(solid))
    c = v.mean(axis=0)
    near = v[np.hypot(v[:, 0] - c[0], v[:, 2] - c[2]) < 2.5]
    if len(near) == 0:
        near = v
    return frame.to_world(near[np.argmax(near[:, 1])])


def _foramen_landmark(upper_sub: Manifold, upper_frame: Frame, xy: tuple[float, float],
                      lower_solid: Manifold) -> np.ndarray:
    """Midway between the lower border of the upper pedicle and the bone below, at (x, y)."""
    above = upper_frame.to_world(np.array([xy[0], xy[1], 40.0]))
    through = upper_frame.to_world(np.array([xy[0], xy[1], -40.0]))
    own = upper_sub.ray_cast(above.tolist(), through.tolist())
    if own:
        top = upper_frame.to_local(np.asarray(own[-1].position, float))
    else:
        v = upper_frame.to_local(vertices_of(upper_sub))
        near = v[np.hypot(v[:, 0] - xy[0], v[:, 1] - xy[1]) < 3.0]
        top = np.array([xy[0], xy[1], (near if len(near) else v)[:, 2].min()])
    start = upper_frame.to_world(top)
    end = upper_frame.to_world(top - np.array([0, 0, 45.0]))
    hits = lower_solid.ray_cast(start.tolist(), end.tolist())
    below = np.asarray(hits[0].position) if hits else upper_frame.to_world(top - [0, 0, 16.0])
    return (start + below) / 2


# --------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------

def _vertebra_name(level: str) -> str:
    region, _ = _REGION[level[0]]
    idx = int(level[1:])
    special = {"C1": "Atlas (first cervical vertebra)", "C2": "Axis (second cervical vertebra)",
               "C7": "Seventh cervical vertebra (vertebra prominens)"}
    return special.get(level, f"{_ORDINALS[idx - 1]} {region} vertebra")


def build_pieces(layout: SpineLayout) -> tuple[dict[str, Piece], dict]:
    """All bones as named sub-solids (world), joined at their facets but not yet united."""
    pieces: dict[str, Piece] = {"C1": _atlas(layout)}
    for level in mm.PRESACRAL[1:]:
        pieces[level] = _typical_vertebra(level, layout)
    _add_dens(pieces["C2"])
    sacrum, info = _sacrum(layout)
    pillar_world_local = info["pillar"]
    _join_neighbours(pieces, sacrum, layout, pillar_world_local)
    _atlanto_axial(pieces["C1"], pieces["C2"])
    pieces["sacrum"] = sacrum
    pieces["coccyx"] = _coccyx(layout)
    return pieces, info


def _solid_of(piece: Piece) -> Manifold:
    solid = union(piece.sub.values())
    if piece.holes:
        solid = solid - union(piece.holes)
    return solid


def _grown(solid: Manifold, by: float) -> Manifold:
    """An outward offset of ``solid`` by about ``by`` mm (Minkowski sum with a small sphere)."""
    return solid.minkowski_sum(Manifold.sphere(by, 8))


def build_solids(layout: SpineLayout) -> tuple[dict[str, Piece], dict[str, Manifold], dict]:
    """United solids of every bone, carved so that neighbours keep :data:`CLEARANCE`."""
    pieces, info = build_pieces(layout)
    # The exact unions are kept (``info["drawn"]``): they are mirror symmetric to the last bit,
    # which the landmarks found by ray casting need; the blended, simplified ones are close to it.
    drawn = {name: _solid_of(p) for name, p in pieces.items()}
    info["drawn"] = drawn
    solids = {name: blended(drawn[name], p.frame, _blend_of(name), _faces_of(name))
              for name, p in pieces.items()}
    order = list(mm.PRESACRAL) + ["sacrum", "coccyx"]
    for upper, lower in zip(order[:-1], order[1:]):
        a, b = solids[upper], solids[lower]
        overlap = a ^ b
        if overlap.volume() > 1e-3:
            # Carve the upper bone where it would touch the lower one: the lower bone near the
            # overlap, grown by the clearance (a small piece, so the Minkowski sum stays cheap).
            box = np.asarray(overlap.bounding_box(), float)
            lo, hi = box[:3] - (CLEARANCE + 2.0), box[3:] + (CLEARANCE + 2.0)
            near = b ^ Manifold.cube((hi - lo).tolist()).translate(lo.tolist())
            solids[upper] = a - _grown(near, CLEARANCE)
    # C1's neighbours two levels apart are the dens' neighbours too.
    return pieces, solids, info


def _blend_of(name: str) -> Blend:
    if name in ("sacrum", "coccyx"):
        return BLENDS["sacral" if name == "sacrum" else "coccyx"]
    return BLENDS[region_of(name)]


def _faces_of(name: str) -> int:
    return {"sacrum": SACRUM_FACES, "coccyx": COCCYX_FACES}.get(name, VERTEBRA_FACES)


def build_parts(ctx) -> list:
    """Generator entry point: vertebrae, sacrum, coccyx and discs as atlas parts."""
    layout = ctx.layout
    pieces, solids, info = build_solids(layout)
    parts: list[Part] = []
    meshes = {}
    for name, solid in solids.items():
        meshes[name] = to_trimesh(solid)

    for level in mm.PRESACRAL:
        piece = pieces[level]
        frame = piece.frame
        region, group = _REGION[level[0]]
        lms: dict[str, Landmark] = {}
        lms.update(_spinous_landmarks(level, piece.sub["spinous"], frame))
        body_key = "anterior_arch" if level == "C1" else "body"
        lms[f"{level}_body_center"] = _lm(
            _centroid(piece.sub[body_key]),
            "centroid of the anterior arch" if level == "C1" else
            "centroid of the vertebral body solid")
        for side, sx in (("left", 1), ("right", -1)):
            tv = vertices_of(piece.sub[f"transverse_{side}"])
            lms[f"{level}_transverse_tip_{side}"] = _lm(
                tv[np.argmax(sx * frame.to_local(tv)[:, 0])],
                "most lateral vertex of the transverse process")
            lam_key = f"posterior_arch_{side}" if level == "C1" else f"lamina_{side}"
            lms[f"{level}_lamina_{side}"] = _lm(_lamina_landmark(piece.sub[lam_key], frame),
                                                "dorsal surface of the lamina at its middle")
            if level.startswith("L"):
                mv = vertices_of(piece.sub[f"mammillary_{side}"])
                lms[f"{level}_mammillary_{side}"] = _lm(
                    mv[np.argmax(frame.to_local(mv)[:, 1])],
                    "most posterior vertex of the mammillary process")
            nxt = "sacrum" if level == "L5" else mm.PRESACRAL[mm.PRESACRAL.index(level) + 1]
            if level == "C1":
                xy = (sx * 15.0, 14.0)
                upper_sub = piece.sub[f"posterior_arch_{side}"]
            else:
                fx, fy = arch_of(level).foramen_xy
                xy = (sx * fx, fy)
                upper_sub = piece.sub[f"pedicle_{side}"]
            lms[f"{level}_foramen_{side}"] = _lm(
                _foramen_landmark(upper_sub, frame, xy, info["drawn"][nxt]),
                "midway between the lower border of the pedicle (C1: posterior arch) and the "
                "bone below it")
        parts.append(Part(acronym=level, name=_vertebra_name(level), kind="bone", parent=group,
                          mesh=meshes[level], level=level, fma_id=FMA_IDS.get(level),
                          landmarks=lms, color=BONE_COLOR))

    parts.append(Part(acronym="sacrum", name="Sacrum", kind="bone", parent="vertebral_column",
                      mesh=meshes["sacrum"], level="S1", fma_id=FMA_IDS["sacrum"],
                      landmarks=_sacral_landmarks(pieces["sacrum"], info), color=BONE_COLOR))
    parts.append(Part(acronym="coccyx", name="Coccyx", kind="bone", parent="vertebral_column",
                      mesh=meshes["coccyx"], level="Co1", fma_id=FMA_IDS["coccyx"],
                      landmarks=_coccyx_landmarks(pieces["coccyx"], info), color=BONE_COLOR))

    order = list(mm.PRESACRAL[1:]) + ["S1"]
    for upper, lower in zip(order[:-1], order[1:]):
        acronym = f"disc_{upper}_{lower}"
        bones = union([solids[upper], solids["sacrum" if lower == "S1" else lower]])
        # The blended end plates sit within a few tenths of a millimetre of the drawn ones: the
        # disc reaches into them and is cut back against the finished bones, so it fits them.
        disc = _disc(upper, lower, layout, inset=-0.6) - _disc_clearance(pieces, lower) - bones
        mesh = to_trimesh(disc)
        parts.append(Part(acronym=acronym, name=f"Intervertebral disc {upper}-{lower}",
                          kind="disc", parent="intervertebral_discs", mesh=mesh, level=upper,
                          fma_id=FMA_IDS.get(acronym), color=DISC_COLOR))
    return parts


def _disc_clearance(pieces: dict[str, Piece], lower: str) -> Manifold:
    """Solids a disc must keep clear of: the uncinate processes of a cervical lower vertebra."""
    if not lower.startswith("C"):
        return Manifold()
    return union([pieces[lower].sub[f"uncinate_{side}"].minkowski_sum(Manifold.sphere(0.4, 8))
                  for side in ("left", "right")])


def _centroid(solid: Manifold) -> np.ndarray:
    mesh = to_trimesh(solid)
    return np.asarray(mesh.center_mass, float)


def _sacral_landmarks(piece: Piece, info: dict) -> dict[str, Landmark]:
    g: SacralGeometry = info["geometry"]
    frame = piece.frame
    lms: dict[str, Landmark] = {}
    for k in range(4):
        v = vertices_of(piece.sub[f"crest_S{k + 1}"])
        d = frame.axes.T @ g.dorsal(_SACRAL_CREST[k])
        p = v[np.argmax(v @ d)].copy()
        lms[f"S{k + 1}_median_crest"] = _lm(p, "most dorsal vertex of the median crest tubercle")
    undrilled = union([piece.sub["lateral_part"], piece.sub["lower_part"]])
    for k, f in enumerate(g.foramina):
        for side, sx in (("left", 1.0), ("right", -1.0)):
            flip = np.array([sx, 1.0, 1.0])
            outside, inside = f["dorsal"] * flip, f["channel"] * flip
            hits = undrilled.ray_cast(outside.tolist(), inside.tolist())
            p = np.asarray(hits[0].position) if hits else outside
            lms[f"sacral_foramen_S{k + 1}_{side}"] = _lm(
                p, "where the axis of the posterior sacral foramen meets the dorsal surface")
    s_h = SACRAL_HIATUS[0] + 6.0
    c, _, _ = g.canal(s_h)
    out = c + g.dorsal(s_h) * 20.0
    hits = undrilled.ray_cast(g.world(out).tolist(), g.world(c).tolist())
    p = np.asarray(hits[0].position) if hits else g.world(c)
    lms["sacral_hiatus"] = _lm(p, "midline of the hiatus opening, on the line of the dorsal surface")
    lower = vertices_of(piece.sub["lower_part"])
    t = frame.axes.T @ g.tangent(SACRUM_LENGTH)
    proj = lower @ t
    lms["sacrum_apex"] = _lm(lower[proj >= proj.max() - 0.8].mean(axis=0),
                             "centre of the lowest end of the sacrum along its curve")
    lms["S1_body_center"] = _lm(_centroid(piece.sub["S1_body"]), "centroid of the S1 body solid")
    for side, sx in (("left", 1.0), ("right", -1.0)):
        v = vertices_of(piece.sub["lateral_part"])
        loc = frame.to_local(v)
        s_loc = np.array([_arc_of(g, q) for q in loc])
        inside = (s_loc >= AURICULAR_SPAN[0]) & (s_loc <= AURICULAR_SPAN[1])
        xs = sx * loc[:, 0]
        sel = inside & (xs >= xs[inside].max() - 2.5)
        lms[f"sacrum_auricular_{side}"] = _lm(
            v[sel].mean(axis=0), "centre of the lateral (auricular) face of the lateral part, S1-S3")
    return lms


def _arc_of(g: SacralGeometry, local: np.ndarray) -> float:
    """Arc length along the sacral curve of the section through a local point."""
    R = SACRUM_CURVE_RADIUS
    # The sections are planes through the curve's centre of curvature (0, -R, 0).
    rel = local[1:] - np.array([-R, 0.0])
    return float(R * np.arctan2(-rel[1], rel[0]))


def _coccyx_landmarks(piece: Piece, info: dict) -> dict[str, Landmark]:
    g: SacralGeometry = info["geometry"]
    v = vertices_of(piece.sub["segments"])
    t = piece.frame.axes.T @ g.tangent(SACRUM_LENGTH)
    n = piece.frame.axes.T @ g.dorsal(SACRUM_LENGTH)
    a = piece.arcs[-1] / COCCYX_CURVE_RADIUS
    direction = t * np.cos(a) - n * np.sin(a)
    proj = v @ direction
    return {"coccyx_tip": _lm(v[proj >= proj.max() - 0.6].mean(axis=0),
                              "the end of the last coccygeal segment along its curve")}
