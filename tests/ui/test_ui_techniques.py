"""Manual techniques in headless Chromium on the real body (the synthetic body has no skin to draw a
zone on): a level shows the cupping over its paraspinal zone, a muscle its stretch (with the
movement in words) and the cupping at its levels, one technique shown alone, the layer toggle; a
technique added to the plan (with Undo), kept over a reload, saved to a file and opened again, and
carried by a share link.
"""

from __future__ import annotations

import json
import time

import pytest

from harness.browser import CHROMIUM, PROJECT, READY_TIMEOUT_MS, PageLog, ensure_bundle, start_server, stop_server
from viewer.app.plan_ui import STORAGE_KEY
from viewer.knowledge import load_knowledge
from viewer.plan.model import PLAN_VERSION

ASSETS = PROJECT / "assets"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.skipif(not (ASSETS / "atlas" / "structures.json").is_file(), reason="the body has not been built"),
]


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    ensure_bundle()
    srv = start_server(ASSETS, tmp_path_factory.mktemp("techniques-logs") / "panel.log")
    yield srv
    stop_server(srv.process)


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(ASSETS)


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    yield ctx
    ctx.close()


def _open(page, server, query: str) -> None:
    page.goto(server.app_url + query)
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


def _zones(page) -> list[dict]:
    return page.evaluate("radixView.techniques().zones")


def _plan_techniques(page) -> list[tuple[str, str]]:
    return [tuple(x) for x in page.locator(".rx-plan-technique").evaluate_all(
        "els => els.map((e) => [e.dataset.technique, e.dataset.side])")]


def _stored(page) -> dict | None:
    raw = page.evaluate(f"localStorage.getItem({STORAGE_KEY!r})")
    return json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def page(context, real_server):
    pg = context.new_page()
    pg.radix_log = PageLog(pg)
    _open(pg, real_server, "?level=L4&side=both&mode=practitioner")
    return pg


def test_a_level_shows_the_cupping_over_its_paraspinal_zone(page, knowledge):
    zones = _wait(lambda: [z for z in _zones(page) if z["kind"] == "cupping"], "cupping zones for L4")
    assert {z["id"] for z in zones} == {"cupping_l1_l5"}
    assert {z["side"] for z in zones} == {"left", "right"}
    for z in zones:
        assert z["triangles"] > 50
        assert z["cups"] and z["cups"][0]["level"] == "L4"            # the first cup at the level chosen
        sign = 1 if z["side"] == "left" else -1
        assert all(c["position"][0] * sign > 0 for c in z["cups"])     # +X is the subject's left
    # the techniques panel: kind, name, cautions always shown, sources for the practitioner
    panel = page.locator(".rx-tq").first
    panel.wait_for(timeout=30_000)
    item = panel.locator('.rx-tq-item[data-technique="cupping_l1_l5"]')
    text = item.inner_text()
    t = knowledge.technique("cupping_l1_l5")
    assert "Cupping" in text and t.name in text
    for c in t.cautions:
        assert c.text in text
    item.locator("summary").click()
    assert knowledge.cite(t.sources) in item.inner_text()
    assert item.get_attribute("data-shown") == "true"
    # the layer off: nothing drawn; on again: drawn again
    toggle = page.locator(".rx-layer-techniques input")
    toggle.uncheck()
    _wait(lambda: _zones(page) == [], "no technique zones with the layer off")
    toggle.check()
    _wait(lambda: any(z["kind"] == "cupping" for z in _zones(page)), "the zones back with the layer on")
    assert page.radix_log.errors == []


def test_a_muscle_shows_its_stretch_and_the_cupping_at_its_levels(page, real_server, knowledge):
    _open(page, real_server, "?muscle=gluteus_medius&side=left&mode=patient")
    zones = _wait(lambda: _zones(page) if len(_zones(page)) >= 2 else None, "the stretch and the cupping")
    kinds = [z["kind"] for z in zones]
    assert kinds[0] == "stretch" and "cupping" in kinds
    assert all(z["side"] == "left" for z in zones)
    stretch = zones[0]
    movement = knowledge.technique(stretch["id"]).how.movement
    assert stretch["label"] == f"Stretch: {movement}" and stretch["strokes"] == 1
    # the movement in words, as a caption in the view
    _wait(lambda: f"Stretch: {movement}" in page.evaluate("radixView.techniques().caption"), "the movement caption")
    assert page.locator(".radix-technique-caption").is_visible()
    # patient mode: the plain explanation of stretch + paraspinal work, with its sources
    why = page.locator(".rx-tq-why")
    why.wait_for(timeout=30_000)
    e = knowledge.explanation("stretch_with_paraspinal")
    assert e.text in why.inner_text() and knowledge.cite(e.sources) in why.inner_text()
    assert page.locator('.rx-tq button[data-action="technique_add"]').count() == 0   # patients do not plan


def test_one_technique_shown_alone(page, real_server):
    _open(page, real_server, "?muscle=gluteus_medius&side=left&mode=practitioner")
    button = page.locator('.rx-tq-item[data-technique="gua_sha_gluteal"] button[data-action="technique_show"]')
    button.click()
    _wait(lambda: [z["id"] for z in _zones(page)] == ["gua_sha_gluteal"], "only the gua sha zone")
    assert _zones(page)[0]["strokes"] == 3
    page.locator('.rx-tq-item[data-technique="gua_sha_gluteal"] button[data-action="technique_show"]').click()
    _wait(lambda: len(_zones(page)) >= 2, "the default zones again")


