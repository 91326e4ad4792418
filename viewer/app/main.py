"""The Radix app: side bar (search, region, side, mode, layers), the 3D view and the info panel.

``panel serve app.py --static-dirs meshes=assets/meshes`` runs it (see ``app.py``). One
:class:`RadixApp` per browser session; the atlas and knowledge are loaded once per process and
shared (:func:`viewer.app.data.load_app_data`).
"""

from __future__ import annotations

from urllib.parse import urlencode

import panel as pn
from panel.theme import Fast

from viewer.selection import describe_location, select_muscle

from . import info
from .data import AppData, Problem, load_app_data
from .state import LAYER_NAMES, AppState, marker_specs, path_specs, sides_of, view_styles
from .view3d import SETUP_COMMAND, BodyView, bundle_ready

ACCENT = "#0f766e"
REGION_NAMES = {"neck": "Neck", "shoulder": "Shoulder girdle", "back": "Back", "trunk": "Trunk",
                "hip": "Hip", "arm": "Arm", "leg": "Leg"}

_PAGE_CSS = """
.rx-notice-strip {
  display: flex; align-items: center; gap: 8px; padding: 6px 12px; border-radius: 8px;
  background: #f0fdfa; border: 1px solid #99f6e4; color: #115e59;
  font: 500 13px/1.4 "Inter", "Segoe UI", system-ui, sans-serif;
}
.rx-notice-strip b { font-weight: 650; }
.rx-notice-right { margin-left: auto; text-align: right; }
.rx-side-title { font: 650 11px/1.2 "Inter", "Segoe UI", system-ui, sans-serif; letter-spacing: .06em;
  text-transform: uppercase; color: #475569; margin: 4px 0 0; }
.rx-legend { font: 12px/1.6 "Inter", "Segoe UI", system-ui, sans-serif; color: #334155; }
.rx-legend span.sw { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin: 0 6px -1px 0; }
"""


# The Fast design without its Google-hosted web font: Radix must work offline and load with no
# failed requests, so it uses the system UI font. The class keeps the name "Fast" because Panel
# resolves a design's bundled files under the lower-cased class name (fast/js/fast_design.js).
LocalFast = type("Fast", (Fast,), {"_resources": {**Fast._resources, "font": {}},
                                   "__module__": __name__})


FONT = '"Inter", "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif'


def _label(text: str) -> pn.pane.HTML:
    return pn.pane.HTML(f'<div class="rx-side-title">{text}</div>', stylesheets=[_PAGE_CSS], margin=(10, 10, 0, 10))


def _query_args() -> dict[str, str]:
    """``?muscle=...&side=...`` of the page that opened this session."""
    args: dict[str, str] = {}
    loc = pn.state.location
    if loc is not None and loc.query_params:
        args.update({k: str(v) for k, v in loc.query_params.items()})
    for key, values in (pn.state.session_args or {}).items():
        if key not in args and values:
            raw = values[0]
            args[key] = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return args


