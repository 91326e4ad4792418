"""The app in headless Chromium: it loads and draws, search, click and deep links select a muscle,
the info panel shows the chain, and the page logs no errors.

Runs on the synthetic body of ``harness/synthetic.py``; needs /usr/bin/chromium (never downloads
a browser) and the 3D view bundle (built by the ``server`` fixture if missing).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from harness.browser import (
    CHROMIUM, READY_TIMEOUT_MS, PageLog, info_text, mesh_urls, open_app, start_server, stop_server,
    wait_info,
)
from harness.synthetic import write_synthetic_assets
from viewer.scene import ROLE_COLOURS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]



# Closing a browser context while the server is still writing to its socket logs these; they say
# nothing about the app.
_DISCONNECT_NOISE = ("WebSocketClosedError", "StreamClosedError")


def _server_errors(log: str) -> list[str]:
    """Tracebacks and ERROR lines in the server log, except disconnect noise."""
    blocks = re.split(r"\n(?=\S*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", log)
    return [b[:3000] for b in blocks
            if ("Traceback" in b or " ERROR" in b) and not any(n in b for n in _DISCONNECT_NOISE)]


def _canvas_pixels(page) -> np.ndarray:
    from PIL import Image

    png = page.locator("canvas.radix-canvas").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def test_page_loads_and_canvas_draws(page, server):
    open_app(page, server)
    hook = page.evaluate("({frames: radixView.frameCount, loaded: radixView.loaded, failed: radixView.failed,"
                         " total: radixView.total})")
    assert hook["failed"] == 0 and hook["loaded"] == hook["total"] > 10
    assert hook["frames"] >= 1
    assert page.locator("canvas.radix-canvas").get_attribute("data-ready") == "true"
    pixels = _canvas_pixels(page)
    h, w, _ = pixels.shape
    centre = pixels[h // 4: 3 * h // 4, w // 4: 3 * w // 4].reshape(-1, 3)
    # A uniform background would have one colour; the body adds many, far from the corner colour.
    corner = pixels[5, 5]
    differs = np.abs(centre - corner).sum(axis=1) > 40
    assert differs.mean() > 0.05, "the centre of the canvas looks like empty background"
    assert len(np.unique(centre, axis=0)) > 50


def test_educational_notice_is_visible(page, server):
    open_app(page, server)
    notice = page.get_by_text("For education and treatment planning, not for diagnosis.").first
    assert notice.is_visible()


def test_search_selects_muscle_and_info_shows_roots(page, server):
    open_app(page, server)
    box = page.locator("input[placeholder^='e.g. glute']")
    box.fill("glute med")
    page.keyboard.press("Enter")
    text = wait_info(page, "Gluteus medius")
    for root in ("L4", "L5", "S1"):
        assert re.search(rf"\b{root}\b", text), f"root {root} missing from the info panel"
    page.wait_for_function(f"radixView.style('gluteus_medius_left').color === '{ROLE_COLOURS['muscle']}'",
                           timeout=20_000)
    faded = page.evaluate("radixView.style('quadratus_lumborum_left')")
    assert faded["transparent"] and faded["opacity"] < 0.5
    # A faded muscle is one layer of glass: front faces, nearest first, writing depth.
    assert faded["depthWrite"] and faded["frontOnly"]
    shown = page.evaluate("radixView.style('gluteus_medius_left')")
    assert not shown["transparent"] and shown["depthWrite"] and shown["opacity"] == 1
    assert page.evaluate("radixView.style('root_L5_left').color") == ROLE_COLOURS["nerve_root"]
    page.wait_for_function("location.search.includes('muscle=gluteus_medius')", timeout=20_000)


def test_click_on_muscle_selects_it(page, server):
    open_app(page, server)
    point = page.evaluate("radixView.screenPoint('quadratus_lumborum_right')")
    assert point["hit"], "no screen point of the muscle is reachable by a ray"
    page.mouse.click(point["x"], point["y"])
    text = wait_info(page, "Quadratus lumborum")
    assert "right side" in text
    page.wait_for_function("radixView.latencies.length === 1", timeout=20_000)
    assert page.evaluate("radixView.style('quadratus_lumborum_right').color") == ROLE_COLOURS["muscle"]
    page.wait_for_function("location.search.includes('side=right')", timeout=20_000)
    # Clicking the same muscle again fires again (the pick carries a new sequence number).
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("radixView.latencies.length === 2", timeout=20_000)


def test_a_click_recolours_the_muscle_in_its_own_task_before_the_server_answers(page, server):
    """The clicked structure is recoloured and drawn by the click itself: read in a listener of
    the same pointerup (after the view's own), where no message from the server can have been
    handled yet; the server's answer then styles the rest of the chain."""
    open_app(page, server)
    point = page.evaluate("radixView.screenPoint('quadratus_lumborum_right')")
    assert point["hit"]
    page.evaluate("""() => { window.__seen = null; const before = radixView.frameCount;
      document.addEventListener('pointerup', () => { window.__seen = {
        style: radixView.style('quadratus_lumborum_right'), drawn: radixView.frameCount - before,
        answered: radixView.lastStyleSeq }; }, { once: true }); }""")
    base = page.evaluate("radixView.style('quadratus_lumborum_right').color")
    assert base != ROLE_COLOURS["muscle"]
    page.mouse.click(point["x"], point["y"])
    seen = page.evaluate("window.__seen")
    assert seen["style"]["color"] == ROLE_COLOURS["muscle"] and seen["style"]["opacity"] == 1
    assert seen["drawn"] == 1 and seen["answered"] is None
    wait_info(page, "Quadratus lumborum")
    page.wait_for_function("radixView.lastStyleSeq !== null", timeout=20_000)
    assert page.evaluate("radixView.style('quadratus_lumborum_right').color") == ROLE_COLOURS["muscle"]


def test_drag_rotates_without_picking(page, server):
    open_app(page, server)
    point = page.evaluate("radixView.screenPoint('gluteus_medius_left')")
    frames = page.evaluate("radixView.frameCount")
    page.mouse.move(point["x"], point["y"])
    page.mouse.down()
    page.mouse.move(point["x"] + 80, point["y"] + 10, steps=8)
    page.mouse.up()
    page.wait_for_timeout(400)
    assert page.evaluate("radixView.lastPicked") is None
    assert page.evaluate("radixView.frameCount") > frames, "orbiting did not redraw"
    assert "Where does it come from?" in info_text(page)


def test_deep_link_opens_selection(page, server):
    open_app(page, server, "?muscle=gluteus_medius&side=right")
    text = wait_info(page, "Gluteus medius")
    assert "right side" in text
    assert page.evaluate("radixView.style('gluteus_medius_right').color") == ROLE_COLOURS["muscle"]
    assert page.evaluate("radixView.style('gluteus_medius_left').opacity") < 0.5
    assert sorted(set(page.evaluate("radixView.markerCodes()"))) == ["BL25", "BL26", "EX-B2-L4", "EX-B2-L5", "GV3"]


def test_deep_link_to_a_muscle_group_selects_its_parts(page, server):
    # "glutes" is a name gluteus maximus, medius and minimus share: the group's card, every part
    # the body has lit as the selected muscle, and no "Unknown muscle".
    open_app(page, server, "?muscle=glutes&side=left")
    text = wait_info(page, "Glutes (group of 3)")
    assert "Unknown muscle" not in text and "left side" in text
    assert page.evaluate("radixView.style('gluteus_medius_left').color") == ROLE_COLOURS["muscle"]
    assert "muscle=glutes" in page.evaluate("location.search")


def test_deep_link_with_unknown_muscle_says_so(page, server):
    open_app(page, server, "?muscle=no_such_muscle_xyz")
    assert "Unknown muscle" in wait_info(page, "Unknown muscle")


def test_body_loads_in_one_request_and_selection_does_not_reload_meshes(page, server):
    open_app(page, server)
    meshes_before = mesh_urls(page.radix_log.responses)
    # Every structure came out of the one body file: one request, no GLB of its own.
    assert len(meshes_before) == 1 and "/meshes/packed/body-" in meshes_before[0]
    assert page.evaluate("radixView.packed") is True
    assert page.evaluate("radixView.loaded") == page.evaluate("radixView.total") > 0
    page.evaluate("radixView.pick('gluteus_medius_left')")
    wait_info(page, "Gluteus medius")
    page.evaluate("radixView.pick('quadratus_lumborum_left')")
    wait_info(page, "Quadratus lumborum")
    assert mesh_urls(page.radix_log.responses) == meshes_before


def test_loading_shows_the_bytes_of_the_body_as_they_come(page, server):
    open_app(page, server)
    log = page.evaluate("radixView.statusLog")
    total = page.evaluate("radixView.total")
    progress = [m for m in log if m.startswith("Loading the body…")]
    assert progress, log
    sizes = [re.fullmatch(r"Loading the body… ([\d.]+ [KM]B) of ([\d.]+ [KM]B)", m).groups() for m in progress]
    assert len({whole for _, whole in sizes}) == 1             # one total throughout
    assert sizes[-1][0] == sizes[-1][1]                         # and it ends complete
    assert log.index(progress[-1]) < log.index(f"Building {total} structures…")


def test_software_rasteriser_is_detected_and_drawn_without_multisampling(page, server):
    """The browser tests run WebGL on SwiftShader (no GPU): the view knows it and leaves
    antialiasing off there (a whole-body frame costs about three times as much with it)."""
    open_app(page, server)
    hook = page.evaluate("({renderer: radixView.renderer, software: radixView.software,"
                         " antialias: radixView.antialias, context: radixView.stats().antialias})")
    assert "SwiftShader" in hook["renderer"]
    assert hook["software"] is True
    assert hook["antialias"] is False and hook["context"] is False


def test_served_as_the_readme_serves_it_the_pack_is_preloaded_and_fetched_once(page, tmp_path):
    """``python -m viewer.app.serve`` (the README's start command): the page's response asks the
    browser to preload the pack, and the view's own fetch uses that download (one request)."""
    assets = write_synthetic_assets(tmp_path / "assets")
    srv = start_server(assets, tmp_path / "panel.log", compress=True)
    try:
        with page.expect_response(lambda r: r.url.split("?")[0].endswith("/app")) as first:
            page.goto(srv.app_url)
        page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)
        packs = [u for u in mesh_urls(page.radix_log.responses) if "/meshes/packed/body-" in u]
        assert len(packs) == 1 and page.evaluate("radixView.packed") is True
        link = first.value.headers.get("link", "")
        # relative to the page (/app): the same URL the view fetched
        assert link == f"<{packs[0].split(srv.url + '/', 1)[1]}>; rel=preload; as=fetch; crossorigin"
        assert mesh_urls(page.radix_log.responses) == packs                # and no GLB on its own
        assert page.radix_log.console_errors() == [] and page.radix_log.errors == []
    finally:
        stop_server(srv.process)


