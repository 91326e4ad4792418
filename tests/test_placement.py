"""Point placement from rules, on a synthetic body whose answers are known by construction.

The synthetic body is a box-like trunk (skin 20 mm behind the spinous tips) with a spherical head;
its landmarks are typed in here because the test checks the rule engine, not the body.
"""

from __future__ import annotations

import numpy as np
import pytest

from viewer.anatomy import shapes
from viewer.anatomy.points.cun import resolve_scale, landmark_lookup
from viewer.anatomy.points.placement import (STATUS_CHECKED, STATUS_NOT_PLACED, Skin, meridian_paths,
                                       place_points, resolve_rule)

BACK_Y = 100.0      # skin of the back, mm
SPINE_Y = 80.0      # spinous tips lie 20 mm in front of the skin
MEDIAL_BORDER = 75.0  # scapular medial borders at +/-75 mm: 6 cun = 150 mm, so 25 mm per cun


@pytest.fixture(scope="module")
def body():
    trunk = shapes.rounded_box([0, 0, 1250], [340, 200, 700], 40)
    head = shapes.ellipsoid([0, 0, 1700], [80, 95, 110], segments=64)
    neck = shapes.capsule([0, 0, 1600], [0, 0, 1500], 55)
    mesh = shapes.to_trimesh(shapes.union([trunk, head, neck]))
    marks = {
        "scapula_medial_border_mid_left": [MEDIAL_BORDER, 90, 1400],
        "scapula_medial_border_mid_right": [-MEDIAL_BORDER, 90, 1400],
        "anterior_hairline_midline": [0, -80, 1770],
        "posterior_hairline_midline": [0, 90, 1640],
        "tragus_left": [80, 0, 1690], "tragus_right": [-80, 0, 1690],
    }
    for i, level in enumerate(["T1", "T2", "T3", "T4", "T5"]):
        z = 1480 - 25 * i
        marks[f"{level}_spinous_tip"] = [0, SPINE_Y, z + 5]
        marks[f"{level}_spinous_inferior"] = [0, SPINE_Y, z]
    marks = {k: np.array(v, float) for k, v in marks.items()}
    skin = Skin(mesh, head_centre=np.array([0.0, 0.0, 1690.0]))
    return marks, skin


def rule(landmark, offsets=(), line="posterior_midline", scale="back_scapulae", side="bilateral",
         surface="posterior", **extra):
    return {"landmark": landmark, "toward": None, "fraction": None,
            "offsets": [{"direction": d, "cun": c} for d, c in offsets], "reference_line": line,
            "scale": scale, "surface": surface, "side": side, "description": "", **extra}


def test_back_scale_is_a_sixth_of_the_scapular_width(body):
    marks, _ = body
    scale = resolve_scale("back_scapulae", "left", landmark_lookup(marks))
    assert scale.mm_per_cun == pytest.approx(2 * MEDIAL_BORDER / 6)


@pytest.mark.parametrize("code, level, cun", [
    ("BL13", "T3", 1.5), ("BL42", "T3", 3.0), ("EX-B2-T3", "T3", 0.5), ("BL11", "T1", 1.5),
])
def test_paraspinal_points_keep_level_and_distance(body, code, level, cun):
    marks, skin = body
    r = rule(f"{level}_spinous_inferior", [("lateral", cun)])
    left = resolve_rule(code, r, "left", marks, skin)
    right = resolve_rule(code, r, "right", marks, skin)
    assert left.status == STATUS_CHECKED, left.checks
    assert left.position[0] == pytest.approx(cun * 25.0, abs=0.01)
    assert right.position[0] == pytest.approx(-cun * 25.0, abs=0.01)
    assert left.position[2] == pytest.approx(marks[f"{level}_spinous_inferior"][2], abs=0.01)
    assert left.position[1] == pytest.approx(BACK_Y, abs=0.5)  # on the back skin
    assert left.normal[1] > 0.9  # facing backwards


def test_midline_point_sits_on_the_midline_behind_the_spine(body):
    marks, skin = body
    p = resolve_rule("GV12", rule("T3_spinous_inferior", side="midline"), "midline", marks, skin)
    assert p.status == STATUS_CHECKED
    assert p.position[0] == pytest.approx(0.0, abs=1e-6)
    assert p.position[1] == pytest.approx(BACK_Y, abs=0.5)


