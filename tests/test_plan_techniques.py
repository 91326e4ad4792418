"""Techniques in the plan model: format version 2 (and later), the upgrade of version 1 plans, the pure editing
operations, the checks against the technique records, cautions, share tokens and fuzzing."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viewer.knowledge import TECHNIQUE_KINDS
from viewer.plan import model as pm
from viewer.plan.model import Plan, PlanError, TechniqueItem

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = PROJECT / "examples" / "plan.json"
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

V1 = {"format": "radix-plan", "version": 1, "title": "Low back, left", "created": "2026-11-21T08:00:00Z",
      "subject": {"muscle": "gluteus_medius", "side": "left"}, "note": "first visit",
      "items": [{"code": "BL25", "side": "both", "note": "gentle"}, {"code": "GV3", "side": "midline"}]}


def _v2(**over) -> dict:
    doc = {**copy.deepcopy(V1), "version": 2,
           "techniques": [{"id": "stretch_lateral_hip", "side": "left", "setting": "home"},
                          {"id": "cupping_l1_l5", "side": "both", "setting": "session", "note": "5 min"},
                          {"id": "massage_gluteal", "side": "left", "setting": "both"}]}
    doc.update(over)
    return doc


@pytest.fixture(scope="module")
def plan(real) -> Plan:
    return pm.plan_from_dict(_v2(), real)


# --- the format ----------------------------------------------------------------------------------


def test_example_plan_holds_a_technique_of_each_kind_and_validates(real):
    plan = pm.load(EXAMPLE, real)
    assert {real.technique(it.id).kind for it in plan.techniques} == set(TECHNIQUE_KINDS)
    assert json.loads(EXAMPLE.read_text())["version"] == pm.PLAN_VERSION
    result = subprocess.run([sys.executable, "-m", "viewer.plan", "validate", str(EXAMPLE)], cwd=PROJECT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert f"{len(plan.techniques)} techniques" in result.stdout
    for kind in ("anticoagulants", "skin_lesions", "over_spine"):   # the techniques' cautions are the plan's
        assert kind in result.stdout


def test_version_1_plans_still_open_and_are_written_in_the_current_version(real):
    old = copy.deepcopy(V1)
    plan = pm.plan_from_dict(old, real)
    assert old == V1                                                   # the upgrade copies
    assert plan.techniques == () and [it.code for it in plan.items] == ["BL25", "GV3"]
    doc = pm.plan_to_dict(plan)
    assert doc["version"] == pm.PLAN_VERSION and doc["techniques"] == []
    assert pm.plan_from_dict(doc, real) == plan
    assert pm.upgrade(old) == {**V1, "version": pm.PLAN_VERSION, "techniques": []}


def test_every_older_version_has_an_upgrade_step():
    assert set(pm.UPGRADES) == set(range(1, pm.PLAN_VERSION))


def test_version_1_file_from_before_the_techniques_opens(real):
    """The example plan as it was in version 1 (points only; kept as a fixture) opens unchanged."""
    path = PROJECT / "tests" / "fixtures" / "plan_v1.json"
    plan = pm.load(path, real)
    assert json.loads(path.read_text())["version"] == 1 and len(plan.items) == 7 and plan.techniques == ()
    assert plan.items == pm.load(EXAMPLE, real).items


def test_version_1_with_techniques_is_refused_by_name(real):
    with pytest.raises(PlanError) as info:
        pm.plan_from_dict({**V1, "techniques": []}, real)
    assert info.value.field == "techniques" and "version 1" in info.value.problem


def test_round_trip_keeps_techniques(plan, real, tmp_path):
    assert [(t.id, t.side, t.setting, t.note) for t in plan.techniques] == [
        ("stretch_lateral_hip", "left", "home", ""), ("cupping_l1_l5", "both", "session", "5 min"),
        ("massage_gluteal", "left", "both", "")]
    assert pm.loads(pm.dumps(plan), real) == plan
    assert pm.load(pm.save(plan, tmp_path / "p.json"), real).techniques == plan.techniques
    assert pm.from_share_token(pm.share_token(plan), real) == plan


def test_technique_item_defaults(real):
    plan = pm.plan_from_dict(_v2(techniques=[{"id": "cupping_t1_t4"}]), real)
    assert plan.techniques == (TechniqueItem("cupping_t1_t4", "both", "session", ""),)


@pytest.mark.parametrize("mutate, record, fld, words", [
    (lambda d: d["techniques"][0].update(side="up"), "stretch_lateral_hip (index 0)", "side", "'up'"),
    (lambda d: d["techniques"][1].update(setting="spa"), "cupping_l1_l5 (index 1)", "setting", "'spa'"),
    (lambda d: d["techniques"][2].pop("id"), "#2 (index 2)", "id", "missing"),
    (lambda d: d["techniques"][0].update(minutes=3), "stretch_lateral_hip (index 0)", "minutes", "not allowed"),
    (lambda d: d["techniques"][0].update(id="Stretch!"), "Stretch! (index 0)", "id", "does not match"),
    (lambda d: d.update(techniques={"id": "x"}), "(top level)", "techniques", "not of type"),
])
def test_schema_names_the_technique_record_and_field(real, mutate, record, fld, words):
    doc = _v2()
    mutate(doc)
    with pytest.raises(PlanError) as info:
        pm.plan_from_dict(doc, real, source="mine.json")
    found = [e for e in info.value.errors if e.record == record and e.field == fld]
    assert found and words in found[0].problem, [str(e) for e in info.value.errors]
    assert str(found[0]).startswith(f"mine.json: record {record}: field {fld}: ")


@pytest.mark.parametrize("mutate, record, fld, words", [
    (lambda d: d["techniques"][0].update(id="stretch_of_nothing"), "stretch_of_nothing (index 0)", "id",
     "unknown technique"),
    (lambda d: d["techniques"].append({"id": "cupping_l1_l5"}), "cupping_l1_l5 (index 3)", "id", "already"),
    (lambda d: d["techniques"][1].update(setting="home"), "cupping_l1_l5 (index 1)", "setting", "not for home"),
    (lambda d: d["techniques"][0].update(side="midline"), "stretch_lateral_hip (index 0)", "side", "either side"),
])
def test_technique_items_are_checked_against_the_records(real, mutate, record, fld, words):
    doc = _v2()
    mutate(doc)
    with pytest.raises(PlanError) as info:
        pm.plan_from_dict(doc, real)
    found = [e for e in info.value.errors if e.record == record and e.field == fld]
    assert found and words in found[0].problem, [str(e) for e in info.value.errors]
    assert pm.plan_from_dict(doc) is not None                         # without knowledge: schema only


# --- editing (pure: each returns a new plan, the old one is untouched for undo) ---------------------


def test_add_order_note_remove(real):
    p0 = Plan()
    p1 = pm.add_technique(p0, "stretch_piriformis", "left", "home", real)
    p2 = pm.add_technique(p1, "cupping_gluteal", "both", knowledge=real)
    p3 = pm.add_technique(p2, "acupressure_gb30", "left", "home", real)
    assert p0.empty and p0.techniques == () and not p1.empty and len(p1.techniques) == 1
    assert [t.id for t in p3.techniques] == ["stretch_piriformis", "cupping_gluteal", "acupressure_gb30"]
    moved = pm.move_technique(p3, 2, 0)
    assert [t.id for t in moved.techniques] == ["acupressure_gb30", "stretch_piriformis", "cupping_gluteal"]
    assert [t.id for t in pm.move_technique(p3, 0, 99).techniques][-1] == "stretch_piriformis"
    noted = pm.set_technique_note(moved, 1, "30 s, three times")
    assert noted.techniques[1].note == "30 s, three times" and moved.techniques[1].note == ""
    gone = pm.remove_technique(noted, 0)
    assert [t.id for t in gone.techniques] == ["stretch_piriformis", "cupping_gluteal"]
    assert [t.id for t in p3.techniques][0] == "stretch_piriformis"   # earlier plans unchanged
    for op in (lambda p: pm.remove_technique(p, 5), lambda p: pm.move_technique(p, -1, 0),
               lambda p: pm.set_technique_note(p, 3, "x")):
        with pytest.raises(IndexError, match="no technique"):
            op(p3)


def test_points_and_techniques_are_edited_independently(real):
    p = pm.add_point(Plan(), "BL25", "left", real)
    p = pm.add_technique(p, "cupping_l1_l5", knowledge=real)
    assert pm.remove_point(p, 0).techniques == p.techniques
    assert pm.remove_technique(p, 0).items == p.items


@pytest.mark.parametrize("first, second, side, setting", [
    (("left", "session"), ("right", "session"), "both", "session"),
    (("left", "home"), ("left", "session"), "left", "both"),
    (("both", "both"), ("left", "home"), "both", "both"),
])
def test_adding_again_merges_side_and_setting(real, first, second, side, setting):
    p = pm.add_technique(Plan(), "stretch_hamstrings", *first, knowledge=real)
    p = pm.add_technique(p, "stretch_hamstrings", *second, knowledge=real)
    assert p.techniques == (TechniqueItem("stretch_hamstrings", side, setting),)


def test_add_and_setting_refuse_what_the_records_forbid(real):
    with pytest.raises(ValueError, match="unknown technique"):
        pm.add_technique(Plan(), "no_such", knowledge=real)
    with pytest.raises(ValueError, match="not for home use"):
        pm.add_technique(Plan(), "gua_sha_l1_l5", "both", "home", real)
    with pytest.raises(ValueError, match="either side"):
        pm.add_technique(Plan(), "stretch_triceps", "midline", knowledge=real)
    with pytest.raises(ValueError, match="setting"):
        pm.add_technique(Plan(), "stretch_triceps", "left", "garden")
    p = pm.add_technique(Plan(), "gua_sha_l1_l5", knowledge=real)
    with pytest.raises(ValueError, match="not for home use"):
        pm.set_technique_setting(p, 0, "both", real)
    p = pm.add_technique(Plan(), "stretch_triceps", "right", knowledge=real)
    assert pm.set_technique_setting(p, 0, "home", real).techniques[0].setting == "home"


# --- reading a plan against the knowledge ------------------------------------------------------------


def test_plan_cautions_include_the_techniques_cautions(plan, real):
    cautions = pm.plan_cautions(plan, real)
    points = [(it.code, c) for it in plan.items for c in real.point(it.code).cautions]
    techniques = [(it.id, c) for it in plan.techniques for c in real.technique(it.id).cautions]
    assert cautions == points + techniques and techniques
    assert {c.kind for _, c in techniques} >= {"anticoagulants", "over_spine", "acute_injury"}


def test_home_techniques_are_those_for_home(plan, real):
    home = pm.home_techniques(plan, real)
    assert [it.id for it, _ in home] == ["stretch_lateral_hip", "massage_gluteal"]
    assert all(t.self_care.allowed and t.self_care.steps for _, t in home)


def test_share_token_of_the_example_fits(real):
    plan = pm.load(EXAMPLE, real)
    token = pm.share_token(plan)
    assert len(token) < pm.MAX_TOKEN // 4
    assert pm.from_share_token(token, real) == plan


# --- fuzzing -------------------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20)


@FUZZ
@given(key=st.sampled_from(["id", "side", "setting", "note", "other", "version", "techniques"]), value=_json)
def test_fuzz_damaged_technique_items_raise_plan_error_only(real, key, value):
    doc = _v2()
    if key in ("version", "techniques"):
        doc[key] = value
    else:
        doc["techniques"][1][key] = value
    try:
        plan = pm.plan_from_dict(doc, real, source="fuzz.json")
    except PlanError as e:
        assert e.errors and all(x.file == "fuzz.json" and x.field for x in e.errors)
    else:
        assert pm.plan_from_dict(pm.plan_to_dict(plan), real) == plan
