"""The atlas loader: lookups, hierarchy, lazy meshes, and validators that name file, record, field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from viewer.atlas import AtlasError, load_atlas


def test_lookup_by_acronym_and_id(tiny_assets):
    atlas = load_atlas(tiny_assets)
    l4 = atlas["L4"]
    assert atlas[l4.id] is l4
    assert l4.kind == "bone" and l4.level == "L4"
    assert "gluteus_medius_left" in atlas and "gluteus_medius_right" not in atlas
    with pytest.raises(KeyError, match="nope"):
        atlas["nope"]


def test_hierarchy_queries(tiny_assets):
    atlas = load_atlas(tiny_assets)
    assert [s.acronym for s in atlas.children("lumbar_spine")] == ["L4", "L5"]
    assert [s.acronym for s in atlas.ancestors("L4")] == [
        "body", "skeleton", "vertebral_column", "lumbar_spine"]
    below_skeleton = {s.acronym for s in atlas.descendants("skeleton")}
    assert {"L4", "L5"} <= below_skeleton and "gluteus_medius_left" not in below_skeleton


def test_meshes_load_lazily_and_once(tiny_assets):
    atlas = load_atlas(tiny_assets)
    assert atlas._mesh_cache == {}
    mesh = atlas.mesh("L4")
    assert atlas.mesh("L4") is mesh
    # the box written was 47 x 34 x 26 mm centred at z = 1080
    assert np.allclose(mesh.extents, [47, 34, 26], atol=0.01)
    assert np.allclose(mesh.centroid[2], 1080, atol=0.01)
    assert len(mesh.vertex_normals) == len(mesh.vertices)


def test_landmarks(tiny_assets):
    atlas = load_atlas(tiny_assets)
    assert np.allclose(atlas.landmark("L4_spinous_tip"), [0, 60, 1075])
    with pytest.raises(KeyError, match="T99_spinous_tip"):
        atlas.landmark("T99_spinous_tip")


def _edit(assets: Path, name: str, change) -> None:
    path = assets / "atlas" / name
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _record(data, acronym):
    return next(r for r in data if r["acronym"] == acronym)


@pytest.mark.parametrize(
    "file, change, expected",
    [
        ("structures.json", lambda d: _record(d, "L5").update(id=_record(d, "L4")["id"]),
         ["structures.json", "record L5", "field id"]),
        ("structures.json", lambda d: _record(d, "L5").update(mesh="missing.glb"),
         ["structures.json", "record L5", "field mesh", "missing.glb"]),
        ("structures.json", lambda d: _record(d, "L5").update(structure_id_path=[1, 5]),
         ["structures.json", "record L5", "field structure_id_path"]),
        ("structures.json", lambda d: _record(d, "L5").update(kind="organ"),
         ["structures.json", "record L5", "field kind", "organ"]),
        ("structures.json", lambda d: _record(d, "L4").pop("name"),
         ["structures.json", "record L4", "field name", "missing"]),
        ("structures.json", lambda d: _record(d, "L4").update(id="100"),
         ["structures.json", "record L4", "field id", "expected int"]),
        ("structures.json", lambda d: _record(d, "L4").update(parent="L5"),
         ["structures.json", "record L4", "field"]),
        ("landmarks.json", lambda d: d["L4_spinous_tip"].update(position=[0, "x", 1]),
         ["landmarks.json", "record L4_spinous_tip", "field position"]),
        ("landmarks.json", lambda d: d["L4_spinous_tip"].update(structure="L9"),
         ["landmarks.json", "record L4_spinous_tip", "field structure", "L9"]),
        ("metadata.json", lambda d: d.pop("units"), ["metadata.json", "field units"]),
    ],
)
def test_validators_name_file_record_and_field(tiny_assets, file, change, expected):
    _edit(tiny_assets, file, change)
    with pytest.raises(AtlasError) as err:
        load_atlas(tiny_assets)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


def test_malformed_json_names_file_and_position(tiny_assets):
    (tiny_assets / "atlas" / "structures.json").write_text('[{"id": 1,,}]')
    with pytest.raises(AtlasError, match=r"structures.json: not valid JSON at line 1"):
        load_atlas(tiny_assets)


def test_missing_file(tiny_assets):
    (tiny_assets / "atlas" / "landmarks.json").unlink()
    with pytest.raises(AtlasError, match="landmarks.json: file is missing"):
        load_atlas(tiny_assets)


def test_truncated_mesh_is_reported(tiny_assets):
    atlas = load_atlas(tiny_assets)
    atlas.mesh_path("L5").write_bytes(b"glTF")
    with pytest.raises(AtlasError, match="record L5: field mesh: .* empty or truncated"):
        load_atlas(tiny_assets)


def test_all_problems_reported_together(tiny_assets):
    def two_problems(d):
        _record(d, "L4").update(mesh="a.glb")
        _record(d, "L5").update(mesh="b.glb")
    _edit(tiny_assets, "structures.json", two_problems)
    with pytest.raises(AtlasError) as err:
        load_atlas(tiny_assets)
    assert len(err.value.problems) == 2
