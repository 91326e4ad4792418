"""Load test of the Radix server: many concurrent sessions selecting muscles.

Starts ``panel serve app.py`` on a loopback port and holds ``--sessions`` sessions open for
``--seconds`` seconds. Each session is driven through the real Bokeh WebSocket protocol (the one
the browser speaks): it opens ``/app/ws`` with a session token, pulls the document, then
repeatedly sets the value of the app's "Find a muscle" search box (a ``PATCH-DOC`` with a
``ModelChanged`` event, exactly what BokehJS sends when a user picks a muscle there) and waits
for the server's ``PATCH-DOC`` that carries the 3D view's new ``structure_styles`` with that
muscle highlighted. The time between the two is the selection round trip (it includes the 50 ms
for which Panel holds a change from the browser to a widget, to merge bursts while typing). Fifty headless
browsers with WebGL would not fit on a small machine; ``--browsers N`` mixes in N real Chromium
pages (software WebGL) that pick muscles in the 3D view at the same time.

Memory: the resident set (RSS) of the server process before any session, with one session,
with all of them, and after they disconnect (the server is started with short unused-session
lifetimes, and the probe below says when the sessions are gone). Whether a
disconnected session freed its memory is checked directly: the server runs a probe as its
``--setup`` script (:func:`serve_probe`), which answers on request with the number of live ``RadixApp``, Bokeh
``Document`` and ``ServerSession`` objects after a full garbage collection (all sessions' worth
while they are open, none once they are gone). A second wave of as many sessions then shows the
RSS reusing the freed memory (CPython rarely returns freed memory to the system, so the RSS
itself does not drop).

Usage::

    python bench/bench_load.py                         # 50 sessions, 60 s, real assets
    python bench/bench_load.py --sessions 10 --seconds 15 --think 0.5
    python bench/bench_load.py --browsers 2 --json load.json

Exit status 1 when any selection failed (timeout, wrong highlight, error message, dropped
connection) or when disconnected sessions were not released.
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

from harness.browser import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, PROJECT, READY_TIMEOUT_MS, SERVER_START_TIMEOUT_S, Server, ensure_bundle,
    free_port, probe_url, stop_server,
)

METHOD = ("Bokeh WebSocket protocol (tornado client): PULL-DOC + document_ready, then PATCH-DOC "
          "setting the search box value; round trip = until the server's PATCH-DOC with the new "
          "structure_styles")
SEARCH_TITLE = "Find a muscle"
DOCUMENT_READY = {"kind": "MessageSent", "msg_type": "bokeh_event",
                  "msg_data": {"type": "event", "name": "document_ready", "values": {"type": "map"}}}
STYLES_ATTR = "structure_styles"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation; NaN for no values."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# --- the server ----------------------------------------------------------------------------------
def start_load_server(assets: Path, log_path: Path, session_lifetime_ms: int = 2000) -> Server:
    """``panel serve app.py`` on a free loopback port, with short unused-session lifetimes (so
    disconnected sessions are destroyed within seconds) and the live-object probe."""
    port = free_port()
    panel = shutil.which("panel")
    launcher = ([panel] if panel else [sys.executable, "-m", "panel"]) + ["serve"]
    cmd = launcher + [
        "app.py", "--port", str(port), "--address", "127.0.0.1",
        "--allow-websocket-origin", f"127.0.0.1:{port}", "--num-procs", "1",
        "--static-dirs", f"meshes={assets / 'meshes'}",
        "--unused-session-lifetime", str(session_lifetime_ms),
        "--check-unused-sessions", str(max(500, session_lifetime_ms // 2)),
        "--setup", str(write_probe_setup(log_path.parent)),
    ]
    env = {**os.environ, "RADIX_ASSETS": str(assets), "RADIX_TEST_HOOKS": "1"}
    started = time.perf_counter()
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"panel serve exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url + probe_url(assets), timeout=2) as r:
                if r.status == 200:
                    return Server(url, assets, proc, started, log_path)
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError(f"panel serve did not answer within {SERVER_START_TIMEOUT_S} s; log: {log_path}")


def serve_probe(folder: Path) -> None:
    """In the server process: answer each request file in ``folder`` with the number of live
    objects per session (after a full garbage collection), so the bench can check that a
    disconnected session's objects are gone. Runs in a daemon thread; costs nothing between
    requests."""
    import gc
    import threading

    def count() -> dict:
        gc.collect()
        from bokeh.document import Document
        from bokeh.server.session import ServerSession

        main = sys.modules.get("viewer.app.main")
        kinds = {"documents": Document, "server_sessions": ServerSession}
        if main is not None:
            kinds["radix_apps"] = main.RadixApp
        counts = dict.fromkeys(kinds, 0)
        for obj in gc.get_objects():
            for name, cls in kinds.items():
                if isinstance(obj, cls):
                    counts[name] += 1
        return counts

    def loop() -> None:
        request, reply = folder / "request", folder / "reply.json"
        while True:
            if request.exists():
                request.unlink()
                tmp = folder / "reply.tmp"
                tmp.write_text(json.dumps(count()))
                tmp.replace(reply)
            time.sleep(0.1)

    threading.Thread(target=loop, daemon=True, name="radix-load-probe").start()


def write_probe_setup(folder: Path) -> Path:
    """A ``panel serve --setup`` script that starts :func:`serve_probe` on ``folder/probe``."""
    probe = folder / "probe"
    probe.mkdir(parents=True, exist_ok=True)
    script = folder / "probe_setup.py"
    script.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                      f"from pathlib import Path\nfrom bench.bench_load import serve_probe\n"
                      f"serve_probe(Path({str(probe)!r}))\n")
    return script


def probe_counts(folder: Path, timeout_s: float = 60.0) -> dict:
    """Ask the server's probe (:func:`serve_probe`) for its live-object counts."""
    reply = folder / "reply.json"
    reply.unlink(missing_ok=True)
    (folder / "request").write_text("count")
    deadline = time.monotonic() + timeout_s
    while not reply.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server's probe did not answer in {timeout_s} s")
        time.sleep(0.1)
    return json.loads(reply.read_text())


