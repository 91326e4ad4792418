"""The Radix app: side bar (search, region, level, side, mode, layers), the 3D view and the info panel.

``panel serve app.py --static-dirs meshes=assets/meshes`` runs it (see ``app.py``; with
``python -m viewer.app.serve`` the responses are also gzip-compressed). One :class:`RadixApp` per
browser session; the atlas and knowledge are loaded once per process and shared
(:func:`viewer.app.data.load_app_data`).

Every change goes through :meth:`RadixApp._refresh`: the state becomes a
:class:`viewer.app.state.Scene`, the scene becomes a small styles message, markers and paths for
the 3D view (ids and styles only; meshes never travel again) and HTML for the info panel.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from html import escape

import panel as pn
import param
from panel.theme import Fast
from panel.theme.base import Inherit
from panel.viewable import Viewable

from viewer.atlas import PAIRED_SIDES
from viewer.knowledge import ROOTS
from viewer.scene import (
    DERMATOME_LEGEND, LAYER_NAMES, LEGEND, TECHNIQUE_LEGEND, Scene, compose_scene, scene_spec, technique_specs,
    techniques_in_view,
)
from viewer.scene.techniques import zone_book
from viewer.selection import LEVELS, LevelSelection, RootSelection, Selection, sides_of

from . import info, quiz
from .data import AppData, Problem, load_app_data
from .dermatome_cache import skin_dermatomes
from .early import body_url as early_body_url
from .early import config_url as early_config_url
from .early import page_url
from .early import publish as publish_early
from .infopanel import InfoPanel
from .layout import NOTICE_CSS, PAGE_CSS, SHEET_CSS, TOUCH_CSS, ControlsToggle, SheetToggle
from .story_control import StoryControl
from .plan_ui import PlanBuilder
from .state import AppState, parse_query
from .symptoms_ui import SymptomPanel
from .techniques_ui import techniques_html
from .view3d import SETUP_COMMAND, BodyView, bundle_ready

ACCENT = "#0f766e"
REGION_NAMES = {"neck": "Neck", "shoulder": "Shoulder girdle", "back": "Back", "trunk": "Trunk",
                "hip": "Hip", "arm": "Arm", "leg": "Leg"}
LEVEL_GROUPS = {"Cervical": "C", "Thoracic": "T", "Lumbar": "L", "Sacrum and coccyx": "SCo"}

_PAGE_CSS = """
.rx-notice-strip {
  display: flex; align-items: center; gap: 8px; padding: 7px 12px; border-radius: 8px;
  background: #f0fdfa; border: 1px solid #99f6e4; color: #115e59;
  font: 500 13px/1.4 "Inter", "Segoe UI", system-ui, sans-serif;
}
.rx-notice-strip b { font-weight: 700; }
.rx-notice-right { margin-left: auto; text-align: right; }
.rx-side-title { font: 700 11px/1.2 "Inter", "Segoe UI", system-ui, sans-serif; letter-spacing: .06em;
  text-transform: uppercase; color: #475569; margin: 4px 0 0; }
.rx-legend { font: 12px/1.6 "Inter", "Segoe UI", system-ui, sans-serif; color: #334155; }
.rx-legend span.sw { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin: 0 6px -1px 0; }
"""


# The Fast design without its Google-hosted web font: Radix must work offline and load with no
# failed requests, so it uses the system UI font. The class keeps the name "Fast" because Panel
# resolves a design's bundled files under the lower-cased class name (fast/js/fast_design.js).
# Every component also gets the touch sizes of viewer/app/layout.py (44-pixel targets on tablets
# and phones), which only apply through their media queries.
LocalFast = type("Fast", (Fast,), {
    "_resources": {**Fast._resources, "font": {}},
    "modifiers": {**Fast.modifiers, Viewable: {"stylesheets": [Inherit, TOUCH_CSS]}},
    "__module__": __name__})


#: After a click in the view, the panel is redrawn this long after the highlight's message
#: (milliseconds): long enough for that message to leave, far too short for a user to notice.
PANEL_AFTER_VIEW_MS = 15

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


def level_of_structure(acronym: str, kind: str) -> str | None:
    """The paraspinal level a click on a bone or disc stands for: a vertebra is its own level,
    a disc the level of the vertebra above it (its foramen opens there), the sacrum S1, the
    coccyx Co; None for other bones."""
    if kind == "bone":
        if acronym in LEVELS:
            return acronym
        return {"sacrum": "S1", "coccyx": "Co"}.get(acronym)
    if kind == "disc" and acronym.startswith("disc_"):
        upper = acronym.split("_")[1]
        return upper if upper in LEVELS else None
    return None


class RadixPage(pn.template.FastListTemplate):
    """Panel's Fast list template with the 3D view's early script first in ``<head>``, async,
    and preloads of what it fetches (``page.html``; :mod:`viewer.app.early`)."""

    early_script = param.String(default="", doc="The early script's URL, relative to the page; empty: none.")
    early_preload = param.List(default=[], item_type=str, doc="""
        What the early script fetches first (its first view, the body file), relative to the page.""")

    _template = Path(__file__).resolve().parent / "page.html"

    def _update_vars(self, *args) -> None:
        super()._update_vars(*args)
        self._render_variables["radix_early"] = self.early_script
        self._render_variables["radix_preload"] = self.early_preload


def local_stylesheets(doc, patch: bool = False) -> None:
    """Panel's stylesheets from this server, never from Panel's CDN, for a session whose page was
    not rendered from it.

    Panel decides where its models' stylesheets come from (``doc.template_variables["dist_url"]``)
    when it renders a session's page. A page answered from another session's template
    (:func:`viewer.app.serve.answer_pages_at_once`) gets its own session when its WebSocket
    connects, and that one is never rendered: without this its widgets would ask Panel's CDN for
    their CSS, which the Content-Security-Policy refuses (and which would tell a third party
    about the visit). This sets what the page rendering sets, before the models are made; with
    ``patch``, also on the document's roots made already, as the rendering does (Panel's own
    ``patch_model_css``)."""
    from panel.io.resources import LOCAL_DIST, patch_model_css, use_cdn

    if doc is None or use_cdn():
        return
    variables = doc.template_variables
    if not variables.get("dist_url"):
        rel = pn.state.rel_path
        variables["dist_url"] = f"{rel}/{LOCAL_DIST}" if rel else LOCAL_DIST
    if patch:
        for root in doc.roots:
            patch_model_css(root, dist_url=variables["dist_url"])


def without_eval(page: pn.template.BaseTemplate) -> None:
    """Take the template's modal actions off the page: they are Panel's only ``ReactiveHTML``
    there, and the browser compiles a ``ReactiveHTML`` with ``new Function``, which the page's
    Content-Security-Policy forbids (no ``'unsafe-eval'``, see ``viewer/app/serve.py``). Radix
    never opens the template's modal; the page keeps an empty element in that slot."""
    items = getattr(page, "_render_items", None)
    if isinstance(items, dict) and "actions" in items:
        items["actions"] = (pn.Spacer(width=0, height=0, margin=0), [])


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
        self._generation = 0                            # counts refreshes (see _refresh_panel)
        self._message: tuple[str, str] | None = None   # a one-off note for the info panel
        self._notes: list[str] = []                     # link values that could not be used
        self.info = InfoPanel(sizing_mode="stretch_both", min_height=300)
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
            self.info.content = info.problems_html(problems)
            return
        data: AppData = self.data
        self.view = BodyView(structures=list(data.view_structures), path_library=data.path_library,
                             mesh_pack=data.mesh_pack, mesh_pack_bytes=data.mesh_pack_bytes,
                             skin_dermatomes=skin_dermatomes(data), css_classes=["rx-view-cell"])
        self.controls = ControlsToggle()       # opens the side bar's drawer on tablets and phones
        self.sheet_toggle = SheetToggle(sizing_mode="stretch_width", margin=0)   # portrait: "Read more"
        self.story = StoryControl(self.view, data, on_change=self._refresh)   # Patient mode: compressed-root story
        self._build_widgets(data)
        self.planner = PlanBuilder(data, on_change=self._refresh, on_point=lambda code: self._choose(point=code),
                                   mode=self.state.mode)
        self.symptoms = SymptomPanel(data, on_change=self._refresh, on_open=self._open_candidate,
                                     mode=self.state.mode)
        self.symptoms.kind.param.watch(self._on_mark_kind, "value")
        self.planner.attach_symptoms(self.symptoms.plan_symptoms, self.symptoms.restore)
        self.state.quiz = quiz.start(data.knowledge)
        focus = self._read_url()
        self._aim_quiz()
        self._refresh()
        if focus:
            self.view.focus_selection(self.state.view)
        elif self.state.view != "posterior":
            self.view.show_view(self.state.view)
        self.state.param.watch(self._on_state, ["muscle", "level", "root", "point", "side", "layers",
                                                "mode", "isolate", "labels", "technique"])
        self.view.param.watch(self._on_pick, ["picked"])
        self.view.param.watch(self._on_view, ["view"])
        self.info.param.watch(self._on_action, ["action"])

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
        for group in data.knowledge.groups:   # "Trapezius (group of 3)": selects every part
            labels.append(group.name)
            self._label_to_id[group.name.lower()] = group.id
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
        level_groups: dict[str, dict[str, str]] = {"": {"Choose a level…": ""}}
        for title, letters in LEVEL_GROUPS.items():
            members = [lv for lv in LEVELS if lv != "occiput" and (lv[0] in letters if letters != "SCo"
                                                                    else lv[0] == "S" or lv == "Co")]
            level_groups[title] = {lv: lv for lv in members}
        level_groups["Cervical"] = {"Occiput (C1 root)": "occiput", **level_groups["Cervical"]}
        self.level = pn.widgets.Select(name="Or start from a spinal level", groups=level_groups, value="",
                                       sizing_mode="stretch_width")
        self.side = pn.widgets.RadioButtonGroup.from_param(
            self.state.param.side, options={"Left": "left", "Right": "right", "Both": "both"},
            button_type="primary", button_style="outline", sizing_mode="stretch_width")
        self.mode = pn.widgets.RadioButtonGroup.from_param(
            self.state.param.mode, options={"Patient": "patient", "Student": "student", "Practitioner": "practitioner"},
            button_type="primary", button_style="outline", sizing_mode="stretch_width")
        kinds_present = {s.kind for s in data.structures} | {"points", "meridians"}
        if zone_book(data) is not None:
            kinds_present.add("techniques")
        if skin_dermatomes(data):
            kinds_present.add("dermatomes")
        self.layer_widgets = []
        for kind, title in LAYER_NAMES.items():
            if kind not in kinds_present:
                continue
            layer = self.state.layers[kind]
            toggle = pn.widgets.Checkbox(name=title, value=layer["visible"], width=118, margin=(8, 10, 0, 10),
                                         css_classes=[f"rx-layer-{kind}"])
            opacity = pn.widgets.FloatSlider(value=layer["opacity"], start=0.05, end=1.0, step=0.05,
                                             show_value=False, tooltips=False, bar_color=ACCENT,
                                             sizing_mode="stretch_width", margin=(4, 10, 0, 0),
                                             css_classes=[f"rx-opacity-{kind}"])
            toggle.param.watch(lambda e, k=kind: self.state.set_layer(k, visible=e.new), "value")
            opacity.param.watch(lambda e, k=kind: self.state.set_layer(k, opacity=e.new), "value")
            self.layer_widgets.append(pn.Row(toggle, opacity, sizing_mode="stretch_width", margin=0))
        self.isolate = pn.widgets.Checkbox.from_param(self.state.param.isolate, name="Isolate the selection",
                                                      margin=(8, 10, 0, 10), css_classes=["rx-isolate"])
        self.labels = pn.widgets.Checkbox.from_param(self.state.param.labels, name="Labels", margin=(8, 10, 0, 10),
                                                     css_classes=["rx-labels"])
        self.search.param.watch(self._on_search, "value")
        self.region.param.watch(self._on_region, "value")
        self.level.param.watch(self._on_level, "value")

    # --- URL ----------------------------------------------------------------------------------
    def _read_url(self) -> bool:
        """Apply the link's parameters; returns whether it selected something to frame."""
        args = _query_args()
        values, notes = parse_query(args, self.data.knowledge)
        self._notes = notes + self.planner.read_url(args)
        if values:
            self.state.param.update(**values)
            self._sync_inputs()
        return any(values.get(k) for k in ("muscle", "level", "root", "point"))

    def _write_url(self) -> None:
        loc = pn.state.location
        if loc is None:
            return
        parts = [f for f in (self.planner.link_fragment().lstrip("#"), self.symptoms.fragment()) if f]
        search, fragment = self.state.query(), ("#" + "&".join(parts) if parts else "")
        if loc.search != search or loc.hash != fragment:
            # One update: the browser's address becomes pathname + search + hash.
            loc.param.update(search=search, hash=fragment)

    # --- choosing -----------------------------------------------------------------------------
    def _resolve(self, text: str, fuzzy: bool = True) -> str | None:
        """Muscle id for an id, a name, an alias or (``fuzzy``) a near miss typed in the search."""
        text = text.strip()
        if not text:
            return None
        k = self.data.knowledge
        try:
            return k.resolve_muscle(text)   # an id, a name, an alias or a group's shared name
        except KeyError:
            pass
        hit = self._label_to_id.get(text.lower())
        if hit or not fuzzy:
            return hit
        found = k.search_muscles(text, limit=1)
        return found[0].id if found else None

    def _sync_inputs(self) -> None:
        """Show the current subject in the search box and the two lists without re-firing."""
        self._syncing = True
        try:
            muscle_id = self.state.muscle
            name = self.data.knowledge.muscle(muscle_id).name if muscle_id else ""
            if self.search.value != name:
                self.search.value = name
            if self.region.value != (muscle_id or ""):
                self.region.value = muscle_id or ""
            level = self.state.level or ""
            if self.level.value != level:
                self.level.value = level
        finally:
            self._syncing = False

    def _choose(self, seq=None, focus: bool = False, side: str | None = None, **subject) -> None:
        """Make ``subject`` (muscle=, level=, root= or point=) current and redraw once."""
        self._notes, self._message = [], None
        if "point" in subject:
            update = {"point": subject["point"]}
        else:
            update = self.state.subject_update(**subject)
        if side and self.state.side != "both":
            update["side"] = side
        self._syncing = True
        try:
            self.state.param.update(**update)
        finally:
            self._syncing = False
        self._aim_quiz()
        # A click in the 3D view (``seq``): the highlight is what the user waits for. Its message
        # goes out alone; the panel, the plan card, the inputs and the link follow a moment later.
        self._refresh(seq=seq, panel_later=seq is not None)
        if focus:
            self.view.focus_selection()
        if seq is None:
            self._sync_inputs()

    def _aim_quiz(self) -> None:
        if self.state.quiz is not None:
            self.state.quiz = quiz.focus(self.data.knowledge, self.state.quiz, self.state.muscle, self.state.point)

    # --- events -------------------------------------------------------------------------------
    def _on_search(self, event) -> None:
        if self._syncing or not event.new:
            return
        muscle_id = self._resolve(event.new)
        if muscle_id is None:
            self._message = ("No match", f"No muscle matches {event.new!r}. Try another name or browse by region.")
            self._refresh()
            return
        self._close_drawer()
        self._choose(focus=True, muscle=muscle_id)

    def _close_drawer(self) -> None:
        """A choice made in the controls' drawer (tablet, phone) closes it to show the result."""
        self.controls.open = False

    def _on_mark_kind(self, event) -> None:
        """Pain or tingling chosen: taps on the body mark it (the drawer closes to let them)."""
        self.view.mark_kind = event.new or ""
        if event.new:
            self._close_drawer()

    def _on_region(self, event) -> None:
        if self._syncing or not event.new:
            return
        self._close_drawer()
        self._choose(focus=True, muscle=event.new)

    def _on_level(self, event) -> None:
        if self._syncing or not event.new:
            return
        self._close_drawer()
        self._choose(focus=True, level=event.new)

    def _on_state(self, *events) -> None:
        if self._syncing:
            return
        self._refresh()

    def _on_view(self, event) -> None:
        """A camera preset chosen in the view's toolbar: remembered for the link only."""
        if event.new in self.state.param.view.objects and event.new != self.state.view:
            self._syncing = True
            try:
                self.state.view = event.new
            finally:
                self._syncing = False
            self._write_url()

    def _open_candidate(self, kind: str, subject: str, side: str) -> None:
        """A tap on a candidate root or muscle of the symptom ranking: its chain."""
        k = self.data.knowledge
        side = side if side in PAIRED_SIDES else None
        if kind == "root" and subject in ROOTS:
            self._choose(focus=True, side=side, root=subject)
        elif kind == "muscle" and k.has_muscle(subject):
            self._choose(focus=True, side=side, muscle=subject)

    def _on_pick(self, event) -> None:
        picked = event.new or {}
        seq = picked.get("seq")
        k = self.data.knowledge
        if picked.get("kind") == "skin":       # a symptom mark ("Where does it hurt?")
            self.symptoms.add(picked.get("position") or ())
            return
        if picked.get("kind") == "marker":
            code = picked.get("code", "")
            if k.has_point(code):
                self._choose(seq=seq, point=code)
            else:
                self._refresh(seq=seq)
            return
        s = self.data.atlas.get(picked.get("acronym", "")) if picked.get("acronym") else None
        if s is None:
            self._refresh(seq=seq)
            return
        side = s.side if s.side in PAIRED_SIDES else None
        if s.kind == "muscle":
            muscle_id = s.acronym[: -len(s.side) - 1] if side and s.acronym.endswith("_" + s.side) else s.acronym
            if k.has_muscle(muscle_id):
                self._choose(seq=seq, side=side, muscle=muscle_id)
                return
        elif s.kind == "nerve_root":
            root = s.acronym.split("_")[1] if s.acronym.count("_") >= 1 else None
            if root in ROOTS:
                self._choose(seq=seq, side=side, root=root)
                return
        else:
            level = level_of_structure(s.acronym, s.kind)
            if level:
                self._choose(seq=seq, level=level)
                return
        self._message = (s.name, f"{s.name} ({s.kind.replace('_', ' ')}). Click a muscle, a vertebra or a "
                         "nerve root, or search for a muscle, to see its chain.")
        self._refresh(seq=seq)

    def _on_action(self, event) -> None:
        """A click in the info panel: a link to a muscle, level, root or point, or the quiz."""
        act = event.new or {}
        kind, value = act.get("action"), str(act.get("value", ""))
        k = self.data.knowledge
        if kind == "muscle" and k.has_muscle(value):
            self._choose(focus=True, muscle=value)
        elif kind == "level" and value in LEVELS:
            self._choose(focus=True, level=value)
        elif kind == "root" and value in ROOTS:
            self._choose(focus=True, root=value)
        elif kind == "point" and k.has_point(value):
            self._choose(point=value)
        elif kind == "back":
            self._choose(point=None)
        elif kind == "technique_show" and k.has_technique(value):
            self.state.technique = None if self.state.technique == value else value
        elif kind == "technique_add" and k.has_technique(value):
            self.planner.add_technique(value, self.state.side)
            self._refresh_info(self._scene())
        elif kind == "answer" and self.state.quiz is not None:
            try:
                self.state.quiz = quiz.answer(self.state.quiz, int(value))
            except ValueError:
                return
            self._refresh_info(self._scene())
        elif kind == "next" and self.state.quiz is not None:
            self.state.quiz = quiz.next_card(k, self.state.quiz)
            self._refresh_info(self._scene())

    # --- the one place that updates the view and the panel ------------------------------------
    def _scene(self) -> Scene:
        st = self.state
        return compose_scene(self.data.knowledge, st.muscle, st.level, st.root, st.point, st.side)

    def _refresh(self, seq=None, panel_later: bool = False) -> None:
        """Redraw the 3D view for the current state, then the panel, the plan card and the link.
        With ``panel_later`` (a click in the view) the view's message is sent first and the rest
        follows :data:`PANEL_AFTER_VIEW_MS` later."""
        data: AppData = self.data
        k = data.knowledge
        st = self.state
        if self.symptoms.mode != st.mode:
            self.symptoms.set_mode(st.mode)
        self.story.show(st.mode, st.muscle, st.level, st.root, st.side)
        spec = scene_spec(k, data.structures, muscle=st.muscle, level=st.level, root=st.root,
                          point=st.point, side=st.side, mode=st.mode, layers=st.layers,
                          isolate=st.isolate, show_labels=st.labels, view=st.view,
                          positions=data.positions, paths=data.paths,
                          also_highlight=self.story.highlight(), seq=seq)
        scene = spec.scene
        markers = self.planner.update(scene, st.mode, list(spec.markers), render=not panel_later)
        drawn_points = [m["code"] for m in markers]
        markers = markers + self.symptoms.markers(st.labels)
        paths = [p["id"] for p in spec.paths]
        update = {"structure_styles": spec.styles}
        if markers != self.view.markers:
            update["markers"] = markers
        if paths != self.view.paths:
            update["paths"] = paths
        dermatomes = list(spec.dermatomes)
        if dermatomes != self.view.dermatomes:
            update["dermatomes"] = dermatomes
        if not panel_later:
            techniques = self._technique_zones(scene)
            if techniques != self.view.techniques:
                update["techniques"] = techniques
        self.view.param.update(**update)
        self._generation += 1
        if panel_later:
            doc = pn.state.curdoc
            if doc is not None and doc.session_context is not None:
                # Not on the next tick: Bokeh writes a message frame by frame, one turn of the
                # server's loop each, and work scheduled for the next tick would run between
                # the frames of the highlight's message and hold it back.
                doc.add_timeout_callback(partial(self._refresh_panel, self._generation, scene),
                                         PANEL_AFTER_VIEW_MS)
            else:
                self._refresh_panel(self._generation, scene)
            return
        self._refresh_info(scene, drawn_points)
        self._write_url()

    def _technique_zones(self, scene: Scene) -> list[dict]:
        """The technique zones the view draws for ``scene`` (:attr:`viewer.scene.SceneSpec.techniques`)."""
        st, k = self.state, self.data.knowledge
        chosen = st.technique if st.technique and k.has_technique(st.technique) else None
        return technique_specs(techniques_in_view(scene, k, chosen), sides_of(st.side), k, zone_book(self.data),
                               st.layers, st.mode)

    def _refresh_panel(self, generation: int, scene: Scene) -> None:
        """The second half of a refresh after a click in the view (see :meth:`_refresh`) for the
        scene the first half drew; skipped when a newer refresh has come since (every change of
        state that alters the scene goes through :meth:`_refresh`, so ``scene`` is still current
        when it runs)."""
        if generation != self._generation:
            return
        # The technique zones (skin patches of some tens of kB) follow the highlight, never delay it.
        techniques = self._technique_zones(scene)
        if techniques != self.view.techniques:
            self.view.techniques = techniques
        self.planner.render()
        self._refresh_info(scene)
        self._write_url()
        self._sync_inputs()

    def _refresh_info(self, scene: Scene, drawn: list[str] | None = None) -> None:
        data: AppData = self.data
        k = data.knowledge
        mode = self.state.mode
        if drawn is None:
            drawn = [m["code"] for m in self.view.markers if not m["code"].startswith("mark-")]
        card = self.state.quiz if mode == "student" else None
        subject = scene.subject
        with_techniques = self._message is None and scene.point is None and subject is not None
        if self._message is not None:
            title, text = self._message
            self._message = None
            html = info.message_html(title, text, self._notes)
        elif scene.point is not None:
            html = info.point_html(scene.point, k, mode, data.placement_of(scene.point.point.code),
                                   back=self._subject_label(subject), notes=self._notes)
        elif isinstance(subject, Selection):
            html = info.selection_html(subject, k, mode, drawn, quiz=card, notes=self._notes)
        elif isinstance(subject, LevelSelection):
            html = info.level_html(subject, k, mode, drawn, quiz=card, notes=self._notes)
        elif isinstance(subject, RootSelection):
            html = info.root_html(subject, k, mode, drawn, quiz=card, notes=self._notes)
        else:
            html = info.welcome_html(mode=mode, quiz=card, notes=self._notes)
        if with_techniques:
            html += techniques_html(subject, k, mode, shown={t["id"] for t in self.view.techniques},
                                    in_plan={t.id for t in self.planner.plan.techniques},
                                    editable=not self.planner.read_only)
        self.info.content = html

    @staticmethod
    def _subject_label(subject) -> tuple[str, str] | None:
        if isinstance(subject, Selection):
            return ("muscle", subject.muscle.name)
        if isinstance(subject, LevelSelection):
            return ("level", f"level {subject.level}")
        if isinstance(subject, RootSelection):
            return ("root", f"the {subject.root} root")
        return None

    # --- layout -------------------------------------------------------------------------------
    def sidebar(self) -> list:
        if self.view is None:
            return [pn.pane.HTML(info.notice_html(), stylesheets=[info.CSS], sizing_mode="stretch_width")]
        legend = "".join(
            f'<div><span class="sw" style="background:{e.colour}"></span>{escape(e.label)}</div>'
            for e in (*LEGEND, *((DERMATOME_LEGEND,) if self.view.skin_dermatomes else ()),
                      *TECHNIQUE_LEGEND.values()))
        return [
            self.search, self.region, self.level,
            _label("Side"), self.side,
            _label("Explain for"), self.mode,
            _label("Where does it hurt?"), *self.symptoms.panel(),
            self.story.panel,
            _label("Layers"), *self.layer_widgets,
            pn.Row(self.isolate, self.labels, margin=0),
            _label("Colours"),
            pn.pane.HTML(f'<div class="rx-legend">{legend}</div>', stylesheets=[_PAGE_CSS], margin=(4, 10)),
        ]

    def main(self):
        notice = pn.pane.HTML(
            '<div class="rx-notice-strip"><span>Painful muscle → nerve roots → multifidus at those '
            f'levels → acupuncture points.</span><b class="rx-notice-right">{info.NOTICE}</b></div>',
            stylesheets=[_PAGE_CSS, NOTICE_CSS], sizing_mode="stretch_width", margin=(0, 0, 8, 0))
        if self.view is None:
            return pn.Column(notice, self.info, sizing_mode="stretch_both", max_width=900)
        panel_col = pn.Column(self.sheet_toggle, self.info, self.planner.layout(), width=440,
                              sizing_mode="stretch_height",
                              styles={"background": "white", "border-radius": "10px",
                                      "border": "1px solid #e2e8f0"}, margin=(0, 0, 0, 10),
                              css_classes=["rx-sheet"])   # beside or under the view on a tablet or phone
        self.sheet_toggle.param.watch(
            lambda e: setattr(panel_col, "css_classes", ["rx-sheet", "rx-sheet-full"] if e.new else ["rx-sheet"]),
            "open")
        return pn.Column(notice, pn.Row(self.view, panel_col, sizing_mode="stretch_both", margin=0,
                                        stylesheets=[SHEET_CSS]),
                         sizing_mode="stretch_both", margin=0, stylesheets=[SHEET_CSS])

    def template(self) -> pn.template.FastListTemplate:
        """The page: header, side bar and main area."""
        page = RadixPage(
            title="Radix · spine, nerve roots, muscles and points",
            sidebar=self.sidebar(), main=[self.main()], main_layout=None,
            accent_base_color=ACCENT, header_background="#134e4a", header_accent_base_color="#ffffff",
            sidebar_width=330, theme_toggle=False, main_max_width="100%",
            design=LocalFast, font=FONT, font_url="",
            meta_viewport="width=device-width, initial-scale=1", raw_css=[PAGE_CSS],
            header=[self.controls] if self.view is not None else [],
        )
        early = self._early_script()
        # The view starts loading the body from the page's <head> (viewer/app/early.py, page.html).
        if early:
            page.early_script = page_url(early)
            page.early_preload = [page_url(early_config_url(early)), page_url(early_body_url(self.view))]
        without_eval(page)
        return page

    def _early_script(self) -> str | None:
        if self.view is None or not isinstance(self.data, AppData):
            return None
        # Only a session opened without a link writes the first view every page starts with.
        return publish_early(self.data.assets_dir / "meshes", self.view, write=not _query_args())

    def servable(self, title: str = "Radix"):
        """Add the page to the session's document (``app.py``). Bokeh walks the whole model graph
        each time a root is added; frozen, it walks it once for the page (0.39 -> 0.25 s of
        server time per new session on the benchmark machine)."""
        doc = pn.state.curdoc
        local_stylesheets(doc)
        page = self.template()
        if doc is None or not hasattr(getattr(doc, "models", None), "freeze"):
            return page.servable(title=title)
        with doc.models.freeze():
            served = page.servable(title=title)
        local_stylesheets(doc, patch=True)
        return served

    def __panel__(self):
        return pn.Row(pn.Column(*self.sidebar(), width=330), self.main(), sizing_mode="stretch_both")
