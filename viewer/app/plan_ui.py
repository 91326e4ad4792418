"""The plan builder of the app: a practitioner's ordered point selection, kept in the browser.

One :class:`PlanBuilder` per session. It edits a :class:`viewer.plan.Plan` (pure model, every edit
returns a new plan), shows it as HTML in :class:`PlanPanel` (built and escaped here, clicks and
edits come back as messages), keeps it in the browser's ``localStorage`` through
:class:`PlanStore` (so a reload loses nothing, and two browsers never share a plan), and draws its
points in the 3D view as numbered markers (merged into the markers of
:func:`viewer.app.state.marker_specs` by :func:`plan_markers`).

Saving and opening ``.json`` files go through Panel's ``FileDownload`` / ``FileInput``; a broken
file leaves the current plan as it was and names the file, record and field
(:class:`viewer.plan.PlanError`). The handout PDF (:func:`viewer.plan.export.export_pdf`) is
imported only when asked for and rendered in a worker thread while a progress bar runs. A share
link (``#plan=<token>``) opens the plan read-only, with "Make an editable copy".

A plan's notes can hold patient details, so a plan never travels where servers write it down: the
share token rides in the URL's **fragment**, which browsers never send to a server (nor to the
proxies and logs on the way); an old link with ``?plan=<token>`` in the query still opens, and the
browser moves the token to the fragment at once (``history.replaceState``, so the query form does
not stay in the history either). The ``localStorage`` key names nothing personal
(:data:`STORAGE_KEY`); "Clear plan" removes the stored plan and "Forget this device" every key
Radix keeps (:data:`STORAGE_PREFIX`).

The HTML builders (:func:`plan_html`, :func:`candidates`, :func:`plan_markers`) are plain
functions of plain data, tested without a browser.
"""

from __future__ import annotations

import asyncio
import base64
import io
import re
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import panel as pn
import param
from panel.custom import JSComponent

from viewer.plan import (
    Plan, PlanError, add_point, dumps, from_share_token, loads, move_point, plan_cautions,
    remove_point, set_item_note, set_note, set_subject, set_title, share_token,
)
from viewer.plan.model import (
    PlanSymptoms, add_technique, move_technique, remove_technique, set_symptoms, set_technique_note,
    set_technique_setting,
)
from viewer.scene import marker_specs
from viewer.scene.words import SIDE_TAGS
from viewer.selection import LevelSelection, RootSelection, Selection

from . import info

#: ``localStorage`` key of the plan (versioned with the plan format): a fixed name, nothing
#: personal in it.
STORAGE_KEY = "radix.plan.v1"
#: Every ``localStorage`` key Radix writes starts with this: "Forget this device" removes them all.
STORAGE_PREFIX = "radix."
#: The fragment parameter of a share link (``#plan=<token>``).
LINK_PARAM = "plan"
#: Colour of the plan's markers in the 3D view (the app's accent, apart from the meridian colours).
PLAN_COLOUR = "#0f766e"
PLAN_MARKER_RADIUS = 9
#: Largest plan file accepted from the browser.
MAX_UPLOAD_BYTES = 1_000_000
MAX_TITLE, MAX_NOTE, MAX_ITEM_NOTE = 200, 5000, 2000
SIDE_WORDS = SIDE_TAGS
AUDIENCES = {"For the patient": "patient", "For the practitioner": "practitioner"}

PLAN_CSS = """
.rx-plan { font-size: 13.5px; }
.rx-plan h3 { font-size: 12px; font-weight: 700; letter-spacing: .06em; text-transform: uppercase;
  color: #475569; margin: 12px 0 6px; }
.rx-plan-title { width: 100%; box-sizing: border-box; font-family: inherit; font-size: 16px; font-weight: 700; line-height: 1.3;
  color: #0f172a; border: 1px solid transparent; border-radius: 6px; padding: 3px 6px; margin: 0 0 2px -6px;
  background: transparent; }
.rx-plan-title:hover:enabled { border-color: #e2e8f0; }
.rx-plan-title:focus { border-color: #0f766e; outline: none; background: #fff; }
.rx-plan-count { color: #64748b; font-size: 12.5px; margin: 0 0 6px; }
.rx-plan-banner { margin: 0 0 10px; padding: 8px 10px; border-radius: 8px; background: #eff6ff;
  border: 1px solid #93c5fd; color: #1e3a8a; font-size: 13px; }
.rx-plan-banner b { font-weight: 700; }
.rx-plan-msg { margin: 0 0 10px; padding: 8px 10px; border-radius: 8px; font-size: 13px; }
.rx-plan-msg-error { background: #fef2f2; border: 1px solid #fca5a5; color: #7f1d1d; }
.rx-plan-msg-info { background: #f0fdfa; border: 1px solid #99f6e4; color: #115e59; }
.rx-plan-msg ul { margin: 4px 0 0; padding-left: 18px; }
.rx-plan-msg code { font-size: 12px; background: rgba(255,255,255,.7); padding: 0 4px; border-radius: 4px; }
.rx-plan-row { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.rx-plan-row + .rx-plan-row { margin-top: 4px; }
.rx-plan-cands { list-style: none; margin: 0; padding: 0; }
.rx-plan-cand { display: flex; align-items: center; gap: 6px; padding: 3px 0; border-top: 1px solid #f1f5f9; }
.rx-plan-cand:first-child { border-top: 0; }
.rx-plan-cand .rx-plan-name { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rx-plan-in { font-size: 11.5px; color: #0f766e; font-weight: 650; }
.rx-sbtn { font: inherit; font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 6px; cursor: pointer;
  background: #fff; color: #0f5f59; border: 1px solid #99c7c2; line-height: 1.6; }
.rx-sbtn:hover:enabled { background: #f0fdfa; }
.rx-sbtn:disabled { opacity: .45; cursor: default; }
.rx-sbtn:focus-visible { outline: 2px solid #0f766e; outline-offset: 1px; }
.rx-sbtn-danger { color: #991b1b; border-color: #fca5a5; }
.rx-sbtn-danger:hover:enabled { background: #fef2f2; }
.rx-plan-items { list-style: none; margin: 0; padding: 0; counter-reset: none; }
.rx-plan-item { padding: 7px 0; border-top: 1px solid #eef2f7; }
.rx-plan-kind { font-size: 11px; font-weight: 700; color: #334155; background: #f1f5f9; border-radius: 8px;
  padding: 1px 6px; }
.rx-plan-settings { margin-top: 4px; gap: 4px; }
.rx-sbtn.rx-sbtn-on { background: #0f766e; color: #fff; border-color: #0f766e; }
.rx-plan-item:first-child { border-top: 0; }
.rx-plan-item .rx-plan-name { flex: 1 1 0; min-width: 0; }
.rx-plan-num { display: inline-flex; align-items: center; justify-content: center; width: 20px; height: 20px;
  border-radius: 50%; background: #0f766e; color: #fff; font-size: 11.5px; font-weight: 700; flex: none; }
.rx-plan-side { font-size: 12px; color: #334155; background: #f1f5f9; border-radius: 999px; padding: 0 8px; line-height: 1.7; }
.rx-plan-tools { margin-left: auto; display: flex; gap: 3px; }
.rx-plan-note { width: 100%; box-sizing: border-box; margin-top: 4px; font: inherit; font-size: 13px;
  padding: 4px 7px; border: 1px solid #e2e8f0; border-radius: 6px; color: #0f172a; background: #fff; }
.rx-plan-note:focus { border-color: #0f766e; outline: none; }
textarea.rx-plan-note { min-height: 54px; resize: vertical; }
.rx-plan-note-text { margin-top: 3px; color: #334155; font-size: 13px; white-space: pre-wrap; }
.rx-plan-caution-code { font-weight: 700; color: #7c2d12; margin-right: 4px; }
.rx-plan-share { margin-top: 6px; display: flex; gap: 6px; align-items: center; }
.rx-plan-share input { flex: 1; min-width: 0; font: 12px/1.4 ui-monospace, monospace; padding: 3px 6px;
  border: 1px solid #e2e8f0; border-radius: 6px; color: #334155; background: #f8fafc; }
.rx-plan-empty { color: #64748b; font-size: 13px; margin: 4px 0; }
.rx-plan-bar { display: flex; align-items: baseline; gap: 8px; height: 36px; box-sizing: border-box;
  padding: 8px 16px 0; background: #f0fdfa; color: #134e4a; font: 700 15px/1.3 "Inter", "Segoe UI", system-ui, sans-serif; }
.rx-plan-bar-count { font-size: 12.5px; font-weight: 600; color: #0f766e; }
.rx-plan-open-label { font: 600 12.5px/1.4 "Inter", "Segoe UI", system-ui, sans-serif; color: #334155; white-space: nowrap; }
.rx-plan-check { display: inline-flex; align-items: center; gap: 6px; font-size: 13px; color: #334155; cursor: pointer; }
"""