def server_rss_mb(pid: int) -> float:
    """Resident set of the server process (and any children), in MiB."""
    import psutil

    proc = psutil.Process(pid)
    procs = [proc] + proc.children(recursive=True)
    return sum(p.memory_info().rss for p in procs) / 2**20


# --- one session over the Bokeh protocol ---------------------------------------------------------
def decode(value):
    """A Bokeh-serialized value (``{"type": "map", "entries": [...]}`` and so on) as plain Python."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "map":
            return {decode(k): decode(v) for k, v in value.get("entries", [])}
        if kind in ("set", "slice", "number", "bytes", "ndarray", "typed_array", "value", "field"):
            return value
        return {k: decode(v) for k, v in value.items()}
    return value


def find_models(document_json: dict) -> list[dict]:
    """Every serialized model (``{"type": "object", "id": ..., "attributes": ...}``) in a document."""
    found: list[dict] = []
    stack = [document_json]
    while stack:
        o = stack.pop()
        if isinstance(o, dict):
            if o.get("type") == "object" and "id" in o:
                found.append(o)
            stack.extend(o.values())
        elif isinstance(o, list):
            stack.extend(o)
    return found


class ProtocolError(RuntimeError):
    """The server answered with something a selection should not get."""


@dataclass
class ProtocolSession:
    """One Radix session driven over Bokeh's WebSocket protocol, like a browser tab without a page.

    ``await open()`` creates the session on the server (the app runs for it) and pulls its
    document; ``await select(name, structure_ids)`` types a muscle into the search box and returns
    the round trip in ms once the highlight arrives.
    """

    url: str                      # http://127.0.0.1:PORT
    app: str = "app"
    timeout_s: float = 20.0
    cookie: str = ""              # sent with the WebSocket request, as a browser sends its cookies
    session_id: str = ""
    search_id: str | None = None
    view_id: str | None = None
    _ws: object = None
    _inbox: asyncio.Queue | None = None
    _reader: asyncio.Task | None = None
    messages_in: int = 0

    async def open(self) -> float:
        from bokeh.util.token import generate_jwt_token, generate_session_id
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        t0 = time.perf_counter()
        self.session_id = generate_session_id(signed=False, secret_key=None)
        token = generate_jwt_token(self.session_id, signed=False, secret_key=None)
        ws_url = self.url.replace("http://", "ws://") + f"/{self.app}/ws"
        headers = {"Origin": self.url, **({"Cookie": self.cookie} if self.cookie else {})}
        request = HTTPRequest(ws_url, headers=headers, request_timeout=self.timeout_s,
                              connect_timeout=self.timeout_s)
        self._ws = await websocket_connect(request, subprotocols=["bokeh", token],
                                           max_message_size=200 * 2**20)
        await self._expect("ACK")
        await self._send("PULL-DOC-REQ", {})
        reply = await self._expect("PULL-DOC-REPLY")
        for model in find_models(reply):
            attrs = model.get("attributes", {})
            if attrs.get("title") == SEARCH_TITLE:
                self.search_id = model["id"]
            if STYLES_ATTR in attrs:
                self.view_id = model["id"]
        if self.search_id is None or self.view_id is None:
            raise ProtocolError(f"session {self.session_id}: the document has no search box "
                                f"({self.search_id}) or 3D view ({self.view_id})")
        # What BokehJS sends once the page is rendered; Panel sends the components' data
        # (the 3D view's styles) only to a document that is ready.
        await self._send("PATCH-DOC", {"events": [DOCUMENT_READY]})
        await self._expect("OK")
        # From here on whole messages are read in the background, so a selection that times out
        # never leaves a message half read.
        self._inbox = asyncio.Queue()
        self._reader = asyncio.create_task(self._pump())
        return (time.perf_counter() - t0) * 1e3

    async def select(self, muscle_name: str, structure_ids: set[str]) -> float:
        """Set the search box to ``muscle_name``; ms until the view's styles highlight any of
        ``structure_ids`` (the muscle's structures)."""
        event = {"kind": "ModelChanged", "model": {"id": self.search_id}, "attr": "value",
                 "new": muscle_name}
        while not self._inbox.empty():      # late answers to an earlier, timed-out selection
            self._inbox.get_nowait()
        wrong: list[str] = []
        t0 = time.perf_counter()
        await self._send("PATCH-DOC", {"events": [event]})
        deadline = t0 + self.timeout_s
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ProtocolError(f"no highlight of {muscle_name!r} within {self.timeout_s} s")
            try:
                msgtype, content = await asyncio.wait_for(self._inbox.get(), remaining)
            except asyncio.TimeoutError:
                seen = f" (styles seen meanwhile highlight {wrong[-1]})" if wrong else ""
                raise ProtocolError(f"no highlight of {muscle_name!r} within {self.timeout_s} s{seen}") from None
            if msgtype == "CLOSED":
                raise ProtocolError(f"the server closed the connection: {content.get('why', '')}")
            if msgtype == "ERROR":
                raise ProtocolError(f"server error: {content.get('text', content)}")
            if msgtype != "PATCH-DOC":
                continue
            for ev in content.get("events", []):
                if (ev.get("kind") == "ModelChanged" and ev.get("attr") == STYLES_ATTR
                        and ev.get("model", {}).get("id") == self.view_id):
                    styles = decode(ev.get("new"))
                    lit = {k for k, v in (styles.get("ids") or {}).items() if v.get("highlight")}
                    if lit & structure_ids:
                        return (time.perf_counter() - t0) * 1e3
                    # an answer to an earlier selection still on its way: keep waiting (if the
                    # right highlight never comes, the timeout reports what came instead)
                    wrong.append(str(sorted(lit)[:6]))

    async def _pump(self) -> None:
        try:
            while True:
                await self._inbox.put(await self._read())
        except (ProtocolError, OSError, ValueError) as e:
            await self._inbox.put(("CLOSED", {"why": str(e)}))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        if self._ws is not None:
            self._ws.close()
            self._ws = None

    async def _send(self, msgtype: str, content: dict) -> None:
        header = {"msgid": uuid.uuid4().hex, "msgtype": msgtype}
        for part in (header, {}, content):
            await self._ws.write_message(json.dumps(part))

    async def _read(self) -> tuple[str, dict]:
        frames = []
        for _ in range(3):
            frame = await self._ws.read_message()
            if frame is None:
                raise ProtocolError("the server closed the connection")
            frames.append(frame)
        header = json.loads(frames[0])
        for _ in range(int(header.get("num_buffers", 0)) * 2):   # buffer header + payload
            if await self._ws.read_message() is None:
                raise ProtocolError("the server closed the connection")
        self.messages_in += 1
        return header["msgtype"], json.loads(frames[2])

    async def _expect(self, msgtype: str) -> dict:
        got, content = await asyncio.wait_for(self._read(), self.timeout_s)
        if got != msgtype:
            raise ProtocolError(f"expected {msgtype}, got {got}: {str(content)[:200]}")
        return content


# --- what to select ------------------------------------------------------------------------------
def muscle_targets(assets: Path, side: str = "left") -> list[tuple[str, set[str], str]]:
    """``(name typed in the search box, structure ids that must light up, acronym)`` for every
    muscle of the knowledge that has a mesh on ``side`` (the app's default side) or in the
    midline; multifidus is left out (it is lit by other muscles' chains too)."""
    from viewer.knowledge import load_knowledge

    structures = json.loads((assets / "atlas" / "structures.json").read_text())
    by_acronym = {s["acronym"]: s for s in structures if s["kind"] == "muscle" and s.get("mesh")}
    points = assets / "points.json"
    knowledge = load_knowledge(assets, points_path=points if points.exists() else None,
                               partial_points=not points.exists())
    out = []
    for m in knowledge.muscles:
        if m.id.startswith("multifidus"):
            continue
        for acronym in (f"{m.id}_{side}", m.id):
            if acronym in by_acronym:
                out.append((m.name, {str(by_acronym[acronym]["id"])}, acronym))
                break
    if len(out) < 2:
        raise RuntimeError(f"{assets}: fewer than two muscles with meshes to select")
    return out


# --- the load --------------------------------------------------------------------------------------
@dataclass
class Tally:
    round_trips: list[float] = field(default_factory=list)
    open_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    browser_latencies: list[float] = field(default_factory=list)
    browser_errors: list[str] = field(default_factory=list)
    browser_pages: int = 0


async def drive_session(session: ProtocolSession, targets, until: float, think_s: float,
                        tally: Tally, rng: random.Random) -> None:
    """Select muscles one after another until ``until`` (perf_counter), pausing ``think_s``
    (+-50 %) between selections like a user reading the info panel."""
    previous = None
    while time.perf_counter() < until:
        name, ids, _ = rng.choice([t for t in targets if t[0] != previous])
        try:
            tally.round_trips.append(await session.select(name, ids))
        except (ProtocolError, asyncio.TimeoutError, OSError) as e:
            tally.errors.append(f"{session.session_id[:8]}: {type(e).__name__}: {e}")
            if isinstance(e, OSError) or "closed the connection" in str(e):
                return
        previous = name
        if think_s > 0:
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))


