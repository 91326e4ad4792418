"""Hostile text in the browser: a muscle named with a script tag and a deep link whose parameters
carry script and image tags show as text, and no script runs (no dialog, no flag set).

Serves its own copy of the synthetic body with hostile names (``tests/test_escaping.py``).
"""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from tests.test_escaping import SCRIPT, write_hostile_assets
from tests.ui.harness import CHROMIUM, info_text, open_app, start_server, stop_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

# Runs script through an image error, which innerHTML would execute (a <script> element would not).
PWN = '<img src=x onerror="window.__pwned=1;alert(2)">'


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from tests.ui.harness import ensure_bundle

    ensure_bundle()
    root = tmp_path_factory.mktemp("hostile")
    srv = start_server(write_hostile_assets(root / "assets"), root / "panel.log")
    yield srv
    stop_server(srv.process)


def _wait_info(page, text: str, timeout_s: float = 10.0) -> str:
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        last = info_text(page)
        if text in last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"info panel never showed {text!r}; last text:\n{last}")


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
    text = _wait_info(page, "could not be used")
    assert "<img src=x" in text      # shown as text, quoted in the note
    _assert_nothing_ran(page, dialogs)


def test_hostile_muscle_name_shows_as_text(page, hostile_server):
    dialogs = _watch(page)
    open_app(page, hostile_server, "?muscle=gluteus_medius&side=left&mode=practitioner")
    text = _wait_info(page, f"Gluteus medius {SCRIPT}")
    assert "Large Intestine Shu <script>" in text   # the point's name, as text
    # the search's completions and the region list carry the name too
    box = page.locator("input[placeholder*='glute med']").first
    box.fill("gluteus")
    page.wait_for_timeout(500)
    page.evaluate("radixView.pick('gluteus_medius_right')")
    _wait_info(page, "right side")
    _assert_nothing_ran(page, dialogs)
