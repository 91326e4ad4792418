"""Multifidus: one group of fascicles per spinous process, C2 to L5, on each side.

Each group ``multifidus_<level>_<side>`` is named by the vertebra whose spinous process and lamina
it arises from; that level's dorsal ramus (medial branch) supplies it. The fascicles run down and
laterally, deep in the groove beside the spinous processes against the laminae, and insert two to
five levels below:

- lumbar groups (Macintosh et al. 1986; Bogduk 2005): a laminar fibre to the mammillary process two
  levels below, and fascicles from the spinous process to the mammillary processes further down,
  the dorsal surface of the sacrum beside the median crest, and (L4, L5) towards the posterior
  superior iliac spine;
- thoracic groups (Gray's Anatomy): to the roots of the transverse processes two to four levels
  below (T11 and T12 reach the lumbar mammillary processes);
- cervical groups (Anderson et al. 2005): to the articular pillars two to four levels below.

Every group is a union of slender fusiform fascicles whose paths are lifted off the dorsal bone
surface (a height map of the vertebrae, sacrum and hip bones), so they lie in the groove rather
than in bone (the thoracic ones on the floor of the groove beside the narrow spinous blades,
not over them); each group is then carved with those bones and with the groups of its side above
it, so groups never share volume. Fascicles of higher levels lie lateral and superficial to those
of lower levels, as in the lumbar multifidus.

Axes: +X subject's left, +Y posterior, +Z up; millimetres.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np
import trimesh
from scipy import ndimage

from . import muscle_shapes, registry, shapes
from .parts import Landmark, Part, mirror_point, mirror_to_right
from .shapes import Manifold

LEVELS = registry.MULTIFIDUS_LEVELS
"""C2 .. L5."""

SACRAL = ("S1", "S2", "S3", "S4")
ORDER = LEVELS + SACRAL
"""Levels in cranio-caudal order used to count how far a fascicle spans (sacrum after L5)."""

MAX_LATERAL = 33.0
"""No insertion lies further than this from the midline, mm (the groove between the spinous
processes and the articular/mammillary line; the PSIS itself lies ~50 mm out)."""

CELL = 1.5
"""Cell of the dorsal height map, mm."""

BLADE_LEVELS = tuple(lv for lv in LEVELS if lv.startswith("T"))
"""Levels whose fascicles run in the groove beside the spinous blades, not over them. The
thoracic blades are narrow (half-width 2-4 mm) and slope down over the laminae below, so a floor
taken over them lifted the fascicles to the height of the spinous tips and beyond (their backs
lay 4-8 mm behind the T5-T10 tips), while the thoracic multifidus is a thin layer deep in the
groove, covered there by the semispinalis and spinalis: its cross-section is still only about
1.8 cm^2 at L1 and grows caudally to 5.7 cm^2 at L5 ("Morphometry of lumbar muscles in the seated
posture with weight-bearing MR scans"), and it is smaller above. On the groove floor its back
lies 2-7 mm in front of the T5-T10 tips and its section at each lamina is 0.7-1.5 cm^2."""


def insertion_plan(level: str) -> list[str]:
    """Target levels of a group's fascicles, the first being the laminar fibre.

    ``"psis"`` stands for the fascicle towards the posterior superior iliac spine.
    """
    i = ORDER.index(level)
    if level in ("L4", "L5"):
        return ["S1", "S2", "S3", "psis"]
    if level.startswith("L"):
        return [ORDER[i + k] for k in (2, 3, 4, 5)]
    return [ORDER[i + k] for k in (2, 3, 4)]


def _region(level: str) -> str:
    return {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}[level[0]]


# Belly radius (mm) of a fascicle by the region of its origin: the lumbar multifidus is the
# bulkiest (cross-section ~ 5-9 cm^2 per side at L4-L5), the thoracic the thinnest.
BELLY_RADIUS = {"cervical": 3.0, "thoracic": 2.8, "lumbar": 4.2}
TENDON_RADIUS = 1.6
LAYER_STEP = {"cervical": 2.5, "thoracic": 1.2, "lumbar": 2.5}
"""How much more superficial (mm) a fascicle lies for each further level it spans: the long
fascicles cover the short ones (Macintosh et al. 1986)."""


@dataclass
class _Dorsal:
    """Column maxima of the dorsal bone surface on an (x, z) grid, per bone and for all bones."""

    x0: float
    z0: float
    all_bones: np.ndarray
    per_bone: dict[str, np.ndarray]
    groove: np.ndarray
    """Like ``all_bones`` but without the spinous blades of :data:`BLADE_LEVELS`: the floor of
    the groove beside them."""

    def _index(self, x: float, z: float) -> tuple[int, int]:
        i = int(round((x - self.x0) / CELL))
        j = int(round((z - self.z0) / CELL))
        i = min(max(i, 0), self.all_bones.shape[0] - 1)
        j = min(max(j, 0), self.all_bones.shape[1] - 1)
        return i, j

    def height(self, x: float, z: float, grid: np.ndarray | None = None) -> float:
        g = self.all_bones if grid is None else grid
        return float(g[self._index(x, z)])

    def on_bone(self, bone: str, x: float, z: float, search: float = 6.0) -> np.ndarray:
        """The dorsal surface point of ``bone`` at (x, z), or its nearest column within ``search``."""
        g = self.per_bone[bone]
        i, j = self._index(x, z)
        r = int(np.ceil(search / CELL))
        best = None
        for di in range(-r, r + 1):
            for dj in range(-r, r + 1):
                ii, jj = i + di, j + dj
                if 0 <= ii < g.shape[0] and 0 <= jj < g.shape[1] and np.isfinite(g[ii, jj]):
                    d = di * di + dj * dj
                    if best is None or d < best[0]:
                        best = (d, ii, jj)
        if best is None:
            raise ValueError(f"multifidus: no dorsal surface of {bone} near x={x:.0f}, z={z:.0f}")
        _, ii, jj = best
        return np.array([self.x0 + ii * CELL, g[ii, jj], self.z0 + jj * CELL])


def _dorsal_top(dorsal: _Dorsal, bone: str, x: float, z: float, window: float = 4.0) -> np.ndarray:
    """The most dorsal point of ``bone`` in the column at ``x`` within ``window`` mm of ``z`` (the
    back of an articular pillar or transverse root, rather than a gap between processes)."""
    g = dorsal.per_bone[bone]
    i, j = dorsal._index(x, z)
    r = int(np.ceil(window / CELL))
    cols = g[i: i + 1, max(j - r, 0): j + r + 1]
    if not np.isfinite(cols).any():
        return dorsal.on_bone(bone, x, z)
    a, b = np.unravel_index(np.nanargmax(cols), cols.shape)
    ii, jj = i + a, max(j - r, 0) + b
    return np.array([dorsal.x0 + ii * CELL, g[ii, jj], dorsal.z0 + jj * CELL])


def _blade_mask(points: np.ndarray, mesh: trimesh.Trimesh, base: np.ndarray) -> np.ndarray:
    """Which of ``points`` (on ``mesh``) belong to its spinous blade: behind the dorsal lamina at
    the midline (``base``) and within the blade's half-width, measured on the mesh itself."""
    v = mesh.vertices
    half = float(np.abs(v[v[:, 1] > base[1] + 2.0, 0]).max(initial=0.0))
    return (np.abs(points[:, 0]) <= half + 0.5) & (points[:, 1] > base[1] - 1.0)


def _dorsal_map(bones: dict[str, trimesh.Trimesh],
                blades: dict[str, np.ndarray] | None = None) -> _Dorsal:
    """Height map (max Y) of the left half of the dorsal bone surface on an (x, z) grid.

    ``blades`` maps a vertebra to its spinous base (``_spinous_base``): the groove floor leaves
    out that vertebra's spinous blade."""
    # About two samples per square millimetre, so that every 1.5 mm column of the dorsal
    # surface holds samples of that surface (not only of the bone's underside).
    samples = {name: np.vstack([m.vertices, trimesh.sample.sample_surface(
                   m, int(min(2.0 * m.area, 300_000)), seed=1)[0]])
               for name, m in bones.items()}
    pts = np.vstack(list(samples.values()))
    x0, z0 = -6.0, float(pts[:, 2].min()) - 10
    nx = int((70.0 - x0) / CELL) + 1
    nz = int((pts[:, 2].max() + 10 - z0) / CELL) + 1

    def grid_of(p: np.ndarray) -> np.ndarray:
        g = np.full((nx, nz), -np.inf)
        i = np.round((p[:, 0] - x0) / CELL).astype(int)
        j = np.round((p[:, 2] - z0) / CELL).astype(int)
        ok = (i >= 0) & (i < nx) & (j >= 0) & (j < nz)
        np.maximum.at(g, (i[ok], j[ok]), p[ok, 1])
        return g

    per_bone = {}
    for name, p in samples.items():
        # A 3x3 maximum closes the odd column that caught no dorsal sample.
        g = ndimage.maximum_filter(grid_of(p), size=3, mode="nearest")
        g[~np.isfinite(g)] = np.nan
        per_bone[name] = g
    allg = ndimage.maximum_filter(grid_of(pts), size=3, mode="nearest")
    blades = blades or {}
    floor = np.vstack([p[~_blade_mask(p, bones[name], blades[name])] if name in blades else p
                       for name, p in samples.items()])
    groove = ndimage.maximum_filter(grid_of(floor), size=3, mode="nearest")
    return _Dorsal(x0, z0, allg, per_bone, groove)


def _vertebra_band_point(mesh: trimesh.Trimesh, q: np.ndarray, sign: float) -> np.ndarray:
    """The most lateral vertex on ``sign``'s side within 3 mm of ``q`` in (y, z): the side of a
    spinous process at that height."""
    v = mesh.vertices
    near = v[(np.abs(v[:, 1] - q[1]) < 3.0) & (np.abs(v[:, 2] - q[2]) < 3.0) & (sign * v[:, 0] >= 0)]
    if len(near) == 0:
        near = v[np.argsort(np.linalg.norm(v - q, axis=1))[:5]]
    return near[np.argmax(sign * near[:, 0])]


class _Anatomy:
    """The bone geometry multifidus needs, read from the context (left side)."""

    def __init__(self, ctx):
        needed = list(LEVELS) + ["sacrum", "hip_bone_left"]
        missing = [b for b in needed if not _has(ctx, b)]
        if missing:
            raise KeyError(f"multifidus needs the bones {missing}: build spine and girdles first")
        self.ctx = ctx
        self.meshes = {b: ctx.part(b).mesh for b in needed}
        self.solids = {b: _solid(m) for b, m in self.meshes.items()}
        self.lm = ctx.landmarks
        self.dorsal = _dorsal_map(self.meshes, {lv: self._spinous_base(lv) for lv in BLADE_LEVELS})

    def p(self, name: str) -> np.ndarray:
        return self.lm[name].position

    def spinous_origin(self, level: str) -> tuple[np.ndarray, str]:
        """Origin of the spinous fascicles: the left side of the spinous process, 60% of the way
        from its base (dorsal lamina at the midline) to its tip."""
        tip = self.p(f"{level}_spinous_tip")
        base = self._spinous_base(level)
        q = base + 0.6 * (tip - base)
        pt = _vertebra_band_point(self.meshes[level], q, 1.0)
        return pt, f"side of the {level} spinous process, 0.6 of the way from its base to {level}_spinous_tip"

    def _spinous_base(self, level: str) -> np.ndarray:
        # The lamina landmark of the spine module lies on the dorsal lamina at the midline, i.e.
        # the base of the spinous process.
        base = self.p(f"{level}_lamina_left").copy()
        base[0] = 0.0
        return base

    def laminar_origin(self, level: str) -> np.ndarray:
        """Origin of the laminar fibre: the vertebra's vertex nearest to the dorsal lamina beside
        the spinous base, at its caudal half."""
        base = self._spinous_base(level)
        x = {"cervical": 6.0, "thoracic": 7.0, "lumbar": 9.0}[_region(level)]
        target = base + np.array([x, 0.0, -4.0])
        v = self.meshes[level].vertices
        v = v[(v[:, 1] > base[1] - 6.0) & (v[:, 0] > 0)]
        return v[np.argmin(np.linalg.norm(v - target, axis=1))]

    def insertion(self, target: str, origin_level: str) -> tuple[np.ndarray, str]:
        """Insertion point of a fascicle from ``origin_level`` on ``target`` (left side)."""
        region = _region(target) if target != "psis" else "sacral"
        # Fascicles from higher levels insert more laterally (Macintosh et al. 1986).
        span = ORDER.index(target) - ORDER.index(origin_level) if target != "psis" else 5
        if target == "psis":
            psis = self.p("psis_left")
            x = min(MAX_LATERAL - 2.0, abs(psis[0]))
            # L5's fascicle lands below L4's.
            drop = 4.0 + 14.0 * (LEVELS.index(origin_level) - LEVELS.index("L4"))
            pt = self.dorsal.on_bone("sacrum", x, psis[2] - drop)
            return pt, ("psis_left: dorsal sacrum just medial to the posterior superior iliac spine, "
                        f"{abs(psis[0]) - x:.0f} mm medial to it at its height")
        if region == "sacral":
            # Beside the median crest for L5, out towards the foramina for the higher levels, so
            # the five groups that reach the sacrum lie side by side.
            foramen = self.p(f"sacral_foramen_{target}_left")
            rank = LEVELS.index("L5") - LEVELS.index(origin_level)
            x = min(7.0 + 4.5 * rank, MAX_LATERAL - 2.0)
            pt = self.dorsal.on_bone("sacrum", x, foramen[2])
            return pt, (f"sacral_foramen_{target}_left: dorsal sacrum between the median crest and "
                        f"the foramen, {x:.0f} mm from the midline")
        if region == "lumbar":
            # Fascicles spanning more levels take the lateral, lower side of the mammillary
            # process, so two groups sharing a process do not share volume.
            name = f"{target}_mammillary_left"
            mam = self.p(name)
            pt = self.dorsal.on_bone(target, mam[0] + 2.5 * (span - 2), mam[2] - 3.0 * (span - 2))
            return pt, f"{name}: dorsal surface of the mammillary process ({span} levels down)"
        tt = self.p(f"{target}_transverse_tip_left")
        # Longer fascicles insert further out and a little lower.
        drop = 2.0 * (span - 2)
        if region == "thoracic":
            frac = 0.45 + 0.1 * (span - 2)
            pt = _dorsal_top(self.dorsal, target, frac * min(tt[0], 32.0), tt[2] - drop)
            return pt, (f"{target}_transverse_tip_left: dorsal root of the transverse process, "
                        f"{frac:.2f} of the way out")
        # Cervical: the articular pillar lies between the lamina and the transverse process.
        frac = 0.38 + 0.09 * (span - 2)
        body = self.p(f"{target}_body_center")
        # (C7 and T1's long transverse processes do not move the pillars out: cap the width.)
        pt = _dorsal_top(self.dorsal, target, frac * min(tt[0], 28.0), body[2] - drop)
        return pt, (f"{target}_transverse_tip_left: dorsal surface of the articular pillar, "
                    f"{frac:.2f} of the way out to the transverse tip")


def _has(ctx, acronym: str) -> bool:
    try:
        ctx.part(acronym)
        return True
    except KeyError:
        return False


def _solid(mesh: trimesh.Trimesh) -> Manifold:
    import manifold3d as mf

    return Manifold(mf.Mesh(vert_properties=np.asarray(mesh.vertices, np.float32),
                            tri_verts=np.asarray(mesh.faces, np.uint32)))


def fascicle_path(anat: _Anatomy, origin: np.ndarray, insertion: np.ndarray, radius: float,
                  layer: float, n: int = 12, groove: bool = False) -> np.ndarray:
    """Path ``(n, 3)`` from origin to insertion, lifted clear of the dorsal bone surface.

    ``layer`` (mm) lifts and moves laterally the middle of the path: fascicles that span more
    levels lie more superficially and laterally. ``groove``: the path lies on the groove floor
    beside the spinous blades (:data:`BLADE_LEVELS`) rather than being lifted over them.
    """
    # Denser near the ends, where the fascicle climbs off its processes.
    t = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n))
    path = origin + t[:, None] * (insertion - origin)
    bump = np.sin(np.pi * t)
    # Leave the spinous process quickly (sideways), then run down the groove.
    lateral = (insertion[0] - origin[0]) * (np.sqrt(t) - t) + layer * 0.6 * bump
    path[:, 0] = np.minimum(path[:, 0] + lateral, MAX_LATERAL - radius)
    lifted = anat.dorsal_lifted(radius, groove)
    for k in range(1, n - 1):
        floor = anat.dorsal.height(path[k, 0], path[k, 2], lifted) + radius + 0.8 + layer * bump[k]
        path[k, 1] = max(path[k, 1], floor)
    return path


