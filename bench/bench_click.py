"""Click -> highlight latency of the Radix app, measured in the page.

Starts ``panel serve app.py`` on a free port, opens headless Chromium (Debian's, at
/usr/bin/chromium; never downloaded), clicks muscles at their projected screen positions and reads
back from ``window.radixView`` the time from the click to the new highlight applied to the scene
(the Python round trip included: the target), and to the frame drawn with it. Also reports the
time of one full frame of the whole body (``radixView.frameTime``, waiting for the GPU, and the
interval of animation frames while the camera moves), the time from starting the server to the
first rendered frame, the bytes transferred (meshes apart from the page, JavaScript and CSS), and
the server's memory per session: its RSS with the page's session, then with ``--sessions`` more
opened over the Bokeh protocol (``bench/bench_load.py``), divided by their number.

Usage::

    python bench/bench_click.py                 # the project's assets if built, else synthetic
    python bench/bench_click.py --synthetic     # the small synthetic body of tests/ui
    python bench/bench_click.py --assets DIR --clicks 100 --json out.json
    python bench/bench_click.py --compress      # served by python -m viewer.app.serve (gzip)
    python bench/bench_click.py --frames 5 --sessions 20

Clicks alternate between muscles, vertebrae (the reverse chain: select_level) and nerve roots
(select_root), so every kind of selection from the view is timed; each moves only ids and
styles (GLB requests after the page load are counted and must be zero).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_load import percentile  # noqa: E402
from harness.browser import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, MESH_SUFFIXES, READY_TIMEOUT_MS, ensure_bundle, start_server, stop_server,
)


# Pause between a highlight fully drawn and the next click (the info panel's message lands then).
SETTLE_MS = 150


# Mean interval of N consecutive animation frames, each forced to draw the whole body (a camera
# nudge back and forth makes every frame a real render): what a user rotating the view gets.
RAF_FRAMES_JS = """(n) => new Promise((done) => {
  const times = [];
  const step = (t) => {
    times.push(t);
    if (times.length > n) { done((times[n] - times[0]) / n); return; }
    radixView.setView(times.length % 2 ? "posterior" : "oblique");
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})"""


def session_memory(server, extra: int) -> dict:
    """Server RSS with the sessions open now (the benchmark's page), then with ``extra`` more
    sessions opened over the Bokeh protocol (``bench/bench_load.py``: the server runs the same
    app for them as for a page); per extra session is the difference divided by ``extra``."""
    import asyncio
    import threading

    from bench.bench_load import ProtocolSession, server_rss_mb

    pid = server.process.pid
    out = {"extra_sessions": extra, "rss_mb_before": server_rss_mb(pid)}

    async def hold() -> None:
        sessions = [ProtocolSession(server.url) for _ in range(extra)]
        for s in sessions:
            await s.open()
        await asyncio.sleep(1.0)
        out["rss_mb_with_extra"] = server_rss_mb(pid)
        for s in sessions:
            await s.close()

    errors: list[BaseException] = []
    # The sync Playwright API owns this thread's event loop: the protocol sessions get their own.
    worker = threading.Thread(target=lambda: _run_catching(lambda: asyncio.run(hold()), errors))
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    out["mb_per_session"] = (out["rss_mb_with_extra"] - out["rss_mb_before"]) / max(extra, 1)
    return out


def _run_catching(fn, errors: list) -> None:
    try:
        fn()
    except BaseException as e:  # noqa: BLE001 - handed back to the caller's thread
        errors.append(e)


def click_all(page, targets: list[str], points: dict, clicks: int, timeout_ms: int = 20_000) -> int:
    """Click the targets in turn until ``clicks`` highlights were acknowledged; returns how many
    clicks were not (the view ignores a press held longer than its click limit, which a page
    busy drawing in software can cause: such a click is repeated, at most ``clicks`` times)."""
    done = missed = 0
    while done < clicks:
        a = targets[(done + missed) % len(targets)]
        # Click only when the view is idle: the previous highlight has reached the screen and the
        # rasteriser has finished it (in software that frame takes a core for a few hundred ms:
        # clicking during it would time the machine's contention, not the app).
        page.wait_for_function(f"() => radixView.presentedLatencies.length >= {done}", timeout=timeout_ms)
        page.evaluate("radixView.finish()")
        page.wait_for_timeout(SETTLE_MS)
        page.mouse.click(points[a]["x"], points[a]["y"])
        try:
            page.wait_for_function(f"() => radixView.latencies.length >= {done + 1}", timeout=timeout_ms)
            done += 1
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: counted, then retried
            missed += 1
            if missed > clicks:
                raise RuntimeError(f"{missed} clicks were not acknowledged (last on {a})") from None
    return missed


def pick_targets(page, structures: list[tuple[str, str]], per_kind: int = 4) -> list[str]:
    """Structures that a click at their projected point would hit, from the current camera:
    up to ``per_kind`` of each kind, interleaved (muscle, bone, root, muscle, ...)."""
    names = [a for a, _ in structures]
    hits = set(page.evaluate(
        "(names) => names.filter((a) => { const p = radixView.screenPoint(a); return p && p.hit; })",
        names))
    by_kind: dict[str, list[str]] = {}
    for a, kind in structures:
        if a in hits and len(by_kind.setdefault(kind, [])) < per_kind:
            by_kind[kind].append(a)
    out = []
    for i in range(per_kind):
        out += [group[i] for group in by_kind.values() if i < len(group)]
    return out


def run(assets: Path, clicks: int, viewport=(1440, 900), log_dir: Path | None = None,
        compress: bool = False, extra_sessions: int = 10, frames: int = 10) -> dict:
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="radix-bench-"))
    structures = json.loads((assets / "atlas" / "structures.json").read_text())
    clickable = [(s["acronym"], s["kind"]) for s in structures
                 if s["kind"] in ("muscle", "bone", "nerve_root") and s.get("mesh")]
    with sync_playwright() as pw:
        # Chromium is open before the server starts: "server start -> first frame" is the
        # server's and the page's time, not the browser's own start-up.
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        start_wall = time.time()
        server = start_server(assets, log_dir / "panel.log", compress=compress)
        server_up_s = time.perf_counter() - server.started_at
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            traffic = {"http": 0, "ws_in": 0, "ws_out": 0, "requests": 0, "glb": 0, "glb_requests": 0,
                       "decoded": 0}
            urls: dict[str, str] = {}

            def on_request(e):
                urls[e["requestId"]] = e["request"]["url"]

            def on_finished(e):
                traffic["http"] += int(e.get("encodedDataLength", 0))
                traffic["requests"] += 1
                if urls.get(e["requestId"], "").endswith(MESH_SUFFIXES):
                    traffic["glb"] += int(e.get("encodedDataLength", 0))
                    traffic["glb_requests"] += 1

            def on_received(e):
                traffic["decoded"] += int(e.get("dataLength", 0))

            cdp.on("Network.requestWillBeSent", on_request)
            cdp.on("Network.loadingFinished", on_finished)
            cdp.on("Network.dataReceived", on_received)
            cdp.on("Network.webSocketFrameReceived",
                   lambda e: traffic.__setitem__("ws_in", traffic["ws_in"] + len(e["response"]["payloadData"])))
            cdp.on("Network.webSocketFrameSent",
                   lambda e: traffic.__setitem__("ws_out", traffic["ws_out"] + len(e["response"]["payloadData"])))

            nav_start = time.perf_counter()
            page.goto(server.app_url)
            page.wait_for_function("() => window.radixView && window.radixView.ready === true",
                                   timeout=READY_TIMEOUT_MS)
            page_ready_s = time.perf_counter() - nav_start
            ready_epoch_ms = page.evaluate("radixView.readyAtEpochMs")
            first_frame_s = ready_epoch_ms / 1000 - start_wall
            load_bytes = dict(traffic)
            mesh_files = len(list((assets / "meshes").glob("*.glb")))
            stats = page.evaluate("radixView.stats()")
            gpu = page.evaluate("({renderer: radixView.renderer, software: radixView.software, "
                                "antialias: radixView.antialias, packed: !!radixView.packed, marks: radixView.marks})")

            targets = pick_targets(page, clickable)
            if len(targets) < 2:
                raise RuntimeError(f"fewer than two structures can be clicked from the default view: {targets}")
            points = {a: page.evaluate(f"radixView.screenPoint({json.dumps(a)})") for a in targets}
            ws_before = (traffic["ws_in"], traffic["ws_out"])
            missed = click_all(page, targets, points, clicks)
            applied = page.evaluate("radixView.appliedLatencies")
            latencies = page.evaluate("radixView.latencies")
            presented = page.evaluate("radixView.presentedLatencies")
            round_trips = page.evaluate("radixView.roundTrips")
            renders = page.evaluate("radixView.renderTimes")
            glb_after_load = traffic["glb_requests"] - load_bytes["glb_requests"]
            ws_in = traffic["ws_in"] - ws_before[0]
            ws_out = traffic["ws_out"] - ws_before[1]
            frame_ms = page.evaluate(f"radixView.frameTime({frames})")
            raf_ms = page.evaluate(RAF_FRAMES_JS, frames)
            memory = session_memory(server, extra_sessions)
            browser.close()
        finally:
            stop_server(server.process)
    return {
        "assets": str(assets),
        "viewport": f"{viewport[0]}x{viewport[1]}",
        "structures": stats["structures"],
        "triangles": int(stats["triangles"]),
        "clicks": len(latencies),
        "missed_clicks": missed,
        "targets": targets,
        "click_to_applied_ms": {"median": statistics.median(applied), "p95": percentile(applied, 95),
                                "min": min(applied), "max": max(applied)},
        "renderer": gpu["renderer"],
        "software_renderer": gpu["software"],
        "antialias": gpu["antialias"],
        "mesh_pack": gpu["packed"],
        "load_marks_ms": gpu["marks"],
        "click_to_highlight_ms": {"median": statistics.median(latencies), "p95": percentile(latencies, 95),
                                  "min": min(latencies), "max": max(latencies)},
        "round_trip_ms": {"median": statistics.median(round_trips), "p95": percentile(round_trips, 95)},
        "restyle_and_render_ms": {"median": statistics.median(renders), "p95": percentile(renders, 95)},
        "click_to_next_frame_ms": {"median": statistics.median(presented), "p95": percentile(presented, 95)},
        "frame_ms": frame_ms,
        "frames": frames,
        "raf_frame_ms": raf_ms,
        "memory": memory,
        "mesh_files": mesh_files,
        "ws_bytes_page_load": load_bytes["ws_in"],
        "server_up_s": server_up_s,
        "page_load_to_first_frame_s": page_ready_s,
        "server_start_to_first_frame_s": first_frame_s,
        "compressed": compress,
        "bytes_page_load": load_bytes["http"],
        "bytes_page_load_decoded": load_bytes["decoded"],
        "glb_requests_after_load": glb_after_load,
        "bytes_meshes": load_bytes["glb"],
        "glb_requests_load": load_bytes["glb_requests"],
        "requests_page_load": load_bytes["requests"],
        "ws_bytes_per_click_in": ws_in / max(len(latencies), 1),
        "ws_bytes_per_click_out": ws_out / max(len(latencies), 1),
    }


def table(r: dict) -> str:
    rows = [
        ("viewport", r["viewport"]),
        ("body", f"{r['structures']} structures, {r['triangles']:,} triangles"),
        ("selections (clicks)", f"{r['clicks']} over {len(r['targets'])} structures (muscles, vertebrae, roots); "
                                f"{r['missed_clicks']} clicks not acknowledged"),
        ("WebGL renderer", f"{r['renderer'][:60]}{' (software: no antialiasing)' if r['software_renderer'] else ''}"),
        ("click -> new highlight applied to the scene, median", f"{r['click_to_applied_ms']['median']:.1f} ms"),
        ("click -> new highlight applied to the scene, p95", f"{r['click_to_applied_ms']['p95']:.1f} ms"),
        ("click -> highlight rendered, median", f"{r['click_to_highlight_ms']['median']:.1f} ms"),
        ("click -> highlight rendered, p95", f"{r['click_to_highlight_ms']['p95']:.1f} ms"),
        ("  of which click -> styles message (Python round trip), median", f"{r['round_trip_ms']['median']:.1f} ms"),
        ("  of which click -> styles message, p95", f"{r['round_trip_ms']['p95']:.1f} ms"),
        ("  of which restyle + render, median", f"{r['restyle_and_render_ms']['median']:.1f} ms"),
        ("click -> next animation frame, median", f"{r['click_to_next_frame_ms']['median']:.1f} ms"),
        ("click -> next animation frame, p95", f"{r['click_to_next_frame_ms']['p95']:.1f} ms"),
        (f"one full frame of the whole body (GPU synced, mean of {r['frames']})", f"{r['frame_ms']:.1f} ms"),
        (f"animation frame interval while the camera moves (mean of {r['frames']})", f"{r['raf_frame_ms']:.1f} ms"),
        ("server start -> static file served", f"{r['server_up_s']:.2f} s"),
        ("page open -> first frame", f"{r['page_load_to_first_frame_s']:.2f} s"),
        ("server start -> first frame", f"{r['server_start_to_first_frame_s']:.2f} s"),
        ("  page milestones (s after navigation)", ", ".join(
            f"{k} {v / 1000:.2f}" for k, v in sorted(r["load_marks_ms"].items(), key=lambda kv: kv[1]))),
        ("served with gzip (python -m viewer.app.serve)", "yes" if r["compressed"] else "no"),
        ("bytes, page load (all HTTP, on the wire)",
         f"{r['bytes_page_load'] / 1024:,.0f} KiB in {r['requests_page_load']} requests"),
        ("bytes, page load (decoded)", f"{r['bytes_page_load_decoded'] / 1024:,.0f} KiB"),
        ("  of which meshes", f"{r['bytes_meshes'] / 1024:,.0f} KiB in {r['glb_requests_load']} requests "
                              f"({r['mesh_files']} GLB files{', one mesh pack' if r['mesh_pack'] else ''})"),
        ("  of which page, JS, CSS, JSON", f"{(r['bytes_page_load'] - r['bytes_meshes']) / 1024:,.0f} KiB"),
        ("bytes, page load over the WebSocket (document)", f"{r['ws_bytes_page_load'] / 1024:,.0f} KiB"),
        ("mesh requests after the page load, all clicks", f"{r['glb_requests_after_load']}"),
        ("bytes per click, server -> browser", f"{r['ws_bytes_per_click_in']:,.0f} B"),
        ("bytes per click, browser -> server", f"{r['ws_bytes_per_click_out']:,.0f} B"),
        ("server RSS with the page's session", f"{r['memory']['rss_mb_before']:.0f} MiB"),
        (f"server RSS with {r['memory']['extra_sessions']} more sessions (Bokeh protocol)",
         f"{r['memory']['rss_mb_with_extra']:.0f} MiB"),
        ("server memory per extra session", f"{r['memory']['mb_per_session']:.2f} MiB"),
    ]
    w = max(len(k) for k, _ in rows)
    lines = [f"{'metric':<{w}}  value", f"{'-' * w}  {'-' * 30}"]
    lines += [f"{k:<{w}}  {v}" for k, v in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assets", type=Path, default=None, help="assets folder (default: project's, if built)")
    parser.add_argument("--synthetic", action="store_true", help="use the synthetic body of tests/ui")
    parser.add_argument("--clicks", type=int, default=60)
    parser.add_argument("--viewport", default="1440x900", help="browser window size, WxH")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    parser.add_argument("--frames", type=int, default=10, help="frames timed for the frame time")
    parser.add_argument("--sessions", type=int, default=10,
                        help="extra sessions opened to measure the server's memory per session")
    parser.add_argument("--compress", action="store_true",
                        help="serve with gzip (python -m viewer.app.serve) instead of panel serve")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is not installed; the benchmark needs Debian's chromium", file=sys.stderr)
        return 2
    assets = args.assets
    if assets is None and not args.synthetic and (ROOT / "assets" / "atlas" / "structures.json").is_file():
        assets = ROOT / "assets"
    if assets is None:
        from harness.synthetic import write_synthetic_assets

        assets = write_synthetic_assets(Path(tempfile.mkdtemp(prefix="radix-synthetic-")) / "assets")
    width, height = (int(v) for v in args.viewport.lower().split("x"))
    result = run(Path(assets).resolve(), max(args.clicks, 50), viewport=(width, height), compress=args.compress,
                 extra_sessions=max(args.sessions, 1), frames=max(args.frames, 1))
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