class RadixApp(pn.viewable.Viewer):
    """One session of Radix.

    Parameters
    ----------
    assets_dir : path, optional
        The assets folder; default ``$RADIX_ASSETS`` or the project's ``assets/``.
    """

    def __init__(self, assets_dir=None, **params):
        super().__init__(**params)
        self.state = AppState()
        self.data = load_app_data(assets_dir)
        self._syncing = False
        self._pick_seq = None
        self._note: str | None = None          # a one-off message for the info panel
        self.info = pn.pane.HTML("", stylesheets=[info.CSS], sizing_mode="stretch_width", margin=(4, 8))
        problems = list(self.data) if isinstance(self.data, list) else []
        if not bundle_ready():
            problems.insert(0, Problem(
                what="The 3D view has not been built on this machine "
                     "(viewer/app/dist/view3d.bundle.js is missing).",
                fix=f"Run `{SETUP_COMMAND}` once (it needs node and npm: it installs three.js from "
                    "the npm registry and bundles it), then reload this page."))
        self.problems = problems
        if problems:
            self.view = None
            self.info.object = info.problems_html(problems)
            return
        data: AppData = self.data
        self.view = BodyView(structures=list(data.view_structures))
        self._build_widgets(data)
        self._read_url(data)
        self._refresh(focus=self.state.muscle is not None)
        self.state.param.watch(self._on_state, ["muscle", "side", "layers", "mode"])
        self.view.param.watch(self._on_pick, ["picked"])

    # --- widgets ------------------------------------------------------------------------------
    def _build_widgets(self, data: AppData) -> None:
        self._label_to_id: dict[str, str] = {}
        labels = []
        for m in sorted(data.muscles, key=lambda m: m.name.lower()):
            labels.append(m.name)
            self._label_to_id[m.name.lower()] = m.id
            for alias in m.aliases:
                label = f"{alias} ({m.name})"
                labels.append(label)
                self._label_to_id.setdefault(label.lower(), m.id)
                self._label_to_id.setdefault(alias.lower(), m.id)
        self.search = pn.widgets.AutocompleteInput(
            name="Find a muscle", options=labels, case_sensitive=False, search_strategy="includes",
            restrict=False, min_characters=1, placeholder="e.g. glute med, SCM, trapezius",
            sizing_mode="stretch_width")
        groups: dict[str, dict[str, str]] = {"": {"Choose a muscle…": ""}}
        for region, title in REGION_NAMES.items():
            members = sorted((m for m in data.muscles if m.region == region), key=lambda m: m.name.lower())
            if members:
                groups[title] = {m.name: m.id for m in members}
        self.region = pn.widgets.Select(name="Or browse by region", groups=groups, value="",
                                        sizing_mode="stretch_width")
        self.side = pn.widgets.RadioButtonGroup.from_param(
            self.state.param.side, options={"Left": "left", "Right": "right", "Both": "both"},
            button_type="primary", button_style="outline", sizing_mode="stretch_width")
        self.mode = pn.widgets.RadioButtonGroup.from_param(
            self.state.param.mode, options={"Patient": "patient", "Student": "student", "Practitioner": "practitioner"},
            button_type="primary", button_style="outline", sizing_mode="stretch_width")
        kinds_present = {s.kind for s in data.structures}
        self.layer_widgets = []
        for kind, title in LAYER_NAMES.items():
            if kind not in kinds_present:
                continue
            layer = self.state.layers[kind]
            toggle = pn.widgets.Checkbox(name=title, value=layer["visible"], width=110, margin=(8, 10, 0, 10))
            opacity = pn.widgets.FloatSlider(value=layer["opacity"], start=0.05, end=1.0, step=0.05,
                                             show_value=False, tooltips=False, bar_color=ACCENT,
                                             sizing_mode="stretch_width", margin=(4, 10, 0, 0))
            toggle.param.watch(lambda e, k=kind: self.state.set_layer(k, visible=e.new), "value")
            opacity.param.watch(lambda e, k=kind: self.state.set_layer(k, opacity=e.new), "value")
            self.layer_widgets.append(pn.Row(toggle, opacity, sizing_mode="stretch_width", margin=0))
        self.search.param.watch(self._on_search, "value")
        self.region.param.watch(self._on_region, "value")

    # --- URL ----------------------------------------------------------------------------------
    def _read_url(self, data: AppData) -> None:
        args = _query_args()
        side = args.get("side")
        if side in ("left", "right", "both"):
            self.state.side = side
        muscle = (args.get("muscle") or "").strip()
        if not muscle:
            return
        muscle_id = self._resolve(muscle, fuzzy=False)   # a link must name the muscle exactly
        if muscle_id is None:
            self._note = ("Unknown muscle", f"The link names a muscle Radix does not know: {muscle!r}. "
                          "Search for it by name instead.")
            return
        self.state.muscle = muscle_id
        self._sync_inputs(muscle_id)

    def _write_url(self) -> None:
        loc = pn.state.location
        if loc is None:
            return
        query = {"muscle": self.state.muscle, "side": self.state.side} if self.state.muscle else {}
        search = ("?" + urlencode(query)) if query else ""
        if loc.search != search:
            loc.search = search

    # --- events -------------------------------------------------------------------------------
    def _resolve(self, text: str, fuzzy: bool = True) -> str | None:
        """Muscle id for an id, a name, an alias or (``fuzzy``) a near miss typed in the search."""
        text = text.strip()
        if not text:
            return None
        k = self.data.knowledge
        if k.has_muscle(text):
            return text
        hit = self._label_to_id.get(text.lower())
        if hit or not fuzzy:
            return hit
        found = k.search_muscles(text, limit=1)
        return found[0].id if found else None

    def _sync_inputs(self, muscle_id: str | None) -> None:
        """Show the current muscle in the search box and the region list without re-firing."""
        self._syncing = True
        try:
            name = self.data.knowledge.muscle(muscle_id).name if muscle_id else ""
            if self.search.value != name:
                self.search.value = name
            if self.region.value != (muscle_id or ""):
                self.region.value = muscle_id or ""
        finally:
            self._syncing = False

    def _on_search(self, event) -> None:
        if self._syncing or not event.new:
            return
        muscle_id = self._resolve(event.new)
        if muscle_id is None:
            self._note = ("No match", f"No muscle matches {event.new!r}. Try another name or browse by region.")
            self._refresh()
            return
        self._select(muscle_id, focus=True)

    def _on_region(self, event) -> None:
        if self._syncing or not event.new:
            return
        self._select(event.new, focus=True)

    def _select(self, muscle_id: str, focus: bool = False, side: str | None = None, seq=None) -> None:
        self._syncing = True
        try:
            self.state.param.update(muscle=muscle_id, **({"side": side} if side else {}))
        finally:
            self._syncing = False
        self._refresh(seq=seq, focus=focus)   # the 3D view's message goes out first
        self._sync_inputs(muscle_id)

    def _on_state(self, *events) -> None:
        if self._syncing:
            return
        self._refresh()

    def _on_pick(self, event) -> None:
        picked = event.new or {}
        seq = picked.get("seq")
        if picked.get("kind") == "marker":
            k = self.data.knowledge
            code = picked.get("code", "")
            if k.has_point(code):
                p = k.point(code)
                self._note = None
                self._refresh(seq=seq, point_html=info.point_html(p, describe_location(p), k))
            return
        s = self.data.atlas.get(picked.get("acronym", "")) if picked.get("acronym") else None
        if s is None:
            self._refresh(seq=seq)
            return
        muscle_id = s.acronym
        if s.kind == "muscle" and s.side in ("left", "right") and s.acronym.endswith("_" + s.side):
            muscle_id = s.acronym[: -len(s.side) - 1]
        if s.kind == "muscle" and self.data.knowledge.has_muscle(muscle_id):
            side = None if self.state.side == "both" else s.side
            self._select(muscle_id, side=side, seq=seq)
        else:
            self._note = (s.name, f"{s.name} ({s.kind.replace('_', ' ')}). Click a muscle, or search "
                          "for one, to see its chain.")
            self._refresh(seq=seq)

    # --- the one place that updates the view and the panel ------------------------------------
    def _refresh(self, seq=None, focus: bool = False, point_html: str | None = None) -> None:
        data: AppData = self.data
        k = data.knowledge
        selection = None
        if self.state.muscle and k.has_muscle(self.state.muscle):
            selection = select_muscle(k, self.state.muscle, self.state.side)
        highlight = selection.highlight if selection else None
        sides = sides_of(self.state.side)
        styles = view_styles(highlight.structures if highlight else (), data.structures, self.state.layers, seq)
        meridian_of = {c: k.point(c).meridian for c in (highlight.points if highlight else ()) if k.has_point(c)}
        colours = {m.id: m.colour for m in k.meridians}
        markers = marker_specs(highlight.points, sides, data.positions, colours, meridian_of) if highlight else []
        paths = path_specs(highlight.meridians, sides, data.paths, colours) if highlight else []
        update = {"structure_styles": styles}
        if markers != self.view.markers:
            update["markers"] = markers
        if paths != self.view.paths:
            update["paths"] = paths
        self.view.param.update(**update)
        if focus and selection is not None:
            self.view.focus_selection()
        if point_html is not None:
            self.info.object = point_html
        elif self._note is not None:
            title, text = self._note
            self._note = None
            self.info.object = info.message_html(title, text)
        elif selection is not None:
            self.info.object = info.selection_html(selection, k, self.state.mode, [m["code"] for m in markers])
        else:
            self.info.object = info.welcome_html()
        self._write_url()

    # --- layout -------------------------------------------------------------------------------
    def sidebar(self) -> list:
        if self.view is None:
            return [pn.pane.HTML(info.notice_html(), stylesheets=[info.CSS], sizing_mode="stretch_width")]
        legend = "".join(
            f'<div><span class="sw" style="background:{c}"></span>{t}</div>'
            for t, c in (("Painful muscle", "#d62839"), ("Nerve roots", "#f5b700"),
                         ("Multifidus", "#f26419"), ("Vertebrae at those levels", "#6f9ee8"),
                         ("Acupuncture points", "#1d4ed8")))
        return [
            self.search, self.region,
            _label("Side"), self.side,
            _label("Explain for"), self.mode,
            _label("Layers"), *self.layer_widgets,
            _label("Colours"),
            pn.pane.HTML(f'<div class="rx-legend">{legend}</div>', stylesheets=[_PAGE_CSS], margin=(4, 10)),
        ]

    def main(self):
        notice = pn.pane.HTML(
            '<div class="rx-notice-strip"><span>Painful muscle → nerve roots → multifidus at those '
            f'levels → acupuncture points.</span><b class="rx-notice-right">{info.NOTICE}</b></div>',
            stylesheets=[_PAGE_CSS], sizing_mode="stretch_width", margin=(0, 0, 8, 0))
        if self.view is None:
            return pn.Column(notice, self.info, sizing_mode="stretch_both", max_width=900)
        panel_col = pn.Column(self.info, width=380, sizing_mode="stretch_height", scroll=True,
                              styles={"background": "white", "border-radius": "10px",
                                      "border": "1px solid #e2e8f0"}, margin=(0, 0, 0, 10))
        return pn.Column(notice, pn.Row(self.view, panel_col, sizing_mode="stretch_both", margin=0),
                         sizing_mode="stretch_both", margin=0)

    def template(self) -> pn.template.FastListTemplate:
        """The page: header, side bar and main area."""
        return pn.template.FastListTemplate(
            title="Radix · spine, nerve roots, muscles and points",
            sidebar=self.sidebar(), main=[self.main()], main_layout=None,
            accent_base_color=ACCENT, header_background="#134e4a", header_accent_base_color="#ffffff",
            sidebar_width=330, theme_toggle=False, main_max_width="100%",
            design=LocalFast, font=FONT, font_url="",
        )

    def __panel__(self):
        return pn.Row(pn.Column(*self.sidebar(), width=330), self.main(), sizing_mode="stretch_both")
