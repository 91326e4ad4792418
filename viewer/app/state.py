"""The state the UI binds to, and the pure functions that turn a selection into view messages.

:class:`AppState` holds what the user chose (muscle, side, mode, layers). :func:`view_styles`
turns a selection's highlight into the small ``structure_styles`` message of the 3D view
(:class:`viewer.app.view3d.BodyView`), and :func:`marker_specs` / :func:`path_specs` turn point
codes into markers and meridian paths. They are plain functions of plain data, so they are tested
without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import param

from viewer.knowledge import ROOTS
from viewer.selection import LEVELS, select_level, select_muscle, select_point, select_root

SIDES = ("left", "right", "both")
MODES = ("patient", "student", "practitioner")
#: Camera presets of the 3D view (``view3d.js`` VIEWS), first is the default.
VIEWS = ("posterior", "anterior", "left", "right", "oblique")

#: Layers in the order the UI lists them, with their display names. ``points`` and
#: ``meridians`` are the overlays (markers and paths); the others are atlas kinds.
LAYER_NAMES: dict[str, str] = {
    "skin": "Skin",
    "muscle": "Muscles",
    "bone": "Bones",
    "disc": "Discs",
    "cord": "Spinal cord",
    "nerve_root": "Nerve roots",
    "points": "Points",
    "meridians": "Meridians",
}
OVERLAY_LAYERS = ("points", "meridians")

DEFAULT_LAYERS: dict[str, dict] = {
    "skin": {"visible": False, "opacity": 0.25},
    "muscle": {"visible": True, "opacity": 1.0},
    "bone": {"visible": True, "opacity": 1.0},
    "disc": {"visible": True, "opacity": 1.0},
    "cord": {"visible": True, "opacity": 1.0},
    "nerve_root": {"visible": True, "opacity": 1.0},
    "points": {"visible": True, "opacity": 1.0},
    "meridians": {"visible": True, "opacity": 0.9},
}

#: Colour of a highlighted structure by its role in the chain.
ROLE_COLOURS: dict[str, str] = {
    "muscle": "#d62839",       # the painful muscle
    "nerve_root": "#f5b700",   # its roots
    "multifidus": "#f26419",   # multifidus at those levels
    "bone": "#6f9ee8",         # the vertebrae at those levels
    "disc": "#56cfe1",
    "cord": "#9b5de5",
    "skin": "#f7c59f",
}

#: Opacity the rest of the body fades to while something is highlighted, by kind. Bones stay
#: readable as a frame of reference; muscles fade most, since they hide the spine.
FADE_OPACITY: dict[str, float] = {
    "skin": 0.05,
    "muscle": 0.1,
    "bone": 0.4,
    "disc": 0.3,
    "cord": 0.35,
    "nerve_root": 0.25,
}

POINT_COLOUR = "#1d4ed8"


@dataclass(frozen=True)
class StructureInfo:
    """What the styling needs to know about one atlas structure with a mesh."""

    id: int
    acronym: str
    kind: str
    name: str = ""


def role_of(structure: StructureInfo) -> str:
    """The role a highlighted structure plays in the chain (a key of :data:`ROLE_COLOURS`)."""
    if structure.kind == "muscle" and structure.acronym.startswith("multifidus_"):
        return "multifidus"
    return structure.kind


def _emissive(colour: str, strength: float = 0.28) -> str:
    """A dimmed copy of ``#rrggbb`` used as emissive glow so highlights read in shadow too."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * strength) for c in (r, g, b)))


