"""Treatment plans: a practitioner's ordered point selection and manual techniques, as data.

A plan is a frozen :class:`Plan` of :class:`PlanItem` (point code, side, note) and
:class:`TechniqueItem` (technique id, side, setting: in the session, at home or both, note) plus a
title, a note, the selection it was built from (``subject``) and, optionally, the patient's
symptoms (:class:`PlanSymptoms`: marks of pain or tingling on the skin, weak muscles, and the
candidate root levels ranked from them by :func:`viewer.symptoms.rank_roots`). Editing functions are pure and
return a new plan, so the app can keep the previous one for undo. On disk a plan is a versioned JSON document checked
against ``assets/schemas/plan.schema.json`` (see ``docs/ARCHITECTURE.md``); every problem is a
:class:`PlanError` naming the file, the record and the field, all collected before raising. A plan
of an older format version is upgraded on reading (:data:`UPGRADES`), so old files still open.

A share token is the plan's compact JSON, deflated and base64url-encoded, so that a link can
carry a whole plan (``#plan=...``, in the address fragment, which browsers never send to a server)
without a server-side store.

Notes can hold patient details: a saved plan file says so next to them (:data:`NOTES_NOTICE`, the
``privacy`` field that :func:`dumps` writes just before ``note`` and :func:`plan_from_dict` reads
past), and so does the handout.

This module never imports panel, pyvista or anything of the browser.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import tempfile
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from viewer.atlas import MIDLINE, PAIRED_SIDES
from viewer.body_regions import side_of
from viewer.knowledge import KnowledgeError, _record_label, _schema_errors
from viewer.selection import SIDES as SELECTION_SIDES

__all__ = [
    "PLAN_FORMAT",
    "NOTES_NOTICE",
    "PLAN_VERSION",
    "SIDES",
    "PlanError",
    "PlanItem",
    "TechniqueItem",
    "SymptomMark",
    "CandidateLevel",
    "PlanSymptoms",
    "MARK_KINDS",
    "set_symptoms",
    "SETTINGS",
    "UPGRADES",
    "Plan",
    "upgrade",
    "plan_from_dict",
    "plan_to_dict",
    "loads",
    "load",
    "dumps",
    "save",
    "add_point",
    "remove_point",
    "move_point",
    "set_item_note",
    "add_technique",
    "remove_technique",
    "move_technique",
    "set_technique_note",
    "set_technique_setting",
    "plan_techniques",
    "home_techniques",
    "set_note",
    "set_title",
    "set_subject",
    "plan_points",
    "plan_cautions",
    "share_token",
    "from_share_token",
]

PLAN_FORMAT = "radix-plan"
PLAN_VERSION = 3
SIDES = (*SELECTION_SIDES, MIDLINE)
#: Where a technique of the plan is done: by the practitioner in the session, by the patient at
#: home between sessions, or both.
SETTINGS = ("session", "home", "both")
SUBJECT_KEYS = ("muscle", "level", "root", "point", "side")
#: The kinds of a symptom mark on the skin: pain, and tingling or numbness.
MARK_KINDS = ("pain", "tingling")
#: Candidate roots kept with a plan at most (the schema's limit).
MAX_SYMPTOM_CANDIDATES = 30
#: Said next to a plan's notes wherever they are written down (the saved file, the handout).
NOTES_NOTICE = ("The notes and symptom marks in this plan are personal data: keep and share it only as "
                "you would a health record.")
#: The field of a saved file that carries :data:`NOTES_NOTICE` (written for people; never read).
NOTICE_FIELD = "privacy"

#: Longest share token accepted, and the most bytes it may inflate to.
MAX_TOKEN = 16_000
MAX_INFLATED = 400_000

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "assets" / "schemas" / "plan.schema.json"


class PlanError(KnowledgeError):
    """Problems in a plan document, naming the file, the record and the field.

    ``errors`` holds every problem found (each with ``file``, ``record``, ``field``,
    ``problem``); the attributes of the error itself are those of the first one.
    """

    def __init__(self, errors: Iterable[KnowledgeError]):
        self.errors = tuple(errors)
        first = self.errors[0]
        ValueError.__init__(self, "\n".join(str(e) for e in self.errors))
        self.file, self.record, self.field, self.problem = (
            first.file, first.record, first.field, first.problem)


def _problem(source: str, record: str, fld: str, problem: str) -> PlanError:
    return PlanError([KnowledgeError(source, record, fld, problem)])


@dataclass(frozen=True)
class PlanItem:
    """One point of a plan on one or both sides, with the practitioner's note."""

    code: str
    side: str
    note: str = ""


