"""Skull (cranium with face), mandible and hyoid, placed on the atlas.

The skull is positioned from C1: the basion sits a joint gap above the top of the atlas and dens
(C1 frame origin + :data:`BASION_ABOVE_C1`), the occipital condyles rest on the lateral masses a
joint gap above them. Sizes are adult male craniometric means (Martin-Saller measurements, as
summarised in Gray's Anatomy): maximum cranial length about 190 mm, breadth about 145 mm,
basion-nasion about 100 mm, nasion-menton (face height) about 122 mm, bizygomatic breadth about
135 mm, bigonial breadth about 100 mm, orbit opening about 40 x 35 mm. The vertex is held at the
stature less the scalp.

Soft-tissue landmarks of the head (hairlines, eyes, nose, mouth, ears, chin) are placed by rules
from the bones with stated soft-tissue thicknesses (Rhine and Moore tissue-depth tables, rounded).

Axes: +X subject's left, +Y posterior, +Z up; millimetres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import body_plan, shapes
from .parts import Landmark, Part
from .shapes import Manifold
from .thorax import (
    BONE, JOINT_GAP, carve_clear, extreme_vertex, finish, mirror_landmarks, ray_hit, smooth_path, swept_solid,
    vertices_of,
)

BASION_ABOVE_C1 = 12.0
"""Height of the basion above the C1 frame origin (dens axis at ring level), mm: above the dens
tip (about 8-10 mm above the ring centre) with a joint gap."""
SCALP = 6.0
"""Scalp thickness over the vertex and forehead, mm."""
SOFT = {"glabella": 5.5, "nasion": 6.5, "infraorbital": 7.0, "chin": 11.0, "mentolabial": 11.0,
        "occiput": 6.0, "temple": 9.0, "upper_lip": 13.0, "cheek": 10.0}
"""Facial soft-tissue depths, mm (adult male means, rounded)."""


@dataclass(frozen=True)
class HeadPlan:
    """The head's reference points, mm."""

    basion: np.ndarray
    vertex_z: float

    def at(self, dx: float, dy: float, dz: float) -> np.ndarray:
        """A point given relative to the basion (x left, y posterior, z up)."""
        return self.basion + np.array([dx, dy, dz])


def head_plan(stature: float = 1750.0) -> HeadPlan:
    c1 = body_plan.spine_layout(stature).vertebrae["C1"]
    basion = c1.origin + BASION_ABOVE_C1 * c1.axes[2]
    basion = np.array([0.0, basion[1], basion[2]])
    return HeadPlan(basion, stature - SCALP)


