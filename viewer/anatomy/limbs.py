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
    _DIRECTIONS, JOINT_GAP, carve_clear, extreme_vertex, finish, paired_parts, ray_hit, smooth_path,
    swept_solid, vertices_of,
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
    head = Manifold.sphere(r, 48).translate(h.tolist())
    # Anatomical neck: the head meets a narrower metaphysis carrying the two tubercles.
    metaphysis = shapes.hull_of([
        shapes.ellipsoid(h + [9.0, 1.0, -12.0], (17.0, 17.0, 14.0), 24),
        Manifold.sphere(12.5, 20).translate((h + [11.0, 2.0, -48.0]).tolist())])
    greater = shapes.hull_of([shapes.ellipsoid(h + [20.0, -2.0, 1.0], (9.0, 13.0, 15.0), 20),
                              shapes.ellipsoid(h + [17.0, -5.0, -40.0], (5.0, 7.0, 10.0), 12)])
    lesser = shapes.hull_of([shapes.ellipsoid(h + [6.0, -18.0, -8.0], (6.0, 5.0, 8.0), 14),
                             shapes.ellipsoid(h + [7.0, -12.0, -36.0], (3.5, 4.0, 8.0), 10)])
    groove = shapes.capsule(h + [14.5, -23.0, 8.0], h + [13.0, -19.0, -70.0], 4.5, 14)
    shaft_path = smooth_path(np.array([h + [11, 2, -40], (h + e) / 2 + [5, 0, 0],
                                       e + [-2, 4, 55]]), 18)
    s = np.linspace(0, 1, 18)
    shaft = swept_solid(shaft_path, np.interp(s, [0, 0.5, 1], [12.0, 10.5, 13.5]),
                        np.interp(s, [0, 0.5, 1], [12.0, 10.5, 9.0]), up=(0.0, 1.0, 0.0),
                        segments=20)
    d_pt = shaft_path[8]
    deltoid = shapes.ellipsoid(d_pt + [9.0, -3.0, 4.0], (3.5, 6.0, 16.0), 14)
    # Distal end: flat supracondylar ridges flaring to the epicondyles, then the articular
    # capitulum (lateral, anterior) and the spool-shaped trochlea (medial).
    med_epi = shapes.ellipsoid(e + [-31.0, 5.0, 8.0], (8.0, 7.0, 9.0), 18)
    lat_epi = shapes.ellipsoid(e + [23.0, 3.0, 7.0], (5.0, 7.0, 8.0), 16)
    metaph_d = shapes.hull_of([
        Manifold.sphere(11.0, 20).translate((e + [-2, 4, 55]).tolist()),
        shapes.ellipsoid(e + [21.0, 3.0, 30.0], (3.5, 6.0, 8.0), 12),
        shapes.ellipsoid(e + [-24.0, 4.0, 26.0], (4.0, 6.5, 8.0), 12),
        med_epi, lat_epi,
        shapes.ellipsoid(e + [-8.0, 3.0, 14.0], (16.0, 9.0, 8.0), 18)])
    capitulum = Manifold.sphere(CAPITULUM_RADIUS, 28).translate((e + [12.0, -3.0, 0.0]).tolist())
    x_axis = np.array([[0.0, 0, 1], [0, 1, 0], [-1, 0, 0]])  # ellipsoid z along world X
    lips = [(-25.0, 12.5), (-13.0, 9.5), (-1.5, 10.5)]  # medial lip, groove, lateral lip
    discs = [shapes.ellipsoid(e + [x, 1.0, 0.0], (rr, rr, 1.8), 28, rotation=x_axis)
             for x, rr in lips]
    trochlea = shapes.union([shapes.hull_of(discs[:2]), shapes.hull_of(discs[1:])])
    fossae = shapes.union([
        shapes.ellipsoid(e + [-10.0, 17.0, 23.0], (11.0, 7.5, 13.0), 20),  # olecranon fossa
        shapes.ellipsoid(e + [-11.0, -12.0, 19.0], (7.0, 4.0, 7.0), 14),  # coronoid fossa
        shapes.ellipsoid(e + [11.0, -11.0, 17.0], (5.5, 3.5, 6.0), 12)])  # radial fossa
    distal = shapes.union([metaph_d - fossae, capitulum, trochlea])
    solid = shapes.union([head, metaphysis, greater, lesser, shaft, deltoid]) - groove
    solid = shapes.union([solid, distal])
    return solid, {"head": head, "greater": greater, "deltoid": deltoid, "med_epi": med_epi,
                   "lat_epi": lat_epi, "distal": distal}


def _ulna(lp: LimbPlan):
    e, w = lp.elbow, lp.wrist
    x0 = e[0] - 12.0
    # Olecranon behind and coronoid in front of the trochlea; the trochlear notch between them
    # is carved by the humerus (see _arm).
    olecranon = shapes.hull_of([
        shapes.ellipsoid([x0, e[1] + 19.0, e[2] + 14.0], (8.0, 7.0, 6.0), 18),
        shapes.ellipsoid([x0 - 1, e[1] + 17.0, e[2] - 6.0], (9.0, 8.0, 9.0), 18)])
    coronoid = shapes.hull_of([
        shapes.ellipsoid([x0 + 1, e[1] - 14.0, e[2] - 8.0], (7.0, 5.0, 4.0), 14),
        shapes.ellipsoid([x0, e[1] + 1.0, e[2] - 18.0], (9.0, 9.0, 8.0), 16)])
    prox = shapes.hull_of([olecranon, coronoid, Manifold.sphere(8.5, 16).translate(
        [x0, e[1] + 5.0, e[2] - 38.0])])
    prox = prox.trim_by_plane([-1.0, 0.0, 0.0], -(e[0] - 1.5))  # clear of the radial head
    path = smooth_path(np.array([[x0, e[1] + 5.0, e[2] - 36.0], [x0 - 1, e[1] + 6, e[2] - 130],
                                 [w[0] - 16.0, w[1] + 6.0, w[2] + 18.0]]), 18)
    s = np.linspace(0, 1, 18)
    shaft = swept_solid(path, np.interp(s, [0, 0.3, 1], [8.0, 6.5, 5.0]),
                        np.interp(s, [0, 0.3, 1], [9.5, 7.5, 5.5]), up=(0.0, 1.0, 0.0),
                        segments=14)
    head = shapes.hull_of([Manifold.sphere(8.0, 20).translate([w[0] - 16.0, w[1] + 5.0,
                                                               w[2] + 12.0]),
                           Manifold.sphere(5.5, 12).translate([w[0] - 16.0, w[1] + 6.0,
                                                               w[2] + 26.0])])
    styloid = shapes.capsule([w[0] - 20.0, w[1] + 10.0, w[2] + 13.0],
                             [w[0] - 21.0, w[1] + 11.0, w[2] + 5.5], 3.2, 14, radius_b=2.6)
    solid = shapes.union([prox, shaft, head, styloid])
    return solid, {"olecranon": olecranon, "styloid": styloid}