def test_panels_scripts_start_after_the_early_views_first_frame(page, server):
    """Bokeh's and Panel's scripts wait (page.html) until the early view has drawn the body:
    none is asked for before its first frame, and the app then boots and adopts the view."""
    open_app(page, server)
    got = page.evaluate("""() => ({marks: radixView.marks, boot: window.radixPanelBootAt,
        scripts: performance.getEntriesByType('resource')
          .filter((r) => /bokeh\\.min\\.js|panel\\.min\\.js/.test(r.name)).map((r) => r.startTime)})""")
    marks = got["marks"]
    assert got["boot"] is not None and got["boot"] >= marks["firstFrame"]
    assert len(got["scripts"]) == 2 and min(got["scripts"]) >= marks["firstFrame"], got
    assert marks["firstFrame"] <= marks["adopted"]
    assert page.radix_log.errors == [] and page.radix_log.console_errors() == []


def test_without_the_early_script_panel_boots_and_mounts_its_own_view(page, server):
    """When the early script cannot be fetched, Bokeh's and Panel's scripts still start (on the
    window's load) and the component loads and draws the body itself."""
    page.route("**/meshes/packed/early.js*", lambda route: route.abort())
    open_app(page, server)
    got = page.evaluate("""() => ({early: !!window.radixEarly, boot: window.radixPanelBootAt,
        loaded: radixView.loaded, total: radixView.total, frames: radixView.frameCount})""")
    assert not got["early"] and got["boot"] is not None
    assert got["loaded"] == got["total"] > 10 and got["frames"] >= 1
    assert page.radix_log.errors == []


