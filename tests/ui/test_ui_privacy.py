"""Patient data stays in the browser and the page is locked down, seen from a real browser.

- every response the page loads (the page, Bokeh's and Panel's files, the 3D view's bundle, the
  meshes) carries the launcher's security headers, and the Content-Security-Policy is enforced:
  an injected inline script or event handler does not run, and the violation is caught (every
  browser test fails on one, ``tests/ui/conftest.py``);
- a share link carries the plan in the fragment (``#plan=``); an old ``?plan=`` link still opens
  and the page moves its token to the fragment;
- "Forget this device" removes every plan Radix keeps; nothing personal is in a storage key;
- after a session with a plan, the server's log holds neither its notes nor its token.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import pytest

from harness.browser import (
    CHROMIUM,
    PageLog,
    open_app,
    start_server,
    stop_server,
)
from viewer.app.plan_ui import STORAGE_KEY, STORAGE_PREFIX
from viewer.plan import Plan, add_point, dumps, set_item_note, set_note, share_token

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

PRACTITIONER = "?muscle=gluteus_medius&side=left&mode=practitioner"
ITEM_NOTE = "Ms Quillfeather, 3rd visit"
PLAN_NOTE = "Lives at 12 Larch Lane; sleeps badly"


@pytest.fixture(scope="module")
def knowledge(synthetic_data):
    return synthetic_data.knowledge


@pytest.fixture()
def private_plan(knowledge) -> Plan:
    plan = add_point(Plan(title="Low back, left"), "BL25", "both", knowledge)
    plan = add_point(plan, "GV3", "midline", knowledge)
    return set_note(set_item_note(plan, 0, ITEM_NOTE), PLAN_NOTE)


def _wait(check, what: str, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


def _plan_text(page) -> str:
    found = page.locator(".rx-plan")
    return found.first.inner_text() if found.count() else ""


def _radix_keys(page) -> list[str]:
    return page.evaluate(f"Object.keys(localStorage).filter((k) => k.startsWith({STORAGE_PREFIX!r}))")


# --- headers and the policy --------------------------------------------------------------------------

def test_every_response_the_page_loads_carries_the_security_headers(page, server):
    responses = []
    page.on("response", lambda r: responses.append(r))
    open_app(page, server)
    same_origin = [r for r in responses if r.url.startswith(server.url)]
    kinds = {
        "page": [r for r in same_origin if urlsplit(r.url).path == "/app"],
        "bokeh": [r for r in same_origin if "/static/js/bokeh" in r.url],
        "panel": [r for r in same_origin if "/static/extensions/panel/" in r.url],
        "meshes": [r for r in same_origin if urlsplit(r.url).path.startswith("/meshes/")],
    }
    assert all(kinds.values()), {k: len(v) for k, v in kinds.items()}
    for response in same_origin:
        headers = response.all_headers()
        where = f"{response.url} ({response.status})"
        csp = headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, where
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0], where
        # WebAssembly may compile (the mesh decoder), JavaScript may not eval.
        assert "'unsafe-eval'" not in csp, where
        assert headers.get("x-content-type-options") == "nosniff", where
        assert headers.get("referrer-policy") == "no-referrer", where
        assert "camera=()" in headers.get("permissions-policy", ""), where


def test_injected_script_and_handlers_do_not_run_and_are_reported(page, server):
    open_app(page, server)
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.__injected = 1";
        document.body.appendChild(s);
        const box = document.createElement("div");
        box.innerHTML = '<img src="data:," onerror="window.__handler = 1">';
        document.body.appendChild(box);
    }""")
    found = _wait(lambda: len(page.radix_log.csp_violations()) >= 2 and page.radix_log.csp_violations(),
                  "two CSP violations reported")
    assert page.evaluate("[window.__injected, window.__handler]") == [None, None]
    assert any("script-src" in v for v in found)
    page.radix_log.csp.clear()      # expected here; any other test with a violation fails


def test_the_app_refuses_to_be_framed(page, server):
    page.set_content(f'<iframe id="f" src="{server.app_url}" width="400" height="300"></iframe>')
    time.sleep(2.0)
    frame = page.frame_locator("#f")
    assert frame.locator(".rx-info").count() == 0          # the app never rendered in the frame
    page.radix_log.csp.clear()


# --- share links -----------------------------------------------------------------------------------

def test_a_share_link_opens_from_the_fragment(browser, server, private_plan):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.radix_log = PageLog(page)
        token = share_token(private_plan)
        open_app(page, server, f"{PRACTITIONER}#plan={token}")
        _wait(lambda: ITEM_NOTE in _plan_text(page), "the shared plan's note")
        assert "read-only" in page.locator(".rx-plan-banner").inner_text()
        assert page.evaluate("location.hash") == f"#plan={token}"
        assert "plan=" not in page.evaluate("location.search")
        assert _radix_keys(page) == []                       # a shared plan is not kept here
        assert page.radix_log.errors == []
    finally:
        context.close()


