"""The committed body equals a fresh build, stays inside its budgets, and passes the validators."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.anatomy.compare import JSON_FILES, compare_assets, compare_json, compare_meshes
from viewer.atlas import load_atlas

ASSETS = Path(__file__).resolve().parents[1] / "assets"


@pytest.fixture(scope="module")
def fresh(body) -> Path:
    return body.out


def test_real_atlas_passes_every_validator():
    atlas = load_atlas(ASSETS)  # raises AtlasError listing every problem
    assert len(atlas.of_kind("bone")) >= 26


@pytest.mark.slow
@pytest.mark.parametrize("name", JSON_FILES)
def test_committed_json_equals_fresh_build(fresh, name):
    committed = json.loads((ASSETS / "atlas" / name).read_text(encoding="utf-8"))
    rebuilt = json.loads((fresh / "atlas" / name).read_text(encoding="utf-8"))
    differences = compare_json(committed, rebuilt, where=f"assets/atlas/{name}")
    assert not differences, "stale: run python -m viewer.anatomy build\n" + "\n".join(differences)


@pytest.mark.slow
def test_committed_meshes_equal_fresh_build(fresh):
    committed = sorted(p.name for p in (ASSETS / "meshes").glob("*.glb"))
    rebuilt = sorted(p.name for p in (fresh / "meshes").glob("*.glb"))
    assert committed == rebuilt
    differences = []
    for name in committed:
        a = trimesh.load(ASSETS / "meshes" / name, force="mesh", process=False)
        b = trimesh.load(fresh / "meshes" / name, force="mesh", process=False)
        differences += compare_meshes(a.faces, a.vertices, b.faces, b.vertices, where=name)
    assert not differences, "stale: run python -m viewer.anatomy build\n" + "\n".join(differences)


# The comparison itself: platform noise passes, a real change of a generator does not.

@pytest.mark.parametrize("a, b, same", [
    ({"p": [1.25, 2.5]}, {"p": [1.26, 2.5]}, True),         # one unit of the last digit
    ({"p": [1.25, 2.5]}, {"p": [1.27, 2.5]}, False),        # two units: moved
    ({"p": 163.32}, {"p": 163.5}, False),                    # a landmark moved 0.18 mm
    ({"n": 764}, {"n": 763}, False),                          # counts are exact
    ({"s": "0.00 mm from the skin"}, {"s": "0.01 mm from the skin"}, True),
    ({"s": "0.00 mm from the skin"}, {"s": "0.40 mm from the skin"}, False),
    ({"s": "placed_checked"}, {"s": "placed"}, False),       # words are exact
    ({"p": [1, 2]}, {"p": [1, 2, 3]}, False),                 # lengths are exact
    ({"a": 1}, {"b": 1}, False),                              # keys are exact
    ({"ok": True}, {"ok": False}, False),
    ({"v": None}, {"v": 0.0}, False),
])
def test_json_comparison_tolerates_only_the_last_digit(a, b, same):
    assert (compare_json(a, b) == []) is same


def test_mesh_comparison_needs_the_same_triangles_and_close_vertices():
    box = trimesh.creation.box((10, 20, 30))
    faces, vertices = np.asarray(box.faces), np.round(np.asarray(box.vertices), 3)
    assert compare_meshes(faces, vertices, faces, vertices + 0.001) == []
    assert compare_meshes(faces, vertices, faces, vertices + 0.05)            # moved 0.05 mm
    assert compare_meshes(faces, vertices, faces[:, ::-1], vertices)          # faces flipped
    assert compare_meshes(faces, vertices, faces[:-1], vertices)              # one triangle less


def test_real_generator_change_is_reported(fresh, tmp_path):
    """A copy of the fresh build with one landmark moved 0.1 mm and one mesh nudged is caught."""
    copy = tmp_path / "assets"
    shutil.copytree(fresh, copy)
    landmarks = json.loads((copy / "atlas" / "landmarks.json").read_text(encoding="utf-8"))
    name = sorted(landmarks)[0]
    landmarks[name]["position"][2] = round(landmarks[name]["position"][2] + 0.1, 2)
    (copy / "atlas" / "landmarks.json").write_text(json.dumps(landmarks), encoding="utf-8")
    glb = sorted((copy / "meshes").glob("*.glb"))[0]
    mesh = trimesh.load(glb, force="mesh", process=False)
    mesh.vertices += [0.0, 0.0, 0.02]
    glb.write_bytes(trimesh.exchange.gltf.export_glb(trimesh.Scene(mesh), include_normals=False))
    differences = compare_assets(fresh, copy)
    assert any(name in d for d in differences) and any(glb.name in d for d in differences)
    assert len(differences) == 2


def test_skeleton_budget():
    atlas = load_atlas(ASSETS)
    skeleton = [s for s in atlas if s.kind in ("bone", "disc")]
    triangles = sum(len(atlas.mesh(s.id).faces) for s in skeleton)
    assert triangles < 250_000, f"skeleton has {triangles} triangles (budget 250,000)"


def _has(landmarks: dict, name: str) -> bool:
    return name in landmarks or (f"{name}_left" in landmarks and f"{name}_right" in landmarks)


def test_every_point_landmark_is_computed_by_the_body():
    atlas = load_atlas(ASSETS)
    points = json.loads((ASSETS / "points.json").read_text(encoding="utf-8"))["points"]
    missing = sorted({f"{p['code']}: {p['location'][key]}" for p in points for key in ("landmark", "toward")
                      if p["location"].get(key) and not _has(atlas.landmarks, p["location"][key])})
    assert not missing, f"{len(missing)} point rules name landmarks the body lacks: {missing[:20]}"


def test_every_muscle_attachment_landmark_is_computed_by_the_body():
    atlas = load_atlas(ASSETS)
    muscles = json.loads((ASSETS / "knowledge" / "muscles.json").read_text(encoding="utf-8"))["muscles"]
    missing = sorted({f"{m['id']}: {name}" for m in muscles
                      for key in ("origin_landmarks", "insertion_landmarks")
                      for name in (m.get("attachments") or {}).get(key) or []
                      if not _has(atlas.landmarks, name)})
    assert not missing, f"muscle attachments name landmarks the body lacks: {missing}"


def test_every_knowledge_muscle_exists_in_the_atlas_on_both_sides():
    atlas = load_atlas(ASSETS)
    muscles = json.loads((ASSETS / "knowledge" / "muscles.json").read_text(encoding="utf-8"))["muscles"]
    missing = [f"{m['id']}_{side}" for m in muscles for side in ("left", "right")
               if f"{m['id']}_{side}" not in atlas]
    assert not missing, f"muscles without a 3D structure: {missing}"


def test_whole_body_budget():
    atlas = load_atlas(ASSETS)
    meshes = [s for s in atlas if s.mesh]
    triangles = sum(len(atlas.mesh(s.id).faces) for s in meshes)
    glb_bytes = sum(atlas.mesh_path(s.id).stat().st_size for s in meshes)
    assert triangles < 600_000, f"body has {triangles} triangles (budget 600,000)"
    assert glb_bytes < 15_000_000, f"body GLBs total {glb_bytes / 1e6:.1f} MB (budget 15 MB)"


def test_place_command_says_when_there_is_no_skin_to_place_on(tiny_assets, capsys):
    from viewer.anatomy.build import main

    assert main(["place", "--assets", str(tiny_assets)]) == 1
    assert "no skin" in capsys.readouterr().out
    assert not (tiny_assets / "atlas" / "placed_points.json").exists()
