"""The one off-screen renderer: pyvista pictures of the body for the gallery and the handout.

Both draw what the scene layer decided (colours, opacities, camera presets from
:mod:`viewer.scene`): :func:`draw` takes meshes with their colour and opacity and a camera, and
returns the picture and where given points land on it. Runs on a machine with no display (VTK
asks for an EGL window, GPU where there is one, else Mesa). Nothing here is used on the click path.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import trimesh

from viewer.scene import CAMERAS

GALLERY_BACKGROUND = "#f7f7f5"


@dataclass(frozen=True)
class Item:
    """One mesh to draw: geometry (trimesh or pyvista PolyData), colour (``#rrggbb``), opacity and
    shine."""

    mesh: object
    color: str = "#e8dcc4"
    opacity: float = 1.0
    specular: float = 0.2
    specular_power: float = 10.0


@dataclass(frozen=True)
class Camera:
    """Where the picture is taken from.

    Attributes
    ----------
    centre : (3,) float, mm
        The point looked at.
    direction, up : (3,) float
        From the centre to the eye, and the view-up vector (a preset of
        :data:`viewer.scene.CAMERAS`).
    distance : float, mm
        From the centre to the eye.
    parallel_scale : float or None, mm
        Half the picture's height with a parallel projection; None for a perspective one.
    view_angle, zoom : float
        The perspective camera's angle (degrees) and zoom.
    """

    centre: tuple[float, float, float]
    direction: tuple[float, float, float]
    up: tuple[float, float, float] = (0.0, 0.0, 1.0)
    distance: float = 4000.0
    parallel_scale: float | None = None
    view_angle: float = 30.0
    zoom: float = 1.0


def _headless_window() -> None:
    """Without a display, ask VTK for an EGL window instead of trying X first and printing a
    warning on every picture."""
    import ctypes.util

    if not os.environ.get("DISPLAY") and "VTK_DEFAULT_OPENGL_WINDOW" not in os.environ \
            and ctypes.util.find_library("EGL"):
        os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"


def _pv_mesh(mesh):
    import pyvista as pv

    if isinstance(mesh, trimesh.Trimesh):
        faces = np.hstack([np.full((len(mesh.faces), 1), 3), mesh.faces]).ravel()
        return pv.PolyData(np.asarray(mesh.vertices, float), faces)
    return mesh


def draw(items: Sequence[Item], camera: Camera, size: tuple[int, int], background: str = GALLERY_BACKGROUND,
         spheres: Sequence[tuple[np.ndarray, str, float]] = (),
         labels: Sequence[tuple[np.ndarray, str]] = (), title: str | None = None,
         project: Sequence[Sequence[float]] = (),
         depth_peeling: bool = False) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Draw meshes off screen.

    Parameters
    ----------
    items : sequence of Item
    camera : Camera
    size : (int, int)
        Width and height in pixels.
    background : str
        ``#rrggbb``.
    spheres : sequence of (positions (n, 3) mm, colour, radius mm)
        Spheres to draw (e.g. acupuncture points).
    labels : sequence of (position (3,) mm, text)
    title : str, optional
    project : sequence of (3,) mm
        Positions whose pixel coordinates to return.
    depth_peeling : bool
        Sort translucent layers exactly (slower; for faded bodies seen through).

    Returns
    -------
    image : (h, w, 3) uint8
    pixels : list of (x, y)
        Where each of ``project`` lands, from the top-left corner.
    """
    _headless_window()
    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    import pyvista as pv

    pv.OFF_SCREEN = True
    plotter = pv.Plotter(off_screen=True, window_size=list(size))
    try:
        plotter.set_background(background)
        for item in items:
            plotter.add_mesh(_pv_mesh(item.mesh), color=item.color, opacity=item.opacity,
                             smooth_shading=True, specular=item.specular, specular_power=item.specular_power)
        for pos, color, radius in spheres:
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
        centre = np.asarray(camera.centre, float)
        direction = np.asarray(camera.direction, float)
        eye = centre + direction / np.linalg.norm(direction) * camera.distance
        plotter.camera_position = [tuple(eye), tuple(centre), tuple(camera.up)]
        if camera.parallel_scale is not None:
            plotter.enable_parallel_projection()
            plotter.camera.parallel_scale = camera.parallel_scale
            plotter.camera.clipping_range = (1.0, camera.distance * 2)
        else:
            plotter.camera.view_angle = camera.view_angle
            plotter.camera.zoom(camera.zoom)
        if depth_peeling:
            plotter.enable_depth_peeling(number_of_peels=6)
        plotter.enable_anti_aliasing("ssaa")
        image = plotter.screenshot(None, return_img=True)
        renderer = plotter.renderer
        width, height = size
        pixels = []
        for p in project:
            renderer.SetWorldPoint(float(p[0]), float(p[1]), float(p[2]), 1.0)
            renderer.WorldToDisplay()
            x, y, _ = renderer.GetDisplayPoint()
            pixels.append((x * image.shape[1] / width, image.shape[0] - y * image.shape[0] / height))
    finally:
        plotter.close()
    return np.ascontiguousarray(image[:, :, :3]), pixels


def render(items: Sequence[Item], path: str, view: str = "posterior", size=(900, 1200),
           zoom: float = 1.0, focus: np.ndarray | None = None,
           points: Sequence[tuple[np.ndarray, str, float]] = (),
           labels: Sequence[tuple[np.ndarray, str]] = (),
           title: str | None = None) -> str:
    """Render meshes to a PNG with a perspective camera that fits them all; return its path.

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
    from PIL import Image

    preset = CAMERAS[view]
    bounds = np.array([_bounds(it.mesh) for it in items]) if items else np.zeros((1, 2, 3))
    lo, hi = bounds[:, 0].min(axis=0), bounds[:, 1].max(axis=0)
    centre = (lo + hi) / 2 if focus is None else np.asarray(focus, float)
    radius = float(np.linalg.norm(hi - lo)) / 2 or 100.0
    camera = Camera(tuple(centre), preset.direction, preset.up, distance=radius * 3.2, zoom=zoom)
    image, _ = draw(items, camera, size, spheres=points, labels=labels, title=title)
    Image.fromarray(image).save(path)
    return path


def _bounds(mesh) -> np.ndarray:
    """``[[xmin, ymin, zmin], [xmax, ymax, zmax]]`` of a trimesh or PolyData."""
    if isinstance(mesh, trimesh.Trimesh):
        return np.asarray(mesh.bounds)
    b = mesh.bounds
    return np.array([b[0::2], b[1::2]])


def technique_items(techniques: Sequence[dict], opacity: float = 0.55) -> list[Item]:
    """The technique zones of a scene (:attr:`viewer.scene.SceneSpec.techniques`) as meshes to
    :func:`draw`: the translucent skin patch, each stroke as a tube with a cone at its arrow
    end(s), each cup as a disc with a rim, each acupressure spot as a flat ring.

    Parameters
    ----------
    techniques : sequence of dict
        ``{color, patch: {vertices, faces} | None, strokes, cups, spots}`` in mm.
    opacity : float
        The patch's opacity (the ``techniques`` layer's).
    """
    import pyvista as pv

    items: list[Item] = []
    for t in techniques:
        colour = t.get("color", "#444444")
        patch = t.get("patch")
        if patch and patch.get("faces"):
            faces = np.asarray(patch["faces"], int)
            cells = np.hstack([np.full((len(faces), 1), 3), faces]).ravel()
            items.append(Item(pv.PolyData(np.asarray(patch["vertices"], float), cells), colour, opacity,
                              specular=0.0))
        for stroke in t.get("strokes", ()):
            pts = np.asarray(stroke["points"], float)
            if len(pts) < 2:
                continue
            line = pv.Spline(pts, max(len(pts) * 6, 20)) if len(pts) > 2 else pv.Line(pts[0], pts[1])
            items.append(Item(line.tube(radius=2.2), colour, 1.0))
            ends = [(pts[-1], pts[-1] - pts[-2])]
            if stroke.get("arrow") == "both":
                ends.append((pts[0], pts[0] - pts[1]))
            for tip, direction in ends:
                d = direction / (np.linalg.norm(direction) or 1.0)
                items.append(Item(pv.Cone(center=tip, direction=d, height=16.0, radius=7.0, resolution=24),
                                  colour, 1.0))
        for cup in t.get("cups", ()):
            centre, normal, r = np.asarray(cup["position"], float), np.asarray(cup["normal"], float), cup["radius"]
            items.append(Item(pv.Cylinder(center=centre + 4 * normal, direction=normal, radius=r, height=8.0,
                                          resolution=48), colour, 0.55))
            items.append(Item(pv.Disc(center=centre + 8.5 * normal, normal=normal, inner=r * 0.8, outer=r,
                                      c_res=48), colour, 1.0))
        for spot in t.get("spots", ()):
            centre, normal = np.asarray(spot["position"], float), np.asarray(spot["normal"], float)
            items.append(Item(pv.Disc(center=centre + 1.5 * normal, normal=normal, inner=spot["radius"] * 0.45,
                                      outer=spot["radius"], c_res=36), colour, 1.0))
            items.append(Item(pv.Disc(center=centre + 1.0 * normal, normal=normal, inner=0.0,
                                      outer=spot["radius"] * 0.45, c_res=36), colour, 0.5))
    return items
