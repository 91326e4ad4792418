"""The techniques panel: the manual techniques of the selection, under its chain in the info panel.

Each technique shows its kind, name, why it is in the chain, how it is done, whether and how a
patient may do it at home, its cautions (always visible, never folded away) and, for students and
practitioners, its sources; buttons show its zone alone on the body and add it to the plan. In
patient mode the panel opens with the plain explanation of why a stretch of the painful muscle and
work beside the spine at its levels belong together, with its sources.

HTML only (every text escaped); the clicks travel as info panel actions (``technique_show``,
``technique_add``) that :class:`viewer.app.main.RadixApp` handles. Nothing clinical is decided here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape

from viewer.scene import TECHNIQUE_COLOURS

from . import info

KIND_WORDS = {"stretch": "Stretch", "massage": "Massage", "acupressure": "Acupressure",
              "cupping": "Cupping", "gua_sha": "Gua sha"}
VIA_WORDS = {"muscle": "for the muscle itself", "level": "beside the spine at", "multifidus": "for multifidus at"}
EXPLANATION = "stretch_with_paraspinal"

CSS = """
.rx-tq { margin-top: 10px; border-top: 1px solid #e2e8f0; padding-top: 8px; }
.rx-tq h3 { margin: 4px 0 6px; }
.rx-tq-why { background: #f8fafc; border-left: 4px solid #c026d3; padding: 6px 10px; margin: 6px 0 10px;
  border-radius: 6px; font-size: 13px; line-height: 1.45; }
.rx-tq-src { color: #64748b; font-size: 11.5px; margin-top: 4px; }
.rx-tq-item { border: 1px solid #e2e8f0; border-radius: 8px; padding: 6px 8px; margin: 6px 0; }
.rx-tq-item[data-shown="true"] { box-shadow: 0 0 0 2px #94a3b8; }
.rx-tq-head { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.rx-tq-kind { font-size: 11px; font-weight: 700; color: #fff; padding: 1px 7px; border-radius: 9px; }
.rx-tq-name { font-weight: 600; flex: 1 1 160px; }
.rx-tq-item details { margin-top: 4px; font-size: 12.5px; }
.rx-tq-item ol { margin: 4px 0 4px 18px; padding: 0; }
.rx-tq-meta { color: #475569; font-size: 12px; margin: 2px 0; }
"""


def _steps(steps: Sequence[str]) -> str:
    return "<ol>" + "".join(f"<li>{escape(s)}</li>" for s in steps) + "</ol>" if steps else ""


def explanation_html(knowledge, mode: str) -> str:
    """Why a stretch of the painful muscle and work beside the spine at its levels go together,
    in plain words, with its sources (``techniques.json`` explanations)."""
    try:
        e = knowledge.explanation(EXPLANATION)
    except KeyError:
        return ""
    return (f'<div class="rx-tq-why" data-explanation="{EXPLANATION}"><b>{escape(e.title)}</b><br>'
            f"{escape(e.text)}<div class=\"rx-tq-src\">Sources: {escape(knowledge.cite(e.sources))}</div></div>")


def technique_html(link, knowledge, mode: str, shown: bool, in_plan: bool, editable: bool) -> str:
    """One technique of the selection: its head (kind, name, buttons), its cautions and, folded,
    how it is done, home use and sources."""
    t = knowledge.technique(link.technique_id)
    colour = TECHNIQUE_COLOURS.get(t.kind, "#475569")
    show = info.action("technique_show", t.id, "Hide" if shown else "Show on body", cls="rx-sbtn",
                       title=f"Show the zone of {t.name} on the body")
    add = ""
    if editable:
        add = ('<button type="button" class="rx-sbtn" disabled>In plan</button>' if in_plan else
               info.action("technique_add", t.id, "Add to plan", cls="rx-sbtn rx-sbtn-accent",
                           title=f"Add {t.name} to the plan"))
    head = (f'<div class="rx-tq-head"><span class="rx-tq-kind" style="background:{colour}">'
            f'{escape(KIND_WORDS.get(t.kind, t.kind))}</span><span class="rx-tq-name">{escape(t.name)}</span>'
            f"{show}{add}</div>")
    parts = [head]
    if mode != "patient":
        where = VIA_WORDS.get(link.via, link.via) + (" " + ", ".join(link.levels) if link.levels else "")
        parts.append(f'<div class="rx-tq-meta">{escape(where)}. Zone: {escape(t.zone.description)}</div>')
    else:
        parts.append(f'<div class="rx-tq-meta">{escape(t.zone.description)}</div>')
    parts.append("".join(info.caution_html(c, knowledge, mode) for c in t.cautions))
    body = []
    if t.kind == "stretch" and t.how.movement:
        body.append(f'<div class="rx-tq-meta"><b>The movement:</b> {escape(t.how.movement)}</div>')
    if mode == "patient":
        if t.self_care.allowed:
            body.append("<b>At home</b>" + _steps(t.self_care.steps))
        else:
            body.append(f"<b>Done by your practitioner.</b> {escape(t.self_care.why_not or '')}")
    else:
        body.append(f"<b>Position</b>: {escape(t.how.position)}" + _steps(t.how.steps))
        body.append("<b>At home</b>: " + (escape(" ".join(t.self_care.steps)) if t.self_care.allowed
                                           else "no. " + escape(t.self_care.why_not or "")))
        body.append(f'<div class="rx-tq-src">Sources: {escape(knowledge.cite(t.sources))}</div>')
    parts.append("<details><summary>How</summary>" + "".join(f"<div>{b}</div>" for b in body) + "</details>")
    return (f'<div class="rx-tq-item" data-technique="{escape(t.id, quote=True)}" data-kind="{escape(t.kind)}" '
            f'data-shown="{"true" if shown else "false"}">' + "".join(parts) + "</div>")


def techniques_html(subject, knowledge, mode: str, shown: Collection[str] = (),
                    in_plan: Collection[str] = (), editable: bool = True) -> str:
    """The techniques panel of a selection (a muscle, level or root), or ``""`` without any.

    Parameters
    ----------
    subject : Selection, LevelSelection or RootSelection
    shown : collection of str
        Technique ids drawn on the body now.
    in_plan : collection of str
        Technique ids already in the plan (their button says so).
    editable : bool
        Whether "Add to plan" is offered (not in patient mode, not for a shared plan).
    """
    links = tuple(getattr(subject, "techniques", ()) or ())
    if not links:
        return ""
    title = "What can help, besides needles" if mode == "patient" else "Techniques"
    parts = [f'<div class="rx-info rx-tq"><style>{CSS}</style><h3>{escape(title)}</h3>']
    if mode == "patient" or any(t.kind == "stretch" for t in links):
        parts.append(explanation_html(knowledge, mode))
    for link in links:
        parts.append(technique_html(link, knowledge, mode, link.technique_id in shown,
                                    link.technique_id in in_plan, editable and mode != "patient"))
    parts.append("</div>")
    return "".join(parts)
