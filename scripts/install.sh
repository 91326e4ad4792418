#!/usr/bin/env bash
# Install everything Radix needs on a fresh Debian/Ubuntu machine: system libraries (off-screen
# rendering, Chromium for the browser tests), the Python package with its test extras, and the
# three.js bundle of the 3D view (from the npm registry, built locally, never committed).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
for lib in libegl1 libegl-mesa0 libgl1-mesa-dri poppler-utils fonts-dejavu-core fonts-wqy-zenhei; do
  dpkg -s "$lib" >/dev/null 2>&1 || need_apt+=("$lib")
done
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

echo "==> pip install -e .[test]"
python3 -m pip install -q -e ".[test]"

if [ -f viewer/app/setup.py ]; then
  echo "==> building the 3D view bundle (npm ci + panel compile)"
  python3 -m viewer.app.setup
fi
