"""Shared fixtures: a tiny atlas written by the real build writer into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from viewer.anatomy import shapes
from viewer.anatomy.build import BuildContext, write_assets
from viewer.anatomy.parts import Landmark, Part

PROJECT = Path(__file__).resolve().parents[1]
ASSETS = PROJECT / "assets"
FIXTURE_POINTS = PROJECT / "tests" / "fixtures" / "points_small.json"


@pytest.fixture(scope="session")
def body(tmp_path_factory):
    """The whole body, built once per test run exactly as ``python -m viewer.anatomy build`` does
    (every generator, the assets written, every point placed): a ``BuiltBody`` whose ``context``
    holds every part in memory and whose ``out`` is the fresh assets folder. Tests read it and
    never change it."""
    from viewer.anatomy.build import build

    return build(tmp_path_factory.mktemp("fresh_build"), log=lambda *_: None)


@pytest.fixture(scope="session")
def synthetic_assets(tmp_path_factory) -> Path:
    """The small synthetic body of harness/synthetic.py, written once per test run."""
    from harness.synthetic import write_synthetic_assets

    return write_synthetic_assets(tmp_path_factory.mktemp("assets"))


@pytest.fixture(scope="session")
def synthetic_data(synthetic_assets):
    """What the app reads from the synthetic body (``viewer.app.data.AppData``; read-only)."""
    from viewer.app.data import load_app_data

    return load_app_data(synthetic_assets)


@pytest.fixture(scope="session")
def small():
    """Knowledge with a dozen hand-written point records (tests that must not depend on the big file)."""
    from viewer.knowledge import load_knowledge

    return load_knowledge(ASSETS, points_path=FIXTURE_POINTS, partial_points=True)


@pytest.fixture(scope="session")
def real():
    """The shipped knowledge, all point records."""
    from viewer.knowledge import load_knowledge

    return load_knowledge(ASSETS)


def _tiny_parts() -> list[Part]:
    l4 = shapes.to_trimesh(shapes.rounded_box([0, 0, 1080], [47, 34, 26], 3))
    l5 = shapes.to_trimesh(shapes.rounded_box([0, 0, 1040], [49, 35, 25], 3))
    muscle = shapes.to_trimesh(shapes.capsule([40, 30, 1100], [60, 60, 950], 15))
    return [
        Part("L4", "Fourth lumbar vertebra", "bone", "lumbar_spine", l4, level="L4",
             landmarks={"L4_spinous_tip": Landmark(np.array([0.0, 60.0, 1075.0]), "test")}),
        Part("L5", "Fifth lumbar vertebra", "bone", "lumbar_spine", l5, level="L5"),
        Part("gluteus_medius_left", "Gluteus medius (left)", "muscle", "hip_muscles", muscle,
             side="left", color="#c0504d"),
    ]


@pytest.fixture()
def tiny_assets(tmp_path: Path) -> Path:
    """An ``assets`` folder holding a three-structure atlas written by the build writer."""
    ctx = BuildContext()
    ctx.parts.extend(_tiny_parts())
    write_assets(ctx, tmp_path)
    return tmp_path


def solid(mesh):
    """A trimesh as a manifold3d solid, as it is (no repair, no flipping): volumes and Boolean
    overlaps in the geometry tests."""
    import manifold3d as mf

    return mf.Manifold(mf.Mesh(vert_properties=np.asarray(mesh.vertices, np.float32),
                               tri_verts=np.asarray(mesh.faces, np.uint32)))
