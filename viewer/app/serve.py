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

Every response also carries the security headers of :data:`SECURITY_HEADERS` and a
Content-Security-Policy (:func:`content_security_policy`, :class:`SecurityHeaders`), and the
access log names the path without the query string (:func:`access_log`): a link's parameters
never reach the log.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import logging
import mimetypes
import re
import secrets
import sys
from collections import OrderedDict
from html.parser import HTMLParser
from pathlib import Path

from tornado.web import GZipContentEncoding, OutputTransform

from .meshpack import FOLDER as PACK_FOLDER
from .meshpack import PREFIX as PACK_PREFIX
from .meshpack import ROUTE as PACK_ROUTE
from .meshpack import SUFFIX as PACK_SUFFIX

# GLB is binary float data that gzip still shrinks by about a third to a half; tornado only
# compresses text, JSON, JavaScript and SVG by default.
GLB_TYPE = "model/gltf-binary"
mimetypes.add_type(GLB_TYPE, ".glb")


class RadixGZip(GZipContentEncoding):
    """Tornado's gzip transform, also for GLB meshes and the body file (a meshopt-compressed GLB,
    which gzip still shrinks by about 40 %), compressing each static file once per process.

    Tornado compresses every response again, and one page load asks for about 4 MB of static
    files (Bokeh's and Panel's JavaScript, the 3D view's bundles, the body file): about a second
    of the server's one thread on the benchmark machine, during which the body file and the early
    script's first view wait in its queue. A response that names its content (a 200 with an
    ``Etag``, which tornado's static file handler sets from the file's hash; never an HTML page,
    which is made per session) is compressed once and kept (:data:`CACHE_BYTES` in all, the least
    recently used dropped first); the same file asked again is answered from there."""

    CONTENT_TYPES = GZipContentEncoding.CONTENT_TYPES | {GLB_TYPE}
    #: Meshes are floats: gzip level 1 leaves them 3.5 % larger than level 6 (4.75 against
    #: 4.59 MB for the whole body) in a quarter of the time (0.18 against 0.67 s per load).
    MESH_LEVEL = 1
    #: The most compressed bytes kept (this process); about 3 MB for one page's files.
    CACHE_BYTES = 32 << 20
    #: ``{(path, etag, level): gzip'd body}``, least recently used first.
    _cache: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()

    def __init__(self, request) -> None:
        super().__init__(request)
        self._path = request.path if request.method == "GET" else None   # a HEAD has no body to keep
        self._key = None         # this response's cache key while it is being compressed
        self._parts: list[bytes] = []
        self._from_cache = False

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        ctype = str(headers.get("Content-Type", "")).split(";")[0]
        if ctype == GLB_TYPE:
            self.GZIP_LEVEL = self.MESH_LEVEL
        etag = headers.get("Etag")
        if (self._path and self._gzipping and status_code == 200 and etag and ctype != "text/html"
                and "Content-Encoding" not in headers and self._compressible_type(ctype)):
            key = (self._path, etag, self.GZIP_LEVEL)
            body = self._cache.get(key)
            if body is not None:
                self._cache.move_to_end(key)
                self._from_cache = True
                headers["Vary"] = f"{headers['Vary']}, Accept-Encoding" if "Vary" in headers else "Accept-Encoding"
                headers["Content-Encoding"] = "gzip"
                if finishing:
                    headers["Content-Length"] = str(len(body))
                else:
                    headers.pop("Content-Length", None)   # the rest of the file is not sent again
                return status_code, headers, body
            self._key = key
        # (tornado's first chunk goes through transform_chunk, which keeps it)
        status_code, headers, chunk = super().transform_first_chunk(status_code, headers, chunk, finishing)
        if not self._gzipping:
            self._key, self._parts = None, []
        return status_code, headers, chunk

    def transform_chunk(self, chunk, finishing):
        if self._from_cache:
            return b""
        chunk = super().transform_chunk(chunk, finishing)
        self._keep(chunk, finishing)
        return chunk

    def _keep(self, chunk: bytes, finishing: bool) -> None:
        if self._key is None:
            return
        self._parts.append(chunk)
        if finishing:
            body = b"".join(self._parts)
            key, self._key, self._parts = self._key, None, []
            if len(body) <= self.CACHE_BYTES:
                cache = self._cache
                cache[key] = body
                while sum(map(len, cache.values())) > self.CACHE_BYTES:
                    cache.popitem(last=False)