async def open_page(pw_browser, server: Server, tally: Tally):
    """A real Chromium page with the app loaded (every mesh, first frame drawn), or None."""
    context = await pw_browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    page.radix_errors = []
    page.on("pageerror", lambda e: page.radix_errors.append(str(e)))
    try:
        await page.goto(server.app_url)
        await page.wait_for_function("() => window.radixView && window.radixView.ready === true",
                                     timeout=READY_TIMEOUT_MS * 5)
    except Exception as e:  # noqa: BLE001 - a page that never loads is a counted error
        tally.browser_errors.append(f"page load: {type(e).__name__}: {str(e)[:300]}")
        await context.close()
        return None
    tally.browser_pages += 1
    return page


async def drive_page(page, targets, until: float, think_s: float, tally: Tally, rng: random.Random) -> None:
    """Pick muscles in the page's 3D view (``radixView.pick``, the click path without the
    pointer) until ``until``, recording click -> highlight rendered; then close the page."""
    try:
        n = await page.evaluate("radixView.latencies.length")
        while time.perf_counter() < until:
            _, _, acronym = rng.choice(targets)
            await page.evaluate(f"radixView.pick({json.dumps(acronym)})")
            n += 1
            await page.wait_for_function(f"() => radixView.latencies.length >= {n}", timeout=60_000)
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
        tally.browser_latencies += await page.evaluate("radixView.latencies")
        tally.browser_errors += page.radix_errors
    except Exception as e:  # noqa: BLE001 - a failed page is a counted error, not a crash
        tally.browser_errors.append(f"page: {type(e).__name__}: {str(e)[:300]}")
    finally:
        await page.context.close()


