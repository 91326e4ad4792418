"""``python -m viewer <command>``: tools over the assets.

Commands
--------
validate [ASSETS_DIR]
    Check every asset file; print each problem as ``file: record: field: what is wrong``; exit 1
    on any problem, 0 with a one-line summary on sound assets (see :mod:`viewer.validate`).
"""

from __future__ import annotations

import sys

USAGE = "usage: python -m viewer validate [ASSETS_DIR]"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "validate":
        from viewer.validate import main as validate_main

        return validate_main(rest)
    print(f"unknown command {command!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
