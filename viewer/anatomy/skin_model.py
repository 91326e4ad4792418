"""The skin from the MakeHuman base mesh (CC0), posed and fitted to this body's skeleton.

The vendored data (``assets/makehuman/``, see its README) is the HM08 base mesh's closed ``body``
surface (face, ears, fingers, toes; no helper geometry), the adult male shape target, each
vertex's mirror twin, the centres of the rig's joint cubes and the limbs' skinning weights.

Steps, each on the mesh the step before made:

1. the adult male shape, in millimetres and this project's axes (+X left, +Y posterior, +Z up);
2. pose: each limb segment (upper arm, forearm, hand; thigh, shank, foot) is turned about its
   proximal joint so that it points where the skeleton's does, and stretched along itself to the
   skeleton's length (linear blend skinning with the rig's weights); the forearm twists progressively from elbow to wrist so the palm faces forward
   with the thumb lateral (the anatomical position);
3. fit: a thin-plate-spline warp (scipy's ``RBFInterpolator``) carries the limb joint centres,
   eyes, nose tip and crown onto the skeleton's landmarks, the back's midline onto a point
   :data:`SPINOUS_DEPTH` behind each spinous tip (soft tissue over the spinous processes of a lean
   adult), and the trunk's surface onto the points of :data:`SURFACE`;
4. symmetry: each vertex is averaged with its twin's mirror image, so the skin is exactly its own
   mirror image about X = 0.

5. blend (:func:`blended`): the fitted skin's signed distance field joined by a smooth minimum
   with the structures' field grown by :data:`MARGIN`, so the skin bulges just enough where a
   structure comes near or pokes through, contoured and welded to its mirror image (closed, one
   piece, exactly symmetric).

Not yet done, so the build still uses :mod:`skin_surface`. Measured on the committed body with
``scripts/skin_blend_check.py``: the blend is closed, one piece and its own mirror image (64k
triangles); no structure's vertex lies outside it (a ray test; VTK's implicit distance calls 10
outside, rib 8 and the middle trapezius near the armpit, but they test inside), 28 of 252k lie
within 1 mm; soft tissue behind the spinous tips C7-L5 12-18 mm. But it is not lifelike yet: the
fit leaves about 12 % of the structures' vertices outside the fitted skin (foot bones up to 60 mm,
gluteus maximus 75 mm, shin and forearm muscles 30-50 mm, the back's muscles), so there the blend
shows those structures' own shapes (lumpy feet, shins, buttocks and back); the fit must first
match the feet, shins, buttocks and back to the skeleton. At 2.5 mm and 64k triangles the face is
faceted (eyes become slits). A thin internal sheet runs along the spinal canal at the lumbar
levels (0.3-0.6 mm from the cord): a tunnel the cavity fill does not reach."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import trimesh
from scipy.interpolate import RBFInterpolator
from scipy.spatial import cKDTree
from scipy.spatial.transform import Rotation

DATA = Path(__file__).resolve().parents[2] / "assets" / "makehuman" / "hm08_body.npz"

SPINOUS_DEPTH = 11.0
"""Skin behind each spinous tip, mm (lean adults: about 5-20 mm over the thoracic and lumbar
spinous processes)."""


class Base:
    """The base mesh in this project's frame: ``vertices`` (n, 3) mm, ``faces`` (m, 3),
    ``mirror`` (n,) twin index, ``joints`` {name: (3,)}, ``weights`` {segment_side: (n,)}."""

    def __init__(self, path: Path = DATA):
        if not path.exists():
            raise FileNotFoundError(f"{path}: the vendored MakeHuman data is missing "
                                    "(see assets/makehuman/README.md)")
        d = np.load(path)
        v = d["vertices"].astype(float) + d["male"].astype(float)
        self.vertices = _to_world(v)
        q = d["quads"]
        self.faces = np.vstack([q[:, [0, 1, 2]], q[:, [0, 2, 3]]])
        self.mirror = d["mirror"]
        self.joints = {str(n): _to_world(p[None])[0] for n, p in zip(d["joint_names"], d["joints"])}
        # the skin at the end of the middle finger and second toe: how long the hand and foot are
        for side in ("L", "R"):
            for digits, k, name in ((FINGERS, 3, "l-finger-3-tip"), (TOES, 2, "l-toe-2-tip")):
                tip = digit_tips(self.vertices, self.joints, side, {k: digits[k]})[0]
                self.joints[_side(name, side)] = self.vertices[tip]
        self.weights = {k: d[k].astype(float) for k in d.files
                        if k.split("_")[0] in ("upperarm", "forearm", "hand", "thigh", "shank", "foot")}


def _to_world(v: np.ndarray) -> np.ndarray:
    """MakeHuman (decimetres, +X left, +Y up, +Z anterior) -> mm, +X left, +Y posterior, +Z up."""
    return np.column_stack([v[:, 0], -v[:, 2], v[:, 1]]) * 100.0


@lru_cache(maxsize=1)
def base() -> Base:
    return Base()


def _align(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation turning direction ``a`` onto direction ``b``."""
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    axis = np.cross(a, b)
    s, c = np.linalg.norm(axis), float(np.dot(a, b))
    if s < 1e-12:
        return np.eye(3)
    return Rotation.from_rotvec(axis / s * np.arctan2(s, c)).as_matrix()


