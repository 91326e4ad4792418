"""The selection chain: painful muscle -> nerve roots -> foramina and levels -> multifidus -> points,
and the manual techniques (stretch, massage, acupressure, cupping, gua sha) along the same chain.

Pure functions on a :class:`~viewer.knowledge.Knowledge`; nothing here draws, caches globally or
imports panel/pyvista. Every item of a selection carries a human-readable ``reason`` and its
``sources``, and where the chain has no standard point or structure the selection says so in
``gaps`` instead of inventing one.

Conventions (see ``docs/ARCHITECTURE.md``):

- Roots C1-C7 leave the spine *above* the vertebra of the same number (C1 between occiput and
  atlas), C8 between C7 and T1, and T1 downward *below* the vertebra of the same number; sacral
  roots S1-S4 through the sacral foramina, S5 and Co1 through the sacral hiatus.
- The "paraspinal level" of a root is the vertebra at whose inferior border its foramen opens:
  Cn -> C(n-1) (C1 -> occiput), C8 -> C7, Tn -> Tn, Ln -> Ln, Sn -> sacral foramen Sn. Point
  records use the same convention for their ``segment``.
- A multifidus group ``multifidus_<vertebra>`` (C2..L5) is supplied by the medial branch of the
  dorsal ramus that leaves just below its vertebra: the same number in the thoracic and lumbar
  spine, one number higher in the neck (C3..C8 for the groups of C2..C7, Bogduk 1982). The link
  is read from each group's ``roots`` in ``muscles.json``; C1, C2 and the sacral roots have no group.
- Paraspinal points are found from the point records (line and segment), never from code lists.
- Techniques come from the technique records: those naming the muscle, then at each paraspinal
  level of its main roots those working beside the spine there and those for the level's
  multifidus group. A stretch of the painful muscle and work beside the spine at its levels are
  listed together on purpose (see the ``stretch_with_paraspinal`` explanation in techniques.json).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from viewer.atlas import PAIRED_SIDES
from viewer.knowledge import (
    PARASPINAL_LINES,
    ROOTS,
    SEGMENTS,
    Caution,
    Knowledge,
    Meridian,
    Muscle,
    Point,
    Technique,
    lateral_cun,
)

__all__ = [
    "SIDES",
    "sides_of",
    "LEVELS",
    "RootExit",
    "RootLink",
    "MultifidusLink",
    "PointLink",
    "MeridianLink",
    "TechniqueLink",
    "Gap",
    "Highlight",
    "Selection",
    "LevelSelection",
    "RootSelection",
    "PointSelection",
    "root_exit",
    "roots_exiting_at",
    "describe_location",
    "select_muscle",
    "select_level",
    "select_root",
    "select_point",
    "muscle_techniques",
    "level_techniques",
]

#: The sides a selection can ask for: one side of the body or both.
SIDES = (*PAIRED_SIDES, "both")

#: Paraspinal levels a selection can name, cranial to caudal ("occiput" for C1).
LEVELS: tuple[str, ...] = ("occiput", *SEGMENTS)

#: Levels where the Huatuojiaji points exist (EX-B2, T1 to L5; WHO 2008).
JIAJI_LEVELS = frozenset(s for s in SEGMENTS if s[0] in "TL")

_EXIT_SOURCES = ("gray42",)
_STANDARD_SOURCES = ("who2008",)


# ----------------------------------------------------------------------------------------------
# result records


@dataclass(frozen=True)
class RootExit:
    """Where a spinal nerve root leaves the spine.

    Attributes
    ----------
    root : str
        e.g. ``"C5"``.
    foramen : str
        The opening in words, e.g. ``"C4-C5 intervertebral foramen"``.
    level : str
        Paraspinal level: the vertebra at whose inferior border the foramen opens (``"C4"``),
        ``"occiput"`` for C1, ``"S1"``..``"S4"`` for sacral foramina, ``"Co"`` for the hiatus.
    reason : str
    """

    root: str
    foramen: str
    level: str
    reason: str


@dataclass(frozen=True)
class RootLink:
    """A root of a muscle, main or alternative, with its exit."""

    root: str
    main: bool
    exit: RootExit
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class MultifidusLink:
    """The multifidus group (muscle id) supplied by a root's dorsal ramus."""

    root: str
    muscle_id: str
    acronyms: tuple[str, ...]
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PointLink:
    """A point in a selection, with why it is there.

    ``line`` is a key of :data:`viewer.knowledge.PARASPINAL_LINES` for paraspinal points and
    None for points found through the muscle; ``level`` is the point's segment.
    """

    code: str
    line: str | None
    level: str | None
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class MeridianLink:
    """A meridian crossing the selected muscle and its points on or near it."""

    meridian: str
    codes: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class TechniqueLink:
    """A manual technique in a selection, with why it is there.

    Attributes
    ----------
    technique_id : str
        Id in ``techniques.json``.
    kind : str
        ``stretch``, ``massage``, ``acupressure``, ``cupping`` or ``gua_sha``.
    via : str
        ``"muscle"`` (the record names the selected muscle), ``"level"`` (it works beside the spine
        at ``levels``) or ``"multifidus"`` (it works on the multifidus groups of ``levels``).
    levels : tuple of str
        The paraspinal levels that brought it in, cranial to caudal; empty when found through
        the muscle.
    reason : str
    sources : tuple of str
    """

    technique_id: str
    kind: str
    via: str
    levels: tuple[str, ...]
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """Something the chain would show but that does not exist (or is not in the records).

    Attributes
    ----------
    kind : str
        ``"no_multifidus_group"`` (C1, sacral and coccygeal roots), ``"line_not_at_level"``
        (a line that does not reach the level: Jiaji outside T1-L5, Bladder lines in the neck),
        ``"no_point"`` (the line passes the level but has no point there) or
        ``"missing_record"`` (a standard point exists but the loaded records lack it).
    level : str
        The paraspinal level, or the root for multifidus gaps.
    line : str or None
        The paraspinal line, None for multifidus gaps.
    reason : str
    sources : tuple of str
    """

    kind: str
    level: str
    line: str | None
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Highlight:
    """What the view should light up: atlas acronyms, point codes, meridian ids."""

    structures: tuple[str, ...]
    points: tuple[str, ...]
    meridians: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """The whole chain for one muscle, or a muscle group, on one or both sides.

    ``muscle`` is the record selected (a group's derived record for a group); ``members`` the
    muscles drawn: ``(muscle,)`` for one muscle, every part for a group, whose chains are united.
    """

    muscle: Muscle
    side: str
    roots: tuple[RootLink, ...]
    alternative_roots: tuple[RootLink, ...]
    multifidus: tuple[MultifidusLink, ...]
    paraspinal: tuple[PointLink, ...]
    meridians: tuple[MeridianLink, ...]
    local_points: tuple[PointLink, ...]
    gaps: tuple[Gap, ...]
    highlight: Highlight
    members: tuple[Muscle, ...] = ()
    techniques: tuple[TechniqueLink, ...] = ()

    def techniques_of(self, kind: str) -> tuple[TechniqueLink, ...]:
        """Techniques of one kind (e.g. ``"stretch"``), in chain order."""
        return tuple(t for t in self.techniques if t.kind == kind)

    def on_line(self, line: str) -> tuple[PointLink, ...]:
        """Paraspinal points of one line, cranial to caudal."""
        return tuple(p for p in self.paraspinal if p.line == line)

    def gaps_of(self, kind: str | None = None, line: str | None = None) -> tuple[Gap, ...]:
        """Gaps filtered by kind and/or line."""
        return tuple(
            g for g in self.gaps if (kind is None or g.kind == kind) and (line is None or g.line == line)
        )


