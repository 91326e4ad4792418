"""The served app exposes nothing but its assets: the ``/meshes`` static route answers no path
outside the mesh folder (dot-dot, URL-encoded, doubly encoded, backslashes), and both ways of
starting Radix listen on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import argparse
import http.client
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from viewer.app.serve import DEFAULT_ADDRESS, compressed_serve_command, parse_args

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


def _get(base_url: str, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (http.client does not normalise dot segments)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


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


def test_start_script_listens_on_loopback_by_default():
    script = (PROJECT / "scripts" / "start.sh").read_text()
    addresses = re.findall(r"--address\s+\"?\$\{RADIX_ADDRESS:-([^}]+)\}", script)
    assert addresses == ["127.0.0.1"], script