def _radius(lp: LimbPlan):
    e, w = lp.elbow, lp.wrist
    top = e[2] - CAPITULUM_RADIUS - JOINT_GAP + 1.2
    c = np.array([e[0] + 12.0, e[1] - 3.0, top])
    head = shapes.hull_of([shapes.ellipsoid(c - [0, 0, 2.0], (11.0, 11.0, 2.0), 32),
                           shapes.ellipsoid(c - [0, 0, 8.0], (10.5, 10.5, 2.0), 32)])
    # Fovea: the shallow cup under the capitulum.
    head = head - Manifold.sphere(CAPITULUM_RADIUS + JOINT_GAP, 32).translate(
        (e + [12.0, -3.0, 0.0]).tolist())
    neck = shapes.capsule(c - [0, 0, 8.0], c - [1.0, 0, 30.0], 7.0, 16, radius_b=6.5)
    tuberosity = shapes.ellipsoid(c + [-5.5, -4.0, -40.0], (5.0, 5.0, 9.0), 14)
    path = smooth_path(np.array([c - [1.0, 0, 28.0], c + [5.0, -2.0, -120.0],
                                 [w[0] + 7.0, w[1] - 2.0, w[2] + 36.0]]), 18)
    s = np.linspace(0, 1, 18)
    shaft = swept_solid(path, np.interp(s, [0, 0.5, 1], [6.5, 8.5, 11.0]),
                        np.interp(s, [0, 0.5, 1], [6.5, 6.5, 7.5]), up=(0.0, 1.0, 0.0),
                        segments=14)
    distal = shapes.hull_of([
        shapes.ellipsoid([w[0] + 5.0, w[1] - 1.0, w[2] + 8.0], (17.0, 10.5, 8.0), 24),
        shapes.ellipsoid([w[0] + 22.0, w[1] - 1.0, w[2] + 12.0], (5.0, 8.0, 10.0), 14),
        shapes.ellipsoid([w[0] + 7.0, w[1] - 2.0, w[2] + 36.0], (10.0, 7.0, 6.0), 16)])
    distal = distal.trim_by_plane([0.0, 0.0, 1.0], w[2] + JOINT_GAP / 2)
    distal = distal.trim_by_plane([1.0, 0.0, 0.0], w[0] - 12.0)  # clear of the ulnar head
    styloid = shapes.hull_of([shapes.ellipsoid([w[0] + 24.0, w[1] - 1.0, w[2] + 12.0],
                                               (4.5, 6.5, 8.0), 14),
                              Manifold.sphere(3.5, 12).translate([w[0] + 27.5, w[1] - 1.0,
                                                                  w[2] - 3.0])])
    dorsal_tubercle = shapes.ellipsoid([w[0] + 9.0, w[1] + 8.5, w[2] + 16.0], (3.5, 3.0, 7.0), 12)
    solid = shapes.union([head, neck, tuberosity, shaft, distal, styloid, dorsal_tubercle])
    return solid, {"styloid": styloid}


FINGERS = {  # ray: (base x, head x, metacarpal, proximal, middle, distal lengths), mm
    2: (14.0, 19.0, 68.0, 40.0, 23.0, 16.0),
    3: (4.0, 4.0, 65.0, 44.0, 27.0, 18.0),
    4: (-7.0, -10.0, 58.0, 41.0, 26.0, 17.0),
    5: (-17.0, -23.0, 54.0, 33.0, 18.0, 15.0),
}
THUMB = (44.0, 31.0, 24.0)
CARPUS_HEIGHT = 30.0
FINGER_FLEXION = (0.0, 7.0, 12.0, 8.0)
"""Flexion at the carpometacarpal, MCP, PIP and DIP joints in the anatomical position (the
relaxed, nearly straight fingers), degrees."""
RAY_GAP = 1.6
"""Joint gap between the bones of one ray, mm."""


