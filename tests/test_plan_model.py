"""The plan model: round trip, editing, schema rejection with field names, share tokens, fuzzing."""

from __future__ import annotations

import json
import zlib
import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viewer.plan import model as pm
from viewer.plan.model import Plan, PlanError, PlanItem

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def _doc(**over):
    doc = {"format": "radix-plan", "version": 1, "title": "Low back, left",
           "subject": {"muscle": "gluteus_medius", "side": "left"}, "note": "first visit",
           "items": [{"code": "BL25", "side": "both", "note": "gentle"},
                     {"code": "GV3", "side": "midline"},
                     {"code": "GB30", "side": "left"}]}
    doc.update(over)
    return doc


@pytest.fixture(scope="module")
def plan(real) -> Plan:
    return pm.plan_from_dict(_doc(), real)


def test_round_trip_through_text_and_file(plan, real, tmp_path):
    assert pm.loads(pm.dumps(plan), real) == plan
    saved = pm.save(plan, tmp_path / "p.json")
    again = pm.load(saved, real)
    assert again.items == plan.items and again.subject == plan.subject and again.note == plan.note
    assert again.created  # save stamps the creation time
    assert pm.dumps(pm.load(saved, real)) == saved.read_text(encoding="utf-8")


def test_dict_keeps_every_field(plan):
    doc = pm.plan_to_dict(plan)
    assert doc["items"][0] == {"code": "BL25", "side": "both", "note": "gentle"}
    assert doc["items"][1] == {"code": "GV3", "side": "midline"}
    assert doc["subject"] == {"muscle": "gluteus_medius", "side": "left"}


@pytest.mark.parametrize("mutate, record, fld, words", [
    (lambda d: d.pop("items"), "(top level)", "items", "missing"),
    (lambda d: d["items"][1].update(side="up"), "GV3 (index 1)", "side", "'up'"),
    (lambda d: d["items"][2].pop("code"), "#2 (index 2)", "code", "missing"),
    (lambda d: d["items"][0].update(code=7), "#0 (index 0)", "code", "not of type"),
    (lambda d: d["items"][0].update(depth=3), "BL25 (index 0)", "depth", "not allowed"),
    (lambda d: d.update(note=["x"]), "(top level)", "note", "not of type"),
    (lambda d: d["subject"].update(level="L9"), "(top level)", "subject.level", "does not match"),
])
def test_schema_rejects_with_record_and_field(mutate, record, fld, words):
    doc = _doc()
    mutate(doc)
    with pytest.raises(PlanError) as err:
        pm.plan_from_dict(doc, source="mine.json")
    e = err.value
    assert (e.file, e.record, e.field) == ("mine.json", record, fld)
    assert words in e.problem
    assert f"mine.json: record {record}: field {fld}" in str(e)


@pytest.mark.parametrize("mutate, record, fld, words", [
    (lambda d: d["items"][0].update(code="BL99"), "BL99 (index 0)", "code", "unknown point"),
    (lambda d: d["items"][1].update(side="left"), "GV3 (index 1)", "side", "midline"),
    (lambda d: d["items"][2].update(side="midline"), "GB30 (index 2)", "side", "bilateral"),
    (lambda d: d["items"].append({"code": "BL25", "side": "left"}), "BL25 (index 3)", "code", "already"),
    (lambda d: d["subject"].update(muscle="gluteus_giganticus"), "(top level)", "subject.muscle", "unknown"),
])
def test_knowledge_checks_name_the_field(real, mutate, record, fld, words):
    doc = _doc()
    mutate(doc)
    pm.plan_from_dict(doc)  # structurally sound without knowledge
    with pytest.raises(PlanError) as err:
        pm.plan_from_dict(doc, real)
    assert (err.value.record, err.value.field) == (record, fld)
    assert words in err.value.problem


@pytest.mark.parametrize("text, fld, words", [
    (b"\xff\xfe{", "(file)", "UTF-8"),
    ("{\"format\": ", "(file)", "not valid JSON"),
    ("[1, 2]", "(document)", "JSON object"),
    (json.dumps({"format": "something-else", "version": 1, "items": []}), "format", "not a Radix plan"),
    (json.dumps({"format": "radix-plan", "version": 7, "items": []}), "version", "newer Radix"),
    (json.dumps({"format": "radix-plan", "version": 0, "items": []}), "version", "minimum"),
    ("[" * 100_000, "(file)", "JSON"),
])
def test_unreadable_documents(text, fld, words):
    with pytest.raises(PlanError) as err:
        pm.loads(text, source="old.json")
    assert err.value.file == "old.json" and err.value.field == fld
    assert words in str(err.value)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(PlanError) as err:
        pm.load(tmp_path / "gone.json")
    assert err.value.file == "gone.json" and "cannot read" in err.value.problem


@pytest.mark.parametrize("steps, expected", [
    ([("BL25", "left")], [("BL25", "left")]),
    ([("BL25", "left"), ("BL25", "right")], [("BL25", "both")]),
    ([("BL25", "both"), ("BL25", "left")], [("BL25", "both")]),
    ([("BL25", "left"), ("BL25", "left")], [("BL25", "left")]),
    ([("GV3", "left")], [("GV3", "midline")]),
    ([("BL23", "right"), ("GV4", "both"), ("BL23", "left")], [("BL23", "both"), ("GV4", "midline")]),
])
def test_add_point_merges_sides(real, steps, expected):
    plan = Plan()
    for code, side in steps:
        plan = pm.add_point(plan, code, side, real)
    assert [(it.code, it.side) for it in plan.items] == expected


