"""The MakeHuman-based skin model (viewer/anatomy/skin_model.py) on the committed skeleton."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.anatomy import body_plan, skin_model as sm

ROOT = Path(__file__).resolve().parents[1]
LEVELS = ["C7"] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)]


@pytest.fixture(scope="module")
def marks():
    data = json.loads((ROOT / "assets" / "atlas" / "landmarks.json").read_text())
    return {k: np.array(v["position"], float) for k, v in data.items()}


@pytest.fixture(scope="module")
def hips():
    return {s: body_plan.hip_joint_centre(s) for s in ("left", "right")}


@pytest.fixture(scope="module")
def fitted_mesh(marks, hips):
    spinous = {n: marks[f"{n}_spinous_tip"] for n in LEVELS}
    verts = sm.symmetric(sm.fitted(marks, hips, spinous))
    return trimesh.Trimesh(verts, sm.base().faces, process=False)


def test_vendored_base_is_one_closed_mirror_symmetric_surface():
    b = sm.base()
    mesh = trimesh.Trimesh(b.vertices, b.faces, process=False)
    assert mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0
    assert len(mesh.split(only_watertight=False)) == 1
    twin = b.mirror
    assert np.array_equal(twin[twin], np.arange(len(twin)))  # an involution
    gap = np.abs(b.vertices[twin] * [-1, 1, 1] - b.vertices).max()
    assert gap < 1.0, f"the base mesh is {gap:.2f} mm from its mirror image"


def test_each_hand_has_five_separate_finger_tips_and_each_foot_five_toes():
    """Five tips per hand and foot, each the end of its own digit and apart from the others."""
    b = sm.base()
    for side in ("L", "R"):
        for digits in (sm.FINGERS, sm.TOES):
            tips = b.vertices[sm.digit_tips(b.vertices, b.joints, side, digits)]
            gaps = np.linalg.norm(tips[:, None] - tips[None], axis=2)[np.triu_indices(5, 1)]
            assert gaps.min() > 8.0, f"two tips {gaps.min():.1f} mm apart on side {side}"


def test_posed_limbs_follow_the_skeleton(marks, hips):
    """Each limb segment points along the skeleton's and has its length (joint to joint; the hand
    to the middle finger's tip, the foot to the second toe's)."""
    _, joints = sm.posed(marks, hips)
    targets = sm._targets(marks, hips)
    for limb, names in (("arm", sm.ARM), ("leg", sm.LEG)):
        for side in ("L", "R"):
            t = targets[f"{limb}_{side}"]
            j = {k: joints[sm._side(names[k], side)] for k in ("root", "mid", "end", "tip")}
            for a, c in (("root", "mid"), ("mid", "end"), ("end", "tip")):
                assert np.allclose(j[c] - j[a], t[c] - t[a], atol=1.0), (limb, side, a, c)


def test_palms_face_forward_with_the_thumb_lateral(marks, hips):
    verts, joints = sm.posed(marks, hips)
    for side, sign in (("L", 1.0), ("R", -1.0)):
        j = lambda n, side=side: joints[sm._side(n, side)]  # noqa: E731
        across = j("l-finger-2-1") - j("l-finger-5-1")  # little finger -> index: lateral
        assert sign * across[0] > 0.8 * np.linalg.norm(across)
        thumb = j("l-finger-1-4") - j("l-finger-5-1")
        assert sign * thumb[0] > 0


def test_fitted_skin_is_closed_one_piece_and_its_own_mirror_image(fitted_mesh):
    from scipy.spatial import cKDTree

    assert fitted_mesh.is_watertight and fitted_mesh.volume > 0
    assert len(fitted_mesh.split(only_watertight=False)) == 1
    mirrored = fitted_mesh.vertices * np.array([-1.0, 1.0, 1.0])
    gap, _ = cKDTree(fitted_mesh.vertices).query(mirrored)
    assert gap.max() < 0.01


def test_soft_tissue_over_the_spinous_processes_is_a_lean_adults(fitted_mesh, marks):
    """About 5-20 mm of skin and fat behind each spinous tip, C7 to L5."""
    for level in LEVELS:
        tip = marks[f"{level}_spinous_tip"]
        locs, _, _ = fitted_mesh.ray.intersects_location([tip], [[0.0, 1.0, 0.0]])
        behind = [p[1] - tip[1] for p in locs if p[1] > tip[1]]
        assert behind and 5.0 <= min(behind) <= 20.0, level


def test_fitted_skin_reaches_the_skeletons_crown_and_feet(fitted_mesh, marks):
    top = fitted_mesh.vertices[:, 2].max()
    assert abs(top - marks["vertex"][2]) < 5.0
    assert fitted_mesh.vertices[:, 2].min() < 30.0


def test_blend_bulges_over_a_structure_through_the_skin_and_keeps_the_skin_elsewhere():
    """A ball of skin with a block poking 12 mm out of its top: the blended skin is closed, its
    own mirror image, covers the block by about the margin, and away from the block stays on the
    ball."""
    import pyvista as pv
    from scipy.spatial import cKDTree

    ball = trimesh.creation.icosphere(subdivisions=4, radius=60.0)
    ball.apply_translation([0.0, 0.0, 100.0])
    block = trimesh.creation.box(extents=[20.0, 20.0, 40.0])
    block.apply_translation([0.0, 0.0, 100.0 + 60.0 - 8.0])  # top 12 mm above the ball
    skin = sm.blended(np.asarray(ball.vertices), np.asarray(ball.faces),
                      [(np.asarray(block.vertices), np.asarray(block.faces))], target_faces=8000)
    assert skin.is_watertight and skin.is_winding_consistent and skin.volume > ball.volume
    assert len(skin.split(only_watertight=False)) == 1
    gap, _ = cKDTree(skin.vertices).query(skin.vertices * np.array([-1.0, 1.0, 1.0]))
    assert gap.max() < 0.01
    surface = pv.PolyData(np.asarray(skin.vertices, float),
                          np.hstack([np.full((len(skin.faces), 1), 3), skin.faces]).ravel())
    corners = pv.PolyData(np.asarray(block.vertices, float))
    cover = -corners.compute_implicit_distance(surface)["implicit_distance"]
    assert cover.min() > sm.MARGIN - 1.0, cover.min()  # every corner covered by about the margin
    top = skin.vertices[:, 2].max()
    assert 100.0 + 60.0 + 12.0 + sm.MARGIN - 1.5 < top < 100.0 + 60.0 + 12.0 + sm.MARGIN + 3.0
    # skin far from the block (the lower half of the ball) lies on the ball
    low = skin.vertices[skin.vertices[:, 2] < 80.0]
    r = np.linalg.norm(low - [0.0, 0.0, 100.0], axis=1)
    assert np.abs(r - 60.0).max() < 1.0, np.abs(r - 60.0).max()
