"""The sacrum, coccyx and hip bones: geometric invariants of real anatomy.

Expected values are anatomy facts (Gray's Anatomy; the FMA's ids), never the generators' output:
the acetabulum is a socket that covers the head's centre, its floor holds a fossa deeper than the
lunate surface and its rim a notch below; the sacrum has four pairs of dorsal and pelvic foramina,
a promontory overhanging the bone below it, crests on its dorsal surface; the coccyx meets the
sacral apex across a joint a few millimetres thick.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viewer.anatomy import body_plan, girdles, spine
from viewer.anatomy.thorax import JOINT_GAP

from conftest import solid

STATURE = 1750.0


@pytest.fixture(scope="module")
def built(body):
    ctx = body.context
    return ctx, ctx.parts_of("viewer.anatomy.spine", "viewer.anatomy.girdles")



def first_hit(mesh: trimesh.Trimesh, origin, direction) -> float:
    """Distance from ``origin`` along ``direction`` to the first bone surface (inf if none)."""
    locs, _, _ = mesh.ray.intersects_location([origin], [direction])
    if len(locs) == 0:
        return float("inf")
    return float(np.min(np.linalg.norm(locs - origin, axis=1)))


# --- hip bone ------------------------------------------------------------------------------------

def test_hip_bones_carry_their_sided_fma_ids(built):
    """FMA: 16587 left hip bone, 16586 right hip bone (16585 is the unsided class)."""
    _, parts = built
    assert parts["hip_bone_left"].fma_id == 16587
    assert parts["hip_bone_right"].fma_id == 16586


def test_acetabulum_is_a_socket_round_the_head_centre(built):
    """Seen from the hip joint centre, bone closes round it on the medial side (rays back along the
    acetabular axis and across it meet bone a head radius away) and opens along the axis: the
    socket covers the head's centre, it is not a ring standing on the surface."""
    _, parts = built
    hip = parts["hip_bone_left"].mesh
    pp = girdles.pelvis_plan(STATURE)
    hc, ax = pp.hip_centre, pp.acetabulum_axis
    r = girdles.FEMORAL_HEAD_RADIUS
    assert first_hit(hip, hc, ax) == float("inf") or first_hit(hip, hc, ax) > 2 * r
    up = np.array([0.0, 0.0, 1.0]) - ax * ax[2]
    up /= np.linalg.norm(up)
    side = np.cross(ax, up)
    hits = []
    for d in (-ax, up, side, -side):
        d = d / np.linalg.norm(d)
        hits.append(first_hit(hip, hc, d))
    # The roof, the medial floor and the anterior and posterior walls: all within a wall's reach.
    assert all(r < h < r + JOINT_GAP + 12.0 for h in hits), hits
    # The rim lies lateral of the head's centre: a ray just across the axis still meets bone.
    for d in (up, side, -side):
        tilt = d + 0.15 * ax
        assert first_hit(hip, hc, tilt / np.linalg.norm(tilt)) < r + JOINT_GAP + 12.0


def test_acetabular_fossa_is_deeper_than_the_lunate_surface(built):
    _, parts = built
    hip = parts["hip_bone_left"].mesh
    pp = girdles.pelvis_plan(STATURE)
    hc, ax = pp.hip_centre, pp.acetabulum_axis
    down = np.array([0.0, 0.0, -1.0]) + ax * ax[2]
    down /= np.linalg.norm(down)
    fossa_dir = -ax + 0.35 * down
    lunate_dir = -ax * 0.3 + (-down)  # the roof: the weight-bearing lunate surface
    fossa = first_hit(hip, hc, fossa_dir / np.linalg.norm(fossa_dir))
    lunate = first_hit(hip, hc, lunate_dir / np.linalg.norm(lunate_dir))
    assert fossa > lunate + 2.0


def test_hip_bone_has_one_obturator_foramen(built):
    """One hole through the bone (the obturator foramen); the socket is not a hole."""
    _, parts = built
    assert solid(parts["hip_bone_left"].mesh).genus() == 1


