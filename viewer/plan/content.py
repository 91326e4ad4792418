"""What a handout says: the plan's points as the handout reads them, the explanation of the
subject, the reasons, each point's lines and cautions, the sources cited. Plain text; the pictures
are :mod:`viewer.plan.pictures`' job and the pages :mod:`viewer.plan.layout`'s."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from viewer.atlas import PAIRED_SIDES
from viewer.scene import (
    SceneSpec,
    scene_spec,
)
from viewer.scene.body import Body, load_body
from viewer.scene.words import (
    CAUTION_NAMES,
    CAUTION_PLAIN,
    MARK_WORDS,
    NO_CAUTION,
    SYMPTOMS_NOTICE,
    SIDE_WORDS,
    TECHNIQUE_KIND_TITLES,
    candidate_strength,
    join_words,
    mark_names,
    needling_text,
    patient_story,
)




AUDIENCES = ("patient", "practitioner")
Progress = Callable[[str], None] | None


class ExportError(RuntimeError):
    """The handout cannot be made (no built body, an unknown audience): says what and how to fix."""


# --------------------------------------------------------------------------------------------
# the plan, as the handout reads it


@dataclass(frozen=True)
class HandoutPoint:
    """One plan item as the handout shows it.

    Attributes
    ----------
    number : int
        1-based number, the same in the list and on the views.
    code, side, note : str
        From the plan item (side: left, right, both, midline).
    point : viewer.knowledge.Point or None
        The point record (None when the knowledge lacks the code).
    sites : tuple of (side, position (3,) mm, normal (3,))
        Where the body has the point placed, per side drawn.
    """

    number: int
    code: str
    side: str
    note: str
    point: object | None
    sites: tuple[tuple[str, tuple[float, float, float], tuple[float, float, float]], ...]


def _as_plan(plan, knowledge):
    """A :class:`viewer.plan.model.Plan` from a Plan or a plan document (mapping)."""
    if isinstance(plan, Mapping):
        from viewer.plan.model import plan_from_dict

        return plan_from_dict(dict(plan), knowledge)
    return plan


def _item_sides(side: str) -> tuple[str, ...]:
    return PAIRED_SIDES if side == "both" else (side,)


def handout_points(plan, app: Body) -> tuple[HandoutPoint, ...]:
    """The plan's items, numbered, with their records and placed positions."""
    placed = _placements(app.assets_dir)
    out = []
    for i, item in enumerate(plan.items, start=1):
        k = app.knowledge
        record = k.point(item.code) if k.has_point(item.code) else None
        sites = tuple((s, *placed[(item.code, s)]) for s in _item_sides(item.side) if (item.code, s) in placed)
        out.append(HandoutPoint(i, item.code, item.side, item.note or "", record, sites))
    return tuple(out)


@lru_cache(maxsize=4)
def _placements_cached(path: Path, mtime: int) -> dict:
    raw = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for rec in raw.get("placements", []):
        if rec.get("position") is None or rec.get("status") == "not_placed":
            continue
        normal = rec.get("normal") or (0.0, 1.0, 0.0)
        out[(rec["code"], rec["side"])] = (tuple(map(float, rec["position"])), tuple(map(float, normal)))
    return out


def _placements(assets_dir: Path) -> dict:
    """``{(code, side): (position, normal)}`` from ``placed_points.json`` (empty if not built)."""
    path = Path(assets_dir) / "atlas" / "placed_points.json"
    if not path.is_file():
        return {}
    try:
        return _placements_cached(path, path.stat().st_mtime_ns)
    except (ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"{path} could not be read ({exc}); rebuild the body "
                          "(python -m viewer.anatomy build)") from None


def app_data(assets_dir=None) -> Body:
    """The body of ``assets_dir`` (cached), or :class:`ExportError` saying what is missing."""
    app = load_body(assets_dir)
    if isinstance(app, list):
        lines = [f"{p.what} {p.fix}" for p in app]
        raise ExportError("cannot make the handout: " + " ".join(lines))
    return app


