"""Symptoms in the plan model (format version 3): marks, weakness and candidate roots kept with a
plan, the round trip through text, files and share links, older formats still opening, and bad
marks refused by file, record and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viewer.plan import model as pm
from viewer.plan.model import CandidateLevel, PlanError, PlanSymptoms, SymptomMark

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = PROJECT / "examples" / "plan.json"
FIXTURES = PROJECT / "tests" / "fixtures"
FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

SYMPTOMS = {
    "marks": [{"kind": "pain", "position": [108, 63, 951], "side": "left"},
              {"kind": "tingling", "position": [-77.25, -127, 64], "side": "right"},
              {"kind": "pain", "position": [3, 90, 1050], "side": "midline"}],
    "weakness": ["long_toe_extensors", "tibialis_anterior_right", "hamstrings"],
    "candidates": [{"root": "L5", "side": "right", "score": 2.5}, {"root": "S1", "side": "both", "score": 0.5}],
}


def _v3(**over) -> dict:
    doc = {"format": "radix-plan", "version": 3, "title": "Leg, right",
           "items": [{"code": "BL25", "side": "both"}], "techniques": [],
           "symptoms": copy.deepcopy(SYMPTOMS)}
    doc.update(over)
    return doc


def test_version_3_round_trip_through_text_file_and_share_link(real, tmp_path):
    plan = pm.plan_from_dict(_v3(), real)
    s = plan.symptoms
    assert [(m.kind, m.side) for m in s.marks] == [("pain", "left"), ("tingling", "right"), ("pain", "midline")]
    assert s.marks[1].position == (-77.2, -127, 64)          # kept to a tenth of a mm
    assert s.weakness == tuple(SYMPTOMS["weakness"])
    assert s.candidates == (CandidateLevel("L5", "right", 2.5), CandidateLevel("S1", "both", 0.5))
    assert pm.loads(pm.dumps(plan), real) == plan
    assert pm.load(pm.save(plan, tmp_path / "p.json"), real).symptoms == s
    assert pm.from_share_token(pm.share_token(plan), real) == plan
    doc = pm.plan_to_dict(plan)
    assert doc["version"] == pm.PLAN_VERSION == 3
    assert doc["symptoms"]["marks"][0] == SYMPTOMS["marks"][0]


def test_a_plan_without_symptoms_writes_none():
    assert "symptoms" not in pm.plan_to_dict(pm.Plan())
    assert "symptoms" not in pm.plan_to_dict(pm.set_symptoms(pm.Plan(), PlanSymptoms()))


def test_set_symptoms_and_marks_take_their_side_from_x():
    mark = SymptomMark.at("tingling", (-80.04, 30, 60))
    assert mark == SymptomMark("tingling", (-80, 30, 60), "right")
    assert SymptomMark.at("pain", (5, 0, 0)).side == "midline" and SymptomMark.at("pain", (9, 0, 0)).side == "left"
    plan = pm.set_symptoms(pm.Plan(), PlanSymptoms(marks=(mark,)))
    assert plan.symptoms.marks == (mark,)
    assert pm.set_symptoms(plan, None).symptoms is None


@pytest.mark.parametrize("path, version", [(FIXTURES / "plan_v1.json", 1), (FIXTURES / "plan_v2.json", 2)])
def test_older_formats_still_open_without_symptoms(real, path, version):
    assert json.loads(path.read_text())["version"] == version
    plan = pm.load(path, real)
    assert plan.symptoms is None and len(plan.items) == 7
    assert pm.plan_to_dict(plan)["version"] == pm.PLAN_VERSION
    assert plan.items == pm.load(EXAMPLE, real).items


def test_version_2_with_symptoms_is_refused_by_name():
    with pytest.raises(PlanError) as err:
        pm.plan_from_dict(_v3(version=2), source="old.json")
    assert (err.value.file, err.value.field) == ("old.json", "symptoms") and "version 2" in err.value.problem


def test_example_plan_is_version_3_with_marks_that_rank_as_saved(real):
    """The example's stored candidates are what the ranking gives for its marks on the body."""
    from viewer.atlas import load_atlas
    from viewer.body_regions import skin_map
    from viewer.symptoms import rank_roots

    plan = pm.load(EXAMPLE, real)
    s = plan.symptoms
    assert json.loads(EXAMPLE.read_text())["version"] == 3
    assert {m.kind for m in s.marks} == {"pain", "tingling"} and s.weakness and s.candidates
    body = skin_map(load_atlas(PROJECT / "assets"))
    ranked = rank_roots(real, body, pain=[m.position for m in s.marks if m.kind == "pain"],
                        tingling=[m.position for m in s.marks if m.kind == "tingling"], weakness=s.weakness)
    assert [(c.root, c.side) for c in ranked] == [(c.root, c.side) for c in s.candidates]
    assert [round(c.score, 2) for c in ranked] == [c.score for c in s.candidates]


