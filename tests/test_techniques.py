"""Manual techniques (``assets/knowledge/techniques.json``): schema, validation naming file, record
and field, coverage of the muscles and levels, sources, cautions and the lookups.

Coverage rules are those of issue 16: every muscle has a stretch and a massage or acupressure
technique; cupping and gua sha along the paraspinal lines at every level T1-L5 and over the large
back and hip muscles; acupressure at the points a patient can reach.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from viewer.knowledge import (
    PARASPINAL_LINES,
    SEGMENTS,
    TECHNIQUE_CAUTION_KINDS,
    TECHNIQUE_KINDS,
    load_knowledge,
    validate_knowledge,
)
from viewer.selection import (
    level_techniques,
    muscle_techniques,
    root_exit,
    select_level,
    select_muscle,
    select_root,
)

from conftest import ASSETS, FIXTURE_POINTS, PROJECT
from test_knowledge import _landmark_vocabulary

SCHEMA = json.loads((ASSETS / "schemas" / "techniques.schema.json").read_text(encoding="utf-8"))
RAW = json.loads((ASSETS / "knowledge" / "techniques.json").read_text(encoding="utf-8"))
MUSCLE_IDS = [m["id"] for m in json.loads((ASSETS / "knowledge" / "muscles.json").read_text())["muscles"]]
BACK_LEVELS = [s for s in SEGMENTS if s[0] in "TL"]

#: The large back and hip muscles cupping and gua sha must reach (issue 16).
LARGE_BACK_AND_HIP = ["trapezius_upper", "trapezius_middle", "trapezius_lower", "latissimus_dorsi",
                      "rhomboid_major", "iliocostalis", "longissimus", "quadratus_lumborum",
                      "gluteus_maximus", "gluteus_medius"]

#: Points on the limbs, the top of the shoulder, under the skull and on the low back and buttock
#: that a patient can press on their own (hand, fist or a ball): each needs a self-care record.
REACHABLE_POINTS = ["GB20", "GB21", "SI11", "LI4", "LI10", "LI11", "SI3", "TE5", "BL23", "BL25", "GB30",
                    "BL40", "BL57", "GB34", "ST36", "SP6", "BL60", "KI3", "LR3"]

#: Words a patient's instructions must not need (codes, cun and Latin landmark names).
JARGON = re.compile(r"\b(cun|fossa|malleol\w*|spinous|[A-Z]{2}\d{1,2}|EX-[A-Z]+|multifidus|erector)\b")


@pytest.fixture(scope="module")
def k():
    return load_knowledge(ASSETS)


# ---------------------------------------------------------------------------------------------
# one list, one home


def test_schema_lists_match_the_knowledge_constants():
    record = SCHEMA["properties"]["techniques"]["items"]
    assert set(record["properties"]["kind"]["enum"]) == set(TECHNIQUE_KINDS)
    assert tuple(record["properties"]["cautions"]["items"]["properties"]["kind"]["enum"]) == TECHNIQUE_CAUTION_KINDS
    lines = record["properties"]["zone"]["properties"]["lines"]["items"]["enum"]
    assert set(lines) <= set(PARASPINAL_LINES)


def test_data_file_is_what_the_script_writes():
    result = subprocess.run([sys.executable, "scripts/make_techniques.py", "--check"], check=False, cwd=PROJECT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_file_loads_with_full_and_partial_points(k, small):
    assert len(k.techniques) == len(RAW["techniques"]) > 50
    assert {t.id for t in small.techniques} == {t.id for t in k.techniques}


# ---------------------------------------------------------------------------------------------
# coverage


@pytest.mark.parametrize("muscle", MUSCLE_IDS)
def test_every_muscle_has_a_stretch_and_hands_on_work(k, muscle):
    kinds = {t.kind for t in k.techniques_for_muscle(muscle)}
    assert "stretch" in kinds, muscle
    assert kinds & {"massage", "acupressure"}, muscle


@pytest.mark.parametrize("kind", ["cupping", "gua_sha"])
@pytest.mark.parametrize("level", BACK_LEVELS)
def test_cupping_and_gua_sha_along_the_paraspinal_lines_at_every_back_level(k, level, kind):
    found = [t for t in k.techniques_at(level) if t.kind == kind and t.zone.rule == "paraspinal"]
    assert found, f"no {kind} beside the spine at {level}"
    for t in found:
        assert set(t.zone.lines) & {"bladder_inner", "bladder_outer"}
        assert SEGMENTS.index(t.zone.from_level) <= SEGMENTS.index(level) <= SEGMENTS.index(t.zone.to_level)


@pytest.mark.parametrize("kind", ["cupping", "gua_sha"])
@pytest.mark.parametrize("muscle", LARGE_BACK_AND_HIP)
def test_cupping_and_gua_sha_over_the_large_back_and_hip_muscles(k, muscle, kind):
    assert any(t.kind == kind for t in k.techniques_for_muscle(muscle)), f"no {kind} over {muscle}"


@pytest.mark.parametrize("code", REACHABLE_POINTS)
def test_acupressure_at_points_a_patient_can_reach(k, code):
    found = [t for t in k.techniques if t.kind == "acupressure" and code in t.zone.points]
    assert found and all(t.self_care.allowed for t in found), code
    assert k.has_point(code)


def test_acupressure_records_list_the_muscles_under_their_points(k):
    for t in (t for t in k.techniques if t.kind == "acupressure"):
        under = {m for c in t.zone.points for m in k.point(c).muscles}
        assert set(t.muscles) == under, t.id


# ---------------------------------------------------------------------------------------------
# references, sources, cautions and wording


def test_every_record_and_caution_is_sourced_and_sources_exist(k):
    known = {s.id for s in k.sources}
    for t in k.techniques:
        assert t.sources and set(t.sources) <= known, t.id
        for c in t.cautions:
            assert c.sources and set(c.sources) <= known and c.text.strip(), (t.id, c.kind)
    for e in k.explanations:
        assert e.sources and set(e.sources) <= known


def test_new_sources_are_cited_and_complete():
    """Sources added for the techniques are each cited, with a full citation naming the year."""
    sources = json.loads((ASSETS / "knowledge" / "sources.json").read_text())["sources"]
    cited = {s for t in RAW["techniques"] for s in t["sources"]}
    cited |= {s for t in RAW["techniques"] for c in t["cautions"] for s in c["sources"]}
    cited |= {s for e in RAW["explanations"] for s in e["sources"]}
    new = {"nelson2014", "travell1999", "travell1992", "chirali2014", "cao2012", "nielsen2013", "nielsen2007",
           "furlan2015", "batavia2004", "hsieh2006", "page2012", "garber2011", "sinaki1984", "gach1990"}
    assert new <= cited
    for s in sources:
        if s["id"] in new:
            assert str(s["year"]) in s["citation"] and s["title"].split(":")[0][:20] in s["citation"], s["id"]


def test_every_referenced_muscle_point_and_landmark_exists(k):
    tokens, pattern = _landmark_vocabulary()
    landmarks_file = ASSETS / "atlas" / "landmarks.json"
    built = set(json.loads(landmarks_file.read_text())) if landmarks_file.is_file() else None
    for t in k.techniques:
        assert all(k.has_muscle(m) for m in (*t.muscles, *t.zone.muscles)), t.id
        assert all(k.has_point(c) for c in t.zone.points), t.id
        for name in (t.zone.landmark, t.zone.toward):
            if name is None:
                continue
            assert name in tokens or pattern.match(name), (t.id, name)
            if built is not None:
                assert {name, f"{name}_left", f"{name}_right"} & built, (t.id, name)


def test_zone_rules_carry_what_they_need(k):
    for t in k.techniques:
        z = t.zone
        assert z.description.strip()
        if z.rule == "paraspinal":
            assert t.levels and z.lines and t.levels[0] == z.from_level and t.levels[-1] == z.to_level
        elif z.rule == "muscle_belly":
            assert z.muscles
        elif z.rule == "points":
            assert z.points and t.kind == "acupressure"
        else:
            assert z.landmark and z.toward and z.width_cun


@pytest.mark.parametrize("kind, needs", [
    ("cupping", {"anticoagulants", "skin_lesions"}),
    ("gua_sha", {"anticoagulants", "skin_lesions"}),
    ("stretch", {"acute_injury"}),
])
def test_cautions_every_record_of_a_kind_carries(k, kind, needs):
    for t in (t for t in k.techniques if t.kind == kind):
        assert needs <= {c.kind for c in t.cautions}, t.id


def test_work_beside_the_spine_warns_about_the_spine_and_low_back_cups_about_pregnancy(k):
    for t in k.techniques:
        kinds = {c.kind for c in t.cautions}
        if t.zone.rule == "paraspinal" and t.kind in ("cupping", "gua_sha", "massage"):
            assert "over_spine" in kinds, t.id
        if t.kind == "cupping" and any(lv.startswith("L") for lv in t.levels):
            assert "pregnancy" in kinds, t.id


def test_acupressure_keeps_the_pregnancy_caution_of_its_points(k):
    for t in (t for t in k.techniques if t.kind == "acupressure"):
        if any(c.kind == "pregnancy" for code in t.zone.points for c in k.point(code).cautions):
            assert any(c.kind == "pregnancy" for c in t.cautions), t.id


def test_acupressure_warns_where_a_vessel_or_nerve_lies_under_its_points(k):
    for t in (t for t in k.techniques if t.kind == "acupressure"):
        close = [c for code in t.zone.points for c in k.point(code).cautions if c.kind in ("major_vessel", "nerve")]
        mine = [c for c in t.cautions if c.kind == "nerve_or_artery"]
        assert bool(close) == bool(mine), t.id
        for c in mine:
            assert set(c.sources) <= {s for x in close for s in x.sources}, t.id


def test_spinal_flexion_stretches_warn_about_osteoporosis(k):
    for t in (t for t in k.techniques if t.kind == "stretch"):
        flexes_spine = re.search(r"flexion (of|with rotation of) the (lumbar|thoracic) spine|rounding", t.how.movement)
        if flexes_spine:
            assert any(c.kind == "osteoporosis" for c in t.cautions), t.id


def test_self_care_is_plain_and_practitioner_only_work_says_why(k):
    for t in k.techniques:
        if t.self_care.allowed:
            assert t.self_care.steps and t.self_care.why_not is None, t.id
            for step in t.self_care.steps:
                assert not JARGON.search(step), (t.id, step)
        else:
            assert not t.self_care.steps and t.self_care.why_not, t.id
    kinds_at_home = {t.kind for t in k.techniques if t.self_care.allowed}
    assert {"stretch", "massage", "acupressure"} <= kinds_at_home


def test_parameters_fit_the_kind(k):
    for t in k.techniques:
        h = t.how
        assert h.steps and h.position
        if t.kind == "stretch":
            assert h.movement and h.hold_s and 10 <= h.hold_s[0] <= h.hold_s[1] <= 60, t.id
        if t.kind == "cupping":
            assert h.cup_size in ("small", "medium", "large") and h.cups >= 1 and h.duration_min[1] <= 15, t.id
        else:
            assert h.cup_size is None and h.cups is None, t.id
        if t.kind == "gua_sha":
            assert h.direction not in ("static", "circular", "movement"), t.id


def test_wording_is_varied_not_templated(k):
    """Stretches and massages each have their own steps (no copy-paste between records)."""
    for kind in ("stretch", "massage"):
        steps = [t.how.steps for t in k.techniques if t.kind == kind]
        assert len(set(steps)) == len(steps)
        home = [t.self_care.steps for t in k.techniques if t.kind == kind and t.self_care.allowed]
        assert len(set(home)) == len(home)


def test_patient_explanation_of_stretch_and_paraspinal_work(k):
    e = k.explanation("stretch_with_paraspinal")
    assert e.audience == "patient" and "spine" in e.text and "stretch" in e.text.lower()
    with pytest.raises(KeyError, match="no_such"):
        k.explanation("no_such")


# ---------------------------------------------------------------------------------------------
# lookups


def test_lookups_by_muscle_and_level(k):
    for t in k.techniques:
        assert k.technique(t.id) is t
        for m in t.muscles:
            assert t in k.techniques_for_muscle(m)
        for lv in t.levels:
            assert t in k.techniques_at(lv)
    order = [TECHNIQUE_KINDS.index(t.kind) for t in k.techniques_for_muscle("gluteus_medius")]
    assert order == sorted(order)
    assert k.techniques_at("S3") == () and k.techniques_for_muscle("no_such") == ()
    with pytest.raises(KeyError, match="no_such_technique"):
        k.technique("no_such_technique")


# ---------------------------------------------------------------------------------------------
# validation names file, record and field


def _assets(tmp_path: Path) -> Path:
    root = tmp_path / "assets"
    shutil.copytree(ASSETS / "knowledge", root / "knowledge")
    shutil.copytree(ASSETS / "schemas", root / "schemas")
    shutil.copy(FIXTURE_POINTS, root / "points.json")
    return root


def _rec(data: dict, tid: str) -> dict:
    return next(r for r in data["techniques"] if r["id"] == tid)


CASES = [
    ("unknown_muscle", "stretch_piriformis", "muscles[0]", "unknown muscle id 'piriformus'",
     lambda r: r.update(muscles=["piriformus"])),
    ("unknown_zone_muscle", "massage_gluteal", "zone.muscles[1]", "unknown muscle id",
     lambda r: r["zone"]["muscles"].__setitem__(1, "gluteus_medial")),
    ("unknown_source", "cupping_t1_t4", "sources[0]", "unknown source id 'chirali2099'",
     lambda r: r.update(sources=["chirali2099"])),
    ("unknown_caution_source", "stretch_hamstrings", "cautions[0].sources[0]", "unknown source id",
     lambda r: r["cautions"][0].update(sources=["nobody1900"])),
    ("no_sources", "gua_sha_l1_l5", "sources", "should be non-empty",
     lambda r: r.update(sources=[])),
    ("bad_kind", "massage_calf", "kind", "'rubbing' is not one of",
     lambda r: r.update(kind="rubbing")),
    ("bad_caution_kind", "massage_calf", "cautions[0].kind", "is not one of",
     lambda r: r["cautions"][0].update(kind="bad_luck")),
    ("missing_zone", "massage_calf", "zone", "missing required field",
     lambda r: r.pop("zone")),
    ("paraspinal_needs_lines", "cupping_l1_l5", "zone.lines", "missing required field",
     lambda r: r["zone"].pop("lines")),
    ("levels_mismatch", "cupping_l1_l5", "levels", "works at L1, L2, L3, L4, L5",
     lambda r: r.update(levels=["L1", "L2"])),
    ("levels_backward", "gua_sha_t7_t12", "zone.to_level", "lies above",
     lambda r: r["zone"].update(from_level="T12", to_level="T7")),
    ("unknown_point", "acupressure_lr3", "zone.points[0]", "unknown point code 'LR33'",
     lambda r: r["zone"].update(points=["LR33"])),
    ("cupping_needs_cup_size", "cupping_gluteal", "how.cup_size", "must state cup size",
     lambda r: r["how"].update(cup_size=None)),
    ("stretch_is_a_movement", "stretch_triceps", "how.direction", "must be 'movement'",
     lambda r: r["how"].update(direction="static")),
    ("stretch_needs_hold", "stretch_triceps", "how.hold_s", "must state hold s",
     lambda r: r["how"].update(hold_s=None)),
    ("gua_sha_has_a_direction", "gua_sha_t1_t6", "how.direction", "stroked in one direction",
     lambda r: r["how"].update(direction="static")),
    ("backward_range", "massage_calf", "how.duration_min", "runs backward",
     lambda r: r["how"].update(duration_min=[10, 5])),
    ("acupressure_at_points", "acupressure_gb20", "zone.rule", "must be 'points'",
     lambda r: r.update(zone={"rule": "muscle_belly", "muscles": ["splenius_capitis"], "surface": "posterior",
                              "side": "bilateral", "description": "neck"})),
    ("self_care_needs_steps", "stretch_triceps", "self_care.steps", "should be non-empty",
     lambda r: r["self_care"].update(steps=[])),
    ("practitioner_only_says_why", "cupping_t1_t4", "self_care.why_not", "not of type",
     lambda r: r["self_care"].update(why_not=None)),
    ("nothing_to_link", "stretch_triceps", "(record)", "is not valid under any",
     lambda r: r.update(muscles=[], levels=[])),
    ("extra_field", "stretch_triceps", "colour", "field not allowed",
     lambda r: r.update(colour="red")),
]


@pytest.mark.parametrize("case, tid, field, problem, mutate", CASES, ids=[c[0] for c in CASES])
def test_problems_name_file_record_and_field(tmp_path, case, tid, field, problem, mutate):
    root = _assets(tmp_path)
    path = root / "knowledge" / "techniques.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    index = next(i for i, r in enumerate(data["techniques"]) if r["id"] == tid)
    mutate(_rec(data, tid))
    path.write_text(json.dumps(data), encoding="utf-8")
    errors = validate_knowledge(root, partial_points=True)
    label = f"{data['techniques'][index].get('id', f'#{index}')} (index {index})"
    matching = [e for e in errors if e.file == "techniques.json" and e.record == label and e.field == field]
    assert matching, "\n".join(str(e) for e in errors)
    assert problem in matching[0].problem
    assert str(matching[0]).startswith(f"techniques.json: record {label}: field {field}: ")


def test_duplicate_id_and_point_pregnancy_caution_dropped(tmp_path):
    root = _assets(tmp_path)
    shutil.copy(ASSETS / "points.json", root / "points.json")     # BL25 has its pregnancy caution here
    path = root / "knowledge" / "techniques.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["techniques"].append(dict(_rec(data, "stretch_triceps")))
    shu = _rec(data, "acupressure_low_back_shu")
    shu["cautions"] = [c for c in shu["cautions"] if c["kind"] != "pregnancy"]
    path.write_text(json.dumps(data), encoding="utf-8")
    errors = [str(e) for e in validate_knowledge(root)]
    n = len(data["techniques"]) - 1
    assert any(e.startswith(f"techniques.json: record stretch_triceps (index {n}): field id: duplicate id") for e in errors)
    assert any("acupressure_low_back_shu" in e and "field cautions: BL25 carries a pregnancy caution" in e
               for e in errors), errors


def test_partial_points_accept_standard_codes_only(tmp_path):
    """With a partial point set a technique may name a standard code the set lacks, never a made-up one."""
    root = _assets(tmp_path)
    assert validate_knowledge(root, partial_points=True) == []       # LI4, SP6, ... are not in the fixture
    assert any(e.file == "techniques.json" and "LI4" in e.problem for e in validate_knowledge(root))


def test_explanation_problems_and_top_level(tmp_path):
    root = _assets(tmp_path)
    path = root / "knowledge" / "techniques.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["explanations"][0]["sources"] = ["nobody1900"]
    path.write_text(json.dumps(data), encoding="utf-8")
    errors = [str(e) for e in validate_knowledge(root, partial_points=True)]
    assert any(e.startswith("techniques.json: record explanation stretch_with_paraspinal (index 0): field sources[0]")
               for e in errors), errors
    path.write_text(json.dumps({"version": "1.0"}), encoding="utf-8")
    errors = validate_knowledge(root, partial_points=True)
    assert any(e.file == "techniques.json" and e.field == "techniques" and "missing" in e.problem for e in errors)


# ---------------------------------------------------------------------------------------------
# the chain lists its techniques (viewer.selection)


@pytest.mark.parametrize("muscle, levels", [
    ("gluteus_medius", {"L4", "L5"}),            # roots L4, L5, S1: nothing beside the sacrum
    ("piriformis", set()),                       # S1, S2 only
    ("quadratus_lumborum", {"T12", "L1", "L2", "L3"}),
    ("rhomboid_major", {"C4"}),                  # C5 leaves at C4: the back-of-neck massage
    ("latissimus_dorsi", {"C5", "C6", "C7"}),    # C6, C7, C8 leave at C5, C6, C7
])
def test_chain_from_a_muscle_lists_its_own_then_its_levels(k, muscle, levels):
    sel = select_muscle(k, muscle, "left")
    own = [t for t in sel.techniques if t.via == "muscle"]
    assert [t.technique_id for t in own] == [t.id for t in k.techniques_for_muscle(muscle)]
    assert {t.kind for t in own} >= {"stretch"} and {t.kind for t in own} & {"massage", "acupressure"}
    assert sel.techniques[: len(own)] == tuple(own)                  # the muscle's own come first
    assert {lv for t in sel.techniques if t.via != "muscle" for lv in t.levels} == levels
    for t in sel.techniques:
        assert t.reason.startswith(k.technique(t.technique_id).name) and t.sources
    ids = [t.technique_id for t in sel.techniques]
    assert len(ids) == len(set(ids))
    exits = {root_exit(r).level for r in k.muscle(muscle).roots}
    for t in sel.techniques:
        if t.via == "level":
            assert set(t.levels) <= exits & set(k.technique(t.technique_id).levels) and t.levels
            assert all(lv in t.reason for lv in t.levels)


def test_painful_muscle_and_its_paraspinal_levels_come_together(k):
    """Gluteus medius: its stretch, and cupping, gua sha and massage beside L4 and L5."""
    sel = select_muscle(k, "gluteus_medius", "both")
    assert sel.techniques_of("stretch")[0].via == "muscle"
    for kind in ("cupping", "gua_sha", "massage"):
        assert any(t.via == "level" and t.levels == ("L4", "L5") for t in sel.techniques_of(kind)), kind
    assert any(t.via == "multifidus" and "L4" in t.reason for t in sel.techniques_of("stretch"))


@pytest.mark.parametrize("level", BACK_LEVELS)
def test_chain_from_a_level_lists_cupping_gua_sha_and_the_multifidus_stretch(k, level):
    sel = select_level(k, level)
    kinds = {t.kind for t in sel.techniques}
    assert {"cupping", "gua_sha", "stretch"} <= kinds, (level, kinds)
    assert sel.techniques == level_techniques(k, level)
    assert all(t.levels == (level,) for t in sel.techniques)


@pytest.mark.parametrize("root", ["L4", "T6", "C8"])
def test_chain_from_a_root_uses_its_exit_level(k, root):
    assert select_root(k, root).techniques == level_techniques(k, root_exit(root).level)


def test_unknown_ids_in_the_technique_chain(k):
    with pytest.raises(KeyError, match="no_such"):
        muscle_techniques(k, "no_such")
    with pytest.raises(KeyError, match="X9"):
        level_techniques(k, "X9")
    assert level_techniques(k, "occiput") == () and level_techniques(k, "S3") == ()