def _scene(plan, knowledge, app: Body) -> SceneSpec | None:
    """The scene of the plan's subject (what the app shows for it), or None without a subject."""
    subject = dict(plan.subject or {})
    keys = {k: subject.get(k) for k in ("muscle", "level", "root", "point")}
    if not any(keys.values()):
        return None
    side = subject.get("side") or "both"
    return scene_spec(knowledge, app.structures, side=side, mode="practitioner", **keys)



def _say(progress: Progress, text: str) -> None:
    if progress is not None:
        progress(text)



# --------------------------------------------------------------------------------------------
# text of the handout (from the knowledge base, reusing the info panel's wording)


def _check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise ExportError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")


def _subject_title(plan, knowledge) -> str:
    subject = dict(plan.subject or {})
    side = subject.get("side")
    side_words = f", {SIDE_WORDS[side]}" if side in SIDE_WORDS else ""
    if subject.get("muscle") and knowledge.has_muscle(subject["muscle"]):
        return knowledge.muscle(subject["muscle"]).name + side_words
    if subject.get("root"):
        return f"{subject['root']} nerve root{side_words}"
    if subject.get("level"):
        return f"Spinal level {subject['level']}{side_words}"
    if subject.get("point") and knowledge.has_point(subject["point"]):
        return knowledge.point(subject["point"]).english
    return ""


def _segments(points: Sequence[HandoutPoint]) -> list[str]:
    """Spinal segments of the plan's points, head to tail."""
    from viewer.selection import LEVELS

    found = {hp.point.segment for hp in points if hp.point is not None and hp.point.segment}
    return [lv for lv in LEVELS if lv in found]


#: A section of handout text: a heading and its rows; a row is a paragraph (str) or a
#: ``(label, text)`` fact.
Section = tuple[str, list]


def explanation(plan, knowledge, points: Sequence[HandoutPoint], audience: str) -> list[Section]:
    """The subject and its segments explained, for page 1 (and the top of page 2).

    Patient: the muscle's plain-language description, the info panel's story (roots, the levels
    they leave at, the multifidus there) and the segments of the back points in words.
    Practitioner: the chain as facts: nerve, roots (and what other sources say), where they
    leave the spine, the multifidus groups and the plan's segments.
    """
    from viewer.selection import select_level, select_muscle, select_root

    subject = dict(plan.subject or {})
    side = subject.get("side") or "both"
    sections: list[Section] = []
    segs = _segments(points)
    muscle_id = subject.get("muscle")
    if muscle_id and knowledge.has_muscle(muscle_id):
        sel = select_muscle(knowledge, muscle_id, side)
        m = sel.muscle
        if audience == "patient":
            sections.append((f"About your {m.name.lower()}", [m.plain_language] if m.plain_language else []))
            sections.append(("What may be going on", patient_story(sel)))
        else:
            rows: list = [m.plain_language] if m.plain_language else []
            rows.append(("Nerve", m.peripheral_nerve))
            roots = f"{', '.join(m.roots) or 'none recorded'} ({knowledge.cite(m.sources)})"
            alts = [f"{', '.join(a.roots)} ({knowledge.cite(a.sources)})" for a in m.roots_alt
                    if tuple(a.roots) != tuple(m.roots)]
            rows.append(("Roots", roots + (f"; other sources: {'; '.join(alts)}" if alts else "")))
            rows.append(("Leave the spine", "; ".join(f"{r.root}: {r.exit.foramen}" for r in sel.roots)
                         or "none recorded"))
            groups = [link.muscle_id.replace("multifidus_", "") for link in sel.multifidus]
            none = [g.level for g in sel.gaps if g.kind == "no_multifidus_group"]
            mf = (f"{', '.join(groups)} (medial branches of the dorsal rami)" if groups else "no group")
            if none:
                mf += f"; none for {', '.join(none)}"
            rows.append(("Multifidus", mf))
            if segs:
                rows.append(("Plan segments", ", ".join(segs)))
            sections.append((f"{m.name}: the chain", rows))
    elif subject.get("root"):
        sel = select_root(knowledge, subject["root"], side)
        muscles = [m.name.lower() for m in sel.muscles if not m.id.startswith("multifidus_")][:6]
        rows = [f"The {sel.root} nerve root leaves the spine through the {sel.exit.foramen}."]
        if muscles:
            rows.append(f"It supplies muscles such as {join_words(muscles)}.")
        sections.append((f"The {sel.root} nerve root", rows))
    elif subject.get("level"):
        sel = select_level(knowledge, subject["level"], side)
        roots = [e.root for e in sel.roots]
        rows = ([f"At {sel.level} the {join_words(roots)} nerve root{'s' if len(roots) > 1 else ''} "
                 f"leave{'' if len(roots) > 1 else 's'} the spine."] if roots
                else [f"No nerve root leaves the spine at {sel.level}."])
        muscles = [m.name.lower() for m in sel.muscles if not m.id.startswith("multifidus_")][:6]
        if muscles:
            rows.append(f"These nerves supply muscles such as {join_words(muscles)}.")
        sections.append((f"Spinal level {sel.level}", rows))
    if segs and (audience == "patient" or not (muscle_id and knowledge.has_muscle(muscle_id))):
        text = (f"Some of your points lie beside the spine at {join_words(segs)}: the levels where the nerves "
                "for this area leave the spine, next to the small multifidus muscles there."
                if audience == "patient" else f"Segments of the plan's back points: {', '.join(segs)}.")
        sections.append(("The spinal segments", [text]))
    if not sections:
        sections.append(("About this plan", ["A selection of acupuncture points; see each point below."]))
    return sections


