"""Screenshots of the manual techniques for docs/gallery.

    python -m tests.ui.gallery_techniques               # writes docs/gallery/
    python -m tests.ui.gallery_techniques --out /tmp/shots

- ``app_technique_cupping.png``: level L4, both sides, practitioner: the cups over the lumbar
  paraspinal zone and the techniques panel;
- ``app_technique_stretch.png``: semitendinosus, left, patient mode: the hamstring stretch (the
  muscle's skin and a lengthening arrow, the movement in words) and the explanation of stretch +
  paraspinal work;
- ``handout_self_care.png``: the patient handout's "between sessions" page of the example plan
  (pdftoppm), with the pictures of each home technique rendered off screen.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from harness.browser import CHROMIUM, CHROMIUM_ARGS, PROJECT, READY_TIMEOUT_MS, ensure_bundle, start_server, stop_server


def _open(page, server, query: str) -> None:
    page.goto(server.app_url + query)
    page.wait_for_function("() => window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS * 5)
    page.wait_for_function("() => radixView.techniques().zones.length > 0", timeout=60_000)


def take_app(assets: Path, out: Path, viewport=(1440, 900)) -> list[Path]:
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    server = start_server(assets, Path(tempfile.mkdtemp(prefix="radix-gallery-")) / "panel.log")
    paths = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            _open(page, server, "?level=L4&side=both&mode=practitioner")
            page.evaluate("radixView.focus('posterior')")
            page.locator(".rx-tq").first.scroll_into_view_if_needed()
            time.sleep(1.0)
            paths.append(out / "app_technique_cupping.png")
            page.screenshot(path=str(paths[-1]))
            _open(page, server, "?muscle=semitendinosus&side=left&mode=patient")
            page.evaluate("radixView.focus('posterior')")
            page.locator(".rx-tq-why").first.scroll_into_view_if_needed()
            time.sleep(1.0)
            paths.append(out / "app_technique_stretch.png")
            page.screenshot(path=str(paths[-1]))
            browser.close()
    finally:
        stop_server(server.process)
    return paths


def take_handout(out: Path) -> Path:
    """The patient handout's first "between sessions" page as a PNG."""
    from viewer.plan import load
    from viewer.plan.export import app_data, export_pdf

    app = app_data()
    plan = load(PROJECT / "examples" / "plan.json", app.knowledge)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = export_pdf(plan, Path(tmp) / "patient.pdf", app.knowledge, app.assets_dir, "patient")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        page = next(i for i, p in enumerate(text.split("\f"), start=1) if "Between sessions" in p)
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "110", "-png", "-singlefile",
                        str(pdf), str(out / "handout_self_care")], check=True)
    return out / "handout_self_care.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ui.gallery_techniques")
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "gallery")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in (*take_app(PROJECT / "assets", args.out), take_handout(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
