"""Radix's procedural column against a real one.

``../shared/anatomy-reference/myo_sim`` (beside the project; CI has it, a user's install does
not, so these tests skip without it) holds the vertebrae C1-L5 of a real spine placed in one body
frame with the same axes as Radix (+X left, +Y posterior, +Z up; metres). The comparison is
scale-free, since the two bodies differ in size: the sagittal profile of the column (vertebral
centroids, distance behind the chord from C1 to L5, over the arc length) and the angle each
region turns through (cervical C2-C4-C7, thoracic T1-T6-T12, lumbar L1-L3-L5).

Tolerances are those of healthy adults: the standard deviation of cervical lordosis, thoracic
kyphosis and lumbar lordosis between people is about 10-12 degrees (Hardacker 1997, Vialle
2005, the sources of Radix's curves), so a region may differ from this one person by 12 degrees;
the profile may differ by 5 % of the column's length (27 mm on this spine).

The shapes of the structures listed in ``AS_REAL_AS_A_SECOND_SPECIMEN`` are held to the bar of
``../shared/tools/fidelity.py`` (its own comparison, figures and verdict: after a best-fit
similarity alignment to BodyParts3D, mean <= 1.5 % and p95 <= 3.6 % of the real structure's
diagonal, voxel Dice >= 0.74, rotation <= 20 degrees), so that a regression shows.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.atlas import load_atlas

PROJECT = Path(__file__).resolve().parents[1]
REFERENCE = PROJECT.parent / "shared" / "anatomy-reference" / "myo_sim"
LEVELS = ([f"C{i}" for i in range(1, 8)] + [f"T{i}" for i in range(1, 13)]
          + [f"L{i}" for i in range(1, 6)])
REGIONS = {"cervical": ("C2", "C4", "C7"), "thoracic": ("T1", "T6", "T12"), "lumbar": ("L1", "L3", "L5")}
REGION_TOLERANCE_DEG = 12.0
PROFILE_TOLERANCE = 0.05

FIDELITY_TOOL = PROJECT.parent / "shared" / "tools" / "fidelity.py"
AS_REAL_AS_A_SECOND_SPECIMEN = ("C5", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10",
                                "L1", "L2", "L3", "L4", "L5", "quadratus_lumborum_left",
                                "multifidus_left", "spinalis_left", "semispinalis_thoracis_left",
                                "longissimus_left", "adductor_longus_left",
                                "splenius_capitis_left", "splenius_cervicis_left", "rib_4_left")
"""Structures whose shape passes fidelity.py's bar today; a structure joins when it passes."""

POINTED_AS_REAL = ("piriformis_left", "quadratus_lumborum_left", "rhomboid_major_left",
                   "latissimus_dorsi_left", "gluteus_maximus_left", "levator_scapulae_left",
                   "tensor_fasciae_latae_left", "semispinalis_cervicis_left",
                   "rhomboid_minor_left")
"""Muscles that do not pass the whole bar yet but lie in the real direction (fitted rotation, or
the tilt of the long axis of an elongated muscle, within fidelity.py's 20 degrees): the piriformis
once fitted only after a 122-degree turn, the levator scapulae after a 124-degree twist, the
rhomboid minor (its long axis tilted 5 degrees) after a 51-degree twist of its curled band."""

OUTLINED_AS_REAL = tuple(f"rib_{n}_left" for n in (2, 3, 5, 6, 7, 8, 9, 10, 11))
"""Bones whose outline (mean and p95 distance) and direction (fitted rotation) pass the bar but
whose voxel overlap (Dice) does not yet: ribs 2-11 since the costal cartilages became structures
of their own (the real ribs are bone only) and the shafts were reshaped."""

pytestmark = pytest.mark.skipif(not (REFERENCE / "MAPPING.csv").is_file(),
                                reason="../shared/anatomy-reference is not beside the project")


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """Centroids (mm) of the real vertebrae C1-L5, in order."""
    rows = {r["level"]: r for r in csv.DictReader((REFERENCE / "MAPPING.csv").open())
            if r["side"] == "midline"}
    missing = [lev for lev in LEVELS if lev not in rows]
    assert not missing, f"the reference lacks {missing}"
    return np.array([trimesh.load(REFERENCE / rows[lev]["assembled_file"], force="mesh").centroid * 1000.0
                     for lev in LEVELS])


@pytest.fixture(scope="module")
def ours() -> np.ndarray:
    atlas = load_atlas(PROJECT / "assets")
    return np.array([atlas.mesh(lev).centroid for lev in LEVELS])


def sagittal_turn(c: np.ndarray, a: str, b: str, d: str) -> float:
    """Degrees the column turns in the sagittal plane from a->b to b->d (+ = towards posterior,
    i.e. kyphosis; - = lordosis)."""
    i, j, k = (LEVELS.index(x) for x in (a, b, d))
    u, v = c[j] - c[i], c[k] - c[j]
    turn = np.degrees(np.arctan2(v[1], v[2]) - np.arctan2(u[1], u[2]))
    return float((turn + 180.0) % 360.0 - 180.0)