def reasons(plan, knowledge) -> list[Section]:
    """Practitioner: why each link of the chain holds, with its sources, and what has no link."""
    from viewer.selection import select_muscle

    subject = dict(plan.subject or {})
    muscle_id = subject.get("muscle")
    if not (muscle_id and knowledge.has_muscle(muscle_id)):
        return []
    sel = select_muscle(knowledge, muscle_id, subject.get("side") or "both")
    m = sel.muscle
    out: list[Section] = []
    why = [r.reason for r in sel.roots] + [r.reason for r in sel.alternative_roots]
    why += [f"{r.root} leaves through the {r.exit.foramen}: {r.exit.reason}" for r in sel.roots]
    why += [link.reason for link in sel.multifidus]
    out.append(("Why each link", why))
    disagree = [f"{knowledge.cite(a.sources)}: {', '.join(a.roots)}. {a.note}" for a in m.roots_alt
                if tuple(a.roots) != tuple(m.roots)]
    if m.roots_note:
        disagree.insert(0, m.roots_note)
    if disagree:
        out.append(("Sources disagree", disagree))
    gaps = [g.reason for g in sel.gaps if g.kind == "no_multifidus_group"]
    if gaps:
        out.append(("Not in the chain", gaps))
    return out


def _point_title(hp: HandoutPoint, audience: str, chinese: bool = True) -> str:
    p = hp.point
    if p is None:
        return hp.code
    if audience == "patient":
        return f"{p.english} ({p.pinyin})"
    return f"{hp.code}  {p.pinyin} · {p.english}" + (f" · {p.chinese}" if p.chinese and chinese else "")


