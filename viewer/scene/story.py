"""The story of a compressed root: which disc narrows, which root is pinched, which muscles answer.

Pure functions on a :class:`~viewer.knowledge.Knowledge` (no panel, no browser): the Patient-mode
control (:mod:`viewer.app.story_control`) asks :func:`story_for` what to show and
:func:`view_message` for the small message the 3D view animates.

The model the story uses (facts cited per constant below):

- The disc of a paraspinal level is the one **below** the vertebra of that level (level L4 ->
  disc L4-L5), the same convention as :mod:`viewer.selection`: the foramen that opens at the lower
  border of L4 lies beside the L4-L5 disc.
- Roots leave the spine **above** the vertebra of their number in the neck (the C5-C6 foramen
  carries C6), C8 between C7 and T1, and **below** it in the chest and lower back (the L4-L5
  foramen carries L4).
- The story shows *foraminal* narrowing: the space loses height, the foramen beside the disc
  shrinks and the **exiting** root (the one leaving through that foramen) is squeezed. In the
  lower back and chest a posterolateral disc bulge usually catches the **traversing** root instead
  (at L4-L5 the L5 root, crossing the back of the disc to leave one level lower); the note for
  students and practitioners says so. In the neck the root at the foramen is also the one a
  posterolateral bulge presses on, so there is no traversing root to mention.
- S1 has no disc at its own (sacral) foramen: its story is the traversing one at L5-S1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from viewer.knowledge import ROOTS, SEGMENTS, Knowledge, Muscle
from viewer.selection import LEVELS, root_exit, roots_exiting_at

from .style import CAMERAS

__all__ = [
    "STAGES",
    "Caption",
    "Story",
    "disc_below",
    "exiting_roots",
    "traversing_root",
    "story_for_level",
    "story_for_root",
    "story_roots_of_muscle",
    "story_for",
    "no_story_reason",
    "stage_at",
    "caption_at",
    "column_above",
    "view_message",
]

#: Where each root leaves the spine (above its vertebra in the neck, C8 at C7-T1, below it from
#: T1 down), and that the disc forms the front wall of the foramen beside it.
EXIT_SOURCES = ("gray42",)
#: Loss of disc height lowers the pedicle above and narrows the foramen, squeezing the exiting
#: root; a posterolateral lumbar disc herniation usually affects the traversing root (L4-L5 -> L5),
#: a far-lateral (foraminal) one the exiting root (L4-L5 -> L4).
LUMBAR_DISC_SOURCES = ("bogduk2005",)
#: In the neck a posterolateral disc bulge or a narrowed foramen presses on the root of the
#: foramen beside the disc (C5-C6 -> C6); thoracic disc protrusions are uncommon and tend to press
#: centrally, on the cord.
CERVICAL_THORACIC_DISC_SOURCES = ("gray42",)

#: Stages of the story in order: id and the narrowing (0..1) from which it is told. ``recovery``
#: has no threshold: it is told while the space opens again.
STAGES: tuple[tuple[str, float | None], ...] = (
    ("healthy", 0.0),
    ("narrowing", 0.05),
    ("pinched", 0.45),
    ("muscles", 0.8),
    ("recovery", None),
)

#: Regions whose muscles a patient feels far from the spine: named first in the captions.
_LIMB_REGIONS = ("arm", "leg", "hip", "shoulder", "trunk", "neck", "back")


@dataclass(frozen=True)
class Caption:
    """One stage of the story in plain words.

    Attributes
    ----------
    stage : str
        A stage id of :data:`STAGES`.
    at : float or None
        The narrowing (0..1) from which it is shown; None for ``recovery``.
    title, text : str
        Plain text (the view sets it as text, never as HTML).
    sources : tuple of str
        Source ids for the facts the caption states.
    """

    stage: str
    at: float | None
    title: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Story:
    """What narrows, what is pinched and what answers, at one intervertebral space.

    Attributes
    ----------
    level : str
        Paraspinal level: the vertebra above the disc (``"L4"``).
    space : str
        The space in words, ``"L4-L5"``.
    disc : str
        Atlas acronym of the disc, ``"disc_L4_L5"``.
    upper, lower : str
        Atlas acronyms of the vertebra above and the bone below (``"L4"``, ``"L5"``;
        ``"sacrum"`` under L5).
    exiting : tuple of str
        Roots leaving through the foramen beside the disc (``("L4",)``).
    traversing : str or None
        The root crossing the back of the disc to leave one level lower (lumbar and thoracic);
        None in the neck.
    pinched : str
        The root the story squeezes.
    model : str
        ``"exiting"`` (foraminal narrowing) or ``"traversing"`` (a posterolateral bulge).
    muscles : tuple of str
        Muscle ids supplied by the pinched root (its main roots in the knowledge base).
    captions : tuple of Caption
        One per stage of :data:`STAGES`, in order.
    note : str
        For students and practitioners: the model shown and the other one.
    sources : tuple of str
        Every source the story cites.
    """

    level: str
    space: str
    disc: str
    upper: str
    lower: str
    exiting: tuple[str, ...]
    traversing: str | None
    pinched: str
    model: str
    muscles: tuple[str, ...]
    captions: tuple[Caption, ...]
    note: str
    sources: tuple[str, ...]


# ----------------------------------------------------------------------------------------------
# the anatomy table


def _below(level: str) -> str | None:
    """The bone under the vertebra ``level`` (``"L5"`` -> ``"S1"``); None where there is none."""
    if level not in SEGMENTS or level == "Co" or level[0] not in "CTL":
        return None
    return SEGMENTS[SEGMENTS.index(level) + 1]


def disc_below(level: str) -> str | None:
    """Atlas acronym of the disc under the vertebra of a paraspinal level, or None.

    C1 has no disc under it (the atlas turns on the axis at synovial joints) and the sacrum and
    coccyx are fused, so only C2..L5 have one.

    >>> disc_below("L4"), disc_below("C7"), disc_below("L5"), disc_below("C1")
    ('disc_L4_L5', 'disc_C7_T1', 'disc_L5_S1', None)
    """
    if level not in LEVELS:
        raise KeyError(f"unknown level {level!r}; expected 'occiput', C1-C7, T1-T12, L1-L5, S1-S4 or Co")
    below = _below(level)
    if below is None or level == "C1":
        return None
    return f"disc_{level}_{below}"


def exiting_roots(level: str) -> tuple[str, ...]:
    """Roots leaving through the foramen at the lower border of the vertebra ``level``.

    >>> exiting_roots("C5"), exiting_roots("C7"), exiting_roots("L4")
    (('C6',), ('C8',), ('L4',))
    """
    return tuple(e.root for e in roots_exiting_at(level))


def traversing_root(level: str) -> str | None:
    """The root that crosses the back of the disc under ``level`` to leave one level lower
    (thoracic and lumbar: L4 -> L5, L5 -> S1, T12 -> L1); None in the neck, where each root leaves
    beside the disc above its own vertebra."""
    if disc_below(level) is None or level[0] == "C":
        return None
    exiting = exiting_roots(level)
    return ROOTS[ROOTS.index(exiting[-1]) + 1]


def _lower_bone(level: str) -> str:
    below = _below(level)
    return "sacrum" if below == "S1" else below


def _name_list(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _example_muscles(muscles: Sequence[Muscle], limit: int = 3) -> str:
    """A few muscle names for a caption, limb muscles first (felt far from the spine)."""
    order = {r: i for i, r in enumerate(_LIMB_REGIONS)}
    chosen = sorted(muscles, key=lambda m: order.get(m.region, len(order)))[:limit]
    names = [m.name[0].lower() + m.name[1:] for m in chosen]
    more = len(muscles) - len(chosen)
    text = _name_list(names)
    return text + (f" and {more} more" if more > 0 else "")


def _muscle_sources(muscles: Iterable[Muscle]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for m in muscles for s in m.sources))


def _captions(space: str, bones: str, root: str, model: str,
              muscles: Sequence[Muscle], disc_sources: tuple[str, ...]) -> tuple[Caption, ...]:
    if model == "exiting":
        healthy = (f"Between {bones} sits a disc, a tough cushion that keeps them apart. Beside it the "
                   f"{root} nerve root leaves the spine through a small opening, the foramen.")
        pinched = (f"The opening beside the disc gets smaller too, and the {root} root is squeezed "
                   "where it passes through. A pinched root can ache, tingle or feel numb along its path.")
    else:
        healthy = (f"Between {bones} sits a disc, a tough cushion that keeps them apart. The {root} nerve "
                   "root runs down behind it on its way to its own opening lower down.")
        pinched = (f"The flattened disc bulges backward and to the side and presses on the {root} root "
                   "where it crosses. A pinched root can ache, tingle or feel numb along its path.")
    stages = {
        "healthy": ("A healthy space", healthy, EXIT_SOURCES),
        "narrowing": ("The space narrows",
                      f"If the disc dries out and flattens (with age, strain or injury), the {space} space "
                      "loses height and the disc bulges a little at its edges.", disc_sources),
        "pinched": ("The root is pinched", pinched, disc_sources),
        "muscles": ("The muscles answer",
                    (f"The muscles the {root} root supplies, such as {_example_muscles(muscles)}, can "
                     "tighten, tire or weaken, and this may be felt far from the spine.") if muscles else
                    (f"The {root} root supplies no muscle named in Radix; the skin it serves may tingle "
                     "or feel numb."), _muscle_sources(muscles)),
        "recovery": ("The space opens again",
                     f"When the pressure eases, the space opens, the {root} root is freed and the muscles "
                     "it supplies can relax again.", ()),
    }
    return tuple(Caption(stage, at, *stages[stage]) for stage, at in STAGES)


def _note(level: str, space: str, exiting: tuple[str, ...], traversing: str | None,
          pinched: str, model: str) -> tuple[str, tuple[str, ...]]:
    """The sentence for students and practitioners: the model shown and the other one."""
    out = " and ".join(exiting)
    if level[0] == "C":
        rule = (f"In the neck C1-C7 leave above the vertebra of their number; C8 has no vertebra of "
                f"its own and leaves between C7 and T1, so the {space} foramen carries C8."
                if "C8" in exiting else
                f"In the neck a root leaves above the vertebra of its number, so the {space} foramen "
                f"carries {out}.")
        return (f"{rule} A bulge of the {space} disc toward the back and side presses on the same "
                f"{out} root, so both pictures agree here.",
                EXIT_SOURCES + CERVICAL_THORACIC_DISC_SOURCES)
    if level[0] == "T":
        return (f"In the chest a root leaves below the vertebra of its number, so the {space} foramen "
                f"carries {out}; this picture narrows that foramen. Thoracic disc protrusions are "
                f"uncommon and tend to press centrally, on the spinal cord; one toward the back and "
                f"side would reach {traversing}, which passes the disc on its way down.",
                EXIT_SOURCES + CERVICAL_THORACIC_DISC_SOURCES)
    if model == "traversing":
        return (f"This picture follows the {pinched} root, which crosses the back of the {space} disc "
                f"on its way to the sacral foramen: a bulge toward the back and side of this disc "
                f"usually catches it. The root leaving through the {space} foramen is {out}; it is "
                f"squeezed when the foramen itself narrows or the bulge lies far out to the side.",
                EXIT_SOURCES + LUMBAR_DISC_SOURCES)
    return (f"This picture shows foraminal narrowing: the {space} space loses height and {out}, the "
            f"root leaving through the foramen beside this disc, is squeezed. The commoner bulge "
            f"toward the back and side of the {space} disc catches {traversing} instead, which "
            f"crosses the disc to leave one level lower (a bulge far out to the side catches {out}).",
            EXIT_SOURCES + LUMBAR_DISC_SOURCES)


def _story(knowledge: Knowledge, level: str, pinched: str, model: str) -> Story:
    disc = disc_below(level)
    lower = _lower_bone(level)
    below = _below(level)
    space = f"{level}-{below}"
    exiting = exiting_roots(level)
    traversing = traversing_root(level)
    lumbar = level[0] == "L"
    disc_sources = LUMBAR_DISC_SOURCES if lumbar else CERVICAL_THORACIC_DISC_SOURCES
    muscles = knowledge.muscles_with_root(pinched)
    bones = (f"the {level} vertebra and the sacrum" if lower == "sacrum"
             else f"the {level} and {below} vertebrae")
    captions = _captions(space, bones, pinched, model, muscles, disc_sources)
    note, note_sources = _note(level, space, exiting, traversing, pinched, model)
    sources = tuple(dict.fromkeys((*note_sources, *(s for c in captions for s in c.sources))))
    return Story(level, space, disc, level, lower, exiting, traversing, pinched, model,
                 tuple(m.id for m in muscles), captions, note, sources)


def story_for_level(knowledge: Knowledge, level: str) -> Story | None:
    """The story at the disc under the vertebra ``level``: its exiting root is pinched.

    None where there is no disc (occiput, C1, sacral levels, coccyx).
    """
    if disc_below(level) is None:
        return None
    return _story(knowledge, level, exiting_roots(level)[-1], "exiting")


def story_for_root(knowledge: Knowledge, root: str) -> Story | None:
    """The story of one root: the disc beside its own foramen (exiting model); for S1, whose
    sacral foramen has no disc, the L5-S1 disc it crosses (traversing model). None for roots with
    neither (C1, C2, S2-S5, Co1)."""
    exit_ = root_exit(root)
    if exit_.level in LEVELS and disc_below(exit_.level) is not None:
        return _story(knowledge, exit_.level, root, "exiting")
    if root == "S1":
        return _story(knowledge, "L5", "S1", "traversing")
    return None


def story_roots_of_muscle(knowledge: Knowledge, muscle_id: str) -> tuple[str, ...]:
    """The main roots of a muscle that have a story, cranial to caudal."""
    muscle = knowledge.muscle(muscle_id)
    return tuple(r for r in muscle.roots if story_for_root(knowledge, r) is not None)


def story_for(knowledge: Knowledge, muscle: str | None = None, level: str | None = None,
              root: str | None = None, choice: str | None = None) -> Story | None:
    """The story of the app's subject (muscle, else root, else level, as :func:`compose_scene`).

    With a muscle, ``choice`` names which of its roots (:func:`story_roots_of_muscle`) to follow;
    the first one by default.
    """
    if muscle:
        roots = story_roots_of_muscle(knowledge, muscle)
        if not roots:
            return None
        return story_for_root(knowledge, choice if choice in roots else roots[0])
    if root:
        return story_for_root(knowledge, root)
    if level:
        return story_for_level(knowledge, level)
    return None


def no_story_reason(muscle: str | None = None, level: str | None = None, root: str | None = None) -> str:
    """Why a subject has no story, in plain words."""
    if muscle:
        return "None of this muscle's nerve roots leaves beside a disc, so there is no space to narrow."
    if root:
        return (f"The {root} root does not leave beside a disc (it leaves between the skull and the "
                "first vertebrae, or through the sacrum), so there is no space to narrow.")
    if level:
        return (f"There is no disc under {level}: the top two vertebrae turn on joints without one, "
                "and the bones of the sacrum and coccyx are fused.")
    return "Choose a level, a nerve root or a muscle first."


# ----------------------------------------------------------------------------------------------
# stages


def stage_at(amount: float, opening: bool = False) -> str | None:
    """The stage told at a narrowing ``amount`` (0 = healthy, 1 = narrowed); ``opening`` while the
    space opens again. None at 0 when nothing is told (the control rests).

    >>> stage_at(0.0), stage_at(0.3), stage_at(0.6), stage_at(1.0), stage_at(0.5, opening=True)
    (None, 'narrowing', 'pinched', 'muscles', 'recovery')
    """
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"amount must be between 0 and 1, got {amount!r}")
    if amount == 0.0:
        return None
    if opening:
        return "recovery"
    told = "healthy"
    for stage, at in STAGES:
        if at is not None and amount >= at:
            told = stage
    return told


def caption_at(story: Story, amount: float, opening: bool = False) -> Caption | None:
    """The caption of :func:`stage_at` for ``story``."""
    stage = stage_at(amount, opening)
    return next((c for c in story.captions if c.stage == stage), None)


# ----------------------------------------------------------------------------------------------
# the view message


def column_above(story: Story) -> tuple[str, ...]:
    """Atlas acronyms that ride down on the narrowed space: the vertebrae and discs above it, the
    skull and mandible, and the roots (both sides) that leave above it."""
    upper_index = SEGMENTS.index(story.upper)
    vertebrae = SEGMENTS[:upper_index + 1]
    discs = tuple(d for d in (disc_below(v) for v in vertebrae[:-1]) if d)
    roots = []
    for r in ROOTS:
        lv = root_exit(r).level
        if lv == "occiput" or (lv in SEGMENTS and SEGMENTS.index(lv) < upper_index):
            roots.extend((f"root_{r}_left", f"root_{r}_right"))
    return (*vertebrae, *discs, "skull", "mandible", *roots)


def _landmark(landmarks: Mapping[str, Sequence[float]], name: str) -> list[float] | None:
    pos = landmarks.get(name)
    return [round(float(v), 2) for v in pos] if pos is not None else None


def _axis(landmarks: Mapping[str, Sequence[float]], story: Story) -> list[float] | None:
    """Unit vector up the spine at the disc, from the body centres below and above it."""
    below = "S1" if story.lower == "sacrum" else story.lower
    top = landmarks.get(f"{story.upper}_body_center")
    bottom = landmarks.get(f"{below}_body_center")
    if top is None or bottom is None:
        return None
    d = [float(a) - float(b) for a, b in zip(top, bottom)]
    norm = sum(v * v for v in d) ** 0.5
    return [round(v / norm, 4) for v in d] if norm > 1e-6 else None


def view_message(story: Story | None, ids: Mapping[str, int], landmarks: Mapping[str, Sequence[float]],
                 sides: Iterable[str], amount: float = 0.0, opening: bool = False, play: int = 0,
                 colours: Mapping[str, str] | None = None) -> dict:
    """The ``compression`` message of :class:`viewer.app.view3d.BodyView` (ids and numbers only).

    Parameters
    ----------
    story : Story or None
        None gives ``{}``: no story, the view restores everything.
    ids : mapping
        Atlas acronym -> structure id of the structures the view shows; others are left out.
    landmarks : mapping
        Landmark name -> (x, y, z) mm; ``<V>_foramen_<side>`` places the pinch and
        ``<V>_body_center`` the spine axis (the view estimates both when they are missing).
    sides : iterable of str
        ``"left"``/``"right"``: the sides whose root and muscles take part.
    amount : float
        Narrowing, 0 (healthy) to 1.
    opening : bool
        The space is opening again (the slider moved down): tells the recovery caption.
    play : int
        A new number asks the view to play narrow -> hold -> recover once.
    colours : mapping, optional
        ``{"disc", "root", "muscle"}`` colours of the story.

    Returns
    -------
    dict
        ``{disc, upper, axis, above, roots: [{id, at}], muscles, amount, opening, play,
        captions: [{stage, at, title, text}], colours, key, view}``; ``view`` is the camera
        direction the view frames the space from (a preset of :data:`viewer.scene.style.CAMERAS`).
    """
    if story is None:
        return {}
    sides = tuple(sides)

    def known(acronyms: Iterable[str]) -> list[int]:
        return [ids[a] for a in dict.fromkeys(acronyms) if a in ids]

    lower = "sacrum" if story.lower == "sacrum" else story.lower
    pinch_at = story.upper if story.model == "exiting" else None
    roots = [{"id": ids[f"root_{story.pinched}_{s}"],
              "at": _landmark(landmarks, f"{pinch_at}_foramen_{s}") if pinch_at else None}
             for s in sides if f"root_{story.pinched}_{s}" in ids]
    muscles = known(f"{m}_{s}" for m in story.muscles for s in sides)
    first_side = next((s for s in sides if f"root_{story.pinched}_{s}" in ids), None)
    return {
        "key": f"{story.disc}:{story.pinched}:{','.join(sides)}",
        "disc": ids.get(story.disc),
        "upper": ids.get(story.upper),
        "lower": ids.get(lower),
        "axis": _axis(landmarks, story),
        "above": known(a for a in column_above(story) if a != story.upper),
        "roots": roots,
        "muscles": muscles,
        "amount": round(min(max(float(amount), 0.0), 1.0), 3),
        "opening": bool(opening),
        "play": int(play),
        "captions": [{"stage": c.stage, "at": c.at, "title": c.title, "text": c.text} for c in story.captions],
        "colours": dict(colours or {}),
        "view": list(CAMERAS["story_right" if first_side == "right" else "story_left"].direction),
    }
