"""Treatment plans on the command line.

::

    python -m viewer.plan validate PLAN.json [--assets DIR]
    python -m viewer.plan export PLAN.json OUT.pdf [--audience patient|practitioner]
                                 [--png OUT.png] [--png-size 1600x1000] [--height PX] [--assets DIR]

Exit codes: 0 done; 2 the plan file (or the command line) is wrong, with one line per problem
naming the file, the record and the field; 1 the handout cannot be made here (no built body,
an output that cannot be written). Progress lines for the slow steps go to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m viewer.plan",
        description="Check a Radix treatment plan, or export it as a printable handout (PDF, PNG).")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check a plan file against the schema, the point and the technique records")
    check.add_argument("plan", type=Path, help="the plan (JSON)")
    check.add_argument("--assets", type=Path, default=None, help="assets folder (default: $RADIX_ASSETS or assets/)")
    export = sub.add_parser("export", help="write the handout as a PDF (and a PNG)")
    export.add_argument("plan", type=Path, help="the plan (JSON)")
    export.add_argument("out", type=Path, help="the PDF to write")
    export.add_argument("--audience", choices=("patient", "practitioner"), default="patient",
                        help="patient: plain words; practitioner: codes, locations, depths, cautions with sources")
    export.add_argument("--png", type=Path, default=None, help="also write the views as one PNG")
    export.add_argument("--png-size", default="1600x1000", help="PNG width x height in pixels (default 1600x1000)")
    export.add_argument("--height", type=int, default=1100,
                        help="pixel height of the whole-body view (default 1100; the close-ups are 3/4 of it)")
    export.add_argument("--assets", type=Path, default=None, help="assets folder (default: $RADIX_ASSETS or assets/)")
    return parser


def _png_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--png-size must look like 1600x1000, not {text!r}") from None
    if w < 200 or h < 150 or w > 8000 or h > 8000:
        raise argparse.ArgumentTypeError(f"--png-size must be between 200x150 and 8000x8000, not {text!r}")
    return w, h


def _error(text: str) -> None:
    print(f"error: {text}", file=sys.stderr)


def _knowledge(assets):
    """The point records the plan is checked against (the app's knowledge of ``assets``)."""
    from viewer.scene.body import assets_dir_from_env
    from viewer.knowledge import KnowledgeError, load_knowledge

    folder = Path(assets) if assets is not None else assets_dir_from_env()
    try:
        return load_knowledge(folder, partial_points=True)
    except (KnowledgeError, OSError) as exc:
        raise RuntimeError(f"the knowledge in {folder} cannot be loaded: {exc}") from None


def _load_plan(path: Path, knowledge):
    from viewer.plan import load

    return load(path, knowledge)


def _report_plan_error(exc) -> int:
    for e in exc.errors:
        _error(str(e))
    return EXIT_BAD_INPUT


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _validate(args) -> int:
    from viewer.plan import PlanError, home_techniques, plan_cautions, plan_points

    knowledge = _knowledge(args.assets)
    try:
        plan = _load_plan(args.plan, knowledge)
    except PlanError as exc:
        return _report_plan_error(exc)
    sides = len(plan_points(plan))
    kinds = sorted({c.kind for _, c in plan_cautions(plan, knowledge)})
    home = len(home_techniques(plan, knowledge))
    s = plan.symptoms
    symptoms = (f"; symptoms: {_count(len(s.marks), 'mark')}, {_count(len(s.weakness), 'weak muscle')}, "
                f"candidate roots {', '.join(f'{c.root} {c.side}' for c in s.candidates) or 'none saved'}"
                if s else "")
    print(f"{args.plan}: valid plan {plan.title!r}: {len(plan.items)} points ({sides} point sides), "
          f"{len(plan.techniques)} techniques ({home} for home); cautions: {', '.join(kinds) or 'none recorded'}"
          + symptoms)
    return EXIT_OK


def _export(args) -> int:
    from viewer.plan import PlanError
    from viewer.plan.export import app_data, export_pdf, export_png, render_views

    png_size = _png_size(args.png_size) if args.png else None
    start = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[{time.perf_counter() - start:5.1f} s] {line}", file=sys.stderr, flush=True)

    app = app_data(args.assets)
    try:
        plan = _load_plan(args.plan, app.knowledge)
    except PlanError as exc:
        return _report_plan_error(exc)
    if not 100 <= args.height <= 4000:
        _error(f"--height must be between 100 and 4000 pixels, not {args.height}")
        return EXIT_BAD_INPUT
    views = render_views(plan, app.knowledge, app.assets_dir, args.audience, args.height, progress)
    pdf = export_pdf(plan, args.out, app.knowledge, app.assets_dir, args.audience, progress=progress, views=views)
    print(f"wrote {pdf}")
    if args.png:
        # the PDF's views, scaled down: no second rendering
        png = export_png(plan, args.png, app.knowledge, app.assets_dir, args.audience, png_size,
                         progress=progress, views=views)
        print(f"wrote {png}")
    progress("done")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from viewer.plan.export import ExportError

    try:
        if args.command == "validate":
            return _validate(args)
        return _export(args)
    except argparse.ArgumentTypeError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except (ExportError, RuntimeError, OSError) as exc:
        _error(str(exc))
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
