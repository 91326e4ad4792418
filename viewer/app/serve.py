"""``panel serve`` with compressed HTTP responses: ``python -m viewer.app.serve [panel serve options]``.

Tornado compresses responses when its ``Application`` is built with ``compress_response=True``
(or with ``GZipContentEncoding`` among its ``transforms``); Bokeh's ``BokehTornado`` passes extra
keyword arguments through to ``tornado.web.Application``, but neither ``bokeh serve`` nor
``panel serve`` (Panel 1.9) has a command-line flag for it (their ``--websocket-compression-*``
flags cover the WebSocket only). This module is ``panel serve`` with every one of its options,
plus gzip on the HTTP responses: the page, Bokeh's and Panel's JavaScript and CSS, the 3D view's
bundle, the JSON and the GLB meshes. Typical use::

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

from tornado.web import GZipContentEncoding

# GLB is binary float data that gzip still shrinks by about a third to a half; tornado only
# compresses text, JSON, JavaScript and SVG by default.
GLB_TYPE = "model/gltf-binary"
mimetypes.add_type(GLB_TYPE, ".glb")


class RadixGZip(GZipContentEncoding):
    """Tornado's gzip transform, also for GLB meshes."""

    CONTENT_TYPES = GZipContentEncoding.CONTENT_TYPES | {GLB_TYPE}


#: What tornado.web.Application gets as ``transforms`` (what ``compress_response=True`` gives,
#: with the gzip above).
TRANSFORMS = [RadixGZip]

#: Where the server listens when ``--address`` is not given: loopback only.
DEFAULT_ADDRESS = "127.0.0.1"


def compressed_serve_command(parser: argparse.ArgumentParser):
    """Panel's ``serve`` subcommand, building its server with :data:`TRANSFORMS`."""
    from panel.command.serve import Serve

    class CompressedServe(Serve):
        def customize_kwargs(self, args, server_kwargs):
            kwargs = super().customize_kwargs(args, server_kwargs)
            kwargs["transforms"] = list(TRANSFORMS)
            return kwargs

    return CompressedServe(parser=parser)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m viewer.app.serve",
        description="panel serve with gzip-compressed HTTP responses (takes every panel serve option)")
    command = compressed_serve_command(parser)
    args = parse_args(parser, argv)
    return command.invoke(args) or 0


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """Panel's serve options, with :data:`DEFAULT_ADDRESS` when ``--address`` is not given."""
    args = parser.parse_args(argv)
    if getattr(args, "address", None) is None:
        args.address = DEFAULT_ADDRESS
    return args


if __name__ == "__main__":
    sys.exit(main())
