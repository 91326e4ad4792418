"""The symptom marks of the app: the fragment format (strict, every bad entry named), the view's
markers, and the consultation panel's HTML (escaped, the notice always, reasons for practitioners)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from viewer.app.symptoms_ui import (
    MARK_COLOURS, MAX_MARKS, Mark, format_marks, mark_markers, parse_marks, symptoms_html,
)
from viewer.symptoms import MuscleCandidate, RootCandidate

KEYS = {"long_toe_extensors", "elbow_flexors"}


def test_marks_round_trip_through_the_fragment():
    marks = (Mark("pain", (12, -40, 900)), Mark("tingling", (-80, 30, 60)))
    text = format_marks(marks, ["long_toe_extensors"])
    assert parse_marks(text, KEYS) == (marks, ("long_toe_extensors",), [])


@pytest.mark.parametrize("entry, why", [
    ("p:1,2", "three whole numbers"),
    ("t:1,2,x", "three whole numbers"),
    ("p:1.5,2,3", "three whole numbers"),
    ("w:made_up", "no key muscle"),
    ("q:1,2,3", "the kind must be"),
    ("<script>", "the kind must be"),
])
def test_a_bad_entry_is_named_and_the_rest_kept(entry, why):
    marks, weak, notes = parse_marks(f"p:1,2,3;{entry};w:elbow_flexors", KEYS)
    assert marks == (Mark("pain", (1, 2, 3)),) and weak == ("elbow_flexors",)
    assert len(notes) == 1 and "entry 2" in notes[0] and why in notes[0]


def test_a_link_keeps_a_bounded_number_of_marks():
    marks, _, notes = parse_marks(";".join(["p:1,2,3"] * (MAX_MARKS + 2)), KEYS)
    assert len(marks) == MAX_MARKS and len(notes) == 2


def test_marks_are_markers_coloured_by_kind():
    out = mark_markers([Mark("pain", (1, 2, 3)), Mark("tingling", (4, 5, 6))])
    assert [m["code"] for m in out] == ["mark-1", "mark-2"]
    assert [m["color"] for m in out] == [MARK_COLOURS["pain"], MARK_COLOURS["tingling"]]
    assert out[1]["position"] == [4.0, 5.0, 6.0]
    assert [m["label"] for m in out] == ["P1", "T1"]            # as the reasons number them
    assert [m["label"] for m in mark_markers([Mark("pain", (1, 2, 3))], show_labels=False)] == [""]


def _knowledge():
    muscle = SimpleNamespace(name="<b>Gluteus</b> medius")
    key = SimpleNamespace(name="long toe <extensors>")
    return SimpleNamespace(muscle=lambda _id: muscle, key_muscle=lambda _id: key)


ROOT = RootCandidate("L5", "left", 1.5, ("Tingling <i>on</i> the foot lies in the L5 dermatome (Lee 2008).",),
                     ("lee2008",))
MUSCLE = MuscleCandidate("gluteus_medius", "left", 1.0, ("Refers pain to the <hip>.",), ("travell1999",))


@pytest.mark.parametrize("mode", ["patient", "student", "practitioner"])
def test_the_panel_escapes_all_text_keeps_the_notice_and_links_each_candidate(mode):
    html = symptoms_html(_knowledge(), [Mark("tingling", (1, 2, 3))], ["long_toe_extensors"], (ROOT,), (MUSCLE,),
                         mode, notes=["entry <x> not used"])
    assert "not a diagnosis" in html
    assert "<b>" not in html and "<i>" not in html and "<x>" not in html and "<extensors>" not in html
    assert 'data-action="sroot" data-value="L5:left"' in html
    assert 'data-action="smuscle" data-value="gluteus_medius:left"' in html
    assert 'data-action="unmark" data-value="0"' in html
    shows_reasons = "L5 dermatome" in html
    assert shows_reasons == (mode != "patient")
