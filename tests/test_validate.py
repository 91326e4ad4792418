"""``python -m viewer validate``: every asset file checked, each problem as file: record: field: what."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.synthetic import write_synthetic_assets
from viewer.validate import main, validate_assets, validate_placements

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sound_assets(tmp_path_factory) -> Path:
    return write_synthetic_assets(tmp_path_factory.mktemp("sound") / "assets")


@pytest.fixture()
def assets(sound_assets, tmp_path) -> Path:
    """A private copy of the sound synthetic assets, to break."""
    return Path(shutil.copytree(sound_assets, tmp_path / "assets"))


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _placements(assets: Path) -> Path:
    return assets / "atlas" / "placed_points.json"


def test_sound_assets_pass_with_a_summary(sound_assets, capsys):
    report = validate_assets(sound_assets)
    assert report.ok, report.problems
    assert report.counts["structures"] > 0 and report.counts["placements"] == 15
    assert main([str(sound_assets)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "sound" in out[0] and "structures" in out[0]


def test_structure_field_problem_names_file_record_field(assets, capsys):
    _edit_json(assets / "atlas" / "structures.json",
               lambda d: next(r for r in d if r["acronym"] == "L4").update(kind="vertebra"))
    assert main([str(assets)]) == 1
    out = capsys.readouterr().out
    assert "structures.json: record L4" in out and "field kind" in out and "vertebra" in out


def test_metadata_and_landmarks_problems(assets):
    _edit_json(assets / "atlas" / "metadata.json", lambda d: d.pop("units"))
    _edit_json(assets / "atlas" / "landmarks.json",
               lambda d: d["L4_spinous_tip"].update(position=[0, "x", 1]))
    problems = validate_assets(assets).problems
    assert any(p.startswith("landmarks.json: record L4_spinous_tip: field position") for p in problems)
    # landmarks stop the atlas at the parse stage; fix them and metadata shows up
    _edit_json(assets / "atlas" / "landmarks.json",
               lambda d: d["L4_spinous_tip"].update(position=[0, 1, 1]))
    assert "metadata.json: field units: missing" in validate_assets(assets).problems


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete"])
def test_damaged_mesh_is_named(assets, damage):
    structures = json.loads((assets / "atlas" / "structures.json").read_text())
    rec = next(r for r in structures if r["acronym"] == "L5")
    mesh = assets / "meshes" / rec["mesh"]
    data = mesh.read_bytes()
    if damage == "truncate":
        mesh.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        mesh.write_bytes(b"\x00garbage" * 100)
    else:
        mesh.unlink()
    problems = validate_assets(assets).problems
    assert len(problems) == 1
    assert problems[0].startswith(f"structures.json: record L5: field mesh: {rec['mesh']}")


def test_mesh_name_may_not_leave_the_mesh_folder(assets):
    _edit_json(assets / "atlas" / "structures.json",
               lambda d: next(r for r in d if r["acronym"] == "L4").update(mesh="../../pyproject.glb"))
    problems = validate_assets(assets).problems
    assert any("record L4" in p and "field mesh" in p and "no folders" in p for p in problems)


def test_knowledge_problems_name_file_record_field(assets):
    _edit_json(assets / "knowledge" / "muscles.json",
               lambda d: d["muscles"][0].pop("roots"))
    _edit_json(assets / "points.json", lambda d: d["points"][0].update(muscles=["no_such_muscle"]))
    problems = validate_assets(assets).problems
    assert any(p.startswith("muscles.json: record ") and "field roots: missing required field" in p
               for p in problems)
    assert any(p.startswith("points.json: record ") and "field muscles[0]" in p and "no_such_muscle" in p
               for p in problems)


def test_non_utf8_and_garbage_json(assets):
    (assets / "knowledge" / "sources.json").write_bytes(b"\xff\xfe{not json")
    (assets / "atlas" / "landmarks.json").write_text("{nope")
    problems = validate_assets(assets).problems
    assert any(p.startswith("sources.json: ") and "UTF-8" in p for p in problems)
    assert any(p.startswith("landmarks.json: not valid JSON") for p in problems)


def test_placement_problems(assets):
    def damage(d):
        recs = d["placements"]
        recs[0].update(position=[1, float("nan"), 2])       # json.dumps writes NaN
        recs[1].pop("status")
        recs[2].update(code="ZZ99")
        recs[3].update(side="up")
        not_placed = next(r for r in recs if r.get("status") == "not_placed")
        not_placed["reason"] = None
    _edit_json(_placements(assets), damage)
    problems = validate_assets(assets).problems
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert "placed_points.json: record BL25 left (index 0): field position" in text
    assert "(index 1): field status" in text
    assert "field code: unknown point code 'ZZ99'" in text
    assert "(index 3): field side" in text
    assert "field reason: a point that is not placed needs a reason" in text


def test_placements_top_level_and_records_must_be_objects():
    assert validate_placements([], None)[0].startswith("placed_points.json: record (top level)")
    problems = validate_placements({"placements": [3, {"code": "GV3", "side": "midline",
                                                       "status": "placed", "position": [0, 0, 0]}]},
                                   {"GV3"})
    assert problems == ["placed_points.json: record #0 (index 0): field (record): expected an object, got int"]


def test_missing_placements_file_is_fine(assets):
    _placements(assets).unlink()
    report = validate_assets(assets)
    assert report.ok and "placements" not in report.counts


def test_not_a_folder(tmp_path):
    report = validate_assets(tmp_path / "nothing")
    assert not report.ok and "not a folder" in report.problems[0]


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "viewer", *args], cwd=PROJECT, capture_output=True,
                          text=True, timeout=120, env=env)


def test_cli_exit_codes(sound_assets, assets):
    good = _cli("validate", str(sound_assets))
    assert good.returncode == 0, good.stdout + good.stderr
    assert len(good.stdout.strip().splitlines()) == 1 and "sound" in good.stdout
    _edit_json(assets / "atlas" / "structures.json",
               lambda d: next(r for r in d if r["acronym"] == "L4").update(id="four"))
    bad = _cli("validate", str(assets))
    assert bad.returncode == 1
    assert "structures.json: record L4 (index" in bad.stdout and "field id: expected int" in bad.stdout
    assert "1 problem(s)" in bad.stdout.splitlines()[-1]
    assert _cli("frobnicate").returncode == 2


@pytest.mark.skipif(not (PROJECT / "assets" / "atlas" / "structures.json").is_file(),
                    reason="the body has not been built (python -m viewer.anatomy build)")
def test_shipped_assets_validate():
    result = _cli("validate", str(PROJECT / "assets"))
    assert result.returncode == 0, result.stdout[-4000:]
