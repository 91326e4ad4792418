"""Shapes of muscles: sheets, fans, straps and fusiform bellies between attachment lines.

A muscle is described by its attachment lines (polylines of points, mm) and, where it wraps around
something, intermediate control lines. Every builder returns a closed manifold solid; :func:`carve`
removes the bones from it so that no muscle passes through bone.

Shapes: ``lines`` is a sequence of ``(k_i, 3)`` polylines from origin to insertion; each is
resampled to the same number of points so that strips join them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import shapes
from .shapes import Manifold


def resample(polyline: np.ndarray, n: int) -> np.ndarray:
    """``n`` points evenly spaced by arc length along a polyline ``(k, 3)`` (k may be 1)."""
    pts = np.atleast_2d(np.asarray(polyline, float))
    if len(pts) == 1:
        return np.repeat(pts, n, axis=0)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] == 0:
        return np.repeat(pts[:1], n, axis=0)
    t = np.linspace(0.0, s[-1], n)
    return np.column_stack([np.interp(t, s, pts[:, i]) for i in range(3)])


def sheet(lines: Sequence[np.ndarray], thickness: float | Sequence[float], columns: int = 8,
          segments: int = 8) -> Manifold:
    """A muscle sheet through a series of lines (origin line, control lines..., insertion line).

    Built as the union of convex hulls of small spheres at the corners of each quad of the grid,
    so it is closed and smooth at the seams.

    Parameters
    ----------
    lines : sequence of (k_i, 3) float, mm
        At least two lines; each is resampled to ``columns + 1`` points.
    thickness : float or one per line
        Full thickness in mm at each line (a belly is thicker in the middle lines).
    """
    grid = np.array([resample(line, columns + 1) for line in lines])
    th = np.broadcast_to(np.asarray(thickness, float), (len(lines),))
    pieces = []
    for i in range(len(grid) - 1):
        for j in range(columns):
            corners = [(i, j), (i, j + 1), (i + 1, j), (i + 1, j + 1)]
            balls = [Manifold.sphere(th[a] / 2.0, segments).translate(grid[a, b].tolist())
                     for a, b in corners]
            pieces.append(Manifold.batch_hull(balls))
    return shapes.union(pieces)


def fan(origin_line: np.ndarray, insertion: np.ndarray, thickness: float, columns: int = 8,
        via: Sequence[np.ndarray] = ()) -> Manifold:
    """A fan: a broad origin line converging on a short insertion (a point or short line)."""
    return sheet([origin_line, *via, insertion], thickness, columns)


def belly(path: np.ndarray, radii: Sequence[float], segments: int = 14) -> Manifold:
    """A fusiform or strap belly along a path ``(n, 3)`` with one radius per path point.

    Use small radii at the ends (tendons) and the largest in the middle (belly).
    """
    path = np.asarray(path, float)
    radii = np.asarray(radii, float)
    pieces = [shapes.capsule(path[i], path[i + 1], float(radii[i]), segments, float(radii[i + 1]))
              for i in range(len(path) - 1)]
    return shapes.union(pieces)


def spindle(origin: np.ndarray, insertion: np.ndarray, belly_radius: float, tendon_radius: float = 2.5,
            via: Sequence[np.ndarray] = (), bulge: np.ndarray | None = None, n: int = 7,
            segments: int = 14) -> Manifold:
    """A fusiform muscle from ``origin`` to ``insertion`` through optional ``via`` points.

    ``bulge`` (3,) shifts the middle of the belly (e.g. outwards from the bone) by up to its length.
    """
    ctrl = np.array([origin, *via, insertion], float)
    path = resample(ctrl, n)
    if bulge is not None:
        w = np.sin(np.linspace(0, np.pi, n))[:, None]
        path = path + w * np.asarray(bulge, float)
    profile = tendon_radius + (belly_radius - tendon_radius) * np.sin(np.linspace(0, np.pi, n)) ** 0.8
    return belly(path, profile, segments)


def carve(muscle: Manifold, obstacles: Sequence[Manifold]) -> Manifold:
    """Remove bones (and deeper muscles) from a muscle so it never passes through them.

    If carving leaves several pieces, only the largest is kept (a muscle is one body).
    """
    out = muscle
    for obstacle in obstacles:
        out = out - obstacle
    parts = out.decompose()
    if len(parts) > 1:
        out = max(parts, key=lambda m: m.volume())
    return out


def offset_from(points: np.ndarray, centre: np.ndarray, distance: float) -> np.ndarray:
    """Push points radially away from ``centre`` by ``distance`` mm (to lay a layer over another)."""
    points = np.atleast_2d(np.asarray(points, float))
    d = points - np.asarray(centre, float)
    n = np.linalg.norm(d, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return points + d / n * distance
