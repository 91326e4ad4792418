"""Smooth bone shapes as implicit fields: blended primitives meshed by marching tetrahedra.

A :class:`Field` is a signed distance (negative inside, mm) sampled on a regular grid. Primitives
(ellipsoids, tapered tubes along curves, thick sheets around sampled surfaces) are added with a
smooth union of blend radius ``k`` (mm) so that processes grow out of a bone with fillets instead
of creases, and removed with a smooth difference (fossae, foramina, notches). Each primitive is
evaluated only inside its own bounding box grown by the blend radius, which keeps a skull under
a few seconds. :meth:`Field.solid` meshes the zero level set with marching tetrahedra on the
Kuhn (six-tetrahedra) split of each grid cube, which gives a closed, consistently oriented,
manifold surface, returned as a manifold3d solid for exact booleans afterwards.

Shapes and units: points ``(3,)`` or ``(n, 3)`` float, mm; the grid step ``step`` in mm.
Axes: +X subject's left, +Y posterior, +Z up.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from .shapes import Manifold
from .thorax import smooth_path, solid_from_arrays

FAR = 1.0e3
"""Field value far from every primitive (outside), mm."""


def smin(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Polynomial smooth minimum (smooth union) with blend radius ``k`` mm."""
    if k <= 0:
        return np.minimum(a, b)
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    return b + (a - b) * h - k * h * (1.0 - h)


