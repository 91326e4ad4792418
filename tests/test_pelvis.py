"""The hip bones: identity and geometric invariants of real anatomy.

Expected values are anatomy facts (Gray's Anatomy; the FMA's ids), never the generators' output:
the acetabulum is a socket that closes round the head's centre; the bone has one hole, the
obturator foramen.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viewer.anatomy import girdles
from viewer.anatomy.thorax import JOINT_GAP

from conftest import solid

STATURE = 1750.0


@pytest.fixture(scope="module")
def built(body):
    ctx = body.context
    return ctx, ctx.parts_of("viewer.anatomy.girdles")



def first_hit(mesh: trimesh.Trimesh, origin, direction) -> float:
    """Distance from ``origin`` along ``direction`` to the first bone surface (inf if none)."""
    locs, _, _ = mesh.ray.intersects_location([origin], [direction])
    if len(locs) == 0:
        return float("inf")
    return float(np.min(np.linalg.norm(locs - origin, axis=1)))


def test_hip_bones_carry_their_sided_fma_ids(built):
    """FMA: 16587 left hip bone, 16586 right hip bone (16585 is the unsided class)."""
    _, parts = built
    assert parts["hip_bone_left"].fma_id == 16587
    assert parts["hip_bone_right"].fma_id == 16586


def test_acetabulum_is_a_socket_round_the_head_centre(built):
    """Seen from the hip joint centre, bone closes round it (rays back along the acetabular axis
    and across it meet bone a head radius away) and opens along the axis."""
    _, parts = built
    hip = parts["hip_bone_left"].mesh
    pp = girdles.pelvis_plan(STATURE)
    hc, ax = pp.hip_centre, pp.acetabulum_axis
    r = girdles.FEMORAL_HEAD_RADIUS
    assert first_hit(hip, hc, ax) > 2 * r
    up = np.array([0.0, 0.0, 1.0]) - ax * ax[2]
    up /= np.linalg.norm(up)
    side = np.cross(ax, up)
    hits = [first_hit(hip, hc, d / np.linalg.norm(d)) for d in (-ax, up, side, -side)]
    assert all(r < h < r + JOINT_GAP + 12.0 for h in hits), hits
    for d in (up, side, -side):
        tilt = d + 0.15 * ax
        assert first_hit(hip, hc, tilt / np.linalg.norm(tilt)) < r + JOINT_GAP + 12.0


def test_hip_bone_has_one_obturator_foramen(built):
    """One hole through the bone (the obturator foramen); the socket is not a hole."""
    _, parts = built
    assert solid(parts["hip_bone_left"].mesh).genus() == 1
