""""Where does it hurt?": symptom marks on the skin, weakness, and the ranked roots and muscles.

The marks live in the page's address **fragment** (``#marks=...``), never in the query, so they
are not sent to a server with the page request nor kept in its logs (issue 19's privacy rule, as
``#plan=`` in :mod:`viewer.app.plan_ui`). The format is short and strict::

    #marks=p:12,-40,900;t:-80,30,60;w:long_toe_extensors

``p`` a pain mark and ``t`` tingling or numbness at ``x,y,z`` (whole mm, atlas frame), ``w`` a
weak ISNCSCI key muscle. :func:`parse_marks` names every entry it cannot use and keeps the rest.

The ranking is :func:`viewer.symptoms.rank_roots` and :func:`~viewer.symptoms.rank_muscles`;
:func:`symptoms_html` shows it in plain words (the reasons and sources for students and
practitioners), every text escaped, with the educational notice: a ranking, not a diagnosis.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import panel as pn
import param
from panel.custom import JSComponent

from viewer.scene import MARK_COLOURS
from viewer.scene.words import MARK_WORDS, SYMPTOMS_NOTICE, candidate_strength, mark_names

from .infopanel import InfoPanel

#: The fragment parameter of the marks.
MARKS_PARAM = "marks"
KINDS = {"p": "pain", "t": "tingling"}
KIND_CODES = {v: k for k, v in KINDS.items()}
KIND_WORDS = MARK_WORDS
#: Marks kept at most (a link stays short).
MAX_MARKS = 40
_LIMIT_MM = 5000
_NUMBER = re.compile(r"-?\d{1,4}")


@dataclass(frozen=True)
class Mark:
    """A symptom mark: ``kind`` (``pain`` or ``tingling``) at ``position`` (mm, atlas frame)."""

    kind: str
    position: tuple[int, int, int]


def parse_marks(text: str, key_muscles) -> tuple[tuple[Mark, ...], tuple[str, ...], list[str]]:
    """The marks and weak key muscles of a fragment value, and a note per entry not used.

    >>> marks, weak, notes = parse_marks("p:1,2,3;w:elbow_flexors;x:1", {"elbow_flexors"})
    >>> marks, weak
    ((Mark(kind='pain', position=(1, 2, 3)),), ('elbow_flexors',))
    >>> notes[0][:44]
    'Symptom entry 3 of the link (x:1) was not us'
    """
    marks: list[Mark] = []
    weak: list[str] = []
    notes: list[str] = []
    for n, entry in enumerate(filter(None, (text or "").split(";")), start=1):
        kind, _, value = entry.partition(":")

        def note(why: str, n=n, entry=entry) -> None:
            notes.append(f"Symptom entry {n} of the link ({entry[:40]}) was not used: {why}.")

        if kind == "w":
            if value in key_muscles:
                if value not in weak:
                    weak.append(value)
            else:
                note("it names no key muscle")
        elif kind in KINDS:
            parts = value.split(",")
            if len(parts) != 3 or not all(_NUMBER.fullmatch(p) for p in parts):
                note("a position is three whole numbers of mm, x,y,z")
            elif len(marks) >= MAX_MARKS:
                note(f"a link keeps at most {MAX_MARKS} marks")
            else:
                x, y, z = (int(p) for p in parts)
                marks.append(Mark(KINDS[kind], (x, y, z)))
        else:
            note("the kind must be p (pain), t (tingling) or w (weakness)")
    return tuple(marks), tuple(weak), notes


def format_marks(marks, weak) -> str:
    """The fragment value of marks and weak key muscles (inverse of :func:`parse_marks`).

    >>> format_marks([Mark("tingling", (-80, 30, 60))], ["long_toe_extensors"])
    't:-80,30,60;w:long_toe_extensors'
    """
    items = [f"{KIND_CODES[m.kind]}:{','.join(str(int(round(v))) for v in m.position)}" for m in marks]
    items += [f"w:{w}" for w in weak]
    return ";".join(items)


def mark_markers(marks, show_labels: bool = True) -> list[dict]:
    """The view's markers for the marks (``code`` ``mark-<n>``, coloured by kind, labelled as
    :func:`mark_names`)."""
    return [{"code": f"mark-{i + 1}", "side": "", "position": [float(v) for v in m.position],
             "color": MARK_COLOURS[m.kind], "radius": 12, "label": name if show_labels else ""}
            for i, (m, name) in enumerate(zip(marks, mark_names(marks)))]


def _side_words(side: str) -> str:
    return {"left": "left", "right": "right"}.get(side, "both sides")


def symptoms_html(knowledge, marks, weak, roots=(), muscles=(), mode: str = "patient",
                  problem: str | None = None, notes=()) -> str:
    """The consultation panel: the marks (each removable), the candidate roots and muscles, each
    a button into its chain (``data-action`` ``sroot`` / ``smuscle``), and the notice. Students
    and practitioners see every reason with its sources; patients the plain ranking."""
    out = ['<div class="rx-symptoms">', f'<p class="rx-notice-line">{escape(SYMPTOMS_NOTICE)}</p>']
    for n in notes:
        out.append(f'<p class="rx-note">{escape(n)}</p>')
    if problem:
        out.append(f'<p class="rx-note">{escape(problem)}</p>')
    if marks or weak:
        out.append('<div class="rx-marks">')
        for i, (m, name) in enumerate(zip(marks, mark_names(marks))):
            out.append(f'<button class="rx-chip rx-mark rx-mark-{escape(m.kind)}" data-action="unmark" '
                       f'data-value="{i}" title="Remove this mark">{name} {escape(KIND_WORDS[m.kind])} ×</button>')
        for w in weak:
            name = knowledge.key_muscle(w).name
            out.append(f'<button class="rx-chip rx-mark rx-mark-weak" data-action="unweak" '
                       f'data-value="{escape(w)}" title="Remove">Weak: {escape(name)} ×</button>')
        out.append('<button class="rx-chip rx-mark-clear" data-action="clearmarks" data-value="">'
                   'Clear all</button></div>')
    else:
        out.append('<p class="rx-hint">Choose Pain or Tingling, then tap where you feel it on the body; '
                   'add a weakness below.</p>')
    if roots:
        out += _candidates("Nerve roots that fit", [
            (c, "sroot", f"{c.root}:{c.side}", f"{c.root} root") for c in roots[:6]], mode)
    if muscles:
        out += _candidates("Muscles that may cause the pain", [
            (c, "smuscle", f"{c.muscle}:{c.side}", knowledge.muscle(c.muscle).name)
            for c in muscles[:6]], mode)
    out.append("</div>")
    return "".join(out)


# --- the panel (widgets, the fragment, the ranking) ----------------------------------------------

log = logging.getLogger(__name__)

_FRAGMENT_ESM = """
// One parameter of the address fragment (#marks=...), read in the browser: a fragment is never
// sent to a server, so the page tells Python on load and whenever it changes.
export function render({ model, el }) {
  const read = () => new URLSearchParams(window.location.hash.slice(1)).get(model.name) || "";
  const send = () => { model.value = read(); };
  setTimeout(send, 0);
  window.addEventListener("hashchange", send);
  model.on("remove", () => window.removeEventListener("hashchange", send));
  el.style.display = "none";
}
"""


class FragmentParam(JSComponent):
    """The value of ``name`` in the page's address fragment, sent by the browser on load and on
    every change (Python writes the fragment through ``pn.state.location``)."""

    name = param.String(default=MARKS_PARAM, constant=True)
    value = param.String(default="")

    _esm = _FRAGMENT_ESM

    def __init__(self, **params):
        params.setdefault("width", 0)
        params.setdefault("height", 0)
        params.setdefault("margin", 0)
        super().__init__(**params)


@lru_cache(maxsize=4)
def symptom_body(data):
    """The :class:`~viewer.body_regions.SkinMap` the marks are ranked on (built once per body,
    about two seconds), or the reason there is none."""
    from viewer.body_regions import skin_map

    try:
        return skin_map(data.atlas)
    except (KeyError, ValueError) as err:
        log.warning("Radix: no symptom ranking on this body (%s)", err)
        return f"Symptoms cannot be ranked on this body: {err}."


class SymptomPanel:
    """The "Where does it hurt?" section: the kind of the next mark, the weak key muscles, and the
    ranked roots and muscles (an :class:`InfoPanel` whose buttons remove marks or open a chain).

    ``on_change()`` is called when the marks change (redraw the markers, rewrite the link);
    ``on_open(kind, id, side)`` when a candidate root (``"root"``) or muscle (``"muscle"``) is
    tapped.
    """

    def __init__(self, data, on_change, on_open, mode: str = "patient"):
        self.data = data
        self.knowledge = data.knowledge
        self.on_change, self.on_open = on_change, on_open
        self.mode = mode
        self.marks: list[Mark] = []
        self.weak: list[str] = []
        self.notes: list[str] = []
        self.problem: str | None = None
        self.roots: tuple = ()
        self.muscles: tuple = ()
        key = {f"{km.name} ({km.root})": km.id for km in self.knowledge.key_muscles}
        self.kind = pn.widgets.RadioButtonGroup(
            options={"Off": "", "Pain": "pain", "Tingling": "tingling"}, value="",
            button_type="primary", button_style="outline", sizing_mode="stretch_width",
            css_classes=["rx-mark-kind"])
        self.weak_input = pn.widgets.MultiChoice(
            label="Weak movements (key muscles)", options=key, value=[], sizing_mode="stretch_width",
            placeholder="e.g. ankle dorsiflexors", css_classes=["rx-weak"])
        self.results = InfoPanel(sizing_mode="stretch_width", min_height=60, css_classes=["rx-symptom-panel"])
        self.fragment_in = FragmentParam()
        self.weak_input.param.watch(self._on_weak, "value")
        self.results.param.watch(self._on_action, "action")
        self.fragment_in.param.watch(self._on_fragment, "value")
        self._render()

    def panel(self) -> list:
        return [self.kind, self.weak_input, self.results, self.fragment_in]

    # --- the link -----------------------------------------------------------------------------
    def fragment(self) -> str:
        """``marks=<value>`` for the address fragment, or empty without marks."""
        value = format_marks(self.marks, self.weak)
        return f"{MARKS_PARAM}={value}" if value else ""

    def _on_fragment(self, event) -> None:
        text = event.new or ""
        if text == format_marks(self.marks, self.weak):
            return
        marks, weak, notes = parse_marks(text, {km.id for km in self.knowledge.key_muscles})
        self.marks, self.weak, self.notes = list(marks), list(weak), notes
        self._set_weak_input()
        self._update()

    # --- editing ------------------------------------------------------------------------------
    def add(self, position) -> None:
        """A tap on the skin at ``position`` (mm) adds a mark of the chosen kind."""
        if not self.kind.value or len(self.marks) >= MAX_MARKS:
            return
        try:
            xyz = tuple(int(round(float(v))) for v in position)
        except (TypeError, ValueError):
            return
        if len(xyz) != 3 or any(abs(v) > _LIMIT_MM for v in xyz):
            return
        self.marks.append(Mark(self.kind.value, xyz))
        self.notes = []
        self._update()

    def _set_weak_input(self) -> None:
        if list(self.weak_input.value) != self.weak:
            self._syncing = True
            try:
                self.weak_input.value = list(self.weak)
            finally:
                self._syncing = False

    def _on_weak(self, event) -> None:
        if getattr(self, "_syncing", False):
            return
        self.weak = list(event.new)
        self._update()

    def _on_action(self, event) -> None:
        act = event.new or {}
        kind, value = act.get("action"), str(act.get("value", ""))
        if kind == "unmark" and value.isdigit() and int(value) < len(self.marks):
            del self.marks[int(value)]
        elif kind == "unweak" and value in self.weak:
            self.weak.remove(value)
            self._set_weak_input()
        elif kind == "clearmarks":
            self.marks, self.weak = [], []
            self._set_weak_input()
        elif kind in ("sroot", "smuscle"):
            subject, _, side = value.partition(":")
            self.on_open("root" if kind == "sroot" else "muscle", subject, side)
            return
        else:
            return
        self._update()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._render()

    # --- the ranking --------------------------------------------------------------------------
    def _update(self) -> None:
        self._rank()
        self._render()
        self.on_change()

    def _rank(self) -> None:
        from viewer.symptoms import SymptomInputError, rank_muscles, rank_roots

        self.roots, self.muscles, self.problem = (), (), None
        if not self.marks and not self.weak:
            return
        body = symptom_body(self.data)
        if isinstance(body, str):
            self.problem = body
            return
        pain = [m.position for m in self.marks if m.kind == "pain"]
        tingling = [m.position for m in self.marks if m.kind == "tingling"]
        try:
            self.roots = rank_roots(self.knowledge, body, pain=pain, tingling=tingling, weakness=self.weak)
            self.muscles = rank_muscles(self.knowledge, body, pain=pain)
        except SymptomInputError as err:
            self.problem = f"These marks cannot be ranked: {err}"

    def _render(self) -> None:
        self.results.content = symptoms_html(self.knowledge, self.marks, self.weak, self.roots, self.muscles,
                                             self.mode, self.problem, self.notes)

    def markers(self, show_labels: bool = True) -> list[dict]:
        return mark_markers(self.marks, show_labels)

    # --- the plan -----------------------------------------------------------------------------
    def plan_symptoms(self):
        """The marks, weak key muscles and ranked candidate roots for a saved or shared plan
        (:class:`viewer.plan.model.PlanSymptoms`), or None without marks."""
        from viewer.plan.model import MAX_SYMPTOM_CANDIDATES, CandidateLevel, PlanSymptoms, SymptomMark

        if not self.marks and not self.weak:
            return None
        return PlanSymptoms(
            marks=tuple(SymptomMark.at(m.kind, m.position) for m in self.marks), weakness=tuple(self.weak),
            candidates=tuple(CandidateLevel(c.root, c.side, round(c.score, 2))
                             for c in self.roots[:MAX_SYMPTOM_CANDIDATES]))

    def restore(self, symptoms) -> None:
        """Put the marks of an opened plan back (they replace the current ones, and the address
        fragment follows); weak muscles the app's list does not hold are named in the panel."""
        keys = {km.id for km in self.knowledge.key_muscles}
        self.marks = [Mark(m.kind, tuple(int(round(v)) for v in m.position)) for m in symptoms.marks][:MAX_MARKS]
        self.weak = [w for w in dict.fromkeys(symptoms.weakness) if w in keys]
        self.notes = [f"The plan's weakness {w!r} is not one of the key muscles listed here; it was not restored."
                      for w in symptoms.weakness if w not in keys]
        self._set_weak_input()
        self._update()


def _candidates(title: str, items, mode: str) -> list[str]:
    """One ranked list of candidates (roots or muscles): ``items`` are ``(candidate, action,
    value, label)``, best first; each is a button into its chain, with its reasons beside it
    except in Patient mode."""
    out = [f'<h4>{escape(title)}</h4><ol class="rx-candidates">']
    kind = {"sroot": "rx-cand-root", "smuscle": "rx-cand-muscle"}
    for i, (c, action, value, label) in enumerate(items):
        out.append(f'<li><button class="rx-chip {kind[action]}" data-action="{action}" '
                   f'data-value="{escape(value)}">{escape(label)}, {escape(_side_words(c.side))}</button> '
                   f'<span class="rx-strength">{escape(candidate_strength(i, c))}</span>')
        if mode != "patient":
            out.append('<ul class="rx-reasons">' + "".join(f"<li>{escape(r)}</li>" for r in c.reasons)
                       + "</ul>")
        out.append("</li>")
    out.append("</ol>")
    return out
