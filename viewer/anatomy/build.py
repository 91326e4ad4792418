"""Build the procedural body: run every generator and write the atlas assets.

``python -m viewer.anatomy build [--out ASSETS_DIR]`` regenerates ``assets/atlas/*.json`` and
``assets/meshes/*.glb``. The build is deterministic: the same code gives the same files, which a
test checks against the committed assets.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import trimesh

from . import body_plan, registry
from .parts import Landmark, Part

ATLAS_NAME = "radix_procedural_adult"
ATLAS_VERSION = "0.1.0"

GENERATORS: tuple[str, ...] = (
    "viewer.anatomy.spine",
    "viewer.anatomy.neural",
    "viewer.anatomy.skull",
    "viewer.anatomy.thorax",
    "viewer.anatomy.girdles",
    "viewer.anatomy.limbs",
    "viewer.anatomy.multifidus",
    "viewer.anatomy.muscles_axial",
    "viewer.anatomy.muscles_limbs",
    "viewer.anatomy.skin_surface",
)
"""Generator modules in build order. Each defines ``build_parts(ctx: BuildContext) -> list[Part]``
and may read the parts and landmarks of the generators before it. A module that does not exist
yet is skipped with a message, so the body can grow one module at a time."""


@dataclass
class BuildContext:
    """What a generator may read: the stature, the spine layout and everything built before it."""

    stature: float = 1750.0
    parts: list[Part] = field(default_factory=list)
    made_by: dict[str, str] = field(default_factory=dict)
    """The generator module that built each part, by acronym."""

    @property
    def layout(self) -> body_plan.SpineLayout:
        return body_plan.spine_layout(self.stature)

    @property
    def landmarks(self) -> dict[str, Landmark]:
        out: dict[str, Landmark] = {}
        for part in self.parts:
            out.update(part.landmarks)
        return out

    def landmark(self, name: str) -> np.ndarray:
        """Position of a landmark built so far; ``KeyError`` naming it if there is none."""
        for part in self.parts:
            if name in part.landmarks:
                return part.landmarks[name].position
        raise KeyError(f"landmark {name!r} has not been built (yet)")

    def parts_of(self, *generators: str) -> dict[str, Part]:
        """The parts the named generator modules built, by acronym (``viewer.anatomy.spine``)."""
        unknown = [g for g in generators if g not in GENERATORS]
        if unknown:
            raise KeyError(f"unknown generator(s) {unknown}; known: {list(GENERATORS)}")
        return {p.acronym: p for p in self.parts if self.made_by.get(p.acronym) in generators}

    def part(self, acronym: str) -> Part:
        for part in self.parts:
            if part.acronym == acronym:
                return part
        raise KeyError(f"part {acronym!r} has not been built (yet)")


def _round(values, ndigits: int = 3) -> list:
    return [round(float(v), ndigits) for v in values]


def run_generators(stature: float = 1750.0, generators=GENERATORS, log=print) -> BuildContext:
    """Run the generators in order and return the context holding every part."""
    ctx = BuildContext(stature=stature)
    for module_name in generators:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                log(f"  skip {module_name}: not written yet")
                continue
            raise
        t0 = time.perf_counter()
        new_parts = module.build_parts(ctx)
        ctx.parts.extend(new_parts)
        ctx.made_by.update((p.acronym, module_name) for p in new_parts)
        tris = sum(len(p.mesh.faces) for p in new_parts)
        log(f"  {module_name}: {len(new_parts)} parts, {tris} triangles, "
            f"{time.perf_counter() - t0:.1f} s")
    return ctx


def _structure_records(parts: list[Part]) -> list[dict]:
    ids = {name: registry.structure_id(name) for name, _, _ in registry.GROUPS}
    parents = {name: parent for name, _, parent in registry.GROUPS}
    names = {name: display for name, display, _ in registry.GROUPS}

    def path_of(group: str | None) -> list[int]:
        chain: list[int] = []
        while group is not None:
            chain.insert(0, ids[group])
            group = parents[group]
        return chain

    records = [
        {"id": ids[g], "acronym": g, "name": names[g], "kind": "group",
         "structure_id_path": path_of(g), "parent": parents[g], "level": None, "side": None,
         "fma_id": None, "mesh": None, "color": None}
        for g in ids
    ]
    seen: set[str] = set()
    for part in parts:
        if part.acronym in seen:
            raise ValueError(f"two generators built the structure {part.acronym!r}")
        seen.add(part.acronym)
        if part.parent not in ids:
            raise KeyError(f"structure {part.acronym!r}: parent {part.parent!r} is not a group")
        sid = registry.structure_id(part.acronym)
        records.append({
            "id": sid, "acronym": part.acronym, "name": part.name, "kind": part.kind,
            "structure_id_path": path_of(part.parent) + [sid], "parent": part.parent,
            "level": part.level, "side": part.side, "fma_id": part.fma_id,
            "mesh": f"{sid}.glb", "color": part.color,
        })
    return sorted(records, key=lambda r: r["id"])


def _export_glb(mesh: trimesh.Trimesh, path: Path) -> None:
    mesh = trimesh.Trimesh(vertices=np.round(mesh.vertices, 3), faces=mesh.faces, process=False)
    # No normals in the file: the browser (three.js computeVertexNormals) and the off-screen
    # renderer compute the same area-weighted vertex normals from the triangles, and leaving them
    # out makes the download about 40 % smaller once gzipped.
    data = trimesh.exchange.gltf.export_glb(trimesh.Scene(mesh), include_normals=False)
    path.write_bytes(data)


def write_assets(ctx: BuildContext, out: Path) -> dict:
    """Write metadata, structures, landmarks and meshes under ``out`` (an ``assets`` folder)."""
    atlas_dir, mesh_dir = out / "atlas", out / "meshes"
    atlas_dir.mkdir(parents=True, exist_ok=True)
    if mesh_dir.exists():
        shutil.rmtree(mesh_dir)
    mesh_dir.mkdir(parents=True)

    records = _structure_records(ctx.parts)
    for part in ctx.parts:
        _export_glb(part.mesh, mesh_dir / f"{registry.structure_id(part.acronym)}.glb")

    landmarks = {}
    for part in ctx.parts:
        for name, lm in part.landmarks.items():
            if name in landmarks:
                raise ValueError(f"landmark {name!r} built twice ({part.acronym})")
            landmarks[name] = {"position": _round(lm.position, 2), "structure": part.acronym,
                               "method": lm.method}
    landmarks = dict(sorted(landmarks.items()))

    metadata = {
        "name": ATLAS_NAME,
        "version": ATLAS_VERSION,
        "description": "Adult body built procedurally by Radix from published measurements.",
        "units": "mm",
        "axes": {"x": "subject's left", "y": "posterior", "z": "up"},
        "origin": "X=0 mid-sagittal plane, Y=0 coronal plane through the centre of the S1 "
                  "superior end plate, Z=0 floor",
        "body_height_mm": ctx.stature,
        "triangles": int(sum(len(p.mesh.faces) for p in ctx.parts)),
        "structures": len(records),
        "sources": sorted({"panjabi1991c", "panjabi1991t", "panjabi1992l", "doherty1994",
                           "gray42", "pooni1986", "vialle2005", "hardacker1997",
                           "saifuddin1998", "winter2009"}),
        "generator": "python -m viewer.anatomy build",
    }
    _write_json(atlas_dir / "metadata.json", metadata)
    _write_json(atlas_dir / "structures.json", records)
    _write_json(atlas_dir / "landmarks.json", landmarks)
    return metadata


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class BuiltBody:
    """A finished build: every part in memory and the assets folder it was written to."""

    context: BuildContext
    metadata: dict
    out: Path


def build(out: Path, stature: float = 1750.0, log=print, generators=GENERATORS,
          place_points: bool = True) -> BuiltBody:
    """Run the build into ``out``; returns the parts built and the metadata written."""
    t0 = time.perf_counter()
    log(f"Building the Radix body (stature {stature:.0f} mm) into {out}")
    ctx = run_generators(stature, generators=generators, log=log)
    metadata = write_assets(ctx, out)
    if place_points:
        from .points.build_points import place_all

        place_all(out, log=log)
    log(f"Done: {metadata['structures']} structures, {metadata['triangles']} triangles, "
        f"{time.perf_counter() - t0:.1f} s")
    return BuiltBody(ctx, metadata, out)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m viewer.anatomy",
                                     description="Build the Radix procedural body.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="regenerate assets/atlas and assets/meshes")
    b.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "assets")
    b.add_argument("--stature", type=float, default=1750.0)
    b.add_argument("--only", default=None,
                   help="comma-separated generator names (e.g. spine,neural) for a partial build "
                        "into a scratch folder while developing")
    pl = sub.add_parser("place", help="re-place the points of points.json on the body already built "
                                       "(placed_points.json, meridian_paths.json), as the build does")
    pl.add_argument("--assets", type=Path, default=Path(__file__).resolve().parents[2] / "assets")
    c = sub.add_parser("check", help="build into a temporary folder and compare with the assets: "
                                      "exit 1 and list the differences if they are not the same")
    c.add_argument("--assets", type=Path, default=Path(__file__).resolve().parents[2] / "assets")
    args = parser.parse_args(argv)
    if args.command == "check":
        import tempfile

        from .compare import compare_assets

        with tempfile.TemporaryDirectory(prefix="radix-check-") as tmp:
            build(Path(tmp), log=print)
            differences = compare_assets(args.assets, Path(tmp))
        for line in differences:
            print(line)
        print(f"{args.assets}: " + ("the same as a fresh build" if not differences else
                                    f"{len(differences)} difference(s) from a fresh build: "
                                    "run python -m viewer.anatomy build"))
        return 1 if differences else 0
    if args.command == "place":
        from .points.build_points import place_all

        summary = place_all(args.assets, log=print)
        return 0 if summary else 1
    if args.command == "build":
        generators = GENERATORS
        if args.only:
            wanted = [f"viewer.anatomy.{name.strip()}" for name in args.only.split(",")]
            unknown = [w for w in wanted if w not in GENERATORS]
            if unknown:
                parser.error(f"unknown generator(s): {', '.join(unknown)}")
            generators = tuple(g for g in GENERATORS if g in wanted)
        build(args.out, args.stature, generators=generators)
    return 0


if __name__ == "__main__":
    sys.exit(main())
