"""The shoulder girdle (clavicles, scapulae) and the pelvic girdle (hip bones).

Shoulder: the clavicle runs S-shaped from the manubrium's clavicular notch to the acromion; the
scapula lies on the posterior chest wall over ribs 2-7, its costal surface following the ribs
(the plate is pushed clear of the rib cage built by :mod:`thorax`), its medial border about 6 cm
from the midline, the root of its spine level with the T3 spinous process and its inferior angle
with T7 (Gray's Anatomy). The glenoid faces laterally and forwards in the scapular plane (about
30 degrees to the coronal plane) and holds the humeral head a joint gap away.

Pelvis: each hip bone is an iliac wing (a curved plate under a thick crest from ASIS to PSIS), a
sacroiliac block whose auricular face stays a joint gap lateral of the sacrum (sacral auricular
surfaces at |X| 45-55 mm around S1-S3), the acetabular cup around
:func:`body_plan.hip_joint_centre`, and the ischial and pubic rami round the obturator foramen to
the symphysis. Published anchors: iliac crest top at the L4 spinous level, PSIS at S2, ASIS and
symphysis in one coronal plane, intercristal breadth about 280 mm, inter-ASIS about 240 mm.

Axes: +X subject's left, +Y posterior, +Z up; millimetres. Left parts are built, right parts are
their mirror images.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.spatial import cKDTree

from . import body_plan
from . import morphometry as mm
from . import shapes
from .implicit import Field
from .parts import Landmark, Part
from .shapes import Manifold
from .thorax import (
    CLAVICLE_HEAD_RADIUS, JOINT_GAP, cage_for, extreme_vertex, finish,
    paired_parts, ray_hit, smooth_path, sternoclavicular_centre, sternum_plan, swept_solid,
    thick_plate, vertices_of,
)

HUMERAL_HEAD_RADIUS = 23.0
"""Adult male humeral head radius of curvature, mm."""
FEMORAL_HEAD_RADIUS = 24.0
"""Adult male femoral head radius, mm (diameter about 48 mm)."""
SCAPULAR_PLANE = 32.0
"""Angle of the scapular plane (and the glenoid's facing) forward of the coronal plane, degrees."""
ACROMION_TOP_ABOVE_STATURE_LEVEL = 8.0
"""The bony acromion top sits this much above Winter's acromion height, mm: the procedural spine
puts the suprasternal notch about 25 mm above Winter's acromion level, so a clavicle ending at
Winter's height would slope down steeply; 8 mm keeps the upper arm within 3 % of Winter's length
(reported to the lead)."""

# ---------------------------------------------------------------------------------------------
# Shoulder plan
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShoulderPlan:
    """Where the shoulder girdle's parts meet (left side), mm."""

    acromion_tip: np.ndarray
    acromion_top_z: float
    head_centre: np.ndarray
    glenoid_facing: np.ndarray
    clavicle_path: np.ndarray
    midpoint_x: float


@lru_cache(maxsize=4)
def _shoulder_plan(stature: float) -> ShoulderPlan:
    props = body_plan.proportions(stature)
    plan = sternum_plan(stature)
    top = props.height_of("acromion") + ACROMION_TOP_ABOVE_STATURE_LEVEL
    tip = np.array([props.biacromial_breadth / 2, 2.0, top - 4.0])
    a = np.radians(SCAPULAR_PLANE)
    facing = np.array([np.cos(a), -np.sin(a), 0.0])
    head = np.array([tip[0] - 26.0, -6.0, top - 20.0 - HUMERAL_HEAD_RADIUS])
    sc = sternoclavicular_centre(plan)
    ac = np.array([tip[0] - 24.0, -14.0, top])
    ctrl = np.array([sc, sc + [28, -10, 1], sc + [68, -4, -1], [ac[0] - 36, -42, ac[2] + 4],
                     [ac[0] - 13, -24, ac[2] + 2], ac])
    path = smooth_path(ctrl, 36)
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)])
    mid_x = float(np.interp(s[-1] / 2, s, path[:, 0]))
    return ShoulderPlan(tip, top, head, facing, path, mid_x)


def clavicle_plan(stature: float = 1750.0) -> ShoulderPlan:
    """Where the clavicle runs, the acromion and the humeral head sit (left side)."""
    return _shoulder_plan(stature)


def shoulder_joint(stature: float = 1750.0) -> tuple[np.ndarray, float]:
    """Centre and radius of the left humeral head."""
    return _shoulder_plan(stature).head_centre, HUMERAL_HEAD_RADIUS


def spinous_tip_estimate(level: str, stature: float = 1750.0) -> np.ndarray:
    """Tip of a spinous process from the morphometry (used when the spine has not been built)."""
    frame = body_plan.spine_layout(stature).vertebrae[level]
    d = mm.VERTEBRAE[level]
    slope = np.radians(d.spinous_slope)
    y = d.body_depth / 2 + d.canal_depth + d.spinous_length * np.cos(slope)
    z = -d.spinous_length * np.sin(slope)
    return frame.to_world(np.array([0.0, y, z]))


