#!/usr/bin/env bash
# Install everything, then serve the Radix app on http://127.0.0.1:${RADIX_PORT:-5006}/app
# (loopback only; see the README to expose it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
source scripts/python-env.sh
exec "$RADIX_PYTHON" -m viewer.app.serve app.py \
  --address "${RADIX_ADDRESS:-127.0.0.1}" --port "${RADIX_PORT:-5006}" \
  --allow-websocket-origin "${RADIX_ADDRESS:-127.0.0.1}:${RADIX_PORT:-5006}" \
  --static-dirs meshes=assets/meshes \
  --websocket-compression-level 6 --websocket-compression-mem-level 8 "$@"
