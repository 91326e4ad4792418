"""Solid building blocks for the procedural body, on top of manifold3d.

Every function returns a :class:`manifold3d.Manifold` (a closed, consistently oriented solid) in
world millimetres, so that unions and differences of them stay watertight. :func:`to_trimesh` turns
the result into the mesh the atlas stores.

Shapes and units: points are ``(3,)`` float arrays in mm; radii and lengths in mm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import manifold3d as mf
import numpy as np
import trimesh

Manifold = mf.Manifold


def _affine(rotation: np.ndarray, translation: np.ndarray) -> list[list[float]]:
    """A 3x4 affine matrix (manifold3d's transform format) from a 3x3 rotation and a shift."""
    m = np.hstack([np.asarray(rotation, float), np.asarray(translation, float).reshape(3, 1)])
    return m.tolist()


def frame_from_z(direction: np.ndarray, up_hint: np.ndarray | None = None) -> np.ndarray:
    """A rotation matrix (columns = local x, y, z in world) whose z axis is ``direction``."""
    z = np.asarray(direction, float)
    z = z / np.linalg.norm(z)
    hint = np.array([1.0, 0.0, 0.0]) if up_hint is None else np.asarray(up_hint, float)
    if abs(np.dot(hint, z)) > 0.95:
        hint = np.array([0.0, 1.0, 0.0]) if abs(z[1]) < 0.9 else np.array([0.0, 0.0, 1.0])
    x = hint - np.dot(hint, z) * z
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return np.column_stack([x, y, z])


def place(solid: Manifold, rotation: np.ndarray, origin: np.ndarray) -> Manifold:
    """Rotate (3x3, columns = local axes in world) then move a solid built at the origin."""
    return solid.transform(_affine(rotation, origin))


def ellipsoid(center, radii, segments: int = 24, rotation: np.ndarray | None = None) -> Manifold:
    """An ellipsoid with semi-axes ``radii`` (3,) along the (rotated) local axes."""
    s = Manifold.sphere(1.0, segments).scale(list(map(float, radii)))
    return place(s, np.eye(3) if rotation is None else rotation, np.asarray(center, float))


def capsule(a, b, radius: float, segments: int = 16, radius_b: float | None = None) -> Manifold:
    """A rounded rod from ``a`` to ``b`` (hull of two spheres); tapered if ``radius_b`` is given."""
    rb = radius if radius_b is None else radius_b
    sa = Manifold.sphere(radius, segments).translate(list(map(float, a)))
    sb = Manifold.sphere(rb, segments).translate(list(map(float, b)))
    return Manifold.batch_hull([sa, sb])


def cylinder(a, b, radius: float, segments: int = 24, radius_b: float | None = None) -> Manifold:
    """A flat-ended (possibly tapered) cylinder from ``a`` to ``b``."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    length = float(np.linalg.norm(b - a))
    rb = radius if radius_b is None else radius_b
    c = Manifold.cylinder(length, radius, rb, segments)
    return place(c, frame_from_z(b - a), a)


def box(center, size, rotation: np.ndarray | None = None) -> Manifold:
    """A box of full ``size`` (3,) centred on ``center``, axes along the rotation's columns."""
    c = Manifold.cube(list(map(float, size)), True)
    return place(c, np.eye(3) if rotation is None else rotation, np.asarray(center, float))


def rounded_box(center, size, radius: float, rotation: np.ndarray | None = None,
                segments: int = 12) -> Manifold:
    """A box with rounded edges: the hull of eight spheres at the inset corners."""
    half = np.maximum(np.asarray(size, float) / 2.0 - radius, 1e-3)
    corners = [Manifold.sphere(radius, segments).translate([sx * half[0], sy * half[1], sz * half[2]])
               for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]
    hull = Manifold.batch_hull(corners)
    return place(hull, np.eye(3) if rotation is None else rotation, np.asarray(center, float))


def hull_of(solids: Sequence[Manifold]) -> Manifold:
    """Convex hull of several solids."""
    return Manifold.batch_hull(list(solids))


def hull_points(points: np.ndarray) -> Manifold:
    """Convex hull of a point cloud ``(n, 3)``."""
    return Manifold.hull_points(np.asarray(points, float).tolist())


def tube(path: np.ndarray, radii, segments: int = 12) -> Manifold:
    """A smooth rod along a polyline ``(n, 3)``: the union of capsules between its points.

    ``radii`` is a scalar or one radius per point.
    """
    path = np.asarray(path, float)
    r = np.broadcast_to(np.asarray(radii, float), (len(path),))
    pieces = [capsule(path[i], path[i + 1], float(r[i]), segments, float(r[i + 1]))
              for i in range(len(path) - 1)]
    return union(pieces)


def union(solids: Iterable[Manifold]) -> Manifold:
    """Boolean union of several solids (empty list -> empty manifold)."""
    solids = list(solids)
    if not solids:
        return Manifold()
    return Manifold.batch_boolean(solids, mf.OpType.Add)


def to_trimesh(solid: Manifold) -> trimesh.Trimesh:
    """Convert a manifold solid to a trimesh (closed, outward-facing), in mm.

    Raises
    ------
    ValueError
        If the solid is empty (e.g. a difference removed everything).
    """
    if solid.is_empty():
        raise ValueError("cannot convert an empty solid to a mesh")
    mesh = solid.to_mesh()
    verts = np.asarray(mesh.vert_properties, dtype=float)[:, :3]
    faces = np.asarray(mesh.tri_verts, dtype=np.int64)
    out = trimesh.Trimesh(vertices=verts, faces=faces, process=True)
    return out


def decimate(mesh: trimesh.Trimesh, target_faces: int) -> trimesh.Trimesh:
    """Reduce a mesh to about ``target_faces`` triangles, keeping it closed where possible.

    Uses manifold3d's ``simplify`` (edge collapse within a tolerance) stepping the tolerance up
    until the face budget is met.
    """
    if len(mesh.faces) <= target_faces:
        return mesh
    solid = Manifold(mf.Mesh(vert_properties=np.asarray(mesh.vertices, np.float32),
                             tri_verts=np.asarray(mesh.faces, np.uint32)))
    tol = 0.05
    while solid.num_tri() > target_faces and tol < 5.0:
        solid = solid.simplify(tol)
        tol *= 1.5
    return to_trimesh(solid)
