"""Tablets and phones in headless Chromium with touch: the layout (viewer/app/layout.py) and the touch
handling of the 3D view (viewer/app/view/touch.js, picking.js).

At 1024x768 (tablet landscape), 768x1024 (tablet portrait), 390x844 (phone) and 844x390 (a phone
held sideways), in a mobile context with a touch screen: the canvas covers at least half the
viewport and nothing scrolls sideways; the page's title is read whole (a phone held sideways gives
the header's height to the view); a tap on a muscle selects it and its roots show; a pinch changes
the camera's distance; every control opens in reach (the drawer's inputs and buttons visible,
inside the viewport and at least 44 pixels); a long press names a structure without selecting it.
The desktop keeps its three columns.
"""

from __future__ import annotations

import re
import time

import pytest

from harness.browser import CHROMIUM, PageLog, open_app, wait_info
from viewer.app.layout import SHEET_WIDTH_PX, TAP_TARGET_PX
from viewer.scene import ROLE_COLOURS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

SIZES = {"tablet-landscape": (1024, 768), "tablet-portrait": (768, 1024), "phone": (390, 844),
         "phone-landscape": (844, 390)}
MUSCLE = "gluteus_medius_left"


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def touch_page(request, browser):
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True,
                                  is_mobile=True, device_scale_factor=1)
    pg = context.new_page()
    pg.radix_log = PageLog(pg)
    pg.size = (width, height)
    yield pg
    context.close()


def _viewport_area_covered(page, selector: str) -> float:
    """Share of the viewport an element covers (its box clipped to the viewport)."""
    box = page.locator(selector).first.bounding_box()
    width, height = page.size
    w = max(0.0, min(box["x"] + box["width"], width) - max(box["x"], 0.0))
    h = max(0.0, min(box["y"] + box["height"], height) - max(box["y"], 0.0))
    return w * h / (width * height)


def _assert_tappable(page, locator, what: str) -> None:
    """Visible, wholly inside the viewport (after scrolling its own list) and 44 px or more."""
    locator.scroll_into_view_if_needed()
    assert locator.is_visible(), f"{what} is not visible"
    box = locator.bounding_box()
    width, height = page.size
    assert box["x"] >= -0.5 and box["y"] >= -0.5, f"{what} starts outside the viewport: {box}"
    assert box["x"] + box["width"] <= width + 0.5 and box["y"] + box["height"] <= height + 0.5, \
        f"{what} ends outside the viewport: {box}"
    assert box["height"] >= TAP_TARGET_PX - 0.5 and box["width"] >= TAP_TARGET_PX - 0.5, \
        f"{what} is smaller than {TAP_TARGET_PX} px: {box}"


def _no_sideways_scroll(page) -> None:
    sizes = page.evaluate("({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
                          " inner: innerWidth})")
    assert sizes["doc"] <= sizes["inner"] and sizes["body"] <= sizes["inner"], sizes


def test_view_gets_most_of_the_screen_and_nothing_scrolls_sideways(touch_page, server):
    open_app(touch_page, server, "?muscle=gluteus_medius&side=left")
    wait_info(touch_page, "Gluteus medius")
    assert _viewport_area_covered(touch_page, "canvas.radix-canvas") >= 0.5
    _no_sideways_scroll(touch_page)
    # The explanation is beside or under the view, not over it.
    view = touch_page.locator("canvas.radix-canvas").bounding_box()
    sheet = touch_page.locator(".rx-info").first.bounding_box()
    beside = sheet["x"] >= view["x"] + view["width"] - 1
    under = sheet["y"] >= view["y"] + view["height"] - 1
    assert beside or under, (view, sheet)
    assert touch_page.get_by_text("not for diagnosis").first.is_visible()
    # The controls wait in a closed drawer.
    assert not touch_page.locator("#sidebar").is_visible()
    assert touch_page.locator(".rx-drawer-toggle").get_attribute("aria-expanded") == "false"


def test_tap_on_a_muscle_selects_it_and_shows_its_roots(touch_page, server):
    open_app(touch_page, server)
    at = touch_page.evaluate(f"radixView.screenPoint({MUSCLE!r})")
    assert at["hit"], at
    touch_page.touchscreen.tap(at["x"], at["y"])
    text = wait_info(touch_page, "Gluteus medius")
    for root in ("L4", "L5", "S1"):
        assert re.search(rf"\b{root}\b", text), f"root {root} missing from the info panel"
    touch_page.wait_for_function(f"radixView.style({MUSCLE!r}).color === {ROLE_COLOURS['muscle']!r}")
    assert touch_page.evaluate("radixView.lastPicked.acronym") == MUSCLE


