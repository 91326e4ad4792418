"""The committed body equals a fresh build, stays inside its budgets, and passes the validators."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.anatomy.build import build
from viewer.atlas import load_atlas

ASSETS = Path(__file__).resolve().parents[1] / "assets"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fresh_build")
    build(out, log=lambda *_: None)
    return out


def test_real_atlas_passes_every_validator():
    atlas = load_atlas(ASSETS)  # raises AtlasError listing every problem
    assert len(atlas.of_kind("bone")) >= 26


@pytest.mark.slow
@pytest.mark.parametrize("name", ["metadata.json", "structures.json", "landmarks.json"])
def test_committed_json_equals_fresh_build(fresh, name):
    committed = json.loads((ASSETS / "atlas" / name).read_text())
    rebuilt = json.loads((fresh / "atlas" / name).read_text())
    assert committed == rebuilt, f"assets/atlas/{name} is stale: run python -m viewer.anatomy build"


@pytest.mark.slow
def test_committed_meshes_equal_fresh_build(fresh):
    committed = sorted(p.name for p in (ASSETS / "meshes").glob("*.glb"))
    rebuilt = sorted(p.name for p in (fresh / "meshes").glob("*.glb"))
    assert committed == rebuilt
    for name in committed:
        a = trimesh.load(ASSETS / "meshes" / name, force="mesh", process=False)
        b = trimesh.load(fresh / "meshes" / name, force="mesh", process=False)
        assert a.faces.shape == b.faces.shape, name
        assert np.array_equal(a.faces, b.faces), name
        assert np.allclose(a.vertices, b.vertices, atol=1e-3), name


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
