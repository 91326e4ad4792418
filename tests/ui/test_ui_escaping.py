"""Hostile text in the browser: a muscle named with a script tag and a deep link whose parameters
carry script and image tags show as text, and no script runs (no dialog, no flag set).

Serves its own copy of the synthetic body with hostile names (``tests/test_escaping.py``).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.test_escaping import SCRIPT
from harness.browser import CHROMIUM, open_app, wait_info

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

# Runs script through an image error, which innerHTML would execute (a <script> element would not).
PWN = '<img src=x onerror="window.__pwned=1;alert(2)">'




def _watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def _assert_nothing_ran(page, dialogs) -> None:
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("window.__pwned === undefined")


def test_hostile_deep_link_shows_text(page, hostile_server):
    dialogs = _watch(page)
    query = "?" + "&".join(f"{key}={quote(PWN)}" for key in ("muscle", "point", "view", "mode"))
    open_app(page, hostile_server, query)
    text = wait_info(page, "could not be used", timeout_ms=10_000)
    assert "<img src=x" in text      # shown as text, quoted in the note
    _assert_nothing_ran(page, dialogs)


def test_hostile_muscle_name_shows_as_text(page, hostile_server):
    dialogs = _watch(page)
    open_app(page, hostile_server, "?muscle=gluteus_medius&side=left&mode=practitioner")
    text = wait_info(page, f"Gluteus medius {SCRIPT}", timeout_ms=10_000)
    assert "Large Intestine Shu <script>" in text   # the point's name, as text
    # the search's completions and the region list carry the name too
    box = page.locator("input[placeholder*='glute med']").first
    box.fill("gluteus")
    page.wait_for_timeout(500)
    page.evaluate("radixView.pick('gluteus_medius_right')")
    wait_info(page, "right side", timeout_ms=10_000)
    _assert_nothing_ran(page, dialogs)