def _cranium(hp: HeadPlan) -> tuple[Manifold, dict]:
    vz = hp.vertex_z - hp.basion[2]  # vertex height above the basion
    # Vault: a wide parietal egg and a narrower frontal one, hulled with a flatter cranial base.
    parietal = shapes.ellipsoid(hp.at(0, 6, vz - 80), (71.0, 82.0, 80.0), 48)
    frontal = shapes.ellipsoid(hp.at(0, -50, vz - 78), (57.0, 45.0, 74.0), 40)
    base = shapes.ellipsoid(hp.at(0, -10, 12), (52.0, 62.0, 14.0), 32)
    occ = shapes.ellipsoid(hp.at(0, 36, 22), (50.0, 32.0, 24.0), 28)
    vault = shapes.hull_of([parietal.trim_by_plane([0, 0, 1], float(hp.basion[2] + 28)),
                            frontal.trim_by_plane([0, 0, 1], float(hp.basion[2] + 36)), base, occ])
    # Temporal fossae: hollow the sides above the zygomatic arches, behind the orbits.
    for s in (1, -1):
        vault = vault - shapes.ellipsoid(hp.at(s * 76, -52, 30), (22.0, 34.0, 30.0), 24)
    foramen = shapes.ellipsoid(hp.at(0, 17, 0), (15.0, 18.0, 9.0), 20)
    vault = vault - foramen
    condyles = [shapes.ellipsoid(hp.at(s * 19, 4, JOINT_GAP + 1.0), (7.0, 11.0, 5.0), 14)
                for s in (1, -1)]
    # Face: maxilla and zygomatic bodies below the orbits, nasal bones, brow ridges.
    face = shapes.hull_of([
        shapes.rounded_box(hp.at(0, -88, 34), (96.0, 26.0, 26.0), 9.0),   # orbital level
        shapes.rounded_box(hp.at(0, -92, 0), (64.0, 22.0, 30.0), 10.0),   # maxilla
        shapes.rounded_box(hp.at(0, -90, -22), (54.0, 18.0, 12.0), 6.0),  # alveolar arch
        Manifold.sphere(10.0, 16).translate(hp.at(47, -78, 16).tolist()),
        Manifold.sphere(10.0, 16).translate(hp.at(-47, -78, 16).tolist()),
        Manifold.sphere(9.0, 14).translate(hp.at(0, -60, -18).tolist()),  # palate
    ])
    brow = swept_solid(smooth_path(np.array([hp.at(-46, -80, 48), hp.at(-22, -94, 50),
                                             hp.at(0, -96, 48), hp.at(22, -94, 50),
                                             hp.at(46, -80, 48)]), 20), 6.0, 6.0, segments=10)
    glabella = Manifold.sphere(8.0, 16).translate(hp.at(0, -93, 45).tolist())
    nasal = shapes.hull_of([Manifold.sphere(5.0, 10).translate(hp.at(0, -97, 32).tolist()),
                            Manifold.sphere(4.0, 10).translate(hp.at(0, -112, 10).tolist()),
                            Manifold.sphere(4.5, 10).translate(hp.at(8, -102, 10).tolist()),
                            Manifold.sphere(4.5, 10).translate(hp.at(-8, -102, 10).tolist())])
    face = shapes.union([face, brow, glabella, nasal])
    orbits = {}
    for s in (1, -1):
        c = hp.at(s * 33, -100, 26)
        orbit = shapes.hull_of([shapes.ellipsoid(c, (20.0, 8.0, 17.5), 24),
                                shapes.ellipsoid(c + [-s * 6, 40, -2], (9.0, 6.0, 8.0), 14)])
        orbits[s] = (orbit, c)
    aperture = shapes.hull_of([shapes.ellipsoid(hp.at(0, -104, 2), (11.0, 14.0, 14.0), 18),
                               shapes.ellipsoid(hp.at(0, -104, 18), (5.0, 10.0, 7.0), 12),
                               shapes.ellipsoid(hp.at(0, -60, 6), (10.0, 10.0, 14.0), 12)])
    ans = Manifold.sphere(3.0, 10).translate(hp.at(0, -105, -12).tolist())
    teeth = _dental_arch(hp, upper=True)
    arches, mastoids = {}, {}
    for s in (1, -1):
        path = smooth_path(np.array([hp.at(s * 50, -76, 14), hp.at(s * 66, -55, 13),
                                     hp.at(s * 63, -20, 13)]), 14)
        arches[s] = swept_solid(path, 3.5, 6.5, segments=10)
        mastoids[s] = shapes.hull_of([
            shapes.ellipsoid(hp.at(s * 52, 10, 22), (10.0, 12.0, 8.0), 16),
            Manifold.sphere(4.5, 12).translate(hp.at(s * 50, 8, -4).tolist())])
    eop = shapes.ellipsoid(hp.at(0, 74, 30), (12.0, 6.0, 7.0), 16)
    solid = shapes.union([vault, face, *condyles, *arches.values(), *mastoids.values(), eop])
    solid = solid - shapes.union([aperture, *(o for o, _ in orbits.values())])
    solid = shapes.union([solid, ans, teeth])
    return solid, {"orbits": orbits, "arches": arches, "mastoids": mastoids, "eop": eop,
                   "vault": vault, "ans": ans, "teeth": teeth}


def _dental_arch(hp: HeadPlan, upper: bool) -> Manifold:
    """Sixteen teeth on a parabolic arch; upper crowns end at the occlusal plane + half gap."""
    teeth = []
    z_edge = OCCLUSAL_Z + (JOINT_GAP / 2 if upper else -JOINT_GAP / 2)
    height = 10.0 if upper else 9.0
    sign = 1.0 if upper else -1.0
    for i in range(8):
        t = (i + 0.5) / 8.0
        x = 25.0 * t ** 0.8
        y = -102.0 + 48.0 * t ** 1.6 + (0 if upper else 3.0)
        w = 3.5 if i < 2 else (4.0 if i < 5 else 5.0)
        for s in (1, -1):
            c = hp.at(s * x, y, z_edge + sign * height / 2)
            teeth.append(shapes.rounded_box(c, (2 * w, 2 * w, height), 1.8))
    return shapes.union(teeth)


