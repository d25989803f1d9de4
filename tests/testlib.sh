# testlib.sh -- what the shell end-to-end tests share (sourced): counting
# checks, and the last line "N passed, N failed" with the exit status.
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}
