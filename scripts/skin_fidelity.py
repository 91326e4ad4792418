"""The skin against the Visible Human male skin (measuring only; needs ../shared).

    python scripts/skin_fidelity.py assets/meshes/9000.glb   # or any mesh file of a skin

fidelity.py's similarity fit of the whole skin, distances overall, on the back, head and legs;
then a fit of the trunk alone (the reference's arms and legs are spread), distances on its back
(the issue's "skin, back" figure). Caches the prepared reference in /tmp.
"""

import os
import sys
from pathlib import Path

import numpy as np
import trimesh

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
sys.path.insert(0, str(SHARED / "tools"))
import fidelity as F  # noqa: E402

skin_path = sys.argv[1]
radix = (
    trimesh.load(skin_path, force="mesh", process=False)
    if not skin_path.endswith(".glb")
    else F.load_mesh([skin_path])
)
ref_mesh = F.load_mesh([str(SHARED / "anatomy-reference" / "hra" / "VH_M_Skin.glb")])
v = ref_mesh.vertices * 1000.0  # HRA: metres, +Y up, +Z anterior -> mm, +X left, +Y posterior, +Z up
ref_mesh = trimesh.Trimesh(np.column_stack([-v[:, 0], -v[:, 2], v[:, 1]]), ref_mesh.faces, process=False)
cache = "/tmp/radix_vh_skin_ref.npz"
if os.path.exists(cache):
    ref = F.load_reference(cache)
else:
    ref = F.prepare_reference(ref_mesh)
    F.save_reference(ref, cache)
outer = F.outer_surface(radix)
s, R, t, _ = F.fit_similarity(F.sample(outer, F.N_FIT, F.SEED_RADIX_FIT), ref["fit"])
fitted = F.transformed(outer, s, R, t)
pa = F.sample(fitted, 20000, 1)
pb = F.sample(ref_mesh, 20000, 2)
da = F.surface_distance(pa, ref["outer"])
db = F.surface_distance(pb, fitted)
d = np.concatenate([da, db])
print(
    f"scale {1 / s:.3f} rot {F.rotation_deg(R):.1f} deg; "
    f"whole skin mean {d.mean():.1f} mm p95 {np.percentile(d, 95):.1f} mm"
)
# the back: posterior trunk between the gluteal folds (~0.47 of height) and C7 (~0.82)
lo, hi = ref_mesh.bounds


def back(p):
    h = (p[:, 2] - lo[2]) / (hi[2] - lo[2])
    cy = (lo[1] + hi[1]) / 2
    return (
        (h > 0.47)
        & (h < 0.82)
        & (p[:, 1] > cy)
        & (np.abs(p[:, 0] - (lo[0] + hi[0]) / 2) < 0.17 * (hi[2] - lo[2]))
    )


db_ = np.concatenate([da[back(pa)], db[back(pb)]])
print(f"back mean {db_.mean():.1f} mm p95 {np.percentile(db_, 95):.1f} mm (n={len(db_)})")
for name, sel in [
    ("head", lambda p: (p[:, 2] - lo[2]) / (hi[2] - lo[2]) > 0.87),
    ("legs", lambda p: (p[:, 2] - lo[2]) / (hi[2] - lo[2]) < 0.45),
]:
    x = np.concatenate([da[sel(pa)], db[sel(pb)]])
    print(f"{name} mean {x.mean():.1f} p95 {np.percentile(x, 95):.1f}")


# The trunk alone (arms and legs are posed differently): fit on the trunk, distances on its back.
def band(mesh):
    lo, hi = mesh.bounds
    c = mesh.triangles_center
    h = (c[:, 2] - lo[2]) / (hi[2] - lo[2])
    keep = (h > 0.47) & (h < 0.82) & (np.abs(c[:, 0]) < 0.085 * (hi[2] - lo[2]))
    return mesh.submesh([np.flatnonzero(keep)], append=True)


rt, vt = band(radix), band(ref_mesh)
s2, R2, t2, _ = F.fit_similarity(F.sample(rt, 8000, 3), F.sample(vt, 8000, 4))
rtf = F.transformed(rt, s2, R2, t2)
pa, pb = F.sample(rtf, 15000, 5), F.sample(vt, 15000, 6)
cy = vt.centroid[1]
da = F.surface_distance(pa[pa[:, 1] > cy], vt)
db = F.surface_distance(pb[pb[:, 1] > cy], rtf)
x = np.concatenate([da, db])
print(
    f"trunk-only fit (scale {1 / s2:.3f}, rot {F.rotation_deg(R2):.1f}): "
    f"back mean {x.mean():.1f} mm, p95 {np.percentile(x, 95):.1f} mm"
)