def _location(p) -> str:
    from viewer.selection import describe_location

    text = describe_location(p)
    prefix = f"{p.code}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def point_lines(hp: HandoutPoint, knowledge, audience: str, with_side: bool = True) -> list[tuple[str, str]]:
    """The rows of a point's card: ``[(label, text)]`` (the cautions come separately)."""
    rows = [("Side", SIDE_WORDS.get(hp.side, hp.side).capitalize())] if with_side else []
    p = hp.point
    if p is None:
        rows.append(("Record", "this code is not in the point records"))
    elif audience == "patient":
        rows.append(("Where", p.location.description))
    else:
        rows.append(("Location", _location(p)))
        rows.append(("Needling", needling_text(p) or "not published in the sources used"))
        if p.segment:
            rows.append(("Segment", p.segment))
        rows.append(("Sources", knowledge.cite(p.sources)))
    if not hp.sites:
        rows.append(("On the model", "not placed on this body; listed only"))
    if hp.note:
        rows.append(("Note", hp.note))
    return rows


def caution_lines(hp: HandoutPoint, knowledge, audience: str) -> list[tuple[str, str]]:
    """Each caution as ``(kind label, text)``; a point with none says so."""
    p = hp.point
    if p is None or not p.cautions:
        return [("", NO_CAUTION)]
    out = []
    for c in p.cautions:
        kind = CAUTION_NAMES.get(c.kind, c.kind.replace("_", " ").title())
        if audience == "patient":
            out.append((kind, f"{CAUTION_PLAIN.get(c.kind, 'Needs care')}. {c.text}"))
        else:
            src = f" ({knowledge.cite(c.sources)})" if c.sources else ""
            out.append((kind, f"{c.text}{src}"))
    return out


_SETTING_WORDS = {"session": "in the session", "home": "at home", "both": "in the session and at home"}


def _range(pair, unit: str) -> str:
    lo, hi = pair
    return f"{lo:g} {unit}" if lo == hi else f"{lo:g}-{hi:g} {unit}"


def _dose(t) -> str:
    h = t.how
    parts = [f"pressure {h.pressure}" if h.pressure else "",
             f"hold {_range(h.hold_s, 's')}" if h.hold_s else "",
             _range(h.duration_min, "min") if h.duration_min else "",
             f"{h.cups} {h.cup_size} cup{'s' if (h.cups or 0) > 1 else ''} a side" if h.cup_size else "",
             f"direction {h.direction.replace('_', ' ')}" if h.direction not in ("static", "movement") else "",
             f"movement: {h.movement}" if h.movement else "",
             h.repetitions or ""]
    return "; ".join(p for p in parts if p)


def technique_sections(plan, knowledge, audience: str) -> list[Section]:
    """The plan's manual techniques as handout sections.

    The patient sees the "between sessions" techniques (setting ``home`` or ``both``) with their
    plain steps, the practitioner's note and every caution, and the names of those done in the
    session; the practitioner sees every technique with its zone, position, steps, dose, home
    use, cautions with sources and its sources.
    """
    from viewer.plan.model import home_techniques, plan_techniques

    out: list[Section] = []
    if audience == "patient":
        home = home_techniques(plan, knowledge)
        session = [t.name for it, t in plan_techniques(plan, knowledge) if it.setting == "session"]
        if not home and not session:
            return out
        intro: list = []
        for eid in ("stretch_with_paraspinal", "between_sessions"):
            try:
                e = knowledge.explanation(eid)
            except KeyError:
                continue
            intro.append(f"{e.text} (Sources: {knowledge.cite(e.sources)})")
        if session:
            intro.append(("In the session", "; ".join(session)))
        out.append(("Between sessions", intro))
        for n, (it, t) in enumerate(home, start=1):
            rows: list = [f"{i}. {step}" for i, step in enumerate(t.self_care.steps, start=1)]
            if it.note:
                rows.append(("Your note", it.note))
            rows.extend(("Take care", c.text) for c in t.cautions)
            out.append((f"{n}. {t.name}" + ("" if it.side in ("both", "midline") else f", {it.side} side"), rows))
        return out
    for n, (it, t) in enumerate(plan_techniques(plan, knowledge), start=1):
        rows = [("Zone", t.zone.description), ("Position", t.how.position), ("Steps", " ".join(t.how.steps)),
                ("Dose", _dose(t)),
                ("Home", " ".join(t.self_care.steps) if t.self_care.allowed else f"No: {t.self_care.why_not}")]
        if it.note:
            rows.append(("Note", it.note))
        rows.extend(("Caution", f"{c.kind.replace('_', ' ').capitalize()}: {c.text} ({knowledge.cite(c.sources)})")
                    for c in t.cautions)
        rows.append(("Sources", knowledge.cite(t.sources)))
        out.append((f"T{n}. {t.name} ({TECHNIQUE_KIND_TITLES.get(t.kind, t.kind)}, {it.side}, "
                    f"{_SETTING_WORDS.get(it.setting, it.setting)})", rows))
    return out


