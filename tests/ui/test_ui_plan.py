"""The plan builder in headless Chromium: build, reload, handout PDF, clear and undo, a broken
file, share links, and two browsers that never see each other's plan.

Runs on the synthetic body of ``harness/synthetic.py`` (same fixtures as ``test_ui_app.py``).
The plan lives in the browser's ``localStorage``, so every test opens its own browser context.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from harness.browser import CHROMIUM, PageLog, READY_TIMEOUT_MS, info_text, open_app
from viewer.app.plan_ui import STORAGE_KEY
from viewer.plan import Plan, add_point, dumps, loads, set_item_note, share_token

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

PRACTITIONER = "?muscle=gluteus_medius&side=left&mode=practitioner"


@pytest.fixture()
def context(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    yield ctx
    ctx.close()


def _page(context):
    page = context.new_page()
    page.radix_log = PageLog(page)
    return page


def _wait(check, what: str, timeout_s: float = 30.0, every_s: float = 0.1):
    """Poll ``check()`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every_s)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


def _items(page) -> list[tuple[str, str]]:
    """(code, side) of each plan item on screen, in order (the card lives in a shadow root;
    Playwright's CSS locators pierce it)."""
    return [tuple(x) for x in page.locator(".rx-plan-item").evaluate_all(
        "els => els.map((e) => [e.dataset.code, e.dataset.side])")]


def _wait_items(page, expected: list[tuple[str, str]], timeout_s: float = 40.0) -> None:
    _wait(lambda: _items(page) == expected, f"plan items {expected} (on screen: {_items(page)})", timeout_s)


def _add(page, code: str, side_button: str) -> None:
    page.locator(f'.rx-plan-cand[data-code="{code}"] button', has_text=side_button).first.click()


def _stored(page) -> dict | None:
    raw = page.evaluate(f"localStorage.getItem({STORAGE_KEY!r})")
    return json.loads(raw) if raw else None


def _status(page) -> str:
    """The handout's progress line (a Panel HTML pane: its text is in a shadow root)."""
    found = page.locator(".rx-plan-status .rx-plan-msg")
    return found.first.inner_text() if found.count() else ""


def _plan_text(page) -> str:
    return page.locator(".rx-plan").first.inner_text()


def _seed(context, plan: Plan) -> None:
    """Put ``plan`` into the context's localStorage before the first page load (once only, so a
    reload sees what the app wrote, not the seed again)."""
    context.add_init_script(
        "if (!sessionStorage.getItem('radix-test-seeded')) {"
        f"  localStorage.setItem({STORAGE_KEY!r}, {json.dumps(dumps(plan))});"
        "  sessionStorage.setItem('radix-test-seeded', '1');"
        "}")


def _small_plan(k) -> Plan:
    plan = add_point(Plan(title="Low back, left"), "BL25", "both", k)
    plan = add_point(plan, "GV3", "midline", k)
    return set_item_note(plan, 0, "gentle, 1 cun")


@pytest.fixture(scope="module")
def knowledge(synthetic_data):
    return synthetic_data.knowledge


# --- building ---------------------------------------------------------------------------------------

def test_build_a_plan_and_it_survives_a_reload(context, server):
    page = _page(context)
    open_app(page, server, PRACTITIONER)
    page.locator('.rx-plan-cand[data-code="BL25"]').wait_for(timeout=30_000)
    assert _stored(page) is None                      # nothing kept before the first edit
    _add(page, "BL25", "Both")
    _wait_items(page, [("BL25", "both")])
    _add(page, "GV3", "Add")                           # a midline point has one button
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])
    _add(page, "EX-B2-L4", "L")
    _add(page, "EX-B2-L4", "R")                        # the other side makes it "both", no duplicate
    _wait_items(page, [("BL25", "both"), ("GV3", "midline"), ("EX-B2-L4", "both")])
    page.locator('.rx-plan-item[data-code="EX-B2-L4"] button[data-action="up"]').click()
    _wait_items(page, [("BL25", "both"), ("EX-B2-L4", "both"), ("GV3", "midline")])
    note = page.locator('.rx-plan-item[data-code="BL25"] input[data-action="note"]')
    note.fill("gentle, 1 cun")
    note.press("Enter")
    plan_note = page.locator('textarea[data-action="plan_note"]')
    plan_note.fill("Twice a week; stop if the pain spreads.")
    plan_note.blur()
    stored = _wait(lambda: (s := _stored(page)) and s.get("note") and s, "the plan note in localStorage")
    assert [(i["code"], i["side"]) for i in stored["items"]] == [("BL25", "both"), ("EX-B2-L4", "both"),
                                                                ("GV3", "midline")]
    assert stored["items"][0]["note"] == "gentle, 1 cun"
    assert stored["subject"] == {"muscle": "gluteus_medius", "side": "left"}
    # The plan's cautions are listed: GV3 carries the spinal-canal caution in the fixture.
    assert "spinal canal" in page.locator(".rx-plan-cautions").inner_text().lower()
    # The plan is drawn in the 3D view: a numbered marker per planned side.
    labels = _wait(lambda: [x for x in page.evaluate("radixView.labels()") if x.startswith(("1 ", "2 ", "3 "))],
                   "numbered plan markers")
    assert {"1 BL25", "2 EX-B2-L4", "3 GV3"} <= set(labels)
    assert page.evaluate("radixView.markerCodes()").count("BL25") == 2   # left and right, once each

    page.reload()
    page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)
    _wait_items(page, [("BL25", "both"), ("EX-B2-L4", "both"), ("GV3", "midline")])
    assert page.locator('.rx-plan-item[data-code="BL25"] input[data-action="note"]').input_value() == "gentle, 1 cun"
    assert page.locator('textarea[data-action="plan_note"]').input_value().startswith("Twice a week")
    # A planned point's code opens its card in the info panel.
    page.locator('.rx-plan-item[data-code="GV3"] button[data-action="point"]').click()
    _wait(lambda: "On this model" in info_text(page) and "GV3" in info_text(page), "the GV3 point card")
    assert page.radix_log.errors == []


def test_patient_mode_shows_the_plan_plainly_and_nothing_without_one(context, server, knowledge):
    _seed(context, _small_plan(knowledge))
    page = _page(context)
    open_app(page, server, "?muscle=gluteus_medius&side=left&mode=patient")
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])
    card = page.locator(".rx-plan").first
    text = card.inner_text()
    assert "Large Intestine Shu" in text or knowledge.point("BL25").english in text
    assert "BL25" not in text and "GV3" not in text                # no codes for patients
    assert "gentle, 1 cun" in text                                # the practitioner's note is shown
    for selector in ('input[data-action="note"]', 'button[data-action="remove"]', ".rx-plan-cand",
                     'button[data-action="share"]'):
        assert page.locator(selector).count() == 0, selector
    assert not page.locator(".rx-plan-open").is_visible()         # no file tools, only the handout
    assert page.locator(".rx-plan-handout").is_visible()
    assert page.locator(".rx-plan-cautions").is_visible()
    page.evaluate(f"localStorage.removeItem({STORAGE_KEY!r})")
    page.reload()
    page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    assert not page.locator(".rx-plan-card").is_visible()         # no plan: no card for a patient
    page.get_by_role("button", name="Student", exact=True).click()
    page.wait_for_timeout(1500)
    assert not page.locator(".rx-plan-card").is_visible()         # nor for a student
    page.get_by_role("button", name="Practitioner", exact=True).click()
    page.locator(".rx-plan-card").wait_for(state="visible", timeout=20_000)   # practitioners plan
    assert page.radix_log.errors == []


def test_two_browsers_do_not_share_a_plan(browser, server, knowledge):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(2)]
    try:
        _seed(contexts[0], _small_plan(knowledge))
        a, b = (_page(c) for c in contexts)
        for pg in (a, b):
            open_app(pg, server, PRACTITIONER)
        _wait_items(a, [("BL25", "both"), ("GV3", "midline")])
        b.locator('.rx-plan-cand[data-code="BL26"]').wait_for(timeout=30_000)
        _add(b, "BL26", "R")
        _wait_items(b, [("BL26", "right")])
        a.wait_for_timeout(800)
        assert _items(a) == [("BL25", "both"), ("GV3", "midline")]
        assert [i["code"] for i in _stored(a)["items"]] == ["BL25", "GV3"]
        assert [i["code"] for i in _stored(b)["items"]] == ["BL26"]
    finally:
        for c in contexts:
            c.close()


# --- clear and undo, files ------------------------------------------------------------------------------

def test_clear_then_undo_restores_the_plan(context, server, knowledge):
    _seed(context, _small_plan(knowledge))
    page = _page(context)
    open_app(page, server, PRACTITIONER)
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])
    page.locator('button[data-action="clear"]').click()
    _wait_items(page, [])
    assert "Plan cleared" in _plan_text(page)
    _wait(lambda: _stored(page) is None, "the cleared plan removed from localStorage")
    page.locator('.rx-plan-msg button[data-action="undo"]').click()
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])
    stored = _wait(lambda: _stored(page), "the restored plan in localStorage")
    assert stored["items"][0]["note"] == "gentle, 1 cun"


def test_a_broken_plan_file_names_the_field_and_keeps_the_plan(context, server, knowledge):
    _seed(context, _small_plan(knowledge))
    page = _page(context)
    open_app(page, server, PRACTITIONER)
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])
    broken = {"format": "radix-plan", "version": 1, "title": "Old plan",
              "items": [{"code": "BL25", "side": "both"}, {"code": "BL26", "side": "sideways"}]}
    page.locator(".rx-plan-open input[type=file]").set_input_files(
        files=[{"name": "old<plan>.json", "mimeType": "application/json",
                "buffer": json.dumps(broken).encode()}])
    error = page.locator(".rx-plan-msg-error")
    error.wait_for(timeout=30_000)
    text = error.inner_text()
    assert "old<plan>.json" in text                            # the file, shown as text (escaped)
    assert "BL26" in text and "side" in text                   # the record and the field
    assert "unchanged" in text
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])  # the current plan is kept
    assert [i["code"] for i in _stored(page)["items"]] == ["BL25", "GV3"]
    # Not JSON at all: a clear message too, and still the same plan.
    page.locator(".rx-plan-open input[type=file]").set_input_files(
        files=[{"name": "notes.json", "mimeType": "application/json", "buffer": b"{not json"}])
    _wait(lambda: "not valid JSON" in page.locator(".rx-plan-msg-error").inner_text(), "the JSON error")
    assert _items(page) == [("BL25", "both"), ("GV3", "midline")]
    assert page.radix_log.errors == []


def test_save_then_open_the_file_in_another_browser(browser, context, server, knowledge, tmp_path):
    _seed(context, _small_plan(knowledge))
    page = _page(context)
    open_app(page, server, PRACTITIONER)
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])
    with page.expect_download(timeout=60_000) as info:
        page.locator(".rx-plan-save button").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".json"
    plan = loads(saved.read_bytes(), knowledge, source=saved.name)
    assert [(i.code, i.side, i.note) for i in plan.items] == [("BL25", "both", "gentle, 1 cun"),
                                                              ("GV3", "midline", "")]
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page2 = _page(other)
        open_app(page2, server, PRACTITIONER)
        page2.locator('.rx-plan-cand[data-code="BL26"]').wait_for(timeout=30_000)
        _add(page2, "BL26", "L")
        _wait_items(page2, [("BL26", "left")])
        page2.locator(".rx-plan-open input[type=file]").set_input_files(str(saved))
        _wait_items(page2, [("BL25", "both"), ("GV3", "midline")])
        assert "Opened" in _plan_text(page2)
        page2.locator('.rx-plan-msg button[data-action="undo"]').click()   # opening can be undone too
        _wait_items(page2, [("BL26", "left")])
    finally:
        other.close()


# --- the handout -------------------------------------------------------------------------------------

def test_handout_pdf_downloads_and_lists_the_codes(context, server, knowledge, tmp_path):
    _seed(context, _small_plan(knowledge))
    page = _page(context)
    open_app(page, server, PRACTITIONER)
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])
    page.locator(".rx-plan-audience button", has_text="For the practitioner").click()
    page.wait_for_timeout(300)
    with page.expect_download(timeout=240_000) as info:
        page.locator(".rx-plan-handout button").click()
        # Progress is shown while it renders.
        _wait(lambda: "Rendering" in _status(page), "the progress message", 30)
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert pdf.name.endswith("-practitioner.pdf")
    _wait(lambda: "Handout ready" in _status(page), "the done message")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF text is not checked")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for code in ("BL25", "GV3"):
        assert code in text
    assert "Low back, left" in text


# --- share links --------------------------------------------------------------------------------------

def test_share_link_opens_the_plan_read_only(browser, context, server, knowledge):
    _seed(context, _small_plan(knowledge))
    page = _page(context)
    open_app(page, server, PRACTITIONER)
    _wait_items(page, [("BL25", "both"), ("GV3", "midline")])
    page.locator('button[data-action="share"]').click()
    link = page.locator(".rx-plan-share input")
    link.wait_for(timeout=20_000)
    url = link.input_value()
    assert url.startswith(server.app_url + "#plan=")          # the fragment: never sent to a server

    other = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page2 = _page(other)
        page2.goto(url)
        page2.wait_for_function("window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)
        _wait_items(page2, [("BL25", "both"), ("GV3", "midline")])
        assert "read-only" in page2.locator(".rx-plan-banner").inner_text()
        assert "gentle, 1 cun" in _plan_text(page2)
        # Nothing to edit: no note fields, no move or remove buttons, no points to add.
        for selector in ('input[data-action="note"]', 'button[data-action="remove"]',
                         'button[data-action="up"]', ".rx-plan-cand", 'button[data-action="clear"]'):
            assert page2.locator(selector).count() == 0, selector
        assert _stored(page2) is None                         # the shared plan is not kept as this browser's
        page2.wait_for_function("location.hash.includes('plan=') && !location.search.includes('plan=')",
                                timeout=20_000)
        page2.locator('button[data-action="copy_shared"]').click()
        _wait(lambda: page2.locator('input[data-action="note"]').count() == 2, "an editable copy")
        assert page2.locator(".rx-plan-banner").count() == 0
        stored = _wait(lambda: _stored(page2), "the copy kept in localStorage")
        assert [i["code"] for i in stored["items"]] == ["BL25", "GV3"]
        page2.wait_for_function("!location.hash.includes('plan=') && !location.search.includes('plan=')",
                                timeout=20_000)
        assert page2.radix_log.errors == []
    finally:
        other.close()


def test_a_bad_share_token_gives_a_friendly_message(context, server, knowledge):
    page = _page(context)
    bad = share_token(_small_plan(knowledge))[:-12] + "<b>x</b>"
    open_app(page, server, f"?mode=practitioner&plan={bad}")
    text = _wait(lambda: (t := info_text(page)) and "could not be opened" in t and t, "the link note")
    assert "damaged" in text
    assert page.locator(".rx-link-notes b").count() == 0        # the token is never markup
    assert page.locator(".rx-plan-banner").count() == 0          # no shared plan was opened
    assert page.radix_log.errors == []


# --- hostile text --------------------------------------------------------------------------------------


def test_hostile_names_in_a_plan_show_as_text(context, hostile_server):
    """The synthetic body with ``<script>`` and ``<img onerror>`` in the muscle's and BL25's names:
    the plan's title, candidates, items, cautions and share link show them as text, nothing runs."""
    page = _page(context)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, hostile_server, PRACTITIONER)
    page.locator('.rx-plan-cand[data-code="BL25"]').wait_for(timeout=30_000)
    _add(page, "BL25", "Both")
    _wait_items(page, [("BL25", "both")])
    assert page.locator('input[data-action="title"]').input_value().startswith("Gluteus medius <script>")
    assert "Dachangshu <img" in _plan_text(page)
    assert "gluteus medius <script>alert(1)</script>" in _plan_text(page).lower()   # the candidates' heading
    page.locator('button[data-action="share"]').click()
    page.locator(".rx-plan-share input").wait_for(timeout=20_000)
    page.wait_for_timeout(500)
    assert dialogs == [] and page.evaluate("window.__pwned === undefined")
    assert page.locator(".rx-plan img, .rx-plan script").count() == 0