def _stretch(axis: np.ndarray, k: float) -> np.ndarray:
    """Scale by ``k`` along ``axis`` (and not across it)."""
    a = axis / np.linalg.norm(axis)
    return np.eye(3) + (k - 1.0) * np.outer(a, a)


def _turn_of(m: np.ndarray) -> np.ndarray:
    """The rotation part of a rotation-times-stretch matrix."""
    u, _, vt = np.linalg.svd(m)
    return u @ vt


def _frame(axis: np.ndarray, across: np.ndarray) -> np.ndarray:
    x = axis / np.linalg.norm(axis)
    y = across - np.dot(across, x) * x
    y /= np.linalg.norm(y)
    return np.array([x, y, np.cross(x, y)])


def _twist_angle(rot: np.ndarray, axis: np.ndarray) -> float:
    """The twist of ``rot`` about ``axis`` (swing-twist decomposition), radians."""
    q = Rotation.from_matrix(rot).as_quat()  # x, y, z, w
    axis = axis / np.linalg.norm(axis)
    proj = np.dot(q[:3], axis)
    return 2.0 * np.arctan2(proj, q[3])


def _pose_limb(verts: np.ndarray, weights: dict, joints: dict, side: str, names: dict,
               target: dict) -> np.ndarray:
    """Turn a limb's three segments (proximal, middle, distal) onto the skeleton's directions.

    ``names``: 'segments' (the three weight names), and MakeHuman joint names for 'root', 'mid',
    'end' (the three joints), 'tip' (the distal segment's far end) and 'across_a'/'across_b' (a
    direction across the distal segment); ``target``: world positions for 'root', 'mid', 'end',
    'tip' and the world direction 'across'. With ``names['twist']`` the middle segment twists
    progressively (a forearm's pronation/supination); otherwise the distal segment turns alone.
    """
    w1, w2, w3 = (weights[f"{s}_{side}"] for s in names["segments"])
    own1, own2, own3 = np.clip(w1 - w2, 0, 1), np.clip(w2 - w3, 0, 1), np.clip(w3, 0, 1)
    rest = np.clip(1.0 - own1 - own2 - own3, 0, 1)
    root, mid, end = (joints[names[k]] for k in ("root", "mid", "end"))
    tip, across = joints[names["tip"]], joints[names["across_a"]] - joints[names["across_b"]]
    # each segment turned onto the skeleton's and stretched along itself to the skeleton's length
    k1 = np.linalg.norm(target["mid"] - target["root"]) / np.linalg.norm(mid - root)
    k2 = np.linalg.norm(target["end"] - target["mid"]) / np.linalg.norm(end - mid)
    k3 = np.linalg.norm(target["tip"] - target["end"]) / np.linalg.norm(tip - end)
    r1 = _align(mid - root, target["mid"] - target["root"]) @ _stretch(mid - root, k1)
    mid1 = root + r1 @ (mid - root)
    r2 = _align(_turn_of(r1) @ (end - mid), target["end"] - target["mid"]) @ _turn_of(r1)
    end2 = mid1 + r2 @ _stretch(end - mid, k2) @ (end - mid)
    turn3 = _frame(target["tip"] - target["end"], target["across"]).T @ _frame(tip - end, across)
    axis2 = (end2 - mid1) / np.linalg.norm(end2 - mid1)
    twist = _twist_angle(turn3 @ r2.T, axis2) if names.get("twist") else 0.0
    r2 = r2 @ _stretch(end - mid, k2)
    r3 = turn3 @ _stretch(tip - end, k3)
    t = np.clip((verts - mid) @ (end - mid) / np.dot(end - mid, end - mid), 0.0, 1.0)

    p1 = root + (verts - root) @ r1.T
    turn = Rotation.from_rotvec(axis2[None] * (twist * t)[:, None]).as_matrix()  # (n, 3, 3)
    p2 = mid1 + np.einsum("nij,nj->ni", turn, (verts - mid) @ r2.T)
    p3 = end2 + (verts - end) @ r3.T
    total = np.maximum(rest + own1 + own2 + own3, 1e-9)
    return (rest[:, None] * verts + own1[:, None] * p1 + own2[:, None] * p2
            + own3[:, None] * p3) / total[:, None]


