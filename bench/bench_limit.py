"""Radix against the three.js limit for its body, measured side by side in one run.

The limit is a plain three.js page (``bench/limit/``: one renderer, GLTFLoader with three.js's
MeshoptDecoder, front faces only, a raycast and a recolour on click) loading the same body as one
GLB made by ``gltfpack -cc`` (meshoptimizer's own packer, the smallest standard file for it), with
the same camera, canvas size and hidden structures as Radix's view. Both are served by tornado
with the same gzip transform (Radix by ``python -m viewer.app.serve``, as the README starts it;
the limit by a static server in this process) and opened in the same headless Chromium (software
WebGL: SwiftShader), alternately, each load in a fresh browser context (a cold cache).

Printed, Radix / limit for each figure:

- page open -> first full frame (``performance.now()`` at the animation frame after the first
  whole-body draw, from navigation start);
- whole-body frame time (drawn and waited for, 20 times), Radix also while a selection fades
  the rest of the body;
- click -> highlight visible: from the ``pointerup`` event's time stamp to the next animation
  frame after the draw call that shows it (the frame that puts it on screen); Radix's own
  recolour of the clicked structure (drawn at once in the browser, in the click's task) and the
  server's whole chain (roots, multifidus, points) apart. Each click comes on a page at rest
  (250 ms, then two idle callbacks), on both pages; per click the steps are kept: the input
  waiting behind other work, the raycast, the recolour and draw call, and on to that frame;
- mesh bytes on the wire (the body's GLB, as transferred) and the JS heap after a full GC, with
  the heap of a minimal Panel page (``bench/limit/panel_floor.py``: the same template, one text box,
  one HTML pane, served the same way) as the floor that Bokeh's and Panel's own JavaScript sets
  for any Panel app.

Usage::

    python bench/bench_limit.py                         # 1440x900, 3 loads and 12 clicks per page
    python bench/bench_limit.py --viewports 1440x900 1024x768 390x844 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.browser import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, READY_TIMEOUT_MS, ensure_bundle, start_server, stop_server,
)

LIMIT_SRC = ROOT / "bench" / "limit"
NODE_BIN = ROOT / "node_modules" / ".bin"
#: Structures clicked on both pages (by id: the GLB node names), tried in order until enough
#: are on screen from the view's default camera; kinds a user clicks.
CLICK_KINDS = ("muscle", "bone", "nerve_root")
SETTLE_MS = 250


def machine() -> dict:
    """The machine and its load, for the output."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    chromium = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": model, "cores": os.cpu_count(), "load_1_5_15": list(os.getloadavg()),
            "python": platform.python_version(), "chromium": chromium}


def build_limit(assets: Path, out: Path) -> Path:
    """The limit page in ``out``: index.html, its bundle (esbuild, three.js from package-lock)
    and ``body.glb``: every mesh of ``assets`` joined (named by id) and packed by gltfpack -cc."""
    from viewer.app.meshpack import joined_glb

    out.mkdir(parents=True, exist_ok=True)
    structures = json.loads((assets / "atlas" / "structures.json").read_text())
    files = [s["mesh"] for s in structures if s.get("mesh")]
    data, _ = joined_glb(assets / "meshes", files)
    joined = out / "joined.glb"
    joined.write_bytes(data)
    subprocess.run([str(NODE_BIN / "gltfpack"), "-i", str(joined), "-o", str(out / "body.glb"), "-cc", "-kn"],
                   check=True, capture_output=True)
    joined.unlink()
    subprocess.run([str(NODE_BIN / "esbuild"), str(LIMIT_SRC / "limit.js"), "--bundle", "--format=esm",
                    "--minify", f"--outfile={out / 'limit.bundle.js'}", "--log-level=warning"], check=True, cwd=ROOT)
    shutil.copy(LIMIT_SRC / "index.html", out / "index.html")
    return out