def _rotate(v: np.ndarray, axis: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate ``v`` about the unit ``axis`` (Rodrigues)."""
    a = np.radians(degrees)
    k = axis / np.linalg.norm(axis)
    return v * np.cos(a) + np.cross(k, v) * np.sin(a) + k * np.dot(k, v) * (1 - np.cos(a))


def small_long_bone(a: np.ndarray, b: np.ndarray, dorsal: np.ndarray, base: tuple,
                    waist: tuple, head: tuple, tuft: bool = False, segments: int = 14):
    """A metacarpal, metatarsal or phalanx from ``a`` (base end) to ``b`` (head end).

    ``base``, ``waist`` and ``head`` are (width, depth) semi-axes, mm: a broad base, a waisted
    shaft and a rounded head (or, with ``tuft``, the flattened tuft of a distal phalanx). Depth
    lies along ``dorsal``.
    """
    d = (b - a) / np.linalg.norm(b - a)
    rot = shapes.frame_from_z(d, np.cross(dorsal, d))  # x across, y dorsal-palmar, z along
    if rot[:, 1] @ dorsal < 0:
        rot = rot @ np.diag([-1.0, -1.0, 1.0])
    length = float(np.linalg.norm(b - a))
    bw, bd = base
    ww, wd = waist
    hw, hd = head
    lb = min(bw, bd, 0.3 * length)
    lh = min(hw, hd) if not tuft else 0.22 * length
    pieces = [
        shapes.ellipsoid(a + d * lb, (bw, bd, lb), segments, rot),
        shapes.ellipsoid(a + d * 0.42 * length, (ww, wd, 0.12 * length), segments, rot),
        shapes.ellipsoid(a + d * 0.62 * length + rot[:, 1] * 0.1 * wd,
                         (ww * 1.03, wd, 0.12 * length), segments, rot),
        shapes.ellipsoid(b - d * lh, (hw, hd if not tuft else 0.6 * hd, lh), segments, rot)]
    return shapes.union([shapes.hull_of(pieces[i:i + 2]) for i in range(3)])


def _ray(start: np.ndarray, direction: np.ndarray, lengths, sizes, dorsal: np.ndarray,
         flexion, flex_axis: np.ndarray, gap: float = RAY_GAP):
    """Bones of one finger or toe from ``start``: each bends by ``flexion`` (degrees, about
    ``flex_axis``) from the one before. ``sizes``: per bone (base, waist, head) semi-axes.
    Returns a list of (solid, start, end)."""
    d = direction / np.linalg.norm(direction)
    bones, p = [], start.copy()
    for i, (length, size) in enumerate(zip(lengths, sizes)):
        d = _rotate(d, flex_axis, flexion[i])
        dor = dorsal - np.dot(dorsal, d) * d
        dor /= np.linalg.norm(dor)
        tuft = i == len(lengths) - 1 and len(lengths) > 1
        b = small_long_bone(p, p + d * length, dor, *size, tuft=tuft)
        bones.append((b, p.copy(), p + d * length))
        p = p + d * (length + gap)
    return bones


def _carpals(w: np.ndarray, top: float) -> dict[str, Manifold]:
    """The eight carpal bones (left hand, palm forward), proximal row just below ``top``."""
    y = w[1]
    zp, zd = top - 8.5, top - 22.0
    tilt = np.array([[0.94, 0, 0.34], [0, 1, 0], [-0.34, 0, 0.94]])
    return {
        "scaphoid": shapes.ellipsoid([w[0] + 15.0, y - 1.5, zp - 1.0], (10.0, 7.5, 7.0), 18, tilt),
        "lunate": shapes.ellipsoid([w[0] + 1.5, y + 1.0, zp + 0.5], (7.5, 9.5, 7.5), 18),
        "triquetrum": shapes.ellipsoid([w[0] - 12.0, y + 3.0, zp - 3.0], (7.0, 7.5, 6.5), 16),
        "pisiform": shapes.ellipsoid([w[0] - 15.0, y - 10.0, zp - 5.0], (5.0, 4.5, 5.5), 14),
        "trapezium": shapes.ellipsoid([w[0] + 21.0, y - 4.0, zd - 1.0], (7.5, 8.0, 8.0), 16),
        "trapezoid": shapes.ellipsoid([w[0] + 11.5, y + 1.0, zd + 0.5], (5.0, 8.0, 7.0), 14),
        "capitate": shapes.hull_of([shapes.ellipsoid([w[0] + 2.0, y + 1.0, zd], (6.5, 9.5, 7.5),
                                                     18),
                                    Manifold.sphere(6.0, 16).translate([w[0] + 2.0, y + 1.0,
                                                                        zd + 8.0])]),
        "hamate": shapes.hull_of([shapes.ellipsoid([w[0] - 9.5, y + 1.5, zd], (6.5, 9.0, 8.0), 16),
                                  shapes.ellipsoid([w[0] - 9.0, y - 10.0, zd - 1.0], (3.0, 3.0, 5.0),
                                                   10)]),  # with its hook
    }


def _hand(lp: LimbPlan):
    w = lp.wrist
    top = w[2] - JOINT_GAP / 2
    carpals = _carpals(w, top)
    carpus = shapes.union(list(carpals.values())).trim_by_plane([0.0, 0.0, -1.0], -top)
    dorsal = np.array([0.0, 1.0, 0.0])
    palmar_flex = np.array([-1.0, 0.0, 0.0])  # rotating -Z about -X turns it toward -Y (palm)
    base_z = top - CARPUS_HEIGHT - 1.5
    sizes_of = {
        "mc": ((5.5, 6.0), (3.6, 3.6), (5.2, 6.2)),
        "p1": ((5.2, 4.4), (3.6, 3.0), (4.4, 3.6)),
        "p2": ((4.4, 3.6), (3.0, 2.6), (3.6, 3.0)),
        "p3": ((3.6, 3.0), (2.2, 2.0), (3.2, 2.2)),
    }

    def finger_dir(n):
        bx, hx = FINGERS[n][0], FINGERS[n][1]
        return np.array([hx - bx, 0.0, -FINGERS[n][2]])

    def tip_drop(n, scale):
        """Drop from the metacarpal base to the fingertip (skin), mm."""
        d = finger_dir(n) / np.linalg.norm(finger_dir(n))
        drop = 0.0
        for i, length in enumerate(FINGERS[n][2:]):
            d = _rotate(d, palmar_flex, FINGER_FLEXION[i])
            drop += -d[2] * (length * scale + (RAY_GAP if i < 3 else FINGER_PULP))
        return drop

    # Scale the rays so that the middle fingertip (skin) reaches the fingertip height; the drop
    # is linear in the scale.
    need = base_z - lp.fingertip_z
    d0, d1 = tip_drop(3, 0.0), tip_drop(3, 1.0)
    scale = (need - d0) / (d1 - d0)
    pieces, rays = [carpus], {}
    for n, (bx, hx, *lengths) in FINGERS.items():
        lengths = [L * scale for L in lengths]
        start = np.array([w[0] + bx, w[1] + (1.0 if n in (3, 4) else 0.0), base_z])
        k = 0.92 if n == 5 else 1.0
        sizes = [tuple((a * k, b * k) for a, b in sizes_of[key]) for key in ("mc", "p1", "p2", "p3")]
        bones = _ray(start, finger_dir(n), lengths, sizes, dorsal, FINGER_FLEXION, palmar_flex)
        pieces += [b[0] for b in bones]
        rays[n] = bones
    # Thumb: from the trapezium, rotated so that its nail faces laterally.
    thumb_start = np.array([w[0] + 25.0, w[1] - 7.0, top - 28.0])
    thumb_dir = np.array([0.42, -0.38, -0.82])
    t_sizes = [((6.0, 5.5), (3.8, 3.6), (5.4, 5.4)), ((5.4, 4.6), (3.8, 3.2), (4.6, 3.8)),
               ((4.4, 3.6), (2.8, 2.4), (4.2, 2.8))]
    t_dorsal = np.array([1.0, 0.3, 0.0])
    t_axis = np.cross(thumb_dir, t_dorsal)
    tb = _ray(thumb_start, thumb_dir, [L * scale for L in THUMB], t_sizes, t_dorsal,
              (0.0, 6.0, 8.0), -t_axis / np.linalg.norm(t_axis))
    pieces += [b[0] for b in tb]
    rays[1] = tb
    solid = shapes.union(pieces)
    return solid, {"pisiform": carpals["pisiform"], "rays": rays, "carpus": carpus,
                   "carpals": carpals}


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
    marks.update(_hand_point_landmarks(solid, pieces, lp))
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


def _side_hit(bone: Manifold, at: np.ndarray, outward, offset: float = 0.0) -> np.ndarray:
    """Where a ray aimed at ``at`` from 40 mm out along ``outward`` meets ``bone``, moved
    ``offset`` mm back out along ``outward`` (a soft-tissue thickness)."""
    out = np.asarray(outward, float) / np.linalg.norm(outward)
    return ray_hit(bone, at + out * 40.0, -out) + out * offset


def _hand_point_landmarks(solid, pieces, lp: LimbPlan) -> dict:
    """Landmarks that acupuncture point rules name on the wrist and hand (left hand, palm
    forward: radial = +X, palmar = -Y, distal = -Z)."""
    rays, carpals, w = pieces["rays"], pieces["carpals"], lp.wrist
    radial, ulnar = np.array([1.0, 0, 0]), np.array([-1.0, 0, 0])
    palmar, dorsal = np.array([0, -1.0, 0]), np.array([0, 1.0, 0])
    marks = {}
    crease_z = w[2] - 5.0
    for side, x, what in (("radial", 16.0, "over the scaphoid tubercle, on the ulnar side of the "
                                            "radial styloid"),
                          ("ulnar", -12.0, "over the triquetrum-pisiform, on the radial side of "
                                           "the flexor carpi ulnaris tendon")):
        # The crease runs at the mid crease's level; where that passes above the carpal bone
        # (the triquetrum sits lower), the first ray that meets it, 1 mm lower at a time.
        for drop in range(0, 12):
            hit = solid.ray_cast([w[0] + x, w[1] - 60.0, crease_z - drop],
                                 [w[0] + x, w[1] + 60.0, crease_z - drop])
            if hit:
                break
        else:
            raise ValueError(f"wrist_crease_palmar_{side}: no carpal bone under the crease")
        bone = np.array([w[0] + x, hit[0].position[1], crease_z])
        marks[f"wrist_crease_palmar_{side}"] = (
            bone + palmar * WRIST_SOFT_TISSUE,
            f"by rule: {side} end of the palmar wrist crease, 5 mm below the radiocarpal joint "
            f"line {what}, {WRIST_SOFT_TISSUE:.0f} mm palmar of the carpus (ray)")
    snuff_at = np.array([w[0] + 15.0, w[1] + 1.0, crease_z - 3.0])
    marks["anatomical_snuffbox"] = (
        _side_hit(carpals["scaphoid"], snuff_at, radial + 0.5 * dorsal, SNUFFBOX_DEPTH),
        "by rule: radial-dorsal surface of the scaphoid just distal to the radial styloid "
        f"(ray at 27 degrees from the radial side), {SNUFFBOX_DEPTH:.0f} mm out (the hollow "
        "between the thumb extensor tendons)")
    marks["triquetrum"] = (extreme_vertex(carpals["triquetrum"], ulnar + 0.3 * dorsal),
                           "most ulnar-dorsal vertex of the triquetrum")

    def bone_of(n, i=0):
        return rays[n][i]

    mc1, a1, b1 = bone_of(1)
    marks["metacarpal_1_mid"] = (
        _side_hit(mc1, (a1 + b1) / 2, radial + palmar),
        "radial-palmar surface of the first metacarpal at mid-shaft (ray at 45 degrees), where "
        "the thenar eminence meets the back of the hand")
    heads = {}
    for n in (2, 3, 4, 5):
        mc, a, b = bone_of(n)
        v = vertices_of(mc)
        d = (b - a) / np.linalg.norm(b - a)
        heads[n] = v[(v - b) @ d > -12.0]
    marks["metacarpal_2_head"] = (extreme_vertex(heads[2], radial),
                                  "most radial vertex of the second metacarpal's head")
    marks["metacarpal_4_head"] = (extreme_vertex(heads[4], dorsal),
                                  "most dorsal vertex (top of the knuckle) of the fourth "
                                  "metacarpal's head")
    mc5, a5, b5 = bone_of(5)
    v5 = vertices_of(mc5)
    marks["metacarpal_5_base"] = (extreme_vertex(v5[(v5 - a5) @ ((b5 - a5) / np.linalg.norm(
        b5 - a5)) < 12.0], ulnar), "most ulnar vertex of the fifth metacarpal's base")
    for m, n in ((2, 3), (4, 5)):
        top = max(extreme_vertex(heads[m], dorsal)[1], extreme_vertex(heads[n], dorsal)[1])
        c = (bone_of(m)[2] + bone_of(n)[2]) / 2
        marks[f"mcp_interspace_{m}_{n}"] = (
            np.array([c[0], top + KNUCKLE_SKIN, c[2]]),
            f"by rule: between the heads of metacarpals {m} and {n} (midpoint of the head ends), "
            f"on the dorsal skin {KNUCKLE_SKIN:.0f} mm above the higher knuckle")
    # Web margins: between neighbouring proximal phalanges at 35 % of their length (the thumb's
    # web lies between its MCP joint and the index's proximal phalanx), mid-way palmar-dorsal.
    for m, n in ((1, 2), (2, 3), (3, 4), (4, 5)):
        _, pa, pb = rays[n][1]
        q = pa + 0.35 * (pb - pa)
        if m == 1:
            p_m = rays[1][1][1]  # thumb MCP (base of its proximal phalanx)
            where = "the thumb's MCP joint and 35 % along the index's proximal phalanx"
        else:
            _, ma, mb = rays[m][1]
            p_m = ma + 0.35 * (mb - ma)
            where = f"35 % along the proximal phalanges of fingers {m} and {n}"
        marks[f"finger_web_{m}_{n}"] = ((p_m + q) / 2, f"by rule: web margin midway between "
                                        f"{where}, mid-way between palm and back")
    return marks


SNUFFBOX_DEPTH = 4.0
KNUCKLE_SKIN = 4.0
PALM_SOFT_TISSUE = 12.0
WRIST_SOFT_TISSUE = 6.0
NAIL_THICKNESS = 2.0


def _arm(lp: LimbPlan) -> list[Part]:
    hum, hp = _humerus(lp)
    uln, up = _ulna(lp)
    rad, rp = _radius(lp)
    hand, hdp = _hand(lp)
    # Joint gaps where the simple solids would touch: carve the smaller bone clear.
    # (Only the ends of the radius meet the ulna: carving against them alone is much faster.)
    e0, w0 = lp.elbow, lp.wrist
    rad_ends = shapes.union([rad.trim_by_plane([0.0, 0.0, 1.0], e0[2] - 60.0),
                             rad.trim_by_plane([0.0, 0.0, -1.0], -(w0[2] + 45.0))])
    uln = carve_clear(carve_clear(uln, hp["distal"], JOINT_GAP), rad_ends, JOINT_GAP)
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
    parts += paired_parts("humerus", "Humerus", "upper_limb_bones", finish(hum, 2600), hum_marks,
                          fma=13303)
    parts += paired_parts("ulna", "Ulna", "upper_limb_bones", finish(uln, 1300), uln_marks,
                          fma=23466)
    parts += paired_parts("radius", "Radius", "upper_limb_bones", finish(rad, 1300), rad_marks,
                          fma=23463)
    parts += paired_parts("hand", "Bones of the hand", "upper_limb_bones", finish(hand, 3900),
                          hand_marks, fma=9713)
    return parts


CUBITAL_DEPTH = 30.0
"""From the elbow axis to the skin of the cubital fossa, mm."""

# ---------------------------------------------------------------------------------------------
# Leg
# ---------------------------------------------------------------------------------------------


NECK_SHAFT_ANGLE = 127.0
"""Angle between the femoral neck and shaft axes, degrees (adult mean 125-130, Gray's)."""


def femur_axes(lp: LimbPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The femur's shaft axis (a point near the knee, unit vector up the shaft) and the base of
    the neck on that axis, placed so that the neck meets the shaft at :data:`NECK_SHAFT_ANGLE`.
    The shaft axis passes 42 mm lateral of the head centre (femoral offset) at the head's level
    and 10 mm behind it (anteversion of the neck, about 12 degrees)."""
    hc, k = lp.hip, lp.knee
    distal = k + np.array([1.0, -2.0, 75.0])
    proximal = np.array([hc[0] + 44.0, hc[1] + 10.0, hc[2] - 40.0])
    up = (proximal - distal) / np.linalg.norm(proximal - distal)
    foot = distal + np.dot(hc - distal, up) * up
    d_perp = float(np.linalg.norm(hc - foot))
    neck_base = foot - up * d_perp / np.tan(np.radians(180.0 - NECK_SHAFT_ANGLE))
    return distal, up, neck_base


def _femur(lp: LimbPlan):
    hc, k = lp.hip, lp.knee
    distal_pt, up, neck_base = femur_axes(lp)
    head = Manifold.sphere(FEMORAL_HEAD_RADIUS, 48).translate(hc.tolist())
    n = (hc - neck_base) / np.linalg.norm(hc - neck_base)
    neck_rot = shapes.frame_from_z(n, np.array([0.0, 1.0, 0.0]))
    neck = shapes.hull_of([
        shapes.ellipsoid(hc - n * 8.0, (15.0, 13.0, 4.0), 28, neck_rot),
        shapes.ellipsoid(neck_base + n * 8.0, (17.0, 14.0, 18.0), 24, neck_rot)])
    gt_c = np.array([hc[0] + 66.0, hc[1] + 12.0, lp.trochanter_top_z - 18.0])
    greater = shapes.hull_of([shapes.ellipsoid(gt_c, (13.0, 17.0, 18.0), 24),
                              shapes.ellipsoid(gt_c + [-6.0, 8.0, 6.0], (8.0, 9.0, 12.0), 16)])
    lesser_c = neck_base - up * 32.0 + np.array([-13.0, 13.0, 0.0])
    lesser = shapes.hull_of([Manifold.sphere(7.5, 16).translate(lesser_c.tolist()),
                             Manifold.sphere(6.0, 12).translate((lesser_c + [9, -4, -6]).tolist())])
    crest = shapes.capsule(gt_c + [-6.0, 12.0, -14.0], lesser_c + [4.0, 0.0, 2.0], 5.0, 14)
    shaft_top = neck_base + up * 6.0
    mid = (shaft_top + distal_pt) / 2 + np.array([0.0, -8.0, 0.0])  # anterior bow
    path = smooth_path(np.array([shaft_top, mid, distal_pt]), 24)
    s = np.linspace(0, 1, 24)
    shaft = swept_solid(path, np.interp(s, [0, 0.15, 0.6, 1], [17, 14, 13, 18]),
                        np.interp(s, [0, 0.15, 0.6, 1], [16, 14, 13.5, 13]), up=(0.0, 1.0, 0.0),
                        segments=20)
    trochanteric = shapes.hull_of([
        greater, Manifold.sphere(16.0, 20).translate((shaft_top - up * 16.0).tolist()),
        shapes.ellipsoid(neck_base + n * 8.0, (17.0, 14.0, 14.0), 18, neck_rot),
        shapes.ellipsoid((gt_c + neck_base) / 2 + [0.0, 2.0, -6.0], (16.0, 15.0, 20.0), 18)])
    # Linea aspera: a ridge down the back of the middle of the shaft.
    back = path[6:19] + np.array([0.0, 1.0, 0.0]) * (np.interp(s[6:19], [0, 0.6, 1],
                                                               [14, 13.5, 13])[:, None] - 2.5)
    aspera = swept_solid(back, 3.0, 3.5, up=(0.0, 1.0, 0.0), segments=10)
    # Distal end: two condyles (posterior prominences) with the intercondylar notch, the
    # epicondyles, and the patellar surface (trochlear groove) in front.
    med_c = shapes.ellipsoid(k + [-22.0, 8.0, 25.0], (13.0, 28.0, 24.0), 32)
    lat_c = shapes.ellipsoid(k + [21.0, 6.0, 25.0], (14.0, 27.0, 24.0), 32)
    med_e = shapes.ellipsoid(k + [-35.0, 7.0, 35.0], (7.0, 11.0, 10.0), 16)
    lat_e = shapes.ellipsoid(k + [36.0, 5.0, 35.0], (5.5, 10.0, 9.0), 16)
    metaph = shapes.hull_of([
        Manifold.sphere(15.0, 24).translate((distal_pt + [0, 1, 0]).tolist()),
        shapes.ellipsoid(k + [0.0, 3.0, 52.0], (25.0, 17.0, 8.0), 20),
        med_e, lat_e,
        Manifold.sphere(10.0, 16).translate((k + [-18.0, 14.0, 40.0]).tolist()),
        Manifold.sphere(10.0, 16).translate((k + [18.0, 12.0, 40.0]).tolist())])
    patellar = shapes.hull_of([shapes.ellipsoid(k + [19.0, -14.0, 40.0], (10.0, 10.0, 16.0), 20),
                               shapes.ellipsoid(k + [-16.0, -11.0, 38.0], (9.0, 9.0, 15.0), 20),
                               Manifold.sphere(10.0, 16).translate((k + [1, -3, 22]).tolist())])
    groove = shapes.capsule(k + [2.0, -30.0, 62.0], k + [1.0, -24.0, 24.0], 9.0, 20)
    notch = shapes.hull_of([Manifold.sphere(7.5, 16).translate((k + [0, 10, 4]).tolist()),
                            Manifold.sphere(9.5, 16).translate((k + [0, 42, 2]).tolist()),
                            Manifold.sphere(8.5, 16).translate((k + [0, 40, 26]).tolist()),
                            Manifold.sphere(6.0, 12).translate((k + [0, 10, 22]).tolist())])
    distal = shapes.union([metaph, med_c, lat_c, patellar - groove]) - notch
    solid = shapes.union([head, neck, trochanteric, lesser, crest, shaft, aspera, distal])
    return solid, {"head": head, "greater": greater, "med_e": med_e, "lat_e": lat_e,
                   "distal": distal, "neck_base": neck_base}


PATELLOFEMORAL_GAP = 2.5
"""Cartilage space between the patella and the femoral trochlea, mm."""


def _patella(lp: LimbPlan, femur: Manifold):
    """A rounded triangle (base up, apex down) pressed into the trochlear groove and carved
    clear of it by the cartilage gap, so that its back follows the groove."""
    k = lp.knee
    front = ray_hit(femur, k + [1.0, -80.0, 40.0], (0, 1, 0))
    c = np.array([k[0] + 1.0, front[1] - 10.0 + 3.0, k[2] + 40.0])
    body = shapes.hull_of([shapes.ellipsoid(c + [0, 0, 5.0], (22.0, 10.0, 17.0), 28),
                           shapes.ellipsoid(c + [-2.0, 1.0, -20.0], (7.0, 6.0, 5.0), 16)])
    # carve_clear grows the femur along 26 directions only, so that between those directions
    # the gap is narrower (down to about 0.75 of the carve): carve wider so that the smallest
    # gap is the cartilage space (the test measures it).
    femur = femur.trim_by_plane([0.0, 0.0, -1.0], -(k[2] + 110.0))  # the knee end only
    femur = femur.trim_by_plane([0.0, -1.0, 0.0], -(k[1] + 5.0))  # its front half
    return carve_clear(body, femur, PATELLOFEMORAL_GAP * 1.3)


def _tibia(lp: LimbPlan):
    k, a = lp.knee, lp.ankle
    plateau_z = k[2] - JOINT_GAP / 2
    med = shapes.ellipsoid(k + [-20.0, 4.0, -13.0], (22.0, 25.0, 14.0), 32)
    lat = shapes.ellipsoid(k + [20.0, 3.0, -13.0], (20.0, 22.0, 14.0), 32)
    tub = shapes.ellipsoid(k + [1.0, -23.0, -44.0], (9.0, 6.0, 13.0), 18)
    prox = shapes.hull_of([med, lat, tub, Manifold.sphere(16.0, 20).translate(
        (k + [0, 2.0, -85.0]).tolist()), shapes.ellipsoid(k + [0.0, 3.0, -40.0], (26.0, 21.0, 8.0),
                                                          20)])
    prox = prox.trim_by_plane([0.0, 0.0, -1.0], -plateau_z)
    # Shallow condylar dishes and the intercondylar eminence between them.
    dishes = shapes.union([shapes.ellipsoid(k + [-20.0, 5.0, 9.0], (15.0, 18.0, 11.0), 24),
                           shapes.ellipsoid(k + [20.0, 3.0, 9.5], (14.0, 16.0, 11.0), 24)])
    eminence = shapes.hull_of([Manifold.sphere(3.5, 12).translate((k + [-4.5, 5.0, -1.0]).tolist()),
                               Manifold.sphere(3.5, 12).translate((k + [4.5, 4.0, -1.5]).tolist()),
                               shapes.ellipsoid(k + [0.0, 4.0, -9.0], (10.0, 12.0, 5.0), 14)])
    prox = shapes.union([prox - dishes, eminence])
    path = smooth_path(np.array([k + [0, 2.0, -70.0], (k + a) / 2 + [1.0, -1.0, 0],
                                 a + [-2.0, 2.0, 45.0]]), 20)
    s = np.linspace(0, 1, 20)
    shaft = swept_solid(path, np.interp(s, [0, 0.6, 1], [15.0, 11.0, 12.5]),
                        np.interp(s, [0, 0.6, 1], [16.0, 12.0, 12.0]), up=(0.0, 1.0, 0.0),
                        segments=18)
    # Anterior border (shin): a crest down the front of the shaft.
    front = path[1:16] + np.array([0.0, -1.0, 0.0]) * (np.interp(s[1:16], [0, 0.6, 1],
                                                                 [16.0, 12.0, 12.0])[:, None] - 3.0)
    crest = swept_solid(front, 3.0, 3.0, up=(0.0, 1.0, 0.0), segments=10)
    plafond = a[2] + 13.0
    distal = shapes.hull_of([shapes.ellipsoid(a + [-2.0, 1.0, 26.0], (18.0, 16.0, 14.0), 24),
                             Manifold.sphere(12.0, 16).translate((a + [-2, 2, 50]).tolist())])
    distal = distal.trim_by_plane([0.0, 0.0, 1.0], plafond)
    mm_c = np.array([a[0] - 23.5, a[1] + 2.0, a[2]])
    malleolus = shapes.hull_of([shapes.ellipsoid(mm_c + [1.0, 0, 17.0], (6.0, 11.0, 6.0), 16),
                                shapes.ellipsoid(mm_c + [0, 1.0, 1.5], (5.5, 7.5, 4.5), 14)])
    solid = shapes.union([prox, shaft, crest, distal, malleolus])
    return solid, {"tub": tub, "med": med, "malleolus": malleolus}


def _fibula(lp: LimbPlan):
    k, a = lp.knee, lp.ankle
    head_c = k + [41.0, 20.0, -36.0]
    head = shapes.hull_of([shapes.ellipsoid(head_c, (9.0, 10.0, 9.0), 20),
                           Manifold.sphere(4.0, 12).translate((head_c + [3.0, 3.0, 10.0]).tolist())])
    mal_c = a + [27.0, 8.0, -4.0]
    path = smooth_path(np.array([head_c + [0, 0, -8], (head_c + mal_c) / 2 + [1, 1, 0],
                                 mal_c + [-1, -1, 26]]), 18)
    s = np.linspace(0, 1, 18)
    shaft = swept_solid(path, np.interp(s, [0, 0.1, 0.5, 1], [6.0, 5.0, 6.0, 6.5]),
                        np.interp(s, [0, 0.1, 0.5, 1], [6.0, 5.0, 7.0, 6.5]), up=(0.0, 1.0, 0.0),
                        segments=12)
    malleolus = shapes.hull_of([shapes.ellipsoid(mal_c, (6.0, 9.0, 13.0), 20),
                                Manifold.sphere(6.5, 14).translate((mal_c + [-1, -1, 22]).tolist())])
    solid = shapes.union([head, shaft, malleolus])
    return solid, {"head": head, "malleolus": malleolus}


TOES = {  # toe: (metatarsal base offset, head offset, phalanx lengths, radius), from the ankle
    1: ([-16.0, -80.0, -24.0], [-26.0, -136.0, -47.0], (30.0, 24.0), 8.5),
    2: ([-4.0, -80.0, -22.0], [-10.0, -146.0, -50.0], (24.0, 11.0, 9.0), 6.5),
    3: ([7.0, -78.0, -26.0], [3.0, -142.0, -51.0], (22.0, 10.0, 8.0), 6.0),
    4: ([17.0, -74.0, -31.0], [15.0, -136.0, -52.0], (20.0, 9.0, 8.0), 6.0),
    5: ([27.0, -70.0, -36.0], [28.0, -126.0, -53.0], (18.0, 8.0, 8.0), 5.5),
}
TOE_FLEXION = (-12.0, 6.0, 8.0)
"""Bend at the MTP (extension, negative: the toes lie flat while the metatarsals slope down to
the ball of the foot), PIP and DIP joints, degrees."""


def _foot(lp: LimbPlan):
    a = lp.ankle
    talus = shapes.union([
        shapes.hull_of([shapes.ellipsoid(a + [0.0, -3.0, -1.0], (15.0, 21.0, 12.0), 28),
                        shapes.ellipsoid(a + [-3.0, 14.0, -8.0], (9.0, 6.0, 6.0), 14)]),
        shapes.hull_of([shapes.ellipsoid(a + [-5.0, -20.0, -6.0], (10.0, 8.0, 8.0), 16),
                        shapes.ellipsoid(a + [-9.0, -36.0, -11.0], (11.0, 9.0, 10.0), 20)])])
    heel_c = a + [4.0, 46.0, 0.0]
    heel_c[2] = HEEL_PAD + 14.0
    calcaneus = shapes.union([
        shapes.hull_of([shapes.ellipsoid(heel_c + [0, 0, 6.0], (13.0, 13.0, 20.0), 24),
                        Manifold.sphere(9.0, 16).translate([heel_c[0], heel_c[1] - 6.0,
                                                            HEEL_PAD + 9.0]),
                        shapes.ellipsoid(a + [6.0, 8.0, -26.0], (14.0, 18.0, 13.0), 20),
                        shapes.ellipsoid(a + [16.0, -30.0, -36.0], (10.0, 9.0, 10.0), 16)]),
        shapes.ellipsoid(a + [-14.0, -2.0, -25.0], (9.0, 10.0, 4.5), 16)])  # sustentaculum
    talus_zone = shapes.union([talus] + [talus.translate((JOINT_GAP * d).tolist())
                                         for d in _DIRECTIONS])  # as carve_clear, grown once
    calcaneus = calcaneus - talus_zone
    navicular = (shapes.hull_of([
        shapes.ellipsoid(a + [-10.0, -52.0, -12.0], (14.0, 6.0, 11.0), 20),
        Manifold.sphere(5.5, 14).translate((a + [-24.0, -50.0, -19.0]).tolist())]) - talus_zone)
    nav_tub = Manifold.sphere(5.5, 14).translate((a + [-24.0, -50.0, -19.0]).tolist())
    cuboid = shapes.rounded_box(a + [21.0, -58.0, -36.0], (17.0, 19.0, 16.0), 5.0, segments=14)
    cunei = [shapes.rounded_box(a + o, s, 4.0, segments=14) for o, s in (
        ([-16.5, -66.0, -18.0], (12.0, 14.0, 20.0)), ([-4.5, -65.0, -15.5], (9.0, 13.0, 15.0)),
        ([6.5, -65.0, -20.0], (10.0, 14.0, 16.0)))]
    pieces = [talus, calcaneus, navicular, cuboid, *cunei]
    rays = {}
    for n, (b, h, phal, r) in TOES.items():
        base, head = a + np.array(b), a + np.array(h)
        head[2] = FOREFOOT_PAD + r
        dorsal = np.array([0.0, 0.0, 1.0])
        mt_sizes = ((r * 0.8, r * 1.1), (r * 0.48, r * 0.55), (r * 0.8, r * 0.95))
        mt = small_long_bone(base, head, dorsal, *mt_sizes, segments=16)
        pieces.append(mt)
        d = np.array([0.0, -1.0, -0.12])
        sizes = [((r * 0.78, r * 0.66), (r * 0.5, r * 0.42), (r * 0.62, r * 0.5)),
                 ((r * 0.6, r * 0.5), (r * 0.44, r * 0.38), (r * 0.5, r * 0.42)),
                 ((r * 0.5, r * 0.42), (r * 0.34, r * 0.3), (r * 0.55, r * 0.36))][:len(phal)]
        sizes[-1] = ((sizes[-1][0][0], sizes[-1][0][1]), (r * 0.34, r * 0.3), (r * 0.55, r * 0.36))
        flex = TOE_FLEXION[:len(phal)] if len(phal) == 3 else (TOE_FLEXION[0], 8.0)
        bones = _ray(head + d / np.linalg.norm(d) * (r * 0.9 + RAY_GAP), d, phal, sizes,
                     dorsal, flex, np.array([1.0, 0.0, 0.0]))
        pieces += [bb[0] for bb in bones]
        rays[n] = (mt, base, head, bones)
    mt5_tub = shapes.ellipsoid(a + [34.0, -67.0, -40.0], (6.0, 8.0, 6.0), 14)
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
    marks.update(_foot_point_landmarks(fp))
    a = lp.ankle
    talus_front = ray_hit(fp["talus"], a + [0, -80.0, 6.0], (0, 1, 0))
    marks["ankle_crease_anterior_mid"] = (talus_front + [0, -ANKLE_FRONT_SOFT_TISSUE, 0],
                                          "by rule: front of the ankle joint between the "
                                          f"malleoli, {ANKLE_FRONT_SOFT_TISSUE:.0f} mm in front "
                                          "of the talus")
    return marks


def _foot_point_landmarks(fp) -> dict:
    """Landmarks that acupuncture point rules name on the foot (left foot: medial = -X,
    distal = -Y, dorsal = +Z)."""
    rays = fp["rays"]
    medial, dorsal = np.array([-1.0, 0, 0]), np.array([0, 0, 1.0])

    def end_part(n, which: str, span: float = 12.0) -> np.ndarray:
        mt, base, head, _ = rays[n]
        v = vertices_of(mt)
        d = (head - base) / np.linalg.norm(head - base)
        t = (v - base) @ d
        return v[t < span] if which == "base" else v[t > np.linalg.norm(head - base) - span]

    marks = {
        "metatarsal_1_base": (extreme_vertex(end_part(1, "base"), medial),
                              "most medial vertex of the first metatarsal's base"),
        "metatarsal_2_base": (extreme_vertex(end_part(2, "base"), dorsal),
                              "most dorsal vertex of the second metatarsal's base (the top of "
                              "the instep)"),
        "metatarsal_4_head": (extreme_vertex(end_part(4, "head"), dorsal),
                              "most dorsal vertex of the fourth metatarsal's head"),
    }
    for m, n, name in ((1, 2, "metatarsal_base_junction_1_2"),
                       (4, 5, "metatarsal_4_5_base_junction")):
        pm, pn = extreme_vertex(end_part(m, "base"), dorsal), extreme_vertex(end_part(n, "base"),
                                                                             dorsal)
        marks[name] = ((pm + pn) / 2, f"midpoint of the dorsal tops of the bases of metatarsals "
                                      f"{m} and {n}, where the two bases meet")
    for m, n in ((1, 2), (2, 3), (3, 4), (4, 5)):
        q = []
        for k in (m, n):
            _, a, b = rays[k][3][0]
            q.append(a + 0.35 * (b - a))
        marks[f"toe_web_{m}_{n}"] = ((q[0] + q[1]) / 2, "by rule: web margin midway between "
                                     f"the proximal phalanges of toes {m} and {n}, 35 % along "
                                     "them, mid-way between the top and the sole")
    return marks


ANKLE_FRONT_SOFT_TISSUE = 12.0
ACHILLES_DEPTH = 28.0
"""From the back of the tibia to the back of the Achilles tendon at the ankle, mm."""
POPLITEAL_SOFT_TISSUE = 22.0
INFRAPATELLAR_OFFSET = 18.0
INFRAPATELLAR_DEPTH = 8.0
"""The knee-eye hollows: beside the patellar ligament (about 25 mm wide), in front of the
tibial condyles by the infrapatellar fat pad and skin, mm."""


def _leg(lp: LimbPlan) -> list[Part]:
    fem, fp = _femur(lp)
    pat = _patella(lp, fem)
    tib, tp = _tibia(lp)
    fib, fbp = _fibula(lp)
    foot, ftp = _foot(lp)
    # Joint gaps where the solids would touch: carve the smaller bone clear.
    # (Against the near end or side of the neighbour only: much faster, same result.)
    tib = carve_clear(tib, fem.trim_by_plane([0.0, 0.0, -1.0], -(lp.knee[2] + 60.0)), JOINT_GAP)
    fib = carve_clear(fib, tib.trim_by_plane([1.0, 0.0, 0.0], lp.knee[0] + 5.0), JOINT_GAP)
    k, a = lp.knee, lp.ankle
    pv = vertices_of(pat)
    fv = vertices_of(fp["distal"])
    back = np.array([k[0], fv[(fv[:, 2] < k[2] + 50.0)][:, 1].max(), k[2] + 10.0])
    fem_marks = _marks({
        "greater_trochanter": (extreme_vertex(fp["greater"], (1, 0, 0)),
                               "most lateral vertex of the greater trochanter"),
        "femur_lateral_epicondyle": (extreme_vertex(fp["lat_e"], (1, 0, 0)),
                                     "most lateral vertex of the lateral epicondyle"),
        "femur_medial_epicondyle": (extreme_vertex(fp["med_e"], (-1, 0, 0)),
                                    "most medial vertex of the medial epicondyle"),
        "popliteal_crease_mid": (back + [0, POPLITEAL_SOFT_TISSUE, -5.0],
                                 "by rule: back of the knee 5 mm above the joint line level of "
                                 f"the condyles, {POPLITEAL_SOFT_TISSUE:.0f} mm behind the back "
                                 "of the femoral condyles"),
        "popliteal_crease_lateral": (back + [30.0, POPLITEAL_SOFT_TISSUE - 6.0, -5.0],
                                     "by rule: lateral end of the popliteal crease (biceps "
                                     "femoris tendon), 30 mm lateral of the middle"),
        "popliteal_crease_medial": (back + [-30.0, POPLITEAL_SOFT_TISSUE - 6.0, -5.0],
                                    "by rule: medial end of the popliteal crease "
                                    "(semitendinosus tendon), 30 mm medial of the middle"),
    })
    apex = pv[np.argmin(pv[:, 2])]
    fossa_z = (apex[2] + k[2]) / 2
    pat_marks = {
        "patella_apex": (apex, "lowest vertex of the patella"),
        "patella_base": (pv[np.argmax(pv[:, 2])], "highest vertex of the patella"),
        "patella_base_lateral": (extreme_vertex(pv, (1.0, 0.0, 1.0)),
                                 "lateral corner of the patella's base: farthest vertex up and "
                                 "laterally (45 degrees)"),
        "patella_base_medial": (extreme_vertex(pv, (-1.0, 0.0, 1.0)),
                                "medial corner of the patella's base: farthest vertex up and "
                                "medially (45 degrees)"),
    }
    for side, sx in (("lateral", 1.0), ("medial", -1.0)):
        x = apex[0] + sx * INFRAPATELLAR_OFFSET
        tib_front = ray_hit(tib, [x, k[1] - 90.0, k[2] - 6.0], (0, 1, 0))
        pat_marks[f"infrapatellar_fossa_{side}"] = (
            np.array([x, tib_front[1] - INFRAPATELLAR_DEPTH, fossa_z]),
            f"by rule: {side} of the patellar ligament, {INFRAPATELLAR_OFFSET:.0f} mm from the "
            "apex's vertical line, midway between the patellar apex and the joint line, "
            f"{INFRAPATELLAR_DEPTH:.0f} mm in front of the tibial condyle's front edge (fat pad "
            "and skin)")
    pat_marks = _marks(pat_marks)
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
    parts += paired_parts("femur", "Femur", "lower_limb_bones", finish(fem, 3000), fem_marks,
                          fma=9611)
    parts += paired_parts("patella", "Patella", "lower_limb_bones", finish(pat, 400), pat_marks,
                          fma=24485)
    parts += paired_parts("tibia", "Tibia", "lower_limb_bones", finish(tib, 1800), tib_marks,
                          fma=24476)
    parts += paired_parts("fibula", "Fibula", "lower_limb_bones", finish(fib, 800), fib_marks,
                          fma=24479)
    parts += paired_parts("foot", "Bones of the foot", "lower_limb_bones", finish(foot, 3300),
                          foot_marks, fma=9664)
    return parts


def build_parts(ctx) -> list[Part]:
    """Both arms and legs: humerus, radius, ulna, hand, femur, patella, tibia, fibula, foot."""
    lp = limb_plan(ctx.stature)
    return _arm(lp) + _leg(lp)
