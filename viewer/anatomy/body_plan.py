"""Where the parts of the procedural body sit: the spine's frames and the body's key positions.

The spine is stacked from the sacrum upwards. The S1 superior end plate is placed at a fixed height
with the published sacral slope; each vertebra sits on the disc below it, rotated in the sagittal
plane by the segment angle of :data:`morphometry.SEGMENT_ROTATION`. Every other part of the body
(ribs, shoulder girdle, pelvis, limbs, skull) is placed relative to these frames or to the stature
proportions, so that one stature and one table define the whole body.

Axes: +X subject's left, +Y posterior, +Z up; millimetres (see ``docs/ARCHITECTURE.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import morphometry as mm

S1_HEIGHT_FRACTION = 0.588
"""Height of the S1 end-plate centre as a fraction of stature (puts the L4-L5 disc at the iliac
crest level, about 0.60 of stature, as in standard surface anatomy)."""

HIP_FROM_S1 = 115.0
"""Distance from the S1 end-plate centre to the hip axis, mm (pelvic radius, adult mean)."""

PELVIC_TILT = 13.0
"""Pelvic tilt, degrees: the hip axis lies anterior-inferior to S1 (Vialle et al. 2005: 13 +/- 6)."""


@dataclass(frozen=True)
class Frame:
    """A local frame: ``origin`` (3,) mm and ``axes`` (3, 3) with rows = local x, y, z in world.

    For a vertebra: origin = centre of the body (C1: the dens axis at the level of the ring),
    x = subject's left, y = posterior in the end-plate plane, z = up along the spine.
    """

    origin: np.ndarray
    axes: np.ndarray

    def to_world(self, local: np.ndarray) -> np.ndarray:
        """Map local coordinates ``(n, 3)`` or ``(3,)`` (mm) to world coordinates."""
        local = np.asarray(local, dtype=float)
        return local @ self.axes + self.origin

    def to_local(self, world: np.ndarray) -> np.ndarray:
        """Map world coordinates ``(n, 3)`` or ``(3,)`` to this frame."""
        world = np.asarray(world, dtype=float)
        return (world - self.origin) @ self.axes.T

    @property
    def matrix(self) -> np.ndarray:
        """The 4x4 homogeneous transform from local to world."""
        m = np.eye(4)
        m[:3, :3] = self.axes.T
        m[:3, 3] = self.origin
        return m


def _rotate_sagittal(axes: np.ndarray, degrees: float) -> np.ndarray:
    """Tilt a frame's z axis towards its y axis (posterior) by ``degrees`` (extension)."""
    a = np.radians(degrees)
    x, y, z = axes
    new_z = np.cos(a) * z + np.sin(a) * y
    new_y = np.cos(a) * y - np.sin(a) * z
    return np.array([x, new_y, new_z])


@dataclass(frozen=True)
class SpineLayout:
    """Frames of the spine.

    Attributes
    ----------
    vertebrae : dict[str, Frame]
        ``"C1"`` .. ``"L5"``: body-centre frames.
    s1 : Frame
        Centre of the S1 superior end plate; z is the end-plate normal.
    inferior_endplates, superior_endplates : dict[str, Frame]
        End-plate centres of each presacral vertebra (C1 has none; C2's superior "end plate" is
        the level of its superior articular facets at the base of the dens).
    """

    vertebrae: dict[str, Frame]
    s1: Frame
    inferior_endplates: dict[str, Frame]
    superior_endplates: dict[str, Frame]


def _below(level: str) -> str:
    """The next level down: ``"L5"`` -> ``"S1"``, ``"C7"`` -> ``"T1"``."""
    order = mm.PRESACRAL + ("S1",)
    return order[order.index(level) + 1]