OCCLUSAL_Z = -32.0
"""Occlusal plane relative to the basion, mm."""


def _mandible(hp: HeadPlan) -> tuple[Manifold, dict]:
    # Body: a U from angle to angle; rami up to the condyles (in the mandibular fossae, in front
    # of the ear canals) and the coronoid processes under the zygomatic arches.
    body_pts = np.array([hp.at(48, -24, -66), hp.at(42, -55, -70), hp.at(28, -88, -74),
                         hp.at(0, -101, -76), hp.at(-28, -88, -74), hp.at(-42, -55, -70),
                         hp.at(-48, -24, -66)])
    body_path = smooth_path(body_pts, 36)
    s = np.linspace(-1, 1, 36)
    body = swept_solid(body_path, 4.5, np.interp(np.abs(s), [0, 0.6, 1], [14.0, 12.0, 10.0]),
                       segments=12)
    # Raise the body's centre line so its top meets the lower teeth.
    body = body.translate([0, 0, 20.0])
    chin = shapes.ellipsoid(hp.at(0, -99, -64), (13.0, 5.0, 8.0), 16)
    parts = [body, chin, _dental_arch(hp, upper=False)]
    angles, rami = {}, {}
    for sgn in (1, -1):
        angle_c = hp.at(sgn * 48, -24, -58)
        condyle = shapes.ellipsoid(hp.at(sgn * 50, -16, 8), (10.0, 5.0, 5.0), 14)
        coronoid = Manifold.sphere(3.5, 10).translate(hp.at(sgn * 46, -48, 6).tolist())
        ramus = shapes.hull_of([Manifold.sphere(4.5, 12).translate(angle_c.tolist()),
                                Manifold.sphere(3.5, 12).translate(hp.at(sgn * 46, -46, -50).tolist()),
                                shapes.ellipsoid(hp.at(sgn * 49, -16, -4), (3.5, 5.0, 6.0), 10),
                                coronoid])
        ramus = ramus - shapes.ellipsoid(hp.at(sgn * 48, -32, 10), (8.0, 9.0, 9.0), 14)
        rami[sgn] = ramus
        angles[sgn] = angle_c
        parts += [ramus, condyle]
    solid = shapes.union(parts)
    return solid, {"chin": chin, "rami": rami}


def _hyoid(hp: HeadPlan) -> Manifold:
    path = smooth_path(np.array([hp.at(-21, -40, -98), hp.at(-14, -62, -96), hp.at(0, -68, -96),
                                 hp.at(14, -62, -96), hp.at(21, -40, -98)]), 20)
    return swept_solid(path, np.interp(np.abs(np.linspace(-1, 1, 20)), [0, 0.5, 1], [3.0, 2.5, 1.8]),
                       np.interp(np.abs(np.linspace(-1, 1, 20)), [0, 0.5, 1], [5.0, 3.0, 2.0]),
                       segments=10)


