"""The skin of the committed body: one closed surface that encloses every other structure."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from viewer.atlas import load_atlas

# RADIX_ASSETS points these checks at a scratch build (``python -m viewer.anatomy build --out``).
ASSETS = Path(os.environ.get("RADIX_ASSETS") or Path(__file__).resolve().parents[1] / "assets")


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(ASSETS)


def test_skin_is_one_closed_consistently_oriented_surface(atlas):
    skin = atlas.mesh("skin")
    assert skin.is_watertight and skin.is_winding_consistent
    assert skin.volume > 0
    assert len(skin.split(only_watertight=False)) == 1
    # an adult body holds roughly 50-90 litres
    assert 50e6 < skin.volume < 90e6


def test_skin_encloses_every_other_structure(atlas):
    import pyvista as pv

    skin = atlas.mesh("skin")
    faces = np.hstack([np.full((len(skin.faces), 1), 3), skin.faces]).ravel()
    surface = pv.PolyData(np.asarray(skin.vertices, float), faces)
    rng = np.random.default_rng(0)
    samples = []
    for s in atlas:
        if s.mesh and s.kind != "skin":
            v = np.asarray(atlas.mesh(s.id).vertices)
            samples.append(v[rng.choice(len(v), min(len(v), 60), replace=False)])
    pts = np.vstack(samples)
    distance = pv.PolyData(pts).compute_implicit_distance(surface)["implicit_distance"]
    # negative inside; at least 1 mm of tissue over 99.9 % of the sampled vertices
    assert np.mean(distance < -1.0) >= 0.999
    assert np.all(distance < 0.0)


def test_posterior_midline_skin_lies_behind_the_spinous_tips(atlas):
    for level in [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)]:
        skin = atlas.landmark(f"posterior_midline_{level}")
        tip = atlas.landmark(f"{level}_spinous_tip")
        assert abs(skin[0]) < 0.5
        # soft tissue over the spinous processes: lean adults have about 5-20 mm; the deep
        # columns fill the grooves beside the tips and only thin aponeuroses cover them
        assert 3.0 <= skin[1] - tip[1] <= 35.0, level


def test_skin_is_its_own_mirror_image(atlas):
    """Issue 5: a paired point and its twin are placed on the same skin, mirrored."""
    from scipy.spatial import cKDTree

    skin = atlas.mesh("skin")
    mirrored = np.asarray(skin.vertices) * np.array([-1.0, 1.0, 1.0])
    gap, _ = cKDTree(skin.vertices).query(mirrored)
    assert gap.max() < 0.01, f"a skin vertex lies {gap.max():.2f} mm from the mirror of any other"
