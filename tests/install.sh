#!/usr/bin/env bash
# install.sh -- `cmake --install` into a fresh prefix, then use only what was
# installed: the CLI, the man page and completion, the headers (each one
# compiles on its own), pkg-config and find_package(ipsim).  examples/embed.c
# is built three ways (pkg-config + libipsim.so, CMake ipsim::ipsim, CMake
# ipsim::ipsim_static) and each binary must give the CLI's exact figures.
# usage: install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -u
. "$(dirname "$0")/testlib.sh"
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
check() { # DESCRIPTION CMD... : passes when CMD succeeds
  local what=$1; shift
  if "$@" >log.txt 2>&1; then ok; else bad "$what"; sed 's/^/  | /' log.txt | tail -20; fi
}

prefix=$work/prefix
check "cmake --install" cmake --install "$build" --prefix "$prefix"
libdir=$(cd "$prefix" && ls -d lib lib/*-linux-gnu* 2>/dev/null | while read -r d; do
  [ -f "$prefix/$d/libipsim.a" ] && echo "$d"; done | head -1)
[ -n "$libdir" ] && ok || bad "libipsim.a not installed under $prefix/lib"
libdir=$prefix/${libdir:-lib}
version=$(sed -n 's/^project(ipsim VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")

for f in bin/ipsim share/man/man1/ipsim.1 share/bash-completion/completions/ipsim \
         include/ipsim/ipsim.h include/ipsim/run.h include/ipsim/results.h; do
  [ -f "$prefix/$f" ] && ok || bad "$f not installed"
done
for f in libipsim.a "libipsim.so.${version%%.*}" "libipsim.so.$version" pkgconfig/ipsim.pc \
         cmake/ipsim/ipsimConfig.cmake cmake/ipsim/ipsimConfigVersion.cmake \
         cmake/ipsim/ipsimTargets.cmake; do
  [ -e "$libdir/$f" ] && ok || bad "$libdir/$f not installed"
done
soname=$(objdump -p "$libdir/libipsim.so" 2>/dev/null | awk '/SONAME/ {print $2}')
[ "$soname" = "libipsim.so.${version%%.*}" ] && ok || bad "SONAME '$soname'"
[ -e "$prefix/include/ipsim/model.h" ] && bad "private header model.h installed" || ok

# Every public header compiles alone, warning-free, in strict C11.
for h in "$prefix"/include/ipsim/*.h; do
  printf '#include <ipsim/%s>\n' "$(basename "$h")" >hdr.c
  check "header $(basename "$h") alone" cc -std=c11 -Wall -Wextra -Werror -pedantic -c \
    -I"$prefix/include" hdr.c -o hdr.o
done

cat >small.yaml <<'YAML'
ipsim: 1
name: install check
start: "2025-01"
horizon_months: 24
seed: 5
zones:
  - {name: One, area_ha: 100, clean_ha: 50, projects_per_year: 12,
     fdi_capital_median_musd: 10, domestic_capital_median_musd: 3, capital_per_ha_musd: 2}
targets:
  - {name: Registered 2026, metric: projects_registered, year: 2026, op: ">=", value: 12}
  - {name: Occupancy 2026, metric: occupancy, year: 2026, op: ">=", value: 0.4}
YAML
check "installed CLI --version" "$prefix/bin/ipsim" --version
grep -q "ipsim $version" log.txt && ok || bad "installed ipsim --version is not $version"
check "installed CLI run" "$prefix/bin/ipsim" run small.yaml -n 300 -j 2 -o cli.h5 --quiet

# pkg-config, against the shared library.
export PKG_CONFIG_PATH=$libdir/pkgconfig
check "pkg-config --modversion" pkg-config --modversion ipsim
grep -qx "$version" log.txt && ok || bad "pkg-config version is not $version"
check "cc with pkg-config" sh -c "cc -std=c11 -Wall -Wextra -Werror '$src/examples/embed.c' \
  \$(pkg-config --cflags --libs ipsim) -Wl,-rpath,'$libdir' -o embed_pc"
check "embed (pkg-config) runs" ./embed_pc small.yaml pc.h5 300
cp log.txt out_pc.txt
ldd ./embed_pc 2>/dev/null | grep -q "libipsim.so.${version%%.*} => $libdir" && ok ||
  bad "embed_pc does not load the installed libipsim.so"

# find_package(ipsim), shared and static.
check "cmake configure examples/" cmake -S "$src/examples" -B ex -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror"
check "cmake build examples/" cmake --build ex
check "embed (ipsim::ipsim) runs" ./ex/embed small.yaml cm.h5 300
cp log.txt out_cm.txt
check "embed_static (ipsim::ipsim_static) runs" ./ex/embed_static small.yaml st.h5 300
cp log.txt out_st.txt
ldd ./ex/embed 2>/dev/null | grep -q "libipsim.so" && ok || bad "embed is not linked to libipsim.so"
ldd ./ex/embed_static 2>/dev/null | grep -q "libipsim" && bad "embed_static needs libipsim.so" || ok

# The three programs print the same table (but for the file name), with one
# P(met) line per target, and their files hold the CLI's exact target rows.
for o in out_cm.txt out_st.txt; do
  if diff <(sed 's/-> .*//' out_pc.txt) <(sed 's/-> .*//' "$o") >/dev/null; then ok
  else bad "$o differs from out_pc.txt"; diff out_pc.txt "$o"; fi
done
[ "$(grep -c 'P(met) = ' out_pc.txt)" = 2 ] && ok || bad "embed did not print 2 targets"
grep -q "^Registered 2026 .*projects_registered .*2026 >= 12 " out_pc.txt && ok ||
  bad "embed's row for Registered 2026"; 
check "embedded runs match the CLI" /usr/bin/python3 - cli.h5 pc.h5 cm.h5 st.h5 <<'PY'
import sys, h5py, numpy as np
ref = h5py.File(sys.argv[1], "r")
for fn in sys.argv[2:]:
    with h5py.File(fn, "r") as f:
        for k in ["p_met", "p_low", "p_high", "mean", "q50", "shortfall"]:
            assert np.array_equal(f["targets"][k], ref["targets"][k]), (fn, k)
        assert np.array_equal(f["yearly/leased_ha"][:], ref["yearly/leased_ha"][:]), fn
PY
# A bad scenario through the library: an input error, exit status 2.
echo "ipsim: 2" >bad.yaml
./ex/embed bad.yaml bad.h5 >out.txt 2>err.txt; rc=$?
[ "$rc" = 2 ] && grep -q "bad.yaml" err.txt && [ ! -e bad.h5 ] && ok ||
  bad "embed on a bad scenario: exit $rc, $(cat err.txt)"

finish