def view_styles(
    highlight: Iterable[str],
    structures: Sequence[StructureInfo],
    layers: Mapping[str, Mapping] | None = None,
    seq: str | None = None,
    isolate: bool = False,
    labels: Mapping[str, str] | None = None,
    show_labels: bool = True,
) -> dict:
    """The ``structure_styles`` message for the 3D view.

    Parameters
    ----------
    highlight : iterable of str
        Atlas acronyms to highlight (``Selection.highlight.structures``); unknown ones are
        ignored (the body may not have built them yet).
    structures : sequence of StructureInfo
        The structures the view shows.
    layers : mapping, optional
        ``{kind: {"visible": bool, "opacity": float}}``; defaults to :data:`DEFAULT_LAYERS`.
    seq : str, optional
        The pick sequence this answers, echoed so the browser can time click -> highlight.
    isolate : bool
        Hide every structure that is not highlighted (only while something is).
    labels : mapping, optional
        ``{acronym: text}`` labels drawn beside highlighted structures.
    show_labels : bool
        Whether the view shows labels at all (structure and point labels).

    Returns
    -------
    dict
        ``{"kinds": {kind: {visible, opacity}}, "ids": {str(id): {color, emissive, opacity,
        visible, highlight, label?}}, "active": bool, "isolate": bool, "labels": bool,
        "seq": seq}``. ``kinds`` also holds the overlay layers ``points`` and ``meridians``.
        Only highlighted structures get an ``ids`` entry, so the message stays small (tens of
        bytes per highlight).

    Examples
    --------
    >>> s = [StructureInfo(1, "L4", "bone"), StructureInfo(2, "gluteus_medius_left", "muscle")]
    >>> out = view_styles(["gluteus_medius_left"], s)
    >>> out["ids"]["2"]["color"], out["kinds"]["muscle"]["opacity"]
    ('#d62839', 0.1)
    """
    layers = {**DEFAULT_LAYERS, **(layers or {})}
    by_acronym = {s.acronym: s for s in structures}
    lit = [by_acronym[a] for a in dict.fromkeys(highlight) if a in by_acronym]
    active = bool(lit)
    labels = labels or {}
    kinds = {}
    for kind in {s.kind for s in structures} | set(layers):
        layer = layers.get(kind, {"visible": True, "opacity": 1.0})
        opacity = float(layer.get("opacity", 1.0))
        visible = bool(layer.get("visible", True))
        if active and kind not in OVERLAY_LAYERS:
            opacity = min(opacity, FADE_OPACITY.get(kind, 0.3))
            if isolate:
                visible = False
        kinds[kind] = {"visible": visible, "opacity": round(opacity, 3)}
    ids = {}
    for s in lit:
        colour = ROLE_COLOURS.get(role_of(s), ROLE_COLOURS["muscle"])
        entry = {"color": colour, "emissive": _emissive(colour), "opacity": 1.0,
                 "visible": True, "highlight": True}
        if show_labels and labels.get(s.acronym):
            entry["label"] = labels[s.acronym]
        ids[str(s.id)] = entry
    return {"kinds": kinds, "ids": ids, "active": active, "isolate": bool(isolate and active),
            "labels": bool(show_labels), "seq": seq}


def structure_label(structure: StructureInfo) -> str:
    """Short label of a structure in the view: ``L4``, ``L5 root``, ``Multifidus L4``, a muscle
    name without its side."""
    a = structure.acronym
    if structure.kind == "nerve_root":
        return a.split("_")[1] + " root"
    if structure.kind == "muscle" and a.startswith("multifidus_"):
        return "Multifidus " + a.split("_")[1]
    if structure.kind == "bone" and re.fullmatch(r"[CTL]\d+", a):
        return a
    name = structure.name or a.replace("_", " ")
    return re.sub(r"\s*\((left|right)\)$", "", name)


def structure_labels(
    highlight: Iterable[str],
    structures: Sequence[StructureInfo],
    mode: str,
    primary: Iterable[str] = (),
) -> dict[str, str]:
    """Labels for the highlighted structures: in patient mode only the ``primary`` ones (the
    muscle, root or vertebra chosen), otherwise all of them."""
    by_acronym = {s.acronym: s for s in structures}
    # Multifidus groups sit among the point markers; their colour (and the panel) names them.
    wanted = set(primary) if mode == "patient" else {
        a for a in highlight if not a.startswith("multifidus_") or a in set(primary)}
    return {a: structure_label(by_acronym[a]) for a in dict.fromkeys(highlight)
            if a in wanted and a in by_acronym}


