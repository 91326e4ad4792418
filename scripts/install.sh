#!/usr/bin/env bash
# Install everything Radix needs on a fresh Debian/Ubuntu machine: system libraries (off-screen
# rendering, Chromium for the browser tests), the exact Python packages of requirements.lock
# (hash-checked, into the active virtual environment or the project's .venv), and the three.js
# bundle of the 3D view (from the npm registry at the versions of package-lock.json, built
# locally, never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
for lib in libegl1 libegl-mesa0 libgl1-mesa-dri libxrender1 poppler-utils fonts-dejavu-core \
           fonts-wqy-zenhei; do
  dpkg -s "$lib" >/dev/null 2>&1 || need_apt+=("$lib")
done
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ! -x "$RADIX_PYTHON" ] && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  need_apt+=(python3-venv)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if [ ! -x "$RADIX_PYTHON" ]; then
  echo "==> python3 -m venv $RADIX_VENV"
  python3 -m venv "$RADIX_VENV"
fi
echo "==> pip install -r requirements.lock (into $RADIX_VENV)"
# --require-hashes: every package, dependencies included, must be in the lock with its hash.
"$RADIX_PYTHON" -m pip install -q --disable-pip-version-check --require-hashes --no-deps \
  -r requirements.lock
"$RADIX_PYTHON" -m pip check
"$RADIX_PYTHON" scripts/check_installed.py

echo "==> building the 3D view bundle (npm ci + panel compile)"
"$RADIX_PYTHON" -m viewer.app.setup
