"""Hostile text in a technique record (``<script>``, ``<img onerror>``) stays data in the model and
is escaped wherever the app shows it today: the caution rows and the plan card's "Cautions in this
plan", in every mode. (The technique panels come with the app refactor; they must pass the same
checks.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_escaping import ESCAPED, IMG, MODES, SCRIPT, assert_safe, write_hostile_assets
from viewer.app import info
from viewer.app.data import load_app_data
from viewer.app.plan_ui import plan_html
from viewer.plan import model as pm
from viewer.selection import select_level, select_muscle

TECHNIQUE = "cupping_l1_l5"      # beside L4 and L5: in the chain of gluteus medius
STRETCH = "stretch_lateral_hip"


def write_hostile_technique_assets(out: Path) -> Path:
    """The hostile synthetic assets, with ``<script>`` in every text of two technique records."""
    out = write_hostile_assets(out)
    path = out / "knowledge" / "techniques.json"
    data = json.loads(path.read_text())
    for rec in data["techniques"]:
        if rec["id"] in (TECHNIQUE, STRETCH):
            rec["name"] = f"{rec['name']} {SCRIPT}"
            rec["zone"]["description"] = f"{rec['zone']['description']} {IMG}"
            rec["how"]["steps"] = [f"{s} {SCRIPT}" for s in rec["how"]["steps"]]
            rec["how"]["position"] = f"{rec['how']['position']} {IMG}"
            if rec["self_care"]["allowed"]:
                rec["self_care"]["steps"] = [f"{s} {SCRIPT}" for s in rec["self_care"]["steps"]]
            else:
                rec["self_care"]["why_not"] = f"{rec['self_care']['why_not']} {SCRIPT}"
            for c in rec["cautions"]:
                c["text"] = f"{c['text']} {SCRIPT}"
    data["explanations"][0]["text"] += f" {SCRIPT}"
    path.write_text(json.dumps(data))
    return out


@pytest.fixture(scope="module")
def k(tmp_path_factory):
    result = load_app_data(write_hostile_technique_assets(tmp_path_factory.mktemp("hostile_t") / "assets"))
    assert not isinstance(result, list), result
    return result.knowledge


def test_hostile_text_is_kept_as_data_by_the_model(k):
    t = k.technique(TECHNIQUE)
    assert SCRIPT in t.name and all(SCRIPT in c.text for c in t.cautions)
    reasons = [x.reason for x in select_muscle(k, "gluteus_medius").techniques]
    assert any(SCRIPT in r for r in reasons)                         # escaping is the display's job
    assert any(SCRIPT in x.reason for x in select_level(k, "L4").techniques)


@pytest.mark.parametrize("mode", MODES)
def test_technique_cautions_are_escaped(k, mode):
    for tid in (TECHNIQUE, STRETCH):
        for c in k.technique(tid).cautions:
            assert_safe(info.caution_html(c, k, mode))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("read_only", [False, True])
def test_plan_card_with_hostile_techniques_is_escaped(k, mode, read_only):
    plan = pm.add_point(pm.Plan(title=SCRIPT), "BL25", "left", k)
    plan = pm.add_technique(plan, TECHNIQUE, knowledge=k)
    plan = pm.add_technique(plan, STRETCH, "left", "home", k)
    plan = pm.set_technique_note(plan, 1, IMG)
    html = plan_html(plan, k, mode, read_only=read_only)
    assert_safe(html)
    box = html[html.index("rx-plan-cautions"):]
    assert box.count(ESCAPED) >= len(k.technique(TECHNIQUE).cautions)   # each technique caution shown


@pytest.mark.parametrize("mode", MODES)
def test_techniques_panel_is_escaped_and_shows_every_caution(k, mode):
    from viewer.app.techniques_ui import techniques_html

    for subject in (select_muscle(k, "gluteus_medius"), select_level(k, "L4")):
        html = techniques_html(subject, k, mode, shown={TECHNIQUE}, in_plan={STRETCH})
        assert_safe(html)
        for link in subject.techniques:
            assert f'data-technique="{link.technique_id}"' in html
        item = html[html.index(f'data-technique="{TECHNIQUE}"'):]
        item = item[:item.index("</details>")]
        # every caution beside the technique, outside the folded part
        assert item[:item.index("<details>")].count('class="rx-caution"') == len(k.technique(TECHNIQUE).cautions)
        if mode == "patient":
            assert 'data-action="technique_add"' not in html and "rx-tq-why" in html
        else:
            assert f'data-action="technique_add" data-value="{TECHNIQUE}"' in html
            assert f'data-action="technique_add" data-value="{STRETCH}"' not in html   # already in the plan
