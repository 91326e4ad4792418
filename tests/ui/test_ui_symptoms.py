""""Where does it hurt?" on the real body, in headless Chromium: a tap on the skin adds a mark,
the ranked roots follow, one tap opens a candidate's chain, and the marks live in the address
fragment (never the query) and come back after a reload. Skipped when the body is not built."""

from __future__ import annotations

import json
import time

import pytest

from harness.browser import (
    CHROMIUM, PROJECT, READY_TIMEOUT_MS, PageLog, ensure_bundle, info_text, start_server, stop_server,
)
from viewer.scene import ROLE_COLOURS

ASSETS = PROJECT / "assets"
STRUCTURES = ASSETS / "atlas" / "structures.json"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.skipif(not STRUCTURES.is_file(), reason="the body has not been built (no assets/atlas)"),
]


@pytest.fixture(scope="module")
def foot_dorsum():
    """A point on the skin of the left foot's dorsum (L5's territory), from the body's landmarks."""
    from viewer.atlas import load_atlas
    from viewer.body_regions import skin_map
    from viewer.knowledge import Level

    body = skin_map(load_atlas(ASSETS), muscles=False)
    return [float(v) for v in body.surface_level(Level("toe_web_2_3", "ankle_crease_anterior_mid", 0.4), "left")]


@pytest.fixture(scope="module")
def sym_server(tmp_path_factory):
    ensure_bundle()
    srv = start_server(ASSETS, tmp_path_factory.mktemp("sym-logs") / "panel.log")
    yield srv
    stop_server(srv.process)


def _open(page, url):
    page.goto(url)
    page.wait_for_function("() => window.radixView && window.radixView.ready === true",
                           timeout=READY_TIMEOUT_MS * 5)


def _symptoms(page) -> str:
    return page.locator(".rx-symptoms").first.inner_text()


def _wait_symptoms(page, text: str, absent: bool = False, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        last = _symptoms(page)
        if (text in last) != absent:
            return last
        time.sleep(0.1)
    raise AssertionError(f"the symptom panel never {'lost' if absent else 'showed'} {text!r}:\n{last}")


def test_a_tap_on_the_skin_ranks_roots_opens_the_chain_and_lives_in_the_fragment(sym_server, browser, foot_dorsum):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.radix_log = PageLog(page)
    try:
        _open(page, sym_server.app_url + "?mode=patient&side=left")
        page.locator(".rx-mark-kind button", has_text="Tingling").click()
        page.evaluate("radixView.setView('anterior')")
        # The view's own pick path: a real click where the foot's dorsum is drawn lands on the skin.
        deadline = time.monotonic() + 20
        while True:   # the camera may still be moving to the preset
            time.sleep(0.3)
            where = page.evaluate(f"radixView.screenOf({json.dumps(foot_dorsum)})")
            if where["skin"] is not None or time.monotonic() > deadline:
                break
        assert where["skin"] is not None, where
        hit = where["skin"]["position"]
        assert sum((a - b) ** 2 for a, b in zip(hit, foot_dorsum)) ** 0.5 < 30, (hit, foot_dorsum)
        for _ in range(3):    # a press held too long on a busy machine is a drag, not a click
            page.mouse.click(where["x"], where["y"])
            try:
                page.wait_for_function("() => radixView.markerCodes().includes('mark-1')", timeout=30_000)
                break
            except Exception:  # noqa: BLE001 - playwright's TimeoutError
                continue
        text = _wait_symptoms(page, "L5 root, left")
        assert "not a diagnosis" in text
        assert "Because" not in text and "lee2008" not in text   # patients get plain words only
        # In the fragment, never in the query.
        page.wait_for_function("() => location.hash.includes('marks=t:')", timeout=30_000)
        assert "marks" not in page.evaluate("location.search")
        url = page.url
        # One tap on the candidate opens the root's chain.
        page.locator(".rx-cand-root", has_text="L5 root").first.click()
        deadline = time.monotonic() + 60
        while "L5 nerve root" not in info_text(page):
            assert time.monotonic() < deadline, info_text(page)
            time.sleep(0.1)
        page.wait_for_function(f"() => radixView.style('root_L5_left').color === '{ROLE_COLOURS['nerve_root']}'",
                               timeout=60_000)
        assert "L5 root" in _symptoms(page)     # the consultation stays beside the chain
        # Practitioners see the reasons and their sources.
        page.locator(".bk-btn", has_text="Practitioner").first.click()
        _wait_symptoms(page, "dermatome")
        # A reload restores the marks from the fragment.
        _open(page, url)
        _wait_symptoms(page, "L5 root, left")
        page.wait_for_function("() => radixView.markerCodes().includes('mark-1')", timeout=60_000)
        # A mark is removable: the fragment loses it.
        page.locator(".rx-mark", has_text="Tingling").first.click()
        _wait_symptoms(page, "L5 root", absent=True)
        page.wait_for_function("() => !location.hash.includes('marks=')", timeout=30_000)
        assert page.radix_log.errors == []
    finally:
        context.close()
