"""The reverse chain, modes, layers, isolate and deep links in headless Chromium.

Runs on the synthetic body of ``harness/synthetic.py`` (same fixtures as ``test_ui_app.py``).
"""

from __future__ import annotations

import math
import re

import pytest

from harness.browser import CHROMIUM, info_text, mesh_urls, open_app, wait_info
from viewer.app import quiz
from viewer.scene import ROLE_COLOURS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

GLUTE_LEFT = "?muscle=gluteus_medius&side=left"
CODE = re.compile(r"\b(BL\d+|GV\d+|EX-B2-L\d)\b")



def _wait_info(page, text: str, timeout_ms: int = 30_000, absent: bool = False) -> str:
    return wait_info(page, text, timeout_ms, absent=absent, ignore_case=True)


def _has(text: str, *needles: str) -> bool:
    """Whether every needle is in the panel's text (headings are upper-cased by CSS)."""
    return all(n.lower() in text.lower() for n in needles)


def _checkbox(page, cls: str):
    """The checkbox of a side-bar widget by its css class (rx-layer-bone, rx-isolate, ...)."""
    return page.locator(f".{cls} input[type=checkbox]")


def _click_marker(page, code: str) -> None:
    page.wait_for_function(f"radixView.markerCodes().includes({code!r})", timeout=20_000)
    where = page.evaluate(f"radixView.markerPoint({code!r})")
    assert where and where["hit"], f"no click reaches the {code} marker"
    page.mouse.click(where["x"], where["y"])


def _click_structure(page, acronym: str) -> None:
    where = page.evaluate(f"radixView.screenPoint({acronym!r})")
    assert where["hit"], f"no click reaches {acronym}"
    page.mouse.click(where["x"], where["y"])


def _style(page, acronym: str) -> dict:
    return page.evaluate(f"radixView.style({acronym!r})")


# --- the reverse chain ------------------------------------------------------------------------------

def test_point_click_shows_its_caution_and_status(page, server):
    open_app(page, server, GLUTE_LEFT)
    _wait_info(page, "Gluteus medius")
    _click_marker(page, "GV3")
    text = _wait_info(page, "On this model")          # the point card
    assert _has(text, "GV3", "Governor Vessel", "Cautions", "Spinal canal", "placed and checked",
                "cun deep", "Sources", "L4")
    caution = page.locator(".rx-cautions-box").first
    assert caution.is_visible()
    page.wait_for_function("radixView.selectedMarkers().includes('GV3')", timeout=20_000)
    page.wait_for_function("location.search.includes('point=GV3')", timeout=20_000)
    # Back to the muscle the point was opened from.
    page.get_by_role("button", name=re.compile("Back to Gluteus medius")).click()
    _wait_info(page, "Leaves the spine")


def test_point_not_placed_says_why(page, server):
    open_app(page, server, "?point=BL23&mode=student")
    text = _wait_info(page, "On this model")
    assert _has(text, "not placed: landmark L2_spinous_inferior", "kidney")


def test_vertebra_click_shows_the_level_and_muscle_links_select(page, server):
    open_app(page, server)
    _click_structure(page, "L3")
    text = _wait_info(page, "Level L3")
    assert _has(text, "Roots leaving here", "L3-L4 intervertebral foramen")
    assert "Quadratus lumborum" in text                    # a myotome muscle of L3
    page.wait_for_function(f"radixView.style('L3').color === '{ROLE_COLOURS['bone']}'", timeout=20_000)
    assert _style(page, "gluteus_medius_left")["opacity"] < 0.5
    page.wait_for_function("location.search.includes('level=L3')", timeout=20_000)
    # A muscle in the panel's list selects it.
    page.locator("button.rx-chip", has_text="Quadratus lumborum").first.click()
    _wait_info(page, "Painful muscle")
    page.wait_for_function(f"radixView.style('quadratus_lumborum_left').color === '{ROLE_COLOURS['muscle']}'",
                           timeout=20_000)
    page.wait_for_function("location.search.includes('muscle=quadratus_lumborum')", timeout=20_000)


def test_root_click_shows_the_root(page, server):
    open_app(page, server)
    page.evaluate("radixView.pick('root_L5_left')")    # the click path, without the pointer
    text = _wait_info(page, "L5 nerve root")
    assert "left" in page.evaluate("location.search") and "Gluteus medius" in text
    page.wait_for_function(f"radixView.style('root_L5_left').color === '{ROLE_COLOURS['nerve_root']}'",
                           timeout=20_000)
    page.wait_for_function(f"radixView.style('gluteus_medius_left').color === '{ROLE_COLOURS['muscle']}'",
                           timeout=20_000)


