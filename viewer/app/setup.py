"""Build the browser side of the 3D view: ``python -m viewer.app.setup``.

1. ``npm ci`` at the repository root (``npm install`` when there is no ``package-lock.json``):
   installs three.js and esbuild, at the versions locked, into ``node_modules/``.
2. ``panel compile viewer.app.view3d:BodyView``: bundles ``view/view3d.js`` and its sibling modules
   (``BodyView._esm_shared``) with three.js into ``viewer/app/dist/view3d.bundle.js`` using the
   esbuild from step 1.

Both outputs are git-ignored. Needs node (>= 18) and npm; the network only for step 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .view3d import BUNDLE

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
BUILD_DIR = REPO / "build" / "esm"   # panel compile writes its scratch project here


class SetupError(RuntimeError):
    """A setup step failed; the message says which and what to do."""


def _run(cmd: list[str], cwd: Path, env: dict | None = None) -> None:
    print("$", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=cwd, env=env)
    if result.returncode != 0:
        raise SetupError(f"`{' '.join(cmd)}` failed with exit status {result.returncode} (in {cwd})")


def install_node_packages(force: bool = False) -> None:
    """``npm ci`` (or ``npm install`` without a lock file) at the repository root."""
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError("npm was not found on PATH. Install Node.js (>= 18) with npm, then run "
                         "`python -m viewer.app.setup` again.")
    lock, installed = REPO / "package-lock.json", NODE_MODULES / ".package-lock.json"
    have = ((NODE_MODULES / "three" / "package.json").is_file()
            and (NODE_MODULES / ".bin" / "esbuild").exists() and installed.is_file()
            and (not lock.is_file() or lock.stat().st_mtime <= installed.stat().st_mtime))
    if have and not force:
        print(f"node_modules is present ({NODE_MODULES}); use --force to reinstall", flush=True)
        return
    locked = (REPO / "package-lock.json").is_file()
    _run([npm, "ci" if locked else "install", "--no-audit", "--no-fund"], cwd=REPO)


def compile_bundle() -> Path:
    """Run ``panel compile`` on the 3D view with the locally installed esbuild and three.js."""
    esbuild = NODE_MODULES / ".bin" / "esbuild"
    if not esbuild.exists():
        raise SetupError(f"{esbuild} is missing: the npm step did not install esbuild")
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    # panel compile writes its own package.json into the build folder; point its node_modules at
    # the locked install so the bundle uses exactly the versions in package-lock.json.
    link = BUILD_DIR / "node_modules"
    if link.is_symlink() or link.exists():
        if not (link.is_symlink() and link.resolve() == NODE_MODULES.resolve()):
            shutil.rmtree(link) if link.is_dir() and not link.is_symlink() else link.unlink()
    if not link.exists():
        link.symlink_to(NODE_MODULES, target_is_directory=True)
    BUNDLE.parent.mkdir(parents=True, exist_ok=True)
    # This is what `panel compile viewer.app.view3d:BodyView --build-dir build/esm --skip-npm`
    # runs; called in-process because that command exits 1 even on success in panel 1.9
    # (run_compile counts the 0 returned for a written bundle as an error).
    from panel.io.compile import compile_components

    from .view3d import BodyView

    os.environ["PATH"] = f"{esbuild.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    before = BUNDLE.stat().st_mtime_ns if BUNDLE.exists() else None
    print(f"$ panel compile viewer.app.view3d:BodyView --build-dir {BUILD_DIR.relative_to(REPO)} "
          f"--skip-npm", flush=True)
    result = compile_components([BodyView], build_dir=BUILD_DIR, outfile=BUNDLE, skip_npm=True,
                                minify=True, verbose=False)
    if result is None or not BUNDLE.is_file() or BUNDLE.stat().st_mtime_ns == before:
        raise SetupError(f"panel compile did not write {BUNDLE} (see the esbuild output above)")
    return BUNDLE


def compile_early() -> Path:
    """Bundle the page's early script (``viewer/app/early.js``, :mod:`viewer.app.early`) with
    three.js into ``dist/early.bundle.js`` with the locally installed esbuild."""
    from .early import BUNDLE as EARLY

    esbuild = NODE_MODULES / ".bin" / "esbuild"
    _run([str(esbuild), str(EARLY.parents[1] / "early.js"), "--bundle", "--format=esm", "--minify",
          "--log-level=warning", f"--outfile={EARLY}"], cwd=REPO)
    if not EARLY.is_file():
        raise SetupError(f"esbuild did not write {EARLY}")
    return EARLY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viewer.app.setup",
                                     description="Install three.js from npm and bundle the Radix 3D view.")
    parser.add_argument("--force", action="store_true", help="reinstall node packages")
    parser.add_argument("--skip-npm", action="store_true", help="only rebuild the bundle")
    args = parser.parse_args(argv)
    try:
        if not args.skip_npm:
            install_node_packages(force=args.force)
        bundle = compile_bundle()
        compile_early()
    except SetupError as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Built {bundle.relative_to(REPO)} ({bundle.stat().st_size / 1024:.0f} KiB). "
          f"Serve with: panel serve app.py --static-dirs meshes=assets/meshes", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