def profile(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(arc length, distance behind the C1-L5 chord), both as fractions of the arc length."""
    s = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(c, axis=0), axis=1))]
    chord = np.interp(s, [0.0, s[-1]], [c[0, 1], c[-1, 1]])
    return s / s[-1], (c[:, 1] - chord) / s[-1]


def test_the_helpers_measure_what_they_say():
    """A column bent by a known angle reads that angle; a straight one has a flat profile."""
    z = np.linspace(600, 0, len(LEVELS))
    straight = np.c_[np.zeros_like(z), np.zeros_like(z), z]
    assert sagittal_turn(straight, "T1", "T6", "T12") == pytest.approx(0.0)
    assert np.allclose(profile(straight)[1], 0.0)
    bent = straight.copy()
    i6 = LEVELS.index("T6")
    bent[i6 + 1:, 1] += (bent[i6, 2] - bent[i6 + 1:, 2]) * np.tan(np.radians(-20.0))
    assert sagittal_turn(bent, "T1", "T6", "T12") == pytest.approx(20.0, abs=1e-6)


@pytest.mark.parametrize("region", REGIONS)
def test_each_region_curves_like_a_real_spine(reference, ours, region):
    real, mine = sagittal_turn(reference, *REGIONS[region]), sagittal_turn(ours, *REGIONS[region])
    assert np.sign(real) == np.sign(mine), f"{region}: curves the other way ({mine:.1f} vs {real:.1f} deg)"
    assert abs(real - mine) <= REGION_TOLERANCE_DEG, f"{region}: {mine:.1f} vs real {real:.1f} deg"


def test_sagittal_profile_follows_the_real_column(reference, ours):
    s_real, y_real = profile(reference)
    s_mine, y_mine = profile(ours)
    gap = np.abs(y_real - np.interp(s_real, s_mine, y_mine))
    worst = LEVELS[int(gap.argmax())]
    assert gap.max() <= PROFILE_TOLERANCE, f"{gap.max():.3f} of the length off at {worst}"


def test_column_stays_in_the_midsagittal_plane(ours):
    assert np.ptp(ours[:, 0]) < 1.0


@pytest.fixture(scope="module")
def fidelity():
    """The comparison tool beside the project (``../shared/tools/fidelity.py``)."""
    if not FIDELITY_TOOL.is_file():
        pytest.skip("../shared/tools/fidelity.py is not beside the project")
    spec = importlib.util.spec_from_file_location("radix_fidelity", FIDELITY_TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compare(fidelity, structure) -> dict:
    """fidelity.py's own comparison and verdict of one structure of the committed atlas."""
    radix_patterns, reference_files = fidelity.COMPARISONS[structure]
    assets = PROJECT / "assets"
    paths, kinds, missing = fidelity.radix_files(fidelity.radix_index(assets), assets, radix_patterns)
    assert not missing, f"{structure}: the atlas lacks {missing}"
    reference_dir = PROJECT.parent / "shared" / "anatomy-reference" / "bodyparts3d"
    result = fidelity.run_one((structure, paths, "muscle" in kinds,
                               [reference_dir / f for f in reference_files], None))
    assert "error" not in result, f"{structure}: {result.get('error')}"
    return result


@pytest.mark.parametrize("structure", POINTED_AS_REAL)
def test_muscle_points_the_way_the_real_one_does(fidelity, structure):
    result = _compare(fidelity, structure)
    turned = [f for f in result["fails"] if f in ("rotation", "tilt")]
    assert not turned, (f"{structure}: turned {result['rot_deg']:.0f} deg from the real one "
                        f"(long axis tilted {result['long_axis_tilt_deg']:.0f} deg)")


@pytest.mark.parametrize("structure", AS_REAL_AS_A_SECOND_SPECIMEN)
def test_shape_is_as_close_to_real_as_a_second_specimen(fidelity, structure):
    result = _compare(fidelity, structure)
    figures = (f"mean {result['mean_pct']:.2f} %, p95 {result['p95_pct']:.2f} %, "
               f"Dice {result['dice']:.2f}, rotation {result['rot_deg']:.1f} deg")
    assert not result["fails"], f"{structure} fails {result['fails']} of the bar: {figures}"


@pytest.mark.parametrize("structure", OUTLINED_AS_REAL)
def test_outline_and_direction_are_as_close_as_a_second_specimen(fidelity, structure):
    result = _compare(fidelity, structure)
    figures = (f"mean {result['mean_pct']:.2f} %, p95 {result['p95_pct']:.2f} %, "
               f"rotation {result['rot_deg']:.1f} deg")
    off = [f for f in result["fails"] if f != "Dice"]
    assert not off, f"{structure} fails {off} of the bar: {figures}"


NO_WORSE_THAN = {
    # structure: (mean %, p95 %, Dice, rotation deg) reached by the sacrum and hip-bone work of
    # issue 14, with sampling slack (p95 +-0.03 %, Dice +-0.003 between seeds). Not yet the bar:
    # the hip bone misses it on Dice, the sacrum on mean, p95 and Dice; tighten as they improve.
    "sacrum": (1.70, 3.95, 0.72, 15.0),
    "hip_bone_left": (1.20, 3.30, 0.70, 15.0),
}


@pytest.mark.parametrize("structure", sorted(NO_WORSE_THAN))
def test_shape_does_not_fall_back(fidelity, structure):
    """Structures on their way to the bar keep what they have reached."""
    r = _compare(fidelity, structure)
    mean, p95, dice, rot = NO_WORSE_THAN[structure]
    figures = (f"mean {r['mean_pct']:.2f} %, p95 {r['p95_pct']:.2f} %, Dice {r['dice']:.3f}, "
               f"rotation {r['rot_deg']:.1f} deg")
    assert r["mean_pct"] <= mean and r["p95_pct"] <= p95, figures
    assert r["dice"] >= dice and r["rot_deg"] <= rot, figures