async def open_sessions(server: Server, n: int, tally: Tally, timeout_s: float) -> list[ProtocolSession]:
    """Open ``n`` sessions, a few at a time (as users arrive), counting failures as errors."""
    sessions: list[ProtocolSession] = []
    gate = asyncio.Semaphore(4)

    async def one() -> None:
        async with gate:
            s = ProtocolSession(server.url, timeout_s=timeout_s)
            try:
                tally.open_ms.append(await s.open())
                sessions.append(s)
            except (ProtocolError, asyncio.TimeoutError, OSError) as e:
                tally.errors.append(f"open: {type(e).__name__}: {e}")
                await s.close()

    await asyncio.gather(*(one() for _ in range(n)))
    return sessions


async def wait_released(probe: Path, timeout_s: float = 60.0) -> tuple[dict, float]:
    """Wait until the server holds no session (no ``ServerSession`` nor ``RadixApp`` alive after
    a garbage collection); returns the last counts and the seconds waited."""
    t0 = time.perf_counter()
    while True:
        counts = probe_counts(probe)
        if not counts.get("server_sessions") and not counts.get("radix_apps"):
            break
        if time.perf_counter() - t0 > timeout_s:
            break
        await asyncio.sleep(1.0)
    return counts, time.perf_counter() - t0