def _dorsal_lifted(self: _Anatomy, radius: float, groove: bool = False) -> np.ndarray:
    """The dorsal height map (or, with ``groove``, the groove floor) grown by ``radius``
    sideways (max filter), cached by radius."""
    cache = self.__dict__.setdefault("_lift_cache", {})
    key = (round(radius, 2), groove)
    if key not in cache:
        size = 2 * int(np.ceil((radius + 1.0) / CELL)) + 1
        heights = self.dorsal.groove if groove else self.dorsal.all_bones
        g = np.where(np.isfinite(heights), heights, -1e4)
        cache[key] = ndimage.maximum_filter(g, size=size, mode="nearest")
    return cache[key]


_Anatomy.dorsal_lifted = _dorsal_lifted


def level_color(level: str) -> str:
    """Slightly varied reds so that adjacent levels stand apart (alternating lightness)."""
    i = LEVELS.index(level)
    hue = (0.99 + 0.035 * ((i * 7) % 5) / 4.0) % 1.0
    light = 0.40 + (0.10 if i % 2 else 0.0) + 0.02 * ((i // 2) % 3)
    r, g, b = colorsys.hls_to_rgb(hue, light, 0.55)
    return "#{:02x}{:02x}{:02x}".format(int(r * 255), int(g * 255), int(b * 255))


PSIS_SLIP = 0.7
"""Radius of the fascicle towards the PSIS as a fraction of the group's belly radius."""

CORE_RADIUS = 1.0
"""Radius (mm) of the strand of each fascicle that survives where a group above crosses it."""


def _group_left(anat: _Anatomy, level: str) -> tuple[Manifold, Manifold, dict[str, Landmark]]:
    """The left group of ``level`` (uncarved), the thin cores of its fascicles, and its
    landmarks."""
    region = _region(level)
    belly_r = BELLY_RADIUS[region]
    spin_origin, spin_method = anat.spinous_origin(level)
    lam_origin = anat.laminar_origin(level)
    acr = f"multifidus_{level}_left"
    landmarks = {f"{acr}_origin": Landmark(spin_origin, spin_method)}
    fascicles, cores = [], []
    for k, target in enumerate(insertion_plan(level), start=1):
        ins, method = anat.insertion(target, level)
        landmarks[f"{acr}_insertion_{k}"] = Landmark(ins, method)
        start = lam_origin if k == 1 else spin_origin
        # The PSIS lies at about the S2 level.
        span = ORDER.index(target if target != "psis" else "S2") - ORDER.index(level)
        # The fascicle towards the PSIS crosses the sacral fascicles of the groups above on its
        # way out: kept slender, it shares little room with them where it crosses.
        r = belly_r * (0.8 if k == 1 else PSIS_SLIP if target == "psis" else 1.0)
        path = fascicle_path(anat, start, ins, r, layer=LAYER_STEP[region] * (span - 2),
                             groove=level in BLADE_LEVELS)
        arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
        profile = TENDON_RADIUS + (r - TENDON_RADIUS) * np.clip(np.sin(np.pi * arc / arc[-1]), 0.0, 1.0) ** 0.7
        fascicles.append(muscle_shapes.belly(path, profile, segments=10))
        cores.append(shapes.tube(path, CORE_RADIUS, 8))
    # The fascicles share one tendinous origin along the lamina and the side of the spinous
    # process, which keeps the group in one piece.
    fascicles.append(shapes.capsule(lam_origin, spin_origin, 0.6 * belly_r, 10))
    return shapes.union(fascicles), shapes.union(cores), landmarks


def _overlaps(a: Manifold, b: Manifold) -> bool:
    ax0, ay0, az0, ax1, ay1, az1 = a.bounding_box()
    bx0, by0, bz0, bx1, by1, bz1 = b.bounding_box()
    return ax0 <= bx1 and bx0 <= ax1 and ay0 <= by1 and by0 <= ay1 and az0 <= bz1 and bz0 <= az1


def _largest(solid: Manifold) -> Manifold:
    pieces = solid.decompose()
    return max(pieces, key=lambda m: m.volume()) if len(pieces) > 1 else solid


def _reaches(solid: Manifold, points: np.ndarray, tol: float = 4.0) -> bool:
    mesh = shapes.to_trimesh(solid)
    _, dist, _ = trimesh.proximity.closest_point(mesh, points)
    return bool(dist.max() <= tol)


def _carve(solid: Manifold, above: list[Manifold], bones: list[Manifold],
           keep: np.ndarray, cores: Manifold | None = None) -> Manifold:
    """Carve a group with the groups above it and then with the bones, one solid at a time
    (materialised: a single lazy boolean of many solids blew up in time and memory).

    Each cut keeps the largest piece (a group is one body). Where a group above would cut one of
    this group's fascicles off its insertion ``keep`` (n, 3), the fascicle keeps only its thin
    core (``cores``, if given) through the crossing: the two share that little room, which the
    tests bound. A cut that still severs a fascicle is skipped.
    """
    for obstacle in above:
        if _overlaps(solid, obstacle):
            cut = _largest(Manifold((solid - obstacle).to_mesh()))
            if not _reaches(cut, keep) and cores is not None:
                cut = _largest(Manifold((solid - Manifold((obstacle - cores).to_mesh())).to_mesh()))
            if _reaches(cut, keep):
                solid = cut
    for obstacle in bones:
        if _overlaps(solid, obstacle):
            solid = Manifold((solid - obstacle).to_mesh())
    return _largest(solid)


def _neighbours(level: str, below: int = 6) -> list[str]:
    """Bones a group can touch: its own vertebra and those down to ``below`` levels under it."""
    i = ORDER.index(level)
    out = [lv for lv in ORDER[max(i - 1, 0): i + below + 1] if lv in LEVELS]
    if i + below >= LEVELS.index("L3"):
        out += ["sacrum", "hip_bone_left"]
    return out


def _closed_mesh(solid: Manifold, target: int) -> trimesh.Trimesh:
    """The group as a closed mesh of about ``target`` triangles. Manifold's simplification keeps
    the solid closed, but trimesh's vertex merge can pinch a sliver edge; then a neighbouring
    triangle budget is tried."""
    for goal in (target, target - 100, target - 200, target - 300, target + 100):
        mesh = shapes.decimate(shapes.to_trimesh(solid), goal)
        if mesh.is_watertight and mesh.is_winding_consistent and len(mesh.faces) <= 1500:
            return mesh
    raise ValueError("multifidus: could not mesh a group as a closed surface within 1500 triangles")


def build_parts(ctx) -> list[Part]:
    """Build ``multifidus_<level>_<side>`` for C2..L5 on both sides."""
    anat = _Anatomy(ctx)
    parts: list[Part] = []
    # The groups above are subtracted as built, before their own bone carving: carved groups
    # share faces lying exactly on the bone surface, and subtracting such coincident solids made
    # manifold3d's booleans explode in time and memory.
    raw: dict[str, Manifold] = {}
    final: dict[str, Manifold] = {}
    for level in LEVELS:
        solid, cores, landmarks = _group_left(anat, level)
        solid = Manifold(solid.simplify(0.1).to_mesh())
        i = LEVELS.index(level)
        # Keep this group's own insertions: the groups above give way within a few millimetres
        # of them, so a tendon is never cut off its bone.
        keep = shapes.union([Manifold.sphere(4.0, 12).translate(lm.position.tolist())
                             for name, lm in landmarks.items() if "_insertion_" in name])
        # The lumbar groups converge on the sacrum and cross there: for them each group above is
        # cut out twice, as first shaped and as finally meshed (the mesh reduction moves its
        # surface by up to a few millimetres), and a crossed fascicle keeps its core.
        lumbar = level.startswith("L")
        above = [Manifold((solid_above - keep).to_mesh()) for lv in LEVELS[max(0, i - 5): i]
                 for solid_above in ((raw[lv], final[lv]) if lumbar else (raw[lv],))]
        raw[level] = solid
        ends = np.array([lm.position for name, lm in landmarks.items() if "_insertion_" in name])
        solid = _carve(solid, above, [anat.solids[b] for b in _neighbours(level)], ends,
                       cores if lumbar else None)
        mesh = _closed_mesh(solid, 1400)
        final[level] = _solid(mesh)
        for side in registry.SIDES:
            acr = f"multifidus_{level}_{side}"
            if side == "left":
                m, lms = mesh, landmarks
            else:
                m = mirror_to_right(mesh)
                lms = {name.replace("_left", "_right"): Landmark(mirror_point(lm.position), lm.method.replace("_left", "_right"))
                       for name, lm in landmarks.items()}
            parts.append(Part(
                acronym=acr, name=f"Multifidus, {level} group ({side})", kind="muscle",
                parent="multifidus", mesh=m, level=level, side=side, landmarks=lms,
                color=level_color(level)))
    return parts
