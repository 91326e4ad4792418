"""The app on the real body (``assets/`` as built), in headless Chromium: it loads every mesh and
draws, and a mouse click on gluteus maximus selects it and shows its nerve roots.

The other browser tests run on the small synthetic body; this one checks that the built body
(hundreds of meshes, half a million triangles) works end to end. Software rendering makes its
first load slow, so the module shares one server and one page. Skipped when the body has not
been built (no ``assets/atlas/structures.json``).
"""

from __future__ import annotations

import io
import json
import re
import time

import numpy as np
import pytest

from harness.browser import (
    CHROMIUM, PROJECT, READY_TIMEOUT_MS, PageLog, ensure_bundle, info_text, mesh_urls,
    start_server, stop_server,
)
from viewer.scene import ROLE_COLOURS

ASSETS = PROJECT / "assets"
STRUCTURES = ASSETS / "atlas" / "structures.json"
MUSCLE = "gluteus_maximus"
TARGET = f"{MUSCLE}_left"           # the app starts on the left side, seen from behind

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.skipif(not STRUCTURES.is_file(), reason="the body has not been built (no assets/atlas)"),
]


#: Records when Bokeh has the session's document (``window.__documentReady``, ms since
#: navigation): the moment Panel can first create the view's component.
DOCUMENT_READY = """(() => {
  const poll = () => {
    if (window.Bokeh && window.Bokeh.documents && window.Bokeh.documents.length) {
      window.__documentReady = performance.now();
    } else requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})()"""


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    ensure_bundle()
    srv = start_server(ASSETS, tmp_path_factory.mktemp("real-logs") / "panel.log")
    yield srv
    stop_server(srv.process)


@pytest.fixture(scope="module")
def real_page(real_server, browser):
    """One page on the real body, loaded once for the module (the first load takes minutes in
    software rendering on a busy machine). Uses the session's Chromium (one Playwright per
    process)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.radix_log = PageLog(page)
    page.add_init_script(DOCUMENT_READY)
    page.goto(real_server.app_url)
    page.wait_for_function("window.radixView && window.radixView.ready === true",
                           timeout=READY_TIMEOUT_MS * 5)
    page.loaded_responses = len(page.radix_log.responses)
    yield page
    context.close()


def _meshed_structures() -> list[dict]:
    return [s for s in json.loads(STRUCTURES.read_text()) if s.get("mesh")]


def _canvas_pixels(page) -> np.ndarray:
    from PIL import Image

    png = page.locator("canvas.radix-canvas").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def _click_until_picked(page, point: dict, tries: int = 3) -> None:
    """Click ``point``; the view ignores a press held longer than its click limit, which a page
    drawing in software on a busy machine can cause, so an unacknowledged click is repeated."""
    for _ in range(tries):
        before = page.evaluate("radixView.latencies.length")
        page.mouse.click(point["x"], point["y"])
        try:
            page.wait_for_function(f"radixView.latencies.length > {before}", timeout=60_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; try again
            continue
    raise AssertionError(f"{tries} clicks at {point} were never answered by a highlight")


def test_real_body_loads_every_mesh_and_draws(real_page):
    expected = len(_meshed_structures())
    hook = real_page.evaluate("({loaded: radixView.loaded, failed: radixView.failed, total: radixView.total,"
                              " frames: radixView.frameCount, stats: radixView.stats()})")
    assert hook["failed"] == 0
    assert hook["loaded"] == hook["total"] == expected == hook["stats"]["structures"]
    assert hook["stats"]["triangles"] > 100_000 and hook["frames"] >= 1
    # Every mesh of the built body is closed and wound outward (checked when the body file is
    # made, viewer/app/meshpack.py): drawn front faces only.
    assert hook["stats"]["frontOnly"] == expected
    # The whole body arrived in one request: the body file, no structure's own GLB.
    loaded = mesh_urls(real_page.radix_log.responses[:real_page.loaded_responses])
    assert len(loaded) == 1 and re.search(r"/meshes/packed/body-[0-9a-f]{16}\.glb$", loaded[0])
    assert real_page.evaluate("radixView.packed") is True
    pixels = _canvas_pixels(real_page)
    # Not blank: the body covers a good part of the canvas with many shades.
    assert pixels.std() > 10
    background = np.median(pixels.reshape(-1, 3), axis=0)
    covered = (np.abs(pixels - background).sum(axis=2) > 40).mean()
    assert 0.05 < covered < 0.95, f"the body covers {covered:.0%} of the canvas"
    assert len(np.unique(pixels.reshape(-1, 3) // 8, axis=0)) > 50
    assert real_page.radix_log.errors == []
    assert [r for r in real_page.radix_log.responses if r[1] >= 400] == []


def test_the_body_is_drawn_before_panel_has_its_document_and_then_adopted(real_page):
    """The page's early script (viewer/app/early.js) draws the body before Bokeh has the document;
    Panel's component then takes over that view: the same canvas, the body fetched once."""
    got = real_page.evaluate("""() => {
      const early = window.radixEarly;
      const canvas = early && early.view.canvas;
      const host = canvas && canvas.getRootNode().host;
      return {early: !!early, marks: radixView.marks, documentReady: window.__documentReady,
              connected: !!canvas && canvas.isConnected, hostConnected: !!host && host.isConnected,
              canvases: early ? [...early.view.root.querySelectorAll('canvas')].length : 0,
              frames: radixView.frameCount}
    }""")
    assert got["early"], "the page's early script did not start the view"
    marks = got["marks"]
    assert got["documentReady"] is not None
    assert marks["firstFrame"] < got["documentReady"], (
        f"first frame at {marks['firstFrame']:.0f} ms, Panel's document at {got['documentReady']:.0f} ms")
    assert marks["adopted"] >= got["documentReady"]
    # The component shows the early view's canvas, in its own element (the early holder is gone).
    assert got["connected"] and got["hostConnected"] and got["canvases"] == 1
    assert real_page.locator("canvas.radix-canvas").count() == 1
    # One request for the body file, none for a structure's own GLB: no second download.
    loaded = mesh_urls(real_page.radix_log.responses[:real_page.loaded_responses])
    assert len(loaded) == 1, loaded


