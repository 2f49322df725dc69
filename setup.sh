#!/usr/bin/env bash
# The first command on a fresh Debian 12 machine: installs the Debian packages with apt (as root,
# or through sudo for another user), configures and builds the CPU build with the Python module,
# then runs the default job: 784-10 LIF trained for one epoch on Fashion-MNIST (Debian's
# dataset-fashion-mnist, so nothing is downloaded).
#
#   ./setup.sh               everything
#   ./setup.sh --no-apt      skip the package installation (already installed)
#   ./setup.sh --no-train    install and build only
# Environment: BUILD_DIR (build), JOBS (the number of cores), CMAKE_ARGS (extra -D options).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake ninja-build libthrust-dev librandom123-dev libopenblas-dev
  libopenblas-openmp-dev libhdf5-dev libboost-program-options-dev libgtest-dev libgmock-dev
  zlib1g-dev nlohmann-json3-dev libmuparser-dev dataset-fashion-mnist
  pybind11-dev python3-dev python3-numpy python3-pytest python3-matplotlib python3-h5py
  libopenmpi-dev openmpi-bin libdnnl-dev
)
apt=1 train=1
for arg in "$@"; do
  case "$arg" in
    --no-apt) apt=0 ;;
    --no-train) train=0 ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg' (expected --no-apt, --no-train)" >&2; exit 2 ;;
  esac
done

if [ "$apt" = 1 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "setup.sh: installing packages needs root: run as root, install sudo, or pass --no-apt" >&2
    exit 1
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${PACKAGES[@]}"
fi

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
# Debian's python3 (its numpy and pybind11), not one that comes first on PATH (pyenv, conda).
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
# shellcheck disable=SC2086
cmake -S . -B "$BUILD_DIR" -G Ninja -DSNN_BUILD_PYTHON=ON -DPython3_EXECUTABLE="$python" \
  -DSNN_WITH_MPI=ON ${CMAKE_ARGS:-}
cmake --build "$BUILD_DIR" -j "$JOBS"

if [ "$train" = 1 ]; then
  "./$BUILD_DIR/apps/snn-train/snn-train" -data-dir /usr/share/datasets/fashion-mnist \
    -out-dir runs/fashion -epochs 1 -T 100 -b 64 -opt adam -lr 1e-3 -j "$JOBS"
fi
