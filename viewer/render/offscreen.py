"""Off-screen pictures of the body with pyvista, for the gallery, handouts and visual checks.

Runs on a machine with no display (VTK picks EGL/OSMesa). Nothing here is used on the click path.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import trimesh

from viewer.scene import CAMERAS

@dataclass(frozen=True)
class Item:
    """One mesh to draw: geometry, colour (``#rrggbb``) and opacity."""

    mesh: trimesh.Trimesh
    color: str = "#e8dcc4"
    opacity: float = 1.0


def _pv_mesh(mesh: trimesh.Trimesh):
    import pyvista as pv

    faces = np.hstack([np.full((len(mesh.faces), 1), 3), mesh.faces]).ravel()
    return pv.PolyData(np.asarray(mesh.vertices, float), faces)


def render(items: Sequence[Item], path: str, view: str = "posterior", size=(900, 1200),
           zoom: float = 1.0, focus: np.ndarray | None = None,
           points: Sequence[tuple[np.ndarray, str, float]] = (),
           labels: Sequence[tuple[np.ndarray, str]] = (),
           title: str | None = None) -> str:
    """Render meshes to a PNG and return its path.

    Parameters
    ----------
    items : sequence of Item
    path : str
        Output PNG.
    view : str
        A key of :data:`viewer.scene.CAMERAS`.
    size : (int, int)
        Width and height in pixels.
    zoom : float
        Camera zoom after fitting all items.
    focus : (3,) float, optional
        Point to centre on (default: centre of all items).
    points : sequence of (positions (n, 3), colour, radius mm)
        Spheres to draw (e.g. acupuncture points).
    labels : sequence of (position (3,), text)
    title : str, optional
    """
    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    import pyvista as pv

    pv.OFF_SCREEN = True
    plotter = pv.Plotter(off_screen=True, window_size=list(size))
    plotter.set_background("#f7f7f5")
    for item in items:
        plotter.add_mesh(_pv_mesh(item.mesh), color=item.color, opacity=item.opacity,
                         smooth_shading=True, specular=0.2, specular_power=10)
    for pos, color, radius in points:
        pos = np.atleast_2d(pos)
        if len(pos):
            cloud = pv.PolyData(pos)
            plotter.add_mesh(cloud.glyph(geom=pv.Sphere(radius=radius), scale=False, orient=False),
                             color=color)
    if labels:
        plotter.add_point_labels(np.array([p for p, _ in labels]), [t for _, t in labels],
                                 font_size=10, point_size=1, shape_opacity=0.6,
                                 always_visible=True)
    if title:
        plotter.add_text(title, font_size=12, color="black")
    direction, up = CAMERAS[view].direction, CAMERAS[view].up
    bounds = np.array([it.mesh.bounds for it in items]) if items else np.zeros((1, 2, 3))
    lo, hi = bounds[:, 0].min(axis=0), bounds[:, 1].max(axis=0)
    centre = (lo + hi) / 2 if focus is None else np.asarray(focus, float)
    radius = float(np.linalg.norm(hi - lo)) / 2 or 100.0
    eye = centre + np.asarray(direction, float) / np.linalg.norm(direction) * radius * 3.2
    plotter.camera_position = [tuple(eye), tuple(centre), up]
    plotter.camera.view_angle = 30.0
    plotter.camera.zoom(zoom)
    plotter.enable_anti_aliasing("ssaa")
    plotter.screenshot(path)
    plotter.close()
    return path
