"""The spinal cord and the 31 pairs of spinal nerve roots.

The cord runs from the foramen magnum (above the atlas) down the centre of the vertebral canal,
widening in the cervical and lumbar enlargements, and ends as the conus medullaris at the level of
:data:`morphometry.CONUS_LEVEL`; a thin filum terminale continues into the sacral canal.

Each root leaves the cord a little above its foramen (the cord is shorter than the column, so the
lower roots descend further) and passes out through its own opening (Gray's Anatomy 42nd ed.):

- C1 between the occiput and the atlas, over the posterior arch;
- C2..C7 above the vertebra of the same number (C5 between C4 and C5);
- C8 between C7 and T1;
- T1..L5 below the vertebra of the same number (L4 between L4 and L5);
- S1..S4 through the sacral foramina (out of the pelvic openings);
- S5 and Co1 through the sacral hiatus.

Lumbar and sacral roots run down the canal as the cauda equina, each moving to the side of the
canal as it nears its foramen. The intervertebral foramina come from the spine generator's
``<V>_foramen_<side>`` landmarks, so the roots follow the bones as built.

Axes: +X subject's left, +Y posterior, +Z up; millimetres.
"""

from __future__ import annotations

import numpy as np

from . import morphometry as mm
from .parts import Landmark, Part
from .registry import ROOT_LEVELS
from .shapes import to_trimesh
from .spine import (arch_of, canal_centre, sacral_geometry, smooth_path, sweep)

CORD_COLOR = "#f0e2a6"
ROOT_COLOR = "#f2c230"
CORD_FMA = 7647

# Half-width and half-depth of the cord at each vertebral level, mm (Kameyama et al. 1996 and
# Gray's Anatomy: about 13 x 8 mm at the cervical enlargement, 8 x 6.5 mm in the mid-thorax,
# 9.5 x 8 mm at the lumbar enlargement).
_CORD_RADII: dict[str, tuple[float, float]] = {
    "C1": (5.6, 4.2), "C2": (5.4, 4.1), "C3": (5.8, 4.1), "C4": (6.3, 4.2), "C5": (6.6, 4.3),
    "C6": (6.4, 4.2), "C7": (5.7, 4.0), "T1": (5.0, 3.9), "T2": (4.5, 3.7), "T3": (4.2, 3.5),
    "T4": (4.1, 3.4), "T5": (4.0, 3.4), "T6": (4.0, 3.4), "T7": (4.0, 3.4), "T8": (4.1, 3.5),
    "T9": (4.3, 3.6), "T10": (4.6, 3.8), "T11": (4.9, 4.0), "T12": (4.6, 3.9), "L1": (3.2, 3.0),
}

# Radius of each spinal nerve at its foramen, mm (Gray's Anatomy; the cervical and lower lumbar
# nerves are the thickest).
_ROOT_RADIUS: dict[str, float] = {
    **{"C1": 1.0, "C2": 1.5}, **{f"C{i}": 2.3 for i in range(3, 9)},
    "T1": 2.0, **{f"T{i}": 1.6 for i in range(2, 13)},
    "L1": 2.0, "L2": 2.2, "L3": 2.4, "L4": 2.5, "L5": 2.6,
    "S1": 2.3, "S2": 1.9, "S3": 1.5, "S4": 1.1, "S5": 0.8, "Co1": 0.6,
}
CANAL_FRACTION = 0.62
"""Radius of a root inside the canal (its motor and sensory bundles) relative to the nerve."""

RECESS_BACK = 6.0
"""How far behind its foramen (mm, along the vertebra's Y) a cervical root runs in the lateral
recess: behind the posterolateral corner of the body above, which reaches out over the uncinate
process of the body below, so that the root does not graze it on its way out."""

_LUMBOSACRAL = tuple(lv for lv in ROOT_LEVELS if lv[0] in "LS" or lv == "Co1")


