"""The plain words shown with a scene, shared by the app's panel and the handout: the notice,
caution names, side names, needling in words and the patient's story of a selection.

Plain text only (the HTML that wraps them escapes them). Pure: no panel, no pyvista.
"""

from __future__ import annotations

from collections.abc import Sequence

from viewer.atlas import MIDLINE

NOTICE = "For education and treatment planning, not for diagnosis."

#: Display names of caution kinds (``cautions[].kind`` in points.json).
CAUTION_NAMES: dict[str, str] = {
    "pneumothorax": "Pneumothorax",
    "spinal_canal": "Spinal canal",
    "major_vessel": "Major vessel",
    "nerve": "Nerve",
    "kidney": "Kidney",
    "viscera": "Viscera",
    "eye": "Eye",
    "pregnancy": "Pregnancy",
    "other": "Caution",
    # the manual techniques' cautions (techniques.json)
    "acute_injury": "Acute injury",
    "anticoagulants": "Anticoagulants",
    "fever_infection": "Fever or infection",
    "hypermobility": "Hypermobility",
    "joint_replacement": "Joint replacement",
    "nerve_or_artery": "Nerve or artery",
    "organs": "Organs",
    "osteoporosis": "Osteoporosis",
    "over_spine": "Over the spine",
    "radiating_symptoms": "Radiating symptoms",
    "skin_lesions": "Skin",
    "varicose_veins": "Varicose veins",
}

#: The same in plain words, for patient mode.
CAUTION_PLAIN: dict[str, str] = {
    "pneumothorax": "The lung lies close under the skin here",
    "spinal_canal": "Close to the spinal canal",
    "major_vessel": "A large blood vessel runs here",
    "nerve": "A nerve runs close by",
    "kidney": "The kidney lies deep to this spot",
    "viscera": "Organs lie beneath",
    "eye": "Close to the eye",
    "pregnancy": "Avoided in pregnancy",
    "other": "Needs care",
    "acute_injury": "Not on a fresh injury",
    "anticoagulants": "If you take blood thinners",
    "fever_infection": "Not while you are unwell",
    "hypermobility": "If your joints are very flexible",
    "joint_replacement": "If you have a joint replacement",
    "nerve_or_artery": "A nerve or blood vessel runs close by",
    "organs": "Organs lie beneath",
    "osteoporosis": "If your bones are thin",
    "over_spine": "Beside the spine, not on it",
    "radiating_symptoms": "Stop if pain or tingling spreads",
    "skin_lesions": "Only on healthy skin",
    "varicose_veins": "Not over varicose veins",
}

PLACEMENT_WORDS = {"placed_checked": "placed and checked", "placed": "placed", "not_placed": "not placed"}

#: A plan item's side, as a handout sentence says it and as a short tag.
SIDE_WORDS: dict[str, str] = {"left": "left side", "right": "right side", "both": "both sides",
                              MIDLINE: "on the midline"}
SIDE_TAGS: dict[str, str] = {"left": "left", "right": "right", "both": "both sides", MIDLINE: "midline"}

NO_CAUTION = "No specific caution in the records; the usual needling safety applies."

#: Said wherever candidate roots or muscles ranked from symptom marks are shown (the app's
#: "Where does it hurt?" panel, the handout).
SYMPTOMS_NOTICE = ("For education, not a diagnosis: the list orders the roots and muscles your marks are "
                   "compatible with. See a professional about any symptom.")
#: A symptom mark's kind in words, and the letter of its short name (``P1``, ``T2``).
MARK_WORDS: dict[str, str] = {"pain": "Pain", "tingling": "Tingling or numbness"}
MARK_LETTERS: dict[str, str] = {"pain": "P", "tingling": "T"}

#: A technique's kind as a title (``techniques.json`` ``kind``).
TECHNIQUE_KIND_TITLES: dict[str, str] = {"stretch": "Stretch", "massage": "Massage", "acupressure": "Acupressure",
                                         "cupping": "Cupping", "gua_sha": "Gua sha"}


def mark_names(marks) -> list[str]:
    """Short names of symptom marks (objects with a ``kind``), numbered within their kind as the
    ranking's reasons number them ("pain mark 1" is ``P1``).

    >>> from types import SimpleNamespace as M
    >>> mark_names([M(kind="pain"), M(kind="tingling"), M(kind="pain")])
    ['P1', 'T1', 'P2']
    """
    seen: dict[str, int] = {}
    out = []
    for m in marks:
        seen[m.kind] = seen.get(m.kind, 0) + 1
        out.append(f"{MARK_LETTERS[m.kind]}{seen[m.kind]}")
    return out


def candidate_strength(index: int, candidate) -> str:
    """How a ranked candidate (``weak`` and ``tied_with`` attributes) stands, in words.

    >>> from types import SimpleNamespace as C
    >>> candidate_strength(0, C(weak=False, tied_with=())), candidate_strength(1, C(weak=True, tied_with=()))
    ('best match', 'weak evidence')
    """
    if candidate.weak:
        return "weak evidence"
    if index == 0 and not candidate.tied_with:
        return "best match"
    return "tied" if candidate.tied_with else "also possible"


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def needling_text(point) -> str | None:
    """Depth and angle in words, e.g. ``0.8-1.2 cun, perpendicular``."""
    n = point.needling
    if n is None:
        return None
    parts = []
    if n.depth_cun:
        lo, hi = n.depth_cun
        parts.append(f"{lo:g}-{hi:g} cun deep" if lo != hi else f"{lo:g} cun deep")
    if n.angle:
        parts.append(n.angle.replace("_", " ").replace("oblique medial", "oblique, toward the midline")
                     .replace("oblique inferior", "oblique, pointing down"))
    text = ", ".join(parts)
    if n.notes:
        text = f"{text}. {n.notes}" if text else n.notes
    return text or None


def exit_words(exit_) -> str:
    """Where a root leaves the spine, in plain words."""
    if exit_.level == "occiput":
        return "between the skull and the top neck bone"
    if exit_.level == "Co":
        return "at the lower end of the sacrum"
    if exit_.level.startswith("S"):
        return f"through the {exit_.root} openings of the sacrum"
    a, b = exit_.foramen.split(" ")[0].split("-")
    return f"between the {a} and {b} vertebrae"


def patient_story(selection) -> list[str]:
    """Three or four plain sentences: how a squeezed root at these levels can make this muscle
    hurt. Names the levels; says nothing a record does not support."""
    m = selection.muscle
    roots = [r.root for r in selection.roots]
    if not roots:
        return [f"No nerve roots are recorded for {m.name.lower()} yet."]
    plural = len(roots) > 1
    story = [
        f"{m.name} gets its nerve supply from your spine: from the {join_words(roots)} nerve "
        f"root{'s' if plural else ''}, which leave{'' if plural else 's'} the spine at "
        f"{'those levels' if plural else 'that level'}.",
        "If one of these roots is squeezed where it leaves the spine, for example by a bulging disc, "
        "the muscle can ache, tighten or feel weak even though the muscle itself is not injured.",
    ]
    mf = [link.muscle_id.replace("multifidus_", "") for link in selection.multifidus]
    if mf:
        story.append(f"The small multifidus muscles beside the spine at {join_words(mf)} share these nerves "
                     "and often tighten too.")
    story.append("So a practitioner may check your back at these levels, not only where it hurts.")
    return story
