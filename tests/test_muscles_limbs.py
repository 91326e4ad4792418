"""Hip and limb muscles: present on both sides, attached on bone, clear of bone, mirrored, layered.

The muscles are built once per module on the real bones (spine, girdles, limbs generators).
"""

from __future__ import annotations

import re

import manifold3d as mf
import numpy as np
import pytest
import trimesh
from scipy.spatial import cKDTree

from viewer.anatomy import muscles_limbs
from viewer.anatomy.muscles_limbs import MUSCLE_IDS, SPECS
from viewer.anatomy.shapes import Manifold

BONE_GENERATORS = tuple(f"viewer.anatomy.{name}" for name in ("spine", "girdles", "limbs"))
SIDES = ("left", "right")
CASES = [(muscle, side) for muscle in MUSCLE_IDS for side in SIDES]


@pytest.fixture(scope="module")
def built(body):
    """(bones by acronym, muscle parts by acronym) of the real bone and limb-muscle generators."""
    bones = {k: p for k, p in body.context.parts_of(*BONE_GENERATORS).items() if p.kind == "bone"}
    return bones, body.context.parts_of("viewer.anatomy.muscles_limbs")


def _solid(mesh: trimesh.Trimesh) -> Manifold:
    return Manifold(mf.Mesh(vert_properties=np.asarray(mesh.vertices, np.float32),
                            tri_verts=np.asarray(mesh.faces, np.uint32)))


def _bone_of(method: str) -> str:
    match = re.match(r"on (\S+):", method)
    assert match, f"attachment method {method!r} does not name its bone"
    return match.group(1)


def test_every_muscle_on_both_sides(built):
    _, muscles = built
    expected = {f"{m}_{s}" for m in MUSCLE_IDS for s in SIDES}
    assert set(muscles) == expected
    assert len(MUSCLE_IDS) == 36


def test_the_table_covers_the_hip_arm_and_leg_ids():
    from viewer.anatomy.registry import MUSCLES

    ours = set(MUSCLE_IDS)
    first, last = MUSCLES.index("psoas_major"), MUSCLES.index("tibialis_posterior")
    assert ours == set(MUSCLES[first:last + 1])


@pytest.mark.parametrize("muscle,side", CASES)
def test_mesh_is_watertight_and_within_budget(built, muscle, side):
    part = built[1][f"{muscle}_{side}"]
    assert part.kind == "muscle" and part.side == side
    assert part.mesh.is_watertight, f"{part.acronym} is not closed"
    assert part.mesh.volume > 5_000, f"{part.acronym} volume {part.mesh.volume:.0f} mm^3"
    budget = next(s.budget for s in SPECS if s.muscle == muscle)
    assert len(part.mesh.faces) <= budget, f"{part.acronym}: {len(part.mesh.faces)} triangles"
    assert re.fullmatch(r"#[0-9a-f]{6}", part.color)


@pytest.mark.parametrize("muscle,side", CASES)
def test_attachments_lie_on_their_bone_and_on_the_muscle(built, muscle, side):
    bones, muscles = built
    part = muscles[f"{muscle}_{side}"]
    names = list(part.landmarks)
    assert any("_origin_" in n for n in names)
    for name, lm in part.landmarks.items():
        assert re.fullmatch(rf"{muscle}_(origin|insertion)_\d+_{side}", name), name
        bone = _bone_of(lm.method)
        assert bone in bones, f"{name}: unknown bone {bone!r}"
        if bone.endswith(("_left", "_right")):
            assert bone.endswith(f"_{side}"), f"{name} names a bone of the other side: {bone}"
        _, dist, _ = trimesh.proximity.closest_point(bones[bone].mesh, [lm.position])
        assert dist[0] < 5.0, f"{name} lies {dist[0]:.1f} mm from {bone}"
        reach = -trimesh.proximity.signed_distance(part.mesh, [lm.position])[0]
        assert reach < 8.0, f"{part.acronym} ends {reach:.1f} mm short of {name}"


@pytest.mark.parametrize("muscle,side", CASES)
def test_muscle_does_not_enter_bone(built, muscle, side):
    bones, muscles = built
    part = muscles[f"{muscle}_{side}"]
    solid = _solid(part.mesh)
    lo, hi = part.mesh.bounds
    for name, bone in bones.items():
        blo, bhi = bone.mesh.bounds
        if np.any(blo > hi) or np.any(bhi < lo):
            continue
        overlap = (solid ^ _solid(bone.mesh)).volume()
        assert overlap < 1.0, f"{part.acronym} enters {name} by {overlap:.2f} mm^3"