@dataclass(frozen=True)
class LevelSelection:
    """Reverse view from a paraspinal level."""

    level: str
    roots: tuple[RootExit, ...]
    muscles: tuple[Muscle, ...]
    muscles_alternative: tuple[Muscle, ...]
    multifidus: tuple[MultifidusLink, ...]
    points: tuple[PointLink, ...]
    gaps: tuple[Gap, ...]
    highlight: Highlight
    techniques: tuple[TechniqueLink, ...] = ()


@dataclass(frozen=True)
class RootSelection:
    """Reverse view from a root: the muscles it supplies, its exit and its points."""

    root: str
    exit: RootExit
    muscles: tuple[Muscle, ...]
    muscles_alternative: tuple[Muscle, ...]
    multifidus: tuple[MultifidusLink, ...]
    points: tuple[PointLink, ...]
    gaps: tuple[Gap, ...]
    highlight: Highlight
    techniques: tuple[TechniqueLink, ...] = ()


@dataclass(frozen=True)
class PointSelection:
    """Reverse view from a point: where it is, what lies under it and what to watch for."""

    point: Point
    meridian: Meridian
    segment: str | None
    line: str | None
    roots: tuple[RootExit, ...]
    muscles: tuple[Muscle, ...]
    cautions: tuple[Caution, ...]
    location_text: str
    highlight: Highlight