def foramen_vertebra(root: str) -> str | None:
    """The vertebra whose ``_foramen`` landmark (the foramen below it) a root passes through.

    ``None`` for C1 (above the atlas) and for the sacral and coccygeal roots.
    """
    if root == "C1" or root[0] == "S" or root == "Co1":
        return None
    if root[0] == "C":
        return "C7" if root == "C8" else f"C{int(root[1:]) - 1}"
    return root


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _cord_controls(layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Control points of the cord centre line with half-width and half-depth, top to bottom."""
    c1 = layout.vertebrae["C1"]
    pts = [canal_centre("C1", layout) + 22.0 * c1.axes[2], canal_centre("C1", layout)
           + 10.0 * c1.axes[2]]
    rx, ry = [6.2, 5.9], [4.6, 4.4]
    levels = mm.PRESACRAL[: mm.PRESACRAL.index("L1") + 1]
    for k, level in enumerate(levels):
        c = canal_centre(level, layout)
        if k > 0:
            pts.append((pts[-1] + c) / 2)
            rx.append((rx[-1] + _CORD_RADII[level][0]) / 2)
            ry.append((ry[-1] + _CORD_RADII[level][1]) / 2)
        pts.append(c)
        rx.append(_CORD_RADII[level][0])
        ry.append(_CORD_RADII[level][1])
    # Conus: tapers to a point at the disc of CONUS_LEVEL.
    upper, lower = mm.CONUS_LEVEL.split("_")
    tip = (canal_centre(upper, layout) + canal_centre(lower, layout)) / 2
    pts.append(tip)
    rx.append(0.7)
    ry.append(0.7)
    return np.array(pts), np.array(rx), np.array(ry)


def _densify(points: np.ndarray, values: list[np.ndarray], step: float = 2.0):
    """Linear resampling of a polyline and per-point values, then a light smoothing."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, s[-1], max(3, int(np.ceil(s[-1] / step)) + 1))
    pts = np.column_stack([np.interp(t, s, points[:, k]) for k in range(3)])
    if len(pts) > 6:
        kernel = np.ones(5) / 5
        inner = np.column_stack([np.convolve(pts[:, k], kernel, mode="same") for k in range(3)])
        pts[2:-2] = inner[2:-2]
    return pts, [np.interp(t, s, v) for v in values]


def cord_path(layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense centre line of the cord (n, 3) with its half-width and half-depth (n,), mm."""
    pts, rx, ry = _cord_controls(layout)
    dense, (rxd, ryd) = _densify(pts, [rx, ry], step=2.0)
    return dense, rxd, ryd


def _filum_path(layout) -> np.ndarray:
    """From the conus tip down the canal into the sacral canal (S3)."""
    upper, lower = mm.CONUS_LEVEL.split("_")
    pts = [(canal_centre(upper, layout) + canal_centre(lower, layout)) / 2]
    start = mm.PRESACRAL.index(lower)
    for level in mm.PRESACRAL[start:]:
        pts.append(canal_centre(level, layout))
    g = sacral_geometry(layout)
    for s in (5.0, 25.0, 45.0, 60.0):
        pts.append(g.world(g.canal(s)[0]))
    return np.array(pts)


def _build_cord(layout) -> Part:
    pts, rx, ry = cord_path(layout)
    cord = sweep(pts, rx, ry, sides=16, side_axis=np.array([1.0, 0.0, 0.0]), pointed_end=True)
    filum_pts, _ = _densify(_filum_path(layout), [], step=3.0)
    filum = sweep(filum_pts, np.full(len(filum_pts), 0.55), sides=6, pointed_end=True)
    mesh = to_trimesh(cord + filum)
    return Part(acronym="spinal_cord", name="Spinal cord", kind="cord", parent="nervous_system",
                mesh=mesh, fma_id=CORD_FMA, color=CORD_COLOR,
                landmarks={"conus_medullaris": Landmark(pts[-1], "lower tip of the cord")})


def _cord_point_at_height(path: np.ndarray, z: float) -> tuple[np.ndarray, int]:
    idx = int(np.argmin(np.abs(path[:, 2] - z)))
    return path[idx], idx


def _origin(root: str, side_sign: float, target: np.ndarray, layout, cord) -> np.ndarray:
    """Where a root leaves the cord: on its side, above the foramen by the segment offset."""
    path, rx, _ = cord
    if root in _LUMBOSACRAL:
        # The lumbar and sacral segments crowd the conus, from T12 down to its tip.
        k = _LUMBOSACRAL.index(root)
        z_top = canal_centre("T12", layout)[2]
        z_tip = path[-1][2] + 2.0
        z = z_top + (z_tip - z_top) * k / (len(_LUMBOSACRAL) - 1)
    elif root[0] == "T":
        z = target[2] + 5.0 + 4.0 * int(root[1:])
    else:
        z = target[2] + 4.0
    p, i = _cord_point_at_height(path, z)
    return p + np.array([side_sign * max(rx[i] - 0.8, 0.5), 0.0, 0.0])


def _canal_offsets(root: str, level: str, exit_level: str) -> tuple[float, float]:
    """Lateral and antero-posterior offset of a descending root inside the canal at ``level``."""
    rank = _LUMBOSACRAL.index(root) if root in _LUMBOSACRAL else 0
    here = _LUMBOSACRAL.index(exit_level) if exit_level in _LUMBOSACRAL else 0
    dims = mm.VERTEBRAE[level]
    lateral = dims.canal_width / 2 - 3.0 - 1.1 * max(rank - here, 0)
    return max(lateral, 1.2), ((rank % 3) - 1) * 1.8


def _root_level_of_vertebra(level: str) -> str:
    """The root that exits below a lumbar vertebra (same name)."""
    return level


def _descending_points(root: str, side_sign: float, origin: np.ndarray, bottom_z: float,
                       layout) -> list[np.ndarray]:
    """Points down the canal from the origin to just above ``bottom_z`` (presacral part)."""
    pts = []
    for level in mm.PRESACRAL:
        c = canal_centre(level, layout)
        if c[2] >= origin[2] - 8.0 or c[2] <= bottom_z + 6.0:
            continue
        frame = layout.vertebrae[level]
        exit_here = level if level[0] == "L" else "L1"
        lat, ap = _canal_offsets(root, level, exit_here)
        pts.append(c + frame.axes[0] * side_sign * lat + frame.axes[1] * ap)
    return pts


def _foramen_root(root: str, side: str, ctx, cord) -> tuple[np.ndarray, np.ndarray, float]:
    """Waypoints of a root through an intervertebral foramen; returns (points, radii, exit)."""
    layout = ctx.layout
    sx = 1.0 if side == "left" else -1.0
    upper = foramen_vertebra(root)
    frame = layout.vertebrae[upper]
    ex, ey, ez = frame.axes
    F = np.asarray(ctx.landmark(f"{upper}_foramen_{side}"), float)
    pw = arch_of(upper).pedicle_width if upper != "C1" else 5.0
    r = _ROOT_RADIUS[root]
    origin = _origin(root, sx, F, layout, cord)
    pts = [origin]
    pts += _descending_points(root, sx, origin, F[2], layout)
    region = upper[0]
    if region == "C":
        recess = F - ex * sx * 5.0 + ey * RECESS_BACK + ez * 0.5
    else:
        recess = F - ex * sx * 6.0 + ez * 2.0
    exit_ = F + ex * sx * (pw / 2 + 1.0)
    if region == "C":
        beyond = [exit_ + ex * sx * 7.0 - ey * 3.0 - ez * 1.5,
                  exit_ + ex * sx * 15.0 - ey * 8.0 - ez * 5.0]
    elif region == "T":
        beyond = [exit_ + ex * sx * 8.0 - ey * 1.5 - ez * 2.0,
                  exit_ + ex * sx * 16.0 - ey * 3.0 - ez * 5.0]
    elif root == "L5":  # over the front of the sacral ala, into the pelvis
        beyond = [exit_ + ex * sx * 5.0 - ey * 8.0 - ez * 2.0,
                  exit_ + ex * sx * 9.0 - ey * 20.0 - ez * 8.0]
    else:
        beyond = [exit_ + ex * sx * 7.0 - ey * 3.0 - ez * 5.0,
                  exit_ + ex * sx * 14.0 - ey * 8.0 - ez * 13.0]
    pts += [recess, F, exit_] + beyond
    n_canal = len(pts) - 3 - len(beyond)
    radii = [r * CANAL_FRACTION] * n_canal + [r * 0.85, r, r] + [r] * len(beyond)
    return np.array(pts), np.array(radii), exit_


def _c1_root(side: str, ctx, cord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """C1 leaves between the occiput and the atlas, over its posterior arch."""
    layout = ctx.layout
    sx = 1.0 if side == "left" else -1.0
    f = layout.vertebrae["C1"]
    over_arch = f.to_world(np.array([sx * 15.0, 15.0, 8.0]))
    origin = _origin("C1", sx, over_arch, layout, cord)
    pts = [origin, f.to_world(np.array([sx * 9.0, 14.0, 8.5])), over_arch,
           f.to_world(np.array([sx * 22.0, 18.0, 8.5])), f.to_world(np.array([sx * 28.0, 24.0, 7.0]))]
    r = _ROOT_RADIUS["C1"]
    return np.array(pts), np.array([r * 0.8, r, r, r, r]), over_arch


def _sacral_root(root: str, side: str, ctx, cord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S1-S4: down the canal, out through the sacral foramen and its pelvic opening."""
    layout = ctx.layout
    sx = 1.0 if side == "left" else -1.0
    flip = np.array([sx, 1.0, 1.0])
    g = sacral_geometry(layout)
    r = _ROOT_RADIUS[root]
    origin = _origin(root, sx, g.world(g.point(0.0)), layout, cord)
    pts = [origin] + _descending_points(root, sx, origin, canal_centre("L5", layout)[2] - 10, layout)
    radii = [r * CANAL_FRACTION] * len(pts)
    rank = _LUMBOSACRAL.index(root)
    k = int(root[1:]) - 1 if root[0] == "S" else 5
    targets = g.foramina
    f = targets[k] if k < 4 else None
    s_stop = f["s"] if f else 92.0
    for s in np.arange(2.0, s_stop - 6.0, 9.0):
        c, hw, hd = g.canal(s)
        # The roots spread across the flat sacral canal, the next to leave outermost.
        here = next((j for j, ff in enumerate(targets) if ff["s"] >= s), 4)
        lateral = max(hw - 2.5 - 1.3 * max(rank - _LUMBOSACRAL.index(f"S{here + 1}"), 0), 1.0)
        pts.append(g.world(c + np.array([sx * lateral, 0.0, 0.0])))
        radii.append(min(r * CANAL_FRACTION, 0.45 * hd))
    if f is not None:
        t, d = f["tangent"], f["dorsal_dir"]
        rc = min(r, 1.6)
        pelvic = f["pelvic"] * flip
        pts += [f["canal"] * flip, f["channel"] * flip, pelvic,
                pelvic - d * 6.0 + np.array([sx * 4.0, 0, 0]) + t * 5.0,
                pelvic - d * 12.0 + np.array([sx * 8.0, 0, 0]) + t * 12.0]
        radii += [min(r * CANAL_FRACTION, 1.2), rc, rc, r, r]
        exit_ = f["pelvic_opening"] * flip
    else:
        # S5 and Co1: out through the hiatus, then round the coccygeal cornua.
        c, hw, hd = g.canal(90.0)
        t = layout.s1.axes.T @ g.tangent(90.0)
        d = layout.s1.axes.T @ g.dorsal(90.0)
        inside = g.world(c + np.array([sx * 1.5, 0, 0]))
        exit_ = inside + d * 6.5
        pts += [inside, exit_, exit_ + d * 4.0 + np.array([sx * 6.0, 0, 0]) + t * 4.0,
                exit_ + d * 5.0 + np.array([sx * 12.0, 0, 0]) + t * 10.0]
        radii += [r * 0.8, r, r, r]
    return np.array(pts), np.array(radii), exit_


def build_parts(ctx) -> list[Part]:
    """Generator entry point: the cord and the 62 roots (needs the spine's landmarks)."""
    layout = ctx.layout
    cord_part = _build_cord(layout)
    cord = cord_path(layout)
    parts = [cord_part]
    for root in ROOT_LEVELS:
        for side in ("left", "right"):
            if root == "C1":
                pts, radii, exit_ = _c1_root(side, ctx, cord)
            elif foramen_vertebra(root) is not None:
                pts, radii, exit_ = _foramen_root(root, side, ctx, cord)
            else:
                pts, radii, exit_ = _sacral_root(root, side, ctx, cord)
            path, rad = smooth_path(pts, step=2.0, values=radii)
            tube = sweep(path, rad, sides=8)
            acronym = f"root_{root}_{side}"
            parts.append(Part(
                acronym=acronym, name=f"{root} spinal nerve root ({side})", kind="nerve_root",
                parent="nerve_roots", mesh=to_trimesh(tube), level=root, side=side,
                color=ROOT_COLOR,
                landmarks={f"{acronym}_exit": Landmark(
                    np.asarray(exit_, float), _EXIT_METHOD[root[0] if root != "Co1" else "S"]
                    if root not in ("S5", "Co1") else "where the root leaves the sacral hiatus")},
            ))
    return parts


_EXIT_METHOD = {
    "C": "lateral border of the intervertebral foramen on the root's path (C1: over the "
         "posterior arch of the atlas)",
    "T": "lateral border of the intervertebral foramen on the root's path",
    "L": "lateral border of the intervertebral foramen on the root's path",
    "S": "pelvic opening of the sacral foramen on the root's path",
}
