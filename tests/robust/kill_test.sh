#!/usr/bin/env bash
# Kill harness (ctest kill_harness): nothing is lost when a run dies at any moment.
#  1. snn-train is killed with SIGKILL at random moments (>= SNN_KILLS, default 20, including
#     during checkpoint writes) and resumed from checkpoint_latest.h5 each time: after every kill
#     the checkpoint loads, no stale *.tmp.<pid> survives the next run, and every chain of
#     kill/resume ends with the same parameters, buffers and optimizer state, bit for bit, as an
#     uninterrupted run.
#  2. SIGTERM mid-epoch: exit 143, one message, a mid-epoch checkpoint (next_batch > 0) whose
#     resume ends as the uninterrupted run.
#  3. A full disk (ulimit -f; SIGXFSZ ignored, so writes fail with EFBIG as on a full disk): one
#     clear error, a non-zero exit, the previous checkpoint intact.
#  4. snn-sim with an HDF5 output is killed with SIGKILL at random moments (>= SNN_KILLS): every
#     SONATA file left opens and holds whole records (as many timestamps as node ids, in order;
#     report rows whole), and every journal left (OUT.partial) becomes such a file with
#     snn-sim -recover. SIGTERM: exit 143, the file closed whole.
#  5. snn-sim on a full disk (ulimit -f): exit 1 with one message naming the journal, no output
#     file (the journal keeps the run); -recover on a full disk: exit 1, the journal unchanged;
#     -recover with room: a whole file. Never a crash (HDF5 once crashed at exit after a failed
#     write).
# Usage: kill_test.sh SNN_TRAIN SNN_SIM ROBUST_PROBE WORK_DIR
set -u
TRAIN=$1 SIM=$2 PROBE=$3 WORK=$4
KILLS=${SNN_KILLS:-20}
RANDOM=${SNN_KILL_SEED:-2026}
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
fail() {
  echo "kill_test: FAIL: $*" >&2
  exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }
# A random delay in [lo, hi) ms.
random_ms() { echo $(($1 + (RANDOM * 32768 + RANDOM) % ($2 - $1))); }

mkdir -p "$WORK/data" && "$PROBE" mnist "$WORK/data" 512 64 || fail "cannot write the data set"
BASE_ARGS=(-data-dir "$WORK/data" -T 4 -b 16 -j 2 -opt adam -lr 0.01 -seed 3 -trace none)
TRAIN_ARGS=("${BASE_ARGS[@]}" -epochs 8)

# The uninterrupted reference.
t0=$(now_ms)
"$TRAIN" "${TRAIN_ARGS[@]}" -out-dir "$WORK/ref" >"$WORK/ref.log" 2>&1 || fail "the uninterrupted run failed: $(tail -2 "$WORK/ref.log")"
train_ms=$(($(now_ms) - t0))
"$PROBE" checkpoint "$WORK/ref/checkpoint_latest.h5" >"$WORK/ref.txt" || fail "the reference checkpoint does not load"
echo "kill_test: uninterrupted training run: $train_ms ms"