# ----------------------------------------------------------------------------------------------
# roots and levels (pure rules)


def root_exit(root: str) -> RootExit:
    """Exit foramen and paraspinal level of a spinal nerve root.

    Parameters
    ----------
    root : str
        ``"C1"``..``"C8"``, ``"T1"``..``"T12"``, ``"L1"``..``"L5"``, ``"S1"``..``"S5"``, ``"Co1"``.

    Returns
    -------
    RootExit

    Raises
    ------
    KeyError
        For an unknown root name.
    """
    if root not in ROOTS:
        raise KeyError(f"unknown root {root!r}; expected one of C1-C8, T1-T12, L1-L5, S1-S5, Co1")
    if root in ("S5", "Co1"):
        return RootExit(root, "sacral hiatus", "Co",
                        f"{root} leaves through the sacral hiatus at the lower end of the sacrum")
    kind, n = root[0], int(root[1:])
    if root == "C1":
        return RootExit(root, "between the occiput and the atlas (C1)", "occiput",
                        "C1 leaves above the atlas, between it and the skull, so no vertebra has it at its "
                        "lower border")
    if kind == "C" and n <= 7:
        above = f"C{n - 1}"
        return RootExit(root, f"{above}-{root} intervertebral foramen", above,
                        f"{root} leaves above the {root} vertebra, through the {above}-{root} foramen at the "
                        f"lower border of {above}")
    if root == "C8":
        return RootExit(root, "C7-T1 intervertebral foramen", "C7",
                        "C8 has no vertebra of its own: it leaves between C7 and T1, at the lower border of C7")
    if kind in "TL":
        index = SEGMENTS.index(root)
        below = SEGMENTS[index + 1]
        return RootExit(root, f"{root}-{below} intervertebral foramen", root,
                        f"{root} leaves below the {root} vertebra, through the {root}-{below} foramen")
    return RootExit(root, f"{root} sacral foramina (dorsal ramus through the posterior foramen)", root,
                    f"{root} leaves the sacral canal through the {root} sacral foramina; its dorsal ramus "
                    "comes out of the posterior foramen")


def roots_exiting_at(level: str) -> tuple[RootExit, ...]:
    """Roots whose paraspinal level is ``level`` (e.g. ``"C7"`` -> C8; ``"C4"`` -> C5)."""
    return tuple(e for e in (root_exit(r) for r in ROOTS) if e.level == level)


def _vertebra_acronym(level: str) -> str | None:
    if level == "occiput":
        return None
    if level[0] == "S":
        return "sacrum"
    if level == "Co":
        return "coccyx"
    return level


