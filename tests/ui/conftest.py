"""Fixtures for the browser tests: a synthetic body, the app served by its launcher (``panel
serve`` with the security headers) in a subprocess, and Debian's headless Chromium driven by
Playwright (no browser is downloaded). A test whose page broke the Content-Security-Policy fails."""

from __future__ import annotations


import pytest

from harness.browser import (  # noqa: F401  (re-exported for the tests)
    CHROMIUM, CHROMIUM_ARGS, READY_TIMEOUT_MS, PageLog, Server, csp_safe, ensure_bundle, info_text,
    open_app, start_server, stop_server,
)


@pytest.fixture(scope="session")
def server(synthetic_assets, tmp_path_factory):
    ensure_bundle()
    srv = start_server(synthetic_assets, tmp_path_factory.mktemp("logs") / "panel.log")
    yield srv
    stop_server(srv.process)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The synthetic body with ``<script>`` and ``<img onerror>`` in names (tests/test_escaping.py)."""
    from tests.test_escaping import write_hostile_assets

    ensure_bundle()
    root = tmp_path_factory.mktemp("hostile")
    srv = start_server(write_hostile_assets(root / "assets"), root / "panel.log")
    yield srv
    stop_server(srv.process)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.radix_log = PageLog(pg)
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Fail the test if any page it watched (:class:`PageLog`) broke the Content-Security-Policy
    the launcher sends: a refused script, style, image, font or connection."""
    PageLog.opened.clear()
    yield
    found = [text for log in PageLog.opened for text in log.csp_violations()]
    PageLog.opened.clear()
    if found:
        pytest.fail("the page broke its Content-Security-Policy:\n" + "\n".join(found[:10]))
