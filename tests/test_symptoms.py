"""Tests of viewer.symptoms and the dermatome knowledge: classic patterns rank the expected root.

The expected roots are clinical facts written as tables (ISNCSCI 2019 key sensory points and key
muscles; Lee et al. 2008 dermatomes). Every position is taken from the real atlas's landmarks
(``assets/atlas/landmarks.json``) and moved onto its skin, never typed in as numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from viewer.atlas import load_atlas
from viewer.body_regions import skin_map
from viewer.knowledge import Level, load_knowledge
from viewer.symptoms import SymptomInputError, rank_muscles, rank_roots

from conftest import ASSETS


@pytest.fixture(scope="module")
def body():
    return skin_map(load_atlas(ASSETS))


@pytest.fixture(scope="module")
def k():
    return load_knowledge(ASSETS)


def on_skin(body, landmark, toward=None, fraction=None, side="left"):
    """A landmark (or a point part of the way to another) moved onto the skin."""
    return body.surface_level(Level(landmark, toward, fraction), side)


# ---------------------------------------------------------------------------------------------
# classic patterns

#: name, tingling marks (landmark, toward, fraction), weakness, expected first root
PATTERNS = [
    ("dorsum of the foot, weak long toe extensors", [("toe_web_2_3", "ankle_crease_anterior_mid", 0.5)],
     ["extensor_hallucis_longus"], "L5"),
    ("dorsum of the foot, weak long toe extensors (key muscle id)", [("toe_web_2_3", "ankle_crease_anterior_mid", 0.5)],
     ["long_toe_extensors"], "L5"),
    ("lateral heel, weak plantar flexion", [("heel", "lateral_malleolus", 0.4)], ["ankle_plantar_flexors"], "S1"),
    ("lateral heel, weak calf", [("heel", "lateral_malleolus", 0.4)], ["gastrocnemius"], "S1"),
    ("thumb", [("finger_tip_1", "metacarpal_1_mid", 0.3)], [], "C6"),
    ("middle finger", [("finger_tip_3", "mcp_interspace_2_3", 0.3)], [], "C7"),
    ("little finger", [("finger_tip_5", "metacarpal_5_head", 0.3)], [], "C8"),
    ("medial shin", [("tibia_medial_condyle", "medial_malleolus", 0.5)], [], "L4"),
    ("outer upper arm", [("deltoid_tuberosity", "lateral_epicondyle", 0.5)], [], "C5"),
    ("umbilicus", [("umbilicus", None, None)], [], "T10"),
    ("back of the knee", [("popliteal_crease_mid", None, None)], [], "S2"),
]


@pytest.mark.parametrize("name, marks, weakness, expected", PATTERNS, ids=[p[0] for p in PATTERNS])
@pytest.mark.parametrize("side", ["left", "right"])
def test_classic_patterns_rank_the_expected_root_first(k, body, name, marks, weakness, expected, side):
    tingling = [on_skin(body, *m, side=side) for m in marks]
    found = rank_roots(k, body, tingling=tingling, weakness=weakness)
    best = found[0]
    assert best.root == expected, [(c.root, c.side, c.score) for c in found[:4]]
    wanted_side = "both" if abs(tingling[0][0]) <= 8 else side
    assert best.side == wanted_side
    assert not best.tied_with and not best.weak
    assert all(c.score < best.score for c in found[1:])
    text = " ".join(best.reasons)
    assert f"{expected} dermatome" in text and "Lee 2008" in text
    if weakness:
        assert "ISNCSCI" in text


@pytest.mark.parametrize(
    "marks, roots, where",
    [([("finger_tip_2", "metacarpal_2_head", 0.3)], ("C6", "C7"), "index finger"),
     ([("finger_tip_4", "mcp_interspace_4_5", 0.3)], ("C7", "C8"), "ring finger")],
)
def test_shared_territory_is_said_and_tied(k, body, marks, roots, where):
    found = rank_roots(k, body, tingling=[on_skin(body, *m) for m in marks])
    top = found[:2]
    assert {c.root for c in top} == set(roots)
    assert top[0].score == top[1].score
    for c in top:
        other = (set(roots) - {c.root}).pop()
        assert c.tied_with == (f"{other} left",)
        text = " ".join(c.reasons)
        assert "overlap" in text and other in text and where in text and "Tied with" in text


def test_a_muscle_test_breaks_the_tie(k, body):
    index = on_skin(body, "finger_tip_2", "metacarpal_2_head", 0.3)
    found = rank_roots(k, body, tingling=[index], weakness=["elbow_extensors"])
    assert found[0].root == "C7" and not found[0].tied_with


@pytest.mark.parametrize(
    "weak, root",
    [("elbow_flexors", "C5"), ("wrist_extensors", "C6"), ("elbow_extensors", "C7"), ("finger_flexors", "C8"),
     ("little_finger_abductors", "T1"), ("hip_flexors", "L2"), ("knee_extensors", "L3"),
     ("ankle_dorsiflexors", "L4"), ("long_toe_extensors", "L5"), ("ankle_plantar_flexors", "S1"),
     # a muscle that is (part of) a key muscle counts most for the key level
     ("biceps_brachii", "C5"), ("extensor_carpi_radialis_longus", "C6"), ("triceps_brachii", "C7"),
     ("flexor_digitorum_superficialis", "C8"), ("psoas_major", "L2"), ("rectus_femoris", "L3"),
     ("tibialis_anterior", "L4"), ("extensor_hallucis_longus", "L5"), ("soleus", "S1"),
     ("quadriceps", "L3")],
)
def test_isncsci_key_muscles_point_to_their_root(k, body, weak, root):
    found = rank_roots(k, body, weakness=[weak])
    assert found[0].root == root and found[0].side == "both"
    assert "ISNCSCI 2019" in " ".join(found[0].reasons)


def test_every_key_muscle_names_atlas_muscles_of_its_root(k):
    assert len(k.key_muscles) == 10
    for key in k.key_muscles:
        for m in key.muscles:
            assert key.root in k.muscle(m).roots, (key.id, m)


def test_weakness_side_follows_the_suffix_and_joins_the_marks(k, body):
    foot = on_skin(body, "toe_web_2_3", "ankle_crease_anterior_mid", 0.5, side="right")
    found = rank_roots(k, body, tingling=[foot], weakness=["extensor_hallucis_longus_right"])
    assert (found[0].root, found[0].side) == ("L5", "right")
    assert found[0].score == max(c.score for c in found)
    assert not any(c.side == "left" for c in found)


def test_pain_counts_less_than_tingling_and_is_called_weak(k, body):
    shin = on_skin(body, "tibia_medial_condyle", "medial_malleolus", 0.5)
    (pain,) = [c for c in rank_roots(k, body, pain=[shin]) if c.root == "L4"]
    (tingle,) = [c for c in rank_roots(k, body, tingling=[shin]) if c.root == "L4"]
    assert pain.score < tingle.score
    assert pain.weak and "Weak evidence" in pain.reasons[-1] and "weaker sign" in pain.reasons[0]


def test_no_input_gives_an_empty_answer(k, body):
    assert rank_roots(k, body) == ()
    assert rank_roots(k, body, pain=[], tingling=(), weakness=[]) == ()
    assert rank_muscles(k, body) == ()


@pytest.mark.parametrize(
    "kwargs, words",
    [({"tingling": "far"}, ["tingling[1]", "from the skin"]),
     ({"pain": "far"}, ["pain[1]", "from the skin"]),
     ({"weakness": ["gluteus_quintus"]}, ["weakness[0]", "gluteus_quintus", "long_toe_extensors"]),
     ({"weakness": ["tibialis_anterior", ""]}, ["weakness[1]"]),
     ({"weakness": "tibialis_anterior"}, ["one string"]),
     ({"tingling": [(1.0, 2.0)]}, ["tingling", "(x, y, z)"]),
     ({"pain": [(0.0, float("nan"), 1000.0)]}, ["pain[0]", "finite"]),
     ({"tingling": "not a list"}, ["tingling"])],
)
def test_bad_input_is_a_clear_error_naming_it(k, body, kwargs, words):
    if kwargs.get("tingling") == "far" or kwargs.get("pain") == "far":
        key = "tingling" if "tingling" in kwargs else "pain"
        thumb = on_skin(body, "finger_tip_1")
        kwargs = {key: [thumb, thumb + np.array([0.0, -400.0, 0.0])]}
    with pytest.raises(SymptomInputError) as err:
        rank_roots(k, body, **kwargs)
    for w in words:
        assert w in str(err.value)


def test_rank_muscles_rejects_a_far_mark(k, body):
    with pytest.raises(SymptomInputError, match=r"pain\[0\]"):
        rank_muscles(k, body, pain=[on_skin(body, "vertex") + np.array([0.0, 0.0, 300.0])])


# ---------------------------------------------------------------------------------------------
# muscles under and referring to a painted area


@pytest.mark.parametrize(
    "mark, under, referring",
    [(("iliac_crest_top", "psis", 0.5), "gluteus_medius", "quadratus_lumborum"),
     (("gastrocnemius_origin_1", "achilles_tendon_ankle", 0.4), "gastrocnemius", None),
     (("greater_trochanter", "femur_lateral_epicondyle", 0.5), "vastus_lateralis", "gluteus_minimus")],
)
def test_rank_muscles_finds_the_muscle_under_and_those_referring_there(k, body, mark, under, referring):
    found = rank_muscles(k, body, pain=[on_skin(body, *mark)])
    ids = [c.muscle for c in found]
    assert under in ids[:4], ids[:6]
    (c,) = [c for c in found if c.muscle == under]
    assert c.side == "left" and any("lies under the pain" in r for r in c.reasons)
    if referring:
        (r,) = [c for c in found if c.muscle == referring]
        assert any("refer pain" in x and "Travell & Simons" in x for x in r.reasons)




@pytest.mark.parametrize("mark, side, place", [
    (("greater_trochanter", "S2_median_crest", 0.45), "left", "the left buttock"),
    (("iliac_crest_top", "T12_spinous_tip", 0.5), "right", "the right lower back"),
    (("umbilicus", None, None), "left", "the belly"),
    (("sternal_angle", None, None), "left", "the chest"),
    (("toe_web_2_3", "ankle_crease_anterior_mid", 0.5), "right", "the right foot"),
    (("finger_tip_1", "metacarpal_1_mid", 0.3), "left", "the left thumb"),
])
def test_mark_places_say_where_in_plain_words(body, mark, side, place):
    from viewer.symptoms import mark_places

    assert mark_places(body, [on_skin(body, *mark, side=side)]) == (place,)


def test_mark_places_refuse_a_mark_far_from_the_body(body):
    from viewer.symptoms import mark_places

    assert mark_places(body, []) == ()
    with pytest.raises(SymptomInputError, match=r"marks\[1\]"):
        mark_places(body, [on_skin(body, "umbilicus"), [0.0, 0.0, 4000.0]])