def test_click_on_gluteus_maximus_selects_it_and_shows_its_roots(real_page):
    from viewer.knowledge import load_knowledge

    knowledge = load_knowledge(ASSETS, points_path=ASSETS / "points.json")
    roots = set(knowledge.muscle(MUSCLE).roots)
    # Where the camera projects the muscle: its box centre, or a vertex of it, that a ray
    # through that pixel hits first (the view's own raycast, the one a click uses).
    point = real_page.evaluate(f"radixView.screenPoint({json.dumps(TARGET)})")
    assert point is not None and point["hit"], f"{TARGET} cannot be clicked from the default view: {point}"
    _click_until_picked(real_page, point)
    assert real_page.evaluate("radixView.lastPicked.acronym") == TARGET
    real_page.wait_for_function(f"radixView.style({json.dumps(TARGET)}).color === '{ROLE_COLOURS['muscle']}'",
                                timeout=60_000)
    deadline = time.monotonic() + 60
    while "Gluteus maximus" not in real_page.locator(".rx-info h2").first.inner_text():
        assert time.monotonic() < deadline, f"info panel never named the muscle:\n{info_text(real_page)}"
        time.sleep(0.1)
    chips = real_page.locator('.rx-info button.rx-chip[data-action="root"]:not(.rx-chip-alt)')
    assert set(chips.evaluate_all("els => els.map(e => e.dataset.value)")) == roots
    meshed = {s["acronym"] for s in _meshed_structures()}
    for root in roots:
        assert f"root_{root}_left" in meshed
        assert real_page.evaluate(f"radixView.style('root_{root}_left').color") == ROLE_COLOURS["nerve_root"]
    assert "muscle=gluteus_maximus" in real_page.evaluate("location.search")


def test_selection_after_load_fetches_no_mesh(real_page):
    """After the first load, selecting moves ids and styles only: no GLB is requested again."""
    real_page.evaluate("radixView.pick('quadratus_lumborum_left')")
    real_page.wait_for_function(
        f"radixView.style('quadratus_lumborum_left').color === '{ROLE_COLOURS['muscle']}'", timeout=60_000)
    later = real_page.radix_log.responses[real_page.loaded_responses:]
    assert mesh_urls(later) == []
    assert real_page.radix_log.errors == []


def test_a_selected_root_colours_its_dermatome_on_the_skin(real_page):
    """The dermatome layer: selecting a root (its reverse view) colours the skin of its territory
    on its side, from the masks the server computed once; a muscle's chain draws none."""
    from viewer.scene import DERMATOME_COLOUR

    real_page.evaluate("radixView.pick('root_L5_left')")
    real_page.wait_for_function("() => radixView.dermatomes().drawn === true", timeout=60_000)
    drawn = real_page.evaluate("radixView.dermatomes()")
    assert drawn["roots"] == ["L5"] and drawn["coloured"] > 500
    skin = real_page.evaluate("radixView.style('skin')")
    assert skin["visible"] and skin["opacity"] > 0.5
    # The coloured vertices are L5's and on the left (+X) only; the page shows the colour.
    sides = real_page.evaluate("""(() => {
      const sd = window.radixView.dermatomeVertices();
      return {left: sd.filter((x) => x > 8).length, right: sd.filter((x) => x < -8).length};
    })()""")
    assert sides["left"] > 500 and sides["right"] == 0
    pixels = _canvas_pixels(real_page)
    target = np.array([int(DERMATOME_COLOUR[i:i + 2], 16) for i in (1, 3, 5)])
    near = (np.abs(pixels - target).sum(axis=2) < 90).mean()
    assert near > 0.002, f"the dermatome colour covers only {near:.2%} of the canvas"
    real_page.evaluate(f"radixView.pick('{TARGET}')")
    real_page.wait_for_function("() => radixView.dermatomes().drawn === false", timeout=60_000)
    assert real_page.radix_log.errors == []
