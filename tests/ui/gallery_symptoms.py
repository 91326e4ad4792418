"""Screenshot of a symptom consultation ("Where does it hurt?") for docs/gallery.

    python -m tests.ui.gallery_symptoms               # writes docs/gallery/app_symptoms.png
    python -m tests.ui.gallery_symptoms --out /tmp/shots

Tingling on the dorsum of the left foot and the lateral leg, pain on the outer left thigh, weak
long toe extensors; practitioner mode, seen from the front. The marks travel in the fragment.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from harness.browser import CHROMIUM, CHROMIUM_ARGS, PROJECT, ensure_bundle, open_app, start_server, stop_server


def marks_fragment(assets: Path) -> str:
    from viewer.app.symptoms_ui import Mark, format_marks
    from viewer.atlas import load_atlas
    from viewer.body_regions import skin_map
    from viewer.knowledge import Level

    body = skin_map(load_atlas(assets), muscles=False)

    def at(kind, *level):
        return Mark(kind, tuple(int(round(v)) for v in body.surface_level(Level(*level), "left")))

    marks = [at("tingling", "toe_web_2_3", "ankle_crease_anterior_mid", 0.4),
             at("tingling", "fibula_head", "lateral_malleolus", 0.5),
             at("pain", "greater_trochanter", "femur_lateral_epicondyle", 0.75)]
    return "#marks=" + format_marks(marks, ["long_toe_extensors"])


def take(assets: Path, out: Path, viewport=(1440, 900)) -> list[Path]:
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    out.mkdir(parents=True, exist_ok=True)
    fragment = marks_fragment(assets)
    server = start_server(assets, Path(tempfile.mkdtemp(prefix="radix-gallery-")) / "panel.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            open_app(page, server, "?mode=practitioner&side=left&view=anterior" + fragment)
            page.locator(".rx-symptoms", has_text="L5 root").first.wait_for(timeout=60_000)
            page.wait_for_function("() => radixView.markerCodes().includes('mark-3')", timeout=60_000)
            page.locator(".rx-candidates").first.scroll_into_view_if_needed()
            time.sleep(0.8)
            path = out / "app_symptoms.png"
            page.screenshot(path=str(path))
            browser.close()
    finally:
        stop_server(server.process)
    return [path]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "gallery")
    args = parser.parse_args()
    for path in take(PROJECT / "assets", args.out):
        print(path)


if __name__ == "__main__":
    main()
