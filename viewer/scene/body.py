"""The body a scene is drawn on, loaded once per assets folder: atlas, knowledge, placed points
and meridian paths; and what is missing.

Loading never raises: :func:`load_body` returns either :class:`Body` or a list of
:class:`Problem` records, each naming what is missing or wrong and the command that fixes it, so
the app shows them instead of a stack trace and the handout says them in its error.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from viewer.atlas import DEFAULT_ASSETS, PAIRED_SIDES, Atlas, AtlasError, load_atlas

from .compose import StructureInfo

ASSETS_ENV = "RADIX_ASSETS"
PLACEMENTS_FILE = "placed_points.json"   # assets/atlas/, written by the build (ARCHITECTURE.md)
PATHS_FILE = "meridian_paths.json"       # assets/atlas/: [{meridian, side, pieces}] per meridian
BUILD_BODY = "python -m viewer.anatomy build"


@dataclass(frozen=True)
class Problem:
    """Something the app needs but cannot use: ``what`` is missing or wrong, ``fix`` says how to
    get it, ``details`` lists the individual errors (file, record, field)."""

    what: str
    fix: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Placement:
    """How the build placed one point on one side (``placed_points.json``)."""

    status: str                 # placed_checked | placed | not_placed
    reason: str | None = None
    method: str | None = None
    checks: tuple[str, ...] = ()


def _text(value) -> str | None:
    """A method or reason field in words, whatever shape the build gave it."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_text(v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, (list, tuple)):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    return str(value)


def _check_text(check) -> str:
    if isinstance(check, dict):
        name = check.get("name") or check.get("check") or "check"
        result = check.get("result", check.get("ok", check.get("passed")))
        result = {True: "passed", False: "failed"}.get(result, result)
        detail = check.get("detail") or check.get("message") or ""
        return f"{name}: {result}" + (f" ({detail})" if detail else "")
    return str(check)


@dataclass(frozen=True)
class MuscleOption:
    """A muscle the user can choose: id, display name, aliases, region."""

    id: str
    name: str
    aliases: tuple[str, ...]
    region: str


@dataclass(frozen=True, eq=False)   # one per assets folder and version: compared by identity
class Body:
    """Everything a scene of one assets folder reads (shared, read-only, between sessions)."""

    assets_dir: Path
    atlas: Atlas
    knowledge: object                      # viewer.knowledge.Knowledge
    structures: tuple[StructureInfo, ...]  # atlas structures with a mesh
    muscles: tuple[MuscleOption, ...] = ()
    positions: dict = field(default_factory=dict)  # (code, side) -> (x, y, z) mm
    paths: tuple[dict, ...] = ()           # [{meridian, side, pieces}]
    placements: dict = field(default_factory=dict)  # code -> {side: Placement}

    def placement_of(self, code: str) -> dict:
        """``{side: Placement}`` of a point (empty when the build has not placed points)."""
        return self.placements.get(code, {})

    def muscle_in_atlas(self, muscle_id: str) -> bool:
        return any(f"{muscle_id}_{s}" in self.atlas for s in PAIRED_SIDES)


def assets_dir_from_env() -> Path:
    """``$RADIX_ASSETS`` if set, else the project's ``assets/``."""
    value = os.environ.get(ASSETS_ENV)
    return Path(value).expanduser().resolve() if value else DEFAULT_ASSETS


def _load_atlas(assets: Path) -> tuple[Atlas | None, list[Problem]]:
    if not (assets / "atlas" / "structures.json").is_file():
        return None, [Problem(
            what=f"The body has not been built yet: {assets / 'atlas'} has no structures.json.",
            fix=f"Run `{BUILD_BODY}` (writes assets/atlas/*.json and assets/meshes/*.glb), "
                f"or point {ASSETS_ENV} at an assets folder that has them.")]
    try:
        return load_atlas(assets), []
    except AtlasError as exc:
        return None, [Problem(
            what=f"The atlas in {assets / 'atlas'} has {len(exc.problems)} problem(s).",
            fix=f"Rebuild it with `{BUILD_BODY}`, or fix the files named below.",
            details=tuple(exc.problems[:40]))]


