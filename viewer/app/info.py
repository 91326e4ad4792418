"""The info panel: the chain of a selection as HTML. Every text that comes from data is escaped.

Pure functions from a :class:`viewer.selection.Selection` (and the knowledge it came from) to an
HTML string; no panel objects, so they are tested as strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from .state import ROLE_COLOURS

NOTICE = "For education and treatment planning, not for diagnosis."

CSS = """
:host { display: block; }
.rx-info { font: 14px/1.5 "Inter", "Segoe UI", system-ui, -apple-system, sans-serif; color: #1e293b; }
.rx-info h2 { font-size: 20px; line-height: 1.25; margin: 2px 0 2px; color: #0f172a; font-weight: 650; }
.rx-sub { color: #64748b; font-size: 13px; margin: 0 0 10px; }
.rx-plain { margin: 0 0 12px; color: #334155; }
.rx-chain { list-style: none; padding: 0; margin: 0 0 12px; position: relative; }
.rx-chain > li { position: relative; padding: 0 0 12px 22px; }
.rx-chain > li::before {
  content: ""; position: absolute; left: 4px; top: 6px; width: 9px; height: 9px; border-radius: 50%;
  background: var(--dot, #94a3b8);
}
.rx-chain > li:not(:last-child)::after {
  content: ""; position: absolute; left: 8px; top: 17px; bottom: 0; width: 1px; background: #cbd5e1;
}
.rx-step { display: block; font-size: 11px; font-weight: 650; letter-spacing: .06em; text-transform: uppercase; color: #64748b; }
.rx-chip {
  display: inline-block; margin: 3px 4px 0 0; padding: 1px 8px; border-radius: 999px; font-size: 13px;
  font-weight: 600; background: #f1f5f9; color: #0f172a; border: 1px solid #e2e8f0;
}
.rx-chip-alt { background: #fff; color: #64748b; border-style: dashed; font-weight: 500; }
.rx-muted { color: #64748b; font-size: 13px; }
.rx-reasons, .rx-gaps, .rx-cautions { margin: 4px 0 0; padding-left: 18px; font-size: 13px; color: #334155; }
.rx-reasons li, .rx-gaps li, .rx-cautions li { margin-bottom: 3px; }
.rx-section { margin-top: 14px; }
.rx-section h3 { font-size: 12px; font-weight: 650; letter-spacing: .06em; text-transform: uppercase; color: #475569; margin: 0 0 4px; }
.rx-caution-title { color: #9a3412; }
.rx-empty { color: #475569; }
.rx-empty h2 { font-size: 18px; }
.rx-empty ol { padding-left: 20px; margin: 6px 0; }
.rx-problem { border: 1px solid #fcd34d; background: #fffbeb; border-radius: 10px; padding: 14px 16px; margin-bottom: 12px; }
.rx-problem h3 { margin: 0 0 6px; font-size: 15px; color: #92400e; text-transform: none; letter-spacing: 0; }
.rx-problem code { background: #fef3c7; padding: 1px 5px; border-radius: 4px; font-size: 13px; }
.rx-problem ul { margin: 6px 0 0; padding-left: 18px; font-size: 12px; color: #78350f; }
.rx-sources { font-size: 12px; color: #64748b; margin-top: 14px; }
.rx-notice {
  margin-top: 16px; padding: 8px 10px; border-radius: 8px; background: #f0fdfa; color: #115e59;
  font-size: 12.5px; border: 1px solid #99f6e4;
}
"""


def _chips(items: Iterable[str], colour: str | None = None, alt: bool = False, titles: Sequence[str] | None = None) -> str:
    out = []
    titles = list(titles) if titles is not None else None
    for i, item in enumerate(items):
        style = f' style="border-color:{colour};box-shadow: inset 3px 0 0 {colour}"' if colour and not alt else ""
        title = f' title="{escape(titles[i])}"' if titles and i < len(titles) and titles[i] else ""
        cls = "rx-chip rx-chip-alt" if alt else "rx-chip"
        out.append(f'<span class="{cls}"{style}{title}>{escape(item)}</span>')
    return "".join(out)


def _step(label: str, body: str, colour: str = "#94a3b8") -> str:
    return f'<li style="--dot:{colour}"><span class="rx-step">{escape(label)}</span>{body}</li>'


def _list(items: Iterable[str], cls: str) -> str:
    items = list(items)
    if not items:
        return ""
    return f'<ul class="{cls}">' + "".join(f"<li>{escape(t)}</li>" for t in items) + "</ul>"


def notice_html() -> str:
    return f'<div class="rx-notice">{escape(NOTICE)}</div>'


def selection_html(selection, knowledge, mode: str = "student", drawn_points: Iterable[str] = ()) -> str:
    """The chain of ``selection`` for the info panel.

    Parameters
    ----------
    selection : viewer.selection.Selection
    knowledge : viewer.knowledge.Knowledge
    mode : {"patient", "student", "practitioner"}
        How much to say: plain words; the chain with foramina and gaps; plus reasons, alternative
        roots, point cautions and sources.
    drawn_points : iterable of str
        Codes that have a marker in the view (the others are listed as not placed yet).
    """
    m = selection.muscle
    side = {"both": "both sides"}.get(selection.side, f"{selection.side} side")
    parts = [f'<div class="rx-info"><h2>{escape(m.name)}</h2>',
             f'<p class="rx-sub">{escape(side)} · {escape(m.region)} · {escape(m.layer)}</p>']
    if mode == "patient" or m.plain_language:
        parts.append(f'<p class="rx-plain">{escape(m.plain_language)}</p>')

    steps = []
    if mode != "patient":
        steps.append(_step("Nerve", f"<div>{escape(m.peripheral_nerve)}</div>"))
    roots = [r.root for r in selection.roots]
    body = _chips(roots, ROLE_COLOURS["nerve_root"])
    if mode != "patient" and selection.alternative_roots:
        body += _chips([f"{r.root} (other sources)" for r in selection.alternative_roots], alt=True)
    if mode != "patient" and m.roots_note:
        body += f'<div class="rx-muted">{escape(m.roots_note)}</div>'
    steps.append(_step("Nerve roots", body or '<div class="rx-muted">none recorded</div>', ROLE_COLOURS["nerve_root"]))
    if mode != "patient":
        foramina = [f"{r.root}: {r.exit.foramen}" for r in selection.roots]
        steps.append(_step("Leaves the spine", _list(foramina, "rx-reasons"), ROLE_COLOURS["bone"]))
    mf = [link.muscle_id.replace("multifidus_", "") for link in selection.multifidus]
    mf_body = _chips(mf, ROLE_COLOURS["multifidus"]) if mf else '<div class="rx-muted">no multifidus group for these roots</div>'
    steps.append(_step("Multifidus at", mf_body, ROLE_COLOURS["multifidus"]))
    codes = list(dict.fromkeys([p.code for p in selection.paraspinal] + [p.code for p in selection.local_points]))
    titles = []
    for c in codes:
        p = knowledge.point(c) if knowledge.has_point(c) else None
        titles.append(f"{p.pinyin} · {p.english}" if p else "")
    pts_body = _chips(codes, "#1d4ed8", titles=titles) if codes else '<div class="rx-muted">no points in the records for this chain</div>'
    drawn = set(drawn_points)
    if codes and not (set(codes) & drawn):
        pts_body += '<div class="rx-muted">Point positions are not placed on this model yet; listed only.</div>'
    steps.append(_step("Acupuncture points", pts_body, "#1d4ed8"))
    parts.append('<ol class="rx-chain">' + "".join(steps) + "</ol>")

    if mode == "practitioner":
        reasons = [r.reason for r in selection.roots] + [r.reason for r in selection.alternative_roots]
        reasons += [link.reason for link in selection.multifidus]
        reasons += [p.reason for p in selection.paraspinal] + [p.reason for p in selection.local_points]
        reasons += [mer.reason for mer in selection.meridians]
        parts.append(f'<div class="rx-section"><h3>Why each link</h3>{_list(reasons, "rx-reasons")}</div>')
        cautions = []
        for c in codes:
            if knowledge.has_point(c):
                cautions += [f"{c} · {cau.kind.replace('_', ' ')}: {cau.text}" for cau in knowledge.point(c).cautions]
        if cautions:
            parts.append('<div class="rx-section"><h3 class="rx-caution-title">Cautions</h3>'
                         f'{_list(cautions, "rx-cautions")}</div>')
    if mode != "patient" and selection.gaps:
        parts.append('<div class="rx-section"><h3>Not in the chain</h3>'
                     f'{_list((g.reason for g in selection.gaps), "rx-gaps")}</div>')
    if mode == "practitioner":
        sources = sorted({s for r in selection.roots for s in r.sources} | set(m.sources))
        parts.append(f'<div class="rx-sources">Sources: {escape(knowledge.cite(sources))}</div>')
    parts.append(notice_html())
    parts.append("</div>")
    return "".join(parts)


def point_html(point, location_text: str, knowledge) -> str:
    """A short card for a clicked point marker."""
    mer = knowledge.meridian(point.meridian) if point.meridian else None
    cautions = [f"{c.kind.replace('_', ' ')}: {c.text}" for c in point.cautions]
    return ("".join([
        '<div class="rx-info">',
        f"<h2>{escape(point.code)} · {escape(point.pinyin)}</h2>",
        f'<p class="rx-sub">{escape(point.english)}{" · " + escape(mer.english) if mer else ""}</p>',
        f'<p class="rx-plain">{escape(location_text)}</p>',
        (f'<div class="rx-section"><h3 class="rx-caution-title">Cautions</h3>{_list(cautions, "rx-cautions")}</div>'
         if cautions else ""),
        notice_html(), "</div>"]))


def welcome_html(example: str = "gluteus medius") -> str:
    """The panel before anything is selected."""
    return ("".join([
        '<div class="rx-info rx-empty"><h2>Where does it come from?</h2>',
        "<p>Choose a painful muscle to see the chain Radix follows:</p>",
        "<ol><li>the <b>nerve roots</b> that supply it,</li>",
        "<li>where they <b>leave the spine</b>,</li>",
        "<li>the <b>multifidus</b> at those levels,</li>",
        "<li>and the <b>acupuncture points</b> along that path.</li></ol>",
        f"<p>Search by name (try “{escape(example)}”), browse by region, or click a muscle in the 3D view.</p>",
        notice_html(), "</div>"]))


def message_html(title: str, text: str) -> str:
    """A short note (an unknown muscle in the URL, a picked bone)."""
    return (f'<div class="rx-info rx-empty"><h2>{escape(title)}</h2><p>{escape(text)}</p>'
            f"{notice_html()}</div>")


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