# --------------------------------------------------------------------------------------------
# the patient's symptoms (marks, weakness, candidate roots)


@dataclass(frozen=True)
class HandoutCandidate:
    """A candidate root as the handout lists it: ``strength`` in words ("best match", "tied",
    "also possible", "weak evidence"), and the ranking's reasons and sources (empty when the
    candidates are those saved with the plan)."""

    root: str
    side: str
    score: float
    strength: str
    reasons: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandoutSymptoms:
    """The plan's symptoms as the handout shows them.

    Attributes
    ----------
    marks : tuple of viewer.plan.model.SymptomMark
    names : tuple of str
        Short names (``P1``, ``T1``), the same in the list and on the pictures.
    places : tuple of str
        Where each mark lies in words ("the left lower leg"); empty when this body cannot say.
    weakness : tuple of str
        The weak muscles in words.
    candidates : tuple of HandoutCandidate
        Best first.
    ranked_now : bool
        True when the candidates were ranked again from the marks on this body (with reasons);
        False when they are the ones saved with the plan.
    """

    marks: tuple
    names: tuple[str, ...]
    places: tuple[str, ...]
    weakness: tuple[str, ...]
    candidates: tuple[HandoutCandidate, ...]
    ranked_now: bool

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for c in self.candidates for s in c.sources))


_SKIN_MAPS: dict = {}


def _skin_map(app: Body):
    """The body's :class:`~viewer.body_regions.SkinMap` (built once per process and body)."""
    from viewer.body_regions import skin_map

    key = (str(app.assets_dir), id(app.atlas))
    if key not in _SKIN_MAPS:
        _SKIN_MAPS.clear()
        _SKIN_MAPS[key] = skin_map(app.atlas)
    return _SKIN_MAPS[key]


def _weakness_words(knowledge, name: str) -> str:
    from viewer.symptoms import SymptomInputError, weakness_entry

    try:
        kind, ident, side = weakness_entry(knowledge, name)
    except SymptomInputError:
        return name.replace("_", " ")
    if kind == "key":
        key = knowledge.key_muscle(ident)
        return f"{key.name[:1].upper()}{key.name[1:]} (the key muscles tested for {key.root})"
    label = knowledge.muscle(ident).name if knowledge.has_muscle(ident) else ident.replace("_", " ")
    return label + (f", {side}" if side in PAIRED_SIDES else "")


