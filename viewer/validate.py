"""Check every asset file of Radix and report each problem as ``file: record: field: what``.

``python -m viewer validate [ASSETS_DIR]`` runs :func:`validate_assets` over an ``assets`` folder
(default ``$RADIX_ASSETS`` or the project's ``assets/``):

- the atlas (``atlas/metadata.json``, ``structures.json``, ``landmarks.json`` and the GLB header
  of every mesh) through :func:`viewer.atlas.load_atlas`;
- the clinical knowledge (``knowledge/muscles.json``, ``meridians.json``, ``techniques.json``,
  ``sources.json``, ``dermatomes.json``, ``pain_patterns.json`` and ``points.json``) through
  :func:`viewer.knowledge.load_knowledge`, accepting a partial point set
  as the app does;
- ``atlas/placed_points.json`` when present: each record has a code, a side and a status, names a
  known point, has a finite position (and normal) when placed and a reason when not placed.

Never imports panel or anything of the browser.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from viewer.atlas import DEFAULT_ASSETS, MIDLINE, PAIRED_SIDES, AtlasError, load_atlas

ASSETS_ENV = "RADIX_ASSETS"
PLACEMENTS_FILE = "placed_points.json"
PLACEMENT_STATUSES = ("placed_checked", "placed", "not_placed")
PLACEMENT_SIDES = (*PAIRED_SIDES, MIDLINE)


@dataclass
class Report:
    """What :func:`validate_assets` found: ``problems`` (empty when sound) and counts."""

    assets_dir: Path
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: what was checked, or how many problems were found."""
        if self.problems:
            return f"{len(self.problems)} problem(s) in {self.assets_dir}"
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return f"{self.assets_dir}: sound ({counts})"


def default_assets_dir() -> Path:
    """``$RADIX_ASSETS`` if set, else the project's ``assets/``."""
    value = os.environ.get(ASSETS_ENV)
    return Path(value).expanduser() if value else DEFAULT_ASSETS


def _is_vector(value) -> bool:
    if not isinstance(value, list) or len(value) != 3:
        return False
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        try:
            if not math.isfinite(v):
                return False
        except OverflowError:
            return False
    return True


def validate_placements(raw, known_codes: set[str] | None) -> list[str]:
    """Problems of the parsed ``placed_points.json`` (``known_codes`` None: codes not checked).

    Parameters
    ----------
    raw : object
        The parsed JSON: ``{"placements": [{code, side, status, position, normal, reason, ...}]}``.
    known_codes : set of str or None
        Point codes of ``points.json``; None when the knowledge could not be loaded.

    Returns
    -------
    list of str
        ``placed_points.json: record <code> <side> (index i): field <f>: <what>`` lines.
    """
    name = PLACEMENTS_FILE
    if not isinstance(raw, dict) or not isinstance(raw.get("placements"), list):
        return [f"{name}: record (top level): field placements: expected an object with a list "
                f"'placements', got {type(raw).__name__}"]
    problems: list[str] = []
    seen: dict[tuple, int] = {}
    for index, rec in enumerate(raw["placements"]):
        if not isinstance(rec, dict):
            problems.append(f"{name}: record #{index} (index {index}): field (record): "
                            f"expected an object, got {type(rec).__name__}")
            continue
        code, side, status = rec.get("code"), rec.get("side"), rec.get("status")
        tag = " ".join(str(v) for v in (code, side) if isinstance(v, str)) or f"#{index}"
        label = f"{name}: record {tag} (index {index})"

        def bad(fld: str, what: str, label: str = label) -> None:
            problems.append(f"{label}: field {fld}: {what}")

        if not isinstance(code, str) or not code:
            bad("code", f"missing or not a point code (got {code!r})")
        elif known_codes is not None and code not in known_codes:
            bad("code", f"unknown point code {code!r} (not in points.json)")
        if side not in PLACEMENT_SIDES:
            bad("side", f"{side!r} is not one of {', '.join(PLACEMENT_SIDES)}")
        if status not in PLACEMENT_STATUSES:
            bad("status", f"{status!r} is not one of {', '.join(PLACEMENT_STATUSES)}")
        if isinstance(code, str) and isinstance(side, str):
            key = (code, side)
            if key in seen:
                bad("side", f"{code} {side} is placed twice (first at index {seen[key]})")
            seen.setdefault(key, index)
        if status in ("placed", "placed_checked"):
            if not _is_vector(rec.get("position")):
                bad("position", f"a placed point needs three finite numbers, got {rec.get('position')!r}")
            if rec.get("normal") is not None and not _is_vector(rec.get("normal")):
                bad("normal", f"expected three finite numbers or null, got {rec.get('normal')!r}")
        elif status == "not_placed":
            reason = rec.get("reason")
            if reason is None or reason == "" or reason == [] or reason == {}:
                bad("reason", "a point that is not placed needs a reason")
        checks = rec.get("checks")
        if checks is not None and not isinstance(checks, list):
            bad("checks", f"expected a list or null, got {type(checks).__name__}")
    return problems


def _read_placements(path: Path) -> tuple[object, list[str]]:
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except UnicodeDecodeError as exc:
        return None, [f"{path.name}: record (file): field (file): not UTF-8 text ({exc.reason})"]
    except json.JSONDecodeError as exc:
        return None, [f"{path.name}: record (file): field (file): not valid JSON at line {exc.lineno} "
                      f"column {exc.colno}: {exc.msg}"]
    except (OSError, RecursionError) as exc:
        return None, [f"{path.name}: record (file): field (file): cannot be read ({exc})"]


def validate_assets(assets_dir: str | Path | None = None) -> Report:
    """Check every asset file under ``assets_dir``; never raises for a problem in the files.

    Returns
    -------
    Report
        Every problem found (file, record, field, what) and, when sound, what was counted.
    """
    from viewer.knowledge import KnowledgeErrors, load_knowledge

    assets = Path(assets_dir) if assets_dir is not None else default_assets_dir()
    report = Report(assets)
    if not assets.is_dir():
        report.problems.append(f"{assets}: record (folder): field (folder): not a folder")
        return report
    try:
        atlas = load_atlas(assets)
    except AtlasError as exc:
        report.problems.extend(exc.problems)
    else:
        report.counts["structures"] = len(atlas.structures)
        report.counts["meshes"] = sum(1 for s in atlas.structures if s.mesh)
        report.counts["landmarks"] = len(atlas.landmarks)
    known: set[str] | None = None
    try:
        knowledge = load_knowledge(assets, partial_points=True)
    except KnowledgeErrors as exc:
        report.problems.extend(str(e) for e in exc.errors)
    else:
        known = {p.code for p in knowledge.points}
        report.counts["muscles"] = len(knowledge.muscles)
        report.counts["points"] = len(knowledge.points)
        report.counts["meridians"] = len(knowledge.meridians)
        report.counts["techniques"] = len(knowledge.techniques)
        report.counts["sources"] = len(knowledge.sources)
    path = assets / "atlas" / PLACEMENTS_FILE
    if path.is_file():
        raw, problems = _read_placements(path)
        if not problems:
            problems = validate_placements(raw, known)
            if not problems:
                report.counts["placements"] = len(raw["placements"])
        report.problems.extend(problems)
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m viewer validate [ASSETS_DIR]``: print each problem; exit 1 on any, else 0."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m viewer validate",
                                     description="Check every asset file of Radix.")
    parser.add_argument("assets_dir", nargs="?", default=None,
                        help=f"the assets folder (default ${ASSETS_ENV} or the project's assets/)")
    args = parser.parse_args(argv)
    report = validate_assets(args.assets_dir)
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 0 if report.ok else 1