def spinous_tip(ctx, level: str) -> np.ndarray:
    """The spine generator's spinous tip landmark, or the morphometric estimate."""
    try:
        return np.asarray(ctx.landmark(f"{level}_spinous_tip"), float)
    except KeyError:
        return spinous_tip_estimate(level, ctx.stature)


# ---------------------------------------------------------------------------------------------
# Clavicle
# ---------------------------------------------------------------------------------------------

def _clavicle(sp: ShoulderPlan) -> Manifold:
    path = sp.clavicle_path
    s = np.linspace(0, 1, len(path))
    # Round and thick at the sternal end, flattened (wide front-to-back) at the acromial end.
    half_w = np.interp(s, [0, 0.08, 0.3, 0.65, 0.85, 1], [CLAVICLE_HEAD_RADIUS, 8.0, 6.0, 6.5,
                                                           9.0, 9.0])
    half_h = np.interp(s, [0, 0.08, 0.3, 0.65, 0.85, 1], [CLAVICLE_HEAD_RADIUS, 7.0, 5.5, 5.0,
                                                           4.5, 4.5])
    return swept_solid(path, half_w, half_h, segments=12, cap_rings=3)


# ---------------------------------------------------------------------------------------------
# Scapula
# ---------------------------------------------------------------------------------------------

SCAPULA_CLEARANCE = 14.0
"""From the back of the ribs to the scapula's mid-surface, mm (subscapularis and serratus)."""


def _rib_back_height(rib_points: np.ndarray):
    """A function (x, z) -> most posterior rib surface y near that point (NaN where no rib)."""
    tree = cKDTree(rib_points[:, [0, 2]])

    def back(x: float, z: float) -> float:
        idx = tree.query_ball_point([x, z], 16.0)
        return float(rib_points[idx, 1].max()) if idx else np.nan

    return back


def _scapula(ctx, sp: ShoulderPlan, rib_points: np.ndarray) -> tuple[Manifold, dict]:
    root_z = spinous_tip(ctx, "T3")[2]
    inf_z = spinous_tip(ctx, "T7")[2]
    sup_z = spinous_tip(ctx, "T2")[2] + 12.0
    h, d = sp.head_centre, sp.glenoid_facing
    neck = h - d * (HUMERAL_HEAD_RADIUS + JOINT_GAP + 14.0)
    medial = smooth_path(np.array([[70.0, 0, inf_z], [61.0, 0, root_z - 55], [58.0, 0, root_z],
                                   [62.0, 0, sup_z]]), 15)
    lateral = smooth_path(np.array([[80.0, 0, inf_z + 4], [104.0, 0, inf_z + 34],
                                    [neck[0] - 8, 0, neck[2] - 34], neck + [0, 0, -16],
                                    neck + [-2, 0, 2], neck + [-10, 0, 24]]), 15)
    nu = 9
    u = np.linspace(0, 1, nu)[:, None, None]
    grid = (1 - u) * medial[None] + u * lateral[None]
    back = _rib_back_height(rib_points)
    # y: on the plane from the medial border (clear of the ribs) to the glenoid neck, pushed
    # further back wherever a rib comes close.
    y_med = np.array([np.nan_to_num(back(p[0], p[2]), nan=40.0) for p in medial]) + SCAPULA_CLEARANCE
    y_med = np.convolve(np.pad(y_med, 2, mode="edge"), np.ones(5) / 5, mode="valid")
    y_lat = np.interp(lateral[:, 2], [inf_z, neck[2] - 24, neck[2] + 10],
                      [y_med[0] - 8.0, neck[1] + 6.0, neck[1]])
    grid[..., 1] = (1 - u[..., 0]) * y_med[None] + u[..., 0] * y_lat[None]
    for _ in range(2):
        for i in range(nu):
            for j in range(grid.shape[1]):
                b = back(grid[i, j, 0], grid[i, j, 2])
                if not np.isnan(b):
                    grid[i, j, 1] = max(grid[i, j, 1], b + SCAPULA_CLEARANCE)
        grid[1:-1, :, 1] = (grid[:-2, :, 1] + grid[1:-1, :, 1] + grid[2:, :, 1]) / 3
    plate = thick_plate(grid, 3.5, outward=(0, 1, 0))
    borders = [swept_solid(grid[0], 2.6, 2.6, segments=8)]  # medial border
    borders.append(swept_solid(grid[-1][:-2], 4.5, 4.5, segments=8))  # lateral border
    borders.append(swept_solid(grid[:, -1], 2.4, 2.4, segments=8))  # superior border
    borders.append(swept_solid(smooth_path(np.array([grid[0, 0], grid[3, 0], grid[6, 1]]), 6),
                               3.2, 3.2, segments=8))  # rounded inferior angle
    # Spine: a blade on the back of the plate, from the root up and out to the acromion.
    j_root = int(np.argmin(np.abs(grid[0, :, 2] - root_z)))
    normal = np.cross(np.gradient(grid, axis=0), np.gradient(grid, axis=1))
    normal /= np.linalg.norm(normal, axis=2, keepdims=True)
    normal *= np.sign(normal[..., 1].mean())
    base, crest = [], []
    spine_end_z = neck[2] + 4.0
    for i in range(nu - 1):
        target = root_z + (spine_end_z - root_z) * i / (nu - 2)
        j = int(np.argmin(np.abs(grid[i, :, 2] - target)))
        p = grid[i, j] + normal[i, j] * 1.5
        base.append(p)
        crest.append(p + normal[i, j] * (3.0 + 2.6 * i))
    acr_pm = np.array([sp.acromion_tip[0] - 26.0, 34.0, sp.acromion_top_z - 7.0])
    crest.append(acr_pm)
    base.append(acr_pm - np.array([0.0, 10.0, 4.0]))
    blade = []
    for i in range(len(base) - 1):
        blade.append(shapes.hull_of([Manifold.sphere(r, 8).translate(q.tolist()) for q, r in
                                     ((base[i], 2.0), (base[i + 1], 2.0), (crest[i], 3.2),
                                      (crest[i + 1], 3.2))]))
    spine = shapes.union(blade)
    # Acromion: a flat process over the humeral head, continuing the spine.
    t = sp.acromion_tip
    top = sp.acromion_top_z
    acromion = shapes.hull_of([
        Manifold.sphere(4.5, 12).translate(acr_pm.tolist()),
        Manifold.sphere(4.5, 12).translate([t[0] - 6.0, 30.0, top - 6.0]),  # acromial angle
        Manifold.sphere(4.5, 12).translate([t[0] - 4.5, t[1], t[2]]),  # lateral tip
        Manifold.sphere(4.0, 12).translate([t[0] - 10.0, -14.0, top - 4.0]),
        Manifold.sphere(4.0, 12).translate([t[0] - 17.0, -8.0, top - 4.0]),  # clavicular facet
        Manifold.sphere(4.0, 12).translate([t[0] - 22.0, 18.0, top - 7.0]),
    ])
    # Glenoid: a pear-shaped block hollowed by the humeral head's sphere plus the joint gap.
    frame = shapes.frame_from_z(d, np.array([0.0, 0.0, 1.0]))
    glen_block = shapes.ellipsoid(h - d * (HUMERAL_HEAD_RADIUS + JOINT_GAP - 3.0), (17.0, 12.5, 9.0),
                                  24, rotation=frame)
    glen_neck = shapes.hull_of([shapes.ellipsoid(neck + d * 4, (15.0, 10.0, 5.0), 16, rotation=frame),
                                Manifold.sphere(6.0, 10).translate(grid[-2, -3].tolist()),
                                Manifold.sphere(6.0, 10).translate(grid[-3, -1].tolist())])
    cb = grid[-2, -1]
    coracoid_path = smooth_path(np.array([cb + [0, -2, 2], cb + [-2, -14, 12],
                                          cb + [4, -28, 12], cb + [12, -40, 2]]), 12)
    coracoid = swept_solid(coracoid_path, np.linspace(6.5, 4.5, 12), np.linspace(7.5, 5.0, 12),
                           segments=10)
    solid = shapes.union([plate, *borders, spine, acromion, glen_block, glen_neck, coracoid])
    solid = solid - Manifold.sphere(HUMERAL_HEAD_RADIUS + JOINT_GAP, 48).translate(h.tolist())
    pieces = {"plate": plate, "grid": grid, "normal": normal, "spine_crest": np.array(crest),
              "acromion": acromion, "coracoid": coracoid, "j_root": j_root}
    return solid, pieces