def test_ischial_tuberosity_is_the_lowest_part_of_the_hip_bone(built):
    _, parts = built
    v = np.asarray(parts["hip_bone_left"].mesh.vertices)
    tuber = parts["hip_bone_left"].landmarks["ischial_tuberosity_left"].position
    hc = girdles.pelvis_plan(STATURE).hip_centre
    assert tuber[2] <= v[:, 2].min() + 3.0
    assert tuber[1] > hc[1]  # behind the hip joint
    assert 40.0 <= hc[2] - tuber[2] <= 80.0


# --- sacrum and coccyx ---------------------------------------------------------------------------

def test_coccyx_is_joined_to_the_sacrum(built):
    """The sacrococcygeal joint: a fibrocartilage a millimetre or two thick, bones not touching."""
    _, parts = built
    a, b = solid(parts["sacrum"].mesh), solid(parts["coccyx"].mesh)
    assert (a ^ b).volume() < 1.0
    assert 0.5 <= a.min_gap(b, 20.0) <= 2.5


def test_four_pairs_of_sacral_foramina_dorsal_and_pelvic(built):
    """Each foramen's axis, from outside the dorsal surface and from outside the pelvic surface to
    the canal side, meets no bone: eight dorsal and eight pelvic openings."""
    ctx, parts = built
    sacrum = solid(parts["sacrum"].mesh)
    g = spine.sacral_geometry(ctx.layout)
    assert len(g.foramina) == 4
    for f in g.foramina:
        for sign in (1.0, -1.0):
            flip = np.array([sign, 1.0, 1.0])
            assert not sacrum.ray_cast((f["dorsal"] * flip).tolist(), (f["channel"] * flip).tolist())
            assert not sacrum.ray_cast((f["pelvic"] * flip).tolist(),
                                       (f["pelvic_opening"] * flip).tolist())


def test_promontory_overhangs_the_pelvic_surface(built):
    """The front of the S1 body juts forward of the pelvic surface of S2-S3 below it (the sacral
    promontory), measured square to the S1 end plate."""
    ctx, parts = built
    s1 = ctx.layout.s1
    local = s1.to_local(np.asarray(parts["sacrum"].mesh.vertices))
    mid = np.abs(local[:, 0]) < 8.0
    top = mid & (local[:, 2] > -15.0)
    lower = mid & (local[:, 2] < -35.0) & (local[:, 2] > -60.0)
    assert local[top, 1].min() < local[lower, 1].min() - 5.0


def test_sacral_crests_stand_on_the_dorsal_surface(built):
    """Median crest on the midline; intermediate crests medial and lateral crests lateral of the
    dorsal foramina (Gray's Anatomy)."""
    ctx, _ = built
    pieces, _ = spine.build_pieces(ctx.layout)
    sac = pieces["sacrum"]
    g = spine.sacral_geometry(ctx.layout)
    xs = [f[1] for f in spine._SACRAL_FORAMINA]
    inter = sac.frame.to_local(spine.vertices_of(sac.sub["intermediate_crest_left"]))
    lateral = sac.frame.to_local(spine.vertices_of(sac.sub["lateral_crest_left"]))
    assert 0.0 < np.median(inter[:, 0]) < min(xs)
    assert np.median(lateral[:, 0]) > max(xs)
    assert len(g.foramina) == 4


def test_sacrum_tilts_apex_backwards(built):
    """Standing, the sacral apex lies behind the promontory (the sacrum is tilted forward at its
    base: sacral slope about 40 degrees)."""
    _, parts = built
    lms = parts["sacrum"].landmarks
    apex = lms["sacrum_apex"].position
    v = np.asarray(parts["sacrum"].mesh.vertices)
    s1 = body_plan.spine_layout(STATURE).s1
    local = s1.to_local(v)
    s1_front = (np.abs(local[:, 0]) < 8.0) & (local[:, 2] > -15.0)  # the S1 body's front, midline
    promontory = v[s1_front][np.argmin(local[s1_front, 1])]
    assert apex[1] > promontory[1] + 20.0
    assert apex[2] < promontory[2] - 60.0
