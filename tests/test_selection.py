"""Tests of viewer.selection: muscle -> roots -> foramina -> multifidus -> points, and back.

The expected values are anatomical facts written as tables:
- roots: Kendall 2005 / Gray's 42nd ed. (as in muscles.json);
- exits: C1-C7 above the vertebra of the same number, C8 between C7 and T1, T1 and below under
  the vertebra of the same number, sacral roots through the sacral foramina;
- multifidus: each group is supplied by the dorsal ramus leaving just below its vertebra, one
  number higher in the neck (Bogduk 1982): C3..C8 for the groups of C2..C7;
- point levels: WHO 2008 (e.g. BL25 at the lower border of L4, 1.5 cun lateral; GV3 below L4).
Tests of paraspinal points use the small fixture; those marked "real" use assets/points.json.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from viewer.knowledge import ROOTS
from viewer.selection import (
    Gap,
    MultifidusLink,
    root_exit,
    roots_exiting_at,
    select_level,
    select_muscle,
    select_point,
    select_root,
)

from conftest import PROJECT as REPO


# ---------------------------------------------------------------------------------------------
# root exits


@pytest.mark.parametrize(
    "root, foramen_word, level",
    [
        ("C1", "occiput", "occiput"),
        ("C2", "C1-C2", "C1"),
        ("C5", "C4-C5", "C4"),
        ("C7", "C6-C7", "C6"),
        ("C8", "C7-T1", "C7"),
        ("T1", "T1-T2", "T1"),
        ("T12", "T12-L1", "T12"),
        ("L1", "L1-L2", "L1"),
        ("L4", "L4-L5", "L4"),
        ("L5", "L5-S1", "L5"),
        ("S1", "S1 sacral foramina", "S1"),
        ("S4", "S4 sacral foramina", "S4"),
        ("S5", "sacral hiatus", "Co"),
        ("Co1", "sacral hiatus", "Co"),
    ],
)
def test_root_exit(root, foramen_word, level):
    e = root_exit(root)
    assert foramen_word in e.foramen
    assert e.level == level
    assert e.reason.startswith(root)


@pytest.mark.parametrize("level, roots", [("occiput", ("C1",)), ("C4", ("C5",)), ("C6", ("C7",)), ("C7", ("C8",)),
                                          ("T1", ("T1",)), ("L5", ("L5",)), ("S2", ("S2",)), ("Co", ("S5", "Co1"))])
def test_roots_exiting_at(level, roots):
    assert tuple(e.root for e in roots_exiting_at(level)) == roots


def test_unknown_root_raises():
    with pytest.raises(KeyError, match="L6"):
        root_exit("L6")


# ---------------------------------------------------------------------------------------------
# the chain for muscles across every region

CHAIN = [
    # muscle, main roots, paraspinal levels, multifidus groups
    ("sternocleidomastoid", "C2 C3", "C1 C2", "C2"),
    ("scalene_anterior", "C4 C5 C6", "C3 C4 C5", "C3 C4 C5"),
    ("scalene_posterior", "C6 C7 C8", "C5 C6 C7", "C5 C6 C7"),
    ("splenius_capitis", "C3 C4 C5", "C2 C3 C4", "C2 C3 C4"),
    ("semispinalis_capitis", "C2 C3 C4 C5", "C1 C2 C3 C4", "C2 C3 C4"),
    ("levator_scapulae", "C3 C4 C5", "C2 C3 C4", "C2 C3 C4"),
    ("trapezius_upper", "C3 C4", "C2 C3", "C2 C3"),
    ("rhomboid_major", "C5", "C4", "C4"),
    ("supraspinatus", "C5 C6", "C4 C5", "C4 C5"),
    ("infraspinatus", "C5 C6", "C4 C5", "C4 C5"),
    ("deltoid", "C5 C6", "C4 C5", "C4 C5"),
    ("latissimus_dorsi", "C6 C7 C8", "C5 C6 C7", "C5 C6 C7"),
    ("serratus_anterior", "C5 C6 C7", "C4 C5 C6", "C4 C5 C6"),
    ("pectoralis_major", "C5 C6 C7 C8 T1", "C4 C5 C6 C7 T1", "C4 C5 C6 C7 T1"),
    ("pectoralis_minor", "C8 T1", "C7 T1", "C7 T1"),
    ("biceps_brachii", "C5 C6", "C4 C5", "C4 C5"),
    ("triceps_brachii", "C6 C7 C8", "C5 C6 C7", "C5 C6 C7"),
    ("extensor_carpi_radialis_longus", "C6 C7", "C5 C6", "C5 C6"),
    ("flexor_carpi_ulnaris", "C7 C8 T1", "C6 C7 T1", "C6 C7 T1"),
    ("quadratus_lumborum", "T12 L1 L2 L3", "T12 L1 L2 L3", "T12 L1 L2 L3"),
    ("rectus_abdominis", "T7 T8 T9 T10 T11 T12", "T7 T8 T9 T10 T11 T12", "T7 T8 T9 T10 T11 T12"),
    ("multifidus_L5", "L5", "L5", "L5"),
    ("psoas_major", "L1 L2 L3", "L1 L2 L3", "L1 L2 L3"),
    ("iliacus", "L2 L3", "L2 L3", "L2 L3"),
    ("gluteus_maximus", "L5 S1 S2", "L5 S1 S2", "L5"),
    ("gluteus_medius", "L4 L5 S1", "L4 L5 S1", "L4 L5"),
    ("piriformis", "S1 S2", "S1 S2", ""),
    ("tensor_fasciae_latae", "L4 L5 S1", "L4 L5 S1", "L4 L5"),
    ("rectus_femoris", "L2 L3 L4", "L2 L3 L4", "L2 L3 L4"),
    ("adductor_longus", "L2 L3 L4", "L2 L3 L4", "L2 L3 L4"),
    ("biceps_femoris", "L5 S1 S2", "L5 S1 S2", "L5"),
    ("tibialis_anterior", "L4 L5", "L4 L5", "L4 L5"),
    ("extensor_hallucis_longus", "L5 S1", "L5 S1", "L5"),
    ("gastrocnemius", "S1 S2", "S1 S2", ""),
]


@pytest.mark.parametrize("muscle, roots, levels, groups", CHAIN, ids=[c[0] for c in CHAIN])
@pytest.mark.parametrize("side", ["left", "right"])
def test_chain(small, muscle, roots, levels, groups, side):
    sel = select_muscle(small, muscle, side)
    assert tuple(r.root for r in sel.roots) == tuple(roots.split())
    assert tuple(dict.fromkeys(r.exit.level for r in sel.roots)) == tuple(levels.split())
    assert tuple(m.muscle_id for m in sel.multifidus) == tuple(f"multifidus_{g}" for g in groups.split())
    assert tuple(a for m in sel.multifidus for a in m.acronyms) == tuple(f"multifidus_{g}_{side}" for g in groups.split())
    structures = set(sel.highlight.structures)
    assert f"{muscle}_{side}" in structures
    assert {f"root_{r}_{side}" for r in roots.split()} <= structures
    other = "right" if side == "left" else "left"
    assert not any(s.endswith(f"_{other}") for s in structures)


def test_both_sides_highlight_left_and_right(small):
    sel = select_muscle(small, "gluteus_medius", "both")
    s = set(sel.highlight.structures)
    assert {"gluteus_medius_left", "gluteus_medius_right", "root_L5_left", "root_L5_right",
            "multifidus_L4_left", "multifidus_L4_right", "L4", "L5", "sacrum"} <= s


@pytest.mark.parametrize(
    "root, group, reason_word",
    [("C2", None, "greater occipital"), ("C3", "multifidus_C2", "C3 dorsal ramus"),
     ("C7", "multifidus_C6", "below the C6 vertebra"), ("C8", "multifidus_C7", "C8 dorsal ramus"),
     ("T6", "multifidus_T6", "T6 dorsal ramus"),
     ("L5", "multifidus_L5", "Macintosh & Bogduk 1986"),
     ("C1", None, "suboccipital"), ("S1", None, "C2 to L5"), ("S3", None, "C2 to L5"), ("Co1", None, "C2 to L5")],
)
def test_multifidus_of_root(small, root, group, reason_word):
    sel = select_root(small, root, "left")
    if group is None:
        assert sel.multifidus == ()
        gaps = [g for g in sel.gaps if g.kind == "no_multifidus_group"]
        assert len(gaps) == 1 and reason_word in gaps[0].reason
    else:
        (link,) = sel.multifidus
        assert isinstance(link, MultifidusLink)
        assert link.muscle_id == group and link.acronyms == (f"{group}_left",)
        assert reason_word in link.reason


# ---------------------------------------------------------------------------------------------
# paraspinal points (fixture: BL23-26, BL52, BL54, BL32, GV3, GV4, GV14, EX-B2-L4/L5 ...)

FIXTURE_LINES = [
    # muscle, line, expected codes cranial to caudal
    ("gluteus_medius", "governor_vessel", "GV3"),
    ("gluteus_medius", "jiaji", "EX-B2-L4 EX-B2-L5"),
    ("gluteus_medius", "bladder_inner", "BL25 BL26"),
    ("gluteus_medius", "bladder_outer", ""),
    ("tibialis_anterior", "bladder_inner", "BL25 BL26"),
    ("quadratus_lumborum", "bladder_inner", "BL23 BL24"),
    ("quadratus_lumborum", "bladder_outer", "BL52"),
    ("quadratus_lumborum", "governor_vessel", "GV4"),
    ("piriformis", "sacral_foramina", "BL32"),
    ("latissimus_dorsi", "governor_vessel", "GV14"),
]


@pytest.mark.parametrize("muscle, line, codes", FIXTURE_LINES)
def test_paraspinal_points_from_records(small, muscle, line, codes):
    sel = select_muscle(small, muscle, "both")
    assert tuple(p.code for p in sel.on_line(line)) == tuple(codes.split())
    assert set(codes.split()) <= set(sel.highlight.points)


@pytest.mark.parametrize(
    "code, reason",
    [
        ("EX-B2-L5", "EX-B2-L5 (Jiaji): Huatuojiaji (EX-B2) at the inferior border of the L5 spinous process, 0.5 cun lateral"),
        ("BL25", "BL25 (Dachangshu): Bladder inner line at the inferior border of the L4 spinous process, 1.5 cun lateral"),
        ("GV3", "GV3 (Yaoyangguan): Governor Vessel (posterior midline) at the inferior border of the L4 spinous process, on the midline"),
    ],
)
def test_point_reasons(small, code, reason):
    sel = select_muscle(small, "gluteus_medius", "both")
    (link,) = [p for p in sel.paraspinal if p.code == code]
    assert link.reason == reason
    assert link.sources


GAPS = [
    # muscle (or root:R), kind, level, line, word in the reason
    ("gluteus_medius", "no_point", "L5", "governor_vessel", "GV3 at L4 above"),
    ("gluteus_medius", "no_point", "L4", "bladder_outer", "BL52 at L2 above"),
    ("gluteus_medius", "no_point", "L5", "bladder_outer", "Bladder outer line"),
    ("gluteus_medius", "line_not_at_level", "S1", "jiaji", "T1 to L5 only"),
    ("gluteus_medius", "no_multifidus_group", "S1", None, "C2 to L5"),
    ("rhomboid_major", "line_not_at_level", "C4", "bladder_inner", "no cervical Bladder line"),
    ("rhomboid_major", "line_not_at_level", "C4", "bladder_outer", "no cervical Bladder line"),
    ("rhomboid_major", "line_not_at_level", "C4", "jiaji", "T1 to L5 only"),
    ("quadratus_lumborum", "missing_record", "L3", "jiaji", "EX-B2"),
    ("gastrocnemius", "no_multifidus_group", "S2", None, "C2 to L5"),
    ("root:C1", "no_multifidus_group", "C1", None, "suboccipital"),
    ("root:C1", "line_not_at_level", "occiput", "governor_vessel", "above the atlas"),
    ("root:Co1", "line_not_at_level", "Co", "bladder_inner", "coccyx"),
]


@pytest.mark.parametrize("target, kind, level, line, word", GAPS)
def test_every_gap_type(small, target, kind, level, line, word):
    if target.startswith("root:"):
        sel = select_root(small, target[5:], "both")
    else:
        sel = select_muscle(small, target, "both")
    found = [g for g in sel.gaps if g.kind == kind and g.level == level and g.line == line]
    assert len(found) == 1, [(g.kind, g.level, g.line) for g in sel.gaps]
    assert isinstance(found[0], Gap) and word in found[0].reason


def test_partial_points_say_so_in_gaps(small):
    sel = select_muscle(small, "gluteus_medius", "both")
    (gap,) = [g for g in sel.gaps if g.line == "bladder_outer" and g.level == "L4"]
    assert "partial" in gap.reason


def test_no_point_is_invented(small):
    codes = {p.code for p in small.points}
    for muscle in small.muscles:
        sel = select_muscle(small, muscle.id, "both")
        assert set(sel.highlight.points) <= codes, muscle.id


def test_every_item_has_a_reason(small):
    for muscle in small.muscles:
        sel = select_muscle(small, muscle.id, "left")
        items = [*sel.roots, *sel.alternative_roots, *sel.multifidus, *sel.paraspinal, *sel.meridians,
                 *sel.local_points, *sel.gaps]
        assert all(item.reason for item in items), muscle.id
        assert all(r.sources for r in sel.roots), muscle.id


def test_root_reasons_name_muscle_and_source(small):
    sel = select_muscle(small, "gluteus_medius", "left")
    assert sel.roots[1].reason.startswith("L5: root of gluteus medius per Kendall 2005")


def test_alternative_roots_stay_apart(small):
    sel = select_muscle(small, "piriformis", "left")
    assert [r.root for r in sel.roots] == ["S1", "S2"]
    (alt,) = sel.alternative_roots
    assert alt.root == "L5" and not alt.main and "Kendall 2005" in alt.reason
    assert "root_L5_left" not in sel.highlight.structures


@pytest.mark.parametrize(
    "muscle, meridian, codes",
    [("gluteus_maximus", "GB", "GB30"), ("gluteus_maximus", "BL", "BL54"), ("infraspinatus", "SI", "SI11"),
     ("fibularis_longus", "GB", "GB34")],
)
def test_meridians_crossing_the_muscle(small, muscle, meridian, codes):
    sel = select_muscle(small, muscle, "both")
    (link,) = [m for m in sel.meridians if m.meridian == meridian]
    assert link.codes == tuple(codes.split())
    assert meridian in sel.highlight.meridians
    assert set(codes.split()) <= {p.code for p in sel.local_points}


@pytest.mark.parametrize("bad", [("gluteus_medius", "middle", ValueError), ("gluteus_quintus", "left", KeyError)])
def test_bad_input_raises(small, bad):
    muscle, side, error = bad
    with pytest.raises(error):
        select_muscle(small, muscle, side)


def test_selection_is_frozen(small):
    sel = select_muscle(small, "deltoid", "left")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sel.side = "right"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# reverse views


@pytest.mark.parametrize(
    "level, roots, main_muscles, alt_muscles, groups, codes",
    [
        ("L4", "L4", "gluteus_medius tibialis_anterior rectus_femoris multifidus_L4", "psoas_major quadratus_lumborum semitendinosus",
         "L4", "BL25 GV3 EX-B2-L4"),
        ("L5", "L5", "gluteus_maximus extensor_hallucis_longus multifidus_L5", "piriformis soleus", "L5", "BL26 EX-B2-L5"),
        ("C7", "C8", "latissimus_dorsi flexor_carpi_ulnaris pectoralis_minor", "serratus_anterior", "C7", "GV14"),
        ("C4", "C5", "deltoid biceps_brachii rhomboid_major", "", "C4", ""),
        ("S1", "S1", "gastrocnemius piriformis gluteus_medius", "", "", ""),
    ],
)
def test_select_level(small, level, roots, main_muscles, alt_muscles, groups, codes):
    sel = select_level(small, level, "left")
    assert tuple(e.root for e in sel.roots) == tuple(roots.split())
    main = {m.id for m in sel.muscles}
    alt = {m.id for m in sel.muscles_alternative}
    assert set(main_muscles.split()) <= main
    assert set(alt_muscles.split()) <= alt
    assert not main & alt
    assert tuple(m.muscle_id for m in sel.multifidus) == tuple(f"multifidus_{g}" for g in groups.split())
    assert {p.code for p in sel.points} == set(codes.split())


def test_select_level_rejects_unknown():
    with pytest.raises(KeyError, match="L7"):
        select_level(None, "L7")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "root, foramen_word, level, main_muscles, alt_muscles, codes",
    [
        ("L5", "L5-S1", "L5", "gluteus_medius gluteus_maximus tibialis_anterior extensor_hallucis_longus", "piriformis soleus", "BL26 EX-B2-L5"),
        ("L4", "L4-L5", "L4", "gluteus_medius vastus_lateralis tibialis_anterior", "psoas_major iliacus", "GV3 EX-B2-L4 BL25"),
        ("C8", "C7-T1", "C7", "latissimus_dorsi triceps_brachii flexor_carpi_ulnaris", "serratus_anterior", "GV14"),
        ("C5", "C4-C5", "C4", "deltoid supraspinatus biceps_brachii", "", ""),
        ("L2", "L2-L3", "L2", "psoas_major rectus_femoris multifidus_L2", "", "BL23 BL52 GV4"),
    ],
)
def test_select_root(small, root, foramen_word, level, main_muscles, alt_muscles, codes):
    sel = select_root(small, root, "right")
    assert foramen_word in sel.exit.foramen and sel.exit.level == level
    assert set(main_muscles.split()) <= {m.id for m in sel.muscles}
    assert set(alt_muscles.split()) <= {m.id for m in sel.muscles_alternative}
    assert {p.code for p in sel.points} == set(codes.split())
    assert f"root_{root}_right" in sel.highlight.structures


@pytest.mark.parametrize(
    "code, segment, roots, muscles, meridian, caution_kinds, words",
    [
        ("BL23", "L2", "L2", "latissimus_dorsi longissimus multifidus_L2", "BL", "kidney", ["L2 spinous inferior", "1.5 cun lateral", "posterior midline"]),
        ("GV14", "C7", "C8", "", "GV", "spinal_canal", ["C7 spinous inferior", "on the midline"]),
        ("GB30", None, "", "gluteus_maximus piriformis", "GB", "nerve", ["33% of the way from the greater trochanter to the sacral hiatus"]),
        ("BL40", None, "", "", "BL", "major_vessel nerve", ["popliteal crease mid"]),
        ("EX-B2-L4", "L4", "L4", "multifidus_L4", "EX-B", "", ["0.5 cun lateral"]),
    ],
)
def test_select_point(small, code, segment, roots, muscles, meridian, caution_kinds, words):
    sel = select_point(small, code)
    assert sel.segment == segment
    assert tuple(e.root for e in sel.roots) == tuple(roots.split())
    assert tuple(m.id for m in sel.muscles) == tuple(muscles.split())
    assert sel.meridian.id == meridian
    assert tuple(c.kind for c in sel.cautions) == tuple(caution_kinds.split())
    for w in words:
        assert w in sel.location_text
    assert sel.highlight.points == (code,)


# ---------------------------------------------------------------------------------------------
# the real merged points file (WHO 2008 levels)

REAL_LINES = [
    ("gluteus_medius", "governor_vessel", "GV3"),
    ("gluteus_medius", "jiaji", "EX-B2-L4 EX-B2-L5"),
    ("gluteus_medius", "bladder_inner", "BL25 BL26 BL27"),
    ("gluteus_medius", "bladder_outer", ""),
    ("gluteus_medius", "sacral_foramina", "BL31"),
    ("quadratus_lumborum", "governor_vessel", "GV5 GV4"),
    ("quadratus_lumborum", "jiaji", "EX-B2-T12 EX-B2-L1 EX-B2-L2 EX-B2-L3"),
    ("quadratus_lumborum", "bladder_inner", "BL21 BL22 BL23 BL24"),
    ("quadratus_lumborum", "bladder_outer", "BL50 BL51 BL52"),
    ("rectus_abdominis", "governor_vessel", "GV9 GV8 GV7 GV6"),
    ("rectus_abdominis", "bladder_inner", "BL17 BL18 BL19 BL20 BL21"),
    ("rectus_abdominis", "bladder_outer", "BL46 BL47 BL48 BL49 BL50"),
    ("piriformis", "bladder_inner", "BL27 BL28"),
    ("piriformis", "bladder_outer", "BL53"),
    ("piriformis", "sacral_foramina", "BL31 BL32"),
    ("pectoralis_minor", "governor_vessel", "GV14 GV13"),
    ("pectoralis_minor", "bladder_inner", "BL11"),
    ("pectoralis_minor", "jiaji", "EX-B2-T1"),
    ("latissimus_dorsi", "governor_vessel", "GV14"),
    ("rhomboid_major", "governor_vessel", ""),
]


@pytest.mark.parametrize("muscle, line, codes", REAL_LINES)
def test_real_paraspinal_points(real, muscle, line, codes):
    sel = select_muscle(real, muscle, "both")
    assert tuple(p.code for p in sel.on_line(line)) == tuple(codes.split())


REAL_GAPS = [
    # standard gaps of WHO 2008: (muscle, level, line)
    ("rectus_abdominis", "T8", "bladder_inner"),
    ("rectus_abdominis", "T8", "bladder_outer"),
    ("rectus_abdominis", "T8", "governor_vessel"),
    ("rectus_abdominis", "T12", "governor_vessel"),
    ("pectoralis_minor", "T1", "bladder_outer"),
    ("gluteus_medius", "L4", "bladder_outer"),
    ("gluteus_medius", "L5", "bladder_outer"),
    ("gluteus_medius", "L5", "governor_vessel"),
    ("quadratus_lumborum", "L3", "bladder_outer"),
    ("quadratus_lumborum", "T12", "governor_vessel"),
    ("rhomboid_major", "C4", "governor_vessel"),
]


@pytest.mark.parametrize("muscle, level, line", REAL_GAPS)
def test_real_standard_gaps(real, muscle, level, line):
    sel = select_muscle(real, muscle, "both")
    found = [g for g in sel.gaps if g.level == level and g.line == line]
    assert len(found) == 1 and found[0].kind == "no_point"
    assert "no standard point" in found[0].reason


def test_real_jiaji_never_missing(real):
    for muscle in real.muscles:
        sel = select_muscle(real, muscle.id, "both")
        assert not sel.gaps_of(kind="missing_record"), muscle.id


# ---------------------------------------------------------------------------------------------
# layering and speed


def test_selection_imports_no_ui():
    code = ("import sys, viewer.selection, viewer.knowledge; "
            "bad = [m for m in ('panel', 'pyvista', 'bokeh', 'vtk') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"




# ---------------------------------------------------------------------------------------------
# muscle groups: every part selected, chains united

GROUP_CHAINS = [
    # group, parts, roots of the union
    ("trapezius", "trapezius_upper trapezius_middle trapezius_lower", "C3 C4"),
    ("hamstrings", "biceps_femoris semitendinosus semimembranosus", "L5 S1 S2"),
    ("rotator_cuff", "supraspinatus infraspinatus teres_minor subscapularis", "C5 C6"),
    ("quadriceps", "rectus_femoris vastus_lateralis vastus_medialis vastus_intermedius", "L2 L3 L4"),
    ("adductors", "adductor_longus gracilis", "L2 L3 L4"),
    ("erector_spinae", "iliocostalis longissimus spinalis", None),
]


@pytest.mark.parametrize("group, parts, roots", GROUP_CHAINS, ids=[g[0] for g in GROUP_CHAINS])
@pytest.mark.parametrize("side", ["left", "both"])
def test_group_selects_all_parts_and_unites_their_chains(small, group, parts, roots, side):
    sel = select_muscle(small, group, side)
    singles = [select_muscle(small, p, side) for p in parts.split()]
    assert tuple(m.id for m in sel.members) == tuple(parts.split())
    union_roots = [r for r in ROOTS if any(r in {x.root for x in s.roots} for s in singles)]
    assert [r.root for r in sel.roots] == union_roots
    if roots:
        assert union_roots == roots.split()
    for single in singles:
        assert set(single.highlight.structures) <= set(sel.highlight.structures)
        assert {m.muscle_id for m in single.multifidus} <= {m.muscle_id for m in sel.multifidus}
        assert {p.code for p in single.paraspinal} <= {p.code for p in sel.paraspinal}
        assert {p.code for p in single.local_points} <= {p.code for p in sel.local_points}
    assert not any(s == f"{group}_left" for s in sel.highlight.structures)   # the group has no mesh
    for link in sel.roots:
        assert any(m.name.lower() in link.reason for m in sel.members if link.root in m.roots)


def test_single_muscle_selection_has_itself_as_its_only_member(small):
    sel = select_muscle(small, "gluteus_medius", "left")
    assert sel.members == (sel.muscle,)
