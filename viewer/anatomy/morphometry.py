"""Published measurements that the procedural body is built from.

Every table names its source (ids from ``assets/knowledge/sources.json``) and, where the tests check
a value against a published range, the range itself. Values are adult male means rounded to 0.5 mm;
the ranges are the published spread (about mean +/- 2 SD, or the reported min-max).

All lengths are millimetres, all angles degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

CERVICAL = tuple(f"C{i}" for i in range(1, 8))
THORACIC = tuple(f"T{i}" for i in range(1, 13))
LUMBAR = tuple(f"L{i}" for i in range(1, 6))
PRESACRAL = CERVICAL + THORACIC + LUMBAR
"""The 24 presacral vertebrae, top to bottom."""

SACRAL_SEGMENTS = ("S1", "S2", "S3", "S4", "S5")


@dataclass(frozen=True)
class VertebraDims:
    """Size of one vertebra.

    Attributes
    ----------
    body_width : float
        Width of the superior end plate (left-right), mm.
    body_depth : float
        Depth of the superior end plate (antero-posterior), mm.
    body_height : float
        Posterior height of the vertebral body, mm.
    canal_width, canal_depth : float
        Vertebral foramen, left-right and antero-posterior, mm.
    transverse_span : float
        Tip-to-tip distance of the transverse processes, mm.
    spinous_length : float
        From the back of the canal to the spinous tip, along the process, mm.
    spinous_slope : float
        Downward inclination of the spinous process below the end-plate plane, degrees.
    """

    body_width: float
    body_depth: float
    body_height: float
    canal_width: float
    canal_depth: float
    transverse_span: float
    spinous_length: float
    spinous_slope: float


# level: (width, depth, height, canal w, canal d, transverse span, spinous length, spinous slope)
# C3-C7: Panjabi et al. 1991 (cervical); T1-T12: Panjabi et al. 1991 (thoracic); L1-L5: Panjabi et
# al. 1992 (lumbar). C1 and C2: Doherty and Heggeness 1994 and Gray's Anatomy (C1 has no body:
# its "body" values describe the anterior arch and lateral masses). Spinous slopes: Gray's Anatomy.
_VERTEBRA_TABLE: dict[str, tuple[float, ...]] = {
    "C1": (18.0, 10.0, 10.0, 29.0, 30.0, 76.0, 14.0, 0.0),
    "C2": (17.0, 15.5, 15.0, 23.0, 16.0, 55.0, 30.0, 10.0),
    "C3": (16.0, 15.5, 14.0, 23.5, 14.5, 50.0, 26.0, 15.0),
    "C4": (16.5, 15.5, 14.0, 24.0, 14.0, 51.0, 26.0, 18.0),
    "C5": (17.5, 16.0, 13.5, 24.5, 14.0, 52.0, 27.0, 20.0),
    "C6": (19.5, 16.5, 13.5, 25.0, 14.0, 54.0, 31.0, 22.0),
    "C7": (21.5, 16.5, 15.0, 24.5, 14.5, 70.0, 42.0, 25.0),
    "T1": (25.0, 16.0, 16.0, 19.0, 15.0, 76.0, 45.0, 35.0),
    "T2": (25.5, 17.0, 17.0, 16.5, 15.0, 72.0, 47.0, 42.0),
    "T3": (25.0, 18.0, 17.5, 15.0, 15.0, 68.0, 48.0, 50.0),
    "T4": (25.5, 19.5, 18.0, 14.5, 15.0, 66.0, 48.0, 55.0),
    "T5": (27.0, 21.0, 18.5, 14.5, 15.0, 64.0, 48.0, 60.0),
    "T6": (28.0, 23.0, 19.0, 14.5, 15.0, 62.0, 48.0, 62.0),
    "T7": (29.0, 25.0, 19.5, 14.5, 15.0, 60.0, 47.0, 62.0),
    "T8": (30.0, 26.0, 20.0, 15.0, 15.0, 58.0, 46.0, 60.0),
    "T9": (32.0, 27.0, 20.5, 15.0, 15.5, 56.0, 45.0, 55.0),
    "T10": (34.0, 28.0, 21.5, 15.5, 16.0, 54.0, 42.0, 45.0),
    "T11": (37.0, 29.0, 22.5, 17.0, 17.0, 52.0, 38.0, 35.0),
    "T12": (40.0, 30.0, 23.5, 19.0, 17.0, 48.0, 35.0, 25.0),
    "L1": (41.0, 32.0, 25.0, 21.0, 17.0, 70.0, 32.0, 10.0),
    "L2": (43.0, 33.0, 26.0, 21.5, 16.5, 78.0, 33.0, 8.0),
    "L3": (45.0, 34.0, 26.5, 22.0, 16.0, 86.0, 34.0, 6.0),
    "L4": (47.0, 34.5, 26.0, 22.5, 16.5, 88.0, 33.0, 5.0),
    "L5": (49.0, 35.0, 25.5, 25.0, 17.5, 90.0, 31.0, 5.0),
}

VERTEBRA_SOURCES: dict[str, tuple[str, ...]] = {
    **{lv: ("doherty1994", "gray42") for lv in ("C1", "C2")},
    **{lv: ("panjabi1991c",) for lv in CERVICAL[2:]},
    **{lv: ("panjabi1991t",) for lv in THORACIC},
    **{lv: ("panjabi1992l",) for lv in LUMBAR},
}

VERTEBRAE: dict[str, VertebraDims] = {lv: VertebraDims(*row) for lv, row in _VERTEBRA_TABLE.items()}

# Published ranges that the tests hold the model to: (min, max) for width, depth, height.
# Ranges are the reported mean +/- 2 SD, widened to the nearest millimetre.
BODY_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]] = {
    "cervical": ((13.0, 24.0), (13.0, 19.0), (11.0, 17.0)),
    "thoracic": ((21.0, 45.0), (13.0, 34.0), (13.0, 27.0)),
    "lumbar": ((36.0, 55.0), (28.0, 40.0), (22.0, 30.0)),
}

# Disc heights at mid-depth, mm. Pooni et al. 1986 and Gray's Anatomy.
DISC_HEIGHT: dict[str, float] = {
    "C2_C3": 5.0, "C3_C4": 5.5, "C4_C5": 5.5, "C5_C6": 5.5, "C6_C7": 5.5, "C7_T1": 5.0,
    "T1_T2": 4.0, "T2_T3": 4.0, "T3_T4": 4.0, "T4_T5": 4.5, "T5_T6": 4.5, "T6_T7": 5.0,
    "T7_T8": 5.0, "T8_T9": 5.5, "T9_T10": 6.0, "T10_T11": 6.5, "T11_T12": 7.0, "T12_L1": 8.0,
    "L1_L2": 9.0, "L2_L3": 10.0, "L3_L4": 11.0, "L4_L5": 11.5, "L5_S1": 10.5,
}
DISC_SOURCES = ("pooni1986", "gray42")

# Sagittal rotation between neighbouring vertebrae, degrees; positive = extension going up
# (lordosis), negative = flexion going up (kyphosis). Chosen so that the regional angles sit at
# the published means: Vialle et al. 2005 (thoracic kyphosis T4-T12 40.6 +/- 10, lumbar lordosis
# L1-S1 60.2 +/- 10, sacral slope 41.2 +/- 8.4) and Hardacker et al. 1997 (C2-C7 lordosis).
SEGMENT_ROTATION: dict[str, float] = {
    "C1_C2": 2.0, "C2_C3": 5.0, "C3_C4": 5.0, "C4_C5": 5.0, "C5_C6": 5.0, "C6_C7": 4.0,
    "C7_T1": -2.0, "T1_T2": -3.0, "T2_T3": -3.5, "T3_T4": -4.0, "T4_T5": -4.5, "T5_T6": -5.0,
    "T6_T7": -5.0, "T7_T8": -5.0, "T8_T9": -5.0, "T9_T10": -4.5, "T10_T11": -4.0,
    "T11_T12": -3.0, "T12_L1": 0.0, "L1_L2": 6.0, "L2_L3": 8.0, "L3_L4": 11.0, "L4_L5": 15.0,
    "L5_S1": 20.0,
}
CURVE_SOURCES = ("vialle2005", "hardacker1997")

SACRAL_SLOPE = 41.0
"""Angle of the S1 superior end plate to the horizontal, degrees (Vialle et al. 2005)."""

# Published adult ranges for the regional angles, degrees (Cobb-style, end plate to end plate).
CURVE_RANGES: dict[str, tuple[float, float]] = {
    "cervical_lordosis_C2_C7": (10.0, 40.0),  # Hardacker 1997: wide normal spread
    "thoracic_kyphosis_T4_T12": (20.0, 60.0),  # Vialle 2005: 40.6 +/- 10
    "lumbar_lordosis_L1_S1": (40.0, 80.0),  # Vialle 2005: 60.2 +/- 10
    "sacral_slope": (25.0, 57.0),  # Vialle 2005: 41.2 +/- 8.4
}

CONUS_LEVEL = "L1_L2"
"""The spinal cord ends near the L1-L2 disc (Saifuddin et al. 1998: mean lower third of L1)."""


@dataclass(frozen=True)
class BodyProportions:
    """Heights and breadths of the body as fractions of stature (Winter 2009, after Drillis and
    Contini 1966) and absolute breadths where the fraction is not published.

    Heights are above the floor; breadths are full widths.
    """

    stature: float = 1750.0
    vertex: float = 1.0
    eye: float = 0.936
    chin: float = 0.870
    acromion: float = 0.818
    elbow: float = 0.630
    wrist: float = 0.485
    fingertip: float = 0.377
    greater_trochanter: float = 0.530
    knee: float = 0.285
    ankle: float = 0.039
    biacromial_breadth: float = 395.0
    bitrochanteric_breadth: float = 0.191
    hip_joint_separation: float = 175.0
    foot_length: float = 0.152

    def height_of(self, name: str) -> float:
        """Return the height above the floor (mm) of a named level, e.g. ``"knee"``."""
        return getattr(self, name) * self.stature


PROPORTION_SOURCES = ("winter2009",)
