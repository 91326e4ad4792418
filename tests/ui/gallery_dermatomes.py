"""Screenshots of the dermatome layer for docs/gallery, in headless Chromium on the built body.

    python -m tests.ui.gallery_dermatomes                 # writes to docs/gallery
    python -m tests.ui.gallery_dermatomes --out /tmp/shots

``dermatomes_front.png`` and ``dermatomes_back.png``: every dermatome C2-S5 at once, one colour per
root (:func:`viewer.scene.dermatome_palette`), drawn by the view's dermatome layer from the masks
the server computed (the app itself colours one selected root); ``app_dermatome_L5.png``: the app
with the L5 root selected on both sides, seen from behind.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from harness.browser import CHROMIUM, CHROMIUM_ARGS, PROJECT, ensure_bundle, open_app, start_server, stop_server
from viewer.knowledge import DERMATOME_ROOTS
from viewer.scene import dermatome_palette


def take(assets: Path, out: Path, viewport=(1440, 900)) -> list[Path]:
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    out.mkdir(parents=True, exist_ok=True)
    server = start_server(assets, Path(tempfile.mkdtemp(prefix="radix-gallery-")) / "panel.log")
    written = []
    palette = dermatome_palette(DERMATOME_ROOTS)
    every = [{"root": r, "sides": ["left", "right"], "color": palette[r]} for r in DERMATOME_ROOTS]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            open_app(page, server, "?root=L5&side=both&mode=student&view=posterior")
            page.wait_for_function("() => radixView.dermatomes().drawn === true", timeout=60_000)
            time.sleep(0.6)
            path = out / "app_dermatome_L5.png"
            page.screenshot(path=str(path))
            written.append(path)
            page.locator(".rx-labels input").uncheck()
            page.wait_for_function("() => radixView.labels().length === 0", timeout=30_000)
            page.evaluate(f"radixView.showDermatomes({json.dumps(every)}, 1)")
            for name, view in (("dermatomes_front", "anterior"), ("dermatomes_back", "posterior")):
                page.evaluate(f"radixView.setView({view!r})")
                time.sleep(0.6)
                path = out / f"{name}.png"
                page.locator("canvas.radix-canvas").screenshot(path=str(path))
                written.append(path)
            browser.close()
    finally:
        stop_server(server.process)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "gallery")
    args = parser.parse_args()
    for path in take(PROJECT / "assets", args.out):
        print(path)


if __name__ == "__main__":
    main()