class StaticServer:
    """``folder`` over HTTP on a free localhost port, gzip'd as Radix's server does (RadixGZip)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        from viewer.app.serve import RadixGZip

        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        app = tornado.web.Application(
            [(r"/(.*)", tornado.web.StaticFileHandler, {"path": str(self.folder), "default_filename": "index.html"})],
            transforms=[RadixGZip])
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self.server = tornado.httpserver.HTTPServer(app)
        self.server.add_sockets(sockets)
        self._ready.set()
        self.loop.run_forever()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


def _mesh_bytes(page) -> dict:
    """Collects, for ``page``, the transferred size of every GLB response (name -> bytes)."""
    seen: dict[str, int] = {}

    def finished(request):
        url = request.url.split("?")[0]
        if url.endswith(".glb"):
            sizes = request.sizes()
            seen[url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    page.on("requestfinished", finished)
    return seen


def _heap_mb(context, page) -> float:
    cdp = context.new_cdp_session(page)
    cdp.send("HeapProfiler.enable")
    cdp.send("HeapProfiler.collectGarbage")
    used = cdp.send("Runtime.getHeapUsage")["usedSize"]
    cdp.detach()
    return used / 1e6


#: The click's time is the ``pointerup`` event's own time stamp (when the input arrived, so a page
#: still busy with earlier work pays for it); ``__upRun`` is when the page got to handle it.
UP_LISTENER = ("() => { document.addEventListener('pointerup', (e) => { window.__up = e.timeStamp; "
               "window.__upRun = performance.now(); }, true); }")
#: Before each click both pages wait until they have been idle (``requestIdleCallback``, at most
#: IDLE_TIMEOUT_MS) after the previous click's frames, as a user's next click comes on a page at rest.
IDLE_TIMEOUT_MS = 3000
WAIT_IDLE = ("(t) => new Promise((done) => requestIdleCallback(() => requestIdleCallback(done, {timeout: t}), "
             "{timeout: t}))")


def open_radix(browser, server, viewport) -> dict:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    meshes = _mesh_bytes(page)
    page.goto(server.app_url)
    page.wait_for_function("() => window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    hook = page.evaluate("""() => ({marks: radixView.marks, packed: radixView.packed, stats: radixView.stats(),
        pose: radixView.cameraPose()})""")
    hook["canvas"] = {"width": hook["pose"]["width"], "height": hook["pose"]["height"]}
    return {"context": context, "page": page, "glb": meshes, **hook}


def open_limit(browser, static: StaticServer, viewport, pose: dict) -> dict:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    meshes = _mesh_bytes(page)
    page.goto(static.url + "#" + json.dumps(pose))
    page.wait_for_function("() => window.limit && window.limit.ready === true", timeout=READY_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    hook = page.evaluate("() => ({marks: limit.marks, meshes: limit.meshes, triangles: limit.triangles})")
    return {"context": context, "page": page, "glb": meshes, **hook}


class FloorServer:
    """``python -m viewer.app.serve bench/limit/panel_floor.py`` on a free localhost port."""

    def __init__(self, log_path: Path) -> None:
        from harness.browser import free_port

        self.port = free_port()
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "viewer.app.serve", str(LIMIT_SRC / "panel_floor.py"), "--port", str(self.port),
             "--allow-websocket-origin", f"127.0.0.1:{self.port}"], cwd=ROOT, stdout=self.log,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url_root}/static/js/bokeh.min.js", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the Panel floor page's server did not start")

    @property
    def url_root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_server(self.process)
        self.log.close()


def floor_heap(browser, floor: FloorServer, viewport) -> float:
    """JS heap after GC of the minimal Panel page, once Bokeh has its document."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(f"{floor.url_root}/panel_floor")
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=READY_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(SETTLE_MS)
    heap = _heap_mb(context, page)
    context.close()
    return heap


def radix_clicks(page, targets: list[str], n: int) -> dict:
    page.evaluate(UP_LISTENER)
    preview, chain, queued, steps = [], [], [], []
    for i in range(n):
        target = targets[i % len(targets)]
        point = page.evaluate("(id) => radixView.screenPoint(id)", target)
        if not point or not point["hit"]:
            continue
        page.wait_for_timeout(SETTLE_MS)
        page.evaluate(WAIT_IDLE, IDLE_TIMEOUT_MS)
        before = page.evaluate("() => [radixView.lastPreviewPresentedAt, radixView.lastHighlightPresentedAt]")
        page.mouse.click(point["x"], point["y"])
        page.wait_for_function(
            "(b) => radixView.lastPreviewPresentedAt !== b[0] && radixView.lastHighlightPresentedAt !== b[1]",
            arg=before, timeout=20_000)
        t = page.evaluate("() => [window.__up, radixView.lastPreviewPresentedAt, radixView.lastHighlightPresentedAt,"
                          " window.__upRun, radixView.lastPickAt, radixView.lastPreviewDrawnAt]")
        preview.append(t[1] - t[0])
        chain.append(t[2] - t[0])
        queued.append(t[3] - t[0])
        steps.append(_steps(t[0], t[3], t[4], t[5], t[1]))
    return {"preview": preview, "chain": chain, "queued": queued, "steps": steps}


def _steps(up, run, hit, drawn, shown) -> dict:
    """Where a click's time went (ms): waiting to be handled, the raycast, the recolour and its
    draw call, and from there to the next animation frame."""
    if None in (up, run, hit, drawn, shown):   # a page without these hooks
        return {}
    return {"queued": run - up, "raycast": hit - run, "draw": drawn - hit, "to_frame": shown - drawn}