async def run_load_async(server: Server, targets, sessions: int, seconds: float, think_s: float,
                         browsers: int, timeout_s: float, seed: int) -> dict:
    rng = random.Random(seed)
    pid = server.process.pid
    probe = server.log_path.parent / "probe"
    tally = Tally()
    mem = {"before_mb": server_rss_mb(pid)}

    first = await open_sessions(server, 1, tally, timeout_s)
    await asyncio.sleep(1.0)
    mem["one_session_mb"] = server_rss_mb(pid)
    pw = pw_browser = None
    if browsers:
        from playwright.async_api import async_playwright

        pw = await async_playwright().start()
        pw_browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    t_open = time.perf_counter()
    rest = await open_sessions(server, sessions - 1, tally, timeout_s)
    open_s = time.perf_counter() - t_open
    all_sessions = first + rest
    pages = [p for p in await asyncio.gather(*(open_page(pw_browser, server, tally) for _ in range(browsers)))
             if p is not None]
    await asyncio.sleep(1.0)
    mem["all_sessions_mb"] = server_rss_mb(pid)
    objects = {"with_all_sessions": probe_counts(probe)}
    held = objects["with_all_sessions"].get("radix_apps", 0)

    t_run = time.perf_counter()
    until = t_run + seconds
    tasks = [drive_session(s, targets, until, think_s, tally, random.Random(rng.random()))
             for s in all_sessions]
    tasks += [drive_page(page, targets, until, think_s, tally, random.Random(rng.random())) for page in pages]
    peak = [mem["all_sessions_mb"]]

    async def sample_memory() -> None:
        while time.perf_counter() < until:
            peak.append(server_rss_mb(pid))
            await asyncio.sleep(1.0)

    await asyncio.gather(sample_memory(), *tasks)
    run_s = time.perf_counter() - t_run
    mem["peak_mb"] = max(peak)
    selections = len(tally.round_trips)
    for s in all_sessions:
        await s.close()
    if pw is not None:
        await pw_browser.close()
        await pw.stop()
    objects["after_disconnect"], waited = await wait_released(probe)
    left = objects["after_disconnect"].get("server_sessions", 0)
    mem["after_disconnect_mb"] = server_rss_mb(pid)

    # A second wave of as many sessions, selecting for a while: with the first wave's memory
    # given back, it reuses it and the RSS hardly grows.
    wave2 = await open_sessions(server, sessions, tally, timeout_s)
    await asyncio.gather(*(drive_session(s, targets, time.perf_counter() + min(10.0, seconds), think_s,
                                         tally, random.Random(rng.random())) for s in wave2))
    mem["second_wave_mb"] = server_rss_mb(pid)
    for s in wave2:
        await s.close()
    objects["after_second_wave"], _ = await wait_released(probe)
    left2 = objects["after_second_wave"].get("server_sessions", 0)
    mem["after_second_wave_mb"] = server_rss_mb(pid)

    rt = tally.round_trips[:selections]
    per_session = (mem["all_sessions_mb"] - mem["one_session_mb"]) / max(held - 1, 1)
    regrowth = mem["after_second_wave_mb"] - mem["after_disconnect_mb"]
    apps_left = objects["after_disconnect"].get("radix_apps", 0) + objects["after_second_wave"].get("radix_apps", 0)
    return {
        "method": METHOD,
        "sessions": sessions,
        "sessions_held": held,
        "browser_pages": browsers,
        "browser_pages_ready": tally.browser_pages,
        "seconds": round(run_s, 1),
        "think_s": think_s,
        "open_all_s": round(open_s, 1),
        "session_open_ms": {"median": statistics.median(tally.open_ms) if tally.open_ms else float("nan"),
                            "p95": percentile(tally.open_ms, 95)},
        "selections": len(rt),
        "selections_per_s": len(rt) / run_s if run_s else 0.0,
        "round_trip_ms": {"median": statistics.median(rt) if rt else float("nan"),
                          "p95": percentile(rt, 95), "max": max(rt) if rt else float("nan")},
        "second_wave_selections": len(tally.round_trips) - selections,
        "browser_click_to_highlight_ms": {
            "n": len(tally.browser_latencies),
            "median": statistics.median(tally.browser_latencies) if tally.browser_latencies else float("nan"),
            "p95": percentile(tally.browser_latencies, 95)},
        "errors": len(tally.errors) + len(tally.browser_errors),
        "error_samples": (tally.errors + tally.browser_errors)[:10],
        "memory_mb": {k: round(v, 1) for k, v in mem.items()},
        "memory_per_session_mb": round(per_session, 2),
        "live_objects": objects,
        "sessions_left_after_disconnect": left,
        "sessions_left_after_second_wave": left2,
        "release_wait_s": round(waited, 1),
        "second_wave_regrowth_mb": round(regrowth, 1),
        # Released: after a full garbage collection no ServerSession and no RadixApp (the
        # per-session state and widgets) is left alive, after each wave.
        "memory_released": left == 0 and left2 == 0 and apps_left == 0 and held >= sessions,
    }


