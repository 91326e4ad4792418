"""The served app exposes nothing but its assets: the ``/meshes`` static route answers no path
outside the mesh folder (dot-dot, URL-encoded, doubly encoded, backslashes), and both ways of
starting Radix listen on 127.0.0.1 unless told otherwise. Every response carries the launcher's
security headers (the page, static files, meshes, and a refused request too); the page's
Content-Security-Policy allows exactly its own inline scripts; the logs keep no query string and
no value a browser sent."""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from viewer.app.serve import (
    DEFAULT_ADDRESS, SECURITY_HEADERS, SecurityHeaders, access_log, compressed_serve_command,
    content_security_policy, inline_code_hashes, keep_values_out_of_logs, parse_args,
)

PROJECT = Path(__file__).resolve().parents[2]

# Files outside assets/meshes that must never be served: the assets folder above it, the project.
TRAVERSALS = [
    "/meshes/../points.json",
    "/meshes/../atlas/structures.json",
    "/meshes/../../pyproject.toml",
    "/meshes/%2e%2e/points.json",
    "/meshes/%2E%2E/atlas/structures.json",
    "/meshes/..%2fpoints.json",
    "/meshes/%2e%2e%2fpoints.json",
    "/meshes/..%2f..%2fpyproject.toml",
    "/meshes/%252e%252e/points.json",
    "/meshes/..%5cpoints.json",
    "/meshes/....//points.json",
    "/meshes//etc/passwd",
    "/meshes/%2fetc%2fpasswd",
    "/meshes/..;/points.json",
    "/static/../app.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
]


def _get(base_url: str, path: str, with_headers: bool = False):
    """GET ``path`` exactly as written (http.client does not normalise dot segments): ``(status,
    body)``, or ``(status, body, headers)``."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        return (resp.status, body, resp.headers) if with_headers else (resp.status, body)
    finally:
        conn.close()


def _csp(headers) -> dict[str, str]:
    return {d.split(" ", 1)[0]: (d.split(" ", 1) + [""])[1]
            for d in (part.strip() for part in headers.get("Content-Security-Policy", "").split(";")) if d}


def _inline_scripts(page: str) -> list[str]:
    return re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"(?:application/json|esms-options)\")[^>]*>(.*?)</script>",
                      page, re.DOTALL)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_route_serves_nothing_outside_its_folder(server, path):
    status, body = _get(server.url, path)
    secrets = [(server.assets / "points.json").read_bytes()[:200],
               (server.assets / "atlas" / "structures.json").read_bytes()[:200],
               (PROJECT / "pyproject.toml").read_bytes()[:200], b"root:x:0:0"]
    assert not any(s and s in body for s in secrets), f"{path} served a file outside the mesh folder"
    assert status in (400, 403, 404, 405), f"{path} answered {status}"


def test_meshes_are_served(server):
    mesh = sorted((server.assets / "meshes").glob("*.glb"))[0]
    status, body = _get(server.url, f"/meshes/{mesh.name}")
    assert status == 200 and body[:4] == b"glTF"


def test_serve_listens_on_loopback_by_default():
    parser = argparse.ArgumentParser()
    compressed_serve_command(parser)
    assert parse_args(parser, ["app.py"]).address == DEFAULT_ADDRESS == "127.0.0.1"
    assert parse_args(parser, ["app.py", "--address", "0.0.0.0"]).address == "0.0.0.0"


def test_pages_are_answered_from_a_first_sessions_template_unless_asked_not_to(monkeypatch):
    from panel.config import config

    from viewer.app.serve import page_key

    monkeypatch.setattr(config, "session_key_func", None)
    parser = argparse.ArgumentParser()
    compressed_serve_command(parser)
    assert parse_args(parser, ["app.py"]).reuse_sessions is True and config.session_key_func is page_key
    monkeypatch.setattr(config, "session_key_func", None)
    assert parse_args(parser, ["app.py", "--fresh-pages"]).reuse_sessions is False
    assert config.session_key_func is None
    # A page opened by a link never gets the template of one opened without (nor the reverse).
    plain = type("R", (), {"path": "/app", "arguments": {}})()
    linked = type("R", (), {"path": "/app", "arguments": {"muscle": [b"psoas_major"]}})()
    assert page_key(plain) != page_key(linked) and page_key(plain) == ("/app", False)


def test_start_script_listens_on_loopback_by_default():
    script = (PROJECT / "scripts" / "start.sh").read_text()
    addresses = re.findall(r"--address\s+\"?\$\{RADIX_ADDRESS:-([^}]+)\}", script)
    assert addresses == ["127.0.0.1"], script


# --- security headers ------------------------------------------------------------------------------

def _static_paths(server) -> dict[str, str]:
    """One URL of each kind the page loads: the page, Bokeh's JS, Panel's JS, a mesh, a refused one."""
    mesh = sorted((server.assets / "meshes").glob("*.glb"))[0]
    return {"page": "/app", "bokeh": "/static/js/bokeh.min.js", "panel": "/static/extensions/panel/panel.min.js",
            "mesh": f"/meshes/{mesh.name}", "missing": "/meshes/no-such-file.glb"}


@pytest.mark.parametrize("kind", ["page", "bokeh", "panel", "mesh", "missing"])
def test_every_response_carries_the_security_headers(server, kind):
    status, _, headers = _get(server.url, _static_paths(server)[kind], with_headers=True)
    assert status == (404 if kind == "missing" else 200)
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name
    csp = _csp(headers)
    assert csp["default-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    for directive in ("connect-src", "font-src", "img-src", "style-src", "script-src"):
        assert csp[directive].split()[0] == "'self'", directive
        assert "*" not in csp[directive] and "http" not in csp[directive], directive
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "geolocation=()" in headers["Permissions-Policy"] and "camera=()" in headers["Permissions-Policy"]


def test_the_page_loads_no_mathjax_it_does_not_use(server):
    """Panel would add Bokeh's 1.8 MB MathJax bundle to any page with an HTML pane; Radix shows
    no TeX (viewer.app.serve.without_unasked_mathjax). Bokeh's own bundle is still there."""
    _, body, _ = _get(server.url, "/app", with_headers=True)
    page = body.decode()
    assert "static/js/bokeh.min.js" in page and "bokeh-mathjax" not in page