def marker_specs(
    codes: Iterable[str],
    sides: Iterable[str],
    positions: Mapping[tuple[str, str], Sequence[float]],
    colours: Mapping[str, str] | None = None,
    meridian_of: Mapping[str, str] | None = None,
    emphasis: str | None = None,
    show_codes: bool = True,
) -> list[dict]:
    """Markers for the point codes that have a placed position on the requested sides.

    Parameters
    ----------
    codes : iterable of str
        Point codes (``Selection.highlight.points``).
    sides : iterable of str
        ``"left"``/``"right"``; midline points are always included.
    positions : mapping
        ``{(code, side): (x, y, z) mm}`` from the placement build; side ``"midline"`` for GV/CV.
    colours, meridian_of : mapping, optional
        Meridian colour by meridian id and meridian id by code.
    emphasis : str, optional
        The code of the selected point: drawn larger (``radius``) and flagged ``selected``.
    show_codes : bool
        False (patient mode) leaves the labels empty, so no code is shown.

    Returns
    -------
    list of dict
        ``{code, side, position, color, label, radius?, selected?}`` (one per placed point
        and side).
    """
    colours = colours or {}
    meridian_of = meridian_of or {}
    out = []
    for code in dict.fromkeys(codes):
        colour = colours.get(meridian_of.get(code, ""), POINT_COLOUR)
        for side in (*sides, "midline"):
            pos = positions.get((code, side))
            if pos is None:
                continue
            marker = {"code": code, "side": side, "position": [round(float(v), 1) for v in pos],
                      "color": colour, "label": code if show_codes else ""}
            if code == emphasis:
                marker.update(radius=11, selected=True)
            out.append(marker)
    return out


def path_specs(
    meridians: Iterable[str],
    sides: Iterable[str],
    paths: Sequence[Mapping],
    colours: Mapping[str, str] | None = None,
) -> list[dict]:
    """Polylines for the meridians of a selection (``[{meridian, side, pieces}]`` from the
    placement build), on the requested sides and the midline."""
    colours = colours or {}
    wanted, sides = set(meridians), set(sides) | {"midline"}
    out = []
    for p in paths:
        if p.get("meridian") not in wanted or p.get("side") not in sides:
            continue
        for i, piece in enumerate(p.get("pieces", [])):
            out.append({"id": f"{p['meridian']}_{p['side']}_{i}", "points": piece,
                        "color": colours.get(p["meridian"], "#7a4fd6"), "width": 1.6})
    return out


def path_library(paths: Sequence[Mapping], colours: Mapping[str, str] | None = None,
                 step: int = 2) -> dict[str, dict]:
    """Every meridian polyline by id (as :func:`path_specs` names them), each thinned to every
    ``step``-th point with both ends kept: the view draws a smooth tube through them, and the
    library travels once per session."""
    sides = {p.get("side") for p in paths} | {"midline"}
    library = {}
    for spec in path_specs({p.get("meridian") for p in paths}, sides, paths, colours):
        pts = spec["points"]
        thin = [*pts[:-1:step], pts[-1]] if len(pts) > 2 else list(pts)
        library[spec["id"]] = {**spec, "points": thin}
    return library


