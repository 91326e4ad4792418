"""Pure parts of the app behind the modes, the reverse chain, deep links, layers and the quiz:
tables of inputs and expected outputs, no browser."""

from __future__ import annotations

import re

import pytest

from viewer.app import info, quiz
from viewer.app.data import Placement
from viewer.app.main import level_of_structure
from viewer.app.state import LINK_KEYS, parse_query, query_for
from viewer.scene import (
    DEFAULT_LAYERS, OVERLAY_LAYERS, StructureInfo, compose_scene, marker_specs, structure_label, structure_labels,
    view_styles,
)
from viewer.selection import select_level, select_muscle, select_point, select_root


@pytest.fixture(scope="module")
def data(synthetic_data):
    return synthetic_data


@pytest.fixture(scope="module")
def k(synthetic_data):
    return synthetic_data.knowledge


STRUCTURES = [
    StructureInfo(104, "L4", "bone", "Vertebra L4"),
    StructureInfo(448, "root_L5_left", "nerve_root", "L5 root (left)"),
    StructureInfo(1068, "gluteus_medius_left", "muscle", "Gluteus medius (left)"),
    StructureInfo(1069, "gluteus_medius_right", "muscle", "Gluteus medius (right)"),
    StructureInfo(2044, "multifidus_L4_left", "muscle", "Multifidus L4 (left)"),
    StructureInfo(9000, "skin", "skin", "Skin"),
]


# --- deep links ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, values, n_notes", [
    ({}, {}, 0),
    ({"muscle": "gluteus_medius", "side": "left", "mode": "student", "view": "posterior"},
     {"muscle": "gluteus_medius", "side": "left", "mode": "student", "view": "posterior"}, 0),
    ({"muscle": "Gluteus medius"}, {"muscle": "gluteus_medius"}, 0),          # a name works too
    ({"muscle": "trapezius"}, {"muscle": "trapezius"}, 0),                    # a group: every part
    ({"muscle": "erector spinae"}, {"muscle": "erector_spinae"}, 0),
    ({"muscle": "Hamstrings", "side": "right"}, {"muscle": "hamstrings", "side": "right"}, 0),
    ({"level": "L4", "mode": "patient"}, {"level": "L4", "mode": "patient"}, 0),
    ({"root": "C8"}, {"root": "C8"}, 0),
    ({"point": "GV3", "muscle": "gluteus_medius"}, {"point": "GV3", "muscle": "gluteus_medius"}, 0),
    ({"isolate": "1"}, {"isolate": True}, 0),
    ({"isolate": "off"}, {"isolate": False}, 0),
    ({"muscle": "<script>alert(1)</script>"}, {}, 1),
    ({"mode": "<img src=x onerror=alert(1)>", "view": "up"}, {}, 2),
    ({"side": "middle", "level": "L9", "root": "X1", "point": "ZZ99"}, {}, 4),
    ({"muscle": "x" * 500}, {}, 1),                                             # too long
    ({"muscle": "gluteus_medius", "level": "L4"}, {"muscle": "gluteus_medius"}, 1),  # two subjects
    ({"muscle": "   "}, {}, 0),
    ({"utm_source": "mail"}, {}, 0),                                            # unknown keys ignored
    ({"muscle": "gluteus_medius", "technique": "gua_sha_gluteal"},
     {"muscle": "gluteus_medius", "technique": "gua_sha_gluteal"}, 0),
    ({"muscle": "gluteus_medius", "technique": "no_such_technique"}, {"muscle": "gluteus_medius"}, 1),
])
def test_parse_query(k, args, values, n_notes):
    got, notes = parse_query(args, k)
    assert got == values
    assert len(notes) == n_notes, notes


def test_parse_query_notes_quote_the_value_as_text(k):
    _, notes = parse_query({"muscle": "<script>alert(1)</script>"}, k)
    assert notes[0].startswith("Unknown muscle") and "<script>" in notes[0]   # escaped later, in HTML
    html = info.notes_html(notes)
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("state, query", [
    ({}, ""),
    ({"mode": "patient"}, "?side=left&mode=patient&view=posterior"),
    ({"muscle": "gluteus_medius", "side": "left", "mode": "student", "view": "posterior"},
     "?muscle=gluteus_medius&side=left&mode=student&view=posterior"),
    ({"muscle": "gluteus_medius", "point": "GV3", "isolate": True},
     "?muscle=gluteus_medius&point=GV3&side=left&mode=student&view=posterior&isolate=1"),
    ({"level": "L4", "view": "oblique"}, "?level=L4&side=left&mode=student&view=oblique"),
    ({"muscle": "gluteus_medius", "technique": "gua_sha_gluteal", "mode": "practitioner"},
     "?muscle=gluteus_medius&technique=gua_sha_gluteal&side=left&mode=practitioner&view=posterior"),
])
def test_query_for(state, query):
    assert query_for(**state) == query


