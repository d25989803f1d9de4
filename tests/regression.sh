#!/usr/bin/env bash
# regression.sh -- OpenMC-style regression tests: each tests/regression/NAME/
# holds an input (scenario.yaml, and `args`, the run's options) and the
# expected results (expected/*.csv: `ipsim export --csv` of the run).  The
# run is made at 2 threads and its export must match byte for byte, so any
# change to the numbers a seed gives -- a sampler, the draw order, the
# arithmetic of the model -- fails here.  Such a change is allowed only
# with a new IPSIM_VARIATES_VERSION (docs/performance.md); then regenerate:
#   tests/regression.sh build/ipsim . /tmp/reg --update
# usage: regression.sh IPSIM_BIN SOURCE_DIR WORK_DIR [--update]
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
set -u
bin=$(realpath "$1") src=$(realpath "$2") work=$3 update=${4:-}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

n=0
for dir in "$src"/tests/regression/*/; do
  name=$(basename "$dir")
  n=$((n + 1))
  read -r -a args <"$dir/args"
  expect_status 0 "$name: run" "$bin" run "$dir/scenario.yaml" "${args[@]}" -j 2 -o "$name.h5" --quiet
  expect_status 0 "$name: export" "$bin" export "$name.h5" --csv "$name"
  if [ "$update" = --update ]; then
    rm -rf "$dir/expected" && cp -r "$name" "$dir/expected" && echo "updated $dir/expected"
    continue
  fi
  for f in "$dir"/expected/*.csv; do
    got="$name/$(basename "$f")"
    if cmp -s "$f" "$got"; then ok; else
      bad "$name: $(basename "$f") differs from the expected results"
      diff "$f" "$got" | head -6
    fi
  done
  # and nothing exported that is not expected
  [ "$(ls "$name" | wc -l)" = "$(ls "$dir/expected" | wc -l)" ] && ok ||
    bad "$name: the export has other files than expected/"
done
[ "$n" -ge 1 ] && ok || bad "no regression inputs under tests/regression/"
finish
