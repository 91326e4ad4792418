"""Screenshots of the app for docs/gallery: each mode and a point card, in headless Chromium.

    python -m tests.ui.gallery                 # the project's assets if built, else synthetic
    python -m tests.ui.gallery --synthetic --out /tmp/shots

Writes ``app_patient.png``, ``app_student.png`` and ``app_practitioner.png`` (1440x900) to
``--out`` (default ``docs/gallery``); with ``--point-card`` also ``app_point.png`` (its Chinese
name needs a CJK font, e.g. Debian's fonts-noto-cjk, or it shows as empty boxes).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from harness.browser import (
    CHROMIUM, CHROMIUM_ARGS, PROJECT, ensure_bundle, open_app, start_server, stop_server,
)

SHOTS = {
    # name: (query, point to click or None)
    "app_patient": ("?muscle=gluteus_medius&side=left&mode=patient&view=posterior", None),
    "app_student": ("?muscle=gluteus_medius&side=left&mode=student&view=oblique", None),
    "app_practitioner": ("?muscle=gluteus_medius&side=left&mode=practitioner&view=posterior", None),
    "app_point": ("?muscle=gluteus_medius&side=left&mode=student&view=posterior", "GV3"),
}


def _settle(page, text: str) -> None:
    page.locator(".rx-info", has_text=text).first.wait_for(timeout=10_000)
    time.sleep(0.6)


def take(assets: Path, out: Path, viewport=(1440, 900), point_card: bool = False) -> list[Path]:
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    out.mkdir(parents=True, exist_ok=True)
    server = start_server(assets, Path(tempfile.mkdtemp(prefix="radix-gallery-")) / "panel.log")
    written = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name, (query, point) in SHOTS.items():
                if point and not point_card:
                    continue
                page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
                open_app(page, server, query)
                _settle(page, "Gluteus")
                if point:
                    page.evaluate(f"radixView.pickMarker({point!r})")
                    _settle(page, "Cautions")
                if name == "app_student":   # show the self-test card, answered
                    page.locator(".rx-choice").first.click()
                    page.locator(".rx-feedback").wait_for(timeout=10_000)
                    page.locator(".rx-quiz").scroll_into_view_if_needed()
                    time.sleep(0.4)
                path = out / f"{name}.png"
                page.screenshot(path=str(path))
                written.append(path)
                page.close()
            browser.close()
    finally:
        stop_server(server.process)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--assets", type=Path)
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "gallery")
    parser.add_argument("--point-card", action="store_true", help="also app_point.png")
    args = parser.parse_args(argv)
    assets = args.assets
    if assets is None and not args.synthetic and (PROJECT / "assets" / "atlas" / "structures.json").is_file():
        assets = PROJECT / "assets"
    if assets is None:
        from harness.synthetic import write_synthetic_assets

        assets = write_synthetic_assets(Path(tempfile.mkdtemp(prefix="radix-synthetic-")) / "assets")
    for path in take(Path(assets).resolve(), args.out, point_card=args.point_card):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
