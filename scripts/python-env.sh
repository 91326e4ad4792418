# Sourced by install.sh, start.sh and test.sh: picks the Python environment Radix runs in.
# An active virtual environment ($VIRTUAL_ENV) is used as it is; otherwise the project's own
# .venv is made (once) beside this folder, so nothing is installed into the system's Python.
RADIX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
  RADIX_VENV="$VIRTUAL_ENV"
else
  RADIX_VENV="$RADIX_ROOT/.venv"
fi
RADIX_PYTHON="$RADIX_VENV/bin/python"
