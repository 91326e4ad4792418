"""The state the UI binds to, and the deep links that carry it.

:class:`AppState` holds what the user chose (muscle, side, mode, layers); :func:`parse_query`
and :func:`query_for` read and write it as a link. What a state looks like is the scene layer's
job (:mod:`viewer.scene`).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import param

from viewer.knowledge import ROOTS
from viewer.scene import DEFAULT_LAYERS, MODES, VIEWS
from viewer.selection import LEVELS, SIDES


# --- deep links --------------------------------------------------------------------------------

#: Query keys a link may carry, in the order they are written.
LINK_KEYS = ("muscle", "level", "root", "point", "technique", "side", "mode", "view", "isolate")
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
        elif key == "technique":   # the technique whose zone is shown alone ("Show on body")
            if knowledge.has_technique(value):
                values["technique"] = value
            else:
                bad("technique", value, "Choose it again under the selection's techniques.")
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
              view="posterior", isolate=False, technique=None) -> str:
    """The ``?query`` of a state (empty for the start page with default settings).

    >>> query_for(muscle="gluteus_medius", side="left", mode="student", view="posterior")
    '?muscle=gluteus_medius&side=left&mode=student&view=posterior'
    """
    query = {"muscle": muscle, "level": level, "root": root, "point": point, "technique": technique}
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
    technique = param.String(default=None, allow_None=True,
                             doc="A technique id whose zone is shown alone (None: the scene chooses)")
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
        return {"muscle": muscle, "level": level, "root": root, "point": None, "technique": None}

    def query(self) -> str:
        """This state as a link query."""
        return query_for(self.muscle, self.level, self.root, self.point, self.side, self.mode,
                         self.view, self.isolate, self.technique)