@dataclass(frozen=True)
class TechniqueItem:
    """One manual technique of a plan (id in ``techniques.json``), its side, where it is done
    (:data:`SETTINGS`) and the practitioner's note."""

    id: str
    side: str = "both"
    setting: str = "session"
    note: str = ""


def _mm(value: float) -> float:
    """A coordinate as stored: mm to a tenth (a whole number stays an int in the JSON)."""
    v = round(float(value), 1)
    return int(v) if v.is_integer() else v


@dataclass(frozen=True)
class SymptomMark:
    """A mark on the skin: ``kind`` (:data:`MARK_KINDS`), ``position`` (x, y, z) in mm in the atlas
    frame (+X the subject's left) and the body ``side`` it lies on (left, right or midline)."""

    kind: str
    position: tuple[float, float, float]
    side: str

    @classmethod
    def at(cls, kind: str, position) -> "SymptomMark":
        """A mark whose side follows from x (:func:`viewer.body_regions.side_of`).

        >>> SymptomMark.at("pain", (-80, 30.04, 960))
        SymptomMark(kind='pain', position=(-80, 30, 960), side='right')
        """
        xyz = tuple(_mm(v) for v in position)
        return cls(kind, xyz, side_of(xyz[0]))


@dataclass(frozen=True)
class CandidateLevel:
    """A candidate root ranked from the symptoms (``side`` left, right or both), best first in
    :attr:`PlanSymptoms.candidates`; ``score`` orders them and means nothing alone."""

    root: str
    side: str
    score: float = 0.0


