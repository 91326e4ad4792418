"""What the app loads once per assets folder: the body (:mod:`viewer.scene.body`) and what the
browser needs beside it (mesh URLs, the mesh pack, the meridian path library).

Loading never raises into the page: :func:`load_app_data` returns either :class:`AppData` or a
list of :class:`Problem` records, each naming what is missing or wrong and the command that fixes
it, which the app shows instead of a stack trace.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from viewer.scene import BASE_COLOUR, path_library
from viewer.scene.body import (  # noqa: F401  (Placement, Problem: the app's vocabulary too)
    Body,
    Placement,
    Problem,
    assets_dir_from_env,
    load_body,
)

from .meshpack import ROUTE as MESH_ROUTE
from .meshpack import ensure_pack, node_name


@dataclass(frozen=True, eq=False)   # one per assets folder and version: compared by identity
class AppData(Body):
    """The body, and what the browser view needs of it (shared, read-only, between sessions)."""

    view_structures: tuple[dict, ...] = ()  # the structures, as BodyView.structures records
    path_library: dict = field(default_factory=dict)  # path id -> BodyView path spec (sent once)
    mesh_pack: str = ""                    # URL of the whole body in one GLB ("" -> one by one)
    mesh_pack_bytes: int = 0               # its size (the view's progress line counts to it)


def mesh_url(structure) -> str:
    """URL of a structure's GLB under the static route ``/meshes`` (``--static-dirs``)."""
    return f"{MESH_ROUTE}/{structure.mesh}"


def load_app_data(assets_dir: str | Path | None = None) -> AppData | list[Problem]:
    """Load (and cache, until a file changes) what the app needs from ``assets_dir``."""
    body = load_body(assets_dir)
    return body if isinstance(body, list) else _app_data(body)


@lru_cache(maxsize=4)
def _app_data(body: Body) -> AppData:
    meshed = [s for s in body.atlas.structures if s.mesh is not None]
    # The skin keeps its vertex order in the body file: the dermatome masks are per vertex.
    pack = ensure_pack(body.assets_dir / "meshes", [s.mesh for s in meshed],
                       keep_order=[node_name(s.mesh) for s in meshed if s.kind == "skin"])
    view_structures = []
    for s in meshed:
        record = {"id": s.id, "acronym": s.acronym, "name": s.name, "kind": s.kind,
                  "url": mesh_url(s), "color": s.color or BASE_COLOUR}
        if pack is not None:
            record["node"] = pack.nodes[s.mesh]
        view_structures.append(record)
    colours = {m.id: m.colour for m in body.knowledge.meridians}
    fields = {f.name: getattr(body, f.name) for f in dataclasses.fields(Body)}
    return AppData(**fields, view_structures=tuple(view_structures),
                   mesh_pack=pack.url if pack is not None else "",
                   mesh_pack_bytes=pack.size if pack is not None else 0,
                   path_library=path_library(body.paths, colours))
