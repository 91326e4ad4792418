"""Several Radix processes behind nginx with sticky sessions, under load; everything on loopback.

Starts ``--procs`` app processes (``python -m viewer.app.serve app.py``, each on its own loopback
port), an unprivileged nginx from Debian's packages (``apt-get install nginx-light``) in a
temporary folder as their reverse proxy, then opens ``--sessions`` sessions through the proxy
and has each select a muscle every ``--think-min`` to ``--think-max`` seconds for ``--seconds``
seconds, over the Bokeh WebSocket protocol the browser speaks (``bench_load.ProtocolSession``).
At the end it stops nginx and every app process, whatever happened.

Sticky sessions: nginx hashes a cookie (``radix_node``) to pick the process; a browser without
one gets a random value (``$request_id``) and the cookie with its first answer, so the page and
its WebSocket, and every later request, reach the same process (what ``docs/DEPLOY.md``
describes; ``ip_hash`` would send every user behind one address, and on loopback all of them, to
one process). Each load session carries a cookie of its own, like a browser that loaded the page.

Reported: selections, round trip (set the search box -> the 3D view's new highlight arrives)
median / p95 / max, errors (a selection that timed out, a dropped connection, a session that
did not open), sessions and WebSocket upgrades per process (from nginx's access log), each
process's CPU seconds, the machine's load average before and after, and per 10-s window the
median round trip and errors: **what fails first and at what load**.

Usage::

    python bench/bench_cluster.py                          # 200 sessions, 4 processes, 60 s
    python bench/bench_cluster.py --sessions 40 --procs 2 --seconds 30 --json cluster.json

Exit status 1 when any selection or session failed; 2 when nginx is not installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_load import ProtocolError, ProtocolSession, muscle_targets, percentile  # noqa: E402
from harness.browser import PROJECT, free_port, probe_url, stop_server  # noqa: E402

NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")
START_TIMEOUT_S = 120.0
WINDOW_S = 10.0
COOKIE = "radix_node"


def find_nginx() -> str | None:
    for name in NGINX_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def nginx_config(folder: Path, listen_port: int, backend_ports: list[int]) -> str:
    """An nginx configuration that runs without root from ``folder``: loopback only, sticky by
    the ``radix_node`` cookie, WebSocket upgrade passed through, access log without query strings."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in backend_ports)
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    # The path only ($uri, not $request): a query string can carry personal data.
    log_format radix '$remote_addr [$time_local] "$request_method $uri" $status $body_bytes_sent '
                     'upstream=$upstream_addr time=$request_time';
    access_log {folder}/access.log radix;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;

    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # Sticky: the browser's cookie, or a random value for a browser that has none yet.
    map $cookie_{COOKIE} $radix_node {{ "" $request_id; default $cookie_{COOKIE}; }}

    upstream radix {{
        hash $radix_node consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        location / {{
            proxy_pass http://radix;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 3600s;
            add_header Set-Cookie "{COOKIE}=$radix_node; Path=/; HttpOnly; SameSite=Lax" always;
        }}
    }}
}}
"""


@dataclass
class Cluster:
    url: str
    folder: Path
    nginx: subprocess.Popen
    apps: list[subprocess.Popen]
    app_ports: list[int]


def start_cluster(assets: Path, procs: int, folder: Path) -> Cluster:
    """Start ``procs`` app processes and nginx in front of them; stop everything on failure."""
    nginx_bin = find_nginx()
    if nginx_bin is None:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx-light)")
    folder.chmod(0o755)                          # nginx's worker (nobody when run as root) reads it
    proxy_port = free_port()
    origin = f"127.0.0.1:{proxy_port}"
    apps: list[subprocess.Popen] = []
    ports: list[int] = []
    nginx = None
    try:
        for i in range(procs):
            port = free_port()
            cmd = [sys.executable, "-m", "viewer.app.serve", "app.py", "--port", str(port),
                   "--address", "127.0.0.1", "--allow-websocket-origin", origin, "--use-xheaders",
                   "--num-procs", "1", "--static-dirs", f"meshes={assets / 'meshes'}"]
            log = open(folder / f"app-{i}.log", "wb")
            apps.append(subprocess.Popen(cmd, cwd=PROJECT, env={**os.environ, "RADIX_ASSETS": str(assets)},
                                         stdout=log, stderr=subprocess.STDOUT))
            ports.append(port)
        for proc, port in zip(apps, ports):
            _wait_http(f"http://127.0.0.1:{port}{probe_url(assets)}", proc, folder)
        conf = folder / "nginx.conf"
        conf.write_text(nginx_config(folder, proxy_port, ports))
        nginx = subprocess.Popen([nginx_bin, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                                 stdout=open(folder / "nginx.out", "wb"), stderr=subprocess.STDOUT)
        _wait_http(f"http://{origin}{probe_url(assets)}", nginx, folder)
        return Cluster(f"http://{origin}", folder, nginx, apps, ports)
    except BaseException:
        stop_cluster(apps, nginx)
        raise


def _wait_http(url: str, proc: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}; logs in {folder}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {START_TIMEOUT_S} s; logs in {folder}")


def stop_cluster(apps: list[subprocess.Popen], nginx: subprocess.Popen | None) -> None:
    if nginx is not None:
        stop_server(nginx)
    for proc in apps:
        stop_server(proc)


# --- the load ------------------------------------------------------------------------------------
@dataclass
class Timeline:
    """Every selection as ``(start s, round trip ms or None for a failure)`` and the errors."""

    selections: list[tuple[float, float | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    open_ms: list[float] = field(default_factory=list)


async def open_all(url: str, n: int, timeline: Timeline, timeout_s: float, seed: int) -> list[ProtocolSession]:
    """Open ``n`` sessions through the proxy, a few at a time, each with its own sticky cookie."""
    rng = random.Random(seed)
    gate = asyncio.Semaphore(8)
    sessions: list[ProtocolSession] = []

    async def one() -> None:
        async with gate:
            s = ProtocolSession(url, timeout_s=timeout_s, cookie=f"{COOKIE}={uuid.UUID(int=rng.getrandbits(128)).hex}")
            try:
                timeline.open_ms.append(await s.open())
                sessions.append(s)
            except (ProtocolError, TimeoutError, OSError) as e:
                timeline.errors.append(f"open: {type(e).__name__}: {e}")
                await s.close()

    await asyncio.gather(*(one() for _ in range(n)))
    return sessions


async def drive(session: ProtocolSession, targets, t0: float, until: float, think: tuple[float, float],
                timeline: Timeline, rng: random.Random) -> None:
    """Select a muscle, wait ``think`` seconds (uniform), again, until ``until``; a session starts
    at a random point of its first pause so the sessions do not click in step."""
    await asyncio.sleep(rng.uniform(0, think[1]))
    previous = None
    while time.perf_counter() < until:
        name, ids, _ = rng.choice([t for t in targets if t[0] != previous])
        start = time.perf_counter() - t0
        try:
            timeline.selections.append((start, await session.select(name, ids)))
        except (ProtocolError, TimeoutError, OSError) as e:
            timeline.selections.append((start, None))
            timeline.errors.append(f"{start:.1f} s {session.session_id[:8]}: {type(e).__name__}: {e}")
            if isinstance(e, OSError) or "closed the connection" in str(e):
                return
        previous = name
        await asyncio.sleep(rng.uniform(*think))


def windows(timeline: Timeline, seconds: float) -> list[dict]:
    """Per :data:`WINDOW_S` window of the run: selections started, failures, median and p95."""
    out = []
    start = 0.0
    while start < seconds:
        rows = [rt for t, rt in timeline.selections if start <= t < start + WINDOW_S]
        ok = [rt for rt in rows if rt is not None]
        out.append({"from_s": start, "selections": len(rows), "failed": len(rows) - len(ok),
                    "median_ms": statistics.median(ok) if ok else float("nan"),
                    "p95_ms": percentile(ok, 95)})
        start += WINDOW_S
    return out


def cpu_seconds(pids: list[int]) -> list[float]:
    import psutil

    out = []
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            out.append(t.user + t.system)
        except psutil.Error:
            out.append(float("nan"))
    return out


def upstream_counts(folder: Path, ports: list[int]) -> dict[str, dict[str, int]]:
    """Per app process: requests nginx sent it (its access log names the upstream; a WebSocket
    is logged when it closes) and WebSocket connections it opened (its own log)."""
    counts = {str(p): {"requests": 0, "websockets": 0} for p in ports}
    access = folder / "access.log"
    lines = access.read_text(errors="replace").splitlines() if access.exists() else []
    for i, port in enumerate(ports):
        counts[str(port)]["requests"] = sum(f"upstream=127.0.0.1:{port} " in line for line in lines)
        app_log = folder / f"app-{i}.log"
        if app_log.exists():
            counts[str(port)]["websockets"] = app_log.read_text(errors="replace").count("WebSocket connection opened")
    return counts


async def run_load(cluster: Cluster, targets, sessions: int, seconds: float, think: tuple[float, float],
                   timeout_s: float, seed: int) -> dict:
    timeline = Timeline()
    pids = [p.pid for p in cluster.apps]
    load_before = os.getloadavg()
    t_open = time.perf_counter()
    opened = await open_all(cluster.url, sessions, timeline, timeout_s, seed)
    open_s = time.perf_counter() - t_open
    cpu0 = cpu_seconds(pids)
    rng = random.Random(seed + 1)
    t0 = time.perf_counter()
    until = t0 + seconds
    await asyncio.gather(*(drive(s, targets, t0, until, think, timeline, random.Random(rng.random()))
                           for s in opened))
    run_s = time.perf_counter() - t0
    cpu1 = cpu_seconds(pids)
    load_after = os.getloadavg()
    for s in opened:
        await s.close()
    await asyncio.sleep(1.0)                     # nginx logs a WebSocket once it is closed
    ok = [rt for _, rt in timeline.selections if rt is not None]
    per_window = windows(timeline, seconds)
    slow = next((w for w in per_window if w["failed"] or (w["p95_ms"] == w["p95_ms"] and w["p95_ms"] > 1000)), None)
    return {
        "method": "nginx (hash of a sticky cookie) in front of N `python -m viewer.app.serve` processes; "
                  "Bokeh WebSocket protocol sessions (bench_load.ProtocolSession) through the proxy",
        "procs": len(cluster.apps),
        "sessions": sessions,
        "sessions_open": len(opened),
        "open_all_s": round(open_s, 1),
        "session_open_ms": {"median": statistics.median(timeline.open_ms) if timeline.open_ms else float("nan"),
                            "p95": percentile(timeline.open_ms, 95)},
        "seconds": round(run_s, 1),
        "think_s": list(think),
        "selections": len(timeline.selections),
        "selections_ok": len(ok),
        "selections_per_s": round(len(ok) / run_s, 1) if run_s else 0.0,
        "offered_per_s": round(len(opened) / statistics.mean(think), 1),
        "round_trip_ms": {"median": statistics.median(ok) if ok else float("nan"),
                          "p95": percentile(ok, 95), "max": max(ok) if ok else float("nan")},
        "errors": len(timeline.errors),
        "error_samples": timeline.errors[:10],
        "windows": per_window,
        "first_trouble": slow,
        "per_process": upstream_counts(cluster.folder, cluster.app_ports),
        "process_cpu_s": [round(b - a, 1) for a, b in zip(cpu0, cpu1)],
        "machine": {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in load_before],
                    "loadavg_after": [round(x, 2) for x in load_after]},
    }


def run(assets: Path, procs: int = 4, sessions: int = 200, seconds: float = 60.0,
        think: tuple[float, float] = (2.0, 5.0), timeout_s: float = 30.0, seed: int = 1,
        keep: Path | None = None) -> dict:
    """Start the cluster, run the load, stop the cluster; the figures as a dict."""
    targets = muscle_targets(assets)
    folder = Path(tempfile.mkdtemp(prefix="radix-cluster-")) if keep is None else keep
    folder.mkdir(parents=True, exist_ok=True)
    cluster = start_cluster(assets, procs, folder)
    try:
        result = asyncio.run(run_load(cluster, targets, sessions, seconds, think, timeout_s, seed))
    finally:
        stop_cluster(cluster.apps, cluster.nginx)
    result["logs"] = str(folder)
    return result


def table(r: dict) -> str:
    rt = r["round_trip_ms"]
    m = r["machine"]
    rows = [
        ("setup", f"nginx + {r['procs']} app processes, sticky by cookie, loopback"),
        ("sessions", f"{r['sessions_open']} of {r['sessions']} open (all opened in {r['open_all_s']} s; "
                     f"median {r['session_open_ms']['median']:.0f} ms, p95 {r['session_open_ms']['p95']:.0f} ms each)"),
        ("load", f"each selects every {r['think_s'][0]:g}-{r['think_s'][1]:g} s for {r['seconds']} s "
                 f"(offered about {r['offered_per_s']} selections/s)"),
        ("selections answered", f"{r['selections_ok']} of {r['selections']} ({r['selections_per_s']} per s)"),
        ("round trip median / p95 / max", f"{rt['median']:.0f} / {rt['p95']:.0f} / {rt['max']:.0f} ms"),
        ("errors", str(r["errors"])),
        ("WebSockets / requests per process", ", ".join(
            f"{c['websockets']} / {c['requests']}" for c in r["per_process"].values())),
        ("CPU seconds per process during the run", ", ".join(f"{c:g}" for c in r["process_cpu_s"])),
        ("machine", f"{m['cpus']} CPUs; load average {m['loadavg_before'][0]} before, {m['loadavg_after'][0]} after"),
    ]
    w = max(len(k) for k, _ in rows)
    lines = [f"{k:<{w}}  {v}" for k, v in rows]
    lines.append("per 10 s: " + "; ".join(
        f"{x['from_s']:.0f}s {x['selections']} sel, {x['failed']} failed, median {x['median_ms']:.0f} ms, "
        f"p95 {x['p95_ms']:.0f} ms" for x in r["windows"]))
    t = r["first_trouble"]
    lines.append("first trouble: " + ("none (no failure, p95 under 1 s in every window)" if t is None else
                                      f"window from {t['from_s']:.0f} s: {t['failed']} failed, "
                                      f"p95 {t['p95_ms']:.0f} ms"))
    if r["error_samples"]:
        lines.append("first errors:")
        lines += [f"  {e}" for e in r["error_samples"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assets", type=Path, default=ROOT / "assets")
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think-min", type=float, default=2.0)
    parser.add_argument("--think-max", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a selection may take")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--logs", type=Path, default=None, help="keep the logs and nginx.conf here")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.procs < 1 or args.sessions < 1 or not 0 <= args.think_min <= args.think_max:
        parser.error("--procs and --sessions must be at least 1, and 0 <= --think-min <= --think-max")
    if find_nginx() is None:
        print("nginx is not installed (Debian: apt-get install nginx-light)", file=sys.stderr)
        return 2
    if not (args.assets / "atlas" / "structures.json").is_file():
        print(f"{args.assets}: no atlas/structures.json (build the body first)", file=sys.stderr)
        return 2
    result = run(args.assets.resolve(), args.procs, args.sessions, args.seconds,
                 (args.think_min, args.think_max), args.timeout, args.seed, args.logs)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