# 1. SIGKILL and resume.
run="$WORK/run"
kills=0 chains=0 resumes=0 stale_seen=0
finish_chain() {
  "$PROBE" checkpoint "$run/checkpoint_latest.h5" >"$WORK/final.txt" || fail "the final checkpoint does not load"
  cmp -s "$WORK/ref.txt" "$WORK/final.txt" || fail "chain $chains: final state differs from the uninterrupted run (diff $WORK/ref.txt $WORK/final.txt)"
  chains=$((chains + 1))
  rm -rf "$run"
}
while [ "$kills" -lt "$KILLS" ]; do
  resume=()
  [ -f "$run/checkpoint_latest.h5" ] && resume=(-resume "$run/checkpoint_latest.h5") && resumes=$((resumes + 1))
  "$TRAIN" "${TRAIN_ARGS[@]}" -out-dir "$run" "${resume[@]}" >"$WORK/run.log" 2>&1 &
  pid=$!
  sleep_ms "$(random_ms 0 "$train_ms")"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  if [ "$rc" -eq 137 ]; then
    kills=$((kills + 1))
    if [ -f "$run/checkpoint_latest.h5" ]; then
      "$PROBE" checkpoint "$run/checkpoint_latest.h5" >/dev/null || fail "kill $kills: checkpoint_latest.h5 does not load"
    fi
    ls "$run"/*.tmp.* >/dev/null 2>&1 && stale_seen=$((stale_seen + 1))
  elif [ "$rc" -eq 0 ]; then
    ls "$run"/*.tmp.* >/dev/null 2>&1 && fail "a finished run left temporaries: $(ls "$run")"
    finish_chain
  else
    fail "a training run exited with $rc: $(tail -2 "$WORK/run.log")"
  fi
done
while [ -d "$run" ]; do  # finish the last chain
  resume=()
  [ -f "$run/checkpoint_latest.h5" ] && resume=(-resume "$run/checkpoint_latest.h5") && resumes=$((resumes + 1))
  "$TRAIN" "${TRAIN_ARGS[@]}" -out-dir "$run" "${resume[@]}" >"$WORK/run.log" 2>&1 || fail "resume failed: $(tail -2 "$WORK/run.log")"
  ls "$run"/*.tmp.* >/dev/null 2>&1 && fail "a finished run left temporaries: $(ls "$run")"
  finish_chain
done
echo "kill_test: snn-train: $kills SIGKILLs survived ($resumes resumes, $chains chains equal to the uninterrupted run bit for bit; $stale_seen kills left a temporary, removed by the next run)"

# 2. SIGTERM mid-epoch.
for attempt in 1 2 3 4 5; do
  rm -rf "$run"
  t0=$(now_ms)
  "$TRAIN" "${TRAIN_ARGS[@]}" -out-dir "$run" >"$WORK/term.log" 2>"$WORK/term.err" &
  pid=$!
  # After the first epoch's checkpoint (7 of 8 epochs still to go), a random moment within that
  # epoch's own duration: the signal lands mid-run however loaded the machine is.
  while [ ! -e "$run/checkpoint_latest.h5" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
  epoch_ms=$(($(now_ms) - t0))
  sleep_ms "$(random_ms 1 $((epoch_ms + 2)))"
  kill -TERM "$pid"
  wait "$pid"
  rc=$?
  [ "$rc" -eq 0 ] && continue  # finished first: try again
  [ "$rc" -eq 143 ] || fail "SIGTERM: exit status $rc, expected 143: $(cat "$WORK/term.err")"
  grep -q "^snn-train: interrupted by SIGTERM at epoch [0-9]*, batch [0-9]*: checkpoint written to .*checkpoint_latest.h5" "$WORK/term.err" ||
    fail "SIGTERM: no message: $(cat "$WORK/term.err")"
  [ "$(grep -c . "$WORK/term.err")" -eq 1 ] || fail "SIGTERM: more than one line on stderr: $(cat "$WORK/term.err")"
  "$PROBE" checkpoint "$run/checkpoint_latest.h5" >"$WORK/term.txt" || fail "SIGTERM: the checkpoint does not load"
  echo "kill_test: SIGTERM: $(cat "$WORK/term.err") [$(head -1 "$WORK/term.txt")]"
  "$TRAIN" "${TRAIN_ARGS[@]}" -out-dir "$run" -resume "$run/checkpoint_latest.h5" >"$WORK/run.log" 2>&1 || fail "resume after SIGTERM failed"
  finish_chain
  break
done
[ "$rc" -eq 143 ] || fail "SIGTERM: five runs finished before the signal"

# 3. A full disk: the second epoch's checkpoint cannot be written.
rm -rf "$run"
"$TRAIN" "${BASE_ARGS[@]}" -epochs 1 -out-dir "$run" >/dev/null 2>&1 || fail "full disk: the first epoch failed"
cp "$run/checkpoint_latest.h5" "$WORK/before.h5"
size_kb=$(($(stat -c %s "$run/checkpoint_latest.h5") / 1024))
(
  trap '' XFSZ
  ulimit -f $((size_kb / 2))
  exec "$TRAIN" "${BASE_ARGS[@]}" -epochs 2 -out-dir "$run" -resume "$run/checkpoint_latest.h5"
) >"$WORK/full.log" 2>"$WORK/full.err"
rc=$?
# Exit 1 with the message; not a crash (HDF5 once crashed at exit closing the failed file again).
[ "$rc" -eq 1 ] || fail "full disk: exit status $rc, not 1"
[ "$(grep -c . "$WORK/full.err")" -eq 1 ] || fail "full disk: not one line on stderr: $(cat "$WORK/full.err")"
grep -Eq "^snn-train: error: .*checkpoint_(latest|max).h5" "$WORK/full.err" || fail "full disk: the message does not name the checkpoint: $(cat "$WORK/full.err")"
cmp -s "$WORK/before.h5" "$run/checkpoint_latest.h5" || fail "full disk: the previous checkpoint changed"
"$PROBE" checkpoint "$run/checkpoint_latest.h5" >/dev/null || fail "full disk: the previous checkpoint does not load"
ls "$run"/*.tmp.* >/dev/null 2>&1 && fail "full disk: a temporary was left: $(ls "$run")"
echo "kill_test: full disk: exit $rc, $(cat "$WORK/full.err")"

# 4. snn-sim: SIGKILL during recording, then SIGTERM.
SIM_ARGS=(-network brunel -order 200 -t 3000 -threads 2 -record-v exc:0-9 -progress off)
t0=$(now_ms)
"$SIM" "${SIM_ARGS[@]}" -out "$WORK/sim-ref.h5" >"$WORK/sim.log" 2>&1 || fail "snn-sim failed: $(tail -2 "$WORK/sim.log")"
sim_ms=$(($(now_ms) - t0))
"$PROBE" sonata "$WORK/sim-ref.h5" >/dev/null || fail "the uninterrupted snn-sim output is not whole"
sim_kills=0 files=0 recovered=0
while [ "$sim_kills" -lt "$KILLS" ]; do
  rm -f "$WORK/sim.h5" "$WORK/sim.h5.partial"
  t0=$(now_ms)
  "$SIM" "${SIM_ARGS[@]}" -out "$WORK/sim.h5" >"$WORK/sim.log" 2>&1 &
  pid=$!
  deadline=$((t0 + $(random_ms 0 "$sim_ms")))
  while [ "$(now_ms)" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  t1=$(now_ms)
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  [ "$rc" -eq 137 ] || [ "$rc" -eq 0 ] || fail "snn-sim exited with $rc: $(tail -2 "$WORK/sim.log")"
  [ "$rc" -eq 137 ] && sim_kills=$((sim_kills + 1))
  # Finished before the kill: the machine is faster now than when sim_ms was measured (the
  # reference may have run beside other tests); draw the next moments within this run's time.
  if [ "$rc" -eq 0 ]; then
    sim_ms=$((t1 - t0))
    [ "$sim_ms" -gt 2 ] || sim_ms=3
  fi
  # The SONATA file appears whole at the end of a run or not at all; a killed run leaves its
  # journal, which -recover turns into the file holding every record written before the kill.
  if [ -f "$WORK/sim.h5" ]; then
    files=$((files + 1))
    "$PROBE" sonata "$WORK/sim.h5" >"$WORK/sim-probe.txt" 2>&1 ||
      fail "snn-sim kill $sim_kills left an unreadable SONATA file: $(cat "$WORK/sim-probe.txt")"
  fi
  if [ -f "$WORK/sim.h5.partial" ] && [ ! -f "$WORK/sim.h5" ]; then
    "$SIM" -recover "$WORK/sim.h5.partial" >"$WORK/recover.log" 2>&1 ||
      fail "snn-sim -recover failed after kill $sim_kills: $(cat "$WORK/recover.log")"
    "$PROBE" sonata "$WORK/sim.h5" >"$WORK/sim-probe.txt" 2>&1 ||
      fail "the file recovered after kill $sim_kills is unreadable: $(cat "$WORK/sim-probe.txt")"
    recovered=$((recovered + 1))
  fi
done
echo "kill_test: snn-sim: $sim_kills SIGKILLs survived, $files whole output files left, $recovered recovered from their journal (uninterrupted run $sim_ms ms)"
# The signal lands mid-run: a run that finished first is tried again with an earlier signal, one
# interrupted before its first spike with a later one (the machine's load changes the timing).
delay=$((sim_ms / 4))
for attempt in 1 2 3 4 5 6 7 8; do
  rm -f "$WORK/sim.h5"
  "$SIM" "${SIM_ARGS[@]}" -out "$WORK/sim.h5" >"$WORK/sim.log" 2>"$WORK/sim.err" &
  pid=$!
  sleep_ms "$delay"
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  if [ "$rc" -eq 0 ]; then delay=$((delay / 2)); continue; fi
  [ "$rc" -eq 143 ] || fail "snn-sim SIGTERM: exit status $rc, expected 143: $(cat "$WORK/sim.err")"
  grep -q "^snn-sim: interrupted by SIGTERM at t = .* ms of 3000 ms; .*sim.h5 holds every step up to then" "$WORK/sim.err" ||
    fail "snn-sim SIGTERM: no message: $(cat "$WORK/sim.err")"
  "$PROBE" sonata "$WORK/sim.h5" >"$WORK/sim-probe.txt" || fail "snn-sim SIGTERM: the output is not whole"
  grep -q "^spikes [1-9]" "$WORK/sim-probe.txt" && break
  delay=$((delay * 2 + 50))  # stopped before the first spike: signal later
done
[ "$rc" -eq 143 ] || fail "snn-sim SIGTERM: eight runs finished before the signal"
grep -q "^spikes [1-9]" "$WORK/sim-probe.txt" || fail "snn-sim SIGTERM: no spikes flushed in eight tries: $(cat "$WORK/sim-probe.txt")"
echo "kill_test: snn-sim SIGTERM: $(cat "$WORK/sim.err") [$(cat "$WORK/sim-probe.txt")]"
# 5. snn-sim on a full disk.
rm -f "$WORK/sim.h5" "$WORK/sim.h5.partial" "$WORK"/sim.h5.tmp.*
(
  trap '' XFSZ
  ulimit -f 256
  exec "$SIM" -network brunel -order 200 -t 3000 -threads 2 -record-v exc:0-199 -progress off -out "$WORK/sim.h5"
) >/dev/null 2>"$WORK/full-sim.err"
rc=$?
[ "$rc" -eq 1 ] || fail "snn-sim full disk: exit status $rc, not 1: $(cat "$WORK/full-sim.err")"
[ "$(grep -c . "$WORK/full-sim.err")" -eq 1 ] || fail "snn-sim full disk: not one line on stderr: $(cat "$WORK/full-sim.err")"
grep -q "^snn-sim: error: .*sim.h5.partial" "$WORK/full-sim.err" || fail "snn-sim full disk: the message does not name the journal: $(cat "$WORK/full-sim.err")"
[ ! -e "$WORK/sim.h5" ] || fail "snn-sim full disk: an output file was built from a failed run"
ls "$WORK"/sim.h5.tmp.* >/dev/null 2>&1 && fail "snn-sim full disk: a temporary was left"
cp "$WORK/sim.h5.partial" "$WORK/journal-before"
(
  trap '' XFSZ
  ulimit -f 128
  exec "$SIM" -recover "$WORK/sim.h5.partial"
) >/dev/null 2>"$WORK/full-recover.err"
rc=$?
[ "$rc" -eq 1 ] || fail "snn-sim -recover on a full disk: exit status $rc, not 1: $(cat "$WORK/full-recover.err")"
cmp -s "$WORK/journal-before" "$WORK/sim.h5.partial" || fail "snn-sim -recover on a full disk changed the journal"
[ ! -e "$WORK/sim.h5" ] || fail "snn-sim -recover on a full disk left an output file"
"$SIM" -recover "$WORK/sim.h5.partial" >"$WORK/recover.log" 2>&1 || fail "snn-sim -recover after the full disk: $(cat "$WORK/recover.log")"
"$PROBE" sonata "$WORK/sim.h5" >"$WORK/sim-probe.txt" 2>&1 || fail "the file recovered after the full disk is unreadable: $(cat "$WORK/sim-probe.txt")"
echo "kill_test: snn-sim full disk: exit 1, $(cat "$WORK/full-sim.err"); recovered afterwards: $(cat "$WORK/recover.log")"
echo "kill_test: passed"
