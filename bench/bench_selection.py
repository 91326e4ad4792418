"""Benchmark of the selection chain: time of ``select_muscle`` for every muscle.

Run from the repository root::

    python bench/bench_selection.py [--repeat 200] [--points PATH]

Uses ``assets/points.json`` when present, otherwise the small test fixture. Prints the mean and
the maximum time per call for each muscle, then the totals; the target is well under 1 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viewer.knowledge import load_knowledge  # noqa: E402
from viewer.selection import select_level, select_muscle, select_point, select_root  # noqa: E402


def time_calls(call, repeat: int) -> tuple[float, float]:
    """Mean and max wall time of ``call()`` over ``repeat`` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.fmean(times), max(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--points", type=Path, default=None)
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)

    assets = ROOT / "assets"
    points = args.points or (assets / "points.json")
    partial = False
    if not points.exists():
        points, partial = ROOT / "tests" / "fixtures" / "points_small.json", True
    t0 = time.perf_counter()
    knowledge = load_knowledge(assets, points_path=points, partial_points=partial or args.points is not None)
    load_ms = (time.perf_counter() - t0) * 1e3
    print(f"points: {points.relative_to(ROOT)} ({len(knowledge.points)} records); load + validate {load_ms:.0f} ms")

    means, maxes = [], []
    for muscle in knowledge.muscles:
        mean, worst = time_calls(lambda m=muscle: select_muscle(knowledge, m.id, "both"), args.repeat)
        means.append(mean)
        maxes.append(worst)
        if not args.quiet:
            print(f"  {muscle.id:34s} mean {mean * 1e3:7.1f} us   max {worst * 1e3:7.1f} us")
    print(f"select_muscle over {len(means)} muscles x {args.repeat}: mean {statistics.fmean(means) * 1e3:.1f} us, "
          f"slowest muscle mean {max(means) * 1e3:.1f} us, max single call {max(maxes) * 1e3:.1f} us")
    for name, fn, keys in [
        ("select_root", select_root, ["C5", "C8", "T1", "L4", "L5", "S1"]),
        ("select_level", select_level, ["C4", "C7", "T8", "L4", "L5", "S1"]),
        ("select_point", select_point, [p.code for p in knowledge.points[:50]]),
    ]:
        stats = [time_calls(lambda k=k, fn=fn: fn(knowledge, k), args.repeat) for k in keys]
        print(f"{name}: mean {statistics.fmean(m for m, _ in stats) * 1e3:.1f} us, "
              f"max {max(w for _, w in stats) * 1e3:.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
