"""The Patient-mode control "What happens when the space narrows" (story in :mod:`viewer.app.story`).

A slider (0 = healthy, 1 = narrowed), a Play button and, for a muscle with several roots, a choice
of root. Python only sends :func:`viewer.app.story.view_message` (ids, numbers and the captions'
text) to the 3D view; the animation and the captions over the view run in the browser. Leaving
Patient mode or changing the subject or side resets the story to 0.
"""

from __future__ import annotations

import html

import panel as pn

from viewer.scene import STORY_COLOURS
from viewer.scene import story as st
from viewer.selection import LEVELS, sides_of

TITLE = "What happens when the space narrows"

_CSS = """
.rx-story-head { font: 700 11px/1.2 "Inter", "Segoe UI", system-ui, sans-serif; letter-spacing: .06em;
  text-transform: uppercase; color: #475569; margin: 4px 0 0; }
.rx-story-body { font: 13px/1.45 "Inter", "Segoe UI", system-ui, sans-serif; color: #334155; }
.rx-story-body details { margin-top: 6px; color: #475569; font-size: 12px; }
.rx-story-body summary { cursor: pointer; font-weight: 600; }
.rx-story-body .rx-story-src { color: #64748b; font-size: 11px; margin-top: 3px; }
"""


class StoryControl:
    """The control and the ``compression`` messages it sends to ``view``.

    Parameters
    ----------
    view : viewer.app.view3d.BodyView
    data : viewer.app.data.AppData
    on_change : callable, optional
        Called when the followed root changes (the highlighted disc with it).
    """

    def __init__(self, view, data, on_change=None):
        self.view = view
        self.on_change = on_change
        self.knowledge = data.knowledge
        self.ids = {s.acronym: s.id for s in data.structures}
        self.landmarks = {name: tuple(float(v) for v in lm.xyz) for name, lm in data.atlas.landmarks.items()
                          if name.endswith(("_body_center", "_foramen_left", "_foramen_right"))}
        self.story: st.Story | None = None
        self._key = None
        self._play = 0
        self._quiet = False
        self._sides: tuple[str, ...] = ("left",)
        self._subject: dict = {"muscle": None, "level": None, "root": None}
        self.root_choice = pn.widgets.Select(name="Follow the root", options={}, visible=False,
                                             sizing_mode="stretch_width", css_classes=["rx-story-root"])
        self.amount = pn.widgets.FloatSlider(name="Narrowing", start=0.0, end=1.0, step=0.05, value=0.0,
                                             bar_color=STORY_COLOURS["root"], sizing_mode="stretch_width",
                                             format="0%", css_classes=["rx-story-amount"])
        self.play = pn.widgets.Button(name="▶ Play the story", button_type="primary", button_style="outline",
                                      sizing_mode="stretch_width", css_classes=["rx-story-play"])
        self.lead = pn.pane.HTML("", stylesheets=[_CSS], sizing_mode="stretch_width", margin=(0, 10),
                                 css_classes=["rx-story-lead"])
        self.panel = pn.Column(
            pn.pane.HTML(f'<div class="rx-story-head">{html.escape(TITLE)}</div>', stylesheets=[_CSS],
                         margin=(10, 10, 0, 10)),
            self.lead, self.root_choice, self.amount, self.play,
            visible=False, sizing_mode="stretch_width", margin=0, css_classes=["rx-story"])
        self.amount.param.watch(self._on_amount, "value")
        self.play.on_click(self._on_play)
        self.root_choice.param.watch(self._on_root, "value")

    # --- what the app calls -------------------------------------------------------------------
    def show(self, mode: str, muscle: str | None, level: str | None, root: str | None, side: str) -> None:
        """Follow the app's state: a new subject, side or mode resets the story to 0."""
        key = (mode, muscle, level, root, side)
        if key == self._key:
            return
        self._key = key
        self._sides = sides_of(side)
        self._subject = {"muscle": muscle, "level": level if level in LEVELS else None, "root": root}
        if mode != "patient":        # hidden: reset, but leave its widgets alone (no messages)
            self.story = None
            self.panel.visible = False
            if self.amount.value:
                self._quiet = True
                try:
                    self.amount.value = 0.0
                finally:
                    self._quiet = False
            self._send()
            return
        self._quiet = True
        try:
            self.amount.value = 0.0
            roots = st.story_roots_of_muscle(self.knowledge, muscle) if muscle else ()
            options = {f"{r} root ({self._space_of(r)})": r for r in roots}
            self.root_choice.options = options
            self.root_choice.value = roots[0] if roots else None
            self.root_choice.visible = len(roots) > 1
        finally:
            self._quiet = False
        self.story = st.story_for(self.knowledge, choice=self.root_choice.value, **self._subject)
        self.panel.visible = any(self._subject.values())
        self._write_lead()
        self._send()

    def highlight(self) -> tuple[str, ...]:
        """What the view highlights for the story even before the space narrows: its disc."""
        return (self.story.disc,) if self.story is not None else ()

    # --- events -------------------------------------------------------------------------------
    def _on_amount(self, event) -> None:
        if not self._quiet:
            self._send(opening=event.new < event.old)

    def _on_play(self, _event) -> None:
        if self.story is None:
            return
        self._play += 1
        self._quiet = True
        try:
            self.amount.value = 0.0     # the play ends with the space open again
        finally:
            self._quiet = False
        self._send(play=self._play)

    def _on_root(self, event) -> None:
        if self._quiet or not self._subject.get("muscle"):
            return
        self._quiet = True
        try:
            self.amount.value = 0.0
        finally:
            self._quiet = False
        self.story = st.story_for(self.knowledge, choice=event.new, **self._subject)
        self._write_lead()
        self._send()
        if self.on_change is not None:
            self.on_change()

    # --- output -------------------------------------------------------------------------------
    def _space_of(self, root: str) -> str:
        s = st.story_for_root(self.knowledge, root)
        return f"{s.space} space" if s else ""

    def _write_lead(self) -> None:
        s = self.story
        self.amount.disabled = self.play.disabled = s is None
        if s is None:
            self.lead.object = f'<div class="rx-story-body">{html.escape(st.no_story_reason(**self._subject))}</div>'
            return
        lead = (f"Move the slider to narrow the {s.space} space, or play the story: the disc flattens, "
                f"the {s.pinched} nerve root is pinched and the muscles it supplies tighten, then the "
                "space opens again.")
        cites = "; ".join(self.knowledge.cite([src]) for src in s.sources if src in ("gray42", "bogduk2005"))
        self.lead.object = (
            f'<div class="rx-story-body"><div>{html.escape(lead)}</div><details><summary>For students and '
            f'practitioners</summary><div>{html.escape(s.note)}</div><div class="rx-story-src">'
            f'{html.escape(cites)}</div></details></div>')

    def _send(self, opening: bool = False, play: int = 0) -> None:
        message = st.view_message(self.story, self.ids, self.landmarks, self._sides, self.amount.value,
                                  opening=opening, play=play, colours=STORY_COLOURS)
        if message != self.view.compression:
            self.view.compression = message
