"""The story of a compressed root (viewer/scene/story.py): which disc, which roots, which muscles,
the captions and the view message. Pure tables on the shipped knowledge."""

from __future__ import annotations

import json
import math

import pytest

from viewer.scene import story as st
from viewer.selection import root_exit

# level -> (disc under it, roots leaving through the foramen beside it, root crossing the disc)
# Anatomy: cervical roots leave above their vertebra, C8 between C7 and T1, thoracic and lumbar
# roots below theirs; a lumbar posterolateral bulge catches the next root down.
SPACES = [
    ("C2", "disc_C2_C3", ("C3",), None),
    ("C5", "disc_C5_C6", ("C6",), None),
    ("C6", "disc_C6_C7", ("C7",), None),
    ("C7", "disc_C7_T1", ("C8",), None),
    ("T1", "disc_T1_T2", ("T1",), "T2"),
    ("T6", "disc_T6_T7", ("T6",), "T7"),
    ("T12", "disc_T12_L1", ("T12",), "L1"),
    ("L1", "disc_L1_L2", ("L1",), "L2"),
    ("L4", "disc_L4_L5", ("L4",), "L5"),
    ("L5", "disc_L5_S1", ("L5",), "S1"),
]


@pytest.mark.parametrize("level, disc, exiting, traversing", SPACES)
def test_level_gives_disc_exiting_and_traversing_roots(real, level, disc, exiting, traversing):
    assert st.disc_below(level) == disc
    assert st.exiting_roots(level) == exiting
    assert st.traversing_root(level) == traversing
    story = st.story_for_level(real, level)
    assert (story.disc, story.exiting, story.traversing) == (disc, exiting, traversing)
    assert story.pinched == exiting[-1] and story.model == "exiting"
    assert story.upper == level


@pytest.mark.parametrize("level, lower", [("C7", "T1"), ("T12", "L1"), ("L4", "L5"), ("L5", "sacrum")])
def test_bone_below_the_disc(real, level, lower):
    assert st.story_for_level(real, level).lower == lower


@pytest.mark.parametrize("level", ["occiput", "C1", "S1", "S4", "Co"])
def test_levels_without_a_disc_have_no_story(real, level):
    assert st.disc_below(level) is None
    assert st.story_for_level(real, level) is None
    assert level in st.no_story_reason(level=level)


def test_unknown_level_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="L6"):
        st.disc_below("L6")


@pytest.mark.parametrize("root, disc, model", [
    ("C3", "disc_C2_C3", "exiting"),
    ("C6", "disc_C5_C6", "exiting"),
    ("C8", "disc_C7_T1", "exiting"),
    ("T1", "disc_T1_T2", "exiting"),
    ("L4", "disc_L4_L5", "exiting"),
    ("L5", "disc_L5_S1", "exiting"),
    ("S1", "disc_L5_S1", "traversing"),
])
def test_root_story_uses_the_disc_at_its_own_foramen(real, root, disc, model):
    story = st.story_for_root(real, root)
    assert (story.disc, story.pinched, story.model) == (disc, root, model)


@pytest.mark.parametrize("root", ["C1", "C2", "S2", "S5", "Co1"])
def test_roots_that_leave_without_a_disc_have_no_story(real, root):
    assert st.story_for_root(real, root) is None


def test_every_exiting_story_agrees_with_the_selection_exit_rule(real):
    from viewer.knowledge import ROOTS

    for root in ROOTS:
        story = st.story_for_root(real, root)
        if story is None or story.model != "exiting":
            continue
        exit_ = root_exit(root)
        assert story.level == exit_.level
        assert exit_.foramen.startswith(story.space), (root, exit_.foramen, story.space)


@pytest.mark.parametrize("root", ["C6", "C8", "T6", "L4", "L5", "S1"])
def test_muscles_of_the_story_are_the_roots_muscles_in_the_knowledge_base(real, root):
    story = st.story_for_root(real, root)
    expected = [m.id for m in real.muscles_with_root(root)]
    assert list(story.muscles) == expected and expected


def test_l4_story_tints_the_quadriceps_and_not_the_calf(real):
    muscles = st.story_for_level(real, "L4").muscles
    assert {"vastus_lateralis", "rectus_femoris"} <= set(muscles)
    assert "gastrocnemius" not in muscles


@pytest.mark.parametrize("level", ["C5", "C7", "T6", "L4", "L5"])
def test_captions_walk_through_the_stages_and_name_level_and_root(real, level):
    story = st.story_for_level(real, level)
    assert [c.stage for c in story.captions] == [s for s, _ in st.STAGES]
    assert [c.at for c in story.captions] == [a for _, a in st.STAGES]
    text = " ".join(c.text for c in story.captions)
    assert story.space in text
    assert f"{story.pinched} root" in text or f"{story.pinched} nerve root" in text
    for c in story.captions:
        assert c.title and c.text and "<" not in c.text + c.title


def test_muscle_caption_names_muscles_of_the_root(real):
    story = st.story_for_level(real, "C5")
    caption = next(c for c in story.captions if c.stage == "muscles").text
    names = {real.muscle(m).name.lower() for m in story.muscles}
    assert sum(n in caption.lower() for n in names) >= 2


def test_lumbar_note_names_the_other_model(real):
    story = st.story_for_level(real, "L4")
    assert "foraminal" in story.note and "L5" in story.note and "L4" in story.note
    s1 = st.story_for_root(real, "S1")
    assert "L5" in s1.note and "S1" in s1.note


def test_cervical_notes_say_roots_leave_above_and_c8_at_c7_t1(real):
    assert "above" in st.story_for_level(real, "C5").note
    assert "C6" in st.story_for_level(real, "C5").note
    assert "C7 and T1" in st.story_for_level(real, "C7").note