def _scapula_landmarks(solid: Manifold, pieces: dict, sp: ShoulderPlan) -> dict[str, Landmark]:
    v = vertices_of(solid)
    grid = pieces["grid"]
    crest = pieces["spine_crest"]
    z_lo, z_hi = v[:, 2].min(), v[:, 2].max()
    medial_third = v[v[:, 0] < v[:, 0].min() + 25]
    superior = medial_third[np.argmax(medial_third[:, 2])]
    inferior = v[np.argmin(v[:, 2])]
    mid_z = (superior[2] + inferior[2]) / 2
    band = v[np.abs(v[:, 2] - mid_z) < 4]
    medial_mid = band[np.argmin(band[:, 0])]
    root = crest[0]
    root_v = v[np.linalg.norm(v - root, axis=1) < 12]
    spine_root = root_v[np.argmin(root_v[:, 0])]
    mid_crest = crest[len(crest) // 2]
    spine_mid = v[np.argmin(np.linalg.norm(v - mid_crest, axis=1))]
    j_root = pieces["j_root"]
    nv = grid.shape[1]

    def fossa(j):
        p = grid[grid.shape[0] // 2, j]
        return ray_hit(solid, p + np.array([0, 80.0, 0]), (0, -1, 0))

    supra = fossa(min(nv - 2, (j_root + nv - 1) // 2 + 1))
    infra = fossa(max(1, j_root // 2))
    acr = pieces["acromion"]
    acromion = extreme_vertex(acr, (1, 0, 0))
    acromion_angle = extreme_vertex(acr, (0.5, 1, -0.2))
    glenoid = ray_hit(solid, sp.head_centre, -sp.glenoid_facing)
    coracoid = extreme_vertex(pieces["coracoid"], (0, -1, 0))
    h = sp.head_centre
    marks = {
        "scapula_spine_root": (spine_root, "most medial vertex of the scapula at the medial end of "
                               "the spine"),
        "scapula_spine_mid": (spine_mid, "vertex of the spine's crest half-way from root to "
                              "acromion"),
        "scapula_inferior_angle": (inferior, "lowest vertex of the scapula"),
        "scapula_superior_angle": (superior, "highest vertex of the scapula's medial 25 mm"),
        "scapula_medial_border_mid": (medial_mid, "most medial vertex half-way between the superior "
                                      "and inferior angles"),
        "supraspinous_fossa_center": (supra, "back surface of the plate between the superior "
                                      "border and the spine, mid-width (ray from behind)"),
        "infraspinous_fossa_center": (infra, "back surface of the plate between the spine and the "
                                      "inferior angle, mid-width (ray from behind)"),
        "acromion": (acromion, "most lateral vertex of the acromion"),
        "acromion_angle": (acromion_angle, "posterolateral corner of the acromion (extreme vertex "
                           "backwards and outwards)"),
        "glenoid": (glenoid, "centre of the glenoid cavity: ray from the humeral head centre "
                    "along the glenoid axis"),
        "coracoid_process": (coracoid, "most anterior vertex of the coracoid process"),
        "axillary_fold_anterior": (h + np.array([-22.0, -48.0, -80.0]),
                                   "by rule: lower border of pectoralis major at the arm, 80 mm "
                                   "below and 48 mm in front of the humeral head centre"),
        "axillary_fold_posterior": (h + np.array([-22.0, 42.0, -90.0]),
                                    "by rule: lower border of teres major/latissimus at the arm, "
                                    "90 mm below and 42 mm behind the humeral head centre"),
        "axilla_apex": (h + np.array([-42.0, 2.0, -58.0]),
                        "by rule: skin at the top of the axillary fossa, 58 mm below and 42 mm "
                        "medial to the humeral head centre"),
    }
    # SI10's landmark: straight above the posterior axillary fold, just under the lower border of
    # the lateral part of the spine.
    fold = marks["axillary_fold_posterior"][0]
    spine_band = v[(np.abs(v[:, 0] - fold[0]) < 4.0) & (v[:, 1] > fold[1] - 60.0)
                   & (v[:, 2] > crest[:, 2].min() - 30.0)]
    spine_low = spine_band[spine_band[:, 1] > np.percentile(spine_band[:, 1], 70)]
    under = np.array([fold[0], 0.0, spine_low[:, 2].min() - SPINE_HOLLOW_BELOW])
    # Lateral of the blade the hollow lies over the glenoid neck and the joint: the depth is
    # taken from the spine's posterior surface there.
    under[1] = spine_low[:, 1].max()
    marks["scapula_spine_inferior_lateral"] = (
        under + np.array([0.0, DELTOID_SOFT_TISSUE, 0.0]),
        f"by rule: straight above the posterior axillary fold, {SPINE_HOLLOW_BELOW:.0f} mm below "
        "the lower border of the lateral part of the scapular spine, at the depth of the spine's "
        f"posterior surface there + {DELTOID_SOFT_TISSUE:.0f} mm deltoid and skin")
    return {f"{k}_left": Landmark(np.asarray(p, float), m) for k, (p, m) in marks.items()}


SPINE_HOLLOW_BELOW = 10.0
"""The hollow under the scapular spine lies this far below the spine's lower border, mm."""
DELTOID_SOFT_TISSUE = 18.0
"""Posterior deltoid and skin over the infraspinous fossa near the spine's lateral end, mm."""


# ---------------------------------------------------------------------------------------------
# Hip bone
# ---------------------------------------------------------------------------------------------

AURICULAR_MEDIAL_X = 57.5
"""The ilium's auricular face stays lateral of this |X| (sacral auricular surfaces reach 55 mm),
leaving the sacroiliac joint gap."""
ACETABULUM_INCLINATION = 45.0
ACETABULUM_ANTEVERSION = 18.0
"""Opening of the acetabulum: down from horizontal and forward from the coronal plane, degrees
(adult means, Murray 1993 radiographic definitions)."""


@dataclass(frozen=True)
class PelvisPlan:
    hip_centre: np.ndarray
    crest: np.ndarray
    base: np.ndarray
    acetabulum_axis: np.ndarray


@lru_cache(maxsize=4)
def pelvis_plan(stature: float = 1750.0) -> PelvisPlan:
    """Key curves of the left hip bone, from the hip joint centre and the S1 frame."""
    hc = body_plan.hip_joint_centre("left", stature)
    s1 = body_plan.spine_layout(stature).s1.origin
    dz = hc[2] - 917.0  # the curves below are drawn for the default body, shift with it
    crest = np.array([
        [120.0, -72.0, 998.0],   # ASIS
        [133.0, -56.0, 1030.0],
        [141.0, -30.0, 1052.0],  # iliac tubercle
        [138.0, -2.0, 1077.0],
        [124.0, 24.0, 1088.0],   # highest point, posterolateral
        [104.0, 44.0, 1083.0],
        [82.0, 60.0, 1065.0],
        [60.0, 70.0, 1044.0],
        [50.0, 72.0, 1030.0],    # PSIS
    ]) + [0, 0, dz]
    base = np.array([
        [112.0, -60.0, 962.0],   # AIIS
        [102.0, -44.0, 956.0],
        [95.0, -24.0, 958.0],
        [88.0, -6.0, 962.0],
        [76.0, 14.0, 970.0],     # apex of the greater sciatic notch
        [66.0, 35.0, 982.0],
        [62.0, 46.0, 996.0],
        [61.0, 54.0, 1008.0],
        [60.0, 60.0, 1014.0],    # PIIS
    ]) + [0, 0, dz]
    inc, av = np.radians(ACETABULUM_INCLINATION), np.radians(ACETABULUM_ANTEVERSION)
    axis = np.array([np.cos(inc) * np.cos(av), -np.cos(inc) * np.sin(av), -np.sin(inc)])
    del s1
    return PelvisPlan(hc, crest, base, axis / np.linalg.norm(axis))


ILIAC_FOSSA_BOW = 2.0
"""How far the middle of the iliac wing bows laterally beyond the line from crest to arcuate line,
mm (the iliac fossa is shallow; chosen by measuring against the references)."""
ILIAC_WING_HALF_THICKNESS = (3.2, 4.6)
"""Half thickness of the iliac wing in the middle of the fossa, and its increase towards the
body of the ilium, mm."""
ACETABULAR_WALL = 11.0
"""Bone round the socket beyond the head and joint gap: the acetabular walls, mm."""
ACETABULAR_RIM = (2.0, 2.0)
"""Centre-line offset beyond the socket and thickness of the rim tube round the mouth, mm."""
ACETABULAR_FOSSA = (12.0, 3.5, 9.0)
"""Radius of the acetabular fossa, how much deeper than the lunate surface it lies, and how far
below the socket's axis its centre is, mm (the fossa is about 25 mm across; Gray's Anatomy)."""
ACETABULAR_NOTCH = (16.0, 4.0)
"""Width of the acetabular notch in the lower rim, and how far inside the socket's radius its
inner edge lies, mm."""
ISCHIAL_TUBEROSITY = ((-20.0, 38.0, -52.0), (12.0, 18.0, 14.0))
"""Centre of the ischial tuberosity from the hip centre, and its semi-axes, mm."""

PUBIC_RAMI = (10.0, 8.0, 6.0, 11.0)
"""Half width and half height of the superior pubic ramus at the pubic body, and of the
inferior pubic and ischial rami (a flat band: thin across, tall in the plane of the obturator
membrane), mm."""

HIP_STEP = 1.6
"""Grid step of the hip bone's implicit field, mm (the iliac fossa is about 4 mm thick)."""


def _upsample(grid: np.ndarray, nu: int, nv: int) -> np.ndarray:
    """Bilinear resampling of a surface grid ``(a, b, ...)`` to ``(nu, nv, ...)``."""
    a, b = grid.shape[:2]
    ui = np.linspace(0, a - 1, nu)
    vi = np.linspace(0, b - 1, nv)
    i0 = np.minimum(np.floor(ui).astype(int), a - 2)
    j0 = np.minimum(np.floor(vi).astype(int), b - 2)
    fu = (ui - i0)[:, None, None]
    fv = (vi - j0)[None, :, None]
    g = grid.reshape(a, b, -1)
    out = ((1 - fu) * (1 - fv) * g[i0][:, j0] + fu * (1 - fv) * g[i0 + 1][:, j0]
           + (1 - fu) * fv * g[i0][:, j0 + 1] + fu * fv * g[i0 + 1][:, j0 + 1])
    return out.reshape((nu, nv) + grid.shape[2:])


def _hip_bone(pp: PelvisPlan, stature: float = 1750.0) -> tuple[Manifold, dict]:
    """Ilium (a thin curved wing under an S-shaped crest), acetabulum, ischium and pubis as one
    blended implicit solid; the socket, the symphysis plane and the sacroiliac gap are then cut
    exactly."""
    hc = pp.hip_centre
    dz = hc[2] - 917.0
    f = Field(np.array([0.0, hc[1] - 75, hc[2] - 75]), np.array([152.0, 92.0, hc[2] + 180]),
              HIP_STEP)
    crest = smooth_path(pp.crest, 40)
    base = smooth_path(pp.base, 40)
    # Wing: from the crest down to the arcuate line and the sciatic notch, bowed outwards (the
    # iliac fossa is concave), thin in the middle of the fossa, thickening towards the body.
    nv = 12
    v = np.linspace(0, 1, nv)[None, :, None]
    grid = (1 - v) * crest[:, None] + v * base[:, None]
    u = np.linspace(0, 1, len(crest))[:, None]
    grid[..., 0] += ILIAC_FOSSA_BOW * np.sin(np.pi * v[..., 0]) * (1 - u ** 2)
    grid[..., 0] = np.maximum(grid[..., 0], AURICULAR_MEDIAL_X + 4.0)
    half = (ILIAC_WING_HALF_THICKNESS[0] + ILIAC_WING_HALF_THICKNESS[1] * v[..., 0] ** 2
            + 1.5 * np.exp(-((u - 0.95) / 0.1) ** 2))
    fine = _upsample(np.concatenate([grid, half[..., None]], axis=2), 160, 50)
    f.sheet(fine[..., :3].reshape(-1, 3), fine[..., 3].ravel(), k=3)
    # Crest: thick, with the tubercle, the anterior and posterior spines.
    s = np.linspace(0, 1, len(crest))
    f.tube(crest, np.interp(s, [0, 0.2, 0.5, 0.85, 1], [5.0, 6.0, 5.5, 6.5, 7.0]),
           np.interp(s, [0, 0.2, 0.5, 1], [4.5, 5.0, 4.5, 5.5]), k=5)
    f.ellipsoid(pp.crest[0], (6.0, 8.0, 7.0), k=5)  # ASIS
    f.ellipsoid(pp.crest[2] + [2.0, 0, 0], (8.0, 10.0, 6.0), k=6)  # iliac tubercle
    f.ellipsoid(pp.crest[-1], (7.0, 7.0, 8.0), k=5)  # PSIS
    f.ellipsoid(pp.base[0], (6.0, 6.0, 6.0), k=6)  # AIIS
    f.ellipsoid(pp.base[-1], (5.5, 5.0, 6.0), k=5)  # PIIS
    # Sacroiliac part: a thick block behind the auricular surface (its medial face is the
    # auricular face), buttressed out to the wing.
    for p in ([AURICULAR_MEDIAL_X + 9.0, 25.0, 1008.0], [AURICULAR_MEDIAL_X + 9.0, 50.0, 1028.0],
              [AURICULAR_MEDIAL_X + 9.0, 12.0, 1012.0], [AURICULAR_MEDIAL_X + 9.0, 48.0, 998.0],
              [AURICULAR_MEDIAL_X + 9.0, 30.0, 986.0], [AURICULAR_MEDIAL_X + 16.0, 60.0, 1040.0]):
        f.sphere(np.array(p) + [0, 0, dz], 7.5, k=10)
    f.ellipsoid(np.array([AURICULAR_MEDIAL_X + 18.0, 36.0, 1012.0 + dz]), (14.0, 22.0, 26.0),
                k=12)  # iliac tuberosity
    # Body of the ilium joining the wing to the acetabulum; the acetabular wall and its rim.
    r_in = FEMORAL_HEAD_RADIUS + JOINT_GAP
    f.tube(np.array([hc + [-2.0, 2.0, 8.0], pp.base[2] + [2.0, 0, 6.0]]), 14.0, k=10)
    f.tube(np.array([hc + [-8.0, 18.0, 10.0], pp.base[4] + [0.0, 0, 8.0]]), 11.0, k=10)
    f.sphere(hc, r_in + ACETABULAR_WALL, k=6)
    ax = pp.acetabulum_axis
    frame = shapes.frame_from_z(ax)
    th = np.linspace(0, 2 * np.pi, 33)
    rim = hc + ax * 4.0 + (r_in + ACETABULAR_RIM[0]) * (np.outer(np.cos(th), frame[:, 0])
                                                        + np.outer(np.sin(th), frame[:, 1]))
    f.tube(rim, ACETABULAR_RIM[1], k=4)
    # Ischium: body down and back to the tuberosity, the spine, the ischial ramus.
    tuber_c = hc + np.array(ISCHIAL_TUBEROSITY[0])
    f.tube(np.array([hc + [-6.0, 18.0, -8.0], hc + [-18.0, 28.0, -26.0], tuber_c]),
           np.array([14.0, 11.0, 9.0]), k=8, n=10)
    f.ellipsoid(tuber_c + [0.0, 2.0, -2.0], ISCHIAL_TUBEROSITY[1], k=6,
                rotation=shapes.frame_from_z(np.array([0.0, 0.6, 1.0]), np.array([1.0, 0, 0])))
    spine_tip = hc + np.array([-36.0, 50.0, -20.0])
    f.tube(np.array([pp.base[4] + [0.0, 4.0, -6.0], hc + [-18.0, 40.0, -8.0], spine_tip]),
           np.array([7.0, 6.0, 2.5]), k=6, n=10)  # posterior border and ischial spine
    sym_x = 1.5
    pub_top = np.array([sym_x + 7.0, hc[1] - 46.0, hc[2] + 1.0])
    pub_bot = np.array([sym_x + 7.0, hc[1] - 33.0, hc[2] - 34.0])
    f.tube(np.array([pub_top + [-2.0, 1.0, -4.0], pub_bot + [-2.0, 1.0, 6.0]]), 8.0, 7.0,
           up=(0, 1, 0), k=6)  # pubic body and symphyseal face
    sup_w, sup_h, inf_w, inf_h = PUBIC_RAMI
    f.tube(np.array([pub_top + [4.0, 2.0, -4.0], hc + [-32.0, -30.0, 4.0], hc + [-10.0, -22.0, 10.0]]),
           sup_w * np.array([1.0, 0.875, 1.25]), sup_h * np.array([1.0, 0.93, 1.29]), k=6,
           n=12)  # superior ramus
    f.sphere(pub_top + [12.0, -5.0, -3.0], 4.5, k=4)  # pubic tubercle
    f.tube(np.array([pub_bot + [2.0, 3.0, 2.0], hc + [-48.0, -2.0, -48.0],
                     tuber_c + [-6.0, -10.0, -2.0]]), inf_w, inf_h, up=(1.0, 0.0, 0.3), k=6,
           n=12)  # inferior pubic and ischial rami
    # Obturator foramen: an oval hole between the rami and the acetabulum.
    ob_c = hc + np.array([-36.0, -10.0, -24.0])
    ob_normal = np.array([1.0, -1.05, -0.88]) / np.linalg.norm([1.0, -1.05, -0.88])
    f.tube(np.array([ob_c - 30.0 * ob_normal, ob_c + 30.0 * ob_normal]), 11.0, 16.0,
           up=(0.0, 0.5, 1.0), k=4, subtract=True)
    solid = f.solid()
    # Hollow the socket (head radius plus the joint gap) and open it along the acetabular axis.
    solid = solid - Manifold.sphere(r_in, 64).translate(hc.tolist())
    mouth = Manifold.sphere(r_in + 12.0, 48).translate(hc.tolist()).trim_by_plane(
        ax.tolist(), float(np.dot(ax, hc)) + 6.0)
    solid = solid - mouth
    # The acetabular fossa: a non-articular pit in the floor of the socket, below its centre,
    # opening into the acetabular notch in the lower rim; the lunate surface is what is left.
    down = np.array([0.0, 0.0, -1.0]) - ax * float(np.dot([0.0, 0.0, -1.0], ax))
    down /= np.linalg.norm(down)
    fr, fdepth, fshift = ACETABULAR_FOSSA
    fossa_c = hc - ax * (r_in + fdepth - fr) + down * fshift
    solid = solid - Manifold.sphere(fr, 40).translate(fossa_c.tolist())
    nw, nd = ACETABULAR_NOTCH
    notch_frame = np.column_stack([np.cross(down, ax), down, ax])
    notch = Manifold.cylinder(2 * (r_in + ACETABULAR_WALL), nw / 2, nw / 2, 24, center=True)
    notch = notch.transform(np.column_stack([notch_frame, hc + down * (r_in - nd + nw / 2)]))
    solid = solid - notch.translate((ax * (r_in + ACETABULAR_WALL)).tolist())
    # Keep the symphysis gap exact (nothing crosses x = sym_x) and the auricular face lateral
    # of the sacroiliac gap.
    solid = solid.trim_by_plane([1.0, 0.0, 0.0], sym_x)
    s1 = body_plan.spine_layout(stature).s1
    gap_box = shapes.box(s1.to_world(np.array([AURICULAR_MEDIAL_X / 2, 5.0, -45.0])),
                         (AURICULAR_MEDIAL_X, 80.0, 120.0), rotation=s1.axes.T)
    solid = solid - gap_box
    pieces = {"tuber_c": tuber_c, "pub_top": pub_top, "tubercle_c": pub_top + [12.0, -5.0, -3.0]}
    return solid, pieces


def _hip_landmarks(solid: Manifold, pieces: dict, pp: PelvisPlan, coccyx_tip: np.ndarray
                   ) -> dict[str, Landmark]:
    pb = vertices_of(solid)

    def near(centre, radius):
        return pb[np.linalg.norm(pb - np.asarray(centre, float), axis=1) < radius]

    crest_top = extreme_vertex(pb, (0, 0, 1))
    asis = extreme_vertex(near(pp.crest[0], 14.0), (0, -1, 0))
    psis = extreme_vertex(near(pp.crest[-1], 14.0), (0, 1, 0))
    tuber = extreme_vertex(near(pieces["tuber_c"], 22.0), (0, 0, -1))
    tubercle = extreme_vertex(near(pieces["tubercle_c"], 8.0), (0, -1, 0))
    near_mid = pb[pb[:, 0] < 4.0]
    sym_top = near_mid[np.argmax(near_mid[:, 2])]
    sym_bottom = near_mid[np.argmin(near_mid[:, 2])]
    symphysis = np.array([0.0, sym_top[1], sym_top[2]])
    inguinal = (asis + tubercle) / 2 + np.array([0.0, -INGUINAL_SOFT_TISSUE, 0.0])
    mid_inguinal = (asis + symphysis) / 2
    pulse = mid_inguinal + np.array([0.0, -INGUINAL_SOFT_TISSUE, -15.0])
    fold = np.array([tuber[0] + 18.0, tuber[1] + GLUTEAL_SOFT_TISSUE, tuber[2] - 22.0])
    marks = {
        "iliac_crest_top_left": (crest_top, "highest vertex of the iliac crest"),
        "asis_left": (asis, "most anterior vertex of the anterior superior iliac spine"),
        "psis_left": (psis, "most posterior vertex of the posterior superior iliac spine"),
        "ischial_tuberosity_left": (tuber, "lowest vertex of the ischial tuberosity"),
        "inguinal_midpoint_left": (inguinal, "by rule: midpoint of the inguinal ligament (ASIS to "
                                   f"pubic tubercle), {INGUINAL_SOFT_TISSUE:.0f} mm forward to "
                                   "the skin"),
        "femoral_pulse_left": (pulse, "by rule: mid-inguinal point (half-way from ASIS to the "
                               "symphysis), 15 mm below the ligament, "
                               f"{INGUINAL_SOFT_TISSUE:.0f} mm forward to the skin"),
        "gluteal_fold_mid_left": (fold, "by rule: 22 mm below and 18 mm lateral of the ischial "
                                  f"tuberosity, {GLUTEAL_SOFT_TISSUE:.0f} mm back to the skin"),
    }
    out = {k: Landmark(np.asarray(p, float), m) for k, (p, m) in marks.items()}
    out["pubic_symphysis_superior"] = Landmark(
        symphysis, "upper border of the symphysis: highest vertex of the pubic body at its "
                   "medial face, on the midline")
    anus = np.array([0.0, coccyx_tip[1] - ANUS_FRONT_OF_COCCYX, tuber[2]])
    out["anus"] = Landmark(anus, f"by rule: midline skin {ANUS_FRONT_OF_COCCYX:.0f} mm in front "
                                 "of the coccyx tip, at the height of the lowest point of the "
                                 "ischial tuberosities")
    out["perineum_anterior"] = Landmark(
        np.array([0.0, (anus[1] + sym_bottom[1]) / 2, anus[2]]),
        "by rule: midline perineal skin half-way (front to back) between the anus and the lower "
        "border of the pubic symphysis (lowest vertex of the pubic body at its medial face), "
        "at the anus's height")
    return out


ANUS_FRONT_OF_COCCYX = 25.0
"""Anal verge in front of the coccyx tip, mm (soft tissue of the anococcygeal body)."""
INGUINAL_SOFT_TISSUE = 18.0
GLUTEAL_SOFT_TISSUE = 45.0

HIP_BONE_FMA = (16587, 16586)
"""FMA ids of the left and right hip bones (FMA 16585 is the unsided class "hip bone";
BodyParts3D's isa/part-of tables list 16587 left hip bone, 16586 right hip bone)."""

CLAVICLE_BUDGET = 1200
SCAPULA_BUDGET = 4500
HIP_BUDGET = 6000


def build_parts(ctx) -> list[Part]:
    """Clavicles, scapulae and hip bones, left built and mirrored to the right."""
    sp = _shoulder_plan(ctx.stature)
    cage = cage_for(ctx)
    plan = cage.plan
    clav = _clavicle(sp)
    clav_v = vertices_of(clav)
    s = np.linspace(0, 1, len(sp.clavicle_path))
    mid = sp.clavicle_path[np.argmin(np.abs(sp.clavicle_path[:, 0] - sp.midpoint_x))]
    near_mid = clav_v[np.abs(clav_v[:, 0] - mid[0]) < 4]
    clav_marks = {"clavicle_midpoint_left": Landmark(
        near_mid[np.argmax(near_mid[:, 2])], "highest vertex of the clavicle at the middle of "
                                              "its length (also the midclavicular line)")}
    del s
    rib_pts = np.vstack([vertices_of(r.bone if r.cartilage is None else shapes.union(
        [r.bone, r.cartilage])) for r in cage.ribs])
    scap, pieces = _scapula(ctx, sp, rib_pts)
    scap_marks = _scapula_landmarks(scap, pieces, sp)
    # Joint landmarks: the middle of the gap between the facing bones.
    sternum_v = vertices_of(cage.sternum)
    i, j = _closest_pair(clav_v, sternum_v[sternum_v[:, 0] > 0])
    clav_marks["sternoclavicular_joint_left"] = Landmark(
        (clav_v[i] + sternum_v[sternum_v[:, 0] > 0][j]) / 2,
        "middle of the gap between the clavicle's sternal end and the manubrium")
    acr_v = vertices_of(pieces["acromion"])
    i, j = _closest_pair(clav_v, acr_v)
    scap_marks["acromioclavicular_joint_left"] = Landmark(
        (clav_v[i] + acr_v[j]) / 2, "middle of the gap between the clavicle's acromial end and "
                                    "the acromion")
    pp = pelvis_plan(ctx.stature)
    hip, hip_pieces = _hip_bone(pp, ctx.stature)
    try:
        coccyx_tip = np.asarray(ctx.landmark("coccyx_tip"), float)
    except KeyError:  # the spine is not built: where its coccyx ends, in the S1 frame
        coccyx_tip = body_plan.spine_layout(ctx.stature).s1.to_world(np.array([0.0, -77.0, -87.0]))
    hip_marks = _hip_landmarks(hip, hip_pieces, pp, coccyx_tip)
    midline = {k: hip_marks.pop(k) for k in ("pubic_symphysis_superior", "anus",
                                             "perineum_anterior")}
    parts = []
    parts += paired_parts("clavicle", "Clavicle", "shoulder_girdle", finish(clav, CLAVICLE_BUDGET),
                          clav_marks, fma=13321)
    parts += paired_parts("scapula", "Scapula", "shoulder_girdle", finish(scap, SCAPULA_BUDGET),
                          scap_marks, fma=13394)
    hips = paired_parts("hip_bone", "Hip bone", "pelvic_girdle", finish(hip, HIP_BUDGET),
                        hip_marks, fma=HIP_BONE_FMA)
    hips[0].landmarks.update(midline)
    return parts + hips


def _closest_pair(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    d, j = cKDTree(b).query(a)
    i = int(np.argmin(d))
    return i, int(j[i])
