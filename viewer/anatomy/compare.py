"""Is one built body the same as another? Exact where the data is discrete, close for coordinates.

The build is deterministic for a given set of package versions (``requirements.lock``), but the
same versions on another processor may still differ in the last bits of a float: numpy's SIMD
kernels and BLAS sum in a different order on different CPUs. Written at the files' precision
(0.001 mm for mesh vertices, 0.01 mm for landmarks and points), such a difference shows as one
unit of the last digit. So everything discrete (structure ids, names, kinds, landmark and point
names, triangle counts, every face index, every word of a text) must be equal, and a number may
differ by at most one unit of its printed precision plus ``COORDINATE_TOLERANCE_MM``. A change to
a generator moves geometry by far more than that, or changes the topology, and is reported.

>>> compare_json({"a": [1.0, "x 2.50 mm"]}, {"a": [1.004, "x 2.51 mm"]})
[]
>>> compare_json({"a": 1.0}, {"a": 1.2}, where="f.json")
['f.json: a: 1.0 != 1.2']
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

COORDINATE_TOLERANCE_MM = 0.005
"""Largest difference allowed between two builds' numbers beyond one unit of their last digit."""

JSON_FILES = ("metadata.json", "structures.json", "landmarks.json", "placed_points.json",
              "meridian_paths.json")
"""The files under ``atlas/`` a build writes."""

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _last_digit(text: str) -> float:
    """One unit of the last digit of a number as printed: ``"2.50"`` -> 0.01, ``"7"`` -> 1."""
    return 10.0 ** -len(text.split(".")[1]) if "." in text else 1.0


def _numbers_close(a: float, b: float, unit: float) -> bool:
    return abs(a - b) <= unit + COORDINATE_TOLERANCE_MM


def _float_unit(value: float) -> float:
    return _last_digit(repr(float(value)))


def _strings_match(a: str, b: str) -> bool:
    """Equal words, and numbers within one unit of their printed precision."""
    if _NUMBER.split(a) != _NUMBER.split(b):
        return False
    na, nb = _NUMBER.findall(a), _NUMBER.findall(b)
    return len(na) == len(nb) and all(
        _numbers_close(float(x), float(y), max(_last_digit(x), _last_digit(y)))
        for x, y in zip(na, nb))


def compare_json(a, b, where: str = "", path: str = "", limit: int = 20) -> list[str]:
    """Differences between two parsed JSON documents, as ``"file: path: a != b"`` lines.

    Keys, list lengths, booleans, integers and the words of strings must be equal; floats (and
    numbers inside strings) may differ by one unit of their printed precision plus
    ``COORDINATE_TOLERANCE_MM``. At most ``limit`` differences are listed.
    """
    out: list[str] = []

    def walk(x, y, p: str) -> None:
        if len(out) >= limit:
            return
        label = f"{where}: {p or '(top)'}"
        if isinstance(x, dict) and isinstance(y, dict):
            if x.keys() != y.keys():
                out.append(f"{label}: keys differ: {sorted(set(x) ^ set(y))[:10]}")
                return
            for k in x:
                walk(x[k], y[k], f"{p}.{k}" if p else str(k))
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                out.append(f"{label}: {len(x)} items != {len(y)} items")
                return
            for i, (xi, yi) in enumerate(zip(x, y)):
                walk(xi, yi, f"{p}[{i}]")
        elif isinstance(x, float) or isinstance(y, float):
            ok = (isinstance(x, (int, float)) and isinstance(y, (int, float))
                  and not isinstance(x, bool) and not isinstance(y, bool)
                  and _numbers_close(x, y, max(_float_unit(x), _float_unit(y))))
            if not ok:
                out.append(f"{label}: {x!r} != {y!r}")
        elif isinstance(x, str) and isinstance(y, str):
            if not _strings_match(x, y):
                out.append(f"{label}: {x!r} != {y!r}")
        elif type(x) is not type(y) or x != y:
            out.append(f"{label}: {x!r} != {y!r}")

    walk(a, b, path)
    return out


def compare_meshes(faces_a: np.ndarray, vertices_a: np.ndarray, faces_b: np.ndarray,
                   vertices_b: np.ndarray, where: str = "") -> list[str]:
    """Differences between two meshes: the faces ``(m, 3) int`` must be equal, the vertices
    ``(n, 3) float, mm`` (written to 0.001 mm) within 0.001 mm plus ``COORDINATE_TOLERANCE_MM``."""
    if faces_a.shape != faces_b.shape or vertices_a.shape != vertices_b.shape:
        return [f"{where}: {len(faces_a)} triangles / {len(vertices_a)} vertices != "
                f"{len(faces_b)} / {len(vertices_b)}"]
    if not np.array_equal(faces_a, faces_b):
        return [f"{where}: same size, different triangles (topology changed)"]
    worst = float(np.abs(np.asarray(vertices_a) - np.asarray(vertices_b)).max(initial=0.0))
    if worst > 0.001 + COORDINATE_TOLERANCE_MM:
        return [f"{where}: a vertex moved {worst:.4f} mm"]
    return []


def compare_assets(committed: Path, fresh: Path) -> list[str]:
    """Every difference between two built ``assets`` folders (atlas JSON and meshes)."""
    import trimesh

    out: list[str] = []
    for name in JSON_FILES:
        a_path, b_path = committed / "atlas" / name, fresh / "atlas" / name
        if not a_path.is_file() or not b_path.is_file():
            out.append(f"atlas/{name}: missing in {committed if not a_path.is_file() else fresh}")
            continue
        out += compare_json(json.loads(a_path.read_text(encoding="utf-8")),
                            json.loads(b_path.read_text(encoding="utf-8")), where=f"atlas/{name}")
    a_names = sorted(p.name for p in (committed / "meshes").glob("*.glb"))
    b_names = sorted(p.name for p in (fresh / "meshes").glob("*.glb"))
    if a_names != b_names:
        out.append(f"meshes: files differ: {sorted(set(a_names) ^ set(b_names))[:10]}")
    for name in sorted(set(a_names) & set(b_names)):
        a = trimesh.load(committed / "meshes" / name, force="mesh", process=False)
        b = trimesh.load(fresh / "meshes" / name, force="mesh", process=False)
        out += compare_meshes(a.faces, a.vertices, b.faces, b.vertices, where=f"meshes/{name}")
    return out
