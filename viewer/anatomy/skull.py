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
from .implicit import Field
from .parts import Landmark, Part
from .shapes import Manifold
from .thorax import (
    BONE, JOINT_GAP, carve_clear, extreme_vertex, finish, from_trimesh, mirror_landmarks, ray_hit,
    smooth_path, swept_solid, vertices_of,
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


CRANIUM_STEP = 2.0
MANDIBLE_STEP = 1.4
"""Grid steps of the skull's implicit fields, mm (the thinnest parts, the zygomatic arch and the
ramus, are about 6 mm thick)."""
ORBIT_CENTRE = (33.0, -100.0, 26.0)
"""Centre of the left orbital opening relative to the basion, mm."""
ORBIT_HALF = (20.0, 17.5)
"""Half width and half height of the orbital opening (about 40 x 35 mm), mm."""
PORION = (62.0, -10.0, 14.0)
"""Left external acoustic meatus (porion) relative to the basion, mm."""


def _orbit_ring(hp: HeadPlan, s: int, grow: float = 0.0, n: int = 24) -> np.ndarray:
    """Closed curve of the orbital margin of side ``s`` (+1 left): the lateral margin lies
    further back than the medial one, the supraorbital margin a little in front of the
    infraorbital one."""
    cx, cy, cz = ORBIT_CENTRE
    th = np.linspace(0.0, 2 * np.pi, n + 1)
    x = cx + (ORBIT_HALF[0] + grow) * np.cos(th)
    z = cz + (ORBIT_HALF[1] + grow) * np.sin(th)
    y = cy + 4.0 + 6.0 * np.cos(th) - 1.5 * np.sin(th)
    return np.array([hp.at(s * a, b, c) for a, b, c in zip(x, y, z)])


def _arch_points(hp: HeadPlan, z: float, front_y: float, depth: float, half_width: float,
                 n: int = 15) -> np.ndarray:
    """A parabolic dental/alveolar arch from the right third molar to the left one."""
    t = np.linspace(-1.0, 1.0, n)
    return np.array([hp.at(half_width * np.sign(u) * abs(u) ** 0.8, front_y + depth * u * u, z)
                     for u in t])


def _cranium(hp: HeadPlan) -> tuple[Manifold, dict]:
    """The cranium as one blended implicit solid: vault, cranial base, face and teeth."""
    vz = hp.vertex_z - hp.basion[2]  # vertex height above the basion
    f = Field(hp.at(-80, -128, -42), hp.at(80, 96, vz + 1), CRANIUM_STEP)
    # Vault: a long parietal egg, the frontal dome and the occipital bulge (length about 185 mm,
    # breadth about 145 mm at the parietal eminences).
    f.ellipsoid(hp.at(0, 4, vz - 76), (71.0, 80.0, 76.0))
    f.ellipsoid(hp.at(0, -44, vz - 72), (60.0, 50.0, 70.0), k=24)
    f.ellipsoid(hp.at(0, 44, 34), (52.0, 36.0, 38.0), k=18)
    f.ellipsoid(hp.at(0, -14, 20), (58.0, 60.0, 20.0), k=18)  # cranial base
    for s in (1, -1):
        f.ellipsoid(hp.at(s * 42, -8, 30), (24.0, 42.0, 26.0), k=14)  # temporal squama
    # Face: supraorbital ridge, glabella, maxillae, zygomatic bones, nasal bones.
    brow = np.array([hp.at(-52, -80, 42), hp.at(-34, -95, 46), hp.at(-14, -99, 44),
                     hp.at(0, -99, 43), hp.at(14, -99, 44), hp.at(34, -95, 46), hp.at(52, -80, 42)])
    f.tube(brow, 4.5, 5.0, k=10, n=24)
    for s in (1, -1):
        f.tube(_orbit_ring(hp, s), 3.2, k=6)  # orbital margins
        f.ellipsoid(hp.at(s * 26, -88, 0), (21.0, 15.0, 21.0), k=10)  # maxillary body
        f.ellipsoid(hp.at(s * 49, -80, 8), (11.0, 10.0, 12.0), k=7)  # zygomatic body
        f.tube(np.array([hp.at(s * 52, -82, 10), hp.at(s * 54, -86, 28), hp.at(s * 52, -84, 42)]),
               4.5, 4.0, k=5, n=8)  # frontal process of the zygoma
        f.tube(np.array([hp.at(s * 55, -72, 8), hp.at(s * 64, -55, 10), hp.at(s * 66, -36, 12),
                         hp.at(s * 63, -18, 13)]), 3.0, 6.0, k=4, n=14)  # zygomatic arch
        f.tube(np.array([hp.at(s * 30, -100, 4), hp.at(s * 12, -104, 42)]), 5.0, k=6)  # frontal process
        # Mastoid process, pointing down and forward, with the supramastoid crest above it.
        f.tube(np.array([hp.at(s * 54, 14, 24), hp.at(s * 52, 10, 8), hp.at(s * 50, 8, -4)]),
               np.array([11.0, 8.5, 4.5]), k=8, n=8)
        f.tube(np.array([hp.at(s * 52, 12, 28), hp.at(s * 36, 52, 34), hp.at(s * 12, 70, 30)]),
               3.0, k=6, n=10)  # superior nuchal line
        f.ellipsoid(hp.at(s * 19, 4, JOINT_GAP + 1.0), (7.0, 11.0, 5.0), k=4)  # occipital condyle
    f.ellipsoid(hp.at(0, -94, 44), (10.0, 8.0, 9.0), k=6)  # glabella
    f.tube(np.array([hp.at(0, -100, 34), hp.at(0, -106, 24), hp.at(0, -113, 16)]),
           np.array([5.0, 6.0, 7.0]), 2.5, up=(0, 1, 0), k=4, n=8)  # nasal bones
    f.tube(_arch_points(hp, -18, -100, 48, 27.0), 9.0, 8.0, k=8)  # maxillary alveolar process
    f.ellipsoid(hp.at(0, -70, -16), (24.0, 32.0, 6.0), k=8)  # hard palate
    f.ellipsoid(hp.at(0, 79, 28), (12.0, 7.0, 7.0), k=5)  # external occipital protuberance
    f.tube(np.array([hp.at(0, -104, -12), hp.at(0, -110, -13)]), 2.0, k=2)  # anterior nasal spine
    # Hollows: orbits (a cone narrowing to the optic canal), nasal aperture, temporal fossae,
    # external acoustic meatus, foramen magnum.
    for s in (1, -1):
        cx, cy, cz = ORBIT_CENTRE
        f.tube(np.array([hp.at(s * cx, cy - 14, cz), hp.at(s * (cx - 2), cy + 14, cz),
                         hp.at(s * 16, cy + 46, cz - 4)]),
               np.array([ORBIT_HALF[0], ORBIT_HALF[0] - 3, 5.0]),
               np.array([ORBIT_HALF[1], ORBIT_HALF[1] - 3, 5.0]), k=3, subtract=True, n=10)
        f.ellipsoid(hp.at(s * 84, -46, 42), (22.0, 30.0, 24.0), k=10, subtract=True)  # temporal fossa
        f.tube(np.array([hp.at(s * 80, *PORION[1:]), hp.at(s * 54, *PORION[1:])]), 4.5, k=2,
               subtract=True)
        f.ellipsoid(hp.at(s * 50, -16, 10), (10.0, 7.0, 5.0), k=3, subtract=True)  # mandibular fossa
    f.ellipsoid(hp.at(0, -108, 6), (11.0, 16.0, 14.0), k=3, subtract=True)  # piriform aperture
    f.ellipsoid(hp.at(0, -108, 18), (5.5, 16.0, 9.0), k=3, subtract=True)
    f.ellipsoid(hp.at(0, -76, 8), (13.0, 30.0, 16.0), k=3, subtract=True)  # nasal cavity
    f.ellipsoid(hp.at(0, 17, 0), (15.0, 18.0, 9.0), k=3, subtract=True)  # foramen magnum
    for tooth in _teeth(hp, upper=True):
        f.ellipsoid(*tooth, k=1.0)
    solid = f.solid()
    return solid, {"vz": vz, "field": f}


def _teeth(hp: HeadPlan, upper: bool) -> list[tuple[np.ndarray, tuple]]:
    """Sixteen crowns on a parabolic arch as (centre, radii); the upper crowns end at the
    occlusal plane plus half a joint gap, the lower ones at the plane minus half a gap."""
    out = []
    z_edge = OCCLUSAL_Z + (JOINT_GAP / 2 if upper else -JOINT_GAP / 2)
    height = 11.0 if upper else 10.0
    sign = 1.0 if upper else -1.0
    for i in range(8):
        t = (i + 0.5) / 8.0
        x = 25.0 * t ** 0.8
        y = -102.0 + 48.0 * t ** 1.6 + (0 if upper else 3.0)
        w = 3.4 if i < 2 else (3.9 if i < 5 else 5.0)
        for s in (1, -1):
            out.append((hp.at(s * x, y, z_edge + sign * height / 2), (w, w * 0.95, height / 2)))
    return out


OCCLUSAL_Z = -32.0
"""Occlusal plane relative to the basion, mm."""
GONION = (47.0, -20.0, -54.0)
"""Left mandibular angle relative to the basion, mm (bigonial breadth about 95 mm)."""


def _inside_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Even-odd test of 2-D ``points (n, 2)`` against a closed ``polygon (m, 2)``."""
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(len(points), bool)
    for (x0, y0), (x1, y1) in zip(polygon, np.roll(polygon, -1, axis=0)):
        cross = (y0 > y) != (y1 > y)
        xi = x0 + (y - y0) * (x1 - x0) / np.where(y1 == y0, 1e-9, y1 - y0)
        inside ^= cross & (x < xi)
    return inside


def _mandible(hp: HeadPlan, cranium: Field) -> tuple[Manifold, dict]:
    """Body, mental protuberance, rami with condyle and coronoid, lower teeth; kept a joint gap
    clear of the cranium's field (the condyles in their fossae, the teeth at occlusion)."""
    f = Field(hp.at(-62, -114, -80), hp.at(62, -4, 16), MANDIBLE_STEP)
    gx, gy, gz = GONION
    body = np.array([hp.at(gx, gy - 6, gz + 6), hp.at(gx - 3, -46, -56), hp.at(36, -76, -57),
                     hp.at(20, -94, -58), hp.at(0, -100, -58), hp.at(-20, -94, -58),
                     hp.at(-36, -76, -57), hp.at(-gx + 3, -46, -56), hp.at(-gx, gy - 6, gz + 6)])
    m = 40
    u = np.abs(np.linspace(-1, 1, m))
    f.tube(body, np.interp(u, [0, 0.5, 1], [6.5, 5.5, 4.5]),
           np.interp(u, [0, 0.5, 0.85, 1], [14.5, 12.5, 11.0, 7.0]), k=4, n=m)
    f.ellipsoid(hp.at(0, -101, -68), (14.0, 6.0, 7.0), k=6)  # mental protuberance
    for s in (1, -1):
        f.ellipsoid(hp.at(s * 11, -98, -70), (5.0, 5.0, 4.0), k=4)  # mental tubercles
        # Ramus: a plate bounded by the posterior border (gonion to condylar neck), the
        # mandibular notch and the anterior border rising into the coronoid process.
        outline = np.array([[gy, gz], [-16, -28], [-15, -4], [-21, -3], [-30, -11], [-40, -4],
                            [-47, 5], [-51, -10], [-54, -32], [-60, -50], [-36, -58], [gy, gz]])
        yy, zz = np.meshgrid(np.arange(-66, -10, 1.0), np.arange(-68, 10, 1.0), indexing="ij")
        pts = np.column_stack([yy.ravel(), zz.ravel()])
        pts = pts[_inside_polygon(pts, outline)]
        xs = gx + 0.06 * (pts[:, 1] - gz)  # the ramus leans outwards towards the condyle
        ramus = np.array([hp.at(s * x, y, z) for x, (y, z) in zip(xs, pts)])
        f.sheet(ramus, 2.6, k=3)
        f.tube(np.array([hp.at(s * gx, gy - 2, gz + 2), hp.at(s * (gx + 1.5), -17, -28),
                         hp.at(s * (gx + 3), -16, -4)]), 3.8, 4.5, k=4, n=10)  # posterior border
        f.tube(np.array([hp.at(s * (gx - 2), -62, -54), hp.at(s * (gx - 1), -55, -34),
                         hp.at(s * gx, -52, -10), hp.at(s * (gx + 1), -48, 5)]),
               np.array([3.2, 3.0, 2.6, 1.8]), np.array([3.5, 3.0, 3.0, 2.0]), k=3, n=10)
        f.tube(np.array([hp.at(s * (gx + 3), -16, -6), hp.at(s * 50, -16, 8)]),
               np.array([4.5, 9.5]), np.array([4.5, 5.0]), up=(0, 1, 0), k=4, n=6)  # condyle
    f.tube(_arch_points(hp, -46, -97, 48, 25.0), 6.5, 6.0, k=6)  # alveolar part
    for tooth in _teeth(hp, upper=False):
        f.ellipsoid(*tooth, k=1.0)
    f.avoid(cranium, JOINT_GAP + 0.5)
    solid = f.solid()
    return solid, {}


def _hyoid(hp: HeadPlan) -> Manifold:
    """Body and greater horns, inside the mandible's arch at about the C3-C4 level."""
    z = HYOID_Z
    path = smooth_path(np.array([hp.at(-22, -40, z - 2), hp.at(-14, -60, z), hp.at(0, -66, z),
                                 hp.at(14, -60, z), hp.at(22, -40, z - 2)]), 20)
    u = np.abs(np.linspace(-1, 1, 20))
    return swept_solid(path, np.interp(u, [0, 0.5, 1], [3.0, 2.5, 1.8]),
                       np.interp(u, [0, 0.5, 1], [5.0, 3.0, 2.0]), segments=12)


HYOID_Z = -76.0
"""Height of the hyoid body relative to the basion, mm (about the C4 body here)."""


def _near(solid_or_points, centre, radius: float) -> np.ndarray:
    """Vertices within ``radius`` mm of ``centre``."""
    v = vertices_of(solid_or_points) if isinstance(solid_or_points, Manifold) \
        else np.asarray(solid_or_points, float)
    return v[np.linalg.norm(v - np.asarray(centre, float), axis=1) < radius]


EYEBROW_SOFT_TISSUE = 6.0
"""Eyebrow skin over the supraorbital margin, mm."""
TEMPLE_SOFT_TISSUE = 13.0
"""Scalp and temporalis over the squama in front of the ear, mm."""


def _head_landmarks(hp: HeadPlan, cranium: Manifold, cp: dict, mandible: Manifold, mp: dict,
                    hyoid: Manifold, c6_z: float) -> tuple[dict, dict, dict]:
    front, back, up = np.array([0, -1.0, 0]), np.array([0, 1.0, 0]), np.array([0, 0, 1.0])
    sk: dict[str, tuple] = {}
    cv = vertices_of(cranium)
    vertex = extreme_vertex(cv[np.abs(cv[:, 0]) < 20], up)
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
    eop = extreme_vertex(_near(cv, hp.at(0, 84, 28), 12.0), back)
    eop[0] = 0.0
    sk["external_occipital_protuberance"] = (eop, "most posterior vertex of the external "
                                             "occipital protuberance (on the midline)")
    sk["posterior_hairline_midline"] = (np.array([0.0, eop[1] - 6.0, eop[2] - 42.0]),
                                        "by rule: nape midline 42 mm below the external occipital "
                                        "protuberance, 6 mm in front of it (skin of the neck)")
    ans = extreme_vertex(_near(cv, hp.at(0, -108, -12), 9.0), front)
    ans[0] = 0.0  # the anterior nasal spine's tip, on the midline
    sk["nose_tip"] = (ans + np.array([0, -30.0, 16.0]), "by rule: 30 mm in front of and 16 mm "
                      "above the anterior nasal spine (nasal projection)")
    sk["subnasale"] = (np.array([0.0, ans[1] - 14.0, ans[2] + 1.0]),
                       "by rule: junction of the columella and the upper lip, 14 mm in front of "
                       "the anterior nasal spine (soft-tissue depth at subnasale)")
    sk["philtrum_midpoint"] = (np.array([0.0, ans[1] - SOFT["upper_lip"], ans[2] - 8.0]),
                               f"by rule: {SOFT['upper_lip']} mm in front of the maxilla, 8 mm "
                               "below the anterior nasal spine")
    alveolar = ray_hit(cranium, hp.at(0, -200, OCCLUSAL_Z + 16), back)
    sk["upper_lip_tubercle"] = (np.array([0.0, alveolar[1] - SOFT["upper_lip"] - 2.0,
                                          ans[2] - 15.0]),
                                "by rule: where the philtrum meets the red lip, 15 mm below the "
                                "anterior nasal spine, on the skin in front of the upper "
                                f"alveolar bone ({SOFT['upper_lip'] + 2:.0f} mm soft tissue)")
    sk["upper_labial_frenulum"] = (np.array([0.0, alveolar[1] - 1.5, alveolar[2] + 2.0]),
                                   "by rule: inside the mouth, where the frenulum of the upper lip "
                                   "meets the gum: 1.5 mm of mucosa in front of the maxillary "
                                   "alveolar bone between the central incisors (ray), 14 mm "
                                   "above the occlusal plane")
    mv = vertices_of(mandible)
    chin_pt = extreme_vertex(_near(mv, hp.at(0, -101, -68), 12.0), front - 0.3 * up)
    sk["chin"] = (chin_pt + front * SOFT["chin"], "most anterior-inferior vertex of the mental "
                  f"protuberance + {SOFT['chin']} mm soft tissue")
    b_point = ray_hit(mandible, hp.at(0, -200, -56), back)
    sk["mentolabial_groove"] = (b_point + front * SOFT["mentolabial"],
                                "front of the mandible above the chin on the midline (ray) + "
                                f"{SOFT['mentolabial']} mm")
    hy = extreme_vertex(hyoid, front)
    sk["hyoid"] = (np.array([0.0, hy[1], hy[2]]), "most anterior vertex of the hyoid body, "
                   "on the midline")
    neck_skin = hy[1] - 16.0
    sk["thyroid_cartilage_prominence"] = (np.array([0.0, neck_skin - 4.0, hy[2] - 22.0]),
                                          "by rule: anterior midline 22 mm below the hyoid body, "
                                          "20 mm in front of it (laryngeal prominence skin)")
    sk["cricoid_cartilage"] = (np.array([0.0, neck_skin + 4.0, c6_z]),
                               "by rule: anterior midline of the neck at the C6 vertebral body's "
                               "centre height (cricoid arch level), 12 mm in front of the hyoid "
                               "body's front (skin over the arch, the profile receding below "
                               "the laryngeal prominence)")
    left: dict[str, tuple] = {}
    oc = hp.at(*ORBIT_CENTRE)
    ring = _orbit_ring(hp, 1)
    left["pupil"] = (np.array([oc[0], oc[1] - 14.0, oc[2] - 2.0]),
                     "by rule: cornea 14 mm in front of the orbital opening's centre")
    left["inner_canthus"] = (np.array([ring[:, 0].min() + 3.0, oc[1] - 4.0, oc[2] - 2.0]),
                             "by rule: 3 mm lateral of the orbit's medial margin, 4 mm in front")
    left["outer_canthus"] = (np.array([ring[:, 0].max() - 5.0, oc[1] + 8.0, oc[2]]),
                             "by rule: 5 mm inside the orbit's lateral margin")
    inf = ray_hit(cranium, [oc[0], oc[1] - 60, oc[2] - ORBIT_HALF[1] - 3.0], back)
    left["infraorbital_margin"] = (inf + front * SOFT["infraorbital"],
                                   "bone of the infraorbital margin below the orbit's centre (ray) "
                                   "+ soft tissue")
    top = oc[2] + ORBIT_HALF[1]
    for name, x, dz, what in (("eyebrow_medial_end", ring[:, 0].min() - 1.0, 0.0,
                               "above the supraorbital (frontal) notch at the orbit's medial end"),
                              ("eyebrow_mid", oc[0], 3.0, "above the pupil"),
                              ("eyebrow_lateral_end", ring[:, 0].max() - 2.0, -3.0,
                               "at the lateral end of the supraorbital margin")):
        bone = ray_hit(cranium, [x, oc[1] - 60, top + dz], back)
        left[name] = (bone + front * EYEBROW_SOFT_TISSUE,
                      f"by rule: eyebrow over the supraorbital margin, {what}: bone of the margin "
                      f"(ray from the front) + {EYEBROW_SOFT_TISSUE:.0f} mm soft tissue")
    left["ala_nasi"] = (np.array([17.0, ans[1] - 16.0, ans[2] + 10.0]),
                        "by rule: 17 mm from the midline, 16 mm in front of the anterior nasal "
                        "spine")
    left["mouth_corner"] = (hp.at(25, -92 - 8, OCCLUSAL_Z + 1), "by rule: occlusal plane "
                            "level, in front of the canines")
    arch = cv[(cv[:, 0] > 40) & (cv[:, 1] > hp.basion[1] - 62) & (cv[:, 1] < hp.basion[1] - 26)
              & (np.abs(cv[:, 2] - hp.basion[2] - 11) < 8)]
    left["zygomatic_arch_mid"] = (extreme_vertex(arch, (1, 0, 0)),
                                  "most lateral vertex of the zygomatic arch")
    temple = ray_hit(cranium, hp.at(120, -62, 38), (-1, 0, 0))
    left["temporal_fossa"] = (temple + np.array([SOFT["temple"], 0, 0]),
                              "deepest bone of the temporal fossa above the arch (ray from the "
                              f"side) + {SOFT['temple']} mm")
    left["mastoid_process"] = (extreme_vertex(_near(cv, hp.at(50, 8, -4), 12.0), -up),
                               "lowest vertex of the mastoid process")
    porion = hp.at(*PORION)
    tragus = porion + np.array([10.0, -10.0, -2.0])
    left["tragus"] = (tragus, "by rule: 10 mm lateral and in front of the external acoustic "
                      "meatus")
    left["intertragic_notch"] = (tragus + np.array([-1.0, 3.0, -10.0]),
                                 "by rule: just below the tragus, 10 mm below and 3 mm behind it "
                                 "(the notch between tragus and antitragus)")
    apex = porion + np.array([16.0, 10.0, 34.0])
    left["ear_apex"] = (apex, "by rule: top of the auricle, 34 mm above the meatus")
    left["ear_lobe"] = (porion + np.array([12.0, 2.0, -28.0]), "by rule: lobule, 28 mm below the "
                        "meatus")
    side_bone = ray_hit(cranium, [150.0, apex[1] - 22.0, apex[2]], (-1, 0, 0))
    left["temple_hairline_ear_apex_level"] = (
        side_bone + np.array([TEMPLE_SOFT_TISSUE, 0.0, 0.0]),
        "by rule: posterior border of the temple (sideburn) hairline at the ear apex's height, "
        "22 mm in front of the ear apex: squama (ray from the side) + "
        f"{TEMPLE_SOFT_TISSUE:.0f} mm scalp and temporalis")
    left["frontal_hairline_corner"] = (_corner(cranium, hp), "by rule: forehead skin 46 mm from "
                                       "the midline, 18 mm below the midline hairline (ST8 "
                                       "region)")
    ramus = mv[(mv[:, 0] > 30) & (mv[:, 1] > hp.basion[1] - 45)]
    gon = ramus[np.argmax(ramus[:, 1] - ramus[:, 2])]
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


SKULL_BUDGET = 12000
MANDIBLE_BUDGET = 4500
HYOID_BUDGET = 500


def _c6_height(ctx) -> float:
    """Height of the C6 body centre: the spine's landmark, else the layout's C6 frame."""
    try:
        return float(ctx.landmark("C6_body_center")[2])
    except KeyError:
        return float(body_plan.spine_layout(ctx.stature).vertebrae["C6"].origin[2])


CRUMB_VOLUME = 20.0
"""A loose piece of a carved bone smaller than this (mm^3) is a crumb of the cut and dropped."""


def _without_crumbs(solid: Manifold) -> Manifold:
    """``solid`` without the loose slivers (under :data:`CRUMB_VOLUME`) a cut left; a closed
    inner surface (a cavity, negative volume) is kept with the shell around it."""
    pieces = solid.decompose()
    kept = [p for p in pieces if abs(p.volume()) >= CRUMB_VOLUME]
    if len(kept) == len(pieces):
        return solid
    return Manifold.compose(kept)


def build_parts(ctx) -> list[Part]:
    """Skull, mandible and hyoid with the head's landmarks."""
    hp = head_plan(ctx.stature)
    cranium, cp = _cranium(hp)
    mandible, mp = _mandible(hp, cp["field"])
    hyoid = _hyoid(hp)
    sk, left, mand_left = _head_landmarks(hp, cranium, cp, mandible, mp, hyoid, _c6_height(ctx))
    lower = ("chin", "mentolabial_groove")
    neck = ("hyoid", "thyroid_cartilage_prominence", "cricoid_cartilage")
    skull_marks = {k: Landmark(np.asarray(p, float), m) for k, (p, m) in sk.items()
                   if k not in lower + neck}
    skull_marks.update(left)
    skull_marks.update(mirror_landmarks(left))
    mand_marks = {k: Landmark(np.asarray(sk[k][0], float), sk[k][1]) for k in lower}
    mand_marks.update(mand_left)
    mand_marks.update(mirror_landmarks(mand_left))
    hy_marks = {k: Landmark(np.asarray(sk[k][0], float), sk[k][1]) for k in neck}
    skull_mesh = finish(cranium, SKULL_BUDGET)
    # the condyles rest a joint gap above the atlas, and clear the axis: both are carved at once
    # (carving twice, with a decimation between, pinches the thin cut rims into loose slivers)
    vertebrae = []
    for level in ("C1", "C2"):
        try:
            vertebrae.append(from_trimesh(ctx.part(level).mesh).simplify(0.3))
        except KeyError:
            continue
    low = from_trimesh(skull_mesh)
    if vertebrae and any((low ^ v).volume() > 0.0 for v in vertebrae):
        carved = _without_crumbs(carve_clear(low, shapes.union(vertebrae), JOINT_GAP))
        skull_mesh = shapes.to_trimesh(_without_crumbs(from_trimesh(finish(carved, SKULL_BUDGET))))
    return [
        Part("skull", "Skull", "bone", "skull_group", skull_mesh, fma_id=46565,
             landmarks=skull_marks, color=BONE),
        Part("mandible", "Mandible", "bone", "skull_group", finish(mandible, MANDIBLE_BUDGET),
             fma_id=52748, landmarks=mand_marks, color=BONE),
        Part("hyoid", "Hyoid bone", "bone", "skull_group", finish(hyoid, HYOID_BUDGET),
             fma_id=52749, landmarks=hy_marks, color=BONE),
    ]