def test_vertical_offset_uses_the_scale(body):
    marks, skin = body
    p = resolve_rule("X", rule("T1_spinous_inferior", [("superior", 2.0), ("lateral", 1.0)]), "left",
                     marks, skin)
    assert p.position[2] == pytest.approx(1480 + 2 * 25.0, abs=0.01)
    assert p.position[0] == pytest.approx(25.0, abs=0.01)


def test_between_rule(body):
    marks, skin = body
    r = rule("T1_spinous_inferior", toward="T5_spinous_inferior", fraction=0.25, side="midline")
    p = resolve_rule("X", r, "midline", marks, skin)
    assert p.position[2] == pytest.approx(1480 - 0.25 * 100, abs=0.01)


def test_head_offsets_walk_over_the_scalp(body):
    marks, skin = body
    r = rule("anterior_hairline_midline", [("posterior", 6.0)], line=None, scale="head_hairlines",
             side="midline", surface="superior")
    p = resolve_rule("GV20", r, "midline", marks, skin)
    assert p.status != STATUS_NOT_PLACED
    # 6 of the 12 cun between the hairlines, measured over the scalp, and still on the midline
    front, back = marks["anterior_hairline_midline"], marks["posterior_hairline_midline"]
    whole = skin.arc_length(front, back)
    walked = skin.arc_length(front, p.position)
    assert walked == pytest.approx(whole / 2, rel=0.05)
    assert p.position[1] > front[1] + 50 and p.position[0] == pytest.approx(0, abs=0.5)
    assert skin.closest(p.position)[1][0] < 1.0


def test_missing_landmark_is_reported_not_guessed(body):
    marks, skin = body
    p = resolve_rule("BL17", rule("T7_spinous_inferior", [("lateral", 1.5)]), "left", marks, skin)
    assert p.status == STATUS_NOT_PLACED and p.position is None
    assert "T7_spinous_inferior" in p.reason


def test_missing_scale_landmark_is_reported(body):
    marks, skin = body
    p = resolve_rule("ST25", rule("umbilicus", [("lateral", 2.0)], line="anterior_midline",
                                  scale="abdomen_umbilicus_pubis", surface="anterior"), "left", marks, skin)
    assert p.status == STATUS_NOT_PLACED and "umbilicus" in p.reason


def test_place_points_mirrors_and_paths(body):
    marks, skin = body
    records = [{"code": f"BL{11 + i}", "location": rule(f"T{i + 1}_spinous_inferior", [("lateral", 1.5)])}
               for i in range(5)]
    placements = place_points(records, marks, skin)
    assert len(placements) == 10
    assert all(p.status == STATUS_CHECKED for p in placements)
    paths = meridian_paths({"BL": [r["code"] for r in records]}, placements, skin)
    assert {p["side"] for p in paths} == {"left", "right"}
    line = np.array(paths[0]["pieces"][0])
    assert np.all(np.diff(line[:, 2]) <= 1e-6)  # BL11 -> BL15 runs downwards, monotone
    assert np.allclose(np.abs(line[:, 0]), 37.5, atol=1.5)


def test_arc_over_the_head_stays_on_the_head(body):
    """Two points below and behind the head centre (like the mastoid processes) are measured over
    the back of the head at their own height, not down the neck."""
    _, skin = body
    a, b = np.array([60.0, 40.0, 1620.0]), np.array([-60.0, 40.0, 1620.0])
    length = skin.arc_length(a, b)
    # half the perimeter of the head's section at that height (semi-axes 80 and 95 mm, scaled)
    section = np.sqrt(1.0 - ((1620.0 - 1700.0) / 110.0) ** 2)
    assert np.linalg.norm(a - b) < length < 0.5 * np.pi * (80 + 95) * section


def test_neck_point_beside_the_posterior_midline_is_measured_across(body):
    marks, skin = body
    marks = {**marks, "mastoid_process_left": np.array([60.0, 30.0, 1640.0]),
             "mastoid_process_right": np.array([-60.0, 30.0, 1640.0]),
             "C2_spinous_superior": np.array([0.0, 20.0, 1580.0])}
    p = resolve_rule("BL10", rule("C2_spinous_superior", [("lateral", 1.3)], scale="head_mastoids"),
                     "left", marks, skin)
    mm_per_cun = p.method["mm_per_cun"]
    assert p.position[0] == pytest.approx(1.3 * mm_per_cun, abs=0.5)
    assert p.position[2] == pytest.approx(1580.0, abs=0.5)
    assert p.position[1] > 20.0  # on the back of the neck, behind the spine
    assert p.status == STATUS_CHECKED