def test_under_a_sub_path_the_early_script_finds_its_files_and_draws_the_body(page, tmp_path):
    """``panel serve --prefix /radix``: the page's early script, its first view and the body file
    are all reached under the prefix (their URLs are relative), the early view draws the body and
    Panel's component adopts it; nothing is asked for outside the prefix."""
    assets = write_synthetic_assets(tmp_path / "assets")
    srv = start_server(assets, tmp_path / "panel.log", compress=True, prefix="/radix")
    try:
        requests = []
        page.on("request", lambda r: requests.append(r.url.split("?")[0]))
        for _ in range(2):     # the first page, and one answered from the first session's template
            requests.clear()
            page.goto(srv.app_url)
            page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)
            got = page.evaluate("""() => ({early: !!window.radixEarly, marks: radixView.marks,
                                          packed: radixView.packed})""")
            assert got["early"] and got["packed"] is True
            assert got["marks"]["earlyStart"] < got["marks"]["firstFrame"] <= got["marks"]["adopted"]
            base = f"{srv.url}/radix/meshes/packed/"
            assert {base + "early.js", base + "first-view.json"} <= set(requests)
            assert [u for u in requests if "/meshes/" in u and not u.startswith(f"{srv.url}/radix/")] == []
            packs = [u for u in requests if "/meshes/packed/body-" in u]
            assert len(packs) == 1 and packs[0].startswith(base)
            # Everything the page asked for was there; Chromium's own favicon request (not in the
            # page's responses) is the one 404 a prefix leaves, and its console line the only one.
            assert [r for r in page.radix_log.responses if r[1] >= 400] == []
            errors = [e for e in page.radix_log.console_errors() if "status of 404" not in e]
            assert errors == [] and page.radix_log.errors == []
    finally:
        stop_server(srv.process)