def _load_knowledge(assets: Path):
    try:
        from viewer.knowledge import KnowledgeErrors, load_knowledge
    except ImportError as exc:  # the layer is not in this checkout
        return None, [Problem(what=f"The knowledge layer could not be imported ({exc}).",
                              fix="Update the checkout: viewer/knowledge.py is part of Radix.")]
    if not (assets / "knowledge" / "muscles.json").is_file():
        return None, [Problem(
            what=f"The clinical knowledge is missing: {assets / 'knowledge' / 'muscles.json'} does not exist.",
            fix="Restore assets/knowledge/ (muscles, meridians, sources) and assets/points.json.")]
    try:
        # Partial point sets load; the selection then says which points are not in the records.
        return load_knowledge(assets, partial_points=True), []
    except KnowledgeErrors as exc:
        errors = [str(e) for e in getattr(exc, "errors", [exc])]
        return None, [Problem(
            what=f"The clinical knowledge in {assets} has {len(errors)} problem(s).",
            fix="Fix the files and fields named below (validate with viewer.knowledge.validate_knowledge).",
            details=tuple(errors[:40]))]


def _load_placements(assets: Path) -> tuple[dict, tuple[dict, ...], dict, list[Problem]]:
    """Placed point positions by (code, side), meridian paths and each placement's status; all
    optional (without them the points are listed in the info panel, not drawn)."""
    positions: dict = {}
    paths: list = []
    status: dict = {}
    problems: list[Problem] = []
    path = assets / "atlas" / PLACEMENTS_FILE
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            for rec in raw.get("placements", []):
                if rec.get("position") is not None and rec.get("status") != "not_placed":
                    positions[(rec["code"], rec["side"])] = tuple(float(v) for v in rec["position"])
                status.setdefault(rec["code"], {})[rec["side"]] = Placement(
                    status=str(rec.get("status") or "placed"), reason=_text(rec.get("reason")),
                    method=_text(rec.get("method")),
                    checks=tuple(_check_text(c) for c in (rec.get("checks") or ())))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            positions, status = {}, {}
            problems.append(Problem(what=f"{path} could not be read ({exc}).",
                                    fix="Rebuild the body, or delete the file to show it without points."))
    path = assets / "atlas" / PATHS_FILE
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw = raw.get("paths", raw.get("meridian_paths", [])) if isinstance(raw, dict) else raw
            paths = [p for p in raw if isinstance(p, dict) and "meridian" in p and "pieces" in p]
        except (ValueError, TypeError, AttributeError) as exc:
            problems.append(Problem(what=f"{path} could not be read ({exc}).",
                                    fix="Rebuild the body, or delete the file to show it without meridian lines."))
    return positions, tuple(paths), status, problems


def _muscle_options(knowledge) -> tuple[MuscleOption, ...]:
    return tuple(MuscleOption(m.id, m.name, tuple(m.aliases), m.region) for m in knowledge.muscles)


def _signature(assets: Path) -> tuple:
    files = [assets / "atlas" / n
             for n in ("metadata.json", "structures.json", "landmarks.json", PLACEMENTS_FILE, PATHS_FILE)]
    files += [assets / "knowledge" / n for n in ("muscles.json", "meridians.json", "sources.json")]
    files.append(assets / "points.json")
    return tuple((str(f), f.stat().st_mtime_ns if f.exists() else None) for f in files)


def load_body(assets_dir: str | Path | None = None) -> Body | list[Problem]:
    """Load (and cache, until a file changes) the body of ``assets_dir`` (default:
    :func:`assets_dir_from_env`)."""
    assets = Path(assets_dir).resolve() if assets_dir is not None else assets_dir_from_env()
    return _load_cached(assets, _signature(assets))


@lru_cache(maxsize=4)
def _load_cached(assets: Path, _signature: tuple) -> Body | list[Problem]:
    atlas, problems = _load_atlas(assets)
    knowledge, more = _load_knowledge(assets)
    problems += more
    positions, paths, placements, more = _load_placements(assets)
    problems += more
    if atlas is None or knowledge is None:
        return problems
    meshed = [s for s in atlas.structures if s.mesh is not None]
    return Body(
        assets_dir=assets,
        atlas=atlas,
        knowledge=knowledge,
        structures=tuple(StructureInfo(s.id, s.acronym, s.kind, s.name) for s in meshed),
        muscles=_muscle_options(knowledge),
        positions=positions,
        paths=paths,
        placements=placements,
    )
