"""Symptom marks travel with a plan, in headless Chromium on the real body: marks placed ("Where
does it hurt?", through the ``#marks=`` fragment the tap path writes), the plan saved as a file
and shared as a link carry them with the ranked roots; the share link opened in another browser,
and the file opened in a third, bring the marks back, the ranking and the ``#marks=`` fragment
with them. Skipped when the body is not built."""

from __future__ import annotations

import json
import time

import pytest

from harness.browser import CHROMIUM, PROJECT, READY_TIMEOUT_MS, PageLog, ensure_bundle, start_server, stop_server
from viewer.app.plan_ui import STORAGE_KEY
from viewer.plan import Plan, add_point, dumps, loads

ASSETS = PROJECT / "assets"
STRUCTURES = ASSETS / "atlas" / "structures.json"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.skipif(not STRUCTURES.is_file(), reason="the body has not been built (no assets/atlas)"),
]

PRACTITIONER = "?muscle=gluteus_medius&side=left&mode=practitioner"


@pytest.fixture(scope="module")
def marks():
    """The fragment value of a tingling mark on the left foot's dorsum (L5) and weak long toe
    extensors, from the body's landmarks."""
    from viewer.app.symptoms_ui import Mark, format_marks
    from viewer.atlas import load_atlas
    from viewer.body_regions import skin_map
    from viewer.knowledge import Level

    body = skin_map(load_atlas(ASSETS), muscles=False)
    foot = body.surface_level(Level("toe_web_2_3", "ankle_crease_anterior_mid", 0.4), "left")
    return format_marks([Mark("tingling", tuple(int(round(v)) for v in foot))], ["long_toe_extensors"])


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    ensure_bundle()
    srv = start_server(ASSETS, tmp_path_factory.mktemp("plan-sym-logs") / "panel.log")
    yield srv
    stop_server(srv.process)


@pytest.fixture(scope="module")
def k():
    from viewer.knowledge import load_knowledge

    return load_knowledge(ASSETS)


def _context(browser, plan: Plan | None = None):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    if plan is not None:
        ctx.add_init_script(f"localStorage.setItem({STORAGE_KEY!r}, {json.dumps(dumps(plan))});")
    page = ctx.new_page()
    page.radix_log = PageLog(page)
    return ctx, page


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.radixView && window.radixView.ready === true",
                           timeout=READY_TIMEOUT_MS * 5)


def _wait(check, what: str, timeout_s: float = 60.0):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


def _symptoms(page) -> str:
    return page.locator(".rx-symptoms").first.inner_text()


def _marks_restored(page, marks: str) -> None:
    """The ranking shown, the mark drawn and the fragment holding the marks."""
    _wait(lambda: "L5 root, left" in _symptoms(page), "the ranked L5 root")
    page.wait_for_function("() => radixView.markerCodes().includes('mark-1')", timeout=60_000)
    page.wait_for_function(f"() => location.hash.includes({('marks=' + marks)!r})", timeout=30_000)
    assert "marks" not in page.evaluate("location.search")


def test_marks_go_with_the_saved_and_shared_plan_and_come_back(browser, real_server, k, marks, tmp_path):
    plan = add_point(add_point(Plan(title="Leg, left"), "BL25", "both", k), "GB34", "left", k)
    ctx, page = _context(browser, plan)
    try:
        _open(page, real_server.app_url + PRACTITIONER + "#marks=" + marks)
        _marks_restored(page, marks)
        # Saved: the file holds the marks, the weakness and the ranked roots (L5 first).
        with page.expect_download(timeout=60_000) as info:
            page.locator(".rx-plan-save button").click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        doc = json.loads(saved.read_text())
        assert doc["version"] == 3
        assert [m["kind"] for m in doc["symptoms"]["marks"]] == ["tingling"]
        assert doc["symptoms"]["weakness"] == ["long_toe_extensors"]
        assert doc["symptoms"]["candidates"][0] == {**doc["symptoms"]["candidates"][0], "root": "L5", "side": "left"}
        assert loads(saved.read_bytes(), k).symptoms.marks[0].side == "left"
        # The plan kept in this browser holds no marks: they stay in the session until shared.
        stored = json.loads(page.evaluate(f"localStorage.getItem({STORAGE_KEY!r})"))
        assert "symptoms" not in stored
        # Shared: the link carries them.
        page.locator('button[data-action="share"]').click()
        link = page.locator(".rx-plan-share input")
        link.wait_for(timeout=20_000)
        url = link.input_value()
        assert url.startswith(real_server.app_url + "#plan=") and "marks=" not in url
        assert page.radix_log.errors == []
    finally:
        ctx.close()

    # The share link in another browser: the shared plan, its marks, the ranking, the fragment.
    ctx, page = _context(browser)
    try:
        _open(page, url)
        _wait(lambda: page.locator(".rx-plan-banner").count() > 0, "the shared plan's banner")
        _marks_restored(page, marks)
        assert page.radix_log.errors == []
    finally:
        ctx.close()

    # The saved file opened in a third browser, which had no marks: they come back.
    ctx, page = _context(browser)
    try:
        _open(page, real_server.app_url + PRACTITIONER)
        assert "marks=" not in page.evaluate("location.hash")
        page.locator(".rx-plan-open input[type=file]").set_input_files(str(saved))
        _wait(lambda: page.locator(".rx-plan-item").count() == 2, "the opened plan's points")
        assert "1 mark)" in page.locator(".rx-plan").first.inner_text()
        _marks_restored(page, marks)
        assert page.radix_log.errors == []
    finally:
        ctx.close()