def test_without_the_body_file_each_mesh_loads_on_its_own(page, tmp_path):
    """A body file that cannot be fetched (here: removed after the server wrote it) is not fatal:
    the view loads every structure's own GLB, says so in the console, and draws the body."""
    assets = write_synthetic_assets(tmp_path / "assets")
    srv = start_server(assets, tmp_path / "panel.log")
    try:
        # The server writes the pack with the first session's data; the page then finds it gone.
        page.goto(srv.app_url)
        # Wait for the whole first load: a request of the first page still in flight would
        # otherwise answer after clear() and be counted with the reload's (22 GLBs for 19).
        page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        packs = list((assets / "meshes" / "packed").glob("body-*.glb"))
        assert len(packs) == 1
        packs[0].unlink()
        page.radix_log.responses.clear()
        page.radix_log.console.clear()
        page.reload()
        page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)
        assert page.evaluate("radixView.packed") is False
        total = page.evaluate("radixView.total")
        assert page.evaluate("radixView.loaded") == total and page.evaluate("radixView.failed") == 0
        own = [u for u in mesh_urls(page.radix_log.responses) if "/meshes/packed/" not in u]
        assert len(own) == total                                   # each structure's own GLB, once
        assert any("body file could not be loaded" in text for _, text in page.radix_log.console)
        assert page.radix_log.errors == []
    finally:
        stop_server(srv.process)


def test_camera_presets_and_focus_redraw(page, server):
    open_app(page, server, "?muscle=gluteus_medius&side=left")
    for view in ("Front", "Left", "Right", "Oblique", "Back", "Focus"):
        frames = page.evaluate("radixView.frameCount")
        page.get_by_role("button", name=view, exact=True).last.click()
        page.wait_for_function(f"radixView.frameCount > {frames}", timeout=20_000)


def test_no_console_errors(page, server):
    open_app(page, server, "?muscle=gluteus_medius&side=left")
    wait_info(page, "Gluteus medius")
    page.evaluate("radixView.pick('quadratus_lumborum_right')")
    wait_info(page, "Quadratus lumborum")
    log = page.radix_log
    assert log.console_errors() == []
    assert log.errors == []
    assert log.failed == []
    assert [(u, s) for u, s in log.responses if s >= 400] == []
    assert _server_errors(server.log()) == []


def test_missing_atlas_shows_how_to_build_it(browser, tmp_path):
    empty = tmp_path / "assets"
    (empty / "meshes").mkdir(parents=True)
    srv = start_server(empty, tmp_path / "panel.log")
    try:
        page = browser.new_page()
        page.radix_log = PageLog(page)
        page.goto(srv.app_url)
        page.wait_for_selector("text=Radix cannot show the atlas yet", timeout=20_000)
        text = page.locator(".rx-info").first.inner_text()
        assert "python -m viewer.anatomy build" in text
        assert "For education and treatment planning, not for diagnosis." in text
        page.close()
    finally:
        stop_server(srv.process)
