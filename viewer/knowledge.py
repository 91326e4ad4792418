"""Clinical knowledge of Radix: muscles, acupuncture points, meridians, manual techniques and sources.

Everything here is read from ``assets/`` (see ``docs/ARCHITECTURE.md``), validated against the
JSON Schemas shipped in ``assets/schemas/`` and cross-checked between files. Every problem is
reported as a :class:`KnowledgeError` naming the file, the record and the field; all problems are
collected before anything is raised.

The records are frozen dataclasses and the :class:`Knowledge` object holds precomputed indexes
(muscle by id, point by code, points by segment, by muscle and by paraspinal line, muscles by
root, techniques by muscle and by level), so that :mod:`viewer.selection` can answer in well under
a millisecond.

This module never imports panel, pyvista or anything of the browser.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import jsonschema

__all__ = [
    "ROOTS",
    "SEGMENTS",
    "PARASPINAL_LINES",
    "KnowledgeError",
    "KnowledgeErrors",
    "Source",
    "RootAlternative",
    "Attachments",
    "Muscle",
    "Offset",
    "PointLocation",
    "LocationAlternative",
    "Needling",
    "Caution",
    "Point",
    "Meridian",
    "Level",
    "Region",
    "KeyPoint",
    "KeyMuscle",
    "Overlap",
    "Disagreement",
    "Dermatome",
    "PainPattern",
    "DERMATOME_ROOTS",
    "REGION_PARTS",
    "TECHNIQUE_KINDS",
    "TECHNIQUE_CAUTION_KINDS",
    "Zone",
    "Dosage",
    "SelfCare",
    "Technique",
    "Explanation",
    "Knowledge",
    "build_knowledge",
    "load_knowledge",
    "validate_knowledge",
    "paraspinal_line",
    "lateral_cun",
    "code_sort_key",
    "extra_sequences",
]

#: Spinal nerve roots, cranial to caudal (31 pairs).
ROOTS: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 9)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
    "Co1",
)

#: Vertebral levels a point record may name as its ``segment``, cranial to caudal.
SEGMENTS: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 5)),
    "Co",
)

#: Paraspinal lines of points, keyed by id: (title, distance from the posterior midline in cun).
#: The sacral-foramina "line" has no fixed distance (the points sit in the foramina).
PARASPINAL_LINES: Mapping[str, tuple[str, float | None]] = MappingProxyType(
    {
        "governor_vessel": ("Governor Vessel (posterior midline)", 0.0),
        "jiaji": ("Huatuojiaji (EX-B2)", 0.5),
        "bladder_inner": ("Bladder inner line", 1.5),
        "bladder_outer": ("Bladder outer line", 3.0),
        "sacral_foramina": ("Bladder points in the posterior sacral foramina", None),
    }
)

#: Roots with a dermatome record, cranial to caudal (C1 has no skin territory to speak of).
DERMATOME_ROOTS: tuple[str, ...] = tuple(r for r in ROOTS if r not in ("C1", "Co1"))

#: Parts of the body a region may name (see :mod:`viewer.body_regions`).
REGION_PARTS: tuple[str, ...] = ("head", "neck", "trunk", "arm", "forearm", "hand", "finger",
                                 "thigh", "leg", "foot", "toe")
#: Kinds of manual technique, in the order the app and the handout list them.
TECHNIQUE_KINDS: tuple[str, ...] = ("stretch", "massage", "acupressure", "cupping", "gua_sha")

#: Caution kinds of a technique (``techniques.schema.json`` holds the same list).
TECHNIQUE_CAUTION_KINDS: tuple[str, ...] = (
    "anticoagulants", "skin_lesions", "pregnancy", "osteoporosis", "acute_injury", "over_spine",
    "nerve_or_artery", "varicose_veins", "joint_replacement", "hypermobility", "radiating_symptoms",
    "fever_infection", "organs", "other",
)

FILES = MappingProxyType(
    {
        "sources": ("knowledge/sources.json", "sources.schema.json", "sources", "id"),
        "muscles": ("knowledge/muscles.json", "muscles.schema.json", "muscles", "id"),
        "meridians": ("knowledge/meridians.json", "meridians.schema.json", "meridians", "id"),
        "points": ("points.json", "points.schema.json", "points", "code"),
        "dermatomes": ("knowledge/dermatomes.json", "dermatomes.schema.json", "dermatomes", "root"),
        "pain_patterns": ("knowledge/pain_patterns.json", "pain_patterns.schema.json", "pain_patterns", "muscle"),
        "techniques": ("knowledge/techniques.json", "techniques.schema.json", "techniques", "id"),
    }
)


# ----------------------------------------------------------------------------------------------
# errors


class KnowledgeError(ValueError):
    """A problem in a knowledge file, naming the file, the record and the field.

    Parameters
    ----------
    file : str
        File name, e.g. ``"points.json"``.
    record : str
        The record, e.g. ``"BL23 (index 104)"``, or ``"(top level)"``.
    field : str
        Dotted field path inside the record, e.g. ``"location.offsets[0].cun"``.
    problem : str
        What is wrong, in words.
    """

    def __init__(self, file: str, record: str, field: str, problem: str):
        self.file = file
        self.record = record
        self.field = field
        self.problem = problem
        super().__init__(f"{file}: record {record}: field {field}: {problem}")


class KnowledgeErrors(KnowledgeError):
    """All the problems found while loading, raised together.

    Attributes
    ----------
    errors : tuple of KnowledgeError
        Every problem found, in file order.
    """

    def __init__(self, errors: Iterable[KnowledgeError]):
        self.errors = tuple(errors)
        first = self.errors[0]
        ValueError.__init__(
            self,
            f"{len(self.errors)} problem(s) in the knowledge files:\n"
            + "\n".join(str(e) for e in self.errors),
        )
        self.file, self.record, self.field, self.problem = (
            first.file,
            first.record,
            first.field,
            first.problem,
        )


# ----------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class Source:
    """A published reference that facts cite by ``id``."""

    id: str
    short: str
    citation: str
    kind: str
    authors: str
    title: str
    container: str
    year: int
    url: str | None = None


@dataclass(frozen=True)
class RootAlternative:
    """Another published set of roots for a muscle, kept visible beside the main one."""

    roots: tuple[str, ...]
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Attachments:
    """Origin and insertion in words, with landmark base names from the vocabulary."""

    origin: str
    insertion: str
    origin_landmarks: tuple[str, ...]
    insertion_landmarks: tuple[str, ...]


@dataclass(frozen=True)
class Muscle:
    """One muscle (without side); the atlas has ``<id>_left`` and ``<id>_right``."""

    id: str
    name: str
    aliases: tuple[str, ...]
    region: str
    layer: str
    peripheral_nerve: str
    roots: tuple[str, ...]
    roots_note: str | None
    roots_alt: tuple[RootAlternative, ...]
    actions: tuple[str, ...]
    attachments: Attachments
    plain_language: str
    sources: tuple[str, ...]

    @property
    def alternative_roots(self) -> tuple[str, ...]:
        """Roots named only by alternative sources, cranial to caudal."""
        extra = {r for alt in self.roots_alt for r in alt.roots} - set(self.roots)
        return tuple(r for r in ROOTS if r in extra)


@dataclass(frozen=True)
class Offset:
    """A step from the anchor, in B-cun, in an anatomical direction."""

    direction: str
    cun: float


@dataclass(frozen=True)
class PointLocation:
    """A point location rule: an anchor landmark, optional between-rule, offsets and a line."""

    landmark: str
    toward: str | None
    fraction: float | None
    offsets: tuple[Offset, ...]
    reference_line: str | None
    scale: str | None
    surface: str | None
    side: str | None
    description: str


@dataclass(frozen=True)
class LocationAlternative:
    """A location rule from another standard (e.g. GB/T 12346) where it differs from WHO."""

    rule: PointLocation
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Needling:
    """Depth range in cun (or None), angle and notes as commonly taught."""

    depth_cun: tuple[float, float] | None
    angle: str | None
    notes: str | None


@dataclass(frozen=True)
class Caution:
    """A safety caution of a given ``kind`` (pneumothorax, spinal_canal, ...)."""

    kind: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Point:
    """One acupuncture point record (see "Point records" in ARCHITECTURE.md)."""

    code: str
    pinyin: str
    chinese: str
    english: str
    meridian: str
    location: PointLocation
    needling: Needling | None
    cautions: tuple[Caution, ...]
    muscles: tuple[str, ...]
    segment: str | None
    sources: tuple[str, ...]
    location_alternatives: tuple[LocationAlternative, ...] = ()


@dataclass(frozen=True)
class Meridian:
    """A meridian (or an extra-point group) as an ordered sequence of point codes."""

    id: str
    kind: str
    english: str
    pinyin: str
    colour: str
    paired: str
    point_count: int | None
    codes: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    """A height, or a position on a limb, given by a landmark: ``fraction`` of the way toward
    ``toward`` when set. Paired landmarks are named by their base (``"nipple"``); the side of the
    mark being tested is appended."""

    landmark: str
    toward: str | None = None
    fraction: float | None = None


@dataclass(frozen=True)
class Region:
    """A skin territory on one part of the body (evaluated by :mod:`viewer.body_regions`).

    Attributes
    ----------
    part : str
        One of :data:`REGION_PARTS`.
    along : (float, float) or None
        Range on the part's axis, 0 proximal to 1 distal (may reach past either end).
    around : (float, float) or None
        Arc of facing directions in degrees from the first to the second, going anterior (0) ->
        lateral (90) -> posterior (180) -> medial (270); on the foot and toes 0 is dorsal.
    below, above : Level or None
        The heights (z) the territory lies between (head, neck and trunk).
    digits : tuple of int
        Fingers or toes (1 = thumb or big toe), for the parts finger and toe; empty for all.
    near, radius_mm : Level and float, or None
        The skin within ``radius_mm`` of a landmark (then ``part`` is not tested).
    """

    part: str
    along: tuple[float, float] | None = None
    around: tuple[float, float] | None = None
    below: Level | None = None
    above: Level | None = None
    digits: tuple[int, ...] = ()
    near: Level | None = None
    radius_mm: float | None = None


@dataclass(frozen=True)
class KeyPoint:
    """The ISNCSCI key sensory point of a root: in words, and where Radix puts it."""

    description: str
    level: Level


@dataclass(frozen=True)
class KeyMuscle:
    """The ISNCSCI key muscle (a movement) of a root and the atlas muscles that perform it."""

    id: str
    root: str
    name: str
    muscles: tuple[str, ...]
    note: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Zone:
    """Where a technique is applied, as a rule on the body (resolved to the skin by the scene layer).

    Attributes
    ----------
    rule : str
        ``"muscle_belly"`` (over the bellies of ``muscles``), ``"paraspinal"`` (strips along
        ``lines`` from ``from_level`` to ``to_level``), ``"points"`` (at the acupuncture ``points``)
        or ``"between"`` (a band ``width_cun`` wide from ``landmark`` toward ``toward``).
    surface : str
        The skin the zone lies on (``posterior``, ``anterior``, ``lateral``, ...).
    side : str
        ``"bilateral"`` or ``"midline"``.
    description : str
        The zone in words.
    """

    rule: str
    surface: str
    side: str
    description: str
    muscles: tuple[str, ...] = ()
    from_level: str | None = None
    to_level: str | None = None
    lines: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    landmark: str | None = None
    toward: str | None = None
    width_cun: float | None = None


@dataclass(frozen=True)
class Dosage:
    """How a technique is done: position, steps and parameters.

    ``direction`` is the stroke or glide direction (``"static"`` for held pressure and stationary
    cups, ``"movement"`` for a stretch, whose ``movement`` says what moves); ``hold_s`` and
    ``duration_min`` are ``(min, max)`` ranges in seconds and minutes; ``cup_size`` is
    ``small``/``medium``/``large`` and ``cups`` the number per side (cupping only).
    """

    position: str
    steps: tuple[str, ...]
    direction: str
    movement: str | None
    pressure: str | None
    hold_s: tuple[float, float] | None
    duration_min: tuple[float, float] | None
    repetitions: str | None
    cup_size: str | None
    cups: int | None


@dataclass(frozen=True)
class SelfCare:
    """Whether a patient may do the technique at home: plain steps, or why not."""

    allowed: bool
    steps: tuple[str, ...]
    why_not: str | None


@dataclass(frozen=True)
class Technique:
    """A manual technique (massage, acupressure, stretch, cupping, gua sha); see ``techniques.json``."""

    id: str
    kind: str
    name: str
    muscles: tuple[str, ...]
    levels: tuple[str, ...]
    zone: Zone
    how: Dosage
    self_care: SelfCare
    cautions: tuple[Caution, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Overlap:
    """Another root sharing part of a dermatome."""

    root: str
    where: str
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Disagreement:
    """Where published maps differ about a dermatome."""

    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Dermatome:
    """The skin territory of one root (``assets/knowledge/dermatomes.json``)."""

    root: str
    description: str
    regions: tuple[Region, ...]
    key_point: KeyPoint
    key_muscle: KeyMuscle | None
    overlaps: tuple[Overlap, ...]
    disagreements: tuple[Disagreement, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PainPattern:
    """Where a muscle is known to refer pain (``assets/knowledge/pain_patterns.json``)."""

    muscle: str
    description: str
    zones: tuple[Region, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    """A short text the app and the handout show (e.g. why stretching and paraspinal work go together)."""

    id: str
    audience: str
    title: str
    text: str
    sources: tuple[str, ...]


# ----------------------------------------------------------------------------------------------
# point geometry helpers (pure)


def lateral_cun(location: PointLocation) -> float | None:
    """Distance of a point from the posterior or anterior midline, in cun.

    Parameters
    ----------
    location : PointLocation

    Returns
    -------
    float or None
        Lateral distance in cun, or None when the rule does not measure from a midline
        (e.g. a between-rule or a limb point).
    """
    base = {"posterior_midline": 0.0, "anterior_midline": 0.0, "bladder_inner": 1.5, "bladder_outer": 3.0}
    if location.toward is not None:
        return None
    if location.reference_line in base:
        start = base[location.reference_line]
    elif location.reference_line is None and location.side == "midline":
        start = 0.0
    else:
        return None
    lateral = sum(o.cun for o in location.offsets if o.direction == "lateral")
    medial = sum(o.cun for o in location.offsets if o.direction == "medial")
    return start + lateral - medial


def paraspinal_line(point: Point) -> str | None:
    """The paraspinal line a point belongs to, derived from its record.

    Parameters
    ----------
    point : Point

    Returns
    -------
    str or None
        A key of :data:`PARASPINAL_LINES`, or None for points that are not on a paraspinal line
        (no segment, not on the back, or not at a line's distance from the midline).
    """
    loc = point.location
    if point.segment is None or loc.surface != "posterior":
        return None
    has_lateral = any(o.direction in ("lateral", "medial") for o in loc.offsets)
    if point.meridian == "BL" and loc.landmark.startswith("sacral_foramen_") and not has_lateral:
        return "sacral_foramina"
    distance = lateral_cun(loc)
    if distance is None:
        return None
    if point.meridian == "GV" and math.isclose(distance, 0.0):
        return "governor_vessel"
    if point.meridian == "EX-B" and math.isclose(distance, 0.5):
        return "jiaji"
    if point.meridian == "BL" and math.isclose(distance, 1.5):
        return "bladder_inner"
    if point.meridian == "BL" and math.isclose(distance, 3.0):
        return "bladder_outer"
    return None


_LEVEL_ORDER = {"C": 0, "T": 1, "L": 2, "S": 3, "Co": 4}


def code_sort_key(code: str) -> tuple:
    """Natural order of point codes: ``BL2`` before ``BL10``, ``EX-B2-T1`` before ``EX-B2-L1``."""
    m = re.match(r"^(EX-[A-Z]+|[A-Z]+)(\d+)(?:-(C|T|L|S|Co)?(\d*)(.*))?$", code)
    if not m:
        return (code, 0, 0, 0, "")
    prefix, number, level_kind, level_number, rest = m.groups()
    return (
        prefix,
        int(number),
        _LEVEL_ORDER.get(level_kind or "", -1),
        int(level_number) if level_number else 0,
        rest or "",
    )


def extra_sequences(points: Iterable[Point], groups: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Ordered code sequences of extra-point groups, derived from the point records.

    Parameters
    ----------
    points : iterable of Point
    groups : iterable of str
        Extra group ids, e.g. ``("EX-HN", "EX-B")``.

    Returns
    -------
    dict
        ``{group: (code, ...)}`` in natural code order; groups with no record map to ``()``.
    """
    wanted = {g: [] for g in groups}
    for p in points:
        if p.meridian in wanted:
            wanted[p.meridian].append(p.code)
    return {g: tuple(sorted(codes, key=code_sort_key)) for g, codes in wanted.items()}


# ----------------------------------------------------------------------------------------------
# the Knowledge object


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@dataclass(frozen=True)
class Knowledge:
    """Validated clinical knowledge with precomputed indexes.

    Build it with :func:`load_knowledge` (from files) or :func:`build_knowledge` (from records).

    Attributes
    ----------
    muscles, points, meridians, sources : tuple
        The records in file order (meridians of extra groups carry codes derived from points).
    complete : bool
        True when every code of the 14 meridians has a point record; gap explanations rely on it.
    techniques, explanations : tuple
        Manual techniques and the short texts shown with them (``techniques.json``), file order.
    """

    muscles: tuple[Muscle, ...]
    points: tuple[Point, ...]
    meridians: tuple[Meridian, ...]
    sources: tuple[Source, ...]
    complete: bool
    dermatomes: tuple[Dermatome, ...] = ()
    pain_patterns: tuple[PainPattern, ...] = ()
    _muscle: Mapping[str, Muscle] = field(default_factory=dict, repr=False, compare=False)
    _point: Mapping[str, Point] = field(default_factory=dict, repr=False, compare=False)
    _meridian: Mapping[str, Meridian] = field(default_factory=dict, repr=False, compare=False)
    _source: Mapping[str, Source] = field(default_factory=dict, repr=False, compare=False)
    _by_segment: Mapping[str, tuple[Point, ...]] = field(default_factory=dict, repr=False, compare=False)
    _by_muscle: Mapping[str, tuple[Point, ...]] = field(default_factory=dict, repr=False, compare=False)
    _by_line: Mapping[tuple[str, str], tuple[Point, ...]] = field(default_factory=dict, repr=False, compare=False)
    _line_of: Mapping[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    _by_root: Mapping[str, tuple[Muscle, ...]] = field(default_factory=dict, repr=False, compare=False)
    _by_alt_root: Mapping[str, tuple[Muscle, ...]] = field(default_factory=dict, repr=False, compare=False)
    _search_terms: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)
    _groups: Mapping[str, Muscle] = field(default_factory=dict, repr=False, compare=False)
    _group_members: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _term_to_id: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _dermatome: Mapping[str, Dermatome] = field(default_factory=dict, repr=False, compare=False)
    _key_muscle: Mapping[str, KeyMuscle] = field(default_factory=dict, repr=False, compare=False)
    _pain_pattern: Mapping[str, PainPattern] = field(default_factory=dict, repr=False, compare=False)
    _dermatome_regions: Mapping[str, tuple[tuple[Dermatome, Region], ...]] = field(
        default_factory=dict, repr=False, compare=False)
    techniques: tuple[Technique, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    _technique: Mapping[str, Technique] = field(default_factory=lambda: MappingProxyType({}), repr=False,
                                                compare=False)
    _techniques_by_muscle: Mapping[str, tuple[Technique, ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False)
    _techniques_by_level: Mapping[str, tuple[Technique, ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False)

    # lookups ---------------------------------------------------------------------------------
    def muscle(self, muscle_id: str) -> Muscle:
        """Muscle by id (without side), or the record of a muscle group by its id (see
        :meth:`group_members`). Raises ``KeyError`` naming the id."""
        found = self._muscle.get(muscle_id) or self._groups.get(muscle_id)
        if found is None:
            raise KeyError(f"unknown muscle id {muscle_id!r} (not in muscles.json)")
        return found

    # muscle groups ---------------------------------------------------------------------------
    @property
    def groups(self) -> tuple[Muscle, ...]:
        """The muscle groups: one record per name that several muscle records share.

        A group's record is derived, never typed: ``id`` is the shared name in snake case
        (``"erector_spinae"``), ``roots`` the union of its members' roots (cranial to caudal),
        ``sources`` the union of theirs, ``region`` ``"group"``.
        """
        return tuple(self._groups.values())

    def is_group(self, muscle_id: str) -> bool:
        return muscle_id in self._groups

    def group_members(self, muscle_id: str) -> tuple[Muscle, ...]:
        """The muscles a group id stands for (file order); a muscle id gives itself.

        Raises ``KeyError`` naming the id when it is neither.
        """
        if muscle_id in self._group_members:
            return tuple(self._muscle[m] for m in self._group_members[muscle_id])
        return (self.muscle(muscle_id),)

    def resolve_muscle(self, name: str) -> str:
        """The muscle or group id a name stands for, as typed in a link, a search or a list.

        Parameters
        ----------
        name : str
            A muscle id (``"gluteus_medius"``), a group id (``"erector_spinae"``) or any name or
            alias of a muscle or a group, in any case and spacing (``"Trapezius"``,
            ``"rotator cuff"``, ``"SCM"``). A name shared by several muscles names their group.

        Returns
        -------
        str
            The id to select (a group id selects all its members: :meth:`group_members`).

        Raises
        ------
        KeyError
            Naming the name when nothing is called so.

        Examples
        --------
        >>> k.resolve_muscle("trapezius")                             # doctest: +SKIP
        'trapezius'
        >>> [m.id for m in k.group_members("trapezius")]              # doctest: +SKIP
        ['trapezius_upper', 'trapezius_middle', 'trapezius_lower']
        >>> k.resolve_muscle("SCM")                                   # doctest: +SKIP
        'sternocleidomastoid'
        """
        if name in self._muscle or name in self._groups:
            return name
        found = self._term_to_id.get(_normalise(name))
        if found is None:
            raise KeyError(f"unknown muscle {name!r}: no muscle or muscle group in muscles.json is called so")
        return found

    def point(self, code: str) -> Point:
        """Point by code. Raises ``KeyError`` naming the code."""
        try:
            return self._point[code]
        except KeyError:
            raise KeyError(f"unknown point code {code!r} (not in points.json)") from None

    def meridian(self, meridian_id: str) -> Meridian:
        """Meridian or extra group by id. Raises ``KeyError`` naming the id."""
        try:
            return self._meridian[meridian_id]
        except KeyError:
            raise KeyError(f"unknown meridian id {meridian_id!r} (not in meridians.json)") from None

    def source(self, source_id: str) -> Source:
        """Source by id. Raises ``KeyError`` naming the id."""
        try:
            return self._source[source_id]
        except KeyError:
            raise KeyError(f"unknown source id {source_id!r} (not in sources.json)") from None

    def dermatome(self, root: str) -> Dermatome:
        """Dermatome of a root (C2..S5). Raises ``KeyError`` naming the root."""
        try:
            return self._dermatome[root]
        except KeyError:
            raise KeyError(f"no dermatome for root {root!r} (not in dermatomes.json)") from None

    def dermatome_regions(self, part: str) -> tuple[tuple[Dermatome, Region], ...]:
        """Every (dermatome, region) on a body part, and (``part="near"``) every region given as
        the skin near a landmark, whatever its part."""
        return self._dermatome_regions.get(part, ())

    @property
    def key_muscles(self) -> tuple[KeyMuscle, ...]:
        """The ISNCSCI key muscles (movements), cranial to caudal."""
        return tuple(self._key_muscle.values())

    def key_muscle(self, key_id: str) -> KeyMuscle:
        """Key muscle by id (``"long_toe_extensors"``). Raises ``KeyError`` naming the id."""
        try:
            return self._key_muscle[key_id]
        except KeyError:
            raise KeyError(f"unknown key muscle {key_id!r} (not in dermatomes.json)") from None

    def has_key_muscle(self, key_id: str) -> bool:
        return key_id in self._key_muscle

    def pain_pattern(self, muscle_id: str) -> PainPattern | None:
        """Referred-pain zones of a muscle, or None when the knowledge has none for it."""
        return self._pain_pattern.get(muscle_id)
    def technique(self, technique_id: str) -> Technique:
        """Technique by id. Raises ``KeyError`` naming the id."""
        try:
            return self._technique[technique_id]
        except KeyError:
            raise KeyError(f"unknown technique id {technique_id!r} (not in techniques.json)") from None

    def has_technique(self, technique_id: str) -> bool:
        return technique_id in self._technique

    def techniques_for_muscle(self, muscle_id: str) -> tuple[Technique, ...]:
        """Techniques whose ``muscles`` include ``muscle_id``, by kind (stretch first), then file order."""
        return self._techniques_by_muscle.get(muscle_id, ())

    def techniques_at(self, level: str) -> tuple[Technique, ...]:
        """Techniques whose ``levels`` include ``level`` (e.g. ``"L4"``), by kind, then file order."""
        return self._techniques_by_level.get(level, ())

    def explanation(self, explanation_id: str) -> Explanation:
        """An explanation text by id. Raises ``KeyError`` naming the id."""
        for e in self.explanations:
            if e.id == explanation_id:
                return e
        raise KeyError(f"unknown explanation id {explanation_id!r} (not in techniques.json)")

    def has_muscle(self, muscle_id: str) -> bool:
        """Whether :meth:`muscle` knows the id: a muscle or a muscle group."""
        return muscle_id in self._muscle or muscle_id in self._groups

    def has_point(self, code: str) -> bool:
        return code in self._point

    def points_at(self, segment: str) -> tuple[Point, ...]:
        """Points whose ``segment`` is ``segment`` (e.g. ``"L4"``), in file order."""
        return self._by_segment.get(segment, ())

    def points_on_muscle(self, muscle_id: str) -> tuple[Point, ...]:
        """Points whose ``muscles`` list includes ``muscle_id``."""
        return self._by_muscle.get(muscle_id, ())

    def points_on_line(self, line: str, segment: str) -> tuple[Point, ...]:
        """Points of a paraspinal line (a key of :data:`PARASPINAL_LINES`) at a segment."""
        return self._by_line.get((line, segment), ())

    def line_of(self, code: str) -> str | None:
        """The paraspinal line of a point (precomputed :func:`paraspinal_line`)."""
        return self._line_of.get(code)

    def muscles_with_root(self, root: str, alternative: bool = False) -> tuple[Muscle, ...]:
        """Muscles listing ``root`` among their main roots, or (``alternative=True``) only
        among the roots of an alternative source."""
        return (self._by_alt_root if alternative else self._by_root).get(root, ())

    def cite(self, source_ids: Iterable[str]) -> str:
        """Short labels of sources joined for reason texts, e.g. ``"Kendall 2005; Gray's ..."``."""
        return "; ".join(self._source[s].short if s in self._source else s for s in source_ids)

    # search ----------------------------------------------------------------------------------
    def search_muscles(self, query: str, limit: int = 8, cutoff: float = 0.6) -> tuple[Muscle, ...]:
        """Muscles whose id, name or alias matches ``query``, forgiving typos.

        Parameters
        ----------
        query : str
            e.g. ``"glute med"``, ``"SCM"``, ``"gluteus medus"``.
        limit : int
            Most results returned.
        cutoff : float
            Least similarity (0..1) for a fuzzy match.

        Returns
        -------
        tuple of Muscle
            Best first: exact matches, then prefixes, substrings and fuzzy matches. Muscle groups
            (:attr:`groups`) are found by their shared name and come before their members.
        """
        q = _normalise(query)
        if not q:
            return ()
        best: dict[str, float] = {}
        for term, muscle_id in self._search_terms:
            if term == q:
                score = 3.0
            elif term.startswith(q):
                score = 2.0 + len(q) / len(term)
            elif len(q) >= 3 and q in term:
                score = 1.5 + len(q) / len(term)
            else:
                score = difflib.SequenceMatcher(None, q, term).ratio()
                if score < cutoff:
                    continue
            if score > best.get(muscle_id, -1.0):
                best[muscle_id] = score
        # A group comes before its members when they match the same name equally well.
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0] not in self._groups, kv[0]))
        return tuple(self.muscle(m) for m, _ in ranked[:limit])


def build_knowledge(
    muscles: Iterable[Muscle],
    points: Iterable[Point],
    meridians: Iterable[Meridian],
    sources: Iterable[Source],
    dermatomes: Iterable[Dermatome] = (),
    pain_patterns: Iterable[PainPattern] = (),
    techniques: Iterable[Technique] = (),
    explanations: Iterable[Explanation] = (),
) -> Knowledge:
    """Build a :class:`Knowledge` with its indexes from already-validated records.

    Extra groups (``kind == "extra"``) with no codes get their sequence from the points.
    """
    techniques, explanations = tuple(techniques), tuple(explanations)
    kind_order = {k: i for i, k in enumerate(TECHNIQUE_KINDS)}
    by_kind = sorted(techniques, key=lambda t: kind_order.get(t.kind, len(kind_order)))
    t_by_muscle: dict[str, list[Technique]] = defaultdict(list)
    t_by_level: dict[str, list[Technique]] = defaultdict(list)
    for t in by_kind:
        for m in t.muscles:
            t_by_muscle[m].append(t)
        for lv in t.levels:
            t_by_level[lv].append(t)
    muscles, points, sources = tuple(muscles), tuple(points), tuple(sources)
    meridians = tuple(meridians)
    derived = extra_sequences(points, [m.id for m in meridians if m.kind == "extra"])
    meridians = tuple(
        replace(m, codes=derived[m.id]) if m.kind == "extra" and not m.codes else m for m in meridians
    )
    point_codes = {p.code for p in points}
    complete = all(c in point_codes for m in meridians if m.kind == "meridian" for c in m.codes)

    by_segment: dict[str, list[Point]] = defaultdict(list)
    by_muscle: dict[str, list[Point]] = defaultdict(list)
    by_line: dict[tuple[str, str], list[Point]] = defaultdict(list)
    line_of: dict[str, str | None] = {}
    for p in points:
        line = paraspinal_line(p)
        line_of[p.code] = line
        if p.segment:
            by_segment[p.segment].append(p)
            if line:
                by_line[(line, p.segment)].append(p)
        for m in p.muscles:
            by_muscle[m].append(p)
    by_root: dict[str, list[Muscle]] = defaultdict(list)
    by_alt: dict[str, list[Muscle]] = defaultdict(list)
    terms: list[tuple[str, str]] = []
    for m in muscles:
        for r in m.roots:
            by_root[r].append(m)
        for r in m.alternative_roots:
            by_alt[r].append(m)
        for t in (m.id, m.name, *m.aliases):
            terms.append((_normalise(t), m.id))

    groups, group_members, term_to_id = _muscle_groups(muscles)
    for group in groups.values():
        terms.append((_normalise(group.aliases[0]), group.id))

    def frozen(d: dict) -> Mapping:
        return MappingProxyType({k: tuple(v) for k, v in d.items()})

    dermatomes, pain_patterns = tuple(dermatomes), tuple(pain_patterns)
    regions_by_part: dict[str, list[tuple[Dermatome, Region]]] = defaultdict(list)
    for d in dermatomes:
        for r in d.regions:
            regions_by_part["near" if r.near is not None else r.part].append((d, r))
    return Knowledge(
        muscles=muscles,
        points=points,
        meridians=meridians,
        sources=sources,
        complete=complete,
        dermatomes=dermatomes,
        pain_patterns=pain_patterns,
        _dermatome=MappingProxyType({d.root: d for d in dermatomes}),
        _key_muscle=MappingProxyType({d.key_muscle.id: d.key_muscle for d in dermatomes if d.key_muscle}),
        _pain_pattern=MappingProxyType({p.muscle: p for p in pain_patterns}),
        _dermatome_regions=frozen(regions_by_part),
        _muscle=MappingProxyType({m.id: m for m in muscles}),
        _point=MappingProxyType({p.code: p for p in points}),
        _meridian=MappingProxyType({m.id: m for m in meridians}),
        _source=MappingProxyType({s.id: s for s in sources}),
        _by_segment=frozen(by_segment),
        _by_muscle=frozen(by_muscle),
        _by_line=frozen(by_line),
        _line_of=MappingProxyType(line_of),
        _by_root=frozen(by_root),
        _by_alt_root=frozen(by_alt),
        _search_terms=tuple(terms),
        _groups=MappingProxyType(groups),
        _group_members=MappingProxyType(group_members),
        _term_to_id=MappingProxyType(term_to_id),
        techniques=techniques,
        explanations=explanations,
        _technique=MappingProxyType({t.id: t for t in techniques}),
        _techniques_by_muscle=frozen(t_by_muscle),
        _techniques_by_level=frozen(t_by_level),
    )


def _muscle_groups(
    muscles: tuple[Muscle, ...],
) -> tuple[dict[str, Muscle], dict[str, tuple[str, ...]], dict[str, str]]:
    """Groups derived from the names several muscle records share, and every name's id.

    Returns ``(groups by id, member ids by group id, normalised name -> muscle or group id)``.
    A name that is also the id or the own name of one muscle stays that muscle's.
    """
    owners: dict[str, list[str]] = defaultdict(list)
    own: dict[str, str] = {}
    for m in muscles:
        own[_normalise(m.id)] = m.id
        own[_normalise(m.name)] = m.id
        for t in dict.fromkeys(_normalise(t) for t in (m.name, *m.aliases)):
            owners[t].append(m.id)
    by_id = {m.id: m for m in muscles}
    groups: dict[str, Muscle] = {}
    members: dict[str, tuple[str, ...]] = {}
    term_to_id: dict[str, str] = {}
    for term, ids in owners.items():
        if term in own or len(ids) == 1:
            term_to_id[term] = own.get(term, ids[0])
            continue
        group_id = term.replace(" ", "_")
        parts = tuple(by_id[i] for i in ids)
        roots = {r for p in parts for r in p.roots}
        alts = tuple(dict.fromkeys(a for p in parts for a in p.roots_alt))
        names = ", ".join(p.name.lower() for p in parts)
        groups[group_id] = Muscle(
            id=group_id,
            name=f"{term[:1].upper()}{term[1:]} (group of {len(parts)})",
            aliases=(term,),
            region="group",
            layer=" and ".join(dict.fromkeys(p.layer for p in parts)),
            peripheral_nerve="; ".join(dict.fromkeys(p.peripheral_nerve for p in parts)),
            roots=tuple(r for r in ROOTS if r in roots),
            roots_note=f"The union of the roots of its {len(parts)} muscles; each muscle's card gives its own.",
            roots_alt=alts,
            actions=tuple(dict.fromkeys(a for p in parts for a in p.actions)),
            attachments=Attachments("see each muscle of the group", "see each muscle of the group", (), ()),
            plain_language=f"A name for {len(parts)} muscles together: {names}.",
            sources=tuple(dict.fromkeys(s for p in parts for s in p.sources)),
        )
        members[group_id] = tuple(ids)
        term_to_id[term] = group_id
        term_to_id.setdefault(_normalise(group_id), group_id)
    return groups, members, term_to_id


# ----------------------------------------------------------------------------------------------
# parsing (records that passed the schema)


def _source(r: Mapping[str, Any]) -> Source:
    return Source(
        id=r["id"],
        short=r["short"],
        citation=r["citation"],
        kind=r["kind"],
        authors=r["authors"],
        title=r["title"],
        container=r["container"],
        year=r["year"],
        url=r.get("url"),
    )


def _muscle(r: Mapping[str, Any]) -> Muscle:
    a = r["attachments"]
    return Muscle(
        id=r["id"],
        name=r["name"],
        aliases=tuple(r["aliases"]),
        region=r["region"],
        layer=r["layer"],
        peripheral_nerve=r["peripheral_nerve"],
        roots=tuple(r["roots"]),
        roots_note=r["roots_note"],
        roots_alt=tuple(
            RootAlternative(tuple(x["roots"]), tuple(x["sources"]), x["note"]) for x in r["roots_alt"]
        ),
        actions=tuple(r["actions"]),
        attachments=Attachments(
            a["origin"], a["insertion"], tuple(a["origin_landmarks"]), tuple(a["insertion_landmarks"])
        ),
        plain_language=r["plain_language"],
        sources=tuple(r["sources"]),
    )


def _location(r: Mapping[str, Any]) -> PointLocation:
    return PointLocation(
        landmark=r["landmark"],
        toward=r.get("toward"),
        fraction=r.get("fraction"),
        offsets=tuple(Offset(o["direction"], float(o["cun"])) for o in r["offsets"]),
        reference_line=r.get("reference_line"),
        scale=r.get("scale"),
        surface=r.get("surface"),
        side=r.get("side"),
        description=r.get("description", ""),
    )


def _point(r: Mapping[str, Any]) -> Point:
    n = r["needling"]
    return Point(
        code=r["code"],
        pinyin=r["pinyin"],
        chinese=r["chinese"],
        english=r["english"],
        meridian=r["meridian"],
        location=_location(r["location"]),
        needling=None
        if n is None
        else Needling(tuple(n["depth_cun"]) if n["depth_cun"] else None, n["angle"], n["notes"]),
        cautions=tuple(Caution(c["kind"], c["text"], tuple(c["sources"])) for c in r["cautions"]),
        muscles=tuple(r["muscles"]),
        segment=r["segment"],
        sources=tuple(r["sources"]),
        location_alternatives=tuple(
            LocationAlternative(_location(a["rule"]), tuple(a["sources"]), a["note"])
            for a in r.get("location_alternatives", ())
        ),
    )


def _level(r: Mapping[str, Any] | None) -> Level | None:
    if r is None:
        return None
    return Level(r["landmark"], r.get("toward"), r.get("fraction"))


def _region(r: Mapping[str, Any]) -> Region:
    return Region(
        part=r["part"],
        along=tuple(r["along"]) if "along" in r else None,
        around=tuple(r["around"]) if "around" in r else None,
        below=_level(r.get("below")),
        above=_level(r.get("above")),
        digits=tuple(r.get("digits", ())),
        near=_level(r.get("near")),
        radius_mm=r.get("radius_mm"),
    )


def _dermatome(r: Mapping[str, Any]) -> Dermatome:
    k, m = r["key_point"], r["key_muscle"]
    return Dermatome(
        root=r["root"],
        description=r["description"],
        regions=tuple(_region(x) for x in r["regions"]),
        key_point=KeyPoint(k["description"], Level(k["landmark"], k["toward"], k["fraction"])),
        key_muscle=None if m is None else KeyMuscle(
            m["id"], r["root"], m["name"], tuple(m["muscles"]), m["note"], tuple(m["sources"])),
        overlaps=tuple(Overlap(o["root"], o["where"], o["note"], tuple(o["sources"])) for o in r["overlaps"]),
        disagreements=tuple(Disagreement(d["note"], tuple(d["sources"])) for d in r["disagreements"]),
        sources=tuple(r["sources"]),
    )


def _pain_pattern(r: Mapping[str, Any]) -> PainPattern:
    return PainPattern(r["muscle"], r["description"], tuple(_region(z) for z in r["zones"]), tuple(r["sources"]))


def _meridian(r: Mapping[str, Any]) -> Meridian:
    return Meridian(
        id=r["id"],
        kind=r["kind"],
        english=r["english"],
        pinyin=r["pinyin"],
        colour=r["colour"],
        paired=r["paired"],
        point_count=r["point_count"],
        codes=tuple(r["codes"] or ()),
        sources=tuple(r["sources"]),
    )


def _pair(value) -> tuple[float, float] | None:
    return None if value is None else (float(value[0]), float(value[1]))


def _technique(r: Mapping[str, Any]) -> Technique:
    z, h, c = r["zone"], r["how"], r["self_care"]
    return Technique(
        id=r["id"],
        kind=r["kind"],
        name=r["name"],
        muscles=tuple(r["muscles"]),
        levels=tuple(r["levels"]),
        zone=Zone(
            rule=z["rule"], surface=z["surface"], side=z["side"], description=z["description"],
            muscles=tuple(z.get("muscles", ())), from_level=z.get("from_level"), to_level=z.get("to_level"),
            lines=tuple(z.get("lines", ())), points=tuple(z.get("points", ())), landmark=z.get("landmark"),
            toward=z.get("toward"), width_cun=None if z.get("width_cun") is None else float(z["width_cun"]),
        ),
        how=Dosage(
            position=h["position"], steps=tuple(h["steps"]), direction=h["direction"], movement=h["movement"],
            pressure=h["pressure"], hold_s=_pair(h["hold_s"]), duration_min=_pair(h["duration_min"]),
            repetitions=h["repetitions"], cup_size=h["cup_size"], cups=h["cups"],
        ),
        self_care=SelfCare(c["allowed"], tuple(c["steps"]), c["why_not"]),
        cautions=tuple(Caution(x["kind"], x["text"], tuple(x["sources"])) for x in r["cautions"]),
        sources=tuple(r["sources"]),
    )


def _explanation(r: Mapping[str, Any]) -> Explanation:
    return Explanation(r["id"], r["audience"], r["title"], r["text"], tuple(r["sources"]))


# ----------------------------------------------------------------------------------------------
# validation


def _field_path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _record_label(records: Any, index: int, key: str) -> str:
    rec = records[index] if isinstance(records, list) and index < len(records) else None
    label = rec.get(key) if isinstance(rec, dict) else None
    return f"{label} (index {index})" if isinstance(label, str) else f"#{index} (index {index})"


def _schema_errors(
    name: str, data: Any, schema: Mapping[str, Any], key: str, label_key: str
) -> tuple[list[KnowledgeError], set[int], bool]:
    """Schema problems of one file: (errors, indexes of bad records, top level bad)."""
    validator = jsonschema.Draft202012Validator(schema)
    errors: list[KnowledgeError] = []
    bad: set[int] = set()
    top_bad = False
    def order(e: jsonschema.ValidationError) -> list[tuple[int, Any]]:
        return [(0, p) if isinstance(p, int) else (1, str(p)) for p in e.absolute_path]

    for err in sorted(validator.iter_errors(data), key=order):
        path = list(err.absolute_path)
        if len(path) >= 2 and path[0] == key and isinstance(path[1], int):
            index = path[1]
            bad.add(index)
            record = _record_label(data[key], index, label_key)
            rest = path[2:]
        else:
            top_bad = True
            record, rest = "(top level)", path
        problem = err.message
        if err.validator == "required":
            m = re.match(r"'(.+)' is a required property", err.message)
            rest = [*rest, m.group(1) if m else "?"]
            problem = "missing required field"
        elif err.validator == "additionalProperties":
            m = re.search(r"\('(.+?)'", err.message)
            rest = [*rest, m.group(1) if m else "?"]
            problem = "field not allowed by the schema (" + err.message + ")"
        errors.append(KnowledgeError(name, record, _field_path(rest) or "(record)", problem))
    return errors, bad, top_bad


def _read_json(path: Path, name: str) -> tuple[Any, list[KnowledgeError]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [KnowledgeError(name, "(file)", "(file)", f"cannot read {path}: {exc.strerror}")]
    except UnicodeDecodeError as exc:
        return None, [KnowledgeError(name, "(file)", "(file)", f"not UTF-8 text ({exc.reason})")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [
            KnowledgeError(name, "(file)", "(file)", f"not valid JSON at line {exc.lineno}: {exc.msg}")
        ]
    except RecursionError:
        return None, [KnowledgeError(name, "(file)", "(file)", "JSON nested too deeply to read")]


def _cross_check(
    raw: Mapping[str, list[tuple[int, dict]]], partial_points: bool
) -> list[KnowledgeError]:
    """Checks between files on records that passed their schema."""
    errors: list[KnowledgeError] = []
    names = {k: Path(FILES[k][0]).name for k in FILES}

    def err(kind: str, index: int, label: str, fld: str, problem: str) -> None:
        errors.append(KnowledgeError(names[kind], f"{label} (index {index})", fld, problem))

    # unique ids
    seen_ids: dict[str, dict[str, int]] = {}
    for kind, (_, _, _, key) in FILES.items():
        seen: dict[str, int] = {}
        for i, r in raw[kind]:
            if r[key] in seen:
                err(kind, i, r[key], key, f"duplicate {key} {r[key]!r}: first used by index {seen[r[key]]}")
            else:
                seen[r[key]] = i
        seen_ids[kind] = seen
    source_ids, muscle_ids = seen_ids["sources"], seen_ids["muscles"]
    meridians = {r["id"]: r for _, r in raw["meridians"]}
    point_codes = seen_ids["points"]

    def check_sources(kind: str, i: int, label: str, fld: str, ids: Iterable[str]) -> None:
        for j, s in enumerate(ids):
            if s not in source_ids:
                err(kind, i, label, f"{fld}[{j}]", f"unknown source id {s!r} (not in sources.json)")

    for i, r in raw["muscles"]:
        check_sources("muscles", i, r["id"], "sources", r["sources"])
        for k, alt in enumerate(r["roots_alt"]):
            check_sources("muscles", i, r["id"], f"roots_alt[{k}].sources", alt["sources"])

    key_ids: dict[str, int] = {}
    for i, r in raw["dermatomes"]:
        label = r["root"]
        check_sources("dermatomes", i, label, "sources", r["sources"])
        for k, o in enumerate(r["overlaps"]):
            check_sources("dermatomes", i, label, f"overlaps[{k}].sources", o["sources"])
            if o["root"] == label:
                err("dermatomes", i, label, f"overlaps[{k}].root", "a dermatome cannot overlap itself")
        for k, d in enumerate(r["disagreements"]):
            check_sources("dermatomes", i, label, f"disagreements[{k}].sources", d["sources"])
        km = r["key_muscle"]
        if km is not None:
            check_sources("dermatomes", i, label, "key_muscle.sources", km["sources"])
            if km["id"] in key_ids:
                err("dermatomes", i, label, "key_muscle.id",
                    f"duplicate key muscle id {km['id']!r}: first used by index {key_ids[km['id']]}")
            key_ids.setdefault(km["id"], i)
            if km["id"] in muscle_ids:
                err("dermatomes", i, label, "key_muscle.id", f"key muscle id {km['id']!r} is also a muscle id")
            for k, m in enumerate(km["muscles"]):
                if m not in muscle_ids:
                    err("dermatomes", i, label, f"key_muscle.muscles[{k}]",
                        f"unknown muscle id {m!r} (not in muscles.json)")
    for i, r in raw["pain_patterns"]:
        check_sources("pain_patterns", i, r["muscle"], "sources", r["sources"])
        if r["muscle"] not in muscle_ids:
            err("pain_patterns", i, r["muscle"], "muscle", f"unknown muscle id {r['muscle']!r} (not in muscles.json)")

    # meridians: codes belong to the meridian, counts, no code in two meridians
    owner: dict[str, str] = {}
    for i, r in raw["meridians"]:
        check_sources("meridians", i, r["id"], "sources", r["sources"])
        codes = r["codes"]
        if r["kind"] == "meridian":
            if codes is None:
                err("meridians", i, r["id"], "codes", "a meridian must list its point codes")
                continue
            if r["point_count"] is not None and len(codes) != r["point_count"]:
                err("meridians", i, r["id"], "codes", f"lists {len(codes)} codes but point_count is {r['point_count']}")
        for j, c in enumerate(codes or ()):
            if not re.fullmatch(re.escape(r["id"]) + r"\d+(-[A-Za-z0-9]+)?", c):
                err("meridians", i, r["id"], f"codes[{j}]", f"code {c!r} does not belong to meridian {r['id']}")
            if c in owner:
                err("meridians", i, r["id"], f"codes[{j}]", f"code {c!r} is also listed by meridian {owner[c]}")
            owner.setdefault(c, r["id"])
            if c not in point_codes and not (partial_points and r["kind"] == "meridian"):
                err("meridians", i, r["id"], f"codes[{j}]", f"no point record with code {c!r} in points.json")

    for i, r in raw["points"]:
        code = r["code"]
        check_sources("points", i, code, "sources", r["sources"])
        for k, c in enumerate(r["cautions"]):
            check_sources("points", i, code, f"cautions[{k}].sources", c["sources"])
        for k, a in enumerate(r.get("location_alternatives", ())):
            check_sources("points", i, code, f"location_alternatives[{k}].sources", a["sources"])
        for k, m in enumerate(r["muscles"]):
            if m not in muscle_ids:
                err("points", i, code, f"muscles[{k}]", f"unknown muscle id {m!r} (not in muscles.json)")
        mer = meridians.get(r["meridian"])
        if mer is None:
            err("points", i, code, "meridian", f"unknown meridian {r['meridian']!r} (not in meridians.json)")
        else:
            if not re.fullmatch(re.escape(mer["id"]) + r"\d+(-[A-Za-z0-9]+)?", code):
                err("points", i, code, "code", f"code {code!r} does not belong to meridian {mer['id']}")
            elif mer["kind"] == "meridian" and code not in (mer["codes"] or ()):
                err("points", i, code, "code", f"code {code!r} is not in the sequence of {mer['id']} in meridians.json")
        loc = r["location"]
        if (loc["toward"] is None) != (loc["fraction"] is None):
            err("points", i, code, "location.fraction", "toward and fraction must both be set or both be null")
        if r["meridian"] in ("GV", "CV") and loc["side"] != "midline":
            err("points", i, code, "location.side", f"{r['meridian']} points lie on the midline, got {loc['side']!r}")

    for i, r in raw.get("explanations", ()):
        errors.extend(
            KnowledgeError(names["techniques"], f"explanation {r['id']} (index {i})", f"sources[{j}]",
                           f"unknown source id {s!r} (not in sources.json)")
            for j, s in enumerate(r["sources"]) if s not in source_ids)
    points_by_code = {r["code"]: r for _, r in raw["points"]}
    standard_codes = {c for m in meridians.values() for c in (m["codes"] or ())}
    for i, r in raw["techniques"]:
        errors.extend(_check_technique(
            r, lambda fld, problem, i=i, r=r: KnowledgeError(
                names["techniques"], f"{r['id']} (index {i})", fld, problem),
            source_ids, muscle_ids, points_by_code, standard_codes, set(meridians), partial_points))
    return errors


#: What each kind of technique must state in ``how`` (field -> why), checked on load.
_KIND_NEEDS = {
    "stretch": ("movement", "hold_s"),
    "cupping": ("cup_size", "cups", "duration_min"),
    "acupressure": ("pressure", "hold_s"),
    "massage": ("pressure", "duration_min"),
    "gua_sha": ("pressure", "repetitions"),
}


def _check_technique(r: dict, err, source_ids, muscle_ids, points_by_code, standard_codes, groups,
                     partial_points: bool) -> list[KnowledgeError]:
    """Cross-file and internal checks of one technique record that passed its schema."""
    out: list[KnowledgeError] = []

    def add(fld: str, problem: str) -> None:
        out.append(err(fld, problem))

    for j, s in enumerate(r["sources"]):
        if s not in source_ids:
            add(f"sources[{j}]", f"unknown source id {s!r} (not in sources.json)")
    for k, c in enumerate(r["cautions"]):
        for j, s in enumerate(c["sources"]):
            if s not in source_ids:
                add(f"cautions[{k}].sources[{j}]", f"unknown source id {s!r} (not in sources.json)")
    for where, muscles in (("muscles", r["muscles"]), ("zone.muscles", r["zone"].get("muscles", ()))):
        for j, m in enumerate(muscles):
            if m not in muscle_ids:
                add(f"{where}[{j}]", f"unknown muscle id {m!r} (not in muscles.json)")
    zone, how, kind = r["zone"], r["how"], r["kind"]
    if zone["rule"] == "paraspinal":
        first, last = zone["from_level"], zone["to_level"]
        if SEGMENTS.index(first) > SEGMENTS.index(last):
            add("zone.to_level", f"{last} lies above from_level {first}")
        else:
            span = SEGMENTS[SEGMENTS.index(first): SEGMENTS.index(last) + 1]
            if list(r["levels"]) != list(span):
                add("levels", f"a paraspinal zone from {first} to {last} works at {', '.join(span)}; "
                              f"levels lists {', '.join(r['levels']) or 'none'}")
    for j, code in enumerate(zone.get("points", ())):
        group = re.match(r"^(EX-[A-Z]+|[A-Z]+)", code)
        known = code in points_by_code or (
            partial_points and (code in standard_codes or (group is not None and group.group(1) in groups
                                                           and group.group(1).startswith("EX-"))))
        if not known:
            add(f"zone.points[{j}]", f"unknown point code {code!r} (not in points.json)")
        point = points_by_code.get(code)
        if point and any(c["kind"] == "pregnancy" for c in point["cautions"]) and not any(
                c["kind"] == "pregnancy" for c in r["cautions"]):
            add("cautions", f"{code} carries a pregnancy caution in points.json; the technique must carry one too")
    if kind == "acupressure" and zone["rule"] != "points":
        add("zone.rule", f"acupressure is given at points: the rule must be 'points', not {zone['rule']!r}")
    if kind == "stretch" and how["direction"] != "movement":
        add("how.direction", "a stretch is described by its movement: direction must be 'movement', "
                             f"not {how['direction']!r}")
    if kind != "stretch" and how["direction"] == "movement":
        add("how.direction", f"'movement' is for stretches; a {kind} needs a stroke direction or 'static'")
    if kind == "gua_sha" and how["direction"] in ("static", "circular"):
        add("how.direction", "gua sha is stroked in one direction; name it")
    for need in _KIND_NEEDS[kind]:
        if how[need] is None:
            add(f"how.{need}", f"a {kind.replace('_', ' ')} record must state {need.replace('_', ' ')}")
    if kind != "cupping" and (how["cup_size"] is not None or how["cups"] is not None):
        add("how.cup_size", f"cup size and count belong to cupping, not to {kind}")
    for fld in ("hold_s", "duration_min"):
        pair = how[fld]
        if pair is not None and pair[0] > pair[1]:
            add(f"how.{fld}", f"the range {pair[0]}-{pair[1]} runs backward")
    return out


def _load_raw(
    assets_dir: Path, points_path: Path | None
) -> tuple[dict[str, list[tuple[int, dict]]], list[KnowledgeError]]:
    raw: dict[str, list[tuple[int, dict]]] = {}
    errors: list[KnowledgeError] = []
    for kind, (rel, schema_name, key, label_key) in FILES.items():
        path = points_path if (kind == "points" and points_path is not None) else assets_dir / rel
        name = Path(rel).name
        schema, schema_errors = _read_json(assets_dir / "schemas" / schema_name, schema_name)
        data, read_errors = _read_json(Path(path), name)
        errors += schema_errors + read_errors
        raw[kind] = []
        if schema is None or data is None:
            continue
        found, bad, top_bad = _schema_errors(name, data, schema, key, label_key)
        errors += found
        records = data.get(key) if isinstance(data, dict) else None
        if isinstance(records, list):
            raw[kind] = [(i, r) for i, r in enumerate(records) if i not in bad and isinstance(r, dict)]
        if kind == "techniques" and not top_bad and isinstance(data, dict):
            raw["explanations"] = list(enumerate(data.get("explanations", [])))
    return raw, errors


def validate_knowledge(
    assets_dir: str | Path, *, points_path: str | Path | None = None, partial_points: bool = False
) -> list[KnowledgeError]:
    """Every problem in the knowledge files: schema and cross-file checks.

    Parameters
    ----------
    assets_dir : path
        The ``assets/`` folder (with ``knowledge/``, ``schemas/`` and ``points.json``).
    points_path : path, optional
        Another points file (e.g. a test fixture) instead of ``assets_dir/points.json``.
    partial_points : bool
        Allow a points file that lacks some meridian codes (a fixture or a partial merge).

    Returns
    -------
    list of KnowledgeError
        Empty when everything is valid.
    """
    raw, errors = _load_raw(Path(assets_dir), Path(points_path) if points_path else None)
    return errors + _cross_check(raw, partial_points)


def load_knowledge(
    assets_dir: str | Path, *, points_path: str | Path | None = None, partial_points: bool = False
) -> Knowledge:
    """Load, validate and index the knowledge files.

    Parameters
    ----------
    assets_dir : path
        The ``assets/`` folder.
    points_path : path, optional
        Another points file instead of ``assets_dir/points.json``.
    partial_points : bool
        Allow points files that lack some meridian codes; ``Knowledge.complete`` then tells
        whether the set is whole.

    Returns
    -------
    Knowledge

    Raises
    ------
    KnowledgeErrors
        With every problem found (each a :class:`KnowledgeError` naming file, record, field).

    Examples
    --------
    >>> k = load_knowledge("assets")                              # doctest: +SKIP
    >>> k.muscle("gluteus_medius").roots                          # doctest: +SKIP
    ('L4', 'L5', 'S1')
    """
    raw, errors = _load_raw(Path(assets_dir), Path(points_path) if points_path else None)
    errors += _cross_check(raw, partial_points)
    if errors:
        raise KnowledgeErrors(errors)
    return build_knowledge(
        muscles=[_muscle(r) for _, r in raw["muscles"]],
        points=[_point(r) for _, r in raw["points"]],
        meridians=[_meridian(r) for _, r in raw["meridians"]],
        sources=[_source(r) for _, r in raw["sources"]],
        dermatomes=[_dermatome(r) for _, r in raw["dermatomes"]],
        pain_patterns=[_pain_pattern(r) for _, r in raw["pain_patterns"]],
        techniques=[_technique(r) for _, r in raw["techniques"]],
        explanations=[_explanation(r) for _, r in raw.get("explanations", ())],
    )
