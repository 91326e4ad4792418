"""Sessions are separate: two browser contexts select different muscles and never see each
other's selection (state lives in one RadixApp per session; only the read-only data is shared)."""

from __future__ import annotations


import pytest

from harness.browser import CHROMIUM, PageLog, info_text, open_app, wait_info

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]



def _heading(page) -> str:
    return page.locator(".rx-info h2").first.inner_text()


def test_two_sessions_keep_their_own_selection(browser, server):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(2)]
    try:
        a, b = (c.new_page() for c in contexts)
        for pg in (a, b):
            pg.radix_log = PageLog(pg)
            open_app(pg, server)
        a.evaluate("radixView.pick('gluteus_medius_left')")
        wait_info(a, "Gluteus medius", timeout_ms=10_000)
        b.evaluate("radixView.pick('quadratus_lumborum_right')")
        wait_info(b, "Quadratus lumborum", timeout_ms=10_000)
        a.wait_for_function("location.search.includes('muscle=gluteus_medius')", timeout=20_000)
        b.wait_for_function("location.search.includes('muscle=quadratus_lumborum')", timeout=20_000)
        # each choice in one session leaves the other untouched
        a.evaluate("radixView.pick('quadratus_lumborum_left')")
        wait_info(a, "Quadratus lumborum", timeout_ms=10_000)
        b.evaluate("radixView.pick('gluteus_medius_right')")
        wait_info(b, "Gluteus medius", timeout_ms=10_000)
        b.wait_for_timeout(500)
        assert "Quadratus lumborum" in _heading(a) and "left side" in info_text(a)
        assert "Gluteus medius" in _heading(b) and "right side" in info_text(b)
        assert "muscle=quadratus_lumborum" in a.evaluate("location.search")
        assert "muscle=gluteus_medius" in b.evaluate("location.search")
        for pg in (a, b):
            assert pg.radix_log.errors == []
    finally:
        for c in contexts:
            c.close()
