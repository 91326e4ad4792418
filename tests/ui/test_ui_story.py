"""The story of a compressed root in the browser (Patient mode): the control narrows the space,
the scene changes where the disc is drawn, the root and muscles tint, and 0 restores the scene.

Runs on the synthetic body of ``harness/synthetic.py`` (L3-L5, the L4-L5 disc, L4/L5/S1 roots,
multifidus and gluteus medius); it has no foramen or body-centre landmarks, so the view's own
estimates of the pinch and the spine axis are what is exercised here.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest

from harness.browser import CHROMIUM, PageLog, info_text, open_app
from harness.synthetic import MUSCLE_COLOUR
from viewer.scene import ROLE_COLOURS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

SLIDER = ".rx-story-amount .noUi-handle"
WAIT_MS = 60_000


def _canvas(page) -> tuple[np.ndarray, dict]:
    from PIL import Image

    canvas = page.locator("canvas.radix-canvas")
    box = canvas.bounding_box()
    png = page.screenshot(clip=box)      # the pinch pulses: do not wait for a still element
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16), box


def _region(page, acronym: str, box: dict, shape, pad: int = 12) -> tuple[slice, slice]:
    r = page.evaluate(f"radixView.screenRect({acronym!r})")
    x0 = max(int(r["x0"] - box["x"]) - pad, 0)
    y0 = max(int(r["y0"] - box["y"]) - pad, 0)
    x1 = min(int(r["x1"] - box["x"]) + pad, shape[1])
    y1 = min(int(r["y1"] - box["y"]) + pad, shape[0])
    assert x1 - x0 > 20 and y1 - y0 > 8, f"{acronym} is not on screen: {r}"
    return slice(y0, y1), slice(x0, x1)


def _slide(page, key: str, want: float) -> None:
    page.locator(SLIDER).first.focus()
    page.keyboard.press(key)
    page.wait_for_function(f"Math.abs(radixView.story().amount - {want}) < 1e-6", timeout=WAIT_MS)
    time.sleep(0.4)


def _reddish(hex_colour: str) -> bool:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return r > 200 and r - g > 90 and r - b > 120


def _open_story(page, server, query: str) -> None:
    open_app(page, server, query)
    page.locator(".rx-story").first.wait_for(state="visible", timeout=WAIT_MS)
    # The first step frames the space; back at 0 that framed view is the scene to restore.
    _slide(page, "ArrowRight", 0.05)
    _slide(page, "Home", 0.0)


def test_narrowing_changes_the_disc_root_and_muscles_and_zero_restores(page, server):
    _open_story(page, server, "?level=L4&side=left&mode=patient")
    assert page.locator(".rx-story-head").first.inner_text().lower() == "what happens when the space narrows"
    assert "L4-L5" in page.locator(".rx-story-body").first.inner_text()
    before, box = _canvas(page)
    rows, cols = _region(page, "disc_L4_L5", box, before.shape)
    rest = page.evaluate("radixView.story()")
    assert rest["discScale"] == pytest.approx(1.0) and rest["caption"] is None and rest["moved"] == []

    _slide(page, "End", 1.0)
    narrowed, _ = _canvas(page)
    diff = np.abs(narrowed - before).sum(axis=2)[rows, cols]
    assert (diff > 40).mean() > 0.05, f"the disc's region hardly changed ({(diff > 40).mean():.3f})"
    story = page.evaluate("radixView.story()")
    assert story["discScale"] < 0.6 and story["drop"] > 0
    assert "L3" in story["moved"] and "L4" in story["moved"] and "L5" not in story["moved"]
    (root,) = story["roots"]
    assert root["acronym"] == "root_L4_left" and root["pinch"] > 0.3 and _reddish(root["color"])
    muscles = {m["acronym"]: m for m in story["muscles"]}
    assert set(muscles) == {"multifidus_L4_left", "gluteus_medius_left"}   # L4 muscles this body has
    glute = muscles["gluteus_medius_left"]
    assert glute["color"] != MUSCLE_COLOUR and 0.89 < glute["scale"] < 0.999
    assert story["stage"] == "muscles" and "L4" in story["caption"]

    _slide(page, "PageDown", 0.75)
    assert page.evaluate("radixView.story().stage") == "recovery"

    _slide(page, "Home", 0.0)
    restored, _ = _canvas(page)
    back = np.abs(restored - before).sum(axis=2)
    assert back.mean() < 2.0 and (back > 30).mean() < 0.005, f"not restored: mean {back.mean():.2f}"
    story = page.evaluate("radixView.story()")
    assert story["discScale"] == pytest.approx(1.0) and story["moved"] == [] and story["caption"] is None
    assert page.evaluate("radixView.style('root_L4_left').color") == ROLE_COLOURS["nerve_root"]
    assert page.evaluate("radixView.style('gluteus_medius_left').color") == MUSCLE_COLOUR


def test_play_runs_narrow_hold_recover_in_the_browser(page, server):
    _open_story(page, server, "?level=L4&side=left&mode=patient")
    page.locator(".rx-story-play button").first.click()
    page.wait_for_function("radixView.story().playing", timeout=WAIT_MS)
    page.wait_for_function("!radixView.story().playing", timeout=WAIT_MS)   # about 12 s
    story = page.evaluate("radixView.story()")
    # The browser logs each stage it tells, so a slow machine cannot make this test miss one.
    assert story["stagesSeen"] == ["healthy", "narrowing", "pinched", "muscles", "recovery"]
    assert story["lowestDiscScale"] < 0.5
    assert story["amount"] == 0 and story["moved"] == [] and story["discScale"] == pytest.approx(1.0)


def test_muscle_offers_its_roots_and_leaving_patient_mode_resets(page, server):
    _open_story(page, server, "?muscle=gluteus_medius&side=left&mode=patient")
    choice = page.locator(".rx-story-root select").first
    labels = choice.locator("option").all_inner_texts()
    assert [t.split()[0] for t in labels] == ["L4", "L5", "S1"]
    choice.select_option(label=labels[1])                # the L5 root, at the L5-S1 space
    page.wait_for_function("radixView.story().key === 'disc_L5_S1:L5:left'", timeout=WAIT_MS)
    _slide(page, "End", 1.0)
    story = page.evaluate("radixView.story()")
    assert [r["acronym"] for r in story["roots"]] == ["root_L5_left"] and _reddish(story["roots"][0]["color"])
    assert "L5" in story["caption"]

    page.locator(".bk-btn", has_text="Student").first.click()
    page.wait_for_function("!radixView.story().active", timeout=WAIT_MS)
    assert page.evaluate("radixView.story().moved") == []
    assert page.locator(".rx-story").first.is_hidden()
    assert page.evaluate("radixView.style('root_L5_left').color") == ROLE_COLOURS["nerve_root"]
    assert "Gluteus medius" in info_text(page)


def test_reduced_motion_steps_through_the_story_without_pulsing(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.radix_log = PageLog(page)
        _open_story(page, server, "?level=L4&side=left&mode=patient")
        _slide(page, "End", 1.0)
        frames = page.evaluate("radixView.frameCount")
        time.sleep(1.5)
        assert page.evaluate("radixView.frameCount") == frames, "the pinch pulses under reduced motion"
        _slide(page, "Home", 0.0)
        page.locator(".rx-story-play button").first.click()
        page.wait_for_function("radixView.story().playing", timeout=WAIT_MS)
        page.wait_for_function("!radixView.story().playing", timeout=WAIT_MS)
        story = page.evaluate("radixView.story()")
        assert story["stagesSeen"] == ["healthy", "narrowing", "pinched", "muscles", "recovery"]
        assert story["moved"] == []
    finally:
        context.close()


def test_pinch_pulses_with_normal_motion(page, server):
    _open_story(page, server, "?level=L4&side=left&mode=patient")
    _slide(page, "End", 1.0)
    frames = page.evaluate("radixView.frameCount")
    time.sleep(1.5)
    assert page.evaluate("radixView.frameCount") > frames
    _slide(page, "Home", 0.0)
    frames = page.evaluate("radixView.frameCount")
    time.sleep(1.0)
    assert page.evaluate("radixView.frameCount") == frames, "the view keeps drawing after the story rests"