def sides_of(side: str) -> tuple[str, ...]:
    """``"both"`` -> ``("left", "right")``; a single side -> itself.

    >>> sides_of("both")
    ('left', 'right')
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {side!r}")
    return PAIRED_SIDES if side == "both" else (side,)


# ----------------------------------------------------------------------------------------------
# multifidus


def _multifidus_for_root(knowledge: Knowledge, root: str, sides: tuple[str, ...]) -> MultifidusLink | Gap:
    """The multifidus group whose record names ``root`` as its nerve (``muscles.json``), or the gap."""
    groups = [m for m in knowledge.muscles_with_root(root) if m.id.startswith("multifidus_")]
    if root == "C1":
        return Gap("no_multifidus_group", root, None,
                   "C1: no multifidus group; the C1 dorsal ramus (suboccipital nerve) supplies the suboccipital "
                   "muscles, and multifidus begins at C2", ("gray42",))
    if not groups and root == "C2":
        return Gap("no_multifidus_group", root, None,
                   "C2: no multifidus group; the C2 dorsal ramus (greater occipital nerve) supplies semispinalis "
                   "capitis and the suboccipital obliques, while the fascicles arising from C2 are supplied by C3",
                   ("bogduk1982", "gray42"))
    if not groups and root[0] in "CTL" and root != "Co1":
        return Gap("no_multifidus_group", root, None,
                   f"{root}: no multifidus group in muscles.json names {root} as its nerve", ())
    if not groups:
        return Gap("no_multifidus_group", root, None,
                   f"{root}: no multifidus group in the atlas; groups are modelled from C2 to L5, and the sacral "
                   "fibres of multifidus belong to the lumbar (L4, L5) groups", ("macintosh1986", "bogduk2005"))
    muscle = groups[0]
    vertebra = muscle.id.split("_", 1)[1]
    why = f"arises from {vertebra} and is supplied by the medial branch of the {root} dorsal ramus"
    if vertebra != root:
        why += f", which leaves just below the {vertebra} vertebra (in the neck the nerve is one number higher)"
    return MultifidusLink(
        root=root,
        muscle_id=muscle.id,
        acronyms=tuple(f"{muscle.id}_{s}" for s in sides),
        reason=f"{muscle.id}: {why} ({knowledge.cite(muscle.sources)})",
        sources=muscle.sources,
    )


# ----------------------------------------------------------------------------------------------
# paraspinal points and gaps


def _where(point: Point) -> str:
    lm = point.location.landmark
    if lm.endswith("_spinous_inferior"):
        place = f"at the inferior border of the {lm.split('_')[0]} spinous process"
    elif lm.startswith("sacral_foramen_"):
        place = f"at the {lm.split('_')[2]} posterior sacral foramen"
    elif lm.endswith("_median_crest"):
        place = f"level with the {lm.split('_')[0]} median sacral crest"
    else:
        place = f"at {lm.replace('_', ' ')}"
    distance = lateral_cun(point.location)
    if distance is None or point.location.landmark.startswith("sacral_foramen_"):
        return place
    return place + (", on the midline" if distance == 0 else f", {distance:g} cun lateral")


def _point_link(knowledge: Knowledge, point: Point, line: str | None, why: str | None = None) -> PointLink:
    title = PARASPINAL_LINES[line][0] if line else knowledge.meridian(point.meridian).english
    reason = f"{point.code} ({point.pinyin}): {title} {_where(point)}"
    if why:
        reason += f"; {why}"
    return PointLink(point.code, line, point.segment, reason, point.sources)


def _neighbours(knowledge: Knowledge, line: str, level: str) -> str:
    """Nearest points of the line above and below ``level``, in words."""
    i = SEGMENTS.index(level)
    above = next((p for s in reversed(SEGMENTS[:i]) for p in knowledge.points_on_line(line, s)), None)
    below = next((p for s in SEGMENTS[i + 1:] for p in knowledge.points_on_line(line, s)), None)
    parts = []
    if above:
        parts.append(f"{above.code} at {above.segment} above")
    if below:
        parts.append(f"{below.code} at {below.segment} below")
    return f" (nearest: {', '.join(parts)})" if parts else ""


def _line_at_level(knowledge: Knowledge, line: str, level: str) -> tuple[tuple[PointLink, ...], Gap | None]:
    title = PARASPINAL_LINES[line][0]
    if level == "occiput":
        if line == "sacral_foramina":
            return (), None
        return (), Gap("line_not_at_level", level, line,
                       f"{title}: no point for C1, whose foramen lies above the atlas with no spinous process above it",
                       _STANDARD_SOURCES)
    if line == "sacral_foramina" and not level.startswith("S"):
        return (), None
    if line == "jiaji" and level not in JIAJI_LEVELS:
        return (), Gap("line_not_at_level", level, line,
                       f"{title}: the Huatuojiaji points run from T1 to L5 only; none at {level}", _STANDARD_SOURCES)
    if line.startswith("bladder") and level[0] == "C" and level != "Co":
        return (), Gap("line_not_at_level", level, line,
                       f"{title}: the Bladder back lines start in the thoracic spine; there is no cervical "
                       f"Bladder line at {level}",
                       _STANDARD_SOURCES)
    if line.startswith("bladder") and level == "Co":
        return (), Gap("line_not_at_level", level, line,
                       f"{title}: the Bladder back lines end at the sacrum; none at the coccyx", _STANDARD_SOURCES)
    points = knowledge.points_on_line(line, level)
    if points:
        return tuple(_point_link(knowledge, p, line) for p in points), None
    if line == "jiaji":
        return (), Gap("missing_record", level, line,
                       f"{title}: a Huatuojiaji point at {level} is standard (EX-B2, T1-L5) but the loaded "
                       "point records have none",
                       _STANDARD_SOURCES)
    if knowledge.complete:
        reason = f"{title}: no standard point at {level}{_neighbours(knowledge, line, level)}"
    else:
        reason = (f"{title}: no point at {level} in the loaded records (the point set is partial)"
                  f"{_neighbours(knowledge, line, level)}")
    return (), Gap("no_point", level, line, reason, _STANDARD_SOURCES)


def _paraspinal(knowledge: Knowledge, levels: Iterable[str]) -> tuple[tuple[PointLink, ...], tuple[Gap, ...]]:
    links: list[PointLink] = []
    gaps: list[Gap] = []
    for line in PARASPINAL_LINES:
        for level in levels:
            found, gap = _line_at_level(knowledge, line, level)
            links.extend(found)
            if gap:
                gaps.append(gap)
    return tuple(links), tuple(gaps)


def _ordered_levels(levels: Iterable[str]) -> tuple[str, ...]:
    wanted = set(levels)
    return tuple(lv for lv in LEVELS if lv in wanted)


def _structures(*groups: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for g in groups:
        for s in g:
            if s:
                seen.setdefault(s, None)
    return tuple(seen)


# ----------------------------------------------------------------------------------------------
# techniques

_KIND_WORDS = {"stretch": "stretches", "massage": "massages", "acupressure": "presses points on",
               "cupping": "cups over", "gua_sha": "scrapes over"}


def _lower_first(name: str) -> str:
    """``"Multifidus (L4 group)"`` -> ``"multifidus (L4 group)"`` (level names keep their case)."""
    return name[:1].lower() + name[1:]


def _and(words: Iterable[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _technique_link(knowledge: Knowledge, t: Technique, via: str, levels: tuple[str, ...],
                    why: str) -> TechniqueLink:
    return TechniqueLink(t.id, t.kind, via, levels, f"{t.name}: {why} ({knowledge.cite(t.sources)})", t.sources)


def _techniques_at_levels(
    knowledge: Knowledge, levels_roots: Iterable[tuple[str, tuple[str, ...]]], seen: dict[str, TechniqueLink]
) -> None:
    """Add (in place, after those already in ``seen``) the techniques beside the spine at each
    level and those for the multifidus group supplied by each root; a technique reached at several
    levels is listed once, naming them all."""
    found: dict[str, tuple[Technique, str, list[str], list[str], list[str]]] = {}
    for level, roots in levels_roots:
        for t in knowledge.techniques_at(level):
            if t.id in seen:
                continue
            entry = found.setdefault(t.id, (t, "level", [], [], []))
            entry[2].append(level)
            entry[3].extend(r for r in roots if r not in entry[3])
        for root in roots:
            group = "multifidus_C7" if root == "C8" else f"multifidus_{root}"
            if not knowledge.has_muscle(group):
                continue
            for t in knowledge.techniques_for_muscle(group):
                if t.id in seen or (t.id in found and found[t.id][1] == "level"):
                    continue
                entry = found.setdefault(t.id, (t, "multifidus", [], [], []))
                if level not in entry[2]:
                    entry[2].append(level)
                entry[3].append(root)
                entry[4].append(_lower_first(knowledge.muscle(group).name))
    for t, via, levels, roots, groups in found.values():
        plural = len(roots) > 1
        if via == "level":
            why = (f"works beside the spine at {_and(levels)}, where the {_and(roots)} "
                   f"root{'s leave' if plural else ' leaves'}")
        else:
            why = f"{_KIND_WORDS[t.kind]} {_and(groups)}, supplied by the {_and(roots)} root{'s' if plural else ''}"
        seen[t.id] = _technique_link(knowledge, t, via, tuple(levels), why)


def muscle_techniques(knowledge: Knowledge, muscle_id: str) -> tuple[TechniqueLink, ...]:
    """Techniques of the chain of a muscle: its own, then beside the spine at its levels.

    Parameters
    ----------
    knowledge : Knowledge
    muscle_id : str

    Returns
    -------
    tuple of TechniqueLink
        First the records naming the muscle (stretches first), then per paraspinal level of its
        main roots (cranial to caudal) the records working beside the spine there and those for
        the level's multifidus group; each technique once, with the first reason found.

    Examples
    --------
    >>> [t.kind for t in muscle_techniques(k, "gluteus_medius")][:2]      # doctest: +SKIP
    ['stretch', 'massage']
    """
    muscle = knowledge.muscle(muscle_id)
    seen: dict[str, TechniqueLink] = {}
    for part in knowledge.group_members(muscle_id):   # a muscle, or each part of a group
        for t in knowledge.techniques_for_muscle(part.id):
            seen.setdefault(t.id, _technique_link(knowledge, t, "muscle", (),
                                                  f"{_KIND_WORDS[t.kind]} {_lower_first(part.name)}"))
    by_level: dict[str, list[str]] = {}
    for r in muscle.roots:
        by_level.setdefault(root_exit(r).level, []).append(r)
    ordered = [(lv, tuple(by_level[lv])) for lv in LEVELS if lv in by_level]
    _techniques_at_levels(knowledge, ordered, seen)
    return tuple(seen.values())


def level_techniques(knowledge: Knowledge, level: str) -> tuple[TechniqueLink, ...]:
    """Techniques at a paraspinal level: beside the spine there, then for its multifidus groups."""
    _check_level(level)
    seen: dict[str, TechniqueLink] = {}
    roots = tuple(e.root for e in roots_exiting_at(level))
    _techniques_at_levels(knowledge, [(level, roots)], seen)
    return tuple(seen.values())


# ----------------------------------------------------------------------------------------------
# select_muscle


def select_muscle(knowledge: Knowledge, muscle_id: str, side: str = "both") -> Selection:
    """The chain from a painful muscle to roots, foramina, multifidus and points.

    Parameters
    ----------
    knowledge : Knowledge
    muscle_id : str
        Muscle id without side, e.g. ``"gluteus_medius"``, or a group id (``"hamstrings"``,
        ``"rotator_cuff"``: :meth:`~viewer.knowledge.Knowledge.resolve_muscle` turns a typed
        name into one), which selects every part and unites their chains.
    side : {"left", "right", "both"}

    Returns
    -------
    Selection

    Raises
    ------
    KeyError
        For an unknown muscle id.
    ValueError
        For an unknown side.

    Examples
    --------
    >>> sel = select_muscle(k, "gluteus_medius", "left")                  # doctest: +SKIP
    >>> [r.root for r in sel.roots]                                        # doctest: +SKIP
    ['L4', 'L5', 'S1']
    >>> [m.id for m in select_muscle(k, "hamstrings").members]             # doctest: +SKIP
    ['biceps_femoris', 'semitendinosus', 'semimembranosus']
    """
    muscle = knowledge.muscle(muscle_id)
    members = knowledge.group_members(muscle_id)
    sides = sides_of(side)

    def names(root: str, alternative: bool = False) -> tuple[str, tuple[str, ...]]:
        parts = [m for m in members if root in (m.alternative_roots if alternative else m.roots)]
        text = ", ".join(m.name.lower() for m in parts)
        return text, tuple(dict.fromkeys(s for m in parts for s in m.sources))

    roots = []
    for r in muscle.roots:
        text, srcs = names(r)
        roots.append(RootLink(r, True, root_exit(r), f"{r}: root of {text} per {knowledge.cite(srcs)}", srcs))
    roots = tuple(roots)
    alternative = []
    for r in muscle.alternative_roots:
        alts = [a for a in muscle.roots_alt if r in a.roots]
        srcs = tuple(dict.fromkeys(s for a in alts for s in a.sources))
        text, _ = names(r, alternative=True)
        alternative.append(RootLink(
            r, False, root_exit(r),
            f"{r}: named for {text} only by {knowledge.cite(srcs)}: {alts[0].note}", srcs))
    multifidus: list[MultifidusLink] = []
    gaps: list[Gap] = []
    for r in muscle.roots:
        link = _multifidus_for_root(knowledge, r, sides)
        if isinstance(link, Gap):
            gaps.append(link)
        elif all(m.muscle_id != link.muscle_id for m in multifidus):
            multifidus.append(link)
    levels = _ordered_levels(link.exit.level for link in roots)
    paraspinal, line_gaps = _paraspinal(knowledge, levels)
    gaps.extend(line_gaps)

    by_meridian: dict[str, list[str]] = {}
    local = []
    seen_points: set[str] = set()
    for part in members:
        for p in knowledge.points_on_muscle(part.id):
            if p.code in seen_points:
                continue
            seen_points.add(p.code)
            local.append(_point_link(knowledge, p, knowledge.line_of(p.code),
                                     f"its record lists {part.name.lower()} under the point"))
            by_meridian.setdefault(p.meridian, []).append(p.code)
    meridians = tuple(
        MeridianLink(m, tuple(codes),
                     f"{knowledge.meridian(m).english} crosses {muscle.name.lower()}: {', '.join(codes)} on or near it")
        for m, codes in by_meridian.items()
    )
    point_codes = tuple(dict.fromkeys([p.code for p in paraspinal] + [p.code for p in local]))
    highlight = Highlight(
        structures=_structures(
            (f"{part.id}_{s}" for part in members for s in sides),
            (f"root_{r.root}_{s}" for r in roots for s in sides),
            (_vertebra_acronym(lv) for lv in levels),
            (a for m in multifidus for a in m.acronyms),
        ),
        points=point_codes,
        meridians=tuple(dict.fromkeys([*by_meridian, *(knowledge.point(c).meridian for c in point_codes)])),
    )
    return Selection(
        muscle=muscle,
        side=side,
        roots=roots,
        alternative_roots=tuple(alternative),
        multifidus=tuple(multifidus),
        paraspinal=paraspinal,
        meridians=meridians,
        local_points=tuple(local),
        gaps=tuple(gaps),
        highlight=highlight,
        members=members,
        techniques=muscle_techniques(knowledge, muscle.id),
    )


# ----------------------------------------------------------------------------------------------
# reverse views


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise KeyError(f"unknown level {level!r}; expected 'occiput', C1-C7, T1-T12, L1-L5, S1-S4 or Co")


def select_level(knowledge: Knowledge, level: str, side: str = "both") -> LevelSelection:
    """Reverse view from a paraspinal level (e.g. ``"L4"``, ``"C7"``, ``"S1"``).

    Returns the roots whose foramen opens at the level's lower border, the myotome muscles
    (main and alternative roots kept apart), the multifidus groups, and every point whose
    ``segment`` is the level (paraspinal points with their line).
    """
    _check_level(level)
    sides = sides_of(side)
    exits = roots_exiting_at(level)
    roots = [e.root for e in exits]
    muscles = _unique(m for r in roots for m in knowledge.muscles_with_root(r))
    alt = _unique(m for r in roots for m in knowledge.muscles_with_root(r, alternative=True) if m not in muscles)
    multifidus, gaps = _multifidus_all(knowledge, roots, sides)
    points = tuple(_point_link(knowledge, p, knowledge.line_of(p.code)) for p in knowledge.points_at(level))
    _, line_gaps = _paraspinal(knowledge, [level])
    highlight = Highlight(
        structures=_structures(
            [_vertebra_acronym(level)],
            (f"root_{r}_{s}" for r in roots for s in sides),
            (a for m in multifidus for a in m.acronyms),
        ),
        points=tuple(p.code for p in points),
        meridians=tuple(dict.fromkeys(knowledge.point(p.code).meridian for p in points)),
    )
    return LevelSelection(level, exits, muscles, alt, multifidus, points, gaps + line_gaps, highlight,
                          level_techniques(knowledge, level))


def select_root(knowledge: Knowledge, root: str, side: str = "both") -> RootSelection:
    """Reverse view from a root: muscles supplied (main roots and alternatives apart), where the
    root leaves the spine, its multifidus group and the points at its paraspinal level."""
    exit_ = root_exit(root)
    sides = sides_of(side)
    muscles = knowledge.muscles_with_root(root)
    alt = knowledge.muscles_with_root(root, alternative=True)
    multifidus, gaps = _multifidus_all(knowledge, [root], sides)
    points, line_gaps = _paraspinal(knowledge, [exit_.level])
    highlight = Highlight(
        structures=_structures(
            (f"root_{root}_{s}" for s in sides),
            [_vertebra_acronym(exit_.level)],
            (a for m in multifidus for a in m.acronyms),
            (f"{m.id}_{s}" for m in muscles for s in sides if not m.id.startswith("multifidus_")),
        ),
        points=tuple(p.code for p in points),
        meridians=tuple(dict.fromkeys(knowledge.point(p.code).meridian for p in points)),
    )
    return RootSelection(root, exit_, muscles, alt, multifidus, points, gaps + line_gaps, highlight,
                         level_techniques(knowledge, exit_.level))


def select_point(knowledge: Knowledge, code: str) -> PointSelection:
    """Reverse view from a point: segment, roots at that level, muscles under it, meridian,
    cautions and the location rule in words."""
    point = knowledge.point(code)
    meridian = knowledge.meridian(point.meridian)
    muscles = tuple(knowledge.muscle(m) for m in point.muscles)
    roots = roots_exiting_at(point.segment) if point.segment else ()
    vertebra = _vertebra_acronym(point.segment) if point.segment else None
    highlight = Highlight(
        structures=_structures([vertebra], (f"{m.id}_{s}" for m in muscles for s in PAIRED_SIDES)),
        points=(point.code,),
        meridians=(meridian.id,),
    )
    return PointSelection(
        point=point,
        meridian=meridian,
        segment=point.segment,
        line=knowledge.line_of(code),
        roots=roots,
        muscles=muscles,
        cautions=point.cautions,
        location_text=describe_location(point),
        highlight=highlight,
    )


def describe_location(point: Point) -> str:
    """The location rule of a point in words, followed by the record's own description."""
    loc = point.location
    words = lambda s: s.replace("_", " ")  # noqa: E731
    if loc.toward is not None and loc.fraction is not None:
        text = f"{loc.fraction:.0%} of the way from the {words(loc.landmark)} to the {words(loc.toward)}"
    else:
        text = f"at the {words(loc.landmark)}"
    if loc.offsets:
        steps = ", ".join(f"{o.cun:g} cun {o.direction}" for o in loc.offsets)
        text += f", then {steps}"
        if loc.reference_line:
            text += f" from the {words(loc.reference_line)}"
    if loc.scale:
        text += f" (proportional cun: {words(loc.scale)})"
    side = "on both sides" if loc.side == "bilateral" else "on the midline"
    text += f"; {side}, {loc.surface} surface."
    return f"{point.code}: {text} {loc.description}".strip()


def _unique(items: Iterable[Muscle]) -> tuple[Muscle, ...]:
    seen: dict[str, Muscle] = {}
    for m in items:
        seen.setdefault(m.id, m)
    return tuple(seen.values())


def _multifidus_all(
    knowledge: Knowledge, roots: Iterable[str], sides: tuple[str, ...]
) -> tuple[tuple[MultifidusLink, ...], tuple[Gap, ...]]:
    links: list[MultifidusLink] = []
    gaps: list[Gap] = []
    for r in roots:
        link = _multifidus_for_root(knowledge, r, sides)
        (gaps if isinstance(link, Gap) else links).append(link)
    return tuple(links), tuple(gaps)