_FILE_CSS = """
:host { font-size: 12px; }
input[type=file] { color: transparent; width: 100%; font: 12px "Inter", "Segoe UI", system-ui, sans-serif; }
input[type=file]::file-selector-button {
  font: 600 12.5px/1.5 "Inter", "Segoe UI", system-ui, sans-serif; color: #0f766e; background: #fff;
  border: 1px solid #0f766e; border-radius: 4px; padding: 4px 10px; margin-right: 6px; cursor: pointer;
}
"""

_PROGRESS_CSS = """
progress { accent-color: #0f766e; }
progress::-webkit-progress-value { background-color: #0f766e; }
progress::-moz-progress-bar { background-color: #0f766e; }
progress:indeterminate { background-image: linear-gradient(-45deg, #0f766e 25%, #14b8a6 25%, #14b8a6 50%,
  #0f766e 50%, #0f766e 75%, #14b8a6 75%) !important; }
"""

_PANEL_ESM = """
export function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "rx-host rx-plan-host";
  box.setAttribute("aria-live", "polite");
  let pressed = false;       // a pointer is down: a new content waits for the click to land
  let waiting = false;
  let lastMessage = "";
  function send(target, value) {
    model.send_msg({ action: target.dataset.action, value: value ?? (target.dataset.value || ""),
                     index: target.dataset.index ?? "" });
  }
  function show() {
    waiting = false;
    const top = box.scrollTop;
    const root = el.getRootNode();
    const active = root && root.activeElement;
    const key = active && box.contains(active) ? active.dataset.key : null;
    const range = key && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
    box.innerHTML = model.content || "";
    box.scrollTop = top;
    // A new message (an error, "Plan cleared" with its Undo) is scrolled into view.
    const msg = box.querySelector(".rx-plan-msg");
    const text = msg ? msg.textContent : "";
    if (msg && text !== lastMessage) box.scrollTop = Math.max(0, msg.offsetTop - box.offsetTop - 8);
    lastMessage = text;
    if (key) {
      const again = [...box.querySelectorAll("[data-key]")].find((n) => n.dataset.key === key);
      if (again) {
        again.focus({ preventScroll: true });
        if (range && again.setSelectionRange) { try { again.setSelectionRange(...range); } catch (e) {} }
      }
    }
  }
  function later() { if (pressed) { waiting = true; } else { show(); } }
  function release() { if (pressed) { pressed = false; if (waiting) setTimeout(show, 0); } }
  box.addEventListener("pointerdown", () => { pressed = true; }, true);
  window.addEventListener("pointerup", release, true);
  window.addEventListener("pointercancel", release, true);
  box.addEventListener("click", (ev) => {
    const target = ev.target.closest("button[data-action]");
    if (!target || !box.contains(target) || target.disabled) return;
    ev.preventDefault();
    if (target.dataset.action === "copy") { copy(target); return; }
    send(target);
  });
  box.addEventListener("change", (ev) => {
    const target = ev.target.closest("input[data-action], textarea[data-action]");
    if (!target || !box.contains(target)) return;
    send(target, target.type === "checkbox" ? String(target.checked) : target.value);
  });
  box.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (ev.key === "Enter" && t.tagName === "INPUT" && t.type === "text" && t.dataset.action) t.blur();
  });
  function copy(button) {
    const field = box.querySelector(".rx-plan-share input");
    const text = button.dataset.value || "";
    const done = () => { button.textContent = "Copied"; };
    const fallback = () => { if (field) { field.focus(); field.select(); } button.textContent = "Press Ctrl+C"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }
  function download(file) {
    const raw = atob(file.b64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    const url = URL.createObjectURL(new Blob([bytes], { type: file.mime }));
    const a = document.createElement("a");
    a.href = url; a.download = file.filename; a.style.display = "none";
    el.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 60000);
  }
  model.on("msg:custom", (msg) => { if (msg && msg.download) download(msg.download); });
  model.on("content", later);
  model.on("remove", () => {
    window.removeEventListener("pointerup", release, true);
    window.removeEventListener("pointercancel", release, true);
  });
  show();
  el.appendChild(box);
}
"""

_STORE_ESM = """
// The share link's token lives in the fragment (#plan=...), never sent to a server.
function fragmentToken(name) {
  return new URLSearchParams(window.location.hash.slice(1)).get(name) || "";
}
// An old link (?plan=... in the query): move the token to the fragment before anything else reads
// the address, replacing the history entry, so the query form is neither kept nor sent again.
function moveQueryToFragment(name) {
  const query = new URLSearchParams(window.location.search);
  if (!query.has(name)) return;
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  fragment.set(name, query.get(name));
  query.delete(name);
  const search = query.toString();
  window.history.replaceState(window.history.state, "",
    window.location.pathname + (search ? "?" + search : "") + "#" + fragment.toString());
}
export function render({ model, el }) {
  moveQueryToFragment(model.link_param);
  const sendLink = () => { model.link = fragmentToken(model.link_param); };
  const linked = fragmentToken(model.link_param);
  if (linked) setTimeout(sendLink, 0);
  window.addEventListener("hashchange", sendLink);
  model.on("remove", () => window.removeEventListener("hashchange", sendLink));
  const key = model.key;
  const storage = (() => { try { return window.localStorage; } catch (e) { return null; } })();
  if (storage === null) {
    model.problem = "This browser does not let Radix keep data, so the plan is lost on a reload.";
    return;
  }
  let stored = null;
  try { stored = storage.getItem(key); } catch (e) { stored = null; }
  // Sent after this render returns: a value set while the page's views are still being built
  // reaches Python, but the updates Python answers with can miss views not rendered yet.
  if (stored) setTimeout(() => { model.value = stored; }, 0);
  function write() {
    try {
      if (model.value) storage.setItem(key, model.value); else storage.removeItem(key);
    } catch (e) {
      model.problem = "The browser refused to keep the plan (" + e.name + "); save it as a file.";
    }
  }
  model.on("value", write);
  // "Forget this device": every key Radix keeps, whatever plan format wrote it.
  model.on("msg:custom", (msg) => {
    if (!msg || msg.forget !== true) return;
    try {
      const keys = [];
      for (let i = 0; i < storage.length; i++) {
        const name = storage.key(i);
        if (name && name.startsWith(model.prefix)) keys.push(name);
      }
      keys.forEach((name) => storage.removeItem(name));
    } catch (e) {
      model.problem = "The browser refused to remove the plan (" + e.name + ").";
    }
  });
  // Another tab of the same browser changed the plan: follow it.
  const follow = (ev) => { if (ev.key === key && ev.storageArea === storage) model.value = ev.newValue || ""; };
  window.addEventListener("storage", follow);
  model.on("remove", () => window.removeEventListener("storage", follow));
  el.style.display = "none";
}
"""


