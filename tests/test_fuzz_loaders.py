"""Fuzzing the loaders: a damaged asset file gives AtlasError / KnowledgeErrors naming the file
(and record and field where there is one), never another exception and never a half-loaded object.

Each example copies the sound synthetic assets (harness/synthetic.py), damages one file with a
random mutation (a dropped field, a value of the wrong type, an unknown id, garbage JSON, bytes
that are not UTF-8, a truncated or scrambled mesh) and loads it again.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path

import pytest
import trimesh
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.synthetic import write_synthetic_assets
from viewer.atlas import Atlas, AtlasError, load_atlas
from viewer.knowledge import Knowledge, KnowledgeError, KnowledgeErrors, load_knowledge

FUZZ = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ATLAS_FILES = ("metadata.json", "structures.json", "landmarks.json")
KNOWLEDGE_FILES = {"muscles.json": "knowledge/muscles.json", "points.json": "points.json",
                   "meridians.json": "knowledge/meridians.json", "sources.json": "knowledge/sources.json",
                   "techniques.json": "knowledge/techniques.json"}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return write_synthetic_assets(tmp_path_factory.mktemp("fuzz") / "assets")


def _copy(base: Path, parts: tuple[str, ...]) -> Path:
    out = Path(tempfile.mkdtemp(prefix="radix-fuzz-")) / "assets"
    for part in parts:
        src = base / part
        if src.is_dir():
            shutil.copytree(src, out / part)
        else:
            (out / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out / part)
    return out


# --- mutations --------------------------------------------------------------------------------

def _paths(node, prefix=(), depth=0) -> list[tuple]:
    """Every path (keys and indexes) into a JSON tree, to depth 6."""
    out = [prefix] if prefix else []
    if depth >= 6:
        return out
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,), depth + 1)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,), depth + 1)
    return out


WRONG_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.just("no_such_id_xyz"), st.just(10**400),
)


@st.composite
def damaged_json(draw, text: str) -> bytes:
    """The file's bytes after one random mutation."""
    kind = draw(st.sampled_from(["drop", "wrong_type", "unknown_id", "garbage", "truncate", "not_utf8"]))
    if kind == "garbage":
        return draw(st.binary(max_size=64))
    if kind == "truncate":
        return text.encode()[: draw(st.integers(0, max(0, len(text) - 1)))]
    if kind == "not_utf8":
        raw = text.encode()
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"])) + raw[at:]
    data = json.loads(text)
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if kind == "drop":
        del parent[last]
    elif kind == "unknown_id":
        parent[last] = "no_such_id_xyz" if isinstance(parent[last], str) else draw(WRONG_VALUES)
    else:
        parent[last] = draw(WRONG_VALUES)
    return json.dumps(data).encode()


# --- checks -----------------------------------------------------------------------------------

def _check_atlas_result(root: Path, known_files: tuple[str, ...]) -> None:
    try:
        atlas = load_atlas(root)
    except AtlasError as exc:
        assert exc.problems, "an AtlasError lists its problems"
        for problem in exc.problems:
            assert problem.split(":")[0] in known_files, problem
        return
    # it loaded: it must be whole and sound, not half-loaded
    assert isinstance(atlas, Atlas)
    assert atlas.validate() == []
    for s in atlas.structures:
        assert isinstance(s.id, int) and isinstance(s.acronym, str) and isinstance(s.name, str)
        assert all(isinstance(i, int) for i in s.structure_id_path)
        assert s.parent is None or isinstance(s.parent, str)
        assert s.mesh is None or ("/" not in s.mesh and not s.mesh.startswith("."))
    for lm in atlas.landmarks.values():
        assert len(lm.position) == 3 and all(math.isfinite(v) for v in lm.position)


