"""Run every Radix benchmark and print one table of figures, with the machine and the date.

Usage::

    python bench/run_all.py                          # every bench; the load test 20 sessions x 20 s
    python bench/run_all.py --skip-build             # without the full body build (about 1-2 min)
    python bench/run_all.py --load-sessions 50 --load-seconds 60 --markdown figures.md --json all.json

Each benchmark runs in its own process (each starts its own server): ``bench_selection.py``,
``bench_build.py`` (a full body build into a temporary folder; ``--skip-build`` leaves it out),
``bench_click.py`` (the real body in headless Chromium), ``bench_limit.py`` (Radix against a
plain three.js page for the same body), ``bench_load.py`` (concurrent sessions
over the Bokeh protocol) and ``bench_export.py`` when it exists. A bench that fails is reported
in the table and makes the exit status 1. Figures of one run are comparable with each other;
between machines or runs on a shared machine, only roughly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"


@dataclass
class Outcome:
    """What one benchmark gave: its figures (``rows``), its raw output, and whether it ran."""

    name: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    ok: bool = True
    seconds: float = 0.0
    output: str = ""
    data: dict = field(default_factory=dict)


def machine() -> dict:
    """CPU model, cores, memory, OS and Python of this machine."""
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    chromium = ""
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "cpu": cpu,
        "cores_logical": psutil.cpu_count(logical=True),
        "cores_physical": psutil.cpu_count(logical=False),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "chromium": chromium,
        "load_average": [round(x, 1) for x in psutil.getloadavg()],
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run_script(name: str, args: list[str], timeout_s: float) -> tuple[int, str, float]:
    """Run ``bench/NAME`` with ``args``; (exit status, stdout + stderr, seconds)."""
    t0 = time.perf_counter()
    print(f"[run_all] {name} {' '.join(args)}", file=sys.stderr, flush=True)
    try:
        p = subprocess.run([sys.executable, str(BENCH / name), *args], cwd=ROOT, capture_output=True,
                           text=True, timeout=timeout_s)
        code, out = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        code = 124
        out = ((e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""))
        out += f"\n(timed out after {timeout_s:.0f} s)"
    seconds = time.perf_counter() - t0
    print(f"[run_all] {name}: exit {code} after {seconds:.0f} s", file=sys.stderr, flush=True)
    return code, out, seconds


def _failed(outcome: Outcome, code: int) -> Outcome:
    outcome.ok = False
    tail = " | ".join(line.strip() for line in outcome.output.strip().splitlines()[-3:])
    outcome.rows = [(f"{outcome.name}", f"FAILED (exit {code}): {tail[:300]}")]
    return outcome


# --- the benchmarks -------------------------------------------------------------------------------
def bench_selection(timeout_s: float) -> Outcome:
    code, out, sec = run_script("bench_selection.py", ["--quiet", "--repeat", "100"], timeout_s)
    o = Outcome("selection", output=out, seconds=sec)
    if code:
        return _failed(o, code)
    m = re.search(r"select_muscle over (\d+) muscles x (\d+): mean ([\d.]+) us, slowest muscle mean ([\d.]+) us",
                  out)
    if m:
        o.rows.append(("select_muscle (pure Python), per call",
                       f"mean {float(m[3]) / 1000:.2f} ms, slowest muscle {float(m[4]) / 1000:.2f} ms "
                       f"({m[1]} muscles x {m[2]})"))
    load = re.search(r"load \+ validate (\d+) ms", out)
    if load:
        o.rows.append(("knowledge load + validate", f"{int(load[1]) / 1000:.2f} s"))
    return o


def bench_build(timeout_s: float) -> Outcome:
    code, out, sec = run_script("bench_build.py", [], timeout_s)
    o = Outcome("build", output=out, seconds=sec)
    if code:
        return _failed(o, code)
    total = re.search(r"^total\s+([\d.]+)\s+(\d+)\s+([\d,]+)", out, re.M)
    place = re.search(r"^place points\s+([\d.]+)", out, re.M)
    glb = re.search(r"GLB bytes: ([\d.]+) MB in (\d+) files", out)
    if total:
        o.rows.append(("body build (all generators + write + points)",
                       f"{float(total[1]):.0f} s, {total[2]} parts, {total[3]} triangles"))
    if place:
        o.rows.append(("  of which point placement", f"{float(place[1]):.0f} s"))
    if glb:
        o.rows.append(("built GLB", f"{glb[1]} MB in {glb[2]} files"))
    return o


def asset_figures(assets: Path) -> Outcome:
    """Sizes of the assets as built (no build needed)."""
    o = Outcome("assets")
    meshes = sorted((assets / "meshes").glob("*.glb"))
    if not meshes:
        o.rows.append(("assets", f"not built ({assets / 'meshes'} has no GLB)"))
        return o
    glb = sum(p.stat().st_size for p in meshes)
    total = sum(p.stat().st_size for p in assets.rglob("*") if p.is_file())
    structures = json.loads((assets / "atlas" / "structures.json").read_text())
    o.rows.append(("assets as built", f"{len(structures)} structures; {glb / 1e6:.1f} MB of GLB in "
                                      f"{len(meshes)} files; {total / 1e6:.1f} MB in all"))
    return o


def bench_click(timeout_s: float, clicks: int, sessions: int, tmp: Path) -> Outcome:
    out_json = tmp / "click.json"
    # Served as the README's start command serves it (python -m viewer.app.serve: gzip).
    code, out, sec = run_script("bench_click.py", ["--clicks", str(clicks), "--sessions", str(sessions),
                                                   "--compress", "--json", str(out_json)], timeout_s)
    o = Outcome("click", output=out, seconds=sec)
    if code or not out_json.is_file():
        return _failed(o, code or 1)
    r = o.data = json.loads(out_json.read_text())
    c, rt, mem = r["click_to_applied_ms"], r["round_trip_ms"], r["memory"]
    drawn = r["click_to_highlight_ms"]
    o.rows += [
        ("body in the browser", f"{r['structures']} structures, {r['triangles']:,} triangles"),
        ("server start -> first frame (real body)",
         f"{r['server_start_to_first_frame_s']:.1f} s "
         f"(page open -> first frame {r['page_load_to_first_frame_s']:.1f} s)"),
        ("bytes to the browser, page load", f"{r['bytes_page_load'] / 2**20:.1f} MiB: meshes "
                                            f"{r['bytes_meshes'] / 2**20:.1f} MiB, page/JS/CSS "
                                            f"{(r['bytes_page_load'] - r['bytes_meshes']) / 2**20:.1f} MiB"
                                            + (" (gzip)" if r.get("compressed") else " (no gzip)")),
        ("mesh requests after load (all clicks)", f"{r['glb_requests_after_load']}"),
        (f"click -> highlight applied ({r['clicks']} clicks)",
         f"median {c['median']:.0f} ms, p95 {c['p95']:.0f} ms"),
        ("  of which Python round trip", f"median {rt['median']:.0f} ms, p95 {rt['p95']:.0f} ms"),
        ("click -> highlight drawn (frame submitted)", f"median {drawn['median']:.0f} ms, p95 {drawn['p95']:.0f} ms"),
        ("frame of the whole body" + (" (software WebGL, no antialiasing)" if r.get("software_renderer") else ""),
         f"{r['frame_ms']:.0f} ms "
         f"(animation frame interval {r.get('raf_frame_ms', float('nan')):.0f} ms)"),
        ("bytes per click, server -> browser", f"{r['ws_bytes_per_click_in']:,.0f} B"),
        (f"server memory per session (click bench, +{mem['extra_sessions']})", f"{mem['mb_per_session']:.2f} MiB"),
    ]
    return o


def bench_limit(timeout_s: float, tmp: Path) -> Outcome:
    """``bench_limit.py``: Radix / the plain three.js page for the same body, at the desktop size."""
    out_json = tmp / "limit.json"
    code, out, sec = run_script("bench_limit.py", ["--json", str(out_json)], timeout_s)
    o = Outcome("limit", output=out, seconds=sec)
    if code or not out_json.is_file():
        return _failed(o, code or 1)
    o.data = json.loads(out_json.read_text())
    sys.path.insert(0, str(BENCH))
    from bench_limit import ratios

    for r in o.data["results"]:
        for name, a, b, unit in ratios(r):
            digits = 2 if unit == "MB" else 0
            o.rows.append((f"Radix / three.js limit, {name} ({r['viewport']})",
                           f"{a / b:.2f}x ({a:,.{digits}f} against {b:,.{digits}f} {unit})"))
    return o


def bench_load(timeout_s: float, sessions: int, seconds: float, think_s: float, browsers: int,
               tmp: Path) -> Outcome:
    out_json = tmp / "load.json"
    args = ["--sessions", str(sessions), "--seconds", str(seconds), "--think", str(think_s),
            "--json", str(out_json)]
    if browsers:
        args += ["--browsers", str(browsers)]
    code, out, sec = run_script("bench_load.py", args, timeout_s)
    o = Outcome("load", output=out, seconds=sec)
    if not out_json.is_file():
        return _failed(o, code or 1)
    r = o.data = json.loads(out_json.read_text())
    o.ok = code == 0
    rt, m = r["round_trip_ms"], r["memory_mb"]
    held = f"{r['sessions_held']} sessions (Bokeh protocol)"
    if r["browser_pages"]:
        held += f" + {r['browser_pages_ready']} Chromium pages"
    o.rows += [
        ("sessions held at once", f"{held} for {r['seconds']:.0f} s, each selecting every {r['think_s']:g} s "
                                  f"(+-50 %): {r['selections']} selections ({r['selections_per_s']:.1f}/s), "
                                  f"{r['errors']} errors"),
        ("selection round trip under that load", f"median {rt['median']:.0f} ms, p95 {rt['p95']:.0f} ms"),
        ("server memory per session (load test)", f"{r['memory_per_session_mb']:.2f} MiB"),
        ("server RSS: none / 1 / all / after disconnect",
         f"{m['before_mb']:.0f} / {m['one_session_mb']:.0f} / {m['all_sessions_mb']:.0f} / "
         f"{m['after_disconnect_mb']:.0f} MiB"),
        ("disconnected sessions freed", ("yes" if r["memory_released"] else "NO")
         + f" ({r['sessions_left_after_disconnect']} left; second wave regrowth "
           f"{r['second_wave_regrowth_mb']:+.0f} MiB)"),
    ]
    return o


def bench_export(timeout_s: float, tmp: Path) -> Outcome | None:
    """``bench/bench_export.py`` if it exists: its ``--json`` figures when it has that option,
    else the last lines it prints."""
    script = BENCH / "bench_export.py"
    if not script.is_file():
        return None
    help_text = run_script("bench_export.py", ["--help"], 120)[1]
    out_json = tmp / "export.json"
    args = ["--json", str(out_json)] if "--json" in help_text else []
    code, out, sec = run_script("bench_export.py", args, timeout_s)
    o = Outcome("export", output=out, seconds=sec)
    if code:
        return _failed(o, code)
    if out_json.is_file():
        d = o.data = json.loads(out_json.read_text())
        if {"cold_export_pdf_s", "warm_export_pdf_s"} <= set(d):
            o.rows.append(("plan handout export (PDF)",
                           f"cold {d['cold_export_pdf_s']:.1f} s, warm {d['warm_export_pdf_s']:.1f} s "
                           f"(warm render {d.get('warm_render_s', float('nan')):.1f} s, "
                           f"{d.get('views', '?')} views, {d.get('pdf_kib', '?')} KiB)"))
        else:
            for key, value in _flatten(d):
                o.rows.append((f"export: {key}", _fmt(value)))
    else:
        lines = [line.rstrip() for line in out.strip().splitlines() if line.strip()]
        o.rows += [("export", line) for line in lines[-8:]]
    return o


def _flatten(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += _flatten(v, f"{prefix}{k}.")
        elif not isinstance(v, list):
            out.append((f"{prefix}{k}", v))
    return out


def _fmt(v) -> str:
    return f"{v:,.3g}" if isinstance(v, float) else str(v)


# --- output -----------------------------------------------------------------------------------------
def machine_line(m: dict) -> str:
    return (f"{m['cpu']}, {m['cores_logical']} logical cores, {m['ram_gib']} GiB RAM, {m['os']}, "
            f"Python {m['python']}, {m['chromium'] or 'no Chromium'}; load average at start "
            f"{m['load_average'][0]} (shared machine)")


def text_table(rows: list[tuple[str, str]], m: dict) -> str:
    w = max(len(k) for k, _ in rows)
    lines = [f"Radix figures, {m['date']}", f"machine: {machine_line(m)}", "",
             f"{'figure':<{w}}  value", f"{'-' * w}  {'-' * 40}"]
    lines += [f"{k:<{w}}  {v}" for k, v in rows]
    return "\n".join(lines)


def markdown_table(rows: list[tuple[str, str]], m: dict) -> str:
    def cell(s: str) -> str:
        text = s.replace("|", "\\|")
        return ("↳ " if text.startswith("  ") else "") + text.strip()

    lines = [f"Measured {m['date']} on {machine_line(m)}, with `python bench/run_all.py`.", "",
             "| figure | value |", "|---|---|"]
    lines += [f"| {cell(k)} | {cell(v)} |" for k, v in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="leave out the full body build")
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--click-sessions", type=int, default=10,
                        help="extra sessions bench_click opens to measure memory per session")
    parser.add_argument("--load-sessions", type=int, default=20)
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--load-think", type=float, default=1.0, help="seconds between a load session's selections")
    parser.add_argument("--load-browsers", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated subset: selection,build,click,limit,load,export")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds each bench may take")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table as Markdown")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure as JSON")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    wanted = (lambda name: name in only) if only else (lambda name: True)

    m = machine()
    tmp = Path(tempfile.mkdtemp(prefix="radix-run-all-"))
    outcomes: list[Outcome] = [asset_figures(ROOT / "assets")]
    if wanted("selection"):
        outcomes.append(bench_selection(args.timeout))
    if wanted("build"):
        if args.skip_build:
            outcomes.append(Outcome("build", rows=[("body build", "skipped (--skip-build)")]))
        else:
            outcomes.append(bench_build(args.timeout))
    if wanted("click"):
        outcomes.append(bench_click(args.timeout, args.clicks, args.click_sessions, tmp))
    if wanted("limit"):
        outcomes.append(bench_limit(args.timeout, tmp))
    if wanted("load"):
        outcomes.append(bench_load(args.timeout, args.load_sessions, args.load_seconds, args.load_think,
                                   args.load_browsers, tmp))
    if wanted("export"):
        export = bench_export(args.timeout, tmp)
        outcomes.append(export or Outcome("export", rows=[("export", "no bench/bench_export.py")]))

    rows = [row for o in outcomes for row in o.rows]
    print(text_table(rows, m))
    if args.markdown:
        args.markdown.write_text(markdown_table(rows, m))
    if args.json:
        args.json.write_text(json.dumps({"machine": m, "figures": dict(rows),
                                         "benches": {o.name: {"ok": o.ok, "seconds": round(o.seconds, 1),
                                                              "data": o.data} for o in outcomes}},
                                        indent=1, default=str))
    failed = [o.name for o in outcomes if not o.ok]
    if failed:
        print(f"failed: {', '.join(failed)} (see their output above or in --json)", file=sys.stderr)
        for o in outcomes:
            if not o.ok:
                print(f"--- {o.name} ---\n{o.output[-3000:]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