def sides_of(side: str) -> tuple[str, ...]:
    """``"both"`` -> ``("left", "right")``; a single side -> itself."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {side!r}")
    return ("left", "right") if side == "both" else (side,)


# --- what is selected, as one scene -----------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    """What a state selects, ready to draw and to describe.

    Attributes
    ----------
    subject : Selection, LevelSelection, RootSelection or None
        The chain in view: from a muscle, a level or a root (at most one of them).
    point : PointSelection or None
        The point card open on top of the subject.
    structures : tuple of str
        Atlas acronyms to highlight.
    points : tuple of str
        Point codes to draw (the subject's points and the selected point).
    meridians : tuple of str
        Meridian ids whose paths to draw.
    primary : tuple of str
        The structures chosen themselves (labelled even in patient mode).
    emphasis : str or None
        The selected point's code.
    """

    subject: object | None
    point: object | None
    structures: tuple[str, ...]
    points: tuple[str, ...]
    meridians: tuple[str, ...]
    primary: tuple[str, ...]
    emphasis: str | None

    @property
    def empty(self) -> bool:
        return self.subject is None and self.point is None


def _on_sides(acronyms: Iterable[str], sides: Sequence[str]) -> tuple[str, ...]:
    """Drop ``*_left`` / ``*_right`` acronyms of a side that is not shown."""
    out = []
    for a in acronyms:
        side = a.rsplit("_", 1)[-1] if "_" in a else ""
        if side in ("left", "right") and side not in sides:
            continue
        out.append(a)
    return tuple(out)


def compose_scene(knowledge, muscle: str | None = None, level: str | None = None,
                  root: str | None = None, point: str | None = None, side: str = "left") -> Scene:
    """The scene of a state: the subject's chain (muscle, else root, else level) and the point
    card on top of it.

    Raises
    ------
    KeyError
        For an unknown muscle, level, root or point (check with :func:`parse_query` first).
    """
    sides = sides_of(side)
    subject = None
    primary: tuple[str, ...] = ()
    if muscle:
        subject = select_muscle(knowledge, muscle, side)
        primary = tuple(f"{m.id}_{s}" for m in subject.members for s in sides)
    elif root:
        subject = select_root(knowledge, root, side)
        primary = tuple(f"root_{root}_{s}" for s in sides)
    elif level:
        subject = select_level(knowledge, level, side)
        primary = subject.highlight.structures[:1]
    structures = subject.highlight.structures if subject else ()
    codes = subject.highlight.points if subject else ()
    meridians = subject.highlight.meridians if subject else ()
    point_sel = None
    if point:
        point_sel = select_point(knowledge, point)
        structures = _on_sides(point_sel.highlight.structures, sides)
        codes = (*codes, point)
        meridians = (*meridians, *point_sel.highlight.meridians)
        primary = structures[:1]
    return Scene(subject, point_sel, structures, tuple(dict.fromkeys(codes)),
                 tuple(dict.fromkeys(meridians)), primary, point)


# --- deep links --------------------------------------------------------------------------------

#: Query keys a link may carry, in the order they are written.
LINK_KEYS = ("muscle", "level", "root", "point", "side", "mode", "view", "isolate")
_MAX_VALUE = 64


def _shown(value: str) -> str:
    """A link value as quoted in a message: printable and short (the HTML escapes it later)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in value)
    return "“" + (text if len(text) <= 40 else text[:40] + "…") + "”"


def parse_query(args: Mapping[str, str], knowledge) -> tuple[dict, list[str]]:
    """The state a link asks for, and what of it could not be used.

    Parameters
    ----------
    args : mapping
        Query parameters of the page (``{"muscle": "gluteus_medius", "mode": "student"}``).
    knowledge : viewer.knowledge.Knowledge

    Returns
    -------
    values : dict
        Valid values only, for :class:`AppState` (``isolate`` as bool).
    notes : list of str
        One plain-text sentence per value that was ignored (unknown, malformed or too long);
        the page shows them (escaped), never a traceback.

    Examples
    --------
    >>> parse_query({"mode": "student", "view": "up"}, k)   # doctest: +SKIP
    ({'mode': 'student'}, ['Unknown camera view: “up”. ...'])
    """
    values: dict = {}
    notes: list[str] = []

    def bad(what: str, raw: str, expected: str) -> None:
        notes.append(f"Unknown {what}: the link says {_shown(raw)}. {expected}")

    for key in LINK_KEYS:
        raw = args.get(key)
        if raw is None:
            continue
        value = str(raw).strip()
        if not value:
            continue
        if len(value) > _MAX_VALUE:
            notes.append(f"The link's {key} value is too long ({len(value)} characters) and was ignored.")
            continue
        if key == "muscle":
            try:
                found = knowledge.resolve_muscle(value)   # also a group: ?muscle=trapezius
            except KeyError:
                found = None
            if found:
                values["muscle"] = found
            else:
                bad("muscle", value, "Search for it by name instead.")
        elif key == "level":
            if value in LEVELS:
                values["level"] = value
            else:
                bad("level", value, "Levels are C1-C7, T1-T12, L1-L5, S1-S4 or Co.")
        elif key == "root":
            if value in ROOTS:
                values["root"] = value
            else:
                bad("nerve root", value, "Roots are C1-C8, T1-T12, L1-L5, S1-S5 or Co1.")
        elif key == "point":
            if knowledge.has_point(value):
                values["point"] = value
            else:
                bad("point", value, "Point codes look like BL25 or GV3.")
        elif key == "side":
            if value in SIDES:
                values["side"] = value
            else:
                bad("side", value, "Use left, right or both.")
        elif key == "mode":
            if value in MODES:
                values["mode"] = value
            else:
                bad("mode", value, "Use patient, student or practitioner.")
        elif key == "view":
            if value in VIEWS:
                values["view"] = value
            else:
                bad("camera view", value, "Use " + ", ".join(VIEWS) + ".")
        elif key == "isolate":
            if value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                values["isolate"] = value.lower() in ("1", "true", "yes", "on")
            else:
                bad("isolate setting", value, "Use 1 or 0.")
    subjects = [k for k in ("muscle", "root", "level") if k in values]
    for extra in subjects[1:]:
        notes.append(f"The link names both a {subjects[0]} and a {extra}; showing the {subjects[0]}.")
        del values[extra]
    return values, notes