def test_every_cited_source_exists(real):
    from viewer.knowledge import ROOTS

    known = {s.id for s in real.sources}
    for root in ROOTS:
        story = st.story_for_root(real, root)
        if story is None:
            continue
        cited = set(story.sources) | {s for c in story.captions for s in c.sources}
        assert cited <= known, cited - known
        assert "gray42" in story.sources
        if story.level[0] == "L":
            assert "bogduk2005" in story.sources


def test_muscle_offers_the_levels_of_its_roots(real):
    roots = st.story_roots_of_muscle(real, "gluteus_medius")
    assert set(roots) <= set(real.muscle("gluteus_medius").roots) and "L5" in roots
    assert st.story_for(real, muscle="gluteus_medius").pinched == roots[0]
    assert st.story_for(real, muscle="gluteus_medius", choice=roots[-1]).pinched == roots[-1]
    assert st.story_for(real, muscle="gluteus_medius", choice="C5").pinched == roots[0]


def test_story_for_prefers_muscle_then_root_then_level(real):
    assert st.story_for(real, muscle="deltoid", root="L4", level="T6").pinched in ("C5", "C6")
    assert st.story_for(real, root="L4", level="T6").pinched == "L4"
    assert st.story_for(real, level="T6").pinched == "T6"
    assert st.story_for(real) is None


@pytest.mark.parametrize("amount, opening, stage", [
    (0.0, False, None), (0.0, True, None), (0.04, False, "healthy"), (0.05, False, "narrowing"),
    (0.44, False, "narrowing"), (0.45, False, "pinched"), (0.79, False, "pinched"),
    (0.8, False, "muscles"), (1.0, False, "muscles"), (0.6, True, "recovery"),
])
def test_stage_at(amount, opening, stage):
    assert st.stage_at(amount, opening) == stage


@pytest.mark.parametrize("amount", [-0.1, 1.5, math.nan])
def test_stage_at_rejects_amounts_outside_0_1(amount):
    with pytest.raises(ValueError):
        st.stage_at(amount)


def test_caption_at_returns_the_stage_caption(real):
    story = st.story_for_level(real, "L4")
    assert st.caption_at(story, 0.5).stage == "pinched"
    assert st.caption_at(story, 0.0) is None


def test_column_above_holds_what_sits_on_the_space(real):
    story = st.story_for_level(real, "L4")
    above = st.column_above(story)
    assert {"C1", "T12", "L4", "disc_L3_L4", "skull", "root_L3_left", "root_C8_right"} <= set(above)
    assert not {"L5", "disc_L4_L5", "root_L4_left", "root_L5_left", "sacrum"} & set(above)


def _ids(names):
    return {a: i for i, a in enumerate(names, start=100)}


def test_view_message_carries_ids_and_numbers(real):
    story = st.story_for_level(real, "L4")
    names = ["disc_L4_L5", "L4", "L5", "L3", "root_L4_left", "root_L4_right", "vastus_lateralis_left",
             "vastus_lateralis_right", "gastrocnemius_left"]
    ids = _ids(names)
    landmarks = {"L4_foramen_left": (17.25, 0.5, 1076.0), "L4_body_center": (0, -15, 1094),
                 "L5_body_center": (0, -12, 1050)}
    msg = st.view_message(story, ids, landmarks, ["left"], amount=1.7, play=3)
    assert msg["disc"] == ids["disc_L4_L5"] and msg["upper"] == ids["L4"] and msg["lower"] == ids["L5"]
    assert msg["roots"] == [{"id": ids["root_L4_left"], "at": [17.25, 0.5, 1076.0]}]
    assert msg["muscles"] == [ids["vastus_lateralis_left"]]
    assert ids["L3"] in msg["above"] and ids["L5"] not in msg["above"]
    assert msg["amount"] == 1.0 and msg["play"] == 3
    assert math.isclose(sum(v * v for v in msg["axis"]), 1.0, rel_tol=1e-3) and msg["axis"][2] > 0.9
    assert [c["stage"] for c in msg["captions"]] == [s for s, _ in st.STAGES]
    assert len(json.dumps(msg)) < 8000


def test_view_message_without_landmarks_leaves_the_estimates_to_the_view(real):
    story = st.story_for_root(real, "S1")
    msg = st.view_message(story, _ids(["disc_L5_S1", "root_S1_left", "root_S1_right"]), {}, ["left", "right"])
    assert msg["axis"] is None and [r["at"] for r in msg["roots"]] == [None, None]
    assert st.view_message(None, {}, {}, ["left"]) == {}


@pytest.mark.parametrize("sides, preset", [(["left"], "story_left"), (["right"], "story_right"),
                                           (["left", "right"], "story_left")])
def test_view_message_frames_the_space_from_the_pinched_side(real, sides, preset):
    from viewer.scene import CAMERAS

    story = st.story_for_level(real, "L4")
    msg = st.view_message(story, _ids(["disc_L4_L5", "root_L4_left", "root_L4_right"]), {}, sides)
    assert tuple(msg["view"]) == CAMERAS[preset].direction
    # seen from the subject's side of that root (+X is the subject's left)
    assert (msg["view"][0] > 0) == (preset == "story_left")


def test_captions_call_the_sacrum_a_sacrum(real):
    for story in (st.story_for_level(real, "L5"), st.story_for_root(real, "S1")):
        healthy = story.captions[0].text
        assert "the L5 vertebra and the sacrum" in healthy and "sacrum vertebrae" not in healthy
    assert "behind" in st.story_for_root(real, "S1").captions[0].text
