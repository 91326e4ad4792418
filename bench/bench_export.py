"""Benchmark of the plan handout export: time of one PDF export, cold and warm.

Run from the repository root::

    python bench/bench_export.py [--plan examples/plan.json] [--height 1100] [--repeat 3] [--json OUT]

Cold is the first export in a fresh process: it loads the app data and the body's meshes,
converts them for pyvista, starts VTK's off-screen window and loads the fonts. Warm is every later
export in the same process (the web app's download button): only rendering and writing. Each is
split into rendering the views, writing the PDF and composing the PNG sheet from the same views.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def one_export(plan_path: Path, out: Path, audience: str, height: int) -> dict:
    """Load the plan, render its views, write the PDF and the PNG; seconds per step."""
    t0 = time.perf_counter()
    from viewer.plan import load
    from viewer.plan.export import app_data, export_pdf, export_png, render_views

    app = app_data()
    plan = load(plan_path, app.knowledge)
    t1 = time.perf_counter()
    views = render_views(plan, app.knowledge, app.assets_dir, audience, height)
    t2 = time.perf_counter()
    export_pdf(plan, out / f"{audience}.pdf", app.knowledge, app.assets_dir, audience, views=views)
    t3 = time.perf_counter()
    export_png(plan, out / f"{audience}.png", app.knowledge, app.assets_dir, audience, views=views)
    t4 = time.perf_counter()
    return {"load": t1 - t0, "render": t2 - t1, "pdf": t3 - t2, "png": t4 - t3, "export_pdf": t3 - t0,
            "views": len(views), "pdf_kb": (out / f"{audience}.pdf").stat().st_size / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, default=ROOT / "examples" / "plan.json")
    parser.add_argument("--height", type=int, default=1100, help="pixel height of the whole-body view")
    parser.add_argument("--repeat", type=int, default=3, help="warm exports to time")
    parser.add_argument("--audience", choices=("patient", "practitioner"), default="practitioner")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        import pyvista  # noqa: F401  (timed apart: the web app has it imported already)
        import fpdf  # noqa: F401
        imports = time.perf_counter() - t0
        cold = one_export(args.plan, out, args.audience, args.height)
        warm = [one_export(args.plan, out, args.audience, args.height) for _ in range(args.repeat)]

    def med(key: str) -> float:
        return statistics.median(w[key] for w in warm)

    print(f"plan export bench: {args.plan.name}, {args.audience}, whole-body view {args.height} px, "
          f"{cold['views']} views; {platform.node()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"imports (pyvista, fpdf2)      {imports:6.2f} s")
    print(f"{'':30s} {'cold':>8s} {'warm (median of ' + str(args.repeat) + ')':>22s}")
    for key, label in (("load", "app data + plan + meshes*"), ("render", "render views"), ("pdf", "write PDF"),
                       ("png", "compose PNG"), ("export_pdf", "one PDF export (total)")):
        print(f"{label:30s} {cold[key]:7.2f} s {med(key):21.2f} s")
    print("* the meshes are loaded and converted on the first render; cold 'render views' includes them")
    print(f"PDF size {cold['pdf_kb']:.0f} KiB")
    if args.json:
        args.json.write_text(json.dumps({
            "cold_export_pdf_s": round(cold["export_pdf"], 2), "warm_export_pdf_s": round(med("export_pdf"), 2),
            "cold_render_s": round(cold["render"], 2), "warm_render_s": round(med("render"), 2),
            "warm_pdf_write_s": round(med("pdf"), 2), "warm_png_s": round(med("png"), 2),
            "imports_s": round(imports, 2), "views": cold["views"], "height_px": args.height,
            "pdf_kib": round(cold["pdf_kb"]), "load_average": round(os.getloadavg()[0], 1)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