def test_pinch_changes_the_zoom(touch_page, server):
    open_app(touch_page, server)
    before = touch_page.evaluate("radixView.cameraDistance()")
    box = touch_page.locator("canvas.radix-canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = touch_page.context.new_cdp_session(touch_page)

    def touches(kind, spread):
        points = [{"x": cx - spread, "y": cy, "id": 1}, {"x": cx + spread, "y": cy, "id": 2}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else points})

    touches("touchStart", 30)
    for spread in range(40, 131, 10):      # fingers apart: zoom in
        touches("touchMove", spread)
    touches("touchEnd", 130)
    touch_page.wait_for_function(f"radixView.cameraDistance() < {before} * 0.8", timeout=10_000)
    closer = touch_page.evaluate("radixView.cameraDistance()")
    touches("touchStart", 120)
    for spread in range(110, 29, -10):     # together: zoom out
        touches("touchMove", spread)
    touches("touchEnd", 30)
    touch_page.wait_for_function(f"radixView.cameraDistance() > {closer} * 1.2", timeout=10_000)
    assert touch_page.evaluate("radixView.lastPicked") is None, "a pinch must not pick"


def test_every_control_is_in_reach(touch_page, server):
    open_app(touch_page, server)
    page = touch_page
    toggle = page.locator(".rx-drawer-toggle")
    _assert_tappable(page, toggle, "the drawer's toggle")
    for name in ("Back", "Front", "Left", "Right", "Oblique", "Focus"):   # camera presets: one tap
        _assert_tappable(page, page.locator(".radix-toolbar").get_by_role("button", name=name, exact=True),
                         f"the {name} camera button")
    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    drawer = page.locator("#sidebar")
    page.wait_for_function("getComputedStyle(document.getElementById('sidebar')).transform === 'none'")
    controls = [
        (drawer.locator("input[placeholder^='e.g. glute']"), "the muscle search"),
        (drawer.locator("select").first, "the region list"),
        (drawer.locator("select").nth(1), "the level list"),
        *[(drawer.get_by_role("button", name=n, exact=True), f"the {n} button")
          for n in ("Left", "Right", "Both", "Patient", "Student", "Practitioner", "Off", "Pain", "Tingling")],
        (drawer.locator(".rx-layer-muscle input[type=checkbox]"), "the muscles layer"),
        (drawer.locator(".rx-isolate input[type=checkbox]"), "isolate"),
        (drawer.locator(".rx-opacity-muscle .noUi-handle"), "the muscles' opacity slider"),
    ]
    for locator, what in controls:
        _assert_tappable(page, locator.first, what)
    isolate = drawer.locator(".rx-isolate input[type=checkbox]")
    assert not isolate.is_checked()
    isolate.scroll_into_view_if_needed()   # a short screen scrolled the drawer on to the slider
    box = isolate.bounding_box()       # a tap near the edge of the 44-pixel target still toggles it
    page.touchscreen.tap(box["x"] + 4, box["y"] + box["height"] - 4)
    assert isolate.is_checked()
    isolate.tap()
    assert not isolate.is_checked()
    _no_sideways_scroll(page)
    # A choice in the drawer closes it and shows the result.
    drawer.locator("select").first.select_option(label="Gluteus medius")
    wait_info(page, "Gluteus medius")
    page.wait_for_function("document.querySelector('#sidebar') && "
                           "getComputedStyle(document.getElementById('sidebar')).visibility === 'hidden'",
                           timeout=10_000)
    assert toggle.get_attribute("aria-expanded") == "false"
    # Escape closes it too, and gives the focus back to the toggle.
    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    # Choosing Pain (to tap where it hurts) closes it, so the body can be tapped.
    toggle.tap()
    drawer.get_by_role("button", name="Pain", exact=True).tap()
    page.wait_for_function("getComputedStyle(document.getElementById('sidebar')).visibility === 'hidden'",
                           timeout=10_000)
    assert toggle.get_attribute("aria-expanded") == "false"


def test_a_tap_beside_a_thin_structure_still_picks_it(touch_page, server):
    """A finger that lands a few pixels off the edge picks what it meant; a mouse there picks nothing."""
    open_app(touch_page, server)
    spot = touch_page.evaluate("""(key) => {
      const c = radixView.screenPoint(key);
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, 1], [1, -1], [-1, -1]]) {
        let x = c.x, y = c.y;
        for (let i = 0; i < 400; i += 1) {        // walk to the edge of the silhouette
          const h = radixView.hitAt(x + dx, y + dy);
          if (!h || String(h.acronym) !== key) break;
          x += dx; y += dy;
        }
        const n = Math.hypot(dx, dy);
        const off = { x: x + (dx / n) * 7, y: y + (dy / n) * 7 };
        if (radixView.hitAt(off.x, off.y) === null) return off;
      }
      return null;
    }""", MUSCLE)
    assert spot is not None, "no empty spot found beside the muscle"
    assert touch_page.evaluate(f"radixView.hitNear({spot['x']}, {spot['y']}).acronym") == MUSCLE
    touch_page.touchscreen.tap(spot["x"], spot["y"])
    wait_info(touch_page, "Gluteus medius")