def test_choosing_a_level_in_the_side_bar(page, server):
    open_app(page, server)
    page.locator("select").nth(1).select_option("L4")
    text = _wait_info(page, "Level L4")
    assert "BL25" in text and "GV3" in text


# --- modes ------------------------------------------------------------------------------------------

def test_patient_mode_hides_codes(page, server):
    open_app(page, server, GLUTE_LEFT + "&mode=patient")
    text = _wait_info(page, "What may be going on")
    assert not CODE.search(text), CODE.findall(text)
    assert _has(text, "L4, L5 and S1", "fan-shaped")
    assert _has(text, "Lumbar Yang Gate", "spinal canal")        # points by name, with cautions
    labels = page.evaluate("radixView.labels()")
    assert not any(CODE.search(t) for t in labels), labels
    size = page.locator(".rx-plain").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 17


def test_practitioner_mode_shows_depths_sources_and_disagreements(page, server):
    open_app(page, server, GLUTE_LEFT + "&mode=practitioner")
    text = _wait_info(page, "Why each link")
    for needle in ("cun deep", "Location.", "Sources disagree", "StatPearls", "Sources:", "GV3"):
        assert _has(text, needle), needle
    assert page.locator(".rx-quiz").count() == 0


def test_mode_buttons_change_what_is_shown(page, server):
    open_app(page, server, GLUTE_LEFT)
    _wait_info(page, "Test yourself")
    page.get_by_role("button", name="Practitioner", exact=True).click()
    _wait_info(page, "Sources disagree")
    assert not _has(info_text(page), "Test yourself")
    page.get_by_role("button", name="Patient", exact=True).click()
    text = _wait_info(page, "What may be going on")
    assert not CODE.search(text)
    page.wait_for_function("location.search.includes('mode=patient')", timeout=20_000)


def test_student_quiz_grades_answers(page, server, synthetic_data):
    k = synthetic_data.knowledge
    card = quiz.focus(k, quiz.start(k), muscle_id="gluteus_medius")
    open_app(page, server, GLUTE_LEFT + "&mode=student")
    _wait_info(page, "Which nerve roots supply gluteus medius?")
    choices = page.locator(".rx-choice")
    assert choices.count() == len(card.question.choices)
    choices.nth(card.question.answer).click()
    text = _wait_info(page, "Right.")
    assert _has(text, "Score 1 / 1", "superior gluteal nerve")
    page.get_by_role("button", name="Next question").click()
    _wait_info(page, "Score 1 / 1")
    page.wait_for_function("true")
    nxt = quiz.next_card(k, quiz.answer(card, card.question.answer))
    _wait_info(page, nxt.question.prompt)
    wrong = (nxt.question.answer + 1) % len(nxt.question.choices)
    page.locator(".rx-choice").nth(wrong).click()
    text = _wait_info(page, "Not quite")
    assert _has(text, "Score 1 / 2", nxt.question.choices[nxt.question.answer])


# --- deep links -------------------------------------------------------------------------------------

@pytest.mark.parametrize("view, direction", [("left", (1, 0, 0)), ("anterior", (0, -1, 0))])
def test_deep_link_restores_mode_and_view(page, server, view, direction):
    open_app(page, server, f"?muscle=gluteus_medius&side=right&mode=practitioner&view={view}")
    text = _wait_info(page, "Sources disagree")
    assert "right side" in text
    active = page.locator(".bk-btn.bk-active", has_text="Practitioner")
    assert active.count() == 1
    d = page.evaluate("radixView.cameraDirection()")
    assert math.dist(d, direction) < 0.05, d
    page.wait_for_function(f"location.search.includes('view={view}')", timeout=20_000)


def test_deep_link_to_a_level_in_patient_mode(page, server):
    open_app(page, server, "?level=L4&mode=patient&view=posterior")
    text = _wait_info(page, "What happens here")
    assert _has(text, "At L4, the L4 nerve root") and not CODE.search(text)


def test_view_toolbar_updates_the_link(page, server):
    open_app(page, server, GLUTE_LEFT)
    page.get_by_role("button", name="Oblique", exact=True).click()
    page.wait_for_function("location.search.includes('view=oblique')", timeout=20_000)


def test_hostile_link_values_give_a_friendly_escaped_message(page, server):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    query = ("?muscle=%3Cscript%3Ealert(1)%3C%2Fscript%3E&mode=%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E"
             "&view=%22%3E%3Cb%3Ex&point=" + "A" * 300)
    open_app(page, server, query)
    text = _wait_info(page, "Part of this link could not be used")
    assert "<script>alert(1)</script>" in text                                # shown as text
    assert _has(text, "Unknown muscle", "Unknown mode", "Unknown camera view", "too long")
    assert page.locator(".rx-info script, .rx-info img, .rx-info b:has-text('x')").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []
    assert "Traceback" not in page.content()
    # The page still works: choose a muscle and the note goes away.
    page.locator("select").first.select_option(label="Gluteus medius")
    _wait_info(page, "Part of this link could not be used", absent=True)


