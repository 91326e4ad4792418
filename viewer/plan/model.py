"""Treatment plans: a practitioner's ordered point selection, as data.

A plan is a frozen :class:`Plan` of :class:`PlanItem` (point code, side, note) plus a title, a
note and the selection it was built from (``subject``). Editing functions return a new plan, so
the app can keep the previous one for undo. On disk a plan is a versioned JSON document checked
against ``assets/schemas/plan.schema.json`` (see ``docs/ARCHITECTURE.md``); every problem is a
:class:`PlanError` naming the file, the record and the field, all collected before raising.

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
import tempfile
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from viewer.atlas import MIDLINE, PAIRED_SIDES
from viewer.knowledge import KnowledgeError, _record_label, _schema_errors
from viewer.selection import SIDES as SELECTION_SIDES

__all__ = [
    "PLAN_FORMAT",
    "NOTES_NOTICE",
    "PLAN_VERSION",
    "SIDES",
    "PlanError",
    "PlanItem",
    "Plan",
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
    "set_note",
    "set_title",
    "set_subject",
    "plan_points",
    "plan_cautions",
    "share_token",
    "from_share_token",
]

PLAN_FORMAT = "radix-plan"
PLAN_VERSION = 1
SIDES = (*SELECTION_SIDES, MIDLINE)
SUBJECT_KEYS = ("muscle", "level", "root", "point", "side")
#: Said next to a plan's notes wherever they are written down (the saved file, the handout).
NOTES_NOTICE = ("The notes in this plan are personal data: keep and share it only as you would a "
                "health record.")
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
class Plan:
    """An ordered point selection with a title, a note and the selection it came from."""

    title: str = "Treatment plan"
    note: str = ""
    subject: Mapping[str, str] = field(default_factory=dict)
    items: tuple[PlanItem, ...] = ()
    created: str | None = None

    @property
    def empty(self) -> bool:
        return not self.items

    def index_of(self, code: str) -> int | None:
        """Position of ``code`` in the plan, or None."""
        return next((i for i, it in enumerate(self.items) if it.code == code), None)


# ----------------------------------------------------------------------------------------------
# reading and writing


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _item_record(items: Any, index: int) -> str:
    return _record_label(items, index, "code")


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
    return errors


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
    errors, _, _ = _schema_errors(source, data, _schema(), "items", "code")
    if errors:
        raise PlanError(errors)
    if knowledge is not None:
        errors = _check_knowledge(data, knowledge, source)
        if errors:
            raise PlanError(errors)
    subject = {k: data["subject"][k] for k in SUBJECT_KEYS if k in data.get("subject", {})}
    return Plan(
        title=data.get("title", "Treatment plan"),
        note=data.get("note", ""),
        subject=subject,
        items=tuple(PlanItem(it["code"], it["side"], it.get("note", "")) for it in data["items"]),
        created=data.get("created"),
    )


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


def _check_index(plan: Plan, index: int) -> None:
    if not 0 <= index < len(plan.items):
        raise IndexError(f"no item {index} in a plan of {len(plan.items)}")


def remove_point(plan: Plan, index: int) -> Plan:
    """Drop the item at ``index``."""
    _check_index(plan, index)
    return replace(plan, items=plan.items[:index] + plan.items[index + 1:])


def move_point(plan: Plan, index: int, new_index: int) -> Plan:
    """Move the item at ``index`` to ``new_index`` (clamped to the plan)."""
    _check_index(plan, index)
    items = list(plan.items)
    item = items.pop(index)
    items.insert(max(0, min(new_index, len(items))), item)
    return replace(plan, items=tuple(items))


def set_item_note(plan: Plan, index: int, note: str) -> Plan:
    """Set the note of the item at ``index``."""
    _check_index(plan, index)
    items = list(plan.items)
    items[index] = replace(items[index], note=note)
    return replace(plan, items=tuple(items))


def set_note(plan: Plan, note: str) -> Plan:
    return replace(plan, note=note)


def set_title(plan: Plan, title: str) -> Plan:
    return replace(plan, title=title)


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
    """``(code, caution)`` for every caution of every point, in plan order."""
    return [(it.code, c) for it in plan.items for c in knowledge.point(it.code).cautions]


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
