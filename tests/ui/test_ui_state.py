"""The app's pure parts, without a browser: styles, markers, paths, info HTML and loading problems."""

from __future__ import annotations

import json

import pytest

from viewer.app import info
from viewer.app.data import Problem, load_app_data
from viewer.app.state import AppState
from viewer.scene import (
    DEFAULT_LAYERS, FADE_OPACITY, ROLE_COLOURS, StructureInfo, marker_specs, path_library, path_specs,
    view_styles,
)
from viewer.selection import sides_of

STRUCTURES = [
    StructureInfo(104, "L4", "bone"),
    StructureInfo(448, "root_L5_left", "nerve_root"),
    StructureInfo(1068, "gluteus_medius_left", "muscle"),
    StructureInfo(1069, "gluteus_medius_right", "muscle"),
    StructureInfo(2044, "multifidus_L4_left", "muscle"),
    StructureInfo(9000, "skin", "skin"),
]


def test_nothing_selected_uses_the_layers():
    out = view_styles([], STRUCTURES)
    assert out["ids"] == {} and out["active"] is False
    assert out["kinds"]["muscle"] == {"visible": True, "opacity": 1.0}
    assert out["kinds"]["skin"]["visible"] is False


def test_highlight_colours_by_role_and_fades_the_rest():
    out = view_styles(["gluteus_medius_left", "root_L5_left", "L4", "multifidus_L4_left", "not_built_yet"],
                      STRUCTURES, seq="abc")
    assert out["seq"] == "abc" and out["active"] is True
    assert out["ids"]["1068"]["color"] == ROLE_COLOURS["muscle"]
    assert out["ids"]["448"]["color"] == ROLE_COLOURS["nerve_root"]
    assert out["ids"]["2044"]["color"] == ROLE_COLOURS["multifidus"]
    assert out["ids"]["104"]["color"] == ROLE_COLOURS["bone"]
    assert "1069" not in out["ids"]
    assert out["kinds"]["muscle"]["opacity"] == FADE_OPACITY["muscle"]
    assert all(v["opacity"] == 1.0 and v["highlight"] for v in out["ids"].values())


def test_styles_message_is_small():
    many = [StructureInfo(1000 + i, f"m{i}_left", "muscle") for i in range(400)]
    out = view_styles([f"m{i}_left" for i in range(12)], many, seq="k3x-12")
    assert len(json.dumps(out)) < 2000


def test_layer_opacity_is_respected_and_capped_by_fade():
    layers = {**DEFAULT_LAYERS, "bone": {"visible": True, "opacity": 0.2}}
    assert view_styles([], STRUCTURES, layers)["kinds"]["bone"]["opacity"] == 0.2
    assert view_styles(["L4"], STRUCTURES, layers)["kinds"]["bone"]["opacity"] == 0.2


def test_markers_only_for_placed_points_on_the_chosen_sides():
    positions = {("BL25", "left"): (1, 2, 3), ("BL25", "right"): (-1, 2, 3), ("GV3", "midline"): (0, 2, 3)}
    out = marker_specs(["BL25", "GV3", "XX1"], ["left"], positions, {"BL": "#123456"}, {"BL25": "BL"})
    assert [(m["code"], m["side"]) for m in out] == [("BL25", "left"), ("GV3", "midline")]
    assert out[0]["color"] == "#123456"


def test_paths_for_selected_meridians_and_sides():
    paths = [{"meridian": "BL", "side": "left", "pieces": [[[0, 0, 0], [1, 1, 1]]]},
             {"meridian": "BL", "side": "right", "pieces": [[[0, 0, 0], [1, 1, 1]]]},
             {"meridian": "GB", "side": "left", "pieces": [[[0, 0, 0], [1, 1, 1]]]}]
    out = path_specs(["BL"], ["left"], paths)
    assert [p["id"] for p in out] == ["BL_left_0"]


def test_path_library_holds_every_path_thinned_with_ends_kept():
    line = [[float(i), 0.0, 0.0] for i in range(10)]
    paths = [{"meridian": "BL", "side": "left", "pieces": [line, line[:2]]},
             {"meridian": "GV", "side": "midline", "pieces": [line[:5]]}]
    lib = path_library(paths, {"BL": "#123456"})
    assert sorted(lib) == ["BL_left_0", "BL_left_1", "GV_midline_0"]
    assert lib["BL_left_0"]["points"] == [line[0], line[2], line[4], line[6], line[8], line[9]]
    assert lib["BL_left_1"]["points"] == line[:2]
    assert lib["GV_midline_0"]["points"] == [line[0], line[2], line[4]]
    assert lib["BL_left_0"]["color"] == "#123456"
    # a selection's ids always name library entries
    assert {p["id"] for p in path_specs(["BL", "GV"], ["left"], paths)} <= set(lib)


def test_sides_and_state():
    assert sides_of("both") == ("left", "right")
    with pytest.raises(ValueError):
        sides_of("up")
    state = AppState()
    state.set_layer("skin", visible=True)
    assert state.layers["skin"]["visible"] is True and state.layers["muscle"]["visible"] is True


def test_info_html_escapes_data():
    html = info.message_html("<script>x</script>", "a & b <i>")
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b &lt;i&gt;" in html
    problems = info.problems_html([Problem("bad <file>", "Run `python -m x` now", ("d <1>",))])
    assert "<code>python -m x</code>" in problems and "bad &lt;file&gt;" in problems and "d &lt;1&gt;" in problems
    assert info.NOTICE in problems


def test_selection_html_names_the_chain(tmp_path):
    from harness.synthetic import write_synthetic_assets
    from viewer.selection import select_muscle

    data = load_app_data(write_synthetic_assets(tmp_path / "assets"))
    sel = select_muscle(data.knowledge, "gluteus_medius", "left")
    for mode in ("patient", "student", "practitioner"):
        html = info.selection_html(sel, data.knowledge, mode)
        assert "Gluteus medius" in html and "L5" in html and info.NOTICE in html
    assert "Why each link" in info.selection_html(sel, data.knowledge, "practitioner")
    assert "Why each link" not in info.selection_html(sel, data.knowledge, "patient")


def test_missing_assets_are_problems_not_exceptions(tmp_path):
    out = load_app_data(tmp_path)
    assert isinstance(out, list) and out
    assert any("python -m viewer.anatomy build" in p.fix for p in out)