@pytest.mark.parametrize("muscle", MUSCLE_IDS)
def test_left_and_right_are_mirror_images(built, muscle):
    _, muscles = built
    left = muscles[f"{muscle}_left"]
    right = muscles[f"{muscle}_right"]
    mirrored = right.mesh.vertices * np.array([-1.0, 1.0, 1.0])
    d, _ = cKDTree(mirrored).query(left.mesh.vertices)
    assert d.max() < 0.5
    d, _ = cKDTree(left.mesh.vertices).query(mirrored)
    assert d.max() < 0.5
    for name, lm in left.landmarks.items():
        twin = right.landmarks[name[: -len("_left")] + "_right"]
        assert np.allclose(twin.position, lm.position * np.array([-1.0, 1.0, 1.0]), atol=1e-6)


def _last_hits(mesh: trimesh.Trimesh, origins: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Distance along each ray to its farthest hit on ``mesh`` (nan where it misses)."""
    dirs = np.repeat(direction[None], len(origins), axis=0)
    locations, index_ray, _ = mesh.ray.intersects_location(origins, dirs, multiple_hits=True)
    out = np.full(len(origins), np.nan)
    if len(index_ray):
        dist = np.einsum("ij,ij->i", locations - origins[index_ray], dirs[index_ray])
        for ray, dd in zip(index_ray, dist):
            out[ray] = dd if np.isnan(out[ray]) else max(out[ray], dd)
    return out


@pytest.mark.parametrize("side", SIDES)
def test_gluteus_maximus_covers_gluteus_medius(built, side):
    bones, muscles = built
    medius = muscles[f"gluteus_medius_{side}"].mesh
    maximus = muscles[f"gluteus_maximus_{side}"].mesh
    lateral = 1.0 if side == "left" else -1.0
    direction = np.array([0.5 * lateral, 1.0, 0.0])
    direction /= np.linalg.norm(direction)
    # start inside the pelvis, in front of the medius, and look back and out through the buttock
    seeds = medius.vertices[:: max(1, len(medius.vertices) // 300)]
    origins = seeds - 60.0 * direction
    last_med = _last_hits(medius, origins, direction)
    last_max = _last_hits(maximus, origins, direction)
    both = ~np.isnan(last_med) & ~np.isnan(last_max)
    assert both.sum() >= 20, "gluteus maximus and medius hardly overlap"
    outside = last_max[both] > last_med[both]
    assert outside.mean() > 0.95, f"maximus is outermost on {outside.mean():.0%} of rays"


@pytest.mark.parametrize("deep,superficial", [
    ("vastus_intermedius", "rectus_femoris"), ("soleus", "gastrocnemius"),
    ("gluteus_minimus", "gluteus_medius"), ("gluteus_medius", "gluteus_maximus"),
    ("brachialis", "biceps_brachii"),
])
def test_layers_do_not_interpenetrate(built, deep, superficial):
    _, muscles = built
    a = _solid(muscles[f"{deep}_left"].mesh)
    b = _solid(muscles[f"{superficial}_left"].mesh)
    assert (a ^ b).volume() < 1.0


def test_missing_bone_is_named():
    from viewer.anatomy.build import BuildContext

    with pytest.raises(KeyError, match="T12|femur|hip_bone|sacrum"):
        muscles_limbs.build_parts(BuildContext())


GLUTEUS_MEDIUS_VOLUME_CM3 = 273.8 / 1.056
"""Gluteus medius: dissected mass 273.8 g (Ward et al. 2009, Clin Orthop Relat Res 467:1074) at a
muscle density of 1.056 g/cm^3."""


def test_gluteus_medius_has_the_volume_of_a_real_one(built):
    _, muscles = built
    volume = muscles["gluteus_medius_left"].mesh.volume / 1000.0
    assert 0.75 <= volume / GLUTEUS_MEDIUS_VOLUME_CM3 <= 1.33, f"{volume:.0f} cm^3"


def test_piriformis_runs_from_the_sacrum_to_the_trochanter_without_turning_back(built):
    """From the front of the sacrum outwards to the trochanter: its long axis runs mostly
    laterally (not vertically), and it is one smooth belly, never folded back on itself."""
    _, muscles = built
    mesh = muscles["piriformis_left"].mesh
    v = mesh.vertices - mesh.vertices.mean(axis=0)
    axis = np.linalg.svd(v, full_matrices=False)[2][0]
    assert abs(axis[0]) > 0.8, f"long axis {np.round(axis, 2)} is not lateral"
    # every slice across the long axis is one piece: x increases monotonically along the belly
    order = np.sort(mesh.vertices[:, 0])
    assert np.max(np.diff(order)) < 15.0, "the belly has a gap along its length"