class PlanStore(JSComponent):
    """A JSON string kept in the browser's ``localStorage`` under ``key``, synced both ways, and
    the share token of the page's address.

    On load the browser sends what it stored (if anything) as ``value``; every ``value`` set in
    Python is written back (an empty string removes the key). ``problem`` is set by the browser
    when it cannot keep data (private mode, storage full). :meth:`forget` removes every key
    starting with ``prefix``. ``link`` is the ``#plan=`` token of the address (an old ``?plan=``
    moved there first), sent on load and whenever the fragment changes.
    """

    key = param.String(default=STORAGE_KEY, constant=True)
    prefix = param.String(default=STORAGE_PREFIX, constant=True)
    link_param = param.String(default=LINK_PARAM, constant=True)
    value = param.String(default="")
    problem = param.String(default="")
    link = param.String(default="")

    _esm = _STORE_ESM

    def __init__(self, **params):
        params.setdefault("width", 0)
        params.setdefault("height", 0)
        params.setdefault("margin", 0)
        super().__init__(**params)

    def forget(self) -> None:
        """Remove every ``localStorage`` key of Radix in this browser."""
        self._send_msg({"forget": True})


class PlanPanel(JSComponent):
    """Shows ``content`` (trusted, already escaped HTML from :func:`plan_html`) and reports what
    the user does as messages ``{action, value, index}`` (clicks on ``button[data-action]``,
    changes of ``input`` / ``textarea`` with ``data-action``); :meth:`send_download` hands the
    browser a file to save."""

    content = param.String(default="")

    _esm = _PANEL_ESM
    _stylesheets = [info.CSS, PLAN_CSS]

    def send_download(self, filename: str, data: bytes, mime: str) -> None:
        self._send_msg({"download": {"filename": filename, "mime": mime,
                                     "b64": base64.b64encode(data).decode("ascii")}})


# --- pure parts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A point the current selection offers for the plan."""

    code: str
    name: str          # pinyin · english
    plain: str         # english (pinyin), for patient mode
    midline: bool
    in_plan: str | None  # the side already planned, or None


@dataclass(frozen=True)
class Message:
    """A note above the plan: ``kind`` is ``error`` or ``info``; ``undo`` offers the Undo button."""

    kind: str
    title: str
    lines: tuple[str, ...] = ()
    undo: bool = False


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _button(action: str, text: str, value: str = "", index: int | None = None, cls: str = "rx-sbtn",
            title: str | None = None, disabled: bool = False, key: str | None = None) -> str:
    extra = f' data-index="{index}"' if index is not None else ""
    extra += f' title="{_attr(title)}" aria-label="{_attr(title)}"' if title else ""
    extra += f' data-key="{_attr(key)}"' if key else ""
    extra += " disabled" if disabled else ""
    return (f'<button type="button" class="{cls}" data-action="{_attr(action)}" data-value="{_attr(value)}"'
            f"{extra}>{escape(text)}</button>")


def candidate_codes(scene) -> list[str]:
    """Point codes the scene offers for a plan: the open point card's point, else the subject's
    chain (a muscle: its paraspinal points, then the points of the meridians crossing it; a level
    or a root: the points at that level)."""
    if scene is None:
        return []
    if scene.point is not None:
        return [scene.point.point.code]
    subject = scene.subject
    if isinstance(subject, Selection):
        codes = [p.code for p in subject.paraspinal] + [p.code for p in subject.local_points]
        codes += [c for m in subject.meridians for c in m.codes]
        return list(dict.fromkeys(codes))
    if isinstance(subject, (LevelSelection, RootSelection)):
        return list(dict.fromkeys(p.code for p in subject.points))
    return []


def candidates(scene, knowledge, plan: Plan) -> list[Candidate]:
    """The :func:`candidate_codes` of ``scene`` as :class:`Candidate` rows (unknown codes dropped)."""
    planned = {it.code: it.side for it in plan.items}
    out = []
    for code in candidate_codes(scene):
        if not knowledge.has_point(code):
            continue
        p = knowledge.point(code)
        out.append(Candidate(code, f"{p.pinyin} · {p.english}", f"{p.english} ({p.pinyin})",
                             p.location.side == "midline", planned.get(code)))
    return out


def subject_of(scene) -> dict:
    """The plan ``subject`` fields of a scene (``{muscle, side}``, ``{level}``, ``{root}``, ``{point}``)."""
    if scene is None:
        return {}
    if scene.point is not None and scene.subject is None:
        return {"point": scene.point.point.code}
    s = scene.subject
    if isinstance(s, Selection):
        return {"muscle": s.muscle.id, "side": s.side}
    if isinstance(s, LevelSelection):
        return {"level": s.level}
    if isinstance(s, RootSelection):
        return {"root": s.root}
    return {}


def subject_label(scene) -> str:
    """Words for where the candidates come from: ``Gluteus medius (left side)``, ``point GV3``."""
    if scene is None:
        return ""
    if scene.point is not None:
        p = scene.point.point
        return f"the point card {p.code} · {p.pinyin}"
    s = scene.subject
    if isinstance(s, Selection):
        side = "both sides" if s.side == "both" else f"{s.side} side"
        return f"{s.muscle.name} ({side})"
    if isinstance(s, LevelSelection):
        return f"level {s.level}"
    if isinstance(s, RootSelection):
        return f"the {s.root} root"
    return ""


def title_for(scene) -> str | None:
    """A default plan title from the selection it is started from."""
    s = scene.subject if scene is not None else None
    if isinstance(s, Selection):
        side = "both sides" if s.side == "both" else s.side
        return f"{s.muscle.name}, {side}"
    if isinstance(s, LevelSelection):
        return f"Level {s.level}"
    if isinstance(s, RootSelection):
        return f"{s.root} root"
    return None


def plan_markers(plan: Plan | None, positions: Mapping, base: Sequence[dict] = (),
                 mode: str = "practitioner") -> list[dict]:
    """The view's markers with the plan's points drawn as numbered markers in :data:`PLAN_COLOUR`.

    Parameters
    ----------
    plan : Plan or None
        The plan shown (None: ``base`` unchanged).
    positions : mapping
        ``{(code, side): (x, y, z) mm}`` of the placement build.
    base : sequence of dict
        Markers of the selection (:func:`viewer.app.state.marker_specs`); a plan marker replaces
        the one of the same code and side, keeping its ``selected`` emphasis.
    mode : str
        In patient mode the label is the number only (no codes).

    Returns
    -------
    list of dict
        ``base`` markers not in the plan, then one marker per planned (code, side) with a position,
        labelled ``"<n> <code>"`` in plan order.
    """
    if plan is None or not plan.items:
        return list(base)
    planned: list[dict] = []
    for n, item in enumerate(plan.items, start=1):
        sides = ("left", "right") if item.side == "both" else (() if item.side == "midline" else (item.side,))
        for m in marker_specs([item.code], sides, positions, {"plan": PLAN_COLOUR}, {item.code: "plan"}):
            m.update(label=str(n) if mode == "patient" else f"{n} {item.code}", radius=PLAN_MARKER_RADIUS,
                     plan=n)
            planned.append(m)
    keys = {(m["code"], m["side"]) for m in planned}
    selected = {(m["code"], m["side"]) for m in base if m.get("selected")}
    for m in planned:
        if (m["code"], m["side"]) in selected:
            m.update(selected=True, radius=11)
    return [m for m in base if (m["code"], m["side"]) not in keys] + planned