ARM = {"segments": ("upperarm", "forearm", "hand"), "root": "l-shoulder", "mid": "l-elbow",
       "end": "l-hand", "tip": "l-finger-3-tip", "across_a": "l-finger-2-1",
       "across_b": "l-finger-5-1", "twist": True}
LEG = {"segments": ("thigh", "shank", "foot"), "root": "l-upper-leg", "mid": "l-knee",
       "end": "l-ankle", "tip": "l-toe-2-tip", "across_a": "l-toe-5-1", "across_b": "l-toe-1-1"}
FINGERS = {k: (f"l-finger-{k}-3", f"l-finger-{k}-4") for k in range(1, 6)}
TOES = {1: ("l-toe-1-2", "l-toe-1-3"), **{k: (f"l-toe-{k}-3", f"l-toe-{k}-4") for k in range(2, 6)}}


def _side(name: str, side: str) -> str:
    return name.replace("l-", "r-", 1) if side == "R" else name


def _mirror_x(p: np.ndarray) -> np.ndarray:
    return np.asarray(p, float) * np.array([-1.0, 1.0, 1.0])


def _targets(marks: dict[str, np.ndarray], hips: dict[str, np.ndarray]) -> dict[str, dict]:
    """The skeleton's limb targets for :func:`_pose_limb`, per limb and side."""
    out = {}
    for side, suffix, sign in (("L", "left", 1.0), ("R", "right", -1.0)):
        m = {k[: -len(suffix) - 1]: v for k, v in marks.items() if k.endswith("_" + suffix)}
        out[f"arm_{side}"] = {
            "root": m["humerus_head"],
            "mid": (m["lateral_epicondyle"] + m["medial_epicondyle"]) / 2,
            "end": (m["radial_styloid"] + m["ulnar_styloid"]) / 2,
            "tip": m["finger_tip_3"],
            "across": m["metacarpal_2_head"] - m["metacarpal_5_head"]}
        out[f"leg_{side}"] = {
            "root": hips[suffix],
            "mid": (m["femur_lateral_epicondyle"] + m["femur_medial_epicondyle"]) / 2,
            "end": (m["lateral_malleolus"] + m["medial_malleolus"]) / 2,
            "tip": m["toe_tip_2"],
            "across": (m["metatarsal_5_head"] - m["metatarsal_1_head"]) * np.array([1.0, 1.0, 0.0])}
        del sign
    return out


