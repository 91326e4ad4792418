"""Proportional bone measurement (B-cun): millimetres per cun computed from the body's landmarks.

Each scale of ``docs/ARCHITECTURE.md`` is the distance between two landmarks divided by its span in
B-cun (WHO 2008). Distances are measured as the scale defines them: straight (``distance``), across
the body (``x``, left-right only), over the scalp (``arc``, along the skin), or down to the floor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from viewer.atlas import PAIRED_SIDES

# scale id: (landmark a, landmark b or None, span in B-cun, how the distance is measured).
# "{side}" is replaced by the side of the point being placed. For limb scales, a is proximal.
SCALE_TABLE: dict[str, tuple[str, str | None, float, str]] = {
    "head_hairlines": ("anterior_hairline_midline", "posterior_hairline_midline", 12.0, "arc"),
    "head_glabella_hairline": ("glabella", "anterior_hairline_midline", 3.0, "arc"),
    "head_occiput_hairline": ("posterior_hairline_midline", "C7_spinous_tip", 3.0, "distance"),
    "head_frontal_corners": ("frontal_hairline_corner_left", "frontal_hairline_corner_right", 9.0, "arc"),
    "head_mastoids": ("mastoid_process_left", "mastoid_process_right", 9.0, "arc"),
    "chest_suprasternal_xiphisternal": ("suprasternal_notch", "xiphisternal_junction", 9.0, "distance"),
    "chest_nipples": ("nipple_left", "nipple_right", 8.0, "x"),
    "chest_axilla_rib11": ("axilla_apex_{side}", "rib11_free_end_{side}", 12.0, "distance"),
    "abdomen_xiphisternal_umbilicus": ("xiphisternal_junction", "umbilicus", 8.0, "distance"),
    "abdomen_umbilicus_pubis": ("umbilicus", "pubic_symphysis_superior", 5.0, "distance"),
    "back_scapulae": ("scapula_medial_border_mid_left", "scapula_medial_border_mid_right", 6.0, "x"),
    "back_acromion_midline": ("acromion_{side}", None, 8.0, "x_from_midline"),
    "arm_axillary_fold_cubital": ("axillary_fold_anterior_{side}", "biceps_tendon_cubital_{side}", 9.0, "distance"),
    "forearm_cubital_wrist": ("biceps_tendon_cubital_{side}", "wrist_crease_palmar_mid_{side}", 12.0, "distance"),
    "thigh_pubis_medial_epicondyle": ("pubic_symphysis_superior", "femur_medial_epicondyle_{side}", 18.0, "distance"),
    "thigh_trochanter_popliteal": ("greater_trochanter_{side}", "popliteal_crease_mid_{side}", 19.0, "distance"),
    "thigh_gluteal_fold_popliteal": ("gluteal_fold_mid_{side}", "popliteal_crease_mid_{side}", 14.0, "distance"),
    "leg_medial_condyle_malleolus": ("tibia_medial_condyle_{side}", "medial_malleolus_{side}", 13.0, "distance"),
    "leg_popliteal_lateral_malleolus": ("popliteal_crease_mid_{side}", "lateral_malleolus_{side}", 16.0, "distance"),
    "foot_malleolus_sole": ("medial_malleolus_{side}", None, 3.0, "to_floor"),
    "finger_cun": ("biceps_tendon_cubital_{side}", "wrist_crease_palmar_mid_{side}", 12.0, "distance"),
}
"""The finger cun has no bone scale of its own; Radix takes it equal to the forearm cun (an
approximation recorded in each placement that uses it)."""

LIMB_SCALES = frozenset(s for s in SCALE_TABLE if s.split("_")[0] in ("arm", "forearm", "thigh", "leg", "finger"))
HEAD_SCALES = frozenset(s for s in SCALE_TABLE if s.startswith("head_"))


@dataclass(frozen=True)
class CunScale:
    """One resolved scale for one side of the body.

    Attributes
    ----------
    scale : str
    side : str
    mm_per_cun : float
    a, b : (3,) float, mm
        The end landmarks (b is None for scales measured to the midline or floor).
    method : str
    """

    scale: str
    side: str
    mm_per_cun: float
    a: np.ndarray
    b: np.ndarray | None
    method: str

    @property
    def proximal_direction(self) -> np.ndarray | None:
        """Unit vector from b towards a (for limb scales: pointing proximally)."""
        if self.b is None:
            return None
        d = self.a - self.b
        return d / np.linalg.norm(d)


class MissingLandmark(KeyError):
    """The body lacks a landmark that a rule or scale needs."""


def resolve_scale(scale: str, side: str, landmark: Callable[[str], np.ndarray],
                  arc_length: Callable[[np.ndarray, np.ndarray], float] | None = None) -> CunScale:
    """Compute millimetres per cun of ``scale`` on ``side`` (``left``, ``right`` or ``midline``).

    Parameters
    ----------
    landmark : callable
        ``name -> (3,) position``; raises ``KeyError`` for a landmark the body lacks.
    arc_length : callable, optional
        ``(a, b) -> mm`` along the skin, for ``arc`` scales (straight distance if not given).
    """
    try:
        a_name, b_name, span, how = SCALE_TABLE[scale]
    except KeyError:
        raise KeyError(f"unknown B-cun scale {scale!r}") from None
    use_side = "left" if side == "midline" else side
    names = [n.format(side=use_side) if n else None for n in (a_name, b_name)]
    try:
        a = np.asarray(landmark(names[0]), float)
        b = None if names[1] is None else np.asarray(landmark(names[1]), float)
    except KeyError as exc:
        raise MissingLandmark(f"scale {scale}: {exc.args[0]}") from None
    if how == "distance":
        length = float(np.linalg.norm(a - b))
        desc = f"straight distance {names[0]} - {names[1]}"
    elif how == "x":
        length = float(abs(a[0] - b[0]))
        desc = f"left-right distance {names[0]} - {names[1]}"
    elif how == "x_from_midline":
        length = float(abs(a[0]))
        desc = f"left-right distance from the midline to {names[0]}"
    elif how == "to_floor":
        length = float(a[2])
        desc = f"height of {names[0]} above the floor"
    elif how == "arc":
        length = float(arc_length(a, b)) if arc_length else float(np.linalg.norm(a - b))
        desc = f"distance over the skin {names[0]} - {names[1]}"
    else:  # pragma: no cover - the table is fixed
        raise ValueError(how)
    if not length > 0:
        raise ValueError(f"scale {scale}: zero length between {names}")
    return CunScale(scale, side, length / span, a, b,
                    f"{desc} = {length:.1f} mm = {span:g} B-cun")


def all_scales(landmark: Callable[[str], np.ndarray], arc_length=None) -> dict[tuple[str, str], CunScale | str]:
    """Every scale on both sides: ``(scale, side) -> CunScale``, or the reason it is missing."""
    out: dict[tuple[str, str], CunScale | str] = {}
    for scale in SCALE_TABLE:
        for side in PAIRED_SIDES:
            try:
                out[(scale, side)] = resolve_scale(scale, side, landmark, arc_length)
            except MissingLandmark as exc:
                out[(scale, side)] = str(exc.args[0])
    return out


def landmark_lookup(landmarks: Mapping[str, np.ndarray]) -> Callable[[str], np.ndarray]:
    """A ``name -> position`` function over a mapping, raising ``KeyError`` naming the landmark."""
    def get(name: str) -> np.ndarray:
        try:
            return np.asarray(landmarks[name], float)
        except KeyError:
            raise KeyError(f"the body has no landmark {name!r}") from None
    return get
