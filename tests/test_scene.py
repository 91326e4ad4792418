"""The scene layer: one pure function from a state to what every renderer draws, and each colour,
fade level, camera preset and legend entry defined once (viewer/scene/style.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from viewer.scene import (
    BROWSER_PRESETS, CAMERAS, FADE_OPACITY, LEGEND, POINT_COLOUR, ROLE_COLOURS, VIEWS, scene_spec,
)
from viewer.scene import style

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def body(synthetic_data):
    return synthetic_data


def _id(body, acronym):
    return next(s.id for s in body.structures if s.acronym == acronym)


@pytest.mark.parametrize("state, lit, role", [
    ({"muscle": "gluteus_medius", "side": "left"}, "gluteus_medius_left", "muscle"),
    ({"muscle": "gluteus_medius", "side": "left"}, "root_L5_left", "nerve_root"),
    ({"muscle": "gluteus_medius", "side": "left"}, "multifidus_L4_left", "multifidus"),
    ({"root": "L5", "side": "right"}, "root_L5_right", "nerve_root"),
    ({"level": "L4", "side": "left"}, "L4", "bone"),
])
def test_a_state_colours_its_chain_by_role(body, state, lit, role):
    spec = scene_spec(body.knowledge, body.structures, positions=body.positions, paths=body.paths, **state)
    assert spec.colour_of(_id(body, lit)) == ROLE_COLOURS[role]
    assert spec.styles["active"] is True
    for kind, opacity in FADE_OPACITY.items():
        if kind in spec.styles["kinds"]:
            assert spec.styles["kinds"][kind]["opacity"] <= opacity


def test_the_other_side_is_not_highlighted(body):
    spec = scene_spec(body.knowledge, body.structures, muscle="gluteus_medius", side="left")
    assert spec.colour_of(_id(body, "gluteus_medius_right")) is None
    assert all(m["side"] in ("left", "midline") for m in spec.markers)


def test_patient_mode_shows_no_point_codes(body):
    args = dict(muscle="gluteus_medius", side="left", positions=body.positions, paths=body.paths)
    student = scene_spec(body.knowledge, body.structures, mode="student", **args)
    patient = scene_spec(body.knowledge, body.structures, mode="patient", **args)
    assert student.markers and all(m["label"] == m["code"] for m in student.markers)
    assert [m["code"] for m in patient.markers] == [m["code"] for m in student.markers]
    assert all(m["label"] == "" for m in patient.markers)
    assert set(patient.labels) <= set(student.labels)


def test_nothing_selected_draws_the_layers_unfaded(body):
    spec = scene_spec(body.knowledge, body.structures)
    assert spec.scene.empty and spec.styles["ids"] == {} and spec.markers == ()
    assert spec.styles["kinds"]["muscle"]["opacity"] == 1.0


def test_the_spec_carries_the_presets_and_legend(body):
    spec = scene_spec(body.knowledge, body.structures, view="oblique")
    assert spec.view == "oblique" and spec.cameras == CAMERAS and spec.legend == LEGEND
    with pytest.raises(KeyError, match="camera preset"):
        scene_spec(body.knowledge, body.structures, view="up")


def test_the_browser_receives_the_presets_from_python():
    from viewer.app.view3d import BodyView

    assert BodyView().presets == BROWSER_PRESETS
    assert list(BROWSER_PRESETS["cameras"]) == list(VIEWS)
    for name, preset in BROWSER_PRESETS["cameras"].items():
        assert tuple(preset["direction"]) == CAMERAS[name].direction


def test_the_handout_fades_the_muscles_as_the_app_does():
    from viewer.plan import pictures

    assert pictures.FADED["muscle"] == FADE_OPACITY["muscle"]
    assert pictures._DIRECTIONS["posterior"][0] == CAMERAS["posterior"].direction


def _code_files():
    files = [p for p in (ROOT / "viewer").rglob("*") if p.suffix in (".py", ".js")]
    return [p for p in files if "anatomy" not in p.parts and "dist" not in p.parts]


def _colours():
    values = {*ROLE_COLOURS.values(), *style.STORY_COLOURS.values(), *style.BACKGROUND_COLOURS.values(),
              POINT_COLOUR, style.MARKER_COLOUR, style.PATH_COLOUR, style.BASE_COLOUR}
    return sorted(values)


@pytest.mark.parametrize("colour", _colours())
def test_each_scene_colour_is_written_once(colour):
    found = [p.relative_to(ROOT).as_posix() for p in _code_files()
             if colour.lower() in p.read_text(encoding="utf-8").lower()]
    assert found == ["viewer/scene/style.py"]


def test_the_view_defines_no_camera_preset_of_its_own():
    js = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "viewer" / "app").rglob("*.js")
                   if "dist" not in p.parts)
    for name in CAMERAS:
        assert not re.search(rf"\b{name}\s*:\s*\[", js), name
    assert not re.search(r"#[0-9a-fA-F]{6}", js.replace("#000000", "").replace("#ffffff", ""))


# --- the dermatome layer ---------------------------------------------------------------------------


@pytest.mark.parametrize("side, sides", [("left", ["left"]), ("both", ["left", "right"])])
def test_a_selected_root_colours_its_dermatome_and_says_so_in_the_legend(body, side, sides):
    spec = scene_spec(body.knowledge, body.structures, root="L5", side=side)
    assert spec.dermatomes == ({"root": "L5", "sides": sides, "color": style.DERMATOME_COLOUR},)
    assert style.DERMATOME_LEGEND in spec.legend
    # Drawn over the faded body, like the points: the layer keeps its own opacity.
    assert spec.styles["kinds"]["dermatomes"]["opacity"] == style.DEFAULT_LAYERS["dermatomes"]["opacity"]


@pytest.mark.parametrize("state", [{"muscle": "gluteus_medius"}, {"level": "L4"}, {}])
def test_no_dermatome_without_a_selected_root(body, state):
    spec = scene_spec(body.knowledge, body.structures, **state)
    assert spec.dermatomes == () and style.DERMATOME_LEGEND not in spec.legend


def test_the_dermatome_layer_turned_off_draws_none(body):
    layers = {"dermatomes": {"visible": False, "opacity": 0.75}}
    spec = scene_spec(body.knowledge, body.structures, root="L5", layers=layers)
    assert spec.dermatomes == () and style.DERMATOME_LEGEND not in spec.legend