@dataclass(frozen=True)
class PlanSymptoms:
    """The patient's symptoms kept with a plan: marks on the skin, weak muscles (key muscle,
    muscle or group ids) and the candidate roots ranked from them when the plan was saved."""

    marks: tuple[SymptomMark, ...] = ()
    weakness: tuple[str, ...] = ()
    candidates: tuple[CandidateLevel, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.marks and not self.weakness


@dataclass(frozen=True)
class Plan:
    """An ordered point selection and technique list with a title, a note and the selection it
    came from. ``items`` are the points in needling order; ``techniques`` the manual techniques
    in the order they are done."""

    title: str = "Treatment plan"
    note: str = ""
    subject: Mapping[str, str] = field(default_factory=dict)
    items: tuple[PlanItem, ...] = ()
    created: str | None = None
    techniques: tuple[TechniqueItem, ...] = ()
    symptoms: PlanSymptoms | None = None

    @property
    def empty(self) -> bool:
        return not self.items and not self.techniques

    def index_of(self, code: str) -> int | None:
        """Position of ``code`` in the plan, or None."""
        return next((i for i, it in enumerate(self.items) if it.code == code), None)

    def technique_index(self, technique_id: str) -> int | None:
        """Position of a technique in the plan's technique list, or None."""
        return next((i for i, it in enumerate(self.techniques) if it.id == technique_id), None)


# ----------------------------------------------------------------------------------------------
# reading and writing


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _item_record(items: Any, index: int) -> str:
    return _record_label(items, index, "code")


def _v1_to_v2(doc: dict, source: str) -> dict:
    """Version 1 had points only; version 2 adds ``techniques`` (none in an old plan)."""
    if "techniques" in doc:
        raise _problem(source, "(top level)", "techniques",
                       "a version 1 plan has no techniques: set version to 2 to keep them")
    return {**doc, "version": 2, "techniques": []}


def _v2_to_v3(doc: dict, source: str) -> dict:
    """Version 3 adds the optional ``symptoms``; a version 2 plan has none."""
    if "symptoms" in doc:
        raise _problem(source, "(top level)", "symptoms",
                       "a version 2 plan has no symptoms: set version to 3 to keep them")
    return {**doc, "version": 3}


#: Upgrade steps: ``{version: function(doc, source) -> doc of version + 1}``.
UPGRADES = MappingProxyType({1: _v1_to_v2, 2: _v2_to_v3})


def upgrade(doc: dict, source: str = "plan.json") -> dict:
    """The plan document in the current format version (a new dict; ``doc`` is not changed).

    Documents whose version is not an integer from 1 to :data:`PLAN_VERSION` are returned
    unchanged, for the schema to report.
    """
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        return doc
    while version in UPGRADES and version < PLAN_VERSION:
        doc = UPGRADES[version](doc, source)
        version = doc["version"]
    return doc


def _mark_record(index: int) -> str:
    return f"symptom mark {index + 1} (index {index})"


def _candidate_record(candidates: Any, index: int) -> str:
    return f"candidate {_record_label(candidates, index, 'root')}"


def _relabel_techniques(errors: list[KnowledgeError], data: Mapping[str, Any]) -> list[KnowledgeError]:
    """Name technique items like point items (``<id> (index i)``), symptom marks ``symptom mark n
    (index i)`` and candidates ``candidate <root> (index i)``, with the field inside the item."""
    symptoms = data.get("symptoms") if isinstance(data.get("symptoms"), dict) else {}
    records = {
        "techniques": lambda i: _record_label(data.get("techniques"), i, "id"),
        "symptoms.marks": _mark_record,
        "symptoms.candidates": lambda i: _candidate_record(symptoms.get("candidates"), i),
    }
    out = []
    for e in errors:
        m = (re.match(r"^(techniques|symptoms\.marks|symptoms\.candidates)\[(\d+)\]\.?(.*)$", e.field)
             if e.record == "(top level)" else None)
        if m:
            e = KnowledgeError(e.file, records[m.group(1)](int(m.group(2))), m.group(3) or "(record)", e.problem)
        out.append(e)
    return out


def _check_symptoms(data: Mapping[str, Any], knowledge, source: str) -> list[KnowledgeError]:
    """What the schema cannot say: a mark's side agrees with its x, the weak muscles are known
    (with ``knowledge``), candidates come from marks or weakness."""
    from viewer.symptoms import SymptomInputError, weakness_entry

    symptoms = data.get("symptoms")
    if symptoms is None:
        return []
    errors: list[KnowledgeError] = []
    for i, mark in enumerate(symptoms.get("marks", [])):
        x = mark["position"][0]
        if side_of(x) != mark["side"]:
            errors.append(KnowledgeError(
                source, _mark_record(i), "side",
                f"the mark is at x = {x:g} mm, on the {side_of(x)} side (+x is the subject's left), "
                f"not {mark['side']!r}"))
    if knowledge is not None:
        for i, name in enumerate(symptoms.get("weakness", [])):
            try:
                weakness_entry(knowledge, name, i)
            except SymptomInputError as err:
                errors.append(KnowledgeError(source, "(top level)", f"symptoms.weakness[{i}]",
                                             str(err).partition(": ")[2] or str(err)))
    if symptoms.get("candidates") and not symptoms.get("marks") and not symptoms.get("weakness"):
        errors.append(KnowledgeError(source, "(top level)", "symptoms.candidates",
                                     "candidate roots are ranked from marks or weakness, and this plan has none"))
    return errors


def _check_techniques(data: Mapping[str, Any], knowledge, source: str) -> list[KnowledgeError]:
    errors: list[KnowledgeError] = []
    seen: dict[str, int] = {}
    items = data.get("techniques", [])
    for i, it in enumerate(items):
        record = _record_label(items, i, "id")
        tid, side, setting = it["id"], it.get("side", "both"), it.get("setting", "session")
        if tid in seen:
            errors.append(KnowledgeError(source, record, "id", f"{tid} is already in the plan at index {seen[tid]}"))
        seen.setdefault(tid, i)
        if not knowledge.has_technique(tid):
            errors.append(KnowledgeError(source, record, "id", f"unknown technique id {tid!r}"))
            continue
        technique = knowledge.technique(tid)
        midline = technique.zone.side == "midline"
        if midline != (side == "midline"):
            errors.append(KnowledgeError(
                source, record, "side",
                f"{tid} is on the midline: side must be 'midline'" if midline
                else f"{tid} is done on either side: side must be left, right or both, not {side!r}"))
        if setting != "session" and not technique.self_care.allowed:
            errors.append(KnowledgeError(
                source, record, "setting",
                f"{tid} is not for home use ({technique.self_care.why_not}); setting must be 'session'"))
    return errors


def _check_knowledge(data: Mapping[str, Any], knowledge, source: str) -> list[KnowledgeError]:
    errors: list[KnowledgeError] = []
    subject = data.get("subject") or {}
    muscle = subject.get("muscle")
    if muscle is not None and not knowledge.has_muscle(muscle):
        errors.append(KnowledgeError(source, "(top level)", "subject.muscle",
                                     f"unknown muscle {muscle!r}"))
    point = subject.get("point")
    if point is not None and not knowledge.has_point(point):
        errors.append(KnowledgeError(source, "(top level)", "subject.point", f"unknown point {point!r}"))
    seen: dict[str, int] = {}
    for i, it in enumerate(data["items"]):
        record = _item_record(data["items"], i)
        code, side = it["code"], it["side"]
        if code in seen:
            errors.append(KnowledgeError(source, record, "code",
                                         f"{code} is already in the plan at index {seen[code]}"))
        seen.setdefault(code, i)
        if not knowledge.has_point(code):
            errors.append(KnowledgeError(source, record, "code", f"unknown point code {code!r}"))
            continue
        midline = knowledge.point(code).location.side == "midline"
        if midline and side != "midline":
            errors.append(KnowledgeError(source, record, "side",
                                         f"{code} lies on the midline: side must be 'midline', not {side!r}"))
        elif not midline and side == "midline":
            errors.append(KnowledgeError(source, record, "side",
                                         f"{code} is bilateral: side must be left, right or both"))
    return errors + _check_techniques(data, knowledge, source)


def plan_from_dict(data: Any, knowledge=None, source: str = "plan.json") -> Plan:
    """Check a plan document and build the :class:`Plan`.

    Parameters
    ----------
    data : object
        The parsed JSON document.
    knowledge : viewer.knowledge.Knowledge, optional
        When given, point codes, the subject muscle and each item's side are checked against it.
    source : str
        The file name used in error messages.

    Raises
    ------
    PlanError
        With every problem found.
    """
    if not isinstance(data, dict):
        raise _problem(source, "(file)", "(document)",
                       f"a plan is a JSON object, not {type(data).__name__}")
    # The notice is for the person reading the file; the plan format (and its schema) is the rest.
    data = {k: v for k, v in data.items() if not (k == NOTICE_FIELD and isinstance(v, str))}
    if data.get("format") != PLAN_FORMAT:
        raise _problem(source, "(top level)", "format",
                       f"not a Radix plan (format must be {PLAN_FORMAT!r}, found {data.get('format')!r})")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > PLAN_VERSION:
        raise _problem(source, "(top level)", "version",
                       f"made by a newer Radix (plan version {version}); this Radix reads version "
                       f"{PLAN_VERSION}: update Radix to open it")
    data = upgrade(data, source)
    errors, _, _ = _schema_errors(source, data, _schema(), "items", "code")
    if errors:
        raise PlanError(_relabel_techniques(errors, data))
    errors = (_check_knowledge(data, knowledge, source) if knowledge is not None else [])
    errors += _check_symptoms(data, knowledge, source)
    if errors:
        raise PlanError(errors)
    subject = {k: data["subject"][k] for k in SUBJECT_KEYS if k in data.get("subject", {})}
    return Plan(
        title=data.get("title", "Treatment plan"),
        note=data.get("note", ""),
        subject=subject,
        items=tuple(PlanItem(it["code"], it["side"], it.get("note", "")) for it in data["items"]),
        created=data.get("created"),
        techniques=tuple(TechniqueItem(it["id"], it.get("side", "both"), it.get("setting", "session"),
                                       it.get("note", "")) for it in data.get("techniques", [])),
        symptoms=_symptoms_from_dict(data.get("symptoms")),
    )


def _symptoms_from_dict(doc: Mapping[str, Any] | None) -> PlanSymptoms | None:
    if doc is None:
        return None
    return PlanSymptoms(
        marks=tuple(SymptomMark(m["kind"], tuple(_mm(v) for v in m["position"]), m["side"])
                    for m in doc.get("marks", [])),
        weakness=tuple(doc.get("weakness", [])),
        candidates=tuple(CandidateLevel(c["root"], c["side"], round(float(c.get("score", 0.0)), 2))
                         for c in doc.get("candidates", [])))


def _symptoms_to_dict(symptoms: PlanSymptoms) -> dict:
    return {"marks": [{"kind": m.kind, "position": [_mm(v) for v in m.position], "side": m.side}
                      for m in symptoms.marks],
            "weakness": list(symptoms.weakness),
            "candidates": [{"root": c.root, "side": c.side, "score": round(float(c.score), 2)}
                           for c in symptoms.candidates]}


def plan_to_dict(plan: Plan) -> dict:
    """The JSON document of a plan (the inverse of :func:`plan_from_dict`)."""
    doc: dict[str, Any] = {"format": PLAN_FORMAT, "version": PLAN_VERSION, "title": plan.title}
    if plan.created:
        doc["created"] = plan.created
    if plan.subject:
        doc["subject"] = {k: plan.subject[k] for k in SUBJECT_KEYS if k in plan.subject}
    doc["note"] = plan.note
    doc["items"] = [{"code": it.code, "side": it.side, **({"note": it.note} if it.note else {})}
                    for it in plan.items]
    doc["techniques"] = [{"id": it.id, "side": it.side, "setting": it.setting,
                          **({"note": it.note} if it.note else {})} for it in plan.techniques]
    if plan.symptoms is not None:
        doc["symptoms"] = _symptoms_to_dict(plan.symptoms)
    return doc


def loads(text: str | bytes, knowledge=None, source: str = "plan.json") -> Plan:
    """Read a plan from JSON text (see :func:`plan_from_dict`)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _problem(source, "(file)", "(file)", f"not UTF-8 text ({exc.reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _problem(source, "(file)", "(file)",
                       f"not valid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise _problem(source, "(file)", "(file)", "JSON nested too deeply to read") from None
    return plan_from_dict(data, knowledge, source)


def load(path: str | Path, knowledge=None) -> Plan:
    """Read a plan file; errors name the file by its name."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _problem(path.name, "(file)", "(file)", f"cannot read {path}: {exc.strerror}") from None
    return loads(raw, knowledge, path.name)


def dumps(plan: Plan) -> str:
    """The plan as indented JSON text (stable: equal plans give equal text), with
    :data:`NOTES_NOTICE` just before the notes (field ``privacy``).

    >>> text = dumps(Plan(note="Mrs Example"))
    >>> text.index('"privacy"') < text.index('"note"')
    True
    """
    doc: dict[str, Any] = {}
    for key, value in plan_to_dict(plan).items():
        if key == "note":
            doc[NOTICE_FIELD] = NOTES_NOTICE
        doc[key] = value
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def save(plan: Plan, path: str | Path) -> Path:
    """Write the plan atomically (a crash never leaves half a file); stamps ``created``."""
    path = Path(path)
    if not plan.created:
        plan = replace(plan, created=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    fd, tmp = tempfile.mkstemp(prefix=".plan-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dumps(plan))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ----------------------------------------------------------------------------------------------
# editing (each returns a new plan)


def _merge_sides(old: str, new: str) -> str:
    if old == new or "midline" in (old, new):
        return new
    return "both"


def add_point(plan: Plan, code: str, side: str, knowledge=None) -> Plan:
    """Add ``code`` on ``side``; adding the other side of a code already there makes it "both".

    With ``knowledge``, a midline point is always stored as "midline" and a bilateral point
    given as "midline" raises ValueError.
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}, not {side!r}")
    if knowledge is not None:
        if not knowledge.has_point(code):
            raise ValueError(f"unknown point code {code!r}")
        midline = knowledge.point(code).location.side == "midline"
        if midline:
            side = "midline"
        elif side == "midline":
            raise ValueError(f"{code} is bilateral: choose left, right or both")
    i = plan.index_of(code)
    if i is None:
        return replace(plan, items=(*plan.items, PlanItem(code, side)))
    old = plan.items[i]
    merged = replace(old, side=_merge_sides(old.side, side))
    return replace(plan, items=plan.items[:i] + (merged,) + plan.items[i + 1:])


_NO_SUCH = {"items": "no item {index} in a plan of {n}",
            "techniques": "no technique {index} in a plan of {n} techniques"}


def _check_index(plan: Plan, index: int, field: str = "items") -> None:
    n = len(getattr(plan, field))
    if not 0 <= index < n:
        raise IndexError(_NO_SUCH[field].format(index=index, n=n))


def _removed(plan: Plan, field: str, index: int) -> Plan:
    """``plan`` without entry ``index`` of its list ``field`` (points or techniques)."""
    _check_index(plan, index, field)
    seq = getattr(plan, field)
    return replace(plan, **{field: seq[:index] + seq[index + 1:]})


def _moved(plan: Plan, field: str, index: int, new_index: int) -> Plan:
    """Entry ``index`` of the list ``field`` moved to ``new_index`` (clamped to the list)."""
    _check_index(plan, index, field)
    entries = list(getattr(plan, field))
    entry = entries.pop(index)
    entries.insert(max(0, min(new_index, len(entries))), entry)
    return replace(plan, **{field: tuple(entries)})


def _changed(plan: Plan, field: str, index: int, **changes) -> Plan:
    """Entry ``index`` of the list ``field`` with ``changes`` applied."""
    _check_index(plan, index, field)
    entries = list(getattr(plan, field))
    entries[index] = replace(entries[index], **changes)
    return replace(plan, **{field: tuple(entries)})


def remove_point(plan: Plan, index: int) -> Plan:
    """Drop the item at ``index``."""
    return _removed(plan, "items", index)


def move_point(plan: Plan, index: int, new_index: int) -> Plan:
    """Move the item at ``index`` to ``new_index`` (clamped to the plan)."""
    return _moved(plan, "items", index, new_index)


def set_item_note(plan: Plan, index: int, note: str) -> Plan:
    """Set the note of the item at ``index``."""
    return _changed(plan, "items", index, note=note)


def _merge_settings(old: str, new: str) -> str:
    return old if old == new else "both"


def add_technique(plan: Plan, technique_id: str, side: str = "both", setting: str = "session",
                  knowledge=None) -> Plan:
    """Add a technique at the end of the technique list.

    Adding a technique already in the plan merges it: the other side makes it "both", and
    "session" with "home" makes it "both". With ``knowledge``, an unknown id raises ValueError, a
    midline zone is stored as "midline", and "home" or "both" is refused for a technique the
    records keep for the practitioner (``self_care.allowed`` false).
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}, not {side!r}")
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    if knowledge is not None:
        if not knowledge.has_technique(technique_id):
            raise ValueError(f"unknown technique id {technique_id!r}")
        technique = knowledge.technique(technique_id)
        if technique.zone.side == "midline":
            side = "midline"
        elif side == "midline":
            raise ValueError(f"{technique_id} is done on either side: choose left, right or both")
        if setting != "session" and not technique.self_care.allowed:
            raise ValueError(f"{technique_id} is not for home use: {technique.self_care.why_not}")
    i = plan.technique_index(technique_id)
    if i is None:
        return replace(plan, techniques=(*plan.techniques, TechniqueItem(technique_id, side, setting)))
    old = plan.techniques[i]
    merged = replace(old, side=_merge_sides(old.side, side), setting=_merge_settings(old.setting, setting))
    return replace(plan, techniques=plan.techniques[:i] + (merged,) + plan.techniques[i + 1:])


def remove_technique(plan: Plan, index: int) -> Plan:
    """Drop the technique at ``index``."""
    return _removed(plan, "techniques", index)


def move_technique(plan: Plan, index: int, new_index: int) -> Plan:
    """Move the technique at ``index`` to ``new_index`` (clamped to the list)."""
    return _moved(plan, "techniques", index, new_index)


def set_technique_note(plan: Plan, index: int, note: str) -> Plan:
    """Set the note of the technique at ``index``."""
    return _changed(plan, "techniques", index, note=note)


def set_technique_setting(plan: Plan, index: int, setting: str, knowledge=None) -> Plan:
    """Say where the technique at ``index`` is done (:data:`SETTINGS`); with ``knowledge``,
    "home" and "both" are refused for practitioner-only techniques."""
    _check_index(plan, index, "techniques")
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    item = plan.techniques[index]
    if knowledge is not None and setting != "session" and not knowledge.technique(item.id).self_care.allowed:
        raise ValueError(f"{item.id} is not for home use: {knowledge.technique(item.id).self_care.why_not}")
    return _changed(plan, "techniques", index, setting=setting)


def set_note(plan: Plan, note: str) -> Plan:
    return replace(plan, note=note)


def set_title(plan: Plan, title: str) -> Plan:
    return replace(plan, title=title)


def set_symptoms(plan: Plan, symptoms: PlanSymptoms | None) -> Plan:
    """Keep the patient's symptoms with the plan (None, or symptoms without marks or weakness,
    drop them)."""
    if symptoms is not None and symptoms.empty:
        symptoms = None
    return replace(plan, symptoms=symptoms)


def set_subject(plan: Plan, **subject: str | None) -> Plan:
    """Record the selection the plan is built from (keys: muscle, level, root, point, side)."""
    unknown = set(subject) - set(SUBJECT_KEYS)
    if unknown:
        raise ValueError(f"unknown subject field(s): {', '.join(sorted(unknown))}")
    return replace(plan, subject={k: v for k, v in subject.items() if v})


# ----------------------------------------------------------------------------------------------
# reading a plan against the knowledge


def plan_points(plan: Plan) -> list[tuple[str, str]]:
    """``(code, side)`` per needled site, "both" expanded to left then right."""
    out: list[tuple[str, str]] = []
    for it in plan.items:
        out.extend((it.code, s) for s in (PAIRED_SIDES if it.side == "both" else (it.side,)))
    return out


def plan_cautions(plan: Plan, knowledge) -> list[tuple[str, Any]]:
    """``(code or technique id, caution)`` for every caution of every point, in plan order, then
    of every technique, in plan order."""
    return [*((it.code, c) for it in plan.items for c in knowledge.point(it.code).cautions),
            *((it.id, c) for it in plan.techniques for c in knowledge.technique(it.id).cautions)]


def plan_techniques(plan: Plan, knowledge) -> list[tuple[TechniqueItem, Any]]:
    """``(item, technique record)`` for every technique of the plan, in plan order."""
    return [(it, knowledge.technique(it.id)) for it in plan.techniques]


def home_techniques(plan: Plan, knowledge) -> list[tuple[TechniqueItem, Any]]:
    """The techniques the patient does between sessions (setting "home" or "both"), in plan order."""
    return [(it, t) for it, t in plan_techniques(plan, knowledge) if it.setting in ("home", "both")]


# ----------------------------------------------------------------------------------------------
# share links


def share_token(plan: Plan) -> str:
    """The plan packed into a URL-safe token (deflated compact JSON, base64url, no padding)."""
    compact = json.dumps(plan_to_dict(plan), separators=(",", ":"), ensure_ascii=False)
    packed = zlib.compress(compact.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def from_share_token(token: str, knowledge=None, source: str = "shared link") -> Plan:
    """Unpack a share token; a damaged or hostile token raises :class:`PlanError`."""
    if not isinstance(token, str) or not token:
        raise _problem(source, "(link)", "plan", "the link carries no plan")
    if len(token) > MAX_TOKEN:
        raise _problem(source, "(link)", "plan", f"the plan in the link is too long ({len(token)} characters)")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_INFLATED)
        if inflater.unconsumed_tail:
            raise _problem(source, "(link)", "plan", "the plan in the link is too large")
        if not inflater.eof:
            raise zlib.error("truncated")
    except (binascii.Error, ValueError, zlib.error) as exc:
        if isinstance(exc, PlanError):
            raise
        raise _problem(source, "(link)", "plan",
                       "the link is damaged (it may have been cut short when copied)") from None
    return loads(raw, knowledge, source)