def run(assets: Path, sessions: int = 50, seconds: float = 60.0, think_s: float = 1.0,
        browsers: int = 0, timeout_s: float = 30.0, seed: int = 1, log_dir: Path | None = None) -> dict:
    """Start the server, run the load, stop the server; the figures as a dict."""
    if browsers:
        ensure_bundle()
    targets = muscle_targets(assets)
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="radix-load-"))
    server = start_load_server(assets, log_dir / "panel.log")
    try:
        result = asyncio.run(run_load_async(server, targets, sessions, seconds, think_s, browsers,
                                            timeout_s, seed))
    finally:
        stop_server(server.process)
    result["assets"] = str(assets)
    result["server_log"] = str(log_dir / "panel.log")
    return result


def table(r: dict) -> str:
    m = r["memory_mb"]
    rows = [
        ("method", r["method"]),
        ("sessions held at once", f"{r['sessions_held']} live sessions on the server: {r['sessions']} over "
                                  "the protocol" + (f" + {r['browser_pages_ready']} of {r['browser_pages']} "
                                                    "Chromium pages" if r["browser_pages"] else "")),
        ("duration", f"{r['seconds']} s, think time {r['think_s']} s (+-50 %) between selections"),
        ("opening all sessions", f"{r['open_all_s']} s (median {r['session_open_ms']['median']:.0f} ms, "
                                 f"p95 {r['session_open_ms']['p95']:.0f} ms per session)"),
        ("selections", f"{r['selections']} ({r['selections_per_s']:.1f} per s)"),
        ("selection round trip, median", f"{r['round_trip_ms']['median']:.1f} ms"),
        ("selection round trip, p95", f"{r['round_trip_ms']['p95']:.1f} ms"),
        ("selection round trip, max", f"{r['round_trip_ms']['max']:.1f} ms"),
    ]
    if r["browser_pages"]:
        b = r["browser_click_to_highlight_ms"]
        rows.append(("Chromium pick -> highlight rendered", f"median {b['median']:.0f} ms, p95 {b['p95']:.0f} ms "
                                                              f"over {b['n']} picks"))
    rows += [
        ("errors", f"{r['errors']}"),
        ("server RSS before any session", f"{m['before_mb']:.0f} MiB"),
        ("server RSS with 1 session", f"{m['one_session_mb']:.0f} MiB"),
        ("server RSS with all sessions", f"{m['all_sessions_mb']:.0f} MiB (peak {m['peak_mb']:.0f} MiB)"),
        ("memory per extra session", f"{r['memory_per_session_mb']:.2f} MiB"),
        ("sessions left after disconnect", f"{r['sessions_left_after_disconnect']} (after {r['release_wait_s']} s)"),
        ("live RadixApp / Document objects", " -> ".join(
            f"{o.get('radix_apps', 0)} / {o.get('documents', 0)} {when}" for when, o in (
                ("with all", r["live_objects"]["with_all_sessions"]),
                ("after disconnect", r["live_objects"]["after_disconnect"]),
                ("after 2nd wave", r["live_objects"]["after_second_wave"])))),
        ("server RSS after disconnect", f"{m['after_disconnect_mb']:.0f} MiB"),
        ("second wave: RSS with / after", f"{m['second_wave_mb']:.0f} / {m['after_second_wave_mb']:.0f} MiB "
                                          f"(regrowth {r['second_wave_regrowth_mb']:+.1f} MiB; "
                                          f"{r['second_wave_selections']} selections)"),
        ("disconnected sessions release memory", "yes" if r["memory_released"] else "NO"),
    ]
    w = max(len(k) for k, _ in rows)
    lines = [f"{'metric':<{w}}  value", f"{'-' * w}  {'-' * 30}"]
    lines += [f"{k:<{w}}  {v}" for k, v in rows]
    if r["error_samples"]:
        lines.append("first errors:")
        lines += [f"  {e}" for e in r["error_samples"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assets", type=Path, default=ROOT / "assets")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a session's selections")
    parser.add_argument("--browsers", type=int, default=0, help="real Chromium pages mixed in")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a selection may take")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.sessions < 1:
        parser.error("--sessions must be at least 1")
    if args.browsers and not CHROMIUM.exists():
        print(f"{CHROMIUM} is not installed; run without --browsers", file=sys.stderr)
        return 2
    if not (args.assets / "atlas" / "structures.json").is_file():
        print(f"{args.assets}: no atlas/structures.json (build the body first)", file=sys.stderr)
        return 2
    result = run(args.assets.resolve(), args.sessions, args.seconds, args.think, args.browsers,
                 args.timeout, args.seed)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0 if result["errors"] == 0 and result["memory_released"] else 1


if __name__ == "__main__":
    sys.exit(main())
