"""Where a position on the skin is, in words the knowledge files use: part, side, level, face.

A symptom mark is a position ``(x, y, z)`` in mm in the atlas frame (``docs/ARCHITECTURE.md``:
+X the subject's left, +Y posterior, +Z up). Knowledge records (dermatomes, referred-pain zones)
describe skin territories as :class:`Region` s on the parts of the body, so that any body built
by Radix answers "is this mark in that territory?" from its own landmarks:

- the **part** is the part of the skeleton nearest to the mark (skin over the humerus is the arm,
  over the pelvis or the ribs the trunk; past the knuckles a finger, past the metatarsal heads a
  toe);
- **along** is the position on the part's axis between two landmarks, 0 at the proximal end and 1
  at the distal one (arm: shoulder to elbow; forearm: elbow to wrist; hand: wrist to knuckles;
  thigh: hip to knee; leg: knee to ankle; foot: ankle to the metatarsal heads, so the heel is
  below 0); on the head, neck and trunk a region gives heights by landmark instead;
- **around** is the direction the skin faces, in degrees around the part's axis, from the skin's
  own normal: 0 anterior (palmar on the hand, in the anatomical position), 90 lateral (away from
  the midline: radial on the forearm and hand, fibular on the leg), 180 posterior (dorsal on the
  hand), 270 medial. On the foot and toes 0 is dorsal (up), 180 plantar.

Nothing here imports panel or the browser; :func:`skin_map` reads the atlas once and the result
answers :meth:`SkinMap.locate` for many marks in well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from viewer.knowledge import ROOTS, Dermatome, Knowledge, Level, Region

__all__ = [
    "PARTS",
    "Level",
    "Region",
    "Location",
    "SkinMap",
    "skin_map",
    "in_region",
    "dermatomes_at",
    "skin_dermatome_masks",
    "side_of",
]

#: Body parts a region may name.
PARTS: tuple[str, ...] = ("head", "neck", "trunk", "arm", "forearm", "hand", "finger",
                          "thigh", "leg", "foot", "toe")

#: Which part the skin over each bone belongs to (vertebrae by their region, below).
_BONE_PART = MappingProxyType({
    "skull": "head", "mandible": "head", "hyoid": "neck",
    "sternum": "trunk", "clavicle": "trunk", "scapula": "trunk", "hip_bone": "trunk",
    "sacrum": "trunk", "coccyx": "trunk",
    "humerus": "arm", "radius": "forearm", "ulna": "forearm", "hand": "hand",
    "femur": "thigh", "patella": "thigh", "tibia": "leg", "fibula": "leg", "foot": "foot",
})

#: A mark farther than this from the skin is not "on or near the body".
NEAR_SKIN_MM = 40.0

#: How far inside the skin the nearest bone is looked for.
INWARD_MM = 15.0

#: Skin this close to the thumb's axis (metacarpal middle to tip) is the thumb, not the hand.
THUMB_RADIUS_MM = 16.0

#: Marks closer than this to the mid-sagittal plane count for both sides.
MIDLINE_MM = 8.0


def side_of(x: float) -> str:
    """``"left"`` for +X, ``"right"`` for -X, ``"midline"`` within :data:`MIDLINE_MM` of 0."""
    if x > MIDLINE_MM:
        return "left"
    if x < -MIDLINE_MM:
        return "right"
    return "midline"


@dataclass(frozen=True)
class Location:
    """Where marks are: one entry per mark (arrays of length n).

    Attributes
    ----------
    points : (n, 3) float, mm
        The marks as given (levels and distances to landmarks are measured from them).
    skin : (n, 3) float, mm
        Nearest skin vertex of each mark (its normal gives the facing direction).
    distance : (n,) float, mm
        Distance of each mark from the skin.
    part : tuple of str
    side : tuple of str
        ``left``, ``right`` or ``midline`` (from x).
    along : (n,) float
        Position on the part's axis (NaN for head, neck and trunk).
    around : (n,) float, degrees
    digit : (n,) int
        Finger or toe number for fingers and toes, else 0.
    """

    points: np.ndarray
    skin: np.ndarray
    distance: np.ndarray
    part: tuple[str, ...]
    side: tuple[str, ...]
    along: np.ndarray
    around: np.ndarray
    digit: np.ndarray


@dataclass(frozen=True)
class SkinMap:
    """The skin, the skeleton's parts and the landmarks of one body, ready for many queries.

    Build it with :func:`skin_map`; it holds no reference to the atlas.
    """

    landmarks: Mapping[str, np.ndarray]
    skin_vertices: np.ndarray
    skin_normals: np.ndarray
    _skin_tree: cKDTree = field(repr=False)
    _bone_tree: cKDTree = field(repr=False)
    _bone_part: np.ndarray = field(repr=False)
    _axes: Mapping[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(repr=False)
    _digits: Mapping[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(repr=False)
    muscle_names: tuple[str, ...] = ()
    _muscle_tree: cKDTree | None = field(default=None, repr=False)
    _muscle_of: np.ndarray | None = field(default=None, repr=False)
    _levels: dict = field(default_factory=dict, repr=False, compare=False)
    _skin_mesh: trimesh.Trimesh | None = field(default=None, repr=False, compare=False)

    # --- landmarks ------------------------------------------------------------------------------
    def landmark(self, name: str, side: str = "left") -> np.ndarray:
        """A landmark's position; a paired base name takes ``side`` (``midline`` -> left).

        Raises ``KeyError`` naming the landmark when the body lacks it.
        """
        if name in self.landmarks:
            return self.landmarks[name]
        paired = f"{name}_{'right' if side == 'right' else 'left'}"
        if paired in self.landmarks:
            return self.landmarks[paired]
        raise KeyError(f"landmark {name!r} is not on this body (assets/atlas/landmarks.json)")

    def level(self, level: Level, side: str = "left") -> np.ndarray:
        """Position of a :class:`Level` on the given side (computed once per map, level and side:
        the landmarks do not change)."""
        # Keyed by identity (hashing a dataclass costs more than the lookup saves); the entry
        # keeps the level, so a recycled id is never mistaken for it.
        key = ("level", id(level), side == "right")
        found = self._levels.get(key)
        if found is None or found[0] is not level:
            p = self.landmark(level.landmark, side)
            if level.toward is not None:
                f = 0.5 if level.fraction is None else level.fraction
                p = p + f * (self.landmark(level.toward, side) - p)
            found = self._levels[key] = (level, p)
        return found[1]

    def on_skin(self, points: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
        """The nearest point of the skin's surface to each point, (n, 3) mm."""
        pts = np.asarray(points, dtype=float).reshape(-1, 3)
        _, near = self._skin_tree.query(pts, k=8)
        if self._skin_mesh is None:
            return self.skin_vertices[near[:, 0]]
        # The closest surface point lies on a triangle around one of the nearest vertices.
        vertex_faces = self._skin_mesh.vertex_faces
        out = np.empty_like(pts)
        for i, p in enumerate(pts):
            faces = np.unique(vertex_faces[near[i]])
            faces = faces[faces >= 0]
            triangles = self._skin_mesh.triangles[faces]
            candidates = trimesh.triangles.closest_point(triangles, np.repeat(p[None], len(faces), axis=0))
            out[i] = candidates[np.argmin(np.linalg.norm(candidates - p, axis=1))]
        return out

    def surface_level(self, level: Level, side: str = "left") -> np.ndarray:
        """A :class:`Level` moved onto the skin (nearest surface point), e.g. a key sensory point;
        computed once per map, level and side."""
        key = ("surface", id(level), side == "right")
        found = self._levels.get(key)
        if found is None or found[0] is not level:
            found = self._levels[key] = (level, self.on_skin([self.level(level, side)])[0])
        return found[1]

    # --- locating marks ---------------------------------------------------------------------------
    def locate(self, points: Sequence[Sequence[float]] | np.ndarray) -> Location:
        """Part, side, position along and facing direction of each mark.

        Parameters
        ----------
        points : (n, 3) float, mm

        Returns
        -------
        Location
        """
        pts = np.asarray(points, dtype=float).reshape(-1, 3)
        n = len(pts)
        distance, skin_idx = self._skin_tree.query(pts)
        skin = self.skin_vertices[skin_idx]
        normals = self.skin_normals[skin_idx]
        # The bone is looked for a little inside the skin, along the inward normal: where a hand
        # rests against the thigh, the thigh's skin faces away from the hand.
        _, bone_idx = self._bone_tree.query(skin - INWARD_MM * normals)
        part = self._bone_part[bone_idx].astype(object)
        sides = np.array([side_of(x) for x in pts[:, 0]], dtype=object)
        limb_side = np.where(sides == "right", "right", "left")
        # The skin under the jaw and below the posterior hairline is neck, not head.
        neck_top = np.where(normals[:, 1] > 0, self.landmarks["posterior_hairline_midline"][2],
                            self.landmarks["chin"][2])
        part[(part == "head") & (skin[:, 2] < neck_top)] = "neck"
        part = part.tolist()
        digit = np.zeros(n, dtype=int)
        a = np.zeros((n, 3))
        b = np.tile([0.0, 0.0, 1.0], (n, 1))
        for i in range(n):
            key = (part[i], limb_side[i])
            if key in self._axes:
                a[i], b[i] = self._axes[key]
        # The thumb leaves the hand from its side: skin close to its axis, past its metacarpal's
        # middle, is the thumb.
        for i in [i for i, p in enumerate(part) if p == "hand"]:
            bases, tips = self._digits[("finger", limb_side[i])]
            t = float(_params(skin[i:i + 1], bases[:1], tips[:1])[0])
            if t > 0.0 and _segment_distances(skin[i], bases[:1], tips[:1])[0] <= THUMB_RADIUS_MM:
                part[i], digit[i] = "finger", 1
                a[i], b[i] = bases[0], tips[0]
        # Past the knuckles (metatarsal heads) the hand (foot) becomes a finger (toe).
        for whole, digits in (("hand", "finger"), ("foot", "toe")):
            rows = np.array([i for i, p in enumerate(part) if p == whole], dtype=int)
            if not len(rows):
                continue
            beyond = rows[_params(skin[rows], a[rows], b[rows]) > 1.0]
            for i in beyond:
                bases, tips = self._digits[(digits, limb_side[i])]
                k = int(np.argmin(_segment_distances(skin[i], bases, tips)))
                part[i], digit[i] = digits, k + 1
                a[i], b[i] = bases[k], tips[k]
        along = _params(skin, a, b)
        along[[p in ("head", "neck", "trunk") for p in part]] = np.nan
        around = _arounds(normals, b - a, part, sides)
        return Location(pts, skin, distance, tuple(part), tuple(sides), along, around, digit)

    # --- muscles under the skin ---------------------------------------------------------------------
    def muscles_near(self, point: Sequence[float], radius_mm: float = 45.0) -> tuple[tuple[str, float], ...]:
        """Muscle acronyms (``gluteus_medius_left``) within ``radius_mm`` of a point, nearest
        first, each with its distance in mm. Empty when the map was built without muscles."""
        if self._muscle_tree is None:
            return ()
        p = np.asarray(point, dtype=float)
        idx = self._muscle_tree.query_ball_point(p, radius_mm)
        if not idx:
            return ()
        idx = np.asarray(idx)
        d = np.linalg.norm(self._muscle_tree.data[idx] - p, axis=1)
        best: dict[str, float] = {}
        for j, dist in zip(self._muscle_of[idx], d):
            name = self.muscle_names[j]
            if dist < best.get(name, np.inf):
                best[name] = float(dist)
        return tuple(sorted(best.items(), key=lambda kv: (kv[1], kv[0])))


