"""Screenshots of "the story of a compressed root" for docs/gallery, in headless Chromium.

    python -m tests.ui.gallery_story                       # the project's built body
    python -m tests.ui.gallery_story --query "?level=C5&side=left&mode=patient" --name story_c5

Opens the app in Patient mode at a level, narrows the space with the story's slider (keyboard, as
a user would) to 0 %, 50 % and 100 %, crops the 3D view each time and writes the three side by
side to ``docs/gallery/<name>.png``.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from harness.browser import CHROMIUM, CHROMIUM_ARGS, PROJECT, ensure_bundle, open_app, start_server, stop_server

STEPS = (0, 10, 20)   # slider steps of 5 %: 0 %, 50 %, 100 %


def _set_steps(page, steps: int) -> None:
    handle = page.locator(".rx-story-amount .noUi-handle").first
    handle.focus()
    page.keyboard.press("Home")
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    want = steps * 0.05
    page.wait_for_function(f"() => Math.abs(radixView.story().amount - {want}) < 1e-6", timeout=60_000)
    time.sleep(1.0)


def take(assets: Path, out: Path, query: str, name: str) -> Path:
    from PIL import Image, ImageDraw
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    server = start_server(assets, Path(tempfile.mkdtemp(prefix="radix-story-")) / "panel.log")
    frames = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            # The story frames itself on the level once the space starts to narrow.
            open_app(page, server, query)
            page.locator(".rx-story-amount").first.wait_for(timeout=30_000)
            _set_steps(page, 1)
            for steps in STEPS:
                _set_steps(page, steps)
                box = page.locator(".radix-view").first.bounding_box()
                png = page.screenshot(clip=box)   # no wait for a still element: the pinch pulses
                frames.append((steps * 5, Image.open(io.BytesIO(png)).convert("RGB")))
            browser.close()
    finally:
        stop_server(server.process)
    w, h = frames[0][1].size
    strip = Image.new("RGB", (w * len(frames) + 8 * (len(frames) - 1), h + 34), "white")
    draw = ImageDraw.Draw(strip)
    for i, (percent, img) in enumerate(frames):
        x = i * (w + 8)
        strip.paste(img, (x, 34))
        draw.text((x + 10, 10), f"narrowing {percent} %", fill=(30, 41, 59))
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    strip.save(path, optimize=True)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assets", type=Path, default=PROJECT / "assets")
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "gallery")
    parser.add_argument("--query", default="?level=L4&side=left&mode=patient")
    parser.add_argument("--name", default="story_compression")
    args = parser.parse_args(argv)
    print(take(args.assets.resolve(), args.out, args.query, args.name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
