"""The scene: what a selection looks like, as pure functions of plain data.

:func:`compose_scene` turns a state (muscle, level, root or point, side) into a :class:`Scene`
(what is highlighted); :func:`view_styles`, :func:`marker_specs` and :func:`path_specs` turn it
into what a renderer draws (styles by structure id, markers, paths); :func:`scene_spec` gathers
them in one :class:`SceneSpec`. The browser view (``viewer/app``) and the off-screen renderer
(``viewer/render``, the handout) both draw from these and decide nothing themselves. Nothing here
imports panel, pyvista or the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from viewer.atlas import MIDLINE, PAIRED_SIDES
from viewer.selection import select_level, select_muscle, select_point, select_root, sides_of

from .style import (
    CAMERAS, DEFAULT_LAYERS, DERMATOME_COLOUR, DERMATOME_LEGEND, DERMATOME_PALETTE, FADE_OPACITY, LEGEND,
    OVERLAY_LAYERS, PATH_COLOUR, POINT_COLOUR, ROLE_COLOURS, TECHNIQUE_COLOURS, TECHNIQUE_LEGEND,
    VIEWS,
)


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
    >>> out["ids"]["2"]["color"] == ROLE_COLOURS["muscle"], out["kinds"]["muscle"]["opacity"]
    (True, 0.1)
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
        for side in (*sides, MIDLINE):
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
                        "color": colours.get(p["meridian"], PATH_COLOUR), "width": 1.6})
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
        if side in PAIRED_SIDES and side not in sides:
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


def dermatome_specs(
    roots: Iterable[str],
    sides: Iterable[str],
    layers: Mapping[str, Mapping] | None = None,
    colours: Mapping[str, str] | None = None,
) -> list[dict]:
    """The dermatomes to colour on the skin: ``[{root, sides, color}]``, one per root (the
    selected root's territory; its reverse view is the same selection), or none while the
    ``dermatomes`` layer is off. ``colours`` gives each root its own colour (a map of several
    dermatomes); by default every root is drawn in :data:`~viewer.scene.style.DERMATOME_COLOUR`.

    Examples
    --------
    >>> dermatome_specs(["L5"], ["left"])
    [{'root': 'L5', 'sides': ['left'], 'color': '#2a9d8f'}]
    >>> dermatome_specs(["L5"], ["left"], {"dermatomes": {"visible": False}})
    []
    """
    layer = {**DEFAULT_LAYERS, **(layers or {})}["dermatomes"]
    if not layer.get("visible", True):
        return []
    colours = colours or {}
    return [{"root": r, "sides": list(sides), "color": colours.get(r, DERMATOME_COLOUR)}
            for r in dict.fromkeys(roots)]


def dermatome_palette(roots: Sequence[str]) -> dict[str, str]:
    """A colour per root for a map of every dermatome (neighbouring roots differ)."""
    return {r: DERMATOME_PALETTE[i % len(DERMATOME_PALETTE)] for i, r in enumerate(roots)}


def techniques_in_view(scene: Scene, knowledge, technique: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Which technique zones a scene draws: ``[(technique id, focus levels)]``.

    With ``technique`` (one the user chose to see) only that one. Otherwise the pair the patient
    explanation ``stretch_with_paraspinal`` is about: the subject's first stretch found through
    the muscle itself, and its first cupping beside the spine at its levels (for a level or a
    root: the cupping at that level, else its first technique there). The focus levels are the
    levels that brought the technique in (cups are placed at their heights).

    Examples
    --------
    >>> from viewer.knowledge import load_knowledge            # doctest: +SKIP
    >>> k = load_knowledge("assets")                           # doctest: +SKIP
    >>> techniques_in_view(compose_scene(k, level="L4"), k)    # doctest: +SKIP
    [('cupping_l1_l5', ('L4',))]
    """
    links = tuple(getattr(scene.subject, "techniques", ()) or ())
    if technique:
        if not knowledge.has_technique(technique):
            raise KeyError(f"unknown technique id {technique!r} (not in techniques.json)")
        levels = next((t.levels for t in links if t.technique_id == technique), ())
        return [(technique, tuple(levels))]
    if not links:
        return []
    out = []
    stretch = next((t for t in links if t.kind == "stretch" and t.via == "muscle"), None)
    if stretch is not None:
        out.append(stretch)
    spine = [t for t in links if t.via != "muscle"]
    cup = next((t for t in spine if t.kind == "cupping"), spine[0] if spine and stretch is None else None)
    if cup is not None:
        out.append(cup)
    if not out:
        out.append(links[0])
    return [(t.technique_id, tuple(t.levels)) for t in out]


def technique_specs(
    wanted: Sequence[tuple[str, Sequence[str]]],
    sides: Iterable[str],
    knowledge,
    zones,
    layers: Mapping[str, Mapping] | None = None,
    mode: str = "student",
) -> list[dict]:
    """The technique zones drawn: each zone (:func:`viewer.scene.techniques.technique_zone`) with
    its colour, name and label, on each requested side; none while the ``techniques`` layer is
    off or without ``zones``.

    Parameters
    ----------
    wanted : sequence of (technique id, focus levels)
        From :func:`techniques_in_view`.
    sides : iterable of str
        ``left`` and/or ``right``.
    zones : callable or None
        ``zones(technique_id, side, focus_levels) -> dict | None``: the body's zone geometry
        (computed by :func:`viewer.scene.techniques.technique_zone`, kept per body by the caller).
    mode : str
        Patient mode labels a stretch with its movement in plain words too; all modes do.
    """
    layer = {**DEFAULT_LAYERS, **(layers or {})}["techniques"]
    if zones is None or not layer.get("visible", True):
        return []
    out = []
    for tid, focus in wanted:
        t = knowledge.technique(tid)
        for side in sides:
            zone = zones(tid, side, tuple(focus))
            if not zone or not (zone.get("patch") or zone.get("cups") or zone.get("spots")):
                continue
            label = ""
            if t.kind == "stretch" and t.how.movement:
                label = f"Stretch: {t.how.movement}"
            out.append({**zone, "name": t.name, "color": TECHNIQUE_COLOURS.get(t.kind, PATH_COLOUR),
                        "label": label if side == next(iter(sides)) else ""})
    return out


# --- one scene, as every renderer draws it ------------------------------------------------------


@dataclass(frozen=True)
class SceneSpec:
    """Everything a renderer needs to draw a scene; it decides nothing itself.

    Attributes
    ----------
    scene : Scene
        What is selected (the subject, the point card, what is highlighted).
    styles : dict
        :func:`view_styles`: every kind's visibility and opacity, and each highlighted
        structure's colour, emissive, opacity and label, by atlas id.
    markers : tuple of dict
        :func:`marker_specs`: the points drawn, with position (mm), colour and label.
    paths : tuple of dict
        :func:`path_specs`: the meridian polylines drawn.
    labels : dict
        ``{acronym: text}`` of the labelled structures.
    legend : tuple of LegendEntry
        The colour legend.
    cameras : dict
        The camera presets by name (:data:`viewer.scene.style.CAMERAS`).
    view : str
        The preset the scene is seen from.
    dermatomes : tuple of dict
        :func:`dermatome_specs`: the roots whose skin territory is coloured.
    techniques : tuple of dict
        :func:`technique_specs`: the technique zones drawn (patch, strokes, cups, spots; mm).
    """

    scene: Scene
    styles: dict
    markers: tuple[dict, ...]
    paths: tuple[dict, ...]
    labels: dict
    legend: tuple
    cameras: dict
    view: str
    dermatomes: tuple[dict, ...] = ()
    techniques: tuple[dict, ...] = ()

    def colour_of(self, structure_id: int) -> str | None:
        """The highlight colour of a structure, or None when it is not highlighted."""
        entry = self.styles["ids"].get(str(structure_id))
        return entry["color"] if entry else None


def scene_spec(
    knowledge,
    structures: Sequence[StructureInfo],
    *,
    muscle: str | None = None,
    level: str | None = None,
    root: str | None = None,
    point: str | None = None,
    side: str = "left",
    mode: str = "student",
    layers: Mapping[str, Mapping] | None = None,
    isolate: bool = False,
    show_labels: bool = True,
    view: str = VIEWS[0],
    positions: Mapping[tuple[str, str], Sequence[float]] | None = None,
    paths: Sequence[Mapping] = (),
    also_highlight: Iterable[str] = (),
    seq: str | None = None,
    technique: str | None = None,
    technique_zones=None,
) -> SceneSpec:
    """The scene of a state, ready for any renderer: the one pure function from (selection, mode,
    layers, camera) to what is drawn.

    Parameters
    ----------
    knowledge : viewer.knowledge.Knowledge
    structures : sequence of StructureInfo
        The body's structures with a mesh.
    muscle, level, root, point, side
        The state (:func:`compose_scene`).
    mode : {"patient", "student", "practitioner"}
        Patient mode labels only the chosen structures and shows no point codes.
    layers, isolate, show_labels
        As :func:`view_styles`.
    view : str
        A key of :data:`~viewer.scene.style.CAMERAS`.
    positions : mapping, optional
        ``{(code, side): (x, y, z) mm}``: where the body has each point placed.
    paths : sequence of mapping
        ``[{meridian, side, pieces}]`` from the placement build.
    also_highlight : iterable of str
        Acronyms highlighted on top of the scene's (the story of a compressed root).
    seq : str, optional
        The pick this answers (echoed to the browser).
    technique : str, optional
        A technique id to show alone (else :func:`techniques_in_view` chooses).
    technique_zones : callable, optional
        ``(technique_id, side, focus_levels) -> zone dict`` for this body; without it no
        technique zone is drawn.

    Raises
    ------
    KeyError
        For an unknown muscle, level, root, point or camera preset.
    """
    if view not in CAMERAS:
        raise KeyError(f"unknown camera preset {view!r}; presets: {', '.join(CAMERAS)}")
    scene = compose_scene(knowledge, muscle, level, root, point, side)
    sides = sides_of(side)
    labels = structure_labels(scene.structures, structures, mode, scene.primary)
    styles = view_styles((*scene.structures, *also_highlight), structures, layers, seq,
                         isolate=isolate, labels=labels, show_labels=show_labels)
    meridian_of = {c: knowledge.point(c).meridian for c in scene.points if knowledge.has_point(c)}
    colours = {m.id: m.colour for m in knowledge.meridians}
    markers = marker_specs(scene.points, sides, positions or {}, colours, meridian_of,
                           emphasis=scene.emphasis, show_codes=mode != "patient")
    drawn_paths = path_specs(scene.meridians, sides, paths, colours)
    dermatomes = dermatome_specs([root] if root and not muscle else [], sides, layers)
    legend = (*LEGEND, DERMATOME_LEGEND) if dermatomes else LEGEND
    techniques = technique_specs(techniques_in_view(scene, knowledge, technique), sides, knowledge,
                                 technique_zones, layers, mode)
    legend = (*legend, *(TECHNIQUE_LEGEND[k] for k in dict.fromkeys(t["kind"] for t in techniques)
                         if k in TECHNIQUE_LEGEND))
    return SceneSpec(scene, styles, tuple(markers), tuple(drawn_paths), labels, legend, dict(CAMERAS), view,
                     tuple(dermatomes), tuple(techniques))
