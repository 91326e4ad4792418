"""The info panel: a selection, a level, a root or a point as HTML. Every text that comes from data
(or from a link) is escaped.

Pure functions from :mod:`viewer.selection` records (and the knowledge they came from) to HTML
strings; no panel objects, so they are tested as strings. Clickable items are ``<button>``
elements with ``data-action`` (``muscle``, ``level``, ``root``, ``point``, ``answer``, ``next``,
``back``) and ``data-value``; :class:`viewer.app.view3d.InfoPanel` sends those clicks to Python.

How much is said depends on the mode:

- ``patient``: plain words, big type, no point codes; the story of a compressed root.
- ``student``: the chain with names, clickable links and the self-test card.
- ``practitioner``: everything: codes, location rules, depths, cautions with sources, reasons,
  gaps and the disagreements between sources.

Every point shown in any mode shows its cautions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape

from viewer.atlas import MIDLINE, PAIRED_SIDES
from viewer.scene import POINT_COLOUR, ROLE_COLOURS
from viewer.scene.words import (  # noqa: F401  (the app's words: info.NOTICE, info.NO_CAUTION)
    CAUTION_NAMES,
    CAUTION_PLAIN,
    NO_CAUTION,
    NOTICE,
    PLACEMENT_WORDS,
    exit_words,
    join_words,
    needling_text,
    patient_story,
)


CSS = """
:host { display: block; }
.rx-host { height: 100%; overflow-y: auto; overflow-x: hidden; box-sizing: border-box; padding: 14px 16px 16px; }
.rx-info { font: 14px/1.55 "Inter", "Segoe UI", system-ui, -apple-system, sans-serif; color: #1e293b; }
.rx-info h2 { font-size: 21px; line-height: 1.25; margin: 0 0 2px; color: #0f172a; font-weight: 700; }
.rx-kicker { font-size: 11px; font-weight: 700; letter-spacing: .08em; text-transform: uppercase; color: #0f766e; margin: 0 0 2px; }
.rx-sub { color: #64748b; font-size: 13px; margin: 0 0 10px; }
.rx-plain { margin: 0 0 12px; color: #334155; }
.rx-mode-patient { font-size: 17px; line-height: 1.6; }
.rx-mode-patient h2 { font-size: 26px; }
.rx-mode-patient .rx-plain { font-size: 18px; color: #1e293b; }
.rx-story { margin: 0 0 14px; padding: 12px 14px; border-radius: 10px; background: #f8fafc; border: 1px solid #e2e8f0; }
.rx-story h3 { margin: 0 0 6px; }
.rx-story p { margin: 0 0 8px; }
.rx-story p:last-child { margin: 0; }
.rx-chain { list-style: none; padding: 0; margin: 4px 0 12px; position: relative; }
.rx-chain > li { position: relative; padding: 0 0 12px 22px; }
.rx-chain > li::before {
  content: ""; position: absolute; left: 4px; top: 6px; width: 9px; height: 9px; border-radius: 50%;
  background: var(--dot, #94a3b8);
}
.rx-chain > li:not(:last-child)::after {
  content: ""; position: absolute; left: 8px; top: 17px; bottom: 0; width: 1px; background: #cbd5e1;
}
.rx-step { display: block; font-size: 11px; font-weight: 700; letter-spacing: .06em; text-transform: uppercase; color: #64748b; }
.rx-chip {
  display: inline-block; margin: 3px 4px 0 0; padding: 1px 9px; border-radius: 999px; font: inherit; font-size: 13px;
  font-weight: 650; background: #f1f5f9; color: #0f172a; border: 1px solid #e2e8f0; line-height: 1.6;
}
.rx-chip-alt { background: #fff; color: #64748b; border-style: dashed; font-weight: 500; }
button.rx-chip, button.rx-link { cursor: pointer; }
button.rx-chip:hover { background: #e2e8f0; }
button.rx-chip:focus-visible, button.rx-link:focus-visible, .rx-choice:focus-visible, .rx-btn:focus-visible {
  outline: 2px solid #0f766e; outline-offset: 1px; }
.rx-link {
  font: inherit; color: #0f5f59; background: none; border: 0; padding: 0; text-decoration: underline;
  text-decoration-color: #99c7c2; text-underline-offset: 2px;
}
.rx-link:hover { color: #134e4a; text-decoration-color: currentColor; }
.rx-muted { color: #64748b; font-size: 13px; }
.rx-list { margin: 4px 0 0; padding-left: 18px; font-size: 13px; color: #334155; }
.rx-list li { margin-bottom: 3px; }
.rx-inline { margin: 2px 0 0; }
.rx-section { margin-top: 16px; }
.rx-section h3, .rx-story h3 { font-size: 12px; font-weight: 700; letter-spacing: .06em; text-transform: uppercase; color: #475569; margin: 0 0 6px; }
.rx-points { list-style: none; margin: 4px 0 0; padding: 0; }
.rx-point { padding: 8px 0; border-top: 1px solid #eef2f7; }
.rx-point:first-child { border-top: 0; padding-top: 2px; }
.rx-point-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 8px; }
.rx-point-name { color: #334155; font-size: 13px; }
.rx-point-detail { font-size: 13px; color: #334155; margin-top: 3px; }
.rx-point-detail b { color: #0f172a; font-weight: 650; }
.rx-code { font-weight: 700; color: __POINT_COLOUR__; }
.rx-caution {
  margin: 6px 0 0; padding: 6px 9px; border-radius: 8px; background: #fff7ed; border: 1px solid #fdba74;
  border-left: 4px solid #ea580c; font-size: 13px; color: #7c2d12;
}
.rx-caution + .rx-caution { margin-top: 4px; }
.rx-caution-kind {
  display: inline-block; margin-right: 6px; padding: 0 7px; border-radius: 999px; background: #c2410c; color: #fff;
  font-size: 11px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; line-height: 1.7;
}
.rx-caution-none { margin-top: 2px; font-size: 12px; color: #64748b; }
.rx-caution-src { color: #9a3412; font-size: 12px; }
.rx-cautions-box { margin: 12px 0; padding: 10px 12px; border-radius: 10px; background: #fff7ed; border: 2px solid #ea580c; }
.rx-cautions-box h3 { margin: 0 0 6px; color: #9a3412; font-size: 13px; letter-spacing: .06em; text-transform: uppercase; }
.rx-cautions-box .rx-caution { background: #fff; }
.rx-facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 8px 0 0; font-size: 13.5px; }
.rx-facts dt { color: #64748b; font-weight: 600; }
.rx-facts dd { margin: 0; color: #0f172a; }
.rx-status { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 650; line-height: 1.7; }
.rx-status-placed_checked { background: #dcfce7; color: #166534; }
.rx-status-placed { background: #e0f2fe; color: #075985; }
.rx-status-not_placed { background: #f1f5f9; color: #475569; }
.rx-disagree { margin: 4px 0 0; padding: 8px 10px; border-radius: 8px; background: #f5f3ff; border: 1px solid #ddd6fe; font-size: 13px; color: #3b0764; }
.rx-disagree li { margin-bottom: 3px; }
.rx-empty { color: #475569; }
.rx-empty h2 { font-size: 19px; }
.rx-empty ol { padding-left: 20px; margin: 6px 0; }
.rx-problem { border: 1px solid #fcd34d; background: #fffbeb; border-radius: 10px; padding: 12px 14px; margin-bottom: 12px; }
.rx-problem h3 { margin: 0 0 6px; font-size: 15px; color: #92400e; text-transform: none; letter-spacing: 0; }
.rx-problem code { background: #fef3c7; padding: 1px 5px; border-radius: 4px; font-size: 13px; }
.rx-problem ul { margin: 6px 0 0; padding-left: 18px; font-size: 13px; color: #78350f; }
.rx-sources { font-size: 12px; color: #64748b; margin-top: 14px; }
.rx-back { margin: 0 0 8px; }
.rx-notice {
  margin-top: 16px; padding: 8px 10px; border-radius: 8px; background: #f0fdfa; color: #115e59;
  font-size: 12.5px; border: 1px solid #99f6e4;
}
.rx-quiz { margin: 16px 0 4px; padding: 12px 14px; border-radius: 12px; background: #f0f9ff; border: 1px solid #bae6fd; }
.rx-quiz-head { display: flex; align-items: baseline; justify-content: space-between; }
.rx-quiz-head h3 { margin: 0; font-size: 12px; font-weight: 700; letter-spacing: .06em; text-transform: uppercase; color: #075985; }
.rx-score { font-size: 13px; font-weight: 700; color: #0c4a6e; }
.rx-q { margin: 6px 0 8px; font-size: 15px; font-weight: 650; color: #0f172a; }
.rx-choices { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
.rx-choice {
  font: inherit; font-size: 14px; font-weight: 600; padding: 7px 10px; border-radius: 8px; cursor: pointer;
  background: #fff; color: #0f172a; border: 1px solid #93c5fd; text-align: left;
}
.rx-choice:hover:enabled { background: #dbeafe; }
.rx-choice:disabled { cursor: default; opacity: .75; }
.rx-choice.rx-right { background: #dcfce7; border-color: #16a34a; color: #14532d; opacity: 1; }
.rx-choice.rx-wrong { background: #fee2e2; border-color: #dc2626; color: #7f1d1d; opacity: 1; }
.rx-feedback { margin-top: 8px; padding: 8px 10px; border-radius: 8px; font-size: 13.5px; }
.rx-feedback-right { background: #dcfce7; color: #14532d; }
.rx-feedback-wrong { background: #fee2e2; color: #7f1d1d; }
.rx-feedback b { font-weight: 700; }
.rx-btn {
  font: inherit; font-size: 13px; font-weight: 650; margin-top: 8px; padding: 6px 12px; border-radius: 8px; cursor: pointer;
  background: #0f766e; color: #fff; border: 0;
}
.rx-btn:hover { background: #115e59; }
.rx-btn-quiet { background: #f1f5f9; color: #0f172a; border: 1px solid #e2e8f0; margin-top: 0; }
.rx-btn-quiet:hover { background: #e2e8f0; }
"""
CSS = CSS.replace("__POINT_COLOUR__", POINT_COLOUR)


# --- small builders -------------------------------------------------------------------------------

def _attr(value: str) -> str:
    return escape(str(value), quote=True)


def action(kind: str, value: str, text: str, cls: str = "rx-link", title: str | None = None,
           style: str = "") -> str:
    """A button that sends ``{action: kind, value}`` back to Python when clicked."""
    t = f' title="{_attr(title)}"' if title else ""
    s = f' style="{style}"' if style else ""
    return (f'<button type="button" class="{cls}" data-action="{_attr(kind)}" data-value="{_attr(value)}"{t}{s}>'
            f"{escape(text)}</button>")


def _chip_style(colour: str | None) -> str:
    return f"border-color:{colour};box-shadow: inset 3px 0 0 {colour}" if colour else ""


def _chips(items: Iterable[str], colour: str | None = None, alt: bool = False,
           titles: Sequence[str] | None = None, kind: str | None = None,
           values: Sequence[str] | None = None) -> str:
    """Chips; with ``kind`` each is a button sending that action with its item (or ``values``)."""
    out = []
    items = list(items)
    titles = list(titles) if titles is not None else [""] * len(items)
    values = list(values) if values is not None else items
    cls = "rx-chip rx-chip-alt" if alt else "rx-chip"
    style = "" if alt else _chip_style(colour)
    for i, item in enumerate(items):
        title = titles[i] if i < len(titles) else ""
        if kind:
            out.append(action(kind, values[i], item, cls=cls, title=title or None, style=style))
        else:
            t = f' title="{_attr(title)}"' if title else ""
            s = f' style="{style}"' if style else ""
            out.append(f'<span class="{cls}"{s}{t}>{escape(item)}</span>')
    return "".join(out)


def _step(label: str, body: str, colour: str = "#94a3b8") -> str:
    return f'<li style="--dot:{colour}"><span class="rx-step">{escape(label)}</span>{body}</li>'


def _list(items: Iterable[str], cls: str = "rx-list", raw: bool = False) -> str:
    items = list(items)
    if not items:
        return ""
    return f'<ul class="{cls}">' + "".join(f"<li>{t if raw else escape(t)}</li>" for t in items) + "</ul>"


def _section(title: str, body: str, cls: str = "") -> str:
    if not body:
        return ""
    return f'<div class="rx-section {cls}"><h3>{escape(title)}</h3>{body}</div>'


def notice_html() -> str:
    return f'<div class="rx-notice">{escape(NOTICE)}</div>'


def notes_html(notes: Iterable[str]) -> str:
    """What a link asked for but could not be used (escaped), above the panel's content."""
    notes = list(notes)
    if not notes:
        return ""
    return ('<div class="rx-problem rx-link-notes"><h3>Part of this link could not be used</h3>'
            + _list(notes) + "</div>")


def _page(body: str, mode: str, notes: Iterable[str] = (), extra_cls: str = "") -> str:
    return (f'<div class="rx-info rx-mode-{_attr(mode)} {extra_cls}">{notes_html(notes)}{body}'
            f"{notice_html()}</div>")


def _muscle_links(muscles, alt: bool = False, limit: int | None = None) -> str:
    muscles = list(muscles)
    shown = muscles[:limit] if limit else muscles
    body = "".join(action("muscle", m.id, m.name, cls="rx-chip rx-chip-alt" if alt else "rx-chip")
                   for m in shown)
    if limit and len(muscles) > limit:
        body += f'<span class="rx-muted"> and {len(muscles) - limit} more</span>'
    return body


# --- cautions and points ----------------------------------------------------------------------------

def caution_html(caution, knowledge=None, mode: str = "student") -> str:
    """One caution, kind first: always visible, never folded away."""
    kind = CAUTION_NAMES.get(caution.kind, caution.kind.replace("_", " ").title())
    if mode == "patient":
        lead = CAUTION_PLAIN.get(caution.kind, "Needs care")
        return (f'<div class="rx-caution"><span class="rx-caution-kind">{escape(kind)}</span>'
                f"<b>{escape(lead)}.</b> {escape(caution.text)}</div>")
    src = ""
    if mode == "practitioner" and knowledge is not None and caution.sources:
        src = f' <span class="rx-caution-src">({escape(knowledge.cite(caution.sources))})</span>'
    return (f'<div class="rx-caution"><span class="rx-caution-kind">{escape(kind)}</span>'
            f"{escape(caution.text)}{src}</div>")


def cautions_html(point, knowledge=None, mode: str = "student", compact: bool = False) -> str:
    """All cautions of a point; a point without any says so (``compact``: on one short line)."""
    if not point.cautions:
        text = "no specific caution recorded" if compact else NO_CAUTION
        return f'<div class="rx-caution-none">{escape(text)}</div>'
    return "".join(caution_html(c, knowledge, mode) for c in point.cautions)


def point_row(point, knowledge, mode: str, drawn: bool = True) -> str:
    """A point in a list: code (a button), names, and its cautions (all modes)."""
    if mode == "patient":
        head = action("point", point.code, f"{point.english} ({point.pinyin})", cls="rx-link")
        return (f'<li class="rx-point"><div class="rx-point-head">{head}</div>'
                f"{cautions_html(point, knowledge, mode, compact=True)}</li>")
    mer = knowledge.meridian(point.meridian) if point.meridian else None
    colour = mer.colour if mer else POINT_COLOUR
    head = (action("point", point.code, point.code, cls="rx-chip", style=_chip_style(colour))
            + f'<span class="rx-point-name">{escape(point.pinyin)} · {escape(point.english)}</span>')
    if not drawn:
        head += '<span class="rx-muted">not placed on this model</span>'
    detail = ""
    if mode == "practitioner":
        from viewer.selection import describe_location

        rows = [f"<b>Location.</b> {escape(describe_location(point))}"]
        needle = needling_text(point)
        rows.append(f"<b>Needling.</b> {escape(needle)}" if needle else "<b>Needling.</b> not published in the sources used")
        rows.append(f"<b>Sources.</b> {escape(knowledge.cite(point.sources))}")
        detail = "".join(f'<div class="rx-point-detail">{r}</div>' for r in rows)
    return (f'<li class="rx-point"><div class="rx-point-head">{head}</div>{detail}'
            f"{cautions_html(point, knowledge, mode, compact=mode != 'practitioner')}</li>")


def points_html(codes: Iterable[str], knowledge, mode: str, drawn_points: Iterable[str] = ()) -> str:
    codes = [c for c in dict.fromkeys(codes) if knowledge.has_point(c)]
    if not codes:
        return ""
    drawn = set(drawn_points)
    rows = [point_row(knowledge.point(c), knowledge, mode, drawn=(c in drawn) or not drawn) for c in codes]
    note = ""
    if not drawn:
        note = '<div class="rx-muted">Point positions are not placed on this model yet; listed only.</div>'
    return f'<ul class="rx-points">{"".join(rows)}</ul>{note}'


# --- patient story ---------------------------------------------------------------------------------

def _story_html(sentences: Sequence[str], title: str = "What may be going on") -> str:
    return (f'<div class="rx-story"><h3>{escape(title)}</h3>'
            + "".join(f"<p>{escape(s)}</p>" for s in sentences) + "</div>")


# --- the self-test card ----------------------------------------------------------------------------

def quiz_html(state) -> str:
    """The student card: question, choices (buttons), feedback with the explanation, score."""
    if state is None:
        return ""
    q = state.question
    buttons = []
    for i, choice in enumerate(q.choices):
        cls = "rx-choice"
        if state.answered:
            if i == q.answer:
                cls += " rx-right"
            elif i == state.chosen:
                cls += " rx-wrong"
        disabled = " disabled" if state.answered else ""
        buttons.append(f'<button type="button" class="{cls}" data-action="answer" data-value="{i}"{disabled}>'
                       f"{escape(choice)}</button>")
    feedback = ""
    if state.answered:
        if state.correct:
            feedback = f'<div class="rx-feedback rx-feedback-right"><b>Right.</b> {escape(q.explanation)}</div>'
        else:
            feedback = (f'<div class="rx-feedback rx-feedback-wrong"><b>Not quite:</b> the answer is '
                        f"{escape(q.choices[q.answer])}. {escape(q.explanation)}</div>")
    return ('<section class="rx-quiz"><div class="rx-quiz-head"><h3>Test yourself</h3>'
            f'<span class="rx-score">Score {state.score} / {state.asked}</span></div>'
            f'<p class="rx-q">{escape(q.prompt)}</p><div class="rx-choices">{"".join(buttons)}</div>'
            f'{feedback}{action("next", "", "Next question", cls="rx-btn")}</section>')


# --- muscle ------------------------------------------------------------------------------------------

def _disagreements(m, knowledge) -> str:
    items = []
    main = tuple(m.roots)
    for alt in m.roots_alt:
        if tuple(alt.roots) == main:
            continue
        items.append(f"<b>{escape(knowledge.cite(alt.sources))}</b>: {escape(', '.join(alt.roots))}. "
                     f"{escape(alt.note)}")
    if not items:
        return ""
    lead = f"<div>Main roots here: <b>{escape(', '.join(main))}</b> ({escape(knowledge.cite(m.sources))}).</div>"
    return f'<div class="rx-disagree">{lead}{_list(items, raw=True)}</div>'


def selection_html(selection, knowledge, mode: str = "student", drawn_points: Iterable[str] = (),
                   quiz=None, notes: Iterable[str] = ()) -> str:
    """The chain of ``selection`` (a :class:`viewer.selection.Selection`) for the info panel.

    Parameters
    ----------
    selection : viewer.selection.Selection
    knowledge : viewer.knowledge.Knowledge
    mode : {"patient", "student", "practitioner"}
    drawn_points : iterable of str
        Codes that have a marker in the view (the others are marked as not placed).
    quiz : viewer.app.quiz.QuizState, optional
        The self-test card (student mode).
    notes : iterable of str
        Parts of a link that could not be used.
    """
    m = selection.muscle
    side = {"both": "both sides"}.get(selection.side, f"{selection.side} side")
    codes = list(dict.fromkeys([p.code for p in selection.paraspinal] + [p.code for p in selection.local_points]))
    drawn = list(drawn_points)
    parts = ['<p class="rx-kicker">Painful muscle</p>', f"<h2>{escape(m.name)}</h2>"]
    if mode == "patient":
        parts.append(f'<p class="rx-sub">{escape(side)}</p>')
        parts.append(f'<p class="rx-plain">{escape(m.plain_language)}</p>')
        parts.append(_story_html(patient_story(selection)))
        roots = [r.root for r in selection.roots]
        parts.append(_section("Nerve roots", _chips(roots, ROLE_COLOURS["nerve_root"], kind="root")))
        parts.append(_section("Points a practitioner may use here", points_html(codes, knowledge, mode, drawn)))
        return _page("".join(parts), mode, notes)

    parts.append(f'<p class="rx-sub">{escape(side)} · {escape(m.region)} · {escape(m.layer)}</p>')
    if m.plain_language:
        parts.append(f'<p class="rx-plain">{escape(m.plain_language)}</p>')
    steps = [_step("Nerve", f"<div>{escape(m.peripheral_nerve)}</div>")]
    roots = [r.root for r in selection.roots]
    body = _chips(roots, ROLE_COLOURS["nerve_root"], kind="root",
                  titles=[f"{r.root}: {r.exit.foramen}" for r in selection.roots])
    if selection.alternative_roots:
        body += _chips([f"{r.root} (other sources)" for r in selection.alternative_roots], alt=True,
                       kind="root", values=[r.root for r in selection.alternative_roots])
    if m.roots_note:
        body += f'<div class="rx-muted">{escape(m.roots_note)}</div>'
    steps.append(_step("Nerve roots", body or '<div class="rx-muted">none recorded</div>', ROLE_COLOURS["nerve_root"]))
    exits = [f"{escape(r.root)}: {escape(r.exit.foramen)} · level "
             + action("level", r.exit.level, r.exit.level) for r in selection.roots]
    steps.append(_step("Leaves the spine", _list(exits, raw=True), ROLE_COLOURS["bone"]))
    mf = [link.muscle_id for link in selection.multifidus]
    mf_body = (_chips([x.replace("multifidus_", "") for x in mf], ROLE_COLOURS["multifidus"], kind="muscle", values=mf)
               if mf else '<div class="rx-muted">no multifidus group for these roots</div>')
    steps.append(_step("Multifidus at", mf_body, ROLE_COLOURS["multifidus"]))
    pts = points_html(codes, knowledge, mode, drawn) or '<div class="rx-muted">no points in the records for this chain</div>'
    steps.append(_step("Acupuncture points", pts, POINT_COLOUR))
    parts.append('<ol class="rx-chain">' + "".join(steps) + "</ol>")

    if mode == "student":
        parts.append(quiz_html(quiz))
    if mode == "practitioner":
        parts.append(_section("Sources disagree", _disagreements(m, knowledge)))
        reasons = [r.reason for r in selection.roots] + [r.reason for r in selection.alternative_roots]
        reasons += [link.reason for link in selection.multifidus]
        reasons += [p.reason for p in selection.paraspinal] + [p.reason for p in selection.local_points]
        reasons += [mer.reason for mer in selection.meridians]
        parts.append(_section("Why each link", _list(reasons)))
    if selection.gaps:
        parts.append(_section("Not in the chain", _list(g.reason for g in selection.gaps)))
    if mode == "practitioner":
        sources = sorted({s for r in selection.roots for s in r.sources} | set(m.sources))
        parts.append(f'<div class="rx-sources">Sources: {escape(knowledge.cite(sources))}</div>')
    return _page("".join(parts), mode, notes)


# --- level and root -----------------------------------------------------------------------------------

def _vertebra_words(level: str) -> str:
    if level == "occiput":
        return "the skull base (occiput)"
    if level.startswith("S"):
        return f"the sacrum, at {level}"
    if level == "Co":
        return "the coccyx"
    return f"the {level} vertebra"


def level_html(sel, knowledge, mode: str = "student", drawn_points: Iterable[str] = (),
               quiz=None, notes: Iterable[str] = ()) -> str:
    """Reverse view from a level (a :class:`viewer.selection.LevelSelection`)."""
    codes = [p.code for p in sel.points]
    roots = [e.root for e in sel.roots]
    parts = ['<p class="rx-kicker">Spinal level</p>', f"<h2>Level {escape(sel.level)}</h2>",
             f'<p class="rx-sub">{escape(_vertebra_words(sel.level))} · what leaves the spine here</p>']
    if mode == "patient":
        if roots:
            muscles = [m.name.lower() for m in sel.muscles if not m.id.startswith("multifidus_")][:5]
            story = [f"At {sel.level}, the {join_words(roots)} nerve root{'s' if len(roots) > 1 else ''} "
                     f"leave{'' if len(roots) > 1 else 's'} the spine, {exit_words(sel.roots[0])}."]
            if muscles:
                story.append(f"{'They supply' if len(roots) > 1 else 'It supplies'} muscles such as {join_words(muscles)}.")
            story.append("If a root is squeezed here, those muscles can ache, tighten or feel weak.")
            parts.append(_story_html(story, "What happens here"))
        else:
            parts.append(f'<p class="rx-plain">No nerve root leaves the spine at {escape(sel.level)} '
                         "in this model.</p>")
        parts.append(_section("Muscles these nerves supply", _muscle_links(
            [m for m in sel.muscles if not m.id.startswith("multifidus_")], limit=8)))
        parts.append(_section("Points at this level", points_html(codes, knowledge, mode, drawn_points)))
        return _page("".join(parts), mode, notes)

    steps = []
    root_body = "".join(action("root", e.root, e.root, cls="rx-chip", style=_chip_style(ROLE_COLOURS["nerve_root"]))
                        + f'<span class="rx-muted"> {escape(e.foramen)}</span><br>' for e in sel.roots)
    steps.append(_step("Roots leaving here", root_body or '<div class="rx-muted">none</div>', ROLE_COLOURS["nerve_root"]))
    myo = _muscle_links(sel.muscles)
    if sel.muscles_alternative:
        myo += '<div class="rx-muted">Named by other sources:</div>' + _muscle_links(sel.muscles_alternative, alt=True)
    steps.append(_step("Muscles they supply (myotome)", myo or '<div class="rx-muted">none recorded</div>', ROLE_COLOURS["muscle"]))
    mf = [link.muscle_id for link in sel.multifidus]
    steps.append(_step("Multifidus", _chips([x.replace("multifidus_", "") for x in mf], ROLE_COLOURS["multifidus"],
                                            kind="muscle", values=mf) or '<div class="rx-muted">no group</div>',
                       ROLE_COLOURS["multifidus"]))
    steps.append(_step("Points at this level", points_html(codes, knowledge, mode, drawn_points)
                       or '<div class="rx-muted">no points recorded at this level</div>', POINT_COLOUR))
    parts.append('<ol class="rx-chain">' + "".join(steps) + "</ol>")
    if mode == "student":
        parts.append(quiz_html(quiz))
    if mode == "practitioner":
        parts.append(_section("Why each link", _list([e.reason for e in sel.roots] + [m.reason for m in sel.multifidus]
                                                     + [p.reason for p in sel.points])))
    if sel.gaps:
        parts.append(_section("Not here", _list(g.reason for g in sel.gaps)))
    return _page("".join(parts), mode, notes)


def root_html(sel, knowledge, mode: str = "student", drawn_points: Iterable[str] = (),
              quiz=None, notes: Iterable[str] = ()) -> str:
    """Reverse view from a nerve root (a :class:`viewer.selection.RootSelection`)."""
    codes = [p.code for p in sel.points]
    parts = ['<p class="rx-kicker">Nerve root</p>', f"<h2>{escape(sel.root)} nerve root</h2>",
             f'<p class="rx-sub">leaves through the {escape(sel.exit.foramen)} · level '
             + action("level", sel.exit.level, sel.exit.level) + "</p>"]
    muscles = [m for m in sel.muscles if not m.id.startswith("multifidus_")]
    if mode == "patient":
        story = [f"The {sel.root} nerve root leaves the spine {exit_words(sel.exit)}."]
        if muscles:
            story.append(f"It works muscles such as {join_words([m.name.lower() for m in muscles[:5]])}.")
        story.append("If it is squeezed where it leaves the spine, those muscles can ache, tighten or feel weak.")
        parts.append(_story_html(story, "What this nerve does"))
        parts.append(_section("Muscles it supplies", _muscle_links(muscles, limit=8)))
        parts.append(_section("Points at this level", points_html(codes, knowledge, mode, drawn_points)))
        return _page("".join(parts), mode, notes)
    steps = [_step("Leaves the spine", f"<div>{escape(sel.exit.reason)}</div>", ROLE_COLOURS["bone"])]
    myo = _muscle_links(sel.muscles)
    if sel.muscles_alternative:
        myo += '<div class="rx-muted">Named by other sources:</div>' + _muscle_links(sel.muscles_alternative, alt=True)
    steps.append(_step("Muscles it supplies", myo or '<div class="rx-muted">none recorded</div>', ROLE_COLOURS["muscle"]))
    mf = [link.muscle_id for link in sel.multifidus]
    steps.append(_step("Multifidus", _chips([x.replace("multifidus_", "") for x in mf], ROLE_COLOURS["multifidus"],
                                            kind="muscle", values=mf) or '<div class="rx-muted">no group</div>',
                       ROLE_COLOURS["multifidus"]))
    steps.append(_step(f"Points at {sel.exit.level}", points_html(codes, knowledge, mode, drawn_points)
                       or '<div class="rx-muted">no points recorded at this level</div>', POINT_COLOUR))
    parts.append('<ol class="rx-chain">' + "".join(steps) + "</ol>")
    if mode == "student":
        parts.append(quiz_html(quiz))
    if mode == "practitioner":
        parts.append(_section("Why each link", _list([m.reason for m in sel.multifidus] + [p.reason for p in sel.points])))
    if sel.gaps:
        parts.append(_section("Not here", _list(g.reason for g in sel.gaps)))
    return _page("".join(parts), mode, notes)


# --- point card ----------------------------------------------------------------------------------------

def placement_html(placements: Mapping) -> str:
    """Placement status per side: "placed and checked", "placed", "not placed: reason"."""
    if not placements:
        return '<span class="rx-muted">not placed: this body has no point placements yet</span>'
    rows = []
    for side in (*PAIRED_SIDES, MIDLINE):
        p = placements.get(side)
        if p is None:
            continue
        words = PLACEMENT_WORDS.get(p.status, p.status.replace("_", " "))
        if p.status == "not_placed":
            words += f": {p.reason or 'no reason recorded'}"
        label = "" if side == "midline" else f"{side}: "
        rows.append(f'<span class="rx-status rx-status-{_attr(p.status)}">{escape(label + words)}</span>')
    return " ".join(rows)


def _meridian_words(meridian) -> str:
    """``Bladder meridian``, ``Governor Vessel``, or an extra group's own name."""
    name = meridian.english
    if meridian.kind == "meridian" and not name.lower().endswith(("vessel", "meridian")):
        return f"{name} meridian"
    return name


def point_html(sel, knowledge, mode: str = "student", placements: Mapping | None = None,
               back: tuple[str, str] | None = None, notes: Iterable[str] = ()) -> str:
    """The card of a clicked point (a :class:`viewer.selection.PointSelection`).

    Parameters
    ----------
    sel : viewer.selection.PointSelection
    knowledge : viewer.knowledge.Knowledge
    mode : {"patient", "student", "practitioner"}
    placements : mapping, optional
        ``{side: viewer.app.data.Placement}`` from ``placed_points.json``.
    back : (str, str), optional
        ``(label, text)`` of the subject the card was opened from, for a "back" button.
    """
    p = sel.point
    placements = placements or {}
    back_html = (f'<div class="rx-back">{action("back", "", "← Back to " + back[1], cls="rx-btn rx-btn-quiet")}</div>'
                 if back else "")
    cautions = (f'<div class="rx-cautions-box"><h3>Cautions</h3>{cautions_html(p, knowledge, mode)}</div>')
    if mode == "patient":
        parts = [back_html, '<p class="rx-kicker">Acupuncture point</p>',
                 f"<h2>{escape(p.english)}</h2>",
                 f'<p class="rx-sub">{escape(p.pinyin)} · {escape(_meridian_words(sel.meridian))}</p>',
                 f'<p class="rx-plain">{escape(p.location.description)}</p>', cautions,
                 _section("On this model", placement_html(placements)),
                 '<p class="rx-muted">Only a trained practitioner should needle; ask them what they plan and why.</p>']
        return _page("".join(parts), mode, notes, "rx-point-card")

    facts = [("Meridian", escape(f"{sel.meridian.english} ({sel.meridian.id})"))]
    if sel.segment:
        facts.append(("Segment", action("level", sel.segment, sel.segment)))
    if sel.roots:
        facts.append(("Roots there", " ".join(action("root", r.root, r.root) for r in sel.roots)))
    needle = needling_text(p)
    facts.append(("Depth, angle", escape(needle) if needle else "not published in the sources used"))
    facts.append(("On this model", placement_html(placements)))
    facts_html = '<dl class="rx-facts">' + "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"
    names = " · ".join(x for x in (p.english, p.chinese) if x)
    parts = [back_html, '<p class="rx-kicker">Acupuncture point</p>',
             f"<h2>{escape(p.code)} · {escape(p.pinyin)}</h2>",
             f'<p class="rx-sub">{escape(names)}</p>', cautions,
             _section("Location", f'<p class="rx-inline">{escape(sel.location_text)}</p>'),
             facts_html]
    if sel.muscles:
        parts.append(_section("Muscles under it", _muscle_links(sel.muscles)))
    if mode == "practitioner":
        alts = [f"{knowledge.cite(a.sources)}: {a.note}" for a in p.location_alternatives]
        parts.append(_section("Other standards", _list(alts)))
        method = [f"{side}: {pl.method}" for side, pl in placements.items() if pl.method]
        checks = [f"{side}: {c}" for side, pl in placements.items() for c in pl.checks]
        parts.append(_section("How it was placed", _list(method + checks)))
    parts.append(f'<div class="rx-sources">Sources: {escape(knowledge.cite(p.sources))}</div>')
    return _page("".join(parts), mode, notes, "rx-point-card")


# --- other panels ------------------------------------------------------------------------------------

def welcome_html(example: str = "gluteus medius", mode: str = "student", quiz=None,
                 notes: Iterable[str] = ()) -> str:
    """The panel before anything is selected."""
    body = "".join([
        '<div class="rx-empty"><h2>Where does it come from?</h2>',
        "<p>Choose a painful muscle to see the chain Radix follows:</p>",
        "<ol><li>the <b>nerve roots</b> that supply it,</li>",
        "<li>where they <b>leave the spine</b>,</li>",
        "<li>the <b>multifidus</b> at those levels,</li>",
        "<li>and the <b>acupuncture points</b> along that path.</li></ol>",
        f"<p>Search by name (try “{escape(example)}”), browse by region, or click a muscle in the 3D view. "
        "Click a vertebra or a nerve root to follow the chain the other way.</p></div>",
    ])
    if mode == "student":
        body += quiz_html(quiz)
    return _page(body, mode, notes)


def message_html(title: str, text: str, notes: Iterable[str] = ()) -> str:
    """A short note (an unknown muscle in the URL, a picked bone)."""
    return _page(f'<div class="rx-empty"><h2>{escape(title)}</h2><p>{escape(text)}</p></div>', "student", notes)


def problems_html(problems) -> str:
    """What is missing or wrong, and how to fix it (never a stack trace)."""
    cards = []
    for p in problems:
        fix = escape(p.fix)
        # `command` spans in the fix text become <code>, after escaping.
        pieces = fix.split("`")
        fix = "".join(f"<code>{s}</code>" if i % 2 else s for i, s in enumerate(pieces))
        details = _list(p.details, "") if p.details else ""
        cards.append(f'<div class="rx-problem"><h3>{escape(p.what)}</h3><div>{fix}</div>{details}</div>')
    return ('<div class="rx-info"><h2>Radix cannot show the atlas yet</h2>'
            + "".join(cards) + notice_html() + "</div>")