def test_query_round_trips(k):
    q = query_for(muscle="gluteus_medius", point="GV3", side="right", mode="practitioner", view="left", isolate=True,
                  technique="gua_sha_gluteal")
    args = dict(pair.split("=") for pair in q[1:].split("&"))
    values, notes = parse_query(args, k)
    assert notes == [] and values == {"muscle": "gluteus_medius", "point": "GV3", "side": "right",
                                      "mode": "practitioner", "view": "left", "isolate": True,
                                      "technique": "gua_sha_gluteal"}
    assert set(args) <= set(LINK_KEYS)


# --- layers, isolate, labels ---------------------------------------------------------------------

def test_isolate_hides_everything_not_highlighted():
    out = view_styles(["gluteus_medius_left"], STRUCTURES, isolate=True)
    assert out["isolate"] is True
    assert all(not v["visible"] for kind, v in out["kinds"].items() if kind not in OVERLAY_LAYERS)
    assert out["kinds"]["points"]["visible"] and out["ids"]["1068"]["visible"]


def test_isolate_without_a_selection_changes_nothing():
    assert view_styles([], STRUCTURES, isolate=True)["kinds"] == view_styles([], STRUCTURES)["kinds"]


@pytest.mark.parametrize("layer, value, kind, expected", [
    ("bone", {"visible": False, "opacity": 1.0}, "bone", {"visible": False, "opacity": 1.0}),
    ("points", {"visible": False, "opacity": 1.0}, "points", {"visible": False, "opacity": 1.0}),
    ("meridians", {"visible": True, "opacity": 0.4}, "meridians", {"visible": True, "opacity": 0.4}),
    ("skin", {"visible": True, "opacity": 0.6}, "skin", {"visible": True, "opacity": 0.6}),
])
def test_layers_reach_the_message(layer, value, kind, expected):
    layers = {**DEFAULT_LAYERS, layer: value}
    assert view_styles([], STRUCTURES, layers)["kinds"][kind] == expected


def test_overlays_do_not_fade_with_a_selection():
    out = view_styles(["L4"], STRUCTURES)
    assert out["kinds"]["points"]["opacity"] == DEFAULT_LAYERS["points"]["opacity"]


def test_labels_follow_the_switch():
    labels = {"gluteus_medius_left": "Gluteus medius"}
    assert view_styles(["gluteus_medius_left"], STRUCTURES, labels=labels)["ids"]["1068"]["label"] == "Gluteus medius"
    off = view_styles(["gluteus_medius_left"], STRUCTURES, labels=labels, show_labels=False)
    assert "label" not in off["ids"]["1068"] and off["labels"] is False


@pytest.mark.parametrize("structure, label", [
    (StructureInfo(1, "L4", "bone", "Vertebra L4"), "L4"),
    (StructureInfo(2, "root_L5_left", "nerve_root", "L5 root (left)"), "L5 root"),
    (StructureInfo(3, "multifidus_L4_left", "muscle", "Multifidus L4 (left)"), "Multifidus L4"),
    (StructureInfo(4, "gluteus_medius_right", "muscle", "Gluteus medius (right)"), "Gluteus medius"),
    (StructureInfo(5, "sacrum", "bone", "Sacrum"), "Sacrum"),
])
def test_structure_label(structure, label):
    assert structure_label(structure) == label


def test_patient_mode_labels_only_the_chosen_structure():
    hl = ["gluteus_medius_left", "root_L5_left", "L4", "multifidus_L4_left"]
    patient = structure_labels(hl, STRUCTURES, "patient", ["gluteus_medius_left"])
    assert patient == {"gluteus_medius_left": "Gluteus medius"}
    student = structure_labels(hl, STRUCTURES, "student", ["gluteus_medius_left"])
    assert set(student) == {"gluteus_medius_left", "root_L5_left", "L4"}   # multifidus: by colour


