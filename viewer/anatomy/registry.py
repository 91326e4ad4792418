"""Stable integer ids and the hierarchy of every atlas structure.

Ids come from fixed, append-only tables so that a rebuild never renumbers a structure: a new
structure is added at the end of its table. Ranges are documented in ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

from viewer.atlas import PAIRED_SIDES
from viewer.knowledge import ROOTS

from .morphometry import PRESACRAL

SIDES = PAIRED_SIDES

# (acronym, display name, parent acronym or None); ids 1-99 in this order.
GROUPS: tuple[tuple[str, str, str | None], ...] = (
    ("body", "Body", None),
    ("skeleton", "Skeleton", "body"),
    ("vertebral_column", "Vertebral column", "skeleton"),
    ("cervical_spine", "Cervical vertebrae", "vertebral_column"),
    ("thoracic_spine", "Thoracic vertebrae", "vertebral_column"),
    ("lumbar_spine", "Lumbar vertebrae", "vertebral_column"),
    ("intervertebral_discs", "Intervertebral discs", "vertebral_column"),
    ("thoracic_cage", "Thoracic cage", "skeleton"),
    ("shoulder_girdle", "Shoulder girdle", "skeleton"),
    ("pelvic_girdle", "Pelvic girdle", "skeleton"),
    ("upper_limb_bones", "Bones of the upper limb", "skeleton"),
    ("lower_limb_bones", "Bones of the lower limb", "skeleton"),
    ("skull_group", "Skull", "skeleton"),
    ("nervous_system", "Nervous system", "body"),
    ("nerve_roots", "Spinal nerve roots", "nervous_system"),
    ("muscles", "Muscles", "body"),
    ("neck_muscles", "Muscles of the neck", "muscles"),
    ("shoulder_muscles", "Muscles of the shoulder girdle", "muscles"),
    ("back_muscles", "Muscles of the back", "muscles"),
    ("trunk_muscles", "Muscles of the trunk wall", "muscles"),
    ("hip_muscles", "Muscles of the hip", "muscles"),
    ("arm_muscles", "Muscles of the upper limb", "muscles"),
    ("leg_muscles", "Muscles of the lower limb", "muscles"),
    ("multifidus", "Multifidus", "back_muscles"),
    ("integument", "Integument", "body"),
)

DISCS: tuple[str, ...] = tuple(
    f"disc_{a}_{b}" for a, b in zip(PRESACRAL[1:], PRESACRAL[2:] + ("S1",))
)
"""The 23 discs, ``disc_C2_C3`` .. ``disc_L5_S1``."""

ROOT_LEVELS: tuple[str, ...] = ROOTS
"""The 31 spinal nerves (listed once, in :data:`viewer.knowledge.ROOTS`)."""

MULTIFIDUS_LEVELS: tuple[str, ...] = PRESACRAL[1:]
"""Multifidus groups are named by the spinous process they arise from, C2 .. L5."""

OTHER_BONES: tuple[str, ...] = (
    "skull", "mandible", "sternum", "hyoid",
    *[f"rib_{n}_{s}" for n in range(1, 13) for s in SIDES],
    *[f"{bone}_{s}" for bone in ("clavicle", "scapula", "hip_bone", "humerus", "radius", "ulna",
                                  "hand", "femur", "patella", "tibia", "fibula", "foot")
      for s in SIDES],
    *[f"costal_cartilage_{n}_{s}" for n in range(1, 11) for s in SIDES],
)

MUSCLES: tuple[str, ...] = (
    # neck
    "sternocleidomastoid", "scalene_anterior", "scalene_middle", "scalene_posterior",
    "splenius_capitis", "splenius_cervicis", "semispinalis_capitis", "semispinalis_cervicis",
    "levator_scapulae", "trapezius_upper", "trapezius_middle", "trapezius_lower",
    # shoulder girdle
    "rhomboid_major", "rhomboid_minor", "supraspinatus", "infraspinatus", "teres_major",
    "teres_minor", "subscapularis", "latissimus_dorsi", "serratus_anterior", "pectoralis_major",
    "pectoralis_minor", "deltoid",
    # back and trunk
    "iliocostalis", "longissimus", "spinalis", "semispinalis_thoracis", "quadratus_lumborum",
    "rectus_abdominis", "external_oblique",
    # hip
    "psoas_major", "iliacus", "gluteus_maximus", "gluteus_medius", "gluteus_minimus",
    "piriformis", "tensor_fasciae_latae",
    # arm
    "biceps_brachii", "brachialis", "triceps_brachii", "brachioradialis",
    "extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis", "extensor_carpi_ulnaris",
    "extensor_digitorum", "flexor_carpi_radialis", "flexor_carpi_ulnaris", "pronator_teres",
    "flexor_digitorum_superficialis",
    # leg
    "rectus_femoris", "vastus_lateralis", "vastus_medialis", "vastus_intermedius", "sartorius",
    "adductor_longus", "gracilis", "biceps_femoris", "semitendinosus", "semimembranosus",
    "tibialis_anterior", "extensor_hallucis_longus", "extensor_digitorum_longus",
    "gastrocnemius", "soleus", "fibularis_longus", "tibialis_posterior",
)
"""Muscle ids (without side) in id order. Append only."""


def _build_ids() -> dict[str, int]:
    ids: dict[str, int] = {}
    for i, (acronym, _, _) in enumerate(GROUPS):
        ids[acronym] = 1 + i
    for i, level in enumerate(PRESACRAL):
        ids[level] = 100 + i
    ids["sacrum"] = 124
    ids["coccyx"] = 125
    for i, disc in enumerate(DISCS):
        ids[disc] = 200 + i
    ids["spinal_cord"] = 300
    for i, level in enumerate(ROOT_LEVELS):
        for j, side in enumerate(SIDES):
            ids[f"root_{level}_{side}"] = 400 + 2 * i + j
    for i, bone in enumerate(OTHER_BONES):
        ids[bone] = 600 + i
    for i, muscle in enumerate(MUSCLES):
        for j, side in enumerate(SIDES):
            ids[f"{muscle}_{side}"] = 1000 + 2 * i + j
    for i, level in enumerate(MULTIFIDUS_LEVELS):
        for j, side in enumerate(SIDES):
            ids[f"multifidus_{level}_{side}"] = 2000 + 2 * i + j
    ids["skin"] = 9000
    return ids


STRUCTURE_IDS: dict[str, int] = _build_ids()


def structure_id(acronym: str) -> int:
    """Return the stable id of an atlas acronym.

    Raises
    ------
    KeyError
        If the acronym is not registered; the message names it.
    """
    try:
        return STRUCTURE_IDS[acronym]
    except KeyError:
        raise KeyError(f"unknown atlas acronym {acronym!r}: add it to viewer/anatomy/registry.py") from None


def group_parent(acronym: str) -> str | None:
    """Parent group of a group acronym."""
    for name, _, parent in GROUPS:
        if name == acronym:
            return parent
    raise KeyError(f"unknown group {acronym!r}")