# --- layers, isolate, labels ---------------------------------------------------------------------------

def test_layer_toggles_change_the_scene_styles(page, server):
    open_app(page, server, GLUTE_LEFT)
    _wait_info(page, "Gluteus medius")
    assert _style(page, "L3")["visible"] is True
    _checkbox(page, "rx-layer-bone").uncheck()
    page.wait_for_function("radixView.style('L3').visible === false", timeout=20_000)
    _checkbox(page, "rx-layer-points").uncheck()
    page.wait_for_function("radixView.overlay().points.visible === false", timeout=20_000)
    _checkbox(page, "rx-layer-meridians").uncheck()
    page.wait_for_function("radixView.overlay().meridians.visible === false", timeout=20_000)
    _checkbox(page, "rx-layer-bone").check()
    page.wait_for_function("radixView.style('L3').visible === true", timeout=20_000)
    # Opacity: the slider's handle moves by keyboard, one step (0.05) per key.
    handle = page.locator(".rx-opacity-points .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    _checkbox(page, "rx-layer-points").check()
    page.wait_for_function("Math.abs(radixView.overlay().points.opacity - 0.9) < 0.01", timeout=20_000)


def test_isolate_hides_the_rest(page, server):
    open_app(page, server, GLUTE_LEFT)
    _wait_info(page, "Gluteus medius")
    assert _style(page, "quadratus_lumborum_left")["visible"] is True
    _checkbox(page, "rx-isolate").check()
    page.wait_for_function("radixView.style('quadratus_lumborum_left').visible === false", timeout=20_000)
    assert _style(page, "gluteus_medius_left")["visible"] is True
    assert _style(page, "root_L5_left")["visible"] is True
    assert _style(page, "L3")["visible"] is False             # not at the chain's levels
    page.wait_for_function("location.search.includes('isolate=1')", timeout=20_000)


def test_isolate_from_a_link(page, server):
    open_app(page, server, GLUTE_LEFT + "&isolate=1")
    _wait_info(page, "Gluteus medius")
    assert _style(page, "quadratus_lumborum_right")["visible"] is False


def test_labels_switch(page, server):
    open_app(page, server, GLUTE_LEFT)
    page.wait_for_function("radixView.labels().includes('Gluteus medius')", timeout=20_000)
    assert "BL25" in page.evaluate("radixView.labels()")
    _checkbox(page, "rx-labels").uncheck()
    page.wait_for_function("radixView.labels().length === 0", timeout=20_000)


def test_labels_never_cover_each_other(page, server):
    """Crowded labels (points beside their vertebra, roots beside multifidus) are thinned: from
    every camera preset no two visible labels overlap, and the covered ones stay in the scene
    (they show again when the camera turns)."""
    open_app(page, server, GLUTE_LEFT + "&mode=practitioner")
    page.wait_for_function("radixView.labels().includes('Gluteus medius')", timeout=20_000)
    for button in ("Back", "Left", "Oblique"):
        page.get_by_role("button", name=button, exact=True).first.click()
        page.wait_for_timeout(1500)
        shown = page.evaluate("radixView.visibleLabels()")
        assert shown, button
        for i, a in enumerate(shown):
            for b in shown[i + 1:]:
                overlap_x = min(a["right"], b["right"]) - max(a["left"], b["left"])
                overlap_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                assert overlap_x <= 1 or overlap_y <= 1, (button, a, b)
        assert len(page.evaluate("radixView.labels()")) >= len(shown)


# --- only ids and styles travel ---------------------------------------------------------------------

def test_reverse_chain_clicks_never_reload_meshes(page, server):
    open_app(page, server, GLUTE_LEFT)
    _wait_info(page, "Gluteus medius")
    meshes_before = mesh_urls(page.radix_log.responses)
    _click_marker(page, "BL25")
    _wait_info(page, "On this model")
    page.evaluate("radixView.pick('L4')")
    _wait_info(page, "Level L4")
    page.evaluate("radixView.pick('root_S1_right')")
    _wait_info(page, "S1 nerve root")
    _checkbox(page, "rx-isolate").check()
    page.wait_for_function("radixView.style('quadratus_lumborum_left').visible === false", timeout=20_000)
    assert mesh_urls(page.radix_log.responses) == meshes_before
    assert page.radix_log.console_errors() == [] and page.radix_log.errors == []
