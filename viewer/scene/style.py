"""What the body looks like, defined once: colours, fade levels, layers, camera presets, legend.

Every renderer reads these: the browser view receives them from Python
(:data:`BROWSER_PRESETS`, sent with the view's parameters), the off-screen renderer (gallery and
handout) imports them. Nothing here imports panel, pyvista or the browser.

Atlas axes: +X the subject's left, +Y posterior, +Z up, millimetres.
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.atlas import MIDLINE, PAIRED_SIDES
from viewer.selection import SIDES

__all__ = [
    "BACKGROUND_COLOURS", "BASE_COLOUR", "BROWSER_PRESETS", "CAMERAS", "DEFAULT_LAYERS",
    "DERMATOME_COLOUR", "DERMATOME_LEGEND", "DERMATOME_PALETTE", "DERMATOME_SKIN_COLOUR",
    "FADE_OPACITY", "LAYER_NAMES", "LEGEND", "MARK_COLOURS", "MARK_LEGEND", "MARKER_COLOUR", "MIDLINE", "MODES",
    "OVERLAY_LAYERS", "PAIRED_SIDES", "PATH_COLOUR", "POINT_COLOUR", "ROLE_COLOURS", "SIDES",
    "SKIN_OUTLINE_OPACITY", "STORY_COLOURS", "TECHNIQUE_COLOURS", "TECHNIQUE_LEGEND", "CUP_RADIUS_CUN",
    "VIEWS", "Camera", "LegendEntry",
]

MODES = ("patient", "student", "practitioner")

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
    "dermatomes": "Dermatomes",
    "techniques": "Techniques",
}
#: The overlays: drawn over the body, never faded with it while something is highlighted.
#: ``dermatomes`` colours the skin over a selected root's territory.
#: ``techniques`` draws the zones of the selection's manual techniques (patches, strokes, cups).
OVERLAY_LAYERS = ("points", "meridians", "dermatomes", "techniques")

DEFAULT_LAYERS: dict[str, dict] = {
    "skin": {"visible": False, "opacity": 0.25},
    "muscle": {"visible": True, "opacity": 1.0},
    "bone": {"visible": True, "opacity": 1.0},
    "disc": {"visible": True, "opacity": 1.0},
    "cord": {"visible": True, "opacity": 1.0},
    "nerve_root": {"visible": True, "opacity": 1.0},
    "points": {"visible": True, "opacity": 1.0},
    "meridians": {"visible": True, "opacity": 0.9},
    "dermatomes": {"visible": True, "opacity": 0.75},
    "techniques": {"visible": True, "opacity": 0.55},
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
#: readable as a frame of reference; muscles fade most, since they hide the spine. The handout
#: fades with the same levels.
FADE_OPACITY: dict[str, float] = {
    "skin": 0.05,
    "muscle": 0.1,
    "bone": 0.4,
    "disc": 0.3,
    "cord": 0.35,
    "nerve_root": 0.25,
}
#: The handout always draws the skin, faintly, as the outline the points sit on (the app hides
#: the skin layer unless asked).
SKIN_OUTLINE_OPACITY = 0.16

#: An acupuncture point (a marker with no meridian colour) and a meridian path without one.
POINT_COLOUR = "#1d4ed8"
MARKER_COLOUR = "#1f6feb"
PATH_COLOUR = "#7a4fd6"
#: The skin territory (dermatome) of a selected root, and the rest of the skin drawn with it.
DERMATOME_COLOUR = "#2a9d8f"
DERMATOME_SKIN_COLOUR = "#eadfd3"
#: One colour per root, for a map of every dermatome at once (the gallery): hues stepping by
#: segment, so neighbours differ.
DERMATOME_PALETTE: tuple[str, ...] = (
    "#e63946", "#f4a261", "#e9c46a", "#2a9d8f", "#457b9d", "#8338ec", "#ff006e", "#3a86ff",
    "#06d6a0", "#fb8500",
)
#: A manual technique's zone by kind: the patch (translucent at the ``techniques`` layer's
#: opacity), its strokes and cups. Kinds as in ``viewer.knowledge.TECHNIQUE_KINDS``.
TECHNIQUE_COLOURS: dict[str, str] = {
    "massage": "#4d7c0f",      # not the dermatome teal
    "acupressure": "#2563eb",
    "stretch": "#c026d3",
    "cupping": "#b45309",
    "gua_sha": "#be123c",
}
#: Cup radius by size, in the back's cun (the rim's outer radius; on a 1750 mm body about 19,
#: 24 and 31 mm): a drawing size scaled with the body, not a clinical prescription.
CUP_RADIUS_CUN: dict[str, float] = {"small": 0.8, "medium": 1.0, "large": 1.3}

#: A structure whose atlas record has no colour.
BASE_COLOUR = "#d8cfc0"
#: The not-highlighted body in the off-screen pictures (bones the frame, muscles and skin faint).
BACKGROUND_COLOURS: dict[str, str] = {"bone": "#e4dac8", "muscle": "#c98d86", "skin": "#eadfd3"}

#: The story of a compressed root: the disc as in a highlight, a red root, warm muscles.
STORY_COLOURS: dict[str, str] = {"disc": ROLE_COLOURS["disc"], "root": "#ef3b1f", "muscle": "#ff8a3d"}


@dataclass(frozen=True)
class LegendEntry:
    """One line of the colour legend: ``shape`` is ``square`` (a structure) or ``dot`` (a point)."""

    label: str
    colour: str
    shape: str = "square"


#: The legend of a highlighted scene, in the order shown (the app's sidebar and the handout).
LEGEND: tuple[LegendEntry, ...] = (
    LegendEntry("Painful muscle", ROLE_COLOURS["muscle"]),
    LegendEntry("Nerve roots", ROLE_COLOURS["nerve_root"]),
    LegendEntry("Multifidus", ROLE_COLOURS["multifidus"]),
    LegendEntry("Vertebrae at those levels", ROLE_COLOURS["bone"]),
    LegendEntry("Acupuncture points", POINT_COLOUR, "dot"),
)
#: The legend line of the dermatome layer, added while it is drawn.
DERMATOME_LEGEND = LegendEntry("Skin supplied by the root (dermatome)", DERMATOME_COLOUR)
#: The legend lines of the technique zones, by kind, added for the kinds drawn.
TECHNIQUE_LEGEND: dict[str, LegendEntry] = {
    "massage": LegendEntry("Massage zone (arrows: stroke direction)", TECHNIQUE_COLOURS["massage"]),
    "acupressure": LegendEntry("Acupressure point (arrow: press)", TECHNIQUE_COLOURS["acupressure"], "dot"),
    "stretch": LegendEntry("Stretched muscle (arrow: lengthening)", TECHNIQUE_COLOURS["stretch"]),
    "cupping": LegendEntry("Cupping zone and cups", TECHNIQUE_COLOURS["cupping"]),
    "gua_sha": LegendEntry("Gua sha strips (arrows: stroke direction)", TECHNIQUE_COLOURS["gua_sha"]),
}

#: Symptom marks on the skin ("Where does it hurt?"), by kind: pain warm, tingling cool (the
#: app's markers and the handout's discs).
MARK_COLOURS: dict[str, str] = {"pain": "#e11d48", "tingling": "#0891b2"}
#: The legend of the symptom marks (the handout's marks page).
MARK_LEGEND: tuple[LegendEntry, ...] = (
    LegendEntry("Pain", MARK_COLOURS["pain"], "dot"),
    LegendEntry("Tingling or numbness", MARK_COLOURS["tingling"], "dot"),
)


@dataclass(frozen=True)
class Camera:
    """A camera preset: the direction from the target to the eye, and the view-up vector."""

    direction: tuple[float, float, float]
    up: tuple[float, float, float] = (0.0, 0.0, 1.0)
    label: str = ""


#: Camera presets by name. The first five are the app's toolbar (:data:`VIEWS`); the others serve
#: the gallery.
CAMERAS: dict[str, Camera] = {
    "posterior": Camera((0.0, 1.0, 0.0), label="Back"),
    "anterior": Camera((0.0, -1.0, 0.0), label="Front"),
    "left": Camera((1.0, 0.0, 0.0), label="Left"),
    "right": Camera((-1.0, 0.0, 0.0), label="Right"),
    "oblique": Camera((0.62, 0.72, 0.3), label="Oblique"),
    "oblique_anterior": Camera((0.6, -0.7, 0.3)),
    "superior": Camera((0.0, 0.05, 1.0), up=(0.0, -1.0, 0.0)),
    # The story of a compressed root frames the narrowed space from the side of the pinched root:
    # a side view shows the disc's height and the foramen behind it.
    "story_left": Camera((1.0, -0.12, 0.14)),
    "story_right": Camera((-1.0, -0.12, 0.14)),
}
#: The presets the app offers, first is the default.
VIEWS: tuple[str, ...] = ("posterior", "anterior", "left", "right", "oblique")

#: What the browser view receives once (``BodyView.presets``): it defines none of these itself.
BROWSER_PRESETS: dict = {
    "cameras": {name: {"direction": list(CAMERAS[name].direction), "up": list(CAMERAS[name].up),
                       "label": CAMERAS[name].label} for name in VIEWS},
    "default_view": VIEWS[0],
    "colours": {"base": BASE_COLOUR, "marker": MARKER_COLOUR, "path": PATH_COLOUR,
                "dermatome_skin": DERMATOME_SKIN_COLOUR,
                "story": dict(STORY_COLOURS), "roles": dict(ROLE_COLOURS)},
}
