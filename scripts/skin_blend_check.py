"""Fit and blend the MakeHuman skin (viewer/anatomy/skin_model.py) over the committed body and
measure it (not part of the build yet).

    python scripts/skin_blend_check.py [OUT.ply]

Prints how many structures' vertices lie outside the blended skin or within 1 mm of it, the soft
tissue straight behind each spinous tip C7-L5, the triangles, and writes the skin to OUT.ply
(default /tmp/radix_skin_blend.ply; scripts/skin_fidelity.py measures it against the Visible
Human skin). Takes several minutes.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pyvista as pv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from viewer.anatomy import body_plan  # noqa: E402
from viewer.anatomy import skin_model as sm  # noqa: E402
from viewer.atlas import load_atlas  # noqa: E402

LEVELS = ["C7"] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)]


def main(out="/tmp/radix_skin_blend.ply"):
    atlas = load_atlas(ROOT / "assets")
    data = json.loads((ROOT / "assets" / "atlas" / "landmarks.json").read_text())
    marks = {k: np.array(v["position"], float) for k, v in data.items()}
    hips = {s: body_plan.hip_joint_centre(s) for s in ("left", "right")}
    spinous = {n: marks[f"{n}_spinous_tip"] for n in LEVELS}
    meshes = [atlas.mesh(s.id) for s in atlas if s.mesh and s.kind != "skin"]
    structures = [(np.asarray(m.vertices), np.asarray(m.faces)) for m in meshes]
    verts = sm.symmetric(sm.fitted(marks, hips, spinous))
    skin = sm.blended(verts, sm.base().faces, structures, log=print)
    surface = pv.PolyData(np.asarray(skin.vertices, float),
                          np.hstack([np.full((len(skin.faces), 1), 3), skin.faces]).ravel())
    pts = np.vstack([v for v, _ in structures])
    d = pv.PolyData(pts).compute_implicit_distance(surface)["implicit_distance"]
    print(f"structures' vertices outside the skin {int((d > 0).sum())}, within 1 mm "
          f"{int((d > -1).sum())} of {len(d)}; worst {d.max():.1f} mm")
    depths = []
    for level in LEVELS:
        tip = marks[f"{level}_spinous_tip"]
        locs, _, _ = skin.ray.intersects_location([tip], [[0.0, 1.0, 0.0]])
        behind = [p[1] - tip[1] for p in locs if p[1] > tip[1]]
        depths.append(min(behind) if behind else float("nan"))
    print("behind the spinous tips C7-L5, mm: " + " ".join(f"{x:.0f}" for x in depths))
    print(f"closed {skin.is_watertight}, triangles {len(skin.faces)}, volume {skin.volume / 1e6:.1f} L")
    skin.export(out)
    print(f"written {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
