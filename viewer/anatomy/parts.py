"""What each generator module hands to the build: structures with their meshes and landmarks.

A generator returns a list of :class:`Part`. The build (``viewer.anatomy.build``) gives each part its
stable id from :mod:`viewer.anatomy.registry`, writes its GLB and collects the landmarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import trimesh


@dataclass(frozen=True)
class Landmark:
    """A named point computed from generated geometry.

    Attributes
    ----------
    position : (3,) float, mm
    method : str
        How it was computed, in a few words (e.g. "most posterior vertex of the spinous process").
    """

    position: np.ndarray
    method: str


@dataclass
class Part:
    """One atlas structure as produced by a generator.

    Attributes
    ----------
    acronym : str
        Unique atlas acronym (``docs/ARCHITECTURE.md``), e.g. ``"L4"`` or ``"root_L5_left"``.
    name : str
        Display name, e.g. ``"Fourth lumbar vertebra"``.
    kind : str
        ``bone``, ``disc``, ``cord``, ``nerve_root``, ``muscle`` or ``skin``.
    parent : str
        Acronym of the hierarchy group it belongs to (see ``registry.GROUPS``).
    mesh : trimesh.Trimesh
        Closed, consistently oriented surface in world millimetres.
    level, side : str or None
        Spinal level (``"L4"``) and side (``"left"``/``"right"``) where they apply.
    fma_id : int or None
        Foundational Model of Anatomy id where known.
    landmarks : dict[str, Landmark]
        Landmarks computed from this part's geometry, by full name (with side suffix).
    color : str
        Display colour, ``#rrggbb``.
    """

    acronym: str
    name: str
    kind: str
    parent: str
    mesh: trimesh.Trimesh
    level: str | None = None
    side: str | None = None
    fma_id: int | None = None
    landmarks: dict[str, Landmark] = field(default_factory=dict)
    color: str = "#e8dcc4"


def mirror_to_right(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """Mirror a left-side mesh across the mid-sagittal plane (X -> -X), keeping outward normals."""
    mirrored = mesh.copy()
    mirrored.vertices = mirrored.vertices * np.array([-1.0, 1.0, 1.0])
    mirrored.faces = mirrored.faces[:, ::-1]
    return mirrored


def mirror_point(p: np.ndarray) -> np.ndarray:
    """Mirror a point across the mid-sagittal plane."""
    return np.asarray(p, dtype=float) * np.array([-1.0, 1.0, 1.0])
