"""Build step: place every point of ``assets/points.json`` on the body and draw the meridians.

Writes ``assets/atlas/placed_points.json`` (one record per point and side: position, normal,
status, how it was placed and checked, or why it could not be) and
``assets/atlas/meridian_paths.json`` (smooth lines over the skin). The browser loads these files;
nothing is recomputed at start-up.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .placement import STATUS_CHECKED, STATUS_NOT_PLACED, Skin, meridian_paths, place_points


def _head_centre(landmarks: dict) -> np.ndarray | None:
    if "tragus_left" in landmarks and "tragus_right" in landmarks:
        return (landmarks["tragus_left"] + landmarks["tragus_right"]) / 2
    return None


def place_all(assets: Path, log=print) -> dict:
    """Place all points of ``assets/points.json`` on the atlas under ``assets``; return a summary.

    Skips (with a message) when the atlas has no skin yet or there are no point records.
    """
    from viewer.atlas import DEFAULT_ASSETS, load_atlas

    # Knowledge comes from the folder being built when it has its own, else from the project.
    source = assets if (assets / "points.json").exists() else DEFAULT_ASSETS
    points_file = source / "points.json"
    if not points_file.exists():
        log("  points: no assets/points.json, nothing to place")
        return {}
    atlas = load_atlas(assets)
    if "skin" not in atlas:
        log("  points: the body has no skin yet, points not placed")
        return {}
    t0 = time.perf_counter()
    records = json.loads(points_file.read_text(encoding="utf-8"))["points"]
    landmarks = {name: lm.xyz for name, lm in atlas.landmarks.items()}
    skin = Skin(atlas.mesh("skin"), head_centre=_head_centre(landmarks))
    placements = place_points(records, landmarks, skin, log=log)

    sequences: dict[str, list[str]] = {}
    meridians_file = source / "knowledge" / "meridians.json"
    if meridians_file.exists():
        for m in json.loads(meridians_file.read_text(encoding="utf-8"))["meridians"]:
            if m.get("kind") == "meridian" and m.get("codes"):
                sequences[m["id"]] = list(m["codes"])  # extra-point groups are not channels
    paths = meridian_paths(sequences, placements, skin)

    total = len(placements)
    placed = sum(p.status != STATUS_NOT_PLACED for p in placements)
    checked = sum(p.status == STATUS_CHECKED for p in placements)
    summary = {"point_sides": total, "placed": placed, "placed_checked": checked,
               "not_placed": total - placed}
    out = {"summary": summary, "placements": [p.to_json() for p in placements]}
    (assets / "atlas" / "placed_points.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (assets / "atlas" / "meridian_paths.json").write_text(
        json.dumps({"paths": paths}, indent=None) + "\n", encoding="utf-8")
    # The time goes to the log, not the file: the file is compared with a fresh build.
    log(f"  points: {placed}/{total} placed, {checked} placed and checked, "
        f"{time.perf_counter() - t0:.1f} s")
    return summary
