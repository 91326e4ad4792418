"""Render the README gallery from the built atlas: ``python -m viewer.render.gallery [OUT_DIR]``
(``--vertebrae``: only the close-ups of L4 and C2; ``--muscles``: only the back muscles in layers).

Off-screen pyvista pictures of the committed body: L4 and C2 from four sides, the skeleton, the
superficial and deep back muscles, the multifidus, the skin, and the back with the Bladder,
Governor Vessel and Huatuojiaji points.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ..atlas import DEFAULT_ASSETS, load_atlas
from .offscreen import Item, render

SUPERFICIAL_BACK = ("trapezius", "latissimus", "gluteus_maximus", "deltoid")
ERECTOR_AND_ABOVE = SUPERFICIAL_BACK + ("rhomboid", "levator", "iliocostalis", "longissimus",
                                        "spinalis", "semispinalis", "splenius", "serratus",
                                        "infraspinatus", "teres", "supraspinatus",
                                        "gluteus_medius", "external_oblique")


def _items(atlas, kinds, hide=(), opacity=None):
    out = []
    for s in atlas.structures:
        if s.kind not in kinds or any(s.acronym.startswith(h) for h in hide):
            continue
        op = (opacity or {}).get(s.kind, 1.0)
        out.append(Item(atlas.mesh(s.id), s.color or "#cccccc", op))
    return out


CLOSE_UP_VERTEBRAE = ("L4", "C2")
CLOSE_UP_VIEWS = (("oblique", "posterolateral"), ("left", "from the left"),
                  ("posterior", "from behind"), ("superior", "from above"))


def render_vertebrae(atlas, out: Path) -> None:
    """Close-ups of L4 and C2: ``vertebra_<level>.png`` (posterolateral) and one per side."""
    for level in CLOSE_UP_VERTEBRAE:
        item = [Item(atlas.mesh(level), "#e6dcc5")]
        for view, words in CLOSE_UP_VIEWS:
            name = f"vertebra_{level}.png" if view == "oblique" else f"vertebra_{level}_{view}.png"
            render(item, str(out / name), view, (800, 800), title=f"{level}, {words}")


HIP_LAYERS = (("muscles_hip_superficial.png", ()),
              ("muscles_hip_middle.png", ("gluteus_maximus",)),
              ("muscles_hip_deep.png", ("gluteus_maximus", "gluteus_medius")))
"""Close-ups of the hip and lower back from behind, one layer taken off at a time: gluteus
maximus, then gluteus medius (showing piriformis, gluteus minimus and quadratus lumborum)."""


def render_back_layers(atlas, out: Path) -> None:
    """The back muscles in layers: all, without the superficial sheets (trapezius, latissimus,
    gluteus maximus, deltoid), and the deepest (multifidus); then the hip in three layers."""
    size = (700, 1100)
    kinds = ("bone", "disc", "muscle")
    render(_items(atlas, kinds), str(out / "muscles_posterior.png"), "posterior", size)
    render(_items(atlas, kinds, hide=SUPERFICIAL_BACK),
           str(out / "muscles_posterior_intermediate.png"), "posterior", size,
           title="without trapezius, latissimus, gluteus maximus and deltoid")
    render(_items(atlas, kinds, hide=ERECTOR_AND_ABOVE),
           str(out / "muscles_deep_multifidus.png"), "posterior", size,
           focus=atlas.landmark("T12_spinous_tip"), zoom=1.9)
    for name, hide in HIP_LAYERS:
        render(_items(atlas, kinds, hide=hide), str(out / name), "posterior", (800, 800),
               focus=atlas.landmark("L5_spinous_tip") - [0.0, 0.0, 90.0], zoom=2.6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viewer.render.gallery",
                                     description="Render the README gallery from the built atlas.")
    parser.add_argument("out", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[2] / "docs" / "gallery",
                        help="folder for the pictures (default: docs/gallery)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--vertebrae", action="store_true", help="only the close-ups of L4 and C2")
    only.add_argument("--muscles", action="store_true", help="only the back muscles in layers")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    only_vertebrae, only_muscles, out = args.vertebrae, args.muscles, args.out
    out.mkdir(parents=True, exist_ok=True)
    atlas = load_atlas(DEFAULT_ASSETS)
    if only_muscles:
        render_back_layers(atlas, out)
        print(f"back muscles in layers written to {out}")
        return 0
    render_vertebrae(atlas, out)
    if only_vertebrae:
        print(f"vertebra close-ups written to {out}")
        return 0
    size = (700, 1100)
    render(_items(atlas, ("bone", "disc")), str(out / "skeleton_posterior.png"), "posterior", size)
    render_back_layers(atlas, out)
    render(_items(atlas, ("bone", "disc", "muscle")), str(out / "muscles_lateral.png"), "left", size)
    render(_items(atlas, ("skin",)), str(out / "skin.png"), "oblique", size)

    placed = json.loads((DEFAULT_ASSETS / "atlas" / "placed_points.json").read_text())["placements"]
    groups = {"BL": ("#2f6fdb", 4.0), "GV": ("#7b3fbf", 4.5), "EX-B2": ("#0f9d8a", 3.5)}
    spheres = []
    for prefix, (colour, radius) in groups.items():
        pos = [p["position"] for p in placed if p["position"] and p["code"].startswith(prefix)
               and (prefix != "BL" or 11 <= int(p["code"][2:]) <= 54)]
        spheres.append((np.array(pos), colour, radius))
    back = _items(atlas, ("skin",), opacity={"skin": 1.0})
    render(back, str(out / "points_back.png"), "posterior", (800, 1000), zoom=2.2,
           focus=atlas.landmark("T10_spinous_tip"), points=spheres,
           title="Bladder (blue), Governor Vessel (purple), Huatuojiaji (green)")
    print(f"gallery written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