def handout_symptoms(plan, knowledge, app: Body, progress: Progress = None) -> HandoutSymptoms | None:
    """The plan's symptoms for the handout, or None when it has none.

    The candidates are ranked again from the marks on ``app``'s body
    (:func:`viewer.symptoms.rank_roots`), so they come with their reasons and sources; where the
    marks cannot be ranked on this body (a mark far from its skin), the handout lists the
    candidates saved with the plan, without reasons.
    """
    from viewer.symptoms import SymptomInputError, mark_places, rank_roots

    s = getattr(plan, "symptoms", None)
    if s is None or s.empty:
        return None
    _say(progress, "ranking the symptom marks")
    try:
        body = _skin_map(app)
        places = mark_places(body, [m.position for m in s.marks])
        ranked = rank_roots(knowledge, body, pain=[m.position for m in s.marks if m.kind == "pain"],
                            tingling=[m.position for m in s.marks if m.kind == "tingling"], weakness=s.weakness)
    except (SymptomInputError, KeyError, ValueError):
        places, ranked = ("",) * len(s.marks), None
    if ranked is not None:
        candidates = tuple(HandoutCandidate(c.root, c.side, c.score, candidate_strength(i, c), c.reasons, c.sources)
                           for i, c in enumerate(ranked))
    else:
        from types import SimpleNamespace

        from viewer.symptoms import WEAK_BELOW

        candidates = tuple(
            HandoutCandidate(c.root, c.side, c.score, candidate_strength(i, SimpleNamespace(
                weak=c.score < WEAK_BELOW,
                tied_with=[o for o in s.candidates if o is not c and o.score == c.score])))
            for i, c in enumerate(s.candidates))
    return HandoutSymptoms(tuple(s.marks), tuple(mark_names(s.marks)), tuple(places),
                           tuple(_weakness_words(knowledge, w) for w in s.weakness), candidates,
                           ranked is not None)


#: Candidate roots listed in the handout at most.
MAX_CANDIDATES = 6


def symptom_sections(symptoms: HandoutSymptoms, audience: str) -> list[Section]:
    """The marks, the weak muscles and the candidate roots in words, with the notice.

    Patient: each mark and candidate in one plain line. Practitioner: each candidate with its
    score and the ranking's reasons (which name their sources).
    """
    patient = audience == "patient"
    marked: list = [(name, f"{MARK_WORDS[m.kind]} on {place}" if place else
                     f"{MARK_WORDS[m.kind]} ({SIDE_WORDS.get(m.side, m.side)})")
                    for name, m, place in zip(symptoms.names, symptoms.marks, symptoms.places)]
    marked += [("Weak", w) for w in symptoms.weakness]
    out: list[Section] = [("What you marked" if patient else "Symptom marks", marked)]
    rows: list = [SYMPTOMS_NOTICE]
    if not symptoms.ranked_now:
        rows.append("Ranked when the plan was saved: these marks could not be placed on this body again.")
    if not symptoms.candidates:
        rows.append("No nerve root fits these marks.")
    for i, c in enumerate(symptoms.candidates[:MAX_CANDIDATES], start=1):
        side = SIDE_WORDS.get(c.side, c.side)
        if patient:
            rows.append((f"{i}.", f"The {c.root} nerve root, {side}: {c.strength}"))
        else:
            rows.append((f"{i}. {c.root}", f"{side}, {c.strength} (score {c.score:g})"))
            rows.extend(c.reasons)
    out.append(("Nerve roots that fit" if patient else "Candidate root levels", rows))
    return out


def _cited_sources(plan, knowledge, points: Sequence[HandoutPoint], extra: Sequence[str] = ()) -> list:
    ids: dict[str, None] = dict.fromkeys(extra)
    subject = dict(plan.subject or {})
    if subject.get("muscle") and knowledge.has_muscle(subject["muscle"]):
        m = knowledge.muscle(subject["muscle"])
        ids.update(dict.fromkeys(m.sources))
        for alt in m.roots_alt:
            ids.update(dict.fromkeys(alt.sources))
    for hp in points:
        if hp.point is not None:
            ids.update(dict.fromkeys(hp.point.sources))
            for c in hp.point.cautions:
                ids.update(dict.fromkeys(c.sources))
    for it in getattr(plan, "techniques", ()):
        if knowledge.has_technique(it.id):
            t = knowledge.technique(it.id)
            ids.update(dict.fromkeys(t.sources))
            for c in t.cautions:
                ids.update(dict.fromkeys(c.sources))
    out = []
    for s in ids:
        try:
            out.append(knowledge.source(s))
        except KeyError:
            continue
    return out