@pytest.mark.parametrize("mutate, record, fld, words", [
    (lambda d: d["symptoms"]["marks"][0].update(kind="itch"), "symptom mark 1 (index 0)", "kind", "'itch'"),
    (lambda d: d["symptoms"]["marks"][1].update(position=[1, 2]), "symptom mark 2 (index 1)", "position", "short"),
    (lambda d: d["symptoms"]["marks"][1].update(position=[1, "a", 3]), "symptom mark 2 (index 1)",
     "position[1]", "not of type"),
    (lambda d: d["symptoms"]["marks"][2].update(position=[3, 90, 90000]), "symptom mark 3 (index 2)",
     "position[2]", "maximum"),
    (lambda d: d["symptoms"]["marks"][0].pop("side"), "symptom mark 1 (index 0)", "side", "missing"),
    (lambda d: d["symptoms"]["marks"][0].update(size=3), "symptom mark 1 (index 0)", "size", "not allowed"),
    (lambda d: d["symptoms"]["marks"][0].update(side="right"), "symptom mark 1 (index 0)", "side", "left side"),
    (lambda d: d["symptoms"]["marks"][2].update(side="left"), "symptom mark 3 (index 2)", "side", "midline"),
    (lambda d: d["symptoms"]["weakness"].append("Weak!"), "(top level)", "symptoms.weakness[3]", "match"),
    (lambda d: d["symptoms"]["candidates"][0].update(root="L9"), "candidate L9 (index 0)", "root", "match"),
    (lambda d: d["symptoms"]["candidates"][1].update(side="up"), "candidate S1 (index 1)", "side", "'up'"),
    (lambda d: d["symptoms"].update(marks={}), "(top level)", "symptoms.marks", "not of type"),
    (lambda d: d["symptoms"].update(marks=[], weakness=[]), "(top level)", "symptoms.candidates", "ranked from"),
    (lambda d: d["symptoms"].update(notes="x"), "(top level)", "symptoms.notes", "not allowed"),
])
def test_bad_symptoms_are_refused_naming_file_record_and_field(mutate, record, fld, words):
    doc = _v3()
    mutate(doc)
    with pytest.raises(PlanError) as err:
        pm.plan_from_dict(doc, source="visit.json")
    e = err.value
    assert (e.file, e.record, e.field) == ("visit.json", record, fld), str(e)
    assert words in e.problem
    assert f"visit.json: record {record}: field {fld}" in str(e)


def test_unknown_weak_muscle_is_refused_with_the_knowledge(real):
    doc = _v3()
    doc["symptoms"]["weakness"][1] = "tibialis_gigantus"
    pm.plan_from_dict(doc)                       # sound without knowledge
    with pytest.raises(PlanError) as err:
        pm.plan_from_dict(doc, real, source="visit.json")
    assert (err.value.record, err.value.field) == ("(top level)", "symptoms.weakness[1]")
    assert "tibialis_gigantus" in err.value.problem and "weakness[" not in err.value.problem


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20)


@FUZZ
@given(where=st.sampled_from(["symptoms", "marks", "mark", "position", "weakness", "candidates", "candidate"]),
       key=st.sampled_from(["kind", "position", "side", "root", "score", "other"]), value=_json)
def test_fuzz_damaged_symptoms_raise_plan_error_only(real, where, key, value):
    doc = _v3()
    s = doc["symptoms"]
    if where == "symptoms":
        doc["symptoms"] = value
    elif where in ("marks", "weakness", "candidates"):
        s[where] = value
    elif where == "mark":
        s["marks"][0][key] = value
    elif where == "position":
        s["marks"][1]["position"][0] = value
    else:
        s["candidates"][0][key] = value
    try:
        plan = pm.plan_from_dict(doc, real, source="fuzz.json")
    except PlanError as e:
        assert e.errors and all(x.file == "fuzz.json" and x.field for x in e.errors)
    else:
        assert pm.plan_from_dict(pm.plan_to_dict(plan), real) == plan


def test_cli_validate_reports_the_symptoms(capsys):
    from viewer.plan.__main__ import main

    assert main(["validate", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    s = json.loads(EXAMPLE.read_text())["symptoms"]
    roots = ", ".join(f"{c['root']} {c['side']}" for c in s["candidates"])
    assert f"symptoms: {len(s['marks'])} marks, {len(s['weakness'])} weak muscle, candidate roots {roots}" in out


def test_cli_validate_names_a_bad_mark(tmp_path, capsys):
    from viewer.plan.__main__ import main

    doc = json.loads(EXAMPLE.read_text())
    doc["symptoms"]["marks"][1]["side"] = "right"
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(doc))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "visit.json: record symptom mark 2 (index 1): field side" in err and "Traceback" not in err