def plan_filename(plan: Plan, suffix: str) -> str:
    """A file name from the plan's title: ``gluteus-medius-left.json``."""
    stem = re.sub(r"[^a-z0-9]+", "-", plan.title.lower()).strip("-")[:60] or "plan"
    return f"{stem}{suffix}"


def read_upload(filename: str, raw: bytes | None, knowledge) -> Plan:
    """A plan file sent from the browser, checked against the knowledge.

    Raises
    ------
    PlanError
        Naming the file, the record and the field (too large, not UTF-8, not JSON, not a plan,
        an unknown code, a side that does not fit the point).
    """
    name = Path(str(filename or "plan.json")).name[:120] or "plan.json"
    data = raw or b""
    if len(data) > MAX_UPLOAD_BYTES:
        from viewer.knowledge import KnowledgeError

        raise PlanError([KnowledgeError(name, "(file)", "(file)",
                                        f"too large for a plan ({len(data):,} bytes; the limit is "
                                        f"{MAX_UPLOAD_BYTES:,})")])
    return loads(data, knowledge, source=name)


def error_lines(err: PlanError, limit: int = 6) -> tuple[str, ...]:
    """Each problem of a :class:`PlanError` as one line (at most ``limit``, then a count)."""
    problems = list(getattr(err, "errors", ()) or (err,))
    lines = [f"{p.file}: record {p.record}: field {p.field}: {p.problem}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"and {len(problems) - limit} more problem(s)")
    return tuple(lines)


def _caution_rows(plan: Plan, knowledge, mode: str) -> str:
    found = plan_cautions(plan, knowledge)
    rows = []
    for code, caution in found:
        name = knowledge.technique(code).name if knowledge.has_technique(code) else code
        who = "" if mode == "patient" else f'<span class="rx-plan-caution-code">{escape(name)}</span>'
        html = info.caution_html(caution, knowledge, mode)
        rows.append(html.replace('<div class="rx-caution">', f'<div class="rx-caution">{who}', 1))
    quiet = [it.code for it in plan.items if not knowledge.point(it.code).cautions]
    if quiet and mode != "patient":
        rows.append(f'<div class="rx-caution-none">No specific caution recorded for {escape(", ".join(quiet))}; '
                    "the usual needling safety applies.</div>")
    elif quiet:
        rows.append(f'<div class="rx-caution-none">{escape(info.NO_CAUTION)}</div>')
    return "".join(rows)


def _message_html(msg: Message | None, read_only: bool) -> str:
    if msg is None:
        return ""
    lines = "".join(f"<li><code>{escape(t)}</code></li>" if msg.kind == "error" else f"<li>{escape(t)}</li>"
                    for t in msg.lines)
    undo = f" {_button('undo', 'Undo')}" if msg.undo and not read_only else ""
    close = f" {_button('dismiss', 'OK')}"
    return (f'<div class="rx-plan-msg rx-plan-msg-{_attr(msg.kind)}" role="status"><b>{escape(msg.title)}</b>'
            f"{undo}{close}{'<ul>' + lines + '</ul>' if lines else ''}</div>")


def _items_html(plan: Plan, knowledge, mode: str, read_only: bool) -> str:
    rows = []
    last = len(plan.items) - 1
    for i, item in enumerate(plan.items):
        p = knowledge.point(item.code)
        if mode == "patient":
            head = (f'<span class="rx-plan-num">{i + 1}</span><span class="rx-plan-name">'
                    f"{escape(p.english)} ({escape(p.pinyin)})</span>"
                    f'<span class="rx-plan-side">{escape(SIDE_WORDS.get(item.side, item.side))}</span>')
        else:
            mer = knowledge.meridian(p.meridian) if p.meridian else None
            style = f"border-color:{mer.colour};box-shadow: inset 3px 0 0 {mer.colour}" if mer else ""
            head = (f'<span class="rx-plan-num">{i + 1}</span>'
                    + info.action("point", item.code, item.code, cls="rx-chip", style=style)
                    + f'<span class="rx-plan-name rx-point-name">{escape(p.pinyin)}</span>'
                    f'<span class="rx-plan-side">{escape(SIDE_WORDS.get(item.side, item.side))}</span>')
        if not read_only and mode != "patient":
            head += ('<span class="rx-plan-tools">'
                     + _button("up", "↑", index=i, title=f"Move {item.code} up", disabled=i == 0)
                     + _button("down", "↓", index=i, title=f"Move {item.code} down", disabled=i == last)
                     + _button("remove", "✕", index=i, cls="rx-sbtn rx-sbtn-danger",
                               title=f"Remove {item.code} from the plan")
                     + "</span>")
            note = (f'<input type="text" class="rx-plan-note" data-action="note" data-index="{i}" '
                    f'data-key="note-{i}-{_attr(item.code)}" maxlength="{MAX_ITEM_NOTE}" '
                    f'placeholder="Note for {_attr(item.code)} (depth, technique, …)" '
                    f'aria-label="Note for {_attr(item.code)}" value="{_attr(item.note)}">')
        else:
            note = f'<div class="rx-plan-note-text">{escape(item.note)}</div>' if item.note else ""
        rows.append(f'<li class="rx-plan-item" data-code="{_attr(item.code)}" data-side="{_attr(item.side)}">'
                    f'<div class="rx-plan-row">{head}</div>{note}</li>')
    return '<ol class="rx-plan-items">' + "".join(rows) + "</ol>"


SETTING_WORDS = {"session": "In the session", "home": "At home", "both": "Session and home"}
KIND_TAGS = {"stretch": "Stretch", "massage": "Massage", "acupressure": "Acupressure", "cupping": "Cupping",
             "gua_sha": "Gua sha"}


def _techniques_html(plan: Plan, knowledge, mode: str, read_only: bool) -> str:
    """The plan's techniques, in order: kind, name, side, where it is done (session, home or both),
    with move, remove, setting and note controls when editable."""
    rows = []
    last = len(plan.techniques) - 1
    for i, item in enumerate(plan.techniques):
        t = knowledge.technique(item.id)
        head = (f'<span class="rx-plan-num">T{i + 1}</span>'
                f'<span class="rx-plan-kind">{escape(KIND_TAGS.get(t.kind, t.kind))}</span>'
                f'<span class="rx-plan-name" title="{_attr(t.name)}">{escape(t.name)}</span>'
                f'<span class="rx-plan-side">{escape(SIDE_WORDS.get(item.side, item.side))}</span>')
        where = SETTING_WORDS.get(item.setting, item.setting)
        if not read_only and mode != "patient":
            head += ('<span class="rx-plan-tools">'
                     + _button("t_up", "↑", index=i, title=f"Move {t.name} up", disabled=i == 0)
                     + _button("t_down", "↓", index=i, title=f"Move {t.name} down", disabled=i == last)
                     + _button("t_remove", "✕", index=i, cls="rx-sbtn rx-sbtn-danger",
                               title=f"Remove {t.name} from the plan")
                     + "</span>")
            settings = "".join(
                _button("t_setting", word, value, index=i, title=f"{t.name}: {word.lower()}",
                        cls="rx-sbtn rx-sbtn-on" if value == item.setting else "rx-sbtn",
                        disabled=value != "session" and not t.self_care.allowed)
                for value, word in SETTING_WORDS.items())
            note = (f'<div class="rx-plan-row rx-plan-settings">{settings}</div>'
                    f'<input type="text" class="rx-plan-note" data-action="t_note" data-index="{i}" '
                    f'data-key="t-note-{i}-{_attr(item.id)}" maxlength="{MAX_ITEM_NOTE}" '
                    f'placeholder="Note for {_attr(t.name)} (dose, order, …)" '
                    f'aria-label="Note for {_attr(t.name)}" value="{_attr(item.note)}">')
        else:
            note = (f'<div class="rx-plan-note-text">{escape(where)}'
                    + (f" · {escape(item.note)}" if item.note else "") + "</div>")
        rows.append(f'<li class="rx-plan-item rx-plan-technique" data-technique="{_attr(item.id)}" '
                    f'data-side="{_attr(item.side)}" data-setting="{_attr(item.setting)}">'
                    f'<div class="rx-plan-row">{head}</div>{note}</li>')
    return '<ol class="rx-plan-items rx-plan-techniques">' + "".join(rows) + "</ol>"


def _candidates_html(cands: Sequence[Candidate], source: str) -> str:
    if not cands:
        return ('<h3>Add points</h3><p class="rx-plan-empty">Choose a muscle, a level, a root or a point: '
                "its points can then be added here.</p>")
    rows = []
    for c in cands:
        if c.midline:
            buttons = _button("add", "Add", f"{c.code}|midline", title=f"Add {c.code} (midline)",
                              disabled=c.in_plan is not None)
        else:
            buttons = "".join(
                _button("add", word, f"{c.code}|{side}", title=f"Add {c.code}, {SIDE_WORDS[side]}",
                        disabled=c.in_plan in (side, "both"))
                for word, side in (("L", "left"), ("R", "right"), ("Both", "both")))
        state = (f'<span class="rx-plan-in">in plan: {escape(SIDE_WORDS.get(c.in_plan, c.in_plan))}</span>'
                 if c.in_plan else "")
        rows.append(f'<li class="rx-plan-cand" data-code="{_attr(c.code)}">'
                    f'<span class="rx-code">{escape(c.code)}</span>'
                    f'<span class="rx-plan-name rx-point-name" title="{_attr(c.name)}">{escape(c.name)}</span>'
                    f"{state}{buttons}</li>")
    every = (_button("add_all", "Add all, both sides", title="Add every point listed on both sides")
             if len(cands) > 1 else "")
    return (f"<h3>Add points from {escape(source)}</h3>" + f'<ul class="rx-plan-cands">{"".join(rows)}</ul>'
            + (f'<div class="rx-plan-row" style="margin-top:6px">{every}</div>' if every else ""))


def plan_html(plan: Plan, knowledge, mode: str = "practitioner", *, read_only: bool = False,
              cands: Sequence[Candidate] = (), source: str = "", message: Message | None = None,
              share_url: str | None = None, show_in_view: bool = True, undo: bool = False) -> str:
    """The plan card as HTML (every text from the plan or the data escaped).

    Parameters
    ----------
    plan : Plan
        The plan shown (the user's own, or a shared one).
    knowledge : viewer.knowledge.Knowledge
        Names and cautions of the points (every code of ``plan`` must be in it).
    mode : {"patient", "student", "practitioner"}
        Patient mode shows a plain, read-only list without codes.
    read_only : bool
        A shared plan: a banner with "Make an editable copy" and no editing controls.
    cands : sequence of Candidate
        Points of the current selection that can be added.
    source : str
        Words for the selection the candidates come from.
    message : Message, optional
        A note above the plan (an error, or "cleared" with Undo).
    share_url : str, optional
        The share link, once asked for.
    show_in_view : bool
        Whether the plan's points are drawn in the 3D view (a checkbox).
    undo : bool
        Whether an Undo is available (shown with the Clear button).
    """
    parts = [f'<div class="rx-info rx-plan rx-mode-{_attr(mode)}">']
    if read_only:
        parts.append('<div class="rx-plan-banner"><b>Shared plan, read-only.</b> This plan came with the link; '
                     "your own plan in this browser is unchanged."
                     + ('<div class="rx-plan-row" style="margin-top:6px">'
                        + _button("copy_shared", "Make an editable copy")
                        + _button("close_shared", "Back to my plan") + "</div>") + "</div>")
    parts.append(_message_html(message, read_only))
    editable = not read_only and mode != "patient"
    if editable:
        parts.append(f'<input type="text" class="rx-plan-title" data-action="title" data-key="title" '
                     f'maxlength="{MAX_TITLE}" aria-label="Plan title" value="{_attr(plan.title)}">')
    else:
        parts.append(f'<h2 class="rx-plan-heading">{escape(plan.title)}</h2>')
    n, nt = len(plan.items), len(plan.techniques)
    count = "no points yet" if not n else f"{n} point{'s' if n != 1 else ''}"
    if nt:
        count += f", {nt} technique{'s' if nt != 1 else ''}"
    parts.append(f'<p class="rx-plan-count">{escape(count)}'
                 + (f" · {escape(plan.created[:10])}" if plan.created else "") + "</p>")
    if n:
        parts.append("<h3>Points, in order</h3>" + _items_html(plan, knowledge, mode, read_only or mode == "patient"))
    elif not editable and not nt:
        parts.append('<p class="rx-plan-empty">This plan has no points.</p>')
    if nt:
        parts.append("<h3>Techniques, in order</h3>"
                     + _techniques_html(plan, knowledge, mode, read_only or mode == "patient"))
    if editable:
        parts.append(_candidates_html(cands, source))
    if editable:
        parts.append(f'<h3>Plan note</h3><textarea class="rx-plan-note" data-action="plan_note" data-key="plan-note" '
                     f'maxlength="{MAX_NOTE}" aria-label="Plan note" '
                     'placeholder="Aim, frequency, what to watch for…">'
                     f"{escape(plan.note)}</textarea>")
    elif plan.note:
        parts.append(f'<h3>Note</h3><div class="rx-plan-note-text">{escape(plan.note)}</div>')
    if n or nt:
        parts.append(f'<div class="rx-cautions-box rx-plan-cautions"><h3>Cautions in this plan</h3>'
                     f"{_caution_rows(plan, knowledge, mode)}</div>")
        checked = " checked" if show_in_view else ""
        tools = [f'<label class="rx-plan-check"><input type="checkbox" data-action="show" data-key="show"{checked}>'
                 "Show in the 3D view</label>"]
        if mode != "patient":
            tools.append(_button("share", "Share link", title="A link that opens this plan read-only"))
        if editable:
            tools.append(_button("clear", "Clear plan", cls="rx-sbtn rx-sbtn-danger"))
        parts.append('<div class="rx-plan-row" style="margin-top:8px">' + "".join(tools) + "</div>")
    if undo and editable and not (message and message.undo):
        parts.append('<div class="rx-plan-row" style="margin-top:6px">'
                     + _button("undo", "Bring back the previous plan") + "</div>")
    if share_url and (n or nt) and mode != "patient":
        parts.append('<div class="rx-plan-share"><input type="text" readonly aria-label="Share link" '
                     f'value="{_attr(share_url)}">' + _button("copy", "Copy", share_url) + "</div>"
                     '<div class="rx-muted">Opens this plan read-only; the plan, notes and symptom marks included, travels '
                     "inside the link (after the #, which browsers do not send to servers): share it "
                     "only with people who may read the notes.</div>")
    parts.append('<div class="rx-plan-row rx-plan-device" style="margin-top:10px">'
                 '<span class="rx-muted">Plans are kept only in this browser.</span>'
                 + _button("forget", "Forget this device", cls="rx-sbtn rx-sbtn-danger",
                           title="Remove every plan Radix keeps in this browser")
                 + "</div>")
    parts.append("</div>")
    return "".join(parts)


def link_hash(token: str | None) -> str:
    """The address fragment that carries a share token: ``#plan=<token>``, or empty.

    >>> link_hash("eJx"), link_hash(None)
    ('#plan=eJx', '')
    """
    return f"#{LINK_PARAM}={token}" if token else ""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the handout ---------------------------------------------------------------------------------

_RENDER_LOCK = threading.Lock()   # one off-screen render at a time per process


class _Progress:
    """What the export reported last, read by the event loop while the worker renders."""

    def __init__(self):
        self.fraction: float | None = None
        self.text = "Starting…"

    def __call__(self, *args, **kwargs) -> None:
        """Accepts ``(fraction)``, ``(text)``, ``(fraction, text)``, ``(done, total[, text])``."""
        values = list(args) + list(kwargs.values())
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        texts = [v for v in values if isinstance(v, str)]
        if len(numbers) >= 2 and numbers[1]:
            self.fraction = max(0.0, min(1.0, numbers[0] / numbers[1]))
        elif numbers:
            f = float(numbers[0])
            self.fraction = max(0.0, min(1.0, f / 100 if f > 1 else f))
        if texts:
            self.text = texts[0][:120]
            step = re.search(r"(\d+)\s*/\s*(\d+)", texts[0])   # "rendering view 2/3: ..." starts step 2
            if step and not numbers and int(step.group(2)):
                self.fraction = max(0.0, min(1.0, (int(step.group(1)) - 1) / int(step.group(2))))


def render_handout(plan: Plan, knowledge, assets_dir: Path, audience: str, progress=None) -> bytes:
    """The handout PDF of ``plan`` as bytes (:func:`viewer.plan.export.export_pdf`, imported here
    so the app starts without the off-screen renderer)."""
    from viewer.plan.export import export_pdf

    with _RENDER_LOCK, tempfile.TemporaryDirectory(prefix="radix-handout-") as tmp:
        out = Path(tmp) / "handout.pdf"
        path = export_pdf(plan, out, knowledge=knowledge, assets_dir=assets_dir, audience=audience,
                          progress=progress)
        return Path(path or out).read_bytes()


# --- the builder ---------------------------------------------------------------------------------


class PlanBuilder:
    """The Plan card of one session.

    Parameters
    ----------
    data : viewer.app.data.AppData
        Knowledge, point positions and the assets folder (for the handout).
    on_change : callable
        Called (no arguments) when what the 3D view shows of the plan changes; the app redraws.
    on_point : callable, optional
        Called with a point code when a planned point's code is clicked (the app opens its card).
    mode : str
        The app's mode at start.
    """

    def __init__(self, data, on_change: Callable[[], None], on_point: Callable[[str], None] | None = None,
                 mode: str = "student"):
        self.data = data
        self.knowledge = data.knowledge
        self._on_change = on_change
        self._on_point = on_point
        self.plan = Plan()
        self.shared: Plan | None = None
        self.shared_token: str | None = None
        self._undo: Plan | None = None
        self._message: Message | None = None
        self._scene = None
        self._mode = mode
        self._show = True
        self._share_url: str | None = None
        self._busy = False
        self._get_symptoms: Callable[[], PlanSymptoms | None] | None = None
        self._restore_symptoms: Callable[[PlanSymptoms], None] | None = None

        self.store = PlanStore()
        self.panel = PlanPanel(sizing_mode="stretch_both", min_height=120, margin=0, css_classes=["rx-plan-panel"])
        self.save = pn.widgets.FileDownload(callback=self._save_json, filename="plan.json", label="Save plan (.json)",
                                            color="primary", variant="outline",
                                            width=170, margin=(4, 4), css_classes=["rx-plan-save"])
        self.open = pn.widgets.FileInput(accept=".json,application/json", multiple=False, margin=(4, 4),
                                         sizing_mode="stretch_width", css_classes=["rx-plan-open"],
                                         stylesheets=[_FILE_CSS])
        self.audience = pn.widgets.RadioButtonGroup(options=AUDIENCES, value="patient", color="primary",
                                                    variant="outline", margin=(4, 4), width=250,
                                                    css_classes=["rx-plan-audience"])
        self.handout = pn.widgets.Button(label="Handout (PDF)", color="primary",
                                         margin=(4, 4), sizing_mode="stretch_width", css_classes=["rx-plan-handout"])
        self.progress = pn.indicators.Progress(value=-1, max=100, bar_color="primary", visible=False,
                                               sizing_mode="stretch_width", height=10, margin=(2, 6),
                                               stylesheets=[_PROGRESS_CSS], css_classes=["rx-plan-progress"])
        self.status = pn.pane.HTML("", visible=False, sizing_mode="stretch_width", margin=(0, 6),
                                   css_classes=["rx-plan-status"], stylesheets=[info.CSS, PLAN_CSS])
        self._files = pn.Row(self.save, pn.pane.HTML('<span class="rx-plan-open-label">Open a plan</span>',
                                                     margin=(12, 0, 0, 8), stylesheets=[PLAN_CSS]),
                             self.open, sizing_mode="stretch_width", margin=0)
        self.tools = pn.Column(
            self._files,
            pn.Row(self.audience, self.handout, sizing_mode="stretch_width", margin=0),
            self.progress, self.status, sizing_mode="stretch_width", margin=(4, 0, 4, 0),
            styles={"border-top": "1px solid #e2e8f0"})
        self.header = pn.pane.HTML("", sizing_mode="stretch_width", height=36, margin=0,
                                   css_classes=["rx-plan-header"], stylesheets=[PLAN_CSS])
        # A plain column, not a Card: toggling a Card or a child's ``visible`` after the first
        # render left Bokeh's layout clipped, so only CSS styles change here.
        self._layout = pn.Column(self.header, self.panel, self.tools, self.store, sizing_mode="stretch_both",
                                 margin=(10, 0, 0, 0), css_classes=["rx-plan-card"])

        self.panel.on_msg(self._on_msg)
        self.store.param.watch(self._on_stored, "value")
        self.store.param.watch(self._on_link, "link")
        self.store.param.watch(self._on_store_problem, "problem")
        self.open.param.watch(self._on_open, "value")
        self.handout.on_click(self._on_handout)
        self._render()

    # --- what the app asks --------------------------------------------------------------------
    def layout(self) -> pn.Column:
        """The card and the (invisible) browser store, for the right column under the info panel."""
        return self._layout

    def _fit(self, hidden: bool, share: str) -> None:
        """The card's share of the column's height (a CSS flex weight; the info panel has 2), or
        ``display: none``. Only styles change: the layout of a rendered column stays valid."""
        # Bokeh merges a new ``styles`` dict into the old one, so every key is always given.
        styles = {"display": "none" if hidden else "flex", "flex": f"{share} 1 0px",
                  "border-top": "1px solid #e2e8f0"}
        if self._layout.styles != styles:
            self._layout.styles = styles

    @property
    def shown(self) -> Plan:
        """The plan on screen: a shared one while it is open, else the user's own."""
        return self.shared if self.shared is not None else self.plan

    @property
    def read_only(self) -> bool:
        return self.shared is not None

    def update(self, scene, mode: str, markers: Sequence[dict], render: bool = True) -> list[dict]:
        """Follow the app's selection and mode; returns the view's markers with the plan's points.
        With ``render=False`` the card is not redrawn yet (the app calls :meth:`render` once the
        3D view's message has gone out)."""
        self._scene, self._mode = scene, mode
        if render:
            self._render()
        if not self._show:
            return list(markers)
        return plan_markers(self.shown, self.data.positions, markers, mode)

    def render(self) -> None:
        """Redraw the card for the selection and mode given to the last :meth:`update`."""
        self._render()

    def read_url(self, args: Mapping[str, str]) -> list[str]:
        """Open an old link's ``?plan=<token>`` read-only (the page moves it to the fragment);
        returns plain-text notes about a link that cannot be used."""
        return self.open_link(str(args.get(LINK_PARAM) or ""))

    def open_link(self, token: str) -> list[str]:
        """Open a share token read-only; returns plain-text notes about a token that cannot be used."""
        token = token.strip()
        if not token:
            return []
        try:
            plan = from_share_token(token, self.knowledge)
        except PlanError as err:
            return [f"The plan in this link could not be opened: {err.problem} (field {err.field})."]
        self.shared, self.shared_token = plan, token
        self._restore(plan)
        self._render()
        return []

    def link_fragment(self) -> str:
        """The address fragment for the open shared plan (``#plan=<token>``, or empty), so a
        reload keeps it; the app's query never carries a plan."""
        return link_hash(self.shared_token)

    # --- symptom marks --------------------------------------------------------------------------
    def attach_symptoms(self, get: Callable[[], PlanSymptoms | None],
                        restore: Callable[[PlanSymptoms], None]) -> None:
        """Let saved and shared plans carry the session's symptom marks: ``get()`` gives the
        current marks (with the candidate roots), ``restore(symptoms)`` puts a plan's marks back
        (saying in its own panel what it cannot use). The marks stay in the session (and the
        ``#marks=`` fragment) until the user saves, shares or prints the plan."""
        self._get_symptoms, self._restore_symptoms = get, restore

    def _with_symptoms(self, plan: Plan) -> Plan:
        """The user's own plan with the current marks (a shared plan goes out as it came)."""
        if self._get_symptoms is None or plan is self.shared:
            return plan
        return set_symptoms(plan, self._get_symptoms())

    def _restore(self, plan: Plan) -> None:
        """Put an opened plan's marks back in the session (a plan without marks leaves them)."""
        if plan.symptoms is not None and self._restore_symptoms is not None:
            self._restore_symptoms(plan.symptoms)

    # --- editing ------------------------------------------------------------------------------
    def _set_plan(self, plan: Plan, redraw: bool = True) -> None:
        """Make ``plan`` the user's plan and keep it in the browser."""
        if not plan.empty and not plan.created:
            plan = replace(plan, created=_now())
        changed_points = ([(i.code, i.side) for i in plan.items] != [(i.code, i.side) for i in self.plan.items]
                          or [i.id for i in plan.techniques] != [i.id for i in self.plan.techniques])
        self.plan = plan
        self._share_url = None
        self.store.value = "" if plan == Plan() else dumps(plan)
        self._render()
        if redraw and changed_points and not self.read_only:
            self._on_change()

    def _replace(self, plan: Plan, title: str) -> None:
        """Replace the whole plan (clear, open, copy), keeping the old one for Undo."""
        self._undo = self.plan if (not self.plan.empty or self.plan.note) else None
        self._message = Message("info", title, undo=self._undo is not None)
        self._set_plan(plan)

    def add_technique(self, technique_id: str, side: str) -> None:
        """Add a technique of the selection to the user's plan (in the session; the practitioner
        then says whether it is also for home), with Undo. A shared plan open read-only, or
        patient mode, leaves the plan as it is."""
        if self.read_only or self._mode == "patient":
            return
        plan = self.plan
        if plan.empty:
            subject = dict(subject_of(self._scene))
            if subject:
                plan = set_subject(plan, **subject)
            default_title = title_for(self._scene)
            if plan.title == Plan().title and default_title:
                plan = set_title(plan, default_title)
        try:
            new = add_technique(plan, technique_id, side if side in ("left", "right", "both") else "both",
                                "session", self.knowledge)
        except ValueError as err:
            self._message = Message("error", "That technique could not be added", (str(err)[:300],))
            self._render()
            return
        self._undo = self.plan
        self._message = Message("info", f"Added {self.knowledge.technique(technique_id).name}", undo=True)
        self._set_plan(new)

    def _add(self, code: str, side: str) -> None:
        plan = self.plan
        if not plan.items:
            subject = {k: v for k, v in subject_of(self._scene).items()}
            if subject:
                plan = set_subject(plan, **subject)
            default_title = title_for(self._scene)
            if plan.title == Plan().title and default_title:
                plan = set_title(plan, default_title)
        self._set_plan(add_point(plan, code, side, self.knowledge))

    def _on_msg(self, event) -> None:
        msg = getattr(event, "data", event)   # Panel passes the DataEvent; its data is the message
        if not isinstance(msg, dict):
            return
        action, value = str(msg.get("action", "")), msg.get("value", "")
        value = value if isinstance(value, str) else str(value)
        try:
            index = int(msg.get("index", ""))
        except (TypeError, ValueError):
            index = None
        try:
            self._act(action, value, index)
        except (ValueError, IndexError, KeyError) as err:
            self._message = Message("error", "That change could not be made", (str(err)[:300],))
            self._render()

    def _act(self, action: str, value: str, index: int | None) -> None:
        plan = self.plan
        if action == "point" and self.knowledge.has_point(value):
            if self._on_point is not None:
                self._on_point(value)
            return
        if action == "dismiss":
            self._message = None
        elif action == "show":
            self._show = value == "true"
            self._on_change()
        elif action == "share":
            self._share_url = self._make_share_url()
        elif action == "copy_shared" and self.shared is not None:
            shared = self.shared
            self.shared, self.shared_token = None, None
            self.store.link = ""              # so the same link, opened again, counts as a change
            self._replace(shared, "Copied the shared plan into your plan")
            return
        elif action == "close_shared" and self.shared is not None:
            self.shared, self.shared_token = None, None
            self.store.link = ""
            self._message = None
            self._on_change()
        elif action == "undo" and self._undo is not None:
            previous, self._undo = self._undo, None
            self._message = Message("info", "Restored the previous plan")
            self._set_plan(previous)
            return
        elif action == "forget":
            self._forget()
            return
        elif self.read_only or self._mode == "patient":
            return                         # editing is off for a shared plan and in patient mode
        elif action == "add":
            code, _, side = value.partition("|")
            self._add(code, side)
            return
        elif action == "add_all":
            for c in candidates(self._scene, self.knowledge, plan):
                self._add(c.code, "midline" if c.midline else "both")
            return
        elif action == "remove" and index is not None:
            self._set_plan(remove_point(plan, index))
            return
        elif action in ("up", "down") and index is not None:
            self._set_plan(move_point(plan, index, index + (-1 if action == "up" else 1)))
            return
        elif action == "note" and index is not None:
            self._set_plan(set_item_note(plan, index, value[:MAX_ITEM_NOTE]))
            return
        elif action == "plan_note":
            self._set_plan(set_note(plan, value[:MAX_NOTE]))
            return
        elif action == "title":
            self._set_plan(set_title(plan, value.strip()[:MAX_TITLE] or Plan().title))
            return
        elif action == "t_remove" and index is not None:
            self._set_plan(remove_technique(plan, index))
            return
        elif action in ("t_up", "t_down") and index is not None:
            self._set_plan(move_technique(plan, index, index + (-1 if action == "t_up" else 1)))
            return
        elif action == "t_note" and index is not None:
            self._set_plan(set_technique_note(plan, index, value[:MAX_ITEM_NOTE]))
            return
        elif action == "t_setting" and index is not None:
            self._set_plan(set_technique_setting(plan, index, value, self.knowledge))
            return
        elif action == "clear" and not plan.empty:
            self._replace(Plan(), "Plan cleared")
            return
        self._render()

    def _forget(self) -> None:
        """Remove every plan Radix keeps in this browser (no Undo: forgetting is the point)."""
        self._undo = None
        self._set_plan(Plan())
        self.store.forget()
        self._message = Message("info", "Removed every plan Radix kept in this browser")
        self._render()

    def _make_share_url(self) -> str:
        token = share_token(self._with_symptoms(self.plan))
        loc = pn.state.location
        base = ""
        if loc is not None and loc.hostname:
            port = f":{loc.port}" if loc.port else ""
            base = f"{loc.protocol}//{loc.hostname}{port}{loc.pathname}"
        return f"{base}{link_hash(token)}"

    # --- the browser store --------------------------------------------------------------------
    def _on_stored(self, event) -> None:
        text = event.new or ""
        if text == ("" if self.plan == Plan() else dumps(self.plan)):
            return                                   # our own write coming back
        if not text:
            self.plan = Plan()
        else:
            try:
                self.plan = loads(text, self.knowledge, source="the plan kept in this browser")
            except PlanError as err:
                self._message = Message(
                    "error", "The plan kept in this browser could not be read; it stays there until you "
                    "change the plan.", error_lines(err))
                self._render()
                return
        self._render()
        if not self.read_only:
            self._on_change()

    def _on_link(self, event) -> None:
        """The page's fragment named a share token (on load, or the user pasted another link)."""
        token = (event.new or "").strip()
        if token == (self.shared_token or ""):
            return
        if not token:
            if self.shared is not None:
                self.shared, self.shared_token = None, None
                self._render()
                self._on_change()
            return
        notes = self.open_link(token)
        if notes:
            self._message = Message("error", notes[0])
            self._render()
        else:
            self._message = None
            self._on_change()

    def _on_store_problem(self, event) -> None:
        if event.new:
            self._message = Message("error", event.new)
            self._render()

    # --- files --------------------------------------------------------------------------------
    def _save_json(self):
        plan = self._with_symptoms(self.shown)
        if not plan.created:
            plan = replace(plan, created=_now())
        self.save.filename = plan_filename(plan, ".json")
        return io.StringIO(dumps(plan))

    def _on_open(self, event) -> None:
        if event.new is None:
            return
        filename = self.open.filename or "plan.json"
        try:
            if self.read_only:
                self._message = Message("error", "Close the shared plan (Back to my plan) before opening a file.")
            else:
                plan = read_upload(filename, event.new, self.knowledge)
                self._restore(plan)
                n = len(plan.symptoms.marks) if plan.symptoms else 0
                marks = f", {n} mark{'s' if n != 1 else ''}" if n else ""
                # the marks live in the session (and the #marks= fragment), not in the stored plan
                self._replace(set_symptoms(plan, None),
                              f"Opened {Path(filename).name[:120]} ({len(plan.items)} points{marks})")
                return
        except PlanError as err:
            self._message = Message("error", f"{Path(filename).name[:120]} could not be opened; your plan is "
                                    "unchanged.", error_lines(err))
        finally:
            self.open.clear()
        self._render()

    # --- handout ------------------------------------------------------------------------------
    async def _on_handout(self, event) -> None:
        plan = self._with_symptoms(self.shown)
        if self._busy:
            return
        if plan.empty:
            self._show_status("error", "Add points or techniques to the plan first: the handout lists them.")
            return
        audience = "patient" if self._mode == "patient" else self.audience.value
        self._busy = True
        self.handout.disabled = True
        self.progress.param.update(value=-1, visible=True)
        progress = _Progress()
        self._show_status("info", "Rendering the handout… (this takes a few seconds)")
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(None, render_handout, plan, self.knowledge, self.data.assets_dir, audience,
                                   progress)
        try:
            while not job.done():
                await asyncio.wait([job], timeout=0.3)
                if progress.fraction is not None:
                    self.progress.value = int(progress.fraction * 100)
                self.status.object = _status_html("info", f"Rendering the handout… {progress.text}")
            data = job.result()
        except ImportError as err:
            self._show_status("error", f"Handouts need the off-screen renderer, which is not installed here "
                                       f"({err}).")
        except Exception as err:   # the export failed: say so in the page, never a traceback
            self._show_status("error", f"The handout could not be made: {type(err).__name__}: {str(err)[:300]}")
        else:
            if not data.startswith(b"%PDF"):
                self._show_status("error", "The handout could not be made: the export did not write a PDF.")
            else:
                self.panel.send_download(plan_filename(plan, f"-{audience}.pdf"), data, "application/pdf")
                self._show_status("info", f"Handout ready ({len(data) // 1024} KB): your browser saves it.")
        finally:
            self._busy = False
            self.handout.disabled = False
            self.progress.visible = False

    def _show_status(self, kind: str, text: str) -> None:
        self.status.param.update(object=_status_html(kind, text), visible=True)

    # --- drawing ------------------------------------------------------------------------------
    def _render(self) -> None:
        plan, mode = self.shown, self._mode
        patient = mode == "patient"
        n, nt = len(plan.items), len(plan.techniques)
        # The explanation keeps the larger part of the column (flex 2): a practitioner's plan
        # with points takes half, an empty one a third. Patients and students only see a plan
        # that is there (a shared one, or one made for them): planning is the practitioner's.
        share = "2" if mode == "practitioner" and (n or nt) else "1"
        self._fit(hidden=mode != "practitioner" and not (n or nt), share=share)
        title = ("Shared plan" if self.read_only else "Your plan" if patient else "Plan")
        count = f"{n} point{'s' if n != 1 else ''}" if n else ("" if nt else "empty")
        if nt:
            count += (", " if n else "") + f"{nt} technique{'s' if nt != 1 else ''}"
        self.header.object = (f'<div class="rx-plan-bar"><span>{escape(title)}</span>'
                              f'<span class="rx-plan-bar-count">{escape(count)}</span></div>')
        self._files.styles = {"display": "none" if patient else "flex"}
        self.audience.styles = {"display": "none" if patient else "block"}
        self.open.disabled = self.read_only
        self.handout.disabled = self._busy or plan.empty
        self.panel.content = plan_html(
            plan, self.knowledge, mode, read_only=self.read_only,
            cands=candidates(self._scene, self.knowledge, self.plan) if not self.read_only else (),
            source=subject_label(self._scene), message=self._message, share_url=self._share_url,
            show_in_view=self._show, undo=self._undo is not None)


def _status_html(kind: str, text: str) -> str:
    return f'<div class="rx-plan-msg rx-plan-msg-{_attr(kind)}" style="margin:4px 0">{escape(text)}</div>'