def _params(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Position of each point on its axis a -> b (0 at a, 1 at b); rows of (n, 3) arrays."""
    ab = b - a
    return np.einsum("ij,ij->i", p - a, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-9)


def _segment_distances(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of one point to each segment a[k] -> b[k]."""
    t = np.clip(_params(np.broadcast_to(p, a.shape), a, b), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[:, None] * (b - a)), axis=1)


def _unit_rows(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def _reject(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    return v - np.einsum("ij,ij->i", v, axis)[:, None] * axis


def _arounds(normals: np.ndarray, axes: np.ndarray, part: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """Facing direction of each skin normal in degrees around its part's axis: 0 anterior (dorsal
    on the foot and toes), 90 lateral, 180 posterior (plantar), 270 medial."""
    n = len(normals)
    axis = _unit_rows(axes)
    on_foot = np.array([p in ("foot", "toe") for p in part], dtype=bool)
    front = np.where(on_foot[:, None], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0])
    lateral = np.zeros((n, 3))
    lateral[:, 0] = np.where(sides == "right", -1.0, 1.0)
    front = _unit_rows(_reject(front, axis))
    lateral = _unit_rows(_reject(_reject(lateral, axis), front))
    flat = _reject(normals, axis)
    angle = np.degrees(np.arctan2(np.einsum("ij,ij->i", flat, lateral), np.einsum("ij,ij->i", flat, front)))
    # On the midline of the head, neck and trunk lateral has no sign: fold both halves onto 0..180.
    fold = np.array([s == "midline" and p in ("head", "neck", "trunk") for s, p in zip(sides, part)], dtype=bool)
    angle[fold] = np.abs(angle[fold])
    return angle % 360.0


def _in_arc(angle: float, arc: tuple[float, float]) -> bool:
    start, end = arc[0] % 360.0, arc[1] % 360.0
    if start <= end:
        return start <= angle <= end
    return angle >= start or angle <= end


def in_region(region: Region, location: Location, index: int, body: SkinMap) -> bool:
    """Whether mark ``index`` of ``location`` lies in ``region`` on ``body``.

    Raises
    ------
    KeyError
        When the region names a landmark the body lacks.
    """
    side = location.side[index]
    if region.near is not None:
        skin = location.points[index]
        limit = (region.radius_mm or 0.0) ** 2
        for s in (("left", "right") if side == "midline" else (side,)):
            d = skin - body.level(region.near, s)
            if float(d @ d) <= limit:
                return True
        return False
    if location.part[index] != region.part:
        return False
    if region.digits and int(location.digit[index]) not in region.digits:
        return False
    if region.along is not None:
        t = float(location.along[index])
        if not (region.along[0] <= t <= region.along[1]):
            return False
    if region.around is not None and not _in_arc(float(location.around[index]), region.around):
        return False
    if region.below is not None or region.above is not None:
        z = float(location.points[index, 2])
        # Heights are taken on the skin: a landmark on bone lies deeper, and higher or lower.
        if region.below is not None and z > body.surface_level(region.below, side)[2]:
            return False
        if region.above is not None and z < body.surface_level(region.above, side)[2]:
            return False
    return True


def dermatomes_at(knowledge: Knowledge, body: SkinMap, location: Location, index: int) -> tuple[Dermatome, ...]:
    """The dermatomes holding mark ``index`` of ``location``, cranial to caudal.

    Raises
    ------
    KeyError
        When a region names a landmark the body lacks (naming the landmark).

    Examples
    --------
    >>> loc = body.locate([body.surface_level(Level("finger_tip_1"), "left")])   # doctest: +SKIP
    >>> [d.root for d in dermatomes_at(k, body, loc, 0)]                           # doctest: +SKIP
    ['C6']
    """
    hits: set[str] = set()
    for group in (location.part[index], "near"):
        for dermatome, region in knowledge.dermatome_regions(group):
            if dermatome.root not in hits and in_region(region, location, index, body):
                hits.add(dermatome.root)
    return tuple(d for d in knowledge.dermatomes if d.root in hits)


def skin_dermatome_masks(knowledge: Knowledge, body: SkinMap) -> np.ndarray:
    """Which dermatomes hold each skin vertex, as one bit mask per vertex (bit ``i`` for
    ``ROOTS[i]``), in the order of the skin mesh's vertices.

    About four seconds for 40 000 vertices: compute it once per body and keep it (the app caches
    it beside the mesh pack, :mod:`viewer.app.dermatome_cache`).

    Examples
    --------
    >>> masks = skin_dermatome_masks(k, body)                                   # doctest: +SKIP
    >>> bool(masks[i] & (1 << ROOTS.index("L5")))                               # doctest: +SKIP
    True
    """
    bit = {root: np.uint32(1 << i) for i, root in enumerate(ROOTS)}
    location = body.locate(body.skin_vertices)
    masks = np.zeros(len(body.skin_vertices), dtype=np.uint32)
    for i in range(len(masks)):
        for dermatome in dermatomes_at(knowledge, body, location, i):
            masks[i] |= bit[dermatome.root]
    return masks


def _limb_axes(lm: Mapping[str, np.ndarray]) -> tuple[dict, dict]:
    axes: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    digits: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def mid(*names: str) -> np.ndarray:
        return np.mean([lm[n] for n in names], axis=0)

    top = (lm["C7_spinous_tip"] + lm["suprasternal_notch"]) / 2
    for s in ("left", "right"):
        def g(name: str, side: str = s) -> np.ndarray:
            return lm[f"{name}_{side}"]
        elbow = (g("lateral_epicondyle") + g("medial_epicondyle")) / 2
        wrist = (g("radial_styloid") + g("ulnar_styloid")) / 2
        knuckles = (g("metacarpal_2_head") + g("metacarpal_5_head")) / 2
        hip = (g("greater_trochanter") + g("femoral_pulse")) / 2
        knee = (g("femur_lateral_epicondyle") + g("femur_medial_epicondyle")) / 2
        ankle = (g("lateral_malleolus") + g("medial_malleolus")) / 2
        forefoot = (g("metatarsal_1_head") + g("metatarsal_5_head")) / 2
        axes[("arm", s)] = (g("humerus_head"), elbow)
        axes[("forearm", s)] = (elbow, wrist)
        axes[("hand", s)] = (wrist, knuckles)
        axes[("thigh", s)] = (hip, knee)
        axes[("leg", s)] = (knee, ankle)
        axes[("foot", s)] = (ankle, forefoot)
        axes[("neck", s)] = (top, mid("mastoid_process_left", "mastoid_process_right"))
        axes[("head", s)] = (mid("tragus_left", "tragus_right"), lm["vertex"])
        axes[("trunk", s)] = (np.array([0.0, 0.0, lm["pubic_symphysis_superior"][2]]), np.array([0.0, 0.0, top[2]]))
        mc2, mc5 = g("metacarpal_2_head"), g("metacarpal_5_head")
        finger_bases = [g("metacarpal_1_mid"), mc2, mc2 + (mc5 - mc2) / 3, mc2 + 2 * (mc5 - mc2) / 3, mc5]
        digits[("finger", s)] = (np.array(finger_bases), np.array([g(f"finger_tip_{k}") for k in range(1, 6)]))
        mt1, mt4, mt5 = g("metatarsal_1_head"), g("metatarsal_4_head"), g("metatarsal_5_head")
        toe_bases = [mt1, mt1 + (mt4 - mt1) / 3, mt1 + 2 * (mt4 - mt1) / 3, mt4, mt5]
        digits[("toe", s)] = (np.array(toe_bases), np.array([g(f"toe_tip_{k}") for k in range(1, 6)]))
    return axes, digits


def _bone_part(acronym: str) -> str | None:
    base = acronym.rsplit("_", 1)[0] if acronym.endswith(("_left", "_right")) else acronym
    if base.startswith(("rib_", "costal_cartilage_")):
        return "trunk"
    if len(base) >= 2 and base[0] in "CTL" and base[1:].isdigit():
        return "neck" if base[0] == "C" else "trunk"
    return _BONE_PART.get(base)


def skin_map(atlas, *, muscles: bool = True, max_vertices_per_mesh: int = 3000) -> SkinMap:
    """Read the skin, the skeleton and (``muscles``) the muscles of an atlas into a :class:`SkinMap`.

    Parameters
    ----------
    atlas : viewer.atlas.Atlas
    muscles : bool
        Also index the muscle meshes, for :meth:`SkinMap.muscles_near`.
    max_vertices_per_mesh : int
        Bones and muscles are indexed by at most this many of their vertices (evenly taken).

    Returns
    -------
    SkinMap

    Raises
    ------
    KeyError
        When the atlas has no skin or lacks a landmark the limb axes need (naming it).

    Examples
    --------
    >>> body = skin_map(load_atlas("assets"))                          # doctest: +SKIP
    >>> body.locate([body.landmark("finger_tip_1", "left")]).part      # doctest: +SKIP
    ('finger',)
    """
    if "skin" not in atlas:
        raise KeyError("the atlas has no skin (structure 'skin'), so marks cannot be placed on it")
    lm = {name: np.asarray(mark.xyz, dtype=float) for name, mark in atlas.landmarks.items()}
    skin = atlas.mesh("skin")
    vertices = np.asarray(skin.vertices, dtype=float)
    normals = np.asarray(skin.vertex_normals, dtype=float)
    bone_points, bone_parts = [], []
    muscle_points, muscle_of, muscle_names = [], [], []
    for s in atlas:
        if s.mesh is None:
            continue
        if s.kind == "bone":
            part = _bone_part(s.acronym)
            if part is None:
                continue
            v = _subsample(atlas.mesh(s.acronym).vertices, max_vertices_per_mesh)
            bone_points.append(v)
            bone_parts.extend([part] * len(v))
        elif muscles and s.kind == "muscle":
            v = _subsample(atlas.mesh(s.acronym).vertices, max_vertices_per_mesh)
            muscle_points.append(v)
            muscle_of.extend([len(muscle_names)] * len(v))
            muscle_names.append(s.acronym)
    try:
        axes, digits = _limb_axes(lm)
    except KeyError as exc:
        raise KeyError(f"landmark {exc.args[0]!r} is missing from the atlas; the limb axes need it") from None
    return SkinMap(
        landmarks=MappingProxyType(lm),
        skin_vertices=vertices,
        skin_normals=normals,
        _skin_tree=cKDTree(vertices),
        _bone_tree=cKDTree(np.concatenate(bone_points)),
        _bone_part=np.array(bone_parts),
        _axes=MappingProxyType(axes),
        _digits=MappingProxyType(digits),
        muscle_names=tuple(muscle_names),
        _muscle_tree=cKDTree(np.concatenate(muscle_points)) if muscle_points else None,
        _muscle_of=np.array(muscle_of) if muscle_points else None,
        _skin_mesh=skin,
    )


def _subsample(vertices, limit: int) -> np.ndarray:
    v = np.asarray(vertices, dtype=float)
    if len(v) <= limit:
        return v
    return v[np.linspace(0, len(v) - 1, limit).astype(int)]