def limit_clicks(page, targets: list[str], n: int) -> dict:
    page.evaluate(UP_LISTENER)
    out, queued, steps = [], [], []
    for i in range(n):
        point = page.evaluate("(id) => limit.screenPoint(id)", targets[i % len(targets)])
        if not point:
            continue
        page.wait_for_timeout(SETTLE_MS)
        page.evaluate(WAIT_IDLE, IDLE_TIMEOUT_MS)
        before = page.evaluate("() => limit.lastPresentedAt")
        page.mouse.click(point["x"], point["y"])
        page.wait_for_function("(b) => limit.lastPresentedAt !== b", arg=before, timeout=20_000)
        t = page.evaluate("() => [window.__up, limit.lastPresentedAt, window.__upRun, limit.lastHitAt,"
                          " limit.lastDrawnAt]")
        out.append(t[1] - t[0])
        queued.append(t[2] - t[0])
        steps.append(_steps(t[0], t[2], t[3], t[4], t[1]))
    return {"click": out, "queued": queued, "steps": steps}


def median(values):
    return statistics.median(values) if values else float("nan")


def p95(values):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def run_viewport(browser, server, static, assets: Path, viewport, loads: int, clicks: int, frames: int,
                 floor: FloorServer | None = None) -> dict:
    structures = json.loads((assets / "atlas" / "structures.json").read_text())
    hidden_kinds = {"skin"}        # hidden in Radix's default view (viewer.scene DEFAULT_LAYERS)
    r = {"viewport": f"{viewport[0]}x{viewport[1]}", "radix": {"first_frame_ms": [], "heap_mb": [], "mesh_bytes": []},
         "limit": {"first_frame_ms": [], "heap_mb": [], "mesh_bytes": []}}
    pose = None
    for i in range(loads):
        radix = open_radix(browser, server, viewport)
        pose = {**radix["pose"], **radix["canvas"],
                "hidden": [str(s["id"]) for s in structures if s.get("mesh") and s["kind"] in hidden_kinds]}
        limit = open_limit(browser, static, viewport, pose)
        for name, page in (("radix", radix), ("limit", limit)):
            r[name]["first_frame_ms"].append(page["marks"]["firstFrame"])
            r[name].setdefault("marks", []).append(page["marks"])   # the page's milestones, in --json
            r[name]["heap_mb"].append(_heap_mb(page["context"], page["page"]))
            r[name]["mesh_bytes"].append(sum(page["glb"].values()))
        r["radix"]["packed"] = radix["packed"]
        r["radix"]["canvas"] = radix["canvas"]
        r["radix"]["triangles"] = radix["stats"]["triangles"]
        r["limit"]["triangles"] = limit["triangles"]
        if i == loads - 1:   # frames and clicks on the last pair of pages
            rp, lp = radix["page"], limit["page"]
            r["radix"]["frame_ms"] = rp.evaluate("(n) => radixView.frameTime(n)", frames)
            r["limit"]["frame_ms"] = lp.evaluate("(n) => limit.frameTime(n)", frames)
            targets = [str(s["id"]) for s in structures if s.get("mesh") and s["kind"] in CLICK_KINDS]
            visible = [t for t in targets if (rp.evaluate("(id) => radixView.screenPoint(id)", t) or {}).get("hit")
                       and lp.evaluate("(id) => limit.screenPoint(id)", t)]
            # Spread over the body: every k-th of the structures both pages show.
            step = max(1, len(visible) // max(1, clicks))
            chosen = visible[::step][:clicks]
            r["clicked"] = len(chosen)
            if chosen:
                rc = radix_clicks(rp, chosen, clicks)
                r["radix"]["click_preview_ms"], r["radix"]["click_chain_ms"] = rc["preview"], rc["chain"]
                r["radix"]["click_queued_ms"], r["radix"]["click_steps_ms"] = rc["queued"], rc["steps"]
                lc = limit_clicks(lp, chosen, clicks)
                r["limit"]["click_ms"], r["limit"]["click_queued_ms"] = lc["click"], lc["queued"]
                r["limit"]["click_steps_ms"] = lc["steps"]
            # With a selection, the rest of the body fades (the last click left one).
            r["radix"]["frame_faded_ms"] = rp.evaluate("(n) => radixView.frameTime(n)", frames)
        for page in (radix, limit):
            page["context"].close()
        if floor is not None:
            r.setdefault("floor_heap_mb", []).append(floor_heap(browser, floor, viewport))
    return r


def ratios(r: dict) -> list[tuple[str, float, float, str]]:
    """(figure, Radix, limit, unit) rows."""
    R, L = r["radix"], r["limit"]
    rows = [("page open -> first full frame", median(R["first_frame_ms"]), median(L["first_frame_ms"]), "ms"),
            ("whole-body frame", R.get("frame_ms", float("nan")), L.get("frame_ms", float("nan")), "ms"),
            ("whole-body frame, selection fading the rest", R.get("frame_faded_ms", float("nan")),
             L.get("frame_ms", float("nan")), "ms"),
            ("click -> clicked structure visible (median)", median(R.get("click_preview_ms", [])),
             median(L.get("click_ms", [])), "ms"),
            ("click -> clicked structure visible (p95)", p95(R.get("click_preview_ms", [])),
             p95(L.get("click_ms", [])), "ms"),
            ("click -> whole chain visible (median; server round trip)", median(R.get("click_chain_ms", [])),
             median(L.get("click_ms", [])), "ms"),
            ("click -> page starts handling it (median; input waiting behind other work)",
             median(R.get("click_queued_ms", [])), median(L.get("click_queued_ms", [])), "ms"),
            ("mesh bytes on the wire", median(R["mesh_bytes"]) / 1e6, median(L["mesh_bytes"]) / 1e6, "MB"),
            ("JS heap after GC", median(R["heap_mb"]), median(L["heap_mb"]), "MB")]
    if r.get("floor_heap_mb"):
        rows.append(("JS heap after GC: a minimal Panel page (Panel's floor)", median(r["floor_heap_mb"]),
                     median(L["heap_mb"]), "MB"))
        rows.append(("JS heap after GC: Radix / Panel's floor", median(R["heap_mb"]), median(r["floor_heap_mb"]),
                     "MB"))
    return rows


def table(results: list[dict], info: dict) -> str:
    def steps(side: dict) -> str:
        got = [s for s in side.get("click_steps_ms") or [] if s]
        return ", ".join(f"{k} {median([s[k] for s in got]):.0f}" for k in ("queued", "raycast", "draw", "to_frame")) \
            if got else "-"

    lines = [f"machine: {info['machine']['cpu']}, {info['machine']['cores']} cores; load (1/5/15 min) "
             f"before {info['load_before']}, after {info['load_after']}; {info['machine']['chromium']}, "
             f"software WebGL (SwiftShader)"]
    for r in results:
        R = r["radix"]
        lines += ["", f"viewport {r['viewport']} (Radix canvas {R['canvas']['width']}x{R['canvas']['height']}, "
                  f"the limit's the same; {R['triangles']:,} triangles in Radix, {r['limit']['triangles']:,} "
                  f"in the limit; body file: {'yes' if R['packed'] else 'no'}; {r.get('clicked', 0)} targets clicked)",
                  "| figure | Radix | limit (plain three.js) | Radix / limit |", "|---|---|---|---|"]
        for name, a, b, unit in ratios(r):
            digits = 2 if unit == "MB" else 0
            lines.append(f"| {name} | {a:,.{digits}f} {unit} | {b:,.{digits}f} {unit} | {a / b:.2f}x |")
        lines.append(f"click, median ms per step: Radix {steps(R)}; limit {steps(r['limit'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=Path, default=ROOT / "assets")
    parser.add_argument("--viewports", nargs="+", default=["1440x900"])
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--clicks", type=int, default=12)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the heap of a minimal Panel page (bench/limit/panel_floor.py)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    info = {"machine": machine(), "load_before": [round(x, 2) for x in os.getloadavg()]}
    work = Path(tempfile.mkdtemp(prefix="radix-limit-"))
    static = StaticServer(build_limit(args.assets, work / "limit"))
    server = start_server(args.assets, work / "panel.log", compress=True)
    floor = None if args.no_floor else FloorServer(work / "floor.log")
    results = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for vp in args.viewports:
                w, h = (int(x) for x in vp.split("x"))
                t0 = time.perf_counter()
                results.append(run_viewport(browser, server, static, args.assets, (w, h), args.loads,
                                            args.clicks, args.frames, floor))
                results[-1]["seconds"] = round(time.perf_counter() - t0, 1)
                print(f"{vp}: done in {results[-1]['seconds']} s", file=sys.stderr, flush=True)
                # Each viewport's table as soon as it is measured (a later one may fail on a busy machine).
                print(table(results[-1:], {**info, "load_after": [round(x, 2) for x in os.getloadavg()]}),
                      file=sys.stderr, flush=True)
                if args.json:
                    args.json.write_text(json.dumps({"info": info, "results": results}, indent=1))
            browser.close()
    finally:
        stop_server(server.process)
        static.stop()
        if floor is not None:
            floor.stop()
    info["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(table(results, info))
    if args.json:
        args.json.write_text(json.dumps({"info": info, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