def test_the_technique_shown_alone_is_in_the_link_and_a_link_restores_it(page, real_server):
    """"Show on body" puts ``technique=`` in the address; opening that address shows the same zone
    alone (and its button says Hide); an unknown technique in a link is named, not shown."""
    _open(page, real_server, "?muscle=gluteus_medius&side=left&mode=practitioner")
    page.locator('.rx-tq-item[data-technique="gua_sha_gluteal"] button[data-action="technique_show"]').click()
    _wait(lambda: "technique=gua_sha_gluteal" in page.evaluate("location.search"), "the technique in the link")
    link = page.evaluate("location.search")
    _open(page, real_server, "?mode=student")        # somewhere else first
    _wait(lambda: "technique=" not in page.evaluate("location.search"), "a link without the technique")
    _open(page, real_server, link)
    _wait(lambda: [z["id"] for z in _zones(page)] == ["gua_sha_gluteal"], "only the gua sha zone, from the link")
    shown = page.locator('.rx-tq-item[data-technique="gua_sha_gluteal"] button[data-action="technique_show"]')
    _wait(lambda: shown.inner_text().strip() == "Hide", "its button saying Hide")
    _open(page, real_server, "?muscle=gluteus_medius&side=left&mode=practitioner&technique=no_such_thing")
    _wait(lambda: "Unknown technique" in page.locator(".rx-info").first.inner_text(), "the link's note")
    _wait(lambda: len(_zones(page)) >= 2, "the default zones")


def test_a_technique_added_to_the_plan_is_saved_reopened_and_shared(page, real_server, context, tmp_path):
    _open(page, real_server, "?level=L4&side=both&mode=practitioner")
    add = page.locator('.rx-tq-item[data-technique="cupping_l1_l5"] button[data-action="technique_add"]')
    add.click()
    _wait(lambda: _plan_techniques(page) == [("cupping_l1_l5", "both")], "the cupping in the plan card")
    # Undo takes it out again
    page.locator('.rx-plan-msg button[data-action="undo"]').click()
    _wait(lambda: _plan_techniques(page) == [], "the plan without the cupping after Undo")
    page.locator('.rx-tq-item[data-technique="cupping_l1_l5"] button[data-action="technique_add"]').click()
    page.locator('.rx-tq-item[data-technique="gua_sha_l1_l5"] button[data-action="technique_add"]').click()
    _wait(lambda: _plan_techniques(page) == [("cupping_l1_l5", "both"), ("gua_sha_l1_l5", "both")], "two techniques")
    # order and note
    page.locator('.rx-plan-technique[data-technique="gua_sha_l1_l5"] button[data-action="t_up"]').click()
    _wait(lambda: [t for t, _ in _plan_techniques(page)] == ["gua_sha_l1_l5", "cupping_l1_l5"], "the new order")
    note = page.locator('.rx-plan-technique[data-technique="cupping_l1_l5"] input[data-action="t_note"]')
    note.fill("5 minutes, after the needles")
    note.press("Enter")
    stored = _wait(lambda: (s := _stored(page)) and s["techniques"] and s["techniques"][-1].get("note") and s,
                   "the techniques in localStorage")
    assert [t["id"] for t in stored["techniques"]] == ["gua_sha_l1_l5", "cupping_l1_l5"]
    assert stored["version"] == PLAN_VERSION
    # the plan's cautions include the techniques'
    assert "anticoagulants" in page.locator(".rx-plan-cautions").inner_text().lower()

    # reload: kept
    page.reload()
    page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS * 5)
    _wait(lambda: [t for t, _ in _plan_techniques(page)] == ["gua_sha_l1_l5", "cupping_l1_l5"], "after a reload")
    assert page.locator('.rx-plan-technique[data-technique="cupping_l1_l5"] input[data-action="t_note"]'
                        ).input_value() == "5 minutes, after the needles"

    # saved to a file, cleared, opened again
    with page.expect_download() as info:
        page.locator(".rx-plan-save button").click()
    saved = tmp_path / "plan.json"
    info.value.save_as(saved)
    doc = json.loads(saved.read_text())
    assert [t["id"] for t in doc["techniques"]] == ["gua_sha_l1_l5", "cupping_l1_l5"]
    page.locator('.rx-plan button[data-action="clear"]').click()
    _wait(lambda: _plan_techniques(page) == [], "a cleared plan")
    page.locator(".rx-plan-open input[type=file]").set_input_files(str(saved))
    _wait(lambda: [t for t, _ in _plan_techniques(page)] == ["gua_sha_l1_l5", "cupping_l1_l5"], "the opened file")

    # a share link carries them, read-only
    page.locator('.rx-plan button[data-action="share"]').click()
    link = _wait(lambda: page.locator(".rx-plan-share input").input_value() if page.locator(
        ".rx-plan-share input").count() else None, "the share link")
    assert "#plan=" in link
    other = context.browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        shared = other.new_page()
        shared.radix_log = PageLog(shared)
        shared.goto(link)
        shared.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS * 5)
        _wait(lambda: [t for t, _ in _plan_techniques(shared)] == ["gua_sha_l1_l5", "cupping_l1_l5"],
              "the techniques in the shared plan")
        assert "Shared plan, read-only" in shared.locator(".rx-plan").first.inner_text()
        assert shared.locator('.rx-plan-technique button[data-action="t_remove"]').count() == 0
        assert "5 minutes, after the needles" in shared.locator(".rx-plan").first.inner_text()
        assert shared.radix_log.errors == []
    finally:
        other.close()
    assert page.radix_log.errors == []