def _head_landmarks(hp: HeadPlan, cranium: Manifold, cp: dict, mandible: Manifold, mp: dict,
                    hyoid: Manifold) -> tuple[dict, dict, dict]:
    front, back, up = np.array([0, -1.0, 0]), np.array([0, 1.0, 0]), np.array([0, 0, 1.0])
    sk: dict[str, tuple] = {}
    vertex = extreme_vertex(cp["vault"], up)
    sk["vertex"] = (np.array([0.0, vertex[1], vertex[2] + SCALP]),
                    f"highest vertex of the cranial vault + {SCALP:.0f} mm scalp")
    glab = ray_hit(cranium, hp.at(0, -200, 45), back)
    sk["glabella"] = (glab + front * SOFT["glabella"], "front of the bone between the brows on the "
                      f"midline (ray) + {SOFT['glabella']} mm soft tissue")
    nas = ray_hit(cranium, hp.at(0, -200, 31), back)
    sk["nasion"] = (nas + front * SOFT["nasion"], "front of the frontonasal junction on the "
                    f"midline (ray at the orbits' upper third) + {SOFT['nasion']} mm")
    # Hairline: 60 mm up the forehead curve from the glabella (about 3 B-cun).
    fore = _profile(cranium, hp, glab, arc=60.0)
    sk["anterior_hairline_midline"] = (fore + front * SCALP * 0.5 + up * SCALP * 0.5,
                                       "by rule: on the forehead 60 mm of arc above the glabella,"
                                       " + scalp")
    eop = extreme_vertex(cp["eop"], back)
    sk["external_occipital_protuberance"] = (eop, "most posterior vertex of the external "
                                             "occipital protuberance")
    sk["posterior_hairline_midline"] = (np.array([0.0, eop[1] - 6.0, eop[2] - 42.0]),
                                        "by rule: nape midline 42 mm below the external occipital "
                                        "protuberance, 6 mm in front of it (skin of the neck)")
    ans = extreme_vertex(cp["ans"], front)
    sk["nose_tip"] = (ans + np.array([0, -30.0, 16.0]), "by rule: 30 mm in front of and 16 mm "
                      "above the anterior nasal spine (nasal projection)")
    sk["philtrum_midpoint"] = (np.array([0.0, ans[1] - SOFT["upper_lip"], ans[2] - 8.0]),
                               f"by rule: {SOFT['upper_lip']} mm in front of the maxilla, 8 mm "
                               "below the anterior nasal spine")
    chin_pt = extreme_vertex(mp["chin"], front + 0.3 * -up)
    sk["chin"] = (chin_pt + front * SOFT["chin"], "most anterior-inferior vertex of the mental "
                  f"protuberance + {SOFT['chin']} mm soft tissue")
    b_point = ray_hit(mandible, hp.at(0, -200, -58), back)
    sk["mentolabial_groove"] = (b_point + front * SOFT["mentolabial"],
                                "front of the mandible above the chin on the midline (ray) + "
                                f"{SOFT['mentolabial']} mm")
    sk["thyroid_cartilage_prominence"] = (hp.at(0, -82, -124),
                                          "by rule: anterior midline 28 mm below and 14 mm in "
                                          "front of the hyoid body (laryngeal prominence skin)")
    hy = extreme_vertex(hyoid, front)
    sk["hyoid"] = (np.array([0.0, hy[1], hy[2]]), "most anterior vertex of the hyoid body, "
                   "on the midline")
    left: dict[str, tuple] = {}
    orbit, oc = cp["orbits"][1]
    ov = vertices_of(orbit)
    rim = ov[ov[:, 1] < oc[1] + 3]
    left["pupil"] = (np.array([oc[0], oc[1] - 14.0, oc[2] - 2.0]),
                     "by rule: cornea 14 mm in front of the orbital opening's centre")
    left["inner_canthus"] = (np.array([rim[:, 0].min() + 3.0, oc[1] - 4.0, oc[2] - 2.0]),
                             "by rule: 3 mm lateral of the orbit's medial rim, 4 mm in front")
    left["outer_canthus"] = (np.array([rim[:, 0].max() - 5.0, oc[1] + 8.0, oc[2]]),
                             "by rule: 5 mm inside the orbit's lateral rim")
    inf = ray_hit(cranium, [oc[0], oc[1] - 60, oc[2] - 20], back)
    left["infraorbital_margin"] = (inf + front * SOFT["infraorbital"],
                                   "bone below the orbit's centre (ray) + soft tissue")
    left["ala_nasi"] = (np.array([17.0, ans[1] - 16.0, ans[2] + 10.0]),
                        "by rule: 17 mm from the midline, 16 mm in front of the anterior nasal "
                        "spine")
    left["mouth_corner"] = (hp.at(25, -92 - 8, OCCLUSAL_Z + 1), "by rule: occlusal plane "
                            "level, in front of the canines")
    arch = cp["arches"][1]
    zyg = extreme_vertex(arch, (1, 0, 0))
    left["zygomatic_arch_mid"] = (zyg, "most lateral vertex of the zygomatic arch")
    temple = ray_hit(cranium, hp.at(120, -62, 38), (-1, 0, 0))
    left["temporal_fossa"] = (temple + np.array([SOFT["temple"], 0, 0]),
                              "deepest bone of the temporal fossa above the arch (ray from the "
                              f"side) + {SOFT['temple']} mm")
    mast = extreme_vertex(cp["mastoids"][1], -up)
    left["mastoid_process"] = (mast, "lowest vertex of the mastoid process")
    porion = hp.at(62, -10, 14)
    left["tragus"] = (porion + np.array([10.0, -10.0, -2.0]), "by rule: 10 mm lateral and in "
                      "front of the external acoustic meatus")
    left["ear_apex"] = (porion + np.array([16.0, 10.0, 34.0]), "by rule: top of the auricle, 34 mm "
                        "above the meatus")
    left["ear_lobe"] = (porion + np.array([12.0, 2.0, -28.0]), "by rule: lobule, 28 mm below the "
                        "meatus")
    left["frontal_hairline_corner"] = (_corner(cranium, hp), "by rule: forehead skin 46 mm from "
                                       "the midline, 18 mm below the midline hairline (ST8 "
                                       "region)")
    rami = vertices_of(mp["rami"][1])
    gon = rami[np.argmax(rami[:, 1] - rami[:, 2])]
    mand_left = {"mandible_angle": (gon, "vertex of the ramus farthest back and down (gonion)")}
    return (sk, {f"{k}_left": Landmark(np.asarray(p, float), m) for k, (p, m) in left.items()},
            {f"{k}_left": Landmark(np.asarray(p, float), m) for k, (p, m) in mand_left.items()})


