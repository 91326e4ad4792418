"""A treatment plan as a printable handout: PDF (fpdf2) and PNG, rendered off screen with pyvista.

The handout has two audiences:

- ``patient``: plain words: the muscle and the spinal segment explained, each point by name
  and side with the practitioner's note and its cautions in plain words, and the notice.
- ``practitioner``: the same plus codes, location rules, needling depth and angle, cautions with
  their sources, the chain (roots, exits, multifidus) with its reasons and the source list.

Page 1 holds the title, a short explanation and the rendered views (the whole body from behind
and a close-up of the region; a side view for points that face away from the back). The points
follow from page 2. Every page ends with :data:`viewer.scene.words.NOTICE`.

Rendering needs no display (pyvista ``off_screen``; VTK uses EGL or OSMesa). The body's meshes
are converted once per process and assets folder (:func:`clear_cache` drops them), so a second
export costs only the rendering.

Examples
--------
>>> from viewer.plan import load                                         # doctest: +SKIP
>>> from viewer.plan.export import export_pdf
>>> export_pdf(load("examples/plan.json"), "handout.pdf", audience="practitioner")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path



from .content import (  # noqa: F401  (the handout's public names, in one place)
    AUDIENCES,
    ExportError,
    HandoutPoint,
    Progress,
    _as_plan,
    _check_audience,
    _say,
    app_data,
    explanation,
    handout_points,
    handout_symptoms,
)
from .layout import _write, build_pdf, png_sheet
from .pictures import PlanView, clear_cache, render_views

__all__ = [
    "AUDIENCES",
    "ExportError",
    "HandoutPoint",
    "PlanView",
    "clear_cache",
    "export_pdf",
    "export_png",
    "pdf_bytes",
    "app_data",
    "build_pdf",
    "explanation",
    "handout_points",
    "handout_symptoms",
    "render_views",
    "views_png",
]


def export_pdf(plan, out_path, knowledge=None, assets_dir=None, audience: str = "patient",
               progress: Progress = None, height: int = 1100, views: Sequence[PlanView] | None = None) -> Path:
    """Write the plan's handout as a PDF.

    Parameters
    ----------
    plan : viewer.plan.model.Plan or mapping
    out_path : path
        The PDF to write (written atomically; folders are created).
    knowledge : viewer.knowledge.Knowledge, optional
    assets_dir : path, optional
    audience : {"patient", "practitioner"}
    progress : callable, optional
        Called with a line before each slow step.
    height : int
        Pixel height of the whole-body view (print quality: 1100 px over 24 cm is ~115 dpi).
    views : sequence of PlanView, optional
        Views already rendered by :func:`render_views` (skips rendering).

    Returns
    -------
    pathlib.Path
    """
    _check_audience(audience)
    app = app_data(assets_dir)
    knowledge = knowledge or app.knowledge
    plan = _as_plan(plan, knowledge)
    return _write(out_path, pdf_bytes(plan, knowledge, app.assets_dir, audience, progress, height, views))


def pdf_bytes(plan, knowledge=None, assets_dir=None, audience: str = "patient", progress: Progress = None,
              height: int = 1100, views: Sequence[PlanView] | None = None) -> bytes:
    """The handout PDF as bytes (for a download button); arguments as :func:`export_pdf`."""
    _check_audience(audience)
    app = app_data(assets_dir)
    knowledge = knowledge or app.knowledge
    plan = _as_plan(plan, knowledge)
    if views is None:
        views = render_views(plan, knowledge, app.assets_dir, audience, height, progress)
    _say(progress, "writing the PDF")
    symptoms = handout_symptoms(plan, knowledge, app, progress)
    return build_pdf(plan, views, knowledge, handout_points(plan, app), audience, symptoms)


def export_png(plan, out_path, knowledge=None, assets_dir=None, audience: str = "patient",
               size: tuple[int, int] = (1600, 1000), progress: Progress = None,
               views: Sequence[PlanView] | None = None) -> Path:
    """Write the plan's views as one PNG of ``size`` (width, height) px: a title band, the
    views side by side with their captions, the legend and the notice.

    Parameters are those of :func:`export_pdf`; ``size`` is the picture's exact size.
    """
    _check_audience(audience)
    width, height = int(size[0]), int(size[1])
    if width < 200 or height < 150:
        raise ExportError(f"PNG size must be at least 200 x 150 px, not {width} x {height}")
    app = app_data(assets_dir)
    knowledge = knowledge or app.knowledge
    plan = _as_plan(plan, knowledge)
    band, foot = round(height * 0.11), round(height * 0.09)
    pane_h = height - band - foot
    if views is None:
        views = render_views(plan, knowledge, app.assets_dir, audience, max(200, pane_h), progress)
    _say(progress, "composing the PNG")
    return _write(out_path, png_sheet(plan, knowledge, views, width, height, band, foot))


def views_png(views: Iterable[PlanView]) -> dict[str, bytes]:
    """``{view name: PNG bytes}`` for a web page."""
    return {v.name: v.png_bytes() for v in views}
