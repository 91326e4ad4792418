"""Tests of viewer.knowledge: the shipped files, their schemas, cross-checks and indexes.

Expected values are facts from the references (Kendall 2005, Gray's 42nd ed., ISNCSCI 2019,
WHO 2008), written as tables.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from viewer.knowledge import (
    KnowledgeError,
    KnowledgeErrors,
    ROOTS,
    code_sort_key,
    load_knowledge,
    validate_knowledge,
)

from conftest import ASSETS, FIXTURE_POINTS, PROJECT as REPO


def _load(name: str) -> dict:
    return json.loads((ASSETS / "knowledge" / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# the shipped files against ARCHITECTURE.md


def _architecture_section(title: str) -> str:
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_muscle_ids_are_those_of_the_architecture():
    section = _architecture_section("Muscle ids").split("(`erector_spinae`")[0]
    tokens = {t for t in re.findall(r"`([^`]+)`", section) if re.fullmatch(r"[a-z][a-z_]*", t)}
    levels = [f"C{i}" for i in range(2, 8)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)]
    expected = tokens | {f"multifidus_{lv}" for lv in levels}
    ids = {m["id"] for m in _load("muscles.json")["muscles"]}
    assert len(ids) == 90
    assert ids == expected


def test_source_ids_cover_the_architecture_list():
    section = _architecture_section("Sources")
    named = set(re.findall(r"`([a-z0-9_]+)`", section)) - {"sources", "id", "citation", "kind", "url"}
    ids = {s["id"] for s in _load("sources.json")["sources"]}
    assert named <= ids, f"missing: {sorted(named - ids)}"


def test_every_cited_source_exists(small):
    known = {s.id for s in small.sources}
    cited = {s for m in small.muscles for s in m.sources}
    cited |= {s for m in small.muscles for a in m.roots_alt for s in a.sources}
    cited |= {s for m in small.meridians for s in m.sources}
    cited |= {s for p in small.points for s in p.sources}
    cited |= {s for p in small.points for c in p.cautions for s in c.sources}
    assert cited <= known


@pytest.mark.parametrize(
    "meridian, count, paired",
    [("LU", 11, "bilateral"), ("LI", 20, "bilateral"), ("ST", 45, "bilateral"), ("SP", 21, "bilateral"),
     ("HT", 9, "bilateral"), ("SI", 19, "bilateral"), ("BL", 67, "bilateral"), ("KI", 27, "bilateral"),
     ("PC", 9, "bilateral"), ("TE", 23, "bilateral"), ("GB", 44, "bilateral"), ("LR", 14, "bilateral"),
     ("GV", 28, "midline"), ("CV", 24, "midline")],
)
def test_meridian_sequences_follow_who_counts(small, meridian, count, paired):
    m = small.meridian(meridian)
    assert m.codes == tuple(f"{meridian}{i}" for i in range(1, count + 1))
    assert m.paired == paired


def test_meridian_colours_are_distinct_and_extra_groups_present(small):
    colours = [m.colour for m in small.meridians]
    assert len(colours) == len(set(colours)) == 19
    assert {m.id for m in small.meridians if m.kind == "extra"} == {"EX-HN", "EX-CA", "EX-B", "EX-UE", "EX-LE"}


# Main roots as published (Kendall 2005 segmental chart / Gray's 42nd ed.), and ASIA key muscles.
@pytest.mark.parametrize(
    "muscle, roots, nerve_word",
    [
        ("gluteus_medius", ("L4", "L5", "S1"), "superior gluteal"),
        ("gluteus_maximus", ("L5", "S1", "S2"), "inferior gluteal"),
        ("piriformis", ("S1", "S2"), "piriformis"),
        ("deltoid", ("C5", "C6"), "axillary"),
        ("supraspinatus", ("C5", "C6"), "suprascapular"),
        ("latissimus_dorsi", ("C6", "C7", "C8"), "thoracodorsal"),
        ("serratus_anterior", ("C5", "C6", "C7"), "long thoracic"),
        ("biceps_brachii", ("C5", "C6"), "musculocutaneous"),
        ("triceps_brachii", ("C6", "C7", "C8"), "radial"),
        ("flexor_carpi_ulnaris", ("C7", "C8", "T1"), "ulnar"),
        ("pronator_teres", ("C6", "C7"), "median"),
        ("quadratus_lumborum", ("T12", "L1", "L2", "L3"), "ventral rami"),
        ("rectus_femoris", ("L2", "L3", "L4"), "femoral"),
        ("tibialis_anterior", ("L4", "L5"), "deep fibular"),
        ("gastrocnemius", ("S1", "S2"), "tibial"),
        ("trapezius_upper", ("C3", "C4"), "accessory"),
        ("multifidus_L5", ("L5",), "L5 dorsal ramus"),
        ("multifidus_C4", ("C5",), "C5 dorsal ramus"),
        ("multifidus_C7", ("C8",), "C8 dorsal ramus"),
    ],
)
def test_main_roots_and_nerve(small, muscle, roots, nerve_word):
    m = small.muscle(muscle)
    assert m.roots == roots
    assert nerve_word in m.peripheral_nerve


# ISNCSCI 2019 key muscles: the key root must be among the muscle's main roots.
@pytest.mark.parametrize(
    "muscle, key_root",
    [("biceps_brachii", "C5"), ("brachialis", "C5"), ("extensor_carpi_radialis_longus", "C6"),
     ("triceps_brachii", "C7"), ("psoas_major", "L2"), ("rectus_femoris", "L3"), ("vastus_lateralis", "L3"),
     ("tibialis_anterior", "L4"), ("extensor_hallucis_longus", "L5"), ("gastrocnemius", "S1"), ("soleus", "S1")],
)
def test_asia_key_muscles(small, muscle, key_root):
    m = small.muscle(muscle)
    assert key_root in m.roots
    assert "asia2019" in m.sources


# Disagreements between sources stay visible.
@pytest.mark.parametrize(
    "muscle, alt_roots, alt_source",
    [("piriformis", ("L5", "S1", "S2"), "kendall2005"),
     ("gluteus_medius", ("L5", "S1"), "statpearls"),
     ("trapezius_upper", ("C1", "C2", "C3", "C4", "C5"), "gray42"),
     ("trapezius_upper", ("C2", "C3", "C4"), "kendall2005"),
     ("scalene_posterior", ("C5", "C6", "C7"), "gray42")],
)
def test_disagreements_are_kept(small, muscle, alt_roots, alt_source):
    alts = small.muscle(muscle).roots_alt
    assert any(a.roots == alt_roots and alt_source in a.sources and a.note for a in alts)


def test_every_muscle_has_plain_language_and_aliases_lowercase_search_works(small):
    for m in small.muscles:
        assert m.plain_language and m.actions and m.sources, m.id


@pytest.mark.parametrize(
    "query, first",
    [("SCM", "sternocleidomastoid"), ("lats", "latissimus_dorsi"), ("QL", "quadratus_lumborum"),
     ("glute med", "gluteus_medius"), ("gluteus medus", "gluteus_medius"), ("infraspinatis", "infraspinatus"),
     ("peroneus longus", "fibularis_longus"), ("TFL", "tensor_fasciae_latae"), ("Levator Scapulae", "levator_scapulae"),
     ("piriformis", "piriformis"), ("multifidus L5", "multifidus_L5")],
)
def test_search_forgives_typos(small, query, first):
    assert small.search_muscles(query)[0].id == first


# ---------------------------------------------------------------------------------------------
# muscle groups: a name several muscle records share stands for all of them

GROUPS = [
    # typed name, group id, members (file order)
    ("trapezius", "trapezius", "trapezius_upper trapezius_middle trapezius_lower"),
    ("Traps", "traps", "trapezius_upper trapezius_middle trapezius_lower"),
    ("erector spinae", "erector_spinae", "iliocostalis longissimus spinalis"),
    ("Erector-Spinae", "erector_spinae", "iliocostalis longissimus spinalis"),
    ("erector_spinae", "erector_spinae", "iliocostalis longissimus spinalis"),
    ("erectors", "erectors", "iliocostalis longissimus spinalis"),
    ("hamstrings", "hamstrings", "biceps_femoris semitendinosus semimembranosus"),
    ("medial hamstring", "medial_hamstring", "semitendinosus semimembranosus"),
    ("quadriceps", "quadriceps", "rectus_femoris vastus_lateralis vastus_medialis vastus_intermedius"),
    ("quads", "quads", "rectus_femoris vastus_lateralis vastus_medialis vastus_intermedius"),
    ("rotator cuff", "rotator_cuff", "supraspinatus infraspinatus teres_minor subscapularis"),
    ("adductors", "adductors", "adductor_longus gracilis"),
    ("glutes", "glutes", "gluteus_maximus gluteus_medius gluteus_minimus"),
    ("scalenes", "scalenes", "scalene_anterior scalene_middle scalene_posterior"),
    ("rhomboids", "rhomboids", "rhomboid_major rhomboid_minor"),
    ("iliopsoas", "iliopsoas", "psoas_major iliacus"),
    ("calf", "calf", "gastrocnemius soleus"),
    ("wrist extensor", "wrist_extensor", "extensor_carpi_radialis_longus extensor_carpi_radialis_brevis extensor_carpi_ulnaris"),
    ("lumbar multifidus", "lumbar_multifidus", "multifidus_L1 multifidus_L2 multifidus_L3 multifidus_L4 multifidus_L5"),
]


@pytest.mark.parametrize("typed, group, members", GROUPS, ids=[g[0] for g in GROUPS])
def test_group_names_resolve_to_all_their_parts(small, typed, group, members):
    assert small.resolve_muscle(typed) == group
    assert small.is_group(group) and small.has_muscle(group)
    assert group not in {m.id for m in small.muscles}
    assert tuple(m.id for m in small.group_members(group)) == tuple(members.split())
    record = small.muscle(group)
    parts = small.group_members(group)
    assert set(record.roots) == {r for m in parts for r in m.roots}
    assert list(record.roots) == sorted(record.roots, key=ROOTS.index)
    assert set(record.sources) == {s for m in parts for s in m.sources}
    assert record.region == "group" and str(len(parts)) in record.name


@pytest.mark.parametrize(
    "typed, muscle",
    [("gluteus_medius", "gluteus_medius"), ("Gluteus medius", "gluteus_medius"), ("SCM", "sternocleidomastoid"),
     ("piriformis", "piriformis"), ("upper trap", "trapezius_upper"), ("Multifidus (L5 group)", "multifidus_L5")],
)
def test_single_names_resolve_to_their_muscle(small, typed, muscle):
    assert small.resolve_muscle(typed) == muscle
    assert small.group_members(muscle) == (small.muscle(muscle),)


@pytest.mark.parametrize("typed", ["gluteus_quintus", "", "trapezoid", "hamstrings!!x"])
def test_unknown_names_raise_naming_them(small, typed):
    with pytest.raises(KeyError, match=re.escape(repr(typed))):
        small.resolve_muscle(typed)


def test_every_shared_name_is_a_group(small):
    from collections import Counter

    counts = Counter(t for m in small.muscles for t in {_norm(x) for x in (m.name, *m.aliases)})
    shared = {t for t, n in counts.items() if n > 1}
    assert shared and all(small.is_group(small.resolve_muscle(t)) for t in shared)


@pytest.mark.parametrize("query, first, then", [("trapezius", "trapezius", "trapezius_"), ("hamstrings", "hamstrings", ""),
                                               ("rotator cuff", "rotator_cuff", "")])
def test_search_finds_the_group_before_its_parts(small, query, first, then):
    found = [m.id for m in small.search_muscles(query)]
    assert found[0] == first
    members = {m.id for m in small.group_members(first)}
    assert members <= set(found)


def _norm(text):
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def test_search_of_nonsense_is_empty(small):
    assert small.search_muscles("zzzz qqqq") == ()
    assert small.search_muscles("") == ()


# ---------------------------------------------------------------------------------------------
# indexes


@pytest.mark.parametrize(
    "segment, codes",
    [("L4", {"BL25", "GV3", "EX-B2-L4"}), ("L5", {"BL26", "EX-B2-L5"}), ("L2", {"BL23", "BL52", "GV4"})],
)
def test_points_by_segment(small, segment, codes):
    assert {p.code for p in small.points_at(segment)} == codes


@pytest.mark.parametrize(
    "muscle, codes",
    [("gluteus_maximus", {"GB30", "BL54"}), ("piriformis", {"GB30", "BL54"}), ("infraspinatus", {"SI11"}),
     ("multifidus_L4", {"BL25", "EX-B2-L4"})],
)
def test_points_by_muscle(small, muscle, codes):
    assert {p.code for p in small.points_on_muscle(muscle)} == codes


@pytest.mark.parametrize(
    "code, line",
    [("BL23", "bladder_inner"), ("BL52", "bladder_outer"), ("BL54", "bladder_outer"), ("GV3", "governor_vessel"),
     ("EX-B2-L5", "jiaji"), ("BL32", "sacral_foramina"), ("GB30", None), ("SI11", None), ("BL40", None)],
)
def test_paraspinal_line_derived_from_record(small, code, line):
    assert small.line_of(code) == line


def test_muscles_by_root_main_and_alternative(small):
    assert "gluteus_medius" in {m.id for m in small.muscles_with_root("L4")}
    assert "piriformis" in {m.id for m in small.muscles_with_root("L5", alternative=True)}
    assert "piriformis" not in {m.id for m in small.muscles_with_root("L5")}


def test_lookup_errors_name_the_id(small):
    with pytest.raises(KeyError, match="gluteus_quintus"):
        small.muscle("gluteus_quintus")
    with pytest.raises(KeyError, match="BL99"):
        small.point("BL99")


def test_extra_sequences_derived_and_ordered(small):
    assert small.meridian("EX-B").codes == ("EX-B2-L4", "EX-B2-L5")
    codes = ["EX-B2-L1", "EX-B2-T12", "EX-B1", "EX-B2-T2", "EX-B2-T10", "BL10", "BL2"]
    assert sorted(codes, key=code_sort_key) == ["BL2", "BL10", "EX-B1", "EX-B2-T2", "EX-B2-T10", "EX-B2-T12", "EX-B2-L1"]


def test_small_fixture_is_partial(small):
    assert small.complete is False


def test_real_points_file_is_valid_and_complete(real):
    assert real.complete
    jiaji = real.meridian("EX-B").codes
    assert [c for c in jiaji if c.startswith("EX-B2-")] == [f"EX-B2-T{i}" for i in range(1, 13)] + [f"EX-B2-L{i}" for i in range(1, 6)]


# ---------------------------------------------------------------------------------------------
# validation: broken copies built in tmp_path


def _make_assets(tmp_path: Path) -> Path:
    root = tmp_path / "assets"
    shutil.copytree(ASSETS / "knowledge", root / "knowledge")
    shutil.copytree(ASSETS / "schemas", root / "schemas")
    shutil.copy(FIXTURE_POINTS, root / "points.json")
    return root


def _rec(data: dict, key: str, label: str) -> dict:
    field = "code" if key == "points" else "id"
    return next(r for r in data[key] if r[field] == label)


def _index(data: dict, key: str, label: str) -> int:
    field = "code" if key == "points" else "id"
    return next(i for i, r in enumerate(data[key]) if r[field] == label)


def _set_offset(d):
    _rec(d, "points", "BL23")["location"]["offsets"][0]["cun"] = -1


def _dup_code(d):
    _rec(d, "points", "BL24")["code"] = "BL23"


FILE_OF = {"points": "points.json", "muscles": "knowledge/muscles.json",
           "meridians": "knowledge/meridians.json", "sources": "knowledge/sources.json"}

BROKEN = [
    ("offset_negative", "points", _set_offset, "BL23", "location.offsets[0].cun", "less than or equal to the minimum of 0"),
    ("missing_segment", "points", lambda d: _rec(d, "points", "BL25").pop("segment"), "BL25", "segment", "missing required field"),
    ("extra_field", "points", lambda d: _rec(d, "points", "GV3").update(nerve="L4"), "GV3", "nerve", "not allowed"),
    ("unknown_muscle", "points", lambda d: _rec(d, "points", "BL26").update(muscles=["erector_spinae"]), "BL26", "muscles[0]", "unknown muscle id 'erector_spinae'"),
    ("unknown_source", "points", lambda d: _rec(d, "points", "GB34").update(sources=["who2008", "nobody2020"]), "GB34", "sources[1]", "unknown source id 'nobody2020'"),
    ("unknown_caution_source", "points", lambda d: _rec(d, "points", "BL40")["cautions"][1].update(sources=["x1999"]), "BL40", "cautions[1].sources[0]", "unknown source id 'x1999'"),
    ("bad_caution_kind", "points", lambda d: _rec(d, "points", "BL40")["cautions"][0].update(kind="artery"), "BL40", "cautions[0].kind", "'artery' is not one of"),
    ("duplicate_code", "points", _dup_code, "BL23", "code", "duplicate code 'BL23'"),
    ("wrong_meridian", "points", lambda d: _rec(d, "points", "GB30").update(meridian="BL"), "GB30", "code", "does not belong to meridian BL"),
    ("unknown_meridian", "points", lambda d: _rec(d, "points", "SI11").update(meridian="XX"), "SI11", "meridian", "unknown meridian 'XX'"),
    ("toward_without_fraction", "points", lambda d: _rec(d, "points", "SI11")["location"].update(fraction=None), "SI11", "location.fraction", "both be set"),
    ("gv_not_midline", "points", lambda d: _rec(d, "points", "GV4")["location"].update(side="bilateral"), "GV4", "location.side", "midline"),
    ("bad_segment", "points", lambda d: _rec(d, "points", "GV4").update(segment="L6"), "GV4", "segment", "L6"),
    ("bad_root", "muscles", lambda d: _rec(d, "muscles", "gluteus_medius").update(roots=["L9", "S1"]), "gluteus_medius", "roots[0]", "'L9' does not match"),
    ("bad_region", "muscles", lambda d: _rec(d, "muscles", "deltoid").update(region="foot"), "deltoid", "region", "'foot' is not one of"),
    ("alt_source_unknown", "muscles", lambda d: _rec(d, "muscles", "piriformis")["roots_alt"][0].update(sources=["kendall2099"]), "piriformis", "roots_alt[0].sources[0]", "unknown source id 'kendall2099'"),
    ("missing_plain", "muscles", lambda d: _rec(d, "muscles", "soleus").pop("plain_language"), "soleus", "plain_language", "missing required field"),
    ("duplicate_muscle", "muscles", lambda d: _rec(d, "muscles", "iliacus").update(id="psoas_major"), "psoas_major", "id", "duplicate id 'psoas_major'"),
    ("count_mismatch", "meridians", lambda d: _rec(d, "meridians", "LU")["codes"].pop(), "LU", "codes", "lists 10 codes but point_count is 11"),
    ("bad_colour", "meridians", lambda d: _rec(d, "meridians", "GB").update(colour="green"), "GB", "colour", "does not match"),
    ("foreign_code", "meridians", lambda d: _rec(d, "meridians", "HT")["codes"].__setitem__(0, "PC1"), "HT", "codes[0]", "does not belong to meridian HT"),
    ("bad_source_kind", "sources", lambda d: _rec(d, "sources", "statpearls").update(kind="blog"), "statpearls", "kind", "'blog' is not one of"),
]


@pytest.mark.parametrize("case, key, mutate, label, field, problem", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_records_are_rejected_naming_file_record_field(tmp_path, case, key, mutate, label, field, problem):
    root = _make_assets(tmp_path)
    path = root / FILE_OF[key]
    data = json.loads(path.read_text(encoding="utf-8"))
    index = _index(data, key, label) if case != "duplicate_code" and case != "duplicate_muscle" else None
    mutate(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    errors = validate_knowledge(root, partial_points=True)
    name = Path(FILE_OF[key]).name
    matching = [e for e in errors if e.file == name and e.record.startswith(f"{label} (index ") and e.field == field]
    assert matching, "\n".join(str(e) for e in errors)
    assert problem in matching[0].problem
    message = str(matching[0])
    assert message.startswith(f"{name}: record {label} (index ")
    assert f"field {field}: " in message
    if index is not None:
        assert f"(index {index})" in message


def test_message_format_matches_the_issue(tmp_path):
    root = _make_assets(tmp_path)
    path = root / "points.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    _set_offset(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KnowledgeErrors) as info:
        load_knowledge(root, partial_points=True)
    assert str(info.value.errors[0]) == (
        "points.json: record BL23 (index 0): field location.offsets[0].cun: "
        "-1 is less than or equal to the minimum of 0"
    )


def test_all_errors_are_collected(tmp_path):
    root = _make_assets(tmp_path)
    points = json.loads((root / "points.json").read_text(encoding="utf-8"))
    _set_offset(points)
    _rec(points, "points", "BL26").update(muscles=["erector_spinae"])
    (root / "points.json").write_text(json.dumps(points), encoding="utf-8")
    muscles = json.loads((root / "knowledge" / "muscles.json").read_text(encoding="utf-8"))
    _rec(muscles, "muscles", "deltoid").update(region="foot")
    (root / "knowledge" / "muscles.json").write_text(json.dumps(muscles), encoding="utf-8")
    with pytest.raises(KnowledgeErrors) as info:
        load_knowledge(root, partial_points=True)
    fields = {(e.file, e.field) for e in info.value.errors}
    assert {("points.json", "location.offsets[0].cun"), ("points.json", "muscles[0]"), ("muscles.json", "region")} <= fields
    assert all(isinstance(e, KnowledgeError) for e in info.value.errors)


def test_removed_source_is_reported_where_it_is_cited(tmp_path):
    root = _make_assets(tmp_path)
    path = root / "knowledge" / "sources.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sources"] = [s for s in data["sources"] if s["id"] != "kendall2005"]
    path.write_text(json.dumps(data), encoding="utf-8")
    errors = validate_knowledge(root, partial_points=True)
    assert any(e.file == "muscles.json" and e.record.startswith("gluteus_medius ") and "kendall2005" in e.problem for e in errors)


def test_partial_points_rejected_unless_allowed(tmp_path):
    root = _make_assets(tmp_path)
    errors = validate_knowledge(root)
    assert any(str(e).startswith("meridians.json: record LU (index 0): field codes[0]: no point record with code 'LU1'") for e in errors)
    assert validate_knowledge(root, partial_points=True) == []


@pytest.mark.parametrize(
    "content, problem",
    [("{not json", "not valid JSON at line 1"), ('{"version": "1.0"}', "missing required field")],
)
def test_unreadable_points_file(tmp_path, content, problem):
    root = _make_assets(tmp_path)
    (root / "points.json").write_text(content, encoding="utf-8")
    errors = validate_knowledge(root, partial_points=True)
    assert any(e.file == "points.json" and problem in e.problem for e in errors), errors


def test_shipped_files_validate_with_fixture():
    assert validate_knowledge(ASSETS, points_path=FIXTURE_POINTS, partial_points=True) == []


def _landmark_vocabulary() -> tuple[set[str], re.Pattern]:
    section = _architecture_section("Landmark vocabulary")
    tokens = set()
    for t in re.findall(r"`([^`]+)`", section):
        t = re.sub(r"(_left/right|/_right|_left|_right)$", "", t)
        if re.fullmatch(r"[a-z][a-z0-9_]*", t):
            tokens.add(t)
    pattern = re.compile(
        r"^((C[1-7]|T([1-9]|1[0-2])|L[1-5])_(spinous_tip|spinous_inferior|spinous_superior|body_center|"
        r"transverse_tip|lamina|mammillary|foramen)|sacral_foramen_S[1-4]|S[1-4]_median_crest)$"
    )
    return tokens, pattern


def test_muscle_attachment_landmarks_are_in_the_vocabulary(small):
    tokens, pattern = _landmark_vocabulary()
    for m in small.muscles:
        for name in m.attachments.origin_landmarks + m.attachments.insertion_landmarks:
            assert name in tokens or pattern.match(name), f"{m.id}: {name}"
            if name.endswith("_mammillary"):
                assert name[0] == "L", f"{m.id}: mammillary processes are L1-L5 only"
