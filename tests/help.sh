#!/usr/bin/env bash
# help.sh -- help that fits habits: `ipsim help COMMAND` for every command
# the program lists (so commands added later are covered), the man page
# (renders without warnings, describes every command and long option that
# `ipsim COMMAND --help` lists) and the bash completion (commands, options,
# option values, .yaml/.h5 files).
# usage: help.sh IPSIM_BIN SOURCE_DIR WORK_DIR
set -u
. "$(dirname "$0")/testlib.sh"
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$(cd "$2" && pwd) work=$3
man1=$src/docs/ipsim.1 completion=$src/docs/ipsim.bash-completion
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

commands=$("$bin" --help | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }')
[ "$(echo "$commands" | wc -w)" -ge 3 ] && ok || bad "ipsim --help lists no commands: $commands"

# ipsim help COMMAND == ipsim COMMAND --help, with synopsis, options, example.
for c in $commands; do
  "$bin" help "$c" >help.txt 2>err.txt; rc=$?
  "$bin" "$c" --help >dash.txt 2>&1
  if [ "$rc" = 0 ] && cmp -s help.txt dash.txt; then ok; else bad "ipsim help $c: exit $rc or differs from --help"; fi
  for want in "usage: ipsim $c" "options:" "-h, --help" "example:" "exit status:"; do
    grep -qF -- "$want" help.txt && ok || bad "ipsim help $c: no '$want'"
  done
done
"$bin" help >out.txt 2>&1 && grep -q "^commands:" out.txt && ok || bad "ipsim help (no command)"
"$bin" help frobnicate >out.txt 2>err.txt; rc=$?
[ "$rc" = 2 ] && grep -q "frobnicate" err.txt && ok || bad "ipsim help frobnicate: exit $rc"

# The man page renders without a warning, in groff and in man.
groff -man -ww -z "$man1" >groff.txt 2>&1 && [ ! -s groff.txt ] && ok ||
  { bad "groff -man -ww warns"; cat groff.txt; }
MANWIDTH=80 man --warnings -l "$man1" >man.txt 2>manerr.txt && [ ! -s manerr.txt ] && ok ||
  { bad "man --warnings warns"; cat manerr.txt; }
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
  grep -qx "$s" man.txt && ok || bad "man page has no $s section"
done
# Every command has its subsection, and every long option is described
# (checked on a wide rendering without hyphenation, so no option is split).
groff -man -Tascii -rLL=300n -rHY=0 "$man1" 2>/dev/null | sed 's/.\x08//g' >wide.txt
for c in $commands help; do
  grep -qx "   $c" man.txt && ok || bad "man page: no subsection for command '$c'"
done
for c in $commands; do
  for o in $("$bin" "$c" --help | sed -n '/^options:/,/^$/p' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
    grep -qF -- "$o" wide.txt && ok || bad "man page: '$c $o' is not described"
  done
done

# Bash completion, as bash calls it: COMP_WORDS/COMP_CWORD, then COMPREPLY.
mkdir -p files/sub && touch files/a.yaml files/b.h5 files/c.txt
complete_words() { # WORDS... (the last one is being completed)
  (cd files && bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
    _ipsim; printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@") | sort
}
has() { # DESCRIPTION WANT GOT
  if echo "$3" | grep -qx -- "$2"; then ok; else bad "completion $1: no '$2' in: $(echo $3)"; fi
}
hasnt() {
  if echo "$3" | grep -qx -- "$2"; then bad "completion $1: '$2' offered"; else ok; fi
}
got=$(complete_words "$bin" "")
for c in $commands help; do has "of commands" "$c" "$got"; done
got=$(complete_words "$bin" r)
has "of 'r'" run "$got"; has "of 'r'" report "$got"; hasnt "of 'r'" check "$got"
got=$(complete_words "$bin" help "")
for c in $commands; do has "after help" "$c" "$got"; done
got=$(complete_words "$bin" run --s)
has "of run --s" --seed "$got"; has "of run --s" --store "$got"
got=$(complete_words "$bin" run --store "")
for v in summary yearly monthly; do has "of --store" "$v" "$got"; done
got=$(complete_words "$bin" report --)
for o in --output --title --monthly --help; do has "of report --" "$o" "$got"; done
got=$(complete_words "$bin" run "")
has "of run's SCENARIO" a.yaml "$got"; has "of run's SCENARIO" sub "$got"
hasnt "of run's SCENARIO" b.h5 "$got"; hasnt "of run's SCENARIO" c.txt "$got"
got=$(complete_words "$bin" report "")
has "of report's files" b.h5 "$got"; hasnt "of report's files" a.yaml "$got"

finish