def smax(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Polynomial smooth maximum (smooth intersection / difference)."""
    return -smin(-a, -b, k)


class Field:
    """A signed distance field on the grid ``lo + step * (i, j, k)`` covering ``lo``..``hi``.

    Parameters
    ----------
    lo, hi : (3,) float, mm
        Opposite corners of the box the solid must lie in (with a margin of two steps).
    step : float, mm
        Grid spacing (the finest feature should be at least two steps thick).
    """

    def __init__(self, lo, hi, step: float):
        self.step = float(step)
        self.lo = np.asarray(lo, float) - 2 * step
        hi = np.asarray(hi, float) + 2 * step
        self.shape = tuple(int(np.ceil((hi[i] - self.lo[i]) / step)) + 1 for i in range(3))
        self.values = np.full(self.shape, FAR, dtype=np.float64)
        self.axes = [self.lo[i] + step * np.arange(self.shape[i]) for i in range(3)]

    # -- sub-boxes ---------------------------------------------------------------------------

    def _window(self, lo, hi):
        """Index slices and grid coordinates ``(nx, ny, nz, 3)`` of the cells in a box."""
        sl = []
        for i in range(3):
            a = int(np.clip(np.floor((lo[i] - self.lo[i]) / self.step), 0, self.shape[i]))
            b = int(np.clip(np.ceil((hi[i] - self.lo[i]) / self.step) + 1, 0, self.shape[i]))
            sl.append(slice(a, b))
        if any(s.stop <= s.start for s in sl):
            return None, None
        g = np.stack(np.meshgrid(self.axes[0][sl[0]], self.axes[1][sl[1]], self.axes[2][sl[2]],
                                 indexing="ij"), axis=-1)
        return tuple(sl), g

    def apply(self, distance, lo, hi, k: float = 0.0, subtract: bool = False) -> "Field":
        """Blend a primitive given as ``distance(points (..., 3)) -> (...)`` inside a box."""
        pad = max(k, 0.0) + 2 * self.step
        sl, g = self._window(np.asarray(lo, float) - pad, np.asarray(hi, float) + pad)
        if sl is None:
            return self
        d = distance(g)
        cur = self.values[sl]
        self.values[sl] = smax(cur, -d, k) if subtract else smin(cur, d, k)
        return self

    # -- primitives --------------------------------------------------------------------------

    def ellipsoid(self, centre, radii, k: float = 0.0, rotation=None, subtract=False) -> "Field":
        """An ellipsoid with semi-axes ``radii`` along the columns of ``rotation``."""
        c = np.asarray(centre, float)
        r = np.asarray(radii, float)
        rot = np.eye(3) if rotation is None else np.asarray(rotation, float)

        def dist(p):
            q = (p - c) @ rot / r
            k0 = np.linalg.norm(q, axis=-1)
            k1 = np.linalg.norm(q / r, axis=-1)
            return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)

        ext = np.abs(rot) @ r
        return self.apply(dist, c - ext, c + ext, k, subtract)

    def sphere(self, centre, radius: float, k: float = 0.0, subtract=False) -> "Field":
        return self.ellipsoid(centre, (radius, radius, radius), k, subtract=subtract)

    def tube(self, path, half_width, half_height=None, up=(0.0, 0.0, 1.0), k: float = 0.0,
             subtract=False, n: int | None = None) -> "Field":
        """A rod along a polyline ``(m, 3)`` (smoothed to ``n`` points when given) with an
        elliptic section: ``half_width`` across, ``half_height`` along ``up`` (scalars or one
        per point), tapering linearly between points and rounded at the ends."""
        path = np.asarray(path, float)
        if n is not None:
            ctrl = _arc_fraction(path)
            path = smooth_path(path, n)
            frac = _arc_fraction(path)
            half_width, half_height = (_along(r, ctrl, frac) for r in (half_width, half_height))
        m = len(path)
        a = np.broadcast_to(np.asarray(half_width, float), (m,)).astype(float)
        b = a if half_height is None else np.broadcast_to(np.asarray(half_height, float),
                                                          (m,)).astype(float)
        ups = np.broadcast_to(np.asarray(up, float), (m, 3)).astype(float)
        for i in range(m - 1):
            self._segment(path[i], path[i + 1], (a[i], a[i + 1]), (b[i], b[i + 1]),
                          (ups[i] + ups[i + 1]) / 2, k, subtract)
        return self

    def _segment(self, p0, p1, a, b, up, k, subtract):
        t = p1 - p0
        length = float(np.linalg.norm(t))
        t = t / max(length, 1e-9)
        u = up - np.dot(up, t) * t
        if np.linalg.norm(u) < 1e-6:
            u = np.cross(t, [1.0, 0.0, 0.0])
        u /= np.linalg.norm(u)
        w = np.cross(u, t)

        def dist(p):
            s = np.clip(((p - p0) @ t) / max(length, 1e-9), 0.0, 1.0)
            q = p - (p0 + s[..., None] * (p1 - p0))
            aa = a[0] + (a[1] - a[0]) * s
            bb = b[0] + (b[1] - b[0]) * s
            x, y, z = q @ w, q @ u, q @ t
            rho = np.sqrt((x / aa) ** 2 + (y / bb) ** 2 + (z / np.minimum(aa, bb)) ** 2)
            return (rho - 1.0) * np.minimum(aa, bb)

        r = max(a[0], a[1], b[0], b[1])
        lo = np.minimum(p0, p1) - r
        hi = np.maximum(p0, p1) + r
        self.apply(dist, lo, hi, k, subtract)

    def sheet(self, points, half_thickness, k: float = 0.0, subtract=False) -> "Field":
        """A thick shell around a densely sampled surface ``points (n, 3)``: distance to the
        nearest sample less its ``half_thickness`` (scalar or ``(n,)``); edges come out round.
        Samples should be closer than the half thickness."""
        pts = np.asarray(points, float).reshape(-1, 3)
        ht = np.broadcast_to(np.asarray(half_thickness, float).reshape(-1), (len(pts),))
        tree = cKDTree(pts)
        reach = float(ht.max()) + max(k, 0.0) + 3 * self.step

        def dist(p):
            flat = p.reshape(-1, 3)
            d, j = tree.query(flat, distance_upper_bound=reach, workers=-1)
            out = np.full(len(flat), FAR)
            ok = np.isfinite(d)
            out[ok] = d[ok] - ht[j[ok]]
            return out.reshape(p.shape[:-1])

        return self.apply(dist, pts.min(axis=0) - ht.max(), pts.max(axis=0) + ht.max(), k,
                          subtract)

    def halfspace(self, normal, offset: float, k: float = 0.0, lo=None, hi=None) -> "Field":
        """Keep only ``normal . p <= offset`` (inside the box ``lo``..``hi``, default all)."""
        nrm = np.asarray(normal, float) / np.linalg.norm(normal)

        def dist(p):
            return offset - p @ nrm

        lo = self.lo if lo is None else lo
        hi = self.lo + self.step * (np.array(self.shape) - 1) if hi is None else hi
        return self.apply(dist, lo, hi, k, subtract=True)

    def sample(self, points: np.ndarray) -> np.ndarray:
        """Trilinear field values at ``points (..., 3)`` (``FAR`` outside the grid)."""
        from scipy.interpolate import RegularGridInterpolator

        interp = RegularGridInterpolator(self.axes, self.values, bounds_error=False,
                                         fill_value=FAR)
        return interp(points.reshape(-1, 3)).reshape(points.shape[:-1])

    def avoid(self, other: "Field", gap: float) -> "Field":
        """Remove everything closer than about ``gap`` mm to the solid of ``other``."""
        lo = np.maximum(self.lo, other.lo)
        hi = np.minimum(self.lo + self.step * (np.array(self.shape) - 1),
                        other.lo + other.step * (np.array(other.shape) - 1))
        if np.any(hi <= lo):
            return self
        return self.apply(lambda p: other.sample(p) - gap, lo, hi, 0.0, subtract=True)

    # -- meshing -----------------------------------------------------------------------------

    def solid(self, tolerance: float = 0.1) -> Manifold:
        """The zero level set as a closed manifold solid (marching tetrahedra), simplified by
        edge collapses that move the surface less than ``tolerance`` mm."""
        v = self.values.copy()
        v[[0, -1]] = v[:, [0, -1]] = v[:, :, [0, -1]] = FAR  # closed at the box's walls
        verts, faces = marching_tetrahedra(v, self.lo, self.step)
        solid = solid_from_arrays(verts, faces)
        return solid.simplify(tolerance) if tolerance > 0 else solid


def _along(r, ctrl: np.ndarray, frac: np.ndarray):
    """Radii given per control point (or per output point, or one) at the smoothed points."""
    if r is None or np.ndim(r) == 0 or len(r) == len(frac):
        return r
    return np.interp(frac, ctrl, np.asarray(r, float))


def _arc_fraction(path: np.ndarray) -> np.ndarray:
    """Cumulative chord length of a polyline, from 0 to 1."""
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    c = np.concatenate([[0.0], np.cumsum(seg)])
    return c / c[-1]


# Kuhn split of the unit cube into six tetrahedra sharing the main diagonal: consistent across
# neighbouring cubes, so the extracted surface has no cracks.
_CUBE = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0],
                  [0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]])
_TETS = []
for _a, _b in ((0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)):
    _c = 3 - _a - _b
    _v1 = np.zeros(3, int)
    _v1[_a] = 1
    _v2 = _v1.copy()
    _v2[_b] = 1
    _TETS.append([0, int(np.flatnonzero((_CUBE == _v1).all(1))[0]),
                  int(np.flatnonzero((_CUBE == _v2).all(1))[0]), 7])
_TETS = np.array(_TETS)


def marching_tetrahedra(values: np.ndarray, origin: np.ndarray, step: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Triangles of the surface ``values == 0`` (negative inside) of a grid field.

    Returns vertices ``(n, 3)`` mm and faces ``(m, 3)``, outward facing. Grid border values must
    be positive (outside).
    """
    f = np.where(values == 0.0, 1e-9, values)
    nx, ny, nz = f.shape
    inside = f < 0
    # Cubes whose eight corners are not all on one side.
    corner = [inside[i:nx - 1 + i, j:ny - 1 + j, k:nz - 1 + k] for i, j, k in _CUBE]
    anyin = np.logical_or.reduce(corner)
    allin = np.logical_and.reduce(corner)
    ci, cj, ck = np.nonzero(anyin & ~allin)
    base = np.stack([ci, cj, ck], axis=1)
    flat = f.ravel()

    def gid(ijk):
        return (ijk[..., 0] * ny + ijk[..., 1]) * nz + ijk[..., 2]

    tet_corners = base[:, None, None, :] + _CUBE[_TETS][None]  # (c, 6, 4, 3)
    ids = gid(tet_corners).reshape(-1, 4)
    vals = flat[ids]
    pos = (origin + step * tet_corners.reshape(-1, 4, 3)).astype(float)
    ins = vals < 0
    count = ins.sum(axis=1)
    keep = (count > 0) & (count < 4)
    ids, vals, pos, ins, count = ids[keep], vals[keep], pos[keep], ins[keep], count[keep]

    edge_keys, edge_pts, tris_keys = [], [], []
    rows = np.arange(len(ids))
    order = np.argsort(~ins, axis=1, kind="stable")  # inside corners first
    for n_in in (1, 2, 3):
        sel = rows[count == n_in]
        if not len(sel):
            continue
        o = order[sel]
        if n_in == 1:
            i0 = o[:, 0]
            tri = [(i0, o[:, 1]), (i0, o[:, 2]), (i0, o[:, 3])]
            groups = [(sel, tri)]
        elif n_in == 3:
            i0 = o[:, 3]
            tri = [(o[:, 0], i0), (o[:, 1], i0), (o[:, 2], i0)]
            groups = [(sel, tri)]
        else:
            a0, a1, b0, b1 = o[:, 0], o[:, 1], o[:, 2], o[:, 3]
            groups = [(sel, [(a0, b0), (a0, b1), (a1, b1)]),
                      (sel, [(a0, b0), (a1, b1), (a1, b0)])]
        for t_idx, tri in groups:
            keys = []
            mids = []
            for a, b in tri:
                ga = ids[t_idx, a]
                gb = ids[t_idx, b]
                lo_, hi_ = np.minimum(ga, gb), np.maximum(ga, gb)
                key = lo_ * (nx * ny * nz) + hi_
                fa, fb = vals[t_idx, a], vals[t_idx, b]
                s = np.clip(fa / (fa - fb), 0.03, 0.97)
                pa, pb = pos[t_idx, a], pos[t_idx, b]
                edge_keys.append(key)
                edge_pts.append(pa + s[:, None] * (pb - pa))
                keys.append(key)
                mids.append((pa + pb) / 2)
            # Orient by the tetrahedron's corners: the normal points from inside to outside.
            inner = np.where(ins[t_idx][..., None], pos[t_idx], 0).sum(1) / \
                np.maximum(ins[t_idx].sum(1), 1)[:, None]
            outer = np.where(~ins[t_idx][..., None], pos[t_idx], 0).sum(1) / \
                np.maximum((~ins[t_idx]).sum(1), 1)[:, None]
            nrm = np.cross(mids[1] - mids[0], mids[2] - mids[0])
            flip = np.einsum("ij,ij->i", nrm, outer - inner) < 0
            k0, k1, k2 = keys
            tris_keys.append(np.stack([k0, np.where(flip, k2, k1), np.where(flip, k1, k2)], 1))
    all_keys = np.concatenate(edge_keys)
    all_pts = np.concatenate(edge_pts)
    uniq, first = np.unique(all_keys, return_index=True)
    verts = all_pts[first]
    tk = np.concatenate(tris_keys)
    faces = np.searchsorted(uniq, tk)
    return verts, faces
