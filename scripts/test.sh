#!/usr/bin/env bash
# Install everything, then run every test (unit, geometry, data and the headless-Chromium
# browser tests). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
source scripts/python-env.sh
echo "==> pytest ($RADIX_PYTHON)"
exec "$RADIX_PYTHON" -m pytest "$@"
