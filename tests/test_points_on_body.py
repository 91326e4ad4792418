"""Issue 5's invariants, checked on the committed body: the placed points obey their rules."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from viewer.atlas import load_atlas

# RADIX_ASSETS points these checks at a scratch build (``python -m viewer.anatomy build --out``).
ASSETS = Path(os.environ.get("RADIX_ASSETS") or Path(__file__).resolve().parents[1] / "assets")


@pytest.fixture(scope="module")
def placed():
    data = json.loads((ASSETS / "atlas" / "placed_points.json").read_text(encoding="utf-8"))
    return {(p["code"], p["side"]): p for p in data["placements"]}


@pytest.fixture(scope="module")
def rules():
    points = json.loads((ASSETS / "points.json").read_text(encoding="utf-8"))["points"]
    return {p["code"]: p for p in points}


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(ASSETS)


def _line(rule) -> float | None:
    loc = rule["location"]
    if loc.get("reference_line") != "posterior_midline" or "spinous_inferior" not in loc["landmark"]:
        return None
    if any(o["direction"] in ("superior", "inferior") for o in loc.get("offsets") or []):
        return None
    return sum(o["cun"] for o in loc.get("offsets") or [] if o["direction"] == "lateral")


BACK_LINES = {0.5: "huatuojiaji", 1.5: "bladder inner line", 3.0: "bladder outer line"}


def test_every_point_record_is_placed_or_says_why(placed, rules):
    for code, rule in rules.items():
        sides = ["midline"] if rule["location"]["side"] == "midline" else ["left", "right"]
        for side in sides:
            p = placed[(code, side)]
            if p["status"] == "not_placed":
                assert p["reason"], f"{code} {side}: not placed without a reason"
            else:
                assert p["position"] is not None and p["normal"] is not None


@pytest.mark.parametrize("lateral_cun", sorted(BACK_LINES))
def test_paraspinal_lines_keep_their_distance_and_level(placed, rules, atlas, lateral_cun):
    codes = [c for c, r in rules.items() if _line(r) == lateral_cun]
    assert len(codes) >= 12, f"too few {BACK_LINES[lateral_cun]} points: {codes}"
    for code in codes:
        landmark = atlas.landmark(rules[code]["location"]["landmark"])
        for side, sign in (("left", 1), ("right", -1)):
            p = placed[(code, side)]
            pos = np.array(p["position"])
            mm_per_cun = p["method"]["mm_per_cun"]
            assert sign * pos[0] / mm_per_cun == pytest.approx(lateral_cun, rel=0.10), code
            assert abs(pos[2] - landmark[2]) <= 5.0, code
            assert p["normal"][1] > 0.5, f"{code} should face backwards"


def test_governor_vessel_back_points_sit_on_the_midline_behind_the_spine(placed, rules, atlas):
    codes = [c for c, r in rules.items() if c.startswith("GV") and _line(r) == 0.0]
    assert len(codes) >= 10
    for code in codes:
        p = placed[(code, "midline")]
        pos = np.array(p["position"])
        spine = atlas.landmark(rules[code]["location"]["landmark"])
        assert abs(pos[0]) < 0.5, code
        assert pos[1] > spine[1], f"{code} must lie behind its spinous process"
        assert abs(pos[2] - spine[2]) <= 5.0, code


def test_points_lie_on_the_skin(placed, atlas):
    import trimesh

    skin = atlas.mesh("skin")
    positions = np.array([p["position"] for p in placed.values() if p["position"] is not None])
    _, dist, _ = trimesh.proximity.closest_point(skin, positions)
    assert np.percentile(dist, 100) <= 1.0


def test_back_points_mirror_left_to_right(placed, rules):
    for code, rule in rules.items():
        if _line(rule) in BACK_LINES:
            left = np.array(placed[(code, "left")]["position"])
            right = np.array(placed[(code, "right")]["position"])
            assert np.linalg.norm(left - right * [-1, 1, 1]) <= 3.0, code


def test_meridian_paths_visit_points_in_order(placed):
    paths = json.loads((ASSETS / "atlas" / "meridian_paths.json").read_text())["paths"]
    meridians = json.loads((ASSETS / "knowledge" / "meridians.json").read_text())["meridians"]
    sequences = {m["id"]: m["codes"] for m in meridians if m["kind"] == "meridian"}
    assert {p["meridian"] for p in paths} == set(sequences)
    for path in paths:
        line = np.vstack([np.array(piece) for piece in path["pieces"]])
        codes = [c for c in sequences[path["meridian"]]
                 if placed.get((c, path["side"])) and placed[(c, path["side"])]["position"]]
        nearest = [int(np.argmin(np.linalg.norm(line - np.array(placed[(c, path["side"])]["position"]), axis=1)))
                   for c in codes]
        assert nearest == sorted(nearest), f"{path['meridian']} {path['side']} visits points out of order"


def test_meridian_paths_run_on_the_skin_without_loops(placed, atlas):
    """Each line runs through its points in order, on the skin, and between two consecutive points
    it is hardly longer than the straight step between them: a loop round a finger or a limb
    would make it several times longer. (Going round the hip from GB29 to GB30 over the skin
    takes about 1.7 times the straight step.)"""
    import trimesh

    paths = json.loads((ASSETS / "atlas" / "meridian_paths.json").read_text())["paths"]
    meridians = json.loads((ASSETS / "knowledge" / "meridians.json").read_text())["meridians"]
    sequences = {m["id"]: m["codes"] for m in meridians if m["kind"] == "meridian"}
    skin = atlas.mesh("skin")
    for path in paths:
        where = f"{path['meridian']} {path['side']}"
        codes = [c for c in sequences[path["meridian"]]
                 if placed.get((c, path["side"])) and placed[(c, path["side"])]["position"]]
        positions = [np.array(placed[(c, path["side"])]["position"]) for c in codes]
        line = np.vstack([np.array(piece) for piece in path["pieces"]])
        _, dist, _ = trimesh.proximity.closest_point(skin, line[:: max(1, len(line) // 400)])
        assert dist.max() < 3.0, f"{where} leaves the skin by {dist.max():.1f} mm"
        along = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(line, axis=0), axis=1))])
        visits = [int(np.argmin(np.linalg.norm(line - p, axis=1))) for p in positions]
        for k in range(len(codes) - 1):
            assert visits[k + 1] >= visits[k], f"{where} turns back between {codes[k]} and {codes[k + 1]}"
            step = float(np.linalg.norm(positions[k + 1] - positions[k]))
            length = along[visits[k + 1]] - along[visits[k]]
            assert length <= 1.8 * step + 10.0, \
                f"{where}: {length:.0f} mm of line from {codes[k]} to {codes[k + 1]}, {step:.0f} mm apart"


def test_back_neck_shoulder_and_hip_points_are_placed_and_checked(placed, rules):
    wanted = [c for c, r in rules.items() if r.get("segment") and r["location"]["surface"] == "posterior"]
    assert len(wanted) > 80
    for code in wanted:
        sides = ["midline"] if rules[code]["location"]["side"] == "midline" else ["left", "right"]
        for side in sides:
            assert placed[(code, side)]["status"] != "not_placed", code


def test_gv16_lies_below_the_occipital_protuberance_above_gv15(placed, atlas):
    """WHO 2008: GV16 is directly below the external occipital protuberance, in the hollow between
    the trapezius attachments, half a cun to a cun above GV15; GB20 is level with GV16."""
    protuberance = atlas.landmarks["external_occipital_protuberance"].xyz
    gv15, gv16 = placed[("GV15", "midline")], placed[("GV16", "midline")]
    mm_per_cun = gv16["method"]["mm_per_cun"]
    z15, z16 = gv15["position"][2], gv16["position"][2]
    assert z15 < z16 < protuberance[2] - 0.3 * mm_per_cun, \
        f"GV16 at z={z16:.0f} mm: not between GV15 ({z15:.0f}) and below the protuberance ({protuberance[2]:.0f})"
    assert 0.5 <= (z16 - z15) / mm_per_cun <= 1.5, f"GV16 is {(z16 - z15) / mm_per_cun:.2f} cun above GV15"
    for side in ("left", "right"):
        z20 = placed[("GB20", side)]["position"][2]
        assert abs(z20 - z16) <= 0.3 * mm_per_cun, f"GB20 {side} at z={z20:.0f} mm, GV16 at {z16:.0f} mm"