def pack_preload(meshes_dir: Path, route: str = PACK_ROUTE):
    """A tornado transform that adds ``Link: <route/packed/body-....glb>; rel=preload`` to HTML
    pages: the browser starts fetching the body file with the page, while it loads the
    JavaScript and the document, instead of after the 3D view exists (about 2 s later on the
    benchmark machine). The file is the newest in ``meshes_dir/packed`` (the server writes it before
    the first page is answered); no header while there is none."""
    meshes_dir = Path(meshes_dir)

    class PackPreload(OutputTransform):
        def __init__(self, request) -> None:
            pass

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            if status_code == 200 and str(headers.get("Content-Type", "")).startswith("text/html"):
                packs = sorted((meshes_dir / PACK_FOLDER).glob(f"{PACK_PREFIX}*{PACK_SUFFIX}"), key=_mtime,
                               reverse=True)
                if packs:
                    # Relative to the page, as the page's own preload (viewer/app/page.html): it
                    # resolves under the server's prefix too (panel serve --prefix).
                    headers.add("Link", f"<{route.lstrip('/')}/{PACK_FOLDER}/{packs[0].name}>; rel=preload; "
                                        "as=fetch; crossorigin")
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


# --- security headers ----------------------------------------------------------------------------

#: Headers on every response (the page, Bokeh's and Panel's files, the 3D view's bundle, /meshes).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Older browsers that ignore CSP's frame-ancestors.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Everything off but fullscreen (the template's full-screen button on the 3D view) and
    # clipboard-write (the plan's "Copy" button), both for this origin only.
    "Permissions-Policy": ", ".join([
        "accelerometer=()", "autoplay=()", "camera=()", "clipboard-read=()", "clipboard-write=(self)",
        "display-capture=()", "encrypted-media=()", "fullscreen=(self)", "geolocation=()", "gyroscope=()",
        "hid=()", "idle-detection=()", "magnetometer=()", "microphone=()", "midi=()", "payment=()",
        "picture-in-picture=()", "publickey-credentials-get=()", "screen-wake-lock=()", "serial=()",
        "usb=()", "xr-spatial-tracking=()",
    ]),
}

#: The Content-Security-Policy, directive by directive; :func:`content_security_policy` adds the
#: hashes of the page's own inline scripts to ``script-src``.
#:
#: What Panel 1.9 / Bokeh 3.9 need beyond ``'self'``, found by serving the app under this policy
#: and reading Chromium's violation reports (``tests/ui`` fails on any):
#:
#: - **inline scripts** in the page template: Bokeh's bootstrap (``embed_items`` with the session
#:   token, so it differs per page), ``Bokeh.set_log_level``, the Fast design's colours and the
#:   template's side-bar functions. Allowed by their SHA-256 hashes, computed per page from the
#:   page itself; the page reflects nothing from the request (Bokeh builds it from the session id
#:   and the app's fixed template), so only scripts the server wrote get a hash. Hashes rather than
#:   nonces: the page is written by Bokeh's and Panel's templates, which have no nonce slot; a hash
#:   needs no change to them. The JSON data block (``type="application/json"``) and es-module-shims'
#:   options are not scripts and need nothing.
#: - es-module-shims (Panel's ESM loader) tests the browser's module features with an inline script
#:   it writes into a hidden frame at run time, whose text depends on the browser: it cannot be
#:   hashed in advance. It takes the nonce of the page's first ``<script nonce>``; the page gets a
#:   fresh random nonce on its ``esms-options`` block (data, not code) and in ``script-src``, so that
#:   script, and only scripts given that nonce by the page's own code, run.
#: - two **inline event handlers** of the template (``onclick="closeNav()"`` on the side-bar button,
#:   ``onclick="toggleFullScreen(this)"`` on the full-screen button): their hashes with
#:   ``'unsafe-hashes'``, which allows exactly those two handler texts and no other.
#: - ``blob:`` scripts and connections: Panel compiles each ``JSComponent``'s ESM in the browser
#:   and imports it from a ``blob:`` URL, which es-module-shims fetches (``connect-src``) and runs
#:   (``script-src``); only the page's own scripts can make such a URL.
#: - **inline styles** (``'unsafe-inline'`` in ``style-src``): Bokeh puts every component's CSS in
#:   ``<style>`` elements inside shadow roots, made at run time, and Panel's HTML panes carry
#:   ``style`` attributes; neither can be hashed or given a nonce. Styles cannot run code.
#: - ``data:`` images: Bokeh's and Panel's icons are SVG data URLs in their CSS.
#:
#: No ``'unsafe-eval'``: the one ``new Function`` user, the template's ``ReactiveHTML`` modal
#: actions, is taken off the page (:func:`viewer.app.main.without_eval`). ``'report-sample'``
#: puts the start of a refused script in the violation report.
#: ``connect-src 'self'`` covers the app's WebSocket (ws: / wss: on the same host and port, CSP
#: level 3; checked in Chromium by the browser tests).
CSP_DIRECTIVES = {
    "default-src": "'self'",
    # 'wasm-unsafe-eval': WebAssembly only (three.js's MeshoptDecoder decodes the body file with
    # it); JavaScript's eval stays refused (no 'unsafe-eval').
    "script-src": "'self' blob: 'wasm-unsafe-eval' 'report-sample'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self' blob:",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
}

