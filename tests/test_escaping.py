"""Every HTML-producing function of viewer/app escapes text from the data and from links.

The synthetic assets get a hostile muscle name, point names, caution, placement reason and
structure name (``<script>alert(1)</script>``); a link carries the same in its parameters. No
produced HTML may contain a live ``<script`` or an ``onerror=`` attribute; the text shows escaped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.synthetic import write_synthetic_assets
from viewer.app import info, quiz
from viewer.app.data import Placement, Problem, load_app_data
from viewer.app.state import parse_query
from viewer.selection import select_level, select_muscle, select_point, select_root

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
MUSCLE = "gluteus_medius"
POINT = "BL25"   # on multifidus L4, in the chain of gluteus medius (L4, L5, S1)
MODES = ("patient", "student", "practitioner")


def write_hostile_assets(out: Path) -> Path:
    """The synthetic assets with ``<script>`` in a muscle's name, aliases and words, a point's
    names and caution, a placement reason and an atlas structure's name."""
    out = write_synthetic_assets(out)
    path = out / "knowledge" / "muscles.json"
    data = json.loads(path.read_text())
    m = next(r for r in data["muscles"] if r["id"] == MUSCLE)
    m["name"] = f"Gluteus medius {SCRIPT}"
    m["aliases"] = [*m["aliases"], f"glute {IMG}"]
    m["plain_language"] = f"{m['plain_language']} {SCRIPT}"
    path.write_text(json.dumps(data))
    path = out / "points.json"
    data = json.loads(path.read_text())
    p = next(r for r in data["points"] if r["code"] == POINT)
    p["english"] = f"Large Intestine Shu {SCRIPT}"
    p["pinyin"] = f"Dachangshu {IMG}"
    p["location"]["description"] = f"{p['location'].get('description', '')} {SCRIPT}"
    for c in p["cautions"]:
        c["text"] = f"{c['text']} {SCRIPT}"
    path.write_text(json.dumps(data))
    path = out / "atlas" / "placed_points.json"
    data = json.loads(path.read_text())
    for rec in data["placements"]:
        if rec["status"] == "not_placed":
            rec["reason"] = f"no landmark {SCRIPT}"
        if rec["code"] == POINT:
            rec["method"] = {"landmark": SCRIPT}
    path.write_text(json.dumps(data))
    path = out / "atlas" / "structures.json"
    data = json.loads(path.read_text())
    for rec in data:
        if rec["acronym"].startswith("gluteus_medius_"):
            rec["name"] = f"Gluteus medius {SCRIPT}"
    path.write_text(json.dumps(data))
    return out


def assert_safe(html: str, must_show: bool = True) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered, html
    if must_show:
        assert ESCAPED in html or "&lt;img" in html, "the hostile text is shown, escaped"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    result = load_app_data(write_hostile_assets(tmp_path_factory.mktemp("hostile") / "assets"))
    assert not isinstance(result, list), result
    return result


@pytest.fixture(scope="module")
def k(data):
    return data.knowledge


@pytest.fixture(scope="module")
def notes(k):
    """Notes of a hostile link: every parameter carries a script tag."""
    _, notes = parse_query({key: SCRIPT for key in ("muscle", "level", "root", "point", "side", "mode",
                                                    "view", "isolate")}, k)
    assert notes
    return notes


def test_hostile_names_loaded(k):
    assert SCRIPT in k.muscle(MUSCLE).name and SCRIPT in k.point(POINT).english


@pytest.mark.parametrize("mode", MODES)
def test_selection_html(k, notes, mode):
    sel = select_muscle(k, MUSCLE, "left")
    assert POINT in [p.code for p in sel.paraspinal]
    card = quiz.start(k, muscle_id=MUSCLE)
    html = info.selection_html(sel, k, mode, [POINT], quiz=card, notes=notes)
    assert_safe(html)
    assert html.count(ESCAPED) >= 2   # the muscle's name and the point's name (or a note)


@pytest.mark.parametrize("mode", MODES)
def test_level_and_root_html(k, notes, mode):
    card = quiz.start(k, point_code=POINT)
    assert_safe(info.level_html(select_level(k, "L4"), k, mode, [POINT], quiz=card, notes=notes))
    assert_safe(info.root_html(select_root(k, "L5"), k, mode, [POINT], quiz=card, notes=notes))


@pytest.mark.parametrize("mode", MODES)
def test_point_html(k, data, notes, mode):
    html = info.point_html(select_point(k, POINT), k, mode, data.placement_of(POINT),
                           back=("muscle", k.muscle(MUSCLE).name), notes=notes)
    assert_safe(html)
    assert_safe(info.point_html(select_point(k, "BL23"), k, mode, data.placement_of("BL23")))


@pytest.mark.parametrize("mode", MODES)
def test_point_rows_and_cautions(k, mode):
    p = k.point(POINT)
    assert_safe(info.point_row(p, k, mode))
    assert_safe(info.points_html([POINT], k, mode))
    for c in p.cautions:
        assert_safe(info.caution_html(c, k, mode))


def test_quiz_card_after_an_answer(k):
    state = quiz.start(k, muscle_id=MUSCLE)
    assert SCRIPT in state.question.prompt or SCRIPT in state.question.explanation
    for choice in range(len(state.question.choices)):
        assert_safe(info.quiz_html(quiz.answer(state, choice)))


def test_messages_notes_welcome_and_problems(k, notes):
    assert_safe(info.message_html(f"Gluteus medius {SCRIPT}", f"No muscle matches {SCRIPT!r}.", notes))
    assert_safe(info.notes_html(notes))
    assert_safe(info.welcome_html(example=SCRIPT, mode="student", quiz=quiz.start(k, muscle_id=MUSCLE),
                                  notes=notes))
    assert_safe(info.problems_html([Problem(what=SCRIPT, fix=f"Run `{SCRIPT}`", details=(SCRIPT, IMG))]))
    assert_safe(info.placement_html({"left": Placement(status="not_placed", reason=SCRIPT)}))


def test_action_buttons_escape_values_and_titles():
    html = info.action("muscle", 'x" onclick="alert(1)', SCRIPT, title=f'"{SCRIPT}')
    assert_safe(html)
    assert 'onclick="' not in html and "&quot;" in html
