"""The plan handout: PDF pages and their text, the PNG sheet, the rendered views, the command line.

The views are rendered once per module at a small size (the body is the committed one under
``assets/``); PDFs are built from those views, so most tests cost no rendering.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from viewer.scene import MARK_COLOURS, POINT_COLOUR
from viewer.scene.words import CAUTION_NAMES, MARK_WORDS, NO_CAUTION, NOTICE, SYMPTOMS_NOTICE
from viewer.plan import PlanItem, load

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = PROJECT / "examples" / "plan.json"
HEIGHT = 320  # pixel height of the whole-body view in these tests

pytestmark = pytest.mark.skipif(
    not (PROJECT / "assets" / "atlas" / "structures.json").is_file() or shutil.which("pdftotext") is None,
    reason="needs the built body (assets/atlas) and pdftotext (poppler-utils)")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, whitespace folded (pdftotext; pages end with a form feed)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [_norm(p) for p in pages]


@pytest.fixture(scope="module")
def app():
    from viewer.plan.export import app_data

    return app_data()


@pytest.fixture(scope="module")
def plan(app):
    return load(EXAMPLE, app.knowledge)


@pytest.fixture(scope="module")
def views(app, plan):
    from viewer.plan.export import render_views

    return render_views(plan, app.knowledge, app.assets_dir, "practitioner", height=HEIGHT)


@pytest.fixture(scope="module")
def handouts(app, plan, views, tmp_path_factory):
    """{audience: (path, pages)} built from the shared views."""
    from viewer.plan.export import export_pdf

    out = {}
    folder = tmp_path_factory.mktemp("handouts")
    for audience in ("patient", "practitioner"):
        path = export_pdf(plan, folder / f"{audience}.pdf", app.knowledge, app.assets_dir, audience, views=views)
        out[audience] = (path, pdf_pages(path))
    return out


# --- the PDF -----------------------------------------------------------------------------------


def test_practitioner_lists_every_point_with_code_name_and_all_its_cautions(handouts, plan, app):
    _, pages = handouts["practitioner"]
    body = " ".join(pages[1:])  # points are listed from page 2
    k = app.knowledge
    assert len(plan.items) >= 5
    for item in plan.items:
        p = k.point(item.code)
        assert item.code in body, item.code
        assert p.pinyin in body and _norm(p.english) in body, item.code
        assert p.cautions, f"the example should give every point a caution ({item.code})"
        for c in p.cautions:
            assert _norm(c.text) in body, (item.code, c.kind)
            assert CAUTION_NAMES[c.kind].upper() in body, (item.code, c.kind)
            assert k.cite(c.sources) in body, (item.code, c.kind)
        if item.note:
            assert _norm(item.note) in body, item.code


def test_example_plan_covers_several_caution_kinds(plan, app):
    kinds = {c.kind for item in plan.items for c in app.knowledge.point(item.code).cautions}
    assert len(kinds) >= 3, kinds


def test_practitioner_gives_location_depth_and_sources(handouts, plan, app):
    from viewer.scene.words import needling_text

    _, pages = handouts["practitioner"]
    body = " ".join(pages[1:])
    for item in plan.items:
        p = app.knowledge.point(item.code)
        assert _norm(needling_text(p)) in body, item.code
        assert _norm(p.location.description) in body, item.code
    evidence = " ".join(pages[next(i for i, page in enumerate(pages) if "Why each link" in page):])
    assert "Sources" in evidence and "World Health Organization" in evidence


def test_patient_version_has_plain_names_cautions_and_no_codes(handouts, plan, app):
    _, pages = handouts["patient"]
    text = " ".join(pages)
    for item in plan.items:
        p = app.knowledge.point(item.code)
        assert _norm(p.english) in text, item.code
        code = re.compile(rf"(?<![\w-]){re.escape(item.code)}(?![\w-])")
        assert not code.search(text), f"code {item.code} in the patient handout"
        for c in p.cautions:
            assert _norm(c.text) in text, (item.code, c.kind)
    muscle = app.knowledge.muscle(plan.subject["muscle"])
    assert _norm(muscle.plain_language) in pages[0]
    assert "L4" in pages[0] and "multifidus" in pages[0]  # roots and the multifidus levels, in words


@pytest.mark.parametrize("audience", ["patient", "practitioner"])
def test_every_page_carries_the_notice_and_page_one_the_views(handouts, views, plan, app, audience):
    _, pages = handouts[audience]
    assert len(pages) >= 2
    for i, page in enumerate(pages, start=1):
        assert NOTICE in page, f"page {i}"
        assert f"Page {i} of {len(pages)}" in page
    for v in views[:3]:
        assert v.title in pages[0]
    first_caution = app.knowledge.point(plan.items[0].code).cautions[0].text
    assert _norm(first_caution) not in pages[0]  # page 1 explains and shows; the cards follow
    heading = "Your points" if audience == "patient" else "Points"
    first = 1
    if plan.symptoms:   # the symptom marks' page comes first
        marks = "Where you feel it" if audience == "patient" else "Symptoms and candidate root levels"
        assert marks in pages[1] and heading not in pages[1].split(marks)[1]
        first = 2
    at = next(i for i, page in enumerate(pages) if i >= 1 and heading in page)
    assert first <= at <= first + 1, at   # the practitioner's reasons may run on to one more page


@pytest.mark.parametrize("audience", ["patient", "practitioner"])
def test_page_count_as_designed(app, plan, views, tmp_path, audience):
    """Page 1: title, explanation, views; page 2: the points; the practitioner's last page: the
    evidence (why each link, sources). More points take more pages."""
    from viewer.plan.export import export_pdf

    one = replace(plan, items=plan.items[:1], techniques=(), symptoms=None)
    pages = pdf_pages(export_pdf(one, tmp_path / "one.pdf", app.knowledge, app.assets_dir, audience, views=views))
    assert len(pages) == (2 if audience == "patient" else 3)
    if audience == "practitioner":
        assert pages[-1].startswith(re.sub(r"\s+", " ", "Low back and hip")) and "Why each link" in pages[-1]
        assert "Why each link" not in pages[1]
    many = replace(plan, items=plan.items * 3, symptoms=None)
    pages_many = pdf_pages(export_pdf(many, tmp_path / "many.pdf", app.knowledge, app.assets_dir, audience,
                                      views=views))
    assert len(pages_many) > 2


def _flow(pages: list[str], plan, audience: str) -> str:
    """The pages' text as one flow, without the running header and footer (a paragraph may break
    across a page)."""
    out = []
    for i, page in enumerate(pages, start=1):
        for furniture in (_norm(NOTICE), f"Page {i} of {len(pages)}", f"{plan.title} · {audience} handout"):
            page = page.replace(furniture, " ")
        out.append(page)
    return _norm(" ".join(out))


def test_practitioner_lists_every_technique_with_zone_steps_cautions_and_sources(handouts, plan, app):
    k = app.knowledge
    _, pages = handouts["practitioner"]
    body = _flow(pages, plan, "practitioner")
    assert plan.techniques and "Techniques" in body
    for item in plan.techniques:
        t = k.technique(item.id)
        for text in (t.name, t.zone.description, t.how.steps[0], *(c.text for c in t.cautions)):
            assert _norm(text) in body, (item.id, text)
        for s in t.sources:
            assert _norm(k.source(s).citation) in " ".join(pages), (item.id, s)


def test_patient_gets_a_between_sessions_part_with_plain_steps_and_cautions(handouts, plan, app):
    from viewer.plan.model import home_techniques

    k = app.knowledge
    _, pages = handouts["patient"]
    text = _flow(pages, plan, "patient")
    assert "Between sessions" in text and _norm(k.explanation("stretch_with_paraspinal").text) in text
    home = home_techniques(plan, k)
    assert home
    for item, t in home:
        for step in t.self_care.steps:
            assert _norm(step) in text, (item.id, step)
        for c in t.cautions:
            assert _norm(c.text) in text, (item.id, c.kind)
    for item in plan.techniques:
        assert item.id not in text
        if item.setting == "session":                     # named, but no steps to copy at home
            t = k.technique(item.id)
            assert _norm(t.name) in text and _norm(t.how.steps[0]) not in text


def test_point_without_caution_says_so(app, plan, views, tmp_path):
    from viewer.plan.export import export_pdf

    k = app.knowledge
    bare = next(p.code for p in k.points if not p.cautions)
    plain = replace(plan, items=(PlanItem(bare, "left", ""),))
    pages = pdf_pages(export_pdf(plain, tmp_path / "bare.pdf", k, app.assets_dir, "practitioner", views=views))
    assert _norm(NO_CAUTION) in " ".join(pages[1:])


def test_text_is_sanitised_and_chinese_shown_or_cleanly_left_out(app, plan, views, tmp_path, monkeypatch):
    from viewer.plan import export, fonts

    nasty = replace(plan, title="Back \x07plan <b>&amp;</b>",
                    note="Line one\x00\x1b[31m\ttab 腰痛 “quoted” — done")
    pages = pdf_pages(export.export_pdf(nasty, tmp_path / "n.pdf", app.knowledge, app.assets_dir,
                                       "practitioner", views=views))
    text = " ".join(pages)
    assert "Back plan <b>&amp;</b>" in text      # shown literally, control character dropped
    assert "\x1b" not in text and "\x00" not in text
    chinese = app.knowledge.point("BL25").chinese
    if fonts._find_font(fonts._CJK_FONTS):
        assert chinese in text
    # without any TrueType font: core fonts, latin-1 only, Chinese left out, the rest kept
    monkeypatch.setattr(fonts, "_find_font", lambda names: None)
    pages = pdf_pages(export.export_pdf(nasty, tmp_path / "core.pdf", app.knowledge, app.assets_dir,
                                        "practitioner", views=views))
    text = " ".join(pages)
    assert chinese not in text and "腰痛" not in text
    assert '"quoted" - done' in text and "BL25" in text and NOTICE in text


# --- the symptom marks ---------------------------------------------------------------------------


def _marks_page(pages: list[str], audience: str) -> tuple[int, str]:
    heading = "Where you feel it" if audience == "patient" else "Symptoms and candidate root levels"
    found = [(i, page) for i, page in enumerate(pages) if heading in page]
    assert len(found) == 1, heading
    return found[0]


@pytest.mark.parametrize("audience", ["patient", "practitioner"])
def test_handout_shows_the_marks_and_the_candidate_levels_in_words(handouts, plan, app, audience):
    from viewer.plan.export import handout_symptoms

    _, pages = handouts[audience]
    index, page = _marks_page(pages, audience)
    assert index == 1                                   # after page 1, before the points
    s = plan.symptoms
    found = handout_symptoms(plan, app.knowledge, app)
    assert found.ranked_now and found.names == ("P1", "P2", "T1")
    # every mark by its name and kind, where it lies in words, the weak muscle, the notice
    for name, mark, place in zip(found.names, s.marks, found.places):
        assert f"{name} {MARK_WORDS[mark.kind]} on {place}" in page, name
    assert "the left foot" in found.places[2] and "lower leg" in found.places[1]
    assert "Long toe extensors" in page and _norm(SYMPTOMS_NOTICE) in page
    assert "Marks, from the front" in page and "Marks, from behind" in page          # the two views
    assert "Pain" in page and "Tingling or numbness" in page                         # their legend
    best = found.candidates[0]
    assert (best.root, best.side) == (s.candidates[0].root, s.candidates[0].side) == ("L5", "left")
    if audience == "patient":
        assert "The L5 nerve root, left side: best match" in page
        assert "score" not in page and "Lee 2008" not in page
    else:
        assert "1. L5 left side, best match (score 2.5)" in page
        for reason in best.reasons:                      # the reasons, with their sources
            assert _norm(reason) in _flow(pages, plan, audience), reason
        assert "Lee 2008" in page
        sources = " ".join(pages[-2:])
        assert _norm(app.knowledge.source("lee2008").citation)[:60] in sources


def test_a_plan_without_marks_has_no_marks_page(handouts, app, plan, views, tmp_path):
    from viewer.plan.export import export_pdf

    bare = replace(plan, symptoms=None)
    pages = pdf_pages(export_pdf(bare, tmp_path / "bare.pdf", app.knowledge, app.assets_dir, "patient",
                                 views=views))
    assert not any("Where you feel it" in p for p in pages)
    assert len(pages) == len(handouts["patient"][1]) - 1


def test_marks_far_from_this_body_list_the_saved_candidates(app, plan):
    from viewer.plan.export import handout_symptoms
    from viewer.plan.model import SymptomMark

    moved = replace(plan, symptoms=replace(plan.symptoms, marks=(SymptomMark.at("pain", (0, 0, 3000)),)))
    found = handout_symptoms(moved, app.knowledge, app)
    assert not found.ranked_now and found.places == ("",)
    assert [(c.root, c.side, c.score) for c in found.candidates] == [
        (c.root, c.side, c.score) for c in plan.symptoms.candidates]
    from viewer.symptoms import WEAK_BELOW

    # the saved scores alone say it: the best one first, the faint ones weak, equal scores tied
    best, *rest = found.candidates
    assert best.score >= WEAK_BELOW and best.strength == "best match"
    assert rest and all(c.strength == "weak evidence" for c in rest if c.score < WEAK_BELOW)
    assert all(not c.reasons for c in found.candidates)


def test_mark_views_draw_each_mark_where_its_skin_faces(views, plan):
    marks = {v.name: v for v in views if v.name.startswith("marks_")}
    assert set(marks) == {"marks_front", "marks_back"}
    kinds = [m.kind for m in plan.symptoms.marks]
    # the buttock (P1) faces back; the outer shin (P2) and the top of the foot (T1) face front
    assert marks["marks_back"].numbers == (1,) and marks["marks_front"].numbers == (2, 3)
    for name, view in marks.items():
        for kind in set(kinds[n - 1] for n in view.numbers):
            assert _colour_pixels(view.image, MARK_COLOURS[kind], tol=30) > 20, (name, kind)
        missing = set(kinds) - {kinds[n - 1] for n in view.numbers}
        for kind in missing:
            assert _colour_pixels(view.image, MARK_COLOURS[kind], tol=30) < 5, (name, kind)


# --- the views and the PNG ---------------------------------------------------------------------


def test_views_show_each_point_where_it_faces_the_camera(views, plan, app):
    names = [v.name for v in views]
    assert names[:2] == ["posterior", "region"]
    numbers = {item.code: i for i, item in enumerate(plan.items, start=1)}
    back = set(views[0].numbers)
    assert numbers["BL25"] in back and numbers["GV3"] in back
    # GB34 lies on the outer leg: not drawn from behind, but on a side close-up
    assert numbers["GB34"] not in back
    side = [v for v in views if v.name in ("left", "right", "anterior")]
    assert side and any(numbers["GB34"] in v.numbers for v in side)
    for v in views:
        assert v.image.dtype == np.uint8 and v.image.ndim == 3
        assert v.image.std() > 10, v.name


def _colour_pixels(image: np.ndarray, colour: str, tol: int = 40) -> int:
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image[:, :, :3].astype(int) - rgb).max(axis=2) < tol).sum())


def test_png_has_the_requested_size_is_not_blank_and_shows_the_points(app, plan, views, tmp_path):
    from PIL import Image

    from viewer.plan.export import export_png

    path = export_png(plan, tmp_path / "plan.png", app.knowledge, app.assets_dir, "patient",
                      size=(640, 400), views=views)
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape == (400, 640, 3)
    assert image.std() > 20
    # the markers carry the point colour: far more of it than the legend's swatch alone
    blank = [replace(v, image=np.full_like(v.image, 255), numbers=()) for v in views]
    legend_only = export_png(replace(plan, items=()), tmp_path / "legend.png", app.knowledge, app.assets_dir,
                             "patient", size=(640, 400), views=blank)
    baseline = _colour_pixels(np.asarray(Image.open(legend_only).convert("RGB")), POINT_COLOUR)
    assert _colour_pixels(image, POINT_COLOUR) > baseline + 60


# --- the command line --------------------------------------------------------------------------


def _broken(tmp_path: Path) -> Path:
    doc = json.loads(EXAMPLE.read_text())
    doc["items"][2]["side"] = "sideways"
    path = tmp_path / "broken_plan.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("command", ["export", "validate"])
def test_cli_rejects_a_broken_plan_with_exit_2_and_names_the_field(tmp_path, command):
    args = [sys.executable, "-m", "viewer.plan", command, str(_broken(tmp_path))]
    if command == "export":
        args.append(str(tmp_path / "out.pdf"))
    done = subprocess.run(args, capture_output=True, text=True, cwd=PROJECT, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "broken_plan.json" in done.stderr and "BL26" in done.stderr and "side" in done.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_cli_exports_the_pdf_and_png_with_progress(tmp_path, capsys, views):
    from viewer.plan.__main__ import main

    out, png = tmp_path / "handout.pdf", tmp_path / "handout.png"
    code = main(["export", str(EXAMPLE), str(out), "--audience", "practitioner", "--png", str(png),
                 "--png-size", "500x320", "--height", str(HEIGHT)])
    captured = capsys.readouterr()
    assert code == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "Low back and hip, left" in pdf_pages(out)[0]
    assert "rendering view 1/" in captured.err and "writing the PDF" in captured.err
    from PIL import Image

    assert Image.open(png).size == (500, 320)


def test_cli_validate_accepts_the_example(capsys):
    from viewer.plan.__main__ import main

    assert main(["validate", str(EXAMPLE)]) == 0
    assert "7 points" in capsys.readouterr().out


@pytest.mark.parametrize("audience", ["patient", "practitioner"])
def test_notes_come_with_the_personal_data_notice(handouts, plan, audience):
    from viewer.plan.model import NOTES_NOTICE

    assert plan.note or any(item.note for item in plan.items)      # the example has notes
    _, pages = handouts[audience]
    assert _norm(NOTES_NOTICE) in " ".join(pages)


def test_symptom_marks_alone_bring_the_personal_data_notice(app, plan, views, tmp_path):
    from viewer.plan.export import export_pdf
    from viewer.plan.model import NOTES_NOTICE

    quiet = replace(plan, note="", items=tuple(replace(i, note="") for i in plan.items), techniques=())
    with_marks = pdf_pages(export_pdf(quiet, tmp_path / "m.pdf", app.knowledge, app.assets_dir, "patient",
                                      views=views))
    without = pdf_pages(export_pdf(replace(quiet, symptoms=None), tmp_path / "n.pdf", app.knowledge,
                                   app.assets_dir, "patient", views=views))
    assert _norm(NOTES_NOTICE) in " ".join(with_marks)
    assert _norm(NOTES_NOTICE) not in " ".join(without)
