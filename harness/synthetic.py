"""A tiny synthetic body for the browser tests and the click benchmark.

A lumbar spine of rounded boxes, nerve roots, multifidus groups and two pairs of muscles, written
by the real build writer (:func:`viewer.anatomy.build.write_assets`) in the atlas format, plus the
project's knowledge files with the small point fixture and a few placed points. Nothing here
claims anatomical accuracy: it exists so the app can be driven before the real body is built.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from viewer.anatomy import shapes
from viewer.anatomy.build import BuildContext, write_assets
from viewer.anatomy.parts import Landmark, Part

PROJECT = Path(__file__).resolve().parents[1]
POINTS_FIXTURE = PROJECT / "tests" / "fixtures" / "points_small.json"

LEVELS = {"L3": 1120.0, "L4": 1080.0, "L5": 1040.0}   # centre height of each vertebral body, mm
MUSCLE_COLOUR = "#c46a5a"
BONE_COLOUR = "#e8dcc4"


def _mesh(solid):
    return shapes.to_trimesh(solid)


def synthetic_parts() -> list[Part]:
    """The parts of the synthetic body (atlas axes: +X left, +Y posterior, +Z up, mm)."""
    parts: list[Part] = []
    for level, z in LEVELS.items():
        body = shapes.rounded_box([0, -5, z], [46, 34, 27], 4)
        spinous = shapes.capsule([0, 18, z - 2], [0, 52, z - 8], 7)
        parts.append(Part(level, f"Vertebra {level}", "bone", "lumbar_spine",
                          _mesh(shapes.union([body, spinous])), level=level, color=BONE_COLOUR,
                          landmarks={f"{level}_spinous_tip": Landmark(np.array([0.0, 59.0, z - 8]), "synthetic")}))
    sacrum = shapes.rounded_box([0, 5, 975], [90, 40, 70], 10)
    parts.append(Part("sacrum", "Sacrum", "bone", "pelvic_girdle", _mesh(sacrum), color=BONE_COLOUR))
    parts.append(Part("disc_L4_L5", "Disc L4-L5", "disc", "intervertebral_discs",
                      _mesh(shapes.cylinder([0, -5, 1060], [0, -5, 1066], 22)), color="#9ec5d8"))
    for side, sx in (("left", 1.0), ("right", -1.0)):
        for level, z in (("L4", 1062.0), ("L5", 1022.0), ("S1", 985.0)):
            root = shapes.capsule([sx * 20, 5, z], [sx * 70, -10, z - 45], 4.5)
            parts.append(Part(f"root_{level}_{side}", f"{level} root ({side})", "nerve_root", "nerve_roots",
                              _mesh(root), level=level, side=side, color="#e9c46a"))
        for level, z in (("L4", 1080.0), ("L5", 1040.0)):
            mf = shapes.capsule([sx * 14, 55, z + 6], [sx * 22, 62, z - 40], 9)
            parts.append(Part(f"multifidus_{level}_{side}", f"Multifidus {level} ({side})", "muscle",
                              "multifidus", _mesh(mf), level=level, side=side, color="#b5654f"))
        glute = shapes.capsule([sx * 75, 55, 1000], [sx * 140, 35, 900], 32)
        parts.append(Part(f"gluteus_medius_{side}", f"Gluteus medius ({side})", "muscle", "hip_muscles",
                          _mesh(glute), side=side, color=MUSCLE_COLOUR))
        ql = shapes.capsule([sx * 55, 30, 1150], [sx * 62, 25, 1010], 17)
        parts.append(Part(f"quadratus_lumborum_{side}", f"Quadratus lumborum ({side})", "muscle",
                          "back_muscles", _mesh(ql), side=side, color=MUSCLE_COLOUR))
    return parts


# Placed points (code, side) -> position on the synthetic back, mm. Codes are in the point fixture.
PLACEMENTS = {
    ("BL25", "left"): (38, 70, 1052), ("BL25", "right"): (-38, 70, 1052),
    ("BL26", "left"): (38, 68, 1012), ("BL26", "right"): (-38, 68, 1012),
    ("EX-B2-L4", "left"): (14, 72, 1055), ("EX-B2-L4", "right"): (-14, 72, 1055),
    ("EX-B2-L5", "left"): (14, 70, 1015), ("EX-B2-L5", "right"): (-14, 70, 1015),
    ("GV3", "midline"): (0, 66, 1050),
    ("GB30", "left"): (120, 62, 925), ("GB30", "right"): (-120, 62, 925),
    ("BL32", "left"): (16, 30, 985), ("BL32", "right"): (-16, 30, 985),
}


#: Placements the synthetic build "checked", and points it could not place (with the reason).
CHECKED = {"BL25", "GV3", "EX-B2-L4"}
NOT_PLACED = {
    ("BL23", "left"): "landmark L2_spinous_inferior is not in this body (the synthetic spine has L3-L5 only)",
    ("BL23", "right"): "landmark L2_spinous_inferior is not in this body (the synthetic spine has L3-L5 only)",
}


def write_synthetic_assets(out: Path) -> Path:
    """Write a complete ``assets`` folder (atlas, meshes, knowledge, points, placements) to ``out``."""
    out = Path(out)
    ctx = BuildContext()
    ctx.parts.extend(synthetic_parts())
    write_assets(ctx, out)
    for folder in ("knowledge", "schemas"):
        shutil.copytree(PROJECT / "assets" / folder, out / folder, dirs_exist_ok=True)
    shutil.copyfile(POINTS_FIXTURE, out / "points.json")
    placements = []
    for (code, side), pos in PLACEMENTS.items():
        checked = code in CHECKED
        placements.append({
            "code": code, "side": side, "status": "placed_checked" if checked else "placed",
            "position": list(pos), "normal": [0, 1, 0],
            "method": {"landmark": "synthetic", "projection": "none (fixed test position)"},
            "checks": [{"name": "on the skin", "result": True}] if checked else [], "reason": None})
    for (code, side), reason in NOT_PLACED.items():
        placements.append({"code": code, "side": side, "status": "not_placed", "position": None,
                           "normal": None, "method": None, "checks": [], "reason": reason})
    paths = [{"meridian": "BL", "side": side,
              "pieces": [[[sx * 38, 70, 1120], [sx * 38, 70, 1052], [sx * 38, 68, 1012], [sx * 38, 60, 960]]]}
             for side, sx in (("left", 1), ("right", -1))]
    summary = {"placed": len(PLACEMENTS), "not_placed": len(NOT_PLACED)}
    (out / "atlas" / "placed_points.json").write_text(json.dumps({"summary": summary, "placements": placements}))
    (out / "atlas" / "meridian_paths.json").write_text(json.dumps(paths))
    return out


if __name__ == "__main__":  # python -m harness.synthetic OUT
    import sys

    print(write_synthetic_assets(Path(sys.argv[1] if len(sys.argv) > 1 else "build/synthetic_assets")))
