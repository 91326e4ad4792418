"""Serve the app and drive Chromium: shared by the browser tests and ``bench/bench_click.py``.

The app runs as it is deployed, through the launcher ``python -m viewer.app.serve app.py`` (so
with its security headers and Content-Security-Policy), in a subprocess on a free localhost port;
readiness is polled on a static file (a mesh), never on the app page, since every page load opens
a session. :class:`PageLog` collects the page's CSP violations, which fail the browser tests.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic",
]
SERVER_START_TIMEOUT_S = 60.0
READY_TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``panel serve app.py``: its base URL, assets folder and process."""

    url: str
    assets: Path
    process: subprocess.Popen
    started_at: float
    log_path: Path
    prefix: str = ""     # ``panel serve --prefix`` (the app and every route under it)

    @property
    def app_url(self) -> str:
        return f"{self.url}{self.prefix}/app"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def ensure_bundle() -> None:
    """Build the 3D view's bundles (the component's and the page's early script's) if this
    checkout has not (``python -m viewer.app.setup``)."""
    from viewer.app.early import BUNDLE as EARLY
    from viewer.app.view3d import bundle_ready

    if bundle_ready() and EARLY.is_file():
        return
    result = subprocess.run([sys.executable, "-m", "viewer.app.setup"], cwd=PROJECT,
                            capture_output=True, text=True)
    if result.returncode != 0 or not bundle_ready() or not EARLY.is_file():
        raise RuntimeError("the 3D view bundle is missing and `python -m viewer.app.setup` failed:\n"
                           + result.stdout[-2000:] + result.stderr[-2000:])


def probe_url(assets: Path) -> str:
    """A static file to poll for readiness: a mesh if there is one (never the app page, which
    would open a session per poll), else Panel's own static JS."""
    meshes = sorted((assets / "meshes").glob("*.glb")) if (assets / "meshes").is_dir() else []
    return f"/meshes/{meshes[0].name}" if meshes else "/static/js/bokeh.min.js"


def start_server(assets: Path, log_path: Path, extra_env: dict | None = None,
                 compress: bool = False, prefix: str = "") -> Server:
    """``python -m viewer.app.serve app.py`` (``panel serve`` with Radix's security headers) on a
    free port; HTTP responses gzip-compressed only with ``compress``; everything under the
    sub-path ``prefix`` (``/radix``: ``panel serve --prefix``) when given."""
    port = free_port()
    cmd = [sys.executable, "-m", "viewer.app.serve",
           "app.py", "--port", str(port), "--address", "127.0.0.1",
           "--allow-websocket-origin", f"127.0.0.1:{port}", "--num-procs", "1",
           "--static-dirs", f"meshes={assets / 'meshes'}",
           ] + ([] if compress else ["--no-gzip"]) + (["--prefix", prefix] if prefix else [])
    # RADIX_TEST_HOOKS: the view exposes window.radixView (viewer/app/view/testhooks.js)
    env = {**os.environ, "RADIX_ASSETS": str(assets), "RADIX_TEST_HOOKS": "1", **(extra_env or {})}
    (assets / "meshes").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    probe = url + prefix + probe_url(assets)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"panel serve exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as r:
                if r.status == 200:
                    return Server(url, assets, proc, started, log_path, prefix)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError(f"panel serve did not answer {probe} within {SERVER_START_TIMEOUT_S} s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


#: What the page fetches meshes as: one GLB per structure, or the whole body in one GLB
#: (``meshes/packed/body-<hash>.glb``, ``viewer/app/meshpack.py``).
MESH_SUFFIXES = (".glb",)


def mesh_urls(responses) -> list[str]:
    """The mesh URLs among ``(url, status)`` responses, in order."""
    return [url for url, _ in responses if url.split("?")[0].endswith(MESH_SUFFIXES)]


#: Run in every document before its own scripts: each Content-Security-Policy violation (a
#: refused script, style, connection...) becomes a console error starting with this prefix.
CSP_PREFIX = "CSP violation:"
CSP_REPORTER = f"""
document.addEventListener("securitypolicyviolation", (e) => {{
  console.error("{CSP_PREFIX} " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + (e.sourceFile || "?") + ":" + e.lineNumber + " " + (e.sample || ""));
}}, true);
"""


class PageLog:
    """Console messages, page errors, failed requests and CSP violations of one page; also makes
    the page's ``wait_for_function`` work under the CSP (:func:`csp_safe`).

    Every ``PageLog`` made is listed in :attr:`opened` until cleared: ``tests/ui/conftest.py``
    fails a test whose pages broke the Content-Security-Policy."""

    opened: list["PageLog"] = []

    def __init__(self, page):
        csp_safe(page)
        PageLog.opened.append(self)
        self.console, self.errors, self.failed, self.responses = [], [], [], []
        self.csp: list[str] = []    # apart from ``console``, which tests may clear
        page.add_init_script(CSP_REPORTER)
        page.on("console", self._on_console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: self.responses.append((r.url, r.status)))

    def _on_console(self, message) -> None:
        self.console.append((message.type, message.text))
        if message.text.startswith(CSP_PREFIX) or "Content Security Policy" in message.text:
            self.csp.append(message.text)

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]

    def csp_violations(self) -> list[str]:
        """What the page's Content-Security-Policy refused: the reporter's events and Chromium's
        own console lines about the policy."""
        return list(self.csp)


def as_function(expression: str) -> str:
    """A ``wait_for_function`` expression as an arrow function. Playwright runs a bare expression
    through ``eval`` inside the page, which the page's CSP refuses (no ``'unsafe-eval'``); a
    function it compiles itself, outside the page's policy."""
    text = expression.strip()
    if text.startswith(("function", "async ")) or re.match(r"^(\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>", text):
        return expression
    return f"() => ({expression})"


def csp_safe(page):
    """Make ``page.wait_for_function`` accept bare expressions under the app's CSP
    (:func:`as_function`); returns ``page``."""
    if getattr(page, "_radix_csp_safe", False):
        return page
    original = page.wait_for_function
    page._radix_csp_safe = True

    def wait_for_function(expression, *args, **kwargs):
        return original(as_function(expression), *args, **kwargs)

    page.wait_for_function = wait_for_function
    return page


def open_app(page, server: Server, query: str = "") -> None:
    """Open the app and wait until every mesh is loaded and the first frame drawn."""
    page.goto(server.app_url + query)
    page.wait_for_function("() => window.radixView && window.radixView.ready === true", timeout=READY_TIMEOUT_MS)


def info_text(page) -> str:
    """Text of the info panel (it lives in a shadow root; Playwright's CSS pierces it)."""
    return page.locator(".rx-info").first.inner_text()


def wait_info(page, text: str, timeout_ms: int = 30_000, absent: bool = False,
              ignore_case: bool = False) -> str:
    """Wait until the info panel shows ``text`` (or, with ``absent``, no longer shows it) and
    return its text; fail with the last text seen."""
    fold = (lambda t: t.lower()) if ignore_case else (lambda t: t)
    deadline = time.monotonic() + timeout_ms / 1000
    last = ""
    while time.monotonic() < deadline:
        last = info_text(page)
        if (fold(text) in fold(last)) != absent:
            return last
        time.sleep(0.05)
    raise AssertionError(f"info panel never {'lost' if absent else 'showed'} {text!r}; last text:\n{last}")