#: ``<script type=...>`` values a browser runs as script (CSP applies to them).
_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


class _InlineCode(HTMLParser):
    """Collects the text of inline scripts and of ``on...=`` event-handler attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        self.handlers += [value for name, value in attrs if name.startswith("on") and value]
        if tag == "script" and "src" not in named and (named.get("type") or "").strip().lower() in _SCRIPT_TYPES:
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def inline_code_hashes(html: str) -> tuple[list[str], list[str]]:
    """CSP hash sources (``'sha256-...'``) of ``html``'s inline scripts and of its inline event
    handlers, each list without repeats, in page order.

    Examples
    --------
    >>> scripts, handlers = inline_code_hashes('<script>go()</script><b onclick="f()">x</b>')
    >>> len(scripts), len(handlers)
    (1, 1)
    >>> inline_code_hashes('<script src="a.js"></script><script type="application/json">{}</script>')
    ([], [])
    """
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return (list(dict.fromkeys(map(_sha256, parser.scripts))),
            list(dict.fromkeys(map(_sha256, parser.handlers))))


def content_security_policy(script_hashes=(), handler_hashes=(), nonce: str | None = None) -> str:
    """The ``Content-Security-Policy`` header: :data:`CSP_DIRECTIVES`, with ``script-src``
    extended by the given hashes (handler hashes need ``'unsafe-hashes'``) and the nonce."""
    directives = dict(CSP_DIRECTIVES)
    extra = list(script_hashes) + ([f"'nonce-{nonce}'"] if nonce else [])
    if handler_hashes:
        extra += ["'unsafe-hashes'", *handler_hashes]
    if extra:
        directives["script-src"] = " ".join([directives["script-src"], *extra])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders(OutputTransform):
    """Adds :data:`SECURITY_HEADERS` and the Content-Security-Policy to every response; an HTML
    page's policy allows its own inline scripts by hash. Listed before the gzip transform, so it
    reads the page before it is compressed."""

    def __init__(self, request) -> None:
        pass

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        for name, value in SECURITY_HEADERS.items():
            headers[name] = value
        scripts, handlers, nonce = [], [], None
        if str(headers.get("Content-Type", "")).startswith("text/html") and finishing:
            # A page arrives whole (Bokeh writes it in one go); a streamed one would get no hashes,
            # and its inline scripts would be refused rather than allowed blindly.
            scripts, handlers = inline_code_hashes(chunk.decode("utf-8", "replace"))
            chunk, nonce = _nonce_for_module_shims(chunk)
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
        headers["Content-Security-Policy"] = content_security_policy(scripts, handlers, nonce)
        return status_code, headers, chunk


_ESMS_OPTIONS = re.compile(rb'<script type="esms-options"')


def _nonce_for_module_shims(page: bytes) -> tuple[bytes, str | None]:
    """``page`` with a fresh nonce on its es-module-shims options block, and the nonce (None, and
    the page unchanged, when it has no such block)."""
    if not _ESMS_OPTIONS.search(page):
        return page, None
    nonce = secrets.token_urlsafe(18)
    tag = b'<script type="esms-options" nonce="' + nonce.encode("ascii") + b'"'
    return _ESMS_OPTIONS.sub(tag, page, count=1), nonce


ACCESS_LOG = logging.getLogger("tornado.access")


def access_log(handler) -> None:
    """Tornado's access log line without the query string: ``200 GET /app (127.0.0.1) 12.3ms``.

    Used as the application's ``log_function``. A link's query can carry personal data (an old
    share link ``?plan=...`` holds a plan's notes), so no query is ever written to the log."""
    status = handler.get_status()
    level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    request = handler.request
    ACCESS_LOG.log(level, "%d %s %s (%s) %.2fms", status, request.method, request.path,
                   request.remote_ip, 1000.0 * request.request_time())


def keep_values_out_of_logs() -> None:
    """Log what changed, never to what: Panel's debug log (``--log-level debug``,
    ``PANEL_LOG_LEVEL=debug``) writes every property change a browser sends with its value, and
    those values include a plan's notes (``PlanStore.value``, the plan card's messages) and
    uploaded files. Each such record of a ``panel.*`` logger keeps the names of the changed
    properties and loses their values, for every handler (a log record factory, installed once
    per process; ``app.py`` calls this, so plain ``panel serve`` gets it too)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "radix_private", False):
        return

    def record_without_values(*args, **kwargs):
        record = factory(*args, **kwargs)
        if record.name.startswith("panel") and isinstance(record.args, tuple):
            record.args = tuple(_names_only(a) for a in record.args)
        return record

    record_without_values.radix_private = True
    logging.setLogRecordFactory(record_without_values)


def _names_only(value):
    """A mapping of changes as ``{name, name: ...}``; anything else unchanged."""
    if isinstance(value, dict):
        return "{" + ", ".join(map(str, value)) + ": (values not logged)}"
    return value


#: What tornado.web.Application gets as ``transforms`` (what ``compress_response=True`` gives,
#: with the gzip above, after the security headers); the launcher adds :func:`pack_preload` for the meshes folder.
TRANSFORMS = [SecurityHeaders, RadixGZip]

#: Where the server listens when ``--address`` is not given: loopback only.
DEFAULT_ADDRESS = "127.0.0.1"


def without_unasked_mathjax() -> None:
    """Leave Bokeh's MathJax bundle (``bokeh-mathjax.min.js``, 1.8 MB of JavaScript, the largest
    file of the page) off the page unless the app asks for it (``pn.extension("mathjax")``).

    Panel adds it to every page that holds an HTML pane, in case the text holds TeX; Radix's text
    never does (its HTML is escaped prose). Without it the browser fetches, parses and keeps 1.8 MB
    less JavaScript, while the 3D view loads its body. Installed once per server process, on the
    function Panel's page handler calls (``panel.io.server.bundle_resources``)."""
    import panel.io.server as panel_server

    bundle = panel_server.bundle_resources
    if getattr(bundle, "_radix_no_mathjax", False):
        return

    def bundle_resources(roots, resources, *args, **kwargs):
        from panel.config import panel_extension

        kwargs.setdefault("enable_mathjax", "mathjax" in panel_extension._loaded_extensions)
        return bundle(roots, resources, *args, **kwargs)

    bundle_resources._radix_no_mathjax = True
    panel_server.bundle_resources = bundle_resources


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
            kwargs["transforms"] = [t for t in TRANSFORMS if not (args.no_gzip and t is RadixGZip)]
            kwargs["log_function"] = access_log
            meshes = meshes_dir_of(getattr(args, "static_dirs", None))
            if meshes is not None:
                kwargs["transforms"].append(pack_preload(meshes))
            return kwargs

    command = CompressedServe(parser=parser)
    parser.add_argument("--no-gzip", action="store_true",
                        help="leave HTTP responses uncompressed (the security headers stay)")
    parser.add_argument("--fresh-pages", action="store_true",
                        help="build each session's document before answering its page (panel serve's "
                             "default) instead of answering from the session made at startup")
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m viewer.app.serve",
        description="panel serve with gzip-compressed HTTP responses (takes every panel serve option)")
    command = compressed_serve_command(parser)
    args = parse_args(parser, argv)
    enable_websocket_nodelay()
    without_unasked_mathjax()
    keep_values_out_of_logs()
    return command.invoke(args) or 0


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """Panel's serve options, with :data:`DEFAULT_ADDRESS` when ``--address`` is not given, and
    pages answered at once (:func:`answer_pages_at_once`) unless ``--fresh-pages``."""
    args = parser.parse_args(argv)
    if getattr(args, "address", None) is None:
        args.address = DEFAULT_ADDRESS
    if not args.fresh_pages:
        answer_pages_at_once(args)
    return args