@lru_cache(maxsize=8)
def spine_layout(stature: float = 1750.0) -> SpineLayout:
    """Stack the spine from the sacrum up and return every vertebra's frame.

    Parameters
    ----------
    stature : float
        Body height, mm. Only the S1 height scales with it; the vertebrae keep their measured
        sizes.
    """
    slope = np.radians(mm.SACRAL_SLOPE)
    # S1 end plate faces antero-superiorly: its normal is tilted anteriorly (-Y) by the slope.
    s1_axes = np.array([
        [1.0, 0.0, 0.0],
        [0.0, np.cos(slope), np.sin(slope)],
        [0.0, -np.sin(slope), np.cos(slope)],
    ])
    s1 = Frame(np.array([0.0, 0.0, S1_HEIGHT_FRACTION * stature]), s1_axes)

    vertebrae: dict[str, Frame] = {}
    inferior: dict[str, Frame] = {}
    superior: dict[str, Frame] = {}
    top_origin, top_axes = s1.origin, s1.axes
    for level in reversed(mm.PRESACRAL[1:]):  # L5 .. C2
        key = f"{level}_{_below(level)}"
        rotation = mm.SEGMENT_ROTATION[key]
        new_axes = _rotate_sagittal(top_axes, rotation)
        mean_normal = top_axes[2] + new_axes[2]
        mean_normal /= np.linalg.norm(mean_normal)
        disc_h = mm.DISC_HEIGHT[key]
        inf_origin = top_origin + disc_h * mean_normal
        dims = mm.VERTEBRAE[level]
        centre = inf_origin + 0.5 * dims.body_height * new_axes[2]
        sup_origin = inf_origin + dims.body_height * new_axes[2]
        vertebrae[level] = Frame(centre, new_axes)
        inferior[level] = Frame(inf_origin, new_axes)
        superior[level] = Frame(sup_origin, new_axes)
        top_origin, top_axes = sup_origin, new_axes

    # C1 rides on C2's superior facets around the dens: its frame sits on the dens axis, 10 mm
    # above the facet level, tilted by the C1-C2 angle.
    c1_axes = _rotate_sagittal(top_axes, mm.SEGMENT_ROTATION["C1_C2"])
    vertebrae["C1"] = Frame(top_origin + 10.0 * c1_axes[2], c1_axes)
    ordered = {lv: vertebrae[lv] for lv in mm.PRESACRAL}
    return SpineLayout(ordered, s1, inferior, superior)


def endplate_angle(frame_a: Frame, frame_b: Frame) -> float:
    """Signed sagittal angle from ``frame_a``'s z axis to ``frame_b``'s, degrees.

    Positive when ``frame_b`` is extended (tilted posteriorly) relative to ``frame_a``: a lordosis
    measured from a lower to an upper end plate is positive, a kyphosis negative.
    """
    za, zb = frame_a.axes[2], frame_b.axes[2]
    ang_a = np.degrees(np.arctan2(za[1], za[2]))
    ang_b = np.degrees(np.arctan2(zb[1], zb[2]))
    return float(ang_b - ang_a)


def regional_angles(layout: SpineLayout) -> dict[str, float]:
    """The sagittal curves of a layout, as positive Cobb-style magnitudes in degrees.

    Cervical lordosis C2-C7 (inferior end plates of C2 and C7), thoracic kyphosis T4-T12
    (superior end plate of T4, inferior of T12), lumbar lordosis L1-S1 (superior end plate of L1,
    S1 end plate) and the sacral slope.
    """
    s1_tilt = np.degrees(np.arctan2(-layout.s1.axes[2][1], layout.s1.axes[2][2]))
    return {
        "cervical_lordosis_C2_C7": endplate_angle(layout.inferior_endplates["C7"],
                                                  layout.inferior_endplates["C2"]),
        "thoracic_kyphosis_T4_T12": -endplate_angle(layout.inferior_endplates["T12"],
                                                    layout.superior_endplates["T4"]),
        "lumbar_lordosis_L1_S1": endplate_angle(layout.s1, layout.superior_endplates["L1"]),
        "sacral_slope": float(s1_tilt),
    }


def hip_joint_centre(side: str, stature: float = 1750.0) -> np.ndarray:
    """Centre of the femoral head, mm: below and in front of S1 by the pelvic radius and tilt."""
    sign = {"left": 1.0, "right": -1.0}[side]
    s1 = spine_layout(stature).s1.origin
    tilt = np.radians(PELVIC_TILT)
    half = mm.BodyProportions(stature=stature).hip_joint_separation / 2.0
    return np.array([sign * half, s1[1] - HIP_FROM_S1 * np.sin(tilt), s1[2] - HIP_FROM_S1 * np.cos(tilt)])


def proportions(stature: float = 1750.0) -> mm.BodyProportions:
    """The body's stature proportions (heights via :meth:`BodyProportions.height_of`)."""
    return mm.BodyProportions(stature=stature)