def test_markers_emphasis_and_patient_codes():
    positions = {("GV3", "midline"): (0, 1, 2), ("BL25", "left"): (1, 1, 2)}
    out = marker_specs(["BL25", "GV3"], ["left"], positions, emphasis="GV3", show_codes=False)
    assert [m["label"] for m in out] == ["", ""]
    assert out[1]["selected"] is True and out[1]["radius"] > 7 and "selected" not in out[0]


# --- scenes: the forward and the reverse chain ------------------------------------------------------

def test_scene_of_a_muscle(k):
    scene = compose_scene(k, muscle="gluteus_medius", side="left")
    assert scene.primary == ("gluteus_medius_left",)
    assert {"root_L5_left", "L4", "multifidus_L4_left"} <= set(scene.structures)
    assert "GV3" in scene.points and scene.emphasis is None


def test_scene_of_a_muscle_group_lights_every_part(k):
    scene = compose_scene(k, muscle="trapezius", side="left")
    assert scene.primary == ("trapezius_upper_left", "trapezius_middle_left", "trapezius_lower_left")
    assert set(scene.primary) | {"root_C3_left", "root_C4_left"} <= set(scene.structures)


def test_scene_of_a_level(k):
    scene = compose_scene(k, level="L4", side="left")
    assert type(scene.subject).__name__ == "LevelSelection"
    assert scene.structures[0] == "L4" and "root_L4_left" in scene.structures
    assert "GV3" in scene.points and "BL25" in scene.points


def test_scene_of_a_root(k):
    scene = compose_scene(k, root="L5", side="right")
    assert scene.primary == ("root_L5_right",)
    assert "gluteus_medius_right" in scene.structures and "gluteus_medius_left" not in scene.structures


def test_scene_of_a_point_keeps_the_subject_points(k):
    scene = compose_scene(k, muscle="gluteus_medius", point="GV3", side="left")
    assert scene.emphasis == "GV3" and scene.point.point.code == "GV3"
    assert "BL25" in scene.points                      # the chain's markers stay clickable
    assert all(not a.endswith("_right") for a in scene.structures)


@pytest.mark.parametrize("acronym, kind, level", [
    ("L4", "bone", "L4"), ("C1", "bone", "C1"), ("T12", "bone", "T12"), ("sacrum", "bone", "S1"),
    ("coccyx", "bone", "Co"), ("disc_L4_L5", "disc", "L4"), ("disc_L5_S1", "disc", "L5"),
    ("disc_C2_C3", "disc", "C2"), ("femur_left", "bone", None), ("skull", "bone", None),
])
def test_level_of_structure(acronym, kind, level):
    assert level_of_structure(acronym, kind) == level


# --- modes in the info panel --------------------------------------------------------------------------

CODE = re.compile(r"\b(BL\d+|GV\d+|EX-B2-L\d)\b")


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_patient_mode_has_no_codes_and_tells_the_story(k):
    sel = select_muscle(k, "gluteus_medius", "left")
    html = info.selection_html(sel, k, "patient", ["GV3"])
    assert not CODE.search(_text(html)), CODE.findall(_text(html))
    assert sel.muscle.plain_language in _text(html).replace("  ", " ") or "fan-shaped" in html
    story = info.patient_story(sel)
    assert 3 <= len(story) <= 4 and "L4" in story[0] and "S1" in story[0]
    assert "rx-mode-patient" in html and info.NOTICE in html


def test_practitioner_mode_shows_depths_sources_and_disagreements(k):
    html = info.selection_html(select_muscle(k, "gluteus_medius", "left"), k, "practitioner", ["GV3"])
    text = _text(html)
    for needle in ("cun deep", "Sources", "Sources disagree", "StatPearls", "Why each link", "Location."):
        assert needle in text, needle
    assert "rx-quiz" not in html


def test_student_mode_shows_the_quiz(k):
    card = quiz.start(k, "gluteus_medius")
    html = info.selection_html(select_muscle(k, "gluteus_medius", "left"), k, "student", [], quiz=card)
    assert "Test yourself" in html and html.count('data-action="answer"') == len(card.question.choices)
    assert "cun deep" not in html


