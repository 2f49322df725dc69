#!/usr/bin/env bash
# Scaling of snn-sim over processes (issue 12, part 4): Brunel at one order for
#   1 rank x 2 threads, 2 ranks x 1 thread, 4 ranks x 1 thread (oversubscribed on 2 cores),
# each the median of REPEATS runs of sim_s, with the spikes and the share of sim_s spent in the
# spike exchange (rank 0); then the dry run (one process playing rank 0 of P, the others'
# spikes copies of its own) at P = 1, 4, 16, 64, 256, 1024: the per-rank cost of the exchange
# and of the delivery as P grows.
#   bench/mpi/mpi_scaling.sh [snn-sim] [order] [t_ms] [repeats]
# Needs a build with -DSNN_WITH_MPI=ON. Prints one table row per configuration.
set -euo pipefail
SIM=${1:-build/apps/snn-sim/snn-sim}
ORDER=${2:-2500}
T=${3:-500}
REPEATS=${4:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

field() { sed -n "s/^ *\"$1\": \\([0-9.e+-]*\\),*$/\\1/p" "$2"; }

# run LABEL LAUNCH... : REPEATS runs, prints the median sim_s and its row.
run() {
  local label=$1; shift
  local rows=()
  for i in $(seq "$REPEATS"); do
    "$@" -network brunel -order "$ORDER" -t "$T" -record-spikes none -progress off \
      -summary "$work/s.json" >/dev/null
    rows+=("$(field sim_s "$work/s.json") $(field exchange_s "$work/s.json") $(field spikes "$work/s.json") $(field build_s "$work/s.json") $(field peak_rss_mb "$work/s.json")")
  done
  printf '%s\n' "${rows[@]}" | sort -g | sed -n "$(( (REPEATS + 1) / 2 ))p" |
    awk -v l="$label" '{printf "%-28s sim %8.3f s  exchange %7.3f s (%5.1f%%)  spikes %10d  build %6.3f s  rss(rank 0) %7.1f MB\n", l, $1, $2, ($1 > 0 ? 100 * $2 / $1 : 0), $3, $4, $5}'
}

echo "Brunel order $ORDER ($(( 5 * ORDER )) neurons), $T ms, median of $REPEATS"
run "1 rank x 2 threads" "$SIM" -threads 2
run "2 ranks x 1 thread" mpiexec -n 2 "$SIM" -threads 1
run "4 ranks x 1 thread (over)" mpiexec -n 4 --oversubscribe "$SIM" -threads 1

echo "dry run: rank 0 of P, 1 thread (its share of the neurons; all P ranks' spikes delivered)"
for P in 1 4 16 64 256 1024; do
  run "dry run P = $P" "$SIM" -threads 1 -dry-run-ranks "$P"
done
