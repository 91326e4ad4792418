"""``panel serve`` with compressed HTTP responses: ``python -m viewer.app.serve [panel serve options]``.

Tornado compresses responses when its ``Application`` is built with ``compress_response=True``
(or with ``GZipContentEncoding`` among its ``transforms``); Bokeh's ``BokehTornado`` passes extra
keyword arguments through to ``tornado.web.Application``, but neither ``bokeh serve`` nor
``panel serve`` (Panel 1.9) has a command-line flag for it (their ``--websocket-compression-*``
flags cover the WebSocket only). This module is ``panel serve`` with every one of its options,
plus gzip on the HTTP responses: the page, Bokeh's and Panel's JavaScript and CSS, the 3D view's
bundle, the JSON and the GLB meshes, and with ``--static-dirs meshes=DIR`` a preload hint for the
mesh pack on every page (:func:`pack_preload`). Typical use::

    python -m viewer.app.serve app.py --static-dirs meshes=assets/meshes \\
        --websocket-compression-level 6 --websocket-compression-mem-level 8

Behind a reverse proxy that compresses (nginx ``gzip on``), plain ``panel serve`` is enough.

Unlike ``panel serve`` (which listens on every interface when no ``--address`` is given), this
command listens on ``127.0.0.1`` unless ``--address`` says otherwise: exposing Radix is a choice
(see ``docs/DEPLOY.md``), never a default.
"""

from __future__ import annotations

import argparse
import mimetypes
import sys

from pathlib import Path

from tornado.web import GZipContentEncoding, OutputTransform

from .meshpack import MEDIA_TYPE as PACK_TYPE
from .meshpack import PREFIX as PACK_PREFIX
from .meshpack import ROUTE as PACK_ROUTE
from .meshpack import SUFFIX as PACK_SUFFIX

# GLB is binary float data that gzip still shrinks by about a third to a half; tornado only
# compresses text, JSON, JavaScript and SVG by default.
GLB_TYPE = "model/gltf-binary"
mimetypes.add_type(GLB_TYPE, ".glb")
mimetypes.add_type(PACK_TYPE, PACK_SUFFIX)


class RadixGZip(GZipContentEncoding):
    """Tornado's gzip transform, also for GLB meshes and the mesh pack (GLB back to back)."""

    CONTENT_TYPES = GZipContentEncoding.CONTENT_TYPES | {GLB_TYPE, PACK_TYPE}
    #: Meshes are floats: gzip level 1 leaves them 3.5 % larger than level 6 (4.75 against
    #: 4.59 MB for the whole body) in a quarter of the time (0.18 against 0.67 s per load).
    MESH_LEVEL = 1

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if str(headers.get("Content-Type", "")).split(";")[0] in (GLB_TYPE, PACK_TYPE):
            self.GZIP_LEVEL = self.MESH_LEVEL
        return super().transform_first_chunk(status_code, headers, chunk, finishing)


def pack_preload(meshes_dir: Path, route: str = PACK_ROUTE):
    """A tornado transform that adds ``Link: <route/body-....radixpack>; rel=preload`` to HTML
    pages: the browser starts fetching the mesh pack with the page, while it loads the
    JavaScript and the document, instead of after the 3D view exists (about 2 s later on the
    benchmark machine). The pack is the newest in ``meshes_dir`` (the server writes it before
    the first page is answered); no header while there is none."""
    meshes_dir = Path(meshes_dir)

    class PackPreload(OutputTransform):
        def __init__(self, request) -> None:
            pass

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            if status_code == 200 and str(headers.get("Content-Type", "")).startswith("text/html"):
                packs = sorted(meshes_dir.glob(f"{PACK_PREFIX}*{PACK_SUFFIX}"), key=_mtime, reverse=True)
                if packs:
                    headers.add("Link", f"<{route}/{packs[0].name}>; rel=preload; as=fetch; crossorigin")
            return status_code, headers, chunk

    return PackPreload


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def meshes_dir_of(static_dirs) -> Path | None:
    """The folder served as ``meshes`` by ``--static-dirs meshes=DIR`` (None without it), parsed
    as ``panel serve`` parses the option."""
    from panel.command.serve import parse_vars

    folder = parse_vars(static_dirs or []).get(PACK_ROUTE.strip("/"))
    return Path(folder) if folder else None


#: What tornado.web.Application gets as ``transforms`` (what ``compress_response=True`` gives,
#: with the gzip above); the launcher adds :func:`pack_preload` for the meshes folder.
TRANSFORMS = [RadixGZip]

#: Where the server listens when ``--address`` is not given: loopback only.
DEFAULT_ADDRESS = "127.0.0.1"


def enable_websocket_nodelay() -> None:
    """Send every WebSocket message at once: TCP_NODELAY on each connection (tornado's
    ``WebSocketHandler.set_nodelay``, called from ``open``, as tornado's documentation advises).

    Bokeh writes a message as three or more WebSocket frames. Without this, Nagle's algorithm
    holds the later frames of a message until the browser acknowledges the first, and browsers
    delay that acknowledgement by about 40 ms: on the benchmark machine the answer to a click
    left the server 11 ms after the click and reached the page at 50 ms, with the page idle in
    between. Bokeh's handler does not set the flag and ``panel serve`` has no option for it."""
    from bokeh.server.views.ws import WSHandler

    if getattr(WSHandler, "_radix_nodelay", False):
        return
    original_open = WSHandler.open

    def open(self, *args, **kwargs):
        self.set_nodelay(True)
        return original_open(self, *args, **kwargs)

    open.__doc__ = original_open.__doc__
    WSHandler.open = open
    WSHandler._radix_nodelay = True


def compressed_serve_command(parser: argparse.ArgumentParser):
    """Panel's ``serve`` subcommand, building its server with :data:`TRANSFORMS`."""
    from panel.command.serve import Serve

    class CompressedServe(Serve):
        def customize_kwargs(self, args, server_kwargs):
            kwargs = super().customize_kwargs(args, server_kwargs)
            kwargs["transforms"] = list(TRANSFORMS)
            meshes = meshes_dir_of(getattr(args, "static_dirs", None))
            if meshes is not None:
                kwargs["transforms"].append(pack_preload(meshes))
            return kwargs

    return CompressedServe(parser=parser)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m viewer.app.serve",
        description="panel serve with gzip-compressed HTTP responses (takes every panel serve option)")
    command = compressed_serve_command(parser)
    args = parse_args(parser, argv)
    enable_websocket_nodelay()
    return command.invoke(args) or 0


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """Panel's serve options, with :data:`DEFAULT_ADDRESS` when ``--address`` is not given."""
    args = parser.parse_args(argv)
    if getattr(args, "address", None) is None:
        args.address = DEFAULT_ADDRESS
    return args


if __name__ == "__main__":
    sys.exit(main())
