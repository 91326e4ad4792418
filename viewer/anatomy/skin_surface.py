"""The skin: one closed, smooth surface over the whole body, following the structures beneath it.

Method: the body is split into regions (head, neck and trunk, each arm, each leg); in every
horizontal slab each region's cross-section is the convex hull of the structures in it (so the
skin bridges the hollows between ribs, muscles and bones as soft tissue does). The union of these
sections, made symmetric about the mid-sagittal plane, is turned into a signed distance field,
offset outwards by the soft-tissue thickness, smoothed, and contoured (VTK flying edges through
pyvista); the left half of the contour is reduced and welded to its mirror image, so the skin is
one watertight surface that is exactly mirror-symmetric (paired points land on it mirrored).
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy import ndimage
from scipy.spatial import ConvexHull

from .parts import Landmark, Part

PITCH = 3.5
"""Grid spacing, mm."""

SOFT_TISSUE = 7.0
"""Skin offset beyond the outermost structure, mm (thin subcutaneous layer over muscle)."""

TARGET_FACES = 80_000

SLAB = 12.0
"""Half-height of the slab whose structures make one cross-section, mm."""

_ARM = ("humerus", "radius", "ulna", "hand", "biceps", "brachialis", "triceps", "brachioradialis",
        "extensor_carpi", "extensor_digitorum_left", "extensor_digitorum_right", "flexor_carpi",
        "pronator", "flexor_digitorum")
_LEG = ("femur", "patella", "tibia", "fibula", "foot", "rectus_femoris", "vastus", "sartorius",
        "adductor", "gracilis", "biceps_femoris", "semitendinosus", "semimembranosus",
        "tibialis", "extensor_hallucis", "extensor_digitorum_longus", "gastrocnemius", "soleus",
        "fibularis", "tensor_fasciae")
_HEAD = ("skull", "mandible")


def _region(part: Part) -> str:
    name = part.acronym
    side = "left" if name.endswith("_left") else "right" if name.endswith("_right") else "mid"
    if any(name.startswith(p) for p in _ARM) and not name.startswith("extensor_digitorum_longus"):
        return f"arm_{side}"
    if any(name.startswith(p) for p in _LEG):
        return f"leg_{side}"
    if name.startswith(_HEAD):
        return "head"
    return "trunk"


def _section_masks(points: np.ndarray, xs: np.ndarray, ys: np.ndarray, zs: np.ndarray,
                   mask: np.ndarray) -> None:
    """OR into ``mask`` (nx, ny, nz) the convex hull of ``points`` in each horizontal slab."""
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    order = np.argsort(points[:, 2])
    pz = points[order, 2]
    for k, z in enumerate(zs):
        lo, hi = np.searchsorted(pz, [z - SLAB, z + SLAB])
        slab = points[order[lo:hi], :2]
        if len(slab) < 3:
            continue
        try:
            hull = ConvexHull(slab)
        except Exception:  # degenerate (collinear) slab: nothing to fill
            continue
        eq = hull.equations
        inside = np.all(grid @ eq[:, :2].T + eq[:, 2] <= 0.0, axis=1)
        mask[:, :, k] |= inside.reshape(gx.shape)


FURROW_DEPTH = 4.0
"""Field margin behind the spinous tips before the offset, mm: with :data:`SOFT_TISSUE` the skin
lies about 10 mm behind them in the midline (published thickness over the thoracic and lumbar
spinous processes in lean adults: about 5-20 mm)."""

FURROW_SLOPE = 0.45
"""How fast the back rises on either side of the midline furrow (mm of depth per mm across)."""


FURROW_COVER = 2
"""Voxels kept round every structure inside what the back furrow carves away."""


def _carve_back_furrow(mask: np.ndarray, xs, ys, zs, tips: np.ndarray) -> None:
    """Remove the convex hulls' bridge over the spine: the back dips into a midline furrow whose
    floor lies just behind the spinous tips and whose walls rise over the erector spinae."""
    tips = tips[np.argsort(tips[:, 2])]
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    for k, z in enumerate(zs):
        if z < tips[0, 2] or z > tips[-1, 2]:
            continue
        floor = np.interp(z, tips[:, 2], tips[:, 1]) + FURROW_DEPTH
        mask[:, :, k] &= ~(gy > floor + FURROW_SLOPE * np.abs(gx))


def _triangles_only(surf):
    """Drop the degenerate line and vertex cells that cleaning a contour can leave behind."""
    import pyvista as pv

    cells = np.asarray(surf.faces)
    tris, i = [], 0
    while i < len(cells):
        n = cells[i]
        if n == 3:
            tris.append(cells[i + 1:i + 4])
        i += n + 1
    tris = np.asarray(tris)
    keep = (tris[:, 0] != tris[:, 1]) & (tris[:, 1] != tris[:, 2]) & (tris[:, 0] != tris[:, 2])
    tris = tris[keep]
    return pv.PolyData(np.asarray(surf.points), np.hstack([np.full((len(tris), 1), 3), tris]).ravel())


def _mirrored_halves(surf, target_faces: int = TARGET_FACES) -> trimesh.Trimesh:
    """The left half (X >= 0) of a surface, reduced to half of :data:`TARGET_FACES` with its cut
    edge kept, and welded to its mirror image: a skin exactly symmetric about X = 0, so that the
    closest skin point of a mirrored point is the mirrored closest point."""
    import pyvista as pv

    half = surf.clip(normal=(-1.0, 0.0, 0.0), origin=(0.0, 0.0, 0.0))  # keeps X >= 0
    if not isinstance(half, pv.PolyData):
        half = half.extract_surface(algorithm="dataset_surface")
    half = _triangles_only(half.triangulate().clean())
    if half.n_cells > target_faces // 2:
        half = half.decimate_pro(1.0 - (target_faces // 2) / half.n_cells, preserve_topology=True,
                                 boundary_vertex_deletion=False)
    half = _triangles_only(half)
    verts = np.asarray(half.points, float).copy()
    faces = half.faces.reshape(-1, 4)[:, 1:]
    verts[np.abs(verts[:, 0]) < 1e-6, 0] = 0.0  # the cut edge lies exactly on the midline
    mirrored = verts * np.array([-1.0, 1.0, 1.0])
    both = trimesh.Trimesh(np.vstack([verts, mirrored]),
                           np.vstack([faces, faces[:, ::-1] + len(verts)]), process=False)
    both.merge_vertices(digits_vertex=6)
    both.remove_unreferenced_vertices()
    return both


def _skin_mesh(parts: list[Part], spinous_tips: np.ndarray | None = None) -> trimesh.Trimesh:
    import pyvista as pv

    regions: dict[str, list[np.ndarray]] = {}
    # The trunk's sections stop at the hip bones' lowest point (the ischial tuberosities): below
    # it a trunk structure (gluteus maximus running down to the femur and the iliotibial tract)
    # belongs to its thigh, or one hull across both buttocks would drop the perineum's skin to
    # the gluteal tuberosities.
    hips = [np.asarray(p.mesh.vertices) for p in parts if p.acronym.startswith("hip_bone")]
    floor = min(float(v[:, 2].min()) for v in hips) if hips else -np.inf
    for part in parts:
        verts = np.asarray(part.mesh.vertices)
        region = _region(part)
        if region == "trunk" and part.acronym.endswith(("_left", "_right")) and verts[:, 2].min() < floor:
            low = verts[:, 2] < floor
            regions.setdefault(f"leg_{part.acronym.rsplit('_', 1)[1]}", []).append(verts[low])
            verts = verts[~low]
        regions.setdefault(region, []).append(verts)
    allv = np.vstack([v for vs in regions.values() for v in vs])
    pad = 30.0
    lo = np.floor((allv.min(axis=0) - pad) / PITCH) * PITCH
    hi = np.ceil((allv.max(axis=0) + pad) / PITCH) * PITCH
    # A grid symmetric about X = 0, so that the mirror of a column is a column (see below), with
    # no column on X = 0 itself: no contour vertex then lies on the plane the skin is cut along.
    half = (np.ceil(max(-lo[0], hi[0]) / PITCH) + 0.5) * PITCH
    lo[0], hi[0] = -half, half
    xs, ys, zs = (np.arange(lo[i], hi[i] + PITCH / 2, PITCH) for i in range(3))
    mask = np.zeros((len(xs), len(ys), len(zs)), dtype=bool)
    for verts in regions.values():
        _section_masks(np.vstack(verts), xs, ys, zs, mask)
    if spinous_tips is not None and len(spinous_tips) >= 2:
        hulls = mask.copy()
        _carve_back_furrow(mask, xs, ys, zs, spinous_tips)
        # The furrow never uncovers a structure: put back every voxel a structure touches, and
        # where the furrow was carved FURROW_COVER voxels round it (the smoothing below shaves a
        # convex edge of the furrow's wall, as over latissimus dorsi's upper border by T7-T8).
        samples = np.vstack([np.vstack([p.mesh.vertices, p.mesh.triangles_center]) for p in parts])
        idx = np.round((samples - lo) / PITCH).astype(int)
        touched = np.zeros_like(mask)
        touched[idx[:, 0], idx[:, 1], idx[:, 2]] = True
        mask |= ndimage.binary_dilation(touched, iterations=1)
        mask |= ndimage.binary_dilation(touched, iterations=FURROW_COVER) & hulls & ~mask
    # The body is mirror-symmetric by construction (the right side is the left mirrored), but the
    # smoothed midline bones are not exactly so: take the union with the mirror image, so that a
    # point and its mirror lie on the skin alike (issue 5: paired points mirror within 2 mm).
    mask |= mask[::-1]
    # Signed distance (mm, positive outside), smoothed, offset by the soft tissue.
    outside = ndimage.distance_transform_edt(~mask) * PITCH
    inside = ndimage.distance_transform_edt(mask) * PITCH
    sdf = ndimage.gaussian_filter(outside - inside, sigma=(1.6, 1.6, 4.0))
    grid = pv.ImageData(dimensions=mask.shape, spacing=(PITCH,) * 3, origin=tuple(lo))
    grid.point_data["sdf"] = sdf.ravel(order="F")
    surf = grid.contour([SOFT_TISSUE], scalars="sdf", method="flying_edges").triangulate().clean()
    surf = _triangles_only(surf.smooth_taubin(n_iter=30, pass_band=0.1))
    mesh = _mirrored_halves(surf)
    pieces = mesh.split(only_watertight=False)
    mesh = max(pieces, key=lambda m: len(m.faces))
    trimesh.repair.fix_normals(mesh)
    return mesh


def build_parts(ctx) -> list[Part]:
    """The skin over every structure built so far."""
    if not ctx.parts:
        raise KeyError("the skin needs the body's structures: build the bones first")
    names = ([f"{lv}_spinous_tip" for lv in ["C7"] + [f"T{i}" for i in range(1, 13)]
              + [f"L{i}" for i in range(1, 6)]] + [f"S{i}_median_crest" for i in range(1, 5)])
    marks = ctx.landmarks
    tips = [marks[n].position for n in names if n in marks]
    mesh = _skin_mesh(list(ctx.parts), np.array(tips) if tips else None)
    landmarks: dict[str, Landmark] = {}
    levels = [p.level for p in ctx.parts if p.kind == "bone" and p.level]
    for level in levels:
        name = f"{level}_spinous_tip"
        if name not in ctx.landmarks:
            continue
        tip = ctx.landmark(name)
        locs, _, _ = mesh.ray.intersects_location([tip], [[0.0, 1.0, 0.0]])
        behind = [p for p in locs if p[1] > tip[1]]
        if behind:
            hit = min(behind, key=lambda p: p[1])
            landmarks[f"posterior_midline_{level}"] = Landmark(
                np.asarray(hit, float), f"skin straight behind the {level} spinous tip")
    return [Part("skin", "Skin", "skin", "integument", mesh, landmarks=landmarks, color="#e8b898")]
