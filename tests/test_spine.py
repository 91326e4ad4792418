"""Invariants of the generated spine: sizes, curves, contacts, discs, holes, landmarks.

Expected values come from published anatomy (the ranges in ``morphometry``) and from plain facts of
anatomy (24 presacral vertebrae, 23 discs, the canal is a hole), never from the generator's output.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viewer.anatomy import morphometry as mm
from viewer.anatomy import spine

from conftest import solid

PAIRS = list(zip(mm.PRESACRAL, mm.PRESACRAL[1:] + ("sacrum",))) + [("sacrum", "coccyx")]
DISC_PAIRS = list(zip(mm.PRESACRAL[1:], mm.PRESACRAL[2:] + ("S1",)))


@pytest.fixture(scope="module")
def built(body):
    ctx = body.context
    return ctx, ctx.parts_of("viewer.anatomy.spine")



def bone_of(name: str) -> str:
    return "sacrum" if name == "S1" else name


def test_24_presacral_vertebrae_top_to_bottom(built):
    ctx, parts = built
    vertebrae = [p for p in parts.values() if p.kind == "bone" and p.acronym in mm.PRESACRAL]
    assert [p.acronym for p in vertebrae] == list(mm.PRESACRAL)
    heights = [p.landmarks[f"{p.acronym}_body_center"].position[2] for p in vertebrae]
    assert all(a > b for a, b in zip(heights, heights[1:]))
    assert heights[-1] > parts["sacrum"].landmarks["S1_body_center"].position[2]
    assert parts["sacrum"].landmarks["sacrum_apex"].position[2] > \
        parts["coccyx"].landmarks["coccyx_tip"].position[2]


def test_parents_and_kinds(built):
    _, parts = built
    expected_parent = {"C": "cervical_spine", "T": "thoracic_spine", "L": "lumbar_spine"}
    for level in mm.PRESACRAL:
        assert parts[level].kind == "bone"
        assert parts[level].parent == expected_parent[level[0]]
        assert parts[level].fma_id is not None
    for name in ("sacrum", "coccyx"):
        assert parts[name].parent == "vertebral_column"
    for upper, lower in DISC_PAIRS:
        disc = parts[f"disc_{upper}_{lower}"]
        assert disc.kind == "disc" and disc.parent == "intervertebral_discs"


@pytest.mark.parametrize("level", mm.PRESACRAL[1:])
def test_body_size_within_published_range(built, level):
    ctx, _ = built
    pieces, _ = spine.build_pieces(ctx.layout)
    frame = ctx.layout.vertebrae[level]
    local = frame.to_local(spine.vertices_of(pieces[level].sub["body"]))
    width, depth, height = np.ptp(local, axis=0)
    (wlo, whi), (dlo, dhi), (hlo, hhi) = mm.BODY_RANGES[spine.region_of(level)]
    assert wlo <= width <= whi, f"{level} width {width:.1f}"
    assert dlo <= depth <= dhi, f"{level} depth {depth:.1f}"
    assert hlo <= height <= hhi, f"{level} height {height:.1f}"


def _endplate_normal(mesh: trimesh.Trimesh, frame, which: str, width: float,
                     depth: float) -> np.ndarray:
    """Plane fitted to the flat end plate of a body (away from the uncinates and the arch).

    Fitted to points sampled on the surface, not to the vertices: a decimated flat plate may keep
    only a few nearly collinear vertices."""
    points = np.asarray(trimesh.sample.sample_surface(mesh, 60000, seed=0)[0])
    local = frame.to_local(points)
    central = (np.abs(local[:, 0]) < 0.4 * width) & (local[:, 1] < depth / 2 - 4.0)
    z = local[:, 2] if which == "superior" else -local[:, 2]
    zmax = z[central].max()
    sel = central & (z > zmax - 0.4)
    pts = points[sel]
    assert len(pts) >= 3
    centred = pts - pts.mean(axis=0)
    normal = np.linalg.svd(centred)[2][2]
    return normal if normal[2] > 0 else -normal


def _sagittal(normal: np.ndarray) -> float:
    """Tilt of an upward normal towards posterior (+Y), degrees."""
    return float(np.degrees(np.arctan2(normal[1], normal[2])))


def test_regional_curves_from_geometry(built):
    ctx, parts = built
    layout = ctx.layout

    def plate(level, which):
        if level == "S1":
            return _endplate_normal(parts["sacrum"].mesh, layout.s1, "superior", 45.0, 30.0)
        dims = mm.VERTEBRAE[level]
        return _endplate_normal(parts[level].mesh, layout.vertebrae[level], which,
                                dims.body_width, dims.body_depth)

    angles = {
        "cervical_lordosis_C2_C7": _sagittal(plate("C2", "inferior")) - _sagittal(plate("C7", "inferior")),
        "thoracic_kyphosis_T4_T12": _sagittal(plate("T12", "inferior")) - _sagittal(plate("T4", "superior")),
        "lumbar_lordosis_L1_S1": _sagittal(plate("L1", "superior")) - _sagittal(plate("S1", "superior")),
        "sacral_slope": -_sagittal(plate("S1", "superior")),
    }
    for name, (lo, hi) in mm.CURVE_RANGES.items():
        assert lo <= angles[name] <= hi, f"{name} = {angles[name]:.1f}"


@pytest.mark.parametrize("upper,lower", PAIRS + [("C1", "C3")])
def test_neighbouring_bones_do_not_intersect(built, upper, lower):
    _, parts = built
    overlap = (solid(parts[upper].mesh) ^ solid(parts[lower].mesh)).volume()
    assert overlap < 1.0, f"{upper} and {lower} overlap by {overlap:.2f} mm^3"


def test_facets_meet_their_neighbours(built):
    """Neighbouring vertebrae articulate: close (under 3 mm) but not intersecting."""
    _, parts = built
    for upper, lower in PAIRS[:-1]:
        gap = solid(parts[upper].mesh).min_gap(solid(parts[lower].mesh), 10.0)
        assert 0.2 < gap < 3.0, f"{upper}-{lower} gap {gap:.2f}"


def test_dens_rises_through_the_atlas(built):
    ctx, parts = built
    c1 = ctx.layout.vertebrae["C1"]
    c2 = parts["C2"].mesh
    top = c1.to_local(c2.vertices)[:, 2].max()
    assert top > 2.0  # the dens tip is above the middle of the atlas ring
    gap = solid(parts["C1"].mesh).min_gap(solid(c2), 5.0)
    assert 0.8 <= gap <= 3.0


@pytest.mark.parametrize("upper,lower", DISC_PAIRS)
def test_one_disc_between_neighbours_touching_both(built, upper, lower):
    _, parts = built
    discs = [p for p in parts.values() if p.kind == "disc"]
    assert len(discs) == 23
    a, b = solid(parts[upper].mesh), solid(parts[bone_of(lower)].mesh)
    touching = [d.acronym for d in discs
                if solid(d.mesh).min_gap(a, 2.0) <= 0.5 and solid(d.mesh).min_gap(b, 2.0) <= 0.5]
    assert touching == [f"disc_{upper}_{lower}"]
    disc = solid(parts[f"disc_{upper}_{lower}"].mesh)
    assert (disc ^ a).volume() < 0.05 and (disc ^ b).volume() < 0.05


def test_meshes_closed_and_outward(built):
    _, parts = built
    for p in parts.values():
        assert p.mesh.is_watertight, p.acronym
        assert p.mesh.is_winding_consistent, p.acronym
        assert p.mesh.volume > 0, p.acronym


def test_triangle_budget(built):
    _, parts = built
    assert sum(len(p.mesh.faces) for p in parts.values()) < 110_000


def test_bones_are_mirror_symmetric(built):
    _, parts = built
    rng = np.random.default_rng(0)
    for p in parts.values():
        v = p.mesh.vertices[rng.choice(len(p.mesh.vertices), min(300, len(p.mesh.vertices)), replace=False)]
        mirrored = v * np.array([-1.0, 1.0, 1.0])
        _, dist, _ = trimesh.proximity.closest_point(p.mesh, mirrored)
        assert dist.max() < 0.6, f"{p.acronym} asymmetric by {dist.max():.2f} mm"


VERTEBRA_LANDMARKS = ("spinous_tip", "spinous_inferior", "spinous_superior", "body_center",
                      "transverse_tip_left", "transverse_tip_right", "lamina_left",
                      "lamina_right", "foramen_left", "foramen_right")


@pytest.mark.parametrize("level", mm.PRESACRAL)
def test_vertebra_landmarks(built, level):
    ctx, parts = built
    lms = parts[level].landmarks
    names = [f"{level}_{n}" for n in VERTEBRA_LANDMARKS]
    if level[0] == "L":
        names += [f"{level}_mammillary_left", f"{level}_mammillary_right"]
    for name in names:
        assert name in lms and lms[name].method, name
    frame = ctx.layout.vertebrae[level]
    tip = frame.to_local(lms[f"{level}_spinous_tip"].position)
    assert abs(tip[0]) < 0.5 and tip[1] > 20.0  # on the midline, behind the canal
    assert lms[f"{level}_spinous_superior"].position[2] >= lms[f"{level}_spinous_inferior"].position[2]
    left = frame.to_local(lms[f"{level}_transverse_tip_left"].position)
    right = frame.to_local(lms[f"{level}_transverse_tip_right"].position)
    assert left[0] > 0 > right[0]
    span = left[0] - right[0]
    assert abs(span - mm.VERTEBRAE[level].transverse_span) < 6.0
    # The foramen below a vertebra lies between its body centre and the next one.
    f = frame.to_local(lms[f"{level}_foramen_left"].position)
    assert f[0] > 5.0 and f[2] < 0.0


def test_sacral_landmarks(built):
    _, parts = built
    lms = parts["sacrum"].landmarks
    crest = [lms[f"S{k}_median_crest"].position for k in range(1, 5)]
    assert all(abs(p[0]) < 0.5 for p in crest)
    assert all(a[2] > b[2] for a, b in zip(crest, crest[1:]))
    for side, sign in (("left", 1), ("right", -1)):
        foramina = [lms[f"sacral_foramen_S{k}_{side}"].position for k in range(1, 5)]
        assert all(sign * p[0] > 8.0 for p in foramina)
        assert all(a[2] > b[2] for a, b in zip(foramina, foramina[1:]))
        auricular = lms[f"sacrum_auricular_{side}"].position
        assert 45.0 <= sign * auricular[0] <= 57.0
    assert lms["sacral_hiatus"].position[2] < crest[-1][2]
    assert lms["sacrum_apex"].position[2] < lms["sacral_hiatus"].position[2]
    assert "coccyx_tip" in parts["coccyx"].landmarks


def test_sacral_foramina_are_holes(built):
    """A segment through each posterior sacral foramen, dorsal to pelvic, meets no bone."""
    ctx, parts = built
    sacrum = solid(parts["sacrum"].mesh)
    g = spine.sacral_geometry(ctx.layout)
    for f in g.foramina:
        for sign in (1.0, -1.0):
            flip = np.array([sign, 1.0, 1.0])
            hits = sacrum.ray_cast((f["dorsal"] * flip).tolist(), (f["channel"] * flip).tolist())
            assert not hits


@pytest.mark.parametrize("level", mm.PRESACRAL)
def test_vertebral_canal_is_open(built, level):
    ctx, parts = built
    frame = ctx.layout.vertebrae[level]
    centre = spine.canal_centre_local(level)
    h = 12.0 if level == "C1" else mm.VERTEBRAE[level].body_height
    start = frame.to_world(centre + [0, 0, h])
    end = frame.to_world(centre - [0, 0, h])
    assert not solid(parts[level].mesh).ray_cast(start.tolist(), end.tolist())


def test_mid_thoracic_spines_overlap_like_tiles(built):
    """T5-T8 spinous tips reach below the upper end plate of the vertebra beneath."""
    ctx, parts = built
    for level, below in (("T5", "T6"), ("T6", "T7"), ("T7", "T8"), ("T8", "T9")):
        tip = parts[level].landmarks[f"{level}_spinous_tip"].position
        assert tip[2] < ctx.layout.superior_endplates[below].origin[2]


def test_c7_is_the_prominent_cervical_spine(built):
    ctx, parts = built
    def length(level):
        f = ctx.layout.vertebrae[level]
        return np.linalg.norm(f.to_local(parts[level].landmarks[f"{level}_spinous_tip"].position))
    assert length("C7") > max(length(lv) for lv in ("C3", "C4", "C5", "C6"))


def _local_vertices(ctx, parts, level: str) -> np.ndarray:
    return ctx.layout.vertebrae[level].to_local(np.asarray(parts[level].mesh.vertices, float))


@pytest.mark.parametrize("level", ("C3", "C4", "C5", "C6"))
def test_c3_to_c6_spines_are_bifid(built, level):
    """Two tips either side of a midline notch (Gray's Anatomy): the bone reaches further back
    a few millimetres off the midline than on it."""
    ctx, parts = built
    v = _local_vertices(ctx, parts, level)
    on_midline = v[np.abs(v[:, 0]) < 0.8, 1].max()
    off_midline = v[(np.abs(v[:, 0]) > 2.0) & (np.abs(v[:, 0]) < 6.0), 1].max()
    assert off_midline > on_midline + 1.0, f"{level}: no notch between two tips"


@pytest.mark.parametrize("level", ("C7",) + mm.THORACIC)
def test_c7_and_thoracic_spines_are_single(built, level):
    ctx, parts = built
    v = _local_vertices(ctx, parts, level)
    back = v[v[:, 1] >= v[:, 1].max() - 1.0]
    assert np.abs(back[:, 0]).max() < 4.0, f"{level}: the spine's tip is not on the midline"


@pytest.mark.parametrize("level", ("C3", "C4", "C5", "C6", "C7"))
def test_uncinate_processes_rise_above_the_end_plate(built, level):
    """The lateral lips of the upper end plate (C3-C7) stand 2-6 mm above its middle (Gray's
    Anatomy: they cup the body above). Points sampled on the surface: a decimated flat end
    plate keeps few vertices."""
    ctx, parts = built
    points = np.asarray(trimesh.sample.sample_surface(parts[level].mesh, 60000, seed=0)[0])
    v = ctx.layout.vertebrae[level].to_local(points)
    front = spine.canal_front(level) - 2.0  # within the body, in front of the canal
    w = spine.body_width(level)
    body = v[v[:, 1] < front]
    middle = body[np.abs(body[:, 0]) < 3.0, 2].max()
    for sign in (1.0, -1.0):
        lip = body[(sign * body[:, 0] > w / 2 - 4.0) & (sign * body[:, 0] < w / 2 + 1.0), 2].max()
        assert 2.0 <= lip - middle <= 6.0, f"{level}: uncinate {lip - middle:.1f} mm"


def _canal_extent(ctx, parts, level: str) -> tuple[float, float]:
    """(widest width, depth) of the vertebral foramen at the level of the pedicles, by rays
    through it to the bone."""
    frame = ctx.layout.vertebrae[level]
    bone = solid(parts[level].mesh)
    centre = spine.canal_centre_local(level)
    centre = centre + [0.0, 0.0, spine.arch_of(level).pillar[2] - centre[2]]

    def reach(start, direction) -> float:
        end = start + 60.0 * np.asarray(direction, float)
        hits = bone.ray_cast(frame.to_world(start).tolist(), frame.to_world(end).tolist())
        assert hits, f"{level}: the canal is open towards {direction}"
        return float(np.linalg.norm(frame.to_local(np.asarray(hits[0].position)) - start))

    depth = reach(centre, (0, 1, 0)) + reach(centre, (0, -1, 0))
    front = centre[1] - reach(centre, (0, -1, 0))
    width = max(reach(p, (1, 0, 0)) + reach(p, (-1, 0, 0))
                for p in (centre + [0.0, front + f * depth - centre[1], 0.0]
                          for f in (0.15, 0.3, 0.45, 0.6)))
    return width, depth


@pytest.mark.parametrize("level", ("C3", "C5", "C7", "T4", "T8"))
def test_canal_wide_in_the_neck_round_in_the_chest(built, level):
    """Cervical foramen much wider than deep (Panjabi 1991: about 24 by 14 mm); thoracic about
    as wide as deep (about 15 by 15 mm)."""
    ctx, parts = built
    width, depth = _canal_extent(ctx, parts, level)
    ratio = width / depth
    if level.startswith("C"):
        assert ratio > 1.4, f"{level}: canal {width:.1f} x {depth:.1f} mm"
    else:
        assert 0.75 < ratio < 1.35, f"{level}: canal {width:.1f} x {depth:.1f} mm"


@pytest.fixture(scope="module")
def pieces(built):
    """Every bone's named sub-solids (body, spinous, ...) before they are united."""
    ctx, _ = built
    return spine.build_pieces(ctx.layout)[0]


@pytest.mark.parametrize("level", ("T4", "T6", "T8"))
def test_thoracic_spines_slope_down_and_taper(built, pieces, level):
    """A long blade sloping down (tip below the body's lower end plate) that is wide at its root
    and narrow at the tip (Gray's Anatomy)."""
    ctx, parts = built
    frame = ctx.layout.vertebrae[level]
    tip = frame.to_local(parts[level].landmarks[f"{level}_spinous_tip"].position)
    assert tip[2] < -mm.VERTEBRAE[level].body_height / 2
    v = frame.to_local(spine.vertices_of(pieces[level].sub["spinous"]))
    root = v[v[:, 1] < v[:, 1].min() + 4.0]
    near_tip = v[v[:, 1] > v[:, 1].max() - 4.0]
    assert np.ptp(root[:, 0]) > 1.6 * np.ptp(near_tip[:, 0])