def digit_tips(verts: np.ndarray, joints: dict, side: str, digits: dict) -> list[int]:
    """The tip vertex of each digit: of the vertices nearer its last joint than any other digit's
    (and within 30 mm of it), the one furthest out along the digit's last segment."""
    last = np.array([joints[_side(b, side)] for _, b in digits.values()])
    near_d, owner = cKDTree(last).query(verts)
    out = []
    for k, (a, b) in enumerate(digits.values()):
        ja, jb = joints[_side(a, side)], joints[_side(b, side)]
        d = (jb - ja) / np.linalg.norm(jb - ja)
        mine = np.flatnonzero((owner == k) & (near_d < 30.0))
        out.append(int(mine[np.argmax((verts[mine] - jb) @ d)]))
    return out


def _midline(verts: np.ndarray, z: float, posterior: bool, below: float | None = None) -> int:
    """The skin vertex on the midline at height ``z`` furthest back (or forward)."""
    near = np.flatnonzero((np.abs(verts[:, 0]) < 4.0) & (np.abs(verts[:, 2] - z) < 20.0))
    y = verts[near, 1] if posterior else -verts[near, 1]
    return int(near[np.argmax(y)])


def posed(marks: dict[str, np.ndarray], hips: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
    """The base mesh's vertices with its limbs turned onto the skeleton's, and its joints moved
    with them (steps 1-2)."""
    b = base()
    verts = b.vertices.copy()
    joints = dict(b.joints)
    targets = _targets(marks, hips)
    for limb, names in (("arm", ARM), ("leg", LEG)):
        for side in ("L", "R"):
            named = {k: (_side(v, side) if isinstance(v, str) else v) for k, v in names.items()}
            # The joints ride along as one-vertex meshes with the weights of their segment.
            keys = [n for n in joints if n.startswith(_side("l-", side)) and _in_limb(n, limb)]
            pts = np.vstack([verts] + [joints[n][None] for n in keys])
            w = {}
            for seg in names["segments"]:
                extra = np.array([_joint_weight(n, seg, limb) for n in keys])
                w[f"{seg}_{side}"] = np.concatenate([b.weights[f"{seg}_{side}"], extra])
            moved = _pose_limb(pts, w, b.joints, side, named, targets[f"{limb}_{side}"])
            verts = moved[: len(verts)]
            for n, p in zip(keys, moved[len(verts):]):
                joints[n] = p
    return verts, joints


_LIMB_JOINTS = {
    "arm": {"upperarm": ("elbow",), "forearm": ("hand",), "hand": ("hand-", "finger")},
    "leg": {"thigh": ("knee",), "shank": ("ankle",), "foot": ("foot", "toe")},
}


def _in_limb(name: str, limb: str) -> bool:
    return any(k in name for ks in _LIMB_JOINTS[limb].values() for k in ks)


def _joint_weight(name: str, seg: str, limb: str) -> float:
    """A limb joint follows its own segment and every one beyond it (subtree weights)."""
    order = list(_LIMB_JOINTS[limb])
    own = next(s for s in order if any(k in name for k in _LIMB_JOINTS[limb][s]))
    return 1.0 if order.index(seg) <= order.index(own) else 0.0


def _pairs(verts: np.ndarray, joints: dict, marks: dict, hips: dict) -> tuple[list, list]:
    """(source points on the posed base, target points on the skeleton) for the warp."""
    src, dst = [], []
    t = _targets(marks, hips)
    for side, suffix in (("L", "left"), ("R", "right")):
        j = lambda n, side=side: joints[_side(n, side)]  # noqa: E731
        for limb, names in (("arm", ARM), ("leg", LEG)):
            for key in ("root", "mid", "end"):
                src.append(j(names[key]))
                dst.append(t[f"{limb}_{side}"][key])
        # the eyeball's centre about 12 mm behind the cornea
        src.append(j("l-eye"))
        dst.append(marks[f"pupil_{suffix}"] + np.array([0.0, 12.0, 0.0]))
    head = np.flatnonzero(np.abs(verts[:, 0]) < 4.0)
    src.append(verts[head[np.argmax(verts[head, 2])]])
    dst.append(marks["vertex"])
    face = head[verts[head, 2] > joints["neck"][2] + 60]
    src.append(verts[face[np.argmin(verts[face, 1])]])
    dst.append(marks["nose_tip"])
    return src, dst


SURFACE = {
    # landmark: (which way the skin lies from it, soft tissue there mm)
    "sternal_angle": ("anterior", 8.0),
    "xiphisternal_junction": ("anterior", 12.0),
    "pubic_symphysis_superior": ("anterior", 30.0),
    "umbilicus": ("anterior", 0.0),
    "greater_trochanter_left": ("lateral", 30.0),
    "greater_trochanter_right": ("lateral", 30.0),
    "iliac_crest_top_left": ("lateral", 20.0),
    "iliac_crest_top_right": ("lateral", 20.0),
}
"""Skin points the trunk is fitted to besides the spinous tips: the surface straight in front of
(or lateral to) a bony landmark, at a lean adult's soft-tissue thickness there."""


def _surface_vertex(verts: np.ndarray, mark: np.ndarray, way: str, trunk: np.ndarray) -> int:
    """The trunk vertex furthest out in ``way`` near the landmark's height (and, laterally, its
    depth)."""
    if way == "anterior":
        near = trunk & (np.abs(verts[:, 0] - mark[0]) < 8.0) & (np.abs(verts[:, 2] - mark[2]) < 20.0)
        return int(np.flatnonzero(near)[np.argmin(verts[near, 1])])
    sign = np.sign(mark[0])
    near = trunk & (np.abs(verts[:, 1] - mark[1]) < 30.0) & (np.abs(verts[:, 2] - mark[2]) < 20.0)
    return int(np.flatnonzero(near)[np.argmax(sign * verts[near, 0])])


def _warp(verts: np.ndarray, src: list, dst: list) -> np.ndarray:
    rbf = RBFInterpolator(np.array(src), np.array(dst) - np.array(src),
                          kernel="thin_plate_spline", smoothing=1.0, degree=1)
    return verts + rbf(verts)


def fitted(marks: dict[str, np.ndarray], hips: dict[str, np.ndarray],
           spinous: dict[str, np.ndarray]) -> np.ndarray:
    """The posed base warped onto the skeleton (step 3): the limbs, face and the back's midline
    ``SPINOUS_DEPTH`` behind each spinous tip in ``spinous`` (name -> tip)."""
    verts, joints = posed(marks, hips)
    src, dst = _pairs(verts, joints, marks, hips)
    first = _warp(verts, src, dst)
    w = base().weights
    no_arm = (w["upperarm_L"] < 0.05) & (w["upperarm_R"] < 0.05)
    trunk = no_arm & (w["thigh_L"] < 0.5) & (w["thigh_R"] < 0.5)
    for tip in spinous.values():
        k = _midline(first, tip[2], posterior=True)
        src.append(verts[k])
        dst.append(np.array([0.0, tip[1] + SPINOUS_DEPTH, tip[2]]))
    for name, (way, depth) in SURFACE.items():
        if name not in marks:
            continue
        mark = marks[name]
        k = _surface_vertex(first, mark, way, trunk if way == "anterior" else no_arm)
        out = np.array([0.0, -1.0, 0.0]) if way == "anterior" else np.array([np.sign(mark[0]), 0, 0])
        src.append(verts[k])
        dst.append(mark + depth * out)
    return _warp(verts, src, dst)


CONTACT_GAP = 0.5
"""Where a lowered arm meets the side of the chest, its skin is laid onto the chest's this far
outside it, mm (skin pressed to skin, as in the armpit and along the arm)."""


def _lay_arms_on_trunk(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Linear blend skinning sinks the inner side of a lowered arm into the chest (the arm of the
    base mesh hangs 40 degrees out): move every arm vertex that lies inside the trunk, or closer
    than :data:`CONTACT_GAP` to it, onto the trunk's surface, so the skin does not cross itself."""
    w = base().weights
    verts = verts.copy()
    for side in ("L", "R"):
        arm = w[f"upperarm_{side}"] > 0.5
        other = w["upperarm_R" if side == "L" else "upperarm_L"] > 0.5
        body = ~arm & ~other
        trunk = trimesh.Trimesh(verts, faces[body[faces].all(axis=1)], process=False)
        idx = np.flatnonzero(arm)
        for _ in range(2):
            closest, dist, tri = trimesh.proximity.closest_point(trunk, verts[idx])
            normal = trunk.face_normals[tri]
            depth = np.einsum("ij,ij->i", verts[idx] - closest, normal)
            bad = (depth < CONTACT_GAP) & (dist < 60.0)
            verts[idx[bad]] = closest[bad] + CONTACT_GAP * normal[bad]
    return verts


def symmetric(verts: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """Each vertex averaged with its mirror twin's mirror image (exactly symmetric about X = 0);
    with ``values`` (one per vertex), the larger of each value and its twin's instead."""
    twin = base().mirror
    if values is not None:
        return np.maximum(values, values[twin])
    out = (verts + verts[twin] * np.array([-1.0, 1.0, 1.0])) / 2.0
    out[twin == np.arange(len(twin)), 0] = 0.0
    return out


PITCH = 2.5
"""Grid spacing of the blended skin's distance field, mm (fingers are 15-20 mm across)."""

MARGIN = 3.0
"""Least soft tissue over a structure where the blend grows the skin out over it, mm."""

FILLET = 6.0
"""Width of the smooth minimum that joins the fitted skin and a bulge over a structure, mm."""

BAND = 12.0
"""How far from the fitted skin its distance is computed exactly, mm (beyond: clamped)."""


def _samples(verts: np.ndarray, faces: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points spread over a surface about ``spacing`` apart (the vertices among them) and the face
    each lies on (-1 for a vertex)."""
    mesh = trimesh.Trimesh(verts, faces, process=False)
    pts, tri = trimesh.sample.sample_surface(mesh, int(2 * mesh.area / spacing ** 2), seed=0)
    return np.vstack([verts, pts]), np.concatenate([np.full(len(verts), -1), tri])


def _raster(pts: np.ndarray, lo: np.ndarray, shape: tuple) -> np.ndarray:
    idx = np.round((pts - lo) / PITCH).astype(int)
    idx = np.clip(idx, 0, np.array(shape) - 1)
    out = np.zeros(shape, bool)
    out[idx[:, 0], idx[:, 1], idx[:, 2]] = True
    return out


def blend_field(verts: np.ndarray, faces: np.ndarray, structures: list[tuple[np.ndarray, np.ndarray]],
                margin: float = MARGIN, fillet: float = FILLET, log=lambda *_: None):
    """The signed distance field (mm, negative inside) of the fitted skin joined, by a smooth
    minimum, with the structures' own field grown by ``margin``: equal to the fitted skin's
    wherever every structure lies deeper than ``margin + fillet`` under it, and bulging just
    enough where one comes closer or pokes through.

    Inside/outside of the fitted skin comes from its surface rasterised and filled (so a lowered
    arm touching or crossing the chest counts as inside, the union of both), the distance from
    dense surface samples; the structures' field likewise from their union. The grid is symmetric
    about X = 0. Returns (field (nx, ny, nz), lower corner)."""
    from scipy import ndimage

    allv = np.vstack([verts] + [v for v, _ in structures])
    pad = BAND + 3 * PITCH
    lo = np.floor((allv.min(axis=0) - pad) / PITCH) * PITCH
    hi = np.ceil((allv.max(axis=0) + pad) / PITCH) * PITCH
    half = (np.ceil(max(-lo[0], hi[0]) / PITCH) + 0.5) * PITCH
    lo[0], hi[0] = -half, half
    shape = tuple(int(round((hi[i] - lo[i]) / PITCH)) + 1 for i in range(3))

    # the fitted skin: shell, filled inside, a band round it
    skin_pts, _ = _samples(verts, faces, 1.2)
    log(f"skin samples {len(skin_pts)}")
    shell = _raster(skin_pts, lo, shape)
    inside = ndimage.binary_fill_holes(ndimage.binary_dilation(shell))
    exterior = ~inside
    band = ndimage.binary_dilation(shell, iterations=int(np.ceil(BAND / PITCH)))
    # the structures: shell, filled, and where they come near or outside the skin
    st_pts = np.vstack([_samples(v, f, 2.0)[0] for v, f in structures])
    log(f"structure samples {len(st_pts)}")
    st_shell = _raster(st_pts, lo, shape)
    st_inside = ndimage.binary_fill_holes(st_shell)
    reach = int(np.ceil((margin + fillet + 2 * PITCH) / PITCH))
    near_st = ndimage.binary_dilation(st_inside, iterations=reach)
    region = (band | exterior) & near_st | band

    idx = np.argwhere(region)
    log(f"grid {shape}, region {len(idx)}")
    centres = lo + idx * PITCH
    from scipy.spatial import cKDTree

    d_skin, near = cKDTree(skin_pts).query(centres, workers=-1, distance_upper_bound=BAND + 3 * PITCH)
    far = ~np.isfinite(d_skin)
    d_skin[far], near[far] = BAND + 3 * PITCH, 0
    log("skin distance")
    # sign: inside the filled raster; in the skin's own shell voxels (where the raster cannot
    # tell) by the side of the nearest sample's surface, taken as outside only next to the outside
    mesh = trimesh.Trimesh(verts, faces, process=False)
    vn = np.asarray(mesh.vertex_normals)
    normal_at = vn[cKDTree(verts).query(skin_pts[near])[1]]
    ahead = np.einsum("ij,ij->i", centres - skin_pts[near], normal_at) > 0
    ins = inside[tuple(idx.T)]
    on_shell = ndimage.binary_dilation(shell)[tuple(idx.T)]
    by_outside = ndimage.binary_dilation(exterior, iterations=2)[tuple(idx.T)]
    ins = np.where(on_shell & by_outside, ~ahead, ins)
    phi_skin = np.where(ins, -d_skin, d_skin)

    log("sign")
    st_idx = np.flatnonzero(near_st[tuple(idx.T)])
    cap = margin + fillet + 3 * PITCH
    d_st, _ = cKDTree(st_pts).query(centres[st_idx], workers=-1, distance_upper_bound=cap)
    d_st[~np.isfinite(d_st)] = cap
    st_in = st_inside[tuple(idx[st_idx].T)]
    phi_st = np.full(len(idx), np.inf)
    phi_st[st_idx] = np.where(st_in, -d_st, d_st) - margin

    # polynomial smooth minimum (Quilez), width ``fillet``
    h = np.clip(0.5 + 0.5 * (phi_st - phi_skin) / fillet, 0.0, 1.0)
    h = np.where(np.isfinite(phi_st), h, 1.0)
    a = np.where(np.isfinite(phi_st), phi_st, 0.0)
    phi = a * (1 - h) + phi_skin * h - fillet * h * (1 - h)
    field = np.where(inside, -BAND, BAND).astype(np.float32)
    field[tuple(idx.T)] = np.clip(phi, -BAND, None)
    # far outside the skin, inside a structure poking through: inside
    # a structure whose inside the raster could not fill leaves a hollow bulge: fill every
    # cavity of the body, so that only the outer surface is contoured
    solid = field < 0
    field[ndimage.binary_fill_holes(solid) & ~solid] = -PITCH
    return field, lo


def blended(verts: np.ndarray, faces: np.ndarray, structures: list[tuple[np.ndarray, np.ndarray]],
            target_faces: int = 80_000, log=lambda *_: None) -> trimesh.Trimesh:
    """The fitted skin joined with the structures' bulges (:func:`blend_field`), contoured, its
    largest piece smoothed (Taubin, which does not shrink) and reduced (quadric decimation), and
    its left half welded to its mirror image: one closed surface, exactly symmetric about X = 0."""


    field, lo = blend_field(verts, faces, structures, log=log)
    return contour_symmetric(np.minimum(field, field[::-1]), lo, target_faces, log)


def contour_symmetric(field: np.ndarray, lo: np.ndarray, target_faces: int = 80_000,
                      log=lambda *_: None) -> trimesh.Trimesh:
    """The zero level of a field that is its own mirror image about X = 0, as one closed surface
    exactly symmetric about X = 0."""
    import pyvista as pv

    from . import skin_surface

    grid = pv.ImageData(dimensions=field.shape, spacing=(PITCH,) * 3, origin=tuple(lo))
    grid.point_data["sdf"] = field.ravel(order="F")
    surf = grid.contour([0.0], scalars="sdf", method="flying_edges").triangulate().clean()
    surf = surf.connectivity("largest").extract_surface(algorithm="dataset_surface")
    log(f"contour {surf.n_cells}")
    surf = skin_surface._triangles_only(surf.smooth_taubin(n_iter=20, pass_band=0.1))
    # manifold3d's simplification keeps the surface closed and manifold (VTK's decimations pinched
    # it where toes or a hand and thigh nearly touch); VTK's contour faces inwards: turned round
    import manifold3d as mf

    solid = mf.Manifold(mf.Mesh(np.asarray(surf.points, np.float32),
                                surf.faces.reshape(-1, 4)[:, 1:][:, ::-1].astype(np.uint32)))
    tol = 0.3
    while True:
        small = solid.simplify(tol)
        if small.num_tri() <= target_faces or tol > 5.0:
            break
        tol *= 1.25
    # the left half (X >= 0), cut by manifold3d (which caps the cut: the cap is dropped)
    out = small.trim_by_plane((1.0, 0.0, 0.0), 0.0).to_mesh()
    v = np.asarray(out.vert_properties[:, :3], float)
    f = np.asarray(out.tri_verts, np.int64)
    f = f[~(np.abs(v[f, 0]) < 1e-4).all(axis=1)]
    log(f"simplified {len(f)} half (tolerance {tol:.2f} mm)")
    # weld only along the cut: a midline vertex is its own mirror image (a global merge by
    # position would also join the distinct vertices where toes or a hand and thigh nearly touch)
    mid = np.abs(v[:, 0]) < 1e-4
    v[mid, 0] = 0.0
    twin = np.where(mid, np.arange(len(v)), np.arange(len(v)) + len(v))
    both = trimesh.Trimesh(np.vstack([v, v * np.array([-1.0, 1.0, 1.0])]),
                           np.vstack([f, twin[f][:, ::-1]]), process=False)
    both.update_faces(both.nondegenerate_faces())
    both.remove_unreferenced_vertices()
    mesh = max(both.split(only_watertight=False), key=lambda m: len(m.faces))
    trimesh.repair.fix_normals(mesh)
    if mesh.volume < 0:
        mesh.invert()
    log(f"skin {len(mesh.faces)} triangles, closed {mesh.is_watertight}")
    return mesh
