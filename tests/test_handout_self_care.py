"""The handout's techniques: the example plan holds one of each kind; the patient's "between
sessions" page shows a picture of each home technique's zone on the body (rendered off screen from
the scene layer), its plain steps and cautions; the practitioner's lists every kind.

Renders the example plan's patient views once (about half a minute off screen).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viewer.plan import load
from viewer.plan.model import home_techniques
from viewer.scene import TECHNIQUE_COLOURS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "plan.json"
KINDS = ("massage", "acupressure", "stretch", "cupping", "gua_sha")


def _text(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                         text=True).stdout
    return [re.sub(r"\s+", " ", p) for p in out.split("\f") if p.strip()]


@pytest.fixture(scope="module")
def app():
    from viewer.plan.export import app_data

    return app_data()


@pytest.fixture(scope="module")
def plan(app):
    return load(EXAMPLE, app.knowledge)


@pytest.fixture(scope="module")
def patient(app, plan, tmp_path_factory):
    from viewer.plan.export import export_pdf, render_views

    views = render_views(plan, app.knowledge, app.assets_dir, "patient", height=700)
    path = export_pdf(plan, tmp_path_factory.mktemp("self-care") / "patient.pdf", app.knowledge, app.assets_dir,
                      "patient", views=views)
    return views, path


def test_the_example_plan_holds_every_kind_of_technique(plan, app):
    kinds = {app.knowledge.technique(t.id).kind for t in plan.techniques}
    assert kinds == set(KINDS)


def test_each_home_technique_has_a_picture_of_its_zone(patient, plan, app):
    views, _ = patient
    pictures = {v.name.split(":", 1)[1]: v for v in views if v.name.startswith("technique:")}
    home = home_techniques(plan, app.knowledge)
    assert set(pictures) == {t.id for _, t in home}
    for _, t in home:
        # the zone's colour is in the picture (solid strokes and spots, or the translucent patch
        # over the skin): saturated pixels (the skin and the background are nearly grey) of its hue
        hsv = np.asarray(Image.fromarray(pictures[t.id].image).convert("HSV")).astype(int)
        hue = np.asarray(Image.new("RGB", (1, 1), TECHNIQUE_COLOURS[t.kind]).convert("HSV")).astype(int)[0, 0, 0]
        gap = np.minimum(np.abs(hsv[..., 0] - hue), 256 - np.abs(hsv[..., 0] - hue))
        near = (hsv[..., 1] > 70) & (gap < 14)
        assert near.sum() > 150, f"{t.id}: {near.sum()} pixels of its colour"
        assert t.name in pictures[t.id].title


def test_the_between_sessions_page_has_pictures_steps_and_cautions(patient, plan, app):
    _, path = patient
    pages = _text(path)
    start = next(i for i, p in enumerate(pages) if "Between sessions" in p)
    assert "Between sessions" not in " ".join(pages[:start])        # it starts a page of its own
    rest = " ".join(pages[start:])
    for _, t in home_techniques(plan, app.knowledge):
        assert re.sub(r"\s+", " ", t.self_care.steps[0]) in rest
        assert re.sub(r"\s+", " ", t.cautions[0].text)[:60] in rest
    # the explanation of stretch + paraspinal work cites its sources
    e = app.knowledge.explanation("stretch_with_paraspinal")
    assert f"(Sources: {app.knowledge.cite(e.sources)})" in rest
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    pages_with_images = {int(line.split()[0]) for line in listing.splitlines()[2:] if line.strip()}
    home = len(home_techniques(plan, app.knowledge))
    assert any(p > start for p in pages_with_images)
    images_after = [line for line in listing.splitlines()[2:] if line.strip() and int(line.split()[0]) > start]
    assert len(images_after) == home


def test_every_kind_shows_in_the_handouts(patient, plan, app, tmp_path):
    from viewer.plan.export import export_pdf

    views, path = patient
    patient_text = " ".join(_text(path))
    practitioner = export_pdf(plan, tmp_path / "practitioner.pdf", app.knowledge, app.assets_dir, "practitioner",
                              views=[v for v in views if not v.name.startswith("technique:")])
    practitioner_text = " ".join(_text(practitioner))
    for item in plan.techniques:
        t = app.knowledge.technique(item.id)
        name = re.sub(r"\s+", " ", t.name)
        assert name in patient_text, t.id                    # at home with steps, or named as done in session
        assert name in practitioner_text, t.id
    for kind in ("Massage", "Acupressure", "Stretch", "Cupping", "Gua sha"):
        assert kind in practitioner_text