def test_long_press_names_a_structure_without_selecting_it(touch_page, server):
    open_app(touch_page, server)
    at = touch_page.evaluate(f"radixView.screenPoint({MUSCLE!r})")
    cdp = touch_page.context.new_cdp_session(touch_page)
    point = [{"x": at["x"], "y": at["y"], "id": 1}]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point})
    name = touch_page.locator(".radix-pressname")
    name.wait_for(state="visible", timeout=5_000)
    time.sleep(0.2)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert "Gluteus medius" in name.inner_text()
    box = name.bounding_box()
    assert box["y"] + box["height"] <= at["y"], "the name must show above the finger, not under it"
    time.sleep(0.5)
    assert touch_page.evaluate("radixView.lastPicked") is None, "a long press must not select"


def test_desktop_keeps_its_three_columns(page, server):
    """At 1440x900 with a mouse: the side bar is shown, the drawer's toggle is not, and the
    explanation keeps its column beside the view."""
    open_app(page, server)
    assert page.locator("#sidebar").is_visible()
    assert page.locator("input[placeholder^='e.g. glute']").is_visible()
    assert not page.locator(".rx-drawer-toggle").is_visible()
    sheet = page.locator(".rx-sheet").first.bounding_box()
    assert abs(sheet["width"] - 440) <= 1 and sheet["width"] != SHEET_WIDTH_PX
    assert page.get_by_role("button", name="Back", exact=True).bounding_box()["height"] < TAP_TARGET_PX


def test_phone_held_landscape_fits_the_screen(browser, server):
    """844x390: the view and the explanation side by side, the canvas whole inside the viewport
    (the view's desktop minimum height gives way) and most of it; the header gives its height to
    the view, its button floating over the view's lower left corner, clear of the explanation."""
    context = browser.new_context(viewport={"width": 844, "height": 390}, has_touch=True, is_mobile=True,
                                  device_scale_factor=1)
    try:
        page = context.new_page()
        page.radix_log = PageLog(page)
        page.size = (844, 390)
        open_app(page, server)
        canvas = page.locator("canvas.radix-canvas").bounding_box()
        assert canvas["y"] + canvas["height"] <= 390 + 0.5, canvas
        assert _viewport_area_covered(page, "canvas.radix-canvas") >= 0.55
        sheet = page.locator(".rx-info").first.bounding_box()
        assert sheet["x"] >= canvas["x"] + canvas["width"] - 1, (canvas, sheet)
        toggle = page.locator(".rx-drawer-toggle")
        _assert_tappable(page, toggle, "the drawer's toggle")
        button = toggle.bounding_box()
        assert button["x"] + button["width"] <= canvas["x"] + canvas["width"], (button, canvas)
        assert button["y"] >= canvas["y"] + canvas["height"] / 2, (button, canvas)   # the lower corner
        assert not page.locator("#header .title").is_visible()
        _no_sideways_scroll(page)
    finally:
        context.close()


def test_the_title_is_read_whole(touch_page, server):
    """The header's title is not cut: on a phone it wraps (the drawer's button is its icon, named
    by its words); held sideways the header gives way to the view and the title goes."""
    open_app(touch_page, server)
    title = touch_page.locator("#header .title")
    width, height = touch_page.size
    if width > height and height <= 500:
        assert not title.is_visible()
        return
    assert title.is_visible()
    fit = title.evaluate("(t) => ({sw: t.scrollWidth, cw: t.clientWidth, sh: t.scrollHeight, ch: t.clientHeight,"
                         " size: parseFloat(getComputedStyle(t).fontSize), right: t.getBoundingClientRect().right})")
    assert fit["sw"] <= fit["cw"] + 1 and fit["sh"] <= fit["ch"] + 1, fit      # nothing clipped or ellipsised
    assert fit["size"] >= 13 and fit["right"] <= width, fit
    toggle = touch_page.get_by_role("button", name="Search & layers")
    _assert_tappable(touch_page, toggle, "the drawer's toggle, by its name")


def test_read_more_lets_the_explanation_take_the_screen_and_back(touch_page, server):
    """Portrait: "Read more" over the explanation gives it most of the height (the view keeps a
    strip), "Show the body" docks it again; landscape has room beside the view and no such bar."""
    open_app(touch_page, server, "?muscle=gluteus_medius&side=left")
    wait_info(touch_page, "Gluteus medius")
    bar = touch_page.locator(".rx-sheet-toggle")
    width, height = touch_page.size
    if width > height:
        assert not bar.is_visible()
        return
    _assert_tappable(touch_page, bar, "Read more")
    docked = touch_page.locator(".rx-sheet").first.bounding_box()["height"]
    bar.tap()
    assert bar.get_attribute("aria-expanded") == "true" and "Show the body" in bar.inner_text()
    deadline = time.monotonic() + 10
    while touch_page.locator(".rx-sheet").first.bounding_box()["height"] < docked * 1.5:
        assert time.monotonic() < deadline, "the explanation did not grow"
        time.sleep(0.1)
    assert touch_page.locator("canvas.radix-canvas").bounding_box()["height"] >= 0.15 * height
    bar.tap()
    assert bar.get_attribute("aria-expanded") == "false" and "Read more" in bar.inner_text()
    deadline = time.monotonic() + 10
    while _viewport_area_covered(touch_page, "canvas.radix-canvas") < 0.5:
        assert time.monotonic() < deadline, "the view did not come back"
        time.sleep(0.1)