def answer_pages_at_once(args: argparse.Namespace) -> None:
    """``panel serve --reuse-sessions`` with :func:`page_key`: a page is answered at once, its
    session's document built while the browser loads the page's scripts.

    By default Bokeh builds a session's whole document (the app: 0.3-2 s on the benchmark machine)
    before it answers the page, and the browser can start nothing (not the 3D view's early script,
    not the body file) until then. With this option Panel answers a page from the template of the
    first session made for its :func:`page_key` (the same for every session: the document itself
    is never in the page, Bokeh sends it over the WebSocket), and builds the page's own session,
    with its own request's arguments (a link's selection), when its WebSocket connects. Sessions
    stay separate: each page gets a new session id; the first session is kept for its template.
    The first page of each key after the server starts is answered as before (``--warm``, which
    would run the app before the server listens, is left to the deployment: it makes the start
    slower by that much)."""
    from panel.config import config

    if not args.reuse_sessions:
        args.reuse_sessions = True
    if config.session_key_func is None:
        config.session_key_func = page_key


def page_key(request) -> tuple[str, bool]:
    """Which pages share a template: the path, and whether the page was opened by a link (any
    query). A link's session publishes no first view (:func:`viewer.app.early.publish`), so a page
    without a query is never answered from a link's template (it would lack the early script)."""
    return request.path, bool(request.arguments)


if __name__ == "__main__":
    sys.exit(main())
