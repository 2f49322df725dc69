#!/usr/bin/env bash
# The GPU check of issue 5, in one call on the device machine (an H100 with nvcc, CMake, ninja,
# no package registry). On the development machine first:
#     bash ../shared/tools/device-deps.sh download        # fills .devdeps/ (git-ignored)
# then run this script there with `.devdeps` carried:
#     source .devdeps/device-deps.sh unpack && bash tools/device-check.sh
# It builds the CUDA system for sm_90, runs every test on the GPU (the host/device parity tests
# compare against the values the CPU build asserts), runs the benchmarks, and leaves logs in $OUT.
set -uo pipefail
out=${OUT:-/tmp/snn-device-check}
mkdir -p "$out"
nvidia-smi | tee "$out/nvidia-smi.txt"
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DSNN_DEVICE_SYSTEM=CUDA \
      -DCMAKE_CUDA_ARCHITECTURES=90 ${HDF5_ROOT:+-DHDF5_ROOT=$HDF5_ROOT} -DBoost_NO_SYSTEM_PATHS=ON \
      >"$out/configure.log" 2>&1 || { tail -50 "$out/configure.log"; exit 1; }
cmake --build build-gpu -j 16 >"$out/build.log" 2>&1 || { tail -80 "$out/build.log"; exit 1; }
ctest --test-dir build-gpu --output-on-failure -j 4 2>&1 | tee "$out/ctest.log" | tail -30
for b in snn-bench-train snn-bench-sim snn-bench-resnet; do
  exe=$(find build-gpu/bench -type f -name "$b" | head -1)
  # A CUDA build's benchmarks run on the GPU; none takes a -device option.
  [ -n "$exe" ] && "$exe" 2>&1 | tee "$out/$b.txt"
done
