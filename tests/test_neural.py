"""Invariants of the spinal cord and the nerve roots: names, paths through the right openings,
no contact with bone, symmetry.

Which opening each root uses is written out here from the anatomy (Gray's Anatomy): C2-C7 exit
above the vertebra of the same number, C8 between C7 and T1, T1-L5 below their own vertebra.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viewer.anatomy import morphometry as mm

from conftest import solid

# root -> (vertebra above the foramen, bone below it)
FORAMEN_PAIRS = {
    "C2": ("C1", "C2"), "C3": ("C2", "C3"), "C4": ("C3", "C4"), "C5": ("C4", "C5"),
    "C6": ("C5", "C6"), "C7": ("C6", "C7"), "C8": ("C7", "T1"),
    **{f"T{i}": (f"T{i}", f"T{i + 1}") for i in range(1, 12)}, "T12": ("T12", "L1"),
    "L1": ("L1", "L2"), "L2": ("L2", "L3"), "L3": ("L3", "L4"), "L4": ("L4", "L5"),
    "L5": ("L5", "sacrum"),
}
ROOTS = ([f"C{i}" for i in range(1, 9)] + [f"T{i}" for i in range(1, 13)]
         + [f"L{i}" for i in range(1, 6)] + [f"S{i}" for i in range(1, 6)] + ["Co1"])
SIDES = (("left", 1.0), ("right", -1.0))


@pytest.fixture(scope="module")
def built(body):
    ctx = body.context
    return ctx, ctx.parts_of("viewer.anatomy.spine", "viewer.anatomy.neural")



@pytest.fixture(scope="module")
def bone_solids(built):
    _, parts = built
    return {name: solid(p.mesh) for name, p in parts.items() if p.kind == "bone"}


def test_31_pairs_of_roots_and_a_cord(built):
    _, parts = built
    assert len(ROOTS) == 31
    for root in ROOTS:
        for side, _ in SIDES:
            p = parts[f"root_{root}_{side}"]
            assert p.kind == "nerve_root" and p.parent == "nerve_roots" and p.side == side
            assert f"root_{root}_{side}_exit" in p.landmarks
    assert parts["spinal_cord"].kind == "cord"


def test_meshes_closed_and_outward(built):
    _, parts = built
    for p in parts.values():
        if p.kind in ("cord", "nerve_root"):
            assert p.mesh.is_watertight and p.mesh.is_winding_consistent, p.acronym
            assert p.mesh.volume > 0, p.acronym


def test_cord_from_above_the_atlas_to_the_conus(built):
    ctx, parts = built
    cord = parts["spinal_cord"].mesh
    c1 = ctx.layout.vertebrae["C1"]
    assert c1.to_local(cord.vertices)[:, 2].max() > 10.0  # reaches the foramen magnum level
    conus = parts["spinal_cord"].landmarks["conus_medullaris"].position
    upper, lower = mm.CONUS_LEVEL.split("_")
    l1, l2 = ctx.layout.vertebrae[upper], ctx.layout.vertebrae[lower]
    assert l2.origin[2] < conus[2] < l1.origin[2]


def test_cord_is_widest_at_the_cervical_enlargement(built):
    ctx, parts = built
    cord = parts["spinal_cord"].mesh

    def width_at(level):
        f = ctx.layout.vertebrae[level]
        local = f.to_local(cord.vertices)
        near = local[np.abs(local[:, 2]) < 2.0]
        return np.ptp(near[:, 0])

    assert width_at("C5") > width_at("T6") + 3.0
    assert width_at("T11") > width_at("T6")


def test_cord_and_roots_do_not_touch_bone(built, bone_solids):
    _, parts = built
    for p in parts.values():
        if p.kind not in ("cord", "nerve_root"):
            continue
        nerve = solid(p.mesh)
        for name, bone in bone_solids.items():
            overlap = (nerve ^ bone).volume()
            assert overlap < 0.5, f"{p.acronym} enters {name} by {overlap:.2f} mm^3"


@pytest.mark.parametrize("root", list(FORAMEN_PAIRS))
def test_root_passes_its_intervertebral_foramen(built, root):
    ctx, parts = built
    upper, lower = FORAMEN_PAIRS[root]
    top = ctx.layout.vertebrae[upper]
    below = ctx.layout.s1.origin if lower == "sacrum" else ctx.layout.vertebrae[lower].origin
    for side, sign in SIDES:
        foramen = parts[upper].landmarks[f"{upper}_foramen_{side}"].position
        # The foramen lies between the two bones along the spine ...
        assert top.to_local(below)[2] < top.to_local(foramen)[2] < 0.0
        # ... and the root runs through it and leaves laterally.
        mesh = parts[f"root_{root}_{side}"].mesh
        assert mesh.contains([foramen])[0], f"root_{root}_{side} misses {upper}_foramen_{side}"
        exit_ = parts[f"root_{root}_{side}"].landmarks[f"root_{root}_{side}_exit"].position
        assert sign * top.to_local(exit_)[0] > sign * top.to_local(foramen)[0]


def test_c1_root_leaves_above_the_atlas(built):
    ctx, parts = built
    c1 = ctx.layout.vertebrae["C1"]
    arch = c1.to_local(parts["C1"].landmarks["C1_lamina_left"].position)
    for side, _ in SIDES:
        exit_ = c1.to_local(parts[f"root_C1_{side}"].landmarks[f"root_C1_{side}_exit"].position)
        assert exit_[2] > arch[2]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_sacral_roots_use_the_sacral_foramina(built, k):
    _, parts = built
    sac = parts["sacrum"].landmarks
    for side, _sign in SIDES:
        root = parts[f"root_S{k}_{side}"]
        dorsal = sac[f"sacral_foramen_S{k}_{side}"].position
        exit_ = root.landmarks[f"root_S{k}_{side}_exit"].position
        # The ventral ramus leaves through the pelvic opening, in front of the dorsal foramen.
        assert exit_[1] < dorsal[1] - 20.0
        assert abs(exit_[2] - dorsal[2]) < 25.0
        _, dist, _ = trimesh.proximity.closest_point(root.mesh, [dorsal])
        assert dist[0] < 25.0


def test_sacral_exits_descend_in_order(built):
    _, parts = built
    z = [parts[f"root_{r}_left"].landmarks[f"root_{r}_left_exit"].position[2]
         for r in ("S1", "S2", "S3", "S4")]
    assert all(a > b for a, b in zip(z, z[1:]))


@pytest.mark.parametrize("root", ["S5", "Co1"])
def test_lowest_roots_leave_through_the_hiatus(built, root):
    _, parts = built
    hiatus = parts["sacrum"].landmarks["sacral_hiatus"].position
    for side, _ in SIDES:
        exit_ = parts[f"root_{root}_{side}"].landmarks[f"root_{root}_{side}_exit"].position
        assert np.linalg.norm(exit_ - hiatus) < 15.0


@pytest.mark.parametrize("root", ["L3", "L5", "S2"])
def test_cauda_equina_descends_inside_the_canal(built, root):
    """Low roots leave the cord near the conus, well above their exit."""
    ctx, parts = built
    mesh = parts[f"root_{root}_left"].mesh
    exit_ = parts[f"root_{root}_left"].landmarks[f"root_{root}_left_exit"].position
    assert mesh.vertices[:, 2].max() > exit_[2] + 40.0
    assert mesh.vertices[:, 2].max() > ctx.layout.vertebrae["L2"].origin[2]


@pytest.mark.parametrize("root", ROOTS)
def test_roots_are_mirror_pairs(built, root):
    _, parts = built
    left = parts[f"root_{root}_left"].mesh
    right = parts[f"root_{root}_right"].mesh
    mirrored = right.vertices * np.array([-1.0, 1.0, 1.0])
    _, dist, _ = trimesh.proximity.closest_point(left, mirrored[::5])
    assert dist.max() < 0.3
