"""The technique zones on the real body (viewer/scene/techniques.py) and in the scene spec.

Every technique lands on the skin of the side asked for; paraspinal cups sit on the back at the
height of the level the selection came through, the stated distance from the midline, rims clear
of each other; strokes run the way the record says; acupressure sits on the placed points; the
scene draws the stretch and the cupping beside the spine for a muscle, the cupping at a level, and
nothing while the layer is off.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viewer.knowledge import PARASPINAL_LINES
from viewer.scene import LEGEND, TECHNIQUE_COLOURS, TECHNIQUE_LEGEND, scene_spec
from viewer.scene.body import load_body
from viewer.scene.techniques import (
    LIFT_MM,
    ZoneBook,
    back_mm_per_cun,
    level_height,
    skin_surface,
    technique_zone,
)

from conftest import ASSETS


@pytest.fixture(scope="module")
def body():
    b = load_body(ASSETS)
    if isinstance(b, list):
        pytest.skip(f"the body is not built: {b[0].what}")
    return b


@pytest.fixture(scope="module")
def surface(body):
    return skin_surface(body.atlas, body.positions)


@pytest.fixture(scope="module")
def zones(body, surface):
    return {(t.id, side): technique_zone(t, side, surface) for t in body.knowledge.techniques
            for side in ("left", "right")}


def test_every_technique_has_a_zone_on_each_side(body, zones):
    empty = [key for key, z in zones.items() if not (z["patch"] or z["cups"] or z["spots"])]
    assert not empty, f"techniques with nothing to draw: {empty}"
    kinds = {z["kind"] for z in zones.values()}
    assert kinds == set(TECHNIQUE_COLOURS)


def test_patches_lie_on_the_skin(body, zones):
    # distance to the skin's triangles: a patch cut along its zone's border has vertices inside
    # the skin's (sometimes long) triangles, not on its vertices
    skin = body.atlas.mesh("skin")
    for key, z in zones.items():
        if z["patch"] is None:
            continue
        d = trimesh.proximity.closest_point(skin, np.asarray(z["patch"]["vertices"], float))[1]
        assert d.max() <= LIFT_MM + 0.2, f"{key}: a patch vertex {d.max():.1f} mm off the skin"
        faces = np.asarray(z["patch"]["faces"])
        assert faces.min() >= 0 and faces.max() < len(z["patch"]["vertices"]), key


def test_strokes_cups_and_spots_lie_on_the_skin(body, zones):
    skin = body.atlas.mesh("skin")
    strokes, cups, presses = [], [], []
    for key, z in zones.items():
        for stroke in z["strokes"]:
            # a press arrow points into the skin and ends just off it
            (presses if stroke.get("press") else strokes).extend((key, p) for p in
                                                                 (stroke["points"][-1:] if stroke.get("press")
                                                                  else stroke["points"]))
        cups.extend((key, c["position"]) for c in z["cups"])
        for c in z["cups"]:
            assert abs(np.linalg.norm(c["normal"]) - 1) < 0.01
    # strokes are drawn 4 mm off the skin, cups 1.5 mm; the skin between vertices bends a little
    for what, found, limit in (("stroke", strokes, 8.0), ("cup", cups, 5.0), ("press", presses, 15.0)):
        d = trimesh.proximity.closest_point(skin, np.array([p for _, p in found]))[1]
        worst = int(np.argmax(d))
        assert d[worst] < limit, f"{found[worst][0]}: a {what} {d[worst]:.1f} mm off the skin"


def test_zones_are_on_the_side_asked_for(zones):
    for (tid, side), z in zones.items():
        if "centre" not in z:
            continue
        x = z["centre"][0]
        assert (x > 5) if side == "left" else (x < -5), f"{tid} {side}: centre at x={x:.0f} mm"
        other = zones[(tid, "right" if side == "left" else "left")]
        # the body is near-symmetric: the two sides' zones mirror each other
        assert abs(x + other["centre"][0]) < 30, f"{tid}: left and right zones are not mirrored"


def test_paraspinal_cups_sit_at_the_level_on_the_line(body, surface):
    t = body.knowledge.technique("cupping_l1_l5")
    cun = back_mm_per_cun(surface)
    line_mm = np.mean([PARASPINAL_LINES[line][1] for line in t.zone.lines]) * cun
    for level in ("L1", "L3", "L4", "L5"):
        for side, sign in (("left", 1), ("right", -1)):
            z = technique_zone(t, side, surface, (level,))
            cups = z["cups"]
            # a column centred at an end level may have room for fewer cups inside the range
            assert len(cups) == t.how.cups if level in ("L3", "L4") else 2 <= len(cups) <= t.how.cups
            first = np.asarray(cups[0]["position"])
            step = abs(level_height(surface, "L1") - level_height(surface, "L5")) / 4
            # the first cup is at the level the selection came through (L1 and L5: kept in range)
            allowed = step / 2 if level in ("L3", "L4") else 0.5 * cups[0]["radius"]
            assert abs(first[2] - level_height(surface, level)) <= allowed, (level, side)
            assert cups[0]["level"] == level or level in ("L1", "L5")
            for c in cups:
                p = np.asarray(c["position"])
                assert np.sign(p[0]) == sign, f"{level} {side}: a cup on the wrong side"
                assert abs(abs(p[0]) - line_mm) < 2.0, f"{level} {side}: cup {abs(p[0]):.0f} mm from the midline"
                # on the back, and its rim clear of the spinous processes
                assert c["normal"][1] > 0.25
                assert abs(p[0]) - c["radius"] > 0.5 * cun
                assert level_height(surface, "L5") - step <= p[2] <= level_height(surface, "L1") + step
            centres = np.array([c["position"] for c in cups])
            gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1)[np.triu_indices(len(cups), 1)]
            assert gaps.min() >= 2 * cups[0]["radius"], "cups overlap"


def test_paraspinal_patch_covers_its_levels_only(body, surface, zones):
    t = body.knowledge.technique("gua_sha_t7_t12")
    z = zones[("gua_sha_t7_t12", "left")]
    v = np.asarray(z["patch"]["vertices"])
    step = abs(level_height(surface, "T7") - level_height(surface, "T12")) / 5
    # half a level past the end levels, plus at most one triangle of the skin (edges under 20 mm)
    assert v[:, 2].max() <= level_height(surface, "T7") + step / 2 + 20
    assert v[:, 2].min() >= level_height(surface, "T12") - step / 2 - 20
    cun = back_mm_per_cun(surface)
    outer = max(PARASPINAL_LINES[line][1] for line in t.zone.lines)
    assert v[:, 0].min() > 0 and v[:, 0].max() < (outer + 0.75) * cun + 20


def test_strokes_run_the_way_the_record_says(body, zones):
    k = body.knowledge
    checked = 0
    for (tid, side), z in zones.items():
        direction = k.technique(tid).how.direction
        for stroke in z["strokes"]:
            if stroke.get("press"):
                continue
            pts = np.asarray(stroke["points"])
            d = pts[-1] - pts[0]
            if direction == "cranial_to_caudal":
                assert d[2] < 0, (tid, side)
                checked += 1
            elif direction == "caudal_to_cranial":
                assert d[2] > 0, (tid, side)
                checked += 1
            elif direction in ("medial_to_lateral", "lateral_to_medial"):
                outward = d[0] * (1 if side == "left" else -1)
                assert (outward > 0) == (direction == "medial_to_lateral"), (tid, side)
                checked += 1
    assert checked > 20


def test_stretches_show_a_lengthening_arrow_over_the_muscle(body, zones):
    for t in body.knowledge.techniques:
        if t.kind != "stretch":
            continue
        z = zones[(t.id, "left")]
        assert z["patch"] is not None, t.id
        assert len(z["strokes"]) == 1 and z["strokes"][0]["arrow"] == "both", t.id


def test_acupressure_spots_are_the_placed_points(body, zones):
    for t in body.knowledge.techniques:
        if t.kind != "acupressure":
            continue
        z = zones[(t.id, "left")]
        for spot in z["spots"]:
            placed = body.positions.get((spot["code"], "left"), body.positions.get((spot["code"], "midline")))
            assert np.linalg.norm(np.subtract(spot["position"], placed)) < 3.0, (t.id, spot["code"])


# --- in the scene spec ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book(body, surface):
    return ZoneBook(body.knowledge, surface)


def test_a_level_shows_its_paraspinal_cupping_on_both_sides(body, book, surface):
    spec = scene_spec(body.knowledge, body.structures, level="L4", side="both", technique_zones=book)
    cupping = [t for t in spec.techniques if t["kind"] == "cupping"]
    assert {t["side"] for t in cupping} == {"left", "right"}
    assert all(t["id"] == "cupping_l1_l5" for t in cupping)
    for t in cupping:
        assert t["color"] == TECHNIQUE_COLOURS["cupping"]
        assert abs(t["cups"][0]["position"][2] - level_height(surface, "L4")) < 20
    assert TECHNIQUE_LEGEND["cupping"] in spec.legend


def test_a_muscle_shows_its_stretch_and_the_cupping_at_its_levels(body, book):
    spec = scene_spec(body.knowledge, body.structures, muscle="gluteus_medius", side="left", technique_zones=book)
    kinds = [t["kind"] for t in spec.techniques]
    assert kinds[0] == "stretch" and "cupping" in kinds
    assert all(t["side"] == "left" for t in spec.techniques)
    stretch = spec.techniques[0]
    movement = body.knowledge.technique(stretch["id"]).how.movement
    assert stretch["label"] == f"Stretch: {movement}"
    # the cups sit at one of the levels of the muscle's roots
    levels = {lv for t in spec.scene.subject.techniques if t.technique_id == "cupping_l1_l5" for lv in t.levels}
    cups = next(t for t in spec.techniques if t["kind"] == "cupping")["cups"]
    assert cups[0]["level"] in levels


def test_a_chosen_technique_is_shown_alone_and_the_layer_hides_them(body, book):
    spec = scene_spec(body.knowledge, body.structures, muscle="gluteus_medius", side="both",
                      technique="gua_sha_gluteal", technique_zones=book)
    shown = [(t["id"], t["side"]) for t in spec.techniques]
    assert shown == [("gua_sha_gluteal", "left"), ("gua_sha_gluteal", "right")]
    off = scene_spec(body.knowledge, body.structures, muscle="gluteus_medius", technique_zones=book,
                     layers={"techniques": {"visible": False, "opacity": 0.5}})
    assert off.techniques == () and off.legend == LEGEND
    with pytest.raises(KeyError, match="no_such_technique"):
        scene_spec(body.knowledge, body.structures, muscle="gluteus_medius", technique="no_such_technique",
                   technique_zones=book)


def test_without_zone_geometry_nothing_is_drawn(body):
    spec = scene_spec(body.knowledge, body.structures, level="L4")
    assert spec.techniques == ()
