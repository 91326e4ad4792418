"""The scene layer: what is drawn, decided once for every renderer.

``style`` holds the colours, fade levels, layers, camera presets and legend; ``compose`` turns a
state into a :class:`~viewer.scene.compose.Scene` and the styles, markers and paths a renderer
draws; ``body`` loads the body the scene is drawn on; ``words`` the plain words shown with it.
Pure: never imports panel, pyvista or the browser.
"""

from .compose import (  # noqa: F401
    Scene,
    SceneSpec,
    StructureInfo,
    compose_scene,
    dermatome_palette,
    dermatome_specs,
    marker_specs,
    path_library,
    path_specs,
    role_of,
    scene_spec,
    structure_label,
    structure_labels,
    technique_specs,
    techniques_in_view,
    view_styles,
)
from .style import *  # noqa: F401,F403
from .style import __all__ as _style_all

__all__ = [
    "Scene", "SceneSpec", "StructureInfo", "compose_scene", "dermatome_palette", "dermatome_specs",
    "marker_specs", "path_library",
    "path_specs", "role_of", "scene_spec", "structure_label", "structure_labels", "technique_specs",
    "techniques_in_view", "view_styles",
    *_style_all,
]
