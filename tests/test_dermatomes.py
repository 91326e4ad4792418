"""Tests of the dermatome knowledge (assets/knowledge/dermatomes.json) on the real body, and of the
validation of the dermatome and referred-pain files.

Every root C2-S5 has one record with Lee et al. 2008 and ISNCSCI 2019 as sources; each ISNCSCI key
sensory point, placed from the atlas's landmarks, lies in its own dermatome on both sides.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from viewer.atlas import load_atlas
from viewer.body_regions import dermatomes_at, skin_map
from viewer.knowledge import DERMATOME_ROOTS, KnowledgeErrors, Level, load_knowledge

from conftest import ASSETS


@pytest.fixture(scope="module")
def body():
    return skin_map(load_atlas(ASSETS), muscles=False)


@pytest.fixture(scope="module")
def k():
    return load_knowledge(ASSETS)


def on_skin(body, landmark, toward=None, fraction=None, side="left"):
    return body.surface_level(Level(landmark, toward, fraction), side)


# ---------------------------------------------------------------------------------------------
# the dermatome map on this body


def test_every_root_c2_to_s5_has_one_dermatome_with_sources(k):
    assert tuple(d.root for d in k.dermatomes) == DERMATOME_ROOTS
    for d in k.dermatomes:
        assert "lee2008" in d.sources and "asia2019" in d.sources
        assert d.regions and d.key_point.description
        for o in d.overlaps:
            assert o.root in DERMATOME_ROOTS and o.sources


@pytest.mark.parametrize("side", ["left", "right"])
def test_each_key_sensory_point_lies_in_its_own_dermatome(k, body, side):
    for d in k.dermatomes:
        point = body.surface_level(d.key_point.level, side)
        loc = body.locate([point])
        assert loc.distance[0] < 15, d.root
        assert d.root in {x.root for x in dermatomes_at(k, body, loc, 0)}, (d.root, loc.part[0], loc.around[0])


def test_key_points_ladder_down_the_front_of_the_trunk(k, body):
    heights = [body.surface_level(k.dermatome(f"T{n}").key_point.level)[2] for n in range(3, 13)]
    assert heights == sorted(heights, reverse=True)


def test_most_of_the_skin_lies_in_some_dermatome_and_the_face_in_none(k, body):
    vertices = body.skin_vertices[:: 40]
    loc = body.locate(vertices)
    covered = np.array([bool(dermatomes_at(k, body, loc, i)) for i in range(len(vertices))])
    assert covered.mean() > 0.9
    face = body.locate([on_skin(body, "nose_tip"), on_skin(body, "glabella")])
    assert all(not dermatomes_at(k, body, face, i) for i in range(2))   # trigeminal, not a spinal root


# ---------------------------------------------------------------------------------------------
# validation of the new knowledge files


@pytest.mark.parametrize(
    "file, edit, field",
    [("dermatomes.json", lambda d: d["dermatomes"][0].update(sources=["nobody1999"]), "sources[0]"),
     ("dermatomes.json", lambda d: d["dermatomes"][3]["key_muscle"].update(muscles=["biceps_femorus"]), "key_muscle.muscles[0]"),
     ("dermatomes.json", lambda d: d["dermatomes"][5]["regions"][0].update(part="elbow"), "regions[0].part"),
     ("dermatomes.json", lambda d: d["dermatomes"].append(dict(d["dermatomes"][1])), "root"),
     ("pain_patterns.json", lambda d: d["pain_patterns"][0].update(muscle="quadratus"), "muscle")],
)
def test_bad_knowledge_names_file_record_and_field(tmp_path, file, edit, field):
    assets = tmp_path / "assets"
    shutil.copytree(ASSETS / "knowledge", assets / "knowledge")
    shutil.copytree(ASSETS / "schemas", assets / "schemas")
    shutil.copy(ASSETS / "points.json", assets / "points.json")
    path = assets / "knowledge" / file
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KnowledgeErrors) as err:
        load_knowledge(assets)
    assert any(e.file == file and e.field == field for e in err.value.errors), str(err.value)


# ---------------------------------------------------------------------------------------------
# the skin coloured by dermatome (the app's dermatome layer)


@pytest.fixture(scope="module")
def masks(body, k):
    from viewer.body_regions import skin_dermatome_masks

    return skin_dermatome_masks(k, body)


@pytest.mark.parametrize("side", ["left", "right"])
def test_the_skin_masks_say_what_the_query_says_at_each_key_point(body, k, masks, side):
    from viewer.knowledge import ROOTS

    in_own = 0
    for d in k.dermatomes:
        point = body.surface_level(d.key_point.level, side)
        nearest = int(np.argmin(np.linalg.norm(body.skin_vertices - point, axis=1)))
        loc = body.locate(body.skin_vertices[nearest:nearest + 1])
        expected = {x.root for x in dermatomes_at(k, body, loc, 0)}
        assert {r for i, r in enumerate(ROOTS) if masks[nearest] & (1 << i)} == expected, d.root
        in_own += d.root in expected
    # The skin vertex nearest a key point lies in that point's own dermatome (a vertex may sit
    # just across a border from the point itself).
    assert in_own >= 0.9 * len(k.dermatomes)


def test_the_skin_masks_cover_most_of_the_skin_with_every_root(body, masks):
    from viewer.knowledge import ROOTS

    assert len(masks) == len(body.skin_vertices)
    assert (masks > 0).mean() > 0.8
    for root in DERMATOME_ROOTS:
        assert (masks & (1 << ROOTS.index(root)) > 0).sum() > 0, f"no skin vertex in {root}"


def test_the_app_keeps_the_masks_beside_the_meshes_and_reuses_them(tmp_path):
    from viewer.app.dermatome_cache import PREFIX, SUFFIX, dermatome_masks
    from viewer.scene.body import load_body

    assets = tmp_path / "assets"
    shutil.copytree(ASSETS, assets, ignore=shutil.ignore_patterns("*.radixpack", f"{PREFIX}*"))
    body = load_body(assets)
    first = dermatome_masks(body)
    files = list((assets / "meshes").glob(f"{PREFIX}*{SUFFIX}"))
    assert len(files) == 1 and np.array_equal(np.fromfile(files[0], dtype="<u4"), first)
    files[0].write_bytes(np.full(len(first), 1 << 30, dtype="<u4").tobytes())   # marked: read, not recomputed
    assert (dermatome_masks(body) == 1 << 30).all()
