#!/usr/bin/env bash
# The Python environment of the consumer tests: the nuScenes devkit, rosbags, mcap and
# mcap-ros2-support from test/fixtures/wheels, over Debian's numpy, OpenCV, matplotlib, SciPy and
# friends (python3-* packages; .ci/run installs them). No network: every wheel is in the
# repository. Prints the environment's python, which the tests take from ROADCAST_PYTHON.
#   scripts/python-env.sh [DIR]    (default .venv-consumers)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-.venv-consumers}
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
"$PYTHON" -m venv --system-site-packages "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --no-index --no-deps --find-links test/fixtures/wheels \
  nuscenes-devkit pyquaternion rosbags mcap mcap-ros2-support >&2
# The roadcast client package, editable, when it exists (clients/python).
if [ -f clients/python/pyproject.toml ]; then
  "$VENV/bin/python" -m pip install --quiet --no-index --no-deps --no-build-isolation -e clients/python >&2
fi
"$VENV/bin/python" - <<'PY' >&2
import os
import numpy, msgpack, zstandard, nuscenes, rosbags, mcap, mcap_ros2
if os.path.exists('clients/python/pyproject.toml'):
    import roadcast
print('consumer environment ready: numpy', numpy.__version__)
PY
echo "$(cd "$VENV" && pwd)/bin/python"
