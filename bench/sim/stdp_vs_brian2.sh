#!/usr/bin/env bash
# Brunel order 2500 with NEST's multiplicative stdp_synapse on the 10^7 E->E synapses
# (examples/brunel_stdp.json) in snn-sim, against Brian2's C++ standalone of the same network
# (brian2_brunel_stdp.py, Debian's python3-brian) in the same run, one table: simulation times
# (ours: the summary's "simulation", Brian2: its own run time without code generation), rates,
# the mean E->E weight after the run, and the ratio per thread count.
#   bench/sim/stdp_vs_brian2.sh [BUILD_DIR=build] [DURATION_MS=1000] [THREADS="1 2"]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
duration=${2:-1000}
threads=${3:-"1 2"}
sim="$build/apps/snn-sim/snn-sim"
[ -x "$sim" ] || { echo "stdp_vs_brian2: $sim not built" >&2; exit 1; }
python=/usr/bin/python3
"$python" -c "import brian2" 2>/dev/null ||
  { echo "stdp_vs_brian2: Brian2 missing (apt-get install python3-brian)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Ours: the mean E->E weight from the -save-weights file (projection 0 is E->E in the file).
ours() {  # threads -> "seconds rate mean_weight"
  "$sim" -network examples/brunel_stdp.json -t "$duration" -threads "$1" \
    -summary "$work/s$1.json" -save-weights "$work/w$1.h5" >/dev/null
  "$python" - "$work/s$1.json" "$work/w$1.h5" <<'EOF'
import json, sys
import h5py
s = json.load(open(sys.argv[1]))
with h5py.File(sys.argv[2], "r") as f:
    w = f["projections/0/weight"][()]
print(f"{s['sim_s']:.2f} {s['rate_hz']:.2f} {w.mean():.6f}")
EOF
}

brian() {  # threads -> "seconds rate mean_weight" (Brian2's OpenMP threads; 1: no OpenMP)
  local omp=$1
  [ "$omp" -eq 1 ] && omp=0
  "$python" bench/sim/brian2_brunel_stdp.py --duration "$duration" --threads "$omp" \
    --outdir "$work/brian2" 2>/dev/null | grep '^RESULT build' |
    sed -E 's/.* rate_hz=([0-9.]+) mean_ee_weight_mv=([0-9.]+) run_s=([0-9.]+).*/\3 \1 \2/'
}

echo "| threads | snn-sim s | rate Hz | mean E->E w mV | Brian2 s | rate Hz | mean E->E w mV | ratio |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for t in $threads; do
  read -r os orate ow <<<"$(ours "$t")"
  read -r bs brate bw <<<"$(brian "$t")"
  ratio=$("$python" -c "print(f'{$bs / $os:.1f}x')")
  echo "| $t | $os | $orate | $ow | $bs | $brate | $bw | $ratio |"
done
