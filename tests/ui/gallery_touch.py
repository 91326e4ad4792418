"""Screenshots of the app on a tablet and a phone for docs/gallery, in headless Chromium with touch.

    python -m tests.ui.gallery_touch                 # the project's assets if built, else synthetic
    python -m tests.ui.gallery_touch --synthetic --out /tmp/shots

Writes ``app_tablet_landscape.png`` (1024x768), ``app_tablet_portrait.png`` (768x1024),
``app_phone.png`` (390x844), ``app_phone_controls.png`` (the phone with its controls' drawer
open), ``app_phone_read_more.png`` (its explanation expanded) and ``app_phone_landscape.png``
(844x390, the phone held sideways) to ``--out`` (default
``docs/gallery``): gluteus medius on the left, patient mode.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from harness.browser import CHROMIUM, CHROMIUM_ARGS, PROJECT, ensure_bundle, open_app, start_server, stop_server

QUERY = "?muscle=gluteus_medius&side=left&mode=patient&view=posterior"
SHOTS = {
    # name: (width, height, what to open first)
    "app_tablet_landscape": (1024, 768, None),
    "app_tablet_portrait": (768, 1024, None),
    "app_phone": (390, 844, None),
    "app_phone_controls": (390, 844, "controls"),
    "app_phone_read_more": (390, 844, "read more"),
    "app_phone_landscape": (844, 390, None),
}


def take(assets: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    out.mkdir(parents=True, exist_ok=True)
    server = start_server(assets, Path(tempfile.mkdtemp(prefix="radix-gallery-")) / "panel.log")
    written = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name, (width, height, tap) in SHOTS.items():
                context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True,
                                              is_mobile=True, device_scale_factor=1)
                page = context.new_page()
                open_app(page, server, QUERY)
                page.locator(".rx-info", has_text="Gluteus").first.wait_for(timeout=10_000)
                if tap == "controls":
                    page.locator(".rx-drawer-toggle").tap()
                    page.wait_for_function(
                        "() => getComputedStyle(document.getElementById('sidebar')).transform === 'none'")
                elif tap == "read more":
                    page.locator(".rx-sheet-toggle").tap()
                    page.locator(".rx-sheet-toggle", has_text="Show the body").wait_for(timeout=10_000)
                time.sleep(0.8)
                path = out / f"{name}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
            browser.close()
    finally:
        stop_server(server.process)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--assets", type=Path)
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "gallery")
    args = parser.parse_args(argv)
    assets = args.assets
    if assets is None and not args.synthetic and (PROJECT / "assets" / "atlas" / "structures.json").is_file():
        assets = PROJECT / "assets"
    if assets is None:
        from harness.synthetic import write_synthetic_assets

        assets = write_synthetic_assets(Path(tempfile.mkdtemp(prefix="radix-synthetic-")) / "assets")
    for path in take(Path(assets).resolve(), args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