def test_the_page_allows_exactly_its_own_inline_scripts(server):
    _, body, headers = _get(server.url, "/app", with_headers=True)
    page = body.decode()
    script_src = _csp(headers)["script-src"].split()
    hashes = {h for h in script_src if h.startswith("'sha256-")}
    own = {"'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'"
           for t in _inline_scripts(page)}
    handlers = {"'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'"
                for t in re.findall(r'\son[a-z]+="([^"]*)"', page)}
    assert own and own <= hashes and hashes == own | handlers    # every inline script, nothing else
    assert "'unsafe-hashes'" in script_src if handlers else "'unsafe-hashes'" not in script_src
    nonce = re.search(r'<script type="esms-options" nonce="([^"]+)"', page)
    assert nonce and f"'nonce-{nonce.group(1)}'" in script_src
    again = _get(server.url, "/app", with_headers=True)
    assert _csp(again[2])["script-src"] != _csp(headers)["script-src"]   # a fresh nonce per page


def test_inline_code_hashes_ignore_data_blocks_and_outside_scripts():
    page = ('<script src="x.js"></script><script type="application/json">{"a": 1}</script>'
            '<script>go()</script><script type="module">go()</script><span onclick="f()">x</span>')
    scripts, handlers = inline_code_hashes(page)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(b"go()").digest()).decode() + "'"
    assert scripts == [digest]                                   # one hash for the same text twice
    assert handlers == ["'sha256-" + base64.b64encode(hashlib.sha256(b"f()").digest()).decode() + "'"]
    policy = content_security_policy(scripts, handlers, nonce="abc")
    script_src = [d for d in policy.split("; ") if d.startswith("script-src")][0]
    assert digest in script_src and "'unsafe-hashes'" in script_src and "'nonce-abc'" in script_src


def test_a_streamed_page_gets_no_hashes():
    from tornado.httputil import HTTPHeaders

    headers = HTTPHeaders({"Content-Type": "text/html"})
    _, out, _ = SecurityHeaders(None).transform_first_chunk(200, headers, b"<script>go()</script>", False)
    assert "sha256" not in out["Content-Security-Policy"]


def test_access_log_names_the_path_without_the_query(caplog):
    from types import SimpleNamespace

    request = SimpleNamespace(method="GET", path="/app", remote_ip="127.0.0.1", request_time=lambda: 0.01)
    handler = SimpleNamespace(get_status=lambda: 404, request=request)
    with caplog.at_level(logging.INFO, logger="tornado.access"):
        access_log(handler)
    assert caplog.records[-1].getMessage().startswith("404 GET /app (127.0.0.1)")
    assert caplog.records[-1].levelno == logging.WARNING


def test_panel_debug_log_keeps_the_names_of_changes_not_their_values(caplog):
    keep_values_out_of_logs()
    keep_values_out_of_logs()                                    # once is enough; twice is harmless
    logger = logging.getLogger("panel.viewable.PlanStore")
    with caplog.at_level(logging.DEBUG, logger="panel.viewable.PlanStore"):
        logger.debug("Session %s finished processing events %s", 1, {"value": "Ms Quillfeather"})
    texts = [r.getMessage() for r in caplog.records if r.name == "panel.viewable.PlanStore"]
    assert texts and "value" in texts[-1] and "Quillfeather" not in texts[-1]
