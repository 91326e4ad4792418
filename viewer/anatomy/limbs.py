"""Bones of the limbs in the anatomical position: arms hanging at the sides with the palms forward
(forearm supinated: radius lateral, ulna medial), legs straight with the feet flat on the floor.

Joint heights come from the stature proportions (Winter 2009): the radiohumeral joint line at the
elbow height, the radiocarpal joint line at the wrist height, the middle fingertip (skin) at the
fingertip height, the knee joint line at the knee height, the lateral malleolus at the ankle height
and the top of the greater trochanter at its height. The humeral head sits in the glenoid and the
femoral head in the acetabulum (:mod:`girdles`), each a joint gap from its socket. Bone sizes are
adult male means (Gray's Anatomy): humeral head radius 23 mm, femoral head 24 mm, bicondylar
breadth of the femur 85 mm, tibial plateau 78 mm, carrying angle of the elbow about 7 degrees here
(the hands hang beside the thighs).

Each hand and each foot is one structure: carpus (tarsus) and the rays, as separate small solids
in one mesh. Axes: +X subject's left, +Y posterior, +Z up; millimetres. Left built, right
mirrored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import body_plan, shapes
from .girdles import FEMORAL_HEAD_RADIUS, HUMERAL_HEAD_RADIUS, shoulder_joint
from .parts import Landmark, Part
from .shapes import Manifold
from .thorax import (
    JOINT_GAP, carve_clear, extreme_vertex, finish, paired_parts, ray_hit, smooth_path, swept_solid,
    vertices_of,
)

FINGER_PULP = 4.0
"""Soft tissue beyond the distal phalanx at a finger or toe tip, mm."""
HEEL_PAD = 12.0
FOREFOOT_PAD = 9.0
"""Plantar soft tissue under the calcaneus and the metatarsal heads, mm: the bones stand this
high above the floor (Z = 0 is the sole of the skin)."""


@dataclass(frozen=True)
class LimbPlan:
    """Joint centres of the left limbs, mm."""

    shoulder: np.ndarray
    elbow: np.ndarray  # centre of the trochlea-capitulum axis
    wrist: np.ndarray  # centre of the radiocarpal joint line
    fingertip_z: float
    hip: np.ndarray
    knee: np.ndarray  # centre of the knee joint line
    ankle: np.ndarray  # ankle (malleolar) axis centre
    trochanter_top_z: float
    foot_length: float


CAPITULUM_RADIUS = 10.0


@lru_cache(maxsize=4)
def limb_plan(stature: float = 1750.0) -> LimbPlan:
    """Where the limb joints are, from the stature proportions and the girdles."""
    p = body_plan.proportions(stature)
    shoulder, _ = shoulder_joint(stature)
    # The radiohumeral joint line (capitulum bottom + half the gap) is Winter's elbow height.
    elbow = np.array([shoulder[0] + 14.0, 6.0,
                      p.height_of("elbow") + CAPITULUM_RADIUS + JOINT_GAP / 2])
    wrist = np.array([shoulder[0] + 44.0, -4.0, p.height_of("wrist")])
    hip = body_plan.hip_joint_centre("left", stature)
    knee = np.array([hip[0] - 11.5, -30.0, p.height_of("knee")])
    ankle = np.array([hip[0] - 21.5, -24.0, p.height_of("ankle") + 4.0])
    return LimbPlan(shoulder, elbow, wrist, p.height_of("fingertip"), hip, knee, ankle,
                    p.height_of("greater_trochanter"), p.foot_length * stature)


def _marks(d: dict) -> dict[str, Landmark]:
    return {f"{k}_left": Landmark(np.asarray(p, float), m) for k, (p, m) in d.items()}


# ---------------------------------------------------------------------------------------------
# Arm
# ---------------------------------------------------------------------------------------------

def _humerus(lp: LimbPlan):
    h, e = lp.shoulder, lp.elbow
    r = HUMERAL_HEAD_RADIUS
    head = Manifold.sphere(r, 40).translate(h.tolist())
    neck = shapes.hull_of([Manifold.sphere(r - 6, 24).translate((h + [3, 1, -3]).tolist()),
                           Manifold.sphere(13.0, 16).translate((h + [10, 2, -38]).tolist())])
    greater = shapes.ellipsoid(h + [21.0, -4.0, 2.0], (10.0, 12.0, 15.0), 18)
    lesser = shapes.ellipsoid(h + [7.0, -19.0, -6.0], (7.0, 6.0, 8.0), 12)
    shaft_path = smooth_path(np.array([h + [10, 2, -38], (h + e) / 2 + [5, 0, 0],
                                       e + [0, 2, 48]]), 16)
    s = np.linspace(0, 1, 16)
    shaft = swept_solid(shaft_path, np.interp(s, [0, 0.5, 1], [12.5, 10.5, 13.0]),
                        np.interp(s, [0, 0.5, 1], [12.5, 10.5, 8.5]), segments=12)
    d_pt = shaft_path[7]
    deltoid = shapes.ellipsoid(d_pt + [9.0, -3.0, 0.0], (4.0, 6.0, 15.0), 12)
    capitulum = Manifold.sphere(CAPITULUM_RADIUS, 20).translate((e + [12.0, -3.0, 0.0]).tolist())
    trochlea = shapes.cylinder(e + [-24.0, 1.0, 0.0], e + [-1.0, 1.0, 0.0], 11.5, 24)
    med_epi = shapes.ellipsoid(e + [-31.0, 4.0, 10.0], (8.0, 8.0, 9.0), 14)
    lat_epi = shapes.ellipsoid(e + [24.0, 2.0, 9.0], (5.0, 7.0, 8.0), 12)
    distal = shapes.hull_of([capitulum, trochlea, med_epi, lat_epi,
                             Manifold.sphere(11.0, 14).translate((e + [0, 3, 45]).tolist())])
    solid = shapes.union([head, neck, greater, lesser, shaft, deltoid, distal])
    return solid, {"head": head, "greater": greater, "deltoid": deltoid, "med_epi": med_epi,
                   "lat_epi": lat_epi, "distal": distal}


def _ulna(lp: LimbPlan):
    e, w = lp.elbow, lp.wrist
    x0 = e[0] - 12.0
    prox = shapes.hull_of([
        Manifold.sphere(9.0, 16).translate([x0, e[1] + 20.0, e[2] + 12.0]),  # olecranon
        Manifold.sphere(8.0, 14).translate([x0, e[1] + 18.0, e[2] - 8.0]),
        Manifold.sphere(7.0, 14).translate([x0, e[1] - 14.0, e[2] - 10.0]),  # coronoid
        Manifold.sphere(9.0, 14).translate([x0, e[1] + 4.0, e[2] - 32.0])])
    prox = prox - shapes.cylinder(e + [-30.0, 1.0, 0.0], e + [4.0, 1.0, 0.0], 11.5 + JOINT_GAP, 32)
    prox = prox.trim_by_plane([-1.0, 0.0, 0.0], -(e[0] - 1.5))  # clear of the radial head
    path = smooth_path(np.array([[x0, e[1] + 4.0, e[2] - 30.0], [x0 - 1, e[1] + 5, e[2] - 130],
                                 [w[0] - 16.0, w[1] + 6.0, w[2] + 14.0]]), 16)
    shaft = swept_solid(path, np.linspace(8.5, 5.5, 16), np.linspace(9.5, 5.5, 16), segments=10)
    head = Manifold.sphere(8.0, 16).translate([w[0] - 16.0, w[1] + 5.0, w[2] + 12.0])
    styloid = shapes.capsule([w[0] - 20.0, w[1] + 10.0, w[2] + 12.0],
                             [w[0] - 21.0, w[1] + 11.0, w[2] + 5.5], 3.0, 10)
    solid = shapes.union([prox, shaft, head, styloid])
    olecranon = Manifold.sphere(9.0, 16).translate([x0, e[1] + 20.0, e[2] + 12.0])
    return solid, {"olecranon": olecranon, "styloid": styloid}


def _radius(lp: LimbPlan):
    e, w = lp.elbow, lp.wrist
    top = e[2] - CAPITULUM_RADIUS - JOINT_GAP
    c = np.array([e[0] + 12.0, e[1] - 3.0, top])
    head = shapes.cylinder(c - [0, 0, 9.0], c, 11.0, 28)
    neck = shapes.capsule(c - [0, 0, 8.0], c - [1.0, 0, 34.0], 7.0, 12)
    tuberosity = shapes.ellipsoid(c + [-5.0, -3.0, -42.0], (5.0, 5.0, 8.0), 10)
    path = smooth_path(np.array([c - [1.0, 0, 30.0], c + [5.0, -2.0, -120.0],
                                 [w[0] + 8.0, w[1] - 2.0, w[2] + 30.0]]), 16)
    shaft = swept_solid(path, np.linspace(7.0, 9.5, 16), np.linspace(7.0, 7.5, 16), segments=10)
    distal = shapes.hull_of([
        shapes.rounded_box([w[0] + 6.0, w[1] - 1.0, w[2] + 12.0], (32.0, 20.0, 22.0), 5.0),
        Manifold.sphere(8.0, 12).translate([w[0] + 6.0, w[1] - 1.0, w[2] + 34.0])])
    distal = distal.trim_by_plane([0.0, 0.0, 1.0], w[2] + JOINT_GAP / 2)
    distal = distal.trim_by_plane([1.0, 0.0, 0.0], w[0] - 12.0)  # clear of the ulnar head
    styloid = shapes.capsule([w[0] + 27.0, w[1] - 1.0, w[2] + 14.0],
                             [w[0] + 28.0, w[1] - 1.0, w[2] - 4.0], 4.5, 12)
    solid = shapes.union([head, neck, tuberosity, shaft, distal, styloid])
    return solid, {"styloid": styloid}


FINGERS = {  # ray: (base x, head x, metacarpal, proximal, middle, distal lengths), mm
    2: (14.0, 19.0, 68.0, 40.0, 23.0, 16.0),
    3: (4.0, 4.0, 65.0, 44.0, 27.0, 18.0),
    4: (-7.0, -10.0, 58.0, 41.0, 26.0, 17.0),
    5: (-17.0, -23.0, 54.0, 33.0, 18.0, 15.0),
}
THUMB = (44.0, 31.0, 24.0)
CARPUS_HEIGHT = 30.0


def _ray(start: np.ndarray, direction: np.ndarray, lengths, radii, gap: float = 1.5):
    """Bones of one finger from ``start`` along ``direction``: capsules with gaps."""
    d = direction / np.linalg.norm(direction)
    bones, p = [], start.copy()
    for length, (ra, rb) in zip(lengths, radii):
        a = p + d * ra
        b = p + d * (length - rb)
        bones.append((shapes.capsule(a, b, ra, 12, radius_b=rb), p.copy(), p + d * length))
        p = p + d * (length + gap)
    return bones


def _hand(lp: LimbPlan):
    w = lp.wrist
    top = w[2] - JOINT_GAP / 2
    carpus = shapes.hull_of([
        shapes.rounded_box([w[0] + 1.0, w[1] + 1.0, top - 12.0], (48.0, 22.0, 24.0), 7.0),
        shapes.rounded_box([w[0] + 2.0, w[1] + 1.0, top - CARPUS_HEIGHT + 7.0], (50.0, 20.0, 14.0),
                           5.0)])
    carpus = carpus.trim_by_plane([0.0, 0.0, -1.0], -top)
    pisiform = Manifold.sphere(5.5, 12).translate([w[0] - 18.0, w[1] - 13.0, top - 16.0])
    # Scale the rays so that the middle fingertip (skin) reaches the fingertip height.
    raw = CARPUS_HEIGHT + 1.5 + sum(FINGERS[3][2:]) + 4 * 1.5 + FINGER_PULP
    scale = (top - lp.fingertip_z - CARPUS_HEIGHT - 1.5 - 4 * 1.5 - FINGER_PULP) / (
        raw - CARPUS_HEIGHT - 1.5 - 4 * 1.5 - FINGER_PULP)
    pieces, tips, rays = [carpus, pisiform], {}, {}
    base_z = top - CARPUS_HEIGHT - 1.5
    for n, (bx, hx, *lengths) in FINGERS.items():
        lengths = [L * scale for L in lengths]
        start = np.array([w[0] + bx, w[1] + 1.0, base_z])
        head = np.array([w[0] + hx, w[1] + (1.0 if n in (3, 4) else -1.0), base_z - lengths[0]])
        d = head - start
        radii = [(5.5, 5.0), (5.0, 4.0), (4.0, 3.5), (3.5, 2.8)] if n != 5 else \
            [(5.0, 4.5), (4.5, 3.5), (3.5, 3.0), (3.0, 2.5)]
        bones = _ray(start, d + np.array([0.0, 0.0, 0.0]), lengths, radii)
        pieces += [b[0] for b in bones]
        rays[n] = bones
    thumb_start = np.array([w[0] + 24.0, w[1] - 8.0, top - 24.0])
    thumb_dir = np.array([0.42, -0.38, -0.82])
    tb = _ray(thumb_start, thumb_dir, [L * scale for L in THUMB], [(6.0, 5.0), (5.0, 4.2),
                                                                    (4.2, 3.2)])
    pieces += [b[0] for b in tb]
    rays[1] = tb
    solid = shapes.union(pieces)
    return solid, {"pisiform": pisiform, "rays": rays, "carpus": carpus}


def _hand_landmarks(solid, pieces, lp: LimbPlan) -> dict:
    rays = pieces["rays"]
    marks = {"pisiform": (extreme_vertex(pieces["pisiform"], (0, -1, 0)),
                          "most palmar vertex of the pisiform")}
    mc1 = rays[1][0]
    marks["metacarpal_1_base"] = (extreme_vertex(vertices_of(mc1[0])[
        np.linalg.norm(vertices_of(mc1[0]) - mc1[1], axis=1) < 9], (1, 0.3, 0)),
        "radial-dorsal vertex of the first metacarpal's base")
    mc2 = rays[2][0]
    v2 = vertices_of(mc2[0])
    mid2 = (mc2[1] + mc2[2]) / 2
    del v2
    marks["metacarpal_2_mid"] = (ray_hit(mc2[0], mid2 + [40.0, 0, 0], (-1, 0, 0)),
                                 "radial surface of the second metacarpal at mid-shaft (ray)")
    mc5 = rays[5][0]
    v5 = vertices_of(mc5[0])
    marks["metacarpal_5_head"] = (extreme_vertex(v5[v5[:, 2] < mc5[2][2] + 8], (-1, 0, 0)),
                                  "ulnar vertex of the fifth metacarpal's head")
    mc3 = rays[3][0]
    mid3 = (mc3[1] + mc3[2]) / 2
    palm = ray_hit(mc3[0], mid3 + [0, -60.0, 0], (0, 1, 0)) + [0, -PALM_SOFT_TISSUE, 0]
    marks["palm_center"] = (palm, "palmar surface of the 3rd metacarpal at mid-shaft, "
                            f"{PALM_SOFT_TISSUE:.0f} mm palmar of the bone (by rule)")
    w = lp.wrist
    palmar = ray_hit(solid, [w[0] + 2, w[1] - 60.0, w[2] - 5.0], (0, 1, 0))
    dorsal = ray_hit(solid, [w[0] + 2, w[1] + 60.0, w[2] - 5.0], (0, -1, 0))
    marks["wrist_crease_palmar_mid"] = (palmar + [0, -WRIST_SOFT_TISSUE, 0],
                                        "by rule: over the radiocarpal joint line, "
                                        f"{WRIST_SOFT_TISSUE:.0f} mm palmar of the carpus")
    marks["wrist_crease_dorsal_mid"] = (dorsal + [0, WRIST_SOFT_TISSUE, 0],
                                        "by rule: over the radiocarpal joint line, "
                                        f"{WRIST_SOFT_TISSUE:.0f} mm dorsal of the carpus")
    for n in range(1, 6):
        cap, start, end = rays[n][-1]
        d = (end - start) / np.linalg.norm(end - start)
        tip = extreme_vertex(cap, d) + d * FINGER_PULP
        marks[f"finger_tip_{n}"] = (tip, f"tip of the distal phalanx + {FINGER_PULP:.0f} mm pulp")
        dorsal_dir, radial_dir = (np.array([1.0, 0, 0]), np.array([0, -1.0, 0])) if n == 1 else \
            (np.array([0, 1.0, 0]), np.array([1.0, 0, 0]))
        base = start + d * 0.35 * np.linalg.norm(end - start)
        for side, sgn in (("radial", 1), ("ulnar", -1)):
            out = sgn * radial_dir + dorsal_dir
            out /= np.linalg.norm(out)
            corner = ray_hit(cap, base + out * 30.0, -out) + out * NAIL_THICKNESS
            marks[f"nail_corner_{side}_{n}"] = (corner, f"proximal {side} corner of nail {n}: "
                                                f"dorsal-{side} surface of the distal phalanx at "
                                                "the nail base (ray at 45 degrees) + nail bed")
    return marks


PALM_SOFT_TISSUE = 12.0
WRIST_SOFT_TISSUE = 6.0
NAIL_THICKNESS = 2.0


def _arm(lp: LimbPlan) -> list[Part]:
    hum, hp = _humerus(lp)
    uln, up = _ulna(lp)
    rad, rp = _radius(lp)
    hand, hdp = _hand(lp)
    # Joint gaps where the simple solids would touch: carve the smaller bone clear.
    uln = carve_clear(carve_clear(uln, hp["distal"], JOINT_GAP), rad, JOINT_GAP)
    rad = carve_clear(rad, hdp["carpus"], JOINT_GAP)
    e = lp.elbow
    lat = extreme_vertex(hp["lat_epi"], (1, 0, 0))
    med = extreme_vertex(hp["med_epi"], (-1, 0, 0))
    crease_z = e[2] - CAPITULUM_RADIUS + 6.0
    hum_marks = _marks({
        "humerus_head": (extreme_vertex(hp["head"], (0, -1, 0)),
                         "most anterior vertex of the humeral head"),
        "greater_tubercle": (extreme_vertex(hp["greater"], (1, 0, 0)),
                             "most lateral vertex of the greater tubercle"),
        "deltoid_tuberosity": (extreme_vertex(hp["deltoid"], (1, -0.2, 0)),
                               "most lateral vertex of the deltoid tuberosity"),
        "lateral_epicondyle": (lat, "most lateral vertex of the lateral epicondyle"),
        "medial_epicondyle": (med, "most medial vertex of the medial epicondyle"),
        "cubital_crease_lateral": ([lat[0] - 4.0, e[1] - CUBITAL_DEPTH, crease_z],
                                   "by rule: lateral end of the elbow crease, 6 mm above the "
                                   "radiohumeral joint line, in front of the lateral epicondyle"),
        "cubital_crease_medial": ([med[0] + 6.0, e[1] - CUBITAL_DEPTH, crease_z],
                                  "by rule: medial end of the elbow crease, in front of the "
                                  "medial epicondyle"),
        "biceps_tendon_cubital": ([e[0] + 5.0, e[1] - CUBITAL_DEPTH - 3.0, crease_z],
                                  "by rule: biceps tendon on the elbow crease, just lateral of "
                                  "the elbow's middle"),
    })
    uln_marks = _marks({
        "olecranon": (extreme_vertex(up["olecranon"], (0, 1, 0.3)),
                      "posterior tip of the olecranon"),
        "ulnar_styloid": (extreme_vertex(up["styloid"], (0, 0, -1)),
                          "lowest vertex of the ulnar styloid"),
    })
    rad_marks = _marks({"radial_styloid": (extreme_vertex(rp["styloid"], (0, 0, -1)),
                                           "lowest vertex of the radial styloid")})
    hand_marks = _marks(_hand_landmarks(hand, hdp, lp))
    parts = []
    parts += paired_parts("humerus", "Humerus", "upper_limb_bones", finish(hum, 4000), hum_marks,
                          fma=13303)
    parts += paired_parts("ulna", "Ulna", "upper_limb_bones", finish(uln, 2000), uln_marks,
                          fma=23466)
    parts += paired_parts("radius", "Radius", "upper_limb_bones", finish(rad, 2000), rad_marks,
                          fma=23463)
    parts += paired_parts("hand", "Bones of the hand", "upper_limb_bones", finish(hand, 6000),
                          hand_marks, fma=9713)
    return parts


CUBITAL_DEPTH = 30.0
"""From the elbow axis to the skin of the cubital fossa, mm."""

# ---------------------------------------------------------------------------------------------
# Leg
# ---------------------------------------------------------------------------------------------


def _femur(lp: LimbPlan):
    hc, k = lp.hip, lp.knee
    head = Manifold.sphere(FEMORAL_HEAD_RADIUS, 40).translate(hc.tolist())
    neck_base = hc + [46.0, 10.0, -32.0]
    neck = shapes.hull_of([Manifold.sphere(16.0, 20).translate((hc + [8, 2, -5]).tolist()),
                           shapes.ellipsoid(neck_base, (14.0, 13.0, 18.0), 18)])
    gt_c = np.array([hc[0] + 66.0, hc[1] + 12.0, lp.trochanter_top_z - 18.0])
    greater = shapes.ellipsoid(gt_c, (13.0, 18.0, 18.0), 20)
    lesser = Manifold.sphere(8.0, 12).translate((hc + [38.0, 16.0, -62.0]).tolist())
    shaft_top = np.array([gt_c[0] - 16.0, hc[1] + 10.0, gt_c[2] - 30.0])
    path = smooth_path(np.array([shaft_top + [0, 0, 30], shaft_top, (shaft_top + k) / 2 + [0, -8, 0],
                                 k + [1.0, -2.0, 70.0]]), 20)
    s = np.linspace(0, 1, 20)
    shaft = swept_solid(path, np.interp(s, [0, 0.2, 0.6, 1], [17, 14, 13, 17]),
                        np.interp(s, [0, 0.2, 0.6, 1], [16, 14, 13, 14]), segments=12)
    trochanteric = shapes.hull_of([greater, Manifold.sphere(15.0, 16).translate(
        (shaft_top + [0, 0, -10]).tolist()), shapes.ellipsoid(neck_base, (12.0, 12.0, 16.0), 16)])
    med_c = shapes.ellipsoid(k + [-21.0, 8.0, 1.0 + 24.0], (13.0, 28.0, 24.0), 24)
    lat_c = shapes.ellipsoid(k + [21.0, 6.0, 1.0 + 24.0], (14.0, 27.0, 24.0), 24)
    med_e = shapes.ellipsoid(k + [-36.0, 6.0, 34.0], (6.0, 10.0, 10.0), 12)
    lat_e = shapes.ellipsoid(k + [37.0, 4.0, 34.0], (5.0, 9.0, 9.0), 12)
    patellar = shapes.ellipsoid(k + [0.0, -16.0, 42.0], (22.0, 12.0, 22.0), 20)
    distal = shapes.hull_of([med_c, lat_c, med_e, lat_e, patellar,
                             Manifold.sphere(15.0, 16).translate((k + [1.0, -2.0, 72.0]).tolist())])
    distal = distal - shapes.box(k + [0.0, 24.0, 16.0], (18.0, 36.0, 34.0))
    solid = shapes.union([head, neck, trochanteric, lesser, shaft, distal])
    return solid, {"head": head, "greater": greater, "med_e": med_e, "lat_e": lat_e,
                   "distal": distal}


def _patella(lp: LimbPlan, femur_distal: Manifold):
    k = lp.knee
    front = ray_hit(femur_distal, k + [0.0, -80.0, 40.0], (0, 1, 0))
    c = np.array([k[0], front[1] - JOINT_GAP - 11.0, k[2] + 38.0])
    body = shapes.hull_of([shapes.ellipsoid(c + [0, 0, 4.0], (22.0, 11.0, 18.0), 24),
                           Manifold.sphere(5.0, 12).translate((c + [0, -2.0, -26.0]).tolist())])
    return body


def _tibia(lp: LimbPlan):
    k, a = lp.knee, lp.ankle
    plateau_z = k[2] - JOINT_GAP / 2
    med = shapes.ellipsoid(k + [-19.0, 4.0, -14.0], (21.0, 24.0, 14.0), 24)
    lat = shapes.ellipsoid(k + [19.0, 3.0, -14.0], (20.0, 22.0, 14.0), 24)
    tub = Manifold.sphere(8.0, 14).translate((k + [1.0, -22.0, -40.0]).tolist())
    prox = shapes.hull_of([med, lat, tub, Manifold.sphere(15.0, 16).translate(
        (k + [0, 2.0, -75.0]).tolist())])
    prox = prox.trim_by_plane([0.0, 0.0, -1.0], -plateau_z)
    path = smooth_path(np.array([k + [0, 2.0, -70.0], (k + a) / 2 + [0, 0, 0],
                                 a + [-2.0, 2.0, 45.0]]), 16)
    shaft = swept_solid(path, np.linspace(14.0, 11.0, 16), np.linspace(14.0, 11.0, 16),
                        segments=12)
    plafond = a[2] + 13.0
    distal = shapes.hull_of([shapes.ellipsoid(a + [-2.0, 1.0, 26.0], (17.0, 16.0, 14.0), 20),
                             Manifold.sphere(11.0, 14).translate((a + [-2, 2, 48]).tolist())])
    distal = distal.trim_by_plane([0.0, 0.0, 1.0], plafond)
    mm_c = np.array([a[0] - 23.5, a[1] + 2.0, a[2]])
    malleolus = shapes.capsule(mm_c + [0, 0, 16.0], mm_c, 6.0, 14, radius_b=5.5)
    solid = shapes.union([prox, shaft, distal, malleolus])
    return solid, {"tub": tub, "med": med, "malleolus": malleolus}


def _fibula(lp: LimbPlan):
    k, a = lp.knee, lp.ankle
    head_c = k + [41.0, 20.0, -36.0]
    head = shapes.ellipsoid(head_c, (8.5, 9.0, 10.0), 16)
    mal_c = a + [27.0, 8.0, -4.0]
    path = smooth_path(np.array([head_c + [0, 0, -6], (head_c + mal_c) / 2 + [1, 0, 0],
                                 mal_c + [-1, -1, 24]]), 14)
    shaft = swept_solid(path, np.linspace(6.5, 5.5, 14), np.linspace(6.5, 5.5, 14), segments=10)
    malleolus = shapes.hull_of([shapes.ellipsoid(mal_c, (6.0, 9.0, 13.0), 16),
                                Manifold.sphere(6.0, 10).translate((mal_c + [-1, -1, 20]).tolist())])
    solid = shapes.union([head, shaft, malleolus])
    return solid, {"head": head, "malleolus": malleolus}


TOES = {  # toe: (metatarsal base offset, head offset, phalanx lengths, radius), from the ankle
    1: ([-16.0, -78.0, -22.0], [-26.0, -136.0, -47.0], (30.0, 24.0), 8.5),
    2: ([-4.0, -80.0, -22.0], [-10.0, -146.0, -50.0], (24.0, 11.0, 9.0), 6.5),
    3: ([7.0, -78.0, -26.0], [3.0, -142.0, -51.0], (22.0, 10.0, 8.0), 6.0),
    4: ([17.0, -74.0, -31.0], [15.0, -136.0, -52.0], (20.0, 9.0, 8.0), 6.0),
    5: ([27.0, -70.0, -36.0], [28.0, -126.0, -53.0], (18.0, 8.0, 8.0), 5.5),
}


def _foot(lp: LimbPlan):
    a = lp.ankle
    talus = shapes.hull_of([shapes.ellipsoid(a + [0.0, -4.0, -1.0], (15.0, 23.0, 12.0), 24),
                            Manifold.sphere(11.0, 16).translate((a + [-8.0, -32.0, -10.0]).tolist())])
    heel_c = a + [4.0, 46.0, 0.0]
    heel_c[2] = HEEL_PAD + 14.0
    calcaneus = shapes.hull_of([Manifold.sphere(14.0, 20).translate(heel_c.tolist()),
                                Manifold.sphere(12.0, 16).translate((a + [6.0, 10.0, -34.0]).tolist()),
                                Manifold.sphere(7.0, 12).translate((a + [-13.0, -2.0, -26.0]).tolist()),
                                Manifold.sphere(9.0, 14).translate((a + [17.0, -34.0, -38.0]).tolist())])
    calcaneus = calcaneus - shapes.ellipsoid(a + [0.0, -4.0, -1.0], (15.0 + JOINT_GAP, 23.0 + JOINT_GAP,
                                                                      12.0 + JOINT_GAP), 24)
    navicular = shapes.ellipsoid(a + [-10.0, -52.0, -12.0], (14.0, 6.0, 11.0), 16)
    nav_tub = Manifold.sphere(5.5, 12).translate((a + [-24.0, -50.0, -18.0]).tolist())
    cuboid = shapes.rounded_box(a + [21.0, -58.0, -36.0], (17.0, 18.0, 16.0), 4.0)
    cunei = [shapes.rounded_box(a + o, (10.0, 14.0, 17.0), 3.0) for o in (
        [-16.0, -66.0, -17.0], [-4.0, -66.0, -16.0], [7.0, -65.0, -20.0])]
    pieces = [talus, calcaneus, navicular, nav_tub, cuboid, *cunei]
    rays = {}
    for n, (b, h, phal, r) in TOES.items():
        base, head = a + np.array(b), a + np.array(h)
        head[2] = FOREFOOT_PAD + r
        mt = shapes.capsule(base, head, r * 0.75, 12, radius_b=r)
        pieces.append(mt)
        d = np.array([0.0, -1.0, -0.12])
        radii = [(r * 0.8, r * 0.7), (r * 0.7, r * 0.6), (r * 0.6, r * 0.55)][:len(phal)]
        bones = _ray(head + d * (r + 1.5) / np.linalg.norm(d), d, phal, radii)
        pieces += [bb[0] for bb in bones]
        rays[n] = (mt, base, head, bones)
    mt5_tub = Manifold.sphere(6.0, 12).translate((a + [34.0, -66.0, -40.0]).tolist())
    pieces.append(mt5_tub)
    solid = shapes.union(pieces)
    return solid, {"calcaneus": calcaneus, "nav_tub": nav_tub, "rays": rays, "mt5_tub": mt5_tub,
                   "talus": talus}


def _foot_landmarks(solid, fp, lp: LimbPlan) -> dict:
    rays = fp["rays"]
    heel = extreme_vertex(fp["calcaneus"], (0, 1, 0)) + [0, HEEL_PAD * 0.7, 0]
    mt1 = rays[1]
    v1 = vertices_of(mt1[0])
    mt5 = rays[5]
    v5 = vertices_of(mt5[0])
    marks = {
        "heel": (heel, f"most posterior vertex of the calcaneus + {HEEL_PAD * 0.7:.0f} mm heel pad"),
        "navicular_tuberosity": (extreme_vertex(fp["nav_tub"], (-1, 0, 0)),
                                 "most medial vertex of the navicular tuberosity"),
        "metatarsal_1_head": (extreme_vertex(v1[v1[:, 1] < mt1[2][1] + 8], (-1, 0, 0)),
                              "most medial vertex of the first metatarsal head"),
        "metatarsal_5_head": (extreme_vertex(v5[v5[:, 1] < mt5[2][1] + 8], (1, 0, 0)),
                              "most lateral vertex of the fifth metatarsal head"),
        "metatarsal_5_base": (extreme_vertex(fp["mt5_tub"], (1, 0, 0)),
                              "most lateral vertex of the tuberosity of the fifth metatarsal"),
    }
    heads = np.array([rays[n][2] for n in rays])
    sole = np.array([(heads[:, 0].mean() + heel[0]) / 2, (heads[:, 1].mean() + heel[1]) / 2, 0.0])
    marks["sole_center"] = (sole, "by rule: on the floor (Z = 0) half-way between the heel and "
                            "the metatarsal heads")
    for n, (_, _, _, bones) in rays.items():
        cap, start, end = bones[-1]
        d = (end - start) / np.linalg.norm(end - start)
        marks[f"toe_tip_{n}"] = (extreme_vertex(cap, d) + d * FINGER_PULP,
                                 f"tip of the distal phalanx + {FINGER_PULP:.0f} mm pulp")
        base = start + d * 0.35 * np.linalg.norm(end - start)
        for side, sx in (("medial", -1.0), ("lateral", 1.0)):
            out = np.array([sx, 0.0, 1.0]) / np.sqrt(2.0)
            corner = ray_hit(cap, base + out * 30.0, -out) + out * NAIL_THICKNESS
            marks[f"nail_corner_{side}_{n}"] = (corner, f"proximal {side} corner of toenail {n}: "
                                                f"dorsal-{side} surface of the distal phalanx at "
                                                "the nail base (ray at 45 degrees) + nail bed")
    a = lp.ankle
    talus_front = ray_hit(fp["talus"], a + [0, -80.0, 6.0], (0, 1, 0))
    marks["ankle_crease_anterior_mid"] = (talus_front + [0, -ANKLE_FRONT_SOFT_TISSUE, 0],
                                          "by rule: front of the ankle joint between the "
                                          f"malleoli, {ANKLE_FRONT_SOFT_TISSUE:.0f} mm in front "
                                          "of the talus")
    return marks


ANKLE_FRONT_SOFT_TISSUE = 12.0
ACHILLES_DEPTH = 28.0
"""From the back of the tibia to the back of the Achilles tendon at the ankle, mm."""
POPLITEAL_SOFT_TISSUE = 22.0


def _leg(lp: LimbPlan) -> list[Part]:
    fem, fp = _femur(lp)
    pat = _patella(lp, fp["distal"])
    tib, tp = _tibia(lp)
    fib, fbp = _fibula(lp)
    foot, ftp = _foot(lp)
    k, a = lp.knee, lp.ankle
    pv = vertices_of(pat)
    back = ray_hit(fem, k + [0.0, 90.0, 10.0], (0, -1, 0))
    fem_marks = _marks({
        "greater_trochanter": (extreme_vertex(fp["greater"], (1, 0, 0)),
                               "most lateral vertex of the greater trochanter"),
        "femur_lateral_epicondyle": (extreme_vertex(fp["lat_e"], (1, 0, 0)),
                                     "most lateral vertex of the lateral epicondyle"),
        "femur_medial_epicondyle": (extreme_vertex(fp["med_e"], (-1, 0, 0)),
                                    "most medial vertex of the medial epicondyle"),
        "popliteal_crease_mid": (back + [0, POPLITEAL_SOFT_TISSUE, -5.0],
                                 "by rule: back of the knee 5 mm above the joint line level of "
                                 f"the condyles, {POPLITEAL_SOFT_TISSUE:.0f} mm behind them"),
        "popliteal_crease_lateral": (back + [30.0, POPLITEAL_SOFT_TISSUE - 6.0, -5.0],
                                     "by rule: lateral end of the popliteal crease (biceps "
                                     "femoris tendon), 30 mm lateral of the middle"),
        "popliteal_crease_medial": (back + [-30.0, POPLITEAL_SOFT_TISSUE - 6.0, -5.0],
                                    "by rule: medial end of the popliteal crease "
                                    "(semitendinosus tendon), 30 mm medial of the middle"),
    })
    pat_marks = _marks({
        "patella_apex": (pv[np.argmin(pv[:, 2])], "lowest vertex of the patella"),
        "patella_base": (pv[np.argmax(pv[:, 2])], "highest vertex of the patella"),
    })
    mal_m = extreme_vertex(tp["malleolus"], (-1, 0, 0))
    tib_back = ray_hit(tib, [a[0] - 2, a[1] + 80.0, a[2] + 30.0], (0, -1, 0))
    tib_marks = _marks({
        "tibial_tuberosity": (extreme_vertex(tp["tub"], (0, -1, 0)),
                              "most anterior vertex of the tibial tuberosity"),
        "tibia_medial_condyle": (extreme_vertex(tp["med"], (-1, 0, 0)),
                                 "most medial vertex of the medial tibial condyle"),
        "medial_malleolus": (mal_m, "most medial vertex of the medial malleolus"),
        "achilles_tendon_ankle": ([a[0], tib_back[1] + ACHILLES_DEPTH, mal_m[2]],
                                  "by rule: back of the Achilles tendon level with the medial "
                                  f"malleolus, {ACHILLES_DEPTH:.0f} mm behind the tibia"),
    })
    fib_marks = _marks({
        "fibula_head": (extreme_vertex(fbp["head"], (1, 0.3, 0)),
                        "most lateral vertex of the fibular head"),
        "lateral_malleolus": (extreme_vertex(fbp["malleolus"], (1, 0, 0)),
                              "most lateral vertex of the lateral malleolus"),
    })
    foot_marks = _marks(_foot_landmarks(foot, ftp, lp))
    parts = []
    parts += paired_parts("femur", "Femur", "lower_limb_bones", finish(fem, 4500), fem_marks,
                          fma=9611)
    parts += paired_parts("patella", "Patella", "lower_limb_bones", finish(pat, 600), pat_marks,
                          fma=24485)
    parts += paired_parts("tibia", "Tibia", "lower_limb_bones", finish(tib, 3500), tib_marks,
                          fma=24476)
    parts += paired_parts("fibula", "Fibula", "lower_limb_bones", finish(fib, 1600), fib_marks,
                          fma=24479)
    parts += paired_parts("foot", "Bones of the foot", "lower_limb_bones", finish(foot, 6500),
                          foot_marks, fma=9664)
    return parts


def build_parts(ctx) -> list[Part]:
    """Both arms and legs: humerus, radius, ulna, hand, femur, patella, tibia, fibula, foot."""
    lp = limb_plan(ctx.stature)
    return _arm(lp) + _leg(lp)
