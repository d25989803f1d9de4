#!/usr/bin/env bash
# run.sh -- `make fuzz`: runs the libFuzzer harness for a bounded time from
# the seed corpus (the shipped scenarios, the bad-input corpus and the kept
# regressions); fails if it finds a crash, a leak, undefined behaviour, a
# hang (10 s per input) or a broken reader contract (see fuzz_scenario.c).
# usage: run.sh SOURCE_DIR BUILD_DIR [SECONDS]
set -uo pipefail
src=$1 build=$2 seconds=${3:-300}
corpus=$build/corpus crashes=$build/crashes
mkdir -p "$corpus" "$crashes"
# The regressions and the bad corpus are seeds only: new inputs go to $corpus.
"$build/fuzz_scenario" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -dict="$src/tests/fuzz/scenario.dict" -artifact_prefix="$crashes/" \
  -print_final_stats=1 "$corpus" "$src/scenarios" "$src/tests/bad" "$src/tests/fuzz/regressions"
rc=$?
if [ "$rc" != 0 ] || [ -n "$(ls -A "$crashes")" ]; then
  echo "fuzz: FAILED (exit $rc); inputs in $crashes/ -- fix the reader, then keep each" \
       "input in tests/fuzz/regressions/ (replayed by test_fuzz_replay)" >&2
  exit 1
fi
echo "fuzz: no crash in $seconds s ($(ls "$corpus" | wc -l) inputs in $corpus)"
