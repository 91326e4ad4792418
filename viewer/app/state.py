"""The state the UI binds to, and the pure functions that turn a selection into view messages.

:class:`AppState` holds what the user chose (muscle, side, mode, layers). :func:`view_styles`
turns a selection's highlight into the small ``structure_styles`` message of the 3D view
(:class:`viewer.app.view3d.BodyView`), and :func:`marker_specs` / :func:`path_specs` turn point
codes into markers and meridian paths. They are plain functions of plain data, so they are tested
without a browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import param

SIDES = ("left", "right", "both")
MODES = ("patient", "student", "practitioner")

#: Layers in the order the UI lists them, with their display names.
LAYER_NAMES: dict[str, str] = {
    "skin": "Skin",
    "muscle": "Muscles",
    "bone": "Bones",
    "disc": "Discs",
    "cord": "Spinal cord",
    "nerve_root": "Nerve roots",
}

DEFAULT_LAYERS: dict[str, dict] = {
    "skin": {"visible": False, "opacity": 0.25},
    "muscle": {"visible": True, "opacity": 1.0},
    "bone": {"visible": True, "opacity": 1.0},
    "disc": {"visible": True, "opacity": 1.0},
    "cord": {"visible": True, "opacity": 1.0},
    "nerve_root": {"visible": True, "opacity": 1.0},
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

    Returns
    -------
    dict
        ``{"kinds": {kind: {visible, opacity}}, "ids": {str(id): {color, emissive, opacity,
        visible, highlight}}, "active": bool, "seq": seq}``. Only highlighted structures get
        an ``ids`` entry, so the message stays small (tens of bytes per highlight).

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
    kinds = {}
    for kind in {s.kind for s in structures} | set(layers):
        layer = layers.get(kind, {"visible": True, "opacity": 1.0})
        opacity = float(layer.get("opacity", 1.0))
        if active:
            opacity = min(opacity, FADE_OPACITY.get(kind, 0.3))
        kinds[kind] = {"visible": bool(layer.get("visible", True)), "opacity": round(opacity, 3)}
    ids = {}
    for s in lit:
        colour = ROLE_COLOURS.get(role_of(s), ROLE_COLOURS["muscle"])
        ids[str(s.id)] = {"color": colour, "emissive": _emissive(colour), "opacity": 1.0,
                          "visible": True, "highlight": True}
    return {"kinds": kinds, "ids": ids, "active": active, "seq": seq}


def marker_specs(
    codes: Iterable[str],
    sides: Iterable[str],
    positions: Mapping[tuple[str, str], Sequence[float]],
    colours: Mapping[str, str] | None = None,
    meridian_of: Mapping[str, str] | None = None,
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

    Returns
    -------
    list of dict
        ``{code, position, color, label}`` (one per placed point and side).
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
            out.append({"code": code, "side": side, "position": [round(float(v), 1) for v in pos],
                        "color": colour, "label": code})
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


def sides_of(side: str) -> tuple[str, ...]:
    """``"both"`` -> ``("left", "right")``; a single side -> itself."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {side!r}")
    return ("left", "right") if side == "both" else (side,)


class AppState(param.Parameterized):
    """What the user chose. The UI binds to these parameters; the URL mirrors muscle and side."""

    muscle = param.String(default=None, allow_None=True, doc="Muscle id without side, e.g. 'gluteus_medius'")
    side = param.Selector(default="left", objects=list(SIDES))
    mode = param.Selector(default="student", objects=list(MODES),
                          doc="patient: plain words; student: the chain; practitioner: reasons, gaps and sources")
    layers = param.Dict(default=None, doc="{kind: {'visible': bool, 'opacity': float}}")

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