def _check_knowledge_result(root: Path) -> None:
    try:
        k = load_knowledge(root, partial_points=True)
    except KnowledgeErrors as exc:
        assert exc.errors
        for e in exc.errors:
            assert isinstance(e, KnowledgeError)
            assert e.file.endswith(".json") and e.record and e.field and e.problem
            assert str(e).startswith(f"{e.file}: record ")
        return
    assert isinstance(k, Knowledge)
    for m in k.muscles:
        assert isinstance(m.id, str) and isinstance(m.name, str)
        assert all(isinstance(r, str) for r in m.roots)
        assert k.muscle(m.id) is m
    for p in k.points:
        assert isinstance(p.code, str) and k.point(p.code) is p
        assert all(k.has_muscle(mid) for mid in p.muscles)
        assert all(math.isfinite(o.cun) for o in p.location.offsets)
    for s in k.sources:
        assert isinstance(s.id, str)
    sources = {s.id for s in k.sources}
    for t in k.techniques:
        assert k.technique(t.id) is t and t.sources and set(t.sources) <= sources
        assert all(k.has_muscle(m) for m in (*t.muscles, *t.zone.muscles))
        assert all(set(c.sources) <= sources for c in t.cautions)
        assert all(t in k.techniques_for_muscle(m) for m in t.muscles)
        assert all(t in k.techniques_at(lv) for lv in t.levels)


# --- atlas ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ATLAS_FILES)
@FUZZ
@given(data=st.data())
def test_atlas_json_mutations(base, name, data):
    root = _copy(base, ("atlas", "meshes"))
    try:
        path = root / "atlas" / name
        path.write_bytes(data.draw(damaged_json(path.read_text())))
        _check_atlas_result(root, ATLAS_FILES)
    finally:
        shutil.rmtree(root.parent)


@FUZZ
@given(data=st.data())
def test_mesh_damage(base, data):
    root = _copy(base, ("atlas", "meshes"))
    try:
        structures = json.loads((root / "atlas" / "structures.json").read_text())
        rec = data.draw(st.sampled_from([r for r in structures if r["mesh"]]))
        mesh = root / "meshes" / rec["mesh"]
        raw = mesh.read_bytes()
        kind = data.draw(st.sampled_from(["truncate", "garbage", "flip", "empty"]))
        if kind == "truncate":
            raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
        elif kind == "garbage":
            raw = data.draw(st.binary(min_size=0, max_size=400))
        elif kind == "empty":
            raw = b""
        else:   # scramble bytes after the 12-byte header: the header still says "whole"
            buf = bytearray(raw)
            for _ in range(data.draw(st.integers(1, 8))):
                at = data.draw(st.integers(12, len(buf) - 1))
                buf[at] = data.draw(st.integers(0, 255))
            raw = bytes(buf)
        mesh.write_bytes(raw)
        try:
            atlas = load_atlas(root)
        except AtlasError as exc:
            assert any(f"record {rec['acronym']}: field mesh: {rec['mesh']}" in p for p in exc.problems), exc
            return
        assert kind == "flip"    # a truncated, empty or garbage file never loads
        try:
            loaded = atlas.mesh(rec["acronym"])
        except AtlasError as exc:
            assert f"record {rec['acronym']}: field mesh: {rec['mesh']}" in str(exc)
        else:
            assert isinstance(loaded, trimesh.Trimesh) and len(loaded.faces) > 0
    finally:
        shutil.rmtree(root.parent)


# --- knowledge --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(KNOWLEDGE_FILES))
@FUZZ
@given(data=st.data())
def test_knowledge_mutations(base, name, data):
    root = _copy(base, ("knowledge", "schemas", "points.json"))
    try:
        path = root / KNOWLEDGE_FILES[name]
        damaged = data.draw(damaged_json(path.read_text()))
        path.write_bytes(damaged)
        _check_knowledge_result(root)
    finally:
        shutil.rmtree(root.parent)


@pytest.mark.parametrize("name", sorted(KNOWLEDGE_FILES))
def test_unreadable_file_names_itself(base, name):
    root = _copy(base, ("knowledge", "schemas", "points.json"))
    try:
        (root / KNOWLEDGE_FILES[name]).write_bytes(b"\xff\xfe\x00garbage")
        with pytest.raises(KnowledgeErrors) as info:
            load_knowledge(root, partial_points=True)
        assert info.value.errors[0].file == name and "UTF-8" in str(info.value)
    finally:
        shutil.rmtree(root.parent)