def test_add_point_refuses_bad_input(real):
    with pytest.raises(ValueError, match="bilateral"):
        pm.add_point(Plan(), "BL25", "midline", real)
    with pytest.raises(ValueError, match="unknown"):
        pm.add_point(Plan(), "BL99", "left", real)
    with pytest.raises(ValueError, match="side"):
        pm.add_point(Plan(), "BL25", "up")


def test_editing_returns_new_plans(real):
    p0 = Plan()
    p1 = pm.add_point(pm.add_point(pm.add_point(p0, "BL23", "both"), "BL25", "left"), "GV3", "midline")
    assert p0.empty and len(p1.items) == 3
    moved = pm.move_point(p1, 2, 0)
    assert [it.code for it in moved.items] == ["GV3", "BL23", "BL25"]
    assert [it.code for it in pm.move_point(p1, 0, 99).items] == ["BL25", "GV3", "BL23"]
    noted = pm.set_item_note(moved, 1, "2 cun deep at most")
    assert noted.items[1].note == "2 cun deep at most" and moved.items[1].note == ""
    assert [it.code for it in pm.remove_point(noted, 0).items] == ["BL23", "BL25"]
    with pytest.raises(IndexError):
        pm.remove_point(noted, 3)
    assert pm.set_note(p1, "n").note == "n" and pm.set_title(p1, "t").title == "t"
    assert pm.set_subject(p1, muscle="trapezius_upper", side="left", level=None).subject == {
        "muscle": "trapezius_upper", "side": "left"}
    with pytest.raises(ValueError):
        pm.set_subject(p1, colour="red")


def test_points_and_cautions_follow_plan_order(plan, real):
    assert pm.plan_points(plan) == [("BL25", "left"), ("BL25", "right"), ("GV3", "midline"),
                                    ("GB30", "left")]
    cautions = pm.plan_cautions(plan, real)
    expected = [(it.code, c) for it in plan.items for c in real.point(it.code).cautions]
    assert cautions == expected and cautions
    assert [c for c, _ in cautions] == sorted([c for c, _ in cautions],
                                              key=[it.code for it in plan.items].index)


def test_share_token_round_trip_and_is_url_safe(plan, real):
    token = pm.share_token(plan)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert pm.from_share_token(token, real) == plan


@pytest.mark.parametrize("token, words", [
    ("", "no plan"),
    ("not*base64", "damaged"),
    (base64.urlsafe_b64encode(zlib.compress(b"hello world")).decode().rstrip("="), "not valid JSON"),
    ("A" * 20_000, "too long"),
])
def test_bad_share_tokens(token, words):
    with pytest.raises(PlanError) as err:
        pm.from_share_token(token)
    assert words in str(err.value)


def test_share_token_cut_short_or_bomb():
    token = pm.share_token(Plan(items=(PlanItem("BL25", "left"),)))
    with pytest.raises(PlanError, match="damaged"):
        pm.from_share_token(token[: len(token) // 2])
    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * 5_000_000, 9)).decode().rstrip("=")
    assert len(bomb) < pm.MAX_TOKEN
    with pytest.raises(PlanError, match="too large"):
        pm.from_share_token(bomb)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20)


@FUZZ
@given(key=st.sampled_from(["format", "version", "title", "note", "subject", "items", "extra"]),
       value=_json, item_key=st.sampled_from(["code", "side", "note", "other"]))
def test_fuzz_damaged_plans_raise_plan_error_only(real, key, value, item_key):
    """Any damaged plan is either accepted as a sound Plan or refused with a PlanError naming a field."""
    doc = _doc()
    if key == "items":
        doc["items"][0][item_key] = value      # damage one item
    else:
        doc[key] = value                       # damage the document
    try:
        plan = pm.plan_from_dict(doc, real, source="fuzz.json")
    except PlanError as e:
        assert e.errors and all(x.file == "fuzz.json" and x.field for x in e.errors)
    else:
        assert pm.plan_from_dict(pm.plan_to_dict(plan), real) == plan


@FUZZ
@given(text=st.binary(max_size=200))
def test_fuzz_raw_bytes(text):
    try:
        pm.loads(text, source="bytes.json")
    except PlanError as e:
        assert e.file == "bytes.json"


def test_a_saved_plan_says_its_notes_are_personal_data_next_to_them():
    plan = Plan(title="Low back", note="Mrs Example, 3rd visit",
                items=(PlanItem("BL25", "both", "gentle"),))
    text = pm.dumps(plan)
    lines = text.splitlines()
    notice = next(i for i, line in enumerate(lines) if '"privacy"' in line)
    assert pm.NOTES_NOTICE in lines[notice] and '"note"' in lines[notice + 1]   # right above the note
    assert pm.loads(text) == plan                                                # read back unchanged
    assert "privacy" not in json.dumps(pm.plan_to_dict(plan))                   # nor in share links
    assert pm.NOTES_NOTICE not in zlib.decompress(base64.urlsafe_b64decode(pm.share_token(plan) + "==")).decode()


def test_the_notice_field_cannot_smuggle_other_data():
    doc = json.loads(pm.dumps(Plan(title="x")))
    doc["privacy"] = {"not": "a string"}
    with pytest.raises(PlanError) as err:
        pm.plan_from_dict(doc)
    assert "privacy" in str(err.value)
