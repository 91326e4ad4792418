"""Multifidus groups C2-L5: present on both sides, spanning 2-5 levels, clear of bone, mirrored."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viewer.anatomy import registry
from viewer.anatomy.multifidus import ORDER

LEVELS = registry.MULTIFIDUS_LEVELS
SIDES = registry.SIDES
GENERATORS = tuple(f"viewer.anatomy.{g}" for g in ("spine", "thorax", "girdles", "multifidus"))


@pytest.fixture(scope="module")
def ctx(body):
    return body.context


@pytest.fixture(scope="module")
def groups(ctx) -> dict[str, object]:
    return {p.acronym: p for p in ctx.parts_of(*GENERATORS).values() if p.parent == "multifidus"}


def _level_of(ctx, point: np.ndarray) -> str:
    """The level whose body-centre plane (or sacral foramen plane) lies nearest to ``point``."""
    layout = ctx.layout
    best, best_d = None, np.inf
    for level in LEVELS:
        frame = layout.vertebrae[level]
        d = abs(float(np.dot(point - frame.origin, frame.axes[2])))
        if d < best_d:
            best, best_d = level, d
    axis = layout.s1.axes[2]
    for k in range(1, 5):
        c = ctx.landmark(f"sacral_foramen_S{k}_left") * np.array([0.0, 1.0, 1.0])
        d = abs(float(np.dot(point - c, axis)))
        if d < best_d:
            best, best_d = f"S{k}", d
    return best


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("side", SIDES)
def test_group_exists(groups, level, side):
    part = groups[f"multifidus_{level}_{side}"]
    assert part.kind == "muscle" and part.level == level and part.side == side
    assert part.mesh.is_watertight and part.mesh.is_winding_consistent
    assert len(part.mesh.faces) <= 1500


@pytest.mark.parametrize("level", LEVELS)
def test_group_spans_two_to_five_levels(ctx, groups, level):
    lms = groups[f"multifidus_{level}_left"].landmarks
    insertions = [lm.position for name, lm in lms.items() if "_insertion_" in name]
    assert 3 <= len(insertions) <= 4
    reached = max(ORDER.index(_level_of(ctx, p)) for p in insertions)
    span = reached - ORDER.index(level)
    assert 2 <= span <= 5, f"lowest insertion of {level} at {ORDER[reached]} ({span} levels)"


@pytest.mark.parametrize("level", LEVELS)
def test_origin_on_its_spinous_process(ctx, groups, level):
    origin = groups[f"multifidus_{level}_left"].landmarks[f"multifidus_{level}_left_origin"]
    bone = ctx.part(level).mesh
    _, dist, _ = trimesh.proximity.closest_point(bone, origin.position[None])
    assert dist[0] < 5.0
    tip = ctx.landmark(f"{level}_spinous_tip")
    assert np.linalg.norm(origin.position - tip) < 40.0


@pytest.mark.parametrize("level", LEVELS)
def test_group_reaches_its_insertions(groups, level):
    part = groups[f"multifidus_{level}_left"]
    points = np.array([lm.position for name, lm in part.landmarks.items() if "_insertion_" in name])
    _, dist, _ = trimesh.proximity.closest_point(part.mesh, points)
    assert dist.max() < 6.0, dist


@pytest.mark.parametrize("level", LEVELS)
def test_no_bone_intersection(ctx, groups, level):
    mesh = groups[f"multifidus_{level}_left"].mesh
    lo, hi = mesh.bounds
    bones = [p.mesh for p in ctx.parts if p.kind == "bone"
             and np.all(p.mesh.bounds[0] <= hi) and np.all(p.mesh.bounds[1] >= lo)]
    for bone in bones:
        depth = trimesh.proximity.signed_distance(bone, mesh.vertices)
        assert depth.max() < 0.5, f"{level} enters a bone by {depth.max():.1f} mm"


@pytest.mark.parametrize("level", LEVELS)
def test_left_right_mirror(groups, level):
    left = groups[f"multifidus_{level}_left"].mesh
    right = groups[f"multifidus_{level}_right"].mesh
    assert np.allclose(left.vertices * [-1, 1, 1], right.vertices)
    l_lm = groups[f"multifidus_{level}_left"].landmarks
    r_lm = groups[f"multifidus_{level}_right"].landmarks
    for name, lm in l_lm.items():
        assert np.allclose(lm.position * [-1, 1, 1], r_lm[name.replace("_left", "_right")].position)


@pytest.mark.parametrize("level", LEVELS)
def test_stays_in_the_groove(ctx, groups, level):
    mesh = groups[f"multifidus_{level}_left"].mesh
    assert np.abs(mesh.vertices[:, 0]).max() <= 35.0
    # Posterior to the vertebral bodies: every vertex lies behind the back of the bodies near it.
    layout = ctx.layout
    for v in mesh.vertices[::5]:
        frame = min(layout.vertebrae.values(),
                    key=lambda f: abs(float(np.dot(v - f.origin, f.axes[2]))))
        local = frame.to_local(v)
        if abs(local[2]) < 40:
            assert local[1] > 8.0, f"{level} vertex {v} lies beside or in front of a body"


@pytest.mark.parametrize("level", [f"T{i}" for i in range(5, 11)])
def test_thoracic_multifidus_lies_in_the_groove_in_front_of_the_tips(ctx, groups, level):
    """The thoracic groups run beside the narrow spinous blades on the groove floor, covered by
    the semispinalis and spinalis: at the height of each lamina no group reaches back past the
    spinous tip (riding over the blades put their backs 4-8 mm behind the T5-T10 tips)."""
    tip = ctx.landmark(f"{level}_spinous_tip")
    lamina = ctx.landmark(f"{level}_lamina_left")
    backs = []
    for name, part in groups.items():
        if not name.endswith("_left"):
            continue
        v = part.mesh.vertices
        near = v[(np.abs(v[:, 2] - lamina[2]) < 3.0) & (v[:, 0] < 20.0)]
        if len(near):
            backs.append(near[:, 1].max())
    assert backs, f"no multifidus at the height of the {level} lamina"
    assert max(backs) < tip[1], f"{level}: multifidus {max(backs) - tip[1]:.1f} mm behind the tip"


def test_adjacent_groups_hardly_overlap(groups):
    for upper, lower in zip(LEVELS, LEVELS[1:]):
        a, b = groups[f"multifidus_{upper}_left"].mesh, groups[f"multifidus_{lower}_left"].mesh
        inside = trimesh.proximity.signed_distance(a, b.vertices)
        # They may touch, and share a little room where their tendons meet on one process.
        assert np.mean(inside > 1.0) < 0.05, f"{lower} enters {upper} at {np.mean(inside > 1):.1%}"
        assert inside.max() < 4.0, f"{lower} enters {upper} by {inside.max():.1f} mm"


def test_adjacent_levels_have_different_colours(groups):
    colours = [groups[f"multifidus_{lv}_left"].color for lv in LEVELS]
    assert all(a != b for a, b in zip(colours, colours[1:]))