@pytest.mark.parametrize("mode", ["patient", "student", "practitioner"])
def test_every_listed_point_shows_its_cautions(k, mode):
    sel = select_level(k, "L4", "left")
    html = info.level_html(sel, k, mode, [])
    rows = html.split('<li class="rx-point">')[1:]
    assert rows and len(rows) == len(sel.points)
    for row, link in zip(rows, sel.points):
        point = k.point(link.code)
        if point.cautions:
            assert row.count('class="rx-caution"') == len(point.cautions)
        else:
            assert "rx-caution-none" in row


@pytest.mark.parametrize("mode", ["patient", "student", "practitioner"])
def test_point_card_cautions_and_placement(k, mode):
    sel = select_point(k, "GV3")
    places = {"midline": Placement("placed_checked")}
    html = info.point_html(sel, k, mode, places, back=("muscle", "Gluteus medius"))
    text = _text(html)
    assert "Cautions" in text and "Spinal canal" in text and "placed and checked" in text
    assert ("GV3" in text) == (mode != "patient")
    if mode != "patient":
        assert "cun deep" in text and "Sources" in text and "L4" in text


@pytest.mark.parametrize("placements, words", [
    ({}, "not placed: this body has no point placements yet"),
    ({"left": Placement("placed"), "right": Placement("not_placed", "landmark missing")},
     "left: placed right: not placed: landmark missing"),
    ({"midline": Placement("placed_checked")}, "placed and checked"),
])
def test_placement_words(placements, words):
    assert " ".join(_text(info.placement_html(placements)).split()) == words


def test_level_and_root_views_link_muscles(k):
    html = info.level_html(select_level(k, "L4", "left"), k, "student", [])
    assert 'data-action="muscle" data-value="gluteus_medius"' in html
    assert 'data-action="root" data-value="L4"' in html
    html = info.root_html(select_root(k, "L5", "left"), k, "student", [])
    assert "L5 nerve root" in html and 'data-action="muscle" data-value="gluteus_medius"' in html


# --- the quiz -----------------------------------------------------------------------------------------

def test_roots_question_right_answer_and_fair_distractors(k):
    import random

    q = quiz.roots_question(k, "gluteus_medius", random.Random(1))
    assert q.choices[q.answer] == "L4, L5, S1"
    published = {", ".join(a.roots) for a in k.muscle("gluteus_medius").roots_alt}
    wrong = [c for i, c in enumerate(q.choices) if i != q.answer]
    assert len(set(q.choices)) == len(q.choices) == quiz.CHOICES and not set(wrong) & published
    assert "StatPearls" in q.explanation


def test_level_question(k):
    import random

    q = quiz.level_question(k, "BL25", random.Random(2))
    assert q.choices[q.answer] == "L4" and len(set(q.choices)) == quiz.CHOICES
    with pytest.raises(ValueError):
        quiz.level_question(k, "GB30", random.Random(2))   # a limb point has no level


@pytest.mark.parametrize("choices, asked", [((0,), 1), ((0, 1), 1), ((2, 2, 0), 1)])
def test_answer_scores_once(k, choices, asked):
    card = quiz.start(k, "gluteus_medius")
    for c in choices:
        card = quiz.answer(card, c)
    assert card.asked == asked and card.score == int(card.question.answer == choices[0])


def test_right_and_wrong_answers_and_next_card(k):
    card = quiz.start(k, "gluteus_medius")
    right = quiz.answer(card, card.question.answer)
    assert right.correct and right.score == 1
    nxt = quiz.next_card(k, right)
    assert nxt.number == 1 and nxt.chosen is None and nxt.score == 1
    wrong = quiz.answer(nxt, (nxt.question.answer + 1) % len(nxt.question.choices))
    assert not wrong.correct and (wrong.score, wrong.asked) == (1, 2)
    html = info.quiz_html(wrong)
    assert "Not quite" in html and "Score 1 / 2" in html and "rx-wrong" in html and "rx-right" in html
    with pytest.raises(ValueError):
        quiz.answer(nxt, 9)


def test_quiz_follows_the_selection(k):
    card = quiz.start(k)
    assert quiz.focus(k, card, muscle_id="quadratus_lumborum").question.subject == "quadratus_lumborum"
    assert quiz.focus(k, card, point_code="BL25").question.subject == "BL25"
    answered = quiz.answer(card, 0)
    assert quiz.focus(k, answered, muscle_id="quadratus_lumborum") is answered


def test_questions_are_deterministic(k):
    assert quiz.make_question(k, 5) == quiz.make_question(k, 5)