def query_for(muscle=None, level=None, root=None, point=None, side="left", mode="student",
              view="posterior", isolate=False) -> str:
    """The ``?query`` of a state (empty for the start page with default settings).

    >>> query_for(muscle="gluteus_medius", side="left", mode="student", view="posterior")
    '?muscle=gluteus_medius&side=left&mode=student&view=posterior'
    """
    query = {"muscle": muscle, "level": level, "root": root, "point": point}
    query = {k: v for k, v in query.items() if v}
    defaults = (side, mode, view, bool(isolate)) == ("left", "student", VIEWS[0], False)
    if query or not defaults:
        query.update(side=side, mode=mode, view=view)
        if isolate:
            query["isolate"] = "1"
    return ("?" + urlencode(query)) if query else ""


class AppState(param.Parameterized):
    """What the user chose. The UI binds to these parameters; the URL mirrors them.

    ``muscle``, ``level`` and ``root`` are the subject (at most one is set); ``point`` is the
    point card open on top of it.
    """

    muscle = param.String(default=None, allow_None=True, doc="Muscle id without side, e.g. 'gluteus_medius'")
    level = param.String(default=None, allow_None=True, doc="Paraspinal level, e.g. 'L4'")
    root = param.String(default=None, allow_None=True, doc="Nerve root, e.g. 'L5'")
    point = param.String(default=None, allow_None=True, doc="Point code, e.g. 'BL25'")
    side = param.Selector(default="left", objects=list(SIDES))
    mode = param.Selector(default="student", objects=list(MODES),
                          doc="patient: plain words; student: the chain and a self-test; "
                              "practitioner: rules, depths, cautions, sources and disagreements")
    view = param.Selector(default=VIEWS[0], objects=list(VIEWS), doc="camera preset")
    layers = param.Dict(default=None, doc="{kind: {'visible': bool, 'opacity': float}}")
    isolate = param.Boolean(default=False, doc="hide everything that is not in the chain")
    labels = param.Boolean(default=True, doc="labels in the 3D view")
    quiz = param.Parameter(default=None, doc="viewer.app.quiz.QuizState of the student card")

    def __init__(self, **params):
        params.setdefault("layers", {k: dict(v) for k, v in DEFAULT_LAYERS.items()})
        super().__init__(**params)

    def set_layer(self, kind: str, visible: bool | None = None, opacity: float | None = None) -> None:
        """Change one layer (replacing the dict so watchers fire)."""
        layer = dict(self.layers.get(kind, {"visible": True, "opacity": 1.0}))
        if visible is not None:
            layer["visible"] = bool(visible)
        if opacity is not None:
            layer["opacity"] = float(opacity)
        self.layers = {**self.layers, kind: layer}

    def subject_update(self, muscle: str | None = None, level: str | None = None,
                       root: str | None = None) -> dict:
        """The parameter values that make one subject current (and close the point card)."""
        return {"muscle": muscle, "level": level, "root": root, "point": None}

    def query(self) -> str:
        """This state as a link query."""
        return query_for(self.muscle, self.level, self.root, self.point, self.side, self.mode,
                         self.view, self.isolate)
