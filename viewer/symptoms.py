"""From what a person feels to the candidate roots and muscles: pain, tingling, weakness.

Pure like :mod:`viewer.selection`: functions of the knowledge and the body, no drawing, no
global state, nothing of panel or the browser. Every candidate carries plain sentences that name
the dermatome, the muscles and the sources, so the app can show its evidence; ties and weak
evidence are said in the reasons, not hidden. Education, not diagnosis: a ranking only orders
what the marks are compatible with.

- **Tingling or numbness** on the skin points to the roots whose dermatome holds the mark
  (``assets/knowledge/dermatomes.json``: Lee et al. 2008, ISNCSCI 2019); a mark on a root's
  ISNCSCI key sensory point counts a little more. Where dermatomes overlap, each root sharing the
  mark gets a share and the overlap is said.
- **Pain** on the skin counts for the dermatomes too, at half the weight of tingling (pain is
  referred from muscles and joints as well as from roots); :func:`rank_muscles` ranks the muscles
  under a painted area (atlas geometry) and those known to refer pain there
  (``assets/knowledge/pain_patterns.json``, Travell and Simons).
- **Weakness** names muscles (``"extensor_hallucis_longus"``, ``"tibialis_anterior_left"``, a
  group such as ``"hamstrings"``) or ISNCSCI key muscles (``"long_toe_extensors"``). A key muscle
  counts fully for its root; any other muscle for each of its main roots, less for roots only
  some sources name.

Positions are ``(x, y, z)`` in mm in the atlas frame (+X the subject's left); the side of a mark
follows from x. Scores add up per root and side; they order candidates and mean nothing alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from viewer.body_regions import (
    NEAR_SKIN_MM,
    Location,
    SkinMap,
    dermatomes_at,
    in_region,
    skin_map,
)
from viewer.knowledge import ROOTS, Dermatome, Knowledge

__all__ = [
    "SymptomInputError",
    "RootCandidate",
    "MuscleCandidate",
    "rank_roots",
    "rank_muscles",
    "weakness_entry",
    "mark_places",
    "dermatomes_at",
    "body_of",
]

#: Weights of the evidence (see the module docstring).
TINGLING_WEIGHT = 1.0
PAIN_WEIGHT = 0.5
KEY_POINT_BONUS = 0.5
KEY_POINT_MM = 25.0
KEY_MUSCLE_WEIGHT = 1.0
OTHER_ROOT_OF_KEY_MUSCLE = 0.5
MUSCLE_ROOT_WEIGHT = 0.6
ALTERNATIVE_ROOT_WEIGHT = 0.2
UNDER_MARK_MM = 45.0
REFERRED_WEIGHT = 0.8

#: Below this score a candidate is called weak evidence.
WEAK_BELOW = 1.0

_DIGIT_NAMES = {
    "finger": ("thumb", "index finger", "middle finger", "ring finger", "little finger"),
    "toe": ("big toe", "second toe", "third toe", "fourth toe", "little toe"),
}
_PART_NAMES = {"arm": "upper arm", "leg": "lower leg", "trunk": "trunk", "head": "head",
               "neck": "neck", "forearm": "forearm", "hand": "hand", "thigh": "thigh", "foot": "foot"}


class SymptomInputError(ValueError):
    """Bad symptom input, naming the input, the entry and what is wrong with it."""


@dataclass(frozen=True)
class RootCandidate:
    """A root the symptoms are compatible with.

    Attributes
    ----------
    root : str
        e.g. ``"L5"``.
    side : str
        ``"left"``, ``"right"`` or ``"both"`` (midline marks, weakness given without a side).
    score : float
        Sum of the evidence; orders the candidates.
    reasons : tuple of str
        Plain sentences: which marks lie in its dermatome, which weak muscles it supplies, with
        sources; overlaps, ties and weak evidence said.
    sources : tuple of str
        Source ids behind the reasons.
    tied_with : tuple of str
        ``"root side"`` of the candidates with the same score.
    weak : bool
        True when the score is below :data:`WEAK_BELOW`.
    """

    root: str
    side: str
    score: float
    reasons: tuple[str, ...]
    sources: tuple[str, ...]
    tied_with: tuple[str, ...] = ()
    weak: bool = False


@dataclass(frozen=True)
class MuscleCandidate:
    """A muscle that may be the source of the pain (same fields as :class:`RootCandidate`, with
    ``muscle`` the muscle id without side)."""

    muscle: str
    side: str
    score: float
    reasons: tuple[str, ...]
    sources: tuple[str, ...]
    tied_with: tuple[str, ...] = ()
    weak: bool = False


# ----------------------------------------------------------------------------------------------
# input


def body_of(atlas) -> SkinMap:
    """The :class:`~viewer.body_regions.SkinMap` of ``atlas``, or ``atlas`` itself when it is one.

    Building a map reads the meshes (about two seconds); pass the map to the ranking functions
    when calling them often.
    """
    return atlas if isinstance(atlas, SkinMap) else skin_map(atlas)


def _positions(name: str, marks) -> np.ndarray:
    try:
        pts = np.asarray(list(marks), dtype=float)
    except (TypeError, ValueError):
        raise SymptomInputError(f"{name}: expected a sequence of (x, y, z) positions in mm") from None
    if pts.size == 0:
        return np.zeros((0, 3))
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise SymptomInputError(f"{name}: expected (x, y, z) positions in mm, got an array of shape {pts.shape}")
    bad = np.flatnonzero(~np.isfinite(pts).all(axis=1))
    if len(bad):
        raise SymptomInputError(f"{name}[{bad[0]}]: the position {tuple(pts[bad[0]])} is not a finite number")
    return pts


def _locate_named(names: Sequence[tuple[str, int]], pts: np.ndarray, body: SkinMap) -> Location:
    """Locate marks, raising for the first one far from the skin with its input name and index."""
    loc = body.locate(pts)
    far = np.flatnonzero(loc.distance > NEAR_SKIN_MM)
    if len(far):
        j = int(far[0])
        kind, i = names[j]
        x, y, z = pts[j]
        raise SymptomInputError(
            f"{kind}[{i}]: the position ({x:.0f}, {y:.0f}, {z:.0f}) mm is {loc.distance[j]:.0f} mm from the "
            f"skin; marks must lie on or within {NEAR_SKIN_MM:.0f} mm of the body")
    return loc


#: The trunk in words by the way the skin faces (back, front, side) and its height: above the
#: first landmark, above the second, below both.
_TRUNK_PLACES = {
    "back": (("T12_spinous_tip", "upper back"), ("iliac_crest_top", "lower back"), (None, "buttock")),
    "front": (("xiphisternal_junction", "chest"), ("pubic_symphysis_superior", "belly"), (None, "groin")),
    "side": (("T12_spinous_tip", "side of the chest"), ("iliac_crest_top", "flank"), (None, "hip")),
}


def _trunk_place(body: SkinMap | None, loc: Location, i: int) -> str:
    """The trunk in plainer words ("lower back", "buttock", "belly"), from the way the skin faces
    and the heights of landmarks; "trunk" where the body lacks them."""
    if body is None:
        return "trunk"
    around = float(loc.around[i]) % 360.0
    facing = "back" if 120.0 <= around <= 240.0 else "front" if around <= 60.0 or around >= 300.0 else "side"
    side = "right" if loc.side[i] == "right" else "left"
    z = float(loc.points[i][2])
    try:
        for landmark, place in _TRUNK_PLACES[facing]:
            if landmark is None or z > float(body.landmark(landmark, side)[2]):
                return place
    except KeyError:
        return "trunk"
    return "trunk"


def _where(loc: Location, i: int, body: SkinMap | None = None) -> str:
    side = loc.side[i]
    part = loc.part[i]
    if part in _DIGIT_NAMES:
        place = _DIGIT_NAMES[part][max(int(loc.digit[i]), 1) - 1]
    elif part == "trunk":
        place = _trunk_place(body, loc, i)
    else:
        place = _PART_NAMES.get(part, part)
    return f"the {place}" if side == "midline" else f"the {side} {place}"


def mark_places(atlas, marks: Sequence) -> tuple[str, ...]:
    """Where each mark lies, in words ("the left lower leg", "the right big toe").

    Parameters
    ----------
    atlas : Atlas or SkinMap
    marks : sequence of (x, y, z), mm

    Raises
    ------
    SymptomInputError
        For a position far from the body or not a position, naming it (``marks[i]``).
    """
    pts = _positions("marks", marks)
    if not len(pts):
        return ()
    body = body_of(atlas)
    loc = _locate_named([("marks", i) for i in range(len(pts))], pts, body)
    return tuple(_where(loc, i, body) for i in range(len(pts)))


def _sentence(text: str) -> str:
    """A record's sentence to go inside another: first letter lower case (unless it starts a name
    such as a root, ``L2``), no final full stop.

    >>> _sentence("Overlaps L2."), _sentence("L2 and L3 overlap.")
    ('overlaps L2', 'L2 and L3 overlap')
    """
    text = text.strip().rstrip(".")
    if len(text) > 1 and (text[1].isupper() or text[1].isdigit()):   # a root or code ("L2 and L3 ...")
        return text
    return text[:1].lower() + text[1:]


def _mark_side(side: str) -> str:
    return "both" if side == "midline" else side


# ----------------------------------------------------------------------------------------------
# dermatomes


def _near_key_point(body: SkinMap, dermatome: Dermatome, location: Location, index: int) -> bool:
    side = location.side[index]
    sides = ("left", "right") if side == "midline" else (side,)
    mark = location.points[index]
    return any(float(np.linalg.norm(mark - body.surface_level(dermatome.key_point.level, s))) <= KEY_POINT_MM
               for s in sides)


class _Tally:
    """Scores, reasons and sources per (name, side), in the order evidence arrives."""

    def __init__(self) -> None:
        self.score: dict[tuple[str, str], float] = {}
        self.reasons: dict[tuple[str, str], list[str]] = {}
        self.sources: dict[tuple[str, str], dict[str, None]] = {}

    def add(self, key: tuple[str, str], score: float, reason: str, sources: Iterable[str]) -> None:
        self.score[key] = self.score.get(key, 0.0) + score
        self.reasons.setdefault(key, []).append(reason)
        self.sources.setdefault(key, {}).update(dict.fromkeys(sources))

    def sides_of(self, name: str) -> list[str]:
        return [s for (n, s) in self.score if n == name]


def _mark_evidence(tally: _Tally, knowledge: Knowledge, body: SkinMap, names: Sequence[tuple[str, int]],
                   loc: Location) -> None:
    for i in range(len(loc.part)):
        kind, number = names[i]
        label = "Tingling or numbness" if kind == "tingling" else "Pain"
        weight = TINGLING_WEIGHT if kind == "tingling" else PAIN_WEIGHT
        found = dermatomes_at(knowledge, body, loc, i)
        where = _where(loc, i, body)
        roots = [d.root for d in found]
        for d in found:
            share = weight / len(found)
            reason = (f"{label} on {where} ({kind} mark {number + 1}) lies in the {d.root} dermatome: "
                      f"{_sentence(d.description)} ({knowledge.cite(d.sources)}).")
            others = [r for r in roots if r != d.root]
            if others:
                named = [o for o in d.overlaps if o.root in others]
                reason += (f" The mark lies where {' and '.join([d.root, *others])} overlap, so each gets a share"
                           + (f": {_sentence(named[0].note)} ({knowledge.cite(named[0].sources)})" if named else "")
                           + ".")
            if kind == "pain":
                reason += " Pain is a weaker sign of a root than tingling: muscles and joints refer pain too."
            sources = [*d.sources, *(s for o in d.overlaps if o.root in others for s in o.sources)]
            if _near_key_point(body, d, loc, i):
                share += KEY_POINT_BONUS
                reason += (f" It is on the ISNCSCI key sensory point of {d.root}: {_sentence(d.key_point.description)} "
                           f"({knowledge.cite(['asia2019'])}).")
                sources.append("asia2019")
            tally.add((d.root, _mark_side(loc.side[i])), share, reason, sources)


# ----------------------------------------------------------------------------------------------
# weakness


def weakness_entry(knowledge: Knowledge, name: str, index: int = 0) -> tuple[str, str, str]:
    """(kind, id, side) of a weakness entry: kind ``key`` (an ISNCSCI key muscle) or ``muscle``
    (a muscle or group id, side from a ``_left`` / ``_right`` ending, else ``both``).

    Raises
    ------
    SymptomInputError
        Naming ``weakness[index]`` for an entry that is no muscle, group or key muscle.
    """
    if not isinstance(name, str) or not name.strip():
        raise SymptomInputError(f"weakness[{index}]: expected a muscle id or an ISNCSCI key muscle id, got {name!r}")
    text = name.strip()
    if knowledge.has_key_muscle(text):
        return "key", text, "both"
    side = "both"
    for s in ("left", "right"):
        if text.endswith(f"_{s}") and knowledge.has_muscle(text[: -len(s) - 1]):
            text, side = text[: -len(s) - 1], s
    try:
        return "muscle", knowledge.resolve_muscle(text), side
    except KeyError:
        keys = ", ".join(k.id for k in knowledge.key_muscles)
        raise SymptomInputError(
            f"weakness[{index}]: unknown muscle {name!r}: not a muscle or muscle group of muscles.json, "
            f"nor an ISNCSCI key muscle ({keys})") from None


def _weakness_evidence(tally: _Tally, knowledge: Knowledge, weakness: Sequence[str]) -> None:
    if isinstance(weakness, str):
        raise SymptomInputError("weakness: expected a sequence of muscle ids, got one string")
    key_of = {m: k for k in knowledge.key_muscles for m in k.muscles}
    for index, name in enumerate(weakness):
        kind, ident, side = weakness_entry(knowledge, name, index)
        evidence: dict[str, tuple[float, str, tuple[str, ...]]] = {}
        if kind == "key":
            key = knowledge.key_muscle(ident)
            parts = ", ".join(knowledge.muscle(m).name.lower() for m in key.muscles) or "no muscle the atlas models"
            text = (f"Weak {key.name}: the ISNCSCI key muscle of {key.root} ({parts}; "
                    f"{knowledge.cite(key.sources)}).")
            evidence[key.root] = (KEY_MUSCLE_WEIGHT, text, key.sources)
        else:
            for muscle in knowledge.group_members(ident):
                key = key_of.get(muscle.id)
                for r in muscle.roots:
                    if key and r == key.root:
                        w = KEY_MUSCLE_WEIGHT
                        text = (f"Weak {muscle.name.lower()}: one of the {key.name}, the ISNCSCI key muscle of "
                                f"{r} ({knowledge.cite(key.sources)}); roots {', '.join(muscle.roots)} per "
                                f"{knowledge.cite(muscle.sources)}.")
                        srcs = (*key.sources, *muscle.sources)
                    else:
                        w = OTHER_ROOT_OF_KEY_MUSCLE if key else MUSCLE_ROOT_WEIGHT
                        text = (f"Weak {muscle.name.lower()}: supplied by {', '.join(muscle.roots)} per "
                                f"{knowledge.cite(muscle.sources)}"
                                + (f"; {key.root} is the level ISNCSCI tests it for." if key else "."))
                        srcs = muscle.sources
                    if w > evidence.get(r, (0.0,))[0]:
                        evidence[r] = (w, text, srcs)
                for alt in muscle.roots_alt:
                    for r in alt.roots:
                        if r not in evidence:
                            text = (f"Weak {muscle.name.lower()}: {r} is named only by "
                                    f"{knowledge.cite(alt.sources)} ({alt.note}).")
                            evidence[r] = (ALTERNATIVE_ROOT_WEIGHT, text, alt.sources)
        for root, (w, text, srcs) in evidence.items():
            sides = [side] if side != "both" else (tally.sides_of(root) or ["both"])
            for s in sides:
                tally.add((root, s), w, text, srcs)


# ----------------------------------------------------------------------------------------------
# ranking


def _finish(tally: _Tally, order: dict[str, int], make) -> tuple:
    scores = {k: round(v, 9) for k, v in tally.score.items()}
    keys = sorted(scores, key=lambda k: (-scores[k], order.get(k[0], 999), k[1]))
    by_score: dict[float, list[tuple[str, str]]] = {}
    for key in keys:
        by_score.setdefault(scores[key], []).append(key)
    out = []
    for key in keys:
        score = scores[key]
        reasons = list(tally.reasons[key])
        tied = tuple(f"{n} {s}" for (n, s) in by_score[score] if (n, s) != key)
        if tied:
            reasons.append(f"Tied with {', '.join(tied)}: the marks given do not tell them apart.")
        weak = score < WEAK_BELOW
        if weak:
            reasons.append("Weak evidence: one faint sign only; more marks or a muscle test would help.")
        out.append(make(key[0], key[1], score, tuple(reasons), tuple(tally.sources[key]), tied, weak))
    return tuple(out)


def rank_roots(knowledge: Knowledge, atlas, *, pain: Sequence = (), tingling: Sequence = (),
               weakness: Sequence[str] = ()) -> tuple[RootCandidate, ...]:
    """The roots the symptoms are compatible with, best first.

    Parameters
    ----------
    knowledge : Knowledge
    atlas : Atlas or SkinMap
        The body the marks were made on (a :class:`~viewer.body_regions.SkinMap` from
        :func:`~viewer.body_regions.skin_map` answers in about a millisecond; an
        :class:`~viewer.atlas.Atlas` is read first, about two seconds).
    pain, tingling : sequence of (x, y, z), mm
        Marks on or near the skin (atlas frame; the side follows from x).
    weakness : sequence of str
        Muscle ids (optionally with ``_left`` / ``_right``), muscle group names, or ISNCSCI key
        muscle ids (``"elbow_flexors"`` C5 ... ``"ankle_plantar_flexors"`` S1).

    Returns
    -------
    tuple of RootCandidate
        Best first; empty when there is no input.

    Raises
    ------
    SymptomInputError
        For a position far from the body or not a position, or an unknown muscle, naming it.

    Examples
    --------
    >>> body = skin_map(load_atlas("assets"))                                     # doctest: +SKIP
    >>> foot = body.on_skin([body.level(Level("toe_web_2_3", "ankle_crease_anterior_mid", 0.4), "left")])
    >>> best = rank_roots(k, body, tingling=foot, weakness=["long_toe_extensors"])[0]  # doctest: +SKIP
    >>> best.root, best.side                                                       # doctest: +SKIP
    ('L5', 'left')
    """
    pain_pts = _positions("pain", pain)
    tingling_pts = _positions("tingling", tingling)
    if isinstance(weakness, str):
        raise SymptomInputError("weakness: expected a sequence of muscle ids, got one string")
    if not len(pain_pts) and not len(tingling_pts) and not len(weakness):
        return ()
    body = body_of(atlas)
    tally = _Tally()
    marks = np.concatenate([tingling_pts, pain_pts])
    if len(marks):
        # One query for all marks; each mark keeps its kind and its number within the kind.
        names = [("tingling", i) for i in range(len(tingling_pts))] + [("pain", i) for i in range(len(pain_pts))]
        loc = _locate_named(names, marks, body)
        _mark_evidence(tally, knowledge, body, names, loc)
    _weakness_evidence(tally, knowledge, weakness)
    order = {r: i for i, r in enumerate(ROOTS)}
    return _finish(tally, order, RootCandidate)


def rank_muscles(knowledge: Knowledge, atlas, *, pain: Sequence = ()) -> tuple[MuscleCandidate, ...]:
    """The muscles that may cause the painted pain, best first.

    A muscle counts when it lies under a pain mark (within 45 mm, from the atlas geometry; the
    nearer the more) and when a mark lies in a zone where it is known to refer pain
    (``pain_patterns.json``).

    Parameters
    ----------
    knowledge : Knowledge
    atlas : Atlas or SkinMap
    pain : sequence of (x, y, z), mm

    Returns
    -------
    tuple of MuscleCandidate
        Best first; empty when there is no pain mark.

    Raises
    ------
    SymptomInputError
        For a position far from the body or not a position, naming it.

    Examples
    --------
    >>> rank_muscles(k, body, pain=[body.landmark("iliac_crest_top", "left")])[0].muscle  # doctest: +SKIP
    'gluteus_medius'
    """
    pts = _positions("pain", pain)
    if not len(pts):
        return ()
    body = body_of(atlas)
    loc = _locate_named([("pain", i) for i in range(len(pts))], pts, body)
    tally = _Tally()
    for i in range(len(pts)):
        where = _where(loc, i, body)
        side = loc.side[i]
        for acronym, dist in body.muscles_near(loc.skin[i], UNDER_MARK_MM):
            base, _, s = acronym.rpartition("_")
            if s not in ("left", "right") or not knowledge.has_muscle(base):
                continue
            muscle = knowledge.muscle(base)
            tally.add((base, s), 1.0 - dist / UNDER_MARK_MM,
                      f"{muscle.name} lies under the pain on {where} (pain mark {i + 1}), about {dist:.0f} mm "
                      "from the skin there (atlas geometry).", ())
        for pattern in knowledge.pain_patterns:
            if any(in_region(z, loc, i, body) for z in pattern.zones):
                muscle = knowledge.muscle(pattern.muscle)
                tally.add((pattern.muscle, _mark_side(side)), REFERRED_WEIGHT,
                          f"The pain on {where} (pain mark {i + 1}) lies where {muscle.name.lower()} is known to "
                          f"refer pain: {_sentence(pattern.description)} ({knowledge.cite(pattern.sources)}).",
                          pattern.sources)
    order = {m.id: i for i, m in enumerate(knowledge.muscles)}
    return _finish(tally, order, MuscleCandidate)
