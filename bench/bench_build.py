"""Benchmark the body build: time per generator, triangles, GLB bytes, point placement.

Usage: ``python bench/bench_build.py [--out DIR]`` (default: a temporary folder; the committed
assets are never touched). Prints a table; ratios within one run are what to compare, since the
machines are noisy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer.anatomy.build import GENERATORS, run_generators, write_assets  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="radix_bench_"))
    rows: list[tuple[str, float, int, int]] = []

    def log(line: str) -> None:
        print(line, flush=True)

    t_all = time.perf_counter()
    ctx = None
    for gen in GENERATORS:
        t0 = time.perf_counter()
        part_ctx = run_generators(generators=(gen,), log=lambda *_: None) if ctx is None else None
        if ctx is None:
            ctx = part_ctx
            new = list(ctx.parts)
        else:
            import importlib
            try:
                module = importlib.import_module(gen)
            except ModuleNotFoundError:
                continue
            before = len(ctx.parts)
            ctx.parts.extend(module.build_parts(ctx))
            new = ctx.parts[before:]
        rows.append((gen.rsplit(".", 1)[1], time.perf_counter() - t0, len(new),
                     sum(len(p.mesh.faces) for p in new)))
    t0 = time.perf_counter()
    write_assets(ctx, out)
    t_write = time.perf_counter() - t0
    t0 = time.perf_counter()
    from viewer.anatomy.points.build_points import place_all
    summary = place_all(out, log=lambda *_: None)
    t_place = time.perf_counter() - t0
    total = time.perf_counter() - t_all
    glb = sum(p.stat().st_size for p in (out / "meshes").glob("*.glb"))

    print(f"{'step':<16}{'seconds':>9}{'parts':>8}{'triangles':>11}")
    for name, sec, n, tris in rows:
        print(f"{name:<16}{sec:>9.1f}{n:>8}{tris:>11,}")
    print(f"{'write assets':<16}{t_write:>9.1f}")
    print(f"{'place points':<16}{t_place:>9.1f}")
    print(f"{'total':<16}{total:>9.1f}{sum(r[2] for r in rows):>8}{sum(r[3] for r in rows):>11,}")
    print(f"GLB bytes: {glb / 1e6:.2f} MB in {len(list((out / 'meshes').glob('*.glb')))} files")
    if summary:
        print(f"points: {summary['placed']}/{summary['point_sides']} placed, "
              f"{summary['placed_checked']} placed and checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
