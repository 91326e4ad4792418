"""The skull, thoracic cage, girdles and limbs: measurable anatomical invariants.

Expected values are anatomy facts (levels, published proportions), never the generators' output:
the scapula's inferior angle at the T7 spinous level, the iliac crest top at L4, the heads seated
in their sockets, joint heights from Winter's proportions, and so on. The spine generator is built
too when it exists, to check the ribs, sacrum and skull against it.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from viewer.anatomy import body_plan
from viewer.anatomy import morphometry as mm

from conftest import solid

MINE = ("viewer.anatomy.skull", "viewer.anatomy.thorax", "viewer.anatomy.girdles",
        "viewer.anatomy.limbs")
HAS_SPINE = importlib.util.find_spec("viewer.anatomy.spine") is not None
SPINE_SKIP = "viewer/anatomy/spine.py is not written yet: no vertebrae or sacrum to test against"

PAIRED = [f"rib_{n}" for n in range(1, 13)] + [f"costal_cartilage_{n}" for n in range(1, 11)] + [
    "clavicle", "scapula", "hip_bone", "humerus", "radius", "ulna", "hand", "femur", "patella",
    "tibia", "fibula", "foot"]
SINGLE = ["skull", "mandible", "hyoid", "sternum"]
STATURE = 1750.0
P = mm.BodyProportions(stature=STATURE)


@pytest.fixture(scope="module")
def built(body):
    """Parts and landmarks of the four appendicular generators (and the spine's)."""
    gens = (("viewer.anatomy.spine",) if HAS_SPINE else ()) + MINE
    parts = body.context.parts_of(*gens)
    marks = {name: lm for p in parts.values() for name, lm in p.landmarks.items()}
    return parts, marks



def fit_sphere(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares sphere through ``points`` (n, 3): centre and radius."""
    a = np.column_stack([2 * points, np.ones(len(points))])
    b = (points ** 2).sum(axis=1)
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    c = sol[:3]
    return c, float(np.sqrt(sol[3] + c @ c))


def spinous_z(marks, level: str) -> float:
    """Height of a spinous tip: the spine's landmark, or the same morphometric construction."""
    if f"{level}_spinous_tip" in marks:
        return float(marks[f"{level}_spinous_tip"].position[2])
    from viewer.anatomy.girdles import spinous_tip_estimate

    return float(spinous_tip_estimate(level, STATURE)[2])


# --- presence, closure, symmetry -------------------------------------------------------------

@pytest.mark.parametrize("bone", PAIRED)
def test_paired_bone_present_on_both_sides(built, bone):
    parts, _ = built
    assert f"{bone}_left" in parts and f"{bone}_right" in parts


@pytest.mark.parametrize("bone", SINGLE)
def test_single_bone_present(built, bone):
    assert bone in built[0]


def _my_parts(parts):
    return {k: v for k, v in parts.items()
            if k in SINGLE or any(k == f"{b}_{s}" for b in PAIRED for s in ("left", "right"))}


def test_meshes_are_closed_and_consistently_wound(built):
    for name, part in _my_parts(built[0]).items():
        m = part.mesh
        assert m.is_watertight, name
        assert m.is_winding_consistent, name
        assert m.volume > 0, f"{name} faces inwards"


@pytest.mark.parametrize("bone", PAIRED)
def test_right_is_the_mirror_image_of_left(built, bone):
    parts = built[0]
    left, right = parts[f"{bone}_left"].mesh, parts[f"{bone}_right"].mesh
    np.testing.assert_allclose(right.vertices, left.vertices * [-1, 1, 1], atol=1e-9)
    assert abs(right.volume - left.volume) < 1e-6 * left.volume
    for name, lm in parts[f"{bone}_left"].landmarks.items():
        if not name.endswith("_left"):
            continue  # a midline landmark carried by the left part
        twin = parts[f"{bone}_right"].landmarks[name.replace("_left", "_right")]
        np.testing.assert_allclose(twin.position, lm.position * [-1, 1, 1], atol=1e-9)


def test_triangle_budget(built):
    # The skeleton's budget is 250,000 triangles; the spine and discs take about 80,000, so the
    # rest of the skeleton keeps under 125,000. Build time is measured in bench/bench_build.py.
    parts, _ = built
    total = sum(len(p.mesh.faces) for p in _my_parts(parts).values())
    assert total < 125_000


# --- thoracic cage -----------------------------------------------------------------------------

def _rib_head(mesh, level: str) -> np.ndarray:
    """Centre of the most medial 8 mm of the rib's posterior part (the head)."""
    v = np.asarray(mesh.vertices)
    v = v[v[:, 1] > body_plan.spine_layout(STATURE).vertebrae[level].origin[1] - 15.0]
    return v[v[:, 0] < v[:, 0].min() + 8.0].mean(axis=0)


def test_ribs_are_ordered_top_to_bottom(built):
    parts = built[0]
    heads = [_rib_head(parts[f"rib_{n}_left"].mesh, f"T{n}")[2] for n in range(1, 13)]
    assert all(a > b for a, b in zip(heads, heads[1:]))


@pytest.mark.parametrize("n", range(1, 13))
def test_rib_head_lies_at_its_vertebra_costal_region(built, n):
    """The head's medial surface is 1-6 mm from the side of its own vertebral body (published
    body width), within the body's height (ribs 2-9 reach up to the disc above)."""
    parts = built[0]
    level = f"T{n}"
    frame = body_plan.spine_layout(STATURE).vertebrae[level]
    dims = mm.VERTEBRAE[level]
    v = np.asarray(parts[f"rib_{n}_left"].mesh.vertices)
    v = v[v[:, 1] > frame.origin[1] - 15.0]  # the posterior part (not the sternal end)
    medial = frame.to_local(v[np.argmin(v[:, 0])])
    assert 0.5 <= medial[0] - dims.body_width / 2 <= 6.0
    assert abs(medial[2]) <= dims.body_height / 2 + 6.0
    assert -dims.body_depth / 2 <= medial[1] <= dims.body_depth / 2 + 6.0


def _gap(a, b, search=50.0) -> float:
    return solid(a).min_gap(solid(b), search)


def _overlap(a, b) -> float:
    return (solid(a) ^ solid(b)).volume()


@pytest.mark.parametrize("n", range(1, 11))
def test_each_cartilage_continues_its_rib(built, n):
    """The costal cartilage starts at the rib's front end (the costochondral joint, a gap of
    at most a few mm) and lies in front of the rib's head."""
    parts = built[0]
    rib, cart = parts[f"rib_{n}_left"].mesh, parts[f"costal_cartilage_{n}_left"].mesh
    assert _overlap(rib, cart) < 1.0
    assert _gap(rib, cart, 10.0) <= 1.0
    assert np.asarray(cart.vertices)[:, 1].mean() < np.asarray(rib.vertices)[:, 1].mean()


@pytest.mark.parametrize("n", range(1, 8))
def test_true_ribs_reach_the_sternum(built, n):
    parts = built[0]
    gap = _gap(parts[f"costal_cartilage_{n}_left"].mesh, parts["sternum"].mesh)
    assert 0.5 <= gap <= 4.0


@pytest.mark.parametrize("n", (8, 9, 10))
def test_false_ribs_join_the_cartilage_above(built, n):
    parts = built[0]
    cart = parts[f"costal_cartilage_{n}_left"].mesh
    gap = _gap(cart, parts[f"costal_cartilage_{n - 1}_left"].mesh)
    assert 0.5 <= gap <= 4.0
    assert _gap(cart, parts["sternum"].mesh) > 10.0
    assert _gap(parts[f"rib_{n}_left"].mesh, parts["sternum"].mesh) > 10.0


@pytest.mark.parametrize("n", (11, 12))
def test_floating_ribs_end_free(built, n):
    parts, marks = built
    end = marks[f"rib{n}_free_end_left"].position
    for other in ([f"rib_{k}_left" for k in range(1, 13) if k != n] + ["sternum"]
                  + [f"costal_cartilage_{k}_left" for k in range(1, 11)]):
        v = np.asarray(parts[other].mesh.vertices)
        assert np.linalg.norm(v - end, axis=1).min() > 8.0, other
    assert end[1] < 10.0, "the free end lies round the side of the trunk, not at the back"


def test_sternum_levels(built):
    """Notch at the T2-T3 disc, angle at T4-T5, xiphisternal joint near T9 (Gray's)."""
    marks = built[1]
    lay = body_plan.spine_layout(STATURE)

    def disc_z(a, b):
        return (lay.inferior_endplates[a].origin[2] + lay.superior_endplates[b].origin[2]) / 2

    assert abs(marks["suprasternal_notch"].position[2] - disc_z("T2", "T3")) < 12
    assert abs(marks["sternal_angle"].position[2] - disc_z("T4", "T5")) < 12
    assert lay.vertebrae["T10"].origin[2] < marks["xiphisternal_junction"].position[2] \
        < lay.vertebrae["T8"].origin[2] + 10


# --- shoulder ----------------------------------------------------------------------------------

def test_scapula_levels_and_medial_border(built):
    marks = built[1]
    inf = marks["scapula_inferior_angle_left"].position[2]
    root = marks["scapula_spine_root_left"].position[2]
    assert spinous_z(marks, "T8") <= inf <= spinous_z(marks, "T6")
    assert spinous_z(marks, "T4") <= root <= spinous_z(marks, "T2")
    assert 45.0 <= marks["scapula_medial_border_mid_left"].position[0] <= 70.0


def test_scapula_lies_over_ribs_2_to_7(built):
    marks = built[1]
    parts = built[0]
    sup = marks["scapula_superior_angle_left"].position[2]
    inf = marks["scapula_inferior_angle_left"].position[2]
    rib2 = _rib_head(parts["rib_2_left"].mesh, "T2")[2]
    rib8 = _rib_head(parts["rib_8_left"].mesh, "T8")[2]
    assert sup <= rib2 + 25 and inf >= rib8 - 25


def test_acromion_breadth(built):
    """Bony biacromial breadth is Winter's 395 mm."""
    marks = built[1]
    breadth = marks["acromion_left"].position[0] - marks["acromion_right"].position[0]
    assert abs(breadth - P.biacromial_breadth) < 0.03 * P.biacromial_breadth


def _seated(head_mesh, socket_mesh, seed: np.ndarray, radius: float):
    hv = np.asarray(head_mesh.vertices)
    head_pts = hv[np.linalg.norm(hv - seed, axis=1) < radius + 1.0]
    head_c, head_r = fit_sphere(head_pts[np.abs(np.linalg.norm(head_pts - seed, axis=1)
                                                 - radius) < 1.5])
    sv = np.asarray(socket_mesh.vertices)
    d = np.linalg.norm(sv - head_c, axis=1)
    socket_pts = sv[(d > head_r) & (d < head_r + 4.0)]
    sock_c, sock_r = fit_sphere(socket_pts)
    return head_c, head_r, sock_c, sock_r, len(socket_pts)


def test_humeral_head_is_seated_in_the_glenoid(built):
    parts, marks = built
    from viewer.anatomy.girdles import HUMERAL_HEAD_RADIUS

    glen = marks["glenoid_left"].position
    # Seed: the point a head radius lateral of the glenoid face.
    seed = glen + np.array([np.cos(np.radians(30)), -np.sin(np.radians(30)), 0]) * (
        HUMERAL_HEAD_RADIUS + 2)
    hc, hr, sc, sr, n = _seated(parts["humerus_left"].mesh, parts["scapula_left"].mesh, seed,
                                HUMERAL_HEAD_RADIUS)
    assert n > 20
    assert np.linalg.norm(hc - sc) < 5.0
    assert 20.0 < hr < 26.0
    assert 0.5 <= _gap(parts["humerus_left"].mesh, parts["scapula_left"].mesh) <= 3.5


def test_femoral_head_is_seated_in_the_acetabulum(built):
    parts = built[0]
    hip = body_plan.hip_joint_centre("left", STATURE)
    hc, hr, sc, sr, n = _seated(parts["femur_left"].mesh, parts["hip_bone_left"].mesh, hip, 24.0)
    assert n > 50
    assert np.linalg.norm(hc - sc) < 5.0
    assert np.linalg.norm(hc - hip) < 5.0
    assert 0.5 <= _gap(parts["femur_left"].mesh, parts["hip_bone_left"].mesh) <= 3.5


# --- pelvis -------------------------------------------------------------------------------------

def test_iliac_crest_top_between_L3_and_L5_spinous(built):
    marks = built[1]
    top = marks["iliac_crest_top_left"].position[2]
    assert spinous_z(marks, "L5") <= top <= spinous_z(marks, "L3")


def test_psis_near_S2(built):
    """PSIS at the S2 level: S2's dorsal surface one sacral segment (about 30 mm) below the S1
    end plate and about 45 mm behind the body axis, or the spine's S2 median crest."""
    marks = built[1]
    if "S2_median_crest" in marks:
        s2 = marks["S2_median_crest"].position
    else:
        s2 = body_plan.spine_layout(STATURE).s1.to_world(np.array([0.0, 45.0, -35.0]))
    psis = marks["psis_left"].position
    assert abs(psis[2] - s2[2]) < 25.0
    assert 30.0 <= psis[0] <= 60.0


def test_asis_and_symphysis_in_one_coronal_plane(built):
    marks = built[1]
    asis = marks["asis_left"].position
    sym = marks["pubic_symphysis_superior"].position
    assert abs(asis[1] - sym[1]) < 20.0
    assert 200.0 <= 2 * asis[0] <= 270.0  # inter-ASIS breadth


def test_auricular_surface_leaves_the_sacroiliac_gap(built):
    """The sacral auricular surfaces reach |X| = 55 mm around S1-S3: the ilium stays lateral."""
    parts = built[0]
    s1 = body_plan.spine_layout(STATURE).s1
    v = np.asarray(parts["hip_bone_left"].mesh.vertices)
    local = s1.to_local(v)
    near = (local[:, 2] < 5) & (local[:, 2] > -90) & (local[:, 1] > -25) & (local[:, 1] < 30)
    assert v[near, 0].min() >= 56.5  # 55 mm + a joint gap (less sphere facetting)


@pytest.mark.skipif(not HAS_SPINE, reason=SPINE_SKIP)
def test_hip_bones_clear_the_sacrum(built):
    parts = built[0]
    for side in ("left", "right"):
        assert _overlap(parts[f"hip_bone_{side}"].mesh, parts["sacrum"].mesh) < 1.0
        assert _gap(parts[f"hip_bone_{side}"].mesh, parts["sacrum"].mesh) >= 1.0


@pytest.mark.skipif(not HAS_SPINE, reason=SPINE_SKIP)
@pytest.mark.parametrize("n", range(1, 13))
def test_ribs_clear_the_vertebrae(built, n):
    parts = built[0]
    for level in {f"T{max(1, n - 1)}", f"T{n}", f"T{min(12, n + 1)}"}:
        assert _overlap(parts[f"rib_{n}_left"].mesh, parts[level].mesh) < 1.0, level


@pytest.mark.skipif(not HAS_SPINE, reason=SPINE_SKIP)
def test_skull_clears_the_atlas_and_axis(built):
    parts = built[0]
    for level in ("C1", "C2"):
        assert _overlap(parts["skull"].mesh, parts[level].mesh) < 1.0, level


# --- neighbours never intersect -----------------------------------------------------------------

NEIGHBOURS = (
    [(f"rib_{n}_left", f"rib_{n + 1}_left") for n in range(1, 12)]
    + [(f"rib_{n}_left", "sternum") for n in range(1, 13)]
    + [(f"costal_cartilage_{n}_left", f"costal_cartilage_{n + 1}_left") for n in range(1, 10)]
    + [(f"costal_cartilage_{n}_left", "sternum") for n in range(1, 11)]
    + [(f"costal_cartilage_{n}_left", f"rib_{n + 1}_left") for n in range(1, 11)]
    + [("clavicle_left", "sternum"), ("clavicle_left", "rib_1_left"), ("clavicle_left", "rib_2_left"),
       ("clavicle_left", "scapula_left"), ("humerus_left", "scapula_left"),
       ("humerus_left", "clavicle_left"), ("humerus_left", "radius_left"),
       ("humerus_left", "ulna_left"), ("radius_left", "ulna_left"), ("radius_left", "hand_left"),
       ("ulna_left", "hand_left"), ("hip_bone_left", "hip_bone_right"),
       ("femur_left", "hip_bone_left"), ("femur_left", "patella_left"),
       ("femur_left", "tibia_left"), ("tibia_left", "fibula_left"),
       ("femur_left", "fibula_left"), ("tibia_left", "foot_left"), ("fibula_left", "foot_left"),
       ("patella_left", "tibia_left"), ("skull", "mandible"), ("mandible", "hyoid"),
       ("rib_1_left", "rib_1_right"), ("hand_left", "femur_left"), ("hand_left", "hip_bone_left")]
    + [("scapula_left", f"rib_{n}_left") for n in range(1, 10)]
    + [("humerus_left", f"rib_{n}_left") for n in range(1, 6)]
)


@pytest.mark.parametrize("a,b", NEIGHBOURS)
def test_neighbouring_bones_do_not_intersect(built, a, b):
    parts = built[0]
    assert _overlap(parts[a].mesh, parts[b].mesh) < 1e-3
    assert _gap(parts[a].mesh, parts[b].mesh, 5.0) >= 0.5


# --- stature proportions (Winter 2009) ----------------------------------------------------------

def _joint_heights(built) -> dict[str, float]:
    parts, marks = built
    z = lambda name: np.asarray(parts[name].mesh.vertices)[:, 2]  # noqa: E731
    hum = np.asarray(parts["humerus_left"].mesh.vertices)
    capitulum_low = hum[hum[:, 0] > marks["lateral_epicondyle_left"].position[0] - 30][:, 2].min()
    fem = np.asarray(parts["femur_left"].mesh.vertices)
    hip = body_plan.hip_joint_centre("left", STATURE)
    return {
        "acromion": float(marks["acromion_left"].position[2]),
        "elbow": float((capitulum_low + z("radius_left").max()) / 2),
        "wrist": float((z("hand_left").max() + z("radius_left")[z("radius_left") > z("hand_left").max()].min()) / 2),
        "fingertip": float(marks["finger_tip_3_left"].position[2]),
        "greater_trochanter": float(fem[fem[:, 0] > hip[0] + 40][:, 2].max()),
        "knee": float((z("femur_left").min() + z("tibia_left").max()) / 2),
        "ankle": float(marks["lateral_malleolus_left"].position[2]),
    }


@pytest.mark.parametrize("joint", ["elbow", "wrist", "fingertip", "greater_trochanter", "knee",
                                   "ankle", "acromion"])
def test_joint_heights_follow_the_stature_proportions(built, joint):
    heights = _joint_heights(built)
    expected = P.height_of(joint)
    assert abs(heights[joint] - expected) <= 0.03 * expected


@pytest.mark.parametrize("upper,lower", [("acromion", "elbow"), ("elbow", "wrist"),
                                         ("wrist", "fingertip"), ("greater_trochanter", "knee"),
                                         ("knee", "ankle")])
def test_limb_segment_lengths_follow_the_stature_proportions(built, upper, lower):
    h = _joint_heights(built)
    expected = P.height_of(upper) - P.height_of(lower)
    assert abs((h[upper] - h[lower]) - expected) <= 0.03 * expected


def test_feet_stand_on_the_floor(built):
    parts, marks = built
    low = np.asarray(parts["foot_left"].mesh.vertices)[:, 2].min()
    assert 5.0 <= low <= 20.0  # plantar soft tissue below the bones
    assert marks["sole_center_left"].position[2] == pytest.approx(0.0)
    length = marks["heel_left"].position[1] - min(marks[f"toe_tip_{n}_left"].position[1]
                                                  for n in range(1, 6))
    assert abs(length - P.foot_length * STATURE) <= 0.05 * P.foot_length * STATURE


def test_palms_face_forward(built):
    """Anatomical position: thumb lateral, radius lateral of the ulna, palm (pisiform) in front."""
    marks = built[1]
    assert marks["radial_styloid_left"].position[0] > marks["ulnar_styloid_left"].position[0]
    assert marks["finger_tip_1_left"].position[0] > marks["finger_tip_5_left"].position[0]
    assert marks["wrist_crease_palmar_mid_left"].position[1] < marks["wrist_crease_dorsal_mid_left"].position[1]


# --- landmarks ---------------------------------------------------------------------------------

SIDED = (
    ["mastoid_process", "frontal_hairline_corner", "pupil", "inner_canthus", "outer_canthus",
     "infraorbital_margin", "ala_nasi", "mouth_corner", "tragus", "ear_apex", "ear_lobe",
     "mandible_angle", "zygomatic_arch_mid", "temporal_fossa",
     "nipple", "clavicle_midpoint", "sternoclavicular_joint", "acromioclavicular_joint",
     "coracoid_process", "rib11_free_end", "rib12_free_end", "costal_margin_mid", "axilla_apex",
     "inguinal_midpoint", "femoral_pulse",
     "scapula_spine_root", "scapula_spine_mid", "scapula_inferior_angle", "scapula_superior_angle",
     "scapula_medial_border_mid", "supraspinous_fossa_center", "infraspinous_fossa_center",
     "acromion", "acromion_angle", "glenoid", "axillary_fold_posterior", "axillary_fold_anterior",
     "humerus_head", "greater_tubercle", "deltoid_tuberosity", "lateral_epicondyle",
     "medial_epicondyle", "olecranon", "cubital_crease_lateral", "cubital_crease_medial",
     "biceps_tendon_cubital", "radial_styloid", "ulnar_styloid", "wrist_crease_palmar_mid",
     "wrist_crease_dorsal_mid", "pisiform", "metacarpal_1_base", "metacarpal_2_mid",
     "metacarpal_5_head", "palm_center",
     "iliac_crest_top", "psis", "asis", "ischial_tuberosity", "greater_trochanter",
     "gluteal_fold_mid", "femur_lateral_epicondyle", "femur_medial_epicondyle", "patella_apex",
     "patella_base", "popliteal_crease_mid", "popliteal_crease_lateral",
     "popliteal_crease_medial", "fibula_head", "tibial_tuberosity", "tibia_medial_condyle",
     "lateral_malleolus", "medial_malleolus", "achilles_tendon_ankle",
     "ankle_crease_anterior_mid", "navicular_tuberosity", "metatarsal_1_head",
     "metatarsal_5_base", "metatarsal_5_head", "heel", "sole_center"]
    + ["rib11_free_end_umbilical_level", "anatomical_snuffbox", "wrist_crease_palmar_radial",
       "wrist_crease_palmar_ulnar", "triquetrum", "metacarpal_1_mid", "metacarpal_2_head",
       "metacarpal_4_head", "metacarpal_5_base", "mcp_interspace_2_3", "mcp_interspace_4_5",
       "patella_base_lateral", "patella_base_medial", "infrapatellar_fossa_lateral",
       "infrapatellar_fossa_medial", "metatarsal_1_base", "metatarsal_2_base",
       "metatarsal_4_head", "metatarsal_base_junction_1_2", "metatarsal_4_5_base_junction"]
    + [f"finger_web_{n}_{n + 1}" for n in range(1, 5)]
    + [f"toe_web_{n}_{n + 1}" for n in range(1, 5)]
    + ["eyebrow_medial_end", "eyebrow_mid", "eyebrow_lateral_end", "intertragic_notch",
       "temple_hairline_ear_apex_level", "scapula_spine_inferior_lateral"]
    + [f"intercostal_space_{n}" for n in range(1, 8)]
    + [f"finger_tip_{n}" for n in range(1, 6)]
    + [f"nail_corner_{s}_{n}" for s in ("radial", "ulnar") for n in range(1, 6)]
    + [f"toe_tip_{n}" for n in range(1, 6)]
    + [f"nail_corner_{s}_{n}" for s in ("medial", "lateral") for n in range(1, 6)]
)
MIDLINE = ["external_occipital_protuberance", "vertex", "glabella", "nasion",
           "anterior_hairline_midline", "posterior_hairline_midline", "nose_tip",
           "philtrum_midpoint", "mentolabial_groove", "chin", "thyroid_cartilage_prominence",
           "hyoid", "suprasternal_notch", "sternal_angle", "xiphisternal_junction", "umbilicus",
           "pubic_symphysis_superior", "cricoid_cartilage", "subnasale", "upper_lip_tubercle",
           "upper_labial_frenulum", "anus", "perineum_anterior"]


@pytest.mark.parametrize("name", [f"{b}_{s}" for b in SIDED for s in ("left", "right")] + MIDLINE)
def test_vocabulary_landmark_present_and_finite(built, name):
    marks = built[1]
    assert name in marks
    assert np.all(np.isfinite(marks[name].position))
    assert marks[name].method


@pytest.mark.parametrize("name", MIDLINE)
def test_midline_landmarks_on_the_midline(built, name):
    assert abs(built[1][name].position[0]) < 0.5


def test_left_landmarks_on_the_left(built):
    for name, lm in built[1].items():
        if name.endswith("_left") and not name.startswith(("T", "L", "C", "S")):
            assert lm.position[0] > 0, name


def _cage_front_y(parts, x: float, z: float, half: float = 12.0) -> float:
    side = "left" if x > 0 else "right"
    v = np.vstack([np.asarray(parts[f"rib_{n}_{side}"].mesh.vertices) for n in range(1, 13)]
                  + [np.asarray(parts[f"costal_cartilage_{n}_{side}"].mesh.vertices)
                     for n in range(1, 11)] + [np.asarray(parts["sternum"].mesh.vertices)])
    near = v[(np.abs(v[:, 0] - x) < half) & (np.abs(v[:, 2] - z) < half)]
    return float(near[:, 1].min())


@pytest.mark.parametrize("name", ["nipple_left", "nipple_right", "umbilicus"])
def test_skin_trunk_landmarks_lie_in_front_of_the_ribs(built, name):
    parts, marks = built
    p = marks[name].position
    all_ribs = np.vstack([np.asarray(parts[f"rib_{n}_{s}"].mesh.vertices)
                          for n in range(1, 13) for s in ("left", "right")])
    if name == "umbilicus":
        assert p[1] < all_ribs[:, 1].min()
        lay = body_plan.spine_layout(STATURE)
        assert lay.vertebrae["L4"].origin[2] < p[2] < lay.vertebrae["L3"].origin[2]
    else:
        assert p[1] < _cage_front_y(parts, p[0], p[2]) - 10.0
        # 4th intercostal space: between the 4th and 5th ribs' front ends.
        assert 80.0 <= abs(p[0]) <= 120.0


@pytest.mark.parametrize("n", range(1, 7))
def test_intercostal_spaces_descend(built, n):
    marks = built[1]
    assert marks[f"intercostal_space_{n}_left"].position[2] > \
        marks[f"intercostal_space_{n + 1}_left"].position[2]


# --- limb details the point rules rely on ----------------------------------------------------

def test_patella_sits_in_front_of_the_trochlea_with_a_cartilage_gap(built):
    """The patella lies in front of the femur's patellar surface, 2-3 mm away (cartilage)."""
    parts, marks = built
    gap = _gap(parts["patella_left"].mesh, parts["femur_left"].mesh, 10.0)
    assert 2.0 <= gap <= 3.0
    pat = np.asarray(parts["patella_left"].mesh.vertices)
    fem = np.asarray(parts["femur_left"].mesh.vertices)
    band = fem[np.abs(fem[:, 2] - pat[:, 2].mean()) < 10.0]
    assert pat[:, 1].mean() < band[:, 1].min() + 10.0


def test_lateral_malleolus_lower_than_medial(built):
    marks = built[1]
    parts = built[0]
    fib_low = np.asarray(parts["fibula_left"].mesh.vertices)[:, 2].min()
    tib_low = np.asarray(parts["tibia_left"].mesh.vertices)[:, 2].min()
    assert 5.0 <= tib_low - fib_low <= 20.0
    assert marks["lateral_malleolus_left"].position[0] > marks["medial_malleolus_left"].position[0]


def test_hand_point_landmarks_in_order(built):
    """Left hand, palm forward: radial is +X, palmar is -Y."""
    m = {k: v.position for k, v in built[1].items()}
    assert m["wrist_crease_palmar_radial_left"][0] > m["wrist_crease_palmar_mid_left"][0] \
        > m["wrist_crease_palmar_ulnar_left"][0]
    for side in ("radial", "ulnar"):
        assert m[f"wrist_crease_palmar_{side}_left"][1] < m["wrist_crease_dorsal_mid_left"][1]
    webs = [m[f"finger_web_{n}_{n + 1}_left"][0] for n in range(1, 5)]
    assert all(a > b for a, b in zip(webs, webs[1:]))
    for n in range(2, 5):  # each web between its two fingertips
        assert m[f"finger_tip_{n + 1}_left"][0] < m[f"finger_web_{n}_{n + 1}_left"][0] \
            < m[f"finger_tip_{n}_left"][0]
    assert m["metacarpal_2_head_left"][0] > m["mcp_interspace_2_3_left"][0] \
        > m["metacarpal_4_head_left"][0] > m["mcp_interspace_4_5_left"][0]
    assert m["mcp_interspace_2_3_left"][1] > m["palm_center_left"][1]  # on the back of the hand
    assert m["anatomical_snuffbox_left"][0] > m["wrist_crease_palmar_mid_left"][0]
    assert m["anatomical_snuffbox_left"][2] < m["radial_styloid_left"][2] + 10.0
    assert m["triquetrum_left"][0] < m["wrist_crease_palmar_ulnar_left"][0]


def test_foot_point_landmarks_in_order(built):
    """Left foot: medial is -X, distal is -Y."""
    m = {k: v.position for k, v in built[1].items()}
    webs = [m[f"toe_web_{n}_{n + 1}_left"][0] for n in range(1, 5)]
    assert all(a < b for a, b in zip(webs, webs[1:]))
    for n in range(1, 5):
        web = m[f"toe_web_{n}_{n + 1}_left"]
        assert m[f"toe_tip_{n}_left"][1] < web[1]  # behind the toe tips
        assert 0.0 < web[2] < 40.0
    assert m["metatarsal_1_base_left"][1] > m["metatarsal_1_head_left"][1]
    assert m["metatarsal_2_base_left"][2] > m["metatarsal_1_head_left"][2] + 15.0  # the arch
    j12, j45 = m["metatarsal_base_junction_1_2_left"], m["metatarsal_4_5_base_junction_left"]
    assert j12[0] < m["metatarsal_2_base_left"][0] + 5.0 < j45[0] + 5.0
    assert m["metatarsal_4_head_left"][1] < j45[1]


def test_knee_point_landmarks(built):
    m = {k: v.position for k, v in built[1].items()}
    assert m["patella_base_lateral_left"][0] > m["patella_base_medial_left"][0]
    for side in ("lateral", "medial"):
        fossa = m[f"infrapatellar_fossa_{side}_left"]
        assert m["tibial_tuberosity_left"][2] < fossa[2] < m["patella_apex_left"][2]
        assert fossa[1] < m["tibial_tuberosity_left"][1] + 15.0
    assert m["infrapatellar_fossa_lateral_left"][0] > m["patella_apex_left"][0] \
        > m["infrapatellar_fossa_medial_left"][0]


def test_rib11_free_end_umbilical_level(built):
    m = {k: v.position for k, v in built[1].items()}
    p, end = m["rib11_free_end_umbilical_level_left"], m["rib11_free_end_left"]
    assert p[2] == pytest.approx(m["umbilicus"][2])
    assert p[1] == pytest.approx(end[1])
    assert p[0] >= end[0]


def test_hip_bone_has_an_obturator_foramen(built):
    """The obturator foramen is a hole through the hip bone: the surface has a handle."""
    assert solid(built[0]["hip_bone_left"].mesh).genus() >= 1


def test_neck_and_face_landmarks_in_anatomical_order(built):
    """Hyoid above the laryngeal prominence above the cricoid (about C6); eyebrow above the
    pupil; upper lip tubercle below the subnasale; frenulum behind the lip."""
    m = {k: v.position for k, v in built[1].items()}
    assert m["hyoid"][2] > m["thyroid_cartilage_prominence"][2] > m["cricoid_cartilage"][2]
    c6 = m["C6_body_center"][2] if "C6_body_center" in m else \
        body_plan.spine_layout(STATURE).vertebrae["C6"].origin[2]
    assert abs(m["cricoid_cartilage"][2] - c6) < 10.0
    for side in ("left", "right"):
        assert m[f"eyebrow_mid_{side}"][2] > m[f"pupil_{side}"][2] + 15.0
        assert abs(m[f"eyebrow_mid_{side}"][0] - m[f"pupil_{side}"][0]) < 3.0
        assert abs(m[f"eyebrow_medial_end_{side}"][0]) < abs(m[f"eyebrow_lateral_end_{side}"][0])
        assert m[f"intertragic_notch_{side}"][2] < m[f"tragus_{side}"][2]
        assert m[f"temple_hairline_ear_apex_level_{side}"][1] < m[f"ear_apex_{side}"][1]
        assert abs(m[f"temple_hairline_ear_apex_level_{side}"][2] - m[f"ear_apex_{side}"][2]) < 1.0
    assert m["subnasale"][2] > m["upper_lip_tubercle"][2]
    assert m["upper_labial_frenulum"][1] > m["upper_lip_tubercle"][1]


def test_perineal_landmarks_between_coccyx_and_symphysis(built):
    """Anus in front of the coccyx tip at the tuberosities' height; the anterior perineum between
    the anus and the symphysis."""
    m = {k: v.position for k, v in built[1].items()}
    tuber_z = m["ischial_tuberosity_left"][2]
    assert abs(m["anus"][2] - tuber_z) < 15.0
    if "coccyx_tip" in m:
        assert 15.0 <= m["coccyx_tip"][1] - m["anus"][1] <= 40.0
    sym = m["pubic_symphysis_superior"]
    assert sym[1] < m["perineum_anterior"][1] < m["anus"][1]


def test_si10_landmark_above_the_posterior_axillary_fold(built):
    m = {k: v.position for k, v in built[1].items()}
    for side in ("left", "right"):
        p = m[f"scapula_spine_inferior_lateral_{side}"]
        fold = m[f"axillary_fold_posterior_{side}"]
        assert abs(p[0] - fold[0]) < 1.0
        assert fold[2] + 40.0 < p[2] < m[f"acromion_{side}"][2]
        assert p[1] > m[f"acromion_angle_{side}"][1]  # on the back of the shoulder