def _profile(cranium: Manifold, hp: HeadPlan, start: np.ndarray, arc: float) -> np.ndarray:
    """Walk ``arc`` mm up the midline profile of the forehead from ``start``."""
    p, walked = start, 0.0
    z = start[2]
    while walked < arc:
        z += 2.0
        q = ray_hit(cranium, [0.0, -250.0, z], (0, 1, 0))
        walked += float(np.linalg.norm(q - p))
        p = q
    return p


def _corner(cranium: Manifold, hp: HeadPlan) -> np.ndarray:
    glab = ray_hit(cranium, hp.at(0, -200, 45), (0, 1, 0))
    hair = _profile(cranium, hp, glab, 60.0)
    q = ray_hit(cranium, [46.0, -250.0, hair[2] - 18.0], (0, 1, 0))
    return q + np.array([0, -SCALP, 0])


def build_parts(ctx) -> list[Part]:
    """Skull, mandible and hyoid with the head's landmarks."""
    hp = head_plan(ctx.stature)
    cranium, cp = _cranium(hp)
    mandible, mp = _mandible(hp)
    mandible = carve_clear(mandible, cranium, JOINT_GAP)
    hyoid = _hyoid(hp)
    sk, left, mand_left = _head_landmarks(hp, cranium, cp, mandible, mp, hyoid)
    skull_marks = {k: Landmark(np.asarray(p, float), m) for k, (p, m) in sk.items()
                   if k not in ("chin", "mentolabial_groove", "hyoid", "thyroid_cartilage_prominence")}
    skull_marks.update(left)
    skull_marks.update(mirror_landmarks(left))
    mand_marks = {k: Landmark(np.asarray(sk[k][0], float), sk[k][1])
                  for k in ("chin", "mentolabial_groove")}
    mand_marks.update(mand_left)
    mand_marks.update(mirror_landmarks(mand_left))
    hy_marks = {k: Landmark(np.asarray(sk[k][0], float), sk[k][1])
                for k in ("hyoid", "thyroid_cartilage_prominence")}
    return [
        Part("skull", "Skull", "bone", "skull_group", finish(cranium, 16000), fma_id=46565,
             landmarks=skull_marks, color=BONE),
        Part("mandible", "Mandible", "bone", "skull_group", finish(mandible, 5000), fma_id=52748,
             landmarks=mand_marks, color=BONE),
        Part("hyoid", "Hyoid bone", "bone", "skull_group", finish(hyoid, 600), fma_id=52749,
             landmarks=hy_marks, color=BONE),
    ]
