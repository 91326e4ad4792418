"""Benchmark of the symptom ranking: ``rank_roots`` and ``rank_muscles`` for 20 marks.

Run from the repository root::

    python bench/bench_symptoms.py [--repeat 200] [--marks 20]

The marks are taken from the real atlas's landmarks (fingers, feet, shins, trunk, back), moved
onto the skin, half as tingling and half as pain, with two weak muscles. The body's skin map is
built once (printed apart: the app builds it once per server); every ranking after the first
reuses its resolved landmark levels. Prints the median and the 95th percentile per call, in wall
time and in this process's CPU time (the CPU figure is the one to trust on a shared, loaded
machine); the target is under 5 ms for 20 marks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viewer.atlas import load_atlas  # noqa: E402
from viewer.body_regions import skin_map  # noqa: E402
from viewer.knowledge import Level, load_knowledge  # noqa: E402
from viewer.symptoms import rank_muscles, rank_roots  # noqa: E402

#: Where the marks go: (landmark, toward, fraction), both sides.
MARK_SITES = [
    ("finger_tip_1", "metacarpal_1_mid", 0.3), ("finger_tip_3", "mcp_interspace_2_3", 0.3),
    ("finger_tip_5", "metacarpal_5_head", 0.3), ("toe_web_2_3", "ankle_crease_anterior_mid", 0.5),
    ("heel", "lateral_malleolus", 0.4), ("tibia_medial_condyle", "medial_malleolus", 0.5),
    ("iliac_crest_top", "psis", 0.5), ("popliteal_crease_mid", None, None),
    ("deltoid_tuberosity", "lateral_epicondyle", 0.5), ("greater_trochanter", "femur_lateral_epicondyle", 0.5),
]


def time_calls(call, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU time of each of ``repeat`` calls, in milliseconds."""
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - c0) * 1e3)
        wall.append((time.perf_counter() - w0) * 1e3)
    return wall, cpu


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--marks", type=int, default=20)
    args = parser.parse_args(argv)

    assets = ROOT / "assets"
    knowledge = load_knowledge(assets)
    t0 = time.perf_counter()
    body = skin_map(load_atlas(assets))
    print(f"skin map (skin, skeleton and muscles indexed once): {time.perf_counter() - t0:.2f} s")
    sites = [Level(*s) for s in MARK_SITES]
    marks = [body.surface_level(level, side) for side in ("left", "right") for level in sites]
    marks = (marks * (args.marks // len(marks) + 1))[: args.marks]
    tingling, pain = marks[: len(marks) // 2], marks[len(marks) // 2:]
    weakness = ["extensor_hallucis_longus", "ankle_plantar_flexors"]

    def roots():
        return rank_roots(knowledge, body, tingling=tingling, pain=pain, weakness=weakness)

    first = time.perf_counter()
    best = roots()[0]
    print(f"first call (resolves the landmark levels): {(time.perf_counter() - first) * 1e3:.1f} ms; "
          f"best candidate {best.root} {best.side} ({best.score:.2f})")
    wall, cpu = time_calls(roots, args.repeat)
    print(f"rank_roots, {len(marks)} marks ({len(tingling)} tingling, {len(pain)} pain) + {len(weakness)} weak "
          f"muscles, x {args.repeat}: wall {summary(wall)}; CPU {summary(cpu)} (target < 5 ms)")
    wall, cpu = time_calls(lambda: rank_muscles(knowledge, body, pain=marks), args.repeat)
    print(f"rank_muscles, {len(marks)} pain marks, x {args.repeat}: wall {summary(wall)}; CPU {summary(cpu)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