def test_an_old_query_link_still_opens_and_moves_to_the_fragment(browser, server, private_plan):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.radix_log = PageLog(page)
        token = share_token(private_plan)
        open_app(page, server, f"{PRACTITIONER}&plan={token}")
        _wait(lambda: ITEM_NOTE in _plan_text(page), "the shared plan's note")
        page.wait_for_function(f"location.hash === '#plan={token}' && !location.search.includes('plan=')",
                               timeout=20_000)
        assert "muscle=gluteus_medius" in page.evaluate("location.search")   # the rest of the link kept
        page.reload()                                                         # the fragment keeps it
        page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=120_000)
        _wait(lambda: ITEM_NOTE in _plan_text(page), "the shared plan after a reload")
        assert page.radix_log.errors == []
    finally:
        context.close()


# --- storage -----------------------------------------------------------------------------------------

def test_forget_this_device_removes_every_plan_and_keys_name_nothing_personal(browser, server, private_plan):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(
        "if (!sessionStorage.getItem('seeded')) {"
        f"  localStorage.setItem({STORAGE_KEY!r}, {dumps(private_plan)!r});"
        f"  localStorage.setItem({STORAGE_PREFIX + 'plan.v0'!r}, 'an older plan');"
        "  localStorage.setItem('another.site.key', 'kept');"
        "  sessionStorage.setItem('seeded', '1');"
        "}")
    try:
        page = context.new_page()
        page.radix_log = PageLog(page)
        open_app(page, server, PRACTITIONER)
        _wait(lambda: ITEM_NOTE in page.locator(".rx-plan").first.evaluate(
            "el => [...el.querySelectorAll('input')].map((i) => i.value).join(' ')"), "the stored plan")
        keys = page.evaluate("Object.keys(localStorage)")
        assert not any(ITEM_NOTE in k or PLAN_NOTE in k or "Low back" in k for k in keys)
        page.locator('button[data-action="forget"]').click()
        _wait(lambda: _radix_keys(page) == [] or None, "every radix.* key removed")
        assert page.evaluate("localStorage.getItem('another.site.key')") == "kept"
        _wait(lambda: "Removed every plan" in _plan_text(page), "the confirmation")
        assert page.locator(".rx-plan-item").count() == 0
        assert page.locator('button[data-action="undo"]').count() == 0
        page.reload()
        page.wait_for_function("window.radixView && window.radixView.ready === true", timeout=120_000)
        time.sleep(1.0)
        assert page.locator(".rx-plan-item").count() == 0 and _radix_keys(page) == []
    finally:
        context.close()


# --- the server's log ----------------------------------------------------------------------------------

def test_no_note_text_or_token_in_the_server_log(browser, synthetic_assets, private_plan, tmp_path):
    log_path = tmp_path / "server.log"
    srv = start_server(synthetic_assets, log_path,
                       extra_env={"PANEL_LOG_LEVEL": "debug", "BOKEH_PY_LOG_LEVEL": "debug"})
    token = share_token(private_plan)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(f"localStorage.setItem({STORAGE_KEY!r}, {dumps(private_plan)!r});")
    try:
        page = context.new_page()
        page.radix_log = PageLog(page)
        for link in (PRACTITIONER, f"{PRACTITIONER}#plan={token}", f"{PRACTITIONER}&plan={token}"):
            open_app(page, srv, link)
            _wait(lambda: ITEM_NOTE in page.locator(".rx-plan").first.evaluate(
                "el => el.innerText + [...el.querySelectorAll('input')].map((i) => i.value).join(' ')"),
                f"the plan's note with {link[:40]}")
        page.locator('button[data-action="copy_shared"]').click()       # an edit goes to the server
        _wait(lambda: page.locator('input[data-action="note"]').count() == 2, "the editable copy")
        # A refused request with the token in its query: the access log names the path only.
        parts = urlsplit(srv.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", f"/no-such-page?plan={token}")
        assert conn.getresponse().status == 404
        conn.close()
    finally:
        context.close()
        stop_server(srv.process)
    log = log_path.read_text(errors="replace")
    assert "404 GET /no-such-page " in log                   # the access log was written...
    for secret in (ITEM_NOTE, PLAN_NOTE, token[:40], "Quillfeather", "Larch Lane"):
        assert secret not in log, f"{secret!r} in the server's log"   # ...without the plan
